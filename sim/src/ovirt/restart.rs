//! Bringing VMs back: VMs with leases of NonResponsive hosts, the HA restart runner with its
//! priorities and retries, and VMs paused by storage errors (resumed or killed).
//!
//! Sources (ovirt-engine): `backend/manager/modules/vdsbroker/.../VdsManager.java`
//! (`handleNetworkException`, `restartVmsWithLeaseIfNeeded`), `backend/manager/modules/bll/.../
//! VdsEventListener.java` (`restartVmsWithLease`: `RunVm` with `runInUnknownStatus`, one VM
//! after the other in the order given: that host's leased VMs by priority), `AutoStartVmsRunner.java`
//! and `HaAutoStartVmsRunner.java` (the HA runner: `addVmsToRun` replaces an entry and resets
//! its counters, priorities, `MaxTimeAutoStartBlockedOnPriority`, short and long retries).

use std::cmp::Reverse;

use stretchdr_model::inventory::ResumeBehaviour;
use stretchdr_model::{EntityId, HostId, VmId};

use crate::des::SimTime;
use crate::outcome::Reason;
use crate::ovirt::sanlock::LeaseWait;
use crate::ovirt::scheduler::{Constraint, Rejection};
use crate::ovirt::{Ctx, Event, HaEntry, HostState, Ovirt, PerUseDraws, SimError, VmState};

impl Ovirt<'_> {
    /// Puts an HA VM the engine knows is down into the restart runner's list.
    pub(super) fn enqueue_ha(&mut self, ctx: &mut Ctx<'_>, vm: VmId) -> Result<(), SimError> {
        let now = ctx.now();
        if !self.inv.vms[vm].ha {
            self.vms[vm.index()].reason = Some(Reason::NotHa);
            return Ok(());
        }
        // Listed again (`AutoStartVmsRunner.processVmsToAdd`): the new entry replaces the old
        // one, with its retry counters and priority wait reset.
        self.unlist_ha(vm);
        self.ha_seq += 1;
        let key = (Reverse(self.inv.vms[vm].ha_priority), self.ha_seq);
        self.ha_key[vm.index()] = Some(key);
        self.ha_queue.insert(
            key,
            HaEntry {
                vm,
                next_attempt: now,
                tries: 0,
                starting: false,
                blocked_since: None,
            },
        );
        self.wake_runner(ctx, now)
    }

    /// Removes `vm` from the restart runner's list.
    fn unlist_ha(&mut self, vm: VmId) {
        if let Some(key) = self.ha_key[vm.index()].take() {
            self.ha_queue.remove(&key);
        }
    }

    /// One pass of the HA AutoStartVmsRunner over its list in priority order: a VM waits while
    /// a VM of higher priority is still down or not yet Up, for at most
    /// `max_time_blocked_on_priority`; the others start if the scheduler finds a host, or are
    /// retried later.
    pub(super) fn ha_runner(&mut self, ctx: &mut Ctx<'_>) -> Result<(), SimError> {
        let now = ctx.now();
        if !self.engine.up {
            return Ok(());
        }
        let p = self.params;
        let mut list = std::mem::take(&mut self.ha_queue);
        let mut needed: Option<u32> = None;
        let mut next: Option<SimTime> = None;
        let mut finished: Vec<VmId> = Vec::new();
        let mut failed: Vec<(VmId, Reason)> = Vec::new();
        let mut blocked: Option<u32> = None;
        for (key, entry) in list.iter_mut() {
            let priority = key.0.0;
            if entry.starting {
                match self.vms[entry.vm.index()].state {
                    VmState::Starting => needed = needed.max(Some(priority)),
                    // Up, or lost while starting (the engine lists it again when it finds it down).
                    _ => finished.push(entry.vm),
                }
                continue;
            }
            if entry.next_attempt > now {
                needed = needed.max(Some(priority));
                next = min_time(next, entry.next_attempt);
                continue;
            }
            if needed.is_some_and(|n| n > priority) {
                let since = *entry.blocked_since.get_or_insert(now);
                let until = since.after(p.max_time_blocked_on_priority);
                if now < until {
                    needed = needed.max(Some(priority));
                    next = min_time(next, until);
                    blocked = Some(priority);
                    continue;
                }
            }
            match self.try_start(ctx, entry.vm)? {
                Ok(host) => {
                    entry.starting = true;
                    self.started_batch.push((entry.vm, host));
                }
                Err(reason) => {
                    entry.tries += 1;
                    let interval = if entry.tries < p.ha_retry_short_tries {
                        p.ha_retry_short_interval
                    } else {
                        p.ha_retry_long_interval
                    };
                    entry.next_attempt = now.after(interval.max(1));
                    self.vms[entry.vm.index()].reason = Some(reason);
                    if entry.tries == 1 {
                        failed.push((entry.vm, reason));
                    }
                    next = min_time(next, entry.next_attempt);
                }
            }
            needed = needed.max(Some(priority));
        }
        self.ha_queue = list;
        // In priority order: the last one blocked has the lowest priority.
        self.ha_blocked_below = blocked;
        for vm in finished {
            self.unlist_ha(vm);
        }
        self.report_runner_pass(now, failed);
        if let Some(at) = next {
            self.wake_runner(ctx, at)?;
        }
        Ok(())
    }

    /// One timeline line per runner pass: what started where, what could not and why.
    fn report_runner_pass(&mut self, now: SimTime, failed: Vec<(VmId, Reason)>) {
        let started = std::mem::take(&mut self.started_batch);
        if !started.is_empty() {
            let names = sample_names(&started, |(vm, host)| {
                format!(
                    "{} on {}",
                    self.inv.vms[*vm].name, self.inv.hosts[*host].name
                )
            });
            self.decide(
                now,
                "restart",
                format!("HA restart of {} VM(s): {names}", started.len()),
            );
        }
        if !failed.is_empty() {
            let mut by_reason: std::collections::BTreeMap<Reason, Vec<&str>> = Default::default();
            for (vm, reason) in &failed {
                by_reason
                    .entry(*reason)
                    .or_default()
                    .push(&self.inv.vms[*vm].name);
            }
            let text = by_reason
                .iter()
                .map(|(r, names)| {
                    format!(
                        "{} {} ({})",
                        names.len(),
                        r.as_str(),
                        sample_names(names, |n| n.to_string())
                    )
                })
                .collect::<Vec<_>>()
                .join("; ");
            self.decide(now, "restart", format!("cannot restart: {text}; retrying"));
        }
    }

    /// Tries to run `vm` now: the scheduler must find a host; the start then blocks in sanlock
    /// until the VM's lease is free, and fails at once while its holder still renews it.
    fn try_start(
        &mut self,
        ctx: &mut Ctx<'_>,
        vm: VmId,
    ) -> Result<Result<HostId, Reason>, SimError> {
        let now = ctx.now();
        let lease_free = match self.lease_wait(vm) {
            LeaseWait::Held => return Ok(Err(Reason::StorageUnavailable)),
            LeaseWait::At(at) => at.max(now),
            LeaseWait::Free => now,
        };
        let host = match self.place_now(vm) {
            Ok(host) => host,
            Err(reason) => return Ok(Err(reason)),
        };
        self.assign(vm, host);
        let v = &mut self.vms[vm.index()];
        if !v.ghosts.is_empty() {
            v.split_brain = true;
        }
        v.state = VmState::Starting;
        v.resumed = false;
        v.alive = true;
        v.reason = None;
        v.epoch += 1;
        let epoch = v.epoch;
        let boot = PerUseDraws::draw(self.params.vm_boot_time, self.draws.vm_boot_time, ctx.rng);
        ctx.schedule(lease_free.after(boot), Event::VmUp { vm, epoch })?;
        Ok(Ok(host))
    }

    pub(super) fn vm_up(
        &mut self,
        ctx: &mut Ctx<'_>,
        vm: VmId,
        epoch: u32,
    ) -> Result<(), SimError> {
        let v = &mut self.vms[vm.index()];
        if v.epoch == epoch && v.state == VmState::Starting {
            v.state = VmState::Up;
            // Its new host holds and renews the lease now.
            v.lease_free_at = None;
            if v.down_at.is_some() {
                v.up_at = Some(ctx.now());
                v.up_host = v.host;
            }
            // Up: lower priorities need not wait for it any more. A pass now changes something
            // only when a VM of lower priority waits (the others are starting, or have their
            // own wake-up for their retry or the end of their wait).
            if let Some((std::cmp::Reverse(priority), _)) = self.ha_key[vm.index()] {
                self.unlist_ha(vm);
                if self
                    .ha_blocked_below
                    .is_some_and(|lowest| lowest < priority)
                {
                    self.wake_runner(ctx, ctx.now())?;
                }
            }
        }
        Ok(())
    }

    /// The engine runs the leased VMs of a NonResponsive host directly elsewhere, highest
    /// priority first within that host, not through the HA runner and its priority wait
    /// (`VdsEventListener.restartVmsWithLease`). A start blocks in sanlock until the lease is
    /// free; a VM the scheduler cannot place, or whose lease its live holder still renews, stays
    /// Unknown and is tried again after `refreshes_before_retry_unknown_vms` + 1 refreshes.
    pub(super) fn start_unknown_vms(
        &mut self,
        ctx: &mut Ctx<'_>,
        host: HostId,
        epoch: u32,
    ) -> Result<(), SimError> {
        let now = ctx.now();
        if !self.monitoring_applies(host, epoch, HostState::NonResponsive) {
            return Ok(());
        }
        let mut leased: Vec<VmId> = self.hosts[host.index()]
            .vms
            .iter()
            .copied()
            .filter(|vm| {
                let v = &self.vms[vm.index()];
                v.host == Some(host)
                    && v.state == VmState::Unknown
                    && self.inv.vms[*vm].lease.is_some()
            })
            .collect();
        // `VdsManager.restartVmsWithLeaseIfNeeded` sorts by priority, highest first (stable).
        leased.sort_by_key(|vm| Reverse(self.inv.vms[*vm].ha_priority));
        let mut started = Vec::new();
        let mut failed: Vec<(VmId, Reason)> = Vec::new();
        for vm in leased {
            let lease_free = match self.lease_wait(vm) {
                LeaseWait::Held => {
                    failed.push((vm, Reason::StorageUnavailable));
                    continue;
                }
                LeaseWait::At(at) => at.max(now),
                LeaseWait::Free => now,
            };
            let target = match self.place_unknown_vm(vm) {
                Ok(target) => target,
                Err(reason) => {
                    failed.push((vm, reason));
                    continue;
                }
            };
            // A paused old copy is killed by sanlock (id_renewal_fail) before the lease can be
            // taken (host_dead). A copy still running is one the lease could not stop: its
            // host renews the lease on its own copy of split storage (split brain).
            let (alive, paused) = (self.vms[vm.index()].alive, self.vms[vm.index()].paused);
            self.release(vm, host);
            if alive && !paused {
                let used = &mut self.hosts[host.index()].memory_used;
                *used = used.saturating_add(self.inv.vms[vm].memory_bytes);
                self.vms[vm.index()].ghosts.push(host);
                self.split_brain_seen = true;
            }
            self.assign(vm, target);
            let v = &mut self.vms[vm.index()];
            if !v.ghosts.is_empty() {
                v.split_brain = true;
            }
            v.state = VmState::Starting;
            v.alive = true;
            v.paused = false;
            v.resumed = false;
            v.reason = None;
            v.epoch += 1;
            let epoch = v.epoch;
            let boot =
                PerUseDraws::draw(self.params.vm_boot_time, self.draws.vm_boot_time, ctx.rng);
            ctx.schedule(lease_free.after(boot), Event::VmUp { vm, epoch })?;
            started.push((vm, target));
        }
        if !started.is_empty() {
            let names = sample_names(&started, |(vm, target)| {
                format!(
                    "{} on {}",
                    self.inv.vms[*vm].name, self.inv.hosts[*target].name
                )
            });
            self.decide_host(
                now,
                "restart",
                host,
                "VMs with a lease on {host} run elsewhere; they boot once their leases are free",
                Some(format!("{} VMs: {names}", started.len())),
            );
        }
        if !failed.is_empty() {
            for (vm, reason) in &failed {
                self.vms[vm.index()].reason = Some(*reason);
            }
            let names = sample_names(&failed, |(vm, reason)| {
                format!("{} ({})", self.inv.vms[*vm].name, reason.as_str())
            });
            self.decide_host(
                now,
                "restart",
                host,
                "VMs with a lease on {host} cannot run elsewhere yet",
                Some(format!("{} VMs: {names}", failed.len())),
            );
            let (_, period) = self.params.unknown_vms_refreshes();
            let delay = self.params.vds_refresh_rate.saturating_mul(period).max(1);
            ctx.schedule_in(delay, Event::StartUnknownVms { host, epoch })?;
        }
        Ok(())
    }

    /// Where the direct start of `vm` runs it, or why it cannot run. A NonResponsive host's
    /// VMs are retried for as long as it stays NonResponsive, mostly against an unchanged
    /// cluster: a rejection at the current `placement_version` is the scheduler's answer.
    fn place_unknown_vm(&mut self, vm: VmId) -> Result<HostId, Reason> {
        let version = self.placement_version;
        if let Some((at, reason)) = self.unknown_vm_rejections[vm.index()]
            && at == version
        {
            debug_assert_eq!(
                self.place_now(vm),
                Err(reason),
                "a remembered rejection differs from the scheduler's answer"
            );
            return Err(reason);
        }
        let placed = self.place_now(vm);
        if let Err(reason) = placed {
            self.unknown_vm_rejections[vm.index()] = Some((version, reason));
        }
        placed
    }

    /// The scheduler's answer for starting `vm` now (no migration, any host).
    fn place_now(&self, vm: VmId) -> Result<HostId, Reason> {
        self.place(vm, Constraint::Any, false).map_err(|r| match r {
            Rejection::Reason(reason) => reason,
            Rejection::Busy => Reason::NoCapacity,
        })
    }

    /// After the topology changed: VMs whose storage went away pause (and are killed after the
    /// lease expiry when they hold a lease or resume by `kill`); paused VMs whose storage came
    /// back resume unless they are set to stay paused.
    pub(super) fn storage_changed(&mut self, ctx: &mut Ctx<'_>) -> Result<(), SimError> {
        let now = ctx.now();
        let mut paused = 0;
        let mut resumed = 0;
        for i in 0..self.vms.len() {
            let vm = VmId(i as u32);
            let v = &self.vms[i];
            let Some(host) = v.host else { continue };
            if !v.alive || !self.hosts[host.index()].power {
                continue;
            }
            let ok = self.storage_ok(vm, self.inv.hosts[host].site);
            if !ok && !v.paused {
                if matches!(v.state, VmState::Migrating { .. }) {
                    self.abort_migration(vm);
                }
                self.mark_down(vm, now);
                let engine_sees = self.engine_reaches(host);
                let config = &self.inv.vms[vm];
                let v = &mut self.vms[i];
                v.paused = true;
                if v.state != VmState::Starting {
                    v.state = if engine_sees {
                        VmState::Paused
                    } else {
                        VmState::Unknown
                    };
                }
                v.epoch += 1;
                paused += 1;
                let epoch = v.epoch;
                if config.lease.is_some() {
                    // Its host cannot renew the lease any more: sanlock kills the VM at
                    // id_renewal_fail after the last renewal.
                    self.lease_stops(vm, host, now);
                    let kill = self
                        .after_last_renewal(host, now, self.params.id_renewal_fail())
                        .max(now);
                    ctx.schedule(kill, Event::StorageKill { vm, epoch })?;
                } else if config.resume_behaviour == ResumeBehaviour::Kill {
                    // vdsm destroys a VM paused longer than its kill timeout, 8 x sanlock
                    // io_timeout (`lib/vdsm/virt/utils.py` `vm_kill_paused_timeout`, checked by
                    // `lib/vdsm/virt/periodic.py`).
                    let kill = now.after(self.params.id_renewal_fail());
                    ctx.schedule(kill, Event::StorageKill { vm, epoch })?;
                }
            } else if ok
                && v.paused
                && self.inv.vms[vm].resume_behaviour != ResumeBehaviour::LeavePaused
            {
                let engine_sees = self.engine_reaches(host);
                let v = &mut self.vms[i];
                v.paused = false;
                if engine_sees || v.state == VmState::Paused {
                    v.state = VmState::Up;
                }
                v.up_at = Some(now);
                v.up_host = v.host;
                v.resumed = true;
                v.epoch += 1;
                v.lease_free_at = None;
                resumed += 1;
            }
        }
        if paused > 0 {
            self.decide(
                now,
                "storage",
                format!("{paused} VM(s) paused: their storage is unreachable"),
            );
        }
        if resumed > 0 {
            self.decide(
                now,
                "storage",
                format!("{resumed} paused VM(s) resumed: their storage is back"),
            );
        }
        Ok(())
    }

    /// Sanlock kills a paused VM holding a lease (or vdsm one set to `kill`).
    pub(super) fn storage_kill(
        &mut self,
        ctx: &mut Ctx<'_>,
        vm: VmId,
        epoch: u32,
    ) -> Result<(), SimError> {
        let v = &self.vms[vm.index()];
        if v.epoch != epoch || !v.alive {
            return Ok(());
        }
        let host = v.host;
        let v = &mut self.vms[vm.index()];
        v.alive = false;
        v.paused = false;
        v.reason = Some(Reason::StorageUnavailable);
        if let Some(host) = host
            && self.engine_reaches(host)
        {
            self.vm_found_down(ctx, vm, host)?;
        }
        Ok(())
    }
}

fn min_time(a: Option<SimTime>, b: SimTime) -> Option<SimTime> {
    Some(a.map_or(b, |a| a.min(b)))
}

/// The first few items, as `show` writes them, and how many more (only those shown are
/// formatted: a site loss reports thousands of VMs per decision).
pub(super) fn sample_names<T>(items: &[T], show: impl Fn(&T) -> String) -> String {
    const SHOWN: usize = 4;
    let shown = items
        .iter()
        .take(SHOWN)
        .map(show)
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > SHOWN {
        format!("{shown} and {} more", items.len() - SHOWN)
    } else {
        shown
    }
}
