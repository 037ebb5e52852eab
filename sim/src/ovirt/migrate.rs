//! Live migrations: planned failover by maintenance, and failback by the affinity rules
//! enforcer (one migration per cluster per pass, none while the cluster migrates).

use stretchdr_model::inventory::{MigrationBandwidth, Placement};
use stretchdr_model::{AffinityGroupId, ClusterId, EntityId, HostId, VmId};

use crate::des::SimTime;
use crate::outcome::Reason;
use crate::ovirt::scheduler::{Constraint, Rejection};
use crate::ovirt::{Ctx, Event, HostState, Ovirt, SimError, VmState};

/// Why a VM is moving.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum MigrationKind {
    Maintenance,
    Failback,
}

impl Ovirt<'_> {
    /// Hosts go to PreparingForMaintenance; their VMs live-migrate away.
    pub(super) fn start_maintenance(
        &mut self,
        ctx: &mut Ctx<'_>,
        hosts: &[HostId],
    ) -> Result<(), SimError> {
        let now = ctx.now();
        for &host in hosts {
            if self.hosts[host.index()].state != HostState::Up {
                continue;
            }
            self.hosts[host.index()].state = HostState::PreparingForMaintenance;
            self.hosts[host.index()].maintenance_stuck = false;
            if self.is_spm(host) {
                // The SPM role is handed over cleanly before the host leaves.
                let dc = self.index.host_dc[host.index()];
                self.spm[dc].lost_since.get_or_insert(now);
                self.schedule_election(ctx, dc, now)?;
            }
        }
        let names = super::restart::sample_names(hosts, |h| self.host_name(*h).to_string());
        self.decide(
            now,
            "migration",
            format!("{} host(s) preparing for maintenance: {names}", hosts.len()),
        );
        self.dispatch_maintenance(ctx)
    }

    /// Starts the migrations off hosts preparing for maintenance that the limits allow; a host
    /// with no VM left enters maintenance.
    pub(super) fn dispatch_maintenance(&mut self, ctx: &mut Ctx<'_>) -> Result<(), SimError> {
        let now = ctx.now();
        if !self.engine.up {
            return Ok(());
        }
        let limit = self.params.migrations_per_host;
        for i in 0..self.hosts.len() {
            let host = HostId(i as u32);
            if self.hosts[i].state != HostState::PreparingForMaintenance {
                continue;
            }
            let mut stuck: Vec<String> = Vec::new();
            for vm in self.hosts[i].vms.clone() {
                let v = &self.vms[vm.index()];
                if v.host != Some(host) || v.state != VmState::Up {
                    continue;
                }
                let config = &self.inv.vms[vm];
                if config.placement != Placement::Migratable {
                    stuck.push(
                        format!("{} (placement {:?})", config.name, config.placement)
                            .to_lowercase(),
                    );
                    self.vms[vm.index()].not_migrated = Some(Reason::Pinned);
                    continue;
                }
                if self.hosts[i].migrations_out >= limit {
                    continue;
                }
                match self.place(vm, Constraint::Any, true) {
                    Ok(target) => {
                        self.start_migration(ctx, vm, host, target, MigrationKind::Maintenance)?
                    }
                    Err(Rejection::Reason(reason)) => {
                        stuck.push(format!("{} ({})", config.name, reason.as_str()));
                        self.vms[vm.index()].not_migrated = Some(reason);
                    }
                    Err(Rejection::Busy) => {}
                }
            }
            let resident = self.hosts[i]
                .vms
                .iter()
                .any(|v| self.vms[v.index()].host == Some(host));
            if !resident && self.hosts[i].migrations_out == 0 {
                self.hosts[i].state = HostState::Maintenance;
                self.decide_host(now, "migration", host, "host {host} in maintenance", None);
            } else if self.hosts[i].migrations_out == 0
                && !stuck.is_empty()
                && !self.hosts[i].maintenance_stuck
            {
                // Nothing moves off this host any more: it stays PreparingForMaintenance; say
                // once what keeps it there.
                self.hosts[i].maintenance_stuck = true;
                self.decide_host(
                    now,
                    "migration",
                    host,
                    "host {host} cannot enter maintenance: its VMs cannot migrate",
                    Some(super::restart::sample_names(&stuck, String::clone)),
                );
            }
        }
        Ok(())
    }

    fn start_migration(
        &mut self,
        ctx: &mut Ctx<'_>,
        vm: VmId,
        from: HostId,
        to: HostId,
        kind: MigrationKind,
    ) -> Result<(), SimError> {
        self.reserve(vm, to);
        self.placement_version += 1;
        self.hosts[from.index()].migrations_out += 1;
        self.hosts[to.index()].migrations_in += 1;
        if let Some(cluster) = self.inv.vms[vm].cluster {
            self.cluster_migrations[cluster.index()] += 1;
        }
        let v = &mut self.vms[vm.index()];
        v.state = VmState::Migrating { to };
        v.migration = Some(kind);
        v.epoch += 1;
        let epoch = v.epoch;
        let duration = self.migration_time(vm, from, to);
        ctx.schedule_in(duration, Event::MigrationDone { vm, epoch })?;
        Ok(())
    }

    /// Bandwidth of one migration of `vm` from `from` to `to`, in bytes per second, as
    /// `MigrateVmCommand.getMaxBandwidth` computes it: by the cluster's limit type; AUTO takes
    /// the lower known link speed of the two hosts' migration NICs (Mbps), CUSTOM the cluster's
    /// rate, each / 8 as the MiB/s vdsm is given, then divided by the concurrent migrations of
    /// the policy (`getMaxBandwidth(MigrationPolicy)`); vdsm's own `migration_max_bandwidth`
    /// when the engine sends none (hypervisor default, or AUTO with no speed known).
    fn migration_bytes_per_s(&self, vm: VmId, from: HostId, to: HostId) -> u64 {
        let inv = self.inv;
        let p = self.params;
        let vdsm_default = p.migration_bandwidth / 8;
        let limit_mbps = match inv.vms[vm]
            .cluster
            .map(|c| inv.clusters[c].migration_bandwidth)
        {
            Some(MigrationBandwidth::HypervisorDefault) => None,
            Some(MigrationBandwidth::Custom(bps)) => Some(bps / 1_000_000),
            Some(MigrationBandwidth::Auto) | None => [from, to]
                .iter()
                .filter_map(|h| inv.hosts[*h].migration_nic_speed_bps)
                .filter(|bps| *bps > 0)
                .min()
                .map(|bps| bps / 1_000_000),
        };
        match limit_mbps {
            Some(mbps) => {
                let mib_per_s = mbps / 8 / u64::from(p.migrations_per_host.max(1));
                (mib_per_s << 20).max(1)
            }
            None => vdsm_default.max(1),
        }
    }

    /// Time to live-migrate `vm` from `from` to `to`, at least one second.
    pub(super) fn migration_time(&self, vm: VmId, from: HostId, to: HostId) -> u64 {
        let bytes_per_s = self.migration_bytes_per_s(vm, from, to);
        let memory = self.inv.vms[vm].memory_bytes;
        (u128::from(memory) * 1000 / u128::from(bytes_per_s))
            .try_into()
            .unwrap_or(u64::MAX)
            .max(1000)
    }

    /// A migration of `vm` stops before finishing: the target's reservation is released.
    pub(super) fn abort_migration(&mut self, vm: VmId) {
        let VmState::Migrating { to } = self.vms[vm.index()].state else {
            return;
        };
        self.release(vm, to);
        self.hosts[to.index()].migrations_in -= 1;
        if let Some(from) = self.vms[vm.index()].host {
            self.hosts[from.index()].migrations_out -= 1;
        }
        if let Some(cluster) = self.inv.vms[vm].cluster {
            self.cluster_migrations[cluster.index()] -= 1;
        }
        let v = &mut self.vms[vm.index()];
        v.state = VmState::Up;
        v.migration = None;
        v.epoch += 1;
    }

    pub(super) fn migration_done(
        &mut self,
        ctx: &mut Ctx<'_>,
        vm: VmId,
        epoch: u32,
    ) -> Result<(), SimError> {
        let now = ctx.now();
        let v = &self.vms[vm.index()];
        let (VmState::Migrating { to }, Some(from)) = (v.state, v.host) else {
            return Ok(());
        };
        if v.epoch != epoch {
            return Ok(());
        }
        let kind = v.migration;
        self.release(vm, from);
        self.hosts[from.index()].migrations_out -= 1;
        self.hosts[to.index()].migrations_in -= 1;
        if let Some(cluster) = self.inv.vms[vm].cluster {
            self.cluster_migrations[cluster.index()] -= 1;
        }
        let v = &mut self.vms[vm.index()];
        v.host = Some(to);
        v.state = VmState::Up;
        v.migration = None;
        v.not_migrated = None;
        match kind {
            Some(MigrationKind::Maintenance) if v.down_at.is_none() => {
                v.migrated_at = Some(now);
                v.from_host.get_or_insert(from);
            }
            Some(MigrationKind::Failback) => {
                self.last_failback_at = Some(now);
                self.decide(
                    now,
                    "affinity",
                    format!(
                        "{} back on {} (from {})",
                        self.inv.vms[vm].name,
                        self.host_name(to),
                        self.host_name(from)
                    ),
                );
            }
            _ => {}
        }
        self.dispatch_maintenance(ctx)
    }

    /// Schedules the enforcer's next pass over `cluster` if none is pending.
    pub(super) fn arm_enforcer(
        &mut self,
        ctx: &mut Ctx<'_>,
        cluster: ClusterId,
    ) -> Result<(), SimError> {
        if self.enforcer_armed[cluster.index()] {
            return Ok(());
        }
        self.enforcer_armed[cluster.index()] = true;
        // At least 1 ms on: a zero period set in code must not stop time.
        let at = ctx
            .now()
            .after(self.params.affinity_enforcer_interval.max(1));
        ctx.schedule(at, Event::AffinityEnforcer { cluster })?;
        Ok(())
    }

    /// One pass of the affinity rules enforcer (`AffinityRulesEnforcer.chooseVmsToMigrate`):
    /// candidates in the engine's order, hard VM-to-host violators, hard VM-to-VM violators,
    /// soft VM-to-host violators, soft VM-to-VM violators (VM-to-host ones sorted by how many
    /// rules of that kind each breaks, fewest first, as `getVmToHostsAffinityGroupCandidates`
    /// sorts them); the first migratable candidate the scheduler can move is migrated. At most
    /// one migration per cluster per pass, none while the cluster migrates
    /// (`AffinityRulesEnforcementManager`).
    pub(super) fn affinity_enforcer(
        &mut self,
        ctx: &mut Ctx<'_>,
        cluster: ClusterId,
    ) -> Result<(), SimError> {
        let now = ctx.now();
        self.enforcer_armed[cluster.index()] = false;
        if !self.engine.up {
            return Ok(());
        }
        if self.cluster_migrations[cluster.index()] > 0 {
            return self.arm_enforcer(ctx, cluster);
        }
        let mut seen = std::collections::BTreeSet::new();
        for enforcing in [true, false] {
            let mut candidates = self.vm_to_host_violations(cluster, enforcing);
            candidates.extend(self.vm_to_vm_violations(cluster, enforcing));
            for (vm, group, target) in candidates {
                if !seen.insert(vm) {
                    continue;
                }
                let v = &self.vms[vm.index()];
                let (Some(host), VmState::Up) = (v.host, v.state) else {
                    continue;
                };
                if self.inv.vms[vm].placement != Placement::Migratable || self.engine_vm == Some(vm)
                {
                    continue;
                }
                let constraint = match &target {
                    Target::Among(hosts) => Constraint::Among(hosts),
                    Target::Avoid(hosts) => Constraint::Avoid(hosts),
                    Target::AmongGroupHosts => {
                        Constraint::Among(&self.index.group_hosts[group.index()])
                    }
                    Target::AvoidGroupHosts => {
                        Constraint::Avoid(&self.index.group_hosts[group.index()])
                    }
                };
                match self.place(vm, constraint, true) {
                    Ok(to) => {
                        let inv = self.inv;
                        self.decide(
                            now,
                            "affinity",
                            format!(
                                "enforcer migrates {} to {} (group {})",
                                inv.vms[vm].name,
                                self.host_name(to),
                                inv.affinity_groups[group].name
                            ),
                        );
                        self.start_migration(ctx, vm, host, to, MigrationKind::Failback)?;
                        return self.arm_enforcer(ctx, cluster);
                    }
                    Err(Rejection::Busy) => return self.arm_enforcer(ctx, cluster),
                    Err(Rejection::Reason(_)) => {}
                }
            }
        }
        // Nothing left that can move: failback of this cluster is done.
        if self.failback_pending {
            let done = self.last_failback_at.unwrap_or(now);
            self.failback_done = Some(self.failback_done.map_or(done, |d: SimTime| d.max(done)));
        }
        Ok(())
    }

    /// The cluster's groups whose rule of `kind` is enabled with this `enforcing`, in the order
    /// the enforcer looks at them: highest priority first; among VM-to-VM rules the larger
    /// group first (the group size of `AffinityRulesEnforcer.AffinityGroupComparator`); then
    /// by id. The VM-to-host and VM-to-VM candidate lists share this order.
    fn groups_in_enforcer_order(
        &self,
        cluster: ClusterId,
        enforcing: bool,
        kind: RuleKind,
    ) -> Vec<AffinityGroupId> {
        let inv = self.inv;
        let rule = |g: AffinityGroupId| match kind {
            RuleKind::VmToHost => inv.affinity_groups[g].hosts_rule,
            RuleKind::VmToVm => inv.affinity_groups[g].vms_rule,
        };
        let mut groups: Vec<AffinityGroupId> = self.index.cluster_groups[cluster.index()]
            .iter()
            .copied()
            .filter(|g| {
                let rule = rule(*g);
                rule.enabled && rule.enforcing == enforcing
            })
            .collect();
        groups.sort_by(|a, b| {
            let (ga, gb) = (&inv.affinity_groups[*a], &inv.affinity_groups[*b]);
            let size = match kind {
                RuleKind::VmToHost => std::cmp::Ordering::Equal,
                RuleKind::VmToVm => gb.vms.len().cmp(&ga.vms.len()),
            };
            gb.priority
                .total_cmp(&ga.priority)
                .then(size)
                .then(a.cmp(b))
        });
        groups
    }

    /// Running VMs of `cluster` breaking VM-to-host rules that are (or are not) enforcing, with
    /// the group and where it wants them, fewest broken rules first (ties: stable by VM, then by
    /// group priority).
    fn vm_to_host_violations(
        &self,
        cluster: ClusterId,
        enforcing: bool,
    ) -> Vec<(VmId, AffinityGroupId, Target)> {
        let inv = self.inv;
        let groups = self.groups_in_enforcer_order(cluster, enforcing, RuleKind::VmToHost);
        // Per VM: how many rules it breaks, and the first (highest-priority) one: each
        // (VM, group) broken in group order, grouped by VM (a stable sort keeps the order).
        let mut breaks: Vec<(VmId, AffinityGroupId)> = Vec::new();
        for g in groups {
            let group = &inv.affinity_groups[g];
            if self.index.group_hosts[g.index()].is_empty() {
                continue;
            }
            let hosts = &self.index.group_host_sets[g.index()];
            for &vm in &group.vms {
                let Some(host) = self.vms[vm.index()].host else {
                    continue;
                };
                if hosts.contains(host) != group.hosts_rule.positive {
                    breaks.push((vm, g));
                }
            }
        }
        breaks.sort_by_key(|(vm, _)| *vm);
        let mut list: Vec<(usize, VmId, AffinityGroupId)> = Vec::new();
        for (vm, g) in breaks {
            match list.last_mut() {
                Some((n, last, _)) if *last == vm => *n += 1,
                _ => list.push((1, vm, g)),
            }
        }
        list.sort_by_key(|(n, vm, _)| (*n, *vm));
        list.into_iter()
            .map(|(_, vm, g)| {
                let target = if inv.affinity_groups[g].hosts_rule.positive {
                    Target::AmongGroupHosts
                } else {
                    Target::AvoidGroupHosts
                };
                (vm, g, target)
            })
            .collect()
    }

    /// Running VMs of `cluster` breaking VM-to-VM rules that are (or are not) enforcing
    /// (`getCandidateVmsFromVmToVmAffinity`): enforcing groups first, then by priority, then
    /// larger groups. A positive group apart: the VMs not on the host holding most of the
    /// group move to it; a negative group sharing a host: all but the first VM on that host
    /// move off the hosts of the others.
    fn vm_to_vm_violations(
        &self,
        cluster: ClusterId,
        enforcing: bool,
    ) -> Vec<(VmId, AffinityGroupId, Target)> {
        let inv = self.inv;
        let groups = self.groups_in_enforcer_order(cluster, enforcing, RuleKind::VmToVm);
        let mut out = Vec::new();
        for g in groups {
            let group = &inv.affinity_groups[g];
            // Running members by host, in host order.
            let mut by_host: std::collections::BTreeMap<HostId, Vec<VmId>> =
                std::collections::BTreeMap::new();
            for &vm in &group.vms {
                let v = &self.vms[vm.index()];
                if let (Some(host), true) = (v.host, v.alive) {
                    by_host.entry(host).or_default().push(vm);
                }
            }
            if group.vms_rule.positive {
                if by_host.len() < 2 {
                    continue;
                }
                let (&home, _) = by_host
                    .iter()
                    .max_by_key(|(host, vms)| (vms.len(), std::cmp::Reverse(**host)))
                    .expect("two hosts at least");
                for (host, vms) in &by_host {
                    if *host != home {
                        for vm in vms {
                            out.push((*vm, g, Target::Among(vec![home])));
                        }
                    }
                }
            } else {
                let occupied: Vec<HostId> = by_host.keys().copied().collect();
                for vms in by_host.values() {
                    for vm in vms.iter().skip(1) {
                        out.push((*vm, g, Target::Avoid(occupied.clone())));
                    }
                }
            }
        }
        out
    }
}

/// Where the enforcer wants a VM: on these hosts (sorted), or off them; the hosts of its
/// group's VM-to-host rule are looked up only for the candidate tried (a failback lists
/// thousands of VMs each pass and moves one).
enum Target {
    Among(Vec<HostId>),
    Avoid(Vec<HostId>),
    AmongGroupHosts,
    AvoidGroupHosts,
}

/// Which rule of an affinity group the enforcer is looking at.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum RuleKind {
    VmToHost,
    VmToVm,
}
