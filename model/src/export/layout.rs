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
//! The per-entity directories (`vms/<id>/`, 10,000 of them in a large export) are listed
//! once each; a file listed as a regular file in a directory listed as a directory, under
//! a directory whose real path is its own, is inside the export without resolving its path
//! again.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ffi::OsString;
use std::fs::FileType;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

use rayon::iter::{IntoParallelIterator, ParallelIterator};

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
    /// The entity directories under each `api/<parent>/` listed so far.
    entities: RefCell<HashMap<String, Rc<[EntityDir]>>>,
}

/// An entity's directory (`api/vms/<id>/`).
struct EntityDir {
    id: String,
    path: PathBuf,
    /// Its files and their types, when it is known to be inside the export: a directory,
    /// not a link to one, in a directory whose real path is its own.
    files: Option<Vec<(OsString, FileType)>>,
}

/// A response file to read.
pub struct Response {
    pub path: PathBuf,
    pub format: Format,
    /// The real directory the file must resolve inside.
    pub within: Arc<Path>,
    /// Listed as a regular file where no symbolic link leads: inside `within` already.
    pub inside: bool,
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
                entities: RefCell::default(),
            });
        }
        let api_real: Arc<Path> = read::confine_root(dir)?.into();
        let root_real: Arc<Path> = api_real.parent().unwrap_or(&api_real).into();
        let candidate = Layout {
            api: dir.to_path_buf(),
            root_stem: dir.with_file_name("api"),
            api_real,
            root_real,
            entities: RefCell::default(),
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
        let entities = self.entity_dirs(parent)?;
        let found = entities
            .iter()
            .filter_map(|entity| {
                let response = match &entity.files {
                    Some(files) => listed(files, &entity.path, sub, &self.api_real),
                    None => find(&entity.path.join(sub), &self.api_real),
                };
                response.map(|response| (entity.id.clone(), response))
            })
            .collect();
        Ok(found)
    }

    /// The entity directories under `api/<parent>/`, sorted by id, listed on first use.
    fn entity_dirs(&self, parent: &str) -> Result<Rc<[EntityDir]>, LoadError> {
        if let Some(listed) = self.entities.borrow().get(parent) {
            return Ok(Rc::clone(listed));
        }
        let listed: Rc<[EntityDir]> = self.list_entity_dirs(parent)?.into();
        self.entities
            .borrow_mut()
            .insert(parent.to_string(), Rc::clone(&listed));
        Ok(listed)
    }

    fn list_entity_dirs(&self, parent: &str) -> Result<Vec<EntityDir>, LoadError> {
        let dir = self.api.join(parent);
        if !dir.is_dir() {
            return Ok(Vec::new());
        }
        // Directories listed here are where they seem only when no link leads to `dir`.
        let own_path = dir
            .canonicalize()
            .is_ok_and(|real| real == self.api_real.join(parent));
        let entries = std::fs::read_dir(&dir)
            .map_err(|e| LoadError::file(&dir, format!("cannot list directory: {e}")))?;
        let mut found = Vec::new();
        for entry in entries {
            let entry =
                entry.map_err(|e| LoadError::file(&dir, format!("cannot list directory: {e}")))?;
            let Ok(id) = entry.file_name().into_string() else {
                continue;
            };
            let path = entry.path();
            // A link to a directory is an entity directory too; its files are checked
            // when read.
            let real_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            if !real_dir && !path.is_dir() {
                continue;
            }
            found.push((id, path, real_dir && own_path));
        }
        found.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(found
            .into_par_iter()
            .map(|(id, path, listable)| {
                let files = listable.then(|| list_files(&path)).flatten();
                EntityDir { id, path, files }
            })
            .collect())
    }
}

/// The names and types of the entries of `dir`, `None` when it cannot be listed.
fn list_files(dir: &Path) -> Option<Vec<(OsString, FileType)>> {
    std::fs::read_dir(dir)
        .ok()?
        .map(|entry| {
            let entry = entry.ok()?;
            Some((entry.file_name(), entry.file_type().ok()?))
        })
        .collect()
}

/// `sub.xml`, else `sub.json`, among the listed `files` of the directory `dir`: as
/// [`find`] would find it, and inside the export when it is a regular file.
fn listed(
    files: &[(OsString, FileType)],
    dir: &Path,
    sub: &str,
    within: &Arc<Path>,
) -> Option<Response> {
    [Format::Xml, Format::Json].into_iter().find_map(|format| {
        let name = format!("{sub}.{}", format.extension());
        let (_, kind) = files.iter().find(|(file, _)| *file == *name)?;
        Some(Response {
            path: dir.join(&name),
            format,
            within: Arc::clone(within),
            inside: kind.is_file(),
        })
    })
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
            inside: false,
        })
    })
}
