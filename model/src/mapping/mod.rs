//! The ovirt-dr mapping file (`disaster_recovery_vars.yml`) of active-passive DR: which entity
//! of the primary site becomes which of the secondary when the `ovirt.ovirt.disaster_recovery`
//! role fails over (and back).
//!
//! [`load_mapping`] reads it into a typed [`Mapping`] holding every field the role reads (see
//! [`keys`] for where each is read), each with its line. Bad YAML and values of the wrong type
//! are [`LoadError`]s with file:line. Keys the role never reads are not errors, as the role
//! ignores them; they are kept in [`Mapping::unknown_keys`] for the AP012 rule.

mod build;
mod generate;
pub mod keys;
pub mod yaml;

use std::path::Path;

use crate::error::LoadError;
use crate::origin::{FileId, Origin, SourceMap};

pub use build::load_mapping_str;
pub use generate::generate;
pub use keys::Place;

/// Loads a mapping file.
pub fn load_mapping(path: &Path) -> Result<Mapping, LoadError> {
    let text = crate::read::read_text(path, "mapping file")?;
    load_mapping_str(path, &text)
}

/// One of the two sites of active-passive DR.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub enum Side {
    Primary,
    Secondary,
}

impl Side {
    /// `primary` or `secondary`, as the role's keys spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            Side::Primary => "primary",
            Side::Secondary => "secondary",
        }
    }

    pub fn other(self) -> Side {
        match self {
            Side::Primary => Side::Secondary,
            Side::Secondary => Side::Primary,
        }
    }
}

/// A storage type the role can add (`dr_domain_type`).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub enum StorageType {
    Nfs,
    Glusterfs,
    Posixfs,
    Iscsi,
    Fcp,
}

impl StorageType {
    pub const ALL: [StorageType; 5] = [
        StorageType::Nfs,
        StorageType::Glusterfs,
        StorageType::Posixfs,
        StorageType::Iscsi,
        StorageType::Fcp,
    ];

    /// The value of `dr_domain_type` (`recover/add_domain.yml` compares it as written).
    pub fn as_str(self) -> &'static str {
        match self {
            StorageType::Nfs => "nfs",
            StorageType::Glusterfs => "glusterfs",
            StorageType::Posixfs => "posixfs",
            StorageType::Iscsi => "iscsi",
            StorageType::Fcp => "fcp",
        }
    }

    pub fn parse(text: &str) -> Option<StorageType> {
        StorageType::ALL.into_iter().find(|t| t.as_str() == text)
    }
}

/// A value of the file with where it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Field<T> {
    pub value: T,
    pub origin: Origin,
    /// Written as an Ansible Vault value (`!vault |`): encrypted, so not comparable.
    pub vault: bool,
}

/// The whole mapping file.
#[derive(Clone, Debug)]
pub struct Mapping {
    /// The file, in [`Mapping::sources`].
    pub file: FileId,
    /// The mapping file's text, for reports that show a line of it.
    pub sources: SourceMap,
    /// The start of the document (line 1): where findings about something missing point.
    pub origin: Origin,
    pub primary: SiteConnection,
    pub secondary: SiteConnection,
    /// `dr_import_storages`.
    pub storages: Vec<StorageEntry>,
    /// `dr_cluster_mappings`.
    pub clusters: Vec<NamePair>,
    /// `dr_affinity_group_mappings`.
    pub affinity_groups: Vec<NamePair>,
    /// `dr_affinity_label_mappings`.
    pub affinity_labels: Vec<NamePair>,
    /// `dr_domain_mappings`: AAA (authorization) domains of users and groups.
    pub aaa_domains: Vec<NamePair>,
    /// `dr_role_mappings`.
    pub roles: Vec<NamePair>,
    /// `dr_network_mappings`: vNIC profiles.
    pub networks: Vec<NetworkMapping>,
    /// `dr_lun_mappings`: direct LUN disks.
    pub luns: Vec<LunMapping>,
    /// The role's own variables when the file sets them (`defaults/main.yml` otherwise).
    pub role_variables: RoleVariables,
    /// Keys the role never reads, in file order.
    pub unknown_keys: Vec<UnknownKey>,
}

impl Mapping {
    pub fn site(&self, side: Side) -> &SiteConnection {
        match side {
            Side::Primary => &self.primary,
            Side::Secondary => &self.secondary,
        }
    }

    /// The mapping file's path as the user gave it.
    pub fn path(&self) -> &Path {
        self.sources.path(self.file)
    }

    /// Every text value the file gives a key the role reads, with its key, in the order of
    /// [`Mapping`]'s fields: what a placeholder check walks.
    pub fn text_values(&self) -> Vec<(String, &Field<String>)> {
        fn push<'m>(
            out: &mut Vec<(String, &'m Field<String>)>,
            key: String,
            field: Option<&'m Field<String>>,
        ) {
            if let Some(field) = field {
                out.push((key, field));
            }
        }
        let mut out: Vec<(String, &Field<String>)> = Vec::new();
        for side in [Side::Primary, Side::Secondary] {
            let s = side.as_str();
            let site = self.site(side);
            push(&mut out, format!("dr_sites_{s}_url"), site.url.as_ref());
            push(
                &mut out,
                format!("dr_sites_{s}_username"),
                site.username.as_ref(),
            );
            push(
                &mut out,
                format!("dr_sites_{s}_password"),
                site.password.as_ref(),
            );
            push(
                &mut out,
                format!("dr_sites_{s}_ca_file"),
                site.ca_file.as_ref(),
            );
        }
        for entry in &self.storages {
            push(
                &mut out,
                "dr_domain_type".to_string(),
                entry.domain_type.as_ref(),
            );
            push(
                &mut out,
                "dr_storage_domain_type".to_string(),
                entry.storage_domain_type.as_ref(),
            );
            push(
                &mut out,
                "dr_domain_id".to_string(),
                entry.domain_id.as_ref(),
            );
            for side in [Side::Primary, Side::Secondary] {
                let s = side.as_str();
                let site = entry.site(side);
                push(&mut out, format!("dr_{s}_name"), site.name.as_ref());
                push(&mut out, format!("dr_{s}_dc_name"), site.dc_name.as_ref());
                push(&mut out, format!("dr_{s}_address"), site.address.as_ref());
                push(&mut out, format!("dr_{s}_path"), site.path.as_ref());
                push(&mut out, format!("dr_{s}_vfs_type"), site.vfs_type.as_ref());
                for target in &site.target {
                    push(&mut out, format!("dr_{s}_target"), Some(target));
                }
                push(&mut out, format!("dr_{s}_username"), site.username.as_ref());
                push(&mut out, format!("dr_{s}_password"), site.password.as_ref());
            }
        }
        for (_, pairs) in self.name_pairs() {
            for pair in pairs {
                push(&mut out, "primary_name".to_string(), pair.primary.as_ref());
                push(
                    &mut out,
                    "secondary_name".to_string(),
                    pair.secondary.as_ref(),
                );
            }
        }
        for network in &self.networks {
            for side in [Side::Primary, Side::Secondary] {
                let s = side.as_str();
                let site = network.site(side);
                push(
                    &mut out,
                    format!("{s}_network_name"),
                    site.network_name.as_ref(),
                );
                push(
                    &mut out,
                    format!("{s}_profile_name"),
                    site.profile_name.as_ref(),
                );
                push(
                    &mut out,
                    format!("{s}_profile_id"),
                    site.profile_id.as_ref(),
                );
                push(
                    &mut out,
                    format!("{s}_network_dc"),
                    site.network_dc.as_ref(),
                );
            }
        }
        for lun in &self.luns {
            for side in [Side::Primary, Side::Secondary] {
                let s = side.as_str();
                let site = lun.site(side);
                push(
                    &mut out,
                    format!("{s}_logical_unit_id"),
                    site.logical_unit_id.as_ref(),
                );
                push(
                    &mut out,
                    format!("{s}_storage_type"),
                    site.storage_type.as_ref(),
                );
                push(
                    &mut out,
                    format!("{s}_logical_unit_address"),
                    site.address.as_ref(),
                );
                push(
                    &mut out,
                    format!("{s}_logical_unit_portal"),
                    site.portal.as_ref(),
                );
                push(
                    &mut out,
                    format!("{s}_logical_unit_username"),
                    site.username.as_ref(),
                );
                push(
                    &mut out,
                    format!("{s}_logical_unit_password"),
                    site.password.as_ref(),
                );
                push(
                    &mut out,
                    format!("{s}_logical_unit_target"),
                    site.target.as_ref(),
                );
            }
        }
        out
    }

    /// The name pair lists with the kind of entity each maps, in file order of the role's reads.
    pub fn name_pairs(&self) -> [(PairKind, &[NamePair]); 5] {
        [
            (PairKind::Cluster, &self.clusters),
            (PairKind::AffinityGroup, &self.affinity_groups),
            (PairKind::AffinityLabel, &self.affinity_labels),
            (PairKind::AaaDomain, &self.aaa_domains),
            (PairKind::Role, &self.roles),
        ]
    }
}

/// What a `primary_name` / `secondary_name` list maps.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub enum PairKind {
    Cluster,
    AffinityGroup,
    AffinityLabel,
    AaaDomain,
    Role,
}

impl PairKind {
    /// The list's key in the file.
    pub fn list_key(self) -> &'static str {
        match self {
            PairKind::Cluster => "dr_cluster_mappings",
            PairKind::AffinityGroup => "dr_affinity_group_mappings",
            PairKind::AffinityLabel => "dr_affinity_label_mappings",
            PairKind::AaaDomain => "dr_domain_mappings",
            PairKind::Role => "dr_role_mappings",
        }
    }

    /// The entity in words (`affinity group`).
    pub fn noun(self) -> &'static str {
        match self {
            PairKind::Cluster => "cluster",
            PairKind::AffinityGroup => "affinity group",
            PairKind::AffinityLabel => "affinity label",
            PairKind::AaaDomain => "AAA domain",
            PairKind::Role => "role",
        }
    }
}

/// `dr_sites_<side>_url`, `_username`, `_password`, `_ca_file`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SiteConnection {
    pub url: Option<Field<String>>,
    pub username: Option<Field<String>>,
    /// Normally in a separate vault file (`ovirt_passwords.yml`), not in the mapping.
    pub password: Option<Field<String>>,
    pub ca_file: Option<Field<String>>,
}

/// One entry of `dr_import_storages`: a storage domain replicated from one site to the other.
#[derive(Clone, Debug, PartialEq)]
pub struct StorageEntry {
    /// The entry's first key.
    pub origin: Origin,
    /// `dr_domain_type` as written (`nfs`, `iscsi`...); see [`StorageEntry::storage_type`].
    pub domain_type: Option<Field<String>>,
    /// `dr_storage_domain_type`: the domain function (`data`; export domains are not supported).
    pub storage_domain_type: Option<Field<String>>,
    /// `dr_domain_id`: the domain's id, which block domains are imported by.
    pub domain_id: Option<Field<String>>,
    pub wipe_after_delete: Option<Field<bool>>,
    pub backup: Option<Field<bool>>,
    pub discard_after_delete: Option<Field<bool>>,
    /// Percent.
    pub critical_space_action_blocker: Option<Field<i64>>,
    /// Percent.
    pub warning_low_space: Option<Field<i64>>,
    pub primary: StorageSite,
    pub secondary: StorageSite,
    /// Every key given a value, with its origin, in file order.
    pub keys: Vec<(String, Origin)>,
    /// Keys written with no value (YAML null: the value commented out), in file order.
    pub empty: Vec<(String, Origin)>,
}

impl StorageEntry {
    /// The storage type when `dr_domain_type` names one the role adds.
    pub fn storage_type(&self) -> Option<StorageType> {
        self.domain_type
            .as_ref()
            .and_then(|t| StorageType::parse(&t.value))
    }

    pub fn site(&self, side: Side) -> &StorageSite {
        match side {
            Side::Primary => &self.primary,
            Side::Secondary => &self.secondary,
        }
    }

    /// True when the entry gives `key` a value.
    pub fn has(&self, key: &str) -> bool {
        self.keys.iter().any(|(k, _)| k == key)
    }

    /// True when the entry writes `key` with no value.
    pub fn has_empty(&self, key: &str) -> bool {
        self.empty.iter().any(|(k, _)| k == key)
    }

    /// The origin of `key`'s value, when given.
    pub fn key_origin(&self, key: &str) -> Option<Origin> {
        self.keys.iter().find(|(k, _)| k == key).map(|(_, o)| *o)
    }

    /// The domain's name on `side`, for messages (`dr_<side>_name`, else the id).
    pub fn label(&self, side: Side) -> String {
        let site = self.site(side);
        site.name
            .as_ref()
            .map(|n| n.value.clone())
            .or_else(|| self.domain_id.as_ref().map(|id| id.value.clone()))
            .unwrap_or_else(|| format!("(line {})", self.origin.line))
    }
}

/// `dr_<side>_...` fields of a storage entry.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StorageSite {
    pub name: Option<Field<String>>,
    /// `dr_<side>_master_domain`: attach this one first (it becomes the master domain).
    pub master_domain: Option<Field<bool>>,
    pub dc_name: Option<Field<String>>,
    pub address: Option<Field<String>>,
    pub path: Option<Field<String>>,
    /// posixfs only.
    pub vfs_type: Option<Field<String>>,
    /// iscsi only; the role defaults it to 3260.
    pub port: Option<Field<i64>>,
    /// iscsi only: the targets to log in to.
    pub target: Vec<Field<String>>,
    pub username: Option<Field<String>>,
    pub password: Option<Field<String>>,
}

impl StorageSite {
    pub fn is_master(&self) -> bool {
        self.master_domain.as_ref().is_some_and(|m| m.value)
    }
}

/// An entry of a `primary_name` / `secondary_name` list.
#[derive(Clone, Debug, PartialEq)]
pub struct NamePair {
    pub origin: Origin,
    pub primary: Option<Field<String>>,
    pub secondary: Option<Field<String>>,
    /// Keys written with no value, in file order.
    pub empty: Vec<(String, Origin)>,
}

impl NamePair {
    pub fn name(&self, side: Side) -> Option<&Field<String>> {
        match side {
            Side::Primary => self.primary.as_ref(),
            Side::Secondary => self.secondary.as_ref(),
        }
    }
}

/// An entry of `dr_network_mappings`: a vNIC profile (of a network) on each side.
#[derive(Clone, Debug, PartialEq)]
pub struct NetworkMapping {
    pub origin: Origin,
    pub primary: NetworkSite,
    pub secondary: NetworkSite,
    /// Keys written with no value, in file order.
    pub empty: Vec<(String, Origin)>,
}

impl NetworkMapping {
    pub fn site(&self, side: Side) -> &NetworkSite {
        match side {
            Side::Primary => &self.primary,
            Side::Secondary => &self.secondary,
        }
    }
}

/// `<side>_network_name`, `_profile_name`, `_profile_id`, `_network_dc`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NetworkSite {
    pub network_name: Option<Field<String>>,
    pub profile_name: Option<Field<String>>,
    pub profile_id: Option<Field<String>>,
    /// The network's data center, to tell apart networks of one name.
    pub network_dc: Option<Field<String>>,
}

/// An entry of `dr_lun_mappings`: a direct LUN disk on each side.
#[derive(Clone, Debug, PartialEq)]
pub struct LunMapping {
    pub origin: Origin,
    pub primary: LunSite,
    pub secondary: LunSite,
    /// Keys written with no value, in file order.
    pub empty: Vec<(String, Origin)>,
}

impl LunMapping {
    pub fn site(&self, side: Side) -> &LunSite {
        match side {
            Side::Primary => &self.primary,
            Side::Secondary => &self.secondary,
        }
    }
}

/// `<side>_logical_unit_id`, `_storage_type`, `_logical_unit_address` ...
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LunSite {
    pub logical_unit_id: Option<Field<String>>,
    /// `iscsi` or `fcp`.
    pub storage_type: Option<Field<String>>,
    pub address: Option<Field<String>>,
    pub port: Option<Field<i64>>,
    pub portal: Option<Field<String>>,
    pub username: Option<Field<String>>,
    pub password: Option<Field<String>>,
    pub target: Option<Field<String>>,
}

/// The role variables that change what failover and failback do, when the file sets them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RoleVariables {
    /// `dr_ignore_error_recover` (default true: a failed step is skipped, not fatal).
    pub ignore_error_recover: Option<Field<bool>>,
    /// `dr_ignore_error_clean` (default false).
    pub ignore_error_clean: Option<Field<bool>>,
    /// `dr_cleanup_retries_maintenance` (default 3).
    pub cleanup_retries_maintenance: Option<Field<i64>>,
    /// `dr_cleanup_delay_maintenance`, seconds (default 120).
    pub cleanup_delay_maintenance: Option<Field<i64>>,
}

/// A key the role never reads.
#[derive(Clone, Debug, PartialEq)]
pub struct UnknownKey {
    pub key: String,
    pub place: Place,
    pub origin: Origin,
}
