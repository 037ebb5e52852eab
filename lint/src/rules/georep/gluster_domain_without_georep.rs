use stretchdr_model::Inventory;
use stretchdr_model::inventory::{DomainType, Replication, StorageType};

use crate::policy::Policy;
use crate::rule::{Sink, Subject, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds gluster data domains with no geo-replication session. Domains whose storage is
    /// replicated synchronously and writable at two or more sites (a stretched gluster volume
    /// of an active-active setup) are left to the `AA` rules. A bare export (no sites known)
    /// carries no geo-replication sessions, so the rule stays silent there rather than guess.
    ///
    /// ## Why is this bad?
    /// Without a session nothing keeps a copy of the domain's data at another site: when the
    /// site holding the volume is lost, so are the disks of every VM on the domain, and the
    /// secondary site has nothing to import and start.
    ///
    /// ## Example
    /// ```toml
    /// [[storage_domain]]
    /// name = "vmstore"
    /// storage = "glusterfs"
    /// gluster = { volume = "vmstore" }
    /// ```
    ///
    /// Use instead: a geo-replication session to a volume at the secondary site, run by the
    /// engine's remote data sync.
    /// ```toml
    /// [[storage_domain.georep]]
    /// secondary_volume = "vmstore-dr"
    /// secondary_site = "site-b"
    /// schedule = "0 0 1 * * ? *"    # daily at 01:00
    /// ```
    ///
    /// ## References
    /// - oVirt feature "Disaster Recovery for Gluster based storage domains": data is synced to
    ///   a secondary site with gluster geo-replication, on a schedule the user configures.
    ///   https://www.ovirt.org/develop/release-management/features/gluster/gluster-dr.html
    pub struct GlusterDomainWithoutGeorep {
        code: "GR001",
        name: "gluster-domain-without-georep",
        level: Warning,
        requires_sites: false,
    }
}

fn check(inventory: &Inventory, _policy: &Policy, sink: &mut Sink) {
    // Sessions come from a design or overlay, which also names the sites.
    if !inventory.has_sites() {
        return;
    }
    for (id, domain) in inventory.storage_domains.iter() {
        if domain.storage != StorageType::Glusterfs || domain.domain_type != DomainType::Data {
            continue;
        }
        let stretched =
            domain.replication == Some(Replication::Sync) && domain.writable_at.len() >= 2;
        if stretched
            || domain
                .gluster
                .as_ref()
                .is_some_and(|v| !v.georep.is_empty())
        {
            continue;
        }
        let volume = domain
            .gluster
            .as_ref()
            .map_or(String::new(), |v| format!(" (volume {})", v.volume));
        sink.report_key(
            Subject::StorageDomain(id),
            "gluster",
            format!(
                "gluster data domain {}{volume} has no geo-replication session: no copy of its data is kept at another site",
                domain.name
            ),
            "set up remote data sync to a volume at the secondary site ([[storage_domain.georep]])",
        );
    }
}
