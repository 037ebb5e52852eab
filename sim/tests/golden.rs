//! Golden tests: the JSON of every shipped scenario (fixed seeds) is snapshot-tested, and the
//! same run twice gives byte-identical output.

use std::path::PathBuf;

use stretchdr_sim::{load_scenario, report, simulate};

fn scenario_json(file: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../scenarios")
        .join(file);
    let (scenario, inventory) = load_scenario(&path).unwrap_or_else(|e| panic!("{e}"));
    report::json(&simulate(&inventory, &scenario).unwrap())
}

macro_rules! golden {
    ($($test:ident => $file:literal,)*) => {$(
        #[test]
        fn $test() {
            let json = scenario_json($file);
            assert_eq!(json, scenario_json($file), "the same run twice differs");
            insta::assert_snapshot!(stringify!($test), json);
        }
    )*};
}

golden! {
    site_a_loss => "site-a-loss.toml",
    site_b_loss => "site-b-loss.toml",
    site_a_loss_and_return => "site-a-loss-and-return.toml",
    partition_a_b => "partition-a-b.toml",
    planned_failover_a => "planned-failover-a.toml",
    rolling_host_loss => "rolling-host-loss.toml",
    site_a_loss_monte_carlo => "site-a-loss-monte-carlo.toml",
}

#[test]
fn every_shipped_scenario_has_a_golden_test() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    let mut files: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml"))
        .collect();
    // Scenarios of other simulators say which (`mode = "georep"`); these are the engine's.
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    files.retain(|f| {
        let text = std::fs::read_to_string(dir.join(f)).unwrap();
        !text.lines().any(|l| l.trim_start().starts_with("mode"))
    });
    files.sort();
    let source = include_str!("golden.rs");
    for file in files {
        assert!(
            source.contains(&format!("\"{file}\"")),
            "{file} has no golden test"
        );
    }
}

#[test]
fn the_seed_changes_only_what_is_random() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scenarios/site-a-loss.toml");
    let (mut scenario, inventory) = load_scenario(&path).unwrap();
    let a = simulate(&inventory, &scenario).unwrap();
    scenario.seed = 99;
    let b = simulate(&inventory, &scenario).unwrap();
    assert_eq!(b.seed, 99);
    assert_eq!(a.summary.vms, b.summary.vms);
    assert_eq!(
        a.summary.not_restarted_by_reason,
        b.summary.not_restarted_by_reason
    );
}
