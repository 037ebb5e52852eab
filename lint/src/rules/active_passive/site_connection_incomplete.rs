use stretchdr_model::mapping::{Field, Side};

use crate::dr::{DrContext, mapped};
use crate::finding::EntityKind;
use crate::policy::Policy;
use crate::rule::{Sink, declare_mapping_rule};

declare_mapping_rule! {
    /// ## What it does
    /// Checks that the mapping gives each site's engine URL, user name and CA file
    /// (`dr_sites_primary_url`, `dr_sites_primary_username`, `dr_sites_primary_ca_file` and
    /// the same for `secondary`). The passwords belong in a vault file and are not checked.
    ///
    /// ## Why is this bad?
    /// The role logs in to the target engine first thing in a failover (and to the source
    /// engine first in a failback's clean-up). Without these it stops before doing anything,
    /// in the middle of a disaster.
    ///
    /// ## Example
    /// ```yaml
    /// dr_sites_secondary_url: "https://engine2.example.com/ovirt-engine/api"
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// dr_sites_secondary_url: "https://engine2.example.com/ovirt-engine/api"
    /// dr_sites_secondary_username: "admin@internal"
    /// dr_sites_secondary_ca_file: "/etc/pki/ovirt-engine/ca.pem"
    /// ```
    ///
    /// ## References
    /// - ovirt-ansible-collection, `roles/disaster_recovery/tasks/recover_engine.yml` and
    ///   `clean_engine.yml` ("Obtain SSO token").
    ///   https://github.com/oVirt/ovirt-ansible-collection/tree/master/roles/disaster_recovery
    pub struct SiteConnectionIncomplete {
        code: "AP009",
        name: "site-connection-incomplete",
        level: Error,
    }
}

fn check(dr: &DrContext<'_>, _policy: &Policy, sink: &mut Sink) {
    let mapping = dr.mapping;
    for side in [Side::Primary, Side::Secondary] {
        let site = mapping.site(side);
        let fields: [(&str, &Option<Field<String>>); 3] = [
            ("url", &site.url),
            ("username", &site.username),
            ("ca_file", &site.ca_file),
        ];
        let missing: Vec<String> = fields
            .iter()
            .filter(|(_, field)| field.as_ref().is_none_or(|f| f.value.trim().is_empty()))
            .map(|(name, _)| format!("dr_sites_{}_{name}", side.as_str()))
            .collect();
        if missing.is_empty() {
            continue;
        }
        let origin = fields
            .iter()
            .find_map(|(_, field)| field.as_ref().map(|f| f.origin))
            .unwrap_or(mapping.origin);
        sink.report_at(
            mapped(EntityKind::Site, side.as_str()),
            Some(origin),
            format!(
                "the {} site's connection lacks {}: the role cannot log in to its engine",
                side.as_str(),
                missing.join(", ")
            ),
            format!("set {}", missing.join(", ")),
        );
    }
}
