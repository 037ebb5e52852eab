//! What a run predicts: per VM outcome, summary, the engine's decisions, and what the HTML
//! timeline draws. Serialised as FORMATS.md "Simulation result" (extra fields are optional ones).

use std::collections::BTreeMap;

use serde::Serialize;

/// Why an affected VM was not running at the end of the run.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reason {
    /// Not highly available: the engine does not restart it.
    NotHa,
    /// HA without a lease, and its host could not be fenced.
    NoLeaseNoFencing,
    /// The engine was down.
    EngineDown,
    /// No host had the memory or CPUs.
    NoCapacity,
    /// Enforcing affinity allowed no running host.
    HardAffinity,
    /// Pinned to hosts that are not running.
    Pinned,
    /// Its disks or lease are on storage the surviving hosts cannot reach.
    StorageUnavailable,
    /// A network it needs is not carried where hosts survive.
    NetworkMissing,
    /// Active-passive failover: its cluster has no mapping and the secondary has no cluster
    /// of its name, so the ovirt-dr role does not register it.
    ClusterMissing,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::NotHa => "not_ha",
            Reason::NoLeaseNoFencing => "no_lease_no_fencing",
            Reason::EngineDown => "engine_down",
            Reason::NoCapacity => "no_capacity",
            Reason::HardAffinity => "hard_affinity",
            Reason::Pinned => "pinned",
            Reason::StorageUnavailable => "storage_unavailable",
            Reason::NetworkMissing => "network_missing",
            Reason::ClusterMissing => "cluster_missing",
        }
    }
}

/// The outcome of one VM.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VmOutcome {
    Unaffected,
    Restarted,
    Migrated,
    NotRestarted,
    SplitBrain,
    /// Paused by a storage or lease problem and resumed in place, not restarted: its
    /// downtime is reported, but it is not in the restart RTO.
    Resumed,
    /// A planned failover could not move it (`reason` says why); the host it holds stays in
    /// PreparingForMaintenance.
    NotMigrated,
}

impl VmOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            VmOutcome::Unaffected => "unaffected",
            VmOutcome::Restarted => "restarted",
            VmOutcome::Migrated => "migrated",
            VmOutcome::NotRestarted => "not_restarted",
            VmOutcome::SplitBrain => "split_brain",
            VmOutcome::Resumed => "resumed",
            VmOutcome::NotMigrated => "not_migrated",
        }
    }
}

/// One VM's line of the result.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct VmResult {
    pub name: String,
    pub outcome: VmOutcome,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub down_at_s: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub up_at_s: Option<f64>,
    /// Where it runs at the end (for split brain: where the engine restarted it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// The host it ran on when it went down or was migrated away.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from_host: Option<String>,
    /// The host it came back up on (it may have moved since, e.g. by failback).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub up_host: Option<String>,
    /// `restarted` by resuming in place after its storage came back (paused, not killed).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub resumed: bool,
    /// Live migration finished (planned failover), in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub migrated_at_s: Option<f64>,
    /// Active-passive: up again on the primary after failback, in seconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failback_up_at_s: Option<f64>,
}

impl VmResult {
    /// A VM nothing happened to; the fields a scenario sets are filled in from here.
    pub fn unaffected(name: String) -> VmResult {
        VmResult {
            name,
            outcome: VmOutcome::Unaffected,
            reason: None,
            down_at_s: None,
            up_at_s: None,
            site: None,
            host: None,
            from_host: None,
            up_host: None,
            resumed: false,
            migrated_at_s: None,
            failback_up_at_s: None,
        }
    }
}

/// RTO percentiles over restarted VMs, in seconds (`null` when none restarted).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct Rto {
    pub p50: Option<f64>,
    pub p95: Option<f64>,
    pub max: Option<f64>,
}

/// The totals of a run.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    pub vms: usize,
    pub restarted: usize,
    pub not_restarted: usize,
    pub unaffected: usize,
    pub migrated: usize,
    pub split_brain: usize,
    /// Paused and resumed in place (not in the restart RTO).
    pub resumed: usize,
    /// A planned failover could not move them: their hosts stay PreparingForMaintenance.
    pub not_migrated: usize,
    /// Not restarted or not migrated, by reason (only reasons that occurred).
    pub not_restarted_by_reason: BTreeMap<Reason, usize>,
    pub rto_s: Rto,
    pub engine_down_s: f64,
    /// The longest time a data center was without a working SPM.
    pub spm_down_s: f64,
    /// When the affinity enforcer finished moving VMs back after the last recovery
    /// (`null` when nothing recovered or failback did not finish within the run).
    pub failback_done_s: Option<f64>,
    /// Peak share of the memory of the hosts of each surviving site, in percent, keyed by site.
    pub peak_memory_percent: BTreeMap<String, f64>,
}

/// One decision or observation of the engine (or a scenario event), for the timeline.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Decision {
    pub at_s: f64,
    /// `scenario`, `host`, `fence`, `spm`, `engine`, `restart`, `migration`, `affinity`, `storage`.
    pub kind: &'static str,
    pub text: String,
    /// The host the decision is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// `text` with the host as `{host}` and without details: decisions with the same template
    /// are the same decision about different hosts (reports group them).
    #[serde(skip)]
    pub template: Option<String>,
}

/// A scenario event as drawn on the HTML timeline.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Mark {
    pub at_s: f64,
    /// `fail`, `recover` or `maintenance`.
    pub action: &'static str,
    /// The target as written (`site:site-a`).
    pub target: String,
}

/// One host lane of the HTML timeline.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HostLane {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub site: Option<String>,
    /// Intervals `[from, to]` in seconds when the host was down or unreachable.
    pub down: Vec<(f64, f64)>,
}

/// The result of one run of a scenario.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SimResult {
    pub scenario: String,
    pub seed: u64,
    pub runs: u32,
    pub summary: Summary,
    pub vms: Vec<VmResult>,
    /// Seconds simulated.
    pub end_s: f64,
    pub timeline: Vec<Decision>,
    pub marks: Vec<Mark>,
    pub hosts: Vec<HostLane>,
}

/// Nearest-rank percentile of sorted values.
pub fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = libm::ceil(p / 100.0 * sorted.len() as f64) as usize;
    Some(sorted[rank.clamp(1, sorted.len()) - 1])
}

/// The engine-level figures of a run that are not per VM.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct EngineFigures {
    pub engine_down_s: f64,
    pub spm_down_s: f64,
    pub failback_done_s: Option<f64>,
    pub peak_memory_percent: BTreeMap<String, f64>,
}

/// The summary of per-VM results and the engine-level figures.
pub fn summarize(vms: &[VmResult], figures: EngineFigures) -> Summary {
    let count = |o: VmOutcome| vms.iter().filter(|v| v.outcome == o).count();
    let mut not_restarted_by_reason = BTreeMap::new();
    for vm in vms {
        if let Some(reason) = vm.reason {
            *not_restarted_by_reason.entry(reason).or_insert(0) += 1;
        }
    }
    let mut rtos: Vec<f64> = vms
        .iter()
        .filter(|v| v.outcome == VmOutcome::Restarted)
        .filter_map(|v| Some(v.up_at_s? - v.down_at_s?))
        .collect();
    rtos.sort_by(f64::total_cmp);
    Summary {
        vms: vms.len(),
        restarted: count(VmOutcome::Restarted),
        not_restarted: count(VmOutcome::NotRestarted),
        unaffected: count(VmOutcome::Unaffected),
        migrated: count(VmOutcome::Migrated),
        split_brain: count(VmOutcome::SplitBrain),
        resumed: count(VmOutcome::Resumed),
        not_migrated: count(VmOutcome::NotMigrated),
        not_restarted_by_reason,
        rto_s: Rto {
            p50: percentile(&rtos, 50.0),
            p95: percentile(&rtos, 95.0),
            max: rtos.last().copied(),
        },
        engine_down_s: figures.engine_down_s,
        spm_down_s: figures.spm_down_s,
        failback_done_s: figures.failback_done_s,
        peak_memory_percent: figures.peak_memory_percent,
    }
}
