//! Gluster volumes from exports (`clusters/<id>/glustervolumes` and their bricks) given to
//! the `glusterfs` domains that use them, and geo-replication sessions from
//! `gluster volume geo-replication status --xml` saved next to the export.

use std::path::{Path, PathBuf};

use serde_json::Value;
use stretchdr_model::Inventory;
use stretchdr_model::export::load_export;
use stretchdr_model::inventory::{GeoRepMode, GlusterVolume, SnapshotStatus};

const CLUSTER: &str = "9f2b6d3a-1c4e-4b8e-a0f7-3d5c2e8b7a61";

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures/exports/gluster_hci_json")
}

fn volume<'a>(inventory: &'a Inventory, domain: &str) -> Option<&'a GlusterVolume> {
    inventory
        .storage_domains
        .values()
        .find(|d| d.name == domain)
        .unwrap_or_else(|| panic!("no domain {domain}"))
        .gluster
        .as_ref()
}

/// A copy of the fixture under the temp dir, for a test to change.
fn copy_fixture(name: &str) -> PathBuf {
    fn copy(from: &Path, to: &Path) {
        std::fs::create_dir_all(to).unwrap();
        for entry in std::fs::read_dir(from).unwrap() {
            let entry = entry.unwrap();
            let target = to.join(entry.file_name());
            if entry.file_type().unwrap().is_dir() {
                copy(&entry.path(), &target);
            } else {
                std::fs::copy(entry.path(), &target).unwrap();
            }
        }
    }
    let dir = std::env::temp_dir().join(format!(
        "stretchdr-export-gluster-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    copy(&fixture(), &dir);
    dir
}

fn edit_json(path: &Path, edit: impl FnOnce(&mut Value)) {
    let mut value: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    edit(&mut value);
    std::fs::write(path, serde_json::to_vec_pretty(&value).unwrap()).unwrap();
}

#[test]
fn volumes_bricks_and_sessions_reach_their_domains() {
    let inventory = load_export(&fixture()).unwrap();
    let vmstore = volume(&inventory, "vmstore").expect("vmstore has its volume");
    assert_eq!(vmstore.volume, "vmstore");
    assert_eq!(vmstore.sharding, Some(true));
    assert_eq!(vmstore.shard_block_size_bytes, Some(512 << 20));
    assert_eq!(vmstore.replica, Some(3));
    assert_eq!(
        vmstore.bricks,
        [
            "hci1.example.com:/gluster_bricks/vmstore/vmstore",
            "hci2.example.com:/gluster_bricks/vmstore/vmstore",
            "hci3.example.com:/gluster_bricks/vmstore/vmstore",
        ]
    );
    let cluster = vmstore.cluster.expect("the volume's cluster");
    assert_eq!(inventory.clusters[cluster].name, "hci");
    assert!(vmstore.origin.is_some());
    // The saved status: started (Active and Passive workers), so continuous.
    let [session] = vmstore.georep.as_slice() else {
        panic!("one session: {:?}", vmstore.georep);
    };
    assert_eq!(session.secondary_volume, "vmstore-dr");
    assert_eq!(session.mode, GeoRepMode::Continuous);

    let engine = volume(&inventory, "hosted_storage").expect("the engine domain's volume");
    assert_eq!(engine.volume, "engine");
    assert_eq!(engine.shard_block_size_bytes, Some(64 << 20));
    assert!(engine.georep.is_empty(), "the status has no session of it");

    let in_preview: Vec<&str> = inventory
        .snapshots
        .iter()
        .flatten()
        .filter(|s| s.status == SnapshotStatus::InPreview)
        .map(|s| inventory.vms[s.vm].name.as_str())
        .collect();
    assert_eq!(in_preview, ["erp-db"]);
}

#[test]
fn bricks_listed_with_the_volume_need_no_bricks_file() {
    let dir = copy_fixture("inline-bricks");
    let volumes = dir.join(format!("api/clusters/{CLUSTER}/glustervolumes"));
    // The bricks of vmstore inline (`server_id` and `brick_dir` only), its file gone.
    let vmstore = "e4d1c2b3-a4f5-4617-8a9b-0c1d2e3f4a52";
    std::fs::remove_dir_all(volumes.join(vmstore)).unwrap();
    edit_json(&volumes.with_extension("json"), |value| {
        let volume = value["gluster_volume"]
            .as_array_mut()
            .unwrap()
            .iter_mut()
            .find(|v| v["id"] == vmstore)
            .unwrap();
        volume["bricks"] = serde_json::json!({"brick": [
            {"server_id": "7c1e4c7a-0b39-4f0e-9d1a-1f3b2c4d5e02", "brick_dir": "/gluster_bricks/vmstore/vmstore"}
        ]});
    });
    let inventory = load_export(&dir).unwrap();
    assert_eq!(
        volume(&inventory, "vmstore").unwrap().bricks,
        ["hci2.example.com:/gluster_bricks/vmstore/vmstore"]
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_volume_name_in_two_clusters_is_told_apart_by_the_domain_server() {
    let dir = copy_fixture("two-clusters");
    let volumes = dir.join(format!("api/clusters/{CLUSTER}/glustervolumes.json"));
    // A second gluster cluster (not exported) with its own `vmstore` on other servers.
    let other = "1b2c3d4e-5f60-4718-8293-a4b5c6d7e8f9";
    let other_dir = dir.join(format!("api/clusters/{other}"));
    std::fs::create_dir_all(&other_dir).unwrap();
    std::fs::write(
        other_dir.join("glustervolumes.json"),
        r#"{"gluster_volume": [{"id": "0a0b0c0d-1e1f-4a2b-8c3d-4e5f6a7b8c9d", "name": "vmstore",
            "volume_type": "distribute", "replica_count": "0",
            "bricks": {"brick": [{"name": "backup1.example.com:/bricks/vmstore"}]}}]}"#,
    )
    .unwrap();
    let inventory = load_export(&dir).unwrap();
    let vmstore = volume(&inventory, "vmstore").unwrap();
    assert_eq!(vmstore.replica, Some(3), "the volume served by hci1");
    // With the domain's server in neither volume, nothing is guessed.
    let domains = dir.join("api/storagedomains.json");
    edit_json(&domains, |value| {
        for domain in value["storage_domain"].as_array_mut().unwrap() {
            domain["storage"]["address"] = "gluster-vip.example.com".into();
        }
    });
    let inventory = load_export(&dir).unwrap();
    assert!(volume(&inventory, "vmstore").is_none());
    assert!(
        volume(&inventory, "hosted_storage").is_some(),
        "one engine volume"
    );
    assert!(volumes.exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_bad_volume_option_names_the_file_and_line() {
    let dir = copy_fixture("bad-option");
    let volumes = dir.join(format!("api/clusters/{CLUSTER}/glustervolumes.json"));
    let text = std::fs::read_to_string(&volumes).unwrap();
    let bad = text.replacen("\"512MB\"", "\"half a gig\"", 1);
    assert_ne!(bad, text);
    std::fs::write(&volumes, bad).unwrap();
    let error = load_export(&dir).unwrap_err().to_string();
    assert!(error.contains("glustervolumes.json:"), "{error}");
    assert!(
        error.contains("features.shard-block-size is \"half a gig\""),
        "{error}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_export_without_gluster_volumes_gives_no_volume() {
    let dir = copy_fixture("no-volumes");
    std::fs::remove_file(dir.join(format!("api/clusters/{CLUSTER}/glustervolumes.json"))).unwrap();
    std::fs::remove_file(dir.join("gluster-georep-status.xml")).unwrap();
    let inventory = load_export(&dir).unwrap();
    assert!(volume(&inventory, "vmstore").is_none());
    // The connection still names the volume.
    let id = inventory
        .storage_domains
        .iter()
        .find(|(_, d)| d.name == "vmstore")
        .map(|(id, _)| id)
        .unwrap();
    let connection = inventory.storage_details[&id].connection.as_ref().unwrap();
    assert_eq!(connection.gluster_volume.as_deref(), Some("vmstore"));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn volumes_in_xml_as_the_api_writes_them() {
    let dir = std::env::temp_dir().join(format!(
        "stretchdr-export-gluster-xml-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    let cluster = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0";
    let volumes = dir.join(format!("api/clusters/{cluster}"));
    std::fs::create_dir_all(&volumes).unwrap();
    std::fs::write(
        dir.join("api/clusters.xml"),
        format!(r#"<clusters><cluster id="{cluster}"><name>gl</name><gluster_service>true</gluster_service></cluster></clusters>"#),
    )
    .unwrap();
    std::fs::write(
        dir.join("api/storagedomains.xml"),
        r#"<storage_domains>
  <storage_domain id="5d4c3b2a-1f0e-4d9c-8b7a-695847362514">
    <name>data</name>
    <type>data</type>
    <storage><type>glusterfs</type><address>gl1.example.com</address><path>/data</path></storage>
  </storage_domain>
</storage_domains>
"#,
    )
    .unwrap();
    std::fs::write(
        volumes.join("glustervolumes.xml"),
        r#"<gluster_volumes>
  <gluster_volume id="7a6b5c4d-3e2f-4109-8a7b-6c5d4e3f2a1b">
    <name>data</name>
    <volume_type>distributed_replicate</volume_type>
    <replica_count>3</replica_count>
    <options>
      <option><name>features.shard</name><value>off</value></option>
    </options>
    <bricks>
      <brick><name>gl1.example.com:/bricks/data</name></brick>
    </bricks>
  </gluster_volume>
</gluster_volumes>
"#,
    )
    .unwrap();
    let inventory = load_export(&dir).unwrap();
    let data = volume(&inventory, "data").expect("the volume of data");
    assert_eq!(data.sharding, Some(false));
    assert_eq!(data.shard_block_size_bytes, None);
    assert_eq!(data.replica, Some(3));
    assert_eq!(data.bricks, ["gl1.example.com:/bricks/data"]);
    assert_eq!(inventory.clusters[data.cluster.unwrap()].name, "gl");
    std::fs::remove_dir_all(&dir).unwrap();
}
