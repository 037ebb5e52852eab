//! The keys the ovirt-dr role reads, per place in the mapping file, and the nearest one to a
//! key it never reads.
//!
//! Sources (ovirt-ansible-collection, `roles/disaster_recovery`): `tasks/recover_engine.yml`
//! (site connection, master flag, the cluster / affinity / AAA domain / role / network / LUN
//! maps), `tasks/recover/add_{nfs,glusterfs,posixfs,iscsi,fcp}_domain.yml` (storage fields per
//! type), `tasks/clean/shutdown_vms.yml` and `tasks/clean_engine.yml` (failback clean-up),
//! `defaults/main.yml` (role variables a vars file may override), `files/validator.py`
//! (`primary_network_dc` / `secondary_network_dc`).

use super::{Side, StorageType};

/// Where in the file a key sits: each place has its own set of keys the role reads.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub enum Place {
    /// The file's top level.
    TopLevel,
    /// An entry of `dr_import_storages`.
    Storage,
    /// An entry of `dr_cluster_mappings`, `dr_affinity_group_mappings`,
    /// `dr_affinity_label_mappings`, `dr_domain_mappings` or `dr_role_mappings`.
    NamePair,
    /// An entry of `dr_network_mappings`.
    Network,
    /// An entry of `dr_lun_mappings`.
    Lun,
}

/// The role's variables (`defaults/main.yml`) that a vars file may set; read, never required.
pub const ROLE_VARIABLES: [&str; 12] = [
    "dr_ignore_error_clean",
    "dr_ignore_error_recover",
    "dr_partial_import",
    "dr_target_host",
    "dr_source_map",
    "dr_reset_mac_pool",
    "dr_cleanup_retries_maintenance",
    "dr_cleanup_delay_maintenance",
    "dr_clean_orphaned_vms",
    "dr_clean_orphaned_disks",
    "dr_report_file",
    "dr_running_vms",
];

/// The lists of the top level.
pub const LISTS: [&str; 8] = [
    "dr_import_storages",
    "dr_cluster_mappings",
    "dr_affinity_group_mappings",
    "dr_affinity_label_mappings",
    "dr_domain_mappings",
    "dr_role_mappings",
    "dr_network_mappings",
    "dr_lun_mappings",
];

/// Site connection fields (`dr_sites_<side>_<field>`); the password usually sits in a vault file.
pub const SITE_FIELDS: [&str; 4] = ["url", "username", "password", "ca_file"];

/// Storage fields shared by both sides.
pub const STORAGE_COMMON: [&str; 8] = [
    "dr_domain_type",
    "dr_storage_domain_type",
    "dr_domain_id",
    "dr_wipe_after_delete",
    "dr_backup",
    "dr_critical_space_action_blocker",
    "dr_warning_low_space",
    "dr_discard_after_delete",
];

/// Storage fields per side (`dr_<side>_<field>`).
pub const STORAGE_SIDE: [&str; 10] = [
    "name",
    "master_domain",
    "dc_name",
    "address",
    "path",
    "vfs_type",
    "port",
    "target",
    "username",
    "password",
];

/// Network mapping fields per side (`<side>_<field>`).
pub const NETWORK_SIDE: [&str; 4] = ["network_name", "profile_name", "profile_id", "network_dc"];

/// LUN mapping fields per side (`<side>_<field>`).
pub const LUN_SIDE: [&str; 8] = [
    "logical_unit_id",
    "storage_type",
    "logical_unit_address",
    "logical_unit_port",
    "logical_unit_portal",
    "logical_unit_username",
    "logical_unit_password",
    "logical_unit_target",
];

/// Every key the role reads at `place`.
pub fn known(place: Place) -> Vec<String> {
    let sides = [Side::Primary, Side::Secondary];
    match place {
        Place::TopLevel => {
            let mut keys: Vec<String> = sides
                .iter()
                .flat_map(|side| {
                    SITE_FIELDS
                        .iter()
                        .map(move |field| format!("dr_sites_{}_{field}", side.as_str()))
                })
                .collect();
            keys.extend(LISTS.iter().map(|k| k.to_string()));
            keys.extend(ROLE_VARIABLES.iter().map(|k| k.to_string()));
            keys
        }
        Place::Storage => {
            let mut keys: Vec<String> = STORAGE_COMMON.iter().map(|k| k.to_string()).collect();
            for side in sides {
                keys.extend(
                    STORAGE_SIDE
                        .iter()
                        .map(|field| format!("dr_{}_{field}", side.as_str())),
                );
            }
            keys
        }
        Place::NamePair => vec!["primary_name".to_string(), "secondary_name".to_string()],
        Place::Network => per_side(&NETWORK_SIDE),
        Place::Lun => per_side(&LUN_SIDE),
    }
}

fn per_side(fields: &[&str]) -> Vec<String> {
    [Side::Primary, Side::Secondary]
        .iter()
        .flat_map(|side| fields.iter().map(move |f| format!("{}_{f}", side.as_str())))
        .collect()
}

/// The storage fields the role reads without a default when it adds a domain of `storage`
/// type on `side` (the site it recovers onto: secondary at failover, primary at failback).
/// A missing one fails the task, and the role's `ignore_errors` skips the domain.
///
/// - every type: `dr_<side>_master_domain` (`recover_engine.yml`, the master/non-master split)
///   and `dr_<side>_dc_name` (`recover/add_domain.yml`, the host lookup);
/// - nfs: name, `dr_storage_domain_type`, `dr_critical_space_action_blocker`,
///   `dr_wipe_after_delete`, `dr_backup`, path, address (`add_nfs_domain.yml`);
/// - glusterfs: as nfs plus `dr_warning_low_space` (`add_glusterfs_domain.yml`);
/// - posixfs: as glusterfs plus `dr_<side>_vfs_type` (`add_posixfs_domain.yml`);
/// - iscsi: address, target, `dr_domain_id`, the space and delete fields,
///   `dr_discard_after_delete` (`add_iscsi_domain.yml`; name, port, username and password
///   have defaults);
/// - fcp: `dr_domain_id` and the space and delete fields (`add_fcp_domain.yml`).
pub fn storage_fields_read(storage: StorageType, side: Side) -> Vec<String> {
    let s = side.as_str();
    let mut fields = vec![format!("dr_{s}_master_domain"), format!("dr_{s}_dc_name")];
    let space = [
        "dr_critical_space_action_blocker",
        "dr_wipe_after_delete",
        "dr_backup",
    ];
    match storage {
        StorageType::Nfs | StorageType::Glusterfs | StorageType::Posixfs => {
            fields.push(format!("dr_{s}_name"));
            fields.push("dr_storage_domain_type".to_string());
            fields.extend(space.iter().map(|f| f.to_string()));
            if storage != StorageType::Nfs {
                fields.push("dr_warning_low_space".to_string());
            }
            if storage == StorageType::Posixfs {
                fields.push(format!("dr_{s}_vfs_type"));
            }
            fields.push(format!("dr_{s}_path"));
            fields.push(format!("dr_{s}_address"));
        }
        StorageType::Iscsi | StorageType::Fcp => {
            if storage == StorageType::Iscsi {
                fields.push(format!("dr_{s}_address"));
                fields.push(format!("dr_{s}_target"));
            }
            fields.push("dr_domain_id".to_string());
            fields.extend(space.iter().map(|f| f.to_string()));
            fields.push("dr_warning_low_space".to_string());
            fields.push("dr_discard_after_delete".to_string());
        }
    }
    fields
}

/// The key(s) an unknown key most likely meant, among the keys the role reads at `place`:
/// the same key in another case (`Secondary_name`), a key missing its site
/// (`dr_master_domain` -> `dr_primary_master_domain` / `dr_secondary_master_domain`), or the
/// nearest key within a third of its length in edits (Levenshtein).
pub fn suggest(key: &str, place: Place) -> Vec<String> {
    let known = known(place);
    let lower = key.to_ascii_lowercase();
    if let Some(same) = known.iter().find(|k| k.eq_ignore_ascii_case(key)) {
        return vec![same.clone()];
    }
    let sided: Vec<String> = known
        .iter()
        .filter(|k| {
            ["primary_", "secondary_"]
                .iter()
                .any(|site| k.replacen(site, "", 1) == lower)
        })
        .cloned()
        .collect();
    if !sided.is_empty() {
        return sided;
    }
    let limit = (key.chars().count() / 3).max(2);
    let mut best: Option<(usize, &String)> = None;
    for candidate in &known {
        let distance = levenshtein(&lower, candidate);
        if distance <= limit && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, k)| vec![k.clone()]).unwrap_or_default()
}

/// Edit distance (insertions, deletions, substitutions) between two strings, by characters.
pub fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}
