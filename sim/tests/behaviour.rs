//! Behaviour tests: each a small design and scenario, asserting the outcome the oVirt DR
//! guides describe. The base design is `designs/two-sites.toml`; variants edit its text.

use std::path::PathBuf;

use stretchdr_model::design::load_design_str;
use stretchdr_sim::scenario::load_scenario_str;
use stretchdr_sim::{Reason, SimResult, VmOutcome, VmResult, simulate_observed};

const BASE: &str = include_str!("designs/two-sites.toml");

/// Runs `events` (scenario TOML after the `[scenario]` table) against `design`, checking the
/// invariants after every event.
fn run(design: &str, events: &str) -> SimResult {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests");
    let text = format!(
        "[scenario]\nname = \"test\"\ndesign = \"designs/variant.toml\"\nseed = 1\n\n{events}"
    );
    let (scenario, inventory) = load_scenario_str(&dir.join("scenario.toml"), &text, |path| {
        load_design_str(path, design)
    })
    .unwrap_or_else(|e| panic!("{e}"));
    simulate_observed(&inventory, &scenario, 0, |model| {
        if let Err(e) = model.check_invariants() {
            panic!("invariant broken: {e}");
        }
    })
    .unwrap()
}

fn vm<'r>(result: &'r SimResult, name: &str) -> &'r VmResult {
    result
        .vms
        .iter()
        .find(|v| v.name == name)
        .unwrap_or_else(|| panic!("no VM {name}"))
}

fn decisions<'r>(result: &'r SimResult, kind: &str) -> Vec<&'r str> {
    result
        .timeline
        .iter()
        .filter(|d| d.kind == kind)
        .map(|d| d.text.as_str())
        .collect()
}

const LOSE_SITE_A: &str = "[[event]]\nat = \"0s\"\nfail = \"site:site-a\"\n";

/// Everything before the first VM of the base design.
fn base_without_vms() -> String {
    BASE.split("\n[[vm]]").next().unwrap().to_string()
}

#[test]
fn ha_vms_with_leases_restart_on_the_surviving_site() {
    let result = run(BASE, LOSE_SITE_A);
    for name in ["lease-01", "lease-02"] {
        let v = vm(&result, name);
        assert_eq!(v.outcome, VmOutcome::Restarted, "{v:?}");
        assert_eq!(v.site.as_deref(), Some("site-b"));
        assert_eq!(v.down_at_s, Some(0.0));
        // The dead host last renewed its leases in (-20 s, 0]: they are free 140 s later, in
        // (120 s, 140 s]; the direct start waits for that, then boots for 60 s.
        let up = v.up_at_s.unwrap();
        assert!((180.0..=200.0).contains(&up), "{v:?}");
    }
    assert_eq!(vm(&result, "bside-01").outcome, VmOutcome::Unaffected);
    assert_eq!(result.summary.restarted, 2);
}

#[test]
fn ha_vms_without_leases_wait_for_fencing_which_fails_with_the_site() {
    let result = run(BASE, LOSE_SITE_A);
    let v = vm(&result, "nolease-01");
    assert_eq!(v.outcome, VmOutcome::NotRestarted);
    assert_eq!(v.reason, Some(Reason::NoLeaseNoFencing));
    assert_eq!(vm(&result, "plain-01").reason, Some(Reason::NotHa));
    assert!(
        decisions(&result, "fence")
            .iter()
            .any(|d| d.contains("power management went down with its site")),
        "{:?}",
        result.timeline
    );
}

#[test]
fn ha_vms_without_leases_restart_when_power_management_survives() {
    let result = run(BASE, "[[event]]\nat = \"0s\"\nfail = \"host:a1\"\n");
    let v = vm(&result, "nolease-01");
    assert_eq!(v.outcome, VmOutcome::Restarted, "{:?}", result.timeline);
    assert!(
        decisions(&result, "fence")
            .iter()
            .any(|d| d.contains("fenced"))
    );
    assert_eq!(vm(&result, "plain-01").reason, Some(Reason::NotHa));
}

#[test]
fn skip_if_connectivity_broken_stops_fencing_when_half_the_cluster_is_unreachable() {
    let design = BASE.replace(
        "skip_if_connectivity_broken = false",
        "skip_if_connectivity_broken = true",
    );
    let events =
        "[[event]]\nat = \"0s\"\nfail = \"host:a1\"\n[[event]]\nat = \"0s\"\nfail = \"host:a2\"\n";
    let result = run(&design, events);
    assert_eq!(
        vm(&result, "nolease-01").reason,
        Some(Reason::NoLeaseNoFencing)
    );
    assert!(
        decisions(&result, "fence")
            .iter()
            .any(|d| d.contains("skip_if_connectivity_broken"))
    );
    // The same failures without the rule: fenced and restarted.
    let result = run(BASE, events);
    assert_eq!(vm(&result, "nolease-01").outcome, VmOutcome::Restarted);
}

#[test]
fn a_standalone_engine_lost_with_its_site_restarts_nothing() {
    let design = BASE.replace(
        "site = \"site-b\"\nexternal_ha = false",
        "site = \"site-a\"\nexternal_ha = false",
    );
    let result = run(&design, LOSE_SITE_A);
    for name in ["lease-01", "lease-02", "nolease-01"] {
        assert_eq!(vm(&result, name).reason, Some(Reason::EngineDown), "{name}");
    }
    assert_eq!(vm(&result, "plain-01").reason, Some(Reason::NotHa));
    assert_eq!(result.summary.engine_down_s, result.end_s);
    assert_eq!(result.summary.restarted, 0);
}

#[test]
fn a_standalone_engine_with_external_ha_fails_over() {
    let design = BASE.replace(
        "site = \"site-b\"\nexternal_ha = false",
        "site = \"site-a\"\nexternal_ha = true",
    );
    let result = run(&design, LOSE_SITE_A);
    assert_eq!(vm(&result, "lease-01").outcome, VmOutcome::Restarted);
    assert_eq!(result.summary.engine_down_s, 120.0);
}

#[test]
fn a_self_hosted_engine_restarts_in_the_surviving_site_then_does_not_fence_for_5_minutes() {
    let design = BASE
        .replace(
            "deployment = \"standalone\"\nsite = \"site-b\"",
            "deployment = \"self-hosted\"\nsite = \"site-a\"",
        )
        .replace(
            "power_management = true",
            "power_management = true\nhosted_engine = true",
        );
    let result = run(&design, "[[event]]\nat = \"0s\"\nfail = \"site:site-a\"\n");
    // The agents find a1 stale after 60 s; the engine VM's lease is free 140 s after a1's last
    // renewal, in (-20 s, 0], so in (120 s, 140 s]; then the engine VM boots for 180 s.
    let down = result.summary.engine_down_s;
    assert!((300.0..=320.0).contains(&down), "{down}");
    let engine = decisions(&result, "engine");
    assert!(
        engine.iter().any(|d| d.contains("engine up on host b")),
        "{engine:?}"
    );
    assert!(
        decisions(&result, "fence")
            .iter()
            .any(|d| d.contains("deferred"))
    );
    assert_eq!(vm(&result, "lease-01").outcome, VmOutcome::Restarted);
}

#[test]
fn hard_affinity_and_pinned_vms_stay_down() {
    let design = format!(
        "{BASE}
[[vm]]
name = \"hard-01\"
cluster = \"stretch\"
ha = true
lease = \"data1\"
disks = [\"data1\"]
runs_on = \"a2\"

[[vm]]
name = \"pinned-01\"
cluster = \"stretch\"
ha = true
lease = \"data1\"
disks = [\"data1\"]
placement = \"pinned\"
placement_hosts = [\"a2\"]
runs_on = \"a2\"

[[affinity_group]]
name = \"hard-on-a\"
cluster = \"stretch\"
vms = [\"hard-01\"]
hosts = [\"a1\", \"a2\"]
hosts_rule = {{ enabled = true, positive = true, enforcing = true }}
"
    );
    let result = run(&design, LOSE_SITE_A);
    assert_eq!(vm(&result, "hard-01").reason, Some(Reason::HardAffinity));
    assert_eq!(vm(&result, "pinned-01").reason, Some(Reason::Pinned));
    assert_eq!(vm(&result, "lease-01").outcome, VmOutcome::Restarted);
}

#[test]
fn a_short_survivor_restarts_by_ha_priority_and_reports_no_capacity_for_the_rest() {
    let design = base_without_vms().replace(
        "name = \"b{1..2}\"\nsite = \"site-b\"\ncluster = \"stretch\"\nmemory = \"64GiB\"",
        "name = \"b{1..2}\"\nsite = \"site-b\"\ncluster = \"stretch\"\nmemory = \"12GiB\"",
    ) + "
[[vm]]
name = \"low-{01..03}\"
cluster = \"stretch\"
memory = \"8GiB\"
ha = true
ha_priority = 1
lease = \"data1\"
disks = [\"data1\"]
runs_on = \"a1\"

[[vm]]
name = \"high-{01..02}\"
cluster = \"stretch\"
memory = \"8GiB\"
ha = true
ha_priority = 100
lease = \"data1\"
disks = [\"data1\"]
runs_on = \"a1\"
";
    let result = run(&design, LOSE_SITE_A);
    for name in ["high-01", "high-02"] {
        assert_eq!(vm(&result, name).outcome, VmOutcome::Restarted, "{name}");
    }
    for name in ["low-01", "low-02", "low-03"] {
        assert_eq!(vm(&result, name).reason, Some(Reason::NoCapacity), "{name}");
    }
}

#[test]
fn spm_moves_to_a_secondary_host_only_when_no_primary_host_is_up() {
    for host in ["a1", "a2"] {
        let result = run(
            BASE,
            &format!("[[event]]\nat = \"0s\"\nfail = \"host:{host}\"\n"),
        );
        for d in decisions(&result, "spm") {
            assert!(d.contains("in site-a"), "{d}");
        }
    }
    let result = run(BASE, LOSE_SITE_A);
    let spm = decisions(&result, "spm");
    assert_eq!(spm.len(), 1, "{spm:?}");
    assert!(spm[0].contains("in site-b"), "{spm:?}");
    // The old SPM's lease is free 140 s after its last renewal, in (-20 s, 0]: the new SPM
    // is elected between 120 s and 140 s after the loss.
    let down = result.summary.spm_down_s;
    assert!((120.0..=140.0).contains(&down), "{down}");
}

#[test]
fn spm_never_moves_to_a_host_of_priority_minus_1() {
    let design = BASE.replace("spm_priority = 5", "spm_priority = -1");
    let result = run(&design, LOSE_SITE_A);
    assert!(
        decisions(&result, "spm")
            .iter()
            .all(|d| !d.contains("SPM elected"))
    );
    assert_eq!(result.summary.spm_down_s, result.end_s);
}

#[test]
fn after_recovery_soft_affinity_brings_vms_back_one_per_cluster_per_minute() {
    let design = format!(
        "{BASE}
[[vm]]
name = \"more-{{01..04}}\"
cluster = \"stretch\"
memory = \"1GiB\"
ha = true
lease = \"data1\"
disks = [\"data1\"]
runs_on = \"a2\"

[[affinity_group]]
name = \"prefer-a\"
cluster = \"stretch\"
vms = [\"lease-01\", \"lease-02\", \"more-{{01..04}}\"]
hosts = [\"a1\", \"a2\"]
hosts_rule = {{ enabled = true, positive = true, enforcing = false }}
"
    );
    let events = "[[event]]\nat = \"0s\"\nfail = \"site:site-a\"\n[[event]]\nat = \"1h\"\nrecover = \"site:site-a\"\n";
    let result = run(&design, events);
    let starts: Vec<f64> = result
        .timeline
        .iter()
        .filter(|d| d.kind == "affinity" && d.text.starts_with("enforcer migrates"))
        .map(|d| d.at_s)
        .collect();
    assert_eq!(starts.len(), 6, "{:?}", result.timeline);
    assert!(starts.windows(2).all(|w| w[1] - w[0] >= 60.0), "{starts:?}");
    for name in ["lease-01", "lease-02", "more-01", "more-04"] {
        assert_eq!(vm(&result, name).site.as_deref(), Some("site-a"), "{name}");
    }
    let done = result.summary.failback_done_s.expect("failback finishes");
    assert!(done > 3600.0 + 300.0, "{done}");
}

#[test]
fn maintenance_moves_vms_with_zero_downtime() {
    let result = run(
        BASE,
        "[[event]]\nat = \"0s\"\nmaintenance = \"site:site-a\"\n",
    );
    for name in ["lease-01", "lease-02", "nolease-01", "plain-01"] {
        let v = vm(&result, name);
        assert_eq!(v.outcome, VmOutcome::Migrated, "{v:?}");
        assert_eq!(v.down_at_s, None);
        assert_eq!(v.site.as_deref(), Some("site-b"));
    }
    assert_eq!(result.summary.restarted + result.summary.not_restarted, 0);
    assert!(
        decisions(&result, "migration")
            .iter()
            .any(|d| d.contains("host a1 in maintenance"))
    );
}

#[test]
fn a_partition_with_a_witness_restarts_the_losing_sides_vms_on_the_winning_side() {
    let design = BASE.replace(
        "site = \"site-b\"\nexternal_ha = false",
        "site = \"site-a\"\nexternal_ha = false",
    );
    let result = run(
        &design,
        "[[event]]\nat = \"0s\"\nfail = \"link:site-a/site-b\"\n",
    );
    let v = vm(&result, "bside-01");
    assert_eq!(v.outcome, VmOutcome::Restarted, "{:?}", result.timeline);
    assert_eq!(v.site.as_deref(), Some("site-a"));
    assert_eq!(vm(&result, "lease-01").outcome, VmOutcome::Unaffected);
    assert_eq!(result.summary.split_brain, 0);
}

#[test]
fn a_partition_without_a_witness_exposes_split_brain() {
    let design = BASE.replace("witness = \"site-c\"\n", "");
    let result = run(
        &design,
        "[[event]]\nat = \"0s\"\nfail = \"link:site-a/site-b\"\n",
    );
    // The engine (in site-b) restarts site-a's leased VMs while they still run in site-a.
    for name in ["lease-01", "lease-02"] {
        assert_eq!(vm(&result, name).outcome, VmOutcome::SplitBrain, "{name}");
    }
    assert_eq!(result.summary.split_brain, 2);
}

#[test]
fn standard_scenarios_and_assessment_for_audit() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/designs/two-sites.toml");
    let inventory = load_design_str(&dir, BASE).unwrap();
    let scenarios = stretchdr_sim::standard_scenarios(&inventory);
    let names: Vec<&str> = scenarios.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "loss of site-a",
            "loss of site-b",
            "partition site-a/site-b"
        ]
    );
    let assessment = stretchdr_sim::assess(&inventory, &scenarios[0]).unwrap();
    assert_eq!(assessment.result.summary.restarted, 2);
    assert_eq!(
        assessment
            .result
            .summary
            .not_restarted_by_reason
            .get(&Reason::NoLeaseNoFencing),
        Some(&1)
    );
    // Nothing prefers site-a, so failback has nothing to move: done at the first enforcer pass
    // after the hosts are back (5 min boot + 1 min).
    assert_eq!(assessment.failback_s, Some(360.0));
}
