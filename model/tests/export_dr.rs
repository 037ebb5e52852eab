//! What exports hold for active-passive DR: storage connections and settings, statuses,
//! roles, AAA domains, templates, direct LUN disks, snapshots; and the references an export
//! lacks, counted per collection.

use std::path::{Path, PathBuf};

use stretchdr_model::Inventory;
use stretchdr_model::export::load_export;
use stretchdr_model::inventory::{
    HostStatus, SnapshotStatus, StorageDomainStatus, StorageType, VmStatus,
};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/exports")
        .join(name)
}

fn load(name: &str) -> Inventory {
    load_export(&fixture(name)).unwrap_or_else(|e| panic!("{name} loads: {e}"))
}

fn domain(inventory: &Inventory, name: &str) -> stretchdr_model::StorageDomainId {
    inventory
        .storage_domains
        .iter()
        .find(|(_, d)| d.name == name)
        .map(|(id, _)| id)
        .unwrap_or_else(|| panic!("no domain {name}"))
}

/// The API spelling of a value, as the inventory serializes it.
fn spelled<T: serde::Serialize>(value: T) -> String {
    serde_json::to_value(value)
        .unwrap()
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn every_status_of_the_api_model_is_its_own_value() {
    for (text, status) in HostStatus::API {
        assert_eq!(HostStatus::from_api(text), status);
        assert_eq!(spelled(status), text);
    }
    for (text, status) in VmStatus::API {
        assert_eq!(VmStatus::from_api(text), status);
        assert_eq!(spelled(status), text);
    }
    for (text, status) in StorageDomainStatus::API {
        assert_eq!(StorageDomainStatus::from_api(text), status);
        assert_eq!(spelled(status), text);
    }
    // Each a different value, and a value the model does not have is Other.
    let hosts: std::collections::BTreeSet<String> =
        HostStatus::API.iter().map(|(_, s)| spelled(*s)).collect();
    assert_eq!(hosts.len(), HostStatus::API.len());
    assert_eq!(HostStatus::from_api("reboot"), HostStatus::Reboot);
    assert_eq!(VmStatus::from_api("migrating"), VmStatus::Migrating);
    assert_eq!(HostStatus::from_api("rebooting"), HostStatus::Other);
}

#[test]
fn storage_domains_keep_their_connection_status_and_settings() {
    let primary = load("dr_primary");
    let nfs = domain(&primary, "data-nfs");
    let connection = primary.storage_connection(nfs).expect("nfs connection");
    assert_eq!(connection.address.as_deref(), Some("nfs-a.dc1.lab"));
    assert_eq!(connection.path.as_deref(), Some("/export/data-nfs"));
    assert_eq!(connection.nfs_version.as_deref(), Some("v4_2"));
    let details = &primary.storage_details[&nfs];
    assert_eq!(details.status, Some(StorageDomainStatus::Active));

    let iscsi = domain(&primary, "data-iscsi");
    let connection = primary.storage_connection(iscsi).expect("iscsi connection");
    assert_eq!(connection.logical_units.len(), 2);
    assert_eq!(connection.address.as_deref(), Some("10.10.1.21"));
    assert_eq!(connection.port, Some(3260));
    assert_eq!(connection.targets().len(), 2);
    assert_eq!(
        primary.storage_details[&iscsi].discard_after_delete,
        Some(true)
    );

    let gluster = domain(&primary, "data-gluster");
    let connection = primary.storage_connection(gluster).unwrap();
    assert_eq!(connection.gluster_volume.as_deref(), Some("vmstore"));
    assert!(
        connection
            .mount_options
            .as_deref()
            .unwrap()
            .contains("backup-volfile-servers")
    );

    let fcp = domain(&primary, "data-fcp");
    let details = &primary.storage_details[&fcp];
    assert_eq!(details.critical_space_action_blocker, Some(10));
    assert_eq!(details.warning_low_space, Some(15));
    assert_eq!(details.wipe_after_delete, Some(true));

    let secondary = load("dr_secondary");
    let replica = domain(&secondary, "data-nfs");
    assert_eq!(
        secondary.storage_details[&replica].status,
        Some(StorageDomainStatus::Unattached)
    );
    assert!(secondary.storage_domains[replica].data_center.is_none());
}

#[test]
fn roles_aaa_domains_templates_luns_and_snapshots_are_read() {
    let primary = load("dr_primary");
    let roles = primary.roles.as_ref().expect("roles listed");
    assert_eq!(roles.len(), 3);
    assert!(roles.iter().any(|r| r.name == "AppOperator" && r.mutable));
    assert!(roles.iter().any(|r| r.name == "UserRole" && !r.mutable));
    let domains = primary.aaa_domains.as_ref().expect("domains listed");
    assert_eq!(domains.len(), 2);

    let templates = primary.templates.as_ref().expect("templates listed");
    let base = templates.iter().find(|t| t.name == "rhel9-base").unwrap();
    assert_eq!(base.disks, vec![domain(&primary, "data-nfs")]);
    assert!(base.cluster.is_some());

    let luns = primary.direct_luns.as_ref().expect("disks listed");
    assert_eq!(luns.len(), 1);
    assert_eq!(luns[0].storage, StorageType::Iscsi);
    assert_eq!(luns[0].logical_unit.id, "3600a098038304437415d4b6a59684b01");
    let db01 = primary
        .vms
        .iter()
        .find(|(_, v)| v.name == "db01")
        .map(|(id, _)| id)
        .unwrap();
    assert_eq!(luns[0].vms, vec![db01]);
    // A direct LUN disk adds no storage domain to its VM.
    assert_eq!(
        primary.vms[db01].disks,
        vec![domain(&primary, "data-iscsi")]
    );

    let snapshots = primary.snapshots.as_ref().expect("snapshots listed");
    let previews: Vec<&str> = snapshots
        .iter()
        .filter(|s| s.status == SnapshotStatus::InPreview)
        .map(|s| primary.vms[s.vm].name.as_str())
        .collect();
    assert_eq!(previews, ["test01"]);

    // An export without those collections says nothing, rather than "none".
    let small = load("stretch_small");
    assert!(small.roles.is_none() && small.aaa_domains.is_none());
    assert!(small.templates.is_none() && small.snapshots.is_none());
    assert!(primary.missing_references.is_empty());
}

#[test]
fn references_the_export_lacks_are_counted_per_collection() {
    let inventory = load("dangling_refs");
    let clusters = inventory
        .missing_references
        .iter()
        .find(|m| m.collection == "clusters")
        .expect("a cluster reference is missing");
    assert!(clusters.references >= 1);
    let warning = inventory.missing_references_warning().unwrap();
    assert!(warning.contains("clusters ("), "{warning}");

    // A VMs-only export: every cluster reference is missing, and so is the file.
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("vms-only/api");
    std::fs::create_dir_all(&dir).unwrap();
    let vms = std::fs::read_to_string(fixture("dr_primary/api/vms.xml")).unwrap();
    std::fs::write(dir.join("vms.xml"), vms).unwrap();
    let inventory = load_export(&dir).unwrap();
    assert_eq!(inventory.vms.len(), 5);
    let clusters = inventory
        .missing_references
        .iter()
        .find(|m| m.collection == "clusters")
        .unwrap();
    assert_eq!(clusters.references, 5);
    assert!(clusters.file_missing);
    let warning = inventory.missing_references_warning().unwrap();
    assert!(
        warning.starts_with("10 references to entities the export does not hold were skipped"),
        "{warning}"
    );
    assert!(warning.contains("clusters (5, no such file)"), "{warning}");
    assert!(warning.contains("hosts (5, no such file)"), "{warning}");
}
