//! `stretchdr fetch`: a read-only snapshot of a live engine, written as an export directory.
//! Each response is streamed to its file as it arrives (memory stays small however large
//! the engine), and the export appears in `--out` only once every response has arrived.
//!
//! The connection flags live in [`EngineArgs`] so every command that takes `--engine`
//! flattens the same ones and builds its [`EngineOptions`] the same way.

use std::path::PathBuf;

use clap::Parser;
use miette::{MietteDiagnostic, Report};
use stretchdr_model::live::{
    Credentials, EngineOptions, LiveError, Trust, check_output, fetch_to_dir,
};

use crate::cli::Outcome;
use crate::diagnostic;
use crate::output;

#[derive(Parser, Debug)]
pub struct Args {
    /// The engine: https://engine.example.com (…/ovirt-engine and …/ovirt-engine/api work too).
    #[arg(long, value_name = "URL")]
    engine: String,
    #[command(flatten)]
    connection: EngineArgs,
    /// Directory to write the export to; it must not hold an export already.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
}

/// How to reach and log in to an engine, shared by every command with `--engine`.
///
/// There is deliberately no `--password`: a password on the command line is visible to
/// every user of the machine and kept in shell history.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct EngineArgs {
    /// The engine's CA certificate (PEM), as served at
    /// <engine>/ovirt-engine/services/pki-resource?resource=ca-certificate&format=X509-PEM-CA
    #[arg(long, value_name = "FILE")]
    pub ca_file: Option<PathBuf>,
    /// Do not verify the engine's TLS certificate (a warning is printed; prefer --ca-file).
    #[arg(long, conflicts_with = "ca_file")]
    pub insecure: bool,
    /// User name, e.g. admin@internal [default: $OVIRT_USERNAME]
    #[arg(long, value_name = "USER")]
    pub user: Option<String>,
    /// File whose first line is the password [default: $OVIRT_PASSWORD, else a prompt on a terminal]
    #[arg(long, value_name = "FILE")]
    pub password_file: Option<PathBuf>,
}

impl EngineArgs {
    /// Options for `engine`: credentials from the flags, the environment or a prompt.
    pub fn options(&self, engine: &str) -> Result<EngineOptions, Report> {
        let credentials = Credentials::resolve(self.user.as_deref(), self.password_file.as_deref())
            .map_err(live_error)?;
        let mut options = EngineOptions::new(engine, credentials);
        options.trust = Trust::from_flags(self.ca_file.clone(), self.insecure);
        Ok(options)
    }
}

pub fn run(args: Args) -> Result<Outcome, Report> {
    // Before a password is asked for or the engine contacted.
    check_output(&args.out).map_err(live_error)?;
    let options = args.connection.options(&args.engine)?;
    let summary = fetch_to_dir(&options, &args.out).map_err(live_error)?;
    output::emit(&format!(
        "{summary}wrote the export to {}\n",
        args.out.display()
    ))?;
    Ok(Outcome::Clean)
}

/// A report for a live-engine error; its message already says what to do.
pub fn live_error(error: LiveError) -> Report {
    match error {
        LiveError::Load(load) => diagnostic::load_error(load),
        // The engine's words may hold escape sequences: shown, not obeyed.
        other => Report::new(MietteDiagnostic::new(
            stretchdr_model::escape::control(&other.to_string()).into_owned(),
        )),
    }
}
