//! `stretchdr diff BASE HEAD`: what a change to a setup does to the next disaster — the
//! findings it adds and resolves (matched by the SARIF fingerprints) and, for each standard
//! scenario, how the outcomes move: VMs that now stay down or now restart, RTO, engine and
//! SPM downtime, failback, peak memory per site. Exit 1 when the change adds a finding at the
//! failing level or makes a scenario worse beyond `--tolerance`.

mod compare;
mod git;
mod render;
mod tolerance;

use std::path::PathBuf;

use clap::{Parser, ValueEnum};
use miette::{IntoDiagnostic, Report, WrapErr};
use stretchdr_lint::{Level, Policy, report};
use stretchdr_model::Inventory;

use crate::cli::Outcome;
use crate::commands::fetch::EngineArgs;
use crate::{diagnostic, output, source};

use tolerance::Tolerance;

#[derive(Parser, Debug)]
pub struct Args {
    /// BASE and HEAD: design files or export directories of the same setup; with --git, only
    /// HEAD.
    #[arg(value_name = "SOURCE", required = true, num_args = 1..=2)]
    sources: Vec<PathBuf>,
    /// Read BASE from git: the same path at revision REV (e.g. origin/main).
    #[arg(long, value_name = "REV")]
    git: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// How much worse a scenario may get, e.g. "rto_p95+2m,not_restarted+0" (repeatable);
    /// a metric not listed may not get worse at all.
    #[arg(long, value_name = "SPEC")]
    tolerance: Vec<String>,
    /// Also run N Monte Carlo runs of each scenario on both sides (same seed).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(2..))]
    runs: Option<u32>,
    /// Seed of the Monte Carlo runs.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Exit 1 when the change adds a finding at or above this level.
    #[arg(long, value_enum, default_value_t = FailOn::Error, value_name = "LEVEL")]
    fail_on: FailOn,
    /// A policy file (levels, thresholds, ignores) applied on top of the ovirt profile.
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,
    /// Also write HEAD's findings as SARIF to FILE (for code scanning).
    #[arg(long, value_name = "FILE")]
    sarif: Option<PathBuf>,
    #[command(flatten)]
    connection: EngineArgs,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Format {
    Text,
    Markdown,
    Json,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum FailOn {
    Error,
    Warning,
    Note,
}

pub fn run(args: Args) -> Result<Outcome, Report> {
    let mut tolerance = Tolerance::default();
    for spec in &args.tolerance {
        let more = Tolerance::parse(spec).map_err(|e| miette::miette!("--tolerance: {e}"))?;
        tolerance.extend(more);
    }
    let mut policy = Policy::default();
    if let Some(path) = &args.policy {
        policy.apply_file(path).map_err(diagnostic::load_error)?;
    }
    let (base_name, head_name, base, head) = load_sides(&args)?;
    let fail_on = match args.fail_on {
        FailOn::Error => Level::Error,
        FailOn::Warning => Level::Warning,
        FailOn::Note => Level::Note,
    };
    let settings = compare::Settings {
        policy: &policy,
        tolerance: &tolerance,
        fail_on,
        runs: args.runs,
        seed: args.seed,
    };
    let comparison = compare::compare(&base, &head, &settings, base_name, head_name)?;
    if let Some(path) = &args.sarif {
        std::fs::write(path, report::sarif(&comparison.head_findings))
            .into_diagnostic()
            .wrap_err_with(|| format!("cannot write {}", path.display()))?;
    }
    let text = match args.format {
        Format::Text => render::text(&comparison),
        Format::Markdown => render::markdown(&comparison),
        Format::Json => render::json(&comparison),
    };
    output::emit(&text)?;
    Ok(if comparison.fails {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}

/// BASE and HEAD with the names reports give them, loaded side by side.
fn load_sides(args: &Args) -> Result<(String, String, Inventory, Inventory), Report> {
    match (&args.git, args.sources.as_slice()) {
        (Some(rev), [head]) => {
            let head_name = head.display().to_string();
            let base_name = format!("{rev}:{head_name}");
            let (base, head) = rayon::join(
                || git::load_at(rev, head, &args.connection),
                || source::load(head, &args.connection),
            );
            Ok((base_name, head_name, base?, head?))
        }
        (Some(_), _) => Err(miette::miette!(
            "with --git REV give only HEAD: BASE is the same path at REV"
        )),
        (None, [base, head]) => {
            let (b, h) = rayon::join(
                || source::load(base, &args.connection),
                || source::load(head, &args.connection),
            );
            Ok((
                base.display().to_string(),
                head.display().to_string(),
                b?,
                h?,
            ))
        }
        (None, _) => Err(miette::miette!(
            "give BASE and HEAD, or HEAD with --git REV"
        )),
    }
}
