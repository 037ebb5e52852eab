//! `AA`: active-active stretch clusters (one oVirt cluster whose hosts span two sites).
//!
//! Shared by the rules of the family: which active site a host sits in, which clusters are
//! stretched, per-VM affinity to a site, and the way lists of names are written in messages.
//! Everything is computed in one pass over the entities, so rules stay linear.

pub mod fencing_blocked_on_site_loss;
pub mod ha_vm_without_lease;
pub mod hard_vm_host_affinity;
pub mod hosted_engine_one_site;
pub mod hosts_split_l2;
pub mod lease_domain_not_replicated;
pub mod lease_resume_not_kill;
pub mod local_storage_domain;
pub mod no_soft_site_affinity;
pub mod no_spm_candidate_on_site;
pub mod no_storage_witness;
pub mod resilience_policy_do_not_migrate;
pub mod site_capacity_shortfall;
pub mod site_rtt_over_ceiling;
pub mod sites_unknown;
pub mod spm_priority_not_site_ordered;
pub mod standalone_engine_not_ha;
pub mod storage_not_writable_both_sites;
pub mod vm_network_not_stretched;
pub mod vm_not_highly_available;

use stretchdr_model::inventory::{AffinityGroup, Placement, SiteRole};
use stretchdr_model::{ClusterId, EntityId, HostId, Inventory, SiteId};

/// The sites of an inventory as the rules see them: active (primary and secondary) sites,
/// the active site of each host and the active sites of each cluster.
pub(crate) struct Sites<'a> {
    inventory: &'a Inventory,
    /// Primary and secondary sites, in id order; witness sites run no workload.
    pub active: Vec<SiteId>,
    host_site: Vec<Option<SiteId>>,
    cluster_sites: Vec<Vec<SiteId>>,
}

impl<'a> Sites<'a> {
    pub fn new(inventory: &'a Inventory) -> Sites<'a> {
        let active: Vec<SiteId> = inventory
            .sites
            .iter()
            .filter(|(_, site)| site.role != SiteRole::Witness)
            .map(|(id, _)| id)
            .collect();
        let host_site: Vec<Option<SiteId>> = inventory
            .hosts
            .values()
            .map(|host| host.site.filter(|site| active.contains(site)))
            .collect();
        let mut cluster_sites = vec![Vec::new(); inventory.clusters.len()];
        for (host, site) in inventory.hosts.values().zip(&host_site) {
            if let (Some(cluster), Some(site)) = (host.cluster, site) {
                let sites: &mut Vec<SiteId> = &mut cluster_sites[cluster.index()];
                if !sites.contains(site) {
                    sites.push(*site);
                }
            }
        }
        for sites in &mut cluster_sites {
            sites.sort();
        }
        Sites {
            inventory,
            active,
            host_site,
            cluster_sites,
        }
    }

    /// The active site of a host (`None` for hosts in no site or in a witness site).
    pub fn of_host(&self, host: HostId) -> Option<SiteId> {
        self.host_site[host.index()]
    }

    /// The active sites holding hosts of a cluster, in id order.
    pub fn of_cluster(&self, cluster: ClusterId) -> &[SiteId] {
        &self.cluster_sites[cluster.index()]
    }

    /// A cluster whose hosts sit in two or more active sites.
    pub fn is_stretch(&self, cluster: Option<ClusterId>) -> bool {
        cluster.is_some_and(|c| self.of_cluster(c).len() >= 2)
    }

    /// The one active site all of `hosts` sit in; `None` when there are no hosts, some host
    /// is in no active site, or they span sites.
    pub fn single_site(&self, hosts: impl IntoIterator<Item = HostId>) -> Option<SiteId> {
        let mut found = None;
        for host in hosts {
            let site = self.of_host(host)?;
            match found {
                None => found = Some(site),
                Some(previous) if previous != site => return None,
                Some(_) => {}
            }
        }
        found
    }

    /// The active sites not in `sites`.
    pub fn missing_from(&self, sites: &[SiteId]) -> Vec<SiteId> {
        self.active
            .iter()
            .copied()
            .filter(|site| !sites.contains(site))
            .collect()
    }

    pub fn name(&self, site: SiteId) -> &'a str {
        &self.inventory.sites[site].name
    }

    /// `site-a`, `site-a and site-b`, `site-a, site-b and site-c`.
    pub fn names(&self, sites: &[SiteId]) -> String {
        name_list(sites.iter().map(|&s| self.name(s)), usize::MAX)
    }
}

/// Names joined for a message: `db01`, `db01 and db02`, `db01, db02, db03 and 7 more`.
pub(crate) fn name_list<'n>(names: impl IntoIterator<Item = &'n str>, limit: usize) -> String {
    let names: Vec<&str> = names.into_iter().collect();
    let shown = names.len().min(limit);
    let rest = names.len() - shown;
    let mut parts: Vec<String> = names[..shown].iter().map(|n| n.to_string()).collect();
    if rest > 0 {
        parts.push(format!("{rest} more"));
    }
    match parts.len() {
        0 => String::new(),
        1 => parts.remove(0),
        n => format!("{} and {}", parts[..n - 1].join(", "), parts[n - 1]),
    }
}

/// Names as a TOML array of strings, for help that shows the line to write:
/// `["site-a", "site-b"]`.
pub(crate) fn toml_list<'n>(names: impl IntoIterator<Item = &'n str>) -> String {
    let quoted: Vec<String> = names
        .into_iter()
        .map(|name| toml::Value::from(name).to_string())
        .collect();
    format!("[{}]", quoted.join(", "))
}

/// How many names a message lists before "and N more".
pub(crate) const LIST_LIMIT: usize = 3;

/// `1 VM`, `3 VMs`.
pub(crate) fn count(n: usize, singular: &str, plural: &str) -> String {
    format!("{n} {}", if n == 1 { singular } else { plural })
}

/// What ties each VM to a site, from its placement and its VM-to-host affinity groups.
pub(crate) struct SiteAffinity {
    /// A soft (non-enforcing) positive VM-to-host rule to the hosts of one site.
    pub soft: Vec<bool>,
    /// Confined to one site: an enforcing positive VM-to-host rule to hosts of one site, or
    /// pinned placement.
    pub hard: Vec<bool>,
}

impl SiteAffinity {
    pub fn new(inventory: &Inventory, sites: &Sites<'_>) -> SiteAffinity {
        let mut soft = vec![false; inventory.vms.len()];
        let mut hard = vec![false; inventory.vms.len()];
        for group in inventory.affinity_groups.values() {
            if group_site(inventory, sites, group).is_none() {
                continue;
            }
            let marks = if group.hosts_rule.is_hard_positive() {
                &mut hard
            } else if group.hosts_rule.is_soft_positive() {
                &mut soft
            } else {
                continue;
            };
            for vm in &group.vms {
                marks[vm.index()] = true;
            }
        }
        for (id, vm) in inventory.vms.iter() {
            if vm.placement == Placement::Pinned {
                hard[id.index()] = true;
            }
        }
        SiteAffinity { soft, hard }
    }
}

/// The one active site holding every host of an affinity group (its hosts and the hosts of its
/// labels); `None` when it has no hosts or they span sites.
pub(crate) fn group_site(
    inventory: &Inventory,
    sites: &Sites<'_>,
    group: &AffinityGroup,
) -> Option<SiteId> {
    let label_hosts = group
        .labels
        .iter()
        .flat_map(|&label| inventory.affinity_labels[label].hosts.iter().copied());
    sites.single_site(group.hosts.iter().copied().chain(label_hosts))
}
