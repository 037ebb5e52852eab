//! One [`Fix`] per fixable rule: what it changes, and the planning of its edits.

use std::collections::BTreeMap;

use stretchdr_model::inventory::{DomainType, Replication, ResumeBehaviour, SiteRole};
use stretchdr_model::{
    AffinityGroupId, ClusterId, DataCenterId, HostId, Inventory, SiteId, StorageDomainId, VmId,
};

use super::{Edit, FencingFix, Options, SiteGroup, entity, hosts_per_site};
use crate::finding::{EntityKind, Finding};
use crate::rules::active_active::spm_priority_not_site_ordered::data_center;
use crate::rules::active_active::{Sites, group_site};

/// What the fix of one rule changes.
#[derive(Clone, Copy, Debug)]
pub struct Fix {
    pub code: &'static str,
    /// One sentence, for `stretchdr fix` and the catalogue.
    pub summary: &'static str,
}

/// Every rule with a mechanical fix, in code order.
pub static FIXES: &[Fix] = &[
    Fix {
        code: "AA003",
        summary: "gives the VM a lease on its synchronously replicated disk domain writable at every site, and kill as its resume behaviour",
    },
    Fix {
        code: "AA005",
        summary: "makes the affinity group's VM-to-host rule soft (enforcing = false)",
    },
    Fix {
        code: "AA006",
        summary: "adds the VM to a soft positive VM-to-host group of the hosts of the site it runs in, creating one per site and cluster when none exists",
    },
    Fix {
        code: "AA007",
        summary: "re-orders SPM priorities per data center so every primary-site host is above every secondary-site host, changing as few hosts as it can; -1 is kept",
    },
    Fix {
        code: "AA012",
        summary: "moves the VM's lease to its synchronously replicated disk domain writable at every site",
    },
    Fix {
        code: "AA014",
        summary: "sets the VM's resume behaviour to kill",
    },
    Fix {
        code: "AA015",
        summary: "turns skip_if_connectivity_broken off, or raises its threshold above the largest site's share of the cluster's hosts (--fencing)",
    },
    Fix {
        code: "AA019",
        summary: "sets the cluster's resilience policy to migrate",
    },
];

/// The fix of a rule, by code.
pub fn fix_for(code: &str) -> Option<&'static Fix> {
    FIXES.iter().find(|fix| fix.code == code)
}

/// Plans edits finding by finding, computing what several findings share (the SPM order of a
/// data center, the site groups) once.
pub(crate) struct Planner<'a> {
    inventory: &'a Inventory,
    sites: Sites<'a>,
    options: Options,
    /// AA007: the new priority of each host whose priority changes, per data center.
    spm_orders: BTreeMap<Option<DataCenterId>, BTreeMap<HostId, i32>>,
    /// AA007: data centers whose primary-host raises are already attached to a finding.
    spm_raises_given: Vec<Option<DataCenterId>>,
    /// AA006: the group each (cluster, site) pair's VMs join.
    site_groups: BTreeMap<(ClusterId, SiteId), SiteGroup>,
}

impl<'a> Planner<'a> {
    pub fn new(inventory: &'a Inventory, options: Options) -> Planner<'a> {
        Planner {
            inventory,
            sites: Sites::new(inventory),
            options,
            spm_orders: BTreeMap::new(),
            spm_raises_given: Vec::new(),
            site_groups: BTreeMap::new(),
        }
    }

    /// The edits resolving `finding` (of a rule in [`FIXES`]), or why none can.
    pub fn plan(&mut self, finding: &Finding) -> Result<Vec<Edit>, String> {
        let inv = self.inventory;
        let not_found = || {
            format!(
                "{} {} is not in the inventory",
                finding.entity.kind.as_str(),
                finding.entity.name
            )
        };
        match (finding.code, finding.entity.kind) {
            ("AA003", EntityKind::Vm) => {
                let vm = entity(&inv.vms, finding, |v| v.origin).ok_or_else(not_found)?;
                let mut edits = vec![Edit::Lease {
                    vm,
                    domain: self.lease_domain(vm)?,
                }];
                if inv.vms[vm].resume_behaviour != ResumeBehaviour::Kill {
                    edits.push(Edit::ResumeKill { vm });
                }
                Ok(edits)
            }
            ("AA012", EntityKind::Vm) => {
                let vm = entity(&inv.vms, finding, |v| v.origin).ok_or_else(not_found)?;
                Ok(vec![Edit::Lease {
                    vm,
                    domain: self.lease_domain(vm)?,
                }])
            }
            ("AA014", EntityKind::Vm) => {
                let vm = entity(&inv.vms, finding, |v| v.origin).ok_or_else(not_found)?;
                Ok(vec![Edit::ResumeKill { vm }])
            }
            ("AA005", EntityKind::AffinityGroup) => {
                let group =
                    entity(&inv.affinity_groups, finding, |g| g.origin).ok_or_else(not_found)?;
                Ok(vec![Edit::HostsRuleSoft { group }])
            }
            ("AA005", _) => Err(format!(
                "needs a human decision: pinned placement and affinity labels are often there for a reason (host devices, licences); {}",
                finding.help
            )),
            ("AA006", EntityKind::Vm) => {
                let vm = entity(&inv.vms, finding, |v| v.origin).ok_or_else(not_found)?;
                let group = self.site_group(vm)?;
                Ok(vec![Edit::JoinSiteGroup { vm, group }])
            }
            ("AA007", EntityKind::Host) => {
                let host = entity(&inv.hosts, finding, |h| h.origin).ok_or_else(not_found)?;
                self.spm_edits(host)
            }
            ("AA015", EntityKind::Cluster) => {
                let cluster = entity(&inv.clusters, finding, |c| c.origin).ok_or_else(not_found)?;
                Ok(vec![self.fencing_edit(cluster)])
            }
            ("AA019", EntityKind::Cluster) => {
                let cluster = entity(&inv.clusters, finding, |c| c.origin).ok_or_else(not_found)?;
                Ok(vec![Edit::OnErrorMigrate { cluster }])
            }
            _ => Err(format!("needs a human decision: {}", finding.help)),
        }
    }

    /// The VM's first disk domain that is a data domain replicated synchronously and writable
    /// at every active site.
    fn lease_domain(&self, vm: VmId) -> Result<StorageDomainId, String> {
        let inv = self.inventory;
        let vm = &inv.vms[vm];
        vm.disks
            .iter()
            .copied()
            .find(|&d| {
                let domain = &inv.storage_domains[d];
                domain.domain_type == DomainType::Data
                    && domain.replication == Some(Replication::Sync)
                    && self.sites.missing_from(&domain.writable_at).is_empty()
                    && Some(d) != vm.lease
            })
            .ok_or_else(|| {
                format!(
                    "needs a human decision: none of vm {}'s disk domains is a data domain replicated synchronously and writable at every site; choose the lease's domain (or replicate the storage)",
                    vm.name
                )
            })
    }

    /// The soft group of the hosts of the VM's site in its cluster: an existing one (soft
    /// positive VM-to-host, no VM-to-VM rule, all hosts in that site), else a new one.
    fn site_group(&mut self, vm_id: VmId) -> Result<SiteGroup, String> {
        let inv = self.inventory;
        let vm = &inv.vms[vm_id];
        let site = vm.host.and_then(|h| self.sites.of_host(h)).ok_or_else(|| {
            format!(
                "needs a human decision: vm {} runs on no host of a site, so its preferred site is not known; add it to the soft group of the site it should run in",
                vm.name
            )
        })?;
        let cluster = vm
            .cluster
            .ok_or_else(|| format!("needs a human decision: vm {} has no cluster", vm.name))?;
        if let Some(group) = self.site_groups.get(&(cluster, site)) {
            return Ok(group.clone());
        }
        let existing: Option<AffinityGroupId> = inv
            .affinity_groups
            .iter()
            .find(|(_, g)| {
                g.cluster == Some(cluster)
                    && g.hosts_rule.is_soft_positive()
                    && !g.vms_rule.enabled
                    && group_site(inv, &self.sites, g) == Some(site)
            })
            .map(|(id, _)| id);
        let group = match existing {
            Some(id) => SiteGroup::Existing(id),
            None => {
                let base = format!(
                    "{}-prefer-{}",
                    inv.clusters[cluster].name, inv.sites[site].name
                );
                let mut name = base.clone();
                let mut n = 2;
                while inv.affinity_groups.values().any(|g| g.name == name)
                    || self
                        .site_groups
                        .values()
                        .any(|g| matches!(g, SiteGroup::New { name: other, .. } if *other == name))
                {
                    name = format!("{base}-{n}");
                    n += 1;
                }
                let hosts = inv
                    .cluster_hosts(cluster)
                    .filter(|(id, _)| self.sites.of_host(*id) == Some(site))
                    .map(|(id, _)| id)
                    .collect();
                SiteGroup::New {
                    name,
                    cluster,
                    site,
                    hosts,
                }
            }
        };
        self.site_groups.insert((cluster, site), group.clone());
        Ok(group)
    }

    /// The SPM edits of a secondary host's finding: its own lowering, and the first finding of
    /// a data center also carries the primary hosts raised for it.
    fn spm_edits(&mut self, host: HostId) -> Result<Vec<Edit>, String> {
        let inv = self.inventory;
        let dc = data_center(inv, host);
        let order = self
            .spm_orders
            .entry(dc)
            .or_insert_with(|| spm_order(inv, &self.sites, dc))
            .clone();
        let edit = |h: HostId, to: i32| Edit::SpmPriority {
            host: h,
            from: inv.hosts[h].spm_priority,
            to,
        };
        let mut edits = Vec::new();
        if let Some(&to) = order.get(&host) {
            edits.push(edit(host, to));
        }
        if !self.spm_raises_given.contains(&dc) {
            self.spm_raises_given.push(dc);
            for (&h, &to) in &order {
                if to > inv.hosts[h].spm_priority {
                    edits.push(edit(h, to));
                }
            }
        }
        // Empty when the data center's order raises primary hosts instead: an earlier
        // finding of the same data center carries those edits.
        Ok(edits)
    }

    fn fencing_edit(&self, cluster: ClusterId) -> Edit {
        let inv = self.inventory;
        let current = inv.clusters[cluster].fencing;
        let skip_off = Edit::Fencing {
            cluster,
            skip_if_connectivity_broken: false,
            threshold: current.threshold,
        };
        if self.options.fencing == FencingFix::SkipOff {
            return skip_off;
        }
        let counts = hosts_per_site(inv, |h| self.sites.of_host(h));
        let all = inv.cluster_hosts(cluster).count();
        let largest = counts
            .iter()
            .filter(|((c, _), _)| *c == cluster)
            .map(|(_, &n)| n)
            .max()
            .unwrap_or(0);
        // Fencing is skipped when unreachable * 100 >= threshold * all: the threshold must be
        // above the largest site's share.
        let threshold = (largest * 100 / all.max(1) + 1) as u32;
        if threshold > 100 {
            return skip_off;
        }
        Edit::Fencing {
            cluster,
            skip_if_connectivity_broken: true,
            threshold,
        }
    }
}

/// The new SPM priority of each host that changes in data center `dc`: a threshold T with
/// every primary host at or above it and every secondary host below, chosen to change the
/// fewest hosts (ties: the lowest primary priority as it is, then the highest T). Primary hosts
/// below T are raised to T; secondary hosts at or above T are lowered to the highest secondary
/// priority below T, else T - 1. Priority -1 (never SPM) is kept.
fn spm_order(
    inventory: &Inventory,
    sites: &Sites<'_>,
    dc: Option<DataCenterId>,
) -> BTreeMap<HostId, i32> {
    let role = |h: HostId| sites.of_host(h).map(|s| inventory.sites[s].role);
    let mut primary: Vec<(HostId, i32)> = Vec::new();
    let mut secondary: Vec<(HostId, i32)> = Vec::new();
    for (id, host) in inventory.hosts.iter() {
        if host.spm_priority < 0 || data_center(inventory, id) != dc {
            continue;
        }
        match role(id) {
            Some(SiteRole::Primary) => primary.push((id, host.spm_priority)),
            Some(SiteRole::Secondary) => secondary.push((id, host.spm_priority)),
            _ => {}
        }
    }
    let lowest_primary = primary.iter().map(|&(_, p)| p).min().unwrap_or(0);
    let cost = |t: i32| {
        primary.iter().filter(|&&(_, p)| p < t).count()
            + secondary.iter().filter(|&&(_, s)| s >= t).count()
    };
    let best = (1..=10)
        .min_by_key(|&t| (cost(t), t != lowest_primary, std::cmp::Reverse(t)))
        .unwrap_or(lowest_primary.max(1));
    let below = secondary
        .iter()
        .map(|&(_, s)| s)
        .filter(|&s| s < best)
        .max()
        .unwrap_or(best - 1);
    let mut order = BTreeMap::new();
    for &(id, p) in &primary {
        if p < best {
            order.insert(id, best);
        }
    }
    for &(id, s) in &secondary {
        if s >= best {
            order.insert(id, below);
        }
    }
    order
}
