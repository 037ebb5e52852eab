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
}
