//! The end of a run: each VM's outcome and the engine-level figures.

use std::collections::BTreeMap;

use stretchdr_model::{EntityId, HostId, VmId};

use crate::des::SimTime;
use crate::montecarlo::{AllBack, RunRecord, VmRun};
use crate::outcome::{
    EngineFigures, HostLane, Mark, Reason, SimResult, VmOutcome, VmResult, summarize,
};
use crate::ovirt::{Ovirt, VmState};

impl Ovirt<'_> {
    /// The result of the run at `end`.
    pub fn finish(&self, scenario: &str, seed: u64, runs: u32, end: SimTime) -> SimResult {
        let inv = self.inv;
        let vms: Vec<VmResult> = inv.vms.ids().map(|vm| self.vm_result(vm)).collect();
        let (engine_down_ms, spm_down_ms, failback_done) = self.engine_times(end);
        let peak_memory_percent: BTreeMap<String, f64> = inv
            .sites
            .iter()
            .filter(|(id, _)| self.site_capacity[id.index()] > 0)
            .map(|(id, s)| (s.name.clone(), round1(self.site_peak_percent[id.index()])))
            .collect();
        let figures = EngineFigures {
            engine_down_s: engine_down_ms as f64 / 1000.0,
            spm_down_s: spm_down_ms as f64 / 1000.0,
            failback_done_s: failback_done.map(SimTime::as_secs_f64),
            peak_memory_percent,
        };
        let hosts = inv
            .hosts
            .iter()
            .map(|(id, h)| {
                let sim = &self.hosts[id.index()];
                let mut down: Vec<(f64, f64)> = sim
                    .down
                    .iter()
                    .map(|(a, b)| (a.as_secs_f64(), b.as_secs_f64()))
                    .collect();
                if let Some(since) = sim.down_since {
                    down.push((since.as_secs_f64(), end.as_secs_f64()));
                }
                HostLane {
                    name: h.name.clone(),
                    site: h.site.map(|s| inv.sites[s].name.clone()),
                    down,
                }
            })
            .collect();
        let marks = self
            .events
            .iter()
            .map(|e| Mark {
                at_s: e.at.as_secs_f64(),
                action: e.action.as_str(),
                target: e.label.clone(),
            })
            .collect();
        SimResult {
            scenario: scenario.to_string(),
            seed,
            runs,
            summary: summarize(&vms, figures),
            vms,
            end_s: end.as_secs_f64(),
            timeline: self.timeline.clone(),
            marks,
            hosts,
        }
    }

    /// Engine down (ms), the longest SPM outage (ms), and when failback finished.
    fn engine_times(&self, end: SimTime) -> (u64, u64, Option<SimTime>) {
        let engine_down_ms =
            self.engine.down_ms + self.engine.down_since.map_or(0, |s| end.since(s));
        let spm_down_ms = (0..self.spm_slots())
            .map(|dc| self.spm_down_ms(dc, end))
            .max()
            .unwrap_or(0);
        let failback_done = match self.recovered_at {
            Some(_) if !self.enforcer_armed.iter().any(|a| *a) => self.failback_done,
            _ => None,
        };
        (engine_down_ms, spm_down_ms, failback_done)
    }

    /// The compact result of a Monte Carlo run at `end`: per VM its outcome and RTO, and the
    /// run's figures, without names or timeline.
    pub fn run_record(&self, end: SimTime) -> RunRecord {
        let inv = self.inv;
        let mut first_down: Option<SimTime> = None;
        let mut last_up: Option<SimTime> = None;
        let mut ha_lost = false;
        let mut not_restarted = 0;
        let vms = inv
            .vms
            .ids()
            .map(|vm| {
                let (outcome, reason) = self.vm_outcome(vm);
                let v = &self.vms[vm.index()];
                let rto_ms = match (outcome, v.down_at, v.up_at) {
                    (VmOutcome::Restarted, Some(down), Some(up)) => Some(up.since(down)),
                    _ => None,
                };
                if outcome == VmOutcome::NotRestarted {
                    not_restarted += 1;
                }
                if inv.vms[vm].ha {
                    match outcome {
                        VmOutcome::Restarted => {
                            if let Some(down) = v.down_at {
                                first_down = Some(first_down.map_or(down, |f| f.min(down)));
                            }
                            last_up = last_up.max(v.up_at);
                        }
                        VmOutcome::NotRestarted => ha_lost = true,
                        _ => {}
                    }
                }
                VmRun {
                    outcome,
                    reason,
                    rto_ms,
                }
            })
            .collect();
        let (engine_down_ms, spm_down_ms, failback_done) = self.engine_times(end);
        let all_ha_back = if ha_lost {
            AllBack::Never
        } else {
            match (first_down, last_up) {
                (Some(down), Some(up)) => AllBack::After(up.since(down)),
                _ => AllBack::NoneAffected,
            }
        };
        RunRecord {
            vms,
            not_restarted,
            all_ha_back,
            engine_down_ms,
            spm_down_ms,
            failback_done_ms: failback_done.map(SimTime::as_ms),
        }
    }

    /// The outcome of `vm` at the end of the run, with the reason when it is not restarted.
    fn vm_outcome(&self, vm: VmId) -> (VmOutcome, Option<Reason>) {
        let v = &self.vms[vm.index()];
        let config = &self.inv.vms[vm];
        let running = v.alive
            && !v.paused
            && matches!(
                v.state,
                VmState::Up | VmState::Migrating { .. } | VmState::Unknown
            );
        if self.engine_vm == Some(vm) {
            // The engine's own VM: restarted by the hosted-engine agents or not.
            return match (v.down_at, self.engine.up) {
                (None, _) => (VmOutcome::Unaffected, None),
                (Some(_), true) => (VmOutcome::Restarted, None),
                (Some(_), false) => (VmOutcome::NotRestarted, Some(Reason::EngineDown)),
            };
        }
        if v.initially_down {
            (VmOutcome::Unaffected, None)
        } else if let Some(reason) = v.not_migrated
            && v.host.is_some_and(|h| {
                self.hosts[h.index()].state == crate::ovirt::HostState::PreparingForMaintenance
            })
        {
            (VmOutcome::NotMigrated, Some(reason))
        } else if v.split_brain {
            (VmOutcome::SplitBrain, None)
        } else if v.down_at.is_none() {
            if v.migrated_at.is_some() {
                (VmOutcome::Migrated, None)
            } else {
                (VmOutcome::Unaffected, None)
            }
        } else if running && v.up_at.is_some() && v.resumed {
            (VmOutcome::Resumed, None)
        } else if running && v.up_at.is_some() {
            (VmOutcome::Restarted, None)
        } else {
            let reason = if !config.ha {
                Reason::NotHa
            } else if !self.engine.up {
                Reason::EngineDown
            } else {
                v.reason.unwrap_or(if config.lease.is_some() {
                    Reason::StorageUnavailable
                } else {
                    Reason::NoLeaseNoFencing
                })
            };
            (VmOutcome::NotRestarted, Some(reason))
        }
    }

    fn vm_result(&self, vm: VmId) -> VmResult {
        let inv = self.inv;
        let v = &self.vms[vm.index()];
        let config = &inv.vms[vm];
        let host_name = |h: Option<HostId>| h.map(|h| inv.hosts[h].name.clone());
        let site_name = |h: Option<HostId>| {
            h.and_then(|h| inv.hosts[h].site)
                .map(|s| inv.sites[s].name.clone())
        };
        let (outcome, reason) = self.vm_outcome(vm);
        let shown_host = match outcome {
            VmOutcome::NotRestarted => None,
            _ if self.engine_vm == Some(vm) => v.up_host,
            _ if v.initially_down => None,
            _ => v.host,
        };
        VmResult {
            name: config.name.clone(),
            outcome,
            reason,
            down_at_s: v
                .down_at
                .filter(|_| !v.initially_down)
                .map(SimTime::as_secs_f64),
            up_at_s: v
                .up_at
                .filter(|_| outcome != VmOutcome::NotRestarted)
                .map(SimTime::as_secs_f64),
            site: site_name(shown_host),
            host: host_name(shown_host),
            from_host: host_name(v.from_host),
            up_host: host_name(
                v.up_host
                    .filter(|_| v.up_at.is_some() && outcome != VmOutcome::NotRestarted),
            ),
            resumed: v.resumed && outcome == VmOutcome::Restarted,
            migrated_at_s: v
                .migrated_at
                .filter(|_| outcome == VmOutcome::Migrated)
                .map(SimTime::as_secs_f64),
            failback_up_at_s: None,
        }
    }
}

fn round1(x: f64) -> f64 {
    libm::round(x * 10.0) / 10.0
}
