use stretchdr_model::Inventory;
use stretchdr_model::inventory::StorageConnection;
use stretchdr_model::mapping::{Field, Side, StorageEntry, StorageType};

use super::primary_domain;
use crate::dr::{DrContext, mapped};
use crate::finding::EntityKind;
use crate::policy::Policy;
use crate::rule::{Sink, declare_mapping_rule};

declare_mapping_rule! {
    /// ## What it does
    /// Compares where the mapping says storage is served from with what the sites' sources
    /// know (exports and live engines carry each domain's connection):
    /// - `dr_primary_address`, `dr_primary_path` (NFS, gluster, POSIX), and
    ///   `dr_primary_address`, `dr_primary_port`, `dr_primary_target` (iSCSI) against the
    ///   primary's domain of `dr_primary_name`;
    /// - the `dr_secondary_*` of an entry against the secondary's domain of the same id
    ///   (else of the same name), when the secondary already knows it (a replica imported
    ///   in a failover test and detached since);
    /// - a `dr_secondary_address` and `dr_secondary_path` that are the export of another
    ///   domain of the secondary;
    /// - a `dr_lun_mappings` `secondary_logical_unit_id` that is a LUN of a storage domain
    ///   of the secondary, and a `primary_logical_unit_*` that is not the primary's disk's.
    ///
    /// ## Why is this bad?
    /// Failback adds the primary's domains back from `dr_primary_*`: a stale address or
    /// path mounts another export (or none), and the domain's VMs are not registered. A
    /// secondary path already used by one of the secondary's own domains makes the engine
    /// refuse the new domain, or, for a LUN mapped onto a LUN the secondary uses for
    /// storage, hands the VM a disk that holds another domain's data.
    ///
    /// ## Example
    /// ```yaml
    /// # The primary's domain data1 is served from nfs-a.dc1.lab:/export/data1
    /// dr_import_storages:
    ///   - dr_domain_type: "nfs"
    ///     dr_primary_name: "data1"
    ///     dr_primary_address: "nfs-a.dc1.lab"
    ///     dr_primary_path: "/export/data01"
    /// ```
    ///
    /// Use instead: `dr_primary_path: "/export/data1"`.
    ///
    /// ## References
    /// - ovirt-ansible-collection, `roles/disaster_recovery/tasks/recover/add_nfs_domain.yml`,
    ///   `add_glusterfs_domain.yml`, `add_posixfs_domain.yml`, `add_iscsi_domain.yml`
    ///   (the domain is added from these fields) and `files/generate_mapping.py`
    ///   (`_write_attached_storage_domains`: the primary fields are the domain's
    ///   `storage.address`, `storage.path`, and its LUNs' address, port and targets).
    ///   https://github.com/oVirt/ovirt-ansible-collection/tree/master/roles/disaster_recovery
    /// - ovirt-engine-api-model, `types/HostStorage.java` and `types/LogicalUnit.java`.
    pub struct StorageConnectionMismatch {
        code: "AP018",
        name: "storage-connection-mismatch",
        level: Error,
    }
}

fn check(dr: &DrContext<'_>, _policy: &Policy, sink: &mut Sink) {
    for entry in &dr.mapping.storages {
        let Some(storage) = entry.storage_type() else {
            continue;
        };
        let label = entry.label(Side::Primary);
        let mut report = |field: &Field<String>, message: String, help: String| {
            sink.report_at(
                mapped(EntityKind::StorageDomain, label.clone()),
                Some(field.origin),
                message,
                help,
            )
            .discriminator = Some(field.origin.line.to_string());
        };
        if let Some(domain) = primary_domain(dr, entry)
            && let Some(connection) = dr.primary.storage_connection(domain)
        {
            let name = &dr.primary.storage_domains[domain].name;
            for (field, problem) in compare(entry, Side::Primary, storage, connection) {
                report(
                    field,
                    format!("{problem} of the primary's domain {name}"),
                    "use the domain's connection as the primary engine shows it".to_string(),
                );
            }
        }
        let secondary = dr.secondary;
        let same_domain = entry
            .domain_id
            .as_ref()
            .and_then(|id| {
                secondary
                    .storage_domains
                    .iter()
                    .find(|(_, d)| d.id.as_deref() == Some(id.value.as_str()))
            })
            .or_else(|| {
                let name = entry.secondary.name.as_ref()?;
                secondary
                    .storage_domains
                    .iter()
                    .find(|(_, d)| d.name == name.value)
            })
            .map(|(id, _)| id);
        if let Some(domain) = same_domain
            && let Some(connection) = secondary.storage_connection(domain)
        {
            let name = &secondary.storage_domains[domain].name;
            for (field, problem) in compare(entry, Side::Secondary, storage, connection) {
                report(
                    field,
                    format!("{problem} of the secondary's domain {name}"),
                    "use the domain's connection as the secondary engine shows it".to_string(),
                );
            }
        }
        if let Some((field, other)) = export_taken(secondary, entry, storage, same_domain) {
            report(
                field,
                format!(
                    "dr_secondary_address and dr_secondary_path of {label} are the export of the secondary's own domain {other}: the engine refuses a second domain there"
                ),
                "point the entry at the replica of the primary's export".to_string(),
            );
        }
    }
    luns(dr, sink);
}

/// The fields of `entry` on `side` that differ from `connection`, with what differs.
fn compare<'e>(
    entry: &'e StorageEntry,
    side: Side,
    storage: StorageType,
    connection: &StorageConnection,
) -> Vec<(&'e Field<String>, String)> {
    let s = side.as_str();
    let site = entry.site(side);
    let mut out = Vec::new();
    let given = |field: &'e Option<Field<String>>| field.as_ref().filter(|f| !f.vault);
    match storage {
        StorageType::Nfs | StorageType::Glusterfs | StorageType::Posixfs => {
            if let (Some(field), Some(address)) = (given(&site.address), &connection.address)
                && !field.value.trim().eq_ignore_ascii_case(address)
            {
                out.push((
                    field,
                    format!("dr_{s}_address {} is not the server {address}", field.value),
                ));
            }
            if let (Some(field), Some(path)) = (given(&site.path), &connection.path)
                && normal_path(&field.value) != normal_path(path)
            {
                out.push((
                    field,
                    format!("dr_{s}_path {} is not the path {path}", field.value),
                ));
            }
        }
        StorageType::Iscsi => {
            let addresses: Vec<&str> = connection
                .logical_units
                .iter()
                .filter_map(|u| u.address.as_deref())
                .chain(connection.address.as_deref())
                .collect();
            if let Some(field) = given(&site.address)
                && !addresses.is_empty()
                && !addresses
                    .iter()
                    .any(|a| a.eq_ignore_ascii_case(field.value.trim()))
            {
                out.push((
                    field,
                    format!(
                        "dr_{s}_address {} is not a portal ({}) of the LUNs",
                        field.value,
                        addresses.join(", ")
                    ),
                ));
            }
            let targets = connection.targets();
            if !targets.is_empty() {
                for field in site.target.iter().filter(|t| !t.vault) {
                    if !targets.contains(&field.value.trim()) {
                        out.push((
                            field,
                            format!(
                                "dr_{s}_target {} is not a target ({}) of the LUNs",
                                field.value,
                                targets.join(", ")
                            ),
                        ));
                    }
                }
            }
        }
        StorageType::Fcp => {}
    }
    out
}

/// A path without trailing slashes, for comparing `/export/data1/` with `/export/data1`.
fn normal_path(path: &str) -> &str {
    let trimmed = path.trim().trim_end_matches('/');
    if trimmed.is_empty() { "/" } else { trimmed }
}

/// The secondary's domain (other than `same`) already served from the entry's secondary
/// address and path.
fn export_taken<'e, 'i>(
    secondary: &'i Inventory,
    entry: &'e StorageEntry,
    storage: StorageType,
    same: Option<stretchdr_model::StorageDomainId>,
) -> Option<(&'e Field<String>, &'i str)> {
    if !matches!(
        storage,
        StorageType::Nfs | StorageType::Glusterfs | StorageType::Posixfs
    ) {
        return None;
    }
    let site = &entry.secondary;
    let (address, path) = (site.address.as_ref()?, site.path.as_ref()?);
    let (id, domain) = secondary.storage_domains.iter().find(|(id, domain)| {
        Some(*id) != same
            && site.name.as_ref().is_none_or(|n| n.value != domain.name)
            && secondary.storage_connection(*id).is_some_and(|c| {
                c.address
                    .as_deref()
                    .is_some_and(|a| a.eq_ignore_ascii_case(address.value.trim()))
                    && c.path
                        .as_deref()
                        .is_some_and(|p| normal_path(p) == normal_path(&path.value))
            })
    })?;
    let _ = id;
    Some((path, domain.name.as_str()))
}

/// LUN mappings against the sites' LUNs.
fn luns(dr: &DrContext<'_>, sink: &mut Sink) {
    let secondary = dr.secondary;
    for lun in &dr.mapping.luns {
        if let Some(id) = &lun.secondary.logical_unit_id {
            let used_by = secondary.storage_domains.iter().find(|(domain, _)| {
                secondary.storage_connection(*domain).is_some_and(|c| {
                    c.logical_units
                        .iter()
                        .any(|u| u.id.eq_ignore_ascii_case(&id.value))
                })
            });
            if let Some((_, domain)) = used_by {
                sink.report_at(
                    mapped(EntityKind::Lun, id.value.clone()),
                    Some(id.origin),
                    format!(
                        "secondary_logical_unit_id {} is a LUN of the secondary's storage domain {}: the VM would get that domain's data as its disk",
                        id.value, domain.name
                    ),
                    "map the disk to the replica of the primary's LUN",
                )
                .discriminator = Some("secondary".to_string());
            }
        }
        let Some(primary_id) = &lun.primary.logical_unit_id else {
            continue;
        };
        let Some(disk) = dr
            .primary
            .direct_luns
            .iter()
            .flatten()
            .find(|d| d.logical_unit.id.eq_ignore_ascii_case(&primary_id.value))
        else {
            continue;
        };
        let unit = &disk.logical_unit;
        let checks = [
            (
                &lun.primary.address,
                unit.address.as_deref(),
                "logical_unit_address",
            ),
            (
                &lun.primary.target,
                unit.target.as_deref(),
                "logical_unit_target",
            ),
        ];
        for (field, known, key) in checks {
            if let (Some(field), Some(known)) = (field, known)
                && !field.vault
                && !field.value.trim().eq_ignore_ascii_case(known)
            {
                sink.report_at(
                    mapped(EntityKind::Lun, primary_id.value.clone()),
                    Some(field.origin),
                    format!(
                        "primary_{key} {} is not {known}, the primary's direct LUN disk {}'s",
                        field.value, disk.name
                    ),
                    format!("set primary_{key} to {known}"),
                )
                .discriminator = Some(key.to_string());
            }
        }
    }
}
