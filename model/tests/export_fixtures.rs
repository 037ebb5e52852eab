//! Hand-written exports for what the recorded capture lacks: affinity groups (the rules
//! and the deprecated fields), affinity labels, HA VMs with leases, pinned placement,
//! hosted-engine hosts; dangling references; lenient JSON.

use std::path::{Path, PathBuf};

use stretchdr_model::Inventory;
use stretchdr_model::export::load_export;
use stretchdr_model::inventory::{
    AffinityRule, HostStatus, MigrationPolicy, OnError, Placement, ResumeBehaviour, SpmStatus,
    StorageType, VmStatus,
};

fn exports() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/exports")
}

fn load(name: &str) -> Inventory {
    load_export(&exports().join(name)).unwrap_or_else(|e| panic!("{name} loads: {e}"))
}

fn rule(enabled: bool, enforcing: bool, positive: bool) -> AffinityRule {
    AffinityRule {
        enabled,
        enforcing,
        positive,
    }
}

#[test]
fn stretch_small_hosts() {
    let inventory = load("stretch_small");
    assert_eq!(inventory.engine.version.as_deref(), Some("4.5.4-1.el8"));
    assert!(inventory.engine.origin.is_some());
    let hosts: Vec<String> = inventory
        .hosts
        .values()
        .map(|h| {
            format!(
                "{} {:?} spm={}/{:?} cpus={} pm={} he={} labels={:?}",
                h.name,
                h.status,
                h.spm_priority,
                h.spm_status,
                h.cpus,
                h.power_management,
                h.hosted_engine,
                h.labels
            )
        })
        .collect();
    insta::assert_debug_snapshot!("export_stretch_small_hosts", hosts);
    let b2 = &inventory.hosts[inventory.hosts.find("b2").unwrap()];
    assert_eq!((b2.status, b2.spm_priority), (HostStatus::Maintenance, -1));
    let a1 = &inventory.hosts[inventory.hosts.find("a1").unwrap()];
    assert_eq!(
        (a1.spm_status, a1.memory_bytes, a1.cpus),
        (SpmStatus::Spm, 512 << 30, 64)
    );
}

#[test]
fn stretch_small_cluster() {
    let inventory = load("stretch_small");
    let cluster = &inventory.clusters[inventory.clusters.find("stretch").unwrap()];
    assert_eq!(cluster.on_error, OnError::MigrateHighlyAvailable);
    assert!(cluster.fencing.enabled && cluster.fencing.skip_if_connectivity_broken);
    assert_eq!(cluster.fencing.threshold, 75);
    assert_eq!(cluster.migration_policy, MigrationPolicy::PostCopy);
    assert_eq!(cluster.memory_overcommit_percent, 150);
    assert!(
        inventory
            .clusters
            .iter()
            .all(|(id, _)| inventory.cluster_hosts(id).count() == 4)
    );
}

#[test]
fn stretch_small_vms() {
    let inventory = load("stretch_small");
    let host = |name| inventory.hosts.find(name).unwrap();
    let domain = |name| inventory.storage_domains.find(name).unwrap();
    let db01 = &inventory.vms[inventory.vms.find("db01").unwrap()];
    assert!(db01.ha && db01.delete_protected);
    assert_eq!(db01.ha_priority, 100);
    assert_eq!(db01.lease, Some(domain("data-a")));
    assert_eq!(db01.resume_behaviour, ResumeBehaviour::Kill);
    assert_eq!(db01.host, Some(host("a1")));
    assert_eq!(db01.disks, [domain("data-a"), domain("data-b")]);
    assert_eq!((db01.memory_bytes, db01.cpus), (32 << 30, 8));
    let web01 = &inventory.vms[inventory.vms.find("web01").unwrap()];
    assert_eq!(web01.placement, Placement::Pinned);
    assert_eq!(web01.placement_hosts, [host("b1")]);
    assert_eq!(web01.lease, None);
    assert_eq!(web01.disks, [domain("gluster-rep")]);
    let app01 = &inventory.vms[inventory.vms.find("app01").unwrap()];
    assert_eq!(app01.status, VmStatus::Unknown);
    assert_eq!(app01.placement, Placement::UserMigratable);
    assert_eq!(app01.placement_hosts, [host("a1"), host("a2")]);
    assert_eq!(app01.resume_behaviour, ResumeBehaviour::LeavePaused);
    let networks: Vec<(&str, Vec<&str>, Vec<&str>)> = inventory
        .vms
        .values()
        .map(|vm| {
            (
                vm.name.as_str(),
                vm.vnic_profiles
                    .iter()
                    .map(|&p| inventory.vnic_profiles[p].name.as_str())
                    .collect(),
                vm.networks
                    .iter()
                    .map(|&n| inventory.networks[n].name.as_str())
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        networks,
        [
            ("db01", vec!["vm-net"], vec!["vm-net"]),
            ("web01", vec!["vm-net"], vec!["vm-net"]),
            ("app01", vec!["vm-net-mirror"], vec!["vm-net"]),
            ("HostedEngine", vec!["ovirtmgmt"], vec!["ovirtmgmt"]),
        ]
    );
}

#[test]
fn stretch_small_storage() {
    let inventory = load("stretch_small");
    let storage: Vec<(&str, StorageType, bool)> = inventory
        .storage_domains
        .values()
        .map(|d| (d.name.as_str(), d.storage, d.master))
        .collect();
    assert_eq!(
        storage,
        [
            ("data-a", StorageType::Iscsi, true),
            ("data-b", StorageType::Fcp, false),
            ("hosted_storage", StorageType::Nfs, false),
            ("gluster-rep", StorageType::Glusterfs, false),
        ]
    );
    let dc = inventory.data_centers.find("stretch-dc").unwrap();
    assert!(
        inventory
            .storage_domains
            .values()
            .all(|d| d.data_center == Some(dc))
    );
    assert!(
        inventory
            .networks
            .values()
            .all(|n| n.data_center == Some(dc) && n.sites.is_none())
    );
}

#[test]
fn affinity_labels_inline_and_from_sub_collections() {
    let inventory = load("stretch_small");
    let labels: Vec<(&str, Vec<&str>, Vec<&str>)> = inventory
        .affinity_labels
        .values()
        .map(|l| {
            (
                l.name.as_str(),
                l.hosts
                    .iter()
                    .map(|&h| inventory.hosts[h].name.as_str())
                    .collect(),
                l.vms
                    .iter()
                    .map(|&v| inventory.vms[v].name.as_str())
                    .collect(),
            )
        })
        .collect();
    assert_eq!(
        labels,
        [
            ("site-a", vec!["a1", "a2"], vec![]),
            ("site-b", vec!["b1", "b2"], vec![]),
            ("db", vec![], vec!["db01"]),
        ]
    );
}

#[test]
fn affinity_groups_rules_and_deprecated_fields() {
    let inventory = load("stretch_small");
    let group = |name| &inventory.affinity_groups[inventory.affinity_groups.find(name).unwrap()];
    let cluster = inventory.clusters.find("stretch");

    // The rules as a 4.4 engine writes them, next to the deprecated fields.
    let db_on_a = group("db-on-a");
    assert_eq!(db_on_a.hosts_rule, rule(true, false, true));
    assert_eq!(db_on_a.vms_rule, rule(false, false, false));
    assert_eq!(db_on_a.priority, 5.0);
    assert_eq!(db_on_a.cluster, cluster);
    assert_eq!(db_on_a.vms, [inventory.vms.find("db01").unwrap()]);
    assert_eq!(db_on_a.hosts.len(), 2);

    // Only the deprecated fields: they define the VM-to-VM rule; no VM-to-host rule.
    let web_apart = group("web-apart");
    assert_eq!(web_apart.vms_rule, rule(true, true, false));
    assert_eq!(web_apart.hosts_rule, AffinityRule::default());
    assert_eq!(web_apart.priority, 1.0);
    assert_eq!(web_apart.vms.len(), 2);

    // Deprecated fields without `positive`: the VM-to-VM rule is disabled.
    assert_eq!(group("legacy-disabled").vms_rule, rule(false, false, false));

    // When the rule elements are there they win over the deprecated fields.
    let follows = group("db-follows-label");
    assert_eq!(follows.vms_rule, rule(true, true, true));
    assert_eq!(follows.hosts_rule, rule(true, true, true));
    assert_eq!(follows.priority, 2.5);
    let labels: Vec<&str> = follows
        .labels
        .iter()
        .map(|&l| inventory.affinity_labels[l].name.as_str())
        .collect();
    assert_eq!(labels, ["db", "site-a"]);
}

#[test]
fn origins_point_at_the_entity_line() {
    let inventory = load("stretch_small");
    for (_, group) in inventory.affinity_groups.iter() {
        let origin = group.origin.unwrap();
        let line = inventory
            .sources
            .line_text(origin.file, origin.line)
            .unwrap();
        assert!(line.trim_start().starts_with("<affinity_group "), "{line}");
        assert!(group.id.as_deref().is_some_and(|id| line.contains(id)));
    }
}

#[test]
fn the_api_directory_itself_is_accepted() {
    let from_root = load("stretch_small");
    let from_api = load("stretch_small/api");
    assert_eq!(from_api.vms.len(), from_root.vms.len());
    assert_eq!(from_api.affinity_groups.len(), 4);
    assert_eq!(
        from_api.engine.version, from_root.engine.version,
        "api.xml next to api/"
    );
}

#[test]
fn dangling_references_are_skipped() {
    let inventory = load("dangling_refs");
    assert!(
        inventory.storage_domains.is_empty(),
        "a DC-scoped listing adds no domains"
    );
    assert!(inventory.data_centers.is_empty());
    let cluster = &inventory.clusters[inventory.clusters.find("known").unwrap()];
    assert_eq!(cluster.data_center, None);
    let h1 = inventory.hosts.find("h1").unwrap();
    assert_eq!(inventory.hosts[h1].cluster, None);
    let v1 = &inventory.vms[inventory.vms.find("v1").unwrap()];
    assert_eq!(v1.cluster, inventory.clusters.find("known"));
    assert_eq!(v1.host, None);
    assert_eq!(v1.lease, None);
    assert!(v1.ha);
    assert_eq!(v1.placement_hosts, [h1]);
    assert!(v1.disks.is_empty() && v1.networks.is_empty() && v1.vnic_profiles.is_empty());
    let orphan = &inventory.affinity_groups[inventory.affinity_groups.find("orphan").unwrap()];
    assert_eq!(orphan.cluster, None);
    assert!(orphan.hosts.is_empty());
    assert_eq!(orphan.vms.len(), 1);
}

#[test]
fn lenient_json() {
    let inventory = load("lenient_json");
    assert_eq!(inventory.engine.version.as_deref(), Some("4.5"));
    assert!(inventory.vms.is_empty(), "`{{}}` is an empty collection");
    let dc = &inventory.data_centers[inventory.data_centers.find("dc").unwrap()];
    assert_eq!(
        dc.compatibility.map(|v| v.to_string()).as_deref(),
        Some("4.7")
    );
    let cluster = &inventory.clusters[inventory.clusters.find("stretch").unwrap()];
    assert_eq!(cluster.data_center, inventory.data_centers.find("dc"));
    assert_eq!(cluster.on_error, OnError::DoNotMigrate);
    assert!(!cluster.fencing.enabled && cluster.fencing.skip_if_connectivity_broken);
    assert_eq!(cluster.fencing.threshold, 25);
    assert_eq!(cluster.migration_policy, MigrationPolicy::VeryLargeVms);
    assert_eq!(cluster.memory_overcommit_percent, 200);
    let a1 = &inventory.hosts[inventory.hosts.find("a1").unwrap()];
    assert_eq!(a1.status, HostStatus::NonOperational);
    assert_eq!(
        (a1.memory_bytes, a1.cpus, a1.spm_priority),
        (256 << 30, 32, -1)
    );
    assert_eq!(a1.spm_status, SpmStatus::Contending);
    assert!(a1.power_management && a1.hosted_engine);
    let b1 = &inventory.hosts[inventory.hosts.find("b1").unwrap()];
    assert_eq!(
        (b1.memory_bytes, b1.cpus, b1.spm_priority),
        (256 << 30, 4, 5)
    );
    assert!(b1.power_management && !b1.hosted_engine);
    let group = &inventory.affinity_groups[inventory.affinity_groups.find("apart").unwrap()];
    assert_eq!(group.vms_rule, rule(true, true, false));
    assert_eq!(group.priority, 0.5);
    assert_eq!(group.hosts.len(), 2);
    // Both networks.xml and networks.json exist: the XML file is read.
    let names: Vec<&str> = inventory
        .networks
        .values()
        .map(|n| n.name.as_str())
        .collect();
    assert_eq!(names, ["from-xml"]);
    // A JSON entity's origin is the line of its object.
    let origin = a1.origin.unwrap();
    assert_eq!(origin.line, 3);
}
