use std::collections::BTreeSet;

use stretchdr_model::inventory::DomainType;
use stretchdr_model::mapping::Side;

use super::{FailingOver, names, origin_or};
use crate::dr::{DrContext, mapped};
use crate::finding::EntityKind;
use crate::policy::Policy;
use crate::rule::{Sink, Subject, declare_mapping_rule};

declare_mapping_rule! {
    /// ## What it does
    /// Finds the hosted-engine storage domain in `dr_import_storages` (on either side), and
    /// VMs failing over that have a disk on a hosted-engine domain.
    ///
    /// ## Why is this bad?
    /// The hosted-engine domain holds the engine VM and its lockspace; it is managed by the
    /// hosted-engine HA agents, not the engine, and importing it into the other site's data
    /// center breaks that site's engine. A VM with a disk on it fails over without that disk
    /// (partial import), if it boots at all.
    ///
    /// ## Example
    /// ```yaml
    /// dr_import_storages:
    ///   - dr_domain_type: "nfs"
    ///     dr_primary_name: "hosted_storage"
    /// ```
    ///
    /// Use instead: replicate and map only data domains; move VM disks off the hosted-engine
    /// domain.
    ///
    /// ## References
    /// - ovirt-ansible-collection, `roles/disaster_recovery/files/validator.py`
    ///   (`_validate_hosted_engine`: "Hosted storage domains are not supported").
    ///   https://github.com/oVirt/ovirt-ansible-collection/tree/master/roles/disaster_recovery
    pub struct HostedEngineDomainInDr {
        code: "AP006",
        name: "hosted-engine-domain-in-dr",
        level: Error,
    }
}

fn check(dr: &DrContext<'_>, _policy: &Policy, sink: &mut Sink) {
    for side in [Side::Primary, Side::Secondary] {
        let site = dr.site(side);
        let domains = names(&site.storage_domains);
        for entry in &dr.mapping.storages {
            let Some(name) = &entry.site(side).name else {
                continue;
            };
            let Some(&id) = domains.get(name.value.as_str()) else {
                continue;
            };
            if site.storage_domains[id].domain_type == DomainType::HostedEngine {
                sink.report_at(
                    mapped(EntityKind::StorageDomain, name.value.clone()),
                    Some(origin_or(Some(name), entry.origin)),
                    format!(
                        "{} storage domain {} is the hosted-engine domain: the role must not import it",
                        side.as_str(),
                        name.value
                    ),
                    "remove this entry; fail over data domains only",
                );
            }
        }
    }
    let hosted_engine: BTreeSet<_> = dr
        .primary
        .storage_domains
        .iter()
        .filter(|(_, d)| d.domain_type == DomainType::HostedEngine)
        .map(|(id, _)| id)
        .collect();
    if hosted_engine.is_empty() {
        return;
    }
    for vm in FailingOver::of(dr).vms {
        let on_he: Vec<&str> = dr.primary.vms[vm]
            .disks
            .iter()
            .filter(|d| hosted_engine.contains(d))
            .map(|d| dr.primary.storage_domains[*d].name.as_str())
            .collect();
        if let Some(domain) = on_he.first() {
            let (entity, origin) = dr.entity(Side::Primary, Subject::Vm(vm));
            let message = format!(
                "vm {} fails over but has a disk on the hosted-engine domain {domain}, which is not replicated",
                entity.name
            );
            sink.report_at(
                entity,
                origin,
                message,
                "move the disk to a replicated data domain",
            );
        }
    }
}
