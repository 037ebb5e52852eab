//! An overlay on a recorded export (fixtures/exports): sites by host glob, replication and
//! network sites added to what the engine reported, the rest kept.

use std::path::Path;

use stretchdr_model::design::load_design;
use stretchdr_model::inventory::{Replication, StorageType};
use stretchdr_model::{FileId, Inventory};

fn overlay() -> Inventory {
    load_design(Path::new("../fixtures/design/overlay_miq.toml")).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn sites_and_replication_are_added() {
    let inv = overlay();
    let site = |name| inv.sites.find(name);
    let host = |name| &inv.hosts[inv.hosts.find(name).unwrap()];
    assert_eq!(host("bodh1").site, site("site-a"));
    assert_eq!(host("bodh2").site, site("site-b"));
    assert_eq!(host("bodh2").spm_priority, 2);
    assert!(host("bodh2").id.is_some(), "the engine's id is kept");

    let domain = |name| &inv.storage_domains[inv.storage_domains.find(name).unwrap()];
    let iscsi = domain("iscsi_n");
    assert_eq!(iscsi.replication, Some(Replication::Sync));
    assert_eq!(iscsi.storage, StorageType::Iscsi, "from the export");
    assert_eq!(iscsi.witness, site("site-c"));
    assert_eq!(domain("venus-data-1").replication, Some(Replication::Async));
    assert_eq!(domain("yellow").replication, None, "nothing said: unknown");

    let newnet = &inv.networks[inv.networks.find("newnet").unwrap()];
    assert_eq!(newnet.sites, Some(vec![site("site-a").unwrap()]));
    assert_eq!(inv.hosts.len(), 2, "no host added");
}

#[test]
fn the_design_is_registered_after_the_export_files() {
    let inv = overlay();
    let files = inv.sources.files();
    let design = files.len() - 1;
    assert!(design > 0);
    assert!(files[design].path.ends_with("overlay_miq.toml"));
    let iscsi = &inv.storage_domains[inv.storage_domains.find("iscsi_n").unwrap()];
    assert_eq!(iscsi.origin.unwrap().file, FileId(design as u32));
}
