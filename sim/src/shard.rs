//! Monte Carlo across machines: `sim --shard K/M` runs one contiguous range of run indices
//! and writes its accumulators as a part file; `merge` folds the parts of all M shards into
//! the result of the unsharded batch (run `i` draws from RNG stream `i` wherever it runs, and
//! the accumulators only add up counts, so the result is the same to the byte).
//!
//! `whatif --shard K/M` splits the sweep's points the same way; its parts carry the finished
//! points.
//!
//! Every part names the scenario by a hash of everything that decides a run (the scenario's
//! events, parameters and variation, and the whole inventory), with the seed and run count
//! beside it; parts that disagree on any of them are refused.

use std::fmt::{self, Write as _};
use std::ops::Range;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use stretchdr_model::Inventory;

use crate::montecarlo::{Accumulator, MonteCarloResult};
use crate::scenario::Scenario;
use crate::slo::Slo;
use crate::whatif::{Point, Sweep, Vary};

/// The `format` of a part file; bumped when its fields change meaning.
pub const PART_FORMAT: &str = "stretchdr-part/1";

/// Shard K of M (both from 1): `--shard 2/3`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl Shard {
    /// The indices of this shard's share of `0..total`: contiguous, sizes differing by at
    /// most one, in shard order.
    pub fn range(self, total: u32) -> Range<u32> {
        let at = |k: u32| (u64::from(total) * u64::from(k) / u64::from(self.count)) as u32;
        at(self.index - 1)..at(self.index)
    }
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(text: &str) -> Result<Shard, String> {
        let bad = || format!("--shard {text:?}: expected K/M with 1 <= K <= M, e.g. 2/3");
        let (k, m) = text.split_once('/').ok_or_else(bad)?;
        let index: u32 = k.trim().parse().map_err(|_| bad())?;
        let count: u32 = m.trim().parse().map_err(|_| bad())?;
        if index == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// What a part holds: Monte Carlo accumulators, or finished what-if points.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PartData {
    /// `sim --shard`: the accumulators of the shard's runs.
    MonteCarlo {
        /// VM names in inventory order (the result names each VM).
        vms: Vec<String>,
        accumulator: Box<Accumulator>,
        /// The objectives the batch is judged by (the scenario's `[slo]` and `--slo`), as
        /// written; `merge` judges the merged batch by them.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        slo: Vec<String>,
        /// The failback time of the recovered run, when an objective needs it (the same in
        /// every part: one deterministic run).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        failback_s: Option<f64>,
    },
    /// `whatif --shard`: the shard's points of the grid.
    Whatif {
        /// Points in the whole grid.
        grid_points: u32,
        varied: Vec<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        target: Option<String>,
        points: Vec<Point>,
    },
}

/// One shard's output, as written by `--out` and read by `merge`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Part {
    pub format: String,
    /// The scenario's name, as reported.
    pub scenario: String,
    /// [`scenario_hash`] of the scenario and inventory the shard ran.
    pub scenario_hash: String,
    pub seed: u64,
    /// Runs of the whole batch (per point, for what-if).
    pub runs: u32,
    pub shard: Shard,
    /// The share of this shard: run indices, or point indices for what-if.
    pub first: u32,
    pub end: u32,
    pub data: PartData,
}

/// 64-bit FNV-1a over formatted text: a stable fingerprint (not a secure hash) of what a
/// part was computed from.
struct Fnv(u64);

impl fmt::Write for Fnv {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for byte in s.bytes() {
            self.0 ^= u64::from(byte);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
        Ok(())
    }
}

/// A fingerprint of everything that decides a run except the seed and run count (reported
/// on their own): the scenario's events, parameters and variation, and every entity of the
/// inventory. The design's path and the files' names are left out, so CI jobs with
/// different checkout paths agree.
pub fn scenario_hash(inv: &Inventory, scenario: &Scenario) -> String {
    scenario_hash_with(inv, scenario, "")
}

/// [`scenario_hash`] with more text that decides the results (a sweep's grid and target).
fn scenario_hash_with(inv: &Inventory, scenario: &Scenario, extra: &str) -> String {
    let mut fingerprint = Scenario {
        design: None,
        seed: 0,
        runs: 0,
        ..scenario.clone()
    };
    fingerprint.name = scenario.name.clone();
    let mut h = Fnv(0xcbf2_9ce4_8422_2325);
    let _ = write!(h, "{fingerprint:?}");
    let _ = write!(
        h,
        "{:?}{:?}{:?}{:?}{:?}{:?}{:?}{:?}{:?}{:?}{:?}{:?}",
        inv.engine,
        inv.sites,
        inv.links,
        inv.data_centers,
        inv.clusters,
        inv.hosts,
        inv.networks,
        inv.vnic_profiles,
        inv.storage_domains,
        inv.vms,
        inv.affinity_groups,
        inv.affinity_labels
    );
    let _ = h.write_str(extra);
    format!("{:016x}", h.0)
}

impl Part {
    /// The part of a Monte Carlo shard.
    pub fn monte_carlo(
        inv: &Inventory,
        scenario: &Scenario,
        shard: Shard,
        accumulator: Accumulator,
        failback_s: Option<f64>,
    ) -> Part {
        let range = shard.range(scenario.runs);
        Part {
            format: PART_FORMAT.to_string(),
            scenario: scenario.name.clone(),
            scenario_hash: scenario_hash(inv, scenario),
            seed: scenario.seed,
            runs: scenario.runs,
            shard,
            first: range.start,
            end: range.end,
            data: PartData::MonteCarlo {
                vms: inv.vms.values().map(|vm| vm.name.clone()).collect(),
                accumulator: Box::new(accumulator),
                slo: scenario.slo.iter().map(|s| s.text.clone()).collect(),
                failback_s,
            },
        }
    }

    /// The part of a what-if shard: its points of the grid of `varies` (of `grid_points`);
    /// the hash covers the grid and the target too.
    pub fn whatif(
        inv: &Inventory,
        scenario: &Scenario,
        runs: u32,
        shard: Shard,
        (varies, grid_points): (&[Vary], u32),
        target: Option<&Slo>,
        points: Vec<Point>,
    ) -> Part {
        let range = shard.range(grid_points);
        let target_text = target.map(|t| t.text.clone());
        let extra = format!("{varies:?}{target_text:?}");
        Part {
            format: PART_FORMAT.to_string(),
            scenario: scenario.name.clone(),
            scenario_hash: scenario_hash_with(inv, scenario, &extra),
            seed: scenario.seed,
            runs,
            shard,
            first: range.start,
            end: range.end,
            data: PartData::Whatif {
                grid_points,
                varied: varies.iter().map(|v| v.param.clone()).collect(),
                target: target_text,
                points,
            },
        }
    }

    /// The part as JSON (one line per field of the top level is not needed: parts are read
    /// by `merge`, not by people).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// Reads a part; `name` (the file) names it in errors.
    pub fn from_json(name: &str, text: &str) -> Result<Part, MergeError> {
        /// The field that says what the file is, read before the rest.
        #[derive(Deserialize)]
        struct Header {
            #[serde(default)]
            format: Option<serde_json::Value>,
        }
        let not_a_part = |detail: String| MergeError::NotAPart {
            part: name.to_string(),
            detail,
        };
        let header: Header = serde_json::from_str(text)
            .map_err(|e| not_a_part(format!("invalid JSON at line {}: {e}", e.line())))?;
        let format = header
            .format
            .as_ref()
            .and_then(|f| f.as_str())
            .unwrap_or("");
        if format != PART_FORMAT {
            return Err(not_a_part(format!(
                "its format is {format:?}, expected {PART_FORMAT:?} (written by `sim --shard` or `whatif --shard` of this version)"
            )));
        }
        let part: Part = serde_json::from_str(text)
            .map_err(|e| not_a_part(format!("line {}: {e}", e.line())))?;
        let consistent = part.shard.index >= 1
            && part.shard.index <= part.shard.count
            && match &part.data {
                PartData::MonteCarlo {
                    vms, accumulator, ..
                } => {
                    part.shard.range(part.runs) == (part.first..part.end)
                        && accumulator.runs() == part.end - part.first
                        && accumulator.vm_count() == vms.len()
                        && accumulator.is_well_formed()
                }
                PartData::Whatif {
                    grid_points,
                    points,
                    ..
                } => {
                    part.shard.range(*grid_points) == (part.first..part.end)
                        && points.len() as u64 == u64::from(part.end - part.first)
                }
            };
        if !consistent {
            return Err(MergeError::NotAPart {
                part: name.to_string(),
                detail: "its shard, range and contents disagree (an edited or truncated part)"
                    .to_string(),
            });
        }
        Ok(part)
    }
}

/// What `merge` produces.
#[derive(Clone, Debug, PartialEq)]
pub enum Merged {
    MonteCarlo {
        result: Box<MonteCarloResult>,
        /// The objectives the parts carry, to judge the merged batch by.
        slo: Vec<Slo>,
        /// The failback time the parts carry, when an objective needs it.
        failback_s: Option<f64>,
    },
    Whatif(Sweep),
}

/// Why parts cannot be merged.
#[derive(Debug, PartialEq, thiserror::Error)]
pub enum MergeError {
    #[error("{part}: not a stretchdr shard part: {detail}")]
    NotAPart { part: String, detail: String },
    #[error("no parts to merge")]
    NoParts,
    #[error(
        "{part} does not belong with {first}: {what} differs ({theirs} vs {ours}); merge only the parts of one `--shard K/M` batch, run with the same scenario, design, seed and run count"
    )]
    Mismatch {
        part: String,
        first: String,
        what: &'static str,
        theirs: String,
        ours: String,
    },
    #[error("{part} and {other} are both shard {shard}")]
    Duplicate {
        part: String,
        other: String,
        shard: Shard,
    },
    #[error("shard {missing} is missing: merge needs all {count} parts")]
    Missing { missing: Shard, count: u32 },
}

/// Folds the parts of one sharded batch, given as (name, part), into the result of the
/// unsharded batch. Parts may come in any order; all M must be there, once each.
pub fn merge(parts: &[(String, Part)]) -> Result<Merged, MergeError> {
    let Some((first_name, first)) = parts.first() else {
        return Err(MergeError::NoParts);
    };
    let kind = |p: &Part| match p.data {
        PartData::MonteCarlo { .. } => "sim",
        PartData::Whatif { .. } => "whatif",
    };
    for (name, part) in &parts[1..] {
        let mismatch = |what: &'static str, theirs: String, ours: String| MergeError::Mismatch {
            part: name.clone(),
            first: first_name.clone(),
            what,
            theirs,
            ours,
        };
        if kind(part) != kind(first) {
            return Err(mismatch(
                "the command",
                kind(part).to_string(),
                kind(first).to_string(),
            ));
        }
        if part.seed != first.seed {
            return Err(mismatch(
                "the seed",
                part.seed.to_string(),
                first.seed.to_string(),
            ));
        }
        if part.runs != first.runs {
            return Err(mismatch(
                "the run count",
                part.runs.to_string(),
                first.runs.to_string(),
            ));
        }
        if part.shard.count != first.shard.count {
            return Err(mismatch(
                "the number of shards",
                part.shard.count.to_string(),
                first.shard.count.to_string(),
            ));
        }
        if part.scenario_hash != first.scenario_hash {
            return Err(mismatch(
                "the scenario (its hash)",
                format!("{} {}", part.scenario, part.scenario_hash),
                format!("{} {}", first.scenario, first.scenario_hash),
            ));
        }
    }
    let count = first.shard.count;
    let mut ordered: Vec<Option<(&String, &Part)>> = vec![None; count as usize];
    for (name, part) in parts {
        let slot = &mut ordered[(part.shard.index - 1) as usize];
        if let Some((other, _)) = slot {
            return Err(MergeError::Duplicate {
                part: name.clone(),
                other: (*other).clone(),
                shard: part.shard,
            });
        }
        *slot = Some((name, part));
    }
    let mut in_order = Vec::with_capacity(ordered.len());
    for (i, slot) in ordered.into_iter().enumerate() {
        match slot {
            Some((_, part)) => in_order.push(part),
            None => {
                return Err(MergeError::Missing {
                    missing: Shard {
                        index: i as u32 + 1,
                        count,
                    },
                    count,
                });
            }
        }
    }
    match &first.data {
        PartData::MonteCarlo {
            vms,
            slo,
            failback_s,
            ..
        } => {
            let slo = slo
                .iter()
                .map(|text| {
                    crate::slo::parse(text).map_err(|e| MergeError::NotAPart {
                        part: first_name.clone(),
                        detail: format!("its objective {text:?} does not read: {e}"),
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            let mut total: Option<Accumulator> = None;
            for part in &in_order {
                if let PartData::MonteCarlo { accumulator, .. } = &part.data {
                    match &mut total {
                        Some(total) => total.merge(accumulator),
                        None => total = Some((**accumulator).clone()),
                    }
                }
            }
            let total = total.ok_or(MergeError::NoParts)?;
            Ok(Merged::MonteCarlo {
                result: Box::new(total.finish_named(
                    vms.iter().map(String::as_str),
                    &first.scenario,
                    first.seed,
                )),
                slo,
                failback_s: *failback_s,
            })
        }
        PartData::Whatif { varied, target, .. } => {
            let mut points = Vec::new();
            for part in &in_order {
                if let PartData::Whatif { points: p, .. } = &part.data {
                    points.extend(p.iter().cloned());
                }
            }
            Ok(Merged::Whatif(crate::whatif::assemble(
                &first.scenario,
                first.seed,
                first.runs,
                varied.clone(),
                target.clone(),
                points,
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Shard;

    #[test]
    fn shards_split_runs_into_contiguous_near_equal_ranges() {
        let shard = |k, m| Shard { index: k, count: m };
        assert_eq!(shard(1, 3).range(30), 0..10);
        assert_eq!(shard(2, 3).range(30), 10..20);
        assert_eq!(shard(3, 3).range(30), 20..30);
        assert_eq!(shard(1, 3).range(10), 0..3);
        assert_eq!(shard(3, 3).range(10), 6..10);
        assert_eq!(shard(2, 4).range(1), 0..0);
        let covered: u32 = (1..=7).map(|k| shard(k, 7).range(100).len() as u32).sum();
        assert_eq!(covered, 100);
    }

    #[test]
    fn shard_arguments() {
        assert_eq!("2/3".parse(), Ok(Shard { index: 2, count: 3 }));
        assert!("0/3".parse::<Shard>().is_err());
        assert!("4/3".parse::<Shard>().is_err());
        assert!("3".parse::<Shard>().is_err());
        assert!("a/b".parse::<Shard>().is_err());
    }
}
