//! CLI tests of `stretchdr fetch`. The fetch itself is tested against an HTTPS fake engine
//! in `model/tests/live_fetch.rs`; these check the command's flags, its errors and that the
//! password never reaches stdout or stderr. No network beyond 127.0.0.1.

use std::io::Write;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Output};
use std::thread;
use std::time::Duration;

use crate::support::{root, stderr, stdout};

const SECRET: &str = "Cli-Secret-4242";

/// Runs `stretchdr` with `args`, the password in `OVIRT_PASSWORD` when `password` is set,
/// and no other oVirt variables from the environment.
fn fetch(args: &[&str], password: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_stretchdr"));
    command
        .arg("fetch")
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env_remove("OVIRT_USERNAME")
        .env_remove("OVIRT_PASSWORD");
    if let Some(password) = password {
        command.env("OVIRT_PASSWORD", password);
    }
    command.output().expect("the stretchdr binary runs")
}

fn out_dir(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("stretchdr-cli-fetch-{name}-{}", std::process::id()))
}

/// An address with nothing listening. Every server in these tests listens on
/// 127.0.0.1, so a port freed there may be taken by a concurrent test before
/// it is dialled; on Linux the whole of 127.0.0.0/8 is loopback, and nothing
/// here listens on 127.0.0.2.
fn closed_address() -> String {
    let listener = TcpListener::bind("127.0.0.2:0")
        .or_else(|_| TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    listener.local_addr().unwrap().to_string()
}

fn assert_no_secret(output: &Output) {
    assert!(
        !stdout(output).contains(SECRET),
        "stdout: {}",
        stdout(output)
    );
    assert!(
        !stderr(output).contains(SECRET),
        "stderr: {}",
        stderr(output)
    );
}

#[test]
fn help_offers_no_password_flag() {
    let output = fetch(&["--help"], None);
    assert!(output.status.success());
    let help = stdout(&output);
    for flag in [
        "--engine",
        "--ca-file",
        "--insecure",
        "--user",
        "--password-file",
        "--out",
    ] {
        assert!(help.contains(flag), "{flag} missing from\n{help}");
    }
    assert!(!help.contains("--password "), "{help}");
    assert!(help.contains("pki-resource"), "{help}");
}

#[test]
fn a_password_on_the_command_line_is_refused_without_echoing_it() {
    let output = fetch(
        &[
            "--engine",
            "https://127.0.0.1:1",
            "--out",
            "x",
            "--password",
            SECRET,
        ],
        None,
    );
    assert_eq!(output.status.code(), Some(2));
    assert_no_secret(&output);
}

#[test]
fn no_password_and_no_terminal_says_where_a_password_may_come_from() {
    let out = out_dir("no-password");
    let args = [
        "--engine",
        "https://127.0.0.1:1",
        "--user",
        "admin@internal",
        "--out",
    ];
    let output = fetch(&[&args[..], &[out.to_str().unwrap()]].concat(), None);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(
        err.contains("OVIRT_PASSWORD") && err.contains("--password-file"),
        "{err}"
    );
    assert!(!out.exists());
}

#[test]
fn an_unreachable_engine_is_named_and_the_password_not_shown() {
    let out = out_dir("unreachable");
    let engine = format!("https://{}", closed_address());
    let args = ["--engine", &engine, "--user", "admin@internal", "--out"];
    let output = fetch(
        &[&args[..], &[out.to_str().unwrap()]].concat(),
        Some(SECRET),
    );
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("cannot reach the engine"), "{err}");
    assert!(err.contains(&engine), "{err}");
    assert_no_secret(&output);
    assert!(!out.exists());
}

#[test]
fn insecure_prints_a_loud_warning() {
    let out = out_dir("insecure");
    let engine = format!("https://{}", closed_address());
    let args = ["--engine", &engine, "--insecure", "--user", "u", "--out"];
    let output = fetch(
        &[&args[..], &[out.to_str().unwrap()]].concat(),
        Some(SECRET),
    );
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("WARNING: --insecure"), "{err}");
    assert!(err.contains("--ca-file"), "{err}");
    assert_no_secret(&output);
}

#[test]
fn a_server_that_does_not_speak_tls_is_a_tls_failure() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    // Answers each connection in plain HTTP, a few times at most, then stops.
    let server = thread::spawn(move || {
        listener.set_nonblocking(false).unwrap();
        for _ in 0..3 {
            let Ok((mut stream, _)) = listener.accept() else {
                return;
            };
            let _ = stream.set_write_timeout(Some(Duration::from_secs(2)));
            let _ = stream.write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n");
        }
    });
    let out = out_dir("plain-http");
    let engine = format!("https://127.0.0.1:{port}/ovirt-engine");
    let args = ["--engine", &engine, "--user", "u", "--out"];
    let output = fetch(
        &[&args[..], &[out.to_str().unwrap()]].concat(),
        Some(SECRET),
    );
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("TLS"), "{err}");
    assert_no_secret(&output);
    drop(server);
}

#[test]
fn plain_http_engines_are_refused() {
    let output = fetch(
        &[
            "--engine",
            "http://127.0.0.1:1",
            "--user",
            "u",
            "--out",
            "x",
        ],
        Some(SECRET),
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("https"), "{}", stderr(&output));
}

use crate::live_support::{Behaviour, FakeEngine, PASSWORD, TempDir, USER};

/// `inventory --engine` reads the live engine (credentials from the environment) and prints
/// the same inventory as the export of that engine.
#[test]
fn inventory_of_a_live_engine_matches_its_export() {
    let engine = FakeEngine::start(Behaviour::capture());
    let dir = TempDir::new("cli-inventory-engine");
    let ca_file = dir.path().join("engine-ca.pem");
    std::fs::write(&ca_file, &engine.ca.pem).unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_stretchdr"))
        .args([
            "inventory",
            "--format",
            "json",
            "--engine",
            &engine.url(),
            "--ca-file",
        ])
        .arg(&ca_file)
        .env("OVIRT_USERNAME", USER)
        .env("OVIRT_PASSWORD", PASSWORD)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let (out, err) = (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    );
    assert_eq!(output.status.code(), Some(0), "{err}");
    assert!(!out.contains(PASSWORD) && !err.contains(PASSWORD));
    let export = crate::support::run(&[
        "inventory",
        "--format",
        "json",
        "fixtures/exports/miq_ovirt_lans_refresh_json",
    ]);
    let live: serde_json::Value = serde_json::from_str(&out).unwrap();
    let exported: serde_json::Value =
        serde_json::from_str(&crate::support::stdout(&export)).unwrap();
    for key in [
        "hosts",
        "vms",
        "clusters",
        "storage_domains",
        "networks",
        "data_centers",
    ] {
        assert_eq!(live[key], exported[key], "{key} differs");
    }
    assert!(
        engine
            .requests()
            .iter()
            .all(|r| r.method == "GET" || r.target.ends_with("/sso/oauth/token"))
    );
}

/// `sim --engine` simulates the scenario's events against the live engine's inventory.
#[test]
fn sim_against_a_live_engine() {
    let engine = FakeEngine::start(Behaviour::capture());
    let dir = TempDir::new("cli-sim-engine");
    let ca_file = dir.path().join("engine-ca.pem");
    std::fs::write(&ca_file, &engine.ca.pem).unwrap();
    let scenario = dir.path().join("host-loss.toml");
    std::fs::write(
        &scenario,
        "[scenario]\nname = \"bodh2 lost\"\ndesign = \"unused.toml\"\nseed = 1\n\n[[event]]\nat = \"0s\"\nfail = \"host:bodh2\"\n",
    )
    .unwrap();
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_stretchdr"))
        .args([
            "sim",
            "--format",
            "json",
            "--engine",
            &engine.url(),
            "--ca-file",
        ])
        .arg(&ca_file)
        .arg(&scenario)
        .env("OVIRT_USERNAME", USER)
        .env("OVIRT_PASSWORD", PASSWORD)
        .output()
        .unwrap();
    let (out, err) = (
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    );
    assert_eq!(output.status.code(), Some(0), "{err}");
    assert!(!out.contains(PASSWORD) && !err.contains(PASSWORD));
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["summary"]["vms"], 5, "{out}");
}

/// `stretchdr fetch` against an engine that echoes the bearer token and the password into
/// what it sends: the error shows neither, in any encoding, and nothing is written.
#[test]
fn fetch_from_an_engine_echoing_the_token_shows_no_secret() {
    use crate::live_support::hostile::{HostileEngine, Mode, TOKEN};
    for mode in [Mode::TokenInIds, Mode::EchoSecrets] {
        let engine = HostileEngine::start(mode);
        let dir = TempDir::new(&format!("cli-fetch-hostile-{mode:?}"));
        let ca_file = dir.path().join("hostile-ca.pem");
        std::fs::write(&ca_file, &engine.ca.pem).unwrap();
        let out = dir.path().join("out");
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_stretchdr"))
            .args(["fetch", "--engine"])
            .arg(format!("https://127.0.0.1:{}", engine.addr.port()))
            .arg("--ca-file")
            .arg(&ca_file)
            .arg("--out")
            .arg(&out)
            .env("OVIRT_USERNAME", USER)
            .env("OVIRT_PASSWORD", PASSWORD)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{mode:?}");
        let shown = format!("{}{}", stdout(&output), stderr(&output));
        assert!(shown.contains("***"), "{mode:?}: {shown}");
        for secret in [PASSWORD, TOKEN, "Zebra-7731+%26%3D%25%2Bsecret"] {
            assert!(
                !shown.contains(secret),
                "{mode:?} shows {secret:?}: {shown}"
            );
        }
        assert!(!out.exists(), "{mode:?}: nothing is written");
    }
}

#[test]
fn an_out_holding_an_export_is_refused_before_a_password_is_asked_for() {
    let out = out_dir("existing-export");
    std::fs::create_dir_all(out.join("api")).unwrap();
    let args = ["--engine", "https://127.0.0.1:1", "--user", "u", "--out"];
    let output = fetch(&[&args[..], &[out.to_str().unwrap()]].concat(), None);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("exists already"), "{err}");
    assert!(!err.contains("OVIRT_PASSWORD"), "{err}");
    std::fs::remove_dir_all(&out).unwrap();
}
