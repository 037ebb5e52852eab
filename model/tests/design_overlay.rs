//! A design applied on top of an export: sites by glob and label, fields the file gives
//! replace the exported ones, everything else stays, new names add entities.

use std::path::Path;

use stretchdr_model::design::{load_design_str, overlay_design_str};
use stretchdr_model::inventory::{
    AffinityLabel, Cluster, DataCenter, Deployment, DomainType, Host, HostStatus, Network,
    Replication, ResumeBehaviour, SpmStatus, StorageDomain, StorageType, Vm, VmStatus,
};
use stretchdr_model::{Arena, EntityId, FileId, Inventory, Named};

fn id<I: EntityId, T: Named>(arena: &Arena<I, T>, name: &str) -> I {
    arena.find(name).unwrap_or_else(|| panic!("no {name}"))
}

fn host(name: &str, inv: &Inventory, labels: &[&str]) -> Host {
    Host {
        id: Some(format!("id-{name}")),
        name: name.to_owned(),
        site: None,
        cluster: inv.clusters.find("Default"),
        status: HostStatus::Up,
        spm_priority: 5,
        spm_status: SpmStatus::None,
        memory_bytes: 128 << 30,
        cpus: 24,
        power_management: true,
        hosted_engine: false,
        migration_nic_speed_bps: None,
        labels: labels.iter().map(|l| l.to_string()).collect(),
        origin: None,
    }
}

fn vm(name: &str, inv: &Inventory) -> Vm {
    Vm {
        id: Some(format!("id-{name}")),
        name: name.to_owned(),
        cluster: inv.clusters.find("Default"),
        memory_bytes: 8 << 30,
        cpus: 4,
        status: VmStatus::Up,
        host: inv.hosts.find("h-a1"),
        ha: true,
        ha_priority: 50,
        lease: None,
        resume_behaviour: ResumeBehaviour::LeavePaused,
        placement: stretchdr_model::inventory::Placement::Migratable,
        placement_hosts: Vec::new(),
        disks: Vec::new(),
        networks: Vec::new(),
        vnic_profiles: Vec::new(),
        delete_protected: false,
        hosted_engine: false,
        origin: None,
    }
}

/// What an export of a two-room cluster holds: no sites, no replication, labels on hosts.
fn exported() -> Inventory {
    let mut inv = Inventory::default();
    inv.sources.add("exports/prod/api/hosts.xml", "<hosts/>");
    let dc = inv.data_centers.push(DataCenter {
        id: Some("dc".into()),
        name: "Default".into(),
        compatibility: None,
        status: Some("up".into()),
        local: false,
        origin: None,
    });
    inv.clusters.push(Cluster {
        id: Some("cl".into()),
        name: "Default".into(),
        data_center: Some(dc),
        compatibility: None,
        on_error: stretchdr_model::inventory::OnError::Migrate,
        fencing: Default::default(),
        migration_policy: stretchdr_model::inventory::MigrationPolicy::MinimalDowntime,
        migration_bandwidth: Default::default(),
        memory_overcommit_percent: 100,
        origin: None,
    });
    for name in ["h-a1", "h-a2"] {
        let h = host(name, &inv, &[]);
        inv.hosts.push(h);
    }
    for name in ["h-b1", "h-b2"] {
        let h = host(name, &inv, &["room-b"]);
        inv.hosts.push(h);
    }
    let b_hosts = vec![id(&inv.hosts, "h-b1"), id(&inv.hosts, "h-b2")];
    inv.affinity_labels.push(AffinityLabel {
        id: Some("lb".into()),
        name: "room-b".into(),
        vms: Vec::new(),
        hosts: b_hosts,
        origin: None,
    });
    for name in ["ovirtmgmt", "vm-net"] {
        inv.networks.push(Network {
            id: Some(name.into()),
            name: name.into(),
            data_center: Some(dc),
            sites: None,
            origin: None,
        });
    }
    inv.storage_domains.push(StorageDomain {
        id: Some("sd".into()),
        name: "data1".into(),
        domain_type: DomainType::Data,
        storage: StorageType::Iscsi,
        master: true,
        data_center: Some(dc),
        replication: None,
        writable_at: Vec::new(),
        witness: None,
        gluster: None,
        origin: None,
    });
    for name in ["vm1", "vm2"] {
        let v = vm(name, &inv);
        inv.vms.push(v);
    }
    inv
}

const OVERLAY: &str = r#"[source]
export = "exports/prod"

[engine]
deployment = "self-hosted"
site = "site-a"

[[site]]
name = "site-a"
role = "primary"
hosts = ["h-a*"]

[[site]]
name = "site-b"
role = "secondary"
label = "room-b"

[[site]]
name = "site-c"
role = "witness"

[[link]]
sites = ["site-a", "site-b"]
rtt_ms = 3
l2 = true

[[storage_domain]]
name = "data1"
replication = "sync"
writable_at = ["site-a", "site-b"]
witness = "site-c"

[[network]]
name = "vm-net"
sites = ["site-a", "site-b"]

[[host]]
name = "h-a1"
hosted_engine = true

[[vm]]
name = "vm1"
lease = "data1"

[[vm]]
name = "new-vm"
cluster = "Default"
runs_on = "h-b2"
"#;

#[test]
fn overlay_updates_only_what_it_gives() {
    let inv = overlay_design_str(exported(), Path::new("design.toml"), OVERLAY).unwrap();
    let site = |n| id(&inv.sites, n);

    assert_eq!(inv.sources.files().len(), 2);
    assert_eq!(inv.sources.path(FileId(1)), Path::new("design.toml"));
    assert_eq!(inv.engine.deployment, Some(Deployment::SelfHosted));

    for (h, s) in [
        ("h-a1", "site-a"),
        ("h-a2", "site-a"),
        ("h-b1", "site-b"),
        ("h-b2", "site-b"),
    ] {
        assert_eq!(inv.hosts[id(&inv.hosts, h)].site, Some(site(s)), "{h}");
    }
    let a1 = &inv.hosts[id(&inv.hosts, "h-a1")];
    assert!(a1.hosted_engine);
    assert_eq!(
        (a1.memory_bytes, a1.cpus, a1.id.as_deref()),
        (128 << 30, 24, Some("id-h-a1"))
    );
    assert_eq!(a1.origin.unwrap().file, FileId(1));
    assert_eq!(a1.origin.unwrap().line, 37);
    assert!(!inv.hosts[id(&inv.hosts, "h-a2")].hosted_engine);

    let d = &inv.storage_domains[id(&inv.storage_domains, "data1")];
    assert_eq!(
        (d.storage, d.master),
        (StorageType::Iscsi, true),
        "kept from the export"
    );
    assert_eq!(d.replication, Some(Replication::Sync));
    assert_eq!(d.writable_at, [site("site-a"), site("site-b")]);
    assert_eq!(d.witness, Some(site("site-c")));
    assert_eq!(inv.storage_domains.len(), 1);

    let net = &inv.networks[id(&inv.networks, "vm-net")];
    assert_eq!(net.sites, Some(vec![site("site-a"), site("site-b")]));
    assert_eq!(inv.networks[id(&inv.networks, "ovirtmgmt")].sites, None);

    let vm1 = &inv.vms[id(&inv.vms, "vm1")];
    assert_eq!(vm1.lease, Some(id(&inv.storage_domains, "data1")));
    assert_eq!(
        vm1.resume_behaviour,
        ResumeBehaviour::LeavePaused,
        "kept from the export"
    );
    assert_eq!((vm1.memory_bytes, vm1.ha_priority), (8 << 30, 50));
    let new_vm = &inv.vms[id(&inv.vms, "new-vm")];
    assert_eq!(new_vm.host, Some(id(&inv.hosts, "h-b2")));
    assert_eq!(new_vm.status, VmStatus::Up);
    assert_eq!(inv.vms.len(), 3);
}

#[test]
fn overlay_errors_point_into_the_design() {
    let text = OVERLAY.replace("hosts = [\"h-a*\"]", "hosts = [\"a*\"]");
    let err = overlay_design_str(exported(), Path::new("design.toml"), &text).unwrap_err();
    assert_eq!(
        err.to_string(),
        "design.toml:11:10: hosts: the glob \"a*\" of site \"site-a\" matches no host"
    );
    let text = OVERLAY.replace("label = \"room-b\"", "label = \"room-x\"");
    let err = overlay_design_str(exported(), Path::new("design.toml"), &text).unwrap_err();
    assert_eq!(err.line, Some(16));
    let text =
        format!("{OVERLAY}\n[[vm]]\nname = \"vm2\"\nmemory = \"2GiB\"\n\n[[vm]]\nname = \"vm2\"\n");
    let err = overlay_design_str(exported(), Path::new("design.toml"), &text).unwrap_err();
    assert!(
        err.message
            .contains("duplicate vm \"vm2\": already defined at line 51"),
        "{err}"
    );
}

#[test]
fn source_export_is_relative_to_the_design() {
    let err = load_design_str(Path::new("designs/prod.toml"), OVERLAY).unwrap_err();
    assert!(
        err.path.starts_with("designs/exports/prod"),
        "the export is looked up next to the design: {err}"
    );
}

#[test]
fn source_needs_export_or_engine() {
    let err = load_design_str(Path::new("d.toml"), "[source]\n").unwrap_err();
    assert_eq!(err.line, Some(1));
    assert!(err.message.contains("needs `export`"), "{err}");
}
