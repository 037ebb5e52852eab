//! What to fetch, fetching it a few requests at a time, and the export files it becomes.
//!
//! The API root's links say which collections the engine has (an engine older than 4.1 has
//! no `affinitylabels`) and which can be searched, hence paged with `search=page N&max=M`
//! (as the oVirt SDKs page, e.g. oVirt/go-ovirt `examples/page_vms.go`). Sub-collections
//! (`vms/<id>/nics`, ...) are asked for inline with `follow=` (ovirt-engine
//! `restapi/resource/utils/LinkFollower`: the element name, whose link `rel` is the name
//! without `_`), from engines 4.2 on; every entity whose inline data did not come (an engine
//! that ignores `follow`) gets its own request, as every entity did before.

use std::collections::HashSet;
use std::fmt;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};

use crate::export::load_export;
use crate::inventory::Inventory;
use crate::live::EngineOptions;
use crate::live::client::ReadOnlyClient;
use crate::live::error::LiveError;

/// The collections of the whole engine the loader reads, in fetch order.
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

/// A sub-collection read per entity of a collection: `clusters/<id>/affinitygroups`.
struct PerEntity {
    parent: &'static str,
    /// The path segment (the link's `rel`).
    sub: &'static str,
    /// The element the engine fills when asked to `follow` it.
    element: &'static str,
}

/// In summary order.
const PER_ENTITY: [PerEntity; 6] = [
    PerEntity {
        parent: "clusters",
        sub: "affinitygroups",
        element: "affinity_groups",
    },
    PerEntity {
        parent: "datacenters",
        sub: "storagedomains",
        element: "storage_domains",
    },
    PerEntity {
        parent: "affinitylabels",
        sub: "hosts",
        element: "hosts",
    },
    PerEntity {
        parent: "affinitylabels",
        sub: "vms",
        element: "vms",
    },
    PerEntity {
        parent: "vms",
        sub: "diskattachments",
        element: "disk_attachments",
    },
    PerEntity {
        parent: "vms",
        sub: "nics",
        element: "nics",
    },
];

/// The first engine version that follows links (`follow=`), as (major, minor).
const FOLLOW_SINCE: (u32, u32) = (4, 2);

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
    /// Files of the export (one per collection and per entity's sub-collection).
    pub responses: usize,
    /// HTTP requests sent: the token, every GET and every retry.
    pub requests: usize,
    pub collections: Vec<CollectionCount>,
    /// Collections the loader reads that the API root does not offer (an older engine).
    pub not_offered: Vec<String>,
}

/// Entities in one collection, or in one kind of sub-collection summed over its parents.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CollectionCount {
    /// `vms`, or `vms/*/nics` for a per-entity sub-collection.
    pub collection: String,
    /// GETs it took: its pages, or one per parent entity whose data did not come inline.
    pub requests: usize,
    pub entities: usize,
    /// Parent entities whose sub-collection came inline with the parent (`follow=`).
    pub inline: usize,
}

impl fmt::Display for FetchSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "fetched {} responses in {} requests from {}",
            self.responses, self.requests, self.engine
        )?;
        if let Some(product) = &self.product {
            write!(f, " ({product})")?;
        }
        writeln!(f)?;
        for count in &self.collections {
            write!(f, "  {:<30} {:>6}", count.collection, count.entities)?;
            if count.collection.contains('*') {
                write!(f, "  ({} requests", count.requests)?;
                if count.inline > 0 {
                    write!(f, ", {} inline", count.inline)?;
                }
                write!(f, ")")?;
            } else if count.requests > 1 {
                write!(f, "  ({} pages)", count.requests)?;
            }
            writeln!(f)?;
        }
        if !self.not_offered.is_empty() {
            writeln!(
                f,
                "  not offered by this engine: {}",
                self.not_offered.join(", ")
            )?;
        }
        Ok(())
    }
}

/// One top-level collection as fetched: its body (pages merged) and entities.
struct Fetched {
    body: Vec<u8>,
    members: Vec<Value>,
    pages: usize,
}

/// Where the body of a sub-collection file comes from.
enum SubBody {
    Inline(Vec<u8>),
    /// Index into the per-entity GETs.
    Fetched(usize),
}

impl Snapshot {
    /// Fetches the API root, then the collections it offers (paged where searchable, with
    /// their sub-collections inline where the engine follows links), then the
    /// sub-collections that did not come inline, one request per entity.
    pub fn fetch(options: &EngineOptions) -> Result<Snapshot, LiveError> {
        let client = ReadOnlyClient::new(options)?;
        let progress = Progress::new(options.progress);
        // The root first and alone: it gets the token and proves this is an oVirt API
        // before a burst of parallel requests.
        progress.add(1);
        let root = client.get("")?;
        progress.done();
        let product = product(&root);
        let links = RootLinks::parse(&root);
        let follow = options.follow && follows_links(&root);
        let page_size = options.page_size.max(1);
        let (offered, not_offered): (Vec<&str>, Vec<&str>) =
            COLLECTIONS.iter().partition(|c| links.offers(c));
        let mut files = vec![("api.json".to_string(), root)];
        let mut collections = Vec::new();

        let fetched = parallel(&offered, options.parallel, |collection| {
            let subs: Vec<&str> = PER_ENTITY
                .iter()
                .filter(|p| p.parent == *collection && follow)
                .map(|p| p.element)
                .collect();
            let page = links.searchable(collection).then_some(page_size);
            fetch_collection(&client, collection, &subs, page, &progress)
        })?;
        let mut parents: Vec<(&str, Vec<String>, Vec<Value>)> = Vec::new();
        for (collection, fetched) in offered.iter().zip(fetched) {
            collections.push(CollectionCount {
                collection: collection.to_string(),
                requests: fetched.pages,
                entities: fetched.members.len(),
                inline: 0,
            });
            let ids = entity_ids(&client, collection, &fetched.members)?;
            files.push((format!("api/{collection}.json"), fetched.body));
            parents.push((collection, ids, fetched.members));
        }

        // Sub-collections: inline when followed, else one GET per parent entity.
        let mut planned: Vec<(usize, String, SubBody)> = Vec::new();
        let mut paths = Vec::new();
        for (kind, per) in PER_ENTITY.iter().enumerate() {
            let Some((_, ids, members)) = parents.iter().find(|(c, _, _)| *c == per.parent) else {
                continue;
            };
            for (id, member) in ids.iter().zip(members) {
                let path = format!("{}/{id}/{}", per.parent, per.sub);
                let inline = follow
                    .then(|| member.get(per.element))
                    .flatten()
                    .filter(|v| v.is_object());
                let body = match inline {
                    Some(value) => SubBody::Inline(serde_json::to_vec(value).map_err(|e| {
                        LiveError::NotOvirt {
                            url: client.engine_url().base().to_string(),
                            detail: format!("GET {}: {e}", client.engine_url().api(&path)),
                        }
                    })?),
                    None => {
                        paths.push(path.clone());
                        SubBody::Fetched(paths.len() - 1)
                    }
                };
                planned.push((kind, path, body));
            }
        }
        drop(parents);
        let mut bodies: Vec<Option<Vec<u8>>> = parallel(&paths, options.parallel, |path| {
            progress.add(1);
            let body = client.get(path);
            progress.done();
            body
        })?
        .into_iter()
        .map(Some)
        .collect();
        for per in &PER_ENTITY {
            collections.push(CollectionCount {
                collection: format!("{}/*/{}", per.parent, per.sub),
                requests: 0,
                entities: 0,
                inline: 0,
            });
        }
        let first_sub = collections.len() - PER_ENTITY.len();
        for (kind, path, body) in planned {
            let count = &mut collections[first_sub + kind];
            let body = match body {
                SubBody::Inline(body) => {
                    count.inline += 1;
                    body
                }
                SubBody::Fetched(index) => {
                    count.requests += 1;
                    bodies[index].take().unwrap_or_default()
                }
            };
            count.entities += members(&client, &path, &body)?.1.len();
            files.push((format!("api/{path}.json"), body));
        }
        drop(progress);

        let summary = FetchSummary {
            engine: client.engine_url().base().to_string(),
            product,
            responses: files.len(),
            requests: client.requests_sent(),
            collections,
            not_offered: not_offered.iter().map(|c| c.to_string()).collect(),
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

/// The outcome of one item of [`parallel`]; `None` while not started.
type Slot<R> = Option<Result<R, LiveError>>;

/// Runs `work` on every item, `parallel` at a time, and returns the results in the order of
/// `items`. The first failure stops the workers from starting new items and is returned.
fn parallel<T: Sync, R: Send>(
    items: &[T],
    parallel: usize,
    work: impl Fn(&T) -> Result<R, LiveError> + Sync,
) -> Result<Vec<R>, LiveError> {
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let results: Mutex<Vec<Slot<R>>> = Mutex::new((0..items.len()).map(|_| None).collect());
    thread::scope(|scope| {
        for _ in 0..parallel.clamp(1, items.len().max(1)) {
            scope.spawn(|| {
                while !failed.load(Ordering::Relaxed) {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(index) else { break };
                    let result = work(item);
                    if result.is_err() {
                        failed.store(true, Ordering::Relaxed);
                    }
                    results.lock().unwrap_or_else(|e| e.into_inner())[index] = Some(result);
                }
            });
        }
    });
    let results = results.into_inner().unwrap_or_else(|e| e.into_inner());
    // A slot stays empty only when its item was not started because another failed, so
    // the loop returns that failure before the results could be used short.
    let mut out = Vec::with_capacity(items.len());
    let mut skipped = false;
    for result in results {
        match result {
            Some(Ok(value)) => out.push(value),
            Some(Err(error)) => return Err(error),
            None => skipped = true,
        }
    }
    debug_assert!(!skipped, "an item was skipped without a failure");
    Ok(out)
}

/// GETs one top-level collection: in pages of `page` entities when it is searchable,
/// asking for the `follow` elements inline. Paging stops at a short page, or at a page that
/// brings no entity not seen before (an engine that ignores `page` or `max`). One page keeps
/// the engine's bytes; several are merged into one collection body.
fn fetch_collection(
    client: &ReadOnlyClient,
    collection: &str,
    follow: &[&str],
    page: Option<usize>,
    progress: &Progress,
) -> Result<Fetched, LiveError> {
    let follow = (!follow.is_empty()).then(|| format!("follow={}", follow.join(",")));
    let Some(size) = page else {
        let path = match &follow {
            Some(follow) => format!("{collection}?{follow}"),
            None => collection.to_string(),
        };
        progress.add(1);
        let body = client.get(&path)?;
        progress.done();
        let (_, members) = members(client, &path, &body)?;
        return Ok(Fetched {
            body,
            members,
            pages: 1,
        });
    };
    let mut bodies = Vec::new();
    let mut all: Vec<Value> = Vec::new();
    let mut key = None;
    let mut seen = HashSet::new();
    for number in 1usize.. {
        let mut path = format!("{collection}?search=page%20{number}&max={size}");
        if let Some(follow) = &follow {
            path.push('&');
            path.push_str(follow);
        }
        progress.add(1);
        let body = client.get(&path)?;
        progress.done();
        let (name, page_members) = members(client, &path, &body)?;
        key = key.or(name);
        let full = page_members.len() >= size;
        let before = all.len();
        for member in page_members {
            let id = member.get("id").and_then(Value::as_str).map(str::to_string);
            // Entities without an id are kept (and refused later, naming the collection).
            if id.is_none_or(|id| seen.insert(id)) {
                all.push(member);
            }
        }
        bodies.push(body);
        if !full || all.len() == before {
            break;
        }
    }
    let pages = bodies.len();
    let body = if pages == 1 {
        bodies.pop().unwrap_or_default()
    } else {
        let mut object = Map::new();
        if let Some(key) = key {
            object.insert(key, Value::Array(all.clone()));
        }
        serde_json::to_vec(&Value::Object(object)).map_err(|e| LiveError::NotOvirt {
            url: client.engine_url().base().to_string(),
            detail: format!("GET {}: {e}", client.engine_url().api(collection)),
        })?
    };
    Ok(Fetched {
        body,
        members: all,
        pages,
    })
}

/// The entities of a collection response and the name of their array: `{"vm": [...]}`
/// gives `("vm", [...])`, `{}` (how the engine sends an empty collection) gives none.
fn members(
    client: &ReadOnlyClient,
    path: &str,
    body: &[u8],
) -> Result<(Option<String>, Vec<Value>), LiveError> {
    let bad = |detail: String| LiveError::NotOvirt {
        url: client.engine_url().base().to_string(),
        detail: format!("GET {}: {detail}", client.engine_url().api(path)),
    };
    let value: Value =
        serde_json::from_slice(body).map_err(|e| bad(format!("invalid JSON: {e}")))?;
    let Value::Object(object) = value else {
        return Err(bad("expected a JSON object".to_string()));
    };
    for (key, member) in object {
        if let Value::Array(items) = member {
            return Ok((Some(key), items));
        }
    }
    Ok((None, Vec::new()))
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

/// The `rel`s of the API root's links: the collections the engine offers, and
/// `<collection>/search` for those that take a search (and so `page N` with `max`).
struct RootLinks {
    /// `None` when the root lists no links: every collection is asked for, none paged.
    rels: Option<HashSet<String>>,
}

impl RootLinks {
    fn parse(root: &[u8]) -> RootLinks {
        let value: Option<Value> = serde_json::from_slice(root).ok();
        let rels = value
            .as_ref()
            .and_then(|v| v.get("link"))
            .and_then(Value::as_array)
            .map(|links| {
                links
                    .iter()
                    .filter_map(|link| link.get("rel").and_then(Value::as_str))
                    .map(str::to_string)
                    .collect()
            });
        RootLinks { rels }
    }

    fn offers(&self, collection: &str) -> bool {
        self.rels
            .as_ref()
            .is_none_or(|rels| rels.contains(collection))
    }

    fn searchable(&self, collection: &str) -> bool {
        self.rels
            .as_ref()
            .is_some_and(|rels| rels.contains(&format!("{collection}/search")))
    }
}

/// Whether the engine's version (in the root's `product_info`) follows links; an engine
/// that does not say is asked anyway, its responses show whether it did.
fn follows_links(root: &[u8]) -> bool {
    let value: Option<Value> = serde_json::from_slice(root).ok();
    let Some(version) = value
        .as_ref()
        .and_then(|v| v.get("product_info"))
        .and_then(|info| info.get("version"))
    else {
        return true;
    };
    let part = |key: &str| match version.get(key) {
        Some(Value::String(s)) => s.parse::<u32>().ok(),
        Some(Value::Number(n)) => n.as_u64().and_then(|n| u32::try_from(n).ok()),
        _ => None,
    };
    match (part("major"), part("minor")) {
        (Some(major), Some(minor)) => (major, minor) >= FOLLOW_SINCE,
        (Some(major), None) => major > FOLLOW_SINCE.0,
        _ => true,
    }
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

#[cfg(test)]
mod tests {
    use super::{RootLinks, follows_links};

    #[test]
    fn links_are_followed_from_4_2_on_and_when_the_version_is_unknown() {
        let root = |major: &str, minor: &str| {
            format!(r#"{{"product_info":{{"version":{{"major":"{major}","minor":"{minor}"}}}}}}"#)
                .into_bytes()
        };
        assert!(!follows_links(&root("4", "1")));
        assert!(follows_links(&root("4", "2")));
        assert!(follows_links(&root("4", "5")));
        assert!(!follows_links(&root("3", "6")));
        assert!(follows_links(br#"{"product_info":{}}"#));
        assert!(follows_links(b"{}"));
    }

    #[test]
    fn root_links_say_what_is_offered_and_searchable() {
        let links = RootLinks::parse(
            br#"{"link":[{"href":"/ovirt-engine/api/vms","rel":"vms"},
                {"href":"/ovirt-engine/api/vms?search={query}","rel":"vms/search"},
                {"href":"/ovirt-engine/api/vnicprofiles","rel":"vnicprofiles"}]}"#,
        );
        assert!(links.offers("vms") && links.searchable("vms"));
        assert!(links.offers("vnicprofiles") && !links.searchable("vnicprofiles"));
        assert!(!links.offers("affinitylabels"));
        // A root without links: everything is asked for, nothing paged.
        let bare = RootLinks::parse(b"{}");
        assert!(bare.offers("affinitylabels") && !bare.searchable("vms"));
    }
}
