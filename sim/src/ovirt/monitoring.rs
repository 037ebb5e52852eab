//! Host monitoring: power, boot, the refresh that loses a host, the NonResponsive grace, and a
//! host found again. Follows `VdsManager` (`handleNetworkException`, `isHostInGracePeriod`,
//! `calcTimeoutToFence`, `lastUpdate`) and `HostMonitoring` in ovirt-engine's
//! `backend/manager/modules/vdsbroker`; the topology changes (links, storage) that make hosts
//! unreachable or reachable again come through [`Ovirt::world_changed`].

use stretchdr_model::{EntityId, HostId};

use crate::des::SimTime;
use crate::ovirt::{Ctx, Event, HostState, Ovirt, PerUseDraws, SimError, VmState};

impl Ovirt<'_> {
    /// Whether an event of `host`'s monitoring `epoch` still applies: the engine is up and
    /// the host is still in the `state` that monitoring left it in.
    pub(super) fn monitoring_applies(&self, host: HostId, epoch: u32, state: HostState) -> bool {
        let h = &self.hosts[host.index()];
        h.epoch == epoch && h.state == state && self.engine.up
    }

    /// A host loses power: its VMs stop; the engine notices on its next refresh.
    pub(super) fn power_off(&mut self, ctx: &mut Ctx<'_>, host: HostId) -> Result<(), SimError> {
        let now = ctx.now();
        // A boot under way stops too.
        self.hosts[host.index()].boot_generation += 1;
        if !self.hosts[host.index()].power {
            return Ok(());
        }
        let h = &mut self.hosts[host.index()];
        h.power = false;
        h.epoch += 1;
        h.renew_stopped_at = Some(now);
        if h.down_since.is_none() {
            h.down_since = Some(now);
        }
        for vm in self.hosts[host.index()].vms.clone() {
            let v = &self.vms[vm.index()];
            if v.host != Some(host) {
                // An incoming migration: it fails, the VM stays on its source.
                self.abort_migration(vm);
                continue;
            }
            if matches!(v.state, VmState::Migrating { .. }) {
                self.abort_migration(vm);
            }
            let v = &self.vms[vm.index()];
            if v.alive || v.state == VmState::Starting {
                if v.alive {
                    self.lease_stops(vm, host, now);
                }
                let v = &mut self.vms[vm.index()];
                v.alive = false;
                v.paused = false;
                v.epoch += 1;
                self.mark_down(vm, now);
            }
            if self.vms[vm.index()].state != VmState::Down {
                self.vms[vm.index()].state = VmState::Unknown;
            }
        }
        self.end_ghosts(host);
        if self.is_spm(host) {
            // The data center has no working SPM from now, whether or not the engine sees it.
            let dc = self.index.host_dc[host.index()];
            self.spm[dc].lost_since.get_or_insert(now);
        }
        if self.engine.host == Some(host) && self.engine.up {
            self.engine_down(ctx, "its host failed")?;
        }
        self.lost_contact(ctx, host, false)?;
        Ok(())
    }

    /// Split-brain copies still running on `host` stop with it.
    fn end_ghosts(&mut self, host: HostId) {
        if !self.split_brain_seen {
            return;
        }
        for vm in 0..self.vms.len() {
            let before = self.vms[vm].ghosts.len();
            self.vms[vm].ghosts.retain(|g| *g != host);
            let ended = (before - self.vms[vm].ghosts.len()) as u64;
            let memory = self.inv.vms[stretchdr_model::VmId(vm as u32)].memory_bytes;
            let h = &mut self.hosts[host.index()];
            h.memory_used = h.memory_used.saturating_sub(memory * ended);
        }
    }

    /// Power returns to a host (or a host in maintenance is activated).
    pub(super) fn power_on(&mut self, ctx: &mut Ctx<'_>, host: HostId) -> Result<(), SimError> {
        let now = ctx.now();
        let h = &self.hosts[host.index()];
        if h.power {
            if matches!(
                h.state,
                HostState::Maintenance | HostState::PreparingForMaintenance
            ) {
                self.hosts[host.index()].state = HostState::Up;
                self.decide_host(now, "host", host, "host {host} activated", None);
                self.host_is_up(ctx, host)?;
            }
            return Ok(());
        }
        if !self.topology.site_up(self.inv.hosts[host].site) {
            return Ok(());
        }
        self.schedule_boot(ctx, host)
    }

    /// The host boots for `host_boot_time`; a power loss meanwhile cancels the boot (a new
    /// boot generation makes the pending one stale).
    pub(super) fn schedule_boot(
        &mut self,
        ctx: &mut Ctx<'_>,
        host: HostId,
    ) -> Result<(), SimError> {
        let h = &mut self.hosts[host.index()];
        h.boot_generation += 1;
        let generation = h.boot_generation;
        ctx.schedule_in(
            self.params.host_boot_time,
            Event::HostBooted { host, generation },
        )?;
        Ok(())
    }

    pub(super) fn host_booted(
        &mut self,
        ctx: &mut Ctx<'_>,
        host: HostId,
        generation: u32,
    ) -> Result<(), SimError> {
        let now = ctx.now();
        if self.hosts[host.index()].boot_generation != generation
            || self.hosts[host.index()].power
            || !self.topology.site_up(self.inv.hosts[host].site)
        {
            return Ok(());
        }
        let h = &mut self.hosts[host.index()];
        h.power = true;
        h.epoch += 1;
        h.state = HostState::Up;
        if self.engine_reaches(host) {
            self.decide_host(now, "host", host, "host {host} Up after boot", None);
            self.regained(ctx, host)?;
        } else if self.engine.up {
            self.lost_contact(ctx, host, false)?;
        }
        if !self.engine.up {
            self.try_hosted_engine_failover(ctx)?;
        }
        Ok(())
    }

    /// The engine stops hearing from `host`: Connecting, then NonResponsive on the first failed
    /// refresh past the grace and past `vds_attempts_to_reset_count` failed refreshes
    /// (`VdsManager.handleNetworkException`, `isHostInGracePeriod`). The grace runs from the
    /// last successful refresh (`lastUpdate`); just after the engine started (`engine_fresh`)
    /// it has none (0), so only the count of failed refreshes holds the host.
    pub(super) fn lost_contact(
        &mut self,
        ctx: &mut Ctx<'_>,
        host: HostId,
        engine_fresh: bool,
    ) -> Result<(), SimError> {
        let now = ctx.now();
        if !self.engine.up
            || !matches!(
                self.hosts[host.index()].state,
                HostState::Up | HostState::PreparingForMaintenance | HostState::Maintenance
            )
        {
            return Ok(());
        }
        let p = self.params;
        let is_spm = self.is_spm(host);
        let running = self.hosts[host.index()]
            .vms
            .iter()
            .filter(|v| self.vms[v.index()].host == Some(host))
            .count() as u64;
        // The engine truncates the grace to whole seconds (`VdsManager.calcTimeoutToFence`).
        let grace = (p.timeout_to_reset_vds
            + if is_spm { p.delay_reset_for_spm } else { 0 }
            + p.delay_reset_per_vm * running)
            / 1000
            * 1000;
        let h = &mut self.hosts[host.index()];
        h.state = HostState::Connecting;
        h.epoch += 1;
        h.unreachable_since = Some(now);
        h.renew_stopped_at.get_or_insert(now);
        h.down_since.get_or_insert(now);
        let refresh = p.vds_refresh_rate.max(1);
        let tick_at_or_after = |t: u64| {
            let phase = h.refresh_phase % refresh;
            if t <= phase {
                phase
            } else {
                phase + (t - phase).div_ceil(refresh) * refresh
            }
        };
        let first_failed = tick_at_or_after(now.as_ms());
        let mut non_responsive = first_failed + u64::from(p.vds_attempts_to_reset_count) * refresh;
        if !engine_fresh {
            let last_update = first_failed.saturating_sub(refresh);
            non_responsive = non_responsive.max(tick_at_or_after(last_update + grace + 1));
        }
        let epoch = h.epoch;
        // Where the engine's side cannot see the host's lease renewals (its site lost the
        // lease's storage, or writes its own copy of split storage), the leases stop for it.
        let site = self.inv.hosts[host].site;
        for vm in self.hosts[host.index()].vms.clone() {
            let v = &self.vms[vm.index()];
            if v.host == Some(host)
                && v.alive
                && let Some(domain) = self.inv.vms[vm].lease
                && (self.topology.is_split(domain) || !self.topology.has_access(domain, site))
            {
                self.lease_stops(vm, host, now);
            }
        }
        if is_spm {
            let dc = self.index.host_dc[host.index()];
            self.spm[dc].lost_since.get_or_insert(now);
        }
        let jitter = PerUseDraws::draw(p.detection_jitter, self.draws.detection_jitter, ctx.rng);
        ctx.schedule(
            SimTime::from_ms(non_responsive).after(jitter),
            Event::HostNonResponsive { host, epoch },
        )?;
        Ok(())
    }

    /// The engine hears from `host` again (link back, host booted, engine started).
    pub(super) fn regained(&mut self, ctx: &mut Ctx<'_>, host: HostId) -> Result<(), SimError> {
        let now = ctx.now();
        let h = &mut self.hosts[host.index()];
        h.epoch += 1;
        if matches!(
            h.state,
            HostState::Connecting | HostState::NonResponsive | HostState::Down
        ) {
            h.state = HostState::Up;
        }
        h.unreachable_since = None;
        h.renew_stopped_at = None;
        if let Some(since) = h.down_since.take() {
            h.down.push((since, now));
        }
        for vm in self.hosts[host.index()].vms.clone() {
            let v = &mut self.vms[vm.index()];
            if v.host != Some(host) {
                continue;
            }
            if v.alive {
                if v.paused {
                    if v.state == VmState::Unknown {
                        v.state = VmState::Paused;
                    }
                    continue;
                }
                v.lease_free_at = None;
                if v.state == VmState::Unknown {
                    v.state = VmState::Up;
                    if v.down_at.is_some() && v.up_at.is_none() {
                        v.up_at = Some(now);
                        v.up_host = v.host;
                    }
                }
            } else if v.state != VmState::Starting {
                self.vm_found_down(ctx, vm, host)?;
            }
        }
        self.host_is_up(ctx, host)
    }

    /// What the engine does when a host is Up: SPM, failback, waiting restarts.
    fn host_is_up(&mut self, ctx: &mut Ctx<'_>, host: HostId) -> Result<(), SimError> {
        let now = ctx.now();
        let dc = self.index.host_dc[host.index()];
        if self.spm[dc].spm.is_none() || self.spm[dc].lost_since.is_some() {
            self.schedule_election(ctx, dc, now)?;
        }
        if let Some(cluster) = self.inv.hosts[host].cluster
            && self.failback_pending
        {
            self.arm_enforcer(ctx, cluster)?;
        }
        self.wake_runner(ctx, now)
    }

    /// The engine learns that `vm` is not running on `host`: it is Down and, if HA, restarted.
    pub(super) fn vm_found_down(
        &mut self,
        ctx: &mut Ctx<'_>,
        vm: stretchdr_model::VmId,
        host: HostId,
    ) -> Result<(), SimError> {
        self.release(vm, host);
        let v = &mut self.vms[vm.index()];
        v.state = VmState::Down;
        v.alive = false;
        v.epoch += 1;
        self.enqueue_ha(ctx, vm)
    }

    pub(super) fn host_non_responsive(
        &mut self,
        ctx: &mut Ctx<'_>,
        host: HostId,
        epoch: u32,
    ) -> Result<(), SimError> {
        let now = ctx.now();
        if !self.monitoring_applies(host, epoch, HostState::Connecting) {
            return Ok(());
        }
        self.hosts[host.index()].state = HostState::NonResponsive;
        let since = self.hosts[host.index()].unreachable_since.unwrap_or(now);
        let detail = format!("after {:.1}s unreachable", now.since(since) as f64 / 1000.0);
        self.decide_host(now, "host", host, "host {host} NonResponsive", Some(detail));
        let mut leased = false;
        for vm in self.hosts[host.index()].vms.clone() {
            if matches!(self.vms[vm.index()].state, VmState::Migrating { .. }) {
                // The engine cannot follow a migration off a host it lost: it fails.
                self.abort_migration(vm);
            }
            let v = &mut self.vms[vm.index()];
            if v.host == Some(host) && v.state != VmState::Starting {
                v.state = VmState::Unknown;
                leased |= self.inv.vms[vm].lease.is_some();
            }
        }
        if self.is_spm(host) {
            let dc = self.index.host_dc[host.index()];
            self.schedule_election(ctx, dc, now)?;
        }
        let p = self.params;
        if leased {
            let (first, _) = p.unknown_vms_refreshes();
            let delay = p.vds_refresh_rate.saturating_mul(first);
            ctx.schedule_in(delay, Event::StartUnknownVms { host, epoch })?;
        }
        ctx.schedule(now, Event::Fence { host, epoch })?;
        Ok(())
    }

    /// The topology changed: storage access, paused VMs, what the engine can reach.
    pub(super) fn world_changed(&mut self, ctx: &mut Ctx<'_>) -> Result<(), SimError> {
        let now = ctx.now();
        self.topology.recompute(self.inv);
        // The hosted-engine VM pauses, and is killed, where its storage is gone.
        if self.self_hosted()
            && self.engine.up
            && let (Some(host), Some(domain)) = (self.engine.host, self.index.engine_domain)
            && !self.topology.has_access(domain, self.inv.hosts[host].site)
        {
            self.engine_down(ctx, "its storage is unreachable from its host")?;
        }
        self.storage_changed(ctx)?;
        for i in 0..self.hosts.len() {
            let host = HostId(i as u32);
            let h = &self.hosts[i];
            if !h.power || !self.engine.up {
                continue;
            }
            let reaches = self.engine_reaches(host);
            match h.state {
                HostState::Up | HostState::PreparingForMaintenance | HostState::Maintenance
                    if !reaches =>
                {
                    self.lost_contact(ctx, host, false)?;
                }
                HostState::Connecting | HostState::NonResponsive if reaches => {
                    self.decide_host(now, "host", host, "host {host} reachable again", None);
                    self.regained(ctx, host)?;
                }
                _ => {}
            }
        }
        if !self.engine.up {
            self.try_hosted_engine_failover(ctx)?;
        }
        self.wake_runner(ctx, now)
    }
}
