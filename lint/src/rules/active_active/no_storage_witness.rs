use stretchdr_model::Inventory;
use stretchdr_model::inventory::{Replication, SiteRole};

use super::Sites;
use crate::policy::Policy;
use crate::rule::{Sink, Subject, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds synchronously replicated storage domains writable at two or more sites with no
    /// witness in a third site (a site of role `witness`) to arbitrate between them.
    ///
    /// ## Why is this bad?
    /// When the link between the sites breaks, each storage side sees its peer vanish. Without
    /// a tie-breaker outside both sites, either both sides keep accepting writes (split brain:
    /// two diverging copies of every disk) or both stop, so the partition takes the whole
    /// cluster down, not only one site.
    ///
    /// ## Example
    /// ```toml
    /// [[storage_domain]]
    /// name = "data1"
    /// replication = "sync"
    /// writable_at = ["site-a", "site-b"]
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// [[site]]
    /// name = "site-c"
    /// role = "witness"
    ///
    /// [[storage_domain]]
    /// name = "data1"
    /// replication = "sync"
    /// writable_at = ["site-a", "site-b"]
    /// witness = "site-c"
    /// ```
    ///
    /// ## References
    /// - oVirt Disaster Recovery Guide, "Active-Active Overview", storage considerations:
    ///   replicated storage writable at both sites (its vendor's quorum or arbiter decides which
    ///   side survives a partition). https://ovirt.org/documentation/disaster_recovery_guide
    /// - Gluster documentation, "Arbiter volumes and quorum options": a third brick prevents
    ///   split brain in replica volumes.
    pub struct NoStorageWitness {
        code: "AA018",
        name: "no-storage-witness",
        level: Warning,
        requires_sites: true,
    }
}

fn check(inventory: &Inventory, _policy: &Policy, sink: &mut Sink) {
    let sites = Sites::new(inventory);
    // A site that can be the witness: the first of role witness, else a placeholder.
    let witness_site = toml::Value::from(
        inventory
            .sites
            .values()
            .find(|s| s.role == SiteRole::Witness)
            .map_or("<site of role witness>", |s| s.name.as_str()),
    )
    .to_string();
    for (id, domain) in inventory.storage_domains.iter() {
        let writable = domain
            .writable_at
            .iter()
            .filter(|site| sites.active.contains(site))
            .count();
        if domain.replication != Some(Replication::Sync) || writable < 2 {
            continue;
        }
        let problem = match domain.witness {
            None => "has no witness".to_string(),
            Some(witness) if domain.writable_at.contains(&witness) => format!(
                "has its witness in {}, one of the sites it arbitrates",
                inventory.sites[witness].name
            ),
            Some(witness) if inventory.sites[witness].role != SiteRole::Witness => format!(
                "has its witness in {}, an active site rather than one of role witness",
                inventory.sites[witness].name
            ),
            Some(_) => continue,
        };
        sink.report_key(
            Subject::StorageDomain(id),
            "witness",
            format!(
                "storage domain {} is written at {} sites and {problem}: a site partition can split the brain",
                domain.name, writable
            ),
            format!(
                "place a quorum witness or arbiter for the replication in a third site (witness = {witness_site})"
            ),
        );
    }
}
