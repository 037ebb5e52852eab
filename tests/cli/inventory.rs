//! CLI tests of `stretchdr inventory`.

use crate::support::{run, stderr, stdout};

#[test]
fn missing_source_is_a_usage_error_naming_the_path() {
    let output = run(&["inventory", "no/such/design.toml"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("no/such/design.toml"), "{}", stderr(&output));
    assert!(stdout(&output).is_empty());
}

#[test]
fn unknown_flag_exits_2() {
    let output = run(&["inventory", "--frobnicate"]);
    assert_eq!(output.status.code(), Some(2));
}
