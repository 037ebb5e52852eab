//! Host monitoring and the NonResponsive grace, fencing, SPM election, and the engine itself
//! (lost with its site, restarted by external HA or by the hosted-engine agents).

use rand::RngExt;
use stretchdr_model::inventory::SiteRole;
use stretchdr_model::{EntityId, HostId};

use crate::des::SimTime;
use crate::outcome::Reason;
use crate::ovirt::{Ctx, Event, HostState, Ovirt, PerUseDraws, SimError, VmState};

impl Ovirt<'_> {
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
    fn schedule_boot(&mut self, ctx: &mut Ctx<'_>, host: HostId) -> Result<(), SimError> {
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
        let h = &self.hosts[host.index()];
        if h.epoch != epoch || h.state != HostState::Connecting || !self.engine.up {
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

    /// The engine's non-responding treatment: fence the host if it may and can.
    pub(super) fn fence(
        &mut self,
        ctx: &mut Ctx<'_>,
        host: HostId,
        epoch: u32,
    ) -> Result<(), SimError> {
        let now = ctx.now();
        let h = &self.hosts[host.index()];
        if h.epoch != epoch || h.state != HostState::NonResponsive || !self.engine.up {
            return Ok(());
        }
        let inv = self.inv;
        let cluster = inv.hosts[host].cluster;
        let policy = cluster.map(|c| inv.clusters[c].fencing).unwrap_or_default();
        let failure = if !policy.enabled {
            Some("fencing is disabled in its cluster".to_string())
        } else if !inv.hosts[host].power_management {
            Some("it has no power management".to_string())
        } else if let Some(percent) = self.unreachable_percent(host)
            && policy.skip_if_connectivity_broken
            && percent >= policy.threshold
        {
            Some(format!(
                "{percent}% of its cluster's hosts are unreachable (skip_if_connectivity_broken, threshold {}%)",
                policy.threshold
            ))
        } else {
            None
        };
        if failure.is_none() {
            let allowed_at = self.engine.started_at.map_or(SimTime::ZERO, |t| {
                t.after(self.params.disable_fence_at_startup)
            });
            if now < allowed_at {
                let template = format!(
                    "fencing of {{host}} deferred: the engine started less than {}s ago",
                    self.params.disable_fence_at_startup / 1000
                );
                self.decide_host(now, "fence", host, &template, None);
                ctx.schedule(allowed_at, Event::Fence { host, epoch })?;
                return Ok(());
            }
        }
        let failure = failure.or_else(|| {
            let site = inv.hosts[host].site;
            let proxy = self.hosts.iter().enumerate().any(|(i, p)| {
                let pid = HostId(i as u32);
                pid != host
                    && p.state == HostState::Up
                    && self.index.host_dc[i] == self.index.host_dc[host.index()]
                    && self.topology.connected(inv.hosts[pid].site, site)
            });
            (!proxy).then(|| {
                if self.topology.site_up(site) {
                    "no fence proxy host can reach its power management".to_string()
                } else {
                    "its power management went down with its site".to_string()
                }
            })
        });
        match failure {
            Some(why) => {
                self.decide_host(
                    now,
                    "fence",
                    host,
                    &format!("cannot fence {{host}}: {why}"),
                    None,
                );
                for vm in self.hosts[host.index()].vms.clone() {
                    let v = &mut self.vms[vm.index()];
                    if v.host == Some(host) && inv.vms[vm].ha && inv.vms[vm].lease.is_none() {
                        v.reason = Some(Reason::NoLeaseNoFencing);
                    }
                }
            }
            None => {
                self.decide_host(
                    now,
                    "fence",
                    host,
                    "fencing {host} through its power management",
                    None,
                );
                ctx.schedule_in(self.params.fence_time, Event::FenceDone { host, epoch })?;
            }
        }
        Ok(())
    }

    /// Percent of the host's cluster that the engine cannot reach.
    fn unreachable_percent(&self, host: HostId) -> Option<u32> {
        let cluster = self.inv.hosts[host].cluster?;
        let hosts = &self.index.cluster_hosts[cluster.index()];
        let unreachable = hosts
            .iter()
            .filter(|h| {
                matches!(
                    self.hosts[h.index()].state,
                    HostState::Connecting | HostState::NonResponsive
                )
            })
            .count();
        Some((unreachable * 100 / hosts.len().max(1)) as u32)
    }

    pub(super) fn fence_done(
        &mut self,
        ctx: &mut Ctx<'_>,
        host: HostId,
        epoch: u32,
    ) -> Result<(), SimError> {
        let now = ctx.now();
        if self.hosts[host.index()].epoch != epoch {
            return Ok(());
        }
        self.decide_host(
            now,
            "fence",
            host,
            "host {host} fenced: its VMs are Down",
            None,
        );
        let was_running = self.hosts[host.index()].power;
        if was_running {
            self.power_off(ctx, host)?;
        }
        let h = &mut self.hosts[host.index()];
        h.state = HostState::Down;
        h.epoch += 1;
        for vm in self.hosts[host.index()].vms.clone() {
            if self.vms[vm.index()].host == Some(host) {
                self.vm_found_down(ctx, vm, host)?;
            }
        }
        if self.is_spm(host) {
            let dc = self.index.host_dc[host.index()];
            self.schedule_election(ctx, dc, now)?;
        }
        if was_running {
            // The fence restarts a host that was alive (it reboots); a dead host stays down.
            self.hosts[host.index()].power = false;
            self.schedule_boot(ctx, host)?;
        }
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

    // ---- the engine itself ----

    pub(super) fn engine_down(&mut self, ctx: &mut Ctx<'_>, why: &str) -> Result<(), SimError> {
        let now = ctx.now();
        if !self.engine.up {
            if !self.engine.restart_pending {
                return Ok(());
            }
            // A restart under way dies with the place it was starting in: its pending start
            // (a stale generation from now on) is cancelled and the failover decided again.
            self.engine.restart_pending = false;
            self.engine.epoch += 1;
            self.decide(now, "engine", format!("engine restart cancelled: {why}"));
        } else {
            self.engine.up = false;
            self.engine.epoch += 1;
            self.engine.down_since = Some(now);
            self.decide(now, "engine", format!("engine down: {why}"));
            if let Some(vm) = self.engine_vm {
                let v = &mut self.vms[vm.index()];
                v.down_at.get_or_insert(now);
                v.from_host
                    .get_or_insert_with(|| self.engine.host.unwrap_or(HostId(0)));
                v.up_at = None;
            }
        }
        if self.self_hosted() {
            self.engine_vm_lease_stops(now);
            self.try_hosted_engine_failover(ctx)?;
        } else if self.inv.engine.external_ha {
            let lost = self.engine.site;
            let target = self
                .inv
                .sites
                .iter()
                .filter(|(id, s)| {
                    s.role != SiteRole::Witness
                        && Some(*id) != lost
                        && self.topology.site_up(Some(*id))
                })
                .map(|(id, _)| id)
                .next();
            if let Some(site) = target {
                self.engine.site = Some(site);
                self.decide(
                    now,
                    "engine",
                    format!(
                        "external HA restarts the engine in {}",
                        self.inv.sites[site].name
                    ),
                );
                self.engine_start(ctx, self.params.external_ha_failover_time)?;
            }
        }
        Ok(())
    }

    /// Schedules the engine serving again after `delay_ms`.
    pub(super) fn engine_start(
        &mut self,
        ctx: &mut Ctx<'_>,
        delay_ms: u64,
    ) -> Result<(), SimError> {
        self.engine.epoch += 1;
        self.engine.restart_pending = true;
        let epoch = self.engine.epoch;
        ctx.schedule_in(delay_ms, Event::EngineUp { epoch })?;
        Ok(())
    }

    pub(super) fn engine_up(&mut self, ctx: &mut Ctx<'_>, epoch: u32) -> Result<(), SimError> {
        let now = ctx.now();
        if epoch != self.engine.epoch || self.engine.up {
            return Ok(());
        }
        if let Some(host) = self.engine.host
            && !self.hosts[host.index()].power
        {
            // The chosen host died meanwhile: the live agents try again.
            self.engine.restart_pending = false;
            self.engine_vm_lease_stops(now);
            return self.try_hosted_engine_failover(ctx);
        }
        if self.engine.host.is_none() && !self.topology.site_up(self.engine.site) {
            // A standalone engine cannot start in a site that is down.
            self.engine.restart_pending = false;
            self.decide(
                now,
                "engine",
                "the engine cannot start: its site is down".into(),
            );
            return Ok(());
        }
        self.engine.up = true;
        self.engine.restart_pending = false;
        self.engine.epoch += 1;
        self.engine.started_at = Some(now);
        if let Some(since) = self.engine.down_since.take() {
            self.engine.down_ms += now.since(since);
        }
        if let Some(vm) = self.engine_vm {
            let v = &mut self.vms[vm.index()];
            v.up_at = Some(now);
            v.up_host = self.engine.host;
        }
        let place = match self.engine.host {
            Some(h) => format!("on host {}", self.host_name(h)),
            None => match self.engine.site {
                Some(s) => format!("in {}", self.inv.sites[s].name),
                None => String::new(),
            },
        };
        self.decide(
            now,
            "engine",
            format!(
                "engine up {place}; no fencing until {}",
                now.after(self.params.disable_fence_at_startup)
            ),
        );
        for i in 0..self.hosts.len() {
            let host = HostId(i as u32);
            let h = &mut self.hosts[i];
            h.epoch += 1;
            if !h.power && h.state == HostState::Down {
                continue;
            }
            if self.engine_reaches(host) {
                self.regained(ctx, host)?;
            } else {
                let h = &mut self.hosts[i];
                if matches!(
                    h.state,
                    HostState::Connecting | HostState::NonResponsive | HostState::Down
                ) {
                    h.state = HostState::Up;
                }
                self.lost_contact(ctx, host, true)?;
            }
        }
        for dc in 0..self.spm.len() {
            self.schedule_election(ctx, dc, now)?;
        }
        if self.failback_pending {
            for cluster in self.inv.clusters.ids() {
                self.arm_enforcer(ctx, cluster)?;
            }
        }
        self.wake_runner(ctx, now)
    }

    /// Self-hosted: the engine VM runs where the inventory says it runs (an export's
    /// HostedEngine VM), else on a hosted-engine host of the engine's site.
    pub(super) fn place_engine(&mut self, rng: &mut crate::des::SimRng) {
        if !self.self_hosted() {
            return;
        }
        if let Some(vm) = self.engine_vm {
            let v = &mut self.vms[vm.index()];
            v.initially_down = false;
            v.state = VmState::Up;
            if let Some(host) = self.inv.vms[vm].host
                && self.hosts[host.index()].power
            {
                self.engine.host = Some(host);
                return;
            }
        }
        let candidates = self.hosted_engine_candidates(self.inv.engine.site);
        self.engine.host =
            (!candidates.is_empty()).then(|| candidates[rng.random_range(0..candidates.len())]);
    }

    // ---- SPM ----

    pub(super) fn is_spm(&self, host: HostId) -> bool {
        self.spm[self.index.host_dc[host.index()]].spm == Some(host)
    }

    pub(super) fn initial_spm(&mut self, rng: &mut crate::des::SimRng) {
        for dc in 0..self.spm.len() {
            let marked = self.spm[dc].hosts.iter().copied().find(|h| {
                self.inv.hosts[*h].spm_status == stretchdr_model::inventory::SpmStatus::Spm
                    && self.hosts[h.index()].state == HostState::Up
            });
            let spm = marked.or_else(|| self.choose_spm(dc, rng));
            self.spm[dc].spm = spm;
        }
    }

    /// The SPM candidate: an Up host with priority above -1, highest priority, ties at random.
    fn choose_spm(&self, dc: usize, rng: &mut crate::des::SimRng) -> Option<HostId> {
        let candidates: Vec<HostId> = self.spm[dc]
            .hosts
            .iter()
            .copied()
            .filter(|h| {
                let host = &self.inv.hosts[*h];
                host.spm_priority > -1
                    && self.hosts[h.index()].state == HostState::Up
                    && self.engine_reaches(*h)
                    && self
                        .inv
                        .storage_domains
                        .iter()
                        .filter(|(_, d)| d.master)
                        .all(|(id, _)| self.topology.has_access(id, host.site))
            })
            .collect();
        let best = candidates
            .iter()
            .map(|h| self.inv.hosts[*h].spm_priority)
            .max()?;
        let top: Vec<HostId> = candidates
            .into_iter()
            .filter(|h| self.inv.hosts[*h].spm_priority == best)
            .collect();
        Some(top[rng.random_range(0..top.len())])
    }

    pub(super) fn schedule_election(
        &mut self,
        ctx: &mut Ctx<'_>,
        dc: usize,
        at: SimTime,
    ) -> Result<(), SimError> {
        if self.spm[dc].election_pending || self.spm[dc].hosts.is_empty() {
            return Ok(());
        }
        self.spm[dc].election_pending = true;
        ctx.schedule(at.max(ctx.now()), Event::SpmElection { dc })?;
        Ok(())
    }

    /// Keeps a working SPM, or elects one once the old SPM's lease is free.
    pub(super) fn elect_spm(&mut self, ctx: &mut Ctx<'_>, dc: usize) -> Result<(), SimError> {
        let now = ctx.now();
        if !self.engine.up {
            return Ok(());
        }
        if let Some(old) = self.spm[dc].spm {
            let h = &self.hosts[old.index()];
            if h.state == HostState::Up && self.engine_reaches(old) {
                if let Some(since) = self.spm[dc].lost_since.take() {
                    self.spm[dc].down_ms += now.since(since);
                }
                return Ok(());
            }
            self.spm[dc].lost_since.get_or_insert(now);
            match h.state {
                // Still within the grace: wait for NonResponsive.
                HostState::Connecting => return Ok(()),
                HostState::NonResponsive => {
                    let free_at = self.host_leases_free_at(old, h.renew_stopped_at.unwrap_or(now));
                    if now < free_at {
                        return self.schedule_election(ctx, dc, free_at);
                    }
                }
                _ => {}
            }
        }
        let chosen = self.choose_spm(dc, ctx.rng);
        let old = self.spm[dc].spm;
        self.spm[dc].spm = chosen;
        match chosen {
            Some(new) => {
                if let Some(since) = self.spm[dc].lost_since.take() {
                    self.spm[dc].down_ms += now.since(since);
                }
                if old != Some(new) {
                    let host = &self.inv.hosts[new];
                    let site = host
                        .site
                        .map_or(String::new(), |s| format!(" in {}", self.inv.sites[s].name));
                    self.decide(
                        now,
                        "spm",
                        format!(
                            "SPM elected: {}{site} (priority {})",
                            host.name, host.spm_priority
                        ),
                    );
                }
            }
            None => {
                self.spm[dc].lost_since.get_or_insert(now);
                if old.is_some() {
                    self.decide(
                        now,
                        "spm",
                        "no host can be SPM: the data center is non-operational".into(),
                    );
                }
            }
        }
        Ok(())
    }

    /// Milliseconds the data center `dc` has been without SPM up to `end`.
    pub(super) fn spm_down_ms(&self, dc: usize, end: SimTime) -> u64 {
        let slot = &self.spm[dc];
        slot.down_ms + slot.lost_since.map_or(0, |since| end.since(since))
    }

    pub(super) fn spm_slots(&self) -> usize {
        self.spm.len()
    }
}
