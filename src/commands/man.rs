//! `stretchdr man --out DIR`: one man page per command (`stretchdr.1`, `stretchdr-lint.1`,
//! `stretchdr-mapping-generate.1`, ...), generated from the clap definitions. Packages run it
//! at build time; nothing is written by hand.

use std::path::{Path, PathBuf};

use clap::{Command, CommandFactory, Parser};
use miette::{IntoDiagnostic, Report, WrapErr};

use crate::cli::{Cli, Outcome, VERSION};

#[derive(Parser, Debug)]
pub struct Args {
    /// The directory to write the pages to (created if missing), e.g. /usr/local/share/man/man1.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
}

pub fn run(args: Args) -> Result<Outcome, Report> {
    std::fs::create_dir_all(&args.out)
        .into_diagnostic()
        .wrap_err_with(|| format!("{}: cannot create the directory", args.out.display()))?;
    let mut command = Cli::command().disable_help_subcommand(true);
    // Building fills in each subcommand's display name (`stretchdr-lint`): the page names.
    command.build();
    write_pages(command, &args.out)?;
    Ok(Outcome::Clean)
}

/// Writes the page of `command` and, depth first, of each visible subcommand.
fn write_pages(command: Command, dir: &Path) -> Result<(), Report> {
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        write_pages(sub.clone(), dir)?;
    }
    let page = clap_mangen::Man::new(command)
        .source(format!("stretchdr {VERSION}"))
        .manual("stretchdr manual");
    let path = dir.join(page.get_filename());
    let mut roff = Vec::new();
    page.render(&mut roff).into_diagnostic()?;
    std::fs::write(&path, roff)
        .into_diagnostic()
        .wrap_err_with(|| format!("{}: cannot write the man page", path.display()))
}
