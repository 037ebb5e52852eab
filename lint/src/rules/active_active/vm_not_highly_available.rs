use stretchdr_model::Inventory;
use stretchdr_model::inventory::VmStatus;

use super::Sites;
use crate::policy::Policy;
use crate::rule::{Sink, Subject, declare_rule};

declare_rule! {
    /// ## What it does
    /// Notes running VMs of a stretch cluster that are not highly available. The self-hosted
    /// engine's own VM (API `origin` `managed_hosted_engine`) is left out: the hosted-engine
    /// agents restart it, not the engine's HA flag.
    ///
    /// ## Why is this bad?
    /// The engine restarts only HA VMs when their host or site fails. A VM that is not HA stays
    /// down after a site loss until someone starts it by hand. That may be intended (test VMs,
    /// VMs clustered at the application level), hence only a note.
    ///
    /// ## Example
    /// ```toml
    /// [[vm]]
    /// name = "app01"
    /// ha = false
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// [[vm]]
    /// name = "app01"
    /// ha = true
    /// lease = "data1"
    /// ```
    ///
    /// ## References
    /// - oVirt Disaster Recovery Guide, "Active-Active Overview": virtual machines must be
    ///   configured to be highly available for failover to work.
    ///   https://ovirt.org/documentation/disaster_recovery_guide
    pub struct VmNotHighlyAvailable {
        code: "AA004",
        name: "vm-not-highly-available",
        level: Note,
        requires_sites: true,
    }
}

fn check(inventory: &Inventory, _policy: &Policy, sink: &mut Sink) {
    let sites = Sites::new(inventory);
    for (id, vm) in inventory.vms.iter() {
        // The self-hosted engine's own VM is made highly available by the hosted-engine
        // agents, not by the engine's HA flag.
        if !vm.ha && !vm.hosted_engine && vm.status == VmStatus::Up && sites.is_stretch(vm.cluster)
        {
            sink.report_key(
                Subject::Vm(id),
                "ha",
                format!(
                    "vm {} is running but not highly available: it is not restarted after a site loss",
                    vm.name
                ),
                "set ha = true with a lease if the VM must survive a site loss, or ignore it in the policy with a reason",
            );
        }
    }
}
