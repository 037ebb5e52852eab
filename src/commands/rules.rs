//! `stretchdr rules` and `stretchdr explain CODE`: the catalogue, from the rules' own docs.

use std::fmt::Write as _;

use clap::Parser;
use miette::Report;
use stretchdr_lint::docs;
use stretchdr_lint::policy::unknown_code_message;
use stretchdr_lint::registry::{self, RULES};

use crate::cli::Outcome;
use crate::output;

#[derive(Parser, Debug)]
pub struct Args {}

pub fn run(_args: Args) -> Result<Outcome, Report> {
    let name_width = RULES.iter().map(|r| r.name().len()).max().unwrap_or(0);
    let mut table = format!(
        "{:<5}  {:<name_width$}  {:<7}  SUMMARY\n",
        "CODE", "NAME", "LEVEL"
    );
    for rule in RULES {
        let _ = writeln!(
            table,
            "{:<5}  {:<name_width$}  {:<7}  {}",
            rule.code(),
            rule.name(),
            rule.default_level().as_str(),
            docs::summary(*rule)
        );
    }
    output::emit(&table)?;
    Ok(Outcome::Clean)
}

#[derive(Parser, Debug)]
pub struct ExplainArgs {
    /// A rule code or name, e.g. AA005 or hard-vm-host-affinity.
    code: String,
}

pub fn explain(args: ExplainArgs) -> Result<Outcome, Report> {
    let rule = registry::find(&args.code)
        .ok_or_else(|| miette::miette!("{}", unknown_code_message(&args.code)))?;
    output::emit(&docs::explain(rule))?;
    Ok(Outcome::Clean)
}
