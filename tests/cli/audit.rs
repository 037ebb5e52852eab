//! CLI tests of `stretchdr audit`.

use crate::support::{run, stderr, stdout};

#[test]
fn audit_without_source_audits_the_bundled_example() {
    let output = run(&["audit"]);
    let text = stdout(&output);
    assert!(
        text.contains("site site-a (primary)"),
        "{text}\n{}",
        stderr(&output)
    );
    assert!(text.contains("site site-b (secondary)"), "{text}");
    // The example's deliberate defects include errors, so the audit fails by default.
    assert_eq!(output.status.code(), Some(1), "{text}");
    for code in [
        "AA003", "AA005", "AA006", "AA007", "AA012", "AA014", "AA016",
    ] {
        assert!(
            text.contains(&format!("[{code}]")),
            "{code} missing:\n{text}"
        );
    }
    // Notes are counted per rule, not listed one by one.
    assert!(
        text.contains("note[AA004]: vm-not-highly-available on 30 entities"),
        "{text}"
    );
    assert!(!text.contains("\u{1b}["), "no colour when piped");
}

#[test]
fn audit_of_an_export_without_sites_says_so_once() {
    let output = run(&["audit", "fixtures/exports/miq_ovirt_lans_refresh"]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{text}\n{}", stderr(&output));
    assert_eq!(text.matches("note[AA000]").count(), 1, "{text}");
    assert!(text.contains("sites"), "{text}");
}

#[test]
fn audit_of_a_bad_source_exits_2() {
    let output = run(&["audit", "fixtures/exports/malformed/vm_without_name"]);
    assert_eq!(output.status.code(), Some(2), "{}", stdout(&output));
}
