//! The replay: one discrete-event model holding every simulated session, driven by the `des`
//! step loop. Scheduled runs, run completions and scenario events are its events.

use std::collections::BTreeSet;

use stretchdr_model::Inventory;
use stretchdr_model::inventory::{ChangeRate, WEEK_MS, sync_duration_ms};

use super::{
    Action, GeorepResult, GeorepScenario, RpoStats, RunCounts, RunOutcome, SessionResult, SiteLoss,
    SyncRun, Target, WorstCase,
};
use crate::des::{self, Context, EventQueue, Model, ScheduleError, SimTime};

const GIB: f64 = (1u64 << 30) as f64;

/// Replays `scenario` against `inventory`: every geo-replication session of the scenario's
/// domain (or of every domain), over a warm-up of whole weeks and then the scenario's duration.
/// Events naming what the inventory does not hold have no effect and are listed in the result.
pub fn run(inventory: &Inventory, scenario: &GeorepScenario) -> GeorepResult {
    let mut results = Vec::new();
    let mut sessions = Vec::new();
    for domain in inventory.storage_domains.values() {
        if scenario.domain.as_ref().is_some_and(|d| *d != domain.name) {
            continue;
        }
        let Some(volume) = &domain.gluster else {
            continue;
        };
        for session in &volume.georep {
            let site_name = |site: Option<stretchdr_model::SiteId>| {
                site.map(|s| inventory.sites[s].name.clone())
            };
            let primary_site = match domain.writable_at.as_slice() {
                [site] => site_name(Some(*site)),
                _ => None,
            };
            let bandwidth_bps = session.bandwidth(inventory, domain);
            let mut result = SessionResult {
                domain: domain.name.clone(),
                volume: volume.volume.clone(),
                secondary_volume: session.secondary_volume.clone(),
                secondary_site: site_name(session.secondary_site),
                schedule: session.schedule.as_ref().map(|s| s.to_string()),
                bandwidth_bps,
                rpo_target_s: session.rpo_target_ms.map(seconds),
                not_simulated: None,
                counts: RunCounts::default(),
                rpo_s: None,
                worst: None,
                meets_target: None,
                site_losses: Vec::new(),
                runs: Vec::new(),
            };
            let missing = match (&session.schedule, &session.change_rate, bandwidth_bps) {
                (None, _, _) => Some("no schedule"),
                (_, None, _) => Some("no change rate"),
                (_, _, None) => Some("no bandwidth (neither the session's nor the link's)"),
                (Some(schedule), Some(rate), Some(bps)) => {
                    let gap = schedule.longest_gap_ms();
                    match gap {
                        None => Some("the schedule never runs"),
                        Some(gap) => {
                            sessions.push(Session::new(
                                results.len(),
                                domain.name.clone(),
                                primary_site.clone(),
                                result.secondary_site.clone(),
                                rate.clone(),
                                bps,
                                gap,
                                schedule.clone(),
                                session.rpo_target_ms,
                            ));
                            None
                        }
                    }
                }
            };
            result.not_simulated = missing.map(str::to_string);
            results.push(result);
        }
    }
    // Whole weeks of warm-up, at least twice the longest gap, so every run of the scenario has
    // steady-state predecessors.
    let longest = sessions.iter().map(|s| s.longest_gap_ms).max().unwrap_or(0);
    let warmup_ms = WEEK_MS * (2 * longest).div_ceil(WEEK_MS).max(1);
    let end = warmup_ms + scenario.duration_ms;
    for session in &mut sessions {
        session.warmup_ms = warmup_ms;
    }
    let ignored_events = scenario
        .events
        .iter()
        .filter(|e| !known(inventory, &e.target))
        .map(|e| e.label.clone())
        .collect();
    let mut model = GeorepModel {
        scenario,
        sessions,
        failed_links: BTreeSet::new(),
        failed_bricks: BTreeSet::new(),
        failed_sites: BTreeSet::new(),
    };
    let mut queue = EventQueue::new();
    for (i, event) in scenario.events.iter().enumerate() {
        schedule(&mut queue, warmup_ms + event.at_ms, Event::Scenario(i));
    }
    for (i, session) in model.sessions.iter().enumerate() {
        for at in session.schedule.fires_between(0, end) {
            schedule(&mut queue, at, Event::Fire(i));
        }
    }
    // The model has no randomness; the RNG is the step loop's, unused.
    let mut rng = des::rng(0, 0);
    des::run(
        &mut model,
        &mut queue,
        &mut rng,
        SimTime::from_ms(end.saturating_sub(1)),
    )
    .expect("events are scheduled at or after the current time");
    for session in &mut model.sessions {
        session.finish(end, scenario.rpo_step_ms, &mut results[session.result]);
    }
    GeorepResult {
        scenario: scenario.name.clone(),
        mode: "georep",
        duration_s: seconds(scenario.duration_ms),
        rpo_step_s: seconds(scenario.rpo_step_ms),
        ignored_events,
        sessions: results,
    }
}

fn schedule(queue: &mut EventQueue<Event>, at: u64, event: Event) {
    queue
        .schedule(SimTime::from_ms(at), event)
        .expect("the queue is empty before the run: nothing is in the past");
}

fn known(inventory: &Inventory, target: &Target) -> bool {
    match target {
        Target::Link(a, b) => {
            inventory.sites.find(a).is_some() && inventory.sites.find(b).is_some()
        }
        Target::Site(site) => inventory.sites.find(site).is_some(),
        Target::Brick(domain) => inventory.storage_domains.find(domain).is_some(),
    }
}

fn seconds(ms: u64) -> f64 {
    ms as f64 / 1000.0
}

/// Seconds relative to the end of the warm-up (negative before it).
fn scenario_seconds(ms: u64, warmup_ms: u64) -> f64 {
    (ms as f64 - warmup_ms as f64) / 1000.0
}

fn gib(bytes: f64) -> f64 {
    (bytes / GIB * 1000.0).round() / 1000.0
}

#[derive(Clone, Copy, Debug)]
enum Event {
    /// A scheduled run of session `.0` is due.
    Fire(usize),
    /// Session `.0`'s run number `.1` completes, unless it failed meanwhile.
    Complete(usize, usize),
    /// Scenario event `.0`.
    Scenario(usize),
}

struct GeorepModel<'a> {
    scenario: &'a GeorepScenario,
    sessions: Vec<Session>,
    /// Failed links, each as its two site names in order.
    failed_links: BTreeSet<(String, String)>,
    /// Domains with a brick offline.
    failed_bricks: BTreeSet<String>,
    failed_sites: BTreeSet<String>,
}

impl GeorepModel<'_> {
    /// Why `session` cannot ship now, if it cannot.
    fn blocked(&self, session: &Session) -> Option<String> {
        let (primary, secondary) = (&session.primary_site, &session.secondary_site);
        for site in [primary, secondary].into_iter().flatten() {
            if self.failed_sites.contains(site) {
                return Some(format!("site {site} is down"));
            }
        }
        if let (Some(a), Some(b)) = (primary, secondary)
            && self.failed_links.contains(&link_key(a, b))
        {
            return Some(format!("link {a}/{b} is down"));
        }
        if self.failed_bricks.contains(&session.domain) {
            return Some(format!("a brick of {} is offline", session.domain));
        }
        None
    }

    fn primary_down(&self, session: &Session) -> bool {
        session
            .primary_site
            .as_ref()
            .is_some_and(|site| self.failed_sites.contains(site))
    }
}

fn link_key(a: &str, b: &str) -> (String, String) {
    if a <= b {
        (a.to_string(), b.to_string())
    } else {
        (b.to_string(), a.to_string())
    }
}

impl Model for GeorepModel<'_> {
    type Event = Event;
    type Error = ScheduleError;

    fn handle(&mut self, ctx: &mut Context<'_, Event>, event: Event) -> Result<(), ScheduleError> {
        let now = ctx.now().as_ms();
        match event {
            Event::Fire(i) => {
                let down = self.primary_down(&self.sessions[i]);
                let blocked = self.blocked(&self.sessions[i]);
                let session = &mut self.sessions[i];
                session.accrue(now, down);
                // A run completing at this very moment releases the lock first.
                if session
                    .running
                    .as_ref()
                    .is_some_and(|r| r.completes_at == now)
                {
                    session.complete(now);
                }
                if session.running.is_some() {
                    session.record(now, RunOutcome::Skipped, 0.0, None);
                } else if let Some(reason) = blocked {
                    let backlog = session.backlog_bytes;
                    session.record(now, RunOutcome::Failed, backlog, Some(reason));
                    session.runs.last_mut().expect("just recorded").end = Some(now);
                } else {
                    let run = session.start(now);
                    let completes_at = session.running.as_ref().expect("started").completes_at;
                    ctx.schedule(SimTime::from_ms(completes_at), Event::Complete(i, run))?;
                }
            }
            Event::Complete(i, run) => {
                let down = self.primary_down(&self.sessions[i]);
                let session = &mut self.sessions[i];
                session.accrue(now, down);
                if session.running.as_ref().is_some_and(|r| r.run == run) {
                    session.complete(now);
                }
            }
            Event::Scenario(e) => {
                let event = &self.scenario.events[e];
                // Data changed up to now counts at the state before the event.
                for i in 0..self.sessions.len() {
                    let down = self.primary_down(&self.sessions[i]);
                    self.sessions[i].accrue(now, down);
                }
                let failing = event.action == Action::Fail;
                match &event.target {
                    Target::Link(a, b) => set(&mut self.failed_links, link_key(a, b), failing),
                    Target::Brick(domain) => set(&mut self.failed_bricks, domain.clone(), failing),
                    Target::Site(site) => set(&mut self.failed_sites, site.clone(), failing),
                }
                let lost_site = match (&event.target, event.action) {
                    (Target::Site(site), Action::Fail) => Some(site.clone()),
                    _ => None,
                };
                let recovered_site = match (&event.target, event.action) {
                    (Target::Site(site), Action::Recover) => Some(site.clone()),
                    _ => None,
                };
                for i in 0..self.sessions.len() {
                    let blocked = self.blocked(&self.sessions[i]);
                    let session = &mut self.sessions[i];
                    if lost_site.is_some() && lost_site == session.primary_site {
                        session.lose_primary(now);
                    } else if recovered_site.is_some() && recovered_site == session.primary_site {
                        session.recover_primary(now);
                    } else if let Some(reason) = blocked {
                        session.fail_running(now, reason);
                    }
                }
            }
        }
        Ok(())
    }
}

fn set<T: Ord>(items: &mut BTreeSet<T>, item: T, present: bool) {
    if present {
        items.insert(item);
    } else {
        items.remove(&item);
    }
}

/// A run shipping its checkpoint.
struct Running {
    /// Index in `Session::runs`.
    run: usize,
    /// The run's snapshot time: the consistent point once it completes.
    snapshot_at: u64,
    /// Data changed up to the snapshot (the running total), for what a later loss loses.
    changed_at_snapshot: f64,
    started: u64,
    /// What it has to ship, bytes.
    bytes: f64,
    completes_at: u64,
}

/// A run as recorded, in internal time.
struct RunRecord {
    due: u64,
    end: Option<u64>,
    outcome: RunOutcome,
    backlog_bytes: f64,
    reason: Option<String>,
}

struct Session {
    /// Index in the result's sessions.
    result: usize,
    domain: String,
    primary_site: Option<String>,
    secondary_site: Option<String>,
    rate: ChangeRate,
    bandwidth_bps: u64,
    longest_gap_ms: u64,
    schedule: stretchdr_model::inventory::SyncSchedule,
    rpo_target_ms: Option<u64>,
    /// End of the warm-up: results count from here.
    warmup_ms: u64,
    /// Changed and not yet shipped nor part of a running checkpoint, bytes.
    backlog_bytes: f64,
    /// Everything changed since the start, bytes.
    changed_total: f64,
    accrued_to: u64,
    running: Option<Running>,
    /// The consistent point the secondary holds and the running total of changes then.
    last_consistent: u64,
    changed_at_consistent: f64,
    /// `(from, consistent point)`: the step function of the consistent point over time.
    consistency: Vec<(u64, u64)>,
    /// `(from, to)` intervals with the primary site down.
    primary_down: Vec<(u64, Option<u64>)>,
    /// Worst moment seen: `(at, consistent point, loss in bytes)`.
    worst: Option<(u64, u64, f64)>,
    runs: Vec<RunRecord>,
    site_losses: Vec<SiteLoss>,
}

impl Session {
    #[allow(clippy::too_many_arguments)]
    fn new(
        result: usize,
        domain: String,
        primary_site: Option<String>,
        secondary_site: Option<String>,
        rate: ChangeRate,
        bandwidth_bps: u64,
        longest_gap_ms: u64,
        schedule: stretchdr_model::inventory::SyncSchedule,
        rpo_target_ms: Option<u64>,
    ) -> Session {
        Session {
            result,
            domain,
            primary_site,
            secondary_site,
            rate,
            bandwidth_bps,
            longest_gap_ms,
            schedule,
            rpo_target_ms,
            warmup_ms: 0,
            backlog_bytes: 0.0,
            changed_total: 0.0,
            accrued_to: 0,
            running: None,
            last_consistent: 0,
            changed_at_consistent: 0.0,
            consistency: vec![(0, 0)],
            primary_down: Vec::new(),
            worst: None,
            runs: Vec::new(),
            site_losses: Vec::new(),
        }
    }

    /// Adds the data changed since the last call (none while the primary site is down).
    fn accrue(&mut self, now: u64, primary_down: bool) {
        if !primary_down {
            let bytes = self.rate.bytes_between(self.accrued_to, now);
            self.backlog_bytes += bytes;
            self.changed_total += bytes;
        }
        self.accrued_to = now;
    }

    fn record(&mut self, due: u64, outcome: RunOutcome, backlog: f64, reason: Option<String>) {
        self.runs.push(RunRecord {
            due,
            end: None,
            outcome,
            backlog_bytes: backlog,
            reason,
        });
    }

    /// Starts a run at `now` (its snapshot); returns its index.
    fn start(&mut self, now: u64) -> usize {
        let bytes = std::mem::take(&mut self.backlog_bytes);
        let run = self.runs.len();
        self.record(now, RunOutcome::Running, bytes, None);
        self.running = Some(Running {
            run,
            snapshot_at: now,
            changed_at_snapshot: self.changed_total,
            started: now,
            bytes,
            completes_at: now + sync_duration_ms(bytes, self.bandwidth_bps),
        });
        run
    }

    /// The running run completes: the secondary now holds its snapshot.
    fn complete(&mut self, now: u64) {
        let Some(running) = self.running.take() else {
            return;
        };
        self.note_worst(now);
        self.last_consistent = running.snapshot_at;
        self.changed_at_consistent = running.changed_at_snapshot;
        self.consistency.push((now, running.snapshot_at));
        let record = &mut self.runs[running.run];
        record.outcome = RunOutcome::Completed;
        record.end = Some(now);
    }

    /// The running run (if any) fails: what it had not shipped goes back to the backlog.
    fn fail_running(&mut self, now: u64, reason: String) {
        self.stop_running(now, RunOutcome::Failed, Some(reason));
    }

    fn stop_running(&mut self, now: u64, outcome: RunOutcome, reason: Option<String>) {
        let Some(running) = self.running.take() else {
            return;
        };
        let shipped = self.bandwidth_bps as f64 / 8.0 * (now - running.started) as f64 / 1000.0;
        self.backlog_bytes += (running.bytes - shipped).max(0.0);
        let record = &mut self.runs[running.run];
        record.outcome = outcome;
        record.end = Some(now);
        record.reason = reason;
    }

    /// The primary site is lost at `now`: the secondary recovers from the last consistent point.
    fn lose_primary(&mut self, now: u64) {
        if self
            .primary_down
            .last()
            .is_some_and(|&(_, to)| to.is_none())
        {
            return;
        }
        let warmup_ms = self.warmup_ms;
        let in_progress = self.running.is_some();
        self.stop_running(now, RunOutcome::Interrupted, None);
        self.note_worst(now);
        self.primary_down.push((now, None));
        self.site_losses.push(SiteLoss {
            site: self.primary_site.clone().unwrap_or_default(),
            at_s: scenario_seconds(now, warmup_ms),
            sync_in_progress: in_progress,
            last_consistent_s: scenario_seconds(self.last_consistent, warmup_ms),
            rpo_s: seconds(now - self.last_consistent),
            loss_gib: gib(self.changed_total - self.changed_at_consistent),
        });
    }

    /// The primary site is back: its data changes again from `now`.
    fn recover_primary(&mut self, now: u64) {
        if let Some((_, to)) = self.primary_down.last_mut()
            && to.is_none()
        {
            *to = Some(now);
        }
    }

    /// A candidate for the worst moment (inside the scenario): the RPO just before `now`.
    fn note_worst(&mut self, now: u64) {
        if now < self.warmup_ms {
            return;
        }
        let rpo = now - self.last_consistent;
        if self
            .worst
            .is_none_or(|(at, consistent, _)| rpo > at - consistent)
        {
            let loss = self.changed_total - self.changed_at_consistent;
            self.worst = Some((now, self.last_consistent, loss));
        }
    }

    fn is_primary_down(&self, at: u64) -> bool {
        self.primary_down
            .iter()
            .any(|&(from, to)| at >= from && to.is_none_or(|to| at < to))
    }

    /// Closes the run at `end` and writes the session's result.
    fn finish(&mut self, end: u64, step_ms: u64, result: &mut SessionResult) {
        let warmup_ms = self.warmup_ms;
        let down_at_end = self
            .primary_down
            .last()
            .is_some_and(|&(_, to)| to.is_none());
        if !down_at_end {
            let down = false;
            self.accrue(end, down);
            self.note_worst(end);
        }
        let mut samples = Vec::new();
        let mut step = 0;
        let mut t = warmup_ms;
        while t < end {
            if !self.is_primary_down(t) {
                let at = self.consistency.partition_point(|&(from, _)| from <= t);
                let consistent = self.consistency[at - 1].1;
                samples.push(t - consistent);
            }
            step += 1;
            t = warmup_ms + step * step_ms;
        }
        samples.sort_unstable();
        let worst = self.worst;
        result.rpo_s = worst.map(|(at, consistent, _)| RpoStats {
            p50: seconds(percentile(&samples, 0.50)),
            p95: seconds(percentile(&samples, 0.95)),
            max: seconds(at - consistent),
        });
        result.worst = worst.map(|(at, consistent, loss)| WorstCase {
            at_s: scenario_seconds(at, warmup_ms),
            rpo_s: seconds(at - consistent),
            last_consistent_s: scenario_seconds(consistent, warmup_ms),
            loss_gib: gib(loss),
        });
        result.meets_target = match (self.rpo_target_ms, worst) {
            (Some(target), Some((at, consistent, _))) => Some(at - consistent <= target),
            _ => None,
        };
        result.site_losses = std::mem::take(&mut self.site_losses);
        for record in self.runs.iter().filter(|r| r.due >= warmup_ms) {
            let counts = &mut result.counts;
            match record.outcome {
                RunOutcome::Completed => counts.completed += 1,
                RunOutcome::Skipped => counts.skipped += 1,
                RunOutcome::Failed => counts.failed += 1,
                RunOutcome::Interrupted => counts.interrupted += 1,
                RunOutcome::Running => counts.running += 1,
            }
            result.runs.push(SyncRun {
                start_s: scenario_seconds(record.due, warmup_ms),
                end_s: record.end.map(|e| scenario_seconds(e, warmup_ms)),
                outcome: record.outcome,
                backlog_gib: gib(record.backlog_bytes),
                reason: record.reason.clone(),
            });
        }
    }
}

/// Nearest-rank percentile of sorted samples (0 when there are none).
fn percentile(sorted: &[u64], p: f64) -> u64 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = (p * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}
