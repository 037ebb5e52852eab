//! The Storage Pool Manager of each data center: the election among Up hosts by
//! `vds_spm_priority` (highest first, ties at random) once the old SPM's lease is free, none
//! while the engine is down. Follows `IrsProxy` in ovirt-engine's
//! `backend/manager/modules/vdsbroker/.../irsbroker`.

use rand::RngExt;
use stretchdr_model::{EntityId, HostId};

use crate::des::SimTime;
use crate::ovirt::{Ctx, Event, HostState, Ovirt, SimError};

impl Ovirt<'_> {
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
