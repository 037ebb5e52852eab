use stretchdr_model::Inventory;
use stretchdr_model::units::format_size;

use super::sessions;
use crate::policy::Policy;
use crate::rule::{Sink, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds geo-replication sessions whose secondary volume is smaller than the primary
    /// volume (when both capacities are known).
    ///
    /// ## Why is this bad?
    /// Once the primary holds more than the secondary can take, geo-replication fails with the
    /// secondary full: the session goes Faulty, the sync's checkpoint never completes and the
    /// secondary site stays at its last consistent point while the RPO grows without bound.
    ///
    /// ## Example
    /// ```toml
    /// gluster = { volume = "vmstore", capacity = "10TiB" }
    ///
    /// [[storage_domain.georep]]
    /// secondary_volume = "vmstore-dr"
    /// secondary_capacity = "8TiB"
    /// ```
    ///
    /// Use instead: a secondary volume at least as large as the primary.
    /// ```toml
    /// secondary_capacity = "12TiB"
    /// ```
    ///
    /// ## References
    /// - Gluster Administration Guide, "Geo-Replication": the secondary volume receives a full
    ///   copy of the primary volume's data.
    ///   https://docs.gluster.org/en/latest/Administrator-Guide/Geo-Replication/
    pub struct SecondaryCapacityTooSmall {
        code: "GR004",
        name: "secondary-capacity-too-small",
        level: Error,
        requires_sites: false,
    }
}

fn check(inventory: &Inventory, _policy: &Policy, sink: &mut Sink) {
    for s in sessions(inventory) {
        let (Some(primary), Some(secondary)) =
            (s.volume.capacity_bytes, s.session.secondary_capacity_bytes)
        else {
            continue;
        };
        if secondary >= primary {
            continue;
        }
        s.report(
            sink,
            "secondary_capacity",
            format!(
                "geo-replication session {}: secondary volume {} has {}, less than volume {}'s {}",
                s.label(),
                s.session.secondary_volume,
                format_size(secondary),
                s.volume.volume,
                format_size(primary)
            ),
            "grow the secondary volume to at least the primary volume's capacity",
        );
    }
}
