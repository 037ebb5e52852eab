//! Export directories of oVirt REST API responses (XML and JSON).

use std::path::Path;

use crate::error::LoadError;
use crate::inventory::Inventory;

/// Loads an export directory as `stretchdr fetch` or `curl` wrote it.
pub fn load_export(dir: &Path) -> Result<Inventory, LoadError> {
    Err(LoadError::file(dir, "export loader not implemented yet"))
}
