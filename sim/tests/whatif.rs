//! What-if sweeps on a design whose answer is arithmetic: every host holds exactly four VMs.

use std::path::{Path, PathBuf};

use stretchdr_model::Inventory;
use stretchdr_sim::scenario::{Action, Scenario, Target, event};
use stretchdr_sim::slo::parse;
use stretchdr_sim::whatif::{apply, parse_vary, sweep};

fn capacity() -> (Inventory, Scenario) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/designs/capacity.toml");
    let inv = stretchdr_model::load_source(Path::new(&path)).unwrap_or_else(|e| panic!("{e}"));
    let site_a = inv.sites.find("site-a").unwrap();
    let mut scenario = Scenario::new(
        "loss of site-a",
        vec![event(&inv, 0, Action::Fail, Target::Site(site_a))],
    );
    scenario.seed = 3;
    (inv, scenario)
}

#[test]
fn hosts_added_to_site_b_restart_four_vms_each() {
    let (inv, scenario) = capacity();
    let vary = parse_vary(&inv, "hosts.site-b=+0..+3").unwrap();
    let target = parse("not_restarted<=0").unwrap();
    let result = sweep(&inv, &scenario, &[vary], 4, Some(&target), &|_, _| {}).unwrap();
    let lost: Vec<f64> = result
        .points
        .iter()
        .map(|p| p.expected_not_restarted)
        .collect();
    // 12 VMs, 4 per site-b host: 12 - 4 (1 + k), never below 0.
    assert_eq!(lost, [8.0, 4.0, 0.0, 0.0]);
    let labels: Vec<&str> = result
        .points
        .iter()
        .map(|p| p.settings["hosts.site-b"].as_str())
        .collect();
    assert_eq!(labels, ["+0", "+1", "+2", "+3"]);
    assert_eq!(result.points[2].memory_added_bytes, 2 * (64 << 30));
    assert_eq!(
        result.cheapest,
        Some(Some(2)),
        "two hosts are the cheapest answer"
    );
    let never = parse("not_restarted<0").unwrap();
    let result = sweep(
        &inv,
        &scenario,
        &[parse_vary(&inv, "hosts.site-b=+0..+1").unwrap()],
        1,
        Some(&never),
        &|_, _| {},
    )
    .unwrap();
    assert_eq!(result.cheapest, Some(None));
}

#[test]
fn host_memory_and_engine_parameters_sweep_as_a_grid() {
    let (inv, scenario) = capacity();
    let varies = [
        parse_vary(&inv, "host_memory.site-b=64GiB..192GiB:64GiB").unwrap(),
        parse_vary(&inv, "vds_refresh_rate=3s,20s").unwrap(),
    ];
    let result = sweep(&inv, &scenario, &varies, 2, None, &|_, _| {}).unwrap();
    assert_eq!(result.points.len(), 6);
    let lost: Vec<f64> = result
        .points
        .iter()
        .map(|p| p.expected_not_restarted)
        .collect();
    assert_eq!(lost, [8.0, 8.0, 4.0, 4.0, 0.0, 0.0]);
    // With 3 s cycles the host is NonResponsive about 60 s after the loss and its leased VMs
    // run directly 9 cycles later (about 87 s); the start waits for the leases, free 140 s after
    // the host's last renewal (120 s to 140 s after the loss), then boots 60 s: 180 s to 200 s.
    // With 20 s cycles NonResponsive comes at the first cycle past 60 s of grace (60 s to 80 s)
    // and the direct run 9 cycles (180 s) later, after the leases are free: 300 s to 320 s.
    let p50 = |i: usize| result.points[i].rto_p50_s.unwrap();
    assert!((180.0..=200.0).contains(&p50(0)), "{}", p50(0));
    assert!((300.0..=330.0).contains(&p50(1)), "{}", p50(1));
    assert_eq!(result.points[5].settings["vds_refresh_rate"], "20s");
    assert_eq!(result.points[5].settings["host_memory.site-b"], "192GiB");
}

#[test]
fn bad_vary_and_target_say_what_was_expected() {
    let (inv, _) = capacity();
    for (text, message) in [
        ("hosts.site-z=+0..+2", "no site named"),
        ("hosts.site-b", "PARAM=RANGE"),
        ("vds_refresh=3s..5s:1s", "unknown parameter"),
        ("ha_priority.web-*=1..100:10", "no VM name matches"),
        ("ha_priority.app-*=50..200:50", "above 100"),
        ("migration_policy=fast", "unknown migration policy"),
        ("vds_refresh_rate=0s,3s", "more than 0"),
    ] {
        let err = parse_vary(&inv, text).unwrap_err();
        assert!(err.contains(message), "{text}: {err}");
    }
    assert!(parse_vary(&inv, "migration_policy=minimal_downtime,very_large_vms").is_ok());
    assert!(parse_vary(&inv, "ha_priority.app-0?=1..100:33").is_ok());
}

/// The capacity design with a second cluster in site-a, `batch`, whose two small hosts come
/// after the `stretch` hosts that run every HA VM of the site.
fn two_clusters() -> (Inventory, Scenario) {
    let (_, scenario) = capacity();
    let base = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/designs/capacity.toml");
    let text = std::fs::read_to_string(&base).unwrap()
        + "\n[[cluster]]\nname = \"batch\"\ndata_center = \"dc\"\n\n\
           [[host]]\nname = \"ba{1..2}\"\nsite = \"site-a\"\ncluster = \"batch\"\nmemory = \"32GiB\"\ncpus = 16\n";
    let dir = std::env::temp_dir().join(format!("stretchdr-whatif-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("two-clusters.toml");
    std::fs::write(&path, text).unwrap();
    let inv = stretchdr_model::load_source(&path).unwrap_or_else(|e| panic!("{e}"));
    (inv, scenario)
}

#[test]
fn hosts_are_added_like_those_of_the_cluster_running_most_ha_vms_or_the_one_named() {
    let (inv, scenario) = two_clusters();
    let added = |param: &str| {
        let vary = parse_vary(&inv, param).unwrap_or_else(|e| panic!("{e}"));
        let (after, _, cost) = apply(&inv, &scenario, &[(&vary.knob, vary.values[0])]).unwrap();
        let new: Vec<(String, String, u64)> = after
            .hosts
            .iter()
            .skip(inv.hosts.len())
            .map(|(_, h)| {
                let cluster = h.cluster.map(|c| after.clusters[c].name.clone());
                (
                    h.name.clone(),
                    cluster.unwrap_or_default(),
                    h.memory_bytes >> 30,
                )
            })
            .collect();
        (new, cost)
    };
    // site-a's HA VMs all run in `stretch`: its hosts are copied, not the last host listed.
    let (new, cost) = added("hosts.site-a=+2");
    assert_eq!(
        new,
        [
            ("site-a-whatif-1".into(), "stretch".into(), 64),
            ("site-a-whatif-2".into(), "stretch".into(), 64)
        ]
    );
    assert_eq!((cost.hosts, cost.memory_bytes), (2, 2 * (64 << 30)));
    // A cluster named: its hosts in that site.
    let (new, cost) = added("hosts.site-a.batch=+1");
    assert_eq!(new, [("site-a-batch-whatif-1".into(), "batch".into(), 32)]);
    assert_eq!((cost.hosts, cost.memory_bytes), (1, 32 << 30));
    // No HA VM runs in site-b: its one cluster there.
    let (new, _) = added("hosts.site-b=+1");
    assert_eq!(new[0].1, "stretch");
}

#[test]
fn unknown_sites_and_clusters_are_named_with_a_suggestion() {
    let (inv, _) = two_clusters();
    let error = |param: &str| parse_vary(&inv, param).unwrap_err();
    let e = error("hosts.site-x=+1");
    assert!(
        e.contains("no site named \"site-x\"") && e.contains("did you mean `site-a`?"),
        "{e}"
    );
    assert!(e.contains("known sites: site-a, site-b, site-c"), "{e}");
    let e = error("hosts.site-a.bacth=+1");
    assert!(
        e.contains("no cluster named \"bacth\"; did you mean `batch`?"),
        "{e}"
    );
    let e = error("hosts.site-b.batch=+1");
    assert!(
        e.contains("cluster batch has no host in site site-b to copy"),
        "{e}"
    );
    let e = error("hosts.site-c=+1");
    assert!(e.contains("site site-c has no host to copy"), "{e}");
}

#[test]
fn the_cheapest_point_adds_least_memory_then_fewest_hosts() {
    let (inv, scenario) = capacity();
    // +1 host of 64 GiB, or 64 GiB more on site-b's one host: the same memory, one host less.
    let varies = [
        parse_vary(&inv, "hosts.site-b=+0,+1").unwrap(),
        parse_vary(&inv, "host_memory.site-b=64GiB,128GiB").unwrap(),
    ];
    let target = parse("not_restarted<=4").unwrap();
    let result = sweep(&inv, &scenario, &varies, 1, Some(&target), &|_, _| {}).unwrap();
    let costs: Vec<(i128, u64)> = result
        .points
        .iter()
        .map(|p| (p.memory_added_bytes >> 30, p.hosts_added))
        .collect();
    assert_eq!(costs, [(0, 0), (64, 0), (64, 1), (192, 1)]);
    assert_eq!(result.points[1].meets_target, Some(true), "{result:?}");
    assert_eq!(result.points[2].meets_target, Some(true), "{result:?}");
    assert_eq!(result.cheapest, Some(Some(1)));
}
