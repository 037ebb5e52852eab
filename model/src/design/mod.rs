//! The design / overlay TOML of FORMATS.md.

use std::path::Path;

use crate::error::LoadError;
use crate::inventory::Inventory;

/// Loads a design file (and, with `[source] export = ...`, the export it overlays).
pub fn load_design(path: &Path) -> Result<Inventory, LoadError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| LoadError::file(path, format!("cannot read design file: {e}")))?;
    load_design_str(path, &text)
}

/// Loads a design from text; `path` names it in errors and resolves relative paths.
pub fn load_design_str(path: &Path, _text: &str) -> Result<Inventory, LoadError> {
    Err(LoadError::file(path, "design loader not implemented yet"))
}
