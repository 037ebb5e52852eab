use stretchdr_model::Inventory;
use stretchdr_model::inventory::GeoRepMode;
use stretchdr_model::units::format_size;

use super::sessions;
use crate::policy::Policy;
use crate::rule::{Sink, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds continuous geo-replication sessions whose data changes faster, over a week, than
    /// their bandwidth ships.
    ///
    /// ## Why is this bad?
    /// A continuous session ships changes as they happen; when more changes than the link
    /// carries, the backlog and with it the lag grow without bound: the secondary falls further
    /// behind every week.
    ///
    /// ## Example
    /// ```toml
    /// mode = "continuous"
    /// change_rate = "20GiB/h"
    /// bandwidth = "20Mbps"     # ships 8.4 GiB/h
    /// ```
    ///
    /// Use instead: more bandwidth than the average change rate, or the engine's scheduled sync.
    ///
    /// ## References
    /// - gluster geo-replication: changelog-based, asynchronous replication.
    ///   https://docs.gluster.org/en/main/Administrator-Guide/Geo-Replication/
    pub struct ContinuousBacklogUnbounded {
        code: "GR013",
        name: "continuous-backlog-unbounded",
        level: Error,
        requires_sites: false,
    }
}

fn check(inventory: &Inventory, _policy: &Policy, sink: &mut Sink) {
    for s in sessions(inventory) {
        if s.session.mode != GeoRepMode::Continuous {
            continue;
        }
        let bandwidth = s.session.shared_bandwidth(inventory, s.domain);
        let Some(lag) = s.session.continuous_lag(bandwidth) else {
            continue;
        };
        if !lag.unbounded {
            continue;
        }
        s.report(
            sink,
            "bandwidth",
            format!(
                "continuous geo-replication session {} changes {} a week but ships at most {}: the backlog grows without bound",
                s.label(),
                format_size(lag.weekly_change_bytes.round() as u64),
                format_size(lag.weekly_capacity_bytes.round() as u64)
            ),
            "give the session more bandwidth than its average change rate",
        );
    }
}
