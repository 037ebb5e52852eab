//! The loader never panics: arbitrary bytes and damaged real responses give `Ok` or
//! `Err`, whatever they hold. The runs are seeded, so every run tests the same inputs.

use std::path::{Path, PathBuf};

use proptest::prelude::{Just, Strategy, any, prop, prop_oneof};
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestRunner};
use stretchdr_model::export::{load_export, parse_json, parse_xml};

fn exports() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/exports")
}

fn runner(cases: u32) -> TestRunner {
    TestRunner::new(Config {
        cases,
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(0x5eed_0fe4),
        ..Config::default()
    })
}

/// A private copy of an export, one per test, whose files a test may damage.
struct Scratch {
    root: PathBuf,
}

impl Scratch {
    fn copy_of(export: &str, test: &str) -> Scratch {
        let root = std::env::temp_dir().join(format!(
            "stretchdr-export-fuzz-{}-{test}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&root);
        copy_dir(&exports().join(export), &root);
        Scratch { root }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

/// How to damage a file.
#[derive(Clone, Debug)]
enum Damage {
    /// Keep only this fraction (per mille) of the bytes.
    Truncate(u16),
    /// Overwrite the bytes at these positions (per mille of the length) with these values.
    Flip(Vec<(u16, u8)>),
    /// Remove a slice: start and length, per mille.
    Cut(u16, u16),
}

fn damage() -> impl Strategy<Value = Damage> {
    prop_oneof![
        (0u16..1000).prop_map(Damage::Truncate),
        prop::collection::vec((0u16..1000, any::<u8>()), 1..8).prop_map(Damage::Flip),
        ((0u16..1000), (1u16..50)).prop_map(|(start, len)| Damage::Cut(start, len)),
    ]
}

fn apply(damage: &Damage, original: &[u8]) -> Vec<u8> {
    let at = |per_mille: u16| original.len() * usize::from(per_mille) / 1000;
    let mut bytes = original.to_vec();
    match damage {
        Damage::Truncate(keep) => bytes.truncate(at(*keep)),
        Damage::Flip(flips) => {
            for &(position, value) in flips {
                if let Some(byte) = bytes.get_mut(at(position)) {
                    *byte = value;
                }
            }
        }
        Damage::Cut(start, len) => {
            let start = at(*start);
            let end = (start + at(*len)).min(bytes.len());
            bytes.drain(start..end);
        }
    }
    bytes
}

/// Loads `scratch` with `file` (relative to it) replaced by `bytes`, then restores it.
/// Reaching the end without a panic is the property.
fn load_with(scratch: &Scratch, file: &str, bytes: &[u8]) -> Result<(), TestCaseError> {
    let path = scratch.root.join(file);
    let original = std::fs::read(&path).unwrap_or_default();
    std::fs::write(&path, bytes).unwrap();
    let result = load_export(&scratch.root);
    std::fs::write(&path, original).unwrap();
    if let Err(error) = result {
        // Errors name the damaged file (or another file of the export).
        assert!(error.path.starts_with(&scratch.root), "{error}");
    }
    Ok(())
}

/// The collection files the loader reads, in both formats.
const TARGETS: &[&str] = &[
    "api/vms.xml",
    "api/hosts.xml",
    "api/clusters.xml",
    "api/storagedomains.xml",
    "api/disks.xml",
    "api/vms/21f55c51-a9ed-489e-a8b9-1b7cf921f5a6/nics.xml",
];

fn damaged_real_files(export: &str, test: &str, extension: &str) {
    let scratch = Scratch::copy_of(export, test);
    let targets: Vec<String> = TARGETS
        .iter()
        .map(|t| t.replace(".xml", extension))
        .collect();
    let strategy = (0..targets.len(), damage());
    runner(128)
        .run(&strategy, |(target, damage)| {
            let file = &targets[target];
            let original = std::fs::read(scratch.root.join(file)).unwrap();
            load_with(&scratch, file, &apply(&damage, &original))
        })
        .unwrap();
}

#[test]
fn damaged_xml_responses_never_panic() {
    damaged_real_files("miq_ovirt_lans_refresh", "xml", ".xml");
}

#[test]
fn damaged_json_responses_never_panic() {
    damaged_real_files("miq_ovirt_lans_refresh_json", "json", ".json");
}

#[test]
fn damaged_hand_written_export_never_panics() {
    let scratch = Scratch::copy_of("stretch_small", "stretch");
    let file = "api/clusters/5d1e0000-0000-4000-8000-020000000001/affinitygroups.xml";
    let original = std::fs::read(scratch.root.join(file)).unwrap();
    runner(128)
        .run(&damage(), |damage| {
            load_with(&scratch, file, &apply(&damage, &original))
        })
        .unwrap();
}

#[test]
fn arbitrary_bytes_never_panic() {
    let scratch = Scratch::copy_of("lenient_json", "bytes");
    let bytes = prop::collection::vec(any::<u8>(), 0..512);
    let file = prop_oneof![
        Just("api/vms.xml"),
        Just("api/hosts.json"),
        Just("api.json")
    ];
    runner(64)
        .run(&(file, bytes), |(file, bytes)| {
            load_with(&scratch, file, &bytes)
        })
        .unwrap();
}

/// Text that looks like a response: markup and JSON punctuation, names the loader reads.
fn response_like() -> impl Strategy<Value = String> {
    let token = prop_oneof![
        Just("<"),
        Just(">"),
        Just("</"),
        Just("/>"),
        Just("{"),
        Just("}"),
        Just("["),
        Just("]"),
        Just(":"),
        Just(","),
        Just("\""),
        Just("\\"),
        Just("&amp;"),
        Just("&#x"),
        Just("<![CDATA["),
        Just("]]>"),
        Just("vm"),
        Just("vms"),
        Just("name"),
        Just(" id=\"1\""),
        Just("true"),
        Just("-1"),
        Just("\n"),
        Just("é"),
    ];
    prop::collection::vec(token, 0..64).prop_map(|tokens| tokens.concat())
}

#[test]
fn parsers_never_panic() {
    runner(512)
        .run(&response_like(), |text| {
            let _ = parse_xml(text.as_str());
            let _ = parse_json(text.as_str());
            Ok(())
        })
        .unwrap();
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let xml = "<a>".repeat(100_000);
    assert!(
        parse_xml(xml.as_str())
            .unwrap_err()
            .message
            .contains("nested deeper")
    );
    let json = format!("{{\"a\":{}", "[".repeat(100_000));
    assert!(parse_json(json.as_str()).is_err());
    let json = "{\"a\":".repeat(100_000);
    assert!(parse_json(json.as_str()).is_err());
}
