//! The engine's scheduler: hard filters decide where a VM may run, soft weights where it
//! should. One pass over the cluster's hosts; when no host passes, the reason is the filter
//! that removed the last candidates.

use smallvec::SmallVec;
use stretchdr_model::inventory::{AffinityRule, Placement};
use stretchdr_model::{EntityId, HostId, VmId};

use crate::outcome::Reason;
use crate::ovirt::{HostSet, HostState, Ovirt, VmState};

/// Extra limits of a placement request.
#[derive(Clone, Copy, Debug)]
pub enum Constraint<'c> {
    Any,
    /// Only these hosts (sorted): the affinity enforcer moving a VM into its group.
    Among(&'c [HostId]),
    /// Not these hosts (sorted): the enforcer moving a VM out of a negative group.
    Avoid(&'c [HostId]),
}

/// Why no host was chosen.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Rejection {
    Reason(Reason),
    /// Hosts would fit but have no free migration slot now.
    Busy,
}

/// The filters in the order the reason is decided.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Stage {
    Unusable,
    Pinned,
    HardAffinity,
    Storage,
    Network,
    Capacity,
    Busy,
    Pass,
}

impl Ovirt<'_> {
    /// The host the engine would run (or, with `migration`, migrate) `vm` on.
    pub fn place(
        &self,
        vm: VmId,
        constraint: Constraint<'_>,
        migration: bool,
    ) -> Result<HostId, Rejection> {
        let inv = self.inv;
        let config = &inv.vms[vm];
        let Some(cluster) = config.cluster else {
            return Err(Rejection::Reason(Reason::NoCapacity));
        };
        let overcommit = u64::from(inv.clusters[cluster].memory_overcommit_percent.max(1));
        let current = self.vms[vm.index()].host;
        let pinned_hosts: &[HostId] = match (config.placement, config.placement_hosts.is_empty()) {
            (Placement::Pinned, false) => &config.placement_hosts,
            (Placement::Pinned, true) => config.host.as_slice(),
            _ => &[],
        };
        let groups = &self.index.vm_groups[vm.index()];
        // Where the other members of each VM-to-VM rule run.
        let vm_rules: SmallVec<[(AffinityRule, HostList); 4]> = groups
            .iter()
            .map(|g| &inv.affinity_groups[*g])
            .filter(|g| g.vms_rule.enabled)
            .map(|g| {
                let hosts = g
                    .vms
                    .iter()
                    .filter(|m| **m != vm)
                    .filter_map(|m| {
                        let s = &self.vms[m.index()];
                        (s.alive && s.state != VmState::Down)
                            .then_some(s.host)
                            .flatten()
                    })
                    .collect();
                (g.vms_rule, hosts)
            })
            .collect();

        // VM-to-host rules of its groups, looked up once rather than per host.
        let host_rules: SmallVec<[(AffinityRule, &HostSet); 4]> = groups
            .iter()
            .filter(|g| inv.affinity_groups[**g].hosts_rule.enabled)
            .map(|g| {
                (
                    inv.affinity_groups[*g].hosts_rule,
                    &self.index.group_host_sets[g.index()],
                )
            })
            .collect();
        let request = Request {
            vm,
            constraint,
            migration,
            current,
            overcommit,
            pinned_hosts,
            host_rules: &host_rules,
            vm_rules: &vm_rules,
        };
        // Storage, networks and the engine's reach depend only on the host's site: decided
        // once per site.
        let mut site_stage: SmallVec<[Option<Stage>; 8]> =
            SmallVec::from_elem(None, inv.sites.len() + 1);
        let mut site_reached: SmallVec<[Option<bool>; 8]> =
            SmallVec::from_elem(None, inv.sites.len() + 1);

        let mut furthest = Stage::Unusable;
        let mut best: Option<(i64, u64, HostId)> = None;
        for &host in &self.index.cluster_hosts[cluster.index()] {
            let stage = self.check(&request, host, &mut site_stage, &mut site_reached);
            if stage != Stage::Pass {
                furthest = furthest.max(stage);
                continue;
            }
            let score = self.soft_score(&request, host);
            let capacity = memory_capacity(inv.hosts[host].memory_bytes, overcommit);
            let free = capacity.saturating_sub(self.hosts[host.index()].memory_used);
            let better = match best {
                None => true,
                Some((s, f, _)) => (score, free) > (s, f),
            };
            if better {
                best = Some((score, free, host));
            }
        }
        if let Some((_, _, host)) = best {
            return Ok(host);
        }
        Err(match furthest {
            Stage::Busy => Rejection::Busy,
            Stage::Pinned => Rejection::Reason(Reason::Pinned),
            Stage::HardAffinity => Rejection::Reason(Reason::HardAffinity),
            Stage::Storage => Rejection::Reason(Reason::StorageUnavailable),
            Stage::Network => Rejection::Reason(Reason::NetworkMissing),
            Stage::Unusable | Stage::Capacity | Stage::Pass => {
                Rejection::Reason(Reason::NoCapacity)
            }
        })
    }

    /// The first filter `host` fails for the request's VM, or `Pass`; `site_stage` caches the
    /// storage and network verdict of each site (index: site, or the last slot for none).
    fn check(
        &self,
        r: &Request<'_>,
        host: HostId,
        site_stage: &mut [Option<Stage>],
        site_reached: &mut [Option<bool>],
    ) -> Stage {
        let inv = self.inv;
        let config = &inv.vms[r.vm];
        let h = &self.hosts[host.index()];
        if h.state != HostState::Up || !h.power || (r.migration && r.current == Some(host)) {
            return Stage::Unusable;
        }
        let allowed = match r.constraint {
            Constraint::Any => true,
            Constraint::Among(hosts) => hosts.binary_search(&host).is_ok(),
            Constraint::Avoid(hosts) => hosts.binary_search(&host).is_err(),
        };
        let site = inv.hosts[host].site;
        let slot = site.map_or(site_stage.len() - 1, |s| s.index());
        // `engine_reaches` for a powered host: the engine is up and its site connects.
        let reached = *site_reached[slot].get_or_insert_with(|| {
            self.engine.up && self.topology.connected(self.engine_site(), site)
        });
        if !reached || !allowed {
            return Stage::Unusable;
        }
        if config.placement == Placement::Pinned && !r.pinned_hosts.contains(&host) {
            return Stage::Pinned;
        }
        for (rule, hosts) in r.host_rules {
            if rule.enforcing {
                let member = hosts.contains(host);
                if member != rule.positive {
                    return Stage::HardAffinity;
                }
            }
        }
        for (rule, hosts) in r.vm_rules {
            if rule.enforcing && !hosts.is_empty() {
                let together = hosts.contains(&host);
                let ok = if rule.positive {
                    hosts.iter().all(|h| *h == host)
                } else {
                    !together
                };
                if !ok {
                    return Stage::HardAffinity;
                }
            }
        }
        let site_verdict = *site_stage[slot].get_or_insert_with(|| {
            if !self.storage_ok(r.vm, site) {
                return Stage::Storage;
            }
            let networks_ok =
                config
                    .networks
                    .iter()
                    .all(|n| match (&inv.networks[*n].sites, site) {
                        (Some(sites), Some(site)) => sites.contains(&site),
                        _ => true,
                    });
            if networks_ok {
                Stage::Pass
            } else {
                Stage::Network
            }
        });
        if site_verdict != Stage::Pass {
            return site_verdict;
        }
        let capacity = memory_capacity(inv.hosts[host].memory_bytes, r.overcommit);
        let cpus = inv.hosts[host].cpus;
        if h.memory_used.saturating_add(config.memory_bytes) > capacity
            || (cpus > 0 && config.cpus > cpus)
        {
            return Stage::Capacity;
        }
        if r.migration && h.migrations_in >= self.params.migrations_per_host {
            return Stage::Busy;
        }
        Stage::Pass
    }

    /// Soft affinity and preferred hosts: +1 for each preference `host` meets, -1 for each it breaks.
    fn soft_score(&self, r: &Request<'_>, host: HostId) -> i64 {
        let config = &self.inv.vms[r.vm];
        let mut score = 0;
        for (rule, hosts) in r.host_rules {
            if !rule.enforcing {
                let member = hosts.contains(host);
                score += if member == rule.positive { 1 } else { -1 };
            }
        }
        for (rule, hosts) in r.vm_rules {
            if !rule.enforcing && !hosts.is_empty() {
                let together = hosts.contains(&host);
                score += if together == rule.positive { 1 } else { -1 };
            }
        }
        if config.placement != Placement::Pinned && config.placement_hosts.contains(&host) {
            score += 1;
        }
        score
    }
}

/// One placement request: the VM and what it needs, worked out once for all hosts.
struct Request<'r> {
    vm: VmId,
    constraint: Constraint<'r>,
    migration: bool,
    current: Option<HostId>,
    overcommit: u64,
    pinned_hosts: &'r [HostId],
    /// Enabled VM-to-host rules of its groups, with each group's hosts (sorted).
    host_rules: &'r [(AffinityRule, &'r HostSet)],
    /// Enabled VM-to-VM rules, with the hosts the other members run on.
    vm_rules: &'r [(AffinityRule, HostList)],
}

/// The hosts the other members of one of a VM's groups run on (groups are small).
type HostList = SmallVec<[HostId; 8]>;

/// Memory a host offers to VMs: its memory times the cluster's overcommit (unknown memory: no limit).
pub fn memory_capacity(memory_bytes: u64, overcommit_percent: u64) -> u64 {
    if memory_bytes == 0 {
        u64::MAX
    } else {
        memory_bytes.saturating_mul(overcommit_percent) / 100
    }
}
