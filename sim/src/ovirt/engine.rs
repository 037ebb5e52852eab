//! The engine itself: lost with its site or its storage, restarted by external HA (standalone)
//! or by the hosted-engine agents (see `hosted_engine.rs`), and what it does when it is back
//! (`VdsManager.lastUpdate` is 0 after a restart, so every host starts a new grace; fencing
//! waits `DisableFenceAtStartupInSec`).

use rand::RngExt;
use stretchdr_model::inventory::SiteRole;
use stretchdr_model::{EntityId, HostId};

use crate::ovirt::{Ctx, Event, HostState, Ovirt, SimError, VmState};

impl Ovirt<'_> {
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
}
