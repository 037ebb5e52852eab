//! `stretchdr whatif` (being built).

use clap::Parser;
use miette::Report;

use crate::cli::Outcome;

#[derive(Parser, Debug)]
pub struct Args {}

pub fn run(_args: Args) -> Result<Outcome, Report> {
    Err(miette::miette!("whatif is not available yet"))
}
