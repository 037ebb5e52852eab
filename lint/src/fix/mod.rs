//! Fixes as code: the changes that make mechanical findings go away, computed once from the
//! inventory and written out for the source they came from.
//!
//! [`plan`] turns findings into [`Edit`]s (source independent: "vm X gets a lease on domain
//! D"); [`design::apply`] writes them into a design TOML keeping its comments, order and
//! formatting; [`ansible::playbook`] writes them as an Ansible playbook for the `ovirt.ovirt`
//! collection, for exports and live engines. Findings that need a human decision (capacity,
//! networks, storage replication, engine HA) are returned as [`Manual`] with their help.

pub mod ansible;
pub mod design;
mod rules;

use std::collections::BTreeMap;

use stretchdr_model::{
    AffinityGroupId, ClusterId, EntityId, HostId, Inventory, SiteId, StorageDomainId, VmId,
};

use crate::finding::Finding;

pub use rules::{FIXES, Fix, fix_for};

/// One change to one entity's configuration.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Edit {
    /// The VM's lease goes on `domain`.
    Lease { vm: VmId, domain: StorageDomainId },
    /// The VM is killed, not resumed, after a storage error (`resume_behaviour = "kill"`).
    ResumeKill { vm: VmId },
    /// The group's VM-to-host rule stops enforcing (stays enabled and positive).
    HostsRuleSoft { group: AffinityGroupId },
    /// The VM joins a soft positive VM-to-host group of the hosts of its site.
    JoinSiteGroup { vm: VmId, group: SiteGroup },
    /// The host's SPM priority changes.
    SpmPriority { host: HostId, from: i32, to: i32 },
    /// The cluster's `skip_if_connectivity_broken` setting changes.
    Fencing {
        cluster: ClusterId,
        skip_if_connectivity_broken: bool,
        threshold: u32,
    },
    /// The cluster migrates the VMs of a non-operational host (`on_error = "migrate"`).
    OnErrorMigrate { cluster: ClusterId },
}

/// The soft site group a VM joins: one the inventory has, or a new one per site and cluster.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum SiteGroup {
    Existing(AffinityGroupId),
    New {
        name: String,
        cluster: ClusterId,
        site: SiteId,
        /// The hosts of the cluster in the site, in id order.
        hosts: Vec<HostId>,
    },
}

impl SiteGroup {
    /// The group's name.
    pub fn name<'a>(&'a self, inventory: &'a Inventory) -> &'a str {
        match self {
            SiteGroup::Existing(id) => &inventory.affinity_groups[*id].name,
            SiteGroup::New { name, .. } => name,
        }
    }
}

/// How the `AA015` fix resolves fencing that a site loss would block.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum FencingFix {
    /// Turn `skip_if_connectivity_broken` off (the rule's "Use instead").
    #[default]
    SkipOff,
    /// Keep the skip and raise its threshold just above the largest site's share of the hosts.
    RaiseThreshold,
}

/// Choices the fixes leave to the caller.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    pub fencing: FencingFix,
}

/// A finding and the edits that resolve it.
#[derive(Clone, Debug)]
pub struct Fixed {
    pub finding: Finding,
    pub edits: Vec<Edit>,
}

/// A finding no edit resolves: it needs a decision, and `why` says which.
#[derive(Clone, Debug)]
pub struct Manual {
    pub finding: Finding,
    pub why: String,
}

/// What `stretchdr fix` will do.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    pub fixed: Vec<Fixed>,
    pub manual: Vec<Manual>,
}

impl Plan {
    /// Every edit once, in a stable order.
    pub fn edits(&self) -> Vec<&Edit> {
        let mut edits: Vec<&Edit> = self.fixed.iter().flat_map(|f| f.edits.iter()).collect();
        edits.sort();
        edits.dedup();
        edits
    }
}

/// The edits that resolve each finding of a fixable rule; the other findings are [`Manual`].
pub fn plan(inventory: &Inventory, findings: &[Finding], options: Options) -> Plan {
    let mut planner = rules::Planner::new(inventory, options);
    let mut out = Plan::default();
    for finding in findings {
        let outcome = match fix_for(finding.code) {
            None => Err(format!(
                "needs a human decision ({} has no mechanical fix): {}",
                finding.code, finding.help
            )),
            Some(_) => planner.plan(finding),
        };
        match outcome {
            Ok(edits) => out.fixed.push(Fixed {
                finding: finding.clone(),
                edits,
            }),
            Err(why) => out.manual.push(Manual {
                finding: finding.clone(),
                why,
            }),
        }
    }
    out
}

/// The entity a finding is about, by kind and name; `origin` tells apart entities that share
/// a name (affinity groups are named per cluster).
pub(crate) fn entity<I: EntityId, T: stretchdr_model::Named>(
    arena: &stretchdr_model::Arena<I, T>,
    finding: &Finding,
    origin_of: impl Fn(&T) -> Option<stretchdr_model::Origin>,
) -> Option<I> {
    let mut first = None;
    for (id, item) in arena.iter() {
        if item.name() != finding.entity.name {
            continue;
        }
        if finding.origin.is_some() && origin_of(item) == finding.origin {
            return Some(id);
        }
        first.get_or_insert(id);
    }
    first
}

/// Hosts per cluster and active site, for the SPM and fencing fixes.
pub(crate) fn hosts_per_site(
    inventory: &Inventory,
    site_of: impl Fn(HostId) -> Option<SiteId>,
) -> BTreeMap<(ClusterId, SiteId), usize> {
    let mut counts = BTreeMap::new();
    for (id, host) in inventory.hosts.iter() {
        if let (Some(cluster), Some(site)) = (host.cluster, site_of(id)) {
            *counts.entry((cluster, site)).or_insert(0) += 1;
        }
    }
    counts
}
