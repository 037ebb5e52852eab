use stretchdr_model::Inventory;

use super::sessions;
use crate::policy::Policy;
use crate::rule::{Sink, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds geo-replication sessions whose primary volume is sharded (`features.shard on`) and
    /// whose secondary volume is not. A secondary volume whose sharding a design does not give
    /// is taken to be unsharded, gluster's default. A session known only from gluster's own
    /// status saved beside an export (`gluster volume geo-replication status --xml`, which
    /// names the secondary volume but not its options) is not judged until a design overlay
    /// gives its `secondary_sharding`: nothing says the secondary volume is unsharded.
    ///
    /// ## Why is this bad?
    /// A sharded volume stores each disk image as its first block plus shard files under
    /// `.shard`; geo-replication ships those pieces as they are. Only a sharded secondary
    /// volume puts them back together: on an unsharded one each image reads as its first
    /// block, so the VMs imported at the secondary site after a disaster have unusable disks.
    ///
    /// ## Example
    /// ```toml
    /// gluster = { volume = "vmstore", sharding = true }
    ///
    /// [[storage_domain.georep]]
    /// secondary_volume = "vmstore-dr"
    /// secondary_sharding = false
    /// ```
    ///
    /// Use instead: enable sharding on the secondary volume before the first sync.
    /// ```toml
    /// [[storage_domain.georep]]
    /// secondary_volume = "vmstore-dr"
    /// secondary_sharding = true
    /// ```
    ///
    /// ## References
    /// - glusterfs-specs, "Support geo-replication for sharded volumes": the requirement is
    ///   that the secondary (slave) volume is sharded too. https://github.com/gluster/glusterfs-specs
    /// - Gluster Administration Guide, "Geo-Replication".
    ///   https://docs.gluster.org/en/latest/Administrator-Guide/Geo-Replication/
    pub struct SecondaryShardingMismatch {
        code: "GR002",
        name: "secondary-sharding-mismatch",
        level: Error,
        requires_sites: false,
    }
}

fn check(inventory: &Inventory, _policy: &Policy, sink: &mut Sink) {
    for s in sessions(inventory) {
        if !s.volume.is_sharded() || s.session.secondary_is_sharded() {
            continue;
        }
        // Read from gluster's status, not written in a design: its options are unknown.
        if s.session.secondary_sharding.is_none() && s.session.origin.is_none() {
            continue;
        }
        let why = if s.session.secondary_sharding.is_none() {
            " (secondary_sharding not given: gluster's default is off)"
        } else {
            ""
        };
        s.report(
            sink,
            "secondary_sharding",
            format!(
                "geo-replication session {}: volume {} is sharded but secondary volume {} is not{why}",
                s.label(),
                s.volume.volume,
                s.session.secondary_volume
            ),
            "enable sharding on the secondary volume (features.shard on) with the primary's shard block size",
        );
    }
}
