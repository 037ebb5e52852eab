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

/// The base design with a self-hosted engine in site-a, on hosts that can run it.
fn self_hosted_in_site_a() -> String {
    BASE.replace(
        "deployment = \"standalone\"\nsite = \"site-b\"",
        "deployment = \"self-hosted\"\nsite = \"site-a\"",
    )
    .replace(
        "power_management = true",
        "power_management = true\nhosted_engine = true",
    )
}

const BOOT_30S: &str = "[parameters]\nvm_boot_time = \"30s\"\n";

#[test]
fn leased_vms_of_a_lost_site_boot_when_their_leases_are_free() {
    let result = run(BASE, &format!("{LOSE_SITE_A}{BOOT_30S}"));
    for name in ["lease-01", "lease-02"] {
        let v = vm(&result, name);
        assert_eq!(v.outcome, VmOutcome::Restarted, "{v:?}");
        // a1 stops renewing at 0 s; its last renewal was in (-20 s, 0], so the leases are free
        // in (120 s, 140 s]. a1 turns NonResponsive at about 60 s (+20 s as the SPM, +1 s for
        // its two VMs) and the engine runs the leased VMs 9 refreshes (27 s) later, before the
        // leases are free: the starts wait for them, then boot 30 s. Up in [150 s, 170 s], well
        // inside the [140 s, 240 s] the direct path allows.
        let up = v.up_at_s.unwrap();
        assert!((150.0..=170.0).contains(&up), "{v:?}");
    }
    let restarts = decisions(&result, "restart");
    assert!(
        restarts
            .iter()
            .any(|d| d.contains("VMs with a lease on a1 run elsewhere")),
        "{restarts:?}"
    );
}

#[test]
fn a_high_priority_vm_that_cannot_start_does_not_hold_back_leased_vms_of_other_hosts() {
    // `big` (priority 100, no lease, pinned to a1) can never start elsewhere; the leased VMs
    // on a2 have priority 1.
    let design = format!(
        "{}\n[[vm]]\nname = \"big\"\ncluster = \"stretch\"\nmemory = \"4GiB\"\nha = true\n\
         ha_priority = 100\nplacement = \"pinned\"\nplacement_hosts = [\"a1\"]\n\
         disks = [\"data1\"]\nnetworks = [\"vm-net\"]\nruns_on = \"a1\"\n\n\
         [[vm]]\nname = \"low-{{01..02}}\"\ncluster = \"stretch\"\nmemory = \"4GiB\"\nha = true\n\
         ha_priority = 1\nlease = \"data1\"\ndisks = [\"data1\"]\nnetworks = [\"vm-net\"]\n\
         runs_on = \"a2\"\n",
        base_without_vms()
    );
    let result = run(&design, &format!("{LOSE_SITE_A}{BOOT_30S}"));
    assert_eq!(vm(&result, "big").outcome, VmOutcome::NotRestarted);
    for name in ["low-01", "low-02"] {
        let v = vm(&result, name);
        assert_eq!(v.outcome, VmOutcome::Restarted, "{v:?}");
        // The direct path has no priority wait: up at lease expiry (120-140 s) + 30 s boot,
        // not after `big`'s 600 s MaxTimeAutoStartBlockedOnPriority.
        assert!(v.up_at_s.unwrap() <= 170.0, "{v:?}");
    }
}

#[test]
fn after_the_engine_returns_leased_vms_are_up_within_100_s() {
    let result = run(
        &self_hosted_in_site_a(),
        &format!("{LOSE_SITE_A}{BOOT_30S}"),
    );
    let engine_down = result.summary.engine_down_s;
    for name in ["lease-01", "lease-02"] {
        let v = vm(&result, name);
        assert_eq!(v.outcome, VmOutcome::Restarted, "{v:?}");
        // The engine starts with no last-update time for a1: NonResponsive on its third failed
        // refresh (<= 9 s), the direct run 27 s later, leases long free, boot 30 s: <= 66 s.
        let after = v.up_at_s.unwrap() - engine_down;
        assert!(
            (0.0..=100.0).contains(&after),
            "{v:?} engine down {engine_down}"
        );
    }
}

#[test]
fn the_hosted_engine_never_starts_on_a_host_of_the_lost_site() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../scenarios/site-a-loss.toml");
    let (mut scenario, inventory) = stretchdr_sim::load_scenario(&path).unwrap();
    let site_a_hosts: Vec<&str> = inventory
        .hosts
        .values()
        .filter(|h| h.site.is_some_and(|s| inventory.sites[s].name == "site-a"))
        .map(|h| h.name.as_str())
        .collect();
    let mut downs = Vec::new();
    for seed in 0..100 {
        scenario.seed = seed;
        let result = stretchdr_sim::simulate(&inventory, &scenario).unwrap();
        for d in decisions(&result, "engine") {
            if let Some(rest) = d.strip_prefix("hosted-engine agent on ") {
                let host = rest.split(' ').next().unwrap();
                assert!(!site_a_hosts.contains(&host), "seed {seed}: {d}");
            }
        }
        downs.push(result.summary.engine_down_s);
    }
    // Agents at 60 s, the engine VM's lease free 120-140 s after the loss, 180 s boot.
    assert!(
        downs.iter().all(|d| (300.0..=320.0).contains(d)),
        "{downs:?}"
    );
}

#[test]
fn spm_down_is_at_least_engine_down_when_the_spm_is_lost_with_the_engine() {
    let result = run(&self_hosted_in_site_a(), LOSE_SITE_A);
    let s = &result.summary;
    // a1 or a2 (priority 7) was SPM; no election while the engine is down.
    assert!(s.spm_down_s >= s.engine_down_s, "{s:?}");
    let spm = decisions(&result, "spm");
    let elected = result
        .timeline
        .iter()
        .find(|d| d.kind == "spm")
        .map(|d| d.at_s)
        .unwrap_or_else(|| panic!("{spm:?}"));
    // Measured from the loss (0 s) to the election.
    assert_eq!(s.spm_down_s, elected);
}

#[test]
fn a_partitions_paused_vm_is_resumed_not_restarted() {
    // The witness gives the storage to the primary, site-a, where the engine runs: site-b's
    // VMs pause. `plain-b` is not HA and stays paused until the link returns; then it resumes
    // in place.
    let design = format!(
        "{}\n[[vm]]\nname = \"plain-b\"\ncluster = \"stretch\"\nmemory = \"4GiB\"\n\
         resume_behaviour = \"auto_resume\"\ndisks = [\"data1\"]\nnetworks = [\"vm-net\"]\n\
         runs_on = \"b2\"\n",
        BASE.replace(
            "site = \"site-b\"\nexternal_ha = false",
            "site = \"site-a\"\nexternal_ha = false",
        )
    );
    let result = run(
        &design,
        "[[event]]\nat = \"0s\"\nfail = \"link:site-a/site-b\"\n\
         [[event]]\nat = \"1h\"\nrecover = \"link:site-a/site-b\"\n",
    );
    let v = vm(&result, "plain-b");
    assert_eq!(v.outcome, VmOutcome::Resumed, "{v:?}");
    assert_eq!(v.down_at_s, Some(0.0));
    assert_eq!(v.up_at_s, Some(3600.0));
    assert_eq!(result.summary.resumed, 1);
    // Resumed VMs are not restarts: the RTO covers the restarted VMs only.
    assert!(
        result.summary.rto_s.max.unwrap() < 3600.0,
        "{:?}",
        result.summary
    );
}

#[test]
fn a_pinned_vm_in_a_site_put_into_maintenance_is_not_migrated() {
    let design = format!(
        "{}\n[[vm]]\nname = \"pinned-01\"\ncluster = \"stretch\"\nmemory = \"4GiB\"\n\
         placement = \"pinned\"\nplacement_hosts = [\"a1\"]\ndisks = [\"data1\"]\n\
         networks = [\"vm-net\"]\nruns_on = \"a1\"\n",
        BASE
    );
    let result = run(
        &design,
        "[[event]]\nat = \"0s\"\nmaintenance = \"site:site-a\"\n",
    );
    let v = vm(&result, "pinned-01");
    assert_eq!(v.outcome, VmOutcome::NotMigrated, "{v:?}");
    assert_eq!(v.reason, Some(Reason::Pinned));
    assert_eq!(result.summary.not_migrated, 1);
    assert!(
        decisions(&result, "migration")
            .iter()
            .any(|d| d.contains("host a1 cannot enter maintenance")),
    );
}

#[test]
fn a_vm_listed_again_gets_fresh_retries() {
    // A leased VM restarted on b1 is lost again with b1 two hours later: it must come back
    // within minutes (fresh runner entry, fresh lease clock), not after a 30-minute retry.
    let result = run(
        BASE,
        &format!(
            "{LOSE_SITE_A}{BOOT_30S}[[event]]\nat = \"2h\"\nfail = \"host:b1\"\n\
             [[event]]\nat = \"2h\"\nfail = \"host:b2\"\n[[event]]\nat = \"125m\"\n\
             recover = \"site:site-a\"\n"
        ),
    );
    let v = vm(&result, "lease-01");
    assert_eq!(v.outcome, VmOutcome::Restarted, "{v:?}");
    // Lost again at 7200 s; its lease on b1/b2 renewed until then, free 120-140 s later; site-a
    // is back at 7500 s + 300 s host boot = 7800 s, then a direct run or the runner starts it.
    let up = v.up_at_s.unwrap();
    assert!(
        (7800.0..=8200.0).contains(&up),
        "{v:?} {:?}",
        result.timeline
    );
}

#[test]
fn failback_of_four_16_gib_vms_between_10_gbe_hosts_takes_minutes() {
    // Four 16 GiB VMs that prefer site-a (soft VM-to-host rule) restart in site-b, then
    // site-a returns. AUTO bandwidth: min(10 Gbps, 10 Gbps) = 10,000 Mbps / 8 = 1,250 MiB/s,
    // / 2 concurrent migrations = 625 MiB/s: 16 GiB in about 26 s. The enforcer moves one VM
    // per cluster per 60 s pass, so failback ends about 4-5 passes after the hosts are Up.
    let design = format!(
        "{}\n[[vm]]\nname = \"big-{{1..4}}\"\ncluster = \"stretch\"\nmemory = \"16GiB\"\nha = true\n\
         lease = \"data1\"\ndisks = [\"data1\"]\nnetworks = [\"vm-net\"]\nruns_on = \"a1\"\n\n\
         [[affinity_group]]\nname = \"prefer-a\"\ncluster = \"stretch\"\nvms = [\"big-{{1..4}}\"]\n\
         hosts = [\"a1\", \"a2\"]\nhosts_rule = {{ enabled = true, positive = true, enforcing = false }}\n",
        base_without_vms().replace(
            "power_management = true",
            "power_management = true\nmigration_nic_speed = \"10Gbps\"",
        )
    );
    let result = run(
        &design,
        &format!("{LOSE_SITE_A}[[event]]\nat = \"1h\"\nrecover = \"site:site-a\"\n"),
    );
    // Hosts back 300 s after the recovery at 3600 s.
    let done = result.summary.failback_done_s.unwrap();
    assert!((3900.0..=3900.0 + 6.0 * 60.0).contains(&done), "{done}");
    let moved = decisions(&result, "affinity")
        .iter()
        .filter(|d| d.contains(" back on a"))
        .count();
    assert_eq!(moved, 4);
    // At vdsm's default 52 MiB/s each migration would take 315 s instead.
    let slow = run(
        &design.replace("migration_nic_speed = \"10Gbps\"", ""),
        &format!("{LOSE_SITE_A}[[event]]\nat = \"1h\"\nrecover = \"site:site-a\"\n"),
    );
    assert!(slow.summary.failback_done_s.unwrap() > done + 3.0 * 250.0);
}

#[test]
fn the_enforcer_brings_a_positive_vm_to_vm_group_together() {
    // pair-1 on a1 and pair-2 on b1 break their positive VM-to-VM rule. After any recovery
    // arms the enforcer, it moves the VM away from the smaller side (a tie: off the later host)
    // to the host holding the group, one migration per pass.
    let design = format!(
        "{}\n[[vm]]\nname = \"pair-1\"\ncluster = \"stretch\"\nmemory = \"4GiB\"\n\
         disks = [\"data1\"]\nnetworks = [\"vm-net\"]\nruns_on = \"a1\"\n\n\
         [[vm]]\nname = \"pair-2\"\ncluster = \"stretch\"\nmemory = \"4GiB\"\n\
         disks = [\"data1\"]\nnetworks = [\"vm-net\"]\nruns_on = \"b1\"\n\n\
         [[affinity_group]]\nname = \"together\"\ncluster = \"stretch\"\n\
         vms = [\"pair-1\", \"pair-2\"]\n\
         vms_rule = {{ enabled = true, positive = true, enforcing = false }}\n",
        base_without_vms()
    );
    let result = run(
        &design,
        "[[event]]\nat = \"0s\"\nfail = \"host:b2\"\n[[event]]\nat = \"10m\"\nrecover = \"host:b2\"\n",
    );
    let moves = decisions(&result, "affinity");
    assert!(
        moves
            .iter()
            .any(|d| d.contains("enforcer migrates pair-2 to a1 (group together)")),
        "{moves:?}"
    );
    assert_eq!(vm(&result, "pair-2").host.as_deref(), Some("a1"));
}

/// Three data sites of two hosts each, fully meshed, the standalone engine in site-c, storage
/// written at all three (no replication arbiter needed for this test: it is not split).
const THREE_SITES: &str = r#"
[engine]
deployment = "standalone"
site = "site-c"

[[site]]
name = "site-a"
role = "primary"

[[site]]
name = "site-b"
role = "secondary"

[[site]]
name = "site-c"
role = "secondary"

[[link]]
sites = ["site-a", "site-b"]
rtt_ms = 2.0
l2 = true

[[link]]
sites = ["site-a", "site-c"]
rtt_ms = 2.0
l2 = true

[[link]]
sites = ["site-b", "site-c"]
rtt_ms = 2.0
l2 = true

[[data_center]]
name = "dc"

[[cluster]]
name = "stretch"
data_center = "dc"

[[host]]
name = "a{1..2}"
site = "site-a"
cluster = "stretch"
memory = "64GiB"
cpus = 16
power_management = true

[[host]]
name = "b{1..2}"
site = "site-b"
cluster = "stretch"
memory = "64GiB"
cpus = 16
power_management = true

[[host]]
name = "c{1..2}"
site = "site-c"
cluster = "stretch"
memory = "64GiB"
cpus = 16
power_management = true

[[network]]
name = "vm-net"
data_center = "dc"

[[storage_domain]]
name = "data1"
storage = "nfs"
type = "data"
data_center = "dc"
master = true

[[vm]]
name = "on-a"
cluster = "stretch"
memory = "4GiB"
ha = true
lease = "data1"
disks = ["data1"]
networks = ["vm-net"]
runs_on = "a1"
"#;

#[test]
fn a_partition_of_one_link_between_three_sites_cuts_no_side_off() {
    // a/b fails: a and b still reach each other, and the engine, through c.
    let result = run(
        THREE_SITES,
        "[[event]]\nat = \"0s\"\nfail = \"link:site-a/site-b\"\n",
    );
    assert!(
        decisions(&result, "host").is_empty(),
        "{:?}",
        result.timeline
    );
    assert_eq!(vm(&result, "on-a").outcome, VmOutcome::Unaffected);
    // a/b and a/c fail: site-a is a side of its own, cut off from the engine in site-c.
    let result = run(
        THREE_SITES,
        "[[event]]\nat = \"0s\"\nfail = \"link:site-a/site-b\"\n\
         [[event]]\nat = \"0s\"\nfail = \"link:site-a/site-c\"\n",
    );
    let hosts = decisions(&result, "host");
    for name in ["a1", "a2"] {
        assert!(
            hosts
                .iter()
                .any(|d| d.starts_with(&format!("host {name} NonResponsive"))),
            "{hosts:?}"
        );
    }
    assert!(
        !hosts
            .iter()
            .any(|d| d.starts_with("host b") || d.starts_with("host c")),
        "{hosts:?}"
    );
}

#[test]
fn a_site_failing_again_cancels_what_its_recovery_started() {
    // Standalone engine in site-a: site-a fails at 0, recovers at 2 min (the engine would be up
    // at 2 min + 3 min boot, the hosts at 2 min + 5 min), fails again at 4 min and recovers at
    // 6 min. The pending engine start and host boots of the first recovery die with the second
    // failure: nothing may come up before 6 min + boot.
    let design = BASE.replace(
        "site = \"site-b\"\nexternal_ha = false",
        "site = \"site-a\"\nexternal_ha = false",
    );
    let result = run(
        &design,
        "[[event]]\nat = \"0s\"\nfail = \"site:site-a\"\n\
         [[event]]\nat = \"2m\"\nrecover = \"site:site-a\"\n\
         [[event]]\nat = \"4m\"\nfail = \"site:site-a\"\n\
         [[event]]\nat = \"6m\"\nrecover = \"site:site-a\"\n",
    );
    for d in result
        .timeline
        .iter()
        .filter(|d| d.kind == "engine" || d.kind == "host")
    {
        if d.text.starts_with("engine up") || d.text.contains("Up after boot") {
            // Engine: 360 s + 180 s; hosts: 360 s + 300 s.
            assert!(d.at_s >= 540.0, "{d:?}");
        }
    }
    assert!(
        result
            .timeline
            .iter()
            .any(|d| d.text.starts_with("engine up") && d.at_s == 540.0),
        "{:?}",
        result.timeline
    );
}
