use stretchdr_model::mapping::{NetworkMapping, NetworkSite, Side};

use crate::dr::{DrContext, mapped};
use crate::finding::EntityKind;
use crate::policy::Policy;
use crate::rule::{Sink, declare_mapping_rule};

declare_mapping_rule! {
    /// ## What it does
    /// Checks each `dr_network_mappings` entry for the network name, vNIC profile name and
    /// vNIC profile id of both sites. The role reads the source site's names and the target
    /// site's profile id: the primary's names and the secondary's id at failover, the other
    /// way round at failback. A key written with no value is AP013's.
    ///
    /// ## Why is this bad?
    /// The engine maps a vNIC by the source network and profile names to the target profile
    /// *id*; the target's names are not sent. Without `secondary_profile_id` the role sends
    /// the all-zero id, and the engine registers the VM's vNICs with no profile: the VM comes
    /// up on no network. Without the source names the entry matches no vNIC at all. The
    /// role's own example and generator give the ids; hand-written files often only the names.
    ///
    /// ## Example
    /// ```yaml
    /// dr_network_mappings:
    ///   - primary_network_name: "vm-net"
    ///     primary_profile_name: "vm-prof"
    ///     secondary_network_name: "dr-net"
    ///     secondary_profile_name: "dr-prof"
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// dr_network_mappings:
    ///   - primary_network_name: "vm-net"
    ///     primary_profile_name: "vm-prof"
    ///     primary_profile_id: "5a1f0c3e-7d2b-4e6a-9c81-0f2d3b4a5c6d"
    ///     secondary_network_name: "dr-net"
    ///     secondary_profile_name: "dr-prof"
    ///     secondary_profile_id: "b7e2d4c1-3a5f-4b8e-8d02-6c9e1f0a2b3d"
    /// ```
    ///
    /// ## References
    /// - ovirt-ansible-collection, `roles/disaster_recovery/tasks/recover_engine.yml`
    ///   ("Set Network Map": `target_profile_id` defaults to
    ///   `00000000-0000-0000-0000-000000000000`), `plugins/modules/ovirt_vm.py`
    ///   (`_get_vnic_profile_mappings`: source names, target profile id only) and
    ///   `roles/disaster_recovery/files/generate_mapping.py` (`_write_vnic_profiles`).
    ///   https://github.com/oVirt/ovirt-ansible-collection
    /// - ovirt-engine-api-model, `types/VnicProfileMapping.java`.
    pub struct NetworkMappingIncomplete {
        code: "AP014",
        name: "network-mapping-incomplete",
        level: Error,
    }
}

fn check(dr: &DrContext<'_>, _policy: &Policy, sink: &mut Sink) {
    for network in &dr.mapping.networks {
        let label = label(network);
        for (side, operation) in [(Side::Secondary, "failover"), (Side::Primary, "failback")] {
            let s = side.as_str();
            let site = network.site(side);
            let other = network.site(side.other());
            let o = side.other().as_str();
            // What the role reads when `side` is the target: its id, and the source's names.
            let fields = [
                (format!("{s}_profile_id"), site.profile_id.is_some()),
                (format!("{o}_network_name"), other.network_name.is_some()),
                (format!("{o}_profile_name"), other.profile_name.is_some()),
            ];
            let missing: Vec<&str> = fields
                .iter()
                .filter(|(key, given)| !given && !network.empty.iter().any(|(k, _)| k == key))
                .map(|(key, _)| key.as_str())
                .collect();
            if missing.is_empty() {
                continue;
            }
            let consequence = if missing.iter().any(|k| k.ends_with("_profile_id")) {
                "the role sends the all-zero profile id and the VMs' vNICs come up on no network"
            } else {
                "the entry matches no vNIC and the VMs keep their source profile names"
            };
            sink.report_at(
                mapped(EntityKind::VnicProfile, label.clone()),
                Some(network.origin),
                format!(
                    "network mapping {label} lacks {} that the role reads at {operation}: {consequence}",
                    missing.join(", ")
                ),
                format!("add {} to the entry", missing.join(", ")),
            )
            .discriminator = Some(s.to_string());
        }
    }
}

/// `network/profile` of the primary side (of the secondary when the primary has no names),
/// for messages.
fn label(network: &NetworkMapping) -> String {
    let named = |site: &NetworkSite| {
        let network = site.network_name.as_ref()?;
        let profile = site.profile_name.as_ref()?;
        Some(format!("{}/{}", network.value, profile.value))
    };
    named(&network.primary)
        .or_else(|| named(&network.secondary))
        .unwrap_or_else(|| format!("(line {})", network.origin.line))
}
