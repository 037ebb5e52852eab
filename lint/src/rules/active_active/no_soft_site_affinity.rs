use stretchdr_model::{EntityId, Inventory};

use super::{SiteAffinity, Sites};
use crate::policy::Policy;
use crate::rule::{Sink, Subject, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds highly available VMs of a stretch cluster with no soft (non-enforcing) positive
    /// VM-to-host affinity to the hosts of one site. VMs confined by a hard rule or pinned are
    /// left to `hard-vm-host-affinity`.
    ///
    /// ## Why is this bad?
    /// Without a preferred site the scheduler spreads the VMs over both sites by load, so a
    /// site loss takes down an unpredictable set of services, capacity planning per site is
    /// guesswork, and after the lost site returns nothing brings the VMs back: the affinity
    /// rules enforcer migrates VMs only towards hosts their rules prefer.
    ///
    /// ## Example
    /// ```toml
    /// [[vm]]
    /// name = "web01"
    /// ha = true
    /// lease = "data1"
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// [[affinity_group]]
    /// name = "web-on-a"
    /// vms = ["web01"]
    /// hosts = ["a1", "a2"]
    /// hosts_rule = { enabled = true, positive = true, enforcing = false }
    /// ```
    ///
    /// ## References
    /// - oVirt Disaster Recovery Guide, "Active-Active Overview": configure soft enforced
    ///   virtual machine to host affinity so that VMs start on the selected hosts and fail back
    ///   when the primary site returns. https://ovirt.org/documentation/disaster_recovery_guide
    pub struct NoSoftSiteAffinity {
        code: "AA006",
        name: "no-soft-site-affinity",
        level: Warning,
        requires_sites: true,
    }
}

fn check(inventory: &Inventory, _policy: &Policy, sink: &mut Sink) {
    let sites = Sites::new(inventory);
    let affinity = SiteAffinity::new(inventory, &sites);
    for (id, vm) in inventory.vms.iter() {
        let i = id.index();
        if vm.ha && sites.is_stretch(vm.cluster) && !affinity.soft[i] && !affinity.hard[i] {
            sink.report(
                Subject::Vm(id),
                format!(
                    "vm {} is highly available but has no soft affinity to the hosts of one site",
                    vm.name
                ),
                "add the VM to an affinity group with a soft positive VM-to-host rule listing the hosts of its preferred site",
            );
        }
    }
}
