//! `stretchdr audit`: lint and the standard scenarios in one report.

use clap::Parser;
use miette::Report;

use crate::cli::Outcome;
use crate::commands::inventory::render_summary;
use crate::output;
use crate::source::SourceArgs;

#[derive(Parser, Debug)]
pub struct Args {
    #[command(flatten)]
    source: SourceArgs,
}

pub fn run(args: Args) -> Result<Outcome, Report> {
    let inventory = args.source.load()?;
    output::emit(&render_summary(&inventory))?;
    Ok(Outcome::Clean)
}
