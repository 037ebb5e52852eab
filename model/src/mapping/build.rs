//! From the YAML tree to a typed [`Mapping`]: values of the wrong type are errors at their
//! line; keys the role never reads are kept as [`UnknownKey`]s.

use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use super::keys::{self, Place};
use super::yaml::{self, Key, Node, Value};
use super::{
    Field, LunMapping, LunSite, Mapping, NamePair, NetworkMapping, NetworkSite, RoleVariables,
    Side, SiteConnection, StorageEntry, StorageSite, UnknownKey,
};
use crate::error::LoadError;
use crate::origin::{FileId, LineIndex, Origin, SourceMap};

/// Loads mapping text (`path` names it in errors and reports).
pub fn load_mapping_str(path: &Path, text: &str) -> Result<Mapping, LoadError> {
    let shared: Arc<str> = Arc::from(text);
    let mut sources = SourceMap::default();
    let file = sources.add(path, Arc::clone(&shared));
    let lines = Arc::clone(&sources.file(file).lines);
    let reader = Reader {
        path,
        text: &shared,
        file,
        lines: &lines,
    };
    let root = yaml::parse(text).map_err(|(message, offset)| {
        reader.error(offset..offset, format!("invalid YAML: {message}"))
    })?;
    let mut mapping = Mapping {
        file,
        sources,
        origin: Origin {
            file,
            line: 1,
            offset: 0,
            len: 0,
        },
        primary: SiteConnection::default(),
        secondary: SiteConnection::default(),
        storages: Vec::new(),
        clusters: Vec::new(),
        affinity_groups: Vec::new(),
        affinity_labels: Vec::new(),
        aaa_domains: Vec::new(),
        roles: Vec::new(),
        networks: Vec::new(),
        luns: Vec::new(),
        role_variables: RoleVariables::default(),
        unknown_keys: Vec::new(),
    };
    let entries = match root.value {
        Value::Null => return Ok(mapping),
        Value::Map(entries) => entries,
        other => {
            return Err(reader.error(
                root.span,
                format!(
                    "expected a mapping of ovirt-dr variables (dr_sites_primary_url: ...), found {}",
                    other.kind()
                ),
            ));
        }
    };
    for (key, node) in entries {
        reader.top_level(&mut mapping, key, node)?;
    }
    Ok(mapping)
}

/// A list entry: its byte range and its keys.
type Entry = (Range<usize>, Vec<(Key, Node)>);

/// Reads nodes of one file into fields with origins.
struct Reader<'a> {
    path: &'a Path,
    text: &'a Arc<str>,
    file: FileId,
    /// The file's line index, for origins in O(log n).
    lines: &'a LineIndex,
}

impl Reader<'_> {
    fn error(&self, span: Range<usize>, message: String) -> LoadError {
        LoadError::at(self.path, self.text, span, message)
    }

    fn origin(&self, span: &Range<usize>) -> Origin {
        Origin::indexed(self.file, self.text, self.lines, span.clone())
    }

    fn unknown(&self, mapping: &mut Mapping, key: &Key, place: Place) {
        mapping.unknown_keys.push(UnknownKey {
            key: key.name.clone(),
            place,
            origin: self.origin(&key.span),
        });
    }

    fn top_level(&self, mapping: &mut Mapping, key: Key, node: Node) -> Result<(), LoadError> {
        let name = key.name.as_str();
        if let Some(rest) = name.strip_prefix("dr_sites_") {
            for side in [Side::Primary, Side::Secondary] {
                if let Some(field) = rest
                    .strip_prefix(side.as_str())
                    .and_then(|r| r.strip_prefix('_'))
                {
                    let site = match side {
                        Side::Primary => &mut mapping.primary,
                        Side::Secondary => &mut mapping.secondary,
                    };
                    let slot = match field {
                        "url" => &mut site.url,
                        "username" => &mut site.username,
                        "password" => &mut site.password,
                        "ca_file" => &mut site.ca_file,
                        _ => break,
                    };
                    *slot = self.string(&key, node)?;
                    return Ok(());
                }
            }
        }
        match name {
            "dr_import_storages" => {
                for entry in self.list(&key, node)? {
                    let storage = self.storage(mapping, entry)?;
                    mapping.storages.push(storage);
                }
            }
            "dr_cluster_mappings"
            | "dr_affinity_group_mappings"
            | "dr_affinity_label_mappings"
            | "dr_domain_mappings"
            | "dr_role_mappings" => {
                let mut pairs = Vec::new();
                for entry in self.list(&key, node)? {
                    pairs.push(self.name_pair(mapping, entry)?);
                }
                let list = match name {
                    "dr_cluster_mappings" => &mut mapping.clusters,
                    "dr_affinity_group_mappings" => &mut mapping.affinity_groups,
                    "dr_affinity_label_mappings" => &mut mapping.affinity_labels,
                    "dr_domain_mappings" => &mut mapping.aaa_domains,
                    _ => &mut mapping.roles,
                };
                list.extend(pairs);
            }
            "dr_network_mappings" => {
                for entry in self.list(&key, node)? {
                    let network = self.network(mapping, entry)?;
                    mapping.networks.push(network);
                }
            }
            "dr_lun_mappings" => {
                for entry in self.list(&key, node)? {
                    let lun = self.lun(mapping, entry)?;
                    mapping.luns.push(lun);
                }
            }
            "dr_ignore_error_recover" => {
                mapping.role_variables.ignore_error_recover = self.boolean(&key, node)?;
            }
            "dr_ignore_error_clean" => {
                mapping.role_variables.ignore_error_clean = self.boolean(&key, node)?;
            }
            "dr_cleanup_retries_maintenance" => {
                mapping.role_variables.cleanup_retries_maintenance = self.integer(&key, node)?;
            }
            "dr_cleanup_delay_maintenance" => {
                mapping.role_variables.cleanup_delay_maintenance = self.integer(&key, node)?;
            }
            _ if keys::ROLE_VARIABLES.contains(&name) => {}
            _ => self.unknown(mapping, &key, Place::TopLevel),
        }
        Ok(())
    }

    /// The entries of a list; an empty value is an empty list (the role checks `is not none`).
    fn list(&self, key: &Key, node: Node) -> Result<Vec<Entry>, LoadError> {
        match node.value {
            Value::Null => Ok(Vec::new()),
            Value::Seq(items) => items
                .into_iter()
                .map(|item| match item.value {
                    Value::Map(entries) => Ok((item.span, entries)),
                    other => Err(self.error(
                        item.span,
                        format!(
                            "expected each entry of {} to be a mapping of keys, found {}",
                            key.name,
                            other.kind()
                        ),
                    )),
                })
                .collect(),
            other => Err(self.error(
                node.span,
                format!("expected {} to be a list, found {}", key.name, other.kind()),
            )),
        }
    }

    /// Where an entry starts: its first key's line (the `- ` line), else the entry's.
    fn entry_origin(&self, span: &Range<usize>, entries: &[(Key, Node)]) -> Origin {
        let first = entries
            .iter()
            .map(|(key, _)| key.span.start)
            .min()
            .map_or(span.clone(), |start| start..start);
        self.origin(&first)
    }

    fn storage(
        &self,
        mapping: &mut Mapping,
        (span, entries): Entry,
    ) -> Result<StorageEntry, LoadError> {
        let mut entry = StorageEntry {
            origin: self.entry_origin(&span, &entries),
            domain_type: None,
            storage_domain_type: None,
            domain_id: None,
            wipe_after_delete: None,
            backup: None,
            discard_after_delete: None,
            critical_space_action_blocker: None,
            warning_low_space: None,
            primary: StorageSite::default(),
            secondary: StorageSite::default(),
            keys: Vec::new(),
            empty: Vec::new(),
        };
        for (key, node) in entries {
            let written = (key.name.clone(), self.origin(&key.span));
            if matches!(node.value, Value::Null) {
                entry.empty.push(written);
            } else {
                entry.keys.push(written);
            }
            let name = key.name.as_str();
            match name {
                "dr_domain_type" => entry.domain_type = self.string(&key, node)?,
                "dr_storage_domain_type" => entry.storage_domain_type = self.string(&key, node)?,
                "dr_domain_id" => entry.domain_id = self.string(&key, node)?,
                "dr_wipe_after_delete" => entry.wipe_after_delete = self.boolean(&key, node)?,
                "dr_backup" => entry.backup = self.boolean(&key, node)?,
                "dr_discard_after_delete" => {
                    entry.discard_after_delete = self.boolean(&key, node)?
                }
                "dr_critical_space_action_blocker" => {
                    entry.critical_space_action_blocker = self.integer(&key, node)?;
                }
                "dr_warning_low_space" => entry.warning_low_space = self.integer(&key, node)?,
                _ => {
                    let sided = [Side::Primary, Side::Secondary]
                        .into_iter()
                        .find_map(|side| {
                            let field = name
                                .strip_prefix("dr_")?
                                .strip_prefix(side.as_str())?
                                .strip_prefix('_')?;
                            keys::STORAGE_SIDE.contains(&field).then_some((side, field))
                        });
                    let Some((side, field)) = sided else {
                        entry.keys.retain(|(k, _)| k != name);
                        entry.empty.retain(|(k, _)| k != name);
                        self.unknown(mapping, &key, Place::Storage);
                        continue;
                    };
                    let site = match side {
                        Side::Primary => &mut entry.primary,
                        Side::Secondary => &mut entry.secondary,
                    };
                    match field {
                        "master_domain" => site.master_domain = self.boolean(&key, node)?,
                        "port" => site.port = self.integer(&key, node)?,
                        "target" => site.target = self.strings(&key, node)?,
                        _ => {
                            let slot = match field {
                                "name" => &mut site.name,
                                "dc_name" => &mut site.dc_name,
                                "address" => &mut site.address,
                                "path" => &mut site.path,
                                "vfs_type" => &mut site.vfs_type,
                                "username" => &mut site.username,
                                _ => &mut site.password,
                            };
                            *slot = self.string(&key, node)?;
                        }
                    }
                }
            }
        }
        Ok(entry)
    }

    fn name_pair(
        &self,
        mapping: &mut Mapping,
        (span, entries): Entry,
    ) -> Result<NamePair, LoadError> {
        let mut pair = NamePair {
            origin: self.entry_origin(&span, &entries),
            primary: None,
            secondary: None,
            empty: Vec::new(),
        };
        for (key, node) in entries {
            if matches!(node.value, Value::Null) {
                pair.empty.push((key.name.clone(), self.origin(&key.span)));
            }
            match key.name.as_str() {
                "primary_name" => pair.primary = self.string(&key, node)?,
                "secondary_name" => pair.secondary = self.string(&key, node)?,
                _ => self.unknown(mapping, &key, Place::NamePair),
            }
        }
        Ok(pair)
    }

    fn network(
        &self,
        mapping: &mut Mapping,
        (span, entries): Entry,
    ) -> Result<NetworkMapping, LoadError> {
        let mut network = NetworkMapping {
            origin: self.entry_origin(&span, &entries),
            primary: NetworkSite::default(),
            secondary: NetworkSite::default(),
            empty: Vec::new(),
        };
        for (key, node) in entries {
            let Some((side, field)) = split_side(&key.name, &keys::NETWORK_SIDE) else {
                self.unknown(mapping, &key, Place::Network);
                continue;
            };
            if matches!(node.value, Value::Null) {
                network
                    .empty
                    .push((key.name.clone(), self.origin(&key.span)));
            }
            let site = match side {
                Side::Primary => &mut network.primary,
                Side::Secondary => &mut network.secondary,
            };
            let slot = match field {
                "network_name" => &mut site.network_name,
                "profile_name" => &mut site.profile_name,
                "profile_id" => &mut site.profile_id,
                _ => &mut site.network_dc,
            };
            *slot = self.string(&key, node)?;
        }
        Ok(network)
    }

    fn lun(&self, mapping: &mut Mapping, (span, entries): Entry) -> Result<LunMapping, LoadError> {
        let mut lun = LunMapping {
            origin: self.entry_origin(&span, &entries),
            primary: LunSite::default(),
            secondary: LunSite::default(),
            empty: Vec::new(),
        };
        for (key, node) in entries {
            let Some((side, field)) = split_side(&key.name, &keys::LUN_SIDE) else {
                self.unknown(mapping, &key, Place::Lun);
                continue;
            };
            if matches!(node.value, Value::Null) {
                lun.empty.push((key.name.clone(), self.origin(&key.span)));
            }
            let site = match side {
                Side::Primary => &mut lun.primary,
                Side::Secondary => &mut lun.secondary,
            };
            if field == "logical_unit_port" {
                site.port = self.integer(&key, node)?;
                continue;
            }
            let slot = match field {
                "logical_unit_id" => &mut site.logical_unit_id,
                "storage_type" => &mut site.storage_type,
                "logical_unit_address" => &mut site.address,
                "logical_unit_portal" => &mut site.portal,
                "logical_unit_username" => &mut site.username,
                "logical_unit_password" => &mut site.password,
                _ => &mut site.target,
            };
            *slot = self.string(&key, node)?;
        }
        Ok(lun)
    }

    /// A value found at `span` (its key's, so reports show the `key: value` line).
    fn field<T>(&self, span: &Range<usize>, node: &Node, value: T) -> Field<T> {
        Field {
            value,
            origin: self.origin(span),
            vault: node.tag.as_deref() == Some("!vault"),
        }
    }

    /// A string; numbers and booleans are taken as written (Ansible templates them to text).
    fn string(&self, key: &Key, node: Node) -> Result<Option<Field<String>>, LoadError> {
        let text = match &node.value {
            Value::Null => return Ok(None),
            Value::Str(s) => s.clone(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => f.to_string(),
            Value::Bool(b) => if *b { "True" } else { "False" }.to_string(),
            other => {
                return Err(self.error(
                    node.span.clone(),
                    format!(
                        "expected {} to be a string, found {}",
                        key.name,
                        other.kind()
                    ),
                ));
            }
        };
        Ok(Some(self.field(&key.span, &node, text)))
    }

    /// One string or a list of them (`dr_<side>_target`).
    fn strings(&self, key: &Key, node: Node) -> Result<Vec<Field<String>>, LoadError> {
        match node.value {
            Value::Seq(items) => {
                let mut out = Vec::new();
                for item in items {
                    let item_key = Key {
                        name: key.name.clone(),
                        span: item.span.clone(),
                    };
                    out.extend(self.string(&item_key, item)?);
                }
                Ok(out)
            }
            _ => Ok(self.string(key, node)?.into_iter().collect()),
        }
    }

    /// A boolean: YAML's, or a string Ansible's `bool` filter reads (`"True"`, `"no"`...).
    fn boolean(&self, key: &Key, node: Node) -> Result<Option<Field<bool>>, LoadError> {
        let value = match &node.value {
            Value::Null => return Ok(None),
            Value::Bool(b) => Some(*b),
            Value::Int(1) => Some(true),
            Value::Int(0) => Some(false),
            Value::Str(s) => match s.trim().to_ascii_lowercase().as_str() {
                "true" | "yes" | "on" | "1" | "y" => Some(true),
                "false" | "no" | "off" | "0" | "n" => Some(false),
                _ => None,
            },
            _ => None,
        };
        match value {
            Some(value) => Ok(Some(self.field(&key.span, &node, value))),
            None => Err(self.error(
                node.span.clone(),
                format!(
                    "expected {} to be a boolean (true/false or \"True\"/\"False\"), found {}",
                    key.name,
                    describe(&node.value)
                ),
            )),
        }
    }

    /// An integer, or a string holding one.
    fn integer(&self, key: &Key, node: Node) -> Result<Option<Field<i64>>, LoadError> {
        let value = match &node.value {
            Value::Null => return Ok(None),
            Value::Int(i) => Some(*i),
            Value::Str(s) => s.trim().parse().ok(),
            _ => None,
        };
        match value {
            Some(value) => Ok(Some(self.field(&key.span, &node, value))),
            None => Err(self.error(
                node.span.clone(),
                format!(
                    "expected {} to be an integer, found {}",
                    key.name,
                    describe(&node.value)
                ),
            )),
        }
    }
}

/// `primary_network_name` -> (primary, "network_name") when the field is one of `fields`.
fn split_side<'k>(key: &'k str, fields: &[&str]) -> Option<(Side, &'k str)> {
    [Side::Primary, Side::Secondary]
        .into_iter()
        .find_map(|side| {
            let field = key.strip_prefix(side.as_str())?.strip_prefix('_')?;
            fields.contains(&field).then_some((side, field))
        })
}

/// A value for an error message: strings quoted, others by kind.
fn describe(value: &Value) -> String {
    match value {
        Value::Str(s) => format!("{s:?}"),
        other => other.kind().to_string(),
    }
}
