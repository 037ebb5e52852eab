//! Every field of the design format lands in the model, and left-out fields take oVirt's
//! defaults.

use std::path::Path;

use stretchdr_model::design::{defaults, load_design, load_design_str};
use stretchdr_model::inventory::{
    AffinityRule, Deployment, DomainType, HostStatus, MigrationPolicy, OnError, Placement,
    Replication, ResumeBehaviour, SiteRole, StorageType, Version, VmStatus,
};
use stretchdr_model::{Arena, EntityId, Inventory, Named};

/// Loads a fixture by its path from the workspace root, keeping that relative path as its name.
fn fixture(rel: &str) -> Inventory {
    let text = std::fs::read_to_string(Path::new("..").join(rel)).expect("fixture exists");
    load_design_str(Path::new(rel), &text).unwrap_or_else(|e| panic!("{e}"))
}

fn id<I: EntityId, T: Named>(arena: &Arena<I, T>, name: &str) -> I {
    arena.find(name).unwrap_or_else(|| panic!("no {name}"))
}

fn names<I: EntityId, T: Named>(arena: &Arena<I, T>, ids: &[I]) -> Vec<String> {
    ids.iter().map(|&i| arena[i].name().to_owned()).collect()
}

#[test]
fn all_fields_round_trip() {
    let inv = fixture("fixtures/design/all_fields.toml");
    let site = |n| id(&inv.sites, n);

    assert_eq!(inv.sources.files().len(), 1);
    assert_eq!(
        inv.sources.files()[0].path.to_str(),
        Some("fixtures/design/all_fields.toml")
    );

    let engine = &inv.engine;
    assert_eq!(engine.deployment, Some(Deployment::Standalone));
    assert_eq!(engine.site, Some(site("site-c")));
    assert!(engine.external_ha);
    assert_eq!(engine.version.as_deref(), Some("4.5"));
    assert_eq!(engine.origin.unwrap().line, 4);

    let a = &inv.sites[site("site-a")];
    assert_eq!(
        (a.role, a.host_globs.clone()),
        (SiteRole::Primary, vec!["a*".to_owned()])
    );
    let b = &inv.sites[site("site-b")];
    assert_eq!(
        (b.role, b.label.as_deref()),
        (SiteRole::Secondary, Some("room-b"))
    );
    assert_eq!(inv.sites[site("site-c")].role, SiteRole::Witness);
    assert_eq!(a.origin.unwrap().line, 10);

    let ab = inv.link(site("site-a"), site("site-b")).unwrap();
    assert_eq!(
        (ab.rtt_ms, ab.l2, ab.bandwidth_bps),
        (2.5, true, Some(10_000_000_000))
    );
    let ac = inv.link(site("site-c"), site("site-a")).unwrap();
    assert_eq!((ac.rtt_ms, ac.l2, ac.bandwidth_bps), (12.0, false, None));

    let dc = &inv.data_centers[id(&inv.data_centers, "dc1")];
    assert_eq!(dc.compatibility, Version::parse("4.7"));
    assert!(dc.local);

    let c = &inv.clusters[id(&inv.clusters, "stretch")];
    assert_eq!(c.data_center, Some(id(&inv.data_centers, "dc1")));
    assert_eq!(c.compatibility, Version::parse("4.6"));
    assert_eq!(c.on_error, OnError::MigrateHighlyAvailable);
    assert!(!c.fencing.enabled && c.fencing.skip_if_connectivity_broken);
    assert_eq!(c.fencing.threshold, 75);
    assert_eq!(c.migration_policy, MigrationPolicy::PostCopy);
    assert_eq!(c.memory_overcommit_percent, 150);
    let bare = &inv.clusters[id(&inv.clusters, "bare")];
    assert_eq!(bare.on_error, defaults::ON_ERROR);
    assert_eq!(bare.fencing, defaults::fencing());
    assert_eq!(bare.migration_policy, defaults::MIGRATION_POLICY);
    assert_eq!(bare.memory_overcommit_percent, 100);
    assert_eq!((bare.data_center, bare.compatibility), (None, None));

    let a1 = &inv.hosts[id(&inv.hosts, "a1")];
    assert_eq!(a1.site, Some(site("site-a")), "assigned by the glob a*");
    assert_eq!(a1.cluster, Some(id(&inv.clusters, "stretch")));
    assert_eq!(
        (a1.memory_bytes, a1.cpus, a1.spm_priority),
        (512 << 30, 64, 7)
    );
    assert!(a1.hosted_engine && a1.power_management);
    assert_eq!(a1.status, HostStatus::Maintenance);
    for b in ["b1", "b2"] {
        let h = &inv.hosts[id(&inv.hosts, b)];
        assert_eq!(h.site, Some(site("site-b")));
        assert_eq!((h.spm_priority, h.status), (-1, HostStatus::Up));
        assert!(!h.hosted_engine && !h.power_management);
        assert_eq!(h.labels, ["room-b"]);
    }

    let net = &inv.networks[id(&inv.networks, "vm-net")];
    assert_eq!(net.sites, Some(vec![site("site-a"), site("site-b")]));
    assert_eq!(net.data_center, Some(id(&inv.data_centers, "dc1")));
    let profile = &inv.vnic_profiles[id(&inv.vnic_profiles, "vm-net-profile")];
    assert_eq!(profile.network, Some(id(&inv.networks, "vm-net")));

    let d1 = &inv.storage_domains[id(&inv.storage_domains, "data1")];
    assert_eq!(
        (d1.storage, d1.domain_type),
        (StorageType::Iscsi, DomainType::Data)
    );
    assert!(d1.master);
    assert_eq!(d1.replication, Some(Replication::Sync));
    assert_eq!(d1.writable_at, [site("site-a"), site("site-b")]);
    assert_eq!(d1.witness, Some(site("site-c")));
    let he = &inv.storage_domains[id(&inv.storage_domains, "he")];
    assert_eq!(
        (he.storage, he.domain_type),
        (StorageType::Nfs, DomainType::HostedEngine)
    );
    assert_eq!(
        (he.replication, he.witness, he.master),
        (Some(Replication::Async), None, false)
    );

    let db = &inv.vms[id(&inv.vms, "db01")];
    assert_eq!(
        (db.memory_bytes, db.cpus, db.status),
        (32 << 30, 8, VmStatus::Paused)
    );
    assert!(db.ha && db.delete_protected);
    assert_eq!(db.ha_priority, 100);
    assert_eq!(db.lease, Some(id(&inv.storage_domains, "data1")));
    assert_eq!(db.resume_behaviour, ResumeBehaviour::LeavePaused);
    assert_eq!(db.placement, Placement::Pinned);
    assert_eq!(names(&inv.hosts, &db.placement_hosts), ["a1", "b1", "b2"]);
    assert_eq!(names(&inv.storage_domains, &db.disks), ["data1", "he"]);
    assert_eq!(names(&inv.networks, &db.networks), ["vm-net"]);
    assert_eq!(
        names(&inv.vnic_profiles, &db.vnic_profiles),
        ["vm-net-profile"]
    );
    assert_eq!(db.host, Some(id(&inv.hosts, "a1")));
    let web = &inv.vms[id(&inv.vms, "web-09")];
    assert_eq!(web.memory_bytes, defaults::VM_MEMORY_BYTES);
    // A design lists what runs: up by default, placed by the scheduler without `runs_on`.
    assert_eq!((web.cpus, web.status, web.ha), (1, VmStatus::Up, false));
    assert_eq!(web.ha_priority, defaults::HA_PRIORITY);
    assert_eq!(web.resume_behaviour, ResumeBehaviour::AutoResume);
    assert_eq!(web.placement, Placement::Migratable);
    assert_eq!(inv.vms.len(), 4);

    let label = &inv.affinity_labels[id(&inv.affinity_labels, "room-b")];
    assert_eq!(names(&inv.hosts, &label.hosts), ["b1", "b2"]);
    assert_eq!(names(&inv.vms, &label.vms), ["web-08", "web-09"]);

    let g = &inv.affinity_groups[id(&inv.affinity_groups, "db-on-a")];
    assert_eq!(names(&inv.vms, &g.vms), ["db01", "web-09", "web-10"]);
    assert_eq!(names(&inv.hosts, &g.hosts), ["a1"]);
    assert_eq!(g.labels, [id(&inv.affinity_labels, "room-b")]);
    let rule = |enabled, positive, enforcing| AffinityRule {
        enabled,
        positive,
        enforcing,
    };
    assert_eq!(g.hosts_rule, rule(true, false, true));
    assert_eq!(
        g.vms_rule,
        rule(true, true, false),
        "enabled defaults to true"
    );
    assert_eq!(g.priority, 3.5);
    let d = &inv.affinity_groups[id(&inv.affinity_groups, "defaults")];
    assert_eq!(
        (d.hosts_rule, d.vms_rule),
        (AffinityRule::default(), AffinityRule::default())
    );
    assert_eq!(d.priority, defaults::AFFINITY_PRIORITY);
}

#[test]
fn vm_defaults_follow_the_lease() {
    let text = r#"
[[cluster]]
name = "c"
[[host]]
name = "h1"
cluster = "c"
memory = "64GiB"
cpus = 16
[[storage_domain]]
name = "d"
storage = "fcp"
[[vm]]
name = "leased"
cluster = "c"
ha = true
lease = "d"
runs_on = "h1"
[[vm]]
name = "ha-only"
cluster = "c"
ha = true
"#;
    let inv = load_design_str(Path::new("design.toml"), text).unwrap();
    let leased = &inv.vms[id(&inv.vms, "leased")];
    assert_eq!(leased.resume_behaviour, ResumeBehaviour::Kill);
    assert_eq!(leased.status, VmStatus::Up);
    let ha_only = &inv.vms[id(&inv.vms, "ha-only")];
    assert_eq!(ha_only.resume_behaviour, ResumeBehaviour::AutoResume);
    assert_eq!(
        ha_only.status,
        VmStatus::Up,
        "a design VM runs unless it says down"
    );
    assert_eq!(
        inv.hosts[id(&inv.hosts, "h1")].spm_priority,
        defaults::SPM_PRIORITY
    );
    assert_eq!(inv.vms[id(&inv.vms, "leased")].origin.unwrap().line, 12);
}

#[test]
fn missing_file_names_it() {
    let err = load_design(Path::new("no/such/design.toml")).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("no/such/design.toml: cannot read design file"),
        "{err}"
    );
}

#[test]
fn the_loader_records_where_each_key_is_written() {
    let inv = fixture("fixtures/design/all_fields.toml");
    let written = |origin: Option<stretchdr_model::Origin>, key: &str| {
        let table = origin.expect("a designed entity has an origin");
        inv.sources.key_origin(table, key).map(|at| {
            let text = &inv.sources.file(at.file).text;
            let start = at.offset as usize;
            assert_eq!(
                inv.sources
                    .line_text(at.file, at.line)
                    .map(|l| l.contains(&text[start..start + at.len as usize])),
                Some(true),
                "{key}: the line holds the key"
            );
            text[start..start + at.len as usize].to_string()
        })
    };
    let db01 = &inv.vms[id(&inv.vms, "db01")];
    assert_eq!(
        written(db01.origin, "lease").as_deref(),
        Some("lease = \"data1\"")
    );
    assert_eq!(written(db01.origin, "ha").as_deref(), Some("ha = true"));
    assert_eq!(
        written(db01.origin, "placement_hosts").as_deref(),
        Some("placement_hosts = [\"a1\", \"b{1..2}\"]")
    );
    // A table standing for several VMs: each finds the table's keys; one it does not write
    // is not found (the finding then points at the table).
    let web09 = &inv.vms[id(&inv.vms, "web-09")];
    assert_eq!(
        written(web09.origin, "cluster").as_deref(),
        Some("cluster = \"stretch\"")
    );
    assert_eq!(written(web09.origin, "lease"), None);
    let group = &inv.affinity_groups[id(&inv.affinity_groups, "db-on-a")];
    assert_eq!(
        written(group.origin, "hosts_rule.enforcing").as_deref(),
        Some("enforcing = true")
    );
    // vms_rule does not write `enabled`: the enclosing key is where the rule is.
    assert_eq!(
        written(group.origin, "vms_rule.enabled").as_deref(),
        Some("vms_rule = { positive = true, enforcing = false }")
    );
    let cluster = &inv.clusters[id(&inv.clusters, "stretch")];
    assert_eq!(
        written(cluster.origin, "fencing.skip_if_connectivity_broken").as_deref(),
        Some("skip_if_connectivity_broken = true")
    );
    let bare = &inv.clusters[id(&inv.clusters, "bare")];
    assert_eq!(written(bare.origin, "fencing.enabled"), None);
}
