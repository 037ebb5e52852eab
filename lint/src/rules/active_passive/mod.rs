//! `AP`: active-passive DR, where the ovirt-dr Ansible role fails a whole engine's storage over
//! to a second engine, driven by a mapping file (`disaster_recovery_vars.yml`).
//!
//! The rules read a [`DrContext`]: the mapping and the inventories of both sites. Shared here:
//! name indexes of a site, the VMs that fail over (those with a disk on a domain the mapping
//! imports) and which secondary entity a primary one becomes. Every index is built in one pass,
//! so rules stay linear.

pub mod cluster_version_mismatch;
pub mod engine_version_mismatch;
pub mod entity_unmapped;
pub mod export_domain_in_mapping;
pub mod failback_blocker;
pub mod failback_blocker_anywhere;
pub mod failback_stops_at_ovf_update;
pub mod hosted_engine_domain_in_dr;
pub mod mapping_duplicate;
pub mod mapping_entity_missing;
pub mod mapping_key_misspelled;
pub mod master_domain_claimed_twice;
pub mod network_mapping_incomplete;
pub mod placeholder_left_in;
pub mod replicated_domain_attached_at_secondary;
pub mod secondary_capacity_shortfall;
pub mod site_connection_incomplete;
pub mod storage_connection_mismatch;
pub mod storage_domain_id_invalid;
pub mod storage_entry_incomplete;
pub mod storage_entry_key_missing;
pub mod vnic_profile_id_wrong;

use std::collections::{BTreeMap, BTreeSet};

use stretchdr_model::ids::Named;
use stretchdr_model::inventory::Template;
use stretchdr_model::mapping::{Field, Side};
use stretchdr_model::mapping::{NamePair, PairKind};
use stretchdr_model::{Arena, EntityId, Inventory, Origin, StorageDomainId, VmId};

use crate::dr::DrContext;
use crate::finding::EntityKind;

/// Names of one kind of entity of a site, to their ids (first of a name wins).
pub(crate) fn names<I: EntityId, T: Named>(arena: &Arena<I, T>) -> BTreeMap<&str, I> {
    let mut index = BTreeMap::new();
    for (id, item) in arena.iter() {
        index.entry(item.name()).or_insert(id);
    }
    index
}

/// The id the role sends for a vNIC profile the mapping gives none
/// (`recover_engine.yml`, "Set Network Map": `default('00000000-0000-0000-0000-000000000000')`).
pub(crate) const ZERO_ID: &str = "00000000-0000-0000-0000-000000000000";

/// The vNIC profile of the management network that every engine creates with the same id
/// (ovirt-engine `packaging/dbscripts/data/01900_insert_vnic_profiles.sql`).
pub(crate) const BUILT_IN_PROFILE_ID: &str = "0000000a-000a-000a-000a-000000000398";

/// True for an engine id: 8-4-4-4-12 hexadecimal digits, as the engine's `Guid` prints them.
pub(crate) fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(group, len)| group.len() == len && group.chars().all(|c| c.is_ascii_hexdigit()))
}

/// The primary's storage domain a `dr_import_storages` entry names: by `dr_primary_name`,
/// else by `dr_domain_id`.
pub(crate) fn primary_domain(
    dr: &DrContext<'_>,
    entry: &stretchdr_model::mapping::StorageEntry,
) -> Option<StorageDomainId> {
    let domains = &dr.primary.storage_domains;
    let by_name = entry.primary.name.as_ref().and_then(|name| {
        domains
            .iter()
            .find(|(_, d)| d.name == name.value)
            .map(|(id, _)| id)
    });
    by_name.or_else(|| {
        let id = entry.domain_id.as_ref()?;
        domains
            .iter()
            .find(|(_, d)| d.id.as_deref() == Some(id.value.as_str()))
            .map(|(id, _)| id)
    })
}

/// The storage domains of the primary that the mapping imports (by `dr_primary_name`, else
/// by `dr_domain_id`), and the VMs of the primary with a disk on one: the VMs that fail over.
pub(crate) struct FailingOver {
    /// In id order.
    pub vms: Vec<VmId>,
    /// The imported domains.
    pub domains: BTreeSet<StorageDomainId>,
}

impl FailingOver {
    pub fn of(dr: &DrContext<'_>) -> FailingOver {
        let primary = dr.primary;
        let domains: BTreeSet<StorageDomainId> = dr
            .mapping
            .storages
            .iter()
            .filter_map(|entry| primary_domain(dr, entry))
            .collect();
        let vms = primary
            .vms
            .iter()
            .filter(|(_, vm)| vm.disks.iter().any(|d| domains.contains(d)))
            .map(|(id, _)| id)
            .collect();
        FailingOver { vms, domains }
    }

    /// The primary's templates with a disk on an imported domain, in inventory order.
    pub fn templates<'i>(&self, primary: &'i Inventory) -> Vec<&'i Template> {
        primary
            .templates
            .iter()
            .flatten()
            .filter(|t| t.disks.iter().any(|d| self.domains.contains(d)))
            .collect()
    }
}

/// The secondary name a primary name of a `primary_name`/`secondary_name` list maps to.
pub(crate) fn pair_map(pairs: &[NamePair]) -> BTreeMap<&str, &str> {
    let mut map = BTreeMap::new();
    for pair in pairs {
        if let (Some(p), Some(s)) = (&pair.primary, &pair.secondary) {
            map.entry(p.value.as_str()).or_insert(s.value.as_str());
        }
    }
    map
}

/// The origin of an optional field, else `fallback`.
pub(crate) fn origin_or<T>(field: Option<&Field<T>>, fallback: Origin) -> Origin {
    field.map_or(fallback, |f| f.origin)
}

/// "the primary site" / "the secondary site".
pub(crate) fn site_words(side: Side) -> &'static str {
    match side {
        Side::Primary => "the primary site",
        Side::Secondary => "the secondary site",
    }
}

/// Up to five names, then "and N more".
pub(crate) fn list_names<'n>(names: impl IntoIterator<Item = &'n str>) -> String {
    let names: Vec<&str> = names.into_iter().collect();
    let shown = names.iter().take(5).copied().collect::<Vec<_>>().join(", ");
    match names.len() {
        0..=5 => shown,
        n => format!("{shown} and {} more", n - 5),
    }
}

/// Sum of the inventory's VM memory and vCPUs for `vms`.
pub(crate) fn demand(inventory: &Inventory, vms: &[VmId]) -> (u64, u64) {
    vms.iter().fold((0, 0), |(memory, cpus), id| {
        let vm = &inventory.vms[*id];
        // Saturating: a sum past 2^64 bytes is "more than any site has" all the same.
        (
            memory.saturating_add(vm.memory_bytes),
            cpus.saturating_add(u64::from(vm.cpus)),
        )
    })
}

/// The entity kind of a name pair list; `None` for the kinds the inventory does not hold.
pub(crate) fn pair_entity(kind: PairKind) -> EntityKind {
    match kind {
        PairKind::Cluster => EntityKind::Cluster,
        PairKind::AffinityGroup => EntityKind::AffinityGroup,
        PairKind::AffinityLabel => EntityKind::AffinityLabel,
        PairKind::AaaDomain => EntityKind::AaaDomain,
        PairKind::Role => EntityKind::Role,
    }
}

/// An entity kind in words, for messages (`storage domain`, `vNIC profile`).
pub(crate) fn noun(kind: EntityKind) -> &'static str {
    match kind {
        EntityKind::VnicProfile => "vNIC profile",
        EntityKind::Lun => "LUN",
        EntityKind::AaaDomain => "AAA domain",
        EntityKind::StorageDomain => "storage domain",
        EntityKind::AffinityGroup => "affinity group",
        EntityKind::AffinityLabel => "affinity label",
        EntityKind::DataCenter => "data center",
        EntityKind::MappingKey => "key",
        other => other.as_str(),
    }
}
