use stretchdr_model::Inventory;

use super::{LIST_LIMIT, Sites, count, name_list};
use crate::policy::Policy;
use crate::rule::{Sink, Subject, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds active sites whose hosts all have SPM priority -1 (never SPM).
    ///
    /// ## Why is this bad?
    /// When the other site is lost, no host left can become the Storage Pool Manager. The data
    /// center stays without an SPM for the whole outage: no disks can be created, extended,
    /// copied or snapshotted, and thin-provisioned block disks that need extending pause their
    /// VMs.
    ///
    /// ## Example
    /// ```toml
    /// [[host]]
    /// name = "b1"
    /// site = "site-b"
    /// spm_priority = -1
    /// ```
    ///
    /// Use instead: a low but non-negative priority, so the site can take the role when needed.
    /// ```toml
    /// [[host]]
    /// name = "b1"
    /// site = "site-b"
    /// spm_priority = 2
    /// ```
    ///
    /// ## References
    /// - Red Hat Virtualization 4.4 Disaster Recovery Guide, "Storage Considerations"
    ///   (active-active): the secondary site's hosts take over the SPM role when the primary
    ///   site fails.
    ///   https://access.redhat.com/documentation/en-us/red_hat_virtualization/4.4/html/disaster_recovery_guide/storage_considerations_active_active
    /// - oVirt REST API model, `Host.spm.priority`: -1 means the host is never SPM.
    pub struct NoSpmCandidateOnSite {
        code: "AA008",
        name: "no-spm-candidate-on-site",
        level: Warning,
        requires_sites: true,
    }
}

fn check(inventory: &Inventory, _policy: &Policy, sink: &mut Sink) {
    let sites = Sites::new(inventory);
    for &site in &sites.active {
        let hosts: Vec<&str> = inventory
            .site_hosts(site)
            .map(|(_, host)| host)
            .filter(|host| host.spm_priority < 0)
            .map(|host| host.name.as_str())
            .collect();
        let total = inventory.site_hosts(site).count();
        if total == 0 || hosts.len() < total {
            continue;
        }
        sink.report(
            Subject::Site(site),
            format!(
                "site {} has no SPM candidate: all {} ({}) have SPM priority -1",
                sites.name(site),
                count(total, "host", "hosts"),
                name_list(hosts, LIST_LIMIT)
            ),
            "give at least one host of the site an SPM priority of 0 or more",
        );
    }
}
