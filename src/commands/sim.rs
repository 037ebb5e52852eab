//! `stretchdr sim`: run a failure scenario and report what the engine would do.

use std::path::{Path, PathBuf};

use clap::{Parser, ValueEnum};
use miette::Report;
use stretchdr_model::LoadError;
use stretchdr_sim::scenario::mode_of;
use stretchdr_sim::{georep, load_scenario, report, simulate};

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
    let text = std::fs::read_to_string(&args.scenario).map_err(|e| {
        diagnostic::load_error(LoadError::file(
            &args.scenario,
            format!("cannot read scenario file: {e}"),
        ))
    })?;
    if mode_of(&text).as_deref() == Some("georep") {
        return run_georep(&args, &text);
    }
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
        write(path, &report::html(&result))?;
    }
    match args.format {
        Format::Text => print!("{}", report::text(&result)),
        Format::Json => print!("{}", report::json(&result)),
    }
    Ok(Outcome::Clean)
}

/// A geo-replication scenario (`mode = "georep"`): remote data sync over time and its RPO.
fn run_georep(args: &Args, text: &str) -> Result<Outcome, Report> {
    if args.html.is_some() {
        return Err(miette::miette!(
            "--html: georep scenarios have text and JSON reports only"
        ));
    }
    let scenario =
        georep::load_scenario_str(&args.scenario, text).map_err(diagnostic::load_error)?;
    let inventory =
        stretchdr_model::load_source(&scenario.design).map_err(diagnostic::load_error)?;
    let result = georep::run(&inventory, &scenario);
    match args.format {
        Format::Text => print!("{}", georep::render_text(&result)),
        Format::Json => print!("{}", georep::to_json(&result)),
    }
    Ok(Outcome::Clean)
}

fn write(path: &Path, content: &str) -> Result<(), Report> {
    std::fs::write(path, content)
        .map_err(|e| miette::miette!("cannot write {}: {e}", path.display()))
}
