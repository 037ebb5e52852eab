use std::collections::BTreeMap;

use stretchdr_model::mapping::{Field, PairKind, Side};
use stretchdr_model::{Inventory, NetworkId};

use super::{names, pair_entity, site_words};
use crate::dr::{DrContext, mapped};
use crate::finding::EntityKind;
use crate::policy::Policy;
use crate::rule::{Sink, declare_mapping_rule};

declare_mapping_rule! {
    /// ## What it does
    /// Checks that every name the mapping gives exists on its site: clusters, affinity groups
    /// and labels, the primary's storage domains, data centers (of storage entries and the
    /// `*_network_dc` of network mappings), networks and vNIC profiles; roles and AAA domains
    /// where the site's source lists them (exports with `roles` and `domains`, live engines),
    /// and the primary's direct LUN disks by `primary_logical_unit_id` where it lists disks.
    ///
    /// ## Why is this bad?
    /// The role passes the names to the engine when it registers each VM. The engine does not
    /// fail on a name it cannot find: it registers the VM without it (the role uses partial
    /// import), so the VM comes up in no cluster it can run in, without its affinity, or with
    /// unplugged vNICs. A storage name of the primary that does not exist leaves its VMs out of
    /// the failback clean-up. A design lists no roles, AAA domains or LUNs; against a design
    /// those are not checked.
    ///
    /// ## Example
    /// ```yaml
    /// dr_cluster_mappings:
    ///   - primary_name: "prod"
    ///     secondary_name: "recovery"   # the secondary's cluster is called "dr"
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// dr_cluster_mappings:
    ///   - primary_name: "prod"
    ///     secondary_name: "dr"
    /// ```
    ///
    /// ## References
    /// - oVirt Disaster Recovery Guide, "Active-Passive Disaster Recovery", "Mapping File
    ///   Attributes": each attribute names an entity of the primary or the secondary site.
    ///   https://ovirt.org/documentation/disaster_recovery_guide
    /// - ovirt-ansible-collection, `roles/disaster_recovery/tasks/recover/register_vm.yml`
    ///   (`allow_partial_import`, `role_mappings`, `domain_mappings`, `lun_mappings`) and
    ///   `files/validator.py` (`_validate_entities_in_setup`, `_get_aaa_domains`).
    /// - ovirt-engine-api-model, `types/Role.java`, `types/Domain.java`, `types/Disk.java`
    ///   (`lun_storage`).
    pub struct MappingEntityMissing {
        code: "AP001",
        name: "mapping-entity-missing",
        level: Error,
    }
}

fn check(dr: &DrContext<'_>, _policy: &Policy, sink: &mut Sink) {
    for side in [Side::Primary, Side::Secondary] {
        let site = dr.site(side);
        let mut missing = |kind: EntityKind, noun: &str, field: &Field<String>| {
            sink.report_at(
                mapped(kind, field.value.clone()),
                Some(field.origin),
                format!(
                    "{} {noun} {} is not in {}'s inventory",
                    side.as_str(),
                    field.value,
                    site_words(side)
                ),
                format!(
                    "correct the name to one of {}'s {noun}s, or create the {noun} there",
                    site_words(side)
                ),
            );
        };
        for (kind, pairs) in dr.mapping.name_pairs() {
            // Sorted names (BTreeMap keys), searched by bisection.
            let known: Vec<&str> = match kind {
                PairKind::Cluster => names(&site.clusters).into_keys().collect(),
                PairKind::AffinityGroup => names(&site.affinity_groups).into_keys().collect(),
                PairKind::AffinityLabel => names(&site.affinity_labels).into_keys().collect(),
                PairKind::AaaDomain => match &site.aaa_domains {
                    Some(domains) => sorted(domains.iter().map(|d| d.name.as_str())),
                    None => continue,
                },
                PairKind::Role => match &site.roles {
                    Some(roles) => sorted(roles.iter().map(|r| r.name.as_str())),
                    None => continue,
                },
            };
            let entity = pair_entity(kind);
            for field in pairs.iter().filter_map(|pair| pair.name(side)) {
                if !field.value.is_empty() && known.binary_search(&field.value.as_str()).is_err() {
                    missing(entity, kind.noun(), field);
                }
            }
        }
        let data_centers = names(&site.data_centers);
        let domains = names(&site.storage_domains);
        for entry in &dr.mapping.storages {
            let storage = entry.site(side);
            if let Some(dc) = &storage.dc_name
                && !data_centers.is_empty()
                && !data_centers.contains_key(dc.value.as_str())
            {
                missing(EntityKind::DataCenter, "data center", dc);
            }
            // The secondary's domains are imported at failover: they need not exist yet.
            if side == Side::Primary
                && let Some(name) = &storage.name
                && !name.value.is_empty()
                && !domains.contains_key(name.value.as_str())
            {
                missing(EntityKind::StorageDomain, "storage domain", name);
            }
        }
        let networks = names(&site.networks);
        let profiles = profile_networks(site);
        for network in &dr.mapping.networks {
            let mapped_side = network.site(side);
            if let Some(dc) = &mapped_side.network_dc
                && !data_centers.is_empty()
                && !data_centers.contains_key(dc.value.as_str())
            {
                missing(EntityKind::DataCenter, "data center", dc);
            }
            if let Some(name) = &mapped_side.network_name
                && !networks.contains_key(name.value.as_str())
            {
                missing(EntityKind::Network, "network", name);
            }
            if let Some(profile) = &mapped_side.profile_name {
                let network = mapped_side
                    .network_name
                    .as_ref()
                    .and_then(|n| networks.get(n.value.as_str()).copied());
                if !has_profile(&profiles, site, &profile.value, network) {
                    missing(EntityKind::VnicProfile, "vNIC profile", profile);
                }
            }
        }
    }
    // The primary's direct LUN disks, where its source lists disks (the secondary's LUN is
    // the replica, which no disk of the secondary uses yet).
    if let Some(disks) = &dr.primary.direct_luns {
        for lun in &dr.mapping.luns {
            let Some(id) = &lun.primary.logical_unit_id else {
                continue;
            };
            let known = disks
                .iter()
                .any(|d| d.logical_unit.id.eq_ignore_ascii_case(&id.value));
            if !known && !id.vault && !id.value.is_empty() {
                sink.report_at(
                    mapped(EntityKind::Lun, id.value.clone()),
                    Some(id.origin),
                    format!(
                        "primary_logical_unit_id {} is not the LUN of a direct LUN disk of the primary site",
                        id.value
                    ),
                    "correct the LUN id to one of the primary's direct LUN disks (GET /ovirt-engine/api/disks)",
                );
            }
        }
    }
}

/// Names, sorted and each once, for bisection.
fn sorted<'n>(names: impl Iterator<Item = &'n str>) -> Vec<&'n str> {
    let mut names: Vec<&str> = names.collect();
    names.sort_unstable();
    names.dedup();
    names
}

/// vNIC profile names of a site, to the networks they belong to.
fn profile_networks(site: &Inventory) -> BTreeMap<&str, Vec<Option<NetworkId>>> {
    let mut profiles: BTreeMap<&str, Vec<Option<NetworkId>>> = BTreeMap::new();
    for profile in site.vnic_profiles.values() {
        profiles
            .entry(profile.name.as_str())
            .or_default()
            .push(profile.network);
    }
    profiles
}

/// A profile of that name (of that network, when known) exists; every network also has the
/// profile the engine creates with it, of the network's own name.
fn has_profile(
    profiles: &BTreeMap<&str, Vec<Option<NetworkId>>>,
    site: &Inventory,
    name: &str,
    network: Option<NetworkId>,
) -> bool {
    let listed = profiles.get(name).is_some_and(|networks| {
        network.is_none() || networks.iter().any(|n| n.is_none() || *n == network)
    });
    let default = match network {
        Some(id) => site.networks[id].name == name,
        None => site.networks.values().any(|n| n.name == name),
    };
    listed || default
}
