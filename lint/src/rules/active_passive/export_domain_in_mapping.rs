use crate::dr::{DrContext, mapped};
use crate::finding::EntityKind;
use crate::policy::Policy;
use crate::rule::{Sink, declare_mapping_rule};
use stretchdr_model::mapping::Side;

declare_mapping_rule! {
    /// ## What it does
    /// Finds `dr_import_storages` entries whose `dr_storage_domain_type` is `export`.
    ///
    /// ## Why is this bad?
    /// The role does not fail over export domains, and its mapping validator stops on the
    /// first one ("Export storage domain is not supported."), before any other check: the
    /// mapping is never validated, and the clean-up's domain searches leave export domains
    /// out.
    ///
    /// ## Example
    /// ```yaml
    /// dr_import_storages:
    ///   - dr_domain_type: "nfs"
    ///     dr_storage_domain_type: "export"
    ///     dr_primary_name: "backup-export"
    /// ```
    ///
    /// Use instead: remove the entry; move the VMs to a data domain that is replicated.
    ///
    /// ## References
    /// - ovirt-ansible-collection, `roles/disaster_recovery/files/validator.py`
    ///   (`_validate_export_domain`) and `tasks/clean_engine.yml` ("Export storage domain is
    ///   not supported and should not be part of storage mapping").
    ///   https://github.com/oVirt/ovirt-ansible-collection/tree/master/roles/disaster_recovery
    pub struct ExportDomainInMapping {
        code: "AP020",
        name: "export-domain-in-mapping",
        level: Error,
    }
}

fn check(dr: &DrContext<'_>, _policy: &Policy, sink: &mut Sink) {
    for entry in &dr.mapping.storages {
        let Some(kind) = &entry.storage_domain_type else {
            continue;
        };
        if kind.value != "export" {
            continue;
        }
        let label = entry.label(Side::Primary);
        sink.report_at(
            mapped(EntityKind::StorageDomain, label.clone()),
            Some(kind.origin),
            format!("storage entry {label} is an export domain, which the role does not fail over and its validator refuses"),
            "remove the export domain from dr_import_storages",
        );
    }
}
