//! The replay: one discrete-event model holding every simulated session, driven by the `des`
//! step loop. Scheduled runs, the engine's status refreshes, RPO samples and scenario events
//! are its events.

use std::collections::{BTreeMap, BTreeSet};

use stretchdr_model::Inventory;
use stretchdr_model::inventory::{
    CHANGELOG_ROLLOVER_MS, ChangeRate, GeoRepMode, HOUR_MS, SyncSchedule, WEEK_MS,
};

use super::{
    Action, GeorepResult, GeorepScenario, RecoveryPoint, RpoStats, RunCounts, RunOutcome,
    SessionResult, SiteLoss, SyncRun, Target, WorstCase,
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
            let bandwidth_bps = session.shared_bandwidth(inventory, domain);
            let mut result = SessionResult {
                domain: domain.name.clone(),
                volume: volume.volume.clone(),
                secondary_volume: session.secondary_volume.clone(),
                mode: session.mode,
                stopped_by_engine_s: None,
                in_place_s: 0.0,
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
            let continuous = session.mode == GeoRepMode::Continuous;
            let gap = session.schedule.as_ref().and_then(|s| s.longest_gap_ms());
            let missing = match (&session.change_rate, bandwidth_bps) {
                (None, _) => Some("no change rate"),
                (_, None) => Some("no bandwidth (neither the session's nor the link's)"),
                _ if !continuous && session.schedule.is_none() => Some("no schedule"),
                _ if !continuous && gap.is_none() => Some("the schedule never runs"),
                (Some(rate), Some(bps)) => {
                    sessions.push(Session::new(
                        results.len(),
                        domain.name.clone(),
                        primary_site.clone(),
                        result.secondary_site.clone(),
                        rate.clone(),
                        bps,
                        gap,
                        session.schedule.clone(),
                        session.rpo_target_ms,
                        volume.replica.unwrap_or(1),
                        continuous,
                    ));
                    None
                }
            };
            result.not_simulated = missing.map(str::to_string);
            results.push(result);
        }
    }
    // Whole weeks of warm-up, at least twice the longest gap, so every run of the scenario has
    // steady-state predecessors.
    let longest = sessions
        .iter()
        .filter_map(|s| s.longest_gap_ms)
        .max()
        .unwrap_or(0);
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
        offline_bricks: BTreeMap::new(),
        failed_sites: BTreeSet::new(),
        refresh_ms: scenario.status_refresh_ms.max(1),
    };
    let mut queue = EventQueue::new();
    for (i, event) in scenario.events.iter().enumerate() {
        schedule(&mut queue, warmup_ms + event.at_ms, Event::Scenario(i));
    }
    for (i, session) in model.sessions.iter().enumerate() {
        if let Some(schedule_of) = &session.schedule {
            for at in schedule_of.fires_between(0, end) {
                schedule(&mut queue, at, Event::Fire(i));
            }
        }
    }
    let mut t = warmup_ms;
    while t < end {
        schedule(&mut queue, t, Event::Sample);
        t += scenario.rpo_step_ms.max(1);
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
    let sessions = std::mem::take(&mut model.sessions);
    for mut session in sessions {
        let down = model.primary_down(&session);
        let ships = model.blocked(&session).is_none();
        session.accrue(end, down, ships);
        session.finish(end, &mut results[session.result]);
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
    /// The engine's status refresh while session `.0`'s run number `.1` is on.
    Refresh(usize, usize),
    /// An RPO sample of every session.
    Sample,
    /// Scenario event `.0`.
    Scenario(usize),
}

struct GeorepModel<'a> {
    scenario: &'a GeorepScenario,
    sessions: Vec<Session>,
    /// Failed links, each as its two site names in order.
    failed_links: BTreeSet<(String, String)>,
    /// Offline bricks per domain.
    offline_bricks: BTreeMap<String, u32>,
    failed_sites: BTreeSet<String>,
    refresh_ms: u64,
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
        // The worst case the scenario allows: the offline bricks are in one subvolume, which
        // has no active brick once all of its `replica` bricks are offline
        // (GlusterGeoRepSyncJob.updateGeoRepStatus: a subvolume with an Active brick is
        // healthy, one with only Faulty bricks makes the session Faulty).
        let offline = self
            .offline_bricks
            .get(&session.domain)
            .copied()
            .unwrap_or(0);
        if offline >= session.replica {
            return Some(if session.replica == 1 {
                format!("a brick of {} is offline", session.domain)
            } else {
                format!(
                    "{offline} bricks of {} are offline: a replica {} subvolume has no active brick",
                    session.domain, session.replica
                )
            });
        }
        None
    }

    fn primary_down(&self, session: &Session) -> bool {
        session
            .primary_site
            .as_ref()
            .is_some_and(|site| self.failed_sites.contains(site))
    }

    /// Brings every session's changes and shipping up to `now`, in the state before an event.
    fn accrue_all(&mut self, now: u64) {
        for i in 0..self.sessions.len() {
            let down = self.primary_down(&self.sessions[i]);
            let ships = self.blocked(&self.sessions[i]).is_none();
            self.sessions[i].accrue(now, down, ships);
        }
    }

    /// The next status refresh after `now`.
    fn next_refresh(&self, now: u64) -> u64 {
        (now / self.refresh_ms + 1) * self.refresh_ms
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
        self.accrue_all(now);
        match event {
            Event::Fire(i) => {
                let session = &mut self.sessions[i];
                if session.running.is_some() || now < session.locked_until {
                    session.record(now, RunOutcome::Skipped, 0.0, None);
                } else if !session.primary_is_down {
                    let run = session.start(now);
                    let at = self.next_refresh(now);
                    ctx.schedule(SimTime::from_ms(at), Event::Refresh(i, run))?;
                }
            }
            Event::Refresh(i, run) => {
                let blocked = self.blocked(&self.sessions[i]);
                let next = self.next_refresh(now);
                let session = &mut self.sessions[i];
                let Some(running) = &session.running else {
                    return Ok(());
                };
                if running.run != run {
                    return Ok(());
                }
                if let Some(reason) = blocked {
                    session.fail_running(now, reason);
                } else if running.bytes_left <= 0.0 {
                    session.complete(now);
                } else {
                    ctx.schedule(SimTime::from_ms(next), Event::Refresh(i, run))?;
                }
            }
            Event::Sample => {
                for session in &mut self.sessions {
                    session.sample(now);
                }
            }
            Event::Scenario(e) => {
                let event = &self.scenario.events[e];
                let failing = event.action == Action::Fail;
                match &event.target {
                    Target::Link(a, b) => set(&mut self.failed_links, link_key(a, b), failing),
                    Target::Brick(domain) => {
                        let count = self.offline_bricks.entry(domain.clone()).or_insert(0);
                        *count = if failing {
                            *count + 1
                        } else {
                            count.saturating_sub(1)
                        };
                    }
                    Target::Site(site) => set(&mut self.failed_sites, site.clone(), failing),
                }
                for session in &mut self.sessions {
                    match (&event.target, event.action) {
                        (Target::Site(site), Action::Fail)
                            if Some(site) == session.primary_site.as_ref() =>
                        {
                            session.lose_primary(now);
                        }
                        (Target::Site(site), Action::Recover)
                            if Some(site) == session.primary_site.as_ref() =>
                        {
                            session.primary_is_down = false;
                        }
                        _ => {}
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

/// A scheduled run: its checkpoint ships, then the engine sees it complete.
struct Running {
    /// Index in `Session::runs`.
    run: usize,
    /// The run's snapshot time: the consistent point once it completes.
    snapshot_at: u64,
    /// Data changed up to the snapshot (the running total), for what a later loss loses.
    changed_at_snapshot: f64,
    /// What the checkpoint still has to ship, bytes.
    bytes_left: f64,
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
    /// Bytes per millisecond the session ships.
    per_ms: f64,
    longest_gap_ms: Option<u64>,
    schedule: Option<SyncSchedule>,
    rpo_target_ms: Option<u64>,
    /// Bricks per replicated subvolume.
    replica: u32,
    /// Still running as created and started (not yet stopped by an engine sync).
    continuous: bool,
    /// gsyncd runs outside a checkpointed run: a continuous session, or one a failed run left
    /// running. It ships the backlog whenever it can.
    session_running: bool,
    /// End of the warm-up: results count from here.
    warmup_ms: u64,
    /// Changed and not yet shipped nor part of a running checkpoint, bytes.
    backlog_bytes: f64,
    /// Everything changed since the start, and everything shipped, bytes.
    changed_total: f64,
    shipped_total: f64,
    /// `(time, changed_total)` at every accrual, for the age of the oldest unshipped change.
    changes: Vec<(u64, f64)>,
    accrued_to: u64,
    running: Option<Running>,
    /// A failed run holds the engine's lock until the refresh that saw it fail.
    locked_until: u64,
    primary_is_down: bool,
    /// The snapshot point the secondary holds and the running total of changes then.
    last_consistent: u64,
    changed_at_consistent: f64,
    /// Worst moment seen: `(at, rpo, point, loss in bytes)`.
    worst: Option<(u64, u64, Option<u64>, f64)>,
    samples: Vec<u64>,
    in_place_ms: u64,
    stopped_by_engine: Option<u64>,
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
        longest_gap_ms: Option<u64>,
        schedule: Option<SyncSchedule>,
        rpo_target_ms: Option<u64>,
        replica: u32,
        continuous: bool,
    ) -> Session {
        Session {
            result,
            domain,
            primary_site,
            secondary_site,
            rate,
            per_ms: bandwidth_bps as f64 / 8.0 / 1000.0,
            longest_gap_ms,
            schedule,
            rpo_target_ms,
            replica: replica.max(1),
            continuous,
            session_running: continuous,
            warmup_ms: 0,
            backlog_bytes: 0.0,
            changed_total: 0.0,
            shipped_total: 0.0,
            changes: vec![(0, 0.0)],
            accrued_to: 0,
            running: None,
            locked_until: 0,
            primary_is_down: false,
            last_consistent: 0,
            changed_at_consistent: 0.0,
            worst: None,
            samples: Vec::new(),
            in_place_ms: 0,
            stopped_by_engine: None,
            runs: Vec::new(),
            site_losses: Vec::new(),
        }
    }

    /// Adds the data changed since the last call (none while the primary site is down) and
    /// ships what the session can: the running checkpoint first, then the backlog while gsyncd
    /// runs. Hour by hour, so the change rate is constant in each piece.
    fn accrue(&mut self, now: u64, primary_down: bool, ships: bool) {
        let mut t = self.accrued_to;
        while t < now {
            let piece_end = ((t / HOUR_MS + 1) * HOUR_MS).min(now);
            let dt = (piece_end - t) as f64;
            let changed = if primary_down || self.primary_is_down {
                0.0
            } else {
                self.rate.bytes_between(t, piece_end)
            };
            let mut capacity = if ships { self.per_ms * dt } else { 0.0 };
            let gsyncd_on = self.running.is_some() || self.session_running;
            if let Some(running) = &mut self.running {
                let used = capacity.min(running.bytes_left.max(0.0));
                running.bytes_left -= used;
                capacity -= used;
                self.shipped_total += used;
            }
            self.changed_total += changed;
            self.changes.push((piece_end, self.changed_total));
            if gsyncd_on && capacity > 0.0 {
                let before = self.backlog_bytes + changed;
                self.backlog_bytes = (before - capacity).max(0.0);
                self.shipped_total += before - self.backlog_bytes;
            } else {
                self.backlog_bytes += changed;
            }
            if gsyncd_on && !self.continuous && piece_end > self.warmup_ms {
                self.in_place_ms += piece_end - t.max(self.warmup_ms);
            }
            t = piece_end;
        }
        self.accrued_to = self.accrued_to.max(now);
    }

    /// The age of the oldest change not yet shipped at `now` (0 when all is shipped).
    fn stream_lag(&self, now: u64) -> u64 {
        let pending = self.changed_total - self.shipped_total;
        if pending <= 1.0 {
            return 0;
        }
        // The first accrual whose running total passes what has shipped: the oldest unshipped
        // change is in the piece ending there, taken at its start.
        let i = self
            .changes
            .partition_point(|&(_, c)| c <= self.shipped_total);
        let since = self.changes[i.saturating_sub(1)].0;
        now.saturating_sub(since)
    }

    /// The RPO at `now`: the stream's lag for a continuous session, else the age of the
    /// snapshot the secondary holds.
    fn rpo_now(&self, now: u64) -> u64 {
        if self.continuous {
            self.stream_lag(now) + CHANGELOG_ROLLOVER_MS
        } else {
            now - self.last_consistent
        }
    }

    fn sample(&mut self, now: u64) {
        if self.primary_is_down {
            return;
        }
        let rpo = self.rpo_now(now);
        self.samples.push(rpo);
        if self.continuous {
            let loss = self.changed_total - self.shipped_total;
            if self.worst.is_none_or(|(_, w, _, _)| rpo > w) {
                self.worst = Some((now, rpo, None, loss.max(0.0)));
            }
        }
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
            bytes_left: bytes,
        });
        run
    }

    /// A refresh sees the checkpoint complete: the engine stops the session; the secondary
    /// holds the run's snapshot.
    fn complete(&mut self, now: u64) {
        let Some(running) = self.running.take() else {
            return;
        };
        if !self.continuous {
            self.note_worst(now);
        } else {
            self.stopped_by_engine = Some(now);
        }
        self.continuous = false;
        self.session_running = false;
        self.last_consistent = running.snapshot_at;
        self.changed_at_consistent = running.changed_at_snapshot;
        let record = &mut self.runs[running.run];
        record.outcome = RunOutcome::Completed;
        record.end = Some(now);
    }

    /// A refresh sees the session Faulty: the command fails, the session runs on and what the
    /// checkpoint had not shipped goes back to the backlog.
    fn fail_running(&mut self, now: u64, reason: String) {
        self.stop_running(now, RunOutcome::Failed, Some(reason));
        self.session_running = true;
        self.locked_until = now;
    }

    fn stop_running(&mut self, now: u64, outcome: RunOutcome, reason: Option<String>) {
        let Some(running) = self.running.take() else {
            return;
        };
        self.backlog_bytes += running.bytes_left.max(0.0);
        let record = &mut self.runs[running.run];
        record.outcome = outcome;
        record.end = Some(now);
        record.reason = reason;
    }

    /// The primary site is lost at `now`: what the secondary holds then.
    fn lose_primary(&mut self, now: u64) {
        if self.primary_is_down {
            return;
        }
        let warmup_ms = self.warmup_ms;
        let in_place = !self.continuous && (self.running.is_some() || self.session_running);
        let lag = self.stream_lag(now) + CHANGELOG_ROLLOVER_MS;
        let unshipped = (self.changed_total - self.shipped_total).max(0.0);
        self.stop_running(now, RunOutcome::Interrupted, None);
        self.primary_is_down = true;
        let (point, last, rpo, loss) = if self.continuous {
            (
                RecoveryPoint::CrashConsistent,
                Some(scenario_seconds(now - lag.min(now), warmup_ms)),
                Some(seconds(lag)),
                Some(gib(unshipped)),
            )
        } else if in_place {
            (RecoveryPoint::None, None, None, None)
        } else {
            self.note_worst(now);
            (
                RecoveryPoint::Snapshot,
                Some(scenario_seconds(self.last_consistent, warmup_ms)),
                Some(seconds(now - self.last_consistent)),
                Some(gib(self.changed_total - self.changed_at_consistent)),
            )
        };
        self.site_losses.push(SiteLoss {
            site: self.primary_site.clone().unwrap_or_default(),
            at_s: scenario_seconds(now, warmup_ms),
            sync_in_progress: in_place,
            point,
            last_consistent_s: last,
            rpo_s: rpo,
            loss_gib: loss,
        });
    }

    /// A candidate for the worst moment of a scheduled session (inside the scenario): the RPO
    /// just before `now`.
    fn note_worst(&mut self, now: u64) {
        if now < self.warmup_ms || self.primary_is_down {
            return;
        }
        let rpo = now - self.last_consistent;
        if self.worst.is_none_or(|(_, w, _, _)| rpo > w) {
            let loss = self.changed_total - self.changed_at_consistent;
            self.worst = Some((now, rpo, Some(self.last_consistent), loss));
        }
    }

    /// Closes the run at `end` and writes the session's result.
    fn finish(&mut self, end: u64, result: &mut SessionResult) {
        let warmup_ms = self.warmup_ms;
        if self.continuous {
            self.sample(end);
        } else {
            self.note_worst(end);
        }
        let mut samples = std::mem::take(&mut self.samples);
        samples.sort_unstable();
        let worst = self.worst;
        result.rpo_s = worst.map(|(_, rpo, _, _)| RpoStats {
            p50: seconds(percentile(&samples, 0.50)),
            p95: seconds(percentile(&samples, 0.95)),
            max: seconds(rpo),
        });
        result.worst = worst.map(|(at, rpo, point, loss)| WorstCase {
            at_s: scenario_seconds(at, warmup_ms),
            rpo_s: seconds(rpo),
            last_consistent_s: scenario_seconds(point.unwrap_or(at - rpo.min(at)), warmup_ms),
            loss_gib: gib(loss),
        });
        result.meets_target = match (self.rpo_target_ms, worst) {
            (Some(target), Some((_, rpo, _, _))) => Some(rpo <= target),
            _ => None,
        };
        result.in_place_s = seconds(self.in_place_ms);
        result.stopped_by_engine_s = self
            .stopped_by_engine
            .filter(|&t| t >= warmup_ms)
            .map(|t| scenario_seconds(t, warmup_ms));
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
