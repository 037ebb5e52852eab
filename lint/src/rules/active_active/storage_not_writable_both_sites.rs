use stretchdr_model::inventory::{DomainType, Replication};
use stretchdr_model::{EntityId, Inventory, Named, StorageDomainId};

use super::{LIST_LIMIT, Sites, count, name_list, toml_list};
use crate::policy::Policy;
use crate::rule::{Sink, Subject, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds data domains holding disks of highly available VMs of a stretch cluster that are
    /// not synchronously replicated (`replication = "sync"`) and writable at every active site.
    ///
    /// ## Why is this bad?
    /// After a site loss the restarted VMs need their disks in the surviving site. A domain
    /// that is only writable in the lost site is gone with it: the VMs cannot start. With
    /// asynchronous replication the copy is behind: the VMs start on stale data, and writes
    /// acknowledged before the loss are lost.
    ///
    /// ## Example
    /// ```toml
    /// [[storage_domain]]
    /// name = "data1"
    /// replication = "async"
    /// writable_at = ["site-a"]
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// [[storage_domain]]
    /// name = "data1"
    /// replication = "sync"
    /// writable_at = ["site-a", "site-b"]
    /// witness = "site-c"
    /// ```
    ///
    /// ## References
    /// - oVirt Disaster Recovery Guide, "Active-Active Overview", storage considerations: the
    ///   sites need synchronously replicated storage that is writable at both sites.
    ///   https://ovirt.org/documentation/disaster_recovery_guide
    pub struct StorageNotWritableBothSites {
        code: "AA011",
        name: "storage-not-writable-both-sites",
        level: Error,
        requires_sites: true,
    }
}

fn check(inventory: &Inventory, _policy: &Policy, sink: &mut Sink) {
    let sites = Sites::new(inventory);
    let mut ha_vms: Vec<Vec<&str>> = vec![Vec::new(); inventory.storage_domains.len()];
    for vm in inventory.vms.values() {
        if !vm.ha || !sites.is_stretch(vm.cluster) {
            continue;
        }
        for (i, domain) in vm.disks.iter().enumerate() {
            // A VM with several disks on one domain counts once.
            if !vm.disks[..i].contains(domain) {
                ha_vms[domain.index()].push(vm.name());
            }
        }
    }
    for (id, domain) in inventory.storage_domains.iter() {
        let vms = &ha_vms[id.index()];
        if domain.domain_type != DomainType::Data || vms.is_empty() {
            continue;
        }
        let missing = sites.missing_from(&domain.writable_at);
        let problem = match domain.replication {
            None => "its replication between the sites is not declared".to_string(),
            Some(Replication::None) => "it is not replicated".to_string(),
            Some(Replication::Async) => "it is replicated asynchronously".to_string(),
            Some(Replication::Sync) if !missing.is_empty() => {
                format!("it is not writable at {}", sites.names(&missing))
            }
            Some(Replication::Sync) => continue,
        };
        // The key to change: the replication, or (when it is sync) the sites it is written at.
        let key = if domain.replication == Some(Replication::Sync) {
            "writable_at"
        } else {
            "replication"
        };
        let every_site = toml_list(sites.active.iter().map(|&s| sites.name(s)));
        report(sink, id, key, &domain.name, vms, &problem, &every_site);
    }
}

fn report(
    sink: &mut Sink,
    id: StorageDomainId,
    key: &str,
    name: &str,
    vms: &[&str],
    problem: &str,
    every_site: &str,
) {
    sink.report_key(
        Subject::StorageDomain(id),
        key,
        format!(
            "data domain {name} holds disks of {} ({}) but {problem}",
            count(vms.len(), "HA VM", "HA VMs"),
            name_list(vms.iter().copied(), LIST_LIMIT)
        ),
        format!(
            "replicate the domain synchronously and make it writable at every active site (replication = \"sync\", writable_at = {every_site})"
        ),
    );
}
