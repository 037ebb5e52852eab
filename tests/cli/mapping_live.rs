//! CLI tests of `stretchdr mapping` against two live engines, each with its own CA, user and
//! password: the stand-in HTTPS engine of the live-fetch tests, on 127.0.0.1 only.

use std::process::{Command, Output};

use crate::live_support::{Behaviour, FakeEngine, TempDir};

/// An engine that lets in `user` with `password` only.
fn engine(user: &str, password: &str) -> FakeEngine {
    let mut behaviour = Behaviour::capture();
    behaviour.user = user.to_string();
    behaviour.password = password.to_string();
    FakeEngine::start(behaviour)
}

/// `stretchdr mapping generate` with `args` and only the variables `vars` of OVIRT_*.
fn generate(args: &[&str], vars: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_stretchdr"));
    command
        .args(["mapping", "generate"])
        .args(args)
        .env("NO_COLOR", "1");
    for name in [
        "OVIRT_USERNAME",
        "OVIRT_PASSWORD",
        "OVIRT_PRIMARY_USERNAME",
        "OVIRT_PRIMARY_PASSWORD",
        "OVIRT_SECONDARY_USERNAME",
        "OVIRT_SECONDARY_PASSWORD",
    ] {
        command.env_remove(name);
    }
    for (name, value) in vars {
        command.env(name, value);
    }
    command.output().unwrap()
}

#[test]
fn each_engine_is_reached_with_its_own_ca_user_and_password() {
    let primary = engine("admin@internal", "Primary-Secret-1");
    let secondary = engine("dr-admin@internal", "Secondary-Secret-2");
    let dir = TempDir::new("cli-mapping-two-engines");
    let (primary_ca, secondary_ca) = (dir.path().join("a.pem"), dir.path().join("b.pem"));
    std::fs::write(&primary_ca, &primary.ca.pem).unwrap();
    std::fs::write(&secondary_ca, &secondary.ca.pem).unwrap();
    let (primary_url, secondary_url) = (primary.url(), secondary.url());
    let args = [
        "--primary",
        primary_url.as_str(),
        "--secondary",
        secondary_url.as_str(),
        "--primary-ca-file",
        primary_ca.to_str().unwrap(),
        "--secondary-ca-file",
        secondary_ca.to_str().unwrap(),
        "--secondary-user",
        "dr-admin@internal",
    ];
    let vars = [
        ("OVIRT_USERNAME", "admin@internal"),
        ("OVIRT_PASSWORD", "Primary-Secret-1"),
        ("OVIRT_SECONDARY_PASSWORD", "Secondary-Secret-2"),
    ];
    let output = generate(&args, &vars);
    let (out, err) = (
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr),
    );
    assert_eq!(output.status.code(), Some(0), "{err}");
    assert!(out.contains("dr_sites_primary_url"), "{out}");
    for secret in ["Primary-Secret-1", "Secondary-Secret-2"] {
        assert!(!out.contains(secret) && !err.contains(secret));
    }
    assert!(primary.tokens_issued() > 0 && secondary.tokens_issued() > 0);

    // The shared CA file for both: the secondary's certificate is not trusted, and the
    // error says which site it was.
    let mut shared_ca = args.to_vec();
    shared_ca.splice(4..8, ["--ca-file", primary_ca.to_str().unwrap()]);
    let output = generate(&shared_ca, &vars);
    let err = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{err}");
    assert!(err.contains("the secondary site"), "{err}");
    // Without the secondary's own password, the shared one is refused by its engine.
    let output = generate(&args, &vars[..2]);
    let err = String::from_utf8_lossy(&output.stderr);
    assert_ne!(output.status.code(), Some(0), "{err}");
    assert!(err.contains("the secondary site"), "{err}");
    assert!(!err.contains("Primary-Secret-1"), "{err}");
}
