//! Writes a mapping file for a primary site's entities: every field the role reads, filled
//! from what the two sources hold (an export or a live engine knows each storage domain's
//! connection, the vNIC profile ids, roles, AAA domains and direct LUN disks; a design
//! knows names), with the secondary's entity of the same id or name where one is known.
//! A value neither source holds is written as a placeholder (`TODO`, the all-zero id, an
//! `example.com` URL) with a `# TODO` comment saying what to fill in: `stretchdr mapping
//! validate` reports each one left (AP013).
//!
//! The text loads back with [`super::load_mapping_str`].

use std::collections::BTreeSet;
use std::fmt::Write as _;

use crate::ids::StorageDomainId;
use crate::inventory::{
    DomainType, Inventory, StorageConnection, StorageDomain, StorageType as DomainStorage,
};

use super::keys::storage_fields_read;
use super::{Side, StorageType};

/// Engine defaults the role passes through when adding a domain, for sources that do not
/// give the domain's own (the engine's defaults for a new storage domain: critical space
/// 5 GiB, warning at 10 % free).
const CRITICAL_SPACE_ACTION_BLOCKER: u32 = 5;
const WARNING_LOW_SPACE: u32 = 10;
/// The iSCSI port the role defaults to (`add_iscsi_domain.yml`).
const ISCSI_PORT: u32 = 3260;
/// The id the role sends for a vNIC profile the mapping gives none (`recover_engine.yml`).
const ZERO_ID: &str = "00000000-0000-0000-0000-000000000000";
/// The management network's vNIC profile, created by every engine with this id
/// (ovirt-engine `packaging/dbscripts/data/01900_insert_vnic_profiles.sql`).
const BUILT_IN_PROFILE_ID: &str = "0000000a-000a-000a-000a-000000000398";

/// The mapping file text for `primary`, matched by id and name against `secondary` when given.
pub fn generate(primary: &Inventory, secondary: Option<&Inventory>) -> String {
    let mut out = String::new();
    out.push_str(
        "# ovirt-dr mapping file (disaster_recovery_vars.yml), written by `stretchdr mapping generate`.\n\
         # Values marked TODO are placeholders the sources do not hold: fill in each, then run\n\
         # `stretchdr mapping validate` against both sites (it reports every one left).\n---\n",
    );
    for side in [Side::Primary, Side::Secondary] {
        let s = side.as_str();
        let _ = writeln!(
            out,
            "dr_sites_{s}_url: \"https://engine-{s}.example.com/ovirt-engine/api\"  # TODO: the {s} engine's API URL"
        );
        let _ = writeln!(out, "dr_sites_{s}_username: \"admin@internal\"");
        let _ = writeln!(
            out,
            "dr_sites_{s}_ca_file: \"TODO\"  # TODO: the {s} engine's CA certificate on this machine, e.g. /etc/pki/ovirt-engine/ca-{s}.pem\n"
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
    aaa_domains_and_roles(&mut out, primary, secondary);
    networks(&mut out, primary, secondary);
    luns(&mut out, primary, secondary);
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

/// A placeholder value and the comment saying what to fill in.
fn todo(value: &str, why: &str) -> String {
    format!("{}  # TODO: {why}", quote(value))
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

/// AAA domains and the primary's own (not predefined) roles, where the primary's source
/// lists them.
fn aaa_domains_and_roles(out: &mut String, primary: &Inventory, secondary: Option<&Inventory>) {
    match &primary.aaa_domains {
        Some(domains) => {
            let known = secondary.and_then(|s| {
                s.aaa_domains
                    .as_ref()
                    .map(|d| names(d.iter().map(|d| d.name.as_str())))
            });
            let listed = names(domains.iter().map(|d| d.name.as_str()));
            pairs(
                out,
                "dr_domain_mappings",
                "AAA domain",
                &listed,
                known.as_ref(),
            );
        }
        None => out.push_str(
            "# TODO: the primary's source lists no AAA domains; map any that differ, e.g.\n\
             #   - primary_name: \"internal-authz\"\n#     secondary_name: \"internal-authz\"\n\
             dr_domain_mappings: []\n\n",
        ),
    }
    match &primary.roles {
        Some(roles) => {
            let known = secondary.and_then(|s| {
                s.roles
                    .as_ref()
                    .map(|r| names(r.iter().map(|r| r.name.as_str())))
            });
            // Predefined roles have the same name on every engine.
            let own = names(roles.iter().filter(|r| r.mutable).map(|r| r.name.as_str()));
            pairs(out, "dr_role_mappings", "role", &own, known.as_ref());
        }
        None => out.push_str(
            "# TODO: the primary's source lists no roles; map any custom role that differs.\n\
             dr_role_mappings: []\n\n",
        ),
    }
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

/// One domain of the primary and what the secondary knows of it.
struct DomainSides<'a> {
    primary: &'a Inventory,
    id: StorageDomainId,
    storage: StorageType,
    secondary: Option<&'a Inventory>,
    /// The secondary's domain of the same engine id, else of the same name.
    counterpart: Option<StorageDomainId>,
}

impl DomainSides<'_> {
    fn domain(&self) -> &StorageDomain {
        &self.primary.storage_domains[self.id]
    }

    fn inventory(&self, side: Side) -> Option<&Inventory> {
        match side {
            Side::Primary => Some(self.primary),
            Side::Secondary => self.secondary,
        }
    }

    /// The domain of `side`: the primary's, or its counterpart on the secondary.
    fn side_domain(&self, side: Side) -> Option<(&Inventory, StorageDomainId)> {
        match side {
            Side::Primary => Some((self.primary, self.id)),
            Side::Secondary => Some((self.secondary?, self.counterpart?)),
        }
    }

    fn connection(&self, side: Side) -> Option<&StorageConnection> {
        let (inventory, id) = self.side_domain(side)?;
        inventory.storage_connection(id)
    }
}

fn storages(out: &mut String, primary: &Inventory, secondary: Option<&Inventory>) {
    let domains: Vec<(StorageDomainId, StorageType)> = primary
        .storage_domains
        .iter()
        .filter(|(_, d)| d.domain_type == DomainType::Data)
        .filter_map(|(id, d)| Some((id, storage_type(d)?)))
        .collect();
    if domains.is_empty() {
        out.push_str("# TODO: no data domain of the primary can be imported by the role.\ndr_import_storages: []\n\n");
        return;
    }
    out.push_str("dr_import_storages:\n");
    for (id, storage) in domains {
        let domain = &primary.storage_domains[id];
        let counterpart = secondary.and_then(|s| {
            let by_id = domain.id.as_deref().and_then(|engine_id| {
                s.storage_domains
                    .iter()
                    .find(|(_, d)| d.id.as_deref() == Some(engine_id))
            });
            by_id
                .or_else(|| {
                    s.storage_domains
                        .iter()
                        .find(|(_, d)| d.name == domain.name)
                })
                .map(|(id, _)| id)
        });
        let sides = DomainSides {
            primary,
            id,
            storage,
            secondary,
            counterpart,
        };
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
            let value = storage_value(field, &sides);
            let lead = if i == 0 { "  - " } else { "    " };
            let _ = writeln!(out, "{lead}{field}: {value}");
        }
        out.push('\n');
    }
}

/// The value (and TODO comment) of one storage field.
fn storage_value(field: &str, sides: &DomainSides<'_>) -> String {
    let domain = sides.domain();
    let details = sides.primary.storage_details.get(&sides.id);
    let side = if field.starts_with("dr_secondary_") {
        Side::Secondary
    } else {
        Side::Primary
    };
    let s = side.as_str();
    let rest = field.strip_prefix(&format!("dr_{s}_")).unwrap_or(field);
    let connection = sides.connection(side);
    let flag = |value: Option<bool>| value.unwrap_or(false).to_string();
    match (field, rest) {
        ("dr_domain_type", _) => quote(sides.storage.as_str()),
        ("dr_storage_domain_type", _) => quote("data"),
        ("dr_domain_id", _) => match &domain.id {
            Some(id) => quote(id),
            None => todo(ZERO_ID, "the domain's id (the same on both sites)"),
        },
        ("dr_wipe_after_delete", _) => flag(details.and_then(|d| d.wipe_after_delete)),
        ("dr_backup", _) => flag(details.and_then(|d| d.backup)),
        ("dr_discard_after_delete", _) => flag(details.and_then(|d| d.discard_after_delete)),
        ("dr_critical_space_action_blocker", _) => details
            .and_then(|d| d.critical_space_action_blocker)
            .unwrap_or(CRITICAL_SPACE_ACTION_BLOCKER)
            .to_string(),
        ("dr_warning_low_space", _) => details
            .and_then(|d| d.warning_low_space)
            .unwrap_or(WARNING_LOW_SPACE)
            .to_string(),
        (_, "name") => quote(&domain.name),
        (_, "master_domain") => match sides.side_domain(side) {
            Some((inventory, id)) if inventory.storage_domains[id].data_center.is_some() => {
                inventory.storage_domains[id].master.to_string()
            }
            _ => domain.master.to_string(),
        },
        (_, "port") => connection
            .and_then(|c| c.port)
            .unwrap_or(ISCSI_PORT)
            .to_string(),
        (_, "dc_name") => dc_name(sides, side),
        (_, "address") => match connection.and_then(|c| c.address.as_deref()) {
            Some(address) => quote(address),
            None => todo("TODO", &format!("the {s} storage server")),
        },
        (_, "path") => match connection.and_then(|c| c.path.as_deref()) {
            Some(path) => quote(path),
            None => todo(
                "TODO",
                &format!("the export path on the {s} storage server"),
            ),
        },
        (_, "vfs_type") => match connection.and_then(|c| c.vfs_type.as_deref()) {
            Some(vfs) => quote(vfs),
            None => todo("TODO", "the file system type (e.g. ceph)"),
        },
        (_, "target") => match connection.map(StorageConnection::targets) {
            Some(targets) if !targets.is_empty() => {
                let quoted: Vec<String> = targets.iter().map(|t| quote(t)).collect();
                format!("[{}]", quoted.join(", "))
            }
            _ => format!("[{}]  # TODO: the {s} iSCSI targets", quote("TODO")),
        },
        _ => todo("TODO", "fill in"),
    }
}

/// The data center to add the domain to on `side`: the domain's own, else the site's only
/// data center.
fn dc_name(sides: &DomainSides<'_>, side: Side) -> String {
    if let Some((inventory, id)) = sides.side_domain(side)
        && let Some(dc) = inventory.storage_domains[id].data_center
    {
        return quote(&inventory.data_centers[dc].name);
    }
    let Some(inventory) = sides.inventory(side) else {
        return todo("TODO", "the secondary's data center to import into");
    };
    let mut usable = inventory.data_centers.values().filter(|dc| !dc.local);
    match (usable.next(), usable.next()) {
        (Some(only), None) => quote(&only.name),
        _ => todo(
            "TODO",
            &format!("the {} data center to add the domain to", side.as_str()),
        ),
    }
}

/// One vNIC profile of a site: network, profile, profile id and the network's data center.
type ProfileRow = (String, String, Option<String>, Option<String>);

/// Every vNIC profile of a site, and each network without one (its default profile carries
/// the network's name), sorted by network and profile.
fn profile_rows(site: &Inventory) -> Vec<ProfileRow> {
    let dc_of = |network: crate::ids::NetworkId| {
        site.networks[network]
            .data_center
            .map(|dc| site.data_centers[dc].name.clone())
    };
    let mut rows: Vec<ProfileRow> = site
        .vnic_profiles
        .values()
        .filter_map(|p| {
            let network = p.network?;
            Some((
                site.networks[network].name.clone(),
                p.name.clone(),
                p.id.clone(),
                dc_of(network),
            ))
        })
        .collect();
    for (id, network) in site.networks.iter() {
        if !rows.iter().any(|(n, ..)| *n == network.name) {
            rows.push((network.name.clone(), network.name.clone(), None, dc_of(id)));
        }
    }
    rows.sort();
    rows.dedup();
    rows
}

fn networks(out: &mut String, primary: &Inventory, secondary: Option<&Inventory>) {
    let rows = profile_rows(primary);
    let secondary_rows = secondary.map(profile_rows);
    if rows.is_empty() {
        out.push_str("dr_network_mappings: []\n\n");
        return;
    }
    out.push_str("dr_network_mappings:\n");
    for (network, profile, id, dc) in &rows {
        let found = secondary_rows
            .as_ref()
            .and_then(|known| known.iter().find(|(n, p, ..)| n == network && p == profile));
        let name_comment = match (&secondary_rows, found) {
            (Some(_), Some(_)) => String::new(),
            (Some(_), None) => {
                "  # TODO: the secondary has no vNIC profile of this name".to_string()
            }
            (None, _) => "  # TODO: the secondary's network and vNIC profile".to_string(),
        };
        let _ = writeln!(out, "  - primary_network_name: {}", quote(network));
        let _ = writeln!(out, "    primary_profile_name: {}", quote(profile));
        let primary_id = match id {
            Some(id) => quote(id),
            None => todo(ZERO_ID, "the primary's vNIC profile id (GET /vnicprofiles)"),
        };
        let _ = writeln!(out, "    primary_profile_id: {primary_id}");
        if let Some(dc) = dc {
            let _ = writeln!(out, "    primary_network_dc: {}", quote(dc));
        }
        let _ = writeln!(out, "    secondary_network_name: {}", quote(network));
        let _ = writeln!(
            out,
            "    secondary_profile_name: {}{name_comment}",
            quote(profile)
        );
        let secondary_id = match (found.and_then(|(_, _, id, _)| id.as_deref()), id) {
            (Some(id), _) => quote(id),
            // The one profile every engine has under the same id.
            (None, Some(id)) if id == BUILT_IN_PROFILE_ID => quote(id),
            _ => todo(
                ZERO_ID,
                "the secondary's vNIC profile id (GET /vnicprofiles on the secondary)",
            ),
        };
        let _ = writeln!(out, "    secondary_profile_id: {secondary_id}");
        if let Some((_, _, _, Some(dc))) = found {
            let _ = writeln!(out, "    secondary_network_dc: {}", quote(dc));
        }
    }
    out.push('\n');
}

/// The primary's direct LUN disks, when its source lists disks.
fn luns(out: &mut String, primary: &Inventory, secondary: Option<&Inventory>) {
    let Some(disks) = &primary.direct_luns else {
        out.push_str(
            "# TODO: the primary's source lists no disks; map each direct LUN disk's logical unit here.\n\
             dr_lun_mappings: []\n",
        );
        return;
    };
    if disks.is_empty() {
        out.push_str("dr_lun_mappings: []\n");
        return;
    }
    out.push_str("dr_lun_mappings:\n");
    for disk in disks {
        let unit = &disk.logical_unit;
        let storage = match disk.storage {
            DomainStorage::Fcp => "fcp",
            _ => "iscsi",
        };
        let replica =
            secondary.and_then(|s| s.direct_luns.iter().flatten().find(|d| d.name == disk.name));
        let _ = writeln!(out, "  # direct LUN disk {}", disk.name);
        let _ = writeln!(out, "  - primary_logical_unit_id: {}", quote(&unit.id));
        let _ = writeln!(out, "    primary_storage_type: {}", quote(storage));
        if storage == "iscsi" {
            lun_connection(out, "primary", unit);
        }
        match replica {
            Some(replica) => {
                let _ = writeln!(
                    out,
                    "    secondary_logical_unit_id: {}",
                    quote(&replica.logical_unit.id)
                );
                let _ = writeln!(out, "    secondary_storage_type: {}", quote(storage));
                if storage == "iscsi" {
                    lun_connection(out, "secondary", &replica.logical_unit);
                }
            }
            None => {
                let _ = writeln!(
                    out,
                    "    secondary_logical_unit_id: {}",
                    todo("TODO", "the replica LUN's id on the secondary")
                );
                let _ = writeln!(out, "    secondary_storage_type: {}", quote(storage));
                if storage == "iscsi" {
                    let _ = writeln!(
                        out,
                        "    secondary_logical_unit_address: {}",
                        todo("TODO", "the secondary's iSCSI portal address")
                    );
                    let _ = writeln!(
                        out,
                        "    secondary_logical_unit_target: {}",
                        todo("TODO", "the secondary's iSCSI target")
                    );
                }
            }
        }
    }
}

/// The iSCSI fields of a LUN mapping side, as far as the LUN gives them.
fn lun_connection(out: &mut String, side: &str, unit: &crate::inventory::LogicalUnit) {
    if let Some(address) = &unit.address {
        let _ = writeln!(out, "    {side}_logical_unit_address: {}", quote(address));
    }
    if let Some(port) = unit.port {
        let _ = writeln!(out, "    {side}_logical_unit_port: {port}");
    }
    // The role wants the portal group tag, the part after the comma of `address:port,tpgt`.
    if let Some(tag) = unit.portal.as_deref().and_then(|p| p.split_once(',')) {
        let _ = writeln!(out, "    {side}_logical_unit_portal: {}", quote(tag.1));
    }
    if let Some(target) = &unit.target {
        let _ = writeln!(out, "    {side}_logical_unit_target: {}", quote(target));
    }
}
