//! The bundled example loads, is the size the docs promise, and holds exactly the defects
//! its header lists (the lint tests check that the rules find them).

use std::collections::BTreeSet;
use std::path::Path;

use stretchdr_model::design::load_design_str;
use stretchdr_model::inventory::{Replication, ResumeBehaviour, SiteRole};
use stretchdr_model::{Inventory, SiteId};

const PATH: &str = "fixtures/demo/design.toml";

fn demo() -> Inventory {
    let text = std::fs::read_to_string(Path::new("..").join(PATH)).unwrap();
    load_design_str(Path::new(PATH), &text).unwrap_or_else(|e| panic!("{e}"))
}

fn set<'a>(names: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
    names.into_iter().map(str::to_owned).collect()
}

fn site(inv: &Inventory, role: SiteRole) -> SiteId {
    inv.sites.iter().find(|(_, s)| s.role == role).unwrap().0
}

#[test]
fn demo_is_large_enough() {
    let inv = demo();
    assert!(inv.clusters.len() >= 2);
    assert!(inv.hosts.len() >= 12);
    assert!(inv.vms.len() >= 150, "{} VMs", inv.vms.len());
    assert!(inv.hosts.values().all(|h| h.site.is_some()));
    assert!(inv.vms.values().all(|v| v.host.is_some()));
}

#[test]
fn defects_are_the_listed_ones() {
    let inv = demo();
    let primary = site(&inv, SiteRole::Primary);
    let secondary = site(&inv, SiteRole::Secondary);
    let ha_vms = || inv.vms.values().filter(|v| v.ha);

    // AA003
    let unleased = ha_vms()
        .filter(|v| v.lease.is_none())
        .map(|v| v.name.as_str());
    assert_eq!(
        set(unleased),
        set([
            "legacy-app-01",
            "legacy-app-02",
            "legacy-app-03",
            "legacy-app-04"
        ])
    );

    // AA005
    let hard: Vec<&str> = inv
        .affinity_groups
        .values()
        .filter(|g| g.hosts_rule.is_hard_positive())
        .map(|g| g.name.as_str())
        .collect();
    assert_eq!(hard, ["reporting-on-a-hosts"]);

    // AA006
    let mut preferring = BTreeSet::new();
    for g in inv
        .affinity_groups
        .values()
        .filter(|g| g.hosts_rule.is_soft_positive())
    {
        let sites: BTreeSet<_> = g.hosts.iter().map(|&h| inv.hosts[h].site).collect();
        assert_eq!(sites.len(), 1, "{} prefers one site", g.name);
        preferring.extend(g.vms.iter().map(|&v| inv.vms[v].name.clone()));
    }
    let loose = ha_vms()
        .filter(|v| !preferring.contains(&v.name))
        .map(|v| v.name.as_str());
    assert_eq!(
        set(loose),
        set(["analytics-01", "analytics-02", "analytics-03"])
    );

    // AA007
    let lowest_primary = inv
        .site_hosts(primary)
        .map(|(_, h)| h.spm_priority)
        .min()
        .unwrap();
    let too_high = inv
        .site_hosts(secondary)
        .filter(|(_, h)| h.spm_priority >= lowest_primary)
        .map(|(_, h)| h.name.as_str());
    assert_eq!(set(too_high), set(["b3"]));

    // AA012
    let async_lease = ha_vms()
        .filter(|v| {
            v.lease
                .is_some_and(|d| inv.storage_domains[d].replication != Some(Replication::Sync))
        })
        .map(|v| v.name.as_str());
    assert_eq!(set(async_lease), set(["archive-01"]));

    // AA014
    let resuming = ha_vms()
        .filter(|v| v.lease.is_some() && v.resume_behaviour != ResumeBehaviour::Kill)
        .map(|v| v.name.as_str());
    assert_eq!(set(resuming), set(["cache-01"]));

    // AA016
    let one_site = inv
        .networks
        .values()
        .filter(|n| n.sites.as_ref().is_some_and(|s| s.len() < 2))
        .map(|n| n.name.as_str());
    assert_eq!(set(one_site), set(["backup-a"]));
}

#[test]
fn each_site_can_run_all_ha_vms() {
    let inv = demo();
    for (_, cluster) in inv.clusters.iter() {
        let cluster_id = inv.clusters.find(&cluster.name).unwrap();
        let ha_memory: u64 = inv
            .vms
            .values()
            .filter(|v| v.ha && v.cluster == Some(cluster_id))
            .map(|v| v.memory_bytes)
            .sum();
        for role in [SiteRole::Primary, SiteRole::Secondary] {
            let survivor = site(&inv, role);
            let capacity: u64 = inv
                .site_hosts(survivor)
                .filter(|(_, h)| h.cluster == Some(cluster_id))
                .map(|(_, h)| h.memory_bytes / 100 * u64::from(cluster.memory_overcommit_percent))
                .sum();
            assert!(ha_memory <= capacity, "{} in {role:?}", cluster.name);
        }
    }
}

#[test]
fn hosted_engine_hosts_in_both_sites() {
    let inv = demo();
    let sites: BTreeSet<_> = inv
        .hosts
        .values()
        .filter(|h| h.hosted_engine)
        .map(|h| h.site)
        .collect();
    assert_eq!(sites.len(), 2);
}

#[test]
fn each_defect_is_marked_in_the_file() {
    let text = std::fs::read_to_string(Path::new("..").join(PATH)).unwrap();
    let marked: BTreeSet<&str> = text
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("# defect: "))
        .map(|rest| rest.split_whitespace().next().unwrap())
        .collect();
    assert_eq!(
        marked,
        [
            "AA003", "AA005", "AA006", "AA007", "AA012", "AA014", "AA016"
        ]
        .into()
    );
}
