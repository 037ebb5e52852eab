//! Writes [`Edit`]s into a design TOML with `toml_edit`: only the values that change are
//! touched, so comments, key order and formatting stay as the author left them.
//!
//! Each entity is found by the table whose `name` (a name or a `{a..b}` range) stands for it.
//! A table standing for several entities is edited only when every one of them gets the same
//! change; otherwise the fix says so instead of splitting the table. In an overlay (a design
//! with `[source]`), an entity no table names gets a new table with just the changed field.

use std::collections::{BTreeMap, HashMap};

use stretchdr_model::Inventory;
use stretchdr_model::design::names::NamePattern;
use thiserror::Error;
use toml_edit::{Array, ArrayOfTables, DocumentMut, InlineTable, Item, Table, TableLike, Value};

use super::{Edit, SiteGroup};

/// Why a design could not be edited.
#[derive(Debug, Error)]
pub enum DesignFixError {
    #[error("the design is not valid TOML: {0}")]
    Syntax(#[from] toml_edit::TomlError),
    #[error(
        "{kind} {entity} shares its table {pattern:?} with entities that need no {change}: split the table, then run the fix again"
    )]
    SharedTable {
        kind: &'static str,
        entity: String,
        pattern: String,
        change: &'static str,
    },
    #[error("no [[{kind}]] table names {entity}")]
    NotDefined { kind: &'static str, entity: String },
}

/// The table kinds the fixes edit, as the design spells their arrays.
const VM: &str = "vm";
const HOST: &str = "host";
const CLUSTER: &str = "cluster";
const GROUP: &str = "affinity_group";

/// A change of one field of a table.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Change {
    Text(&'static str, String),
    Integer(&'static str, i64),
    /// A key of an inline table such as `fencing = { ... }`.
    Nested(&'static str, &'static str, NestedValue),
}

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum NestedValue {
    Bool(bool),
    Integer(i64),
}

impl Change {
    fn label(&self) -> &'static str {
        match self {
            Change::Text(key, _) | Change::Integer(key, _) | Change::Nested(key, _, _) => key,
        }
    }
}

/// Where each entity's table is: per kind, expanded name -> (index in the array of tables,
/// the name as written, how many names it stands for).
struct Tables {
    by_kind: HashMap<&'static str, HashMap<String, (usize, String, usize)>>,
}

impl Tables {
    fn index(doc: &DocumentMut) -> Tables {
        let mut by_kind = HashMap::new();
        for kind in [VM, HOST, CLUSTER, GROUP] {
            let mut names = HashMap::new();
            if let Some(tables) = doc.get(kind).and_then(Item::as_array_of_tables) {
                for (i, table) in tables.iter().enumerate() {
                    let Some(written) = table.get("name").and_then(Item::as_str) else {
                        continue;
                    };
                    let Ok(pattern) = NamePattern::parse(written) else {
                        continue;
                    };
                    let len = pattern.len();
                    for name in pattern.names() {
                        names.insert(name.into_owned(), (i, written.to_string(), len));
                    }
                }
            }
            by_kind.insert(kind, names);
        }
        Tables { by_kind }
    }

    fn get(&self, kind: &str, name: &str) -> Option<&(usize, String, usize)> {
        self.by_kind.get(kind).and_then(|names| names.get(name))
    }
}

/// An entity of a table and the changes it gets.
type Member<'c> = (&'c String, &'c Vec<Change>);

/// The design text with `edits` applied.
pub fn apply(inventory: &Inventory, text: &str, edits: &[&Edit]) -> Result<String, DesignFixError> {
    let mut doc: DocumentMut = text.parse()?;
    let overlay = doc.contains_key("source");
    let tables = Tables::index(&doc);

    // Field changes per (kind, entity name), gathered first so shared tables can be checked.
    let mut changes: BTreeMap<(&'static str, String), Vec<Change>> = BTreeMap::new();
    let mut joins: BTreeMap<SiteGroup, Vec<stretchdr_model::VmId>> = BTreeMap::new();
    let leased: Vec<stretchdr_model::VmId> = edits
        .iter()
        .filter_map(|e| match e {
            Edit::Lease { vm, .. } => Some(*vm),
            _ => None,
        })
        .collect();
    for edit in edits {
        match edit {
            Edit::Lease { vm, domain } => {
                changes
                    .entry((VM, inventory.vms[*vm].name.clone()))
                    .or_default()
                    .push(Change::Text(
                        "lease",
                        inventory.storage_domains[*domain].name.clone(),
                    ));
            }
            Edit::ResumeKill { vm } => {
                let v = &inventory.vms[*vm];
                // A new HA VM with a lease is killed by default: no key needed unless the
                // table says otherwise or the VM comes from an export.
                let written = tables
                    .get(VM, &v.name)
                    .and_then(|(i, _, _)| array(&doc, VM).and_then(|a| a.get(*i)))
                    .is_some_and(|t| t.contains_key("resume_behaviour"));
                let by_default = !overlay && v.ha && (v.lease.is_some() || leased.contains(vm));
                if written || !by_default {
                    changes
                        .entry((VM, v.name.clone()))
                        .or_default()
                        .push(Change::Text("resume_behaviour", "kill".into()));
                }
            }
            Edit::HostsRuleSoft { group } => {
                changes
                    .entry((GROUP, inventory.affinity_groups[*group].name.clone()))
                    .or_default()
                    .push(Change::Nested(
                        "hosts_rule",
                        "enforcing",
                        NestedValue::Bool(false),
                    ));
            }
            Edit::JoinSiteGroup { vm, group } => joins.entry(group.clone()).or_default().push(*vm),
            Edit::SpmPriority { host, to, .. } => {
                changes
                    .entry((HOST, inventory.hosts[*host].name.clone()))
                    .or_default()
                    .push(Change::Integer("spm_priority", i64::from(*to)));
            }
            Edit::Fencing {
                cluster,
                skip_if_connectivity_broken,
                threshold,
            } => {
                let entry = changes
                    .entry((CLUSTER, inventory.clusters[*cluster].name.clone()))
                    .or_default();
                entry.push(Change::Nested(
                    "fencing",
                    "skip_if_connectivity_broken",
                    NestedValue::Bool(*skip_if_connectivity_broken),
                ));
                if *threshold != inventory.clusters[*cluster].fencing.threshold {
                    entry.push(Change::Nested(
                        "fencing",
                        "threshold",
                        NestedValue::Integer(i64::from(*threshold)),
                    ));
                }
            }
            Edit::OnErrorMigrate { cluster } => {
                changes
                    .entry((CLUSTER, inventory.clusters[*cluster].name.clone()))
                    .or_default()
                    .push(Change::Text("on_error", "migrate".into()));
            }
        }
    }

    // A table standing for several entities: every one must get the same changes.
    let mut per_table: BTreeMap<(&'static str, usize), Vec<Member<'_>>> = BTreeMap::new();
    for ((kind, name), list) in &changes {
        if let Some((i, _, _)) = tables.get(kind, name) {
            per_table.entry((kind, *i)).or_default().push((name, list));
        }
    }
    for ((kind, _), members) in &per_table {
        let (_, written, len) = tables.get(kind, members[0].0).expect("indexed above");
        let first = members[0].1;
        if let Some((name, list)) = members
            .iter()
            .find(|(_, list)| *list != first)
            .or_else(|| (members.len() < *len).then_some(&members[0]))
        {
            return Err(DesignFixError::SharedTable {
                kind,
                entity: (*name).clone(),
                pattern: written.clone(),
                change: list.first().map_or("change", Change::label),
            });
        }
    }

    // Apply: once per table.
    let mut done: Vec<(&'static str, usize)> = Vec::new();
    for ((kind, name), list) in &changes {
        let table = match tables.get(kind, name) {
            Some((i, _, _)) => {
                if done.contains(&(kind, *i)) {
                    continue;
                }
                done.push((kind, *i));
                array_mut(&mut doc, kind)
                    .and_then(|a| a.get_mut(*i))
                    .expect("indexed above")
            }
            None if overlay => new_table(&mut doc, kind, name),
            None => {
                return Err(DesignFixError::NotDefined {
                    kind,
                    entity: name.clone(),
                });
            }
        };
        for change in list {
            apply_change(table, change);
        }
    }

    for (group, vms) in &joins {
        join_group(inventory, &mut doc, &tables, overlay, group, vms)?;
    }
    Ok(doc.to_string())
}

fn array<'d>(doc: &'d DocumentMut, kind: &str) -> Option<&'d ArrayOfTables> {
    doc.get(kind).and_then(Item::as_array_of_tables)
}

fn array_mut<'d>(doc: &'d mut DocumentMut, kind: &str) -> Option<&'d mut ArrayOfTables> {
    doc.get_mut(kind).and_then(Item::as_array_of_tables_mut)
}

/// Appends `[[kind]] name = "..."` (an overlay table) and returns it.
fn new_table<'d>(doc: &'d mut DocumentMut, kind: &'static str, name: &str) -> &'d mut Table {
    if !doc.contains_key(kind) {
        doc.insert(kind, Item::ArrayOfTables(ArrayOfTables::new()));
    }
    let tables = array_mut(doc, kind).expect("an array of tables");
    let mut table = Table::new();
    table.decor_mut().set_prefix("\n");
    table.insert("name", toml_edit::value(name));
    tables.push(table);
    let last = tables.len() - 1;
    tables.get_mut(last).expect("just pushed")
}

/// Sets `key` to `new`, keeping the old value's surrounding whitespace and comment.
fn set_value(table: &mut dyn TableLike, key: &str, new: Value) {
    match table.get_mut(key).and_then(Item::as_value_mut) {
        Some(old) => {
            let decor = old.decor().clone();
            *old = new;
            *old.decor_mut() = decor;
        }
        None => {
            table.insert(key, Item::Value(new));
        }
    }
}

fn apply_change(table: &mut Table, change: &Change) {
    match change {
        Change::Text(key, text) => set_value(table, key, Value::from(text.as_str())),
        Change::Integer(key, n) => set_value(table, key, Value::from(*n)),
        Change::Nested(outer, key, value) => {
            if table.get(outer).and_then(Item::as_table_like).is_none() {
                table.insert(outer, toml_edit::value(InlineTable::new()));
            }
            let inner = table
                .get_mut(outer)
                .and_then(Item::as_table_like_mut)
                .expect("just made a table");
            let value = match value {
                NestedValue::Bool(b) => Value::from(*b),
                NestedValue::Integer(n) => Value::from(*n),
            };
            let had = inner.contains_key(key);
            set_value(inner, key, value);
            if !had && let Some(inline) = inner_inline(table, outer) {
                inline.fmt();
            }
        }
    }
}

fn inner_inline<'t>(table: &'t mut Table, key: &str) -> Option<&'t mut InlineTable> {
    table.get_mut(key).and_then(Item::as_inline_table_mut)
}

/// The names to write for `vms`: a table's own name range when all its VMs are listed, else
/// each name.
fn written_names(
    tables: &Tables,
    kind: &str,
    names: impl IntoIterator<Item = String>,
) -> Vec<String> {
    let names: Vec<String> = names.into_iter().collect();
    let mut out: Vec<String> = Vec::new();
    for name in &names {
        match tables.get(kind, name) {
            Some((_, written, len)) if *len > 1 => {
                let covered = names
                    .iter()
                    .filter(|n| tables.get(kind, n).is_some_and(|(_, w, _)| w == written))
                    .count();
                let entry = if covered == *len {
                    written.clone()
                } else {
                    name.clone()
                };
                if !out.contains(&entry) {
                    out.push(entry);
                }
            }
            _ => out.push(name.clone()),
        }
    }
    out
}

/// Appends to an array, formatting new elements like the last one (one per line in a
/// multi-line array).
fn push_names(array: &mut Array, names: &[String]) {
    let decor = array.iter().last().map(|v| {
        let d = v.decor();
        (
            d.prefix()
                .and_then(|p| p.as_str())
                .unwrap_or(" ")
                .to_string(),
            d.suffix()
                .and_then(|s| s.as_str())
                .unwrap_or("")
                .to_string(),
        )
    });
    for name in names {
        let value = Value::from(name.as_str());
        match &decor {
            Some((prefix, suffix)) => {
                array.push_formatted(value.decorated(prefix.as_str(), suffix.as_str()))
            }
            None => array.push(value),
        }
    }
}

fn join_group(
    inventory: &Inventory,
    doc: &mut DocumentMut,
    tables: &Tables,
    overlay: bool,
    group: &SiteGroup,
    vms: &[stretchdr_model::VmId],
) -> Result<(), DesignFixError> {
    let vm_names = written_names(
        tables,
        VM,
        vms.iter().map(|&vm| inventory.vms[vm].name.clone()),
    );
    match group {
        SiteGroup::Existing(id) => {
            let g = &inventory.affinity_groups[*id];
            match tables.get(GROUP, &g.name) {
                Some((i, _, _)) => {
                    let table = array_mut(doc, GROUP)
                        .and_then(|a| a.get_mut(*i))
                        .expect("indexed");
                    match table.get_mut("vms").and_then(Item::as_array_mut) {
                        Some(list) => push_names(list, &vm_names),
                        None => {
                            let list: Array = vm_names.iter().map(String::as_str).collect();
                            table.insert("vms", toml_edit::value(list));
                        }
                    }
                }
                None if overlay => {
                    // The overlay's list replaces the exported one: write all of them.
                    let mut all: Vec<String> = g
                        .vms
                        .iter()
                        .map(|&v| inventory.vms[v].name.clone())
                        .collect();
                    all.extend(vm_names);
                    let table = new_table(doc, GROUP, &g.name);
                    if let Some(cluster) = g.cluster {
                        table.insert(
                            "cluster",
                            toml_edit::value(&inventory.clusters[cluster].name),
                        );
                    }
                    let list: Array = all.iter().map(String::as_str).collect();
                    table.insert("vms", toml_edit::value(list));
                }
                None => {
                    return Err(DesignFixError::NotDefined {
                        kind: GROUP,
                        entity: g.name.clone(),
                    });
                }
            }
        }
        SiteGroup::New {
            name,
            cluster,
            site,
            hosts,
        } => {
            let host_names = written_names(
                tables,
                HOST,
                hosts.iter().map(|&h| inventory.hosts[h].name.clone()),
            );
            let table = new_table(doc, GROUP, name);
            table.decor_mut().set_prefix(format!(
                "\n# The preferred site of cluster {}'s HA VMs that run in {} (AA006).\n",
                inventory.clusters[*cluster].name, inventory.sites[*site].name
            ));
            table.insert(
                "cluster",
                toml_edit::value(&inventory.clusters[*cluster].name),
            );
            let list: Array = vm_names.iter().map(String::as_str).collect();
            table.insert("vms", toml_edit::value(list));
            let list: Array = host_names.iter().map(String::as_str).collect();
            table.insert("hosts", toml_edit::value(list));
            let mut rule = InlineTable::new();
            rule.insert("enabled", true.into());
            rule.insert("positive", true.into());
            rule.insert("enforcing", false.into());
            rule.fmt();
            table.insert("hosts_rule", toml_edit::value(rule));
            let mut rule = InlineTable::new();
            rule.insert("enabled", false.into());
            rule.fmt();
            table.insert("vms_rule", toml_edit::value(rule));
        }
    }
    Ok(())
}
