//! The replay of the role's failover and failback over the two sites' inventories.

use std::collections::{BTreeMap, BTreeSet};

use stretchdr_model::inventory::{HostStatus, VmStatus};
use stretchdr_model::mapping::keys::storage_fields_read;
use stretchdr_model::mapping::{Mapping, Side, StorageEntry, StorageType};
use stretchdr_model::units::format_duration_ms;
use stretchdr_model::{ClusterId, HostId, Inventory, LoadError, StorageDomainId, VmId};

use super::{
    ApResult, ApScenario, Parameters, Phase, Reason, Rto, Step, StepFailure, Summary, VmOutcome,
    VmResult,
};

/// The role's defaults for the variables it reads from the mapping file
/// (`roles/disaster_recovery/defaults/main.yml`).
const IGNORE_ERROR_RECOVER_DEFAULT: bool = true;
const IGNORE_ERROR_CLEAN_DEFAULT: bool = false;

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
    let ignore_recover = variables
        .ignore_error_recover
        .as_ref()
        .map_or(IGNORE_ERROR_RECOVER_DEFAULT, |f| f.value);
    let ignore_clean = variables
        .ignore_error_clean
        .as_ref()
        .map_or(IGNORE_ERROR_CLEAN_DEFAULT, |f| f.value);
    let mut clock = Clock {
        now: 0,
        steps: Vec::new(),
        phase: Phase::Operator,
        stopped: Vec::new(),
    };
    clock.step(
        "wait",
        params.operator_wait,
        "the operator waits for the lost site's storage locks before running the role (not a step of the role)"
            .to_string(),
    );
    clock.phase = Phase::Failover;
    let failover = recover(
        &mut clock,
        &params,
        mapping,
        primary,
        secondary,
        Side::Secondary,
        None,
        ignore_recover,
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
    let mut notes = Vec::new();
    if failover.vms.values().any(|r| r.is_ok()) {
        notes.push(format!(
            "the role starts the VMs the OVF stores recorded as up; the engine writes them every {} (OvfUpdateIntervalInMinutes), so a VM started or stopped in the {} before the disaster is predicted wrong",
            format_duration_ms(params.ovf_update_interval),
            format_duration_ms(params.ovf_update_interval)
        ));
    }
    let mut failback_done_s = None;
    if let Some(at) = scenario.failback_at_ms {
        clock.now = at.max(failover_done);
        let running: BTreeSet<VmId> = failover
            .vms
            .iter()
            .filter(|(_, r)| r.is_ok())
            .map(|(id, _)| *id)
            .collect();
        if let Some(done) = failback(
            &mut clock,
            &params,
            mapping,
            primary,
            &failover.attached,
            &running,
            ignore_recover,
            ignore_clean,
        ) {
            for (id, result) in primary.vms.ids().zip(vms.iter_mut()) {
                if let Some(Ok((_, up))) = done.vms.get(&id) {
                    result.failback_up_at_s = Some(seconds(*up));
                }
            }
            failback_done_s = Some(seconds(clock.now.max(done.last_up)));
        }
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
        stopped: clock.stopped,
        notes,
    }
}

/// The role's steps, one after the other.
struct Clock {
    now: u64,
    steps: Vec<Step>,
    phase: Phase,
    /// Where a play stopped on an error it does not ignore.
    stopped: Vec<String>,
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
            failed: None,
        });
        self.now
    }

    /// A step that fails; returns whether the play goes on (`ignored`).
    fn fail(
        &mut self,
        kind: &'static str,
        duration: u64,
        text: String,
        reason: String,
        ignored: bool,
        variable: &str,
    ) -> bool {
        self.step(kind, duration, text);
        let step = self.steps.last_mut().expect("just pushed");
        step.failed = Some(StepFailure {
            reason: reason.clone(),
            ignored,
        });
        if !ignored {
            let play = match self.phase {
                Phase::Operator | Phase::Failover => "the failover play",
                Phase::Cleanup => "the clean-up play",
                Phase::Failback => "the failback play",
            };
            let at = step.end_s;
            self.stopped.push(format!(
                "{play} stopped at {}: {reason} ({variable} is false)",
                super::report::clock(at)
            ));
        }
        ignored
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

/// Whether `target` has an Up host in the data center named `dc` (`recover/add_domain.yml`
/// searches `status=up and datacenter=<dr_<target>_dc_name>`).
fn has_up_host(target: &Inventory, dc: &str) -> bool {
    target.hosts.values().any(|host| {
        host.status == HostStatus::Up
            && host
                .cluster
                .and_then(|c| target.clusters[c].data_center)
                .is_some_and(|d| target.data_centers[d].name == dc)
    })
}

/// `recover_engine.yml` onto `target`: log in, add the domains (master first), register the
/// VMs, start the ones the OVF store recorded as up (HA first). `only` names the VMs to start
/// instead (failback: `run_unregistered_entities.yml` starts those recorded as running on the
/// secondary). `held` are domains the other site still holds: attaching them fails.
#[allow(clippy::too_many_arguments)]
fn recover(
    clock: &mut Clock,
    params: &Parameters,
    mapping: &Mapping,
    primary: &Inventory,
    target_site: &Inventory,
    target: Side,
    only: Option<&BTreeSet<VmId>>,
    ignore_recover: bool,
) -> Recovery {
    recover_holding(
        clock,
        params,
        mapping,
        primary,
        target_site,
        target,
        only,
        ignore_recover,
        &BTreeSet::new(),
    )
}

#[allow(clippy::too_many_arguments)]
fn recover_holding(
    clock: &mut Clock,
    params: &Parameters,
    mapping: &Mapping,
    primary: &Inventory,
    target_site: &Inventory,
    target: Side,
    only: Option<&BTreeSet<VmId>>,
    ignore_recover: bool,
    held: &BTreeSet<StorageDomainId>,
) -> Recovery {
    const VARIABLE: &str = "dr_ignore_error_recover";
    let mut recovery = Recovery {
        attached: Vec::new(),
        master_at: None,
        vms: BTreeMap::new(),
        last_up: 0,
    };
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
            let go_on = clock.fail(
                "attach",
                0,
                format!("add domain {label}"),
                format!("its entry lacks {}", missing.join(", ")),
                ignore_recover,
                VARIABLE,
            );
            if !go_on {
                return recovery;
            }
            continue;
        }
        let dc = entry
            .site(target)
            .dc_name
            .as_ref()
            .map_or("", |f| f.value.as_str());
        if !has_up_host(target_site, dc) {
            let go_on = clock.fail(
                "attach",
                0,
                format!("add domain {label}"),
                format!("no Up host in data center {dc} (add_domain.yml: \"No hosts available\")"),
                ignore_recover,
                VARIABLE,
            );
            if !go_on {
                return recovery;
            }
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
        let domain = entry
            .primary
            .name
            .as_ref()
            .and_then(|n| by_name.get(n.value.as_str()))
            .copied();
        let first = recovery.master_at.is_none();
        let duration = if first {
            params.master_domain_attach
        } else {
            params.domain_attach
        };
        let text = format!("add domain {label}{}", if first { " (master)" } else { "" });
        // The lockspace is acquired when the attach starts: before the lost primary's leases
        // expire (failover), or while the other site still has the domain active (failback).
        let locked = if target == Side::Secondary && clock.now < params.locks_free {
            Some(format!(
                "the lost primary's sanlock leases are not free until {} after the disaster: the lockspace cannot be acquired",
                format_duration_ms(params.locks_free)
            ))
        } else if domain.is_some_and(|d| held.contains(&d)) {
            Some("the secondary still has the domain active: its hosts hold the lockspace".into())
        } else {
            None
        };
        if let Some(reason) = locked {
            let go_on = clock.fail(
                "attach",
                params.domain_attach,
                text,
                format!("{reason}; nothing on it is registered"),
                ignore_recover,
                VARIABLE,
            );
            if !go_on {
                return recovery;
            }
            continue;
        }
        let end = clock.step("attach", duration, text);
        if first {
            recovery.master_at = Some(end);
        }
        if let Some(id) = domain {
            recovery.attached.push(id);
        }
    }
    // Register: per active domain, the VMs with a disk there not registered yet. The
    // inventory holds no templates, so the template pass (`register_templates.yml`, first)
    // registers none.
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
    for domain in &recovery.attached {
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
    // Start: HA first, then the rest, each call `wait: false`.
    let mut free: BTreeMap<HostId, u64> = target_site
        .hosts
        .iter()
        .filter(|(_, h)| h.status == HostStatus::Up)
        .map(|(id, h)| (id, h.memory_bytes))
        .collect();
    let task = if only.is_some() {
        "run_unregistered_entities.yml: start the VMs recorded as running on the secondary,"
    } else {
        "start the VMs the OVF store recorded as up,"
    };
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
                recovery.last_up = recovery.last_up.max(up);
                Ok((host, up))
            });
            recovery.vms.insert(*vm, outcome);
        }
        let started = batch
            .iter()
            .filter(|(vm, _)| recovery.vms[vm].is_ok())
            .count();
        clock.step(
            "start",
            batch.len() as u64 * params.vm_start_call,
            format!(
                "{task} {} {} VM(s), {started} placed (up {} after each start call)",
                batch.len(),
                if ha { "highly available" } else { "other" },
                format_duration_ms(params.vm_boot_time)
            ),
        );
    }
    recovery
}

/// Failback as `files/fail_back.py` runs it, from `clock.now`: the clean-up play of the
/// primary engine, then the failback play. Returns the recovery onto the primary, or `None`
/// when the failback play stopped before it.
#[allow(clippy::too_many_arguments)]
fn failback(
    clock: &mut Clock,
    params: &Parameters,
    mapping: &Mapping,
    primary: &Inventory,
    attached: &[StorageDomainId],
    running: &BTreeSet<VmId>,
    ignore_recover: bool,
    ignore_clean: bool,
) -> Option<Recovery> {
    // First play (`-t clean_engine`, dr_source_map=primary): the primary engine drops the
    // domains it held before the disaster. Its domains are not active (the storage was
    // replaced by the secondary's replica), so no VM runs and no OVF store is updated there,
    // and they go in the force-remove pass. fail_back.py does not check this play's result.
    clock.phase = Phase::Cleanup;
    clock.step(
        "login",
        params.engine_login,
        "log in to the primary engine (fail_back.py's clean-up play)".to_string(),
    );
    clock.step(
        "remove",
        attached.len() as u64 * params.domain_remove,
        format!(
            "remove the primary engine's {} stale domain(s) by force (not active: no retries)",
            attached.len()
        ),
    );
    // The failback play (`-t fail_back`): record, clean the secondary, pause, recover, start.
    clock.phase = Phase::Failback;
    clock.step(
        "login",
        params.engine_login,
        "log in to the secondary engine".to_string(),
    );
    clock.step(
        "record",
        0,
        format!(
            "record the {} running VM(s) (unregister_entities.yml)",
            running.len()
        ),
    );
    let Some(held) = clean(
        clock,
        params,
        attached,
        primary,
        running.len(),
        ignore_clean,
    ) else {
        if !running.is_empty() {
            clock.stopped.push(format!(
                "the {} VM(s) shut down on the secondary stay down: neither site runs them",
                running.len()
            ));
        }
        return None;
    };
    clock.step(
        "sync",
        params.replication_sync,
        "failback replication sync: the storage replication is reversed and synced, then ENTER"
            .to_string(),
    );
    let recovery = recover_holding(
        clock,
        params,
        mapping,
        primary,
        primary,
        Side::Primary,
        Some(running),
        ignore_recover,
        &held,
    );
    Some(recovery)
}

/// `clean_engine.yml` on the secondary: shut down, update OVF stores, remove the domains
/// (non-master first), each move to maintenance retried while tasks run. Returns the domains
/// still attached and active at the secondary, or `None` when the play stopped.
fn clean(
    clock: &mut Clock,
    params: &Parameters,
    attached: &[StorageDomainId],
    primary: &Inventory,
    running: usize,
    ignore_clean: bool,
) -> Option<BTreeSet<StorageDomainId>> {
    const VARIABLE: &str = "dr_ignore_error_clean";
    clock.step(
        "shutdown",
        running as u64 * params.vm_shutdown,
        format!("shut down {running} running VM(s) on the secondary"),
    );
    // `clean/update_ovf_store.yml` loops over the active domain it found, but names it
    // `iscsi_storage[...]`, a variable set only inside `add_domain.yml`'s iSCSI loop: the
    // task fails on every active domain of the mapping, whatever its type.
    for domain in attached {
        let name = &primary.storage_domains[*domain].name;
        let go_on = clock.fail(
            "ovf",
            params.ovf_update,
            format!("update the OVF store of {name}"),
            "clean/update_ovf_store.yml reads the undefined variable iscsi_storage".to_string(),
            ignore_clean,
            VARIABLE,
        );
        if !go_on {
            return None;
        }
    }
    // The first attached domain is the master: removed last.
    let mut order: Vec<StorageDomainId> = attached.iter().skip(1).copied().collect();
    order.extend(attached.first());
    let mut held = BTreeSet::new();
    for domain in order {
        let name = &primary.storage_domains[domain].name;
        // Ansible's `until`/`retries`: a failed try waits `delay`, then tries again, at most
        // `retries` more times.
        let exhausted = params.maintenance_failures > params.cleanup_retries;
        let waits = params.maintenance_failures.min(params.cleanup_retries);
        let mut text = format!("remove domain {name}");
        if waits > 0 {
            text.push_str(&format!(
                " after {waits} wait(s) of {} for running tasks",
                format_duration_ms(params.cleanup_delay)
            ));
        }
        if exhausted {
            // The domain stays active: the force pass only takes inactive domains
            // (`dr_inactive_domain_search`), so nothing removes it.
            held.insert(domain);
            let go_on = clock.fail(
                "remove",
                waits * params.cleanup_delay,
                text,
                format!(
                    "{} tries to move it to maintenance failed (dr_cleanup_retries_maintenance {}): it stays active at the secondary",
                    params.cleanup_retries + 1,
                    params.cleanup_retries
                ),
                ignore_clean,
                VARIABLE,
            );
            if !go_on {
                return None;
            }
            continue;
        }
        clock.step(
            "remove",
            waits * params.cleanup_delay + params.domain_remove,
            text,
        );
    }
    Some(held)
}
