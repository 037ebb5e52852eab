use std::collections::BTreeMap;

use stretchdr_model::{Inventory, SiteId};

use super::sessions;
use crate::policy::Policy;
use crate::rule::{Sink, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds secondary volumes that are the target of more than one geo-replication session.
    ///
    /// ## Why is this bad?
    /// The engine refuses a secondary that is already the target of another session
    /// (`SLAVE_VOLUME_SHOULD_NOT_BE_SLAVE_OF_ANOTHER_GEO_REP_SESSION`); two sessions writing one
    /// volume overwrite each other's files.
    ///
    /// ## Example
    /// ```toml
    /// [[storage_domain]]
    /// name = "vmstore"
    /// storage = "glusterfs"
    /// gluster = { volume = "vmstore" }
    ///
    /// [[storage_domain.georep]]
    /// secondary_volume = "dr"
    ///
    /// [[storage_domain]]
    /// name = "data"
    /// storage = "glusterfs"
    /// gluster = { volume = "data" }
    ///
    /// [[storage_domain.georep]]
    /// secondary_volume = "dr"     # the same secondary volume
    /// ```
    ///
    /// Use instead: one secondary volume per session.
    ///
    /// ## References
    /// - ovirt-engine `backend/manager/modules/bll/src/main/java/org/ovirt/engine/core/bll/utils/GlusterGeoRepUtil.java`,
    ///   `getEligibilityPredicates` (`SLAVE_VOLUME_SHOULD_NOT_BE_SLAVE_OF_ANOTHER_GEO_REP_SESSION`). https://github.com/oVirt/ovirt-engine
    pub struct SecondaryVolumeShared {
        code: "GR010",
        name: "secondary-volume-shared",
        level: Error,
        requires_sites: false,
    }
}

fn check(inventory: &Inventory, _policy: &Policy, sink: &mut Sink) {
    let mut first: BTreeMap<(Option<SiteId>, &str), String> = BTreeMap::new();
    for s in sessions(inventory) {
        let key = (
            s.session.secondary_site,
            s.session.secondary_volume.as_str(),
        );
        match first.get(&key) {
            None => {
                first.insert(key, s.label());
            }
            Some(other) => s.report(
                sink,
                "secondary_volume",
                format!(
                    "geo-replication session {} writes volume {}, already the target of session {other}",
                    s.label(),
                    s.session.secondary_volume
                ),
                "give each session its own secondary volume",
            ),
        }
    }
}
