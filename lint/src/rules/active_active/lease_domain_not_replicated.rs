use stretchdr_model::Inventory;

use super::Sites;
use crate::policy::Policy;
use crate::rule::{Sink, Subject, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds VMs of a stretch cluster whose lease is on a storage domain not writable at every
    /// active site.
    ///
    /// ## Why is this bad?
    /// The lease is what lets the engine restart the VM in the surviving site without fencing
    /// the lost host: once the lease expires, a host of the surviving site acquires it. A lease
    /// on storage that is not writable there cannot be acquired, so the VM is not restarted.
    ///
    /// ## Example
    /// ```toml
    /// [[storage_domain]]
    /// name = "local-a"
    /// writable_at = ["site-a"]
    ///
    /// [[vm]]
    /// name = "db01"
    /// ha = true
    /// lease = "local-a"
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// [[vm]]
    /// name = "db01"
    /// ha = true
    /// lease = "data1"     # replication = "sync", writable_at = ["site-a", "site-b"]
    /// ```
    ///
    /// ## References
    /// - oVirt Disaster Recovery Guide, "Active-Active Overview": each VM needs a lease on a
    ///   target storage domain, and the storage must be replicated and writable at both sites.
    ///   https://ovirt.org/documentation/disaster_recovery_guide
    pub struct LeaseDomainNotReplicated {
        code: "AA012",
        name: "lease-domain-not-replicated",
        level: Error,
        requires_sites: true,
    }
}

fn check(inventory: &Inventory, _policy: &Policy, sink: &mut Sink) {
    let sites = Sites::new(inventory);
    for (id, vm) in inventory.vms.iter() {
        let Some(lease) = vm.lease else {
            continue;
        };
        if !sites.is_stretch(vm.cluster) {
            continue;
        }
        let domain = &inventory.storage_domains[lease];
        let missing = sites.missing_from(&domain.writable_at);
        if missing.is_empty() {
            continue;
        }
        sink.report_key(
            Subject::Vm(id),
            "lease",
            format!(
                "vm {} has its lease on {}, which is not writable at {}",
                vm.name,
                domain.name,
                sites.names(&missing)
            ),
            "move the lease to a domain writable at both sites",
        );
    }
}
