use stretchdr_model::Inventory;
use stretchdr_model::inventory::GeoRepMode;
use stretchdr_model::units::format_size;

use super::{human_duration, sessions};
use crate::policy::Policy;
use crate::rule::{Sink, declare_rule};

declare_rule! {
    /// ## What it does
    /// Estimates each geo-replication session's worst-case RPO and compares it with the
    /// session's `rpo_target`. The secondary's last consistent point is the snapshot of the last
    /// completed sync, so just before a sync completes it is one schedule interval plus that
    /// sync's duration old; the sync ships what changed over the interval at the session's
    /// bandwidth (its own, or the site link's). The worst case is over a week of the schedule
    /// and of `change_rate_by_hour`; the engine sees a sync complete at its next status refresh
    /// (`GlusterRefreshRateGeoRepStatusInSecs`, 300 s), which adds up to 5 minutes. For a
    /// continuous session the RPO is its lag: the age of the oldest change not yet shipped, as
    /// the backlog of busy hours drains at the bandwidth.
    ///
    /// ## Why is this bad?
    /// A disaster at that moment loses everything written since the last consistent point:
    /// more data than the RPO the business agreed to.
    ///
    /// ## Example
    /// ```toml
    /// [[storage_domain.georep]]
    /// secondary_volume = "vmstore-dr"
    /// schedule = "0 0 1 * * ? *"   # daily
    /// change_rate = "20GiB/h"
    /// bandwidth = "1Gbps"
    /// rpo_target = "8h"
    /// ```
    ///
    /// Use instead: a target the engine's daily schedule can meet, or more bandwidth and a
    /// synchronous design (active-active) where the target is hours.
    /// ```toml
    /// rpo_target = "36h"
    /// ```
    ///
    /// ## References
    /// - oVirt feature "Disaster Recovery for Gluster based storage domains": the sync frequency
    ///   determines how far behind the data at the secondary site is.
    ///   https://www.ovirt.org/develop/release-management/features/gluster/gluster-dr.html
    pub struct RpoOverTarget {
        code: "GR005",
        name: "rpo-over-target",
        level: Error,
        requires_sites: false,
    }
}

fn check(inventory: &Inventory, _policy: &Policy, sink: &mut Sink) {
    for s in sessions(inventory) {
        let Some(target) = s.session.rpo_target_ms else {
            continue;
        };
        let bandwidth = s.session.shared_bandwidth(inventory, s.domain);
        if s.session.mode == GeoRepMode::Continuous && s.session.schedule.is_none() {
            let Some(lag) = s.session.continuous_lag(bandwidth) else {
                continue;
            };
            // An unbounded backlog is GR013's.
            if lag.unbounded || lag.worst_lag_ms <= target {
                continue;
            }
            s.report(
                sink,
                "rpo_target",
                format!(
                    "continuous geo-replication session {} lags up to {} (a backlog of up to {} at {}), above its {} target",
                    s.label(),
                    human_duration(lag.worst_lag_ms),
                    format_size(lag.peak_backlog_bytes.round() as u64),
                    format_bandwidth(bandwidth.unwrap_or(0)),
                    human_duration(target)
                ),
                "give the session more bandwidth for its busiest hours, or agree a target it can meet",
            );
            continue;
        }
        let Some(worst) = s.session.worst_case_rpo(bandwidth) else {
            continue;
        };
        if worst.rpo_ms <= target {
            continue;
        }
        let overrun = if worst.overruns {
            "; a sync outlasts the time to the next one, which the engine then skips, so the real RPO is worse"
        } else {
            ""
        };
        s.report(
            sink,
            "rpo_target",
            format!(
                "geo-replication session {} has a worst-case RPO of {} ({} between syncs plus {} to ship {} at {} and {} until the engine's status refresh sees it), above its {} target{overrun}",
                s.label(),
                human_duration(worst.rpo_ms),
                human_duration(worst.interval_ms),
                human_duration(worst.sync_ms),
                format_size(worst.changed_bytes.round() as u64),
                format_bandwidth(bandwidth.unwrap_or(0)),
                human_duration(worst.refresh_wait_ms),
                human_duration(target)
            ),
            "sync more often, give the session more bandwidth, or agree a target the schedule can meet",
        );
    }
}

/// `1Gbps`, `500Mbps`.
pub(super) fn format_bandwidth(bps: u64) -> String {
    for (unit, factor) in [("Tbps", 1e12), ("Gbps", 1e9), ("Mbps", 1e6), ("Kbps", 1e3)] {
        let value = bps as f64 / factor;
        if value >= 1.0 {
            return format!("{}{unit}", (value * 100.0).round() / 100.0);
        }
    }
    format!("{bps}bps")
}
