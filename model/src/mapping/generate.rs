//! Writes a mapping file for a primary site's entities: every field the role reads, with the
//! secondary's entity of the same name where one is known, and a `# TODO` comment on each
//! value a person must check or fill in (the API does not say where storage is served from).
//!
//! The text loads back with [`super::load_mapping_str`].

use std::collections::BTreeSet;
use std::fmt::Write as _;

use crate::inventory::{DomainType, Inventory, StorageDomain, StorageType as DomainStorage};

use super::keys::storage_fields_read;
use super::{Side, StorageType};

/// Engine defaults the role passes through when adding a domain (the engine's own defaults for
/// a new storage domain: critical space 5 GiB, warning at 10 % free).
const CRITICAL_SPACE_ACTION_BLOCKER: i64 = 5;
const WARNING_LOW_SPACE: i64 = 10;
/// The iSCSI port the role defaults to (`add_iscsi_domain.yml`).
const ISCSI_PORT: i64 = 3260;

/// The mapping file text for `primary`, matched by name against `secondary` when given.
pub fn generate(primary: &Inventory, secondary: Option<&Inventory>) -> String {
    let mut out = String::new();
    out.push_str(
        "# ovirt-dr mapping file (disaster_recovery_vars.yml), written by `stretchdr mapping generate`.\n\
         # Values marked TODO are guesses or placeholders: check or fill in each, then run\n\
         # `stretchdr mapping validate` against both sites.\n---\n",
    );
    for side in [Side::Primary, Side::Secondary] {
        let s = side.as_str();
        let _ = writeln!(
            out,
            "dr_sites_{s}_url: \"https://engine-{s}.example.com/ovirt-engine/api\"  # TODO: the {s} engine's API URL"
        );
        let _ = writeln!(out, "dr_sites_{s}_username: \"admin@internal\"  # TODO");
        let _ = writeln!(
            out,
            "dr_sites_{s}_ca_file: \"/etc/pki/ovirt-engine/ca-{s}.pem\"  # TODO: the {s} engine's CA certificate\n"
        );
    }
    storages(&mut out, primary, secondary);
    let clusters = names(primary.clusters.values().map(|c| c.name.as_str()));
    let secondary_clusters = secondary.map(|s| names(s.clusters.values().map(|c| c.name.as_str())));
    pairs(
        &mut out,
        "dr_cluster_mappings",
        "cluster",
        &clusters,
        secondary_clusters.as_ref(),
    );
    let groups = names(primary.affinity_groups.values().map(|g| g.name.as_str()));
    let secondary_groups =
        secondary.map(|s| names(s.affinity_groups.values().map(|g| g.name.as_str())));
    pairs(
        &mut out,
        "dr_affinity_group_mappings",
        "affinity group",
        &groups,
        secondary_groups.as_ref(),
    );
    let labels = names(primary.affinity_labels.values().map(|l| l.name.as_str()));
    let secondary_labels =
        secondary.map(|s| names(s.affinity_labels.values().map(|l| l.name.as_str())));
    pairs(
        &mut out,
        "dr_affinity_label_mappings",
        "affinity label",
        &labels,
        secondary_labels.as_ref(),
    );
    out.push_str(
        "# TODO: AAA domains and roles are not in the inventory; map any that differ, e.g.\n\
         #   - primary_name: \"internal-authz\"\n#     secondary_name: \"internal-authz\"\n\
         dr_domain_mappings: []\ndr_role_mappings: []\n\n",
    );
    networks(&mut out, primary, secondary);
    out.push_str(
        "# TODO: direct LUN disks are not in the inventory; map each one's logical unit here.\n\
         dr_lun_mappings: []\n",
    );
    out.push_str(
        "\n# Failback: clean/update_ovf_store.yml fails on every active domain (it names the\n\
         # undefined iscsi_storage), so the failback needs clean-up errors ignored (AP021).\n\
         dr_ignore_error_clean: true\n",
    );
    out
}

fn names<'a>(names: impl Iterator<Item = &'a str>) -> BTreeSet<String> {
    names.map(str::to_string).collect()
}

/// A YAML double-quoted string (JSON's escapes are YAML's).
fn quote(text: &str) -> String {
    serde_json::to_string(text).expect("strings serialize")
}

/// The secondary's name for `name`, and the comment to write after it.
fn counterpart(name: &str, noun: &str, secondary: Option<&BTreeSet<String>>) -> (String, String) {
    match secondary {
        Some(known) if known.contains(name) => (name.to_string(), String::new()),
        Some(_) => (
            name.to_string(),
            format!("  # TODO: the secondary has no {noun} of this name"),
        ),
        None => (
            name.to_string(),
            format!("  # TODO: the secondary's {noun}"),
        ),
    }
}

fn pairs(
    out: &mut String,
    list: &str,
    noun: &str,
    primary: &BTreeSet<String>,
    secondary: Option<&BTreeSet<String>>,
) {
    if primary.is_empty() {
        let _ = writeln!(out, "{list}: []\n");
        return;
    }
    let _ = writeln!(out, "{list}:");
    for name in primary {
        let (target, comment) = counterpart(name, noun, secondary);
        let _ = writeln!(out, "  - primary_name: {}", quote(name));
        let _ = writeln!(out, "    secondary_name: {}{comment}", quote(&target));
    }
    out.push('\n');
}

/// The role's storage type of a domain, when the role can add it.
fn storage_type(domain: &StorageDomain) -> Option<StorageType> {
    match domain.storage {
        DomainStorage::Nfs => Some(StorageType::Nfs),
        DomainStorage::Glusterfs => Some(StorageType::Glusterfs),
        DomainStorage::Posixfs => Some(StorageType::Posixfs),
        DomainStorage::Iscsi => Some(StorageType::Iscsi),
        DomainStorage::Fcp => Some(StorageType::Fcp),
        DomainStorage::Localfs | DomainStorage::Other => None,
    }
}

fn storages(out: &mut String, primary: &Inventory, secondary: Option<&Inventory>) {
    let secondary_dcs: Vec<&str> = secondary.map_or(Vec::new(), |s| {
        s.data_centers.values().map(|dc| dc.name.as_str()).collect()
    });
    let domains: Vec<(&StorageDomain, StorageType)> = primary
        .storage_domains
        .values()
        .filter(|d| d.domain_type == DomainType::Data)
        .filter_map(|d| Some((d, storage_type(d)?)))
        .collect();
    if domains.is_empty() {
        out.push_str("# TODO: no data domain of the primary can be imported by the role.\ndr_import_storages: []\n\n");
        return;
    }
    out.push_str("dr_import_storages:\n");
    for (domain, storage) in domains {
        // The role's validator reads dr_storage_domain_type of every entry (AP022).
        let mut fields: Vec<String> = vec![
            "dr_domain_type".to_string(),
            "dr_storage_domain_type".to_string(),
        ];
        for side in [Side::Primary, Side::Secondary] {
            fields.push(format!("dr_{}_name", side.as_str()));
            for field in storage_fields_read(storage, side) {
                if !fields.contains(&field) {
                    fields.push(field);
                }
            }
            if storage == StorageType::Iscsi {
                fields.push(format!("dr_{}_port", side.as_str()));
            }
        }
        // Shared fields first, then the primary's, then the secondary's, as the role's example.
        fields.sort_by_key(|f| {
            if f.starts_with("dr_primary_") {
                1
            } else if f.starts_with("dr_secondary_") {
                2
            } else {
                0
            }
        });
        for (i, field) in fields.iter().enumerate() {
            let value = storage_value(field, domain, storage, primary, &secondary_dcs);
            let lead = if i == 0 { "  - " } else { "    " };
            let _ = writeln!(out, "{lead}{field}: {value}");
        }
        out.push('\n');
    }
}

/// The value (and TODO comment) of one storage field.
fn storage_value(
    field: &str,
    domain: &StorageDomain,
    storage: StorageType,
    primary: &Inventory,
    secondary_dcs: &[&str],
) -> String {
    let todo = |value: &str, why: &str| format!("{}  # TODO: {why}", quote(value));
    let side = if field.starts_with("dr_secondary_") {
        Side::Secondary
    } else {
        Side::Primary
    };
    let rest = field
        .strip_prefix(&format!("dr_{}_", side.as_str()))
        .unwrap_or(field);
    match (field, rest) {
        ("dr_domain_type", _) => quote(storage.as_str()),
        ("dr_storage_domain_type", _) => quote("data"),
        ("dr_domain_id", _) => match &domain.id {
            Some(id) => quote(id),
            None => todo(
                "00000000-0000-0000-0000-000000000000",
                "the domain's id (the same on both sites)",
            ),
        },
        ("dr_wipe_after_delete" | "dr_backup" | "dr_discard_after_delete", _) => {
            "false".to_string()
        }
        ("dr_critical_space_action_blocker", _) => CRITICAL_SPACE_ACTION_BLOCKER.to_string(),
        ("dr_warning_low_space", _) => WARNING_LOW_SPACE.to_string(),
        (_, "name") => quote(&domain.name),
        (_, "master_domain") => domain.master.to_string(),
        (_, "port") => ISCSI_PORT.to_string(),
        (_, "dc_name") => match side {
            Side::Primary => match domain.data_center {
                Some(dc) => quote(&primary.data_centers[dc].name),
                None => todo("TODO", "the primary's data center"),
            },
            Side::Secondary => match secondary_dcs {
                [only] => quote(only),
                _ => todo("TODO", "the secondary's data center to import into"),
            },
        },
        (_, "address") => todo("TODO", &format!("the {} storage server", side.as_str())),
        (_, "path") => todo(
            "TODO",
            &format!("the export path on the {} storage server", side.as_str()),
        ),
        (_, "vfs_type") => todo("TODO", "the file system type (e.g. ceph)"),
        (_, "target") => format!(
            "[{}]  # TODO: the {} iSCSI targets",
            quote("TODO"),
            side.as_str()
        ),
        _ => todo("TODO", "fill in"),
    }
}

fn networks(out: &mut String, primary: &Inventory, secondary: Option<&Inventory>) {
    // (network, profile): every vNIC profile, and each network without one (its default
    // profile carries the network's name).
    let mut entries: BTreeSet<(String, String)> = primary
        .vnic_profiles
        .values()
        .filter_map(|p| Some((primary.networks[p.network?].name.clone(), p.name.clone())))
        .collect();
    for network in primary.networks.values() {
        if !entries.iter().any(|(n, _)| *n == network.name) {
            entries.insert((network.name.clone(), network.name.clone()));
        }
    }
    let secondary_pairs: Option<BTreeSet<(String, String)>> = secondary.map(|s| {
        let mut pairs: BTreeSet<(String, String)> = s
            .vnic_profiles
            .values()
            .filter_map(|p| Some((s.networks[p.network?].name.clone(), p.name.clone())))
            .collect();
        pairs.extend(
            s.networks
                .values()
                .map(|n| (n.name.clone(), n.name.clone())),
        );
        pairs
    });
    if entries.is_empty() {
        out.push_str("dr_network_mappings: []\n\n");
        return;
    }
    out.push_str("dr_network_mappings:\n");
    for (network, profile) in &entries {
        let comment = match &secondary_pairs {
            Some(known) if known.contains(&(network.clone(), profile.clone())) => String::new(),
            Some(_) => "  # TODO: the secondary has no vNIC profile of this name".to_string(),
            None => "  # TODO: the secondary's network and vNIC profile".to_string(),
        };
        let _ = writeln!(out, "  - primary_network_name: {}", quote(network));
        let _ = writeln!(out, "    primary_profile_name: {}", quote(profile));
        let _ = writeln!(out, "    secondary_network_name: {}", quote(network));
        let _ = writeln!(
            out,
            "    secondary_profile_name: {}{comment}",
            quote(profile)
        );
    }
    out.push('\n');
}
