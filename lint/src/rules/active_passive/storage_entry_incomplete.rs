use stretchdr_model::mapping::keys::storage_fields_read;
use stretchdr_model::mapping::{Side, StorageType};

use crate::dr::{DrContext, mapped};
use crate::finding::EntityKind;
use crate::policy::Policy;
use crate::rule::{Sink, declare_mapping_rule};

declare_mapping_rule! {
    /// ## What it does
    /// Checks each `dr_import_storages` entry for the fields the role's tasks read, without a
    /// default, for its `dr_domain_type`: on the secondary side for failover and on the
    /// primary side for failback. An entry without a `dr_domain_type` the role knows (nfs,
    /// glusterfs, posixfs, iscsi, fcp) is reported too. A key written with no value (its
    /// value commented out) is reported by AP013 at its line instead.
    ///
    /// ## Why is this bad?
    /// A missing field is an undefined variable in the task that adds the domain. The task
    /// fails at failover time, and since the role ignores recovery errors by default
    /// (`dr_ignore_error_recover: True`), the run goes on without the domain: none of its VMs
    /// is registered. The role's own example file lacks `dr_storage_domain_type` in every
    /// entry, the space and delete fields in its first, and `dr_discard_after_delete` in its
    /// iSCSI entry.
    ///
    /// ## Example
    /// ```yaml
    /// dr_import_storages:
    ///   - dr_domain_type: "nfs"
    ///     dr_primary_name: "data1"
    ///     dr_secondary_name: "data1"
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// dr_import_storages:
    ///   - dr_domain_type: "nfs"
    ///     dr_storage_domain_type: "data"
    ///     dr_wipe_after_delete: false
    ///     dr_backup: false
    ///     dr_critical_space_action_blocker: 5
    ///     dr_primary_name: "data1"
    ///     dr_primary_master_domain: true
    ///     dr_primary_dc_name: "Prod"
    ///     dr_primary_address: "nfs-a.example.com"
    ///     dr_primary_path: "/export/data1"
    ///     dr_secondary_name: "data1"
    ///     dr_secondary_master_domain: true
    ///     dr_secondary_dc_name: "Recovery"
    ///     dr_secondary_address: "nfs-b.example.com"
    ///     dr_secondary_path: "/export/data1"
    /// ```
    ///
    /// ## References
    /// - ovirt-ansible-collection, `roles/disaster_recovery/tasks/recover/add_nfs_domain.yml`,
    ///   `add_glusterfs_domain.yml`, `add_posixfs_domain.yml`, `add_iscsi_domain.yml`,
    ///   `add_fcp_domain.yml`, `recover_engine.yml` (master domain first) and
    ///   `defaults/main.yml` (`dr_ignore_error_recover`).
    ///   https://github.com/oVirt/ovirt-ansible-collection/tree/master/roles/disaster_recovery
    pub struct StorageEntryIncomplete {
        code: "AP007",
        name: "storage-entry-incomplete",
        level: Error,
    }
}

fn check(dr: &DrContext<'_>, _policy: &Policy, sink: &mut Sink) {
    for entry in &dr.mapping.storages {
        let label = entry.label(Side::Primary);
        let Some(storage) = entry.storage_type() else {
            let (message, origin) = match &entry.domain_type {
                Some(t) => (
                    format!(
                        "storage entry {label} has dr_domain_type {:?}, which the role does not add",
                        t.value
                    ),
                    t.origin,
                ),
                None => (
                    format!(
                        "storage entry {label} has no dr_domain_type: the role adds no domain for it"
                    ),
                    entry.origin,
                ),
            };
            let types: Vec<&str> = StorageType::ALL.iter().map(|t| t.as_str()).collect();
            sink.report_at(
                mapped(EntityKind::StorageDomain, label),
                Some(origin),
                message,
                format!("set dr_domain_type to one of {}", types.join(", ")),
            );
            continue;
        };
        for (side, operation) in [(Side::Secondary, "failover"), (Side::Primary, "failback")] {
            let missing: Vec<String> = storage_fields_read(storage, side)
                .into_iter()
                // A key written with no value is AP013's, at its own line.
                .filter(|field| !entry.has(field) && !entry.has_empty(field))
                .collect();
            if missing.is_empty() {
                continue;
            }
            sink.report_at(
                mapped(EntityKind::StorageDomain, label.clone()),
                Some(entry.origin),
                format!(
                    "{} storage entry {label} lacks {} that the role reads at {operation}: the domain is not added",
                    storage.as_str(),
                    missing.join(", ")
                ),
                format!("add {} to the entry", missing.join(", ")),
            )
            .discriminator = Some(side.as_str().to_string());
        }
    }
}
