use stretchdr_model::Inventory;
use stretchdr_model::inventory::{DomainType, Replication};

use super::Sites;
use crate::policy::Policy;
use crate::rule::{Sink, Subject, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds highly available VMs of a stretch cluster that have no VM lease on a storage domain.
    ///
    /// ## Why is this bad?
    /// Without a lease the engine restarts an HA VM of an unreachable host only after the host
    /// is fenced through its power management, or an administrator confirms it was rebooted;
    /// otherwise the VM could run twice. When a whole site is lost, its power management
    /// devices are lost with it: fencing fails and the VM stays down until someone intervenes.
    /// With a lease the engine restarts it elsewhere once the lease has expired.
    ///
    /// ## Example
    /// ```toml
    /// [[vm]]
    /// name = "db01"
    /// ha = true
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// [[vm]]
    /// name = "db01"
    /// ha = true
    /// lease = "data1"
    /// ```
    ///
    /// ## References
    /// - oVirt Disaster Recovery Guide, "Active-Active Overview": virtual machines must be
    ///   highly available, each with a lease on a target storage domain, so they can start even
    ///   without power management. https://ovirt.org/documentation/disaster_recovery_guide
    /// - oVirt feature page "VM Leases" (`high_availability` with `lease.storage_domain`).
    pub struct HaVmWithoutLease {
        code: "AA003",
        name: "ha-vm-without-lease",
        level: Warning,
        requires_sites: true,
    }
}

fn check(inventory: &Inventory, _policy: &Policy, sink: &mut Sink) {
    let sites = Sites::new(inventory);
    // A domain the lease could go on: a data domain replicated synchronously and writable at
    // every active site (the first such), else a placeholder.
    let domain = inventory
        .storage_domains
        .values()
        .find(|d| {
            d.domain_type == DomainType::Data
                && d.replication == Some(Replication::Sync)
                && sites.missing_from(&d.writable_at).is_empty()
        })
        .map_or("<domain>", |d| d.name.as_str());
    let lease = toml::Value::from(domain).to_string();
    for (id, vm) in inventory.vms.iter() {
        if vm.ha && vm.lease.is_none() && sites.is_stretch(vm.cluster) {
            sink.report_key(
                Subject::Vm(id),
                "lease",
                format!(
                    "vm {} is highly available but has no lease: after a site loss it restarts only if its host can be fenced",
                    vm.name
                ),
                format!(
                    "give the VM a lease on a data domain writable at both sites (lease = {lease})"
                ),
            );
        }
    }
}
