use std::collections::BTreeMap;

use stretchdr_model::inventory::{HostStatus, VmStatus};
use stretchdr_model::mapping::Side;
use stretchdr_model::units::format_size;
use stretchdr_model::{ClusterId, VmId};

use super::{FailingOver, names, pair_map};
use crate::dr::DrContext;
use crate::policy::Policy;
use crate::rule::{Sink, Subject, declare_mapping_rule};

declare_mapping_rule! {
    /// ## What it does
    /// Compares, per secondary cluster, the memory and vCPUs of the VMs running on the primary
    /// that fail over into it (through `dr_cluster_mappings`, else the cluster of the same
    /// name) with what the cluster's hosts offer: memory at the cluster's overcommit, CPUs at
    /// the policy's `vcpus_per_cpu`.
    ///
    /// ## Why is this bad?
    /// After failover the role starts every VM that was running on the primary, HA VMs first.
    /// The scheduler refuses the ones that no longer fit: they stay down until someone makes
    /// room, and the role reports them only in its summary.
    ///
    /// ## Example
    /// A primary cluster running 2 TiB of VMs mapped to a secondary cluster of four 256 GiB
    /// hosts.
    ///
    /// Use instead: size the secondary for the primary's running VMs, or accept that
    /// low-priority VMs stay down and say so in the policy.
    ///
    /// ## References
    /// - oVirt Disaster Recovery Guide, "Active-Passive Disaster Recovery": the secondary site
    ///   must have the capacity to run the primary's virtual machines.
    ///   https://ovirt.org/documentation/disaster_recovery_guide
    /// - ovirt-ansible-collection, `roles/disaster_recovery/tasks/recover_engine.yml` ("Run
    ///   highly available VMs", "Run the rest of the VMs").
    pub struct SecondaryCapacityShortfall {
        code: "AP008",
        name: "secondary-capacity-shortfall",
        level: Warning,
    }
}

fn check(dr: &DrContext<'_>, policy: &Policy, sink: &mut Sink) {
    let (primary, secondary) = (dr.primary, dr.secondary);
    let mapped = pair_map(&dr.mapping.clusters);
    let secondary_clusters = names(&secondary.clusters);
    let mut demand: BTreeMap<ClusterId, Vec<VmId>> = BTreeMap::new();
    for vm in FailingOver::of(dr).vms {
        let v = &primary.vms[vm];
        if v.status != VmStatus::Up {
            continue;
        }
        let Some(cluster) = v.cluster else { continue };
        let name = primary.clusters[cluster].name.as_str();
        let target = mapped.get(name).copied().unwrap_or(name);
        if let Some(&target) = secondary_clusters.get(target) {
            demand.entry(target).or_default().push(vm);
        }
    }
    for (cluster_id, vms) in demand {
        let cluster = &secondary.clusters[cluster_id];
        let (memory_offer, cpus_offer) = secondary
            .cluster_hosts(cluster_id)
            .filter(|(_, h)| h.status == HostStatus::Up)
            .fold((0u64, 0u64), |(m, c), (_, h)| {
                (
                    m.saturating_add(h.memory_bytes),
                    c.saturating_add(u64::from(h.cpus)),
                )
            });
        let memory_offer =
            memory_offer as f64 * f64::from(cluster.memory_overcommit_percent) / 100.0;
        let cpu_offer = cpus_offer as f64 * policy.thresholds.vcpus_per_cpu;
        let (memory, cpus) = super::demand(primary, &vms);
        let mut shortfalls = Vec::new();
        if memory as f64 > memory_offer {
            shortfalls.push(format!(
                "{} of memory needed, {} available at {}% overcommit",
                format_size(memory),
                format_size(memory_offer as u64),
                cluster.memory_overcommit_percent
            ));
        }
        if cpus as f64 > cpu_offer {
            shortfalls.push(format!(
                "{cpus} vCPUs needed, {} available at {} per CPU",
                cpu_offer as u64, policy.thresholds.vcpus_per_cpu
            ));
        }
        if shortfalls.is_empty() {
            continue;
        }
        let (entity, origin) = dr.entity(Side::Secondary, Subject::Cluster(cluster_id));
        let message = format!(
            "secondary cluster {} cannot run the {} VMs running on the primary that fail over into it: {}",
            entity.name,
            vms.len(),
            shortfalls.join("; ")
        );
        sink.report_at(
            entity,
            origin,
            message,
            "add hosts to the secondary cluster, or plan which VMs stay down after failover",
        );
    }
}
