//! A broken export is an error naming the file, line and what was expected; never a panic.

use std::path::{Path, PathBuf};

use stretchdr_model::LoadError;
use stretchdr_model::export::load_export;

fn exports() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/exports")
}

/// The error of loading `malformed/<case>`, displayed with its path relative to the
/// fixtures so the snapshot is the same on every machine.
fn error_of(case: &str) -> String {
    let dir = exports().join("malformed").join(case);
    let error: LoadError = match load_export(&dir) {
        Ok(_) => panic!("{case} should not load"),
        Err(error) => error,
    };
    let relative = error
        .path
        .strip_prefix(exports())
        .expect("error names a fixture file");
    LoadError {
        path: relative.to_path_buf(),
        ..error
    }
    .to_string()
}

macro_rules! error_snapshots {
    ($($case:ident,)*) => {$(
        #[test]
        fn $case() {
            insta::assert_snapshot!(concat!("export_error_", stringify!($case)), error_of(stringify!($case)));
        }
    )*};
}

error_snapshots! {
    xml_mismatched_tag,
    xml_truncated,
    xml_unknown_entity,
    xml_bad_boolean,
    xml_bad_on_error,
    json_missing_comma,
    json_top_level_array,
    json_bad_number,
    json_unexpected_character,
    vm_without_name,
    fault_instead_of_collection,
    empty_file,
    not_an_export,
    not_utf8,
}

#[test]
fn every_malformed_fixture_is_tested() {
    let mut cases: Vec<String> = std::fs::read_dir(exports().join("malformed"))
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().into_string().unwrap())
        .collect();
    cases.sort();
    let source = include_str!("export_errors.rs");
    for case in cases {
        assert!(
            source.contains(&format!("    {case},")),
            "no snapshot test for malformed/{case}"
        );
    }
}

#[test]
fn errors_carry_the_line_and_the_text() {
    let error = load_export(&exports().join("malformed/vm_without_name")).unwrap_err();
    assert_eq!(error.line, Some(7));
    let text = error.source_text.expect("the file's text");
    let span = error.span.expect("a span");
    assert!(text[span].starts_with("<vm href=\"/ovirt-engine/api/vms/v2\""));
}

#[test]
fn a_missing_directory_is_an_error() {
    let error = load_export(&exports().join("no-such-export")).unwrap_err();
    assert!(
        error.message.starts_with("cannot read export directory"),
        "{error}"
    );
}
