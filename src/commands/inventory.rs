//! `stretchdr inventory`: what was loaded, so a user can check the loader read their engine right.

use std::fmt::Write as _;

use clap::{Parser, ValueEnum};
use miette::Report;
use serde_json::{Value, json};
use stretchdr_model::inventory::{GlusterVolume, Host, SnapshotStatus, StorageDetails, Vm};
use stretchdr_model::units::format_size;
use stretchdr_model::{Arena, ClusterId, EntityId, Inventory, Named, SiteId};

use crate::cli::Outcome;
use crate::output;
use crate::source::SourceArgs;

#[derive(Parser, Debug)]
pub struct Args {
    #[command(flatten)]
    source: SourceArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Format {
    Text,
    Json,
}

pub fn run(args: Args) -> Result<Outcome, Report> {
    let inventory = args.source.load()?;
    match args.format {
        Format::Text => output::emit_human(&render_text(&inventory))?,
        Format::Json => {
            let text =
                serde_json::to_string_pretty(&to_json(&inventory)).expect("JSON values serialize");
            output::emit(&(text + "\n"))?;
        }
    }
    Ok(Outcome::Clean)
}

/// Per-site and per-cluster counts followed by every entity with the fields that matter to DR.
pub fn render_summary(inventory: &Inventory) -> String {
    let mut out = String::new();
    let ha = inventory.vms.values().filter(|vm| vm.ha).count();
    let leased = inventory
        .vms
        .values()
        .filter(|vm| vm.lease.is_some())
        .count();
    let _ = writeln!(
        out,
        "{} data centers, {} clusters, {} hosts, {} VMs ({ha} highly available, {leased} with a lease), {} storage domains, {} networks, {} affinity groups, {} affinity labels",
        inventory.data_centers.len(),
        inventory.clusters.len(),
        inventory.hosts.len(),
        inventory.vms.len(),
        inventory.storage_domains.len(),
        inventory.networks.len(),
        inventory.affinity_groups.len(),
        inventory.affinity_labels.len(),
    );
    let engine = &inventory.engine;
    let _ = writeln!(
        out,
        "engine: {}{}{}",
        match engine.deployment {
            Some(d) => serde_plain(&d),
            None => "deployment unknown".to_string(),
        },
        engine.site.map_or(String::new(), |s| format!(
            " in {}",
            inventory.sites[s].name
        )),
        engine
            .version
            .as_ref()
            .map_or(String::new(), |v| format!(", version {v}")),
    );
    if inventory.sites.is_empty() {
        let _ = writeln!(
            out,
            "sites: none known (add a design overlay with [[site]] to assign hosts)"
        );
    }
    for (site_id, site) in inventory.sites.iter() {
        let hosts: Vec<&Host> = inventory.site_hosts(site_id).map(|(_, h)| h).collect();
        let memory: u64 = hosts.iter().map(|h| h.memory_bytes).sum();
        let vms = inventory
            .vms
            .values()
            .filter(|vm| vm_site(inventory, vm) == Some(site_id))
            .count();
        let _ = writeln!(
            out,
            "site {} ({}): {} hosts, {} memory, {vms} VMs running",
            site.name,
            serde_plain(&site.role),
            hosts.len(),
            format_size(memory),
        );
    }
    let unassigned = inventory
        .hosts
        .values()
        .filter(|h| h.site.is_none())
        .count();
    if !inventory.sites.is_empty() && unassigned > 0 {
        let _ = writeln!(out, "hosts in no site: {unassigned}");
    }
    for link in &inventory.links {
        let _ = writeln!(
            out,
            "link {}/{}: rtt {} ms, {}",
            inventory.sites[link.sites.0].name,
            inventory.sites[link.sites.1].name,
            link.rtt_ms,
            if link.l2 {
                "L2 stretched"
            } else {
                "routed (no L2)"
            },
        );
    }
    for (cluster_id, cluster) in inventory.clusters.iter() {
        let hosts = inventory.cluster_hosts(cluster_id).count();
        let vms: Vec<&Vm> = inventory
            .vms
            .values()
            .filter(|vm| vm.cluster == Some(cluster_id))
            .collect();
        let ha = vms.iter().filter(|vm| vm.ha).count();
        let _ = writeln!(
            out,
            "cluster {}: {hosts} hosts, {} VMs ({ha} HA), compatibility {}, on_error {}, fencing {}",
            cluster.name,
            vms.len(),
            cluster
                .compatibility
                .map_or("?".to_string(), |v| v.to_string()),
            serde_plain(&cluster.on_error),
            if cluster.fencing.enabled {
                if cluster.fencing.skip_if_connectivity_broken {
                    format!("on, skipped at {}% unreachable", cluster.fencing.threshold)
                } else {
                    "on".to_string()
                }
            } else {
                "off".to_string()
            },
        );
    }
    out
}

fn render_text(inventory: &Inventory) -> String {
    let mut out = render_summary(inventory);
    if let Some(warning) = inventory.missing_references_warning() {
        let _ = writeln!(out, "warning: {warning}");
    }
    let _ = writeln!(out, "{}", dr_counts(inventory));
    let name_of_site =
        |site: Option<SiteId>| site.map_or("-".to_string(), |s| inventory.sites[s].name.clone());
    let _ = writeln!(out, "\nhosts:");
    for host in inventory.hosts.values() {
        let _ = writeln!(
            out,
            "  {:<16} site {:<10} cluster {:<12} {:<15} spm {:>2} ({}) {:>8} {:>3} cpus{}{}",
            host.name,
            name_of_site(host.site),
            host.cluster
                .map_or("-", |c| inventory.clusters[c].name.as_str()),
            serde_plain(&host.status),
            host.spm_priority,
            serde_plain(&host.spm_status),
            format_size(host.memory_bytes),
            host.cpus,
            if host.power_management {
                ", power management"
            } else {
                ""
            },
            if host.hosted_engine {
                ", hosted engine"
            } else {
                ""
            },
        );
    }
    let _ = writeln!(out, "\nstorage domains:");
    for (id, domain) in inventory.storage_domains.iter() {
        let _ = writeln!(
            out,
            "  {:<20} {:<8} {:<10} replication {:<5} writable at {}{}{}",
            domain.name,
            serde_plain(&domain.domain_type),
            serde_plain(&domain.storage),
            domain
                .replication
                .map_or("?".to_string(), |r| serde_plain(&r)),
            site_names(inventory, &domain.writable_at),
            domain.witness.map_or(String::new(), |w| format!(
                ", witness {}",
                inventory.sites[w].name
            )),
            if domain.master { ", master" } else { "" },
        );
        if let Some(details) = inventory.storage_details.get(&id) {
            let _ = writeln!(out, "{}", storage_line(details));
        }
    }
    let _ = writeln!(out, "\nnetworks:");
    for network in inventory.networks.values() {
        let _ = writeln!(
            out,
            "  {:<20} sites {}",
            network.name,
            network
                .sites
                .as_ref()
                .map_or("unknown".to_string(), |s| site_names(inventory, s)),
        );
    }
    let _ = writeln!(out, "\nvms:");
    for vm in inventory.vms.values() {
        let _ = writeln!(
            out,
            "  {:<20} {:<8} on {:<10} {:>8} {:>3} cpus  ha {:<3} prio {:>3}  lease {:<12} {} resume {}",
            vm.name,
            serde_plain(&vm.status),
            vm.host.map_or("-", |h| inventory.hosts[h].name.as_str()),
            format_size(vm.memory_bytes),
            vm.cpus,
            if vm.ha { "yes" } else { "no" },
            vm.ha_priority,
            vm.lease
                .map_or("-", |d| inventory.storage_domains[d].name.as_str()),
            serde_plain(&vm.placement),
            serde_plain(&vm.resume_behaviour),
        );
    }
    let _ = writeln!(out, "\naffinity groups:");
    for group in inventory.affinity_groups.values() {
        let _ = writeln!(
            out,
            "  {:<20} {} VMs, {} hosts, vm-to-host {}, vm-to-vm {}",
            group.name,
            group.vms.len(),
            group.hosts.len(),
            rule_text(&group.hosts_rule),
            rule_text(&group.vms_rule),
        );
    }
    out
}

/// What the source says beyond the entities above: roles, AAA domains, templates, direct
/// LUN disks, snapshots in preview ("not listed" where it says nothing).
fn dr_counts(inventory: &Inventory) -> String {
    fn count<T>(list: &Option<Vec<T>>) -> String {
        list.as_ref()
            .map_or("not listed".to_string(), |l| l.len().to_string())
    }
    let previews = inventory
        .snapshots
        .as_ref()
        .map_or("not listed".to_string(), |s| {
            s.iter()
                .filter(|s| s.status == SnapshotStatus::InPreview)
                .count()
                .to_string()
        });
    format!(
        "roles {}, AAA domains {}, templates {}, direct LUN disks {}, snapshots in preview {previews}",
        count(&inventory.roles),
        count(&inventory.aaa_domains),
        count(&inventory.templates),
        count(&inventory.direct_luns),
    )
}

/// A storage domain's status and connection, indented under its line.
fn storage_line(details: &StorageDetails) -> String {
    let mut parts = vec![format!(
        "status {}",
        details.status.map_or("?".to_string(), |s| serde_plain(&s))
    )];
    if let Some(connection) = &details.connection {
        match (&connection.address, &connection.path) {
            (Some(address), Some(path)) => parts.push(format!("{address}:{path}")),
            (Some(address), None) => parts.push(address.clone()),
            (None, Some(path)) => parts.push(path.clone()),
            (None, None) => {}
        }
        let targets = connection.targets();
        if !targets.is_empty() {
            parts.push(format!("targets {}", targets.join(", ")));
        }
        match connection.logical_units.len() {
            0 => {}
            1 => parts.push("1 LUN".to_string()),
            n => parts.push(format!("{n} LUNs")),
        }
    }
    format!("    {}", parts.join(", "))
}

fn rule_text(rule: &stretchdr_model::inventory::AffinityRule) -> &'static str {
    match (rule.enabled, rule.positive, rule.enforcing) {
        (false, _, _) => "off",
        (true, true, true) => "positive hard",
        (true, true, false) => "positive soft",
        (true, false, true) => "negative hard",
        (true, false, false) => "negative soft",
    }
}

/// The site a VM runs in now, through its host.
fn vm_site(inventory: &Inventory, vm: &Vm) -> Option<SiteId> {
    vm.host.and_then(|h| inventory.hosts[h].site)
}

/// Site names joined with commas, `-` for none.
fn site_names(inventory: &Inventory, ids: &[SiteId]) -> String {
    if ids.is_empty() {
        return "-".to_string();
    }
    ids.iter()
        .map(|&id| inventory.sites[id].name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A gluster volume and its geo-replication sessions, references by name: the volume's
/// cluster, each session's secondary site and cluster.
fn gluster_json(inventory: &Inventory, volume: &GlusterVolume) -> Value {
    let mut value = serde_json::to_value(volume).expect("gluster volumes serialize");
    let cluster = |id: Option<ClusterId>| json!(id.map(|c| inventory.clusters[c].name.clone()));
    if value.get("cluster").is_some() {
        value["cluster"] = cluster(volume.cluster);
    }
    if let Some(sessions) = value.get_mut("georep").and_then(Value::as_array_mut) {
        for (json, session) in sessions.iter_mut().zip(&volume.georep) {
            json["secondary_site"] = json!(
                session
                    .secondary_site
                    .map(|s| inventory.sites[s].name.clone())
            );
            if json.get("secondary_cluster").is_some() {
                json["secondary_cluster"] = cluster(session.secondary_cluster);
            }
        }
    }
    value
}

/// Names of the entities `ids` refers to, in order.
fn names<I: EntityId, T: Named>(arena: &Arena<I, T>, ids: &[I]) -> Vec<String> {
    ids.iter().map(|&id| arena[id].name().to_string()).collect()
}

/// The plain string serde gives an enum variant (`"self-hosted"`, `"non_responsive"`).
fn serde_plain<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => "?".to_string(),
    }
}

/// The JSON form of FORMATS.md: arrays named after the entities, references by name.
pub fn to_json(inventory: &Inventory) -> Value {
    let site = |id: SiteId| inventory.sites[id].name.clone();
    let site_list = |ids: &[SiteId]| ids.iter().map(|&s| site(s)).collect::<Vec<_>>();
    json!({
        "engine": {
            "deployment": inventory.engine.deployment,
            "site": inventory.engine.site.map(site),
            "external_ha": inventory.engine.external_ha,
            "version": inventory.engine.version,
        },
        "sites": inventory.sites.iter().map(|(id, s)| json!({
            "name": s.name, "role": s.role,
            "hosts": inventory.site_hosts(id).map(|(_, h)| h.name.clone()).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "links": inventory.links.iter().map(|l| json!({
            "sites": [site(l.sites.0), site(l.sites.1)], "rtt_ms": l.rtt_ms, "l2": l.l2, "bandwidth_bps": l.bandwidth_bps,
        })).collect::<Vec<_>>(),
        "data_centers": inventory.data_centers.values().map(|dc| json!({
            "name": dc.name, "id": dc.id, "compatibility": dc.compatibility.map(|v| v.to_string()),
            "status": dc.status, "local": dc.local,
        })).collect::<Vec<_>>(),
        "clusters": inventory.clusters.values().map(|c| json!({
            "name": c.name, "id": c.id,
            "data_center": c.data_center.map(|d| inventory.data_centers[d].name.clone()),
            "compatibility": c.compatibility.map(|v| v.to_string()),
            "on_error": c.on_error, "fencing": c.fencing, "migration_policy": c.migration_policy,
            "memory_overcommit_percent": c.memory_overcommit_percent,
        })).collect::<Vec<_>>(),
        "hosts": inventory.hosts.values().map(|h| json!({
            "name": h.name, "id": h.id, "site": h.site.map(site),
            "cluster": h.cluster.map(|c| inventory.clusters[c].name.clone()),
            "status": h.status, "spm_priority": h.spm_priority, "spm_status": h.spm_status,
            "memory_bytes": h.memory_bytes, "cpus": h.cpus,
            "power_management": h.power_management, "hosted_engine": h.hosted_engine,
        })).collect::<Vec<_>>(),
        "networks": inventory.networks.values().map(|n| json!({
            "name": n.name, "id": n.id,
            "data_center": n.data_center.map(|d| inventory.data_centers[d].name.clone()),
            "sites": n.sites.as_deref().map(site_list),
        })).collect::<Vec<_>>(),
        "vnic_profiles": inventory.vnic_profiles.values().map(|p| json!({
            "name": p.name, "id": p.id, "network": p.network.map(|n| inventory.networks[n].name.clone()),
        })).collect::<Vec<_>>(),
        "storage_domains": inventory.storage_domains.iter().map(|(id, d)| json!({
            "name": d.name, "id": d.id, "type": d.domain_type, "storage": d.storage, "master": d.master,
            "data_center": d.data_center.map(|dc| inventory.data_centers[dc].name.clone()),
            "replication": d.replication, "writable_at": site_list(&d.writable_at),
            "witness": d.witness.map(site),
            "gluster": d.gluster.as_ref().map(|g| gluster_json(inventory, g)),
            "status": inventory.storage_details.get(&id).and_then(|s| s.status),
            "connection": inventory.storage_connection(id),
        })).collect::<Vec<_>>(),
        "vms": inventory.vms.values().map(|vm| json!({
            "name": vm.name, "id": vm.id,
            "cluster": vm.cluster.map(|c| inventory.clusters[c].name.clone()),
            "status": vm.status, "host": vm.host.map(|h| inventory.hosts[h].name.clone()),
            "memory_bytes": vm.memory_bytes, "cpus": vm.cpus,
            "ha": vm.ha, "ha_priority": vm.ha_priority,
            "lease": vm.lease.map(|d| inventory.storage_domains[d].name.clone()),
            "resume_behaviour": vm.resume_behaviour, "placement": vm.placement,
            "placement_hosts": names(&inventory.hosts, &vm.placement_hosts),
            "disks": names(&inventory.storage_domains, &vm.disks),
            "networks": names(&inventory.networks, &vm.networks),
            "delete_protected": vm.delete_protected,
        })).collect::<Vec<_>>(),
        "affinity_groups": inventory.affinity_groups.values().map(|g| json!({
            "name": g.name, "id": g.id,
            "cluster": g.cluster.map(|c| inventory.clusters[c].name.clone()),
            "vms": names(&inventory.vms, &g.vms),
            "hosts": names(&inventory.hosts, &g.hosts),
            "labels": names(&inventory.affinity_labels, &g.labels),
            "vms_rule": g.vms_rule, "hosts_rule": g.hosts_rule, "priority": g.priority,
        })).collect::<Vec<_>>(),
        "affinity_labels": inventory.affinity_labels.values().map(|l| json!({
            "name": l.name, "id": l.id,
            "vms": names(&inventory.vms, &l.vms),
            "hosts": names(&inventory.hosts, &l.hosts),
        })).collect::<Vec<_>>(),
        "roles": inventory.roles,
        "aaa_domains": inventory.aaa_domains,
        "templates": inventory.templates.as_ref().map(|t| t.iter().map(|t| json!({
            "name": t.name, "id": t.id,
            "cluster": t.cluster.map(|c| inventory.clusters[c].name.clone()),
            "disks": names(&inventory.storage_domains, &t.disks),
            "delete_protected": t.delete_protected,
        })).collect::<Vec<_>>()),
        "direct_luns": inventory.direct_luns.as_ref().map(|d| d.iter().map(|d| json!({
            "name": d.name, "id": d.id, "storage": d.storage, "logical_unit": d.logical_unit,
            "vms": names(&inventory.vms, &d.vms),
        })).collect::<Vec<_>>()),
        "snapshots_in_preview": inventory.snapshots.as_ref().map(|s| s.iter()
            .filter(|s| s.status == SnapshotStatus::InPreview)
            .map(|s| json!({ "vm": inventory.vms[s.vm].name, "description": s.description }))
            .collect::<Vec<_>>()),
        "missing_references": inventory.missing_references,
    })
}
