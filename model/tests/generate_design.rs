//! The synthetic generator: deterministic, loadable, and the counts asked for.

use std::path::Path;

use stretchdr_model::Inventory;
use stretchdr_model::design::load_design_str;
use stretchdr_model::generate::{GenParams, generate};
use stretchdr_model::inventory::SiteRole;

fn params(sites: usize, hosts: usize, vms: usize, seed: u64) -> GenParams {
    GenParams {
        sites,
        hosts,
        vms,
        affinity_groups: None,
        seed,
    }
}

fn load(text: &str) -> Inventory {
    load_design_str(Path::new("generated.toml"), text).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn same_seed_same_bytes() {
    let p = params(2, 40, 500, 7);
    assert_eq!(generate(&p), generate(&p));
    assert_ne!(generate(&p), generate(&params(2, 40, 500, 8)));
}

#[test]
fn loads_with_the_counts_asked_for() {
    for (sites, hosts, vms, groups) in [
        (2, 40, 500, None),
        (3, 250, 3000, Some(120)),
        (1, 5, 30, None),
        (2, 2, 0, None),
    ] {
        let p = GenParams {
            affinity_groups: groups,
            ..params(sites, hosts, vms, 1)
        };
        let inv = load(&generate(&p));
        let data_sites = inv
            .sites
            .values()
            .filter(|s| s.role != SiteRole::Witness)
            .count();
        assert_eq!(data_sites, sites);
        assert_eq!(inv.hosts.len(), hosts);
        assert_eq!(inv.vms.len(), vms);
        assert_eq!(
            inv.affinity_groups.len(),
            groups.unwrap_or(vms / 10),
            "{p:?}"
        );
        assert!(inv.hosts.values().all(|h| h.site.is_some()));
        if hosts > 100 {
            assert!(inv.clusters.len() > 1);
        }
    }
}

#[test]
fn mostly_ha_with_leases_and_every_defect() {
    let text = generate(&params(2, 60, 4000, 3));
    let inv = load(&text);
    let ha = inv.vms.values().filter(|v| v.ha).count();
    let leased = inv
        .vms
        .values()
        .filter(|v| v.ha && v.lease.is_some())
        .count();
    assert!((0.75..0.85).contains(&(ha as f64 / 4000.0)), "{ha} HA VMs");
    assert!(leased as f64 > 0.95 * ha as f64);
    for code in [
        "AA003", "AA005", "AA006", "AA007", "AA012", "AA014", "AA016",
    ] {
        assert!(text.contains(&format!("# defect: {code}")), "{code}");
    }
}

#[test]
fn each_site_holds_the_others_ha_vms() {
    let inv = load(&generate(&params(2, 60, 3000, 11)));
    for (cluster_id, cluster) in inv.clusters.iter() {
        let ha: u64 = inv
            .vms
            .values()
            .filter(|v| v.ha && v.cluster == Some(cluster_id))
            .map(|v| v.memory_bytes)
            .sum();
        for (site_id, _) in inv
            .sites
            .iter()
            .filter(|(_, s)| s.role != SiteRole::Witness)
        {
            let capacity: u64 = inv
                .site_hosts(site_id)
                .filter(|(_, h)| h.cluster == Some(cluster_id))
                .map(|(_, h)| h.memory_bytes / 100 * u64::from(cluster.memory_overcommit_percent))
                .sum();
            assert!(ha <= capacity, "{}: {ha} > {capacity}", cluster.name);
        }
    }
}

/// The benchmark size: `cargo test -p stretchdr-model --test generate_design -- --ignored`.
#[test]
#[ignore = "large: a few seconds in a debug build"]
fn benchmark_size_loads() {
    let p = GenParams {
        affinity_groups: Some(2000),
        ..params(2, 500, 20_000, 1)
    };
    let inv = load(&generate(&p));
    assert_eq!(
        (inv.hosts.len(), inv.vms.len(), inv.affinity_groups.len()),
        (500, 20_000, 2000)
    );
}
