//! The typed inventory that lint and sim read. No rule or simulator code sees raw
//! XML, JSON, TOML or YAML: every loader produces an [`Inventory`].

use serde::Serialize;

use crate::ids::{
    AffinityGroupId, AffinityLabelId, Arena, ClusterId, DataCenterId, HostId, Named, NetworkId,
    SiteId, StorageDomainId, VmId, VnicProfileId,
};
use crate::origin::{Origin, SourceMap};

/// Everything known about one oVirt installation and the sites it spans.
#[derive(Clone, Debug, Default)]
pub struct Inventory {
    pub engine: Engine,
    pub sites: Arena<SiteId, Site>,
    pub links: Vec<SiteLink>,
    pub data_centers: Arena<DataCenterId, DataCenter>,
    pub clusters: Arena<ClusterId, Cluster>,
    pub hosts: Arena<HostId, Host>,
    pub networks: Arena<NetworkId, Network>,
    pub vnic_profiles: Arena<VnicProfileId, VnicProfile>,
    pub storage_domains: Arena<StorageDomainId, StorageDomain>,
    pub vms: Arena<VmId, Vm>,
    pub affinity_groups: Arena<AffinityGroupId, AffinityGroup>,
    pub affinity_labels: Arena<AffinityLabelId, AffinityLabel>,
    /// The files this inventory was read from, for pointing at lines.
    pub sources: SourceMap,
}

impl Inventory {
    /// The link between two sites, in either order.
    pub fn link(&self, a: SiteId, b: SiteId) -> Option<&SiteLink> {
        self.links
            .iter()
            .find(|l| (l.sites.0 == a && l.sites.1 == b) || (l.sites.0 == b && l.sites.1 == a))
    }

    /// Hosts of a cluster, in id order.
    pub fn cluster_hosts(&self, cluster: ClusterId) -> impl Iterator<Item = (HostId, &Host)> {
        self.hosts
            .iter()
            .filter(move |(_, h)| h.cluster == Some(cluster))
    }

    /// Hosts of a site, in id order.
    pub fn site_hosts(&self, site: SiteId) -> impl Iterator<Item = (HostId, &Host)> {
        self.hosts.iter().filter(move |(_, h)| h.site == Some(site))
    }

    /// True when the inventory knows which hosts sit in which site.
    pub fn has_sites(&self) -> bool {
        !self.sites.is_empty()
    }
}

/// How the engine itself is deployed.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Deployment {
    /// The engine runs as a VM on hosts it manages (hosted engine).
    SelfHosted,
    /// The engine runs on a machine outside the clusters it manages.
    Standalone,
}

/// The oVirt engine (manager).
#[derive(Clone, Debug, Default, Serialize)]
pub struct Engine {
    /// Unknown for a bare export without a design.
    pub deployment: Option<Deployment>,
    /// The site where the engine normally runs.
    pub site: Option<SiteId>,
    /// Standalone only: made highly available outside oVirt.
    pub external_ha: bool,
    pub version: Option<String>,
    #[serde(skip)]
    pub origin: Option<Origin>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SiteRole {
    Primary,
    Secondary,
    /// A third site holding only a quorum or arbiter.
    Witness,
}

/// A site: a failure domain (room, building, campus). Not an oVirt concept; it comes
/// from the design or from an overlay on an export.
#[derive(Clone, Debug, Serialize)]
pub struct Site {
    pub name: String,
    pub role: SiteRole,
    /// Host name globs assigning exported hosts to this site.
    pub host_globs: Vec<String>,
    /// Hosts carrying this affinity label belong to this site.
    pub label: Option<String>,
    #[serde(skip)]
    pub origin: Option<Origin>,
}

/// The network between two sites.
#[derive(Clone, Debug, Serialize)]
pub struct SiteLink {
    pub sites: (SiteId, SiteId),
    /// Round-trip latency in milliseconds.
    pub rtt_ms: f64,
    /// One broadcast domain stretched over the link.
    pub l2: bool,
    /// Bandwidth in bits per second, when known.
    pub bandwidth_bps: Option<u64>,
    #[serde(skip)]
    pub origin: Option<Origin>,
}

/// A compatibility version such as 4.7.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug, Serialize)]
pub struct Version {
    pub major: u32,
    pub minor: u32,
}

impl Version {
    /// Parses `"4.7"` (extra components are ignored: `"4.5.3"` is 4.5).
    pub fn parse(text: &str) -> Option<Version> {
        let mut parts = text.trim().split('.');
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next().map_or(Some(0), |m| m.parse().ok())?;
        Some(Version { major, minor })
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct DataCenter {
    /// The engine's id, when loaded from an export.
    pub id: Option<String>,
    pub name: String,
    pub compatibility: Option<Version>,
    /// As the engine reports it: `up`, `problematic`, ...
    pub status: Option<String>,
    /// A local (single host) data center.
    pub local: bool,
    #[serde(skip)]
    pub origin: Option<Origin>,
}

/// Cluster resilience policy (`error_handling.on_error`): what the engine does with
/// VMs of a host that becomes NonOperational.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OnError {
    Migrate,
    MigrateHighlyAvailable,
    DoNotMigrate,
}

/// Cluster fencing policy.
#[derive(Clone, Copy, PartialEq, Debug, Serialize)]
pub struct FencingPolicy {
    pub enabled: bool,
    /// Skip fencing when at least `threshold` percent of the cluster's hosts are unreachable.
    pub skip_if_connectivity_broken: bool,
    /// Percent, 0..=100.
    pub threshold: u32,
}

impl Default for FencingPolicy {
    /// oVirt's defaults for a new cluster: fencing on, skip-if-connectivity-broken off, 50 %.
    fn default() -> Self {
        FencingPolicy {
            enabled: true,
            skip_if_connectivity_broken: false,
            threshold: 50,
        }
    }
}

/// Cluster migration policy (the built-in policies of oVirt 4.x).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MigrationPolicy {
    MinimalDowntime,
    PostCopy,
    SuspendWorkload,
    VeryLargeVms,
    /// The legacy policy, or one the loader does not know.
    Legacy,
}

#[derive(Clone, Debug, Serialize)]
pub struct Cluster {
    pub id: Option<String>,
    pub name: String,
    pub data_center: Option<DataCenterId>,
    pub compatibility: Option<Version>,
    pub on_error: OnError,
    pub fencing: FencingPolicy,
    pub migration_policy: MigrationPolicy,
    /// Memory overcommit in percent (100 = none; oVirt offers 100, 150, 200).
    pub memory_overcommit_percent: u32,
    #[serde(skip)]
    pub origin: Option<Origin>,
}

/// Host status as the engine reports it (a subset; the rest is `Other`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HostStatus {
    Up,
    Maintenance,
    NonResponsive,
    NonOperational,
    Down,
    Other,
}

/// SPM role of a host.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SpmStatus {
    None,
    Contending,
    Spm,
}

#[derive(Clone, Debug, Serialize)]
pub struct Host {
    pub id: Option<String>,
    pub name: String,
    pub site: Option<SiteId>,
    pub cluster: Option<ClusterId>,
    pub status: HostStatus,
    /// -1 never SPM, 0..=10 (UI: Low 2, Normal 5, High 7).
    pub spm_priority: i32,
    pub spm_status: SpmStatus,
    pub memory_bytes: u64,
    pub cpus: u32,
    pub power_management: bool,
    /// Can run the self-hosted engine VM.
    pub hosted_engine: bool,
    /// Affinity labels the export attached to this host (names).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<String>,
    #[serde(skip)]
    pub origin: Option<Origin>,
}

/// VM status (a subset; the rest is `Other`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VmStatus {
    Up,
    Down,
    Paused,
    Unknown,
    NotResponding,
    Other,
}

/// `placement_policy.affinity`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Placement {
    Migratable,
    UserMigratable,
    Pinned,
}

/// `storage_error_resume_behaviour`.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ResumeBehaviour {
    Kill,
    LeavePaused,
    AutoResume,
}

#[derive(Clone, Debug, Serialize)]
pub struct Vm {
    pub id: Option<String>,
    pub name: String,
    pub cluster: Option<ClusterId>,
    pub memory_bytes: u64,
    pub cpus: u32,
    pub status: VmStatus,
    /// The host it runs on now.
    pub host: Option<HostId>,
    /// `high_availability.enabled`.
    pub ha: bool,
    /// `high_availability.priority`, 0..=100.
    pub ha_priority: u32,
    /// The storage domain holding the VM lease.
    pub lease: Option<StorageDomainId>,
    pub resume_behaviour: ResumeBehaviour,
    pub placement: Placement,
    pub placement_hosts: Vec<HostId>,
    /// Storage domains holding the VM's disks.
    pub disks: Vec<StorageDomainId>,
    /// Networks of the VM's vNICs.
    pub networks: Vec<NetworkId>,
    /// vNIC profiles of the VM's vNICs (from exports).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub vnic_profiles: Vec<VnicProfileId>,
    /// Protected against deletion.
    pub delete_protected: bool,
    #[serde(skip)]
    pub origin: Option<Origin>,
}

/// One side of an affinity group: its VM-to-VM or VM-to-host rule.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Serialize)]
pub struct AffinityRule {
    pub enabled: bool,
    /// Hard ("enforcing") rather than soft.
    pub enforcing: bool,
    /// Positive (together / on these hosts) rather than negative.
    pub positive: bool,
}

impl AffinityRule {
    pub fn is_hard_positive(&self) -> bool {
        self.enabled && self.enforcing && self.positive
    }
    pub fn is_soft_positive(&self) -> bool {
        self.enabled && !self.enforcing && self.positive
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct AffinityGroup {
    pub id: Option<String>,
    pub name: String,
    pub cluster: Option<ClusterId>,
    pub vms: Vec<VmId>,
    pub hosts: Vec<HostId>,
    pub labels: Vec<AffinityLabelId>,
    pub vms_rule: AffinityRule,
    pub hosts_rule: AffinityRule,
    pub priority: f64,
    #[serde(skip)]
    pub origin: Option<Origin>,
}

#[derive(Clone, Debug, Serialize)]
pub struct AffinityLabel {
    pub id: Option<String>,
    pub name: String,
    pub vms: Vec<VmId>,
    pub hosts: Vec<HostId>,
    #[serde(skip)]
    pub origin: Option<Origin>,
}

/// Storage domain type.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DomainType {
    Data,
    Iso,
    Export,
    Image,
    Volume,
    ManagedBlockStorage,
    HostedEngine,
    Other,
}

/// Storage backend type.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StorageType {
    Nfs,
    Iscsi,
    Fcp,
    Glusterfs,
    Posixfs,
    Localfs,
    Other,
}

/// How a storage domain's backing storage is replicated between sites.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Replication {
    Sync,
    Async,
    None,
}

#[derive(Clone, Debug, Serialize)]
pub struct StorageDomain {
    pub id: Option<String>,
    pub name: String,
    pub domain_type: DomainType,
    pub storage: StorageType,
    /// The data center's master domain.
    pub master: bool,
    pub data_center: Option<DataCenterId>,
    /// `None` when nothing says (a bare export).
    pub replication: Option<Replication>,
    /// Sites where the storage can be written.
    pub writable_at: Vec<SiteId>,
    /// A witness site arbitrating the replication.
    pub witness: Option<SiteId>,
    #[serde(skip)]
    pub origin: Option<Origin>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Network {
    pub id: Option<String>,
    pub name: String,
    pub data_center: Option<DataCenterId>,
    /// Sites carrying this network; `None` when unknown (a bare export).
    pub sites: Option<Vec<SiteId>>,
    #[serde(skip)]
    pub origin: Option<Origin>,
}

#[derive(Clone, Debug, Serialize)]
pub struct VnicProfile {
    pub id: Option<String>,
    pub name: String,
    pub network: Option<NetworkId>,
    #[serde(skip)]
    pub origin: Option<Origin>,
}

macro_rules! named {
    ($($t:ty),*) => {$(
        impl Named for $t {
            fn name(&self) -> &str {
                &self.name
            }
        }
    )*};
}
named!(
    Site,
    DataCenter,
    Cluster,
    Host,
    Vm,
    AffinityGroup,
    AffinityLabel,
    StorageDomain,
    Network,
    VnicProfile
);
