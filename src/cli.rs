//! Argument parsing and dispatch; exit codes are decided here.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::commands::{
    audit, completions, diff, fetch, fix, generate, inventory, lint, man, mapping, merge, rules,
    sim, whatif,
};

/// What `--version` prints after the name: the crate version and the commit built from
/// ("unknown" outside a git checkout without `STRETCHDR_GIT_COMMIT`; see build.rs).
pub const VERSION: &str = concat!(
    env!("CARGO_PKG_VERSION"),
    " (commit ",
    env!("STRETCHDR_GIT_COMMIT"),
    ")"
);

/// Audits the disaster-recovery setup of oVirt, RHV and OLVM clusters.
#[derive(Parser, Debug)]
#[command(name = "stretchdr", version = VERSION, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Lint and simulate a source in one report (the bundled example when no SOURCE is given).
    Audit(audit::Args),
    /// Print what was loaded from a source: counts per site and cluster, and each entity.
    #[command(after_help = EXIT_CODES)]
    Inventory(inventory::Args),
    /// Check sources against the DR rules; exit 1 on findings at or above --fail-on.
    #[command(after_help = EXIT_CODES)]
    Lint(lint::Args),
    /// List the rule catalogue.
    #[command(after_help = EXIT_CODES)]
    Rules(rules::Args),
    /// Show one rule's documentation.
    #[command(after_help = EXIT_CODES)]
    Explain(rules::ExplainArgs),
    /// Simulate a failure scenario and predict what the engine does.
    Sim(sim::Args),
    /// Sweep design or engine parameters over a scenario: one row per point.
    Whatif(whatif::Args),
    /// Read a live engine (GET only) and write an export directory.
    #[command(after_help = EXIT_CODES)]
    Fetch(fetch::Args),
    /// The ovirt-dr mapping file of active-passive DR: generate or validate it, offline.
    #[command(after_help = EXIT_CODES)]
    Mapping(mapping::Args),
    /// Write a synthetic, seeded design of any size (to stdout by default).
    #[command(after_help = EXIT_CODES)]
    Gen(generate::Args),
    /// Fix the mechanical findings: the design rewritten (or a diff), or an Ansible playbook.
    Fix(fix::Args),
    /// Compare two sources of one setup: findings added and resolved, and what changes in
    /// each standard scenario; exit 1 when the change makes things worse.
    Diff(diff::Args),
    /// Fold the parts of a sharded `sim --shard` or `whatif --shard` batch into its report.
    Merge(merge::Args),
    /// Print the completion script of a shell (bash, zsh, fish, elvish, powershell).
    #[command(after_help = completions::INSTALL)]
    Completions(completions::Args),
    /// Write the man pages, one per command, into a directory.
    Man(man::Args),
}

/// The exit codes, stated in the help of the commands that have no more to say after their
/// options (`audit`, `sim` and `whatif` state theirs with their grammar).
const EXIT_CODES: &str = "Exit status: 0 success (and, for lint and mapping validate, no finding at or above \
--fail-on); 1 findings at or above --fail-on; 2 bad input or usage (the message names the file, line and \
what was expected).";

/// Exit status of every command: 0 clean, 1 findings at or above the failing level, 2 bad input or usage.
pub enum Outcome {
    Clean,
    Findings,
}

pub fn run() -> ExitCode {
    install_error_report_style();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let result = match cli.command {
        Command::Audit(args) => audit::run(args),
        Command::Inventory(args) => inventory::run(args),
        Command::Gen(args) => generate::run(args),
        Command::Lint(args) => lint::run(args),
        Command::Rules(args) => rules::run(args),
        Command::Explain(args) => rules::explain(args),
        Command::Sim(args) => sim::run(args),
        Command::Fetch(args) => fetch::run(args),
        Command::Whatif(args) => whatif::run(args),
        Command::Mapping(args) => mapping::run(args),
        Command::Fix(args) => fix::run(args),
        Command::Diff(args) => diff::run(args),
        Command::Merge(args) => merge::run(args),
        Command::Completions(args) => completions::run(args),
        Command::Man(args) => man::run(args),
    };
    match result {
        Ok(Outcome::Clean) => ExitCode::SUCCESS,
        Ok(Outcome::Findings) => ExitCode::from(1),
        Err(report) => {
            eprintln!("{report:?}");
            ExitCode::from(2)
        }
    }
}

/// Error reports wrap to the terminal's width on a terminal; piped (CI logs, `grep`) each
/// message stays on one line so `file:line: message` can be searched for whole.
fn install_error_report_style() {
    use std::io::IsTerminal;
    let on_terminal = std::io::stderr().is_terminal();
    let _ = miette::set_hook(Box::new(move |_| {
        Box::new(
            miette::MietteHandlerOpts::new()
                .wrap_lines(on_terminal)
                .terminal_links(false)
                .build(),
        )
    }));
}
