//! The self-hosted engine's failover by the hosted-engine agents.
//!
//! Source: ovirt-hosted-engine-ha `ovirt_hosted_engine_ha/agent/state_machine.py` (a host whose
//! metadata has not changed for `HOST_ALIVE_TIMEOUT_SECS`, 60 s, is dead and has no score),
//! `agent/states.py` (`EngineDown`: the best-scoring live host starts the VM; `BASE_SCORE`
//! 3400 in `agent/constants.py.in`). The engine VM's own sanlock lease blocks its start until
//! the dead host's lease is free ([`super::sanlock`]).
//!
//! The agents decide when the dead host turns stale, among the hosts that are alive *then*:
//! hosts that die in the same event (a site lost) are never chosen.

use rand::RngExt;
use stretchdr_model::{EntityId, HostId};

use crate::des::SimTime;
use crate::ovirt::{Ctx, Event, Ovirt, SimError};

impl Ovirt<'_> {
    /// The engine VM is down: the live agents will notice after `hosted_engine_history`.
    pub(super) fn try_hosted_engine_failover(&mut self, ctx: &mut Ctx<'_>) -> Result<(), SimError> {
        if !self.self_hosted() || self.engine.up || self.engine.restart_pending {
            return Ok(());
        }
        self.engine.restart_pending = true;
        self.engine.epoch += 1;
        let epoch = self.engine.epoch;
        ctx.schedule_in(
            self.params.hosted_engine_history,
            Event::HostedEngineAgents { epoch },
        )?;
        Ok(())
    }

    /// The agents of the live hosted-engine hosts that reach the engine's storage score the
    /// base 3400 (ties broken at random); the winner starts the engine VM, whose start waits
    /// for the lease of the host that ran it.
    pub(super) fn hosted_engine_agents(
        &mut self,
        ctx: &mut Ctx<'_>,
        epoch: u32,
    ) -> Result<(), SimError> {
        let now = ctx.now();
        if epoch != self.engine.epoch || self.engine.up {
            return Ok(());
        }
        let candidates = self.hosted_engine_candidates(None);
        if candidates.is_empty() {
            self.engine.restart_pending = false;
            self.decide(
                now,
                "engine",
                "no live hosted-engine host reaches the engine's storage: the engine stays down"
                    .into(),
            );
            return Ok(());
        }
        let chosen = candidates[ctx.rng.random_range(0..candidates.len())];
        let lease_free = self.engine.lease_free_at.unwrap_or(now).max(now);
        let delay = lease_free.since(now) + self.params.engine_boot_time;
        self.decide(
            now,
            "engine",
            format!(
                "hosted-engine agent on {} starts the engine VM (score 3400, engine up in {}s)",
                self.host_name(chosen),
                delay / 1000
            ),
        );
        self.engine.host = Some(chosen);
        self.engine_start(ctx, delay)
    }

    /// Hosted-engine hosts (every host when none is marked) that run and reach the engine's
    /// storage, in `site` when given.
    pub(super) fn hosted_engine_candidates(
        &self,
        site: Option<stretchdr_model::SiteId>,
    ) -> Vec<HostId> {
        let inv = self.inv;
        let any_flagged = inv.hosts.values().any(|h| h.hosted_engine);
        inv.hosts
            .iter()
            .filter(|(id, h)| {
                (h.hosted_engine || !any_flagged)
                    && self.hosts[id.index()].power
                    && site.is_none_or(|s| h.site == Some(s))
                    && self
                        .index
                        .engine_domain
                        .is_none_or(|d| self.topology.has_access(d, h.site))
            })
            .map(|(id, _)| id)
            .collect()
    }

    /// The engine VM stops on `host` at `now`: its lease stays held until `host_dead` after
    /// the host's last renewal when the host lost power or storage.
    pub(super) fn engine_vm_lease_stops(&mut self, now: SimTime) {
        let Some(host) = self.engine.host else {
            return;
        };
        let storage = self
            .index
            .engine_domain
            .is_none_or(|d| self.topology.has_access(d, self.inv.hosts[host].site));
        self.engine.lease_free_at = (!self.hosts[host.index()].power || !storage)
            .then(|| self.after_last_renewal(host, now, self.params.lease_takeover()));
    }
}
