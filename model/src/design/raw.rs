//! The design file as written: serde structs that keep every value's span and reject
//! unknown keys. [`super::build`] turns them into an [`crate::Inventory`].
//!
//! Every field other than `name` is optional here: in an overlay, a table naming an
//! exported entity changes only the fields it gives. Which fields a new entity needs is
//! decided when building.

use std::borrow::Cow;

use serde::Deserialize;
use serde::de::{Deserializer, Visitor};
use toml::Spanned;

/// A string, number or list together with the byte range it occupies in the file.
pub type S<T> = Spanned<T>;

/// A string of a table borrowed from the design's text where it has no escapes: the fast
/// reader decodes the `[[vm]]` tables into [`RawVm<Text>`] without an allocation per
/// value (of 20,000 VMs, some 200,000).
#[derive(Debug)]
pub struct Text<'a>(pub Cow<'a, str>);

impl AsRef<str> for Text<'_> {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct TextVisitor;
        impl<'de> Visitor<'de> for TextVisitor {
            type Value = Cow<'de, str>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Cow::Borrowed(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Cow::Owned(v.to_owned()))
            }
            fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
                Ok(Cow::Owned(v))
            }
        }
        deserializer.deserialize_str(TextVisitor).map(Text)
    }
}

/// The elements of a list written in the file, if it was.
pub fn list<Str>(value: &Option<S<Vec<S<Str>>>>) -> Option<&[S<Str>]> {
    value.as_ref().map(|v| v.get_ref().as_slice())
}

/// A flag written in the file, if it was.
pub fn flag(value: &Option<S<bool>>) -> Option<bool> {
    value.as_ref().map(|v| *v.get_ref())
}

/// The byte range a value occupies, if it was written: what [`crate::keys::key_span`]
/// reads back from to find the key.
pub trait ValueSpan {
    fn value_span(&self) -> Option<std::ops::Range<usize>>;
}

impl<T> ValueSpan for S<T> {
    fn value_span(&self) -> Option<std::ops::Range<usize>> {
        Some(self.span())
    }
}

impl<T: ValueSpan> ValueSpan for Option<T> {
    fn value_span(&self) -> Option<std::ops::Range<usize>> {
        self.as_ref().and_then(ValueSpan::value_span)
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDesign {
    pub source: Option<S<RawSource>>,
    pub engine: Option<S<RawEngine>>,
    #[serde(default)]
    pub site: Vec<S<RawSite>>,
    #[serde(default)]
    pub link: Vec<S<RawLink>>,
    #[serde(default)]
    pub data_center: Vec<S<RawDataCenter>>,
    #[serde(default)]
    pub cluster: Vec<S<RawCluster>>,
    #[serde(default)]
    pub host: Vec<S<RawHost>>,
    #[serde(default)]
    pub network: Vec<S<RawNetwork>>,
    #[serde(default)]
    pub vnic_profile: Vec<S<RawVnicProfile>>,
    #[serde(default)]
    pub storage_domain: Vec<S<RawStorageDomain>>,
    #[serde(default)]
    pub vm: Vec<S<RawVm>>,
    #[serde(default)]
    pub affinity_label: Vec<S<RawAffinityLabel>>,
    #[serde(default)]
    pub affinity_group: Vec<S<RawAffinityGroup>>,
    /// Service-level objectives the audit gates on: `rto_p95 = "<=15m"` (read by the simulator).
    #[serde(default)]
    pub slo: std::collections::BTreeMap<S<String>, S<toml::Value>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSource {
    pub export: Option<S<String>>,
    pub engine: Option<S<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEngine {
    pub deployment: Option<S<String>>,
    pub site: Option<S<String>>,
    pub external_ha: Option<S<bool>>,
    pub version: Option<S<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSite {
    pub name: S<String>,
    pub role: Option<S<String>>,
    pub hosts: Option<S<Vec<S<String>>>>,
    pub label: Option<S<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawLink {
    pub sites: S<Vec<S<String>>>,
    pub rtt_ms: S<f64>,
    pub l2: Option<S<bool>>,
    pub bandwidth: Option<S<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDataCenter {
    pub name: S<String>,
    pub compatibility: Option<S<String>>,
    pub local: Option<S<bool>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawCluster {
    pub name: S<String>,
    pub data_center: Option<S<String>>,
    pub compatibility: Option<S<String>>,
    pub on_error: Option<S<String>>,
    pub fencing: Option<S<RawFencing>>,
    pub migration_policy: Option<S<String>>,
    /// `auto`, `hypervisor_default` or a rate such as `"4Gbps"`.
    pub migration_bandwidth: Option<S<String>>,
    /// Percent: 100 none, 150 server, 200 desktop load.
    pub memory_overcommit: Option<S<i64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFencing {
    pub enabled: Option<S<bool>>,
    pub skip_if_connectivity_broken: Option<S<bool>>,
    pub threshold: Option<S<i64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawHost {
    pub name: S<String>,
    pub site: Option<S<String>>,
    pub cluster: Option<S<String>>,
    pub status: Option<S<String>>,
    pub memory: Option<S<String>>,
    pub cpus: Option<S<i64>>,
    pub spm_priority: Option<S<i64>>,
    pub hosted_engine: Option<S<bool>>,
    pub power_management: Option<S<bool>>,
    /// Speed of the NIC carrying the migration network, e.g. `"10Gbps"`.
    pub migration_nic_speed: Option<S<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawNetwork {
    pub name: S<String>,
    pub data_center: Option<S<String>>,
    pub sites: Option<S<Vec<S<String>>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawVnicProfile {
    pub name: S<String>,
    pub network: Option<S<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStorageDomain {
    pub name: S<String>,
    pub storage: Option<S<String>>,
    #[serde(rename = "type")]
    pub domain_type: Option<S<String>>,
    pub data_center: Option<S<String>>,
    pub master: Option<S<bool>>,
    pub replication: Option<S<String>>,
    pub writable_at: Option<S<Vec<S<String>>>>,
    pub witness: Option<S<String>>,
    /// `gluster = { volume = "...", ... }`: the volume behind a `glusterfs` domain.
    pub gluster: Option<S<RawGluster>>,
    /// `[[storage_domain.georep]]`: geo-replication sessions of that volume.
    pub georep: Option<Vec<S<RawGeoRep>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGluster {
    pub volume: S<String>,
    pub sharding: Option<bool>,
    pub shard_block_size: Option<S<String>>,
    pub capacity: Option<S<String>>,
    pub bricks: Option<Vec<S<String>>>,
    /// Bricks per replicated subvolume (`replica 3`); 1 for a pure distribute volume.
    pub replica: Option<S<i64>>,
    /// The gluster cluster of the volume.
    pub cluster: Option<S<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawGeoRep {
    pub secondary_volume: S<String>,
    pub secondary_site: Option<S<String>>,
    pub secondary_capacity: Option<S<String>>,
    pub secondary_sharding: Option<S<bool>>,
    pub secondary_shard_block_size: Option<S<String>>,
    /// A cron expression (`"30 2 * * *"`) or an interval (`"6h"`).
    pub schedule: Option<S<String>>,
    /// `"20GiB/h"`.
    pub change_rate: Option<S<String>>,
    /// 24 numbers, GiB/h, 00:00 first.
    pub change_rate_by_hour: Option<S<Vec<S<f64>>>>,
    pub bandwidth: Option<S<String>>,
    pub rpo_target: Option<S<String>>,
    /// `"scheduled"` (the engine's remote data sync) or `"continuous"` (created and started:
    /// changelog-based, always shipping).
    pub mode: Option<S<String>>,
    /// Continuous sessions: how often a checkpoint is set (`"6h"`).
    pub checkpoint: Option<S<String>>,
    /// The gluster cluster of the secondary volume.
    pub secondary_cluster: Option<S<String>>,
    /// `"up"` or `"down"`: the secondary volume's status.
    pub secondary_status: Option<S<String>>,
    /// Whether the secondary volume was empty when the session was created.
    pub secondary_empty: Option<S<bool>>,
    /// How many servers of the secondary cluster are up.
    pub secondary_servers_up: Option<S<i64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
/// `Str` is `String` as the `toml` crate reads it, [`Text`] as the fast reader does.
pub struct RawVm<Str = String> {
    pub name: S<Str>,
    pub cluster: Option<S<Str>>,
    pub memory: Option<S<Str>>,
    pub cpus: Option<S<i64>>,
    pub status: Option<S<Str>>,
    pub ha: Option<S<bool>>,
    pub ha_priority: Option<S<i64>>,
    pub lease: Option<S<Str>>,
    pub resume_behaviour: Option<S<Str>>,
    pub placement: Option<S<Str>>,
    pub placement_hosts: Option<S<Vec<S<Str>>>>,
    pub disks: Option<S<Vec<S<Str>>>>,
    pub networks: Option<S<Vec<S<Str>>>>,
    pub vnic_profiles: Option<S<Vec<S<Str>>>>,
    pub runs_on: Option<S<Str>>,
    pub delete_protected: Option<S<bool>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAffinityLabel {
    pub name: S<String>,
    pub vms: Option<S<Vec<S<String>>>>,
    pub hosts: Option<S<Vec<S<String>>>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAffinityGroup {
    pub name: S<String>,
    pub cluster: Option<S<String>>,
    pub vms: Option<S<Vec<S<String>>>>,
    pub hosts: Option<S<Vec<S<String>>>>,
    pub labels: Option<S<Vec<S<String>>>>,
    pub hosts_rule: Option<S<RawAffinityRule>>,
    pub vms_rule: Option<S<RawAffinityRule>>,
    pub priority: Option<S<f64>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAffinityRule {
    pub enabled: Option<S<bool>>,
    pub positive: Option<S<bool>>,
    pub enforcing: Option<S<bool>>,
}
