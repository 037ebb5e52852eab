//! Seeded fuzzing of the scenario loaders in CI, in bounded time: the bundled scenarios,
//! damaged and laced with hostile values (durations near the maximum, huge counts, long
//! lines, control characters), give `Ok` or a short `Err`, never a panic.

use std::path::Path;

use proptest::prelude::{Strategy, prop, prop_oneof};
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestRunner};
use stretchdr_model::LoadError;
use stretchdr_model::design::load_design_str;
use stretchdr_sim::scenario::load_scenario_str;

const HOSTILE: &[&str] = &[
    "\"18446744073709551615ms\"",
    "\"213503982334d\"",
    "\"3650d\"",
    "18446744073709551615",
    "-1",
    "1e999",
    "\"\u{1b}]0;pwned\u{7}\"",
    "\"site:\u{0}\"",
    "\"host:{1..99999}\"",
    "[[[[[[[[",
    "\n[[event]]\nat = \"0s\"\nfail = \"site:site-a\"\n",
    "\n[[event]]\nat = \"3650d\"\nrecover = \"site:site-a\"\n",
];

#[derive(Clone, Debug)]
enum Edit {
    Truncate(u16),
    Insert(u16, usize, u8),
    Long(u16, u32),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (0u16..1000).prop_map(Edit::Truncate),
        (0u16..1000, 0..HOSTILE.len(), 1u8..20).prop_map(|(a, i, n)| Edit::Insert(a, i, n)),
        (0u16..1000, 1u32..100_000).prop_map(|(a, n)| Edit::Long(a, n)),
    ]
}

fn apply(edits: &[Edit], original: &str) -> String {
    let mut bytes = original.as_bytes().to_vec();
    for edit in edits {
        let len = bytes.len();
        let at = |per_mille: u16| len * usize::from(per_mille) / 1000;
        match edit {
            Edit::Truncate(keep) => bytes.truncate(at(*keep)),
            Edit::Insert(position, which, times) => {
                let i = at(*position);
                bytes.splice(
                    i..i,
                    HOSTILE[*which].repeat(usize::from(*times)).into_bytes(),
                );
            }
            Edit::Long(position, length) => {
                let i = at(*position);
                bytes.splice(i..i, std::iter::repeat_n(b'A', *length as usize));
            }
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

#[test]
fn scenario_toml_never_panics() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let design = std::fs::read_to_string(root.join("fixtures/demo/design.toml")).unwrap();
    let inventory = load_design_str(Path::new("design.toml"), &design).unwrap();
    let original =
        std::fs::read_to_string(root.join("scenarios/site-a-loss-and-return.toml")).unwrap();
    let mut runner = TestRunner::new(Config {
        cases: 64,
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(0x5ce_a210),
        ..Config::default()
    });
    runner
        .run(&prop::collection::vec(edit(), 1..4), |edits| {
            let text = apply(&edits, &original);
            let loaded = load_scenario_str(Path::new("fuzz.toml"), &text, |_| {
                Ok::<_, LoadError>(inventory.clone())
            });
            if let Err(error) = loaded {
                let shown = error.to_string();
                if shown.len() > 4_000 {
                    return Err(TestCaseError::fail(format!(
                        "a {}-byte message",
                        shown.len()
                    )));
                }
            }
            Ok(())
        })
        .unwrap();
}
