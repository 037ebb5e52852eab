//! `stretchdr mapping`: the ovirt-dr mapping file of active-passive DR, offline.
//!
//! `generate` writes one for a primary site's entities, filled from what the two sources
//! hold; `validate` checks one against both sites with the AP rules, reported and judged
//! exactly as `stretchdr lint` does. A source that lacks referenced collections is warned
//! about once as it loads.

use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand};
use miette::Report;
use stretchdr_lint::{DrContext, lint_mapping};
use stretchdr_model::Inventory;
use stretchdr_model::live::fetch_inventory;
use stretchdr_model::mapping::{generate, load_mapping};

use crate::cli::Outcome;
use crate::commands::fetch::{EngineArgs, live_error};
use crate::commands::lint::{ReportArgs, policy, report_findings};
use crate::{diagnostic, output, source};

#[derive(Parser, Debug)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Write a mapping file for the primary's entities, filled from what the sources hold;
    /// what a person must fill in is marked TODO.
    ///
    /// Entities are matched by id and name on the secondary. Exports and live engines hold
    /// storage connections, vNIC profile ids, roles, AAA domains and direct LUN disks; a
    /// design holds names. `validate` reports every placeholder left (AP013).
    Generate(GenerateArgs),
    /// Check a mapping file against both sites (the AP rules); exit 1 on findings at or above
    /// --fail-on.
    Validate(ValidateArgs),
}

#[derive(Parser, Debug)]
struct GenerateArgs {
    /// The primary site: a design TOML, an export directory or an engine URL (https://...).
    #[arg(long, value_name = "SOURCE")]
    primary: String,
    /// The secondary site, to match entities by name.
    #[arg(long, value_name = "SOURCE")]
    secondary: Option<String>,
    /// Write the mapping file here instead of stdout.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    #[command(flatten)]
    connection: EngineArgs,
}

#[derive(Parser, Debug)]
struct ValidateArgs {
    /// The mapping file (disaster_recovery_vars.yml).
    #[arg(value_name = "FILE")]
    mapping: PathBuf,
    /// The primary site: a design TOML, an export directory or an engine URL (https://...).
    #[arg(long, value_name = "SOURCE")]
    primary: String,
    /// The secondary site: a design TOML, an export directory or an engine URL (https://...).
    #[arg(long, value_name = "SOURCE")]
    secondary: String,
    /// How to reach the engines given by URL (both use the same flags).
    #[command(flatten)]
    connection: EngineArgs,
    #[command(flatten)]
    report: ReportArgs,
}

pub fn run(args: Args) -> Result<Outcome, Report> {
    match args.command {
        Command::Generate(args) => run_generate(args),
        Command::Validate(args) => run_validate(args),
    }
}

/// A site given as an engine URL (live, GET only) or a path (design or export).
fn load_site(site: &str, connection: &EngineArgs) -> Result<Inventory, Report> {
    if site.starts_with("https://") || site.starts_with("http://") {
        fetch_inventory(&connection.options(site)?).map_err(live_error)
    } else {
        source::load(Path::new(site), connection)
    }
}

fn run_generate(args: GenerateArgs) -> Result<Outcome, Report> {
    let primary = load_site(&args.primary, &args.connection)?;
    let secondary = match &args.secondary {
        Some(site) => Some(load_site(site, &args.connection)?),
        None => None,
    };
    let text = generate(&primary, secondary.as_ref());
    match &args.out {
        Some(path) => {
            std::fs::write(path, &text)
                .map_err(|e| miette::miette!("cannot write {}: {e}", path.display()))?;
            eprintln!("wrote the mapping file to {}", path.display());
        }
        None => output::emit(&text)?,
    }
    Ok(Outcome::Clean)
}

fn run_validate(args: ValidateArgs) -> Result<Outcome, Report> {
    let policy = policy(&args.report.judging)?;
    let mapping = load_mapping(&args.mapping).map_err(diagnostic::load_error)?;
    let primary = load_site(&args.primary, &args.connection)?;
    let secondary = load_site(&args.secondary, &args.connection)?;
    let dr = DrContext::new(&mapping, &primary, &secondary);
    let findings = lint_mapping(&dr, &policy);
    report_findings(vec![(dr.sources(), findings)], &args.report)
}
