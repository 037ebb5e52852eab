//! `stretchdr lint`: check sources against the DR rules, in the format CI wants.

use std::path::PathBuf;

use clap::{Parser, ValueEnum};
use miette::Report;
use stretchdr_lint::{Finding, Level, Policy, Setting, baseline, report};
use stretchdr_model::{Inventory, SourceMap};

use stretchdr_model::live::fetch_inventory;

use crate::cli::Outcome;
use crate::commands::fetch::{EngineArgs, live_error};
use crate::{diagnostic, output, source};

#[derive(Parser, Debug)]
pub struct Args {
    /// Design TOML files or export directories; the bundled example stretch cluster when
    /// neither SOURCE nor --engine is given.
    #[arg(value_name = "SOURCE")]
    sources: Vec<PathBuf>,
    /// Lint a live engine (GET requests only), e.g. https://engine.example.com/ovirt-engine.
    #[arg(long, value_name = "URL")]
    engine: Option<String>,
    #[command(flatten)]
    connection: EngineArgs,
    #[command(flatten)]
    report: ReportArgs,
}

/// How findings are judged and reported: shared by `lint` and `mapping validate`.
#[derive(clap::Args, Debug)]
pub struct ReportArgs {
    #[command(flatten)]
    pub judging: PolicyArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Exit 1 when a finding is at or above this level.
    #[arg(long, value_enum, default_value_t = FailOn::Error, value_name = "LEVEL")]
    fail_on: FailOn,
    /// Write the fingerprints of all current findings to FILE and exit 0.
    #[arg(long, value_name = "FILE")]
    write_baseline: Option<PathBuf>,
    /// List every finding in full (by default, after the first few findings of one rule the
    /// rest are counted; other formats always list all).
    #[arg(long)]
    verbose: bool,
}

/// Which rules run at which level, and which findings are already known: shared by `lint`,
/// `mapping validate` and `audit`.
#[derive(clap::Args, Debug)]
pub struct PolicyArgs {
    /// A policy file (levels, thresholds, ignores) applied on top of the profile.
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,
    /// The built-in policy profile to start from.
    #[arg(long, value_enum, default_value_t = Profile::Ovirt)]
    profile: Profile,
    /// Report only findings whose fingerprint is not in this baseline file.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Report a rule as an error (repeatable; applied after --warn and --allow).
    #[arg(long, value_name = "CODE")]
    deny: Vec<String>,
    /// Report a rule as a warning (repeatable).
    #[arg(long, value_name = "CODE")]
    warn: Vec<String>,
    /// Do not run a rule (repeatable).
    #[arg(long, value_name = "CODE")]
    allow: Vec<String>,
}

impl PolicyArgs {
    /// Drops the findings the baseline file (if any) already knows.
    pub fn new_findings(&self, findings: Vec<Finding>) -> Result<Vec<Finding>, Report> {
        match &self.baseline {
            Some(path) => {
                let known = baseline::read(path).map_err(diagnostic::load_error)?;
                Ok(baseline::new_findings(findings, &known))
            }
            None => Ok(findings),
        }
    }
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Profile {
    Ovirt,
    Strict,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Format {
    Human,
    Json,
    Sarif,
    Junit,
    Github,
}

/// The level at and above which findings fail the command (exit 1); `warn` and `warning` are
/// the same level.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum FailOn {
    Error,
    #[value(alias = "warn")]
    Warning,
    Note,
}

impl From<FailOn> for Level {
    fn from(fail_on: FailOn) -> Level {
        match fail_on {
            FailOn::Error => Level::Error,
            FailOn::Warning => Level::Warning,
            FailOn::Note => Level::Note,
        }
    }
}

pub fn run(args: Args) -> Result<Outcome, Report> {
    let policy = policy(&args.report.judging)?;
    let mut inventories: Vec<Inventory> = Vec::new();
    if let Some(url) = &args.engine {
        inventories.push(fetch_inventory(&args.connection.options(url)?).map_err(live_error)?);
    }
    if args.engine.is_none() && args.sources.is_empty() {
        inventories.push(source::demo()?);
    }
    for path in &args.sources {
        let inventory = source::load(path, &args.connection)?;
        source::require_something_to_check(&inventory, &path.display().to_string())?;
        inventories.push(inventory);
    }
    let linted = inventories
        .iter()
        .map(|inventory| (&inventory.sources, stretchdr_lint::lint(inventory, &policy)))
        .collect();
    report_findings(linted, &args.report)
}

/// Writes or applies the baseline, renders the findings in the chosen format and decides the
/// exit status; shared by `lint` and `mapping validate`. Each group's findings point into its
/// own source files.
pub fn report_findings(
    mut linted: Vec<(&SourceMap, Vec<Finding>)>,
    args: &ReportArgs,
) -> Result<Outcome, Report> {
    if let Some(path) = &args.write_baseline {
        let all: Vec<Finding> = linted.iter().flat_map(|(_, f)| f.iter().cloned()).collect();
        std::fs::write(path, baseline::render(&all))
            .map_err(|e| miette::miette!("cannot write baseline {}: {e}", path.display()))?;
        eprintln!("wrote {} to {}", report::summary_line(&all), path.display());
        return Ok(Outcome::Clean);
    }
    for (_, findings) in &mut linted {
        *findings = args.judging.new_findings(std::mem::take(findings))?;
    }
    let all: Vec<Finding> = linted.iter().flat_map(|(_, f)| f.iter().cloned()).collect();
    match args.format {
        Format::Human => {
            let options = report::HumanOptions {
                color: output::color_stdout(),
                verbose: args.verbose,
            };
            let mut text = String::new();
            for (sources, findings) in &linted {
                text.push_str(&report::human_with(findings, sources, options));
            }
            text.push_str(&report::summary_line(&all));
            text.push('\n');
            output::emit(&text)?;
        }
        Format::Json => output::emit(&report::json(&all))?,
        Format::Sarif => output::emit(&report::sarif(&all))?,
        Format::Junit => output::emit(&report::junit(&all))?,
        Format::Github => output::emit(&report::github(&all))?,
    }
    Ok(if stretchdr_lint::fails(&all, args.fail_on.into()) {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}

/// The profile, the policy file on top, then the command line's levels.
pub fn policy(args: &PolicyArgs) -> Result<Policy, Report> {
    let profile = match args.profile {
        Profile::Ovirt => "ovirt",
        Profile::Strict => "strict",
    };
    let mut policy = Policy::profile(profile).map_err(|e| miette::miette!("{e}"))?;
    if let Some(path) = &args.policy {
        policy.apply_file(path).map_err(diagnostic::load_error)?;
    }
    let levels = [
        (&args.allow, Setting::Allow),
        (&args.warn, Setting::Warn),
        (&args.deny, Setting::Deny),
    ];
    for (codes, setting) in levels {
        for code in codes {
            policy
                .set(code, setting)
                .map_err(|e| miette::miette!("{e}"))?;
        }
    }
    Ok(policy)
}
