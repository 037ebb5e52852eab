use std::collections::BTreeMap;

use stretchdr_model::mapping::Side;

use crate::dr::{DrContext, mapped};
use crate::finding::EntityKind;
use crate::policy::Policy;
use crate::rule::{Sink, declare_mapping_rule};

declare_mapping_rule! {
    /// ## What it does
    /// Finds two or more `dr_import_storages` entries that set `dr_<site>_master_domain:
    /// true` for the same `dr_<site>_dc_name`, on either site.
    ///
    /// ## Why is this bad?
    /// A data center has one master domain. The role adds every entry flagged master in a
    /// first pass, in file order, then the rest; into an empty data center the first domain
    /// attached becomes the master, and the others flagged master are attached as regular
    /// domains. Which one ends up master depends on the order and on which attach
    /// succeeds first, not on the file, and a master that fails to attach leaves the
    /// data center to whichever comes next (the role's own notes leave that case open).
    /// The flag says the mapping's author expected otherwise: usually an entry copied
    /// from the master's.
    ///
    /// ## Example
    /// ```yaml
    /// dr_import_storages:
    ///   - dr_secondary_name: "data1"
    ///     dr_secondary_dc_name: "Recovery"
    ///     dr_secondary_master_domain: true
    ///   - dr_secondary_name: "data2"
    ///     dr_secondary_dc_name: "Recovery"
    ///     dr_secondary_master_domain: true
    /// ```
    ///
    /// Use instead: `dr_secondary_master_domain: true` on one entry of each data center.
    ///
    /// ## References
    /// - ovirt-ansible-collection, `roles/disaster_recovery/tasks/recover_engine.yml` ("Add
    ///   master storage domain to the setup", then "Add non master storage domains", and the
    ///   TODO on a master that fails to attach).
    ///   https://github.com/oVirt/ovirt-ansible-collection/tree/master/roles/disaster_recovery
    pub struct MasterDomainClaimedTwice {
        code: "AP017",
        name: "master-domain-claimed-twice",
        level: Warning,
    }
}

fn check(dr: &DrContext<'_>, _policy: &Policy, sink: &mut Sink) {
    for side in [Side::Primary, Side::Secondary] {
        let s = side.as_str();
        // Data center -> the entries claiming its master, in file order.
        let mut claims: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (index, entry) in dr.mapping.storages.iter().enumerate() {
            let site = entry.site(side);
            if !site.is_master() {
                continue;
            }
            let dc = site.dc_name.as_ref().map_or("", |dc| dc.value.as_str());
            claims.entry(dc).or_default().push(index);
        }
        for (dc, entries) in claims {
            let [first, rest @ ..] = entries.as_slice() else {
                continue;
            };
            if rest.is_empty() {
                continue;
            }
            let storages = &dr.mapping.storages;
            let first_label = storages[*first].label(side);
            for &index in rest {
                let entry = &storages[index];
                let label = entry.label(side);
                let origin = entry
                    .site(side)
                    .master_domain
                    .as_ref()
                    .map_or(entry.origin, |m| m.origin);
                let dc_words = if dc.is_empty() {
                    "the same data center".to_string()
                } else {
                    format!("data center {dc}")
                };
                sink.report_at(
                    mapped(EntityKind::StorageDomain, label.clone()),
                    Some(origin),
                    format!(
                        "{s} storage entry {label} claims the master domain of {dc_words}, as {first_label} (line {}) does: only the first attached becomes master",
                        storages[*first].origin.line
                    ),
                    format!("set dr_{s}_master_domain: false on all but one entry of {dc_words}"),
                )
                .discriminator = Some(s.to_string());
            }
        }
    }
}
