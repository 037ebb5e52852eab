//! Fetching from a live engine, against a local HTTPS fake engine serving a recorded one.

mod live_support;

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;
use stretchdr_model::Inventory;
use stretchdr_model::export::load_export;
use stretchdr_model::live::{
    Credentials, LiveError, Password, RetryPolicy, Trust, fetch_inventory, fetch_to_dir,
};

use live_support::{Behaviour, FakeEngine, PASSWORD, Recorded, TempDir, TestCa, capture_json};

/// Every file under `dir`, relative path and bytes.
fn files_under(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        for entry in std::fs::read_dir(&current).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let relative = path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.push((relative, std::fs::read(&path).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// The entities of an inventory as JSON, without origins (file ids and lines depend on
/// which other files were read).
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

fn is_token_post(request: &Recorded) -> bool {
    request.method == "POST" && request.target == "/ovirt-engine/sso/oauth/token"
}

/// Only GETs and the token POST reached the engine.
fn assert_read_only(requests: &[Recorded]) {
    assert!(!requests.is_empty());
    for request in requests {
        assert!(
            request.method == "GET" || is_token_post(request),
            "{} {} was sent",
            request.method,
            request.target
        );
    }
}

#[test]
fn fetch_writes_the_engine_responses_byte_for_byte() {
    let engine = FakeEngine::start(Behaviour::capture());
    let dir = TempDir::new("bytes");
    let out = dir.path().join("export");
    let summary = fetch_to_dir(&engine.options(dir.path()), &out).unwrap();

    let written = files_under(&out);
    for (relative, body) in &written {
        if relative == "api.json" {
            continue;
        }
        // Roles and AAA domains come from the engine's own (`fixtures/live/api/`).
        let recorded = std::fs::read(capture_json().join(relative))
            .or_else(|_| std::fs::read(live_support::fixtures().join("live").join(relative)));
        match recorded {
            Ok(recorded) => assert!(recorded == *body, "{relative} differs from the engine's"),
            Err(_) => assert_eq!(body.as_slice(), b"{}", "{relative}"),
        }
    }
    let names: Vec<&str> = written.iter().map(|(name, _)| name.as_str()).collect();
    for expected in [
        "api.json",
        "api/vms.json",
        "api/affinitylabels.json",
        "api/datacenters/944df9ee-3274-43c4-908f-8c35e59e483b/storagedomains.json",
        "api/vms/21f55c51-a9ed-489e-a8b9-1b7cf921f5a6/nics.json",
        "api/vms/21f55c51-a9ed-489e-a8b9-1b7cf921f5a6/diskattachments.json",
        "api/vms/21f55c51-a9ed-489e-a8b9-1b7cf921f5a6/snapshots.json",
        "api/roles.json",
        "api/domains.json",
        "api/templates.json",
        "api/templates/00000000-0000-0000-0000-000000000000/diskattachments.json",
    ] {
        assert!(
            names.contains(&expected),
            "{expected} missing from {names:?}"
        );
    }
    assert_eq!(summary.responses, written.len());
    let count = |name: &str| {
        summary
            .collections
            .iter()
            .find(|c| c.collection == name)
            .map(|c| (c.requests, c.entities))
    };
    assert_eq!(count("vms"), Some((1, 5)));
    assert_eq!(count("hosts"), Some((1, 2)));
    assert_eq!(count("clusters"), Some((1, 3)));
    assert_eq!(count("storagedomains"), Some((1, 8)));
    assert_eq!(count("affinitylabels"), Some((1, 0)));
    assert_eq!(count("vms/*/nics").map(|(requests, _)| requests), Some(5));
    assert_eq!(count("clusters/*/affinitygroups"), Some((3, 0)));
    assert_eq!(count("roles"), Some((1, 4)));
    assert_eq!(count("domains"), Some((1, 2)));
    assert_eq!(count("templates"), Some((1, 5)));
    assert_eq!(
        count("vms/*/snapshots").map(|(requests, _)| requests),
        Some(5)
    );
    assert_eq!(
        count("templates/*/diskattachments").map(|(requests, _)| requests),
        Some(5)
    );
    // Clusters without the gluster service hold no gluster volumes: none is asked for.
    assert_eq!(count("clusters/*/glustervolumes"), Some((0, 0)));
    assert_eq!(
        summary.product.as_deref(),
        Some("oVirt Engine 4.3.6.7-1.el7")
    );
    let shown = summary.to_string();
    assert!(shown.contains("vms/*/diskattachments"), "{shown}");

    assert_read_only(&engine.requests());
}

#[test]
fn fetched_inventory_is_the_inventory_of_the_export() {
    let engine = FakeEngine::start(Behaviour::capture());
    let dir = TempDir::new("inventory");
    let live = fetch_inventory(&engine.options(dir.path())).unwrap();
    let export = load_export(&capture_json()).unwrap();
    assert_eq!(live.vms.len(), 5);
    assert_eq!(entities(&live), entities(&export));
    // The API root, which the recording lacks, gives the engine's version.
    assert_eq!(live.engine.version.as_deref(), Some("4.3.6.7-1.el7"));
    assert_read_only(&engine.requests());
}

#[test]
fn every_get_carries_the_token_and_asks_for_json_v4() {
    let engine = FakeEngine::start(Behaviour::capture());
    let dir = TempDir::new("token");
    fetch_to_dir(&engine.options(dir.path()), &dir.path().join("out")).unwrap();
    let requests = engine.requests();
    assert!(is_token_post(&requests[0]), "{:?}", requests[0].target);
    let form = &requests[0].body;
    assert!(form.contains("grant_type=password"), "{form}");
    assert!(form.contains("scope=ovirt-app-api"), "{form}");
    assert!(form.contains("username=admin%40internal"), "{form}");
    assert_eq!(
        requests.iter().filter(|r| is_token_post(r)).count(),
        1,
        "one token for the whole fetch"
    );
    for request in requests.iter().filter(|r| r.method == "GET") {
        assert_eq!(request.header("authorization"), Some("Bearer token-1"));
        assert_eq!(request.header("accept"), Some("application/json"));
        assert_eq!(request.header("version"), Some("4"));
    }
}

#[test]
fn a_revoked_token_is_renewed_once() {
    let mut behaviour = Behaviour::capture();
    behaviour.revoke_tokens_after = Some(4);
    let engine = FakeEngine::start(behaviour);
    let dir = TempDir::new("renew");
    let inventory = fetch_inventory(&engine.options(dir.path())).unwrap();
    assert_eq!(inventory.vms.len(), 5);
    assert_eq!(engine.tokens_issued(), 2);
    let requests = engine.requests();
    assert!(
        requests
            .iter()
            .any(|r| r.header("authorization") == Some("Bearer token-2"))
    );
    assert_read_only(&requests);
}

#[test]
fn an_unknown_ca_says_to_pass_the_engine_ca() {
    let engine = FakeEngine::start(Behaviour::capture());
    let dir = TempDir::new("wrong-ca");
    let mut options = engine.options(dir.path());
    let other = dir.path().join("other-ca.pem");
    std::fs::write(&other, TestCa::new("some other CA").pem).unwrap();
    options.trust = Trust::CaFile(other);
    let error = fetch_inventory(&options).unwrap_err();
    assert!(matches!(error, LiveError::UnknownCa { .. }), "{error:?}");
    let message = error.to_string();
    assert!(message.contains("--ca-file"), "{message}");
    assert!(
        message.contains(
            "/ovirt-engine/services/pki-resource?resource=ca-certificate&format=X509-PEM-CA"
        ),
        "{message}"
    );
    // A certificate problem does not pass by retrying.
    assert!(engine.requests().is_empty());
}

#[test]
fn the_system_roots_do_not_trust_the_engine_ca_and_insecure_does() {
    let engine = FakeEngine::start(Behaviour::capture());
    let dir = TempDir::new("system-roots");
    let mut options = engine.options(dir.path());
    options.trust = Trust::System;
    let error = fetch_inventory(&options).unwrap_err();
    assert!(error.to_string().contains("--ca-file"), "{error}");
    options.trust = Trust::Insecure;
    assert_eq!(fetch_inventory(&options).unwrap().hosts.len(), 2);
}

#[test]
fn a_wrong_password_is_reported_as_such_without_the_password() {
    let engine = FakeEngine::start(Behaviour::capture());
    let dir = TempDir::new("wrong-password");
    let mut options = engine.options(dir.path());
    let wrong = "not-the-Zebra-password";
    options.credentials = Credentials::new("admin@internal", Password::new(wrong));
    let out = dir.path().join("out");
    let error = fetch_to_dir(&options, &out).unwrap_err();
    assert!(
        matches!(error, LiveError::BadCredentials { .. }),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(message.contains("admin@internal"), "{message}");
    assert!(
        message.contains("username or password is incorrect"),
        "{message}"
    );
    assert!(!message.contains(wrong) && !format!("{error:?}").contains(wrong));
    assert!(!out.exists(), "nothing is written when the fetch fails");
    // 4xx is not retried.
    assert_eq!(engine.requests().len(), 1);
}

#[test]
fn server_errors_are_retried_then_succeed() {
    let mut behaviour = Behaviour::capture();
    behaviour.server_errors.insert("vms".to_string(), 2);
    behaviour.server_errors.insert(String::new(), 1);
    let engine = FakeEngine::start(behaviour);
    let dir = TempDir::new("retry");
    let inventory = fetch_inventory(&engine.options(dir.path())).unwrap();
    assert_eq!(inventory.vms.len(), 5);
    let gets = |target: &str| {
        engine
            .requests()
            .iter()
            .filter(|r| r.method == "GET" && r.path() == target)
            .count()
    };
    assert_eq!(gets("/ovirt-engine/api/vms"), 3);
    assert_eq!(gets("/ovirt-engine/api"), 2);
}

#[test]
fn server_errors_that_persist_fail_after_the_bounded_tries() {
    let mut behaviour = Behaviour::capture();
    behaviour.server_errors.insert("hosts".to_string(), 100);
    let engine = FakeEngine::start(behaviour);
    let dir = TempDir::new("retry-exhausted");
    let error = fetch_inventory(&engine.options(dir.path())).unwrap_err();
    assert!(
        matches!(
            error,
            LiveError::Http {
                status: 500,
                tries: 3,
                ..
            }
        ),
        "{error:?}"
    );
    let hosts = engine
        .requests()
        .iter()
        .filter(|r| r.path() == "/ovirt-engine/api/hosts")
        .count();
    assert_eq!(hosts, 3);
}

#[test]
fn a_slow_engine_hits_the_read_timeout() {
    let mut behaviour = Behaviour::capture();
    behaviour.slow = Some(("clusters".to_string(), Duration::from_millis(1500)));
    let engine = FakeEngine::start(behaviour);
    let dir = TempDir::new("slow");
    let mut options = engine.options(dir.path());
    options.read_timeout = Duration::from_millis(250);
    options.retry = RetryPolicy {
        tries: 2,
        first_backoff: Duration::from_millis(10),
    };
    let started = Instant::now();
    let error = fetch_inventory(&options).unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert!(matches!(error, LiveError::Timeout { .. }), "{error:?}");
    assert!(
        error.to_string().contains("/ovirt-engine/api/clusters"),
        "{error}"
    );
}

#[test]
fn a_collection_the_user_may_not_read_fails_the_fetch_naming_it() {
    let mut behaviour = Behaviour::capture();
    behaviour.forbidden.push("affinitylabels".to_string());
    let engine = FakeEngine::start(behaviour);
    let dir = TempDir::new("forbidden");
    let out = dir.path().join("out");
    let error = fetch_to_dir(&engine.options(dir.path()), &out).unwrap_err();
    assert!(
        matches!(error, LiveError::NotReadable { status: 403, .. }),
        "{error:?}"
    );
    assert!(
        error
            .to_string()
            .contains("/ovirt-engine/api/affinitylabels"),
        "{error}"
    );
    assert!(!out.exists());
}

#[test]
fn a_web_server_that_is_not_an_engine_is_named_so() {
    let mut behaviour = Behaviour::capture();
    behaviour.not_ovirt = true;
    let engine = FakeEngine::start(behaviour);
    let dir = TempDir::new("not-ovirt");
    let error = fetch_inventory(&engine.options(dir.path())).unwrap_err();
    assert!(matches!(error, LiveError::NotOvirt { .. }), "{error:?}");
    assert!(error.to_string().contains("text/html"), "{error}");
}

#[test]
fn a_closed_port_is_unreachable() {
    let dir = TempDir::new("closed");
    // The fake engines of the concurrent tests listen on 127.0.0.1 and may
    // take a port freed there before it is dialled; on Linux all of
    // 127.0.0.0/8 is loopback and nothing here listens on 127.0.0.2.
    let address = std::net::TcpListener::bind("127.0.0.2:0")
        .or_else(|_| std::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap()
        .local_addr()
        .unwrap();
    let engine = FakeEngine::start(Behaviour::capture());
    let mut options = engine.options(dir.path());
    options.engine = format!("https://{address}/ovirt-engine/api");
    let error = fetch_inventory(&options).unwrap_err();
    assert!(matches!(error, LiveError::Unreachable { .. }), "{error:?}");
    assert!(error.to_string().contains(&address.to_string()), "{error}");
}

#[test]
fn an_existing_export_is_not_overwritten() {
    let engine = FakeEngine::start(Behaviour::capture());
    let dir = TempDir::new("existing");
    let out = dir.path().join("out");
    std::fs::create_dir_all(out.join("api")).unwrap();
    let error = fetch_to_dir(&engine.options(dir.path()), &out).unwrap_err();
    assert!(matches!(error, LiveError::Output { .. }), "{error:?}");
    assert!(
        engine.requests().is_empty(),
        "refused before asking the engine"
    );
}

#[test]
fn the_password_appears_in_no_file_error_or_debug_output() {
    let engine = FakeEngine::start(Behaviour::capture());
    let dir = TempDir::new("no-password");
    let options = engine.options(dir.path());
    let out = dir.path().join("out");
    fetch_to_dir(&options, &out).unwrap();
    for (relative, body) in files_under(&out) {
        let text = String::from_utf8_lossy(&body);
        assert!(!text.contains(PASSWORD), "{relative} holds the password");
    }
    assert!(!format!("{options:?}").contains(PASSWORD));
    // The password went only into the token request's form.
    for request in engine.requests() {
        let raw = format!("{request:?}");
        let encoded = "Zebra-7731+%26%3D%25%2Bsecret";
        if is_token_post(&request) {
            assert!(request.body.contains(encoded), "{}", request.body);
        } else {
            assert!(!raw.contains("Zebra"), "{raw}");
        }
    }
    // Failures of every kind: none repeats it.
    let mut failing = options.clone();
    failing.read_timeout = Duration::from_millis(200);
    failing.engine = "https://user:Zebra-7731@127.0.0.1:1".to_string();
    let error = fetch_inventory(&failing).unwrap_err();
    assert!(!format!("{error} {error:?}").contains("Zebra"), "{error}");
}
