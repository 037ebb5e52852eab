//! The replay of the role's failover and failback over the two sites' inventories.

use std::collections::{BTreeMap, BTreeSet};

use stretchdr_model::inventory::{HostStatus, VmStatus};
use stretchdr_model::mapping::keys::storage_fields_read;
use stretchdr_model::mapping::{Mapping, Side, StorageEntry, StorageType};
use stretchdr_model::units::format_duration_ms;
use stretchdr_model::{ClusterId, HostId, Inventory, LoadError, StorageDomainId, VmId};

use super::{
    ApResult, ApScenario, Parameters, Phase, Reason, Rto, Step, Summary, VmOutcome, VmResult,
};

/// Loads what a scenario names: the mapping, the primary and the secondary.
pub fn load_inputs(scenario: &ApScenario) -> Result<(Mapping, Inventory, Inventory), LoadError> {
    let mapping = stretchdr_model::mapping::load_mapping(&scenario.mapping)?;
    let primary = stretchdr_model::load_source(&scenario.primary)?;
    let secondary = stretchdr_model::load_source(&scenario.secondary)?;
    Ok((mapping, primary, secondary))
}

/// Replays the failover (and the failback when the scenario asks for it); the disaster, the
/// loss of the primary site, is at 0.
pub fn run(
    scenario: &ApScenario,
    mapping: &Mapping,
    primary: &Inventory,
    secondary: &Inventory,
) -> ApResult {
    let mut params = scenario.parameters.clone();
    let variables = &mapping.role_variables;
    if let Some(retries) = &variables.cleanup_retries_maintenance {
        params.cleanup_retries = u64::try_from(retries.value).unwrap_or(0);
    }
    if let Some(delay) = &variables.cleanup_delay_maintenance {
        params.cleanup_delay = u64::try_from(delay.value).unwrap_or(0) * 1000;
    }
    let mut clock = Clock {
        now: 0,
        steps: Vec::new(),
        phase: Phase::Failover,
    };
    clock.step(
        "sanlock",
        params.sanlock_release,
        "wait for sanlock to release the primary's leases on the replicated domains".to_string(),
    );
    let failover = recover(
        &mut clock,
        &params,
        mapping,
        primary,
        secondary,
        Side::Secondary,
        None,
    );
    let failover_done = clock.now.max(failover.last_up);
    let mut vms: Vec<VmResult> = primary
        .vms
        .iter()
        .map(|(id, vm)| {
            let was_running = vm.status == VmStatus::Up;
            let mut result = VmResult::unaffected(vm.name.clone());
            if !was_running {
                return result;
            }
            result.down_at_s = Some(0.0);
            match failover.vms.get(&id) {
                Some(Ok((host, up))) => {
                    result.outcome = VmOutcome::Restarted;
                    result.up_at_s = Some(seconds(*up));
                    result.host = Some(secondary.hosts[*host].name.clone());
                    result.site = Some(site_name(secondary, *host, Side::Secondary));
                }
                Some(Err(reason)) => {
                    result.outcome = VmOutcome::NotRestarted;
                    result.reason = Some(*reason);
                }
                None => {
                    result.outcome = VmOutcome::NotRestarted;
                    result.reason = Some(Reason::StorageUnavailable);
                }
            }
            result
        })
        .collect();
    let mut failback_done_s = None;
    if let Some(at) = scenario.failback_at_ms {
        clock.phase = Phase::Failback;
        clock.now = at.max(failover_done);
        let running: Vec<VmId> = failover
            .vms
            .iter()
            .filter(|(_, r)| r.is_ok())
            .map(|(id, _)| *id)
            .collect();
        clean(
            &mut clock,
            &params,
            &failover.attached,
            primary,
            running.len(),
        );
        clock.step(
            "sync",
            params.replication_sync,
            "failback replication sync: the storage replication is reversed and synced, then ENTER"
                .to_string(),
        );
        let running: BTreeSet<VmId> = running.into_iter().collect();
        let failback = recover(
            &mut clock,
            &params,
            mapping,
            primary,
            primary,
            Side::Primary,
            Some(&running),
        );
        for (id, result) in primary.vms.ids().zip(vms.iter_mut()) {
            if let Some(Ok((_, up))) = failback.vms.get(&id) {
                result.failback_up_at_s = Some(seconds(*up));
            }
        }
        failback_done_s = Some(seconds(clock.now.max(failback.last_up)));
    }
    let mut ups: Vec<f64> = vms.iter().filter_map(|v| v.up_at_s).collect();
    ups.sort_by(f64::total_cmp);
    let count = |outcome: VmOutcome| vms.iter().filter(|v| v.outcome == outcome).count();
    let summary = Summary {
        vms: vms.len(),
        restarted: count(VmOutcome::Restarted),
        not_restarted: count(VmOutcome::NotRestarted),
        unaffected: count(VmOutcome::Unaffected),
        rto_s: Rto {
            p50: percentile(&ups, 50),
            p95: percentile(&ups, 95),
            max: ups.last().copied(),
        },
        engine_down_s: 0.0,
        spm_down_s: seconds(failover.master_at.unwrap_or(failover_done)),
        failover_done_s: seconds(failover_done),
        failback_done_s,
    };
    ApResult {
        scenario: scenario.name.clone(),
        seed: scenario.seed,
        runs: 1,
        summary,
        vms,
        timeline: clock.steps,
    }
}

/// The role's steps, one after the other.
struct Clock {
    now: u64,
    steps: Vec<Step>,
    phase: Phase,
}

impl Clock {
    fn step(&mut self, kind: &'static str, duration: u64, text: String) -> u64 {
        let start = self.now;
        self.now += duration;
        self.steps.push(Step {
            at_s: seconds(start),
            end_s: seconds(self.now),
            phase: self.phase,
            kind,
            text,
        });
        self.now
    }
}

fn seconds(ms: u64) -> f64 {
    ms as f64 / 1000.0
}

/// Nearest-rank percentile of sorted values.
fn percentile(sorted: &[f64], p: usize) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    Some(sorted[rank - 1])
}

fn site_name(inventory: &Inventory, host: HostId, side: Side) -> String {
    inventory.hosts[host].site.map_or_else(
        || side.as_str().to_string(),
        |s| inventory.sites[s].name.clone(),
    )
}

/// What a recovery onto one site did.
struct Recovery {
    /// The primary's domains attached, in attach order.
    attached: Vec<StorageDomainId>,
    /// When the first domain (the master) was attached.
    master_at: Option<u64>,
    /// Per VM started or refused: its host and up time, or why not.
    vms: BTreeMap<VmId, Result<(HostId, u64), Reason>>,
    last_up: u64,
}

/// `recover_engine.yml` onto `target`: log in, add the domains (master first), register the
/// VMs, start the ones that ran (HA first). `only` names the VMs to start instead of those that
/// ran on the primary (failback: those that ran on the secondary).
fn recover(
    clock: &mut Clock,
    params: &Parameters,
    mapping: &Mapping,
    primary: &Inventory,
    target_site: &Inventory,
    target: Side,
    only: Option<&BTreeSet<VmId>>,
) -> Recovery {
    let site = target.as_str();
    clock.step(
        "login",
        params.engine_login,
        format!("log in to the {site} engine"),
    );
    let by_name: BTreeMap<&str, StorageDomainId> = primary
        .storage_domains
        .iter()
        .map(|(id, d)| (d.name.as_str(), id))
        .collect();
    let mut entries: Vec<&StorageEntry> = mapping.storages.iter().collect();
    // Master first (`when: item['dr_<target>_master_domain']`), then the rest, in file order.
    entries.sort_by_key(|e| !e.site(target).is_master());
    let mut attached = Vec::new();
    let mut master_at = None;
    for entry in entries {
        let label = entry.label(target);
        let missing: Vec<String> = match entry.storage_type() {
            Some(storage) => storage_fields_read(storage, target)
                .into_iter()
                .filter(|f| !entry.has(f))
                .collect(),
            None => vec!["dr_domain_type".to_string()],
        };
        if !missing.is_empty() {
            clock.step(
                "attach",
                0,
                format!(
                    "skip domain {label}: its entry lacks {} (error ignored)",
                    missing.join(", ")
                ),
            );
            continue;
        }
        if entry.storage_type() == Some(StorageType::Iscsi) {
            let targets = entry.site(target).target.len() as u64;
            clock.step(
                "attach",
                targets * params.iscsi_login,
                format!("log in to {targets} iSCSI target(s) of {label}"),
            );
        }
        let first = master_at.is_none();
        let duration = if first {
            params.master_domain_attach
        } else {
            params.domain_attach
        };
        let end = clock.step(
            "attach",
            duration,
            format!("add domain {label}{}", if first { " (master)" } else { "" }),
        );
        if first {
            master_at = Some(end);
        }
        if let Some(id) = entry
            .primary
            .name
            .as_ref()
            .and_then(|n| by_name.get(n.value.as_str()))
        {
            attached.push(*id);
        }
    }
    // Register: per attached domain, the VMs with a disk there not registered yet.
    let target_clusters: BTreeMap<&str, ClusterId> = target_site
        .clusters
        .iter()
        .map(|(id, c)| (c.name.as_str(), id))
        .collect();
    let mapped: BTreeMap<&str, &str> = mapping
        .clusters
        .iter()
        .filter_map(|p| {
            Some((
                p.primary.as_ref()?.value.as_str(),
                p.secondary.as_ref()?.value.as_str(),
            ))
        })
        .collect();
    let mut registered: Vec<(VmId, Result<ClusterId, Reason>)> = Vec::new();
    let mut seen = BTreeSet::new();
    for domain in &attached {
        let vms: Vec<VmId> = primary
            .vms
            .iter()
            .filter(|(id, vm)| vm.disks.contains(domain) && !seen.contains(id))
            .map(|(id, _)| id)
            .collect();
        if vms.is_empty() {
            continue;
        }
        clock.step(
            "register",
            vms.len() as u64 * params.vm_register,
            format!(
                "register {} VM(s) of {}",
                vms.len(),
                primary.storage_domains[*domain].name
            ),
        );
        for vm in vms {
            seen.insert(vm);
            let cluster = primary.vms[vm]
                .cluster
                .map(|c| primary.clusters[c].name.as_str());
            let name = match (target, cluster) {
                (Side::Secondary, Some(name)) => Some(mapped.get(name).copied().unwrap_or(name)),
                (_, name) => name,
            };
            let cluster = name
                .and_then(|n| target_clusters.get(n).copied())
                .ok_or(Reason::ClusterMissing);
            registered.push((vm, cluster));
        }
    }
    // Start what ran: HA first, then the rest, each call `wait: false`.
    let mut free: BTreeMap<HostId, u64> = target_site
        .hosts
        .iter()
        .filter(|(_, h)| h.status == HostStatus::Up)
        .map(|(id, h)| (id, h.memory_bytes))
        .collect();
    let mut vms = BTreeMap::new();
    let mut last_up = 0;
    for ha in [true, false] {
        let batch: Vec<&(VmId, Result<ClusterId, Reason>)> = registered
            .iter()
            .filter(|(vm, _)| {
                let v = &primary.vms[*vm];
                let ran = match only {
                    Some(ran) => ran.contains(vm),
                    None => v.status == VmStatus::Up,
                };
                v.ha == ha && ran
            })
            .collect();
        if batch.is_empty() {
            continue;
        }
        let start = clock.now;
        for (i, (vm, cluster)) in batch.iter().enumerate() {
            let called = start + (i as u64 + 1) * params.vm_start_call;
            let outcome = cluster.and_then(|cluster| {
                let memory = primary.vms[*vm].memory_bytes;
                let host = target_site
                    .cluster_hosts(cluster)
                    .filter_map(|(id, _)| Some((id, *free.get(&id)?)))
                    .filter(|(_, left)| *left >= memory)
                    .max_by_key(|(id, left)| (*left, std::cmp::Reverse(*id)))
                    .map(|(id, _)| id)
                    .ok_or(Reason::NoCapacity)?;
                *free.get_mut(&host).expect("a free host") -= memory;
                let up = called + params.vm_boot_time;
                last_up = last_up.max(up);
                Ok((host, up))
            });
            vms.insert(*vm, outcome);
        }
        let started = batch.iter().filter(|(vm, _)| vms[vm].is_ok()).count();
        clock.step(
            "start",
            batch.len() as u64 * params.vm_start_call,
            format!(
                "start {} {} VM(s), {started} placed (up {} after each start call)",
                batch.len(),
                if ha { "highly available" } else { "other" },
                format_duration_ms(params.vm_boot_time)
            ),
        );
    }
    Recovery {
        attached,
        master_at,
        vms,
        last_up,
    }
}

/// `clean_engine.yml` on the secondary: shut down, update OVF stores, remove the domains
/// (non-master first), each move to maintenance retried while tasks run.
fn clean(
    clock: &mut Clock,
    params: &Parameters,
    attached: &[StorageDomainId],
    primary: &Inventory,
    running: usize,
) {
    clock.step(
        "login",
        params.engine_login,
        "log in to the secondary engine, record its running VMs".to_string(),
    );
    clock.step(
        "shutdown",
        running as u64 * params.vm_shutdown,
        format!("shut down {running} running VM(s) on the secondary"),
    );
    clock.step(
        "ovf",
        attached.len() as u64 * params.ovf_update,
        format!("update the OVF store of {} domain(s)", attached.len()),
    );
    // The first attached domain is the master: removed last.
    let mut order: Vec<StorageDomainId> = attached.iter().skip(1).copied().collect();
    order.extend(attached.first());
    for domain in order {
        let name = &primary.storage_domains[domain].name;
        // Ansible's `until`/`retries`: a failed try waits `delay`, then tries again, at most
        // `retries` more times.
        let exhausted = params.maintenance_failures > params.cleanup_retries;
        let waits = params.maintenance_failures.min(params.cleanup_retries);
        let mut duration = waits * params.cleanup_delay + params.domain_remove;
        let mut text = format!("remove domain {name}");
        if waits > 0 {
            text.push_str(&format!(
                " after {waits} wait(s) of {} for running tasks",
                format_duration_ms(params.cleanup_delay)
            ));
        }
        if exhausted {
            // Retries exhausted: the role's force-remove pass destroys the domain.
            duration += params.domain_remove;
            text.push_str(", then by force");
        }
        clock.step("remove", duration, text);
    }
}
