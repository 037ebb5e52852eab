//! `stretchdr rules` (being built).

use clap::Parser;
use miette::Report;

use crate::cli::Outcome;

#[derive(Parser, Debug)]
pub struct Args {}

pub fn run(_args: Args) -> Result<Outcome, Report> {
    Err(miette::miette!("rules is not available yet"))
}

#[derive(Parser, Debug)]
pub struct ExplainArgs {}

pub fn explain(_args: ExplainArgs) -> Result<Outcome, Report> {
    Err(miette::miette!("explain is not available yet"))
}
