use std::collections::BTreeMap;

use stretchdr_model::inventory::VmStatus;
use stretchdr_model::units::format_size;
use stretchdr_model::{ClusterId, Inventory, SiteId};

use super::Sites;
use crate::policy::Policy;
use crate::rule::{Sink, Subject, declare_rule};

declare_rule! {
    /// ## What it does
    /// For each stretch cluster and each of its sites, supposes that site is lost and checks
    /// that the hosts left in the cluster can hold every highly available VM of the cluster
    /// (those restarted there and those already there) plus the other VMs running there.
    /// Memory counts with the cluster's memory overcommit (`memory_overcommit_percent`); CPUs
    /// with the policy's `vcpus_per_cpu`. The message gives the shortfall.
    ///
    /// ## Why is this bad?
    /// The scheduler does not start a VM on a host without the memory for it. Once the
    /// surviving site is full, the remaining HA VMs are retried and then left down: the DR
    /// plan restarts only part of what it promised, in HA priority order, and which part
    /// depends on timing.
    ///
    /// ## Example
    /// ```toml
    /// [[host]]
    /// name = "b1"
    /// site = "site-b"
    /// memory = "256GiB"
    ///
    /// [[vm]]
    /// name = "db-{01..10}"
    /// ha = true
    /// memory = "32GiB"
    /// ```
    ///
    /// Use instead: enough hosts in each site for all HA VMs, or fewer HA VMs.
    /// ```toml
    /// [[host]]
    /// name = "b{1..2}"
    /// site = "site-b"
    /// memory = "256GiB"
    /// ```
    ///
    /// ## References
    /// - oVirt Disaster Recovery Guide, "Active-Active Overview": the stretch cluster needs
    ///   hosts capable of running the required virtual machines in both the primary and the
    ///   secondary site. https://ovirt.org/documentation/disaster_recovery_guide
    /// - oVirt Administration Guide, "Memory Optimization" (cluster memory overcommit).
    pub struct SiteCapacityShortfall {
        code: "AA013",
        name: "site-capacity-shortfall",
        level: Error,
        requires_sites: true,
    }
}

/// Memory in bytes and CPUs (physical for hosts, virtual for VMs).
#[derive(Clone, Copy, Default)]
struct Resources {
    memory: u64,
    cpus: u64,
}

impl Resources {
    fn of(memory: u64, cpus: u32) -> Resources {
        Resources {
            memory,
            cpus: u64::from(cpus),
        }
    }

    fn add(&mut self, other: Resources) {
        // Saturating: one VM claiming 2^64 - 1 bytes must not wrap the sum to a small one
        // and hide the shortfall.
        self.memory = self.memory.saturating_add(other.memory);
        self.cpus = self.cpus.saturating_add(other.cpus);
    }
}

/// Per cluster and site: what its hosts offer and what the non-HA VMs running there use.
#[derive(Clone, Copy, Default)]
struct SiteLoad {
    hosts: Resources,
    running: Resources,
}

fn check(inventory: &Inventory, policy: &Policy, sink: &mut Sink) {
    let sites = Sites::new(inventory);
    let mut load: BTreeMap<(ClusterId, SiteId), SiteLoad> = BTreeMap::new();
    for (id, host) in inventory.hosts.iter() {
        if let (Some(cluster), Some(site)) = (host.cluster, sites.of_host(id)) {
            load.entry((cluster, site))
                .or_default()
                .hosts
                .add(Resources::of(host.memory_bytes, host.cpus));
        }
    }
    let mut ha_demand: BTreeMap<ClusterId, Resources> = BTreeMap::new();
    for vm in inventory.vms.values() {
        let Some(cluster) = vm.cluster.filter(|&c| sites.is_stretch(Some(c))) else {
            continue;
        };
        if vm.ha {
            ha_demand
                .entry(cluster)
                .or_default()
                .add(Resources::of(vm.memory_bytes, vm.cpus));
        } else if let Some(site) = vm.host.and_then(|h| sites.of_host(h))
            && vm.status == VmStatus::Up
        {
            load.entry((cluster, site))
                .or_default()
                .running
                .add(Resources::of(vm.memory_bytes, vm.cpus));
        }
    }
    for (&cluster_id, ha) in &ha_demand {
        let cluster = &inventory.clusters[cluster_id];
        let cluster_sites = sites.of_cluster(cluster_id);
        for &lost in cluster_sites {
            let mut offer = Resources::default();
            let mut demand = *ha;
            for &site in cluster_sites.iter().filter(|&&s| s != lost) {
                let site_load = load.get(&(cluster_id, site)).copied().unwrap_or_default();
                offer.add(site_load.hosts);
                demand.add(site_load.running);
            }
            let memory_offer =
                offer.memory as f64 * f64::from(cluster.memory_overcommit_percent) / 100.0;
            let cpu_offer = offer.cpus as f64 * policy.thresholds.vcpus_per_cpu;
            let memory_short = demand.memory as f64 - memory_offer;
            let cpus_short = demand.cpus as f64 - cpu_offer;
            let mut shortfalls = Vec::new();
            if memory_short > 0.0 {
                shortfalls.push(format!(
                    "{} of memory ({} needed, {} available at {}% overcommit)",
                    format_size(memory_short.ceil() as u64),
                    format_size(demand.memory),
                    format_size(memory_offer as u64),
                    cluster.memory_overcommit_percent
                ));
            }
            if cpus_short > 0.0 {
                shortfalls.push(format!(
                    "{} vCPUs ({} needed, {} available at {} per CPU)",
                    cpus_short.ceil(),
                    demand.cpus,
                    cpu_offer.floor(),
                    policy.thresholds.vcpus_per_cpu
                ));
            }
            if shortfalls.is_empty() {
                continue;
            }
            let survivors: Vec<SiteId> = cluster_sites
                .iter()
                .copied()
                .filter(|&s| s != lost)
                .collect();
            sink.report(
                Subject::Cluster(cluster_id),
                format!(
                    "if {} is lost, cluster {}'s hosts in {} are short by {}",
                    sites.name(lost),
                    cluster.name,
                    sites.names(&survivors),
                    shortfalls.join(" and ")
                ),
                "add hosts (or memory) to the surviving site, raise memory overcommit, or make fewer VMs highly available",
            )
            .discriminator = Some(sites.name(lost).to_string());
        }
    }
}
