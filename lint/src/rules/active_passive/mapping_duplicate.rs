use std::collections::BTreeMap;

use stretchdr_model::Origin;
use stretchdr_model::mapping::{Field, Side};

use super::{noun, pair_entity};
use crate::dr::{DrContext, mapped};
use crate::finding::EntityKind;
use crate::policy::Policy;
use crate::rule::{Sink, declare_mapping_rule};

declare_mapping_rule! {
    /// ## What it does
    /// Finds an entity mapped twice on the same side of one list: a cluster, affinity group or
    /// label, AAA domain, role, storage domain (by name or id), vNIC profile or LUN.
    ///
    /// ## Why is this bad?
    /// The engine takes one mapping per entity; which of two it uses is not defined, and a
    /// storage domain listed twice is imported twice (the second import fails and, with the
    /// role's default `dr_ignore_error_recover`, silently). The role's own validator refuses
    /// duplicates, but only when run against both live engines.
    ///
    /// ## Example
    /// ```yaml
    /// dr_cluster_mappings:
    ///   - primary_name: "prod"
    ///     secondary_name: "dr1"
    ///   - primary_name: "prod"
    ///     secondary_name: "dr2"
    /// ```
    ///
    /// Use instead: one entry per primary entity and per secondary entity.
    ///
    /// ## References
    /// - ovirt-ansible-collection, `roles/disaster_recovery/files/validator.py`
    ///   (`_validate_duplicate_keys`, `_get_dup_network`).
    ///   https://github.com/oVirt/ovirt-ansible-collection/tree/master/roles/disaster_recovery
    pub struct MappingDuplicate {
        code: "AP002",
        name: "mapping-duplicate",
        level: Error,
    }
}

fn check(dr: &DrContext<'_>, _policy: &Policy, sink: &mut Sink) {
    let mapping = dr.mapping;
    for side in [Side::Primary, Side::Secondary] {
        for (kind, pairs) in mapping.name_pairs() {
            let entity = pair_entity(kind);
            let keys = pairs
                .iter()
                .filter_map(|p| p.name(side))
                .map(|f| (f.value.clone(), f.origin));
            report(sink, side, entity, kind.list_key(), keys);
        }
        let storages = &mapping.storages;
        let names = storages.iter().filter_map(|e| e.site(side).name.as_ref());
        report(
            sink,
            side,
            EntityKind::StorageDomain,
            "dr_import_storages",
            owned(names),
        );
        if side == Side::Primary {
            // The id is the same on both sites (the domain is replicated), listed once.
            let ids = storages.iter().filter_map(|e| e.domain_id.as_ref());
            report(
                sink,
                side,
                EntityKind::StorageDomain,
                "dr_import_storages (dr_domain_id)",
                owned(ids),
            );
        }
        let profiles = mapping.networks.iter().filter_map(|n| {
            let site = n.site(side);
            let profile = site.profile_name.as_ref()?;
            let network = site.network_name.as_ref().map_or("", |f| f.value.as_str());
            let dc = site.network_dc.as_ref().map_or("", |f| f.value.as_str());
            let key = match (network, dc) {
                ("", _) => profile.value.clone(),
                (network, "") => format!("{}/{network}", profile.value),
                (network, dc) => format!("{}/{network}/{dc}", profile.value),
            };
            Some((key, profile.origin))
        });
        report(
            sink,
            side,
            EntityKind::VnicProfile,
            "dr_network_mappings",
            profiles,
        );
        let luns = mapping
            .luns
            .iter()
            .filter_map(|l| l.site(side).logical_unit_id.as_ref());
        report(sink, side, EntityKind::Lun, "dr_lun_mappings", owned(luns));
    }
}

fn owned<'f>(
    fields: impl Iterator<Item = &'f Field<String>>,
) -> impl Iterator<Item = (String, Origin)> {
    fields.map(|f| (f.value.clone(), f.origin))
}

/// One finding per repeated key (at its second and later occurrences).
fn report(
    sink: &mut Sink,
    side: Side,
    kind: EntityKind,
    list: &str,
    keys: impl Iterator<Item = (String, Origin)>,
) {
    // The first origin of each key and how often it was seen.
    let mut seen: BTreeMap<String, (Origin, usize)> = BTreeMap::new();
    for (key, origin) in keys {
        if key.is_empty() {
            continue;
        }
        let (first, count) = seen.entry(key.clone()).or_insert((origin, 0));
        *count += 1;
        if *count > 1 {
            let first_line = first.line;
            let count = *count;
            sink.report_at(
                mapped(kind, key.clone()),
                Some(origin),
                format!(
                    "{} {} {key} is mapped again in {list}, first at line {first_line}",
                    side.as_str(),
                    noun(kind),
                ),
                "keep one entry per entity: remove or merge this one",
            )
            .discriminator = Some(format!("{}:{list}:{count}", side.as_str()));
        }
    }
}
