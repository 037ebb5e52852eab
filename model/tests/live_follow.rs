//! Fetching in few requests: sub-collections inline (`follow=`), paged collections, and the
//! collections the API root offers, against engines that honour or ignore `follow`.

mod live_support;

use std::path::Path;

use serde_json::Value;
use stretchdr_model::Inventory;
use stretchdr_model::export::load_export;
use stretchdr_model::live::{FetchSummary, fetch_inventory, fetch_to_dir};

use live_support::{Behaviour, FakeEngine, Follow, Recorded, TempDir, capture_json};

/// The entities of an inventory as JSON, without origins (lines differ between a
/// collection with inline sub-collections and one without).
fn entities(inventory: &Inventory) -> Value {
    fn json<I, T: serde::Serialize>(arena: impl Iterator<Item = (I, T)>) -> Value {
        let mut value = Value::Array(
            arena
                .map(|(_, entity)| serde_json::to_value(entity).unwrap())
                .collect(),
        );
        strip_origins(&mut value);
        value
    }
    serde_json::json!({
        "data_centers": json(inventory.data_centers.iter()),
        "clusters": json(inventory.clusters.iter()),
        "hosts": json(inventory.hosts.iter()),
        "networks": json(inventory.networks.iter()),
        "vnic_profiles": json(inventory.vnic_profiles.iter()),
        "storage_domains": json(inventory.storage_domains.iter()),
        "vms": json(inventory.vms.iter()),
        "affinity_groups": json(inventory.affinity_groups.iter()),
        "affinity_labels": json(inventory.affinity_labels.iter()),
    })
}

/// The access and failback data of an inventory (roles, AAA domains, templates, VM
/// snapshots, gluster volumes) as JSON, without origins.
fn dr_data(inventory: &Inventory) -> Value {
    let mut value = serde_json::json!({
        "roles": inventory.roles,
        "aaa_domains": inventory.aaa_domains,
        "templates": inventory.templates,
        // In VM order when inline, in VM directory order when read from files.
        "snapshots": inventory.snapshots.as_ref().map(|snapshots| {
            let mut sorted: Vec<Value> = snapshots
                .iter()
                .map(|s| serde_json::to_value(s).unwrap())
                .collect();
            sorted.sort_by_key(|s| s.to_string());
            sorted
        }),
        "gluster": inventory
            .storage_domains
            .values()
            .map(|d| serde_json::to_value(&d.gluster).unwrap())
            .collect::<Vec<_>>(),
    });
    strip_origins(&mut value);
    value
}

fn strip_origins(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|key, _| key != "origin");
            map.values_mut().for_each(strip_origins);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_origins),
        _ => {}
    }
}

fn engine(follow: Follow) -> FakeEngine {
    let mut behaviour = Behaviour::capture();
    behaviour.follow = follow;
    FakeEngine::start(behaviour)
}

/// The API GETs below the root, by path without the query.
fn api_paths(requests: &[Recorded]) -> Vec<String> {
    requests
        .iter()
        .filter(|r| r.method == "GET")
        .filter_map(|r| r.path().strip_prefix("/ovirt-engine/api/"))
        .map(str::to_string)
        .collect()
}

fn relative_files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in std::fs::read_dir(&current).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(
                    path.strip_prefix(dir)
                        .unwrap()
                        .to_string_lossy()
                        .into_owned(),
                );
            }
        }
    }
    out.sort();
    out
}

fn count(summary: &FetchSummary, name: &str) -> (usize, usize, usize) {
    summary
        .collections
        .iter()
        .find(|c| c.collection == name)
        .map(|c| (c.requests, c.entities, c.inline))
        .unwrap_or_else(|| panic!("{name} not in the summary"))
}

#[test]
fn an_engine_that_follows_links_is_read_in_one_request_per_collection() {
    let honouring = engine(Follow::Honour);
    let dir = TempDir::new("follow-honoured");
    let live = fetch_inventory(&honouring.options(dir.path())).unwrap();
    let requests = honouring.requests();
    let paths = api_paths(&requests);
    // The token, the root, and one GET per top-level collection: nothing per entity.
    assert_eq!(requests.len(), 1 + 1 + 12, "{paths:?}");
    assert!(paths.iter().all(|p| !p.contains('/')), "{paths:?}");
    let follow = |collection: &str| {
        requests
            .iter()
            .find(|r| r.path() == format!("/ovirt-engine/api/{collection}"))
            .and_then(|r| r.query("follow"))
    };
    assert_eq!(
        follow("vms").as_deref(),
        Some("disk_attachments,nics,snapshots")
    );
    assert_eq!(follow("templates").as_deref(), Some("disk_attachments"));
    assert_eq!(
        follow("clusters").as_deref(),
        Some("affinity_groups,gluster_volumes")
    );
    assert_eq!(follow("roles"), None);
    let vms = requests
        .iter()
        .find(|r| r.path() == "/ovirt-engine/api/vms")
        .unwrap();
    assert_eq!(vms.query("search").as_deref(), Some("page 1"));

    let ignoring = engine(Follow::Ignore);
    let dir = TempDir::new("follow-ignored");
    let fallback = fetch_inventory(&ignoring.options(dir.path())).unwrap();
    let fallback_paths = api_paths(&ignoring.requests());
    assert!(
        fallback_paths
            .contains(&"vms/21f55c51-a9ed-489e-a8b9-1b7cf921f5a6/diskattachments".to_string()),
        "{fallback_paths:?}"
    );
    assert!(fallback_paths.len() > paths.len());

    assert_eq!(live.vms.len(), 5);
    assert_eq!(entities(&live), entities(&fallback));
    // Roles, AAA domains, templates and snapshots, inline or one request each, the same.
    assert_eq!(dr_data(&live), dr_data(&fallback));
    assert_eq!(live.roles.as_ref().map(Vec::len), Some(4));
    assert_eq!(live.aaa_domains.as_ref().map(Vec::len), Some(2));
    assert_eq!(live.templates.as_ref().map(Vec::len), Some(5));
    assert!(
        live.snapshots.as_ref().is_some_and(|s| !s.is_empty()),
        "the VMs' snapshots were read"
    );
    assert!(
        fallback_paths.contains(&"vms/21f55c51-a9ed-489e-a8b9-1b7cf921f5a6/snapshots".to_string()),
        "{fallback_paths:?}"
    );
    assert_eq!(
        entities(&live),
        entities(&load_export(&capture_json()).unwrap())
    );
    assert!(
        live.vms
            .values()
            .any(|vm| !vm.disks.is_empty() && !vm.networks.is_empty()),
        "the inline disk attachments and NICs were read"
    );
}

#[test]
fn both_engines_give_the_same_export_files_and_the_summary_counts_requests() {
    let dir = TempDir::new("follow-files");
    let honouring = engine(Follow::Honour);
    let out_followed = dir.path().join("followed");
    let followed = fetch_to_dir(&honouring.options(dir.path()), &out_followed).unwrap();
    let ignoring = engine(Follow::Ignore);
    let out_fallback = dir.path().join("fallback");
    let fallback = fetch_to_dir(&ignoring.options(dir.path()), &out_fallback).unwrap();

    assert_eq!(relative_files(&out_followed), relative_files(&out_fallback));
    assert_eq!(
        entities(&load_export(&out_followed).unwrap()),
        entities(&load_export(&out_fallback).unwrap())
    );
    assert_eq!(
        dr_data(&load_export(&out_followed).unwrap()),
        dr_data(&load_export(&out_fallback).unwrap())
    );
    assert_eq!(count(&followed, "vms/*/snapshots").2, 5);
    assert_eq!(count(&fallback, "vms/*/snapshots").0, 5);
    assert_eq!(followed.requests, honouring.requests().len());
    assert_eq!(fallback.requests, ignoring.requests().len());
    assert_eq!(followed.responses, fallback.responses);
    // Five VMs: their NICs inline, or five requests.
    assert_eq!(count(&followed, "vms/*/nics").0, 0);
    assert_eq!(count(&followed, "vms/*/nics").2, 5);
    assert_eq!(count(&fallback, "vms/*/nics").0, 5);
    assert_eq!(count(&fallback, "vms/*/nics").2, 0);
    assert_eq!(
        count(&followed, "vms/*/nics").1,
        count(&fallback, "vms/*/nics").1
    );
    let shown = followed.to_string();
    assert!(shown.contains("5 inline"), "{shown}");
    assert!(
        shown.contains(&format!("in {} requests", followed.requests)),
        "{shown}"
    );
}

#[test]
fn searchable_collections_come_in_pages() {
    let honouring = engine(Follow::Honour);
    let dir = TempDir::new("pages");
    let mut options = honouring.options(dir.path());
    options.page_size = 2;
    let out = dir.path().join("out");
    let summary = fetch_to_dir(&options, &out).unwrap();
    // Five VMs in pages of two: 2, 2, 1.
    assert_eq!(count(&summary, "vms"), (3, 5, 0));
    let pages: Vec<String> = honouring
        .requests()
        .iter()
        .filter(|r| r.path() == "/ovirt-engine/api/vms")
        .filter_map(|r| r.query("search"))
        .collect();
    assert_eq!(pages, ["page 1", "page 2", "page 3"]);
    // vnicprofiles offers no search: one plain request.
    assert_eq!(count(&summary, "vnicprofiles").0, 1);
    assert_eq!(
        entities(&load_export(&out).unwrap()),
        entities(&load_export(&capture_json()).unwrap())
    );
    assert!(summary.to_string().contains("(3 pages)"), "{summary}");
}

#[test]
fn an_engine_that_ignores_paging_stops_at_the_page_that_brings_nothing_new() {
    // Asked for pages of two, an engine that ignores `page` and `max` sends all five VMs
    // every time: the second page brings nothing new and paging stops, rather than loop.
    let mut behaviour = Behaviour::capture();
    behaviour.ignore_paging = true;
    let careless = FakeEngine::start(behaviour);
    let dir = TempDir::new("pages-ignored");
    let mut options = careless.options(dir.path());
    options.page_size = 2;
    let out = dir.path().join("out");
    let summary = fetch_to_dir(&options, &out).unwrap();
    assert_eq!(count(&summary, "vms"), (2, 5, 0));
    assert_eq!(load_export(&out).unwrap().vms.len(), 5);
}

#[test]
fn an_engine_without_affinity_labels_is_still_fetched() {
    let mut behaviour = Behaviour::capture();
    behaviour.not_offered.push("affinitylabels".to_string());
    let older = FakeEngine::start(behaviour);
    let dir = TempDir::new("no-labels");
    let summary = fetch_to_dir(&older.options(dir.path()), &dir.path().join("out")).unwrap();
    assert_eq!(summary.not_offered, ["affinitylabels"]);
    assert!(
        summary
            .to_string()
            .contains("not offered by this engine: affinitylabels"),
        "{summary}"
    );
    assert!(
        !api_paths(&older.requests())
            .iter()
            .any(|p| p.starts_with("affinitylabels")),
        "a collection the root does not link to is not asked for"
    );
    let inventory = load_export(&dir.path().join("out")).unwrap();
    assert_eq!(inventory.vms.len(), 5);
    assert!(inventory.affinity_labels.is_empty());
}

#[test]
fn follow_is_not_asked_when_turned_off() {
    let honouring = engine(Follow::Honour);
    let dir = TempDir::new("follow-off");
    let mut options = honouring.options(dir.path());
    options.follow = false;
    let summary = fetch_to_dir(&options, &dir.path().join("out")).unwrap();
    assert!(
        honouring
            .requests()
            .iter()
            .all(|r| r.query("follow").is_none())
    );
    assert_eq!(count(&summary, "vms/*/diskattachments").0, 5);
}

/// The stand-in engine serving a hyperconverged gluster setup (`gluster_hci_json`).
fn gluster_engine(follow: Follow) -> FakeEngine {
    let mut behaviour = Behaviour::capture();
    behaviour.export = live_support::fixtures().join("exports/gluster_hci_json");
    behaviour.follow = follow;
    FakeEngine::start(behaviour)
}

#[test]
fn gluster_volumes_and_their_bricks_are_fetched_inline_or_one_request_each() {
    let dir = TempDir::new("gluster");
    let honouring = gluster_engine(Follow::Honour);
    let out_followed = dir.path().join("followed");
    let followed = fetch_to_dir(&honouring.options(dir.path()), &out_followed).unwrap();
    let ignoring = gluster_engine(Follow::Ignore);
    let out_fallback = dir.path().join("fallback");
    let fallback = fetch_to_dir(&ignoring.options(dir.path()), &out_fallback).unwrap();

    // The gluster cluster's volumes inline, or one request; each volume's bricks always
    // one request (the engine cannot follow them).
    assert_eq!(count(&followed, "clusters/*/glustervolumes"), (0, 2, 1));
    assert_eq!(count(&fallback, "clusters/*/glustervolumes"), (1, 2, 0));
    for summary in [&followed, &fallback] {
        assert_eq!(
            count(summary, "clusters/*/glustervolumes/*/glusterbricks"),
            (2, 6, 0)
        );
    }
    let brick_paths: Vec<String> = api_paths(&honouring.requests())
        .into_iter()
        .filter(|p| p.ends_with("/glusterbricks"))
        .collect();
    assert_eq!(brick_paths.len(), 2, "{brick_paths:?}");
    assert_eq!(relative_files(&out_followed), relative_files(&out_fallback));
    assert!(
        relative_files(&out_followed)
            .iter()
            .any(|f| f.ends_with("/glusterbricks.json")),
        "{:?}",
        relative_files(&out_followed)
    );

    let live = fetch_inventory(&honouring.options(dir.path())).unwrap();
    let export = load_export(&live_support::fixtures().join("exports/gluster_hci_json")).unwrap();
    let vmstore = |inventory: &Inventory| {
        inventory
            .storage_domains
            .values()
            .find(|d| d.name == "vmstore")
            .and_then(|d| d.gluster.clone())
            .expect("vmstore has its volume")
    };
    let (from_engine, from_export) = (vmstore(&live), vmstore(&export));
    assert_eq!(from_engine.bricks, from_export.bricks);
    assert_eq!(from_engine.replica, Some(3));
    assert_eq!(from_engine.shard_block_size_bytes, Some(512 << 20));
    // The API carries no geo-replication sessions; the export has gluster's saved status.
    assert!(from_engine.georep.is_empty());
    assert_eq!(from_export.georep.len(), 1);
    assert_eq!(
        dr_data(&load_export(&out_followed).unwrap()),
        dr_data(&live)
    );
    assert_eq!(
        dr_data(&load_export(&out_followed).unwrap()),
        dr_data(&load_export(&out_fallback).unwrap())
    );
}
