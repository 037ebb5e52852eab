use std::collections::BTreeMap;

use stretchdr_model::inventory::SiteRole;
use stretchdr_model::{DataCenterId, HostId, Inventory};

use super::Sites;
use crate::policy::Policy;
use crate::rule::{Sink, Subject, declare_rule};

declare_rule! {
    /// ## What it does
    /// Compares SPM priorities per data center: every secondary-site host must have a lower
    /// priority than every primary-site host that can be SPM (priority -1, never SPM, is left
    /// out). Each secondary host at or above the lowest primary priority is reported, naming
    /// both hosts and values.
    ///
    /// ## Why is this bad?
    /// The engine elects the SPM among Up hosts by priority. If a secondary host can win, the
    /// SPM may sit in the secondary site; when that site, or the link to it, fails, the SPM is
    /// lost with it, and if its fencing device cannot be reached the primary site's hosts
    /// cannot take the role over: storage operations (disk creation, snapshots, lease
    /// handling) stop in the surviving site.
    ///
    /// ## Example
    /// ```toml
    /// [[host]]
    /// name = "a1"
    /// site = "site-a"     # primary
    /// spm_priority = 5
    ///
    /// [[host]]
    /// name = "b1"
    /// site = "site-b"     # secondary
    /// spm_priority = 5
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// [[host]]
    /// name = "a1"
    /// spm_priority = 7
    ///
    /// [[host]]
    /// name = "b1"
    /// spm_priority = 2
    /// ```
    ///
    /// ## References
    /// - Red Hat Virtualization 4.4 Disaster Recovery Guide, "Storage Considerations"
    ///   (active-active): give the primary site's hosts a higher SPM priority than the
    ///   secondary site's, so the SPM role stays in the primary site.
    ///   https://access.redhat.com/documentation/en-us/red_hat_virtualization/4.4/html/disaster_recovery_guide/storage_considerations_active_active
    /// - oVirt Disaster Recovery Guide, "Active-Active Overview".
    ///   https://ovirt.org/documentation/disaster_recovery_guide
    pub struct SpmPriorityNotSiteOrdered {
        code: "AA007",
        name: "spm-priority-not-site-ordered",
        level: Warning,
        requires_sites: true,
    }
}

fn check(inventory: &Inventory, _policy: &Policy, sink: &mut Sink) {
    let sites = Sites::new(inventory);
    let role = |host: HostId| sites.of_host(host).map(|s| inventory.sites[s].role);
    // The primary host with the lowest SPM priority that can be SPM, per data center.
    let mut lowest_primary: BTreeMap<Option<DataCenterId>, HostId> = BTreeMap::new();
    for (id, host) in inventory.hosts.iter() {
        if role(id) != Some(SiteRole::Primary) || host.spm_priority < 0 {
            continue;
        }
        let pool = data_center(inventory, id);
        let entry = lowest_primary.entry(pool).or_insert(id);
        if host.spm_priority < inventory.hosts[*entry].spm_priority {
            *entry = id;
        }
    }
    for (id, host) in inventory.hosts.iter() {
        if role(id) != Some(SiteRole::Secondary) {
            continue;
        }
        let Some(&primary_id) = lowest_primary.get(&data_center(inventory, id)) else {
            continue;
        };
        let primary = &inventory.hosts[primary_id];
        if host.spm_priority < primary.spm_priority {
            continue;
        }
        let relation = if host.spm_priority == primary.spm_priority {
            "equal to"
        } else {
            "above"
        };
        sink.report_key(
            Subject::Host(id),
            "spm_priority",
            format!(
                "host {} has SPM priority {}, {relation} primary host {}'s {}",
                host.name, host.spm_priority, primary.name, primary.spm_priority
            ),
            "give every primary-site host a higher SPM priority than any secondary-site host (e.g. primary 7, secondary 2)",
        );
    }
}

/// The data center a host's SPM election happens in (`None` when the inventory has none).
pub(crate) fn data_center(inventory: &Inventory, host: HostId) -> Option<DataCenterId> {
    inventory.hosts[host]
        .cluster
        .and_then(|c| inventory.clusters[c].data_center)
}
