use stretchdr_model::mapping::{Side, StorageType};

use super::{ZERO_ID, is_uuid, primary_domain};
use crate::dr::{DrContext, mapped};
use crate::finding::EntityKind;
use crate::policy::Policy;
use crate::rule::{Sink, declare_mapping_rule};

declare_mapping_rule! {
    /// ## What it does
    /// Checks `dr_domain_id` of the iSCSI and FCP entries of `dr_import_storages`: it must be
    /// an engine id, and the id of the primary's domain of `dr_primary_name` when the
    /// primary's source gives ids (an export, a live engine). Placeholders are AP013's.
    ///
    /// ## Why is this bad?
    /// A block domain is imported by its id: the role asks the engine to import the domain
    /// of that id from the LUNs it logged in to, and the id is written in the replicated
    /// volume group, so it is the primary's. Any other value matches no domain on the LUNs;
    /// the import fails, is skipped under the role's default `dr_ignore_error_recover`, and
    /// none of the domain's VMs is registered. File domains (NFS, gluster, POSIX) are added
    /// by path and do not read the id.
    ///
    /// ## Example
    /// ```yaml
    /// dr_import_storages:
    ///   - dr_domain_type: "iscsi"
    ///     dr_domain_id: "data2"
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// dr_import_storages:
    ///   - dr_domain_type: "iscsi"
    ///     dr_domain_id: "3b5e6f0a-5c7d-4a8e-9f10-2b3c4d5e6f70"
    /// ```
    ///
    /// ## References
    /// - ovirt-ansible-collection, `roles/disaster_recovery/tasks/recover/add_iscsi_domain.yml`
    ///   and `add_fcp_domain.yml` (`ovirt_storage_domain` `state: imported`,
    ///   `id: dr_domain_id`), `files/generate_mapping.py` (`_write_attached_storage_domains`:
    ///   `dr_domain_id` is the primary domain's id).
    ///   https://github.com/oVirt/ovirt-ansible-collection/tree/master/roles/disaster_recovery
    pub struct StorageDomainIdInvalid {
        code: "AP016",
        name: "storage-domain-id-invalid",
        level: Error,
    }
}

fn check(dr: &DrContext<'_>, _policy: &Policy, sink: &mut Sink) {
    for entry in &dr.mapping.storages {
        if !matches!(
            entry.storage_type(),
            Some(StorageType::Iscsi | StorageType::Fcp)
        ) {
            continue;
        }
        let Some(id) = &entry.domain_id else {
            continue;
        };
        if id.vault || id.value == ZERO_ID || id.value.contains("TODO") {
            continue;
        }
        let label = entry.label(Side::Primary);
        if !is_uuid(&id.value) {
            sink.report_at(
                mapped(EntityKind::StorageDomain, label.clone()),
                Some(id.origin),
                format!(
                    "storage entry {label} has dr_domain_id {:?}, not an engine id: the role imports the block domain by id",
                    id.value
                ),
                "set dr_domain_id to the primary domain's id (GET /ovirt-engine/api/storagedomains)",
            );
            continue;
        }
        let Some(domain) = primary_domain(dr, entry) else {
            continue;
        };
        let Some(engine_id) = dr.primary.storage_domains[domain].id.as_deref() else {
            continue;
        };
        if !engine_id.eq_ignore_ascii_case(&id.value) {
            sink.report_at(
                mapped(EntityKind::StorageDomain, label.clone()),
                Some(id.origin),
                format!(
                    "storage entry {label} has dr_domain_id {}, but the primary's domain {} has id {engine_id}: no domain of that id is on the replicated LUNs",
                    id.value, dr.primary.storage_domains[domain].name
                ),
                format!("set dr_domain_id to {engine_id}"),
            );
        }
    }
}
