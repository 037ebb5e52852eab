use stretchdr_model::mapping::Side;

use crate::dr::DrContext;
use crate::policy::Policy;
use crate::rule::{Sink, Subject, declare_mapping_rule};

declare_mapping_rule! {
    /// ## What it does
    /// Compares the two engines' versions, when both sources give one.
    ///
    /// ## Why is this bad?
    /// The storage domains' OVF stores are written by one engine and read by the other. An
    /// engine older than the one that wrote them may not read newer VM configurations, and the
    /// role and its validator are tested only against equal versions.
    ///
    /// ## Example
    /// ```toml
    /// [engine]            # primary design
    /// version = "4.5.6"
    /// ```
    ///
    /// ```toml
    /// [engine]            # secondary design
    /// version = "4.4.10"
    /// ```
    ///
    /// Use instead: upgrade both engines together.
    ///
    /// ## References
    /// - oVirt Disaster Recovery Guide, "Active-Passive Disaster Recovery" prerequisites: the
    ///   primary and secondary sites' engines must be at the same version.
    ///   https://ovirt.org/documentation/disaster_recovery_guide
    pub struct EngineVersionMismatch {
        code: "AP011",
        name: "engine-version-mismatch",
        level: Warning,
    }
}

fn check(dr: &DrContext<'_>, _policy: &Policy, sink: &mut Sink) {
    let (Some(primary), Some(secondary)) = (
        dr.primary.engine.version.as_deref(),
        dr.secondary.engine.version.as_deref(),
    ) else {
        return;
    };
    if primary.trim() == secondary.trim() {
        return;
    }
    let (entity, origin) = dr.entity(Side::Secondary, Subject::Engine);
    sink.report_at(
        entity,
        origin,
        format!("the secondary engine is at version {secondary}, the primary at {primary}"),
        "run the same engine version on both sites",
    );
}
