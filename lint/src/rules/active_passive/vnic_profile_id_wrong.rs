use stretchdr_model::Inventory;
use stretchdr_model::mapping::{Field, NetworkSite, Side};

use super::{BUILT_IN_PROFILE_ID, ZERO_ID, is_uuid, site_words};
use crate::dr::{DrContext, mapped};
use crate::finding::EntityKind;
use crate::policy::Policy;
use crate::rule::{Sink, declare_mapping_rule};

declare_mapping_rule! {
    /// ## What it does
    /// Checks the vNIC profile ids of `dr_network_mappings`: each must be an engine id; when
    /// the site's source knows profile ids (an export, a live engine), it must be the id of a
    /// profile of that site, and of the profile the entry names. A `secondary_profile_id`
    /// equal to the `primary_profile_id` is reported as copied from the primary, unless it is
    /// `0000000a-000a-000a-000a-000000000398`, the management network's profile that every
    /// engine creates with that id. The all-zero id is AP013's.
    ///
    /// ## Why is this bad?
    /// The id is all the engine gets of the target profile. Every engine gives its profiles
    /// new random ids, so an id copied from the primary (the role's generator writes the
    /// primary's id as the secondary's hint, its example file keeps it) names no profile on
    /// the secondary, and an id of another profile plugs the vNICs into the wrong network.
    /// Either way the VMs come up unreachable or on a network they must not be on.
    ///
    /// ## Example
    /// ```yaml
    /// dr_network_mappings:
    ///   - primary_network_name: "vm-net"
    ///     primary_profile_name: "vm-prof"
    ///     primary_profile_id: "5a1f0c3e-7d2b-4e6a-9c81-0f2d3b4a5c6d"
    ///     secondary_network_name: "dr-net"
    ///     secondary_profile_name: "dr-prof"
    ///     secondary_profile_id: "5a1f0c3e-7d2b-4e6a-9c81-0f2d3b4a5c6d"
    /// ```
    ///
    /// Use instead: the id of `dr-prof` on the secondary engine
    /// (`GET /ovirt-engine/api/vnicprofiles`).
    ///
    /// ## References
    /// - ovirt-ansible-collection, `plugins/modules/ovirt_vm.py`
    ///   (`_get_vnic_profile_mappings`: `target_vnic_profile` by id only),
    ///   `roles/disaster_recovery/files/generate_mapping.py` (`_write_vnic_profiles`) and
    ///   `roles/disaster_recovery/examples/disaster_recovery_vars.yml`.
    ///   https://github.com/oVirt/ovirt-ansible-collection
    /// - ovirt-engine, `packaging/dbscripts/data/01900_insert_vnic_profiles.sql`: the
    ///   management network's profile, inserted with a fixed id.
    pub struct VnicProfileIdWrong {
        code: "AP015",
        name: "vnic-profile-id-wrong",
        level: Error,
    }
}

fn check(dr: &DrContext<'_>, _policy: &Policy, sink: &mut Sink) {
    for network in &dr.mapping.networks {
        for side in [Side::Primary, Side::Secondary] {
            let mapped_site = network.site(side);
            let Some(id) = &mapped_site.profile_id else {
                continue;
            };
            if id.vault || id.value == ZERO_ID || id.value.contains("TODO") {
                continue;
            }
            let key = format!("{}_profile_id", side.as_str());
            let mut report = |message: String, help: String| {
                sink.report_at(
                    mapped(EntityKind::VnicProfile, id.value.clone()),
                    Some(id.origin),
                    message,
                    help,
                )
                .discriminator = Some(side.as_str().to_string());
            };
            if !is_uuid(&id.value) {
                report(
                    format!("{key} {:?} is not an engine id", id.value),
                    format!("set {key} to the id of the profile on {}", site_words(side)),
                );
                continue;
            }
            let copied = side == Side::Secondary
                && id.value != BUILT_IN_PROFILE_ID
                && network
                    .primary
                    .profile_id
                    .as_ref()
                    .is_some_and(|p| p.value.eq_ignore_ascii_case(&id.value));
            if copied {
                report(
                    format!(
                        "secondary_profile_id {} is the primary's profile id: engines give their profiles their own ids",
                        id.value
                    ),
                    "set secondary_profile_id to the id of the profile on the secondary engine"
                        .to_string(),
                );
                continue;
            }
            if let Some(problem) = against_site(dr.site(side), mapped_site, id) {
                report(
                    format!("{key} {} {problem} on {}", id.value, site_words(side)),
                    format!("set {key} to the id of the profile on {}", site_words(side)),
                );
            }
        }
    }
}

/// What is wrong with `id` on a site whose source knows profile ids.
fn against_site(site: &Inventory, mapped: &NetworkSite, id: &Field<String>) -> Option<String> {
    if site.vnic_profiles.values().all(|p| p.id.is_none()) {
        return None;
    }
    let Some(profile) = site.vnic_profiles.values().find(|p| {
        p.id.as_deref()
            .is_some_and(|p| p.eq_ignore_ascii_case(&id.value))
    }) else {
        return Some("names no vNIC profile".to_string());
    };
    let network = profile.network.map(|n| site.networks[n].name.as_str());
    let wrong_profile = mapped
        .profile_name
        .as_ref()
        .is_some_and(|name| name.value != profile.name);
    let wrong_network = mapped
        .network_name
        .as_ref()
        .zip(network)
        .is_some_and(|(name, network)| name.value != network);
    (wrong_profile || wrong_network).then(|| {
        format!(
            "is profile {} of network {}, not the one the entry names",
            profile.name,
            network.unwrap_or("?")
        )
    })
}
