//! Second stage: the raw design tables, checked and applied to an [`Inventory`] (empty for
//! a design, an export's for an overlay). Every error points at the offending value.

mod georep;

use std::borrow::Cow;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::ops::{Range, RangeInclusive};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use globset::Glob;
use rayon::iter::{IntoParallelIterator, ParallelIterator};

use crate::budget::{Budget, NameBudget};
use crate::design::defaults;
use crate::design::fast::Split;
use crate::design::names::NamePattern;
use crate::design::raw::{
    RawAffinityGroup, RawAffinityLabel, RawAffinityRule, RawCluster, RawDataCenter, RawDesign,
    RawEngine, RawHost, RawLink, RawNetwork, RawSite, RawStorageDomain, RawVm, RawVnicProfile, S,
    Text, ValueSpan, flag, list,
};
use crate::error::LoadError;
use crate::ids::{
    AffinityGroupId, AffinityLabelId, Arena, ClusterId, DataCenterId, EntityId, HostId, Named,
    NetworkId, SiteId, StorageDomainId, VmId, VnicProfileId,
};
use crate::inventory::{
    AffinityGroup, AffinityLabel, AffinityRule, Cluster, DataCenter, Deployment, DomainType, Host,
    HostStatus, Inventory, MigrationBandwidth, MigrationPolicy, Network, OnError, Placement,
    Replication, ResumeBehaviour, Site, SiteLink, SiteRole, SloEntry, SpmStatus, StorageDomain,
    StorageType, Version, Vm, VmStatus, VnicProfile,
};
use crate::keys::{did_you_mean, key_span};
use crate::origin::{FileId, KeySpan, LineIndex, Origin, SourceMap};
use crate::units::{parse_bandwidth_bps, parse_size};

const DEPLOYMENTS: &[(&str, Deployment)] = &[
    ("self-hosted", Deployment::SelfHosted),
    ("standalone", Deployment::Standalone),
];
const ROLES: &[(&str, SiteRole)] = &[
    ("primary", SiteRole::Primary),
    ("secondary", SiteRole::Secondary),
    ("witness", SiteRole::Witness),
];
const ON_ERRORS: &[(&str, OnError)] = &[
    ("migrate", OnError::Migrate),
    ("migrate_highly_available", OnError::MigrateHighlyAvailable),
    ("do_not_migrate", OnError::DoNotMigrate),
];
const MIGRATION_POLICIES: &[(&str, MigrationPolicy)] = &[
    ("minimal_downtime", MigrationPolicy::MinimalDowntime),
    ("post_copy", MigrationPolicy::PostCopy),
    ("suspend_workload", MigrationPolicy::SuspendWorkload),
    ("very_large_vms", MigrationPolicy::VeryLargeVms),
    ("legacy", MigrationPolicy::Legacy),
];
const HOST_STATUSES: &[(&str, HostStatus)] = &[
    ("up", HostStatus::Up),
    ("maintenance", HostStatus::Maintenance),
    ("non_responsive", HostStatus::NonResponsive),
    ("non_operational", HostStatus::NonOperational),
    ("down", HostStatus::Down),
];
const VM_STATUSES: &[(&str, VmStatus)] = &[
    ("up", VmStatus::Up),
    ("down", VmStatus::Down),
    ("paused", VmStatus::Paused),
    ("unknown", VmStatus::Unknown),
    ("not_responding", VmStatus::NotResponding),
];
const STORAGE_TYPES: &[(&str, StorageType)] = &[
    ("nfs", StorageType::Nfs),
    ("iscsi", StorageType::Iscsi),
    ("fcp", StorageType::Fcp),
    ("glusterfs", StorageType::Glusterfs),
    ("posixfs", StorageType::Posixfs),
    ("localfs", StorageType::Localfs),
];
const DOMAIN_TYPES: &[(&str, DomainType)] = &[
    ("data", DomainType::Data),
    ("iso", DomainType::Iso),
    ("export", DomainType::Export),
    ("image", DomainType::Image),
    ("volume", DomainType::Volume),
    ("managed_block_storage", DomainType::ManagedBlockStorage),
    ("hosted_engine", DomainType::HostedEngine),
];
const REPLICATIONS: &[(&str, Replication)] = &[
    ("sync", Replication::Sync),
    ("async", Replication::Async),
    ("none", Replication::None),
];
const RESUME_BEHAVIOURS: &[(&str, ResumeBehaviour)] = &[
    ("kill", ResumeBehaviour::Kill),
    ("leave_paused", ResumeBehaviour::LeavePaused),
    ("auto_resume", ResumeBehaviour::AutoResume),
];
const PLACEMENTS: &[(&str, Placement)] = &[
    ("migratable", Placement::Migratable),
    ("user_migratable", Placement::UserMigratable),
    ("pinned", Placement::Pinned),
];

/// The design file being applied: where it is, for errors and origins.
struct Ctx {
    path: PathBuf,
    text: Arc<str>,
    file: FileId,
    /// The file's lines, shared with the source map, for origins in O(log n).
    lines: Arc<LineIndex>,
    /// Names the ranges may still expand to (see [`crate::budget`]).
    names: NameBudget,
}

type Result<T> = std::result::Result<T, LoadError>;

impl Ctx {
    fn err(&self, span: Range<usize>, message: impl Into<String>) -> LoadError {
        LoadError::at(&self.path, &self.text, span, message)
    }

    fn line(&self, offset: usize) -> u32 {
        self.lines.line(offset)
    }

    fn origin(&self, span: Range<usize>) -> Origin {
        Origin {
            file: self.file,
            line: self.line(span.start),
            offset: span.start as u32,
            len: (span.end - span.start) as u32,
        }
    }

    /// One of the accepted spellings of an enumerated field.
    fn choice<T: Copy>(
        &self,
        field: &str,
        value: &S<impl AsRef<str>>,
        options: &[(&str, T)],
    ) -> Result<T> {
        let text = value.get_ref().as_ref();
        options
            .iter()
            .find(|(name, _)| *name == text)
            .map(|&(_, v)| v)
            .ok_or_else(|| {
                let accepted: Vec<String> = options
                    .iter()
                    .map(|(name, _)| format!("{name:?}"))
                    .collect();
                self.err(
                    value.span(),
                    format!(
                        "invalid {field} {:?}: {}expected one of {}",
                        text,
                        did_you_mean(text, options.iter().map(|(name, _)| *name)),
                        accepted.join(", ")
                    ),
                )
            })
    }

    fn int_in(&self, field: &str, value: &S<i64>, range: RangeInclusive<i64>) -> Result<i64> {
        let v = *value.get_ref();
        if range.contains(&v) {
            Ok(v)
        } else {
            Err(self.err(
                value.span(),
                if *range.end() == i64::from(u32::MAX) {
                    format!(
                        "{field} {v} is out of range: expected at least {}",
                        range.start()
                    )
                } else {
                    format!(
                        "{field} {v} is out of range: expected {}..={}",
                        range.start(),
                        range.end()
                    )
                },
            ))
        }
    }

    fn size(&self, field: &str, value: &S<impl AsRef<str>>) -> Result<u64> {
        parse_size(value.get_ref().as_ref())
            .map_err(|e| self.err(value.span(), format!("{field}: {e}")))
    }

    fn version(&self, field: &str, value: &S<String>) -> Result<Version> {
        Version::parse(value.get_ref()).ok_or_else(|| {
            self.err(
                value.span(),
                format!(
                    "invalid {field} {:?}: expected a version such as \"4.7\"",
                    value.get_ref()
                ),
            )
        })
    }

    /// A field a new entity cannot do without.
    fn required<'a, T>(
        &self,
        value: Option<&'a T>,
        kind: &str,
        name: &str,
        field: &str,
        header: &Range<usize>,
    ) -> Result<&'a T> {
        value.ok_or_else(|| self.err(header.clone(), format!("{kind} {name:?} needs `{field}`")))
    }
}

/// The ids of one kind of entity by name, and where this design defined each name.
struct NameIndex<I> {
    /// Each name's entity, and where this design defines it (`None` while only the base
    /// inventory has it). foldhash: a design of 20,000 VMs looks names up hundreds of
    /// thousands of times, and SipHash was a tenth of the load.
    ids: HashMap<String, (I, Option<usize>), foldhash::fast::RandomState>,
    /// The ids of each name range resolved in full, by its text: a range such as
    /// `c1-a-{001..050}` is named by many affinity groups, and names once resolved stay (the
    /// index only grows).
    ranges: Mutex<HashMap<String, Vec<I>, foldhash::fast::RandomState>>,
}

impl<I> Default for NameIndex<I> {
    fn default() -> Self {
        NameIndex {
            ids: HashMap::default(),
            ranges: Mutex::default(),
        }
    }
}

impl<I: EntityId> NameIndex<I> {
    /// Indexes what the base inventory already holds; on a repeated name (an export may hold
    /// `ovirtmgmt` once per data center) the first entity wins, as `Arena::find` does.
    fn of<T: Named>(arena: &Arena<I, T>) -> NameIndex<I> {
        let mut ids = HashMap::with_capacity_and_hasher(arena.len(), Default::default());
        for (id, item) in arena.iter() {
            ids.entry(item.name().to_owned()).or_insert((id, None));
        }
        NameIndex {
            ids,
            ranges: Mutex::default(),
        }
    }

    fn get(&self, name: &str) -> Option<I> {
        self.ids.get(name).map(|(id, _)| *id)
    }
}

struct Indexes {
    sites: NameIndex<SiteId>,
    data_centers: NameIndex<DataCenterId>,
    clusters: NameIndex<ClusterId>,
    hosts: NameIndex<HostId>,
    networks: NameIndex<NetworkId>,
    vnic_profiles: NameIndex<VnicProfileId>,
    storage_domains: NameIndex<StorageDomainId>,
    vms: NameIndex<VmId>,
    affinity_labels: NameIndex<AffinityLabelId>,
    affinity_groups: NameIndex<AffinityGroupId>,
}

/// Expands a table's `name` and finds or adds the entity of each name: a name the base holds
/// is updated in place, a new one is made by `make`. Returns `(id, is_new)` per name.
fn upsert<I: EntityId, T>(
    ctx: &Ctx,
    kind: &str,
    index: &mut NameIndex<I>,
    arena: &mut Arena<I, T>,
    name: &S<impl AsRef<str>>,
    make: impl Fn(String) -> T,
) -> Result<Vec<(I, bool)>> {
    let pattern =
        NamePattern::parse(name.get_ref().as_ref()).map_err(|e| ctx.err(name.span(), e))?;
    ctx.names
        .take(pattern.len())
        .map_err(|e| ctx.err(name.span(), e))?;
    let mut out = Vec::with_capacity(pattern.len());
    let defined_at = name.span().start;
    for expanded in pattern.names() {
        if expanded.is_empty() {
            return Err(ctx.err(name.span(), format!("a {kind} needs a non-empty name")));
        }
        match index.ids.get_mut(expanded.as_ref()) {
            Some((_, Some(first))) => {
                return Err(ctx.err(
                    name.span(),
                    format!(
                        "duplicate {kind} {expanded:?}: already defined at line {}",
                        ctx.line(*first)
                    ),
                ));
            }
            Some((id, defined)) => {
                *defined = Some(defined_at);
                out.push((*id, false));
            }
            None => {
                let expanded = expanded.into_owned();
                let id = arena.push(make(expanded.clone()));
                index.ids.insert(expanded, (id, Some(defined_at)));
                out.push((id, true));
            }
        }
    }
    Ok(out)
}

/// Resolves one reference: `field` names the key holding it, for the message.
fn resolve<I: EntityId>(
    ctx: &Ctx,
    field: &str,
    kind: &str,
    index: &NameIndex<I>,
    name: &S<impl AsRef<str>>,
) -> Result<I> {
    let text = name.get_ref().as_ref();
    index.get(text).ok_or_else(|| {
        let hint = did_you_mean(text, index.ids.keys().map(String::as_str));
        ctx.err(
            name.span(),
            format!(
                "{field}: no {kind} named {:?}{}",
                text,
                hint.strip_suffix(' ')
                    .map_or(String::new(), |h| format!("; {h}"))
            ),
        )
    })
}

/// Resolves a list of references, each of which may be a name range; every id comes with the
/// span of the element that named it.
fn resolve_list<I: EntityId>(
    ctx: &Ctx,
    field: &str,
    kind: &str,
    index: &NameIndex<I>,
    names: &[S<impl AsRef<str>>],
) -> Result<Vec<(I, Range<usize>)>> {
    resolve_each(ctx, field, kind, index, names, |id, span| (id, span))
}

/// Resolves each reference of a list into what `each` makes of its id and the span of the
/// element that named it (a VM's disks, networks, ... keep the ids alone).
fn resolve_each<I: EntityId, T>(
    ctx: &Ctx,
    field: &str,
    kind: &str,
    index: &NameIndex<I>,
    names: &[S<impl AsRef<str>>],
    each: impl Fn(I, Range<usize>) -> T,
) -> Result<Vec<T>> {
    let mut out = Vec::with_capacity(names.len());
    let mut found = |id, span| out.push(each(id, span));
    let mut buffer = String::new();
    for name in names {
        let text = name.get_ref().as_ref();
        let pattern = NamePattern::parse(text).map_err(|e| ctx.err(name.span(), e))?;
        ctx.names
            .take(pattern.len())
            .map_err(|e| ctx.err(name.span(), e))?;
        if let NamePattern::Single(single) = pattern {
            let id = index.get(single).ok_or_else(|| {
                ctx.err(name.span(), format!("{field}: no {kind} named {single:?}"))
            })?;
            found(id, name.span());
            continue;
        }
        let known = lock(&index.ranges)
            .get(text)
            .map(|ids| ids.iter().for_each(|&id| found(id, name.span())));
        if known.is_some() {
            continue;
        }
        let mut ids = Vec::with_capacity(pattern.len());
        pattern.try_for_each(&mut buffer, |expanded| {
            let id = index.get(expanded).ok_or_else(|| {
                ctx.err(
                    name.span(),
                    format!("{field}: no {kind} named {expanded:?}"),
                )
            })?;
            ids.push(id);
            Ok(())
        })?;
        ids.iter().for_each(|&id| found(id, name.span()));
        lock(&index.ranges).insert(text.to_owned(), ids);
    }
    Ok(out)
}

/// VMs at least this many have their fields read on all cores.
const PARALLEL_VMS: usize = 2_048;

/// VMs whose fields are read (on all cores) before they are applied (in file order): the
/// fields of this many VMs, not of all, exist at once.
const VM_CHUNK: usize = 1_024;

/// The error a lazy build stops at when the fast reader leaves a table to the `toml`
/// crate; the caller then reads the design again, so no user sees it.
const LEFT_TO_TOML: &str = "this table is left to the toml crate";

/// Where the builder finds the `[[vm]]` tables.
#[derive(Clone, Copy)]
pub enum VmTables<'s> {
    /// Decoded already: by the `toml` crate, or all at once by the fast reader.
    Decoded(&'s [S<RawVm>]),
    /// Still in the text, each decoded when its fields are read and freed once they are: the
    /// tables of 20,000 VMs as serde values (some 30 MB) never all exist. A table the fast
    /// reader leaves to the `toml` crate, and any error, fails such a build; the caller
    /// then builds from the `toml` crate's reading, whose errors are the ones users see.
    Lazy(&'s Split<'s>),
}

impl<'s> VmTables<'s> {
    fn len(self) -> usize {
        match self {
            VmTables::Decoded(raws) => raws.len(),
            VmTables::Lazy(split) => split.len(),
        }
    }

    /// The fields of VM `i`, read (and, if lazy, decoded) alone.
    fn fields(self, ctx: &Ctx, idx: &Indexes, i: usize) -> Result<VmFields<'s>> {
        match self {
            VmTables::Decoded(raws) => {
                let raw = raws[i].get_ref();
                let name = Cow::Borrowed(raw.name.get_ref().as_str());
                vm_fields(ctx, idx, raws[i].span(), raw, name)
            }
            VmTables::Lazy(split) => {
                let raw = split
                    .decode::<RawVm<Text<'s>>>(i)
                    .ok_or_else(|| ctx.err(split.header(i), LEFT_TO_TOML))?;
                let name = raw.get_ref().name.get_ref().0.clone();
                vm_fields(ctx, idx, raw.span(), raw.get_ref(), name)
            }
        }
    }

    /// Each VM's `name`, with its span; an `Err` where a lazy table's name was not read
    /// by the fast reader's first pass.
    fn names<'c>(self, ctx: &'c Ctx) -> Box<dyn Iterator<Item = Result<NameAt<'s>>> + 'c>
    where
        's: 'c,
    {
        match self {
            VmTables::Decoded(raws) => Box::new(raws.iter().map(|raw| {
                let name = &raw.get_ref().name;
                Ok((Cow::Borrowed(name.get_ref().as_str()), name.span()))
            })),
            VmTables::Lazy(split) => Box::new((0..split.len()).map(move |i| {
                split
                    .name(i)
                    .ok_or_else(|| ctx.err(split.header(i), LEFT_TO_TOML))
            })),
        }
    }
}

/// A table's `name` and where it is written.
type NameAt<'s> = (Cow<'s, str>, Range<usize>);

/// A VM's values and references, checked: all [`Builder::vm`] sets.
struct VmFields<'s> {
    /// The `[[vm]]` header.
    header: Range<usize>,
    name: S<Cow<'s, str>>,
    ha: Option<bool>,
    delete_protected: Option<bool>,
    /// Where `runs_on` is written.
    runs_on_span: Option<Range<usize>>,
    cluster: Option<ClusterId>,
    memory: Option<u64>,
    cpus: Option<i64>,
    status: Option<VmStatus>,
    ha_priority: Option<i64>,
    lease: Option<StorageDomainId>,
    resume: Option<ResumeBehaviour>,
    placement: Option<Placement>,
    placement_hosts: Option<Vec<HostId>>,
    disks: Option<Vec<StorageDomainId>>,
    networks: Option<Vec<NetworkId>>,
    vnic_profiles: Option<Vec<VnicProfileId>>,
    runs_on: Option<HostId>,
    /// Where the table writes each of its keys.
    keys: Vec<KeySpan>,
    /// How many VMs its name stands for (a range stands for several).
    names: usize,
}

/// Reads a VM's fields. It looks only at what is built before VMs (clusters, hosts,
/// storage domains, networks, vNIC profiles) and at the name budget, so VMs can be read in
/// any order.
fn vm_fields<'s, Str: AsRef<str>>(
    ctx: &Ctx,
    idx: &Indexes,
    header: Range<usize>,
    raw: &RawVm<Str>,
    name: Cow<'s, str>,
) -> Result<VmFields<'s>> {
    let cluster = raw
        .cluster
        .as_ref()
        .map(|c| resolve(ctx, "cluster", "cluster", &idx.clusters, c))
        .transpose()?;
    let memory = raw
        .memory
        .as_ref()
        .map(|m| ctx.size("memory", m))
        .transpose()?;
    let cpus = raw
        .cpus
        .as_ref()
        .map(|c| ctx.int_in("cpus", c, 1..=i64::from(u32::MAX)))
        .transpose()?;
    let status = raw
        .status
        .as_ref()
        .map(|s| ctx.choice("status", s, VM_STATUSES))
        .transpose()?;
    let ha_priority = raw
        .ha_priority
        .as_ref()
        .map(|p| ctx.int_in("ha_priority", p, 0..=100))
        .transpose()?;
    let lease = raw
        .lease
        .as_ref()
        .map(|d| resolve(ctx, "lease", "storage domain", &idx.storage_domains, d))
        .transpose()?;
    let resume = raw
        .resume_behaviour
        .as_ref()
        .map(|r| ctx.choice("resume_behaviour", r, RESUME_BEHAVIOURS))
        .transpose()?;
    let placement = raw
        .placement
        .as_ref()
        .map(|p| ctx.choice("placement", p, PLACEMENTS))
        .transpose()?;
    let placement_hosts = list(&raw.placement_hosts)
        .map(|h| resolve_each(ctx, "placement_hosts", "host", &idx.hosts, h, |id, _| id))
        .transpose()?;
    let disks = list(&raw.disks)
        .map(|d| {
            resolve_each(
                ctx,
                "disks",
                "storage domain",
                &idx.storage_domains,
                d,
                |id, _| id,
            )
        })
        .transpose()?;
    let networks = list(&raw.networks)
        .map(|n| resolve_each(ctx, "networks", "network", &idx.networks, n, |id, _| id))
        .transpose()?;
    let vnic_profiles = list(&raw.vnic_profiles)
        .map(|p| {
            resolve_each(
                ctx,
                "vnic_profiles",
                "vnic profile",
                &idx.vnic_profiles,
                p,
                |id, _| id,
            )
        })
        .transpose()?;
    let runs_on = raw
        .runs_on
        .as_ref()
        .map(|h| resolve(ctx, "runs_on", "host", &idx.hosts, h))
        .transpose()?;
    let keys = written_keys(
        ctx,
        &[
            (&"name", raw.name.value_span()),
            (&"cluster", raw.cluster.value_span()),
            (&"memory", raw.memory.value_span()),
            (&"cpus", raw.cpus.value_span()),
            (&"status", raw.status.value_span()),
            (&"ha", raw.ha.value_span()),
            (&"ha_priority", raw.ha_priority.value_span()),
            (&"lease", raw.lease.value_span()),
            (&"resume_behaviour", raw.resume_behaviour.value_span()),
            (&"placement", raw.placement.value_span()),
            (&"placement_hosts", raw.placement_hosts.value_span()),
            (&"disks", raw.disks.value_span()),
            (&"networks", raw.networks.value_span()),
            (&"vnic_profiles", raw.vnic_profiles.value_span()),
            (&"runs_on", raw.runs_on.value_span()),
            (&"delete_protected", raw.delete_protected.value_span()),
        ],
    );
    Ok(VmFields {
        header,
        name: S::new(raw.name.span(), name),
        ha: flag(&raw.ha),
        delete_protected: flag(&raw.delete_protected),
        runs_on_span: raw.runs_on.as_ref().map(S::span),
        cluster,
        memory,
        cpus,
        status,
        ha_priority,
        lease,
        resume,
        placement,
        placement_hosts,
        disks,
        networks,
        vnic_profiles,
        runs_on,
        keys,
        names: NamePattern::parse(raw.name.get_ref().as_ref()).map_or(0, |p| p.len()),
    })
}

/// The cache of name ranges; a thread that panicked holding it left it whole (an insert of
/// a complete list, or nothing).
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn ids<I: Copy>(resolved: &[(I, Range<usize>)]) -> Vec<I> {
    resolved.iter().map(|(id, _)| *id).collect()
}

/// Refuses a design whose tables define more entities than the budget allows, before any
/// is made: thirty `{1..99999}` ranges are counted, not built.
fn check_defined(ctx: &Ctx, raw: &RawDesign, vms: VmTables<'_>, budget: &Budget) -> Result<()> {
    fn names<T>(
        tables: &[S<T>],
        name: fn(&T) -> &S<String>,
    ) -> impl Iterator<Item = Result<NameAt<'_>>> {
        tables.iter().map(move |table| {
            let name = name(table.get_ref());
            Ok((Cow::Borrowed(name.get_ref().as_str()), name.span()))
        })
    }
    let all = names(&raw.site, |t| &t.name)
        .chain(names(&raw.data_center, |t| &t.name))
        .chain(names(&raw.cluster, |t| &t.name))
        .chain(names(&raw.host, |t| &t.name))
        .chain(names(&raw.network, |t| &t.name))
        .chain(names(&raw.vnic_profile, |t| &t.name))
        .chain(names(&raw.storage_domain, |t| &t.name))
        .chain(vms.names(ctx))
        .chain(names(&raw.affinity_label, |t| &t.name))
        .chain(names(&raw.affinity_group, |t| &t.name));
    let mut total = 0u128;
    for name in all {
        let (name, span) = name?;
        // An unreadable pattern is reported, with its reason, where it is built.
        total += NamePattern::parse(&name).map_or(1, |p| p.len() as u128);
        budget
            .check_entities(total, "the names of this design")
            .map_err(|e| ctx.err(span, e))?;
    }
    Ok(())
}

/// Applies a parsed design to `base` (empty, or an export's inventory); its `[[vm]]`
/// tables are `vms` (`raw.vm` is not read).
pub fn apply(
    base: Inventory,
    path: &Path,
    (text, lines): (Arc<str>, Arc<LineIndex>),
    raw: &RawDesign,
    vms: VmTables<'_>,
) -> Result<Inventory> {
    let mut inv = base;
    let file = inv
        .sources
        .add_indexed(path, Arc::clone(&text), Arc::clone(&lines));
    let budget = Budget::current().map_err(|e| LoadError::file(path, e))?;
    let ctx = Ctx {
        path: path.to_path_buf(),
        text,
        file,
        lines,
        names: NameBudget::new(budget.max_names),
    };
    check_defined(&ctx, raw, vms, &budget)?;
    let idx = Indexes {
        sites: NameIndex::of(&inv.sites),
        data_centers: NameIndex::of(&inv.data_centers),
        clusters: NameIndex::of(&inv.clusters),
        hosts: NameIndex::of(&inv.hosts),
        networks: NameIndex::of(&inv.networks),
        vnic_profiles: NameIndex::of(&inv.vnic_profiles),
        storage_domains: NameIndex::of(&inv.storage_domains),
        vms: NameIndex::of(&inv.vms),
        affinity_labels: NameIndex::of(&inv.affinity_labels),
        affinity_groups: NameIndex::of(&inv.affinity_groups),
    };
    let mut b = Builder {
        ctx,
        inv,
        idx,
        explicit_site: HashMap::new(),
    };
    for site in &raw.site {
        b.site(site)?;
    }
    for link in &raw.link {
        b.link(link)?;
    }
    check_duplicate_links(&b.ctx, &b.inv, &raw.link)?;
    if let Some(engine) = &raw.engine {
        b.engine(engine)?;
    }
    for dc in &raw.data_center {
        b.data_center(dc)?;
    }
    for cluster in &raw.cluster {
        b.cluster(cluster)?;
    }
    for domain in &raw.storage_domain {
        b.storage_domain(domain)?;
    }
    for network in &raw.network {
        b.network(network)?;
    }
    for profile in &raw.vnic_profile {
        b.vnic_profile(profile)?;
    }
    for host in &raw.host {
        b.host(host)?;
    }
    b.vms(vms)?;
    for label in &raw.affinity_label {
        b.affinity_label(label)?;
    }
    b.assign_sites(&raw.site)?;
    for group in &raw.affinity_group {
        b.affinity_group(group)?;
    }
    for (metric, value) in &raw.slo {
        let origin = Origin::from_span(b.ctx.file, &b.ctx.text, metric.span());
        b.inv.slo.push(SloEntry {
            metric: metric.get_ref().clone(),
            value: value.get_ref().clone(),
            origin,
        });
    }
    budget
        .check_inventory(&b.inv, "this design")
        .map_err(|e| LoadError::file(path, e))?;
    Ok(b.inv)
}

struct Builder {
    ctx: Ctx,
    inv: Inventory,
    idx: Indexes,
    /// Hosts whose `[[host]]` table names a site, with the span of that value.
    explicit_site: HashMap<HostId, Range<usize>>,
}

impl Builder {
    fn site(&mut self, raw: &S<RawSite>) -> Result<()> {
        let ctx = &self.ctx;
        let header = raw.span();
        let raw = raw.get_ref();
        let role = raw
            .role
            .as_ref()
            .map(|r| ctx.choice("role", r, ROLES))
            .transpose()?;
        for glob in list(&raw.hosts).into_iter().flatten() {
            Glob::new(glob.get_ref()).map_err(|e| {
                ctx.err(
                    glob.span(),
                    format!("hosts: invalid glob {:?}: {e}", glob.get_ref()),
                )
            })?;
        }
        let made = upsert(
            ctx,
            "site",
            &mut self.idx.sites,
            &mut self.inv.sites,
            &raw.name,
            |name| Site {
                name,
                role: SiteRole::Primary,
                host_globs: Vec::new(),
                label: None,
                origin: None,
            },
        )?;
        for (id, new) in made {
            let site = &mut self.inv.sites[id];
            if new {
                ctx.required(role.as_ref(), "site", &site.name, "role", &header)?;
            }
            site.origin = Some(ctx.origin(header.clone()));
            if let Some(role) = role {
                site.role = role;
            }
            if let Some(globs) = list(&raw.hosts) {
                site.host_globs = globs.iter().map(|g| g.get_ref().clone()).collect();
            }
            if let Some(label) = &raw.label {
                site.label = Some(label.get_ref().clone());
            }
        }
        let keys = vec![
            (&"name", raw.name.value_span()),
            (&"role", raw.role.value_span()),
            (&"hosts", raw.hosts.value_span()),
            (&"label", raw.label.value_span()),
        ];
        record_keys(&self.ctx, &mut self.inv.sources, &header, keys);
        Ok(())
    }

    fn link(&mut self, raw: &S<RawLink>) -> Result<()> {
        let ctx = &self.ctx;
        let header = raw.span();
        let raw = raw.get_ref();
        let [a, b] = raw.sites.get_ref().as_slice() else {
            return Err(ctx.err(raw.sites.span(), "sites: a link joins exactly two sites"));
        };
        let a_id = resolve(ctx, "sites", "site", &self.idx.sites, a)?;
        let b_id = resolve(ctx, "sites", "site", &self.idx.sites, b)?;
        if a_id == b_id {
            return Err(ctx.err(raw.sites.span(), "sites: a link joins two different sites"));
        }
        let rtt_ms = *raw.rtt_ms.get_ref();
        if !(rtt_ms.is_finite() && rtt_ms >= 0.0) {
            return Err(ctx.err(
                raw.rtt_ms.span(),
                format!(
                    "rtt_ms {rtt_ms} is out of range: expected a finite number of milliseconds >= 0"
                ),
            ));
        }
        let bandwidth_bps = raw
            .bandwidth
            .as_ref()
            .map(|bw| {
                parse_bandwidth_bps(bw.get_ref())
                    .map_err(|e| ctx.err(bw.span(), format!("bandwidth: {e}")))
            })
            .transpose()?;
        self.inv.links.push(SiteLink {
            sites: (a_id, b_id),
            rtt_ms,
            // A link is routed unless the design says it stretches one broadcast domain.
            l2: flag(&raw.l2).unwrap_or(false),
            bandwidth_bps,
            origin: Some(ctx.origin(header.clone())),
        });
        let keys = vec![
            (&"sites", raw.sites.value_span()),
            (&"rtt_ms", raw.rtt_ms.value_span()),
            (&"l2", raw.l2.value_span()),
            (&"bandwidth", raw.bandwidth.value_span()),
        ];
        record_keys(&self.ctx, &mut self.inv.sources, &header, keys);
        Ok(())
    }

    fn engine(&mut self, raw: &S<RawEngine>) -> Result<()> {
        let ctx = &self.ctx;
        let header = raw.span();
        let raw = raw.get_ref();
        let engine = &mut self.inv.engine;
        if let Some(deployment) = &raw.deployment {
            engine.deployment = Some(ctx.choice("deployment", deployment, DEPLOYMENTS)?);
        }
        if let Some(site) = &raw.site {
            engine.site = Some(resolve(ctx, "site", "site", &self.idx.sites, site)?);
        }
        if let Some(external_ha) = &raw.external_ha {
            if *external_ha.get_ref() && engine.deployment == Some(Deployment::SelfHosted) {
                return Err(ctx.err(
                    external_ha.span(),
                    "external_ha applies to a standalone engine only; a self-hosted engine is made highly available by its hosts",
                ));
            }
            engine.external_ha = *external_ha.get_ref();
        }
        if let Some(version) = &raw.version {
            engine.version = Some(version.get_ref().clone());
        }
        engine.origin = Some(ctx.origin(header.clone()));
        let keys = vec![
            (&"deployment", raw.deployment.value_span()),
            (&"site", raw.site.value_span()),
            (&"external_ha", raw.external_ha.value_span()),
            (&"version", raw.version.value_span()),
        ];
        record_keys(&self.ctx, &mut self.inv.sources, &header, keys);
        Ok(())
    }

    fn data_center(&mut self, raw: &S<RawDataCenter>) -> Result<()> {
        let ctx = &self.ctx;
        let header = raw.span();
        let raw = raw.get_ref();
        let compatibility = raw
            .compatibility
            .as_ref()
            .map(|v| ctx.version("compatibility", v))
            .transpose()?;
        let made = upsert(
            ctx,
            "data_center",
            &mut self.idx.data_centers,
            &mut self.inv.data_centers,
            &raw.name,
            |name| DataCenter {
                id: None,
                name,
                compatibility: None,
                status: None,
                local: false,
                origin: None,
            },
        )?;
        for (id, _) in made {
            let dc = &mut self.inv.data_centers[id];
            dc.origin = Some(ctx.origin(header.clone()));
            if compatibility.is_some() {
                dc.compatibility = compatibility;
            }
            if let Some(local) = flag(&raw.local) {
                dc.local = local;
            }
        }
        let keys = vec![
            (&"name", raw.name.value_span()),
            (&"compatibility", raw.compatibility.value_span()),
            (&"local", raw.local.value_span()),
        ];
        record_keys(&self.ctx, &mut self.inv.sources, &header, keys);
        Ok(())
    }

    fn cluster(&mut self, raw: &S<RawCluster>) -> Result<()> {
        let ctx = &self.ctx;
        let header = raw.span();
        let raw = raw.get_ref();
        let data_center = raw
            .data_center
            .as_ref()
            .map(|dc| {
                resolve(
                    ctx,
                    "data_center",
                    "data center",
                    &self.idx.data_centers,
                    dc,
                )
            })
            .transpose()?;
        let compatibility = raw
            .compatibility
            .as_ref()
            .map(|v| ctx.version("compatibility", v))
            .transpose()?;
        let on_error = raw
            .on_error
            .as_ref()
            .map(|v| ctx.choice("on_error", v, ON_ERRORS))
            .transpose()?;
        let migration_policy = raw
            .migration_policy
            .as_ref()
            .map(|v| ctx.choice("migration_policy", v, MIGRATION_POLICIES))
            .transpose()?;
        let migration_bandwidth = raw
            .migration_bandwidth
            .as_ref()
            .map(|v| match v.get_ref().as_str() {
                "auto" => Ok(MigrationBandwidth::Auto),
                "hypervisor_default" => Ok(MigrationBandwidth::HypervisorDefault),
                text => parse_bandwidth_bps(text)
                    .map(MigrationBandwidth::Custom)
                    .map_err(|e| {
                        ctx.err(
                            v.span(),
                            format!(
                                "migration_bandwidth: expected \"auto\", \"hypervisor_default\" or a rate such as \"4Gbps\" ({e})"
                            ),
                        )
                    }),
            })
            .transpose()?;
        let threshold = raw
            .fencing
            .as_ref()
            .and_then(|f| f.get_ref().threshold.as_ref())
            .map(|t| ctx.int_in("fencing threshold", t, 0..=100))
            .transpose()?;
        let overcommit = raw
            .memory_overcommit
            .as_ref()
            .map(|v| ctx.int_in("memory_overcommit", v, 1..=1000))
            .transpose()?;
        let made = upsert(
            ctx,
            "cluster",
            &mut self.idx.clusters,
            &mut self.inv.clusters,
            &raw.name,
            |name| Cluster {
                id: None,
                name,
                data_center: None,
                compatibility: None,
                on_error: defaults::ON_ERROR,
                fencing: defaults::fencing(),
                migration_policy: defaults::MIGRATION_POLICY,
                migration_bandwidth: MigrationBandwidth::Auto,
                memory_overcommit_percent: defaults::MEMORY_OVERCOMMIT_PERCENT,
                origin: None,
            },
        )?;
        for (id, _) in made {
            let cluster = &mut self.inv.clusters[id];
            cluster.origin = Some(ctx.origin(header.clone()));
            if data_center.is_some() {
                cluster.data_center = data_center;
            }
            if compatibility.is_some() {
                cluster.compatibility = compatibility;
            }
            if let Some(on_error) = on_error {
                cluster.on_error = on_error;
            }
            if let Some(policy) = migration_policy {
                cluster.migration_policy = policy;
            }
            if let Some(bandwidth) = migration_bandwidth {
                cluster.migration_bandwidth = bandwidth;
            }
            if let Some(fencing) = &raw.fencing {
                if let Some(enabled) = flag(&fencing.get_ref().enabled) {
                    cluster.fencing.enabled = enabled;
                }
                if let Some(skip) = flag(&fencing.get_ref().skip_if_connectivity_broken) {
                    cluster.fencing.skip_if_connectivity_broken = skip;
                }
                if let Some(threshold) = threshold {
                    cluster.fencing.threshold = threshold as u32;
                }
            }
            if let Some(overcommit) = overcommit {
                cluster.memory_overcommit_percent = overcommit as u32;
            }
        }
        let mut keys = vec![
            (&"name", raw.name.value_span()),
            (&"data_center", raw.data_center.value_span()),
            (&"compatibility", raw.compatibility.value_span()),
            (&"on_error", raw.on_error.value_span()),
            (&"fencing", raw.fencing.value_span()),
            (&"migration_policy", raw.migration_policy.value_span()),
            (&"migration_bandwidth", raw.migration_bandwidth.value_span()),
            (&"memory_overcommit", raw.memory_overcommit.value_span()),
        ];
        let fencing = raw.fencing.as_ref().map(|f| f.get_ref());
        keys.extend([
            (
                &"fencing.enabled",
                fencing.and_then(|f| f.enabled.value_span()),
            ),
            (
                &"fencing.skip_if_connectivity_broken",
                fencing.and_then(|f| f.skip_if_connectivity_broken.value_span()),
            ),
            (
                &"fencing.threshold",
                fencing.and_then(|f| f.threshold.value_span()),
            ),
        ]);
        record_keys(&self.ctx, &mut self.inv.sources, &header, keys);
        Ok(())
    }

    fn storage_domain(&mut self, raw: &S<RawStorageDomain>) -> Result<()> {
        let ctx = &self.ctx;
        let header = raw.span();
        let raw = raw.get_ref();
        let storage = raw
            .storage
            .as_ref()
            .map(|v| ctx.choice("storage", v, STORAGE_TYPES))
            .transpose()?;
        let domain_type = raw
            .domain_type
            .as_ref()
            .map(|v| ctx.choice("type", v, DOMAIN_TYPES))
            .transpose()?;
        let replication = raw
            .replication
            .as_ref()
            .map(|v| ctx.choice("replication", v, REPLICATIONS))
            .transpose()?;
        let data_center = raw
            .data_center
            .as_ref()
            .map(|dc| {
                resolve(
                    ctx,
                    "data_center",
                    "data center",
                    &self.idx.data_centers,
                    dc,
                )
            })
            .transpose()?;
        let writable_at = list(&raw.writable_at)
            .map(|sites| resolve_list(ctx, "writable_at", "site", &self.idx.sites, sites))
            .transpose()?;
        let witness = match &raw.witness {
            None => None,
            Some(name) => {
                let site = resolve(ctx, "witness", "site", &self.idx.sites, name)?;
                let role = self.inv.sites[site].role;
                if role != SiteRole::Witness {
                    return Err(ctx.err(
                        name.span(),
                        format!(
                            "witness: site {:?} has role {:?}; the witness must be a site of role \"witness\"",
                            name.get_ref(),
                            role_name(role)
                        ),
                    ));
                }
                Some(site)
            }
        };
        let gluster = raw
            .gluster
            .as_ref()
            .map(|g| georep::volume(ctx, &self.idx.clusters, g))
            .transpose()?;
        let sessions = raw
            .georep
            .as_deref()
            .map(|s| georep::sessions(ctx, &self.idx.sites, &self.idx.clusters, s))
            .transpose()?;
        let made = upsert(
            ctx,
            "storage_domain",
            &mut self.idx.storage_domains,
            &mut self.inv.storage_domains,
            &raw.name,
            |name| StorageDomain {
                id: None,
                name,
                domain_type: DomainType::Data,
                storage: StorageType::Other,
                master: false,
                data_center: None,
                replication: None,
                writable_at: Vec::new(),
                witness: None,
                gluster: None,
                origin: None,
            },
        )?;
        for (id, new) in made {
            let domain = &mut self.inv.storage_domains[id];
            if new {
                ctx.required(
                    storage.as_ref(),
                    "storage_domain",
                    &domain.name,
                    "storage",
                    &header,
                )?;
            }
            domain.origin = Some(ctx.origin(header.clone()));
            if let Some(storage) = storage {
                domain.storage = storage;
            }
            if let Some(domain_type) = domain_type {
                domain.domain_type = domain_type;
            }
            if let Some(master) = flag(&raw.master) {
                domain.master = master;
            }
            if data_center.is_some() {
                domain.data_center = data_center;
            }
            if replication.is_some() {
                domain.replication = replication;
            }
            if let Some(sites) = &writable_at {
                domain.writable_at = ids(sites);
            }
            if witness.is_some() {
                domain.witness = witness;
            }
            if let Some(volume) = &gluster {
                if domain.storage != StorageType::Glusterfs {
                    let span = raw.gluster.as_ref().map_or(header.clone(), |g| g.span());
                    return Err(ctx.err(
                        span,
                        format!(
                            "gluster: storage domain {:?} is not a glusterfs domain; a gluster volume needs storage = \"glusterfs\"",
                            domain.name
                        ),
                    ));
                }
                domain.gluster = Some(volume.clone());
            }
            if let Some(sessions) = &sessions {
                let Some(volume) = domain.gluster.as_mut() else {
                    let span = raw
                        .georep
                        .as_ref()
                        .and_then(|s| s.first())
                        .map_or(header.clone(), |s| s.span());
                    return Err(ctx.err(
                        span,
                        format!(
                            "georep: storage domain {:?} has no gluster volume; add gluster = {{ volume = \"...\" }} to it",
                            domain.name
                        ),
                    ));
                };
                volume.georep = sessions.clone();
            }
        }
        // Each `[[storage_domain.georep]]` table: findings about its session point into it.
        for session in raw.georep.iter().flatten() {
            let table = session.span();
            let session = session.get_ref();
            record_keys(
                &self.ctx,
                &mut self.inv.sources,
                &table,
                vec![
                    (&"secondary_volume", session.secondary_volume.value_span()),
                    (&"secondary_site", session.secondary_site.value_span()),
                    (
                        &"secondary_capacity",
                        session.secondary_capacity.value_span(),
                    ),
                    (
                        &"secondary_sharding",
                        session.secondary_sharding.value_span(),
                    ),
                    (
                        &"secondary_shard_block_size",
                        session.secondary_shard_block_size.value_span(),
                    ),
                    (&"schedule", session.schedule.value_span()),
                    (&"change_rate", session.change_rate.value_span()),
                    (
                        &"change_rate_by_hour",
                        session.change_rate_by_hour.value_span(),
                    ),
                    (&"bandwidth", session.bandwidth.value_span()),
                    (&"rpo_target", session.rpo_target.value_span()),
                    (&"mode", session.mode.value_span()),
                    (&"checkpoint", session.checkpoint.value_span()),
                    (&"secondary_cluster", session.secondary_cluster.value_span()),
                    (&"secondary_status", session.secondary_status.value_span()),
                    (&"secondary_empty", session.secondary_empty.value_span()),
                    (
                        &"secondary_servers_up",
                        session.secondary_servers_up.value_span(),
                    ),
                ],
            );
        }
        let mut keys = vec![
            (&"name", raw.name.value_span()),
            (&"storage", raw.storage.value_span()),
            (&"type", raw.domain_type.value_span()),
            (&"data_center", raw.data_center.value_span()),
            (&"master", raw.master.value_span()),
            (&"replication", raw.replication.value_span()),
            (&"writable_at", raw.writable_at.value_span()),
            (&"witness", raw.witness.value_span()),
            (&"gluster", raw.gluster.value_span()),
        ];
        let gluster = raw.gluster.as_ref().map(|g| g.get_ref());
        keys.extend([
            (&"gluster.volume", gluster.map(|g| g.volume.span())),
            (
                &"gluster.shard_block_size",
                gluster.and_then(|g| g.shard_block_size.value_span()),
            ),
            (
                &"gluster.capacity",
                gluster.and_then(|g| g.capacity.value_span()),
            ),
            (
                &"gluster.replica",
                gluster.and_then(|g| g.replica.value_span()),
            ),
            (
                &"gluster.cluster",
                gluster.and_then(|g| g.cluster.value_span()),
            ),
        ]);
        record_keys(&self.ctx, &mut self.inv.sources, &header, keys);
        Ok(())
    }

    fn network(&mut self, raw: &S<RawNetwork>) -> Result<()> {
        let ctx = &self.ctx;
        let header = raw.span();
        let raw = raw.get_ref();
        let data_center = raw
            .data_center
            .as_ref()
            .map(|dc| {
                resolve(
                    ctx,
                    "data_center",
                    "data center",
                    &self.idx.data_centers,
                    dc,
                )
            })
            .transpose()?;
        let sites = list(&raw.sites)
            .map(|sites| resolve_list(ctx, "sites", "site", &self.idx.sites, sites))
            .transpose()?;
        let made = upsert(
            ctx,
            "network",
            &mut self.idx.networks,
            &mut self.inv.networks,
            &raw.name,
            |name| Network {
                id: None,
                name,
                data_center: None,
                sites: None,
                origin: None,
            },
        )?;
        for (id, _) in made {
            let network = &mut self.inv.networks[id];
            network.origin = Some(ctx.origin(header.clone()));
            if data_center.is_some() {
                network.data_center = data_center;
            }
            if let Some(sites) = &sites {
                network.sites = Some(ids(sites));
            }
        }
        let keys = vec![
            (&"name", raw.name.value_span()),
            (&"data_center", raw.data_center.value_span()),
            (&"sites", raw.sites.value_span()),
        ];
        record_keys(&self.ctx, &mut self.inv.sources, &header, keys);
        Ok(())
    }

    fn vnic_profile(&mut self, raw: &S<RawVnicProfile>) -> Result<()> {
        let ctx = &self.ctx;
        let header = raw.span();
        let raw = raw.get_ref();
        let network = raw
            .network
            .as_ref()
            .map(|n| resolve(ctx, "network", "network", &self.idx.networks, n))
            .transpose()?;
        let made = upsert(
            ctx,
            "vnic_profile",
            &mut self.idx.vnic_profiles,
            &mut self.inv.vnic_profiles,
            &raw.name,
            |name| VnicProfile {
                id: None,
                name,
                network: None,
                origin: None,
            },
        )?;
        for (id, new) in made {
            let profile = &mut self.inv.vnic_profiles[id];
            if new {
                ctx.required(
                    network.as_ref(),
                    "vnic_profile",
                    &profile.name,
                    "network",
                    &header,
                )?;
            }
            profile.origin = Some(ctx.origin(header.clone()));
            if network.is_some() {
                profile.network = network;
            }
        }
        let keys = vec![
            (&"name", raw.name.value_span()),
            (&"network", raw.network.value_span()),
        ];
        record_keys(&self.ctx, &mut self.inv.sources, &header, keys);
        Ok(())
    }

    fn host(&mut self, raw: &S<RawHost>) -> Result<()> {
        let ctx = &self.ctx;
        let header = raw.span();
        let raw = raw.get_ref();
        let site = raw
            .site
            .as_ref()
            .map(|s| resolve(ctx, "site", "site", &self.idx.sites, s))
            .transpose()?;
        let cluster = raw
            .cluster
            .as_ref()
            .map(|c| resolve(ctx, "cluster", "cluster", &self.idx.clusters, c))
            .transpose()?;
        let status = raw
            .status
            .as_ref()
            .map(|s| ctx.choice("status", s, HOST_STATUSES))
            .transpose()?;
        let memory = raw
            .memory
            .as_ref()
            .map(|m| ctx.size("memory", m))
            .transpose()?;
        let cpus = raw
            .cpus
            .as_ref()
            .map(|c| ctx.int_in("cpus", c, 1..=i64::from(u32::MAX)))
            .transpose()?;
        let spm_priority = raw
            .spm_priority
            .as_ref()
            .map(|p| ctx.int_in("spm_priority", p, -1..=10))
            .transpose()?;
        let migration_nic_speed = raw
            .migration_nic_speed
            .as_ref()
            .map(|v| {
                parse_bandwidth_bps(v.get_ref())
                    .map_err(|e| ctx.err(v.span(), format!("migration_nic_speed: {e}")))
            })
            .transpose()?;
        let made = upsert(
            ctx,
            "host",
            &mut self.idx.hosts,
            &mut self.inv.hosts,
            &raw.name,
            |name| Host {
                id: None,
                name,
                site: None,
                cluster: None,
                // A designed host is assumed running.
                status: HostStatus::Up,
                spm_priority: defaults::SPM_PRIORITY,
                spm_status: SpmStatus::None,
                memory_bytes: 0,
                cpus: 0,
                // oVirt adds hosts with power management off and without hosted-engine deployment.
                power_management: false,
                hosted_engine: false,
                migration_nic_speed_bps: None,
                labels: Vec::new(),
                origin: None,
            },
        )?;
        for (id, new) in made {
            let host = &mut self.inv.hosts[id];
            if new {
                ctx.required(cluster.as_ref(), "host", &host.name, "cluster", &header)?;
                ctx.required(memory.as_ref(), "host", &host.name, "memory", &header)?;
                ctx.required(cpus.as_ref(), "host", &host.name, "cpus", &header)?;
            }
            host.origin = Some(ctx.origin(header.clone()));
            if site.is_some() {
                host.site = site;
                if let Some(value) = &raw.site {
                    self.explicit_site.insert(id, value.span());
                }
            }
            if cluster.is_some() {
                host.cluster = cluster;
            }
            if let Some(status) = status {
                host.status = status;
            }
            if let Some(memory) = memory {
                host.memory_bytes = memory;
            }
            if let Some(cpus) = cpus {
                host.cpus = cpus as u32;
            }
            if let Some(priority) = spm_priority {
                host.spm_priority = priority as i32;
            }
            if let Some(he) = flag(&raw.hosted_engine) {
                host.hosted_engine = he;
            }
            if let Some(pm) = flag(&raw.power_management) {
                host.power_management = pm;
            }
            if migration_nic_speed.is_some() {
                host.migration_nic_speed_bps = migration_nic_speed;
            }
        }
        let keys = vec![
            (&"name", raw.name.value_span()),
            (&"site", raw.site.value_span()),
            (&"cluster", raw.cluster.value_span()),
            (&"status", raw.status.value_span()),
            (&"memory", raw.memory.value_span()),
            (&"cpus", raw.cpus.value_span()),
            (&"spm_priority", raw.spm_priority.value_span()),
            (&"hosted_engine", raw.hosted_engine.value_span()),
            (&"power_management", raw.power_management.value_span()),
            (&"migration_nic_speed", raw.migration_nic_speed.value_span()),
        ];
        record_keys(&self.ctx, &mut self.inv.sources, &header, keys);
        Ok(())
    }

    /// The VMs, in file order, a chunk at a time: the fields of a chunk's VMs are read
    /// (on all cores for thousands of VMs, [`vm_fields`]), then applied in file order.
    /// Whenever reading them on all cores meets an error, or leaves too few names for the
    /// VMs' own, the chunk's VMs are read and applied again one at a time, so every error
    /// is the one the file order gives. Thousands of lazy tables go through [`pipeline`]
    /// instead.
    fn vms(&mut self, tables: VmTables<'_>) -> Result<()> {
        // One VM a table, unless its name is a range.
        self.inv.vms.reserve(tables.len());
        self.inv.sources.reserve_keys(tables.len());
        self.idx.vms.ids.reserve(tables.len());
        if matches!(tables, VmTables::Lazy(_)) && tables.len() >= PARALLEL_VMS {
            let mut index = std::mem::take(&mut self.idx.vms);
            let built = pipeline(&self.ctx, &self.idx, &mut self.inv, &mut index, tables);
            self.idx.vms = index;
            return built;
        }
        let mut start = 0;
        while start < tables.len() {
            let chunk = start..tables.len().min(start + VM_CHUNK);
            start = chunk.end;
            if let Some(fields) = self.vm_fields_on_all_cores(tables, chunk.clone()) {
                for fields in fields {
                    self.vm(fields)?;
                }
                continue;
            }
            for i in chunk {
                let fields = tables.fields(&self.ctx, &self.idx, i)?;
                self.vm(fields)?;
            }
        }
        Ok(())
    }

    /// The fields of the VMs of `chunk` read on all cores, if there are VMs enough and
    /// none meets an error.
    fn vm_fields_on_all_cores<'s>(
        &self,
        tables: VmTables<'s>,
        chunk: Range<usize>,
    ) -> Option<Vec<VmFields<'s>>> {
        if tables.len() < PARALLEL_VMS {
            return None;
        }
        let (ctx, idx) = (&self.ctx, &self.idx);
        let left = ctx.names.left();
        let fields: Option<Vec<VmFields<'s>>> = crate::parallel::install(|| {
            chunk
                .clone()
                .into_par_iter()
                .map(|i| tables.fields(ctx, idx, i).ok())
                .collect()
        });
        let names: usize = fields.iter().flatten().map(|f| f.names).sum();
        match fields {
            Some(fields) if ctx.names.left() >= names => Some(fields),
            _ => {
                ctx.names.reset(left);
                None
            }
        }
    }

    fn vm(&mut self, fields: VmFields<'_>) -> Result<()> {
        apply_vm(&self.ctx, &mut self.idx.vms, &mut self.inv, fields)
    }

    fn affinity_label(&mut self, raw: &S<RawAffinityLabel>) -> Result<()> {
        let ctx = &self.ctx;
        let header = raw.span();
        let raw = raw.get_ref();
        let vms = list(&raw.vms)
            .map(|v| resolve_list(ctx, "vms", "vm", &self.idx.vms, v))
            .transpose()?;
        let hosts = list(&raw.hosts)
            .map(|h| resolve_list(ctx, "hosts", "host", &self.idx.hosts, h))
            .transpose()?;
        let made = upsert(
            ctx,
            "affinity_label",
            &mut self.idx.affinity_labels,
            &mut self.inv.affinity_labels,
            &raw.name,
            |name| AffinityLabel {
                id: None,
                name,
                vms: Vec::new(),
                hosts: Vec::new(),
                origin: None,
            },
        )?;
        for (id, _) in made {
            let label = &mut self.inv.affinity_labels[id];
            label.origin = Some(ctx.origin(header.clone()));
            if let Some(vms) = &vms {
                label.vms = ids(vms);
            }
            if let Some(hosts) = &hosts {
                label.hosts = ids(hosts);
                // Hosts carry the names of their labels, as the export loader records them.
                for &(host, _) in hosts {
                    let labels = &mut self.inv.hosts[host].labels;
                    if !labels.contains(&label.name) {
                        labels.push(label.name.clone());
                    }
                }
            }
        }
        let keys = vec![
            (&"name", raw.name.value_span()),
            (&"vms", raw.vms.value_span()),
            (&"hosts", raw.hosts.value_span()),
        ];
        record_keys(&self.ctx, &mut self.inv.sources, &header, keys);
        Ok(())
    }

    /// Puts hosts into sites: a host's own `site`, then the sites' `hosts` globs and `label`s.
    /// Two different sites claiming one host is an error, as is a glob or label that claims
    /// no host at all (almost always a typo).
    fn assign_sites(&mut self, sites: &[S<RawSite>]) -> Result<()> {
        let ctx = &self.ctx;
        let mut claimed: HashMap<HostId, (SiteId, Range<usize>)> = self
            .explicit_site
            .iter()
            .filter_map(|(&host, span)| Some((host, (self.inv.hosts[host].site?, span.clone()))))
            .collect();
        for raw in sites {
            let raw = raw.get_ref();
            let site = self
                .idx
                .sites
                .get(raw.name.get_ref())
                .expect("sites were added first");
            let mut claims: Vec<(Vec<HostId>, Range<usize>, String)> = Vec::new();
            for glob in list(&raw.hosts).into_iter().flatten() {
                let matcher = Glob::new(glob.get_ref())
                    .expect("globs were checked with their site")
                    .compile_matcher();
                let hosts: Vec<HostId> = self
                    .inv
                    .hosts
                    .iter()
                    .filter(|(_, h)| matcher.is_match(&h.name))
                    .map(|(id, _)| id)
                    .collect();
                let what = format!("hosts: the glob {:?}", glob.get_ref());
                claims.push((hosts, glob.span(), what));
            }
            if let Some(label) = &raw.label {
                resolve(
                    ctx,
                    "label",
                    "affinity label",
                    &self.idx.affinity_labels,
                    label,
                )?;
                let hosts: Vec<HostId> = self
                    .inv
                    .hosts
                    .iter()
                    .filter(|(_, h)| h.labels.iter().any(|l| l == label.get_ref()))
                    .map(|(id, _)| id)
                    .collect();
                let what = format!("label: the affinity label {:?}", label.get_ref());
                claims.push((hosts, label.span(), what));
            }
            for (hosts, span, what) in claims {
                if hosts.is_empty() {
                    return Err(ctx.err(
                        span,
                        format!("{what} of site {:?} matches no host", raw.name.get_ref()),
                    ));
                }
                for host in hosts {
                    match claimed.entry(host) {
                        Entry::Occupied(first) if first.get().0 != site => {
                            let (other, other_span) = first.get();
                            return Err(ctx.err(
                                span,
                                format!(
                                    "{what} puts host {:?} in site {:?}, but line {} puts it in site {:?}",
                                    self.inv.hosts[host].name,
                                    raw.name.get_ref(),
                                    ctx.line(other_span.start),
                                    self.inv.sites[*other].name
                                ),
                            ));
                        }
                        Entry::Occupied(_) => {}
                        Entry::Vacant(slot) => {
                            slot.insert((site, span.clone()));
                            self.inv.hosts[host].site = Some(site);
                        }
                    }
                }
            }
        }
        Ok(())
    }

    fn affinity_group(&mut self, raw: &S<RawAffinityGroup>) -> Result<()> {
        let ctx = &self.ctx;
        let header = raw.span();
        let raw = raw.get_ref();
        let cluster = raw
            .cluster
            .as_ref()
            .map(|c| resolve(ctx, "cluster", "cluster", &self.idx.clusters, c))
            .transpose()?;
        let vms = list(&raw.vms)
            .map(|v| resolve_list(ctx, "vms", "vm", &self.idx.vms, v))
            .transpose()?;
        let hosts = list(&raw.hosts)
            .map(|h| resolve_list(ctx, "hosts", "host", &self.idx.hosts, h))
            .transpose()?;
        let labels = list(&raw.labels)
            .map(|l| {
                resolve_list(
                    ctx,
                    "labels",
                    "affinity label",
                    &self.idx.affinity_labels,
                    l,
                )
            })
            .transpose()?;
        let hosts_rule = raw
            .hosts_rule
            .as_ref()
            .map(|r| rule(ctx, "hosts_rule", r))
            .transpose()?;
        let vms_rule = raw
            .vms_rule
            .as_ref()
            .map(|r| rule(ctx, "vms_rule", r))
            .transpose()?;
        let priority = match &raw.priority {
            Some(p) if !p.get_ref().is_finite() || *p.get_ref() < 0.0 => {
                return Err(ctx.err(
                    p.span(),
                    format!(
                        "priority {} is out of range: expected a finite number >= 0",
                        p.get_ref()
                    ),
                ));
            }
            Some(p) => Some(*p.get_ref()),
            None => None,
        };
        let made = upsert(
            ctx,
            "affinity_group",
            &mut self.idx.affinity_groups,
            &mut self.inv.affinity_groups,
            &raw.name,
            |name| AffinityGroup {
                id: None,
                name,
                cluster: None,
                vms: Vec::new(),
                hosts: Vec::new(),
                labels: Vec::new(),
                vms_rule: AffinityRule::default(),
                hosts_rule: AffinityRule::default(),
                priority: defaults::AFFINITY_PRIORITY,
                origin: None,
            },
        )?;
        for (id, new) in made {
            let group = &mut self.inv.affinity_groups[id];
            if new {
                ctx.required(
                    cluster.as_ref(),
                    "affinity_group",
                    &group.name,
                    "cluster",
                    &header,
                )?;
            }
            group.origin = Some(ctx.origin(header.clone()));
            if cluster.is_some() {
                group.cluster = cluster;
            }
            if let Some(vms) = &vms {
                group.vms = ids(vms);
            }
            if let Some(hosts) = &hosts {
                group.hosts = ids(hosts);
            }
            if let Some(labels) = &labels {
                group.labels = ids(labels);
            }
            if let Some(rule) = hosts_rule {
                group.hosts_rule = rule;
            }
            if let Some(rule) = vms_rule {
                group.vms_rule = rule;
            }
            if let Some(priority) = priority {
                group.priority = priority;
            }
            // oVirt keeps an affinity group within one cluster: its members must be there too.
            let Some(group_cluster) = group.cluster else {
                continue;
            };
            let members = vms.iter().flatten().map(|(vm, span)| {
                let vm = &self.inv.vms[*vm];
                ("vm", &vm.name, vm.cluster, span)
            });
            let host_members = hosts.iter().flatten().map(|(host, span)| {
                let host = &self.inv.hosts[*host];
                ("host", &host.name, host.cluster, span)
            });
            for (kind, name, member_cluster, span) in members.chain(host_members) {
                if let Some(other) = member_cluster.filter(|&c| c != group_cluster) {
                    return Err(ctx.err(
                        span.clone(),
                        format!(
                            "{kind}s: {kind} {name:?} is in cluster {:?}, not in the group's cluster {:?}",
                            self.inv.clusters[other].name, self.inv.clusters[group_cluster].name
                        ),
                    ));
                }
            }
        }
        let mut keys = vec![
            (&"name", raw.name.value_span()),
            (&"cluster", raw.cluster.value_span()),
            (&"vms", raw.vms.value_span()),
            (&"hosts", raw.hosts.value_span()),
            (&"labels", raw.labels.value_span()),
            (&"hosts_rule", raw.hosts_rule.value_span()),
            (&"vms_rule", raw.vms_rule.value_span()),
            (&"priority", raw.priority.value_span()),
        ];
        for (rule, name) in [(&raw.hosts_rule, "hosts_rule"), (&raw.vms_rule, "vms_rule")] {
            let rule = rule.as_ref().map(|r| r.get_ref());
            let nested: [(&'static &'static str, Option<Range<usize>>); 3] = if name == "hosts_rule"
            {
                [
                    (
                        &"hosts_rule.enabled",
                        rule.and_then(|r| r.enabled.value_span()),
                    ),
                    (
                        &"hosts_rule.positive",
                        rule.and_then(|r| r.positive.value_span()),
                    ),
                    (
                        &"hosts_rule.enforcing",
                        rule.and_then(|r| r.enforcing.value_span()),
                    ),
                ]
            } else {
                [
                    (
                        &"vms_rule.enabled",
                        rule.and_then(|r| r.enabled.value_span()),
                    ),
                    (
                        &"vms_rule.positive",
                        rule.and_then(|r| r.positive.value_span()),
                    ),
                    (
                        &"vms_rule.enforcing",
                        rule.and_then(|r| r.enforcing.value_span()),
                    ),
                ]
            };
            keys.extend(nested);
        }
        record_keys(&self.ctx, &mut self.inv.sources, &header, keys);
        Ok(())
    }
}

/// An affinity rule as written: `enabled` defaults to true (see
/// [`defaults::AFFINITY_RULE_ENABLED`]); `positive` and `enforcing` are required when the
/// rule is enabled, as the API model requires them.
fn rule(ctx: &Ctx, field: &str, raw: &S<RawAffinityRule>) -> Result<AffinityRule> {
    let r = raw.get_ref();
    let enabled = flag(&r.enabled).unwrap_or(defaults::AFFINITY_RULE_ENABLED);
    let need = |value: Option<bool>, key: &str| match value {
        Some(v) => Ok(v),
        None if !enabled => Ok(false),
        None => Err(ctx.err(
            raw.span(),
            format!("{field}: `{key}` is required when the rule is enabled"),
        )),
    };
    Ok(AffinityRule {
        enabled,
        positive: need(flag(&r.positive), "positive")?,
        enforcing: need(flag(&r.enforcing), "enforcing")?,
    })
}

/// Records where the table at `header` writes each key it writes, so findings can point at
/// the key they judge ([`crate::SourceMap::key_origin`]).
fn record_keys(
    ctx: &Ctx,
    sources: &mut SourceMap,
    header: &Range<usize>,
    keys: Vec<(&'static &'static str, Option<Range<usize>>)>,
) {
    sources.add_keys(ctx.origin(header.clone()), written_keys(ctx, &keys));
}

/// The place of each key of `keys` the table writes: the key's text, found back from its
/// value's span.
fn written_keys(ctx: &Ctx, keys: &[(&'static &'static str, Option<Range<usize>>)]) -> Vec<KeySpan> {
    // At its length: the map keeps it as a boxed slice, without a reallocation.
    let mut written = Vec::with_capacity(keys.iter().filter(|(_, v)| v.is_some()).count());
    written.extend(keys.iter().filter_map(|(key, value)| {
        let span = key_span(&ctx.text, value.clone()?);
        Some(KeySpan {
            key,
            offset: span.start as u32,
            len: (span.end - span.start) as u32,
        })
    }));
    written
}

/// Two `[[link]]` tables for the same pair of sites would leave it unclear which holds.
fn check_duplicate_links(ctx: &Ctx, inv: &Inventory, raw: &[S<RawLink>]) -> Result<()> {
    let mut seen: HashMap<(SiteId, SiteId), usize> = HashMap::new();
    let design_links = &inv.links[inv.links.len() - raw.len()..];
    for (link, raw) in design_links.iter().zip(raw) {
        let (a, b) = link.sites;
        let key = (a.min(b), a.max(b));
        if let Some(first) = seen.insert(key, raw.span().start) {
            return Err(ctx.err(
                raw.get_ref().sites.span(),
                format!(
                    "duplicate link between {:?} and {:?}: already defined at line {}",
                    inv.sites[a].name,
                    inv.sites[b].name,
                    ctx.line(first)
                ),
            ));
        }
    }
    Ok(())
}

fn role_name(role: SiteRole) -> &'static str {
    ROLES
        .iter()
        .find(|(_, r)| *r == role)
        .map_or("?", |(name, _)| name)
}

/// Lazy tables of thousands of VMs: while one chunk's VMs are applied in file order, the
/// next chunk's are read on the other cores. An error (as any in a lazy build) fails the
/// build without care for which comes first: the caller builds again from the `toml`
/// crate's reading. `idx.vms` is not read (VM fields name no VM); `index` stands for it.
fn pipeline(
    ctx: &Ctx,
    idx: &Indexes,
    inv: &mut Inventory,
    index: &mut NameIndex<VmId>,
    tables: VmTables<'_>,
) -> Result<()> {
    let read = |chunk: Range<usize>| -> Result<Vec<VmFields<'_>>> {
        chunk
            .into_par_iter()
            .map(|i| tables.fields(ctx, idx, i))
            .collect()
    };
    let all = tables.len();
    crate::parallel::install(|| {
        let mut next = read(0..all.min(VM_CHUNK))?;
        let mut start = 0;
        while !next.is_empty() {
            start += next.len();
            let chunk = start..all.min(start + VM_CHUNK);
            let fields = std::mem::take(&mut next);
            let (applied, read) = rayon::join(
                || {
                    fields
                        .into_iter()
                        .try_for_each(|fields| apply_vm(ctx, index, inv, fields))
                },
                || read(chunk),
            );
            applied?;
            next = read?;
        }
        Ok(())
    })
}

/// Applies a VM's fields: makes or updates the VM of each name its `name` stands for.
fn apply_vm(
    ctx: &Ctx,
    index: &mut NameIndex<VmId>,
    inv: &mut Inventory,
    fields: VmFields<'_>,
) -> Result<()> {
    let VmFields {
        header,
        name,
        ha,
        delete_protected,
        runs_on_span,
        cluster,
        memory,
        cpus,
        status,
        ha_priority,
        lease,
        resume,
        placement,
        mut placement_hosts,
        mut disks,
        mut networks,
        mut vnic_profiles,
        runs_on,
        keys,
        names: _,
    } = fields;
    let made = upsert(ctx, "vm", index, &mut inv.vms, &name, |name| Vm {
        id: None,
        name,
        cluster: None,
        memory_bytes: defaults::VM_MEMORY_BYTES,
        cpus: defaults::VM_CPUS,
        // A design lists what runs: a VM is up unless it says `status = "down"`;
        // without `runs_on` the scheduler places it.
        status: VmStatus::Up,
        host: None,
        ha: false,
        ha_priority: defaults::HA_PRIORITY,
        lease: None,
        resume_behaviour: ResumeBehaviour::AutoResume,
        placement: defaults::PLACEMENT,
        placement_hosts: Vec::new(),
        disks: Vec::new(),
        networks: Vec::new(),
        vnic_profiles: Vec::new(),
        delete_protected: false,
        hosted_engine: false,
        origin: None,
    })?;
    let last = made.len().saturating_sub(1);
    for (n, (id, new)) in made.into_iter().enumerate() {
        let vm = &mut inv.vms[id];
        if new {
            ctx.required(cluster.as_ref(), "vm", &vm.name, "cluster", &header)?;
        }
        vm.origin = Some(ctx.origin(header.clone()));
        if cluster.is_some() {
            vm.cluster = cluster;
        }
        if let Some(memory) = memory {
            vm.memory_bytes = memory;
        }
        if let Some(cpus) = cpus {
            vm.cpus = cpus as u32;
        }
        if let Some(status) = status {
            vm.status = status;
        }
        if runs_on.is_some() {
            vm.host = runs_on;
        }
        if let Some(ha) = ha {
            vm.ha = ha;
        }
        if let Some(priority) = ha_priority {
            vm.ha_priority = priority as u32;
        }
        if lease.is_some() {
            vm.lease = lease;
        }
        if let Some(resume) = resume {
            vm.resume_behaviour = resume;
        } else if new {
            vm.resume_behaviour = defaults::resume_behaviour(vm.ha, vm.lease.is_some());
        }
        if let Some(placement) = placement {
            vm.placement = placement;
        }
        // The lists go to the last (mostly the only) VM of the name; the others get copies.
        fn list<T: Clone>(list: &mut Option<Vec<T>>, last: bool) -> Option<Vec<T>> {
            if last { list.take() } else { list.clone() }
        }
        if let Some(hosts) = list(&mut placement_hosts, n == last) {
            vm.placement_hosts = hosts;
        }
        if let Some(disks) = list(&mut disks, n == last) {
            vm.disks = disks;
        }
        if let Some(networks) = list(&mut networks, n == last) {
            vm.networks = networks;
        }
        if let Some(profiles) = list(&mut vnic_profiles, n == last) {
            vm.vnic_profiles = profiles;
        }
        if let Some(protected) = delete_protected {
            vm.delete_protected = protected;
        }
        if let (Some(host), Some(vm_cluster)) = (vm.host, vm.cluster) {
            let host = &inv.hosts[host];
            if let Some(host_cluster) = host.cluster.filter(|&c| c != vm_cluster) {
                let span = runs_on_span.clone().unwrap_or_else(|| header.clone());
                return Err(ctx.err(
                    span,
                    format!(
                        "runs_on: host {:?} is in cluster {:?}, not in vm {:?}'s cluster {:?}",
                        host.name,
                        inv.clusters[host_cluster].name,
                        vm.name,
                        inv.clusters[vm_cluster].name
                    ),
                ));
            }
        }
    }
    inv.sources.add_keys(ctx.origin(header), keys);
    Ok(())
}
