use stretchdr_model::inventory::{Placement, Version};
use stretchdr_model::{Inventory, Named};

use super::{LIST_LIMIT, Sites, count, group_site, name_list};
use crate::policy::Policy;
use crate::rule::{Sink, Subject, declare_rule};

/// Clusters at this compatibility version or lower treat an affinity label as an enforcing
/// positive VM-to-host rule.
const LABEL_IS_HARD_UP_TO: Version = Version { major: 4, minor: 3 };

declare_rule! {
    /// ## What it does
    /// Finds VMs confined to the hosts of one site: by an affinity group with an enforcing
    /// positive VM-to-host rule whose hosts are all in one site, by pinned placement, or by an
    /// affinity label on a cluster at compatibility 4.3 or lower (where labels act as enforcing
    /// positive VM-to-host rules).
    ///
    /// ## Why is this bad?
    /// An enforcing rule is a hard filter of the scheduler: when that site is lost no host
    /// passes it, and the engine refuses to restart the VM anywhere else. The VM stays down for
    /// the whole outage although the other site has room for it.
    ///
    /// ## Example
    /// ```toml
    /// [[affinity_group]]
    /// name = "db-on-a"
    /// vms = ["db01"]
    /// hosts = ["a1", "a2"]
    /// hosts_rule = { enabled = true, positive = true, enforcing = true }
    /// ```
    ///
    /// Use instead: a soft rule, which the scheduler follows while it can.
    /// ```toml
    /// [[affinity_group]]
    /// name = "db-on-a"
    /// vms = ["db01"]
    /// hosts = ["a1", "a2"]
    /// hosts_rule = { enabled = true, positive = true, enforcing = false }
    /// ```
    ///
    /// ## References
    /// - oVirt Disaster Recovery Guide, "Active-Active Overview": soft enforced VM-to-host
    ///   affinity lets VMs start on the preferred hosts and still fail over.
    ///   https://ovirt.org/documentation/disaster_recovery_guide
    /// - oVirt Virtual Machine Management Guide, "Affinity Groups": enforcing rules are hard
    ///   constraints; VMs are not started where they would break them.
    pub struct HardVmHostAffinity {
        code: "AA005",
        name: "hard-vm-host-affinity",
        level: Error,
        requires_sites: true,
    }
}

fn check(inventory: &Inventory, _policy: &Policy, sink: &mut Sink) {
    let sites = Sites::new(inventory);
    let help =
        "make the VM-to-host rule soft (enforcing = false) so the VM can restart in the other site";
    for (id, group) in inventory.affinity_groups.iter() {
        if !group.hosts_rule.is_hard_positive() || group.vms.is_empty() {
            continue;
        }
        let Some(site) = group_site(inventory, &sites, group) else {
            continue;
        };
        let vms = group.vms.iter().map(|&vm| inventory.vms[vm].name());
        sink.report_key(
            Subject::AffinityGroup(id),
            "hosts_rule.enforcing",
            format!(
                "affinity group {} confines {} ({}) to hosts of {} with an enforcing rule",
                group.name,
                count(group.vms.len(), "VM", "VMs"),
                name_list(vms, LIST_LIMIT),
                sites.name(site)
            ),
            help,
        );
    }
    for (id, vm) in inventory.vms.iter() {
        if vm.placement != Placement::Pinned {
            continue;
        }
        let hosts = if vm.placement_hosts.is_empty() {
            vm.host.into_iter().collect()
        } else {
            vm.placement_hosts.clone()
        };
        if let Some(site) = sites.single_site(hosts.iter().copied()) {
            sink.report_key(
                Subject::Vm(id),
                "placement",
                format!(
                    "vm {} is pinned to {} of {}",
                    vm.name,
                    name_list(hosts.iter().map(|&h| inventory.hosts[h].name()), LIST_LIMIT),
                    sites.name(site)
                ),
                "make the VM migratable (placement = \"migratable\") so it can restart in the other site",
            );
        }
    }
    for (id, label) in inventory.affinity_labels.iter() {
        let old_cluster = label.vms.iter().any(|&vm| {
            inventory.vms[vm]
                .cluster
                .and_then(|c| inventory.clusters[c].compatibility)
                .is_some_and(|v| v <= LABEL_IS_HARD_UP_TO)
        });
        if !old_cluster {
            continue;
        }
        if let Some(site) = sites.single_site(label.hosts.iter().copied()) {
            sink.report(
                Subject::AffinityLabel(id),
                format!(
                    "affinity label {} confines {} to hosts of {} (labels are enforcing at cluster compatibility {LABEL_IS_HARD_UP_TO} and lower)",
                    label.name,
                    count(label.vms.len(), "VM", "VMs"),
                    sites.name(site)
                ),
                "replace the label with an affinity group whose VM-to-host rule is soft",
            );
        }
    }
}
