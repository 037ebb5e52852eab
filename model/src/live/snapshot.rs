//! What to fetch, fetching it a few requests at a time, and the export files it becomes.

use std::fmt;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::Value;

use crate::export::load_export;
use crate::inventory::Inventory;
use crate::live::EngineOptions;
use crate::live::client::ReadOnlyClient;
use crate::live::error::LiveError;

/// The collections of the whole engine the loader reads.
const COLLECTIONS: [&str; 9] = [
    "datacenters",
    "clusters",
    "hosts",
    "vms",
    "storagedomains",
    "networks",
    "vnicprofiles",
    "disks",
    "affinitylabels",
];

/// Sub-collections read per entity of a collection: `clusters/<id>/affinitygroups` ...
const PER_ENTITY: [(&str, &str); 6] = [
    ("clusters", "affinitygroups"),
    ("datacenters", "storagedomains"),
    ("affinitylabels", "hosts"),
    ("affinitylabels", "vms"),
    ("vms", "diskattachments"),
    ("vms", "nics"),
];

/// All responses of one fetch, in memory, under the paths of an export directory.
#[derive(Debug)]
pub struct Snapshot {
    /// `("api.json", root)`, `("api/vms.json", body)`, ... in fetch order.
    files: Vec<(String, Vec<u8>)>,
    summary: FetchSummary,
}

/// What a fetch brought back, for the user to check against what they expect.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FetchSummary {
    /// `https://host/ovirt-engine`.
    pub engine: String,
    /// `product_info` of the API root, e.g. `oVirt Engine 4.5.4-1.el8`, when it says.
    pub product: Option<String>,
    pub responses: usize,
    pub collections: Vec<CollectionCount>,
}

/// Entities in one collection, or in one kind of sub-collection summed over its parents.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CollectionCount {
    /// `vms`, or `vms/*/nics` for a per-entity sub-collection.
    pub collection: String,
    /// Responses it took: 1, or one per parent entity.
    pub requests: usize,
    pub entities: usize,
}

impl fmt::Display for FetchSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "fetched {} responses from {}",
            self.responses, self.engine
        )?;
        if let Some(product) = &self.product {
            write!(f, " ({product})")?;
        }
        writeln!(f)?;
        for count in &self.collections {
            write!(f, "  {:<30} {:>6}", count.collection, count.entities)?;
            if count.collection.contains('*') {
                write!(f, "  ({} requests)", count.requests)?;
            }
            writeln!(f)?;
        }
        Ok(())
    }
}

impl Snapshot {
    /// Fetches the API root, then the collections, then the per-entity sub-collections.
    pub fn fetch(options: &EngineOptions) -> Result<Snapshot, LiveError> {
        let client = ReadOnlyClient::new(options)?;
        let progress = Progress::new(options.progress);
        // The root first and alone: it gets the token and proves this is an oVirt API
        // before a burst of parallel requests.
        let root = client.get("")?;
        progress.add(1);
        progress.done();
        let product = product(&root);
        let mut files = vec![("api.json".to_string(), root)];
        let mut collections = Vec::new();

        let paths: Vec<String> = COLLECTIONS.iter().map(|c| c.to_string()).collect();
        let bodies = fetch_all(&client, &paths, options.parallel, &progress)?;
        let mut ids = Vec::new();
        for (path, body) in paths.iter().zip(bodies) {
            let members = members(&client, path, &body)?;
            collections.push(CollectionCount {
                collection: path.clone(),
                requests: 1,
                entities: members.len(),
            });
            ids.push((path.clone(), entity_ids(&client, path, &members)?));
            files.push((format!("api/{path}.json"), body));
        }

        let mut sub_paths = Vec::new();
        for (parent, sub) in PER_ENTITY {
            let parent_ids = ids
                .iter()
                .find(|(collection, _)| collection == parent)
                .map(|(_, ids)| ids.as_slice())
                .unwrap_or(&[]);
            for id in parent_ids {
                sub_paths.push((parent, sub, format!("{parent}/{id}/{sub}")));
            }
        }
        let paths: Vec<String> = sub_paths.iter().map(|(_, _, path)| path.clone()).collect();
        let bodies = fetch_all(&client, &paths, options.parallel, &progress)?;
        for (parent, sub) in PER_ENTITY {
            collections.push(CollectionCount {
                collection: format!("{parent}/*/{sub}"),
                requests: 0,
                entities: 0,
            });
        }
        for ((parent, sub, path), body) in sub_paths.into_iter().zip(bodies) {
            let entities = members(&client, &path, &body)?.len();
            let name = format!("{parent}/*/{sub}");
            if let Some(count) = collections.iter_mut().find(|c| c.collection == name) {
                count.requests += 1;
                count.entities += entities;
            }
            files.push((format!("api/{path}.json"), body));
        }
        drop(progress);

        let summary = FetchSummary {
            engine: client.engine_url().base().to_string(),
            product,
            responses: files.len(),
            collections,
        };
        Ok(Snapshot { files, summary })
    }

    pub fn summary(&self) -> &FetchSummary {
        &self.summary
    }

    /// The files of the export: relative path and the bytes the engine sent.
    pub fn files(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.files
            .iter()
            .map(|(path, body)| (path.as_str(), body.as_slice()))
    }

    /// Writes the export directory under `out` (created if missing).
    pub fn write_to(&self, out: &Path) -> Result<(), LiveError> {
        check_output(out)?;
        for (relative, body) in &self.files {
            let path = out.join(relative);
            let written = path
                .parent()
                .map_or(Ok(()), std::fs::create_dir_all)
                .and_then(|()| std::fs::write(&path, body));
            written.map_err(|e| LiveError::Output {
                path: path.clone(),
                detail: e.to_string(),
            })?;
        }
        Ok(())
    }

    /// Loads the responses with the export loader. The loader reads directories only, so
    /// the files go to a private temporary directory that is removed right after.
    pub fn load(&self) -> Result<Inventory, LiveError> {
        let scratch = ScratchDir::create()?;
        self.write_to(scratch.path())?;
        Ok(load_export(scratch.path())?)
    }
}

/// Refuses an output directory that already holds an export: files of entities deleted
/// since an older fetch would load as if they still existed.
pub(crate) fn check_output(out: &Path) -> Result<(), LiveError> {
    for existing in [out.join("api"), out.join("api.json")] {
        if existing.exists() {
            return Err(LiveError::Output {
                path: out.to_path_buf(),
                detail: format!(
                    "{} exists already; remove it or choose another --out",
                    existing.display()
                ),
            });
        }
    }
    Ok(())
}

/// The outcome of one request of [`fetch_all`]; `None` while not started.
type Slot = Option<Result<Vec<u8>, LiveError>>;

/// GETs every path, `parallel` at a time, and returns the bodies in the order of `paths`.
/// The first failure stops the workers from starting new requests and is returned.
fn fetch_all(
    client: &ReadOnlyClient,
    paths: &[String],
    parallel: usize,
    progress: &Progress,
) -> Result<Vec<Vec<u8>>, LiveError> {
    progress.add(paths.len());
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let results: Mutex<Vec<Slot>> = Mutex::new((0..paths.len()).map(|_| None).collect());
    thread::scope(|scope| {
        for _ in 0..parallel.clamp(1, paths.len().max(1)) {
            scope.spawn(|| {
                while !failed.load(Ordering::Relaxed) {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(path) = paths.get(index) else { break };
                    let result = client.get(path);
                    if result.is_err() {
                        failed.store(true, Ordering::Relaxed);
                    }
                    progress.done();
                    results.lock().unwrap_or_else(|e| e.into_inner())[index] = Some(result);
                }
            });
        }
    });
    let results = results.into_inner().unwrap_or_else(|e| e.into_inner());
    // A slot stays empty only when its request was not started because another failed,
    // so the loop returns that failure before the bodies could be used short.
    let mut bodies = Vec::with_capacity(paths.len());
    let mut skipped = false;
    for result in results {
        match result {
            Some(Ok(body)) => bodies.push(body),
            Some(Err(error)) => return Err(error),
            None => skipped = true,
        }
    }
    debug_assert!(!skipped, "a request was skipped without a failure");
    Ok(bodies)
}

/// The entities of a collection response: `{"vm": [...]}` gives the array, `{}` (how the
/// engine sends an empty collection) gives none.
fn members(client: &ReadOnlyClient, path: &str, body: &[u8]) -> Result<Vec<Value>, LiveError> {
    let bad = |detail: String| LiveError::NotOvirt {
        url: client.engine_url().base().to_string(),
        detail: format!("GET {}: {detail}", client.engine_url().api(path)),
    };
    let value: Value =
        serde_json::from_slice(body).map_err(|e| bad(format!("invalid JSON: {e}")))?;
    let Value::Object(object) = value else {
        return Err(bad("expected a JSON object".to_string()));
    };
    for (_, member) in object {
        if let Value::Array(items) = member {
            return Ok(items);
        }
    }
    Ok(Vec::new())
}

/// The ids of a collection's entities, checked to be safe as one path component: they
/// become directory names of the export, and a hostile server must not write `../x`.
fn entity_ids(
    client: &ReadOnlyClient,
    path: &str,
    members: &[Value],
) -> Result<Vec<String>, LiveError> {
    let mut ids = Vec::with_capacity(members.len());
    for member in members {
        let id = member.get("id").and_then(Value::as_str).unwrap_or("");
        let safe = !id.is_empty()
            && id.len() <= 100
            && !id.starts_with('.')
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.');
        if !safe {
            return Err(LiveError::NotOvirt {
                url: client.engine_url().base().to_string(),
                detail: format!(
                    "GET {} lists an entity without a usable id ({id:?})",
                    client.engine_url().api(path)
                ),
            });
        }
        ids.push(id.to_string());
    }
    Ok(ids)
}

/// `oVirt Engine 4.5.4-1.el8` from the root's `product_info`.
fn product(root: &[u8]) -> Option<String> {
    let value: Value = serde_json::from_slice(root).ok()?;
    let info = value.get("product_info")?;
    let name = info.get("name").and_then(Value::as_str).unwrap_or("engine");
    let version = info.get("version")?;
    let full = version.get("full_version").and_then(Value::as_str);
    let text = match full {
        Some(full) => full.to_string(),
        None => {
            let part = |key: &str| match version.get(key) {
                Some(Value::String(s)) => s.clone(),
                Some(Value::Number(n)) => n.to_string(),
                _ => "?".to_string(),
            };
            format!("{}.{}", part("major"), part("minor"))
        }
    };
    Some(format!("{name} {text}"))
}

/// A one-line counter on stderr, only on a terminal: piped output and CI logs stay clean.
struct Progress {
    enabled: bool,
    total: AtomicUsize,
    finished: AtomicUsize,
}

impl Progress {
    fn new(wanted: bool) -> Progress {
        Progress {
            enabled: wanted && std::io::stderr().is_terminal(),
            total: AtomicUsize::new(0),
            finished: AtomicUsize::new(0),
        }
    }

    fn add(&self, requests: usize) {
        self.total.fetch_add(requests, Ordering::Relaxed);
    }

    fn done(&self) {
        let finished = self.finished.fetch_add(1, Ordering::Relaxed) + 1;
        if self.enabled {
            let total = self.total.load(Ordering::Relaxed);
            let mut err = std::io::stderr().lock();
            let _ = write!(
                err,
                "\rfetching from the engine: {finished}/{total} responses"
            );
            let _ = err.flush();
        }
    }
}

impl Drop for Progress {
    /// Clears the line, on success and on failure alike, so the summary or the error
    /// starts on a clean line.
    fn drop(&mut self) {
        if self.enabled {
            let _ = write!(std::io::stderr().lock(), "\r{:60}\r", "");
        }
    }
}

/// A private directory under the system's temp dir, removed when dropped.
struct ScratchDir(PathBuf);

impl ScratchDir {
    fn create() -> Result<ScratchDir, LiveError> {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let name = format!(
            "stretchdr-fetch-{}-{nanos}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let path = std::env::temp_dir().join(name);
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(&path).map_err(|e| LiveError::Output {
            path: path.clone(),
            detail: e.to_string(),
        })?;
        Ok(ScratchDir(path))
    }

    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
