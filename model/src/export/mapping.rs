//! API entities (in the generic tree) into the inventory model.
//!
//! Element names are those of the oVirt API model (ovirt-engine-api-model `types/`).
//! References are by engine `id`; a reference to an entity the export does not hold
//! (deleted since, or a file saved from another engine) is skipped, not an error.

use std::collections::HashMap;

use crate::error::LoadError;
use crate::export::document::Document;
use crate::export::layout::{Layout, Response};
use crate::export::tree::Node;
use crate::ids::{
    AffinityLabelId, ClusterId, DataCenterId, HostId, NetworkId, StorageDomainId, VmId,
    VnicProfileId,
};
use crate::inventory::{
    AffinityGroup, AffinityLabel, AffinityRule, Cluster, DataCenter, DomainType, FencingPolicy,
    Host, HostStatus, Inventory, MigrationBandwidth, MigrationPolicy, Network, OnError, Placement,
    ResumeBehaviour, SpmStatus, StorageDomain, StorageType, Version, Vm, VmStatus, VnicProfile,
};

/// Reads every collection the model uses, in dependency order.
pub fn load(layout: &Layout) -> Result<Inventory, LoadError> {
    let mut loader = Loader {
        layout,
        inventory: Inventory::default(),
        ids: EngineIds::default(),
    };
    loader.engine()?;
    loader.data_centers()?;
    loader.clusters()?;
    loader.hosts()?;
    loader.storage_domains()?;
    loader.networks()?;
    loader.vnic_profiles()?;
    loader.disks()?;
    loader.vms()?;
    loader.affinity_labels()?;
    loader.affinity_groups()?;
    Ok(loader.inventory)
}

/// Engine ids of the entities loaded so far, for resolving references. Only looked up,
/// never iterated, so the map's order decides nothing.
#[derive(Default)]
struct EngineIds {
    data_centers: HashMap<String, DataCenterId>,
    clusters: HashMap<String, ClusterId>,
    hosts: HashMap<String, HostId>,
    storage_domains: HashMap<String, StorageDomainId>,
    networks: HashMap<String, NetworkId>,
    vnic_profiles: HashMap<String, VnicProfileId>,
    vms: HashMap<String, VmId>,
    affinity_labels: HashMap<String, AffinityLabelId>,
    /// Disk id -> the storage domains holding it (from the `disks` collection).
    disks: HashMap<String, Vec<StorageDomainId>>,
}

/// The entity a reference node (`<cluster id=".."/>`) points at, when the export has it.
fn resolve<I: Copy>(ids: &HashMap<String, I>, reference: Option<&Node>) -> Option<I> {
    ids.get(reference?.id()?).copied()
}

/// The entities of a list of references (`<hosts><host id=".."/></hosts>`) the export has.
fn resolve_all<I: Copy>(ids: &HashMap<String, I>, node: &Node, list: &str, item: &str) -> Vec<I> {
    node.ref_ids(list, item)
        .filter_map(|id| ids.get(id).copied())
        .collect()
}

fn push_unique<T: PartialEq>(items: &mut Vec<T>, item: T) {
    if !items.contains(&item) {
        items.push(item);
    }
}

struct Loader<'a> {
    layout: &'a Layout,
    inventory: Inventory,
    ids: EngineIds,
}

impl Loader<'_> {
    fn read(&mut self, response: &Response) -> Result<Document, LoadError> {
        Document::read(response, &mut self.inventory.sources)
    }

    /// Calls `each` for every item of collection `path` (when the export has it).
    fn collection(
        &mut self,
        path: &str,
        (wrapper, item): (&str, &str),
        mut each: impl FnMut(&mut Self, &Document, &Node) -> Result<(), LoadError>,
    ) -> Result<(), LoadError> {
        let Some(response) = self.layout.collection(path) else {
            return Ok(());
        };
        let document = self.read(&response)?;
        for node in document.items(wrapper, item)? {
            each(self, &document, node)?;
        }
        Ok(())
    }

    /// Calls `each` with the parent's id for every item of sub-collection `sub` of every
    /// entity directory under `parent` (`vms/<id>/nics`).
    fn sub_collections(
        &mut self,
        parent: &str,
        sub: &str,
        (wrapper, item): (&str, &str),
        mut each: impl FnMut(&mut Self, &str, &Document, &Node) -> Result<(), LoadError>,
    ) -> Result<(), LoadError> {
        for (parent_id, response) in self.layout.sub_collections(parent, sub)? {
            let document = self.read(&response)?;
            for node in document.items(wrapper, item)? {
                each(self, &parent_id, &document, node)?;
            }
        }
        Ok(())
    }

    /// The API root: the engine's version.
    fn engine(&mut self) -> Result<(), LoadError> {
        let Some(response) = self.layout.api_root() else {
            return Ok(());
        };
        let document = self.read(&response)?;
        let root = &document.root;
        if !root.name.is_empty() && root.name != "api" {
            return Err(document.error(
                root,
                format!("expected the API root <api>, found <{}>", root.name),
            ));
        }
        let version = root.at(&["product_info", "version"]);
        self.inventory.engine.version = version.and_then(|v| {
            v.text_at(&["full_version"])
                .map(str::to_string)
                .or_else(|| {
                    let major = v.text_at(&["major"])?;
                    let minor = v.text_at(&["minor"]).unwrap_or("0");
                    Some(format!("{major}.{minor}"))
                })
        });
        self.inventory.engine.origin = Some(document.origin(root));
        Ok(())
    }

    fn data_centers(&mut self) -> Result<(), LoadError> {
        self.collection(
            "datacenters",
            ("data_centers", "data_center"),
            |this, doc, node| {
                let data_center = DataCenter {
                    id: node.id().map(str::to_string),
                    name: doc.name(node, "data center")?,
                    compatibility: version(doc, node)?,
                    status: node.text_at(&["status"]).map(str::to_string),
                    local: doc.bool(node, &["local"])?.unwrap_or(false),
                    origin: Some(doc.origin(node)),
                };
                let id = this.inventory.data_centers.push(data_center);
                register(&mut this.ids.data_centers, node, id);
                Ok(())
            },
        )
    }

    fn clusters(&mut self) -> Result<(), LoadError> {
        self.collection("clusters", ("clusters", "cluster"), |this, doc, node| {
            let defaults = FencingPolicy::default();
            let fencing = FencingPolicy {
                enabled: doc
                    .bool(node, &["fencing_policy", "enabled"])?
                    .unwrap_or(defaults.enabled),
                skip_if_connectivity_broken: doc
                    .bool(
                        node,
                        &["fencing_policy", "skip_if_connectivity_broken", "enabled"],
                    )?
                    .unwrap_or(defaults.skip_if_connectivity_broken),
                threshold: doc
                    .number(
                        node,
                        &["fencing_policy", "skip_if_connectivity_broken", "threshold"],
                    )?
                    .unwrap_or(defaults.threshold),
            };
            let cluster = Cluster {
                id: node.id().map(str::to_string),
                name: doc.name(node, "cluster")?,
                data_center: resolve(&this.ids.data_centers, node.child("data_center")),
                compatibility: version(doc, node)?,
                on_error: doc
                    .value(
                        node,
                        &["error_handling", "on_error"],
                        "migrate, migrate_highly_available or do_not_migrate",
                        on_error,
                    )?
                    .unwrap_or(OnError::Migrate),
                fencing,
                migration_policy: migration_policy(node.text_at(&["migration", "policy", "id"])),
                migration_bandwidth: migration_bandwidth(doc, node)?,
                memory_overcommit_percent: doc
                    .number(node, &["memory_policy", "over_commit", "percent"])?
                    .unwrap_or(100),
                origin: Some(doc.origin(node)),
            };
            let id = this.inventory.clusters.push(cluster);
            register(&mut this.ids.clusters, node, id);
            Ok(())
        })
    }

    fn hosts(&mut self) -> Result<(), LoadError> {
        self.collection("hosts", ("hosts", "host"), |this, doc, node| {
            let host = Host {
                // The engine's API lists host NICs in a sub-collection the export does not
                // hold; an overlay's `migration_nic_speed` sets it.
                migration_nic_speed_bps: None,
                id: node.id().map(str::to_string),
                name: doc.name(node, "host")?,
                site: None,
                cluster: resolve(&this.ids.clusters, node.child("cluster")),
                status: node
                    .text_at(&["status"])
                    .map_or(HostStatus::Other, host_status),
                // oVirt's default SPM priority ("Normal").
                spm_priority: doc.number(node, &["spm", "priority"])?.unwrap_or(5),
                spm_status: node
                    .text_at(&["spm", "status"])
                    .map_or(SpmStatus::None, spm_status),
                memory_bytes: doc.number(node, &["memory"])?.unwrap_or(0),
                cpus: cpus(doc, node)?,
                power_management: doc
                    .bool(node, &["power_management", "enabled"])?
                    .unwrap_or(false),
                hosted_engine: doc
                    .bool(node, &["hosted_engine", "configured"])?
                    .unwrap_or(false),
                labels: Vec::new(),
                origin: Some(doc.origin(node)),
            };
            let id = this.inventory.hosts.push(host);
            register(&mut this.ids.hosts, node, id);
            Ok(())
        })
    }

    fn storage_domains(&mut self) -> Result<(), LoadError> {
        self.collection(
            "storagedomains",
            ("storage_domains", "storage_domain"),
            |this, doc, node| {
                let data_center = node
                    .ref_ids("data_centers", "data_center")
                    .find_map(|id| this.ids.data_centers.get(id).copied())
                    .or_else(|| resolve(&this.ids.data_centers, node.child("data_center")));
                let domain = StorageDomain {
                    id: node.id().map(str::to_string),
                    name: doc.name(node, "storage domain")?,
                    domain_type: node
                        .text_at(&["type"])
                        .map_or(DomainType::Other, domain_type),
                    storage: node
                        .text_at(&["storage", "type"])
                        .map_or(StorageType::Other, storage_type),
                    master: doc.bool(node, &["master"])?.unwrap_or(false),
                    data_center,
                    replication: None,
                    writable_at: Vec::new(),
                    witness: None,
                    gluster: None,
                    origin: Some(doc.origin(node)),
                };
                let id = this.inventory.storage_domains.push(domain);
                register(&mut this.ids.storage_domains, node, id);
                Ok(())
            },
        )?;
        // The data center's view: which domains are attached to it, and its master.
        self.sub_collections(
            "datacenters",
            "storagedomains",
            ("storage_domains", "storage_domain"),
            |this, dc_id, doc, node| {
                let master = doc.bool(node, &["master"])?.unwrap_or(false);
                let (Some(&data_center), Some(domain)) = (
                    this.ids.data_centers.get(dc_id),
                    resolve(&this.ids.storage_domains, Some(node)),
                ) else {
                    return Ok(());
                };
                let domain = &mut this.inventory.storage_domains[domain];
                domain.data_center = Some(data_center);
                domain.master |= master;
                Ok(())
            },
        )
    }

    fn networks(&mut self) -> Result<(), LoadError> {
        self.collection("networks", ("networks", "network"), |this, doc, node| {
            let network = Network {
                id: node.id().map(str::to_string),
                name: doc.name(node, "network")?,
                data_center: resolve(&this.ids.data_centers, node.child("data_center")),
                sites: None,
                origin: Some(doc.origin(node)),
            };
            let id = this.inventory.networks.push(network);
            register(&mut this.ids.networks, node, id);
            Ok(())
        })
    }

    fn vnic_profiles(&mut self) -> Result<(), LoadError> {
        self.collection(
            "vnicprofiles",
            ("vnic_profiles", "vnic_profile"),
            |this, doc, node| {
                let profile = VnicProfile {
                    id: node.id().map(str::to_string),
                    name: doc.name(node, "vNIC profile")?,
                    network: resolve(&this.ids.networks, node.child("network")),
                    origin: Some(doc.origin(node)),
                };
                let id = this.inventory.vnic_profiles.push(profile);
                register(&mut this.ids.vnic_profiles, node, id);
                Ok(())
            },
        )
    }

    /// Disks are not in the model; their storage domains are what VMs need.
    fn disks(&mut self) -> Result<(), LoadError> {
        self.collection("disks", ("disks", "disk"), |this, _doc, node| {
            if let Some(id) = node.id() {
                let domains = resolve_all(
                    &this.ids.storage_domains,
                    node,
                    "storage_domains",
                    "storage_domain",
                );
                this.ids.disks.insert(id.to_string(), domains);
            }
            Ok(())
        })
    }

    fn vms(&mut self) -> Result<(), LoadError> {
        self.collection("vms", ("vms", "vm"), |this, doc, node| {
            let placement_policy = node.child("placement_policy");
            let vm = Vm {
                id: node.id().map(str::to_string),
                name: doc.name(node, "vm")?,
                cluster: resolve(&this.ids.clusters, node.child("cluster")),
                memory_bytes: doc.number(node, &["memory"])?.unwrap_or(0),
                cpus: cpus(doc, node)?,
                status: node.text_at(&["status"]).map_or(VmStatus::Other, vm_status),
                host: resolve(&this.ids.hosts, node.child("host")),
                ha: doc
                    .bool(node, &["high_availability", "enabled"])?
                    .unwrap_or(false),
                ha_priority: doc
                    .number(node, &["high_availability", "priority"])?
                    .unwrap_or(0),
                lease: resolve(
                    &this.ids.storage_domains,
                    node.at(&["lease", "storage_domain"]),
                ),
                // Absent before oVirt 4.2, whose behaviour was to resume paused VMs.
                resume_behaviour: doc
                    .value(
                        node,
                        &["storage_error_resume_behaviour"],
                        "kill, leave_paused or auto_resume",
                        resume_behaviour,
                    )?
                    .unwrap_or(ResumeBehaviour::AutoResume),
                placement: doc
                    .value(
                        node,
                        &["placement_policy", "affinity"],
                        "migratable, user_migratable or pinned",
                        placement,
                    )?
                    .unwrap_or(Placement::Migratable),
                placement_hosts: placement_policy
                    .map(|p| resolve_all(&this.ids.hosts, p, "hosts", "host"))
                    .unwrap_or_default(),
                disks: Vec::new(),
                networks: Vec::new(),
                vnic_profiles: Vec::new(),
                delete_protected: doc.bool(node, &["delete_protected"])?.unwrap_or(false),
                hosted_engine: matches!(
                    node.text_at(&["origin"]),
                    Some("managed_hosted_engine" | "hosted_engine")
                ),
                origin: Some(doc.origin(node)),
            };
            let id = this.inventory.vms.push(vm);
            register(&mut this.ids.vms, node, id);
            // Present when fetched with `follow=disk_attachments,nics`.
            for attachment in node.list("disk_attachments", "disk_attachment") {
                this.attach_disk(id, attachment);
            }
            for nic in node.list("nics", "nic") {
                this.attach_nic(id, nic);
            }
            Ok(())
        })?;
        self.sub_collections(
            "vms",
            "diskattachments",
            ("disk_attachments", "disk_attachment"),
            |this, vm_id, _doc, node| {
                if let Some(&vm) = this.ids.vms.get(vm_id) {
                    this.attach_disk(vm, node);
                }
                Ok(())
            },
        )?;
        self.sub_collections("vms", "nics", ("nics", "nic"), |this, vm_id, _doc, node| {
            if let Some(&vm) = this.ids.vms.get(vm_id) {
                this.attach_nic(vm, node);
            }
            Ok(())
        })
    }

    /// Adds the storage domains of an attached disk: listed in the attachment when the
    /// disk was followed, else from the `disks` collection.
    fn attach_disk(&mut self, vm: VmId, attachment: &Node) {
        let Some(disk) = attachment.child("disk") else {
            return;
        };
        let inline = resolve_all(
            &self.ids.storage_domains,
            disk,
            "storage_domains",
            "storage_domain",
        );
        let domains = if inline.is_empty() {
            disk.id()
                .and_then(|id| self.ids.disks.get(id))
                .cloned()
                .unwrap_or_default()
        } else {
            inline
        };
        let vm = &mut self.inventory.vms[vm];
        for domain in domains {
            push_unique(&mut vm.disks, domain);
        }
    }

    /// Adds a vNIC's profile and network (API v3 style NICs name the network directly).
    fn attach_nic(&mut self, vm: VmId, nic: &Node) {
        let profile = resolve(&self.ids.vnic_profiles, nic.child("vnic_profile"));
        let network = match profile {
            Some(profile) => self.inventory.vnic_profiles[profile].network,
            None => resolve(&self.ids.networks, nic.child("network")),
        };
        let vm = &mut self.inventory.vms[vm];
        if let Some(profile) = profile {
            push_unique(&mut vm.vnic_profiles, profile);
        }
        if let Some(network) = network {
            push_unique(&mut vm.networks, network);
        }
    }

    /// Labels and their members: listed in the label, in `affinitylabels/<id>/hosts|vms`,
    /// or from the other side in `hosts|vms/<id>/affinitylabels`.
    fn affinity_labels(&mut self) -> Result<(), LoadError> {
        self.collection(
            "affinitylabels",
            ("affinity_labels", "affinity_label"),
            |this, doc, node| {
                let label = AffinityLabel {
                    id: node.id().map(str::to_string),
                    name: doc.name(node, "affinity label")?,
                    hosts: resolve_all(&this.ids.hosts, node, "hosts", "host"),
                    vms: resolve_all(&this.ids.vms, node, "vms", "vm"),
                    origin: Some(doc.origin(node)),
                };
                let id = this.inventory.affinity_labels.push(label);
                register(&mut this.ids.affinity_labels, node, id);
                Ok(())
            },
        )?;
        self.sub_collections(
            "affinitylabels",
            "hosts",
            ("hosts", "host"),
            |this, label_id, _doc, node| {
                this.label_member(label_id, node.id(), None);
                Ok(())
            },
        )?;
        self.sub_collections(
            "affinitylabels",
            "vms",
            ("vms", "vm"),
            |this, label_id, _doc, node| {
                this.label_member(label_id, None, node.id());
                Ok(())
            },
        )?;
        self.sub_collections(
            "hosts",
            "affinitylabels",
            ("affinity_labels", "affinity_label"),
            |this, host_id, _doc, node| {
                this.label_member(node.id().unwrap_or_default(), Some(host_id), None);
                Ok(())
            },
        )?;
        self.sub_collections(
            "vms",
            "affinitylabels",
            ("affinity_labels", "affinity_label"),
            |this, vm_id, _doc, node| {
                this.label_member(node.id().unwrap_or_default(), None, Some(vm_id));
                Ok(())
            },
        )?;
        // Hosts list the names of their labels, for site assignment by label.
        let inventory = &mut self.inventory;
        for label in inventory.affinity_labels.values() {
            for &host in &label.hosts {
                push_unique(&mut inventory.hosts[host].labels, label.name.clone());
            }
        }
        Ok(())
    }

    fn label_member(&mut self, label: &str, host: Option<&str>, vm: Option<&str>) {
        let Some(&label) = self.ids.affinity_labels.get(label) else {
            return;
        };
        let label = &mut self.inventory.affinity_labels[label];
        if let Some(&host) = host.and_then(|h| self.ids.hosts.get(h)) {
            push_unique(&mut label.hosts, host);
        }
        if let Some(&vm) = vm.and_then(|v| self.ids.vms.get(v)) {
            push_unique(&mut label.vms, vm);
        }
    }

    fn affinity_groups(&mut self) -> Result<(), LoadError> {
        self.sub_collections(
            "clusters",
            "affinitygroups",
            ("affinity_groups", "affinity_group"),
            |this, cluster_id, doc, node| {
                let mut labels = resolve_all(
                    &this.ids.affinity_labels,
                    node,
                    "vm_labels",
                    "affinity_label",
                );
                for label in resolve_all(
                    &this.ids.affinity_labels,
                    node,
                    "host_labels",
                    "affinity_label",
                ) {
                    push_unique(&mut labels, label);
                }
                let group = AffinityGroup {
                    id: node.id().map(str::to_string),
                    name: doc.name(node, "affinity group")?,
                    cluster: this
                        .ids
                        .clusters
                        .get(cluster_id)
                        .copied()
                        .or_else(|| resolve(&this.ids.clusters, node.child("cluster"))),
                    vms: resolve_all(&this.ids.vms, node, "vms", "vm"),
                    hosts: resolve_all(&this.ids.hosts, node, "hosts", "host"),
                    labels,
                    // Engines before 4.1 only have the deprecated top-level `positive` and
                    // `enforcing`, which describe the VM-to-VM rule; the engine still
                    // writes them, so `vms_rule` wins when both are there.
                    vms_rule: affinity_rule(doc, node.child("vms_rule").unwrap_or(node))?,
                    hosts_rule: match node.child("hosts_rule") {
                        Some(rule) => affinity_rule(doc, rule)?,
                        None => AffinityRule::default(),
                    },
                    priority: doc
                        .value(node, &["priority"], "a number", |t| {
                            t.parse::<f64>().ok().filter(|p| p.is_finite())
                        })?
                        .unwrap_or(1.0),
                    origin: Some(doc.origin(node)),
                };
                this.inventory.affinity_groups.push(group);
                Ok(())
            },
        )
    }
}

fn register<I>(ids: &mut HashMap<String, I>, node: &Node, id: I) {
    if let Some(engine_id) = node.id() {
        ids.insert(engine_id.to_string(), id);
    }
}

/// `<version><major>4</major><minor>3</minor></version>`.
fn version(doc: &Document, node: &Node) -> Result<Option<Version>, LoadError> {
    let major = doc.number(node, &["version", "major"])?;
    let minor = doc.number(node, &["version", "minor"])?;
    Ok(major.map(|major| Version {
        major,
        minor: minor.unwrap_or(0),
    }))
}

/// sockets x cores x threads of `cpu/topology` (0 when the topology is not given).
fn cpus(doc: &Document, node: &Node) -> Result<u32, LoadError> {
    let mut total: Option<u32> = None;
    for part in ["sockets", "cores", "threads"] {
        if let Some(count) = doc.number::<u32>(node, &["cpu", "topology", part])? {
            total = Some(total.unwrap_or(1).saturating_mul(count));
        }
    }
    Ok(total.unwrap_or(0))
}

/// A rule element (`vms_rule`, `hosts_rule`) or, for the deprecated form, the group itself.
/// A rule without `enabled` is enabled when it says which way it points, as the engine
/// reads it.
fn affinity_rule(doc: &Document, rule: &Node) -> Result<AffinityRule, LoadError> {
    let positive = doc.bool(rule, &["positive"])?;
    Ok(AffinityRule {
        enabled: doc.bool(rule, &["enabled"])?.unwrap_or(positive.is_some()),
        enforcing: doc.bool(rule, &["enforcing"])?.unwrap_or(false),
        positive: positive.unwrap_or(false),
    })
}

/// The ids of oVirt's built-in migration policies (fixed in the engine's configuration).
fn migration_policy(id: Option<&str>) -> MigrationPolicy {
    match id {
        Some("80554327-0569-496b-bdeb-fcbbf52b827b") => MigrationPolicy::MinimalDowntime,
        Some("80554327-0569-496b-bdeb-fcbbf52b827c") => MigrationPolicy::SuspendWorkload,
        Some("a7aeedb2-8d66-4e51-bb22-32595027ce71") => MigrationPolicy::PostCopy,
        Some("57237b82-b8c2-425f-b425-114b35219626") => MigrationPolicy::VeryLargeVms,
        // 00000000-0000-0000-0000-000000000000 is Legacy; custom policies are unknown.
        _ => MigrationPolicy::Legacy,
    }
}

fn on_error(text: &str) -> Option<OnError> {
    match text {
        "migrate" => Some(OnError::Migrate),
        "migrate_highly_available" => Some(OnError::MigrateHighlyAvailable),
        "do_not_migrate" => Some(OnError::DoNotMigrate),
        _ => None,
    }
}

fn host_status(text: &str) -> HostStatus {
    match text {
        "up" => HostStatus::Up,
        "maintenance" => HostStatus::Maintenance,
        "non_responsive" => HostStatus::NonResponsive,
        "non_operational" => HostStatus::NonOperational,
        "down" => HostStatus::Down,
        _ => HostStatus::Other,
    }
}

fn spm_status(text: &str) -> SpmStatus {
    match text {
        "spm" => SpmStatus::Spm,
        "contending" => SpmStatus::Contending,
        _ => SpmStatus::None,
    }
}

fn vm_status(text: &str) -> VmStatus {
    match text {
        "up" => VmStatus::Up,
        "down" => VmStatus::Down,
        "paused" => VmStatus::Paused,
        "unknown" => VmStatus::Unknown,
        "not_responding" => VmStatus::NotResponding,
        _ => VmStatus::Other,
    }
}

fn resume_behaviour(text: &str) -> Option<ResumeBehaviour> {
    match text {
        "kill" => Some(ResumeBehaviour::Kill),
        "leave_paused" => Some(ResumeBehaviour::LeavePaused),
        "auto_resume" => Some(ResumeBehaviour::AutoResume),
        _ => None,
    }
}

fn placement(text: &str) -> Option<Placement> {
    match text {
        "migratable" => Some(Placement::Migratable),
        "user_migratable" => Some(Placement::UserMigratable),
        "pinned" => Some(Placement::Pinned),
        _ => None,
    }
}

fn domain_type(text: &str) -> DomainType {
    match text {
        "data" => DomainType::Data,
        "iso" => DomainType::Iso,
        "export" => DomainType::Export,
        "image" => DomainType::Image,
        "volume" => DomainType::Volume,
        "managed_block_storage" => DomainType::ManagedBlockStorage,
        "hosted_engine" => DomainType::HostedEngine,
        _ => DomainType::Other,
    }
}

fn storage_type(text: &str) -> StorageType {
    match text {
        "nfs" => StorageType::Nfs,
        "iscsi" => StorageType::Iscsi,
        "fcp" => StorageType::Fcp,
        "glusterfs" => StorageType::Glusterfs,
        "posixfs" => StorageType::Posixfs,
        "localfs" => StorageType::Localfs,
        _ => StorageType::Other,
    }
}

/// The cluster's `migration.bandwidth`: `assignment_method` auto | hypervisor_default | custom
/// with `custom_value` in Mbps (ovirt-engine-api-model `MigrationBandwidth`).
fn migration_bandwidth(doc: &Document, node: &Node) -> Result<MigrationBandwidth, LoadError> {
    let method = node.text_at(&["migration", "bandwidth", "assignment_method"]);
    Ok(match method {
        Some("hypervisor_default") => MigrationBandwidth::HypervisorDefault,
        Some("custom") => {
            match doc.number::<u64>(node, &["migration", "bandwidth", "custom_value"])? {
                Some(mbps) => MigrationBandwidth::Custom(mbps.saturating_mul(1_000_000)),
                None => MigrationBandwidth::Auto,
            }
        }
        _ => MigrationBandwidth::Auto,
    })
}
