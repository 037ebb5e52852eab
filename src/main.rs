//! The `stretchdr` command line. Commands live in `commands/`; this file only dispatches.

mod cli;
mod commands;
mod diagnostic;
mod output;
mod source;

fn main() -> std::process::ExitCode {
    cli::run()
}
