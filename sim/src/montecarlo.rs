//! Monte Carlo: N runs of a scenario in parallel, run `i` on RNG stream `i`, folded in run
//! order into accumulators whose size does not grow with N (per VM: outcome and reason counts
//! and a tally of RTOs by quantized value), so the result is the same for any thread count.

use std::collections::BTreeMap;
use std::ops::Range;

use rayon::iter::{IntoParallelIterator, ParallelIterator};
use serde::{Deserialize, Serialize};
use stretchdr_model::Inventory;

use crate::outcome::{Reason, Rto, VmOutcome};
use crate::ovirt::SimError;
use crate::scenario::Scenario;

/// One VM in one run.
#[derive(Clone, Copy, Debug)]
pub struct VmRun {
    pub outcome: VmOutcome,
    pub reason: Option<Reason>,
    /// Down to Up, when restarted.
    pub rto_ms: Option<u64>,
}

/// When every affected HA VM was back in a run.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum AllBack {
    /// No HA VM went down.
    NoneAffected,
    /// From the first affected HA VM going down to the last one Up.
    After(u64),
    /// Some affected HA VM was not restarted.
    Never,
}

/// The compact result of one run (what Monte Carlo keeps of it, until folded).
#[derive(Clone, Debug)]
pub struct RunRecord {
    pub vms: Vec<VmRun>,
    pub not_restarted: u32,
    pub all_ha_back: AllBack,
    pub engine_down_ms: u64,
    pub spm_down_ms: u64,
    pub failback_done_ms: Option<u64>,
}

/// Counts per value, sorted by value: its size is the number of distinct values seen, not the
/// number of values added.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Tally {
    counts: Vec<(u32, u32)>,
}

impl Tally {
    pub fn add(&mut self, key: u32) {
        match self.counts.binary_search_by_key(&key, |(k, _)| *k) {
            Ok(i) => self.counts[i].1 += 1,
            Err(i) => self.counts.insert(i, (key, 1)),
        }
    }

    pub fn total(&self) -> u64 {
        self.counts.iter().map(|(_, c)| u64::from(*c)).sum()
    }

    /// Adds every count of `other`: the tally of both sets of values.
    pub fn merge(&mut self, other: &Tally) {
        let mut merged = Vec::with_capacity(self.counts.len() + other.counts.len());
        let (mut a, mut b) = (
            self.counts.iter().peekable(),
            other.counts.iter().peekable(),
        );
        loop {
            let next = match (a.peek(), b.peek()) {
                (Some(&&(ka, ca)), Some(&&(kb, cb))) if ka == kb => {
                    a.next();
                    b.next();
                    (ka, ca.saturating_add(cb))
                }
                (Some(&&x), Some(&&y)) if x.0 < y.0 => {
                    a.next();
                    x
                }
                (_, Some(&&y)) => {
                    b.next();
                    y
                }
                (Some(&&x), None) => {
                    a.next();
                    x
                }
                (None, None) => break,
            };
            merged.push(next);
        }
        self.counts = merged;
    }

    /// Whether the counts are sorted by distinct values (as a tally read from a file must be).
    pub fn is_well_formed(&self) -> bool {
        self.counts.windows(2).all(|w| w[0].0 < w[1].0)
    }

    /// `(value, count)` pairs in value order.
    pub fn counts(&self) -> &[(u32, u32)] {
        &self.counts
    }

    /// Nearest-rank percentile, counting `beyond` extra values above every key (runs that
    /// never got there): `None` when the rank falls among those, or there are no values.
    pub fn percentile(&self, p: f64, beyond: u64) -> Option<u32> {
        let total = self.total() + beyond;
        if total == 0 {
            return None;
        }
        let rank = (libm::ceil(p / 100.0 * total as f64) as u64).clamp(1, total);
        let mut seen = 0;
        for (key, count) in &self.counts {
            seen += u64::from(*count);
            if seen >= rank {
                return Some(*key);
            }
        }
        None
    }

    pub fn max(&self) -> Option<u32> {
        self.counts.last().map(|(k, _)| *k)
    }
}

/// A duration in ms as the whole seconds Monte Carlo tallies: to the second below 1,000 s,
/// three significant digits above (at most 0.05 % off), so the number of distinct values stays
/// small whatever the number of runs.
pub fn quantize_secs(ms: u64) -> u32 {
    let secs = ms.saturating_add(500) / 1000;
    let mut step = 1;
    while secs / step >= 1000 {
        step *= 10;
    }
    let rounded = secs.saturating_add(step / 2) / step * step;
    u32::try_from(rounded).unwrap_or(u32::MAX)
}

const OUTCOMES: [VmOutcome; 7] = [
    VmOutcome::Unaffected,
    VmOutcome::Resumed,
    VmOutcome::Restarted,
    VmOutcome::Migrated,
    VmOutcome::NotMigrated,
    VmOutcome::NotRestarted,
    VmOutcome::SplitBrain,
];

fn outcome_index(outcome: VmOutcome) -> usize {
    OUTCOMES.iter().position(|o| *o == outcome).unwrap_or(0)
}

const REASONS: [Reason; 9] = [
    Reason::NotHa,
    Reason::NoLeaseNoFencing,
    Reason::EngineDown,
    Reason::NoCapacity,
    Reason::HardAffinity,
    Reason::Pinned,
    Reason::StorageUnavailable,
    Reason::NetworkMissing,
    Reason::ClusterMissing,
];

/// One VM's accumulators.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct VmTally {
    outcomes: [u32; OUTCOMES.len()],
    reasons: [u32; REASONS.len()],
    rto: Tally,
}

/// Everything Monte Carlo keeps: fixed size per VM, tallies for the per-run figures. Its
/// counts add up, so the accumulators of disjoint run ranges merge into those of their union
/// (`sim --shard` and `stretchdr merge`); serialised as a shard part's `accumulator`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Accumulator {
    runs: u32,
    vms: Vec<VmTally>,
    rto_all: Tally,
    not_restarted: Tally,
    all_back: Tally,
    all_back_never: u64,
    engine_down: Tally,
    spm_down: Tally,
    #[serde(with = "u128_text")]
    engine_down_sum_ms: u128,
    #[serde(with = "u128_text")]
    spm_down_sum_ms: u128,
    failback: Tally,
}

/// A `u128` as a decimal string: JSON numbers that large do not survive every reader.
mod u128_text {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(value: &u128, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(value)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<u128, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl Accumulator {
    pub fn new(vms: usize) -> Accumulator {
        Accumulator {
            runs: 0,
            vms: vec![VmTally::default(); vms],
            rto_all: Tally::default(),
            not_restarted: Tally::default(),
            all_back: Tally::default(),
            all_back_never: 0,
            engine_down: Tally::default(),
            spm_down: Tally::default(),
            engine_down_sum_ms: 0,
            spm_down_sum_ms: 0,
            failback: Tally::default(),
        }
    }

    /// Folds one run in.
    pub fn add(&mut self, run: &RunRecord) {
        self.runs += 1;
        for (tally, vm) in self.vms.iter_mut().zip(&run.vms) {
            let o = outcome_index(vm.outcome);
            tally.outcomes[o] += 1;
            if let Some(reason) = vm.reason {
                let r = REASONS.iter().position(|r| *r == reason).unwrap_or(0);
                tally.reasons[r] += 1;
            }
            if let Some(rto) = vm.rto_ms {
                let q = quantize_secs(rto);
                tally.rto.add(q);
                self.rto_all.add(q);
            }
        }
        self.not_restarted.add(run.not_restarted);
        match run.all_ha_back {
            AllBack::NoneAffected => self.all_back.add(0),
            AllBack::After(ms) => self.all_back.add(quantize_secs(ms)),
            AllBack::Never => self.all_back_never += 1,
        }
        self.engine_down.add(quantize_secs(run.engine_down_ms));
        self.spm_down.add(quantize_secs(run.spm_down_ms));
        self.engine_down_sum_ms += u128::from(run.engine_down_ms);
        self.spm_down_sum_ms += u128::from(run.spm_down_ms);
        if let Some(done) = run.failback_done_ms {
            self.failback.add(quantize_secs(done));
        }
    }

    /// Runs folded in.
    pub fn runs(&self) -> u32 {
        self.runs
    }

    /// VMs accounted for.
    pub fn vm_count(&self) -> usize {
        self.vms.len()
    }

    /// Whether every tally is sorted by distinct values (as one read from a file must be).
    pub fn is_well_formed(&self) -> bool {
        self.vms.iter().all(|v| v.rto.is_well_formed())
            && [
                &self.rto_all,
                &self.not_restarted,
                &self.all_back,
                &self.engine_down,
                &self.spm_down,
                &self.failback,
            ]
            .iter()
            .all(|t| t.is_well_formed())
    }

    /// Folds in the accumulators of other runs (of the same scenario and VMs): the result is
    /// that of folding their runs one by one.
    pub fn merge(&mut self, other: &Accumulator) {
        self.runs = self.runs.saturating_add(other.runs);
        for (mine, theirs) in self.vms.iter_mut().zip(&other.vms) {
            for (a, b) in mine.outcomes.iter_mut().zip(&theirs.outcomes) {
                *a = a.saturating_add(*b);
            }
            for (a, b) in mine.reasons.iter_mut().zip(&theirs.reasons) {
                *a = a.saturating_add(*b);
            }
            mine.rto.merge(&theirs.rto);
        }
        self.rto_all.merge(&other.rto_all);
        self.not_restarted.merge(&other.not_restarted);
        self.all_back.merge(&other.all_back);
        self.all_back_never = self.all_back_never.saturating_add(other.all_back_never);
        self.engine_down.merge(&other.engine_down);
        self.spm_down.merge(&other.spm_down);
        self.engine_down_sum_ms = self
            .engine_down_sum_ms
            .saturating_add(other.engine_down_sum_ms);
        self.spm_down_sum_ms = self.spm_down_sum_ms.saturating_add(other.spm_down_sum_ms);
        self.failback.merge(&other.failback);
    }

    /// The result, with the VMs' names from `inv`.
    pub fn finish(&self, inv: &Inventory, scenario: &Scenario) -> MonteCarloResult {
        self.finish_named(
            inv.vms.values().map(|vm| vm.name.as_str()),
            &scenario.name,
            scenario.seed,
        )
    }

    /// The result, with the VMs' names in inventory order, the scenario's name and seed.
    pub fn finish_named<'a>(
        &self,
        names: impl Iterator<Item = &'a str>,
        scenario: &str,
        seed: u64,
    ) -> MonteCarloResult {
        let runs = self.runs.max(1);
        let vms: Vec<McVm> = names
            .zip(&self.vms)
            .map(|(vm, t)| {
                // The most frequent outcome; ties go to the worse (later in OUTCOMES).
                let (o, _) = t
                    .outcomes
                    .iter()
                    .enumerate()
                    .max_by_key(|(i, c)| (**c, *i))
                    .expect("seven outcomes");
                let outcome = OUTCOMES[o];
                let with_reason =
                    matches!(outcome, VmOutcome::NotRestarted | VmOutcome::NotMigrated);
                let reason = with_reason.then(|| {
                    let (r, _) = t
                        .reasons
                        .iter()
                        .enumerate()
                        .max_by_key(|(i, c)| (**c, std::cmp::Reverse(*i)))
                        .expect("eight reasons");
                    REASONS[r]
                });
                let lost = t.outcomes[outcome_index(VmOutcome::NotRestarted)];
                McVm {
                    name: vm.to_string(),
                    outcome,
                    reason,
                    p_not_restarted: f64::from(lost) / f64::from(runs),
                    rto_s: rto(&t.rto),
                }
            })
            .collect();
        let count = |o: VmOutcome| vms.iter().filter(|v| v.outcome == o).count();
        let mut not_restarted_by_reason = BTreeMap::new();
        for vm in &vms {
            if let Some(r) = vm.reason {
                *not_restarted_by_reason.entry(r).or_insert(0) += 1;
            }
        }
        let expected_not_restarted = self
            .not_restarted
            .counts()
            .iter()
            .map(|(k, c)| f64::from(*k) * f64::from(*c))
            .sum::<f64>()
            / f64::from(runs);
        let secs = |v: Option<u32>| v.map(f64::from);
        let summary = McSummary {
            vms: vms.len(),
            restarted: count(VmOutcome::Restarted),
            not_restarted: count(VmOutcome::NotRestarted),
            unaffected: count(VmOutcome::Unaffected),
            migrated: count(VmOutcome::Migrated),
            split_brain: count(VmOutcome::SplitBrain),
            resumed: count(VmOutcome::Resumed),
            not_migrated: count(VmOutcome::NotMigrated),
            not_restarted_by_reason,
            rto_s: rto(&self.rto_all),
            engine_down_s: round1(self.engine_down_sum_ms as f64 / 1000.0 / f64::from(runs)),
            spm_down_s: round1(self.spm_down_sum_ms as f64 / 1000.0 / f64::from(runs)),
            failback_done_s: secs(self.failback.percentile(50.0, 0)),
            expected_not_restarted: round3(expected_not_restarted),
            not_restarted_per_run: rto(&self.not_restarted),
            all_ha_back_s: Rto {
                p50: secs(self.all_back.percentile(50.0, self.all_back_never)),
                p95: secs(self.all_back.percentile(95.0, self.all_back_never)),
                max: if self.all_back_never > 0 {
                    None
                } else {
                    secs(self.all_back.max())
                },
            },
            runs_all_ha_back: u32::try_from(self.all_back.total()).unwrap_or(u32::MAX),
            engine_down_per_run_s: rto(&self.engine_down),
            spm_down_per_run_s: rto(&self.spm_down),
        };
        MonteCarloResult {
            scenario: scenario.to_string(),
            seed,
            runs: self.runs,
            summary,
            vms,
            histograms: Histograms {
                all_ha_back_s: bins(&self.all_back, HISTOGRAM_BINS),
                all_ha_back_never: u32::try_from(self.all_back_never).unwrap_or(u32::MAX),
                not_restarted: bins(&self.not_restarted, HISTOGRAM_BINS),
            },
        }
    }
}

/// Bars in a histogram.
pub const HISTOGRAM_BINS: usize = 12;

fn rto(tally: &Tally) -> Rto {
    Rto {
        p50: tally.percentile(50.0, 0).map(f64::from),
        p95: tally.percentile(95.0, 0).map(f64::from),
        max: tally.max().map(f64::from),
    }
}

fn round1(x: f64) -> f64 {
    libm::round(x * 10.0) / 10.0
}

fn round3(x: f64) -> f64 {
    libm::round(x * 1000.0) / 1000.0
}

/// At most `max_bins` bars of equal width over the tally's range: `[from, to)`.
fn bins(tally: &Tally, max_bins: usize) -> Vec<Bin> {
    let (Some(&(lo, _)), Some(hi)) = (tally.counts().first(), tally.max()) else {
        return Vec::new();
    };
    let span = u64::from(hi - lo) + 1;
    let width = span.div_ceil(max_bins as u64).max(1);
    let n = span.div_ceil(width) as usize;
    let mut out: Vec<Bin> = (0..n)
        .map(|i| {
            let from = u64::from(lo) + i as u64 * width;
            Bin {
                from: from as f64,
                to: (from + width) as f64,
                runs: 0,
            }
        })
        .collect();
    for (key, count) in tally.counts() {
        let i = (u64::from(key - lo) / width) as usize;
        out[i].runs += count;
    }
    out
}

/// The result of a Monte Carlo batch: FORMATS.md "Simulation result" with `runs` > 1.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct MonteCarloResult {
    pub scenario: String,
    pub seed: u64,
    pub runs: u32,
    pub summary: McSummary,
    pub vms: Vec<McVm>,
    pub histograms: Histograms,
}

/// The documented summary fields (counts of each VM's most frequent outcome, RTO percentiles
/// over every restart of every run, mean engine and SPM downtime, median failback), then the
/// distributions over runs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct McSummary {
    pub vms: usize,
    pub restarted: usize,
    pub not_restarted: usize,
    pub unaffected: usize,
    pub migrated: usize,
    pub split_brain: usize,
    /// VMs whose most frequent outcome is `resumed`.
    pub resumed: usize,
    /// VMs whose most frequent outcome is `not_migrated`.
    pub not_migrated: usize,
    pub not_restarted_by_reason: BTreeMap<Reason, usize>,
    pub rto_s: Rto,
    pub engine_down_s: f64,
    pub spm_down_s: f64,
    pub failback_done_s: Option<f64>,
    /// Mean number of VMs not restarted per run.
    pub expected_not_restarted: f64,
    /// VMs not restarted per run: p50, p95, max.
    pub not_restarted_per_run: Rto,
    /// Time until every affected HA VM is back, over runs (`null`: never, some VM stays down).
    pub all_ha_back_s: Rto,
    /// Runs in which every affected HA VM came back.
    pub runs_all_ha_back: u32,
    pub engine_down_per_run_s: Rto,
    pub spm_down_per_run_s: Rto,
}

/// One VM over all runs.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct McVm {
    pub name: String,
    /// Its most frequent outcome.
    pub outcome: VmOutcome,
    /// Its most frequent reason, when its outcome is `not_restarted`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
    pub p_not_restarted: f64,
    /// Over the runs in which it was restarted.
    pub rto_s: Rto,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Histograms {
    pub all_ha_back_s: Vec<Bin>,
    /// Runs in which some affected HA VM never came back.
    pub all_ha_back_never: u32,
    pub not_restarted: Vec<Bin>,
}

/// Runs with a value in `[from, to)`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Bin {
    pub from: f64,
    pub to: f64,
    pub runs: u32,
}

/// Runs `runs` runs of `scenario` on the current rayon pool (run `i` on RNG stream `i`),
/// folding them in run order; `progress(done, total)` after each batch.
pub fn monte_carlo(
    inv: &Inventory,
    scenario: &Scenario,
    runs: u32,
    progress: &(dyn Fn(u32, u32) + Sync),
) -> Result<MonteCarloResult, SimError> {
    Ok(accumulate(inv, scenario, runs, progress)?.finish(inv, scenario))
}

/// The accumulators of `runs` runs (for callers that want more than the result).
pub fn accumulate(
    inv: &Inventory,
    scenario: &Scenario,
    runs: u32,
    progress: &(dyn Fn(u32, u32) + Sync),
) -> Result<Accumulator, SimError> {
    accumulate_range(inv, scenario, 0..runs, progress)
}

/// The accumulators of the runs with indices in `range` (run `i` on RNG stream `i`, as in
/// an unsharded batch); `progress(done, total)` counts within the range.
pub fn accumulate_range(
    inv: &Inventory,
    scenario: &Scenario,
    range: Range<u32>,
    progress: &(dyn Fn(u32, u32) + Sync),
) -> Result<Accumulator, SimError> {
    let mut acc = Accumulator::new(inv.vms.len());
    // Batches bound the records alive at once; the fold order is the run order either way.
    let batch = (16 * rayon::current_num_threads()).max(32) as u32;
    let total = range.end.saturating_sub(range.start);
    let mut start = range.start;
    while start < range.end {
        let end = range.end.min(start.saturating_add(batch));
        let records: Vec<RunRecord> = (start..end)
            .into_par_iter()
            .map(|run| crate::simulate_record(inv, scenario, u64::from(run)))
            .collect::<Result<_, _>>()?;
        for record in &records {
            acc.add(record);
        }
        start = end;
        progress(start - range.start, total);
    }
    Ok(acc)
}

#[cfg(test)]
mod tests {
    use super::{Tally, quantize_secs};

    #[test]
    fn merged_tallies_count_both() {
        let mut a = Tally::default();
        let mut b = Tally::default();
        let mut both = Tally::default();
        for v in [5, 1, 3] {
            a.add(v);
            both.add(v);
        }
        for v in [3, 9, 0, 5] {
            b.add(v);
            both.add(v);
        }
        a.merge(&b);
        assert_eq!(a, both);
        assert!(a.is_well_formed());
    }

    #[test]
    fn quantized_seconds() {
        assert_eq!(quantize_secs(212_400), 212);
        assert_eq!(quantize_secs(212_600), 213);
        assert_eq!(quantize_secs(999_400), 999);
        assert_eq!(quantize_secs(1_234_000), 1230);
        assert_eq!(quantize_secs(21_840_000), 21_800);
    }

    #[test]
    fn tally_percentiles_count_runs_beyond() {
        let mut t = Tally::default();
        for v in [5, 1, 3, 3, 9] {
            t.add(v);
        }
        assert_eq!(t.counts(), &[(1, 1), (3, 2), (5, 1), (9, 1)]);
        assert_eq!(t.percentile(50.0, 0), Some(3));
        assert_eq!(t.percentile(100.0, 0), Some(9));
        assert_eq!(t.percentile(95.0, 1), None, "the 6th value never came");
        assert_eq!(t.percentile(50.0, 1), Some(3));
    }
}
