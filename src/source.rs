//! SOURCE arguments: a design file, an export directory, or a live engine (`--engine`);
//! the bundled example when none is given.

use std::path::{Path, PathBuf};

use miette::Report;
use stretchdr_model::design::{load_design_str, load_design_with_engine};
use stretchdr_model::live::fetch_inventory;
use stretchdr_model::{Inventory, LoadError};

use crate::commands::fetch::{EngineArgs, live_error};
use crate::diagnostic;

/// The bundled example stretch cluster, embedded in the binary.
pub const DEMO_DESIGN: &str = include_str!("../fixtures/demo/design.toml");
/// The name the bundled example goes by in reports.
pub const DEMO_NAME: &str = "fixtures/demo/design.toml";

/// Where a command reads its inventory from.
#[derive(clap::Args, Debug, Clone)]
pub struct SourceArgs {
    /// A design TOML or an export directory; the bundled example stretch cluster when omitted.
    pub source: Option<PathBuf>,
    /// Read a live engine instead (GET requests only), e.g. https://engine.example.com/ovirt-engine.
    #[arg(long, value_name = "URL", conflicts_with = "source")]
    pub engine: Option<String>,
    #[command(flatten)]
    pub connection: EngineArgs,
}

impl SourceArgs {
    /// Loads the source the arguments name, or the bundled example.
    pub fn load(&self) -> Result<Inventory, Report> {
        match (&self.engine, &self.source) {
            (Some(url), _) => fetch_inventory(&self.connection.options(url)?).map_err(live_error),
            (None, Some(path)) => load(path, &self.connection),
            (None, None) => demo(),
        }
    }
}

/// Loads a SOURCE path: a directory is an export, a file a design. A design whose
/// `[source]` names a live engine reads it with the connection flags of the command line.
pub fn load(path: &Path, connection: &EngineArgs) -> Result<Inventory, Report> {
    if path.is_dir() {
        return stretchdr_model::load_source(path)
            .map(warn_missing_references)
            .map_err(diagnostic::load_error);
    }
    let text =
        stretchdr_model::read::read_text(path, "design file").map_err(diagnostic::load_error)?;
    // The live error (with its advice) is kept aside: the design loader only carries LoadErrors.
    let live_failure = std::cell::RefCell::new(None);
    let read_engine = |url: &str| -> Result<Inventory, LoadError> {
        let options = connection
            .options(url)
            .map_err(|report| LoadError::file(url, report.to_string()))?;
        fetch_inventory(&options).map_err(|e| {
            let error = LoadError::file(url, e.to_string());
            *live_failure.borrow_mut() = Some(e);
            error
        })
    };
    load_design_with_engine(path, text, Some(&read_engine))
        .map(warn_missing_references)
        .map_err(|e| match live_failure.take() {
            Some(live) => live_error(live),
            None => diagnostic::load_error(e),
        })
}

/// Says once, on stderr, how many references to entities the export lacks were skipped.
fn warn_missing_references(inventory: Inventory) -> Inventory {
    if let Some(warning) = inventory.missing_references_warning() {
        eprintln!("warning: {warning}");
    }
    inventory
}

/// The bundled example.
pub fn demo() -> Result<Inventory, Report> {
    load_design_str(Path::new(DEMO_NAME), DEMO_DESIGN).map_err(diagnostic::load_error)
}

/// Nothing checked is not a pass: a source without clusters or hosts is refused.
pub fn require_something_to_check(inventory: &Inventory, source: &str) -> Result<(), Report> {
    let missing: Vec<&str> = [
        ("clusters", inventory.clusters.is_empty()),
        ("hosts", inventory.hosts.is_empty()),
    ]
    .into_iter()
    .filter_map(|(what, empty)| empty.then_some(what))
    .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(miette::miette!(
        "{source}: nothing to check: no {} (a design needs [[cluster]] and [[host]] tables)",
        missing.join(" and ")
    ))
}
