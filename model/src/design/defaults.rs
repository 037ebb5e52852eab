//! What a design means when it leaves a field out: oVirt's own defaults for a new
//! entity, so a design reads like the cluster the engine would create from it.

use crate::inventory::{FencingPolicy, MigrationPolicy, OnError, Placement, ResumeBehaviour};

/// A new host's SPM priority, "Normal" in the UI (`VdsStatic.HOST_DEFAULT_SPM_PRIORITY` in
/// ovirt-engine).
pub const SPM_PRIORITY: i32 = 5;

/// `high_availability.priority` of a new VM: the UI's default "Low" (1 of low 1, medium 50,
/// high 100).
pub const HA_PRIORITY: u32 = 1;

/// Memory of a VM made from the Blank template: 1 GiB (`mem_size_mb` 1024).
pub const VM_MEMORY_BYTES: u64 = 1 << 30;

/// CPUs of a VM made from the Blank template.
pub const VM_CPUS: u32 = 1;

/// Cluster resilience policy of a new cluster: migrate all VMs (`MigrateOnErrorOptions.YES`,
/// `error_handling.on_error = migrate` in the API).
pub const ON_ERROR: OnError = OnError::Migrate;

/// Fencing policy of a new cluster: enabled, skip-if-connectivity-broken off with a 50 %
/// threshold (ovirt-engine `FencingPolicy`'s constructor).
pub fn fencing() -> FencingPolicy {
    FencingPolicy::default()
}

/// Migration policy of a new cluster since oVirt 4.0: "Minimal downtime".
pub const MIGRATION_POLICY: MigrationPolicy = MigrationPolicy::MinimalDowntime;

/// Memory overcommit of a new cluster in percent: none (the `max_vds_memory_over_commit`
/// column defaults to 100; the UI offers 100, 150 and 200).
pub const MEMORY_OVERCOMMIT_PERCENT: u32 = 100;

/// Placement of a new VM: migratable by the scheduler (`MigrationSupport.MIGRATABLE`).
pub const PLACEMENT: Placement = Placement::Migratable;

/// Storage-error resume behaviour of a new VM. ovirt-engine's `VmResumeBehavior` documents
/// `AUTO_RESUME` as the default for VMs that are not HA with a lease and `KILL` for those that
/// are, since a VM resumed after its lease moved on could run twice.
pub fn resume_behaviour(ha: bool, has_lease: bool) -> ResumeBehaviour {
    if ha && has_lease {
        ResumeBehaviour::Kill
    } else {
        ResumeBehaviour::AutoResume
    }
}

/// Affinity group priority when none is given (the UI's default weight).
pub const AFFINITY_PRIORITY: f64 = 1.0;

/// An affinity rule written without `enabled` is enabled: the API model's `AffinityRule.enabled`
/// "is considered to be `true` when it is not provided". A rule not written at all is disabled.
pub const AFFINITY_RULE_ENABLED: bool = true;
