//! Where the response files of an export are.
//!
//! `stretchdr fetch`, and `curl -o` of the same API paths, write one file per GET:
//! `api/vms.xml`, `api/clusters/<id>/affinitygroups.json`, and the API root as `api.xml`
//! next to the `api/` directory. A collection may be saved as `.xml` or `.json`; when both
//! exist the `.xml` file is read, because XML is the API's default format and the one a
//! plain `curl` saves, and the `.json` file is ignored.

use std::path::{Path, PathBuf};

use crate::error::LoadError;
use crate::export::document::Format;

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
}

/// A response file to read.
pub struct Response {
    pub path: PathBuf,
    pub format: Format,
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
            return Ok(Layout {
                root_stem: dir.join("api"),
                api: nested,
            });
        }
        let candidate = Layout {
            api: dir.to_path_buf(),
            root_stem: dir.with_file_name("api"),
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
        find(&self.root_stem)
    }

    /// The response of collection `path` relative to `api/` (`vms`, `clusters/<id>/affinitygroups`).
    pub fn collection(&self, path: &str) -> Option<Response> {
        find(&self.api.join(path))
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
            if let Some(response) = find(&entry.path().join(sub)) {
                found.push((id, response));
            }
        }
        found.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(found)
    }
}

/// `stem.xml`, else `stem.json`.
fn find(stem: &Path) -> Option<Response> {
    [Format::Xml, Format::Json].into_iter().find_map(|format| {
        let mut path = stem.as_os_str().to_owned();
        path.push(".");
        path.push(format.extension());
        let path = PathBuf::from(path);
        path.is_file().then_some(Response { path, format })
    })
}
