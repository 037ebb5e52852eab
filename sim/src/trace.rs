//! What the HTML timeline draws beside the host lanes: when the engine was down, when a data
//! center had no SPM, and the affinity enforcer's live migrations (failback). The engine and
//! the migrations are read from the model after every event; the SPM lane from the run's
//! SPM decisions and its `spm_down_s`.

use std::collections::BTreeMap;

use stretchdr_model::{EntityId, HostId, VmId};

use crate::des::SimTime;
use crate::outcome::SimResult;
use crate::ovirt::{Ovirt, VmState};

/// The lanes of one run.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Lanes {
    /// Intervals `[from, to]` in seconds when the engine was down.
    pub engine_down: Vec<(f64, f64)>,
    /// Intervals `[from, to]` in seconds when a data center had no working SPM.
    pub spm_down: Vec<(f64, f64)>,
    /// The affinity enforcer's live migrations, in the order they started.
    pub migrations: Vec<Migration>,
}

/// One live migration by the affinity rules enforcer.
#[derive(Clone, Debug, PartialEq)]
pub struct Migration {
    pub vm: String,
    pub from: String,
    pub to: String,
    pub start_s: f64,
    /// When it finished; `None` when it did not (its host failed, or the run ended).
    pub end_s: Option<f64>,
    /// Started after a failed target recovered: moving a VM back where it belongs.
    pub failback: bool,
}

/// Watches a run event by event and makes its [`Lanes`].
#[derive(Debug, Default)]
pub(crate) struct Tracer {
    engine_down_since: Option<f64>,
    lanes: Lanes,
    /// Decisions of the timeline already looked at.
    decisions_seen: usize,
    /// Migrations under way, by VM index: from, to, started, after a recovery.
    moving: BTreeMap<usize, (HostId, HostId, f64, bool)>,
    /// Each host's outgoing and incoming migrations at the last look.
    counts: Vec<(u32, u32)>,
}

impl Tracer {
    /// Looks at the model after an event at `now`.
    pub(crate) fn observe(&mut self, model: &Ovirt<'_>, now: SimTime) {
        let now_s = now.as_secs_f64();
        match (model.engine.up, self.engine_down_since) {
            (false, None) => {
                self.engine_down_since =
                    Some(model.engine.down_since.map_or(now_s, SimTime::as_secs_f64));
            }
            (true, Some(since)) => {
                let up = model.engine.started_at.map_or(now_s, SimTime::as_secs_f64);
                self.lanes.engine_down.push((since, up.max(since)));
                self.engine_down_since = None;
            }
            _ => {}
        }
        // The enforcer says when it starts and ends a migration: only then are the hosts
        // looked at, so a run pays for this in proportion to its migrations.
        let fresh = &model.timeline[self.decisions_seen.min(model.timeline.len())..];
        let enforcer = fresh.iter().any(|d| d.kind == "affinity");
        self.decisions_seen = model.timeline.len();
        if enforcer {
            self.scan(model, now_s);
        }
    }

    /// Starts and ends of migrations since the last look: the migrations under way are
    /// looked at again, and the VMs of the hosts whose migration counts changed.
    fn scan(&mut self, model: &Ovirt<'_>, now_s: f64) {
        let tracked: Vec<usize> = self.moving.keys().copied().collect();
        for i in tracked {
            self.look_at(model, i, now_s);
        }
        if self.counts.len() != model.hosts.len() {
            self.counts = vec![(0, 0); model.hosts.len()];
        }
        for (h, host) in model.hosts.iter().enumerate() {
            let counts = (host.migrations_out, host.migrations_in);
            if counts != self.counts[h] {
                self.counts[h] = counts;
                for vm in &host.vms {
                    if !self.moving.contains_key(&vm.index()) {
                        self.look_at(model, vm.index(), now_s);
                    }
                }
            }
        }
    }

    /// Notes a start, an end or an abort of VM `i`'s migration.
    fn look_at(&mut self, model: &Ovirt<'_>, i: usize, now_s: f64) {
        let Some(v) = model.vms.get(i) else {
            return;
        };
        let migrating = match (v.state, v.host) {
            (VmState::Migrating { to }, Some(from)) => Some((from, to)),
            _ => None,
        };
        match (self.moving.get(&i).copied(), migrating) {
            (None, Some((from, to))) => {
                self.moving
                    .insert(i, (from, to, now_s, model.recovered_at.is_some()));
            }
            (Some((from, to, start, failback)), now) if now != Some((from, to)) => {
                self.moving.remove(&i);
                let name = |h: HostId| model.inv.hosts[h].name.clone();
                self.lanes.migrations.push(Migration {
                    vm: model.inv.vms[VmId::from_index(i)].name.clone(),
                    from: name(from),
                    to: name(to),
                    start_s: start,
                    end_s: (v.host == Some(to) && now.is_none()).then_some(now_s),
                    failback,
                });
                if let Some((from, to)) = now {
                    self.moving
                        .insert(i, (from, to, now_s, model.recovered_at.is_some()));
                }
            }
            _ => {}
        }
    }

    /// The lanes at the end of the run `result` (at `end`).
    pub(crate) fn finish(mut self, model: &Ovirt<'_>, end: SimTime, result: &SimResult) -> Lanes {
        let end_s = end.as_secs_f64();
        if let Some(since) = self.engine_down_since {
            self.lanes.engine_down.push((since, end_s));
        }
        let names: Vec<&str> = model.inv.vms.iter().map(|(_, v)| v.name.as_str()).collect();
        for (i, (from, to, start, failback)) in std::mem::take(&mut self.moving) {
            self.lanes.migrations.push(Migration {
                vm: names.get(i).map_or(String::new(), |n| n.to_string()),
                from: model.inv.hosts[from].name.clone(),
                to: model.inv.hosts[to].name.clone(),
                start_s: start,
                end_s: None,
                failback,
            });
        }
        self.lanes
            .migrations
            .sort_by(|a, b| a.start_s.total_cmp(&b.start_s));
        self.lanes.spm_down = spm_down(result);
        self.lanes
    }
}

/// When a data center had no working SPM. The engine reports each election that ends an
/// outage ("SPM elected") and each outage no host can end ("no host can be SPM"); an outage
/// starts no earlier than the previous election and the first host lost after it, and lasts
/// no longer than the run's `spm_down_s` (the longest time a data center had no SPM), so a
/// run with one outage per data center is drawn exactly.
pub fn spm_down(result: &SimResult) -> Vec<(f64, f64)> {
    let longest = result.summary.spm_down_s;
    if longest <= 0.0 {
        return Vec::new();
    }
    let mut losses: Vec<f64> = result
        .hosts
        .iter()
        .flat_map(|h| h.down.iter().map(|(from, _)| *from))
        .collect();
    losses.sort_by(f64::total_cmp);
    let first_loss_after = |t: f64| losses.iter().copied().find(|l| *l >= t);
    let mut intervals: Vec<(f64, f64)> = Vec::new();
    let mut since_election = 0.0_f64;
    let mut stuck: Option<f64> = None;
    let close = |intervals: &mut Vec<(f64, f64)>, after: f64, end: f64, stuck: Option<f64>| {
        let start = stuck
            .or_else(|| first_loss_after(after))
            .unwrap_or(after)
            .max(end - longest)
            .max(after);
        if end > start {
            intervals.push((start, end));
        }
    };
    for d in result.timeline.iter().filter(|d| d.kind == "spm") {
        if d.text.starts_with("SPM elected") {
            close(&mut intervals, since_election, d.at_s, stuck.take());
            since_election = d.at_s;
        } else if d.text.starts_with("no host can be SPM") && stuck.is_none() {
            stuck = Some(first_loss_after(since_election).map_or(d.at_s, |l| l.min(d.at_s)));
        }
    }
    let end = result.end_s;
    if let Some(start) = stuck {
        intervals.push((start.max(end - longest), end));
    } else if intervals
        .iter()
        .all(|(from, to)| to - from < longest - 0.001)
    {
        // No decision ended the longest outage: the engine never came back to elect, or the
        // SPM itself came back. It began with the first host lost after the last election.
        let start = match first_loss_after(since_election) {
            Some(loss) if loss + longest <= end => loss,
            _ => (end - longest).max(since_election),
        };
        intervals.push((start, (start + longest).min(end)));
    }
    intervals
}
