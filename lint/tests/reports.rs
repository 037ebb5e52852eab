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

#[test]
fn many_findings_of_one_rule_are_counted_unless_verbose() {
    let (inventory, findings) = demo();
    let aa004 = findings.iter().filter(|f| f.code == "AA004").count();
    assert!(aa004 > report::FINDINGS_SHOWN_PER_RULE, "{aa004}");
    let grouped = report::human(&findings, &inventory, false);
    let headers = |text: &str| text.matches("note[AA004]").count();
    assert_eq!(headers(&grouped), report::FINDINGS_SHOWN_PER_RULE);
    let more = aa004 - report::FINDINGS_SHOWN_PER_RULE;
    assert!(
        grouped.contains(&format!(
            "... and {more} more AA004 findings (use --verbose to list all)"
        )),
        "{grouped}"
    );
    // Rules with few findings are listed in full.
    assert_eq!(
        grouped.matches("error[").count(),
        findings
            .iter()
            .filter(|f| f.code.starts_with("AA") && f.level == stretchdr_lint::Level::Error)
            .count()
    );
    let verbose = report::human_with(
        &findings,
        &inventory.sources,
        report::HumanOptions {
            color: false,
            verbose: true,
        },
    );
    assert_eq!(headers(&verbose), aa004);
    assert!(!verbose.contains("more AA004"));
}

#[test]
fn the_caret_points_at_the_key_at_fault() {
    let (inventory, findings) = demo();
    let rendered = report::human(&findings, &inventory, false);
    // (rule, the line under which the caret stands): the key the rule judges.
    for (code, key) in [
        (
            "AA005",
            "hosts_rule = { enabled = true, positive = true, enforcing = true }",
        ),
        ("AA007", "spm_priority = 8"),
        ("AA014", "resume_behaviour = \"auto_resume\""),
        ("AA012", "lease = \"archive-async\""),
    ] {
        let block = rendered
            .split("\n\n")
            .find(|block| block.contains(&format!("[{code}]")))
            .unwrap_or_else(|| panic!("{code} not reported:\n{rendered}"));
        assert!(block.contains(key), "{code}:\n{block}");
    }
    let aa005 = findings.iter().find(|f| f.code == "AA005").unwrap();
    let key = aa005.key.expect("AA005 points at its key");
    let text = &inventory.sources.file(key.file).text;
    let start = key.offset as usize;
    assert_eq!(&text[start..start + key.len as usize], "enforcing = true");
    assert_eq!(aa005.line, Some(key.line));
    // The entity's table stays the finding's origin (it tells entities apart).
    assert_ne!(aa005.origin, aa005.key);
}

#[test]
fn a_missing_key_points_at_the_table() {
    let (_, findings) = demo();
    let aa003 = findings.iter().find(|f| f.code == "AA003").unwrap();
    assert_eq!(aa003.key, None, "the VM writes no lease");
    assert_eq!(aa003.line, aa003.origin.map(|o| o.line));
}

#[test]
fn findings_on_one_line_each_keep_their_snippet_and_help() {
    let text = "\
[[site]]\nname = \"a\"\nrole = \"primary\"\n[[site]]\nname = \"b\"\nrole = \"secondary\"\n\
[[link]]\nsites = [\"a\", \"b\"]\nrtt_ms = 1.0\nl2 = true\n\
[[cluster]]\nname = \"c\"\n\
[[host]]\nname = \"a1\"\nsite = \"a\"\ncluster = \"c\"\nmemory = \"64GiB\"\ncpus = 8\nspm_priority = 7\n\
[[host]]\nname = \"b1\"\nsite = \"b\"\ncluster = \"c\"\nmemory = \"64GiB\"\ncpus = 8\nspm_priority = 2\n\
[[storage_domain]]\nname = \"d\"\nstorage = \"iscsi\"\nreplication = \"sync\"\nwritable_at = [\"a\", \"b\"]\n\
vm = [{ name = \"x1\", cluster = \"c\", ha = true, lease = \"d\", resume_behaviour = \"auto_resume\" }, { name = \"x2\", cluster = \"c\", ha = true, lease = \"d\", resume_behaviour = \"leave_paused\" }]\n";
    // The inline VMs go on the design's first line (top-level keys come before any table).
    let (tables, vms) = text.trim_end().rsplit_once('\n').unwrap();
    let text = format!("{vms}\n{tables}\n");
    let inventory = load_design_str(Path::new("one-line.toml"), &text).unwrap();
    let findings: Vec<Finding> = lint(&inventory, &Policy::default())
        .into_iter()
        .filter(|f| f.line == Some(1))
        .collect();
    assert!(findings.len() >= 4, "{findings:#?}");
    let rendered = report::human(&findings, &inventory, false);
    let blocks: Vec<&str> = rendered.split("\n\n").filter(|b| !b.is_empty()).collect();
    assert_eq!(blocks.len(), findings.len(), "{rendered}");
    for (block, finding) in blocks.iter().zip(&findings) {
        assert!(block.contains("\n1 | "), "{block}");
        assert!(block.contains('^'), "{block}");
        assert!(
            block.contains(&format!("help: {}", finding.help)),
            "{block}"
        );
    }
    // Each caret stands under its own VM's key.
    let aa014: Vec<&str> = blocks
        .iter()
        .copied()
        .filter(|b| b.contains("[AA014]"))
        .collect();
    assert_eq!(aa014.len(), 2, "{rendered}");
    let caret_column = |block: &str| block.lines().find_map(|line| line.find('^'));
    assert_ne!(caret_column(aa014[0]), caret_column(aa014[1]), "{rendered}");
}
