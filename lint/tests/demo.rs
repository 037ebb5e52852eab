//! The bundled example: every defect marked `# defect: AAxxx` is reported, and nothing else at
//! warning or error level.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use stretchdr_lint::{Level, Policy, lint};
use stretchdr_model::design::load_design_str;

fn demo() -> (PathBuf, String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let text = std::fs::read_to_string(root.join("fixtures/demo/design.toml"))
        .expect("the bundled example exists");
    (PathBuf::from("fixtures/demo/design.toml"), text)
}

/// The codes marked `# defect: AAxxx` in the file.
fn marked_defects(text: &str) -> BTreeSet<String> {
    text.lines()
        .filter_map(|line| line.trim_start().strip_prefix("# defect:"))
        .filter_map(|rest| rest.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

#[test]
fn every_marked_defect_is_reported_and_nothing_else_warns() {
    let (path, text) = demo();
    let inventory = load_design_str(&path, &text).expect("the bundled example loads");
    let findings = lint(&inventory, &Policy::default());
    let marked = marked_defects(&text);
    assert!(!marked.is_empty(), "the demo marks its defects");
    let reported: BTreeSet<String> = findings
        .iter()
        .filter(|f| f.level >= Level::Warning)
        .map(|f| f.code.to_string())
        .collect();
    let rendered: Vec<String> = findings
        .iter()
        .map(|f| {
            format!(
                "{} {} {:?}:{:?} {}",
                f.code, f.level, f.file, f.line, f.message
            )
        })
        .collect();
    assert_eq!(reported, marked, "findings:\n{}", rendered.join("\n"));
}
