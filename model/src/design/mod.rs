//! The design / overlay TOML of FORMATS.md.
//!
//! Two stages, as cargo-deny reads its config: [`raw`] deserializes the file with spans and
//! rejects unknown keys, then [`build`] checks references, ranges and enumerations while it
//! fills an [`Inventory`]. Every error is a [`LoadError`] at the offending value.
//!
//! In a design of its own (no `[source]`), the two stages interleave for the `[[vm]]`
//! tables: each chunk of them is decoded (by the `fast` reader) as the builder reaches it,
//! and freed once its fields are read. Anything the fast reader leaves, and any error, sends
//! the design through the `toml` crate and the builder again, so what users see of an
//! error never depends on the reader.
//!
//! A design with `[source] export = "dir"` is an overlay: the export is loaded first and
//! the file applied on top. A table whose name the export already holds changes only the
//! fields it gives; a new name adds an entity, with oVirt's defaults ([`defaults`]) for the
//! fields left out.

mod build;
pub mod defaults;
mod fast;
pub mod names;
mod raw;

use std::path::Path;
use std::sync::Arc;

use rayon::iter::{IndexedParallelIterator, IntoParallelIterator, ParallelIterator};

use crate::design::build::VmTables;
use crate::design::fast::Split;
use crate::design::raw::{RawDesign, RawVm};
use crate::error::LoadError;
use crate::export::load_export;
use crate::inventory::Inventory;
use crate::origin::LineIndex;

/// Loads a design file (and, with `[source] export = ...`, the export it overlays).
pub fn load_design(path: &Path) -> Result<Inventory, LoadError> {
    let text = crate::read::read_text(path, "design file")?;
    load_design_with_engine(path, text, None)
}

/// Loads a design from text; `path` names it in errors and resolves relative paths.
///
/// A design whose `[source]` is a live `engine` is an error here: reading an engine needs
/// credentials, which only the caller has; see [`load_design_with_engine`].
pub fn load_design_str(path: &Path, text: &str) -> Result<Inventory, LoadError> {
    load_design_with_engine(path, text, None)
}

/// Reads a live engine's inventory from its URL; supplied by the caller, who holds the credentials.
pub type EngineReader<'a> = &'a dyn Fn(&str) -> Result<Inventory, LoadError>;

/// Loads a design from text, reading a `[source] engine = URL` with `read_engine`.
///
/// Given the text as a `String`, the loader keeps its one copy and frees the `String` first.
pub fn load_design_with_engine(
    path: &Path,
    text: impl Into<Arc<str>>,
    read_engine: Option<EngineReader<'_>>,
) -> Result<Inventory, LoadError> {
    let text: Arc<str> = text.into();
    let (raw, split, lines) = parse(path, &text)?;
    let base = match raw.source.as_ref().map(|s| s.get_ref()) {
        None => Inventory::default(),
        Some(source) => match (&source.export, &source.engine) {
            (Some(_), Some(engine)) => {
                return Err(LoadError::at(
                    path,
                    &text,
                    engine.span(),
                    "[source] takes either `export` or `engine`, not both",
                ));
            }
            (Some(export), None) => {
                let dir = path
                    .parent()
                    .unwrap_or(Path::new(""))
                    .join(export.get_ref());
                load_export(&dir)?
            }
            (None, Some(engine)) => match read_engine {
                Some(read) => read(engine.get_ref())?,
                None => {
                    return Err(LoadError::at(
                        path,
                        &text,
                        engine.span(),
                        "this design reads a live engine: load it with the stretchdr command line, which asks for the credentials",
                    ));
                }
            },
            (None, None) => {
                let span = raw.source.as_ref().map_or(0..0, |s| s.span());
                return Err(LoadError::at(
                    path,
                    &text,
                    span,
                    "[source] needs `export` (a directory of API responses, relative to this file)",
                ));
            }
        },
    };
    let lazy = raw.source.is_none();
    let (raw, mut inventory) = match split {
        // A design of its own (no base to rebuild): its VMs decoded as they are applied.
        Some(split) if lazy => {
            let lazily = build::apply(
                base,
                path,
                (Arc::clone(&text), Arc::clone(&lines)),
                &raw,
                VmTables::Lazy(&split),
            );
            match lazily {
                Ok(inventory) if split.all_read() => (raw, inventory),
                // A table the fast reader leaves, or an error: the `toml` crate reads the
                // design, and the build from its reading reports the error users see.
                _ => {
                    drop(split);
                    let raw = parse_toml(path, &text)?;
                    let inventory = build::apply(
                        Inventory::default(),
                        path,
                        (text, lines),
                        &raw,
                        VmTables::Decoded(&raw.vm),
                    )?;
                    (raw, inventory)
                }
            }
        }
        split => {
            let raw = decoded(path, &text, raw, split)?;
            let inventory =
                build::apply(base, path, (text, lines), &raw, VmTables::Decoded(&raw.vm))?;
            (raw, inventory)
        }
    };
    let export = raw
        .source
        .as_ref()
        .and_then(|s| s.get_ref().export.as_ref())
        .map(|export| export.get_ref().clone());
    drop_tables(raw);
    // gluster's own geo-replication status, saved next to the export, once the design has
    // named the domains' gluster volumes.
    if let Some(export) = export {
        let dir = path.parent().unwrap_or(Path::new("")).join(export);
        crate::export::gluster::apply_saved_status(&dir, &mut inventory)?;
    }
    Ok(inventory)
}

/// Applies a design to an inventory loaded by the caller (an export, or later a live
/// engine). `[source]`, if present, is not read: `base` stands for it.
pub fn overlay_design_str(
    base: Inventory,
    path: &Path,
    text: &str,
) -> Result<Inventory, LoadError> {
    let text: Arc<str> = Arc::from(text);
    let (raw, split, lines) = parse(path, &text)?;
    let raw = decoded(path, &text, raw, split)?;
    let inventory = build::apply(base, path, (text, lines), &raw, VmTables::Decoded(&raw.vm));
    drop_tables(raw);
    inventory
}

/// The design with its `[[vm]]` tables decoded: those the fast reader left in the text,
/// all at once, or the whole design by the `toml` crate if the fast reader leaves some.
fn decoded(
    path: &Path,
    text: &Arc<str>,
    mut raw: RawDesign,
    split: Option<Split<'_>>,
) -> Result<RawDesign, LoadError> {
    let Some(split) = split else {
        return Ok(raw);
    };
    match crate::parallel::install(|| split.decode_all::<RawVm>()) {
        Some(vms) => {
            raw.vm = vms;
            Ok(raw)
        }
        None => parse_toml(path, text),
    }
}

/// Every key the design loader accepts, per table: `("vm", ["name", "cluster", ...])`, the
/// top level as `""`, nested tables by their path (`"cluster.fencing"`,
/// `"storage_domain.georep"`). Read from the loader's own structs ([`crate::keys::fields_of`]),
/// so it is the very list the loader enforces. `[slo]` takes any metric name as a key.
pub fn keys() -> Vec<(&'static str, &'static [&'static str])> {
    use crate::keys::fields_of;
    use raw::{
        RawAffinityGroup, RawAffinityLabel, RawAffinityRule, RawCluster, RawDataCenter, RawEngine,
        RawFencing, RawGeoRep, RawGluster, RawHost, RawLink, RawNetwork, RawSite, RawSource,
        RawStorageDomain, RawVm, RawVnicProfile,
    };
    vec![
        ("", fields_of::<RawDesign>()),
        ("source", fields_of::<RawSource>()),
        ("engine", fields_of::<RawEngine>()),
        ("site", fields_of::<RawSite>()),
        ("link", fields_of::<RawLink>()),
        ("data_center", fields_of::<RawDataCenter>()),
        ("cluster", fields_of::<RawCluster>()),
        ("cluster.fencing", fields_of::<RawFencing>()),
        ("host", fields_of::<RawHost>()),
        ("network", fields_of::<RawNetwork>()),
        ("vnic_profile", fields_of::<RawVnicProfile>()),
        ("storage_domain", fields_of::<RawStorageDomain>()),
        ("storage_domain.gluster", fields_of::<RawGluster>()),
        ("storage_domain.georep", fields_of::<RawGeoRep>()),
        ("vm", fields_of::<RawVm>()),
        ("affinity_label", fields_of::<RawAffinityLabel>()),
        ("affinity_group", fields_of::<RawAffinityGroup>()),
        ("affinity_group.hosts_rule", fields_of::<RawAffinityRule>()),
        ("affinity_group.vms_rule", fields_of::<RawAffinityRule>()),
    ]
}

/// Stage one: the TOML as written, with spans; syntax errors and unknown keys end here. The
/// fast reader ([`fast`]) takes what designs are written in; whatever it leaves, and every
/// error, is parsed by the `toml` crate, whose messages the user sees. The file's line
/// index is built meanwhile on another core ([`crate::parallel`]).
/// The `[[vm]]` tables are left in the text ([`Split`]) when the fast reader takes it.
fn parse<'t>(
    path: &Path,
    text: &'t Arc<str>,
) -> Result<(RawDesign, Option<Split<'t>>, Arc<LineIndex>), LoadError> {
    let (raw, lines) = crate::parallel::install(|| {
        rayon::join(|| parse_raw(path, text), || Arc::new(LineIndex::new(text)))
    });
    let (raw, split) = raw?;
    Ok((raw, split, lines))
}

/// Frees the tables as written once applied, those of the VMs on all cores: one string per
/// value of 20,000 VMs takes a while to free.
fn drop_tables(mut raw: RawDesign) {
    let vms = std::mem::take(&mut raw.vm);
    drop(raw);
    if vms.len() < DROP_ON_ALL_CORES {
        return;
    }
    crate::parallel::install(|| vms.into_par_iter().with_min_len(1_024).for_each(drop));
}

/// VMs at least this many are freed on all cores.
const DROP_ON_ALL_CORES: usize = 4_096;

fn parse_raw<'t>(
    path: &Path,
    text: &'t Arc<str>,
) -> Result<(RawDesign, Option<Split<'t>>), LoadError> {
    if let Some((raw, split)) = fast::from_str_split::<RawDesign>(text, "vm") {
        #[cfg(debug_assertions)]
        same_as_toml(text);
        return Ok((raw, split));
    }
    Ok((parse_toml(path, text)?, None))
}

/// The design read by the `toml` crate.
fn parse_toml(path: &Path, text: &Arc<str>) -> Result<RawDesign, LoadError> {
    // serde names Rust types and lists what it expected; the reader of a design file thinks
    // in TOML's types and wants the key it most likely meant.
    toml::from_str(text).map_err(|e| crate::keys::toml_error(path, text, &e))
}

/// Debug builds (every test) check the fast reader against the `toml` crate on each design
/// up to a megabyte that the fast reader takes whole: the same values, the same spans. (It
/// reads the design a second time: the loader's reading decodes each table once.)
#[cfg(debug_assertions)]
fn same_as_toml(text: &str) {
    if text.len() > 1 << 20 {
        return;
    }
    let Some((mut fast, split)) = fast::from_str_split::<RawDesign>(text, "vm") else {
        return;
    };
    if let Some(split) = split {
        match split.decode_all::<RawVm>() {
            Some(vms) => fast.vm = vms,
            None => return,
        }
    }
    let full: Result<RawDesign, _> = toml::from_str(text);
    assert_eq!(
        full.map(|raw| format!("{raw:?}"))
            .map_err(|e| e.to_string()),
        Ok(format!("{fast:?}")),
        "the fast reader and the toml crate differ on this design:\n{text}"
    );
}
