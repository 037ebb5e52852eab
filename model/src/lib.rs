//! The stretchdr inventory model and every way to load one.
//!
//! One typed, validated [`Inventory`] that lint and sim read. Loaders:
//! [`design::load_design`] (design / overlay TOML), [`export::load_export`] (a directory of
//! oVirt REST API responses, XML or JSON), and [`load_source`] which picks one by the path.

pub mod budget;
pub mod design;
pub mod error;
pub mod escape;
pub mod export;
pub mod generate;
pub mod ids;
pub mod inventory;
pub mod keys;
pub mod live;
pub mod mapping;
pub mod origin;
pub mod parallel;
pub mod read;
pub mod units;

use std::path::Path;

pub use error::LoadError;
pub use ids::{
    AffinityGroupId, AffinityLabelId, Arena, ClusterId, DataCenterId, EntityId, HostId, Named,
    NetworkId, SiteId, StorageDomainId, VmId, VnicProfileId,
};
pub use inventory::Inventory;
pub use origin::{FileId, KeySpan, LineIndex, Origin, SourceFile, SourceMap};

/// Loads a SOURCE as the command line names it: a directory is an export, a file a design.
pub fn load_source(path: &Path) -> Result<Inventory, LoadError> {
    let meta = std::fs::metadata(path)
        .map_err(|e| LoadError::file(path, format!("cannot read source: {e}")))?;
    // Anything but a directory is read as a design, which must be a regular file of a
    // bounded size: `/dev/zero` or a FIFO is an error there, not an endless read.
    if meta.is_dir() {
        export::load_export(path)
    } else {
        design::load_design(path)
    }
}
