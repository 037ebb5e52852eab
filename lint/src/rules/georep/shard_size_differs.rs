use stretchdr_model::Inventory;
use stretchdr_model::units::format_size;

use super::sessions;
use crate::policy::Policy;
use crate::rule::{Sink, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds geo-replication sessions between two sharded volumes whose shard block sizes
    /// (`features.shard-block-size`, 64MiB unless set) differ.
    ///
    /// ## Why is this bad?
    /// Geo-replication ships the shard files as the primary cut them. The secondary's shard
    /// translator finds a disk image's pieces by its own block size: with another size, reads
    /// at the secondary land at the wrong offsets and the replicated disks are corrupt when the
    /// VMs are started there after a disaster.
    ///
    /// ## Example
    /// ```toml
    /// gluster = { volume = "vmstore", sharding = true, shard_block_size = "64MiB" }
    ///
    /// [[storage_domain.georep]]
    /// secondary_volume = "vmstore-dr"
    /// secondary_sharding = true
    /// secondary_shard_block_size = "512MiB"
    /// ```
    ///
    /// Use instead: the same block size on both volumes, set before any data is written.
    /// ```toml
    /// secondary_shard_block_size = "64MiB"
    /// ```
    ///
    /// ## References
    /// - glusterfs-specs, "Support geo-replication for sharded volumes": shards are synced as
    ///   the files `<GFID>.n` of the agreed shard size. https://github.com/gluster/glusterfs-specs
    pub struct ShardSizeDiffers {
        code: "GR003",
        name: "shard-size-differs",
        level: Warning,
        requires_sites: false,
    }
}

fn check(inventory: &Inventory, _policy: &Policy, sink: &mut Sink) {
    for s in sessions(inventory) {
        if !(s.volume.is_sharded() && s.session.secondary_is_sharded()) {
            continue;
        }
        let (primary, secondary) = (
            s.volume.shard_block_size(),
            s.session.secondary_shard_block_size(),
        );
        if primary == secondary {
            continue;
        }
        s.report(
            sink,
            "secondary_shard_block_size",
            format!(
                "geo-replication session {}: volume {} has {} shards, secondary volume {} has {}",
                s.label(),
                s.volume.volume,
                format_size(primary),
                s.session.secondary_volume,
                format_size(secondary)
            ),
            "set the secondary volume's features.shard-block-size to the primary's before the first sync",
        );
    }
}
