//! Every rule, in code order. A rule not listed here does not run and is not documented.

use crate::rule::Rule;
use crate::rules::active_active::{
    fencing_blocked_on_site_loss::FencingBlockedOnSiteLoss, ha_vm_without_lease::HaVmWithoutLease,
    hard_vm_host_affinity::HardVmHostAffinity, hosted_engine_one_site::HostedEngineOneSite,
    hosts_split_l2::HostsSplitL2, lease_domain_not_replicated::LeaseDomainNotReplicated,
    lease_resume_not_kill::LeaseResumeNotKill, local_storage_domain::LocalStorageDomain,
    no_soft_site_affinity::NoSoftSiteAffinity, no_spm_candidate_on_site::NoSpmCandidateOnSite,
    no_storage_witness::NoStorageWitness,
    resilience_policy_do_not_migrate::ResiliencePolicyDoNotMigrate,
    site_capacity_shortfall::SiteCapacityShortfall, site_rtt_over_ceiling::SiteRttOverCeiling,
    sites_unknown::SitesUnknown, spm_priority_not_site_ordered::SpmPriorityNotSiteOrdered,
    standalone_engine_not_ha::StandaloneEngineNotHa,
    storage_not_writable_both_sites::StorageNotWritableBothSites,
    vm_network_not_stretched::VmNetworkNotStretched, vm_not_highly_available::VmNotHighlyAvailable,
};
use crate::rules::active_passive::export_domain_in_mapping::ExportDomainInMapping;
use crate::rules::active_passive::failback_blocker_anywhere::FailbackBlockerAnywhere;
use crate::rules::active_passive::failback_stops_at_ovf_update::FailbackStopsAtOvfUpdate;
use crate::rules::active_passive::storage_entry_key_missing::StorageEntryKeyMissing;
use crate::rules::active_passive::{
    cluster_version_mismatch::ClusterVersionMismatch,
    engine_version_mismatch::EngineVersionMismatch, entity_unmapped::EntityUnmapped,
    failback_blocker::FailbackBlocker, hosted_engine_domain_in_dr::HostedEngineDomainInDr,
    mapping_duplicate::MappingDuplicate, mapping_entity_missing::MappingEntityMissing,
    mapping_key_misspelled::MappingKeyMisspelled,
    master_domain_claimed_twice::MasterDomainClaimedTwice,
    network_mapping_incomplete::NetworkMappingIncomplete, placeholder_left_in::PlaceholderLeftIn,
    replicated_domain_attached_at_secondary::ReplicatedDomainAttachedAtSecondary,
    secondary_capacity_shortfall::SecondaryCapacityShortfall,
    site_connection_incomplete::SiteConnectionIncomplete,
    storage_connection_mismatch::StorageConnectionMismatch,
    storage_domain_id_invalid::StorageDomainIdInvalid,
    storage_entry_incomplete::StorageEntryIncomplete, vnic_profile_id_wrong::VnicProfileIdWrong,
};
use crate::rules::georep::continuous_backlog_unbounded::ContinuousBacklogUnbounded;
use crate::rules::georep::continuous_session_with_engine_schedule::ContinuousSessionWithEngineSchedule;
use crate::rules::georep::gluster_domain_without_georep::GlusterDomainWithoutGeorep;
use crate::rules::georep::link_oversubscribed::LinkOversubscribed;
use crate::rules::georep::no_secondary_server_up::NoSecondaryServerUp;
use crate::rules::georep::rpo_over_target::RpoOverTarget;
use crate::rules::georep::schedule_missing::ScheduleMissing;
use crate::rules::georep::secondary_capacity_too_small::SecondaryCapacityTooSmall;
use crate::rules::georep::secondary_cluster_version_mismatch::SecondaryClusterVersionMismatch;
use crate::rules::georep::secondary_in_same_cluster::SecondaryInSameCluster;
use crate::rules::georep::secondary_sharding_mismatch::SecondaryShardingMismatch;
use crate::rules::georep::secondary_volume_down::SecondaryVolumeDown;
use crate::rules::georep::secondary_volume_not_empty::SecondaryVolumeNotEmpty;
use crate::rules::georep::secondary_volume_shared::SecondaryVolumeShared;
use crate::rules::georep::shard_size_differs::ShardSizeDiffers;

/// Every rule, in code order.
pub static RULES: &[&dyn Rule] = &[
    &SitesUnknown,
    &HostsSplitL2,
    &SiteRttOverCeiling,
    &HaVmWithoutLease,
    &VmNotHighlyAvailable,
    &HardVmHostAffinity,
    &NoSoftSiteAffinity,
    &SpmPriorityNotSiteOrdered,
    &NoSpmCandidateOnSite,
    &StandaloneEngineNotHa,
    &HostedEngineOneSite,
    &StorageNotWritableBothSites,
    &LeaseDomainNotReplicated,
    &SiteCapacityShortfall,
    &LeaseResumeNotKill,
    &FencingBlockedOnSiteLoss,
    &VmNetworkNotStretched,
    &LocalStorageDomain,
    &NoStorageWitness,
    &ResiliencePolicyDoNotMigrate,
    &MappingEntityMissing,
    &MappingDuplicate,
    &EntityUnmapped,
    &ClusterVersionMismatch,
    &ReplicatedDomainAttachedAtSecondary,
    &HostedEngineDomainInDr,
    &StorageEntryIncomplete,
    &SecondaryCapacityShortfall,
    &SiteConnectionIncomplete,
    &FailbackBlocker,
    &EngineVersionMismatch,
    &MappingKeyMisspelled,
    &PlaceholderLeftIn,
    &NetworkMappingIncomplete,
    &VnicProfileIdWrong,
    &StorageDomainIdInvalid,
    &MasterDomainClaimedTwice,
    &StorageConnectionMismatch,
    &ExportDomainInMapping,
    &FailbackStopsAtOvfUpdate,
    &StorageEntryKeyMissing,
    &FailbackBlockerAnywhere,
    &GlusterDomainWithoutGeorep,
    &SecondaryShardingMismatch,
    &ShardSizeDiffers,
    &SecondaryCapacityTooSmall,
    &RpoOverTarget,
    &ScheduleMissing,
    &SecondaryVolumeDown,
    &SecondaryInSameCluster,
    &SecondaryClusterVersionMismatch,
    &SecondaryVolumeShared,
    &SecondaryVolumeNotEmpty,
    &NoSecondaryServerUp,
    &ContinuousBacklogUnbounded,
    &ContinuousSessionWithEngineSchedule,
    &LinkOversubscribed,
];

/// The rule with this code (case-insensitive) or name (`hard-vm-host-affinity`).
pub fn find(code: &str) -> Option<&'static dyn Rule> {
    RULES.iter().copied().find(|rule| {
        rule.code().eq_ignore_ascii_case(code) || rule.name().eq_ignore_ascii_case(code)
    })
}
