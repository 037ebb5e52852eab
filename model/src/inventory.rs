//! The typed inventory that lint and sim read. No rule or simulator code sees raw
//! XML, JSON, TOML or YAML: every loader produces an [`Inventory`].

use std::collections::BTreeMap;

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
    /// What the engine's API says of a storage domain beyond the fields of [`StorageDomain`]
    /// (exports and live engines): status, connection, space and delete settings.
    pub storage_details: BTreeMap<StorageDomainId, StorageDetails>,
    /// Roles (`roles`); `None` when the source does not list them.
    pub roles: Option<Vec<Role>>,
    /// AAA (authorization) domains (`domains`); `None` when the source does not list them.
    pub aaa_domains: Option<Vec<AaaDomain>>,
    /// Direct LUN disks (`disks` of `storage_type` lun); `None` when the source has no disks.
    pub direct_luns: Option<Vec<DirectLunDisk>>,
    /// Templates (`templates`); `None` when the source does not list them.
    pub templates: Option<Vec<Template>>,
    /// VM snapshots (`vms/<id>/snapshots`); `None` when the source has none of those files.
    pub snapshots: Option<Vec<Snapshot>>,
    /// References to entities the source does not hold, per collection (exports only):
    /// skipped on load, reported once.
    pub missing_references: Vec<MissingReferences>,
    /// The `[slo]` entries of the design, by metric name.
    pub slo: Vec<SloEntry>,
}

/// One `[slo]` entry as written (`rto_p95 = "<=15m"`); the simulator's SLO grammar reads it.
#[derive(Clone, Debug)]
pub struct SloEntry {
    pub metric: String,
    pub value: toml::Value,
    /// Where the entry's key is.
    pub origin: Origin,
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

    /// How a storage domain is reached, when the source says.
    pub fn storage_connection(&self, domain: StorageDomainId) -> Option<&StorageConnection> {
        self.storage_details.get(&domain)?.connection.as_ref()
    }

    /// The warning about [`Inventory::missing_references`], when there are any: how many
    /// references were skipped, per collection, and which collection files are absent.
    pub fn missing_references_warning(&self) -> Option<String> {
        if self.missing_references.is_empty() {
            return None;
        }
        let total: usize = self.missing_references.iter().map(|m| m.references).sum();
        let parts: Vec<String> = self
            .missing_references
            .iter()
            .map(|m| {
                let file = if m.file_missing { ", no such file" } else { "" };
                format!("{} ({}{file})", m.collection, m.references)
            })
            .collect();
        Some(format!(
            "{total} reference{} to entities the export does not hold were skipped: {}",
            if total == 1 { "" } else { "s" },
            parts.join(", ")
        ))
    }
}

/// References of an export to entities of one collection that the export does not hold.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MissingReferences {
    /// The collection referred to (`clusters`, `hosts`...).
    pub collection: String,
    /// How many references were skipped.
    pub references: usize,
    /// The export has no file for the collection at all (a VMs-only export, say).
    pub file_missing: bool,
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

/// How the engine limits the bandwidth of one migration (the cluster's
/// `migration.bandwidth.assignment_method`; ovirt-engine `MigrationBandwidthLimitType`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MigrationBandwidth {
    /// The engine's default: the migration network's QoS, else the lower link speed of the two
    /// hosts' migration NICs; vdsm's own default when neither is known.
    #[default]
    Auto,
    /// vdsm's `migration_max_bandwidth` (52 MiB/s).
    HypervisorDefault,
    /// A fixed rate, in bits per second, shared by the concurrent migrations.
    Custom(u64),
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
    /// How one migration's bandwidth is limited.
    pub migration_bandwidth: MigrationBandwidth,
    /// Memory overcommit in percent (100 = none; oVirt offers 100, 150, 200).
    pub memory_overcommit_percent: u32,
    #[serde(skip)]
    pub origin: Option<Origin>,
}

/// Host status as the engine reports it: every value of the API model's `HostStatus`
/// (ovirt-engine-api-model `types/HostStatus.java`); `Other` for a value it does not have.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HostStatus {
    Up,
    Maintenance,
    NonResponsive,
    NonOperational,
    Down,
    Connecting,
    Error,
    Initializing,
    Installing,
    InstallFailed,
    InstallingOs,
    Kdumping,
    PendingApproval,
    PreparingForMaintenance,
    Reboot,
    Unassigned,
    Other,
}

impl HostStatus {
    /// Every status of the API model, as the API spells it.
    pub const API: [(&'static str, HostStatus); 16] = [
        ("up", HostStatus::Up),
        ("maintenance", HostStatus::Maintenance),
        ("non_responsive", HostStatus::NonResponsive),
        ("non_operational", HostStatus::NonOperational),
        ("down", HostStatus::Down),
        ("connecting", HostStatus::Connecting),
        ("error", HostStatus::Error),
        ("initializing", HostStatus::Initializing),
        ("installing", HostStatus::Installing),
        ("install_failed", HostStatus::InstallFailed),
        ("installing_os", HostStatus::InstallingOs),
        ("kdumping", HostStatus::Kdumping),
        ("pending_approval", HostStatus::PendingApproval),
        (
            "preparing_for_maintenance",
            HostStatus::PreparingForMaintenance,
        ),
        ("reboot", HostStatus::Reboot),
        ("unassigned", HostStatus::Unassigned),
    ];

    /// The status an API value names; `Other` for one the model does not have.
    pub fn from_api(text: &str) -> HostStatus {
        lookup(&HostStatus::API, text).unwrap_or(HostStatus::Other)
    }
}

/// The value `text` names in an `(API spelling, value)` table.
fn lookup<T: Copy>(table: &[(&str, T)], text: &str) -> Option<T> {
    table
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(text))
        .map(|(_, value)| *value)
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
    /// Speed of the NIC carrying the migration network, in bits per second (unknown: `None`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub migration_nic_speed_bps: Option<u64>,
    /// Affinity labels the export attached to this host (names).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<String>,
    #[serde(skip)]
    pub origin: Option<Origin>,
}

/// VM status: every value of the API model's `VmStatus` (ovirt-engine-api-model
/// `types/VmStatus.java`); `Other` for a value it does not have.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum VmStatus {
    Up,
    Down,
    Paused,
    Unknown,
    NotResponding,
    ImageLocked,
    Migrating,
    PoweringDown,
    PoweringUp,
    RebootInProgress,
    RestoringState,
    SavingState,
    Suspended,
    Unassigned,
    WaitForLaunch,
    Other,
}

impl VmStatus {
    /// Every status of the API model, as the API spells it.
    pub const API: [(&'static str, VmStatus); 15] = [
        ("up", VmStatus::Up),
        ("down", VmStatus::Down),
        ("paused", VmStatus::Paused),
        ("unknown", VmStatus::Unknown),
        ("not_responding", VmStatus::NotResponding),
        ("image_locked", VmStatus::ImageLocked),
        ("migrating", VmStatus::Migrating),
        ("powering_down", VmStatus::PoweringDown),
        ("powering_up", VmStatus::PoweringUp),
        ("reboot_in_progress", VmStatus::RebootInProgress),
        ("restoring_state", VmStatus::RestoringState),
        ("saving_state", VmStatus::SavingState),
        ("suspended", VmStatus::Suspended),
        ("unassigned", VmStatus::Unassigned),
        ("wait_for_launch", VmStatus::WaitForLaunch),
    ];

    /// The status an API value names; `Other` for one the model does not have.
    pub fn from_api(text: &str) -> VmStatus {
        lookup(&VmStatus::API, text).unwrap_or(VmStatus::Other)
    }
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
    /// The self-hosted engine's own VM (API `origin` `managed_hosted_engine`, or
    /// `hosted_engine` on older engines): the hosted-engine agents run it, not the engine.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub hosted_engine: bool,
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
    /// The gluster volume behind a `glusterfs` domain and its geo-replication sessions
    /// (from the design or overlay; the engine's storage domain API does not carry them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gluster: Option<GlusterVolume>,
    #[serde(skip)]
    pub origin: Option<Origin>,
}

/// Storage domain status: every value of the API model's `StorageDomainStatus`
/// (ovirt-engine-api-model `types/StorageDomainStatus.java`); `Other` for a value it does
/// not have.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StorageDomainStatus {
    Active,
    Activating,
    Detaching,
    Inactive,
    Locked,
    Maintenance,
    Mixed,
    PreparingForMaintenance,
    Unattached,
    Unknown,
    Other,
}

impl StorageDomainStatus {
    /// Every status of the API model, as the API spells it.
    pub const API: [(&'static str, StorageDomainStatus); 10] = [
        ("active", StorageDomainStatus::Active),
        ("activating", StorageDomainStatus::Activating),
        ("detaching", StorageDomainStatus::Detaching),
        ("inactive", StorageDomainStatus::Inactive),
        ("locked", StorageDomainStatus::Locked),
        ("maintenance", StorageDomainStatus::Maintenance),
        ("mixed", StorageDomainStatus::Mixed),
        (
            "preparing_for_maintenance",
            StorageDomainStatus::PreparingForMaintenance,
        ),
        ("unattached", StorageDomainStatus::Unattached),
        ("unknown", StorageDomainStatus::Unknown),
    ];

    /// The status an API value names; `Other` for one the model does not have.
    pub fn from_api(text: &str) -> StorageDomainStatus {
        lookup(&StorageDomainStatus::API, text).unwrap_or(StorageDomainStatus::Other)
    }
}

/// What the engine's API says of a storage domain beyond [`StorageDomain`]'s fields.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct StorageDetails {
    /// As attached to its data center (`datacenters/<id>/storagedomains`), else as listed.
    pub status: Option<StorageDomainStatus>,
    /// How hosts reach the storage (`storage`).
    pub connection: Option<StorageConnection>,
    pub wipe_after_delete: Option<bool>,
    pub discard_after_delete: Option<bool>,
    /// Holds backups (`backup`).
    pub backup: Option<bool>,
    /// GiB of free space below which the engine blocks new disks.
    pub critical_space_action_blocker: Option<u32>,
    /// Percent of free space below which the engine warns (`warning_low_space_indicator`).
    pub warning_low_space: Option<u32>,
}

/// How hosts reach a storage domain's storage: the API's `HostStorage`
/// (ovirt-engine-api-model `types/HostStorage.java`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct StorageConnection {
    /// The server (NFS, gluster, POSIX); for iSCSI, the first LUN's portal address.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// The export path (NFS), `/volume` (gluster) or device path (POSIX).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u32>,
    /// `auto`, `v3`, `v4`, `v4_0`, `v4_1`, `v4_2`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nfs_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mount_options: Option<String>,
    /// POSIX file system type (`ceph`, `cifs`...).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vfs_type: Option<String>,
    /// glusterfs: the gluster volume (the path without its leading `/`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gluster_volume: Option<String>,
    /// iSCSI and FCP: the LVM volume group's id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub volume_group: Option<String>,
    /// iSCSI and FCP: the LUNs of the volume group.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub logical_units: Vec<LogicalUnit>,
}

impl StorageConnection {
    /// The iSCSI targets of the LUNs, each once, in LUN order.
    pub fn targets(&self) -> Vec<&str> {
        let mut targets: Vec<&str> = Vec::new();
        for target in self
            .logical_units
            .iter()
            .filter_map(|l| l.target.as_deref())
        {
            if !targets.contains(&target) {
                targets.push(target);
            }
        }
        targets
    }
}

/// A LUN (`logical_unit`): of a block domain's volume group or of a direct LUN disk.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct LogicalUnit {
    /// The LUN's id (its SCSI WWID, e.g. `3600a0980...`).
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u32>,
    /// The iSCSI target (IQN).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// `address:port,tpgt`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub portal: Option<String>,
}

/// A role (`roles`).
#[derive(Clone, Debug, Serialize)]
pub struct Role {
    pub id: Option<String>,
    pub name: String,
    pub administrative: bool,
    /// False for the engine's predefined roles (`UserRole`, `SuperUser`...), which every
    /// engine has under the same name.
    pub mutable: bool,
    #[serde(skip)]
    pub origin: Option<Origin>,
}

/// An AAA (authorization) domain of users and groups (`domains`).
#[derive(Clone, Debug, Serialize)]
pub struct AaaDomain {
    pub id: Option<String>,
    pub name: String,
    #[serde(skip)]
    pub origin: Option<Origin>,
}

/// A direct LUN disk: a disk that is a whole LUN, not an image on a storage domain.
#[derive(Clone, Debug, Serialize)]
pub struct DirectLunDisk {
    pub id: Option<String>,
    /// The disk's alias (its name).
    pub name: String,
    /// `iscsi` or `fcp` (`lun_storage.type`).
    pub storage: StorageType,
    pub logical_unit: LogicalUnit,
    /// VMs the disk is attached to.
    pub vms: Vec<VmId>,
    #[serde(skip)]
    pub origin: Option<Origin>,
}

/// A template (`templates`).
#[derive(Clone, Debug, Serialize)]
pub struct Template {
    pub id: Option<String>,
    pub name: String,
    pub cluster: Option<ClusterId>,
    /// Storage domains of the template's disks (`templates/<id>/diskattachments`).
    pub disks: Vec<StorageDomainId>,
    pub delete_protected: bool,
    #[serde(skip)]
    pub origin: Option<Origin>,
}

/// A VM snapshot's status (ovirt-engine-api-model `types/SnapshotStatus.java`).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SnapshotStatus {
    Ok,
    Locked,
    InPreview,
    Other,
}

impl SnapshotStatus {
    /// Every status of the API model, as the API spells it.
    pub const API: [(&'static str, SnapshotStatus); 3] = [
        ("ok", SnapshotStatus::Ok),
        ("locked", SnapshotStatus::Locked),
        ("in_preview", SnapshotStatus::InPreview),
    ];

    /// The status an API value names; `Other` for one the model does not have.
    pub fn from_api(text: &str) -> SnapshotStatus {
        lookup(&SnapshotStatus::API, text).unwrap_or(SnapshotStatus::Other)
    }
}

/// A snapshot of a VM (`vms/<id>/snapshots`).
#[derive(Clone, Debug, Serialize)]
pub struct Snapshot {
    pub id: Option<String>,
    pub vm: VmId,
    pub description: String,
    pub status: SnapshotStatus,
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

/// gluster's default `features.shard-block-size`: 64 MB, which gluster reads in binary units
/// (Gluster Administration Guide, "Volume options": `features.shard-block-size`, default 64MB).
pub const GLUSTER_SHARD_BLOCK_SIZE_BYTES: u64 = 64 << 20;

/// Milliseconds in an hour, a day and a week of the schedule timeline, on which 0 is a
/// Monday 00:00.
pub const HOUR_MS: u64 = 3_600_000;
pub const DAY_MS: u64 = 24 * HOUR_MS;
pub const WEEK_MS: u64 = 7 * DAY_MS;

/// The gluster volume backing a `glusterfs` storage domain.
#[derive(Clone, Debug, Serialize)]
pub struct GlusterVolume {
    /// The gluster volume name.
    pub volume: String,
    /// `features.shard`; `None` when nothing says (gluster's default is off).
    pub sharding: Option<bool>,
    /// `features.shard-block-size`; `None` for gluster's default
    /// ([`GLUSTER_SHARD_BLOCK_SIZE_BYTES`]).
    pub shard_block_size_bytes: Option<u64>,
    /// Usable capacity of the volume.
    pub capacity_bytes: Option<u64>,
    /// Bricks as `host:/path`, when known.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub bricks: Vec<String>,
    /// Bricks per replicated subvolume (3 for `replica 3`); `None` when nothing says (then
    /// any offline brick is taken to leave its subvolume without an active brick).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replica: Option<u32>,
    /// The gluster cluster holding the volume.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster: Option<ClusterId>,
    /// Geo-replication sessions keeping a copy of the volume at another site.
    pub georep: Vec<GeoRepSession>,
    #[serde(skip)]
    pub origin: Option<Origin>,
}

impl GlusterVolume {
    /// Sharding as gluster applies it: off unless turned on.
    pub fn is_sharded(&self) -> bool {
        self.sharding.unwrap_or(false)
    }

    /// The shard block size gluster uses (its default when not set).
    pub fn shard_block_size(&self) -> u64 {
        self.shard_block_size_bytes
            .unwrap_or(GLUSTER_SHARD_BLOCK_SIZE_BYTES)
    }
}

/// A geo-replication session from a domain's volume to a secondary volume, run by the engine's
/// remote data sync: snapshot the domain's VMs, set a checkpoint, replicate until the checkpoint
/// completes, stop, remove the snapshots.
#[derive(Clone, Debug, Serialize)]
pub struct GeoRepSession {
    pub secondary_volume: String,
    /// The site holding the secondary volume.
    pub secondary_site: Option<SiteId>,
    pub secondary_capacity_bytes: Option<u64>,
    /// `features.shard` of the secondary volume; `None` when nothing says (gluster's default: off).
    pub secondary_sharding: Option<bool>,
    pub secondary_shard_block_size_bytes: Option<u64>,
    /// When the sync runs; `None` when no schedule is set (it then runs only by hand).
    pub schedule: Option<SyncSchedule>,
    /// How fast the domain's data changes.
    pub change_rate: Option<ChangeRate>,
    /// Bandwidth available to the session, bits per second; `None` to use the site link's.
    pub bandwidth_bps: Option<u64>,
    /// The recovery point objective the session must meet.
    pub rpo_target_ms: Option<u64>,
    /// How the session runs: the engine's scheduled sync, or continuously.
    pub mode: GeoRepMode,
    /// Continuous sessions: a checkpoint every this long, when set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checkpoint_every_ms: Option<u64>,
    /// The gluster cluster of the secondary volume.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secondary_cluster: Option<ClusterId>,
    /// The secondary volume is up; `None` when nothing says.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secondary_up: Option<bool>,
    /// The secondary volume was empty when the session was created; `None` when unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secondary_empty: Option<bool>,
    /// Servers of the secondary cluster that are up; `None` when unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secondary_servers_up: Option<u32>,
    #[serde(skip)]
    pub origin: Option<Origin>,
}

/// How a geo-replication session runs.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GeoRepMode {
    /// The engine's remote data sync (`GlusterStorageSyncCommand`): on its schedule, snapshot
    /// the domain's VMs, start the session, set a checkpoint, stop the session once the
    /// checkpoint completes.
    #[default]
    Scheduled,
    /// Created and started: gsyncd ships changes from the changelog as they happen, with
    /// optional checkpoints; the lag is the backlog over the bandwidth.
    Continuous,
}

/// How often ovirt-engine refreshes geo-replication status (`GlusterRefreshRateGeoRepStatusInSecs`,
/// 300 s, `GlusterGeoRepSyncJob.refreshGeoRepSessionStatus`): a sync's completion is seen at the
/// next refresh. Refreshes are taken on multiples of this period of the schedule timeline.
pub const GEOREP_STATUS_REFRESH_MS: u64 = 300_000;

/// gluster's changelog rollover: changes are picked up in batches this often
/// (`changelog.rollover-time`, default 15 s).
pub const CHANGELOG_ROLLOVER_MS: u64 = 15_000;

/// The lag arithmetic of a continuous session: [`GeoRepSession::continuous_lag`].
#[derive(Clone, Copy, PartialEq, Debug, Serialize)]
pub struct ContinuousLag {
    /// The largest age of the oldest change not yet shipped, over a steady-state week, plus
    /// one changelog rollover.
    pub worst_lag_ms: u64,
    /// The largest backlog, bytes.
    pub peak_backlog_bytes: f64,
    /// Changes over a week more than the bandwidth ships in a week: the backlog grows
    /// without bound and the lag with it.
    pub unbounded: bool,
    /// Data changed per week, bytes.
    pub weekly_change_bytes: f64,
    /// What the bandwidth ships in a week, bytes.
    pub weekly_capacity_bytes: f64,
}

impl GeoRepSession {
    /// Sharding of the secondary volume as gluster applies it: off unless turned on.
    pub fn secondary_is_sharded(&self) -> bool {
        self.secondary_sharding.unwrap_or(false)
    }

    /// The secondary volume's shard block size (gluster's default when not set).
    pub fn secondary_shard_block_size(&self) -> u64 {
        self.secondary_shard_block_size_bytes
            .unwrap_or(GLUSTER_SHARD_BLOCK_SIZE_BYTES)
    }

    /// The bandwidth the session replicates over: its own `bandwidth`, else that of the link
    /// between the domain's site (the one site it is writable at) and the secondary site.
    pub fn bandwidth(&self, inventory: &Inventory, domain: &StorageDomain) -> Option<u64> {
        if self.bandwidth_bps.is_some() {
            return self.bandwidth_bps;
        }
        let [primary] = domain.writable_at.as_slice() else {
            return None;
        };
        inventory
            .link(*primary, self.secondary_site?)
            .and_then(|link| link.bandwidth_bps)
    }

    /// The worst-case RPO of the session's schedule with a steady change rate: for each run,
    /// the time since the previous run's snapshot plus the time this run takes to ship what
    /// changed in between. `None` without a schedule, change rate or bandwidth.
    ///
    /// Runs are assumed to finish before the next one is due; [`RpoEstimate::overruns`] says
    /// when one does not (the engine then skips the next run and the real RPO is worse).
    pub fn worst_case_rpo(&self, bandwidth_bps: Option<u64>) -> Option<RpoEstimate> {
        let schedule = self.schedule.as_ref()?;
        let rate = self.change_rate.as_ref()?;
        let bandwidth_bps = bandwidth_bps.filter(|&b| b > 0)?;
        let gap_max = schedule.longest_gap_ms()?;
        // Two weeks, or a week and the longest gap: every gap of the schedule is in view.
        let horizon = (2 * WEEK_MS).max(WEEK_MS + 2 * gap_max);
        let fires = schedule.fires_between(0, horizon);
        // The engine sees the checkpoint complete at its next status refresh.
        let seen = |ms: u64| ms.div_ceil(GEOREP_STATUS_REFRESH_MS) * GEOREP_STATUS_REFRESH_MS;
        let sync_of = |from: u64, to: u64| {
            seen(sync_duration_ms(
                rate.bytes_between(from, to),
                bandwidth_bps,
            ))
        };
        let mut worst: Option<RpoEstimate> = None;
        for pair in fires.windows(2) {
            let (previous, at) = (pair[0], pair[1]);
            let changed_bytes = rate.bytes_between(previous, at);
            let sync_ms = sync_duration_ms(changed_bytes, bandwidth_bps);
            let refresh_wait_ms = seen(sync_ms.max(1)) - sync_ms;
            let rpo_ms = (at - previous) + sync_ms + refresh_wait_ms;
            if worst.as_ref().is_none_or(|w| rpo_ms > w.rpo_ms) {
                worst = Some(RpoEstimate {
                    rpo_ms,
                    interval_ms: at - previous,
                    sync_ms,
                    refresh_wait_ms,
                    changed_bytes,
                    run_at_ms: at % WEEK_MS,
                    overruns: false,
                });
            }
        }
        let mut worst = worst?;
        // A run overruns when it is still shipping when the next one is due.
        worst.overruns = fires.windows(3).any(|w| w[1] + sync_of(w[0], w[1]) > w[2]);
        Some(worst)
    }
}

impl GeoRepSession {
    /// The bandwidth the session gets: its own `bandwidth`, else an equal share of the site
    /// link's among every session over that link without a bandwidth of its own (sessions
    /// sharing one link share its bandwidth).
    pub fn shared_bandwidth(&self, inventory: &Inventory, domain: &StorageDomain) -> Option<u64> {
        if self.bandwidth_bps.is_some() {
            return self.bandwidth_bps;
        }
        let link = self.bandwidth(inventory, domain)?;
        let key = |d: &StorageDomain, s: &GeoRepSession| match d.writable_at.as_slice() {
            [primary] => s.secondary_site.map(|secondary| {
                let (a, b) = (*primary, secondary);
                if a <= b { (a, b) } else { (b, a) }
            }),
            _ => None,
        };
        let mine = key(domain, self)?;
        let sharing = inventory
            .storage_domains
            .values()
            .filter_map(|d| Some((d, d.gluster.as_ref()?)))
            .flat_map(|(d, v)| v.georep.iter().map(move |s| (d, s)))
            .filter(|(d, s)| s.bandwidth_bps.is_none() && key(d, s) == Some(mine))
            .count()
            .max(1);
        Some(link / sharing as u64)
    }

    /// The lag of a continuous session: changes arrive at the change rate and ship in arrival
    /// order at `bandwidth_bps`; the backlog grows in hours that change more than the
    /// bandwidth ships and drains in the others. Evaluated minute by minute over a second week
    /// (the first brings the backlog to its steady state). `None` without a change rate or
    /// bandwidth.
    pub fn continuous_lag(&self, bandwidth_bps: Option<u64>) -> Option<ContinuousLag> {
        let rate = self.change_rate.as_ref()?;
        let bandwidth_bps = bandwidth_bps.filter(|&b| b > 0)?;
        let per_ms = bandwidth_bps as f64 / 8.0 / 1000.0;
        let weekly_change_bytes = rate.bytes_between(0, WEEK_MS);
        let weekly_capacity_bytes = per_ms * WEEK_MS as f64;
        let unbounded = weekly_change_bytes > weekly_capacity_bytes;
        const STEP: u64 = 60_000;
        // Cumulative changes at each step, for the age of the oldest unshipped byte.
        let mut changed = vec![0.0f64];
        let mut shipped = 0.0f64;
        let mut worst_lag_ms = 0u64;
        let mut peak_backlog_bytes = 0.0f64;
        let mut t = 0;
        while t < 2 * WEEK_MS {
            let total = changed.last().copied().unwrap_or(0.0) + rate.bytes_between(t, t + STEP);
            changed.push(total);
            shipped = (shipped + per_ms * STEP as f64).min(total);
            t += STEP;
            if t <= WEEK_MS {
                continue;
            }
            let backlog = total - shipped;
            peak_backlog_bytes = peak_backlog_bytes.max(backlog);
            if backlog > 0.0 {
                // The oldest unshipped byte changed in the first step whose cumulative total
                // passes what has shipped.
                let first = changed.partition_point(|&c| c <= shipped);
                let since = (first.saturating_sub(1)) as u64 * STEP;
                worst_lag_ms = worst_lag_ms.max(t - since);
            }
        }
        Some(ContinuousLag {
            worst_lag_ms: worst_lag_ms + CHANGELOG_ROLLOVER_MS,
            peak_backlog_bytes,
            unbounded,
            weekly_change_bytes,
            weekly_capacity_bytes,
        })
    }
}

/// How long shipping `bytes` takes at `bandwidth_bps`, in whole milliseconds (rounded up).
pub fn sync_duration_ms(bytes: f64, bandwidth_bps: u64) -> u64 {
    if bandwidth_bps == 0 {
        return u64::MAX;
    }
    let ms = bytes * 8.0 * 1000.0 / bandwidth_bps as f64;
    ms.ceil().max(0.0) as u64
}

/// The worst case of [`GeoRepSession::worst_case_rpo`].
#[derive(Clone, Copy, PartialEq, Debug, Serialize)]
pub struct RpoEstimate {
    /// The worst RPO: `interval_ms + sync_ms + refresh_wait_ms`.
    pub rpo_ms: u64,
    /// Time between the previous run's snapshot and this run's.
    pub interval_ms: u64,
    /// How long this run ships.
    pub sync_ms: u64,
    /// From the end of the transfer to the engine's status refresh that sees it complete.
    pub refresh_wait_ms: u64,
    /// Data changed over the interval, bytes.
    pub changed_bytes: f64,
    /// When the run starts, ms after Monday 00:00.
    pub run_at_ms: u64,
    /// Some run takes longer than the time to the next one.
    pub overruns: bool,
}

/// When a remote data sync runs. The timeline starts on a Monday at 00:00.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncSchedule {
    /// Every `every_ms`, from Monday 00:00 (`schedule = "6h"`).
    Interval { every_ms: u64 },
    /// A cron expression (`schedule = "30 2 * * *"`).
    Cron(CronSchedule),
}

/// How often a schedule runs, in the terms of the engine's remote data sync setup.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncFrequency {
    /// Every day at one time of day.
    Daily,
    /// On some days of the week at one time of day.
    Weekly,
    /// Anything else: several times a day, every N hours, at several times of day.
    Other,
}

impl SyncSchedule {
    /// Run times in `[from_ms, to_ms)`, ascending.
    pub fn fires_between(&self, from_ms: u64, to_ms: u64) -> Vec<u64> {
        match self {
            SyncSchedule::Interval { every_ms } => {
                let every = (*every_ms).max(1);
                let first = from_ms.div_ceil(every);
                (first..)
                    .map(|k| k * every)
                    .take_while(|&t| t < to_ms)
                    .collect()
            }
            SyncSchedule::Cron(cron) => {
                let offsets = cron.week_offsets_ms();
                let mut out = Vec::new();
                if offsets.is_empty() {
                    return out;
                }
                let mut week = from_ms / WEEK_MS;
                while week * WEEK_MS < to_ms {
                    out.extend(
                        offsets
                            .iter()
                            .map(|&o| week * WEEK_MS + o)
                            .filter(|&t| t >= from_ms && t < to_ms),
                    );
                    week += 1;
                }
                out
            }
        }
    }

    /// The longest time between two consecutive runs; `None` when it never runs.
    pub fn longest_gap_ms(&self) -> Option<u64> {
        match self {
            SyncSchedule::Interval { every_ms } => Some(*every_ms).filter(|&e| e > 0),
            SyncSchedule::Cron(cron) => {
                let offsets = cron.week_offsets_ms();
                let first = *offsets.first()?;
                let wrap = first + WEEK_MS - offsets.last()?;
                Some(offsets.windows(2).map(|w| w[1] - w[0]).fold(wrap, u64::max))
            }
        }
    }

    /// Which of the engine's frequencies this schedule is.
    pub fn frequency(&self) -> SyncFrequency {
        match self {
            SyncSchedule::Interval { every_ms } if *every_ms == DAY_MS => SyncFrequency::Daily,
            SyncSchedule::Interval { every_ms } if *every_ms == WEEK_MS => SyncFrequency::Weekly,
            SyncSchedule::Interval { .. } => SyncFrequency::Other,
            SyncSchedule::Cron(cron) => {
                if cron.minutes.len() != 1 || cron.hours.len() != 1 {
                    SyncFrequency::Other
                } else if cron.weekdays.len() == 7 {
                    SyncFrequency::Daily
                } else {
                    SyncFrequency::Weekly
                }
            }
        }
    }
}

impl std::fmt::Display for SyncSchedule {
    /// `every 6h` or `cron "0 */6 * * *"`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SyncSchedule::Interval { every_ms } => {
                write!(f, "every {}", crate::units::format_duration_ms(*every_ms))
            }
            SyncSchedule::Cron(cron) => write!(f, "cron {:?}", cron.expression),
        }
    }
}

/// A cron expression reduced to the times it fires within a week. Day-of-month and month
/// must be `*` (or `?`): a sync schedule repeats daily or weekly.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct CronSchedule {
    /// The expression as written.
    pub expression: String,
    /// Second of the minute (7-field Quartz expressions; 0 otherwise).
    pub second: u8,
    /// Minutes of the hour, ascending.
    pub minutes: Vec<u8>,
    /// Hours of the day, ascending.
    pub hours: Vec<u8>,
    /// Days of the week, ascending, 0 = Monday .. 6 = Sunday.
    pub weekdays: Vec<u8>,
}

impl CronSchedule {
    /// The run times within a week, ms after Monday 00:00, ascending.
    pub fn week_offsets_ms(&self) -> Vec<u64> {
        let mut out =
            Vec::with_capacity(self.weekdays.len() * self.hours.len() * self.minutes.len());
        for &day in &self.weekdays {
            for &hour in &self.hours {
                for &minute in &self.minutes {
                    out.push(
                        u64::from(day) * DAY_MS
                            + u64::from(hour) * HOUR_MS
                            + u64::from(minute) * 60_000
                            + u64::from(self.second) * 1000,
                    );
                }
            }
        }
        out
    }
}

/// How fast a domain's data changes, bytes per hour.
#[derive(Clone, PartialEq, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeRate {
    /// The same all day (`change_rate = "20GiB/h"`).
    Constant { bytes_per_hour: f64 },
    /// One rate per hour of the day, 00:00 first (`change_rate_by_hour = [...]`, GiB/h).
    ByHour { bytes_per_hour: [f64; 24] },
}

impl ChangeRate {
    /// The rate during the hour of day `hour` (0..24).
    pub fn at_hour(&self, hour: usize) -> f64 {
        match self {
            ChangeRate::Constant { bytes_per_hour } => *bytes_per_hour,
            ChangeRate::ByHour { bytes_per_hour } => bytes_per_hour[hour % 24],
        }
    }

    /// Bytes changed between two times of the schedule timeline (ms, 0 = Monday 00:00).
    pub fn bytes_between(&self, from_ms: u64, to_ms: u64) -> f64 {
        if to_ms <= from_ms {
            return 0.0;
        }
        if let ChangeRate::Constant { bytes_per_hour } = self {
            return bytes_per_hour * (to_ms - from_ms) as f64 / HOUR_MS as f64;
        }
        let mut bytes = 0.0;
        let mut t = from_ms;
        while t < to_ms {
            let hour_end = (t / HOUR_MS + 1) * HOUR_MS;
            let end = hour_end.min(to_ms);
            let hour = ((t / HOUR_MS) % 24) as usize;
            bytes += self.at_hour(hour) * (end - t) as f64 / HOUR_MS as f64;
            t = end;
        }
        bytes
    }
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
named!(Role, AaaDomain, DirectLunDisk, Template);
