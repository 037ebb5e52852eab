use std::collections::BTreeSet;

use stretchdr_model::mapping::Side;
use stretchdr_model::mapping::keys::storage_fields_read;

use crate::dr::{DrContext, mapped};
use crate::finding::EntityKind;
use crate::policy::Policy;
use crate::rule::{Sink, declare_mapping_rule};

/// Keys of every storage entry that `validator.py` and the clean-up read without a default.
const READ_ALWAYS: [&str; 5] = [
    "dr_primary_name",
    "dr_secondary_name",
    "dr_storage_domain_type",
    "dr_primary_dc_name",
    "dr_secondary_dc_name",
];

declare_mapping_rule! {
    /// ## What it does
    /// Checks every `dr_import_storages` entry for `dr_primary_name`, `dr_secondary_name`,
    /// `dr_storage_domain_type` and both `dr_<side>_dc_name`, whatever its domain type, where
    /// AP007 (which checks what adding the domain reads) does not already report them.
    ///
    /// ## Why is this bad?
    /// The role's mapping validator reads `dr_primary_name`, `dr_secondary_name`
    /// (`_validate_hosted_engine`) and `dr_storage_domain_type` (`_validate_export_domain`) of
    /// every entry with `domain[...]`: a missing key stops it with a Python `KeyError`. The
    /// failback clean-up searches each entry's VMs and domains by `dr_<side>_name` and
    /// `dr_<side>_dc_name` (`clean/shutdown_vms.yml`,
    /// `clean/remove_valid_filtered_master_domains.yml`), without a default: the task fails
    /// and, under the default `dr_ignore_error_clean: False`, the failback stops.
    ///
    /// ## Example
    /// ```yaml
    /// dr_import_storages:
    ///   - dr_domain_type: "fcp"
    ///     dr_domain_id: "3b5e6f0a-5c7d-4a8e-9f10-2b3c4d5e6f70"
    ///     dr_primary_dc_name: "Prod"
    ///     dr_secondary_dc_name: "Recovery"
    /// ```
    ///
    /// Use instead: name the domain on both sides and give its function.
    /// ```yaml
    ///     dr_primary_name: "data2"
    ///     dr_secondary_name: "data2"
    ///     dr_storage_domain_type: "data"
    /// ```
    ///
    /// ## References
    /// - ovirt-ansible-collection, `roles/disaster_recovery/files/validator.py`,
    ///   `tasks/clean/shutdown_vms.yml`, `tasks/clean/remove_valid_filtered_master_domains.yml`.
    ///   https://github.com/oVirt/ovirt-ansible-collection/tree/master/roles/disaster_recovery
    pub struct StorageEntryKeyMissing {
        code: "AP022",
        name: "storage-entry-key-missing",
        level: Error,
    }
}

fn check(dr: &DrContext<'_>, _policy: &Policy, sink: &mut Sink) {
    for entry in &dr.mapping.storages {
        // What AP007 reports already: the keys adding the domain reads, on both sides.
        let reported: BTreeSet<String> = entry
            .storage_type()
            .map(|storage| {
                [Side::Primary, Side::Secondary]
                    .into_iter()
                    .flat_map(|side| storage_fields_read(storage, side))
                    .collect()
            })
            .unwrap_or_default();
        let missing: Vec<&str> = READ_ALWAYS
            .iter()
            .copied()
            .filter(|key| !entry.has(key) && !reported.contains(*key))
            .collect();
        if missing.is_empty() {
            continue;
        }
        let label = entry.label(Side::Primary);
        sink.report_at(
            mapped(EntityKind::StorageDomain, label.clone()),
            Some(entry.origin),
            format!(
                "storage entry {label} lacks {}: the mapping validator stops on it, and the failback clean-up fails on it",
                missing.join(", ")
            ),
            format!("add {} to the entry", missing.join(", ")),
        );
    }
}
