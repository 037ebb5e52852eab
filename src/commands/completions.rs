//! `stretchdr completions SHELL`: the shell's completion script, generated from the clap
//! definitions, so it always knows every command and option of this build.

use clap::{CommandFactory, Parser};
use clap_complete::Shell;
use miette::{IntoDiagnostic, Report, WrapErr};

use crate::cli::{Cli, Outcome};
use crate::output;

/// Where each shell looks for the script, for the help.
pub const INSTALL: &str = "Install for one user: \
stretchdr completions bash > ~/.local/share/bash-completion/completions/stretchdr; \
stretchdr completions zsh > ~/.zfunc/_stretchdr (with fpath+=(~/.zfunc) before compinit in ~/.zshrc); \
stretchdr completions fish > ~/.config/fish/completions/stretchdr.fish. \
The RPM installs all three system-wide.";

#[derive(Parser, Debug)]
pub struct Args {
    /// The shell to complete for.
    #[arg(value_enum)]
    shell: Shell,
}

pub fn run(args: Args) -> Result<Outcome, Report> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "stretchdr", &mut script);
    let script = String::from_utf8(script)
        .into_diagnostic()
        .wrap_err("the completion script is not UTF-8")?;
    output::emit(&script)?;
    Ok(Outcome::Clean)
}
