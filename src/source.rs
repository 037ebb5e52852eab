//! SOURCE arguments: a design file or an export directory; the bundled example when none.

use std::path::{Path, PathBuf};

use miette::Report;
use stretchdr_model::Inventory;
use stretchdr_model::design::load_design_str;

use crate::diagnostic;

/// The bundled example stretch cluster, embedded in the binary.
pub const DEMO_DESIGN: &str = include_str!("../fixtures/demo/design.toml");
/// The name the bundled example goes by in reports.
pub const DEMO_NAME: &str = "fixtures/demo/design.toml";

/// Loads a SOURCE: a directory is an export, a file a design.
pub fn load(path: &Path) -> Result<Inventory, Report> {
    stretchdr_model::load_source(path).map_err(diagnostic::load_error)
}

/// Loads SOURCE, or the bundled example when none is given.
pub fn load_or_demo(path: Option<&PathBuf>) -> Result<Inventory, Report> {
    match path {
        Some(path) => load(path),
        None => load_design_str(Path::new(DEMO_NAME), DEMO_DESIGN).map_err(diagnostic::load_error),
    }
}
