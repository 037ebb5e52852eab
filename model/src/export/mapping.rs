//! API entities (in the generic tree) into the inventory model.
//!
//! Element names are those of the oVirt API model (ovirt-engine-api-model `types/`).
//! References are by engine `id`; a reference to an entity the export does not hold
//! (deleted since, or a file saved from another engine) is skipped, not an error.

use std::cell::Cell;
use std::collections::{BTreeMap, HashMap, HashSet};

use crate::error::LoadError;
use rayon::iter::{IntoParallelRefIterator, ParallelIterator};

use crate::export::document::{Document, Parsed};
use crate::export::gluster::{self, ApiVolume};
use crate::export::layout::{Layout, Response};
use crate::export::tree::Node;
use crate::ids::{
    AffinityLabelId, ClusterId, DataCenterId, HostId, NetworkId, StorageDomainId, VmId,
    VnicProfileId,
};
use crate::inventory::{
    AaaDomain, AffinityGroup, AffinityLabel, AffinityRule, Cluster, DataCenter, DirectLunDisk,
    DomainType, FencingPolicy, Host, HostStatus, Inventory, LogicalUnit, MigrationBandwidth,
    MigrationPolicy, MissingReferences, Network, OnError, Placement, ResumeBehaviour, Role,
    Snapshot, SnapshotStatus, SpmStatus, StorageConnection, StorageDetails, StorageDomain,
    StorageDomainStatus, StorageType, Template, Version, Vm, VmStatus, VnicProfile,
};

/// Reads every collection the model uses, in dependency order.
pub fn load(layout: &Layout) -> Result<Inventory, LoadError> {
    let mut loader = Loader {
        layout,
        inventory: Inventory::default(),
        ids: EngineIds::new(),
    };
    loader.engine()?;
    loader.data_centers()?;
    loader.clusters()?;
    loader.hosts()?;
    loader.storage_domains()?;
    loader.gluster_volumes()?;
    loader.networks()?;
    loader.vnic_profiles()?;
    loader.disks()?;
    loader.roles()?;
    loader.aaa_domains()?;
    loader.templates()?;
    loader.vms()?;
    loader.snapshots()?;
    loader.affinity_labels()?;
    loader.affinity_groups()?;
    loader.count_missing();
    Ok(loader.inventory)
}

/// Engine ids of one collection's entities, for resolving references, and how many
/// references to an id it does not hold were met. Only looked up, never iterated, so the
/// map's order decides nothing.
struct Lookup<I> {
    /// The collection, as the export names its file (`clusters`).
    collection: &'static str,
    ids: HashMap<String, I>,
    misses: Cell<usize>,
}

impl<I> Lookup<I> {
    fn new(collection: &'static str) -> Lookup<I> {
        Lookup {
            collection,
            ids: HashMap::new(),
            misses: Cell::new(0),
        }
    }

    fn insert(&mut self, engine_id: &str, value: I) {
        self.ids.insert(engine_id.to_string(), value);
    }

    /// The entity of an id, not counting a miss (a lookup that may fail by design).
    fn get(&self, engine_id: &str) -> Option<&I> {
        self.ids.get(engine_id)
    }

    /// The entity a reference names; a reference to an entity the export lacks is counted.
    fn find(&self, engine_id: &str) -> Option<&I> {
        let found = self.ids.get(engine_id);
        if found.is_none() {
            self.misses.set(self.misses.get() + 1);
        }
        found
    }
}

/// Engine ids of the entities loaded so far.
struct EngineIds {
    data_centers: Lookup<DataCenterId>,
    clusters: Lookup<ClusterId>,
    hosts: Lookup<HostId>,
    storage_domains: Lookup<StorageDomainId>,
    networks: Lookup<NetworkId>,
    vnic_profiles: Lookup<VnicProfileId>,
    vms: Lookup<VmId>,
    templates: Lookup<usize>,
    affinity_labels: Lookup<AffinityLabelId>,
    /// Disk id -> the storage domains holding it (from the `disks` collection).
    disks: Lookup<Vec<StorageDomainId>>,
    /// Disk id -> its index in the inventory's direct LUN disks.
    lun_disks: HashMap<String, usize>,
}

impl EngineIds {
    fn new() -> EngineIds {
        EngineIds {
            data_centers: Lookup::new("datacenters"),
            clusters: Lookup::new("clusters"),
            hosts: Lookup::new("hosts"),
            storage_domains: Lookup::new("storagedomains"),
            networks: Lookup::new("networks"),
            vnic_profiles: Lookup::new("vnicprofiles"),
            vms: Lookup::new("vms"),
            templates: Lookup::new("templates"),
            affinity_labels: Lookup::new("affinitylabels"),
            disks: Lookup::new("disks"),
            lun_disks: HashMap::new(),
        }
    }

    /// Collection name and references missed, for every collection with misses.
    fn misses(&self) -> Vec<(&'static str, usize)> {
        let counts = [
            (self.data_centers.collection, self.data_centers.misses.get()),
            (self.clusters.collection, self.clusters.misses.get()),
            (self.hosts.collection, self.hosts.misses.get()),
            (
                self.storage_domains.collection,
                self.storage_domains.misses.get(),
            ),
            (self.networks.collection, self.networks.misses.get()),
            (
                self.vnic_profiles.collection,
                self.vnic_profiles.misses.get(),
            ),
            (self.vms.collection, self.vms.misses.get()),
            (self.templates.collection, self.templates.misses.get()),
            (
                self.affinity_labels.collection,
                self.affinity_labels.misses.get(),
            ),
            (self.disks.collection, self.disks.misses.get()),
        ];
        counts.into_iter().filter(|(_, n)| *n > 0).collect()
    }
}

/// The entity a reference node (`<cluster id=".."/>`) points at, when the export has it.
fn resolve<I: Copy>(ids: &Lookup<I>, reference: Option<Node<'_>>) -> Option<I> {
    ids.find(reference?.id()?).copied()
}

/// The entities of a list of references (`<hosts><host id=".."/></hosts>`) the export has.
fn resolve_all<I: Copy>(ids: &Lookup<I>, node: Node<'_>, list: &str, item: &str) -> Vec<I> {
    node.ref_ids(list, item)
        .filter_map(|id| ids.find(id).copied())
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
        mut each: impl FnMut(&mut Self, &Document, Node<'_>) -> Result<(), LoadError>,
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
        mut each: impl FnMut(&mut Self, &str, &Document, Node<'_>) -> Result<(), LoadError>,
    ) -> Result<(), LoadError> {
        // One file per entity: read and parsed on every core, a batch at a time (so the
        // input budget is checked before much more than it is read), then registered and
        // mapped in id order, so the result and the first error are those of one thread.
        const BATCH: usize = 256;
        let responses = self.layout.sub_collections(parent, sub)?;
        for batch in responses.chunks(BATCH) {
            let parsed: Vec<Result<Parsed, LoadError>> = batch
                .par_iter()
                .map(|(_, response)| Document::parse(response))
                .collect();
            for ((parent_id, _), parsed) in batch.iter().zip(parsed) {
                let document = Document::register(parsed?, &mut self.inventory.sources)?;
                for node in document.items(wrapper, item)? {
                    each(self, parent_id, &document, node)?;
                }
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
        let root = document.root();
        if !root.name().is_empty() && root.name() != "api" {
            return Err(document.error(
                root,
                format!("expected the API root <api>, found <{}>", root.name()),
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
                    .map_or(HostStatus::Other, HostStatus::from_api),
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
                let listed: Vec<&str> = node.ref_ids("data_centers", "data_center").collect();
                let data_center = match listed.first() {
                    Some(first) => listed
                        .iter()
                        .find_map(|id| this.ids.data_centers.get(id).copied())
                        .or_else(|| this.ids.data_centers.find(first).copied()),
                    None => resolve(&this.ids.data_centers, node.child("data_center")),
                };
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
                let details = storage_details(doc, node)?;
                let id = this.inventory.storage_domains.push(domain);
                this.inventory.storage_details.insert(id, details);
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
                    this.ids.data_centers.find(dc_id),
                    resolve(&this.ids.storage_domains, Some(node)),
                ) else {
                    return Ok(());
                };
                // The status of an attached domain is its status in the data center.
                if let Some(status) = node.text_at(&["status"]) {
                    this.inventory
                        .storage_details
                        .entry(domain)
                        .or_default()
                        .status = Some(StorageDomainStatus::from_api(status));
                }
                let domain = &mut this.inventory.storage_domains[domain];
                domain.data_center = Some(data_center);
                domain.master |= master;
                Ok(())
            },
        )
    }

    /// Gluster volumes (`clusters/<id>/glustervolumes`) and their bricks (inline, or
    /// `clusters/<id>/glustervolumes/<id>/glusterbricks`), given to the `glusterfs`
    /// domains whose connection names them.
    fn gluster_volumes(&mut self) -> Result<(), LoadError> {
        let mut volumes: Vec<ApiVolume> = Vec::new();
        // Volume id -> index in `volumes`, per cluster directory.
        let mut by_id: HashMap<(String, String), usize> = HashMap::new();
        let mut clusters_with_volumes: Vec<String> = Vec::new();
        self.sub_collections(
            "clusters",
            "glustervolumes",
            ("gluster_volumes", "gluster_volume"),
            |this, cluster_id, doc, node| {
                let mut sharding = None;
                let mut shard_block_size_bytes = None;
                for option in node.list("options", "option") {
                    let (Some(name), Some(value)) =
                        (option.text_at(&["name"]), option.text_at(&["value"]))
                    else {
                        continue;
                    };
                    match name {
                        "features.shard" => {
                            sharding = Some(gluster::shard_option(value).ok_or_else(|| {
                                doc.error(
                                    option,
                                    format!("features.shard is {value:?}: expected on or off"),
                                )
                            })?);
                        }
                        "features.shard-block-size" => {
                            shard_block_size_bytes =
                                Some(gluster::gluster_size(value).ok_or_else(|| {
                                    doc.error(
                                        option,
                                        format!(
                                            "features.shard-block-size is {value:?}: expected a size such as 64MB"
                                        ),
                                    )
                                })?);
                        }
                        _ => {}
                    }
                }
                let bricks = node
                    .list("bricks", "brick")
                    .filter_map(|brick| this.brick_name(brick))
                    .collect();
                let volume = ApiVolume {
                    name: doc.name(node, "gluster volume")?,
                    cluster: this.ids.clusters.find(cluster_id).copied(),
                    sharding,
                    shard_block_size_bytes,
                    replica: gluster::replica(
                        node.text_at(&["volume_type"]),
                        doc.number(node, &["replica_count"])?,
                    ),
                    bricks,
                    origin: doc.origin(node),
                };
                if let Some(id) = node.id() {
                    by_id.insert((cluster_id.to_string(), id.to_string()), volumes.len());
                }
                if !clusters_with_volumes.iter().any(|c| c == cluster_id) {
                    clusters_with_volumes.push(cluster_id.to_string());
                }
                volumes.push(volume);
                Ok(())
            },
        )?;
        for cluster_id in clusters_with_volumes {
            let parent = format!("clusters/{cluster_id}/glustervolumes");
            self.sub_collections(
                &parent,
                "glusterbricks",
                ("bricks", "brick"),
                |this, volume_id, _doc, node| {
                    let key = (cluster_id.clone(), volume_id.to_string());
                    if let (Some(&index), Some(name)) = (by_id.get(&key), this.brick_name(node)) {
                        let bricks = &mut volumes[index].bricks;
                        if !bricks.contains(&name) {
                            bricks.push(name);
                        }
                    }
                    Ok(())
                },
            )?;
        }
        gluster::attach_volumes(&mut self.inventory, &volumes);
        Ok(())
    }

    /// A brick as `server:/brick/dir`: its `name` (the engine's qualified name), else the
    /// host of its `server_id` and its `brick_dir`.
    fn brick_name(&self, brick: Node<'_>) -> Option<String> {
        if let Some(name) = brick.text_at(&["name"]).filter(|n| n.contains(':')) {
            return Some(name.to_string());
        }
        let dir = brick.text_at(&["brick_dir"])?;
        let host = self.ids.hosts.get(brick.text_at(&["server_id"])?)?;
        Some(format!("{}:{dir}", self.inventory.hosts[*host].name))
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

    /// Image disks are not in the model, their storage domains are what VMs need; direct
    /// LUN disks are kept with their LUN.
    fn disks(&mut self) -> Result<(), LoadError> {
        if self.layout.collection("disks").is_some() {
            self.inventory.direct_luns = Some(Vec::new());
        }
        self.collection("disks", ("disks", "disk"), |this, doc, node| {
            if node.text_at(&["storage_type"]) == Some("lun") {
                let unit = node
                    .at(&["lun_storage", "logical_units"])
                    .and_then(|units| units.child("logical_unit"));
                if let Some(unit) = unit {
                    let disk = DirectLunDisk {
                        id: node.id().map(str::to_string),
                        name: node
                            .text_at(&["alias"])
                            .or_else(|| node.text_at(&["name"]))
                            .unwrap_or_default()
                            .to_string(),
                        storage: node
                            .text_at(&["lun_storage", "type"])
                            .map_or(StorageType::Other, storage_type),
                        logical_unit: logical_unit(doc, unit)?,
                        vms: Vec::new(),
                        origin: Some(doc.origin(node)),
                    };
                    let luns = this.inventory.direct_luns.get_or_insert_with(Vec::new);
                    if let Some(id) = node.id() {
                        this.ids.lun_disks.insert(id.to_string(), luns.len());
                    }
                    luns.push(disk);
                }
            }
            if let Some(id) = node.id() {
                let domains = resolve_all(
                    &this.ids.storage_domains,
                    node,
                    "storage_domains",
                    "storage_domain",
                );
                this.ids.disks.insert(id, domains);
            }
            Ok(())
        })
    }

    fn roles(&mut self) -> Result<(), LoadError> {
        if self.layout.collection("roles").is_none() {
            return Ok(());
        }
        let mut roles = Vec::new();
        self.collection("roles", ("roles", "role"), |_this, doc, node| {
            roles.push(Role {
                id: node.id().map(str::to_string),
                name: doc.name(node, "role")?,
                administrative: doc.bool(node, &["administrative"])?.unwrap_or(false),
                mutable: doc.bool(node, &["mutable"])?.unwrap_or(true),
                origin: Some(doc.origin(node)),
            });
            Ok(())
        })?;
        self.inventory.roles = Some(roles);
        Ok(())
    }

    /// The AAA domains (`domains`): `internal-authz` and the LDAP or SSO profiles.
    fn aaa_domains(&mut self) -> Result<(), LoadError> {
        if self.layout.collection("domains").is_none() {
            return Ok(());
        }
        let mut domains = Vec::new();
        self.collection("domains", ("domains", "domain"), |_this, doc, node| {
            domains.push(AaaDomain {
                id: node.id().map(str::to_string),
                name: doc.name(node, "domain")?,
                origin: Some(doc.origin(node)),
            });
            Ok(())
        })?;
        self.inventory.aaa_domains = Some(domains);
        Ok(())
    }

    /// Templates and the storage domains of their disks.
    fn templates(&mut self) -> Result<(), LoadError> {
        if self.layout.collection("templates").is_none() {
            return Ok(());
        }
        let mut templates = Vec::new();
        self.collection("templates", ("templates", "template"), |this, doc, node| {
            let mut template = Template {
                id: node.id().map(str::to_string),
                name: doc.name(node, "template")?,
                cluster: resolve(&this.ids.clusters, node.child("cluster")),
                disks: Vec::new(),
                delete_protected: doc.bool(node, &["delete_protected"])?.unwrap_or(false),
                origin: Some(doc.origin(node)),
            };
            for attachment in node.list("disk_attachments", "disk_attachment") {
                for domain in this.disk_domains(attachment) {
                    push_unique(&mut template.disks, domain);
                }
            }
            if let Some(id) = node.id() {
                this.ids.templates.insert(id, templates.len());
            }
            templates.push(template);
            Ok(())
        })?;
        self.sub_collections(
            "templates",
            "diskattachments",
            ("disk_attachments", "disk_attachment"),
            |this, template_id, _doc, node| {
                if let Some(&index) = this.ids.templates.find(template_id) {
                    for domain in this.disk_domains(node) {
                        push_unique(&mut templates[index].disks, domain);
                    }
                }
                Ok(())
            },
        )?;
        self.inventory.templates = Some(templates);
        Ok(())
    }

    /// VM snapshots in `vms/<id>/snapshots` (those listed in the VM, when fetched with
    /// `follow=snapshots`, are read with the VM).
    fn snapshots(&mut self) -> Result<(), LoadError> {
        // A snapshot both inline and in its file (as `stretchdr fetch` writes a followed
        // VM) is one snapshot.
        let mut known: HashSet<(VmId, String)> = self
            .inventory
            .snapshots
            .iter()
            .flatten()
            .filter_map(|s| Some((s.vm, s.id.clone()?)))
            .collect();
        self.sub_collections(
            "vms",
            "snapshots",
            ("snapshots", "snapshot"),
            |this, vm_id, doc, node| {
                let snapshots = this.inventory.snapshots.get_or_insert_with(Vec::new);
                if let Some(&vm) = this.ids.vms.find(vm_id) {
                    let new = node
                        .id()
                        .is_none_or(|id| known.insert((vm, id.to_string())));
                    if new {
                        snapshots.push(snapshot(vm, doc, node));
                    }
                }
                Ok(())
            },
        )?;
        // A VM directory with an empty snapshots file still says the snapshots were fetched.
        if self.inventory.snapshots.is_none()
            && !self.layout.sub_collections("vms", "snapshots")?.is_empty()
        {
            self.inventory.snapshots = Some(Vec::new());
        }
        Ok(())
    }

    /// The skipped references, per collection, for the load warning.
    fn count_missing(&mut self) {
        let mut missing: BTreeMap<&str, usize> = BTreeMap::new();
        for (collection, count) in self.ids.misses() {
            *missing.entry(collection).or_default() += count;
        }
        self.inventory.missing_references = missing
            .into_iter()
            .map(|(collection, references)| MissingReferences {
                collection: collection.to_string(),
                references,
                file_missing: self.layout.collection(collection).is_none(),
            })
            .collect();
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
                status: node
                    .text_at(&["status"])
                    .map_or(VmStatus::Other, VmStatus::from_api),
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
            if let Some(list) = node.child("snapshots") {
                let snapshots = this.inventory.snapshots.get_or_insert_with(Vec::new);
                for item in list.children_named("snapshot") {
                    snapshots.push(snapshot(id, doc, item));
                }
            }
            Ok(())
        })?;
        self.sub_collections(
            "vms",
            "diskattachments",
            ("disk_attachments", "disk_attachment"),
            |this, vm_id, _doc, node| {
                if let Some(&vm) = this.ids.vms.find(vm_id) {
                    this.attach_disk(vm, node);
                }
                Ok(())
            },
        )?;
        self.sub_collections("vms", "nics", ("nics", "nic"), |this, vm_id, _doc, node| {
            if let Some(&vm) = this.ids.vms.find(vm_id) {
                this.attach_nic(vm, node);
            }
            Ok(())
        })
    }

    /// The storage domains of an attached disk: listed in the attachment when the disk was
    /// followed, else from the `disks` collection (a direct LUN disk has none).
    fn disk_domains(&self, attachment: Node<'_>) -> Vec<StorageDomainId> {
        let Some(disk) = attachment.child("disk") else {
            return Vec::new();
        };
        let inline = resolve_all(
            &self.ids.storage_domains,
            disk,
            "storage_domains",
            "storage_domain",
        );
        if !inline.is_empty() {
            return inline;
        }
        disk.id()
            .and_then(|id| self.ids.disks.find(id))
            .cloned()
            .unwrap_or_default()
    }

    /// Adds the storage domains of an attached disk, or the VM to a direct LUN disk.
    fn attach_disk(&mut self, vm: VmId, attachment: Node<'_>) {
        let lun = attachment
            .child("disk")
            .and_then(Node::id)
            .and_then(|id| self.ids.lun_disks.get(id).copied());
        if let (Some(index), Some(luns)) = (lun, self.inventory.direct_luns.as_mut()) {
            push_unique(&mut luns[index].vms, vm);
            return;
        }
        let domains = self.disk_domains(attachment);
        let vm = &mut self.inventory.vms[vm];
        for domain in domains {
            push_unique(&mut vm.disks, domain);
        }
    }

    /// Adds a vNIC's profile and network (API v3 style NICs name the network directly).
    fn attach_nic(&mut self, vm: VmId, nic: Node<'_>) {
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
        let Some(&label) = self.ids.affinity_labels.find(label) else {
            return;
        };
        let label = &mut self.inventory.affinity_labels[label];
        if let Some(&host) = host.and_then(|h| self.ids.hosts.find(h)) {
            push_unique(&mut label.hosts, host);
        }
        if let Some(&vm) = vm.and_then(|v| self.ids.vms.find(v)) {
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

fn register<I>(ids: &mut Lookup<I>, node: Node<'_>, id: I) {
    if let Some(engine_id) = node.id() {
        ids.insert(engine_id, id);
    }
}

/// `<version><major>4</major><minor>3</minor></version>`.
fn version(doc: &Document, node: Node<'_>) -> Result<Option<Version>, LoadError> {
    let major = doc.number(node, &["version", "major"])?;
    let minor = doc.number(node, &["version", "minor"])?;
    Ok(major.map(|major| Version {
        major,
        minor: minor.unwrap_or(0),
    }))
}

/// sockets x cores x threads of `cpu/topology` (0 when the topology is not given).
fn cpus(doc: &Document, node: Node<'_>) -> Result<u32, LoadError> {
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
fn affinity_rule(doc: &Document, rule: Node<'_>) -> Result<AffinityRule, LoadError> {
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

fn spm_status(text: &str) -> SpmStatus {
    match text {
        "spm" => SpmStatus::Spm,
        "contending" => SpmStatus::Contending,
        _ => SpmStatus::None,
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
fn migration_bandwidth(doc: &Document, node: Node<'_>) -> Result<MigrationBandwidth, LoadError> {
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

/// The storage domain's status, connection and settings.
fn storage_details(doc: &Document, node: Node<'_>) -> Result<StorageDetails, LoadError> {
    Ok(StorageDetails {
        status: node.text_at(&["status"]).map(StorageDomainStatus::from_api),
        connection: match node.child("storage") {
            Some(storage) => storage_connection(doc, storage)?,
            None => None,
        },
        wipe_after_delete: doc.bool(node, &["wipe_after_delete"])?,
        discard_after_delete: doc.bool(node, &["discard_after_delete"])?,
        backup: doc.bool(node, &["backup"])?,
        critical_space_action_blocker: doc.number(node, &["critical_space_action_blocker"])?,
        warning_low_space: doc.number(node, &["warning_low_space_indicator"])?,
    })
}

/// A `HostStorage` element: `None` when it says nothing but the type.
fn storage_connection(
    doc: &Document,
    storage: Node<'_>,
) -> Result<Option<StorageConnection>, LoadError> {
    let text = |name: &str| storage.text_at(&[name]).map(str::to_string);
    let units = storage
        .at(&["volume_group", "logical_units"])
        .or_else(|| storage.child("logical_units"));
    let mut logical_units = Vec::new();
    for unit in units
        .into_iter()
        .flat_map(|units| units.children_named("logical_unit"))
    {
        logical_units.push(logical_unit(doc, unit)?);
    }
    let path = text("path");
    let gluster_volume = match storage.text_at(&["type"]) {
        Some("glusterfs") => path.as_deref().map(|p| {
            // `server:/volume` as some engines write it, else `/volume`.
            let volume = p.rsplit_once(':').map_or(p, |(_, v)| v);
            volume.trim_start_matches('/').to_string()
        }),
        _ => None,
    };
    let first = logical_units.first();
    let connection = StorageConnection {
        address: text("address").or_else(|| first.and_then(|u| u.address.clone())),
        path,
        port: match doc.number(storage, &["port"])? {
            Some(port) => Some(port),
            None => first.and_then(|u| u.port),
        },
        nfs_version: text("nfs_version"),
        mount_options: text("mount_options"),
        vfs_type: text("vfs_type"),
        gluster_volume,
        volume_group: storage
            .at(&["volume_group"])
            .and_then(Node::id)
            .map(str::to_string),
        logical_units,
    };
    Ok((connection != StorageConnection::default()).then_some(connection))
}

/// A `logical_unit` element.
fn logical_unit(doc: &Document, unit: Node<'_>) -> Result<LogicalUnit, LoadError> {
    Ok(LogicalUnit {
        id: unit.id().unwrap_or_default().to_string(),
        address: unit.text_at(&["address"]).map(str::to_string),
        port: doc.number(unit, &["port"])?,
        target: unit.text_at(&["target"]).map(str::to_string),
        portal: unit.text_at(&["portal"]).map(str::to_string),
    })
}

/// A `snapshot` element of a VM.
fn snapshot(vm: VmId, doc: &Document, node: Node<'_>) -> Snapshot {
    Snapshot {
        id: node.id().map(str::to_string),
        vm,
        description: node
            .text_at(&["description"])
            .unwrap_or_default()
            .to_string(),
        status: node
            .text_at(&["snapshot_status"])
            .map_or(SnapshotStatus::Other, SnapshotStatus::from_api),
        origin: Some(doc.origin(node)),
    }
}
