//! Gluster geo-replication DR over time (issue 8, `mode = "georep"`): the engine's remote data
//! sync of each session replayed over a simulated week (or any duration), with link, brick and
//! site failures, and the RPO at every moment.
//!
//! What the engine does, from ovirt-engine's `GlusterStorageSyncCommand` and its geo-replication
//! callback: at each scheduled time it snapshots the domain's VMs (the consistent point), sets a
//! geo-replication checkpoint and replicates until the checkpoint completes; the secondary then
//! holds the data as of the snapshot. Modelled here:
//! - A run ships everything not yet at the secondary when it starts (what changed since the
//!   previous run's snapshot, plus what a failed run left behind) at the session's bandwidth.
//! - A run due while the previous one still ships is **skipped**: the sync takes an exclusive
//!   lock on the storage domain (`GLUSTER_STORAGE_DOMAIN_SYNC`, "a sync already exists") and the
//!   scheduled job does not queue.
//! - A run **fails** when the link between the sites is down or a brick of the domain is
//!   offline, at its start or while it ships: geo-replication goes Faulty and the command fails.
//!   Bytes already shipped stay shipped (geo-replication is incremental); the next scheduled run
//!   starts over with a new snapshot.
//! - Losing the primary site **interrupts** a run; the secondary recovers from the last
//!   consistent point, the snapshot of the last completed run. While the primary site is down
//!   no data changes and no RPO is sampled.
//!
//! The timeline starts on a Monday at 00:00. A warm-up of whole weeks (no events) runs first so
//! the week starts in steady state: the first runs ship a normal backlog.

mod engine;
mod report;
mod scenario;

use std::path::PathBuf;

use serde::Serialize;

pub use engine::run;
pub use report::{render_text, to_json};
pub use scenario::{load_scenario, load_scenario_str};

/// What an event does to its target.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Fail,
    Recover,
}

/// What an event acts on, by name (as written, checked against the design when loaded).
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Target {
    /// `link:SITE/SITE`, either order.
    Link(String, String),
    /// `brick:DOMAIN`: a brick of the domain's volume.
    Brick(String),
    /// `site:NAME`.
    Site(String),
}

/// One event of a georep scenario.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct GeorepEvent {
    /// Milliseconds after the start (a Monday at 00:00).
    pub at_ms: u64,
    pub action: Action,
    pub target: Target,
    /// The target as written (`link:site-a/site-b`), for reports.
    pub label: String,
}

/// A georep scenario file (`[scenario] mode = "georep"`).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct GeorepScenario {
    pub name: String,
    /// The design file, resolved against the scenario file's directory.
    pub design: PathBuf,
    /// Simulated time after the warm-up, ms.
    pub duration_ms: u64,
    /// Only this domain's sessions; every domain's when `None`.
    pub domain: Option<String>,
    /// How often the RPO is sampled for its distribution, ms.
    pub rpo_step_ms: u64,
    /// In time order (stable for equal times).
    pub events: Vec<GeorepEvent>,
}

/// Defaults of a georep scenario.
pub mod defaults {
    /// A week: the period of every schedule the engine can run.
    pub const DURATION_MS: u64 = stretchdr_model::inventory::WEEK_MS;
    /// RPO samples once a minute.
    pub const RPO_STEP_MS: u64 = 60_000;
}

/// How a sync run ended.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunOutcome {
    /// The checkpoint completed: the secondary holds the data as of the run's snapshot.
    Completed,
    /// Due while the previous run still shipped: the engine's lock refused it.
    Skipped,
    /// The link or a brick was down: geo-replication went Faulty.
    Failed,
    /// The primary site was lost while it shipped.
    Interrupted,
    /// Still shipping when the simulation ended.
    Running,
}

/// One scheduled sync run.
#[derive(Clone, PartialEq, Debug, Serialize)]
pub struct SyncRun {
    /// When it was due (the snapshot time of a run that started), s.
    pub start_s: f64,
    /// When it completed, failed or was interrupted, s (`None` for skipped and running).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_s: Option<f64>,
    pub outcome: RunOutcome,
    /// What it had to ship at its start, GiB (0 for skipped).
    pub backlog_gib: f64,
    /// Why it failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Percentiles of the RPO, seconds.
#[derive(Clone, Copy, PartialEq, Debug, Serialize)]
pub struct RpoStats {
    pub p50: f64,
    pub p95: f64,
    pub max: f64,
}

/// The worst moment: when the secondary was furthest behind.
#[derive(Clone, PartialEq, Debug, Serialize)]
pub struct WorstCase {
    /// When, s after the start.
    pub at_s: f64,
    pub rpo_s: f64,
    /// The snapshot time the secondary held then, s (negative: before the start).
    pub last_consistent_s: f64,
    /// What a disaster then would lose: data changed since the last consistent point, GiB.
    pub loss_gib: f64,
}

/// A loss of the primary site and what the secondary recovers from.
#[derive(Clone, PartialEq, Debug, Serialize)]
pub struct SiteLoss {
    pub site: String,
    pub at_s: f64,
    /// A sync was shipping: its partial copy is not consistent and is not used.
    pub sync_in_progress: bool,
    /// The consistent point the secondary recovers from, s.
    pub last_consistent_s: f64,
    pub rpo_s: f64,
    pub loss_gib: f64,
}

/// Run counts by outcome.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Serialize)]
pub struct RunCounts {
    pub completed: u32,
    pub skipped: u32,
    pub failed: u32,
    pub interrupted: u32,
    pub running: u32,
}

/// The prediction for one geo-replication session.
#[derive(Clone, PartialEq, Debug, Serialize)]
pub struct SessionResult {
    pub domain: String,
    pub volume: String,
    pub secondary_volume: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secondary_site: Option<String>,
    /// `cron "..."` or `every 6h`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub schedule: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bandwidth_bps: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rpo_target_s: Option<f64>,
    /// Why the session could not be simulated (no schedule, change rate or bandwidth).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_simulated: Option<String>,
    pub counts: RunCounts,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rpo_s: Option<RpoStats>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub worst: Option<WorstCase>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub meets_target: Option<bool>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub site_losses: Vec<SiteLoss>,
    pub runs: Vec<SyncRun>,
}

/// The prediction of a georep scenario.
#[derive(Clone, PartialEq, Debug, Serialize)]
pub struct GeorepResult {
    pub scenario: String,
    pub mode: &'static str,
    pub duration_s: f64,
    pub rpo_step_s: f64,
    /// Events whose target the inventory does not hold (they had no effect).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ignored_events: Vec<String>,
    pub sessions: Vec<SessionResult>,
}
