use stretchdr_model::{EntityId, Inventory, Named};

use super::{LIST_LIMIT, Sites, count, name_list, toml_list};
use crate::policy::Policy;
use crate::rule::{Sink, Subject, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds networks used by VMs of a stretch cluster that are not carried at every active
    /// site. Networks whose sites are unknown (an export without an overlay saying) are skipped.
    ///
    /// ## Why is this bad?
    /// A VM restarted or migrated to a site without its network is cut off, or cannot start at
    /// all: a host that lacks one of the VM's networks is filtered out by the scheduler. After
    /// a site loss the VM stays down, or runs unreachable.
    ///
    /// ## Example
    /// ```toml
    /// [[network]]
    /// name = "dmz"
    /// sites = ["site-a"]
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// [[network]]
    /// name = "dmz"
    /// sites = ["site-a", "site-b"]
    /// ```
    ///
    /// ## References
    /// - oVirt Disaster Recovery Guide, "Active-Active Overview", network considerations: all
    ///   hosts of the stretch cluster share one L2 network, so every VM network must reach both
    ///   sites. https://ovirt.org/documentation/disaster_recovery_guide
    /// - oVirt scheduler, network filter: hosts missing a required network of the VM are not
    ///   candidates to run it.
    pub struct VmNetworkNotStretched {
        code: "AA016",
        name: "vm-network-not-stretched",
        level: Error,
        requires_sites: true,
    }
}

fn check(inventory: &Inventory, _policy: &Policy, sink: &mut Sink) {
    let sites = Sites::new(inventory);
    let mut users: Vec<Vec<&str>> = vec![Vec::new(); inventory.networks.len()];
    for vm in inventory.vms.values() {
        if !sites.is_stretch(vm.cluster) {
            continue;
        }
        for (i, network) in vm.networks.iter().enumerate() {
            if !vm.networks[..i].contains(network) {
                users[network.index()].push(vm.name());
            }
        }
    }
    for (id, network) in inventory.networks.iter() {
        let vms = &users[id.index()];
        let Some(carried) = &network.sites else {
            continue;
        };
        let missing = sites.missing_from(carried);
        if vms.is_empty() || missing.is_empty() {
            continue;
        }
        sink.report_key(
            Subject::Network(id),
            "sites",
            format!(
                "network {} is not carried at {}, but {} of the stretch cluster {} it ({})",
                network.name,
                sites.names(&missing),
                count(vms.len(), "VM", "VMs"),
                if vms.len() == 1 { "uses" } else { "use" },
                name_list(vms.iter().copied(), LIST_LIMIT)
            ),
            format!(
                "carry the network at every active site (sites = {}) over the stretched L2 link",
                toml_list(sites.active.iter().map(|&s| sites.name(s)))
            ),
        );
    }
}
