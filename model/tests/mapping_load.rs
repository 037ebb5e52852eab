//! Loading ovirt-dr mapping files: the role's own examples, YAML features (merge keys,
//! `!vault`), keys the role never reads, and errors with file:line.

use std::path::{Path, PathBuf};

use stretchdr_model::mapping::keys::{self, Place};
use stretchdr_model::mapping::{Mapping, Side, StorageType, load_mapping, load_mapping_str};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/ap")
        .join(name)
}

fn load(text: &str) -> Mapping {
    load_mapping_str(Path::new("dr.yml"), text).expect("loads")
}

fn error(text: &str) -> String {
    load_mapping_str(Path::new("dr.yml"), text)
        .expect_err("fails")
        .to_string()
}

#[test]
fn the_role_examples_load_with_every_entry_and_line() {
    for name in [
        "role-examples/collection_disaster_recovery_vars.yml",
        "role-examples/legacy-role_disaster_recovery_vars.yml",
    ] {
        let mapping = load_mapping(&fixture(name)).expect(name);
        let url = mapping.primary.url.as_ref().expect("primary url");
        assert_eq!(url.value, "https://engine1.example.com/ovirt-engine/api");
        assert_eq!(url.origin.line, 5, "{name}");
        assert_eq!(
            mapping.secondary.ca_file.as_ref().unwrap().value,
            "/etc/pki/ovirt-engine/ca.pem"
        );
        assert_eq!(mapping.storages.len(), 3);
        let master = &mapping.storages[0];
        assert_eq!(master.storage_type(), Some(StorageType::Nfs));
        assert!(master.primary.is_master() && master.secondary.is_master());
        assert_eq!(master.origin.line, 14);
        assert_eq!(
            master.secondary.name.as_ref().unwrap().value,
            "secondary_master_storage"
        );
        let second = &mapping.storages[1];
        assert!(!second.secondary.is_master());
        assert_eq!(
            second.critical_space_action_blocker.as_ref().unwrap().value,
            5
        );
        assert!(!second.backup.as_ref().unwrap().value);
        let iscsi = &mapping.storages[2];
        assert_eq!(iscsi.storage_type(), Some(StorageType::Iscsi));
        assert_eq!(iscsi.primary.port.as_ref().unwrap().value, 3260);
        assert_eq!(iscsi.secondary.target.len(), 1);
        assert_eq!(
            iscsi.domain_id.as_ref().unwrap().value,
            "aa92cc71-1b88-4998-a755-970ef8a638ea"
        );
        assert!(!iscsi.has("dr_discard_after_delete"));
        assert_eq!(mapping.clusters.len(), 1);
        assert_eq!(mapping.clusters[0].origin.line, 63);
        assert_eq!(
            mapping.clusters[0].name(Side::Secondary).unwrap().value,
            "cluster_recovery"
        );
        assert_eq!(mapping.affinity_groups.len(), 1);
        assert_eq!(mapping.affinity_labels.len(), 1);
        assert_eq!(
            mapping.aaa_domains[0].primary.as_ref().unwrap().value,
            "new-authz"
        );
        assert_eq!(
            mapping.roles[0].secondary.as_ref().unwrap().value,
            "NeverMnd"
        );
        let network = &mapping.networks[0];
        assert_eq!(
            network.primary.profile_name.as_ref().unwrap().value,
            "ovirtmgmt"
        );
        assert!(network.secondary.network_dc.is_none());
        let lun = &mapping.luns[0];
        assert_eq!(
            lun.secondary.logical_unit_id.as_ref().unwrap().value,
            "36001405961a7f95e6aa461b8dba53052"
        );
        assert_eq!(lun.primary.port.as_ref().unwrap().value, 3260);
        assert_eq!(lun.primary.username.as_ref().unwrap().value, "");
        assert!(
            mapping.unknown_keys.is_empty(),
            "{name}: {:?}",
            mapping.unknown_keys
        );
    }
}

#[test]
fn merge_keys_and_vault_values() {
    let mapping = load(
        "nfs_defaults: &nfs\n  dr_domain_type: nfs\n  dr_backup: false\n\
         dr_sites_primary_username: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  6162\n\
         dr_import_storages:\n  - <<: *nfs\n    dr_primary_name: data1\n",
    );
    let username = mapping.primary.username.as_ref().unwrap();
    assert!(username.vault);
    assert_eq!(username.origin.line, 4);
    let entry = &mapping.storages[0];
    assert_eq!(entry.storage_type(), Some(StorageType::Nfs));
    assert!(!entry.backup.as_ref().unwrap().value);
    assert_eq!(entry.origin.line, 8);
    // The anchor's holder is a key the role never reads.
    assert_eq!(mapping.unknown_keys.len(), 1);
    assert_eq!(mapping.unknown_keys[0].key, "nfs_defaults");
}

#[test]
fn keys_the_role_never_reads_are_kept_with_their_place_and_line() {
    let mapping = load(
        "dr_import_storages:\n  - dr_domain_type: nfs\n    dr_master_domain: true\n\
         dr_cluster_mappings:\n  - primary_name: a\n    Secondary_name: b\n",
    );
    let unknown: Vec<(&str, Place, u32)> = mapping
        .unknown_keys
        .iter()
        .map(|k| (k.key.as_str(), k.place, k.origin.line))
        .collect();
    assert_eq!(
        unknown,
        [
            ("dr_master_domain", Place::Storage, 3),
            ("Secondary_name", Place::NamePair, 6)
        ]
    );
    assert!(mapping.clusters[0].secondary.is_none());
    assert_eq!(
        keys::suggest("dr_master_domain", Place::Storage),
        ["dr_primary_master_domain", "dr_secondary_master_domain"]
    );
    assert_eq!(
        keys::suggest("Secondary_name", Place::NamePair),
        ["secondary_name"]
    );
    assert_eq!(
        keys::suggest("dr_sites_primary_ca_fil", Place::TopLevel),
        ["dr_sites_primary_ca_file"]
    );
    assert!(keys::suggest("completely_else", Place::TopLevel).is_empty());
}

#[test]
fn empty_files_and_lists_load_empty() {
    assert!(load("").storages.is_empty());
    assert!(load("---\ndr_cluster_mappings:\n").clusters.is_empty());
}

#[test]
fn errors_name_the_file_line_and_what_was_expected() {
    let bad_yaml = error("a: [1, 2\nb: c\n");
    assert!(bad_yaml.starts_with("dr.yml:2:"), "{bad_yaml}");
    assert!(bad_yaml.contains("invalid YAML"), "{bad_yaml}");
    let wrong_type = error("dr_import_storages:\n  - dr_domain_type: nfs\n    dr_backup: maybe\n");
    assert_eq!(
        wrong_type,
        "dr.yml:3:16: expected dr_backup to be a boolean (true/false or \"True\"/\"False\"), found \"maybe\""
    );
    let not_a_list = error("dr_cluster_mappings: cluster_prod\n");
    assert_eq!(
        not_a_list,
        "dr.yml:1:22: expected dr_cluster_mappings to be a list, found a string"
    );
    let entry_not_map = error("dr_role_mappings:\n  - admin\n");
    assert!(
        entry_not_map.starts_with("dr.yml:2:5: expected each entry"),
        "{entry_not_map}"
    );
    let port = error("dr_import_storages:\n  - dr_primary_port: [1]\n");
    assert!(
        port.starts_with("dr.yml:2:22: expected dr_primary_port to be an integer"),
        "{port}"
    );
    let top = error("- a\n- b\n");
    assert!(top.starts_with("dr.yml:1:1: expected a mapping"), "{top}");
    let duplicate = error("dr_sites_primary_url: a\ndr_sites_primary_url: b\n");
    assert!(duplicate.starts_with("dr.yml:2:"), "{duplicate}");
    let missing = load_mapping(Path::new("no/such/file.yml"))
        .unwrap_err()
        .to_string();
    assert!(
        missing.starts_with("no/such/file.yml: cannot read mapping file"),
        "{missing}"
    );
}
