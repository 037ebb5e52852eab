//! `stretchdr sim`: run a failure scenario and report what the engine would do.

use std::path::PathBuf;

use clap::{Parser, ValueEnum};
use miette::Report;
use stretchdr_sim::{load_scenario, report, simulate};

use crate::cli::Outcome;
use crate::diagnostic;

#[derive(Parser, Debug)]
pub struct Args {
    /// The scenario file (TOML); its `design` path is relative to it.
    #[arg(value_name = "SCENARIO")]
    scenario: PathBuf,
    /// Seed of the run, instead of the scenario's `seed`.
    #[arg(long)]
    seed: Option<u64>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Also write a self-contained HTML report with a timeline to FILE.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Format {
    Text,
    Json,
}

pub fn run(args: Args) -> Result<Outcome, Report> {
    let (mut scenario, inventory) =
        load_scenario(&args.scenario).map_err(diagnostic::load_error)?;
    if let Some(seed) = args.seed {
        scenario.seed = seed;
    }
    if scenario.runs > 1 {
        eprintln!(
            "note: runs = {} asks for Monte Carlo, which is not available yet; simulating one run",
            scenario.runs
        );
    }
    let result = simulate(&inventory, &scenario)
        .map_err(|e| miette::miette!("simulation of {} failed: {e}", args.scenario.display()))?;
    if let Some(path) = &args.html {
        std::fs::write(path, report::html(&result))
            .map_err(|e| miette::miette!("cannot write {}: {e}", path.display()))?;
    }
    match args.format {
        Format::Text => print!("{}", report::text(&result)),
        Format::Json => print!("{}", report::json(&result)),
    }
    Ok(Outcome::Clean)
}
