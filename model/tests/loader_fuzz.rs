//! Seeded fuzzing of every loader in CI, in bounded time: real inputs damaged and laced
//! with hostile fragments (deep nesting, huge numbers, long lines, name bombs, control
//! characters) give `Ok` or an `Err` whose message is short, never a panic. The `fuzz/`
//! directory has the same loaders as `cargo fuzz` targets for longer runs.

use std::path::{Path, PathBuf};

use proptest::prelude::{Strategy, any, prop, prop_oneof};
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestRunner};
use stretchdr_model::LoadError;
use stretchdr_model::design::load_design_str;
use stretchdr_model::export::{parse_json, parse_xml};
use stretchdr_model::mapping::load_mapping_str;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

fn runner(cases: u32) -> TestRunner {
    TestRunner::new(Config {
        cases,
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(0x0bad_f00d),
        ..Config::default()
    })
}

/// Fragments an attacker would try.
const HOSTILE: &[&str] = &[
    "{1..99999}",
    "\u{1b}]0;pwned\u{7}\u{1b}[2J",
    "\0",
    "\r\n",
    "\u{202e}",
    "\u{feff}",
    "1e999999",
    "-9223372036854775809",
    "18446744073709551616",
    "\"\\u0000\"",
    "&amp;&#0;&#x110000;&xxe;",
    "<!DOCTYPE x [<!ENTITY a \"aaaa\">]>",
    "]]>",
    "*a &a [a, *a]",
    "<<: *x",
    "!!binary",
    "''",
];

/// One change to an input.
#[derive(Clone, Debug)]
enum Edit {
    /// Keep only this fraction (per mille) of the bytes.
    Truncate(u16),
    /// Overwrite bytes at these positions (per mille) with these values.
    Flip(Vec<(u16, u8)>),
    /// Insert a hostile fragment, repeated, at a position (per mille).
    Insert(u16, usize, u16),
    /// Insert `depth` opening brackets of one kind at a position (per mille).
    Nest(u16, u8, u16),
    /// A long run of one character at a position (per mille).
    Long(u16, u8, u32),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (0u16..1000).prop_map(Edit::Truncate),
        prop::collection::vec((0u16..1000, any::<u8>()), 1..6).prop_map(Edit::Flip),
        (0u16..1000, 0..HOSTILE.len(), 1u16..200).prop_map(|(at, i, n)| Edit::Insert(at, i, n)),
        (0u16..1000, 0u8..4, 1u16..3000).prop_map(|(at, k, d)| Edit::Nest(at, k, d)),
        (0u16..1000, 0u8..4, 1u32..100_000).prop_map(|(at, k, n)| Edit::Long(at, k, n)),
    ]
}

fn apply(edits: &[Edit], original: &str) -> String {
    let mut bytes = original.as_bytes().to_vec();
    for edit in edits {
        let len = bytes.len();
        let at = |per_mille: u16| len * usize::from(per_mille) / 1000;
        match edit {
            Edit::Truncate(keep) => bytes.truncate(at(*keep)),
            Edit::Flip(flips) => {
                for &(position, value) in flips {
                    let i = at(position);
                    if i < bytes.len() {
                        bytes[i] = value;
                    }
                }
            }
            Edit::Insert(position, which, times) => {
                let i = at(*position);
                let fragment = HOSTILE[*which].repeat(usize::from(*times));
                bytes.splice(i..i, fragment.into_bytes());
            }
            Edit::Nest(position, kind, depth) => {
                let i = at(*position);
                let open = ["[", "{", "<a>", "- "][usize::from(*kind)];
                bytes.splice(i..i, open.repeat(usize::from(*depth)).into_bytes());
            }
            Edit::Long(position, kind, length) => {
                let i = at(*position);
                let c = [b'A', b'9', b' ', b'"'][usize::from(*kind)];
                bytes.splice(i..i, std::iter::repeat_n(c, *length as usize));
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// An error is fine; a long one is not: messages quote at most a short window.
fn short(result: Result<(), LoadError>) -> Result<(), TestCaseError> {
    if let Err(error) = result {
        let shown = error.to_string();
        if shown.len() > 4_000 {
            return Err(TestCaseError::fail(format!(
                "a {}-byte message: {}",
                shown.len(),
                &shown[..200]
            )));
        }
    }
    Ok(())
}

/// Runs `load` on `cases` damaged versions of `original`.
fn fuzz(cases: u32, original: &str, load: impl Fn(&str) -> Result<(), LoadError>) {
    runner(cases)
        .run(&prop::collection::vec(edit(), 1..4), |edits| {
            short(load(&apply(&edits, original)))
        })
        .unwrap();
}

#[test]
fn design_toml_never_panics() {
    let original = std::fs::read_to_string(fixtures().join("demo/design.toml")).unwrap();
    fuzz(48, &original, |text| {
        load_design_str(Path::new("fuzz.toml"), text).map(drop)
    });
}

#[test]
fn mapping_yaml_never_panics() {
    let original = std::fs::read_to_string(fixtures().join("ap/AP001-fires.yml")).unwrap();
    fuzz(48, &original, |text| {
        load_mapping_str(Path::new("fuzz.yml"), text).map(drop)
    });
}

/// A response parse error as a load error, as the export loader makes it.
fn as_load(
    text: &str,
    result: Result<stretchdr_model::export::tree::Tree, stretchdr_model::export::tree::SyntaxError>,
) -> Result<(), LoadError> {
    let text: std::sync::Arc<str> = text.into();
    result
        .map(drop)
        .map_err(|e| LoadError::at(Path::new("fuzz"), &text, e.span, e.message))
}

#[test]
fn xml_responses_never_panic() {
    let original =
        std::fs::read_to_string(fixtures().join("exports/stretch_small/api/vms.xml")).unwrap();
    fuzz(48, &original, |text| as_load(text, parse_xml(text)));
}

#[test]
fn json_responses_never_panic() {
    let dir = fixtures().join("exports/miq_ovirt_lans_refresh_json/api");
    let original = std::fs::read_to_string(dir.join("vms.json")).unwrap();
    fuzz(48, &original, |text| as_load(text, parse_json(text)));
}
