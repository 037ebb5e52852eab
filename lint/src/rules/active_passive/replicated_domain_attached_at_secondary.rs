use std::collections::BTreeMap;

use stretchdr_model::StorageDomainId;
use stretchdr_model::mapping::Side;

use super::{names, origin_or};
use crate::dr::{DrContext, mapped};
use crate::finding::EntityKind;
use crate::policy::Policy;
use crate::rule::{Sink, declare_mapping_rule};

declare_mapping_rule! {
    /// ## What it does
    /// Finds storage domains of `dr_import_storages` that the secondary site already has
    /// attached to a data center (matched by `dr_secondary_name` or `dr_domain_id`).
    ///
    /// ## Why is this bad?
    /// At failover the role imports each domain into the secondary's data center. A domain
    /// that is already attached there cannot be imported: the import fails (silently, with the
    /// role's default `dr_ignore_error_recover`) and none of its VMs is registered. The
    /// replicated copy must stay detached from the secondary until failover, and the
    /// secondary's engine must not be using it.
    ///
    /// ## Example
    /// ```toml
    /// # secondary design
    /// [[storage_domain]]
    /// name = "data1-replica"       # the target of dr_secondary_name
    /// data_center = "Recovery"
    /// ```
    ///
    /// Use instead: leave the replica out of the secondary's data centers (detached, or not
    /// yet visible to the secondary's hosts).
    ///
    /// ## References
    /// - oVirt Disaster Recovery Guide, "Active-Passive Disaster Recovery", "Storage
    ///   Considerations": the secondary's storage domains for the replicated storage are
    ///   attached only at failover. https://ovirt.org/documentation/disaster_recovery_guide
    /// - ovirt-ansible-collection, `roles/disaster_recovery/tasks/recover/add_*_domain.yml`.
    pub struct ReplicatedDomainAttachedAtSecondary {
        code: "AP005",
        name: "replicated-domain-attached-at-secondary",
        level: Error,
    }
}

fn check(dr: &DrContext<'_>, _policy: &Policy, sink: &mut Sink) {
    let secondary = dr.secondary;
    let by_name = names(&secondary.storage_domains);
    let by_id: BTreeMap<&str, StorageDomainId> = secondary
        .storage_domains
        .iter()
        .filter_map(|(id, d)| Some((d.id.as_deref()?, id)))
        .collect();
    for entry in &dr.mapping.storages {
        let name = entry.secondary.name.as_ref();
        let found = name
            .and_then(|n| by_name.get(n.value.as_str()))
            .or_else(|| {
                entry
                    .domain_id
                    .as_ref()
                    .and_then(|i| by_id.get(i.value.as_str()))
            });
        let Some(&id) = found else {
            continue;
        };
        let domain = &secondary.storage_domains[id];
        let Some(dc) = domain.data_center else {
            continue;
        };
        let origin = origin_or(name.or(entry.domain_id.as_ref()), entry.origin);
        sink.report_at(
            mapped(EntityKind::StorageDomain, entry.label(Side::Secondary)),
            Some(origin),
            format!(
                "storage domain {} to import at failover is already attached to data center {} on the secondary site",
                domain.name, secondary.data_centers[dc].name
            ),
            "detach the replica from the secondary's data center; the role attaches it at failover",
        );
    }
}
