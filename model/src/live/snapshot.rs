//! What to fetch, fetching it a few requests at a time, and the export files it becomes.
//!
//! The API root's links say which collections the engine has (an engine older than 4.1 has
//! no `affinitylabels`) and which can be searched, hence paged with `search=page N&max=M`
//! (as the oVirt SDKs page, e.g. oVirt/go-ovirt `examples/page_vms.go`). Sub-collections
//! (`vms/<id>/nics`, ...) are asked for inline with `follow=` (ovirt-engine
//! `restapi/resource/utils/LinkFollower`: the element name, whose link `rel` is the name
//! without `_`), from engines 4.2 on; every entity whose inline data did not come (an engine
//! that ignores `follow`) gets its own request, as every entity did before.
//!
//! Every response goes to its file as it arrives ([`ReadOnlyClient::get_to_file`]) and is
//! then read back one entity at a time ([`for_each_member`]): memory holds one entity and
//! the ids, never a whole collection, however large the engine.

use std::collections::HashSet;
use std::fmt;
use std::fs::File;
use std::io::{BufReader, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::live::EngineOptions;
use crate::live::client::ReadOnlyClient;
use crate::live::credentials::Secrets;
use crate::live::error::LiveError;

/// The collections of the whole engine the loader reads, in fetch order.
const COLLECTIONS: [&str; 12] = [
    "datacenters",
    "clusters",
    "hosts",
    "vms",
    "storagedomains",
    "networks",
    "vnicprofiles",
    "disks",
    "affinitylabels",
    "roles",
    "domains",
    "templates",
];

/// A sub-collection read per entity of a collection: `clusters/<id>/affinitygroups`.
struct PerEntity {
    parent: &'static str,
    /// The path segment (the link's `rel`).
    sub: &'static str,
    /// The element the engine fills when asked to `follow` it.
    element: &'static str,
    /// A boolean of the parent that, when `false`, means the parent has none: a cluster
    /// without `gluster_service` holds no gluster volumes.
    unless_false: Option<&'static str>,
}

/// In summary order.
const PER_ENTITY: [PerEntity; 9] = [
    PerEntity {
        parent: "clusters",
        sub: "affinitygroups",
        element: "affinity_groups",
        unless_false: None,
    },
    // ovirt-engine-api-model `types/Cluster.java`: `@Link GlusterVolume[] glusterVolumes()`.
    PerEntity {
        parent: "clusters",
        sub: "glustervolumes",
        element: "gluster_volumes",
        unless_false: Some("gluster_service"),
    },
    PerEntity {
        parent: "datacenters",
        sub: "storagedomains",
        element: "storage_domains",
        unless_false: None,
    },
    PerEntity {
        parent: "affinitylabels",
        sub: "hosts",
        element: "hosts",
        unless_false: None,
    },
    PerEntity {
        parent: "affinitylabels",
        sub: "vms",
        element: "vms",
        unless_false: None,
    },
    PerEntity {
        parent: "vms",
        sub: "diskattachments",
        element: "disk_attachments",
        unless_false: None,
    },
    PerEntity {
        parent: "vms",
        sub: "nics",
        element: "nics",
        unless_false: None,
    },
    // `types/Vm.java`: `@Link Snapshot[] snapshots()`; a snapshot in preview matters to
    // failback.
    PerEntity {
        parent: "vms",
        sub: "snapshots",
        element: "snapshots",
        unless_false: None,
    },
    // `types/Template.java`: `@Link DiskAttachment[] diskAttachments()`.
    PerEntity {
        parent: "templates",
        sub: "diskattachments",
        element: "disk_attachments",
        unless_false: None,
    },
];

/// The bricks of each gluster volume: `clusters/<id>/glustervolumes/<id>/glusterbricks`
/// (ovirt-engine-api-model `services/gluster/GlusterVolumeService.java`, `glusterBricks()`).
/// Always one request per volume: the volume's attribute is `bricks` but its link's `rel`
/// is `glusterbricks`, so `LinkFollower` can follow neither name.
const BRICKS: &str = "glusterbricks";

/// The first engine version that follows links (`follow=`), as (major, minor).
const FOLLOW_SINCE: (u32, u32) = (4, 2);

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

/// One top-level collection as fetched into its file.
struct Fetched {
    /// Entity ids, checked safe as path components, in order.
    ids: Vec<String>,
    /// Per entity, the [`PER_ENTITY`] kinds whose data came inline (and is written).
    inline: Vec<Vec<usize>>,
    /// Per entity, the [`PER_ENTITY`] kinds it has none of ([`PerEntity::unless_false`]).
    without: Vec<Vec<usize>>,
    pages: usize,
}

/// Fetches the API root, then the collections it offers (paged where searchable, with
/// their sub-collections inline where the engine follows links), then the sub-collections
/// that did not come inline, one request per entity, writing the export under `dir` (which
/// must exist). Returns the summary and the secrets met (the password and the tokens
/// issued), for scrubbing what is shown of the files later; every error is scrubbed of them
/// already.
pub(crate) fn fetch_into(
    options: &EngineOptions,
    dir: &Path,
) -> Result<(FetchSummary, Secrets), LiveError> {
    let client = ReadOnlyClient::new(options)?;
    match fetch_with(&client, options, dir) {
        Ok(summary) => Ok((summary, client.secrets())),
        Err(error) => Err(client.scrub_error(error)),
    }
}

fn fetch_with(
    client: &ReadOnlyClient,
    options: &EngineOptions,
    dir: &Path,
) -> Result<FetchSummary, LiveError> {
    let progress = Progress::new(options.progress);
    // The root first and alone: it gets the token and proves this is an oVirt API
    // before a burst of parallel requests.
    progress.add(1);
    let root = client.get("")?;
    progress.done();
    write_file(&dir.join("api.json"), &root)?;
    std::fs::create_dir_all(dir.join("api")).map_err(|e| output_error(&dir.join("api"), e))?;
    let product = product(&root);
    let links = RootLinks::parse(&root);
    let follow = options.follow && follows_links(&root);
    let page_size = options.page_size.max(1);
    let (offered, not_offered): (Vec<&str>, Vec<&str>) =
        COLLECTIONS.iter().partition(|c| links.offers(c));
    let mut responses = 1;
    let mut collections = Vec::new();

    let fetched = parallel(&offered, options.parallel, |collection| {
        let page = links.searchable(collection).then_some(page_size);
        fetch_collection(client, dir, collection, follow, page, &progress)
    })?;
    for (collection, fetched) in offered.iter().zip(&fetched) {
        collections.push(CollectionCount {
            collection: collection.to_string(),
            requests: fetched.pages,
            entities: fetched.ids.len(),
            inline: 0,
        });
        responses += 1;
    }

    // Sub-collections: written already when inline, else one GET per parent entity.
    let first_sub = collections.len();
    for per in &PER_ENTITY {
        collections.push(CollectionCount {
            collection: format!("{}/*/{}", per.parent, per.sub),
            requests: 0,
            entities: 0,
            inline: 0,
        });
    }
    let mut written: Vec<(usize, String)> = Vec::new();
    let mut wanted: Vec<(usize, String)> = Vec::new();
    for (kind, per) in PER_ENTITY.iter().enumerate() {
        let Some(index) = offered.iter().position(|c| *c == per.parent) else {
            continue;
        };
        let parent = &fetched[index];
        for (at, id) in parent.ids.iter().enumerate() {
            if parent.without[at].contains(&kind) {
                continue;
            }
            let path = format!("{}/{id}/{}", per.parent, per.sub);
            if parent.inline[at].contains(&kind) {
                collections[first_sub + kind].inline += 1;
                written.push((kind, path));
            } else {
                wanted.push((kind, path));
            }
        }
    }
    progress.add(wanted.len());
    parallel(&wanted, options.parallel, |(_, path)| {
        let file = export_file(dir, path);
        create_parent(&file)?;
        client.get_to_file(path, &file)?;
        progress.done();
        Ok(())
    })?;
    for (kind, path) in &wanted {
        collections[first_sub + kind].requests += 1;
        written.push((*kind, path.clone()));
    }
    // Every sub-collection file, inline or fetched, is counted the same way: by reading it.
    let mut volumes: Vec<String> = Vec::new();
    for (kind, path) in &written {
        let mut ids = Vec::new();
        let entities = for_each_member(client, path, &export_file(dir, path), |_, member| {
            if PER_ENTITY[*kind].sub == "glustervolumes" {
                ids.push(entity_id(client, path, &member)?);
            }
            Ok(())
        })?;
        collections[first_sub + kind].entities += entities;
        volumes.extend(ids.into_iter().map(|id| format!("{path}/{id}/{BRICKS}")));
        responses += 1;
    }

    // The bricks of each gluster volume.
    if !volumes.is_empty() {
        progress.add(volumes.len());
        parallel(&volumes, options.parallel, |path| {
            let file = export_file(dir, path);
            create_parent(&file)?;
            client.get_to_file(path, &file)?;
            progress.done();
            Ok(())
        })?;
        let mut bricks = 0;
        for path in &volumes {
            bricks += for_each_member(client, path, &export_file(dir, path), |_, _| Ok(()))?;
        }
        collections.push(CollectionCount {
            collection: format!("clusters/*/glustervolumes/*/{BRICKS}"),
            requests: volumes.len(),
            entities: bricks,
            inline: 0,
        });
        responses += volumes.len();
    }
    drop(progress);

    Ok(FetchSummary {
        engine: client.engine_url().base().to_string(),
        product,
        responses,
        requests: client.requests_sent(),
        collections,
        not_offered: not_offered.iter().map(|c| c.to_string()).collect(),
    })
}

/// `dir/api/<path>.json`.
fn export_file(dir: &Path, path: &str) -> PathBuf {
    dir.join(format!("api/{path}.json"))
}

fn output_error(path: &Path, error: std::io::Error) -> LiveError {
    LiveError::Output {
        path: path.to_path_buf(),
        detail: error.to_string(),
    }
}

fn create_parent(file: &Path) -> Result<(), LiveError> {
    match file.parent() {
        Some(parent) => std::fs::create_dir_all(parent).map_err(|e| output_error(parent, e)),
        None => Ok(()),
    }
}

fn write_file(path: &Path, body: &[u8]) -> Result<(), LiveError> {
    create_parent(path)?;
    std::fs::write(path, body).map_err(|e| output_error(path, e))
}

/// Refuses an output directory that already holds an export: files of entities deleted
/// since an older fetch would load as if they still existed.
pub fn check_output(out: &Path) -> Result<(), LiveError> {
    for existing in [out.join("api"), out.join("api.json")] {
        if existing.symlink_metadata().is_ok() {
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

/// GETs one top-level collection into `api/<collection>.json`: in pages of `page` entities
/// when it is searchable, asking for the followed elements inline, which are written to
/// their own files as each entity is read. Paging stops at a short page, or at a page that
/// brings no entity not seen before (an engine that ignores `page` or `max`). One page keeps
/// the engine's bytes; several are merged, entity by entity, into one collection file.
fn fetch_collection(
    client: &ReadOnlyClient,
    dir: &Path,
    collection: &str,
    follow: bool,
    page: Option<usize>,
    progress: &Progress,
) -> Result<Fetched, LiveError> {
    let kinds: Vec<(usize, &PerEntity)> = PER_ENTITY
        .iter()
        .enumerate()
        .filter(|(_, p)| p.parent == collection)
        .collect();
    let elements: Vec<&str> = kinds.iter().map(|(_, p)| p.element).collect();
    let follow = (follow && !elements.is_empty()).then(|| format!("follow={}", elements.join(",")));
    let target = export_file(dir, collection);
    let mut fetched = Fetched {
        ids: Vec::new(),
        inline: Vec::new(),
        without: Vec::new(),
        pages: 0,
    };
    let mut seen = HashSet::new();
    let mut key: Option<String> = None;
    let mut page_files = Vec::new();
    for number in 1usize.. {
        let path = match (page, &follow) {
            (Some(size), Some(follow)) => {
                format!("{collection}?search=page%20{number}&max={size}&{follow}")
            }
            (Some(size), None) => format!("{collection}?search=page%20{number}&max={size}"),
            (None, Some(follow)) => format!("{collection}?{follow}"),
            (None, None) => collection.to_string(),
        };
        let file = match page {
            Some(_) => dir.join(format!("api/.{collection}.page-{number}.json")),
            None => target.clone(),
        };
        progress.add(1);
        client.get_to_file(&path, &file)?;
        progress.done();
        page_files.push(file.clone());
        let before = fetched.ids.len();
        let count = for_each_member(client, &path, &file, |name, member| {
            key.get_or_insert_with(|| name.to_string());
            let id = entity_id(client, &path, &member)?;
            if !seen.insert(id.clone()) {
                return Ok(());
            }
            let mut inline = Vec::new();
            let mut without = Vec::new();
            for (kind, per) in &kinds {
                if per
                    .unless_false
                    .is_some_and(|flag| is_false(member.get(flag)))
                {
                    without.push(*kind);
                    continue;
                }
                let value = follow
                    .as_ref()
                    .and_then(|_| member.get(per.element))
                    .filter(|v| v.is_object());
                if let Some(value) = value {
                    let sub = export_file(dir, &format!("{collection}/{id}/{}", per.sub));
                    create_parent(&sub)?;
                    let out = File::create(&sub).map_err(|e| output_error(&sub, e))?;
                    let mut out = BufWriter::new(out);
                    serde_json::to_writer(&mut out, value)
                        .map_err(std::io::Error::from)
                        .and_then(|()| out.flush())
                        .map_err(|e| output_error(&sub, e))?;
                    inline.push(*kind);
                }
            }
            fetched.ids.push(id);
            fetched.inline.push(inline);
            fetched.without.push(without);
            Ok(())
        })?;
        fetched.pages += 1;
        let Some(size) = page else { break };
        if count < size || fetched.ids.len() == before {
            break;
        }
    }
    if page.is_some() {
        merge_pages(client, collection, &page_files, key.as_deref(), &target)?;
    }
    Ok(fetched)
}

/// Writes the pages of a collection as one file: the engine's bytes when there was one
/// page, else `{"<key>": [...]}` with each entity once, in the order first seen.
fn merge_pages(
    client: &ReadOnlyClient,
    collection: &str,
    pages: &[PathBuf],
    key: Option<&str>,
    target: &Path,
) -> Result<(), LiveError> {
    if let [only] = pages {
        return std::fs::rename(only, target).map_err(|e| output_error(target, e));
    }
    let out = File::create(target).map_err(|e| output_error(target, e))?;
    let mut out = BufWriter::new(out);
    let io = |e: std::io::Error| output_error(target, e);
    match key {
        None => out.write_all(b"{}").map_err(io)?,
        Some(key) => {
            let key = serde_json::to_string(key).unwrap_or_default();
            write!(out, "{{{key}:[").map_err(io)?;
            let mut seen = HashSet::new();
            let mut first = true;
            for page in pages {
                for_each_member(client, collection, page, |_, member| {
                    let id = member.get("id").and_then(Value::as_str).unwrap_or("");
                    if !seen.insert(id.to_string()) {
                        return Ok(());
                    }
                    if !first {
                        out.write_all(b",").map_err(io)?;
                    }
                    first = false;
                    serde_json::to_writer(&mut out, &member)
                        .map_err(std::io::Error::from)
                        .map_err(io)
                })?;
            }
            out.write_all(b"]}").map_err(io)?;
        }
    }
    out.flush().map_err(io)?;
    for page in pages {
        let _ = std::fs::remove_file(page);
    }
    Ok(())
}

/// Whether a boolean the engine sends (`false` or `"false"`) is false.
fn is_false(value: Option<&Value>) -> bool {
    match value {
        Some(Value::Bool(b)) => !b,
        Some(Value::String(s)) => s.eq_ignore_ascii_case("false"),
        _ => false,
    }
}

/// Reads the collection response in `file` (from `GET path`) one entity at a time: `{"vm":
/// [...]}` calls `each` with `"vm"` and every entity; `{}` (how the engine sends an empty
/// collection) calls it never. Returns how many entities there were. Only one entity is in
/// memory at a time.
fn for_each_member(
    client: &ReadOnlyClient,
    path: &str,
    file: &Path,
    mut each: impl FnMut(&str, Value) -> Result<(), LiveError>,
) -> Result<usize, LiveError> {
    let bad = |detail: String| LiveError::NotOvirt {
        url: client.engine_url().base().to_string(),
        detail: format!("GET {}: {detail}", client.engine_url().api(path)),
    };
    let reader = File::open(file).map_err(|e| output_error(file, e))?;
    let mut deserializer = serde_json::Deserializer::from_reader(BufReader::new(reader));
    let mut visitor = Members {
        each: &mut each,
        count: 0,
        failure: None,
    };
    let parsed = (&mut deserializer)
        .deserialize_any(&mut visitor)
        .and_then(|()| deserializer.end());
    if let Some(failure) = visitor.failure {
        return Err(failure);
    }
    match parsed {
        Ok(()) => Ok(visitor.count),
        Err(e) if e.is_io() => Err(output_error(file, std::io::Error::from(e))),
        Err(e) => Err(bad(format!("invalid JSON: {e}"))),
    }
}

/// The serde visitor of [`for_each_member`]: the top-level object, whose first array holds
/// the entities; other members are skipped unread.
struct Members<'f, F> {
    each: &'f mut F,
    count: usize,
    /// The callback's error, which stops the parse (serde sees a custom error).
    failure: Option<LiveError>,
}

impl<'de, F: FnMut(&str, Value) -> Result<(), LiveError>> Visitor<'de> for &mut Members<'_, F> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut done = false;
        while let Some(key) = map.next_key::<String>()? {
            if done {
                map.next_value::<IgnoredAny>()?;
                continue;
            }
            done = map.next_value_seed(Entities {
                key: &key,
                members: &mut *self,
            })?;
        }
        Ok(())
    }
}

/// One member of the top-level object: the entities when it is an array (then `true`).
struct Entities<'a, 'f, F> {
    key: &'a str,
    members: &'a mut Members<'f, F>,
}

impl<'de, F: FnMut(&str, Value) -> Result<(), LiveError>> DeserializeSeed<'de>
    for Entities<'_, '_, F>
{
    type Value = bool;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<bool, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, F: FnMut(&str, Value) -> Result<(), LiveError>> Visitor<'de> for Entities<'_, '_, F> {
    type Value = bool;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
        while let Some(member) = seq.next_element::<Value>()? {
            self.members.count += 1;
            if let Err(error) = (self.members.each)(self.key, member) {
                self.members.failure = Some(error);
                return Err(serde::de::Error::custom("stopped"));
            }
        }
        Ok(true)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(false)
    }

    fn visit_bool<E>(self, _: bool) -> Result<bool, E> {
        Ok(false)
    }

    fn visit_i64<E>(self, _: i64) -> Result<bool, E> {
        Ok(false)
    }

    fn visit_u64<E>(self, _: u64) -> Result<bool, E> {
        Ok(false)
    }

    fn visit_f64<E>(self, _: f64) -> Result<bool, E> {
        Ok(false)
    }

    fn visit_str<E>(self, _: &str) -> Result<bool, E> {
        Ok(false)
    }

    fn visit_unit<E>(self) -> Result<bool, E> {
        Ok(false)
    }
}

/// The id of an entity, checked to be safe as one path component: ids become directory
/// names of the export, and a hostile server must not write `../x`.
fn entity_id(client: &ReadOnlyClient, path: &str, member: &Value) -> Result<String, LiveError> {
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
                "GET {} lists an entity without a usable id ({})",
                client.engine_url().api(path),
                crate::escape::quote(id, crate::escape::QUOTE_CHARS)
            ),
        });
    }
    Ok(id.to_string())
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

/// A private directory, removed with everything in it when dropped unless
/// [`ScratchDir::keep`] moved its contents out.
pub(crate) struct ScratchDir(PathBuf);

impl ScratchDir {
    /// A new directory under `parent` (the system's temp dir for a fetch kept in no
    /// files, the output directory for `fetch --out`, so its files are moved, not copied).
    pub(crate) fn create_in(parent: &Path) -> Result<ScratchDir, LiveError> {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let name = format!(
            ".stretchdr-fetch-{}-{nanos}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let path = parent.join(name);
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(&path).map_err(|e| output_error(&path, e))?;
        Ok(ScratchDir(path))
    }

    pub(crate) fn path(&self) -> &Path {
        &self.0
    }

    /// Moves the export (`api.json` and `api/`) into `out`, which must hold neither.
    pub(crate) fn keep(self, out: &Path) -> Result<(), LiveError> {
        check_output(out)?;
        for name in ["api", "api.json"] {
            let from = self.0.join(name);
            if from.symlink_metadata().is_ok() {
                let to = out.join(name);
                std::fs::rename(&from, &to).map_err(|e| output_error(&to, e))?;
            }
        }
        Ok(())
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::{RootLinks, follows_links, is_false};

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

    #[test]
    fn engine_booleans_are_false_only_when_they_say_so() {
        let value = serde_json::json!({"a": "false", "b": false, "c": "true", "d": "FALSE"});
        assert!(is_false(value.get("a")) && is_false(value.get("b")));
        assert!(is_false(value.get("d")));
        assert!(!is_false(value.get("c")) && !is_false(value.get("missing")));
    }
}
