//! `GR`: gluster geo-replication DR. The engine's remote data sync keeps a copy of a gluster
//! storage domain at a secondary site: on a schedule it snapshots the domain's VMs, sets a
//! geo-replication checkpoint, replicates until the checkpoint completes, stops and removes
//! the snapshots.
//!
//! Shared by the rules of the family: the sessions of every domain, reporting at a session's
//! own table, the schedules the engine supports, and durations written for people.

pub mod continuous_backlog_unbounded;
pub mod continuous_session_with_engine_schedule;
pub mod gluster_domain_without_georep;
pub mod link_oversubscribed;
pub mod no_secondary_server_up;
pub mod rpo_over_target;
pub mod schedule_missing;
pub mod secondary_capacity_too_small;
pub mod secondary_cluster_version_mismatch;
pub mod secondary_in_same_cluster;
pub mod secondary_sharding_mismatch;
pub mod secondary_volume_down;
pub mod secondary_volume_not_empty;
pub mod secondary_volume_shared;
pub mod shard_size_differs;

use stretchdr_model::inventory::{GeoRepSession, GlusterVolume, StorageDomain, SyncFrequency};
use stretchdr_model::{Inventory, StorageDomainId};

use crate::rule::{Sink, Subject};

/// The sync schedules the engine can run: its "Setup Remote Data Sync" dialog and
/// ovirt-engine's `StorageSyncSchedule.Frequency` offer `NONE`, `DAILY` and `WEEKLY` (on chosen
/// days), each at one hour and minute (`toCronExpression` writes `0 M H * * ? *` and
/// `0 M H ? * DAYS *`); there is no hourly or every-N-hours frequency.
/// Source: https://github.com/oVirt/ovirt-engine, backend/manager/modules/common/src/main/java/
/// org/ovirt/engine/core/common/businessentities/gluster/StorageSyncSchedule.java
pub(crate) const ENGINE_SYNC_FREQUENCIES: &[SyncFrequency] =
    &[SyncFrequency::Daily, SyncFrequency::Weekly];

/// One geo-replication session and the domain and volume it belongs to.
pub(crate) struct SessionRef<'a> {
    pub domain_id: StorageDomainId,
    pub domain: &'a StorageDomain,
    pub volume: &'a GlusterVolume,
    pub session: &'a GeoRepSession,
}

impl SessionRef<'_> {
    /// `vmstore -> vmstore-dr`, how messages name a session.
    pub fn label(&self) -> String {
        format!(
            "{} -> {}",
            self.volume.volume, self.session.secondary_volume
        )
    }

    /// Reports a finding about the session's domain, pointing at the session's own table and
    /// in it at `key`, the key the finding judges, when the table writes it.
    pub fn report(&self, sink: &mut Sink, key: &str, message: String, help: &str) {
        let key = self
            .session
            .origin
            .and_then(|table| sink.key_origin(table, key));
        let finding = sink.report(Subject::StorageDomain(self.domain_id), message, help);
        finding.discriminator = Some(self.session.secondary_volume.clone());
        if let Some(origin) = self.session.origin {
            finding.origin = Some(origin);
            finding.line = Some(origin.line);
        }
        if let Some(key) = key {
            finding.key = Some(key);
            finding.line = Some(key.line);
        }
    }
}

/// Every session of every domain, in domain then session order.
pub(crate) fn sessions(inventory: &Inventory) -> impl Iterator<Item = SessionRef<'_>> {
    inventory
        .storage_domains
        .iter()
        .filter_map(|(domain_id, domain)| Some((domain_id, domain, domain.gluster.as_ref()?)))
        .flat_map(|(domain_id, domain, volume)| {
            volume.georep.iter().map(move |session| SessionRef {
                domain_id,
                domain,
                volume,
                session,
            })
        })
}

/// A duration for people: `6h 17m 11s`, `36h`, `45m`, `12s`.
pub(crate) fn human_duration(ms: u64) -> String {
    stretchdr_model::units::format_duration_human(ms)
}

#[cfg(test)]
mod tests {
    use super::human_duration;

    #[test]
    fn durations_for_people() {
        assert_eq!(human_duration(6 * 3_600_000 + 1_030_793), "6h 17m 11s");
        assert_eq!(human_duration(36 * 3_600_000), "36h");
        assert_eq!(human_duration(400), "0s");
    }
}
