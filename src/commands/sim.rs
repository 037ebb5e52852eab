//! `stretchdr sim`: run a failure scenario and report what the engine would do.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Instant;

use clap::{Parser, ValueEnum};
use miette::Report;
use stretchdr_model::live::fetch_inventory;
use stretchdr_sim::montecarlo::accumulate_range;
use stretchdr_sim::scenario::load_scenario_str;
use stretchdr_sim::scenario::mode_of;
use stretchdr_sim::shard::{Part, Shard};
use stretchdr_sim::slo;
use stretchdr_sim::{active_passive, failback_s, georep, monte_carlo, report, simulate_traced};

use crate::cli::Outcome;
use crate::commands::audit::check_line;
use crate::commands::fetch::{EngineArgs, live_error};
use crate::{diagnostic, output};

/// Exit codes and the SLO grammar, shown after the options.
const AFTER_HELP: &str = "\
Exit status: 0 simulated and every SLO met; 1 an SLO (--slo or the scenario's [slo]) missed;
2 bad input or usage (a scenario with no events included).

--slo METRIC OP VALUE (OP <=, <, >=, >, ==; several joined by \",\"; repeatable): durations
rto_p50, rto_p95, rto_max, all_back_p50, all_back_p95, failback, engine_down, spm_down (15m);
counts not_restarted_ha, not_restarted, split_brain, restarted, migrated, resumed,
not_migrated, unaffected. With --runs > 1: downtimes at their p95 over runs, not_restarted
the expected count.";

#[derive(Parser, Debug)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// The scenario file (TOML); its `design` path is relative to it.
    #[arg(value_name = "SCENARIO")]
    scenario: PathBuf,
    /// Seed of the run, instead of the scenario's `seed`.
    #[arg(long)]
    seed: Option<u64>,
    /// Number of Monte Carlo runs, instead of the scenario's `runs`; more than 1 reports each
    /// VM's probability of not being restarted and the distributions over runs.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    runs: Option<u32>,
    #[command(flatten)]
    parallel: Parallel,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Also write a self-contained HTML report with a timeline to FILE (histograms for
    /// Monte Carlo runs; sync runs for georep, the role's steps for active-passive scenarios).
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// A service-level objective the run must meet, e.g. "rto_p95<=15m" (repeatable; added
    /// to the scenario's [slo] table); a miss exits 1.
    #[arg(long, value_name = "SLO")]
    slo: Vec<String>,
    /// Simulate against a live engine (GET requests only) instead of the scenario's design.
    #[arg(long, value_name = "URL")]
    engine: Option<String>,
    #[command(flatten)]
    connection: EngineArgs,
    /// Run only shard K of M of the Monte Carlo runs (a contiguous share of the run indices)
    /// and write its accumulators to --out; `stretchdr merge` folds the M parts.
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
}

pub fn run(args: Args) -> Result<Outcome, Report> {
    let text = stretchdr_model::read::read_text(&args.scenario, "scenario file")
        .map_err(diagnostic::load_error)?;
    let mode = mode_of(&text);
    if let Some(mode) = mode
        .as_deref()
        .filter(|m| ["georep", "active-passive"].contains(m))
        && args.engine.is_some()
    {
        return Err(miette::miette!(
            "--engine: {mode} scenarios name the designs of their sites; write an overlay design with [source] engine = \"...\" instead"
        ));
    }
    if let Some(mode) = mode
        .as_deref()
        .filter(|m| ["georep", "active-passive"].contains(m))
        && args.shard.is_some()
    {
        return Err(miette::miette!(
            "--shard: {mode} scenarios have no Monte Carlo runs to share out"
        ));
    }
    match mode.as_deref() {
        Some("georep") => return run_georep(&args, &text),
        Some("active-passive") => return run_active_passive(&args, &text),
        _ => {}
    }
    let live = match &args.engine {
        Some(url) => Some(fetch_inventory(&args.connection.options(url)?).map_err(live_error)?),
        None => None,
    };
    let (mut scenario, inventory) = load_scenario_str(&args.scenario, &text, |design| match live {
        Some(inventory) => Ok(inventory),
        None => stretchdr_model::load_source(design),
    })
    .map_err(diagnostic::load_error)?;
    if let Some(seed) = args.seed {
        scenario.seed = seed;
    }
    if let Some(runs) = args.runs {
        scenario.runs = runs;
    }
    for text in &args.slo {
        scenario
            .slo
            .push(slo::parse(text).map_err(|e| miette::miette!("--slo: {e}"))?);
    }
    let needs_failback = slo::needs_failback(&scenario.slo);
    let failback = |inventory, scenario| -> Result<Option<f64>, Report> {
        if !needs_failback {
            return Ok(None);
        }
        failback_s(inventory, scenario)
            .map_err(|e| miette::miette!("simulation of the failback failed: {e}"))
    };
    if let (Some(shard), Some(out)) = (args.shard, &args.out) {
        if scenario.runs < 2 {
            return Err(miette::miette!(
                "--shard: {} has runs = {}; sharding needs a Monte Carlo batch (--runs 2 or more)",
                args.scenario.display(),
                scenario.runs
            ));
        }
        let range = shard.range(scenario.runs);
        let accumulator = args.parallel.run(range.len() as u32, |progress| {
            accumulate_range(&inventory, &scenario, range.clone(), progress)
        });
        let accumulator = accumulator.map_err(|e| {
            miette::miette!("simulation of {} failed: {e}", args.scenario.display())
        })?;
        let failback_s = failback(&inventory, &scenario)?;
        let part = Part::monte_carlo(&inventory, &scenario, shard, accumulator, failback_s);
        output::write_file(out, &part.to_json())?;
        eprintln!(
            "shard {shard}: runs {}..{} of {} written to {}",
            range.start,
            range.end,
            scenario.runs,
            out.display()
        );
        return Ok(Outcome::Clean);
    }
    if scenario.runs > 1 {
        let result = args.parallel.run(scenario.runs, |progress| {
            monte_carlo(&inventory, &scenario, scenario.runs, progress)
        });
        let result = result.map_err(|e| {
            miette::miette!("simulation of {} failed: {e}", args.scenario.display())
        })?;
        if let Some(path) = &args.html {
            output::write_file(path, &report::monte_carlo_html(&result))?;
        }
        match args.format {
            Format::Text => output::emit_human(&report::monte_carlo_text(&result))?,
            Format::Json => output::emit(&report::monte_carlo_json(&result))?,
        }
        let lines =
            slo::monte_carlo_lines(&scenario.slo, &result, failback(&inventory, &scenario)?);
        return report_slo(&args, lines);
    }
    let (result, lanes) = simulate_traced(&inventory, &scenario)
        .map_err(|e| miette::miette!("simulation of {} failed: {e}", args.scenario.display()))?;
    if let Some(path) = &args.html {
        output::write_file(path, &report::html(&result, &lanes))?;
    }
    match args.format {
        Format::Text => output::emit_human(&report::text(&result))?,
        Format::Json => output::emit(&report::json(&result))?,
    }
    let checks = slo::evaluate(&scenario.slo, &result, failback(&inventory, &scenario)?);
    report_slo(
        &args,
        checks.iter().map(|c| (check_line(c), c.met)).collect(),
    )
}

/// Prints each SLO line (after the text report; on stderr with `--format json`, so stdout
/// stays one JSON document) and exits 1 when one is missed.
fn report_slo(args: &Args, lines: Vec<(String, bool)>) -> Result<Outcome, Report> {
    output::emit_slo_lines(matches!(args.format, Format::Json), &lines)
}

/// A geo-replication scenario (`mode = "georep"`): remote data sync over time and its RPO.
fn run_georep(args: &Args, text: &str) -> Result<Outcome, Report> {
    let scenario =
        georep::load_scenario_str(&args.scenario, text).map_err(diagnostic::load_error)?;
    let inventory =
        stretchdr_model::load_source(&scenario.design).map_err(diagnostic::load_error)?;
    let result = georep::run(&inventory, &scenario);
    if let Some(path) = &args.html {
        output::write_file(path, &report::georep_html(&result))?;
    }
    match args.format {
        Format::Text => output::emit_human(&georep::render_text(&result))?,
        Format::Json => output::emit(&georep::to_json(&result))?,
    }
    Ok(Outcome::Clean)
}

/// An active-passive scenario (`mode = "active-passive"`): the failover (and failback) the
/// ovirt-dr role performs with the mapping file, step by step.
fn run_active_passive(args: &Args, text: &str) -> Result<Outcome, Report> {
    let scenario =
        active_passive::load_scenario_str(&args.scenario, text).map_err(diagnostic::load_error)?;
    let (mapping, primary, secondary) =
        active_passive::load_inputs(&scenario).map_err(diagnostic::load_error)?;
    let result = active_passive::run(&scenario, &mapping, &primary, &secondary);
    if let Some(path) = &args.html {
        output::write_file(path, &report::active_passive_html(&result))?;
    }
    match args.format {
        Format::Text => output::emit_human(&active_passive::render_text(&result))?,
        Format::Json => output::emit(&active_passive::to_json(&result))?,
    }
    Ok(Outcome::Clean)
}

/// How Monte Carlo work runs: threads and progress.
#[derive(clap::Args, Debug, Clone)]
pub struct Parallel {
    /// Worker threads for Monte Carlo runs (default: RAYON_NUM_THREADS, or one per core);
    /// at most 4 per CPU.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    threads: Option<u32>,
    /// No progress bar (there is none when stderr is not a terminal anyway).
    #[arg(long, short)]
    quiet: bool,
}

impl Parallel {
    /// Runs `work` on the chosen number of threads, with a progress bar on a terminal for
    /// `units` of work; `work` reports `(done, total)`.
    pub fn run<R: Send>(
        &self,
        units: u32,
        work: impl FnOnce(&(dyn Fn(u32, u32) + Sync)) -> R + Send,
    ) -> R {
        let bar = Progress::new(!self.quiet && units > 1 && std::io::stderr().is_terminal());
        let report = |done: u32, total: u32| bar.show(done, total);
        let wanted = self.threads.map(|n| n as usize).or_else(|| {
            std::env::var("RAYON_NUM_THREADS")
                .ok()
                .and_then(|v| v.trim().parse::<usize>().ok())
                .filter(|&n| n > 0)
        });
        // Always a local pool when a number is asked for: rayon's global pool would take
        // RAYON_NUM_THREADS as it is.
        let result = match wanted.map(capped_threads) {
            Some(n) => match rayon::ThreadPoolBuilder::new().num_threads(n).build() {
                Ok(pool) => pool.install(|| work(&report)),
                Err(_) => work(&report),
            },
            None => work(&report),
        };
        bar.finish();
        result
    }
}

/// Threads beyond this many per CPU only add switching: a simulation run is pure computation.
const THREADS_PER_CPU: usize = 4;

/// `wanted` threads, at most [`THREADS_PER_CPU`] per CPU; says so on stderr when it cuts.
fn capped_threads(wanted: usize) -> usize {
    let cpus = std::thread::available_parallelism().map_or(1, |n| n.get());
    let cap = cpus.saturating_mul(THREADS_PER_CPU);
    if wanted > cap {
        eprintln!(
            "note: {wanted} threads asked for (--threads or RAYON_NUM_THREADS); using {cap}, \
             {THREADS_PER_CPU} per CPU of the {cpus} here"
        );
        cap
    } else {
        wanted
    }
}

/// A one-line progress bar on stderr, redrawn at most every 100 ms; nothing when off.
struct Progress {
    on: bool,
    started: Instant,
    last: Mutex<Option<Instant>>,
}

impl Progress {
    fn new(on: bool) -> Progress {
        Progress {
            on,
            started: Instant::now(),
            last: Mutex::new(None),
        }
    }

    fn show(&self, done: u32, total: u32) {
        if !self.on {
            return;
        }
        let Ok(mut last) = self.last.lock() else {
            return;
        };
        let now = Instant::now();
        if last.is_some_and(|t| now.duration_since(t).as_millis() < 100) && done < total {
            return;
        }
        *last = Some(now);
        let width = 30;
        let filled = (done as usize * width)
            .checked_div(total as usize)
            .unwrap_or(width);
        let _ = write!(
            std::io::stderr(),
            "\r[{}{}] {done}/{total} runs, {:.1}s",
            "#".repeat(filled),
            " ".repeat(width - filled),
            self.started.elapsed().as_secs_f64()
        );
    }

    fn finish(&self) {
        if self.on {
            let _ = write!(std::io::stderr(), "\r{}\r", " ".repeat(60));
        }
    }
}
