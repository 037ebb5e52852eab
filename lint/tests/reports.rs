//! Reporters on the bundled example: colour only when asked, JUnit well-formed, GitHub
//! annotations escaped, JSON as FORMATS.md says.

use std::path::{Path, PathBuf};

use quick_xml::Reader;
use quick_xml::events::Event;
use stretchdr_lint::{Finding, Policy, lint, report};
use stretchdr_model::Inventory;
use stretchdr_model::design::load_design_str;

fn demo() -> (Inventory, Vec<Finding>) {
    let relative = PathBuf::from("fixtures/demo/design.toml");
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("..")
            .join(&relative),
    )
    .unwrap();
    let inventory = load_design_str(&relative, &text).unwrap();
    let findings = lint(&inventory, &Policy::default());
    (inventory, findings)
}

#[test]
fn human_uses_ansi_only_when_asked() {
    let (inventory, findings) = demo();
    assert!(!report::human(&findings, &inventory, false).contains('\u{1b}'));
    assert!(report::human(&findings, &inventory, true).contains("\u{1b}["));
    assert_eq!(
        report::summary_line(&findings),
        "3 errors, 9 warnings, 30 notes"
    );
    assert_eq!(report::summary_line(&[]), "no findings");
}

#[test]
fn findings_are_sorted_by_file_and_line() {
    let (_, findings) = demo();
    let lines: Vec<u32> = findings.iter().filter_map(|f| f.line).collect();
    assert!(lines.windows(2).all(|w| w[0] <= w[1]), "{lines:?}");
}

#[test]
fn junit_is_well_formed_xml() {
    let (_, findings) = demo();
    let xml = report::junit(&findings);
    let mut reader = Reader::from_str(&xml);
    let (mut cases, mut failures) = (0, 0);
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Eof => break,
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == b"testcase" => cases += 1,
            Event::Start(e) if e.name().as_ref() == b"failure" => failures += 1,
            _ => {}
        }
    }
    assert_eq!(failures, 12);
    assert!(cases >= findings.len());
}

#[test]
fn github_annotations_escape_separators() {
    let (_, mut findings) = demo();
    findings.truncate(1);
    findings[0].message = "a: b, c\nd 100%".to_string();
    findings[0].file = Some("dir,x/a:b.toml".to_string());
    let line = report::github(&findings);
    assert!(line.contains("file=dir%2Cx/a%3Ab.toml,line="), "{line}");
    assert!(line.contains("::a: b, c%0Ad 100%25%0Ahelp: "), "{line}");
}

#[test]
fn json_matches_the_lint_result_format() {
    let (_, findings) = demo();
    let text = report::json(&findings);
    let keys = [
        "code", "name", "level", "message", "entity", "file", "line", "help",
    ];
    let mut from = 0;
    for key in keys {
        let at = text[from..].find(&format!("\"{key}\":")).map(|i| from + i);
        from = at.unwrap_or_else(|| panic!("{key} missing or out of order:\n{text}"));
    }
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        json["summary"],
        serde_json::json!({ "error": 3, "warning": 9, "note": 30 })
    );
}
