//! Where the response files of an export are.
//!
//! `stretchdr fetch`, and `curl -o` of the same API paths, write one file per GET:
//! `api/vms.xml`, `api/clusters/<id>/affinitygroups.json`, and the API root as `api.xml`
//! next to the `api/` directory. A collection may be saved as `.xml` or `.json`; when both
//! exist the `.xml` file is read, because XML is the API's default format and the one a
//! plain `curl` saves, and the `.json` file is ignored.
//!
//! Every file is read through [`crate::read::read_confined`]: a symbolic link leading out
//! of the export, a FIFO or a device where a response should be is an error naming it.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::LoadError;
use crate::export::document::Format;
use crate::read;

/// The collections whose presence marks a directory as the `api/` directory of an export.
const TOP_LEVEL: &[&str] = &[
    "vms",
    "hosts",
    "clusters",
    "datacenters",
    "storagedomains",
    "networks",
    "vnicprofiles",
    "disks",
    "affinitylabels",
];

/// The located `api/` directory of an export.
pub struct Layout {
    api: PathBuf,
    /// Where the API root response (`api.xml` / `api.json`) would be.
    root_stem: PathBuf,
    /// The real path of the `api/` directory: collections must resolve inside it.
    api_real: Arc<Path>,
    /// The real path of the directory holding the API root response.
    root_real: Arc<Path>,
}

/// A response file to read.
pub struct Response {
    pub path: PathBuf,
    pub format: Format,
    /// The real directory the file must resolve inside.
    pub within: Arc<Path>,
}

impl Layout {
    /// Accepts the export root (holding `api/`) or the `api/` directory itself.
    pub fn locate(dir: &Path) -> Result<Layout, LoadError> {
        let meta = std::fs::metadata(dir)
            .map_err(|e| LoadError::file(dir, format!("cannot read export directory: {e}")))?;
        if !meta.is_dir() {
            return Err(LoadError::file(dir, "an export must be a directory"));
        }
        let nested = dir.join("api");
        if nested.is_dir() {
            let root_real: Arc<Path> = read::confine_root(dir)?.into();
            let api_real: Arc<Path> = read::confine_root(&nested)?.into();
            if !api_real.starts_with(&root_real) {
                return Err(LoadError::file(
                    &nested,
                    "refused: a symbolic link leading out of the export directory",
                ));
            }
            return Ok(Layout {
                root_stem: dir.join("api"),
                api: nested,
                api_real,
                root_real,
            });
        }
        let api_real: Arc<Path> = read::confine_root(dir)?.into();
        let root_real: Arc<Path> = api_real.parent().unwrap_or(&api_real).into();
        let candidate = Layout {
            api: dir.to_path_buf(),
            root_stem: dir.with_file_name("api"),
            api_real,
            root_real,
        };
        let is_api_dir = dir.file_name().is_some_and(|name| name == "api")
            || TOP_LEVEL
                .iter()
                .any(|collection| candidate.collection(collection).is_some());
        if is_api_dir {
            Ok(candidate)
        } else {
            Err(LoadError::file(
                dir,
                "not an export: no api/ directory and no collection files (vms.xml, hosts.json, ...)",
            ))
        }
    }

    /// The API root response, when saved.
    pub fn api_root(&self) -> Option<Response> {
        find(&self.root_stem, &self.root_real)
    }

    /// The response of collection `path` relative to `api/` (`vms`, `clusters/<id>/affinitygroups`).
    pub fn collection(&self, path: &str) -> Option<Response> {
        find(&self.api.join(path), &self.api_real)
    }

    /// The sub-collection `sub` of every entity directory under `api/<parent>/`, with the
    /// entity's id, sorted by id so loading is deterministic.
    pub fn sub_collections(
        &self,
        parent: &str,
        sub: &str,
    ) -> Result<Vec<(String, Response)>, LoadError> {
        let dir = self.api.join(parent);
        if !dir.is_dir() {
            return Ok(Vec::new());
        }
        let entries = std::fs::read_dir(&dir)
            .map_err(|e| LoadError::file(&dir, format!("cannot list directory: {e}")))?;
        let mut found = Vec::new();
        for entry in entries {
            let entry =
                entry.map_err(|e| LoadError::file(&dir, format!("cannot list directory: {e}")))?;
            let Ok(id) = entry.file_name().into_string() else {
                continue;
            };
            if !entry.path().is_dir() {
                continue;
            }
            if let Some(response) = find(&entry.path().join(sub), &self.api_real) {
                found.push((id, response));
            }
        }
        found.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(found)
    }
}

/// `stem.xml`, else `stem.json`: whatever is there under that name, so that a FIFO, a
/// device or a link out of the export is reported when read, not skipped.
fn find(stem: &Path, within: &Arc<Path>) -> Option<Response> {
    [Format::Xml, Format::Json].into_iter().find_map(|format| {
        let mut path = stem.as_os_str().to_owned();
        path.push(".");
        path.push(format.extension());
        let path = PathBuf::from(path);
        path.symlink_metadata().is_ok().then(|| Response {
            path,
            format,
            within: Arc::clone(within),
        })
    })
}
