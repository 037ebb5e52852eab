//! Gluster geo-replication DR over time (`mode = "georep"`): each geo-replication session
//! replayed over a simulated week (or any duration), with link, brick and site failures, and the
//! RPO at every moment.
//!
//! Scheduled sessions follow ovirt-engine's remote data sync (`GlusterStorageSyncCommand`,
//! `GlusterStorageGeoRepSyncInternalCommand`, `GlusterStorageGeoRepSyncCallback`): at each
//! scheduled time it snapshots the domain's VMs, starts the session unless it is active, sets a
//! checkpoint, and when the checkpoint completes stops the session and removes the snapshots.
//! Modelled here:
//! - The callback reads the session's status from the engine's database, which
//!   `GlusterGeoRepSyncJob` refreshes every `GlusterRefreshRateGeoRepStatusInSecs` (300 s):
//!   completion and failure are seen at the next refresh, so a run ends up to 5 min after its
//!   transfer, and a short outage between two refreshes goes unseen.
//! - A run ships everything not yet at the secondary when it starts at the session's bandwidth
//!   (sessions over one link without their own bandwidth share it equally).
//! - A run due while the previous one has not ended is **skipped** (the exclusive lock
//!   `GLUSTER_STORAGE_DOMAIN_SYNC`, "a sync already exists").
//! - A run **fails** when a refresh sees the session Faulty: the link down, or a subvolume with
//!   no active brick (a brick offline in a replicated subvolume with another brick up is
//!   healthy). The command fails but does not stop the session: gsyncd restarts its faulty
//!   workers and keeps shipping the backlog once it can, so the next run ships less.
//! - Geo-replication writes the secondary in place, and the snapshots are merged after each
//!   run: while a sync ships, or the session runs on after a failed one, the secondary holds
//!   **no consistent point**. Losing the primary site then leaves the domain without one.
//!
//! Continuous sessions (created and started, `mode = "continuous"`) ship changes from the
//! changelog as they happen: the lag is the age of the oldest change not yet shipped (the
//! backlog over the bandwidth), and what the secondary holds is crash-consistent, not a VM
//! snapshot. A continuous session that also has the engine's sync schedule runs until the first
//! scheduled sync completes: the engine then stops it.
//!
//! The timeline starts on a Monday at 00:00. A warm-up of whole weeks (no events) runs first so
//! the week starts in steady state: the first runs ship a normal backlog.

mod engine;
mod report;
mod scenario;

use std::path::PathBuf;

use serde::Serialize;
use stretchdr_model::inventory::GeoRepMode;

pub use engine::run;
pub(crate) use report::clock;
pub use report::{render_text, to_json};
pub use scenario::{keys as scenario_keys, load_scenario, load_scenario_str};

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
    /// How often the engine refreshes geo-replication status
    /// (`GlusterRefreshRateGeoRepStatusInSecs`), ms.
    pub status_refresh_ms: u64,
    /// In time order (stable for equal times).
    pub events: Vec<GeorepEvent>,
}

/// Defaults of a georep scenario.
pub mod defaults {
    /// A week: the period of every schedule the engine can run.
    pub const DURATION_MS: u64 = stretchdr_model::inventory::WEEK_MS;
    /// RPO samples once a minute.
    pub const RPO_STEP_MS: u64 = 60_000;
    /// ovirt-engine's `GlusterRefreshRateGeoRepStatusInSecs`: 300 s
    /// (`packaging/dbscripts/upgrade/pre_upgrade/0000_config.sql`), the period of
    /// `GlusterGeoRepSyncJob.refreshGeoRepSessionStatus`.
    pub const STATUS_REFRESH_MS: u64 = stretchdr_model::inventory::GEOREP_STATUS_REFRESH_MS;
}

/// How a sync run ended.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunOutcome {
    /// The checkpoint completed: the secondary holds the data as of the run's snapshot.
    Completed,
    /// Due before the previous run ended: the engine's lock refused it.
    Skipped,
    /// A status refresh saw the session Faulty (link down, a subvolume without an active
    /// brick): the command failed, the session runs on.
    Failed,
    /// The primary site was lost before it ended.
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
    /// A sync was shipping, or the session ran on after a failed one: the secondary was being
    /// written in place and holds no consistent point.
    pub sync_in_progress: bool,
    /// What the secondary holds: `snapshot` (the last completed sync's), `crash_consistent`
    /// (a continuous session's stream), `none`.
    pub point: RecoveryPoint,
    /// The point the secondary recovers from, s (`None` without one).
    pub last_consistent_s: Option<f64>,
    pub rpo_s: Option<f64>,
    pub loss_gib: Option<f64>,
}

/// What the secondary holds when the primary is lost.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RecoveryPoint {
    /// The VM snapshots of the last completed scheduled sync.
    Snapshot,
    /// A continuous session's stream: every change up to the lag, no VM snapshot.
    CrashConsistent,
    /// Nothing consistent: a sync was writing the secondary in place.
    None,
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
    /// `scheduled` or `continuous`, as the design says.
    pub mode: GeoRepMode,
    /// A continuous session stopped by the engine's first scheduled sync, s.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stopped_by_engine_s: Option<f64>,
    /// Time in the scenario the secondary held no consistent point because a sync was writing
    /// it in place (scheduled sessions), s.
    pub in_place_s: f64,
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
