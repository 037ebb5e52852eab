//! CLI tests of `stretchdr inventory`.

use crate::support::{run, stderr, stdout};

#[test]
fn missing_source_is_a_usage_error_naming_the_path() {
    let output = run(&["inventory", "no/such/design.toml"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("no/such/design.toml"),
        "{}",
        stderr(&output)
    );
    assert!(stdout(&output).is_empty());
}

#[test]
fn unknown_flag_exits_2() {
    let output = run(&["inventory", "--frobnicate"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn recorded_engine_counts_and_states_in_text() {
    let output = run(&["inventory", "fixtures/exports/miq_ovirt_lans_refresh"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.starts_with("2 data centers, 3 clusters, 2 hosts, 5 VMs"),
        "{text}"
    );
    assert!(text.contains("sites: none known"), "{text}");
    let bodh1 = text
        .lines()
        .find(|l| l.trim_start().starts_with("bodh1"))
        .unwrap();
    assert!(bodh1.contains("non_responsive"), "{bodh1}");
}

#[test]
fn json_and_xml_exports_of_one_engine_print_the_same_inventory() {
    let xml = run(&[
        "inventory",
        "--format",
        "json",
        "fixtures/exports/miq_ovirt_lans_refresh",
    ]);
    let json = run(&[
        "inventory",
        "--format",
        "json",
        "fixtures/exports/miq_ovirt_lans_refresh_json",
    ]);
    assert_eq!(xml.status.code(), Some(0), "{}", stderr(&xml));
    assert_eq!(json.status.code(), Some(0), "{}", stderr(&json));
    assert_eq!(stdout(&xml), stdout(&json));
}

#[test]
fn json_inventory_of_a_hand_written_export() {
    let output = run(&[
        "inventory",
        "--format",
        "json",
        "fixtures/exports/stretch_small",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let value: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    insta::assert_json_snapshot!("inventory_stretch_small", value);
}

#[test]
fn bundled_example_inventory_json_has_every_entity_array() {
    let output = run(&["inventory", "--format", "json"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let value: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    for key in [
        "sites",
        "links",
        "data_centers",
        "clusters",
        "hosts",
        "networks",
        "vnic_profiles",
        "storage_domains",
        "vms",
        "affinity_groups",
        "affinity_labels",
    ] {
        assert!(value[key].is_array(), "{key} missing");
    }
    assert!(value["vms"].as_array().unwrap().len() >= 150);
    assert_eq!(value["engine"]["deployment"], "self-hosted");
}

#[test]
fn bad_design_names_file_line_and_expectation() {
    let dir = tempdir("bad-design");
    let path = dir.join("bad.toml");
    std::fs::write(&path, "[[site]]\nname = \"a\"\nrole = \"primary\"\n\n[[host]]\nname = \"a1\"\nsite = \"a\"\nspm_priority = 12\n").unwrap();
    let output = crate::support::run_in(&dir, &["inventory", "bad.toml"]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("bad.toml:8:16"), "{err}");
    assert!(err.contains("expected -1..=10"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn gen_is_byte_identical_for_a_seed_and_loads() {
    let a = run(&["gen", "--hosts", "20", "--vms", "300", "--seed", "9"]);
    let b = run(&["gen", "--hosts", "20", "--vms", "300", "--seed", "9"]);
    let c = run(&["gen", "--hosts", "20", "--vms", "300", "--seed", "10"]);
    assert_eq!(a.status.code(), Some(0));
    assert_eq!(a.stdout, b.stdout);
    assert_ne!(a.stdout, c.stdout);
    let dir = tempdir("gen");
    let path = dir.join("gen.toml");
    std::fs::write(&path, &a.stdout).unwrap();
    let output = crate::support::run_in(&dir, &["inventory", "gen.toml"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stdout(&output).contains("20 hosts, 300 VMs"),
        "{}",
        stdout(&output)
    );
}

/// A fresh directory under the target dir for one test's files.
fn tempdir(name: &str) -> std::path::PathBuf {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn skipped_references_are_warned_once_and_shown() {
    let output = run(&["inventory", "fixtures/exports/dangling_refs"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let warnings: Vec<String> = stderr(&output)
        .lines()
        .filter(|l| l.starts_with("warning:"))
        .map(str::to_string)
        .collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("to entities the export does not hold were skipped: clusters (1)"),
        "{}",
        warnings[0]
    );
    assert!(
        stdout(&output).contains(&warnings[0]),
        "{}",
        stdout(&output)
    );
    let output = run(&[
        "inventory",
        "fixtures/exports/dangling_refs",
        "--format",
        "json",
    ]);
    let json: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert!(
        json["missing_references"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["collection"] == "clusters" && m["references"] == 1)
    );
    // A complete export loads without the warning.
    let output = run(&["inventory", "fixtures/exports/dr_primary"]);
    assert!(!stderr(&output).contains("warning:"), "{}", stderr(&output));
    assert!(
        stdout(&output).contains(
            "roles 3, AAA domains 2, templates 2, direct LUN disks 1, snapshots in preview 1"
        ),
        "{}",
        stdout(&output)
    );
}

#[test]
fn a_gluster_volumes_cluster_is_given_by_name() {
    let output = run(&[
        "inventory",
        "fixtures/exports/gluster_hci_json",
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let value: serde_json::Value = serde_json::from_str(&stdout(&output)).unwrap();
    let volumes: Vec<&serde_json::Value> = value["storage_domains"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d.get("gluster").filter(|g| !g.is_null()))
        .collect();
    assert!(!volumes.is_empty());
    for volume in volumes {
        assert_eq!(volume["cluster"], "hci", "{volume}");
    }
}
