//! `stretchdr whatif`: sweep design or engine parameters and run a scenario at every point.

use std::path::PathBuf;

use clap::{Parser, ValueEnum};
use miette::Report;
use stretchdr_sim::report;
use stretchdr_sim::scenario::load_scenario_str;
use stretchdr_sim::shard::{Part, Shard};
use stretchdr_sim::slo;
use stretchdr_sim::whatif::{Vary, parse_vary, sweep, sweep_points};

use crate::cli::Outcome;
use crate::commands::sim::Parallel;
use crate::source::SourceArgs;
use crate::{diagnostic, output};

/// The PARAM=RANGE and --target grammar, shown after the options.
const GRAMMAR: &str = "\
PARAM=RANGE (repeatable; the first --vary changes slowest):
  hosts.SITE=+0..+6          hosts added to SITE, like those of the cluster that runs most
                             of SITE's HA VMs (the cluster with most hosts there if none)
  hosts.SITE.CLUSTER=+0..+6  hosts added to CLUSTER in SITE, like its hosts there
  host_memory=256GiB..1TiB:256GiB, host_memory.SITE=...
                             memory of every host (of SITE)
  ha_priority.GLOB=1..100:10 HA priority of the VMs whose names match GLOB (* and ?)
  migration_policy=minimal_downtime,very_large_vms
                             every cluster's policy (very_large_vms: 1 migration per host)
  NAME=3s..10s:1s            any engine parameter by its documented name
RANGE is FROM..TO (inclusive) with :STEP (1 for counts; needed for sizes, durations and
bandwidths), or a list A,B,C.

Each point runs the scenario --runs times (Monte Carlo) and reports RTO p50/p95 over every
restart of every run, the expected VMs not restarted, the time until all HA VMs are back, and
failback (after the failed targets recover 4 h later, one run).

--target METRIC<=VALUE (also <, >=, >, ==; several joined by \",\"), the grammar of --slo:
durations rto_p50, rto_p95, rto_max, all_back_p50, all_back_p95, failback, engine_down and
spm_down (p95 over runs), e.g. 15m; counts not_restarted (expected), not_restarted_ha and the
other outcomes (runs' most frequent outcome per VM).
The cheapest point meeting it adds the least memory (added hosts' memory included), then the
fewest hosts (the first in sweep order among equals); the table shows both.

Exit status: 0 the sweep ran (whether or not a point meets --target); 2 bad input or usage.";

#[derive(Parser, Debug)]
#[command(after_help = GRAMMAR)]
pub struct Args {
    #[command(flatten)]
    source: SourceArgs,
    /// The scenario file (TOML); its events are resolved against SOURCE, its `design` is not read.
    #[arg(long, value_name = "FILE")]
    scenario: PathBuf,
    /// A parameter and its range, PARAM=RANGE (see above); repeat for a grid.
    #[arg(long, value_name = "PARAM=RANGE", required = true)]
    vary: Vec<String>,
    /// Monte Carlo runs per point, instead of the scenario's `runs`.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    runs: Option<u32>,
    /// Seed, instead of the scenario's `seed`.
    #[arg(long)]
    seed: Option<u64>,
    /// Report the cheapest point meeting this target, e.g. "rto_p95<=15m".
    #[arg(long, value_name = "TARGET")]
    target: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Also write a self-contained HTML report with plots to FILE.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    #[command(flatten)]
    parallel: Parallel,
    /// Run only shard K of M of the points (a contiguous share, in sweep order) and write
    /// them to --out; `stretchdr merge` folds the M parts into the sweep's report.
    #[arg(long, value_name = "K/M", requires = "out", conflicts_with = "html")]
    shard: Option<Shard>,
    /// The part file of --shard.
    #[arg(long, value_name = "FILE", requires = "shard")]
    out: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Format {
    Text,
    Json,
    Csv,
}

pub fn run(args: Args) -> Result<Outcome, Report> {
    let inventory = args.source.load()?;
    let text = stretchdr_model::read::read_text(&args.scenario, "scenario file")
        .map_err(diagnostic::load_error)?;
    let (mut scenario, _) = load_scenario_str(&args.scenario, &text, |_| Ok(inventory.clone()))
        .map_err(diagnostic::load_error)?;
    if let Some(seed) = args.seed {
        scenario.seed = seed;
    }
    let runs = args.runs.unwrap_or(scenario.runs);
    let varies: Vec<Vary> = args
        .vary
        .iter()
        .map(|v| parse_vary(&inventory, v))
        .collect::<Result<_, _>>()
        .map_err(|m| miette::miette!("{m}"))?;
    let target = args
        .target
        .as_deref()
        .map(slo::parse)
        .transpose()
        .map_err(|e| miette::miette!("--target: {e}"))?;
    let points = varies
        .iter()
        .fold(1u32, |n, v| n.saturating_mul(v.values.len() as u32));
    if let (Some(shard), Some(out)) = (args.shard, &args.out) {
        let range = shard.range(points);
        let mine = args
            .parallel
            .run((range.len() as u32).saturating_mul(runs), |progress| {
                sweep_points(
                    &inventory,
                    &scenario,
                    &varies,
                    runs,
                    target.as_ref(),
                    range.clone(),
                    progress,
                )
            });
        let mine = mine.map_err(|e| miette::miette!("what-if sweep failed: {e}"))?;
        let part = Part::whatif(
            &inventory,
            &scenario,
            runs,
            shard,
            (&varies, points),
            target.as_ref(),
            mine,
        );
        output::write_file(out, &part.to_json())?;
        eprintln!(
            "shard {shard}: points {}..{} of {} written to {}",
            range.start,
            range.end,
            points,
            out.display()
        );
        return Ok(Outcome::Clean);
    }
    let result = args.parallel.run(points.saturating_mul(runs), |progress| {
        sweep(
            &inventory,
            &scenario,
            &varies,
            runs,
            target.as_ref(),
            progress,
        )
    });
    let result = result.map_err(|e| miette::miette!("what-if sweep failed: {e}"))?;
    if let Some(path) = &args.html {
        output::write_file(path, &report::whatif_html(&result))?;
    }
    match args.format {
        Format::Text => output::emit_human(&report::whatif_text(&result))?,
        Format::Json => output::emit(&report::whatif_json(&result))?,
        Format::Csv => output::emit_human(&report::whatif_csv(&result))?,
    }
    Ok(Outcome::Clean)
}
