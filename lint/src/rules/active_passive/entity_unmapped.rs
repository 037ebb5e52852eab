use std::collections::{BTreeMap, BTreeSet};

use stretchdr_model::mapping::NamePair;
use stretchdr_model::mapping::Side;
use stretchdr_model::{ClusterId, Inventory, Origin, VmId, VnicProfileId};

use super::{FailingOver, list_names, names, noun};
use crate::dr::{DrContext, mapped};
use crate::finding::{EntityKind, EntityRef};
use crate::policy::Policy;
use crate::rule::{Sink, Subject, declare_mapping_rule};

declare_mapping_rule! {
    /// ## What it does
    /// Finds entities that VMs failing over use — their cluster, vNIC profiles, affinity groups
    /// and labels, direct LUN disks — that the mapping does not map and that the secondary has
    /// no entity of the same name (for a LUN: the same LUN id) for. VMs and templates failing
    /// over are those with a disk on a domain of `dr_import_storages`; a template's cluster
    /// counts like a VM's.
    ///
    /// ## Why is this bad?
    /// Registering a VM, the engine looks an unmapped entity up by its primary name on the
    /// secondary. When nothing there has that name, a VM without its cluster is not registered
    /// at all (nor is a template, and the VMs based on it then lack their base disks), and one
    /// without its vNIC profile or affinity comes up unplugged or unconstrained (partial
    /// import). A direct LUN disk is replicated to a LUN of another id; unmapped, the VM is
    /// registered without it. A design lists no templates or LUN disks; against a design
    /// those are not checked.
    ///
    /// ## Example
    /// ```yaml
    /// # VMs of cluster "prod" fail over; the secondary has only cluster "dr".
    /// dr_cluster_mappings: []
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
    /// - oVirt Disaster Recovery Guide, "Active-Passive Disaster Recovery", "Create the
    ///   Required Mapping File": map the clusters, affinity groups and labels, vNIC profiles,
    ///   roles, domains and LUNs of every VM that must fail over.
    ///   https://ovirt.org/documentation/disaster_recovery_guide
    /// - ovirt-ansible-collection, `roles/disaster_recovery/tasks/recover/register_templates.yml`
    ///   (templates are registered first, with the cluster mappings) and
    ///   `files/generate_mapping.py` (`_write_external_lun_disks`).
    pub struct EntityUnmapped {
        code: "AP003",
        name: "entity-unmapped",
        level: Error,
    }
}

fn check(dr: &DrContext<'_>, _policy: &Policy, sink: &mut Sink) {
    let (primary, secondary, mapping) = (dr.primary, dr.secondary, dr.mapping);
    let failing = FailingOver::of(dr);
    let mut clusters: BTreeMap<ClusterId, Vec<VmId>> = BTreeMap::new();
    let mut profiles: BTreeMap<VnicProfileId, Vec<VmId>> = BTreeMap::new();
    for &vm in &failing.vms {
        let v = &primary.vms[vm];
        if let Some(cluster) = v.cluster {
            clusters.entry(cluster).or_default().push(vm);
        }
        for profile in &v.vnic_profiles {
            profiles.entry(*profile).or_default().push(vm);
        }
    }
    let failing_set: BTreeSet<VmId> = failing.vms.iter().copied().collect();
    let users = |vms: &[VmId]| -> Vec<VmId> {
        vms.iter()
            .copied()
            .filter(|vm| failing_set.contains(vm))
            .collect()
    };
    let mapped_names = |pairs: &[NamePair]| -> BTreeSet<String> {
        pairs
            .iter()
            .filter_map(|p| p.name(Side::Primary).map(|f| f.value.clone()))
            .collect()
    };
    let mapped_clusters = mapped_names(&mapping.clusters);
    let secondary_clusters = names(&secondary.clusters);
    for template in failing.templates(primary) {
        if let Some(cluster) = template.cluster {
            clusters.entry(cluster).or_default();
        }
    }
    for (cluster, vms) in clusters {
        let name = primary.clusters[cluster].name.as_str();
        if !mapped_clusters.contains(name) && !secondary_clusters.contains_key(name) {
            let templates: Vec<&str> = failing
                .templates(primary)
                .into_iter()
                .filter(|t| t.cluster == Some(cluster))
                .map(|t| t.name.as_str())
                .collect();
            if vms.is_empty() {
                let (entity, origin) = dr.entity(Side::Primary, Subject::Cluster(cluster));
                sink.report_at(
                    entity.clone(),
                    origin,
                    format!(
                        "cluster {} of template{} failing over ({}) has no mapping and the secondary has no cluster of that name",
                        entity.name,
                        if templates.len() == 1 { "" } else { "s" },
                        list_names(templates)
                    ),
                    "map it to the secondary's cluster in dr_cluster_mappings",
                );
            } else {
                unmapped(dr, sink, Subject::Cluster(cluster), &vms);
            }
        }
    }
    unmapped_luns(dr, sink, &failing_set);
    let mapped_profiles: BTreeSet<&str> = mapping
        .networks
        .iter()
        .filter_map(|n| n.primary.profile_name.as_ref().map(|f| f.value.as_str()))
        .collect();
    let secondary_profiles: BTreeSet<&str> = secondary
        .vnic_profiles
        .values()
        .map(|p| p.name.as_str())
        .chain(secondary.networks.values().map(|n| n.name.as_str()))
        .collect();
    for (profile, vms) in profiles {
        let name = primary.vnic_profiles[profile].name.as_str();
        if !mapped_profiles.contains(name) && !secondary_profiles.contains(name) {
            let origin = dr.origin(Side::Primary, primary.vnic_profiles[profile].origin);
            report(
                sink,
                mapped(EntityKind::VnicProfile, name),
                origin,
                primary,
                &vms,
            );
        }
    }
    let mapped_groups = mapped_names(&mapping.affinity_groups);
    let secondary_groups = names(&secondary.affinity_groups);
    for (id, group) in primary.affinity_groups.iter() {
        let vms = users(&group.vms);
        let name = group.name.as_str();
        if !vms.is_empty() && !mapped_groups.contains(name) && !secondary_groups.contains_key(name)
        {
            unmapped(dr, sink, Subject::AffinityGroup(id), &vms);
        }
    }
    let mapped_labels = mapped_names(&mapping.affinity_labels);
    let secondary_labels = names(&secondary.affinity_labels);
    for (id, label) in primary.affinity_labels.iter() {
        let vms = users(&label.vms);
        let name = label.name.as_str();
        if !vms.is_empty() && !mapped_labels.contains(name) && !secondary_labels.contains_key(name)
        {
            unmapped(dr, sink, Subject::AffinityLabel(id), &vms);
        }
    }
}

/// Direct LUN disks of VMs failing over that no `primary_logical_unit_id` maps and whose LUN
/// the secondary does not know.
fn unmapped_luns(dr: &DrContext<'_>, sink: &mut Sink, failing: &BTreeSet<VmId>) {
    let Some(disks) = &dr.primary.direct_luns else {
        return;
    };
    let mapped_ids: BTreeSet<String> = dr
        .mapping
        .luns
        .iter()
        .filter_map(|l| l.primary.logical_unit_id.as_ref())
        .map(|f| f.value.to_ascii_lowercase())
        .collect();
    let secondary_luns: BTreeSet<String> = dr
        .secondary
        .direct_luns
        .iter()
        .flatten()
        .map(|d| d.logical_unit.id.to_ascii_lowercase())
        .chain(
            dr.secondary
                .storage_details
                .values()
                .filter_map(|d| d.connection.as_ref())
                .flat_map(|c| c.logical_units.iter().map(|u| u.id.to_ascii_lowercase())),
        )
        .collect();
    for disk in disks {
        let vms: Vec<VmId> = disk
            .vms
            .iter()
            .copied()
            .filter(|vm| failing.contains(vm))
            .collect();
        let id = disk.logical_unit.id.to_ascii_lowercase();
        if vms.is_empty() || mapped_ids.contains(&id) || secondary_luns.contains(&id) {
            continue;
        }
        let vm_names = list_names(vms.iter().map(|vm| dr.primary.vms[*vm].name.as_str()));
        sink.report_at(
            mapped(EntityKind::Lun, disk.logical_unit.id.clone()),
            dr.origin(Side::Primary, disk.origin),
            format!(
                "direct LUN disk {} (LUN {}) of {} VM{} failing over ({vm_names}) has no mapping and the secondary has no LUN of that id",
                disk.name,
                disk.logical_unit.id,
                vms.len(),
                if vms.len() == 1 { "" } else { "s" },
            ),
            "map its LUN to the replica's in dr_lun_mappings",
        );
    }
}

/// Reports a primary entity at its own definition.
fn unmapped(dr: &DrContext<'_>, sink: &mut Sink, subject: Subject<'_>, vms: &[VmId]) {
    let (entity, origin) = dr.entity(Side::Primary, subject);
    report(sink, entity, origin, dr.primary, vms);
}

fn report(
    sink: &mut Sink,
    entity: EntityRef,
    origin: Option<Origin>,
    primary: &Inventory,
    vms: &[VmId],
) {
    let kind = noun(entity.kind);
    let list = match entity.kind {
        EntityKind::Cluster => "dr_cluster_mappings",
        EntityKind::AffinityGroup => "dr_affinity_group_mappings",
        EntityKind::AffinityLabel => "dr_affinity_label_mappings",
        _ => "dr_network_mappings",
    };
    let vm_names = list_names(vms.iter().map(|vm| primary.vms[*vm].name.as_str()));
    sink.report_at(
        entity.clone(),
        origin,
        format!(
            "{kind} {} of {} VM{} failing over ({vm_names}) has no mapping and the secondary has no {kind} of that name",
            entity.name,
            vms.len(),
            if vms.len() == 1 { "" } else { "s" },
        ),
        format!("map it to the secondary's {kind} in {list}"),
    );
}
