use stretchdr_model::inventory::Version;
use stretchdr_model::mapping::Side;

use super::names;
use crate::dr::{DrContext, mapped};
use crate::finding::EntityKind;
use crate::policy::Policy;
use crate::rule::{Sink, declare_mapping_rule};

/// The lowest cluster compatibility version whose VMs the role can register with mappings.
const MINIMUM: Version = Version { major: 4, minor: 2 };

declare_mapping_rule! {
    /// ## What it does
    /// Checks the clusters of each `dr_cluster_mappings` entry: both must have the same
    /// compatibility version, and neither may be below 4.2.
    ///
    /// ## Why is this bad?
    /// A VM's configuration in the storage domain's OVF store is written for its cluster's
    /// compatibility version; registering it into a cluster of another version changes or
    /// refuses its devices and chipset. Registering with cluster, vNIC profile and affinity
    /// mappings needs the 4.2 API, so the role cannot fail clusters below 4.2 over.
    ///
    /// ## Example
    /// ```toml
    /// # primary design
    /// [[cluster]]
    /// name = "prod"
    /// compatibility = "4.7"
    /// ```
    ///
    /// ```toml
    /// # secondary design
    /// [[cluster]]
    /// name = "dr"
    /// compatibility = "4.6"
    /// ```
    ///
    /// Use instead: raise the secondary's cluster to the primary's compatibility version.
    ///
    /// ## References
    /// - oVirt Disaster Recovery Guide, "Active-Passive Disaster Recovery" prerequisites: the
    ///   primary and secondary sites must run the same versions, compatibility version 4.2 or
    ///   later. https://ovirt.org/documentation/disaster_recovery_guide
    /// - ovirt-ansible-collection, `roles/disaster_recovery/files/validator.py`
    ///   (`_is_compatible_versions`).
    pub struct ClusterVersionMismatch {
        code: "AP004",
        name: "cluster-version-mismatch",
        level: Error,
    }
}

fn check(dr: &DrContext<'_>, _policy: &Policy, sink: &mut Sink) {
    let primary = names(&dr.primary.clusters);
    let secondary = names(&dr.secondary.clusters);
    for pair in &dr.mapping.clusters {
        let (Some(p), Some(s)) = (pair.name(Side::Primary), pair.name(Side::Secondary)) else {
            continue;
        };
        let (Some(&p_id), Some(&s_id)) = (
            primary.get(p.value.as_str()),
            secondary.get(s.value.as_str()),
        ) else {
            continue;
        };
        let p_version = dr.primary.clusters[p_id].compatibility;
        let s_version = dr.secondary.clusters[s_id].compatibility;
        let (Some(p_version), Some(s_version)) = (p_version, s_version) else {
            continue;
        };
        let entity = mapped(EntityKind::Cluster, p.value.clone());
        if p_version != s_version {
            sink.report_at(
                entity,
                Some(pair.origin),
                format!(
                    "primary cluster {} is at compatibility {p_version}, its secondary cluster {} at {s_version}",
                    p.value, s.value
                ),
                "set both clusters to the same compatibility version before relying on failover",
            );
        } else if p_version < MINIMUM {
            sink.report_at(
                entity,
                Some(pair.origin),
                format!(
                    "clusters {} and {} are at compatibility {p_version}, below {MINIMUM}: the role cannot register their VMs with mappings",
                    p.value, s.value
                ),
                "upgrade both clusters to compatibility 4.2 or later",
            );
        }
    }
}
