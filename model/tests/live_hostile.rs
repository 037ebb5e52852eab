//! The live client against a hostile stand-in engine: every attack ends in a clean error,
//! within the response limits, with no secret in any form in what is shown.

mod live_support;

use live_support::hostile::{HostileEngine, Mode, TOKEN};
use live_support::{PASSWORD, TempDir};
use stretchdr_model::live::{LiveError, fetch_inventory, fetch_to_dir};

/// Fetches from a hostile engine in `mode` and returns the error, checked to hold no form
/// of the password or the token.
fn attack(mode: Mode) -> LiveError {
    let engine = HostileEngine::start(mode);
    let dir = TempDir::new(&format!("hostile-{mode:?}"));
    let options = engine.options(dir.path());
    let error = fetch_inventory(&options).expect_err("a hostile engine must fail the fetch");
    let shown = format!("{error} {error:?}");
    for secret in [
        PASSWORD,
        "Zebra-7731+%26%3D%25%2Bsecret",
        "Zebra-7731%20%26%3D%25%2Bsecret",
        "7731 &=%+",
        TOKEN,
    ] {
        assert!(
            !shown.contains(secret),
            "{mode:?} shows {secret:?}: {shown}"
        );
    }
    assert!(
        !shown.contains('\u{1b}'),
        "{mode:?}: raw escape in {shown:?}"
    );
    // Nothing was written: the output directory does not hold an export.
    let out = dir.path().join("out");
    assert!(fetch_to_dir(&options, &out).is_err());
    assert!(!out.join("api").exists());
    error
}

#[test]
fn an_endless_body_ends_at_the_response_limit() {
    let error = attack(Mode::EndlessBody);
    assert!(matches!(error, LiveError::TooLarge { .. }), "{error}");
    assert!(
        error.to_string().contains("STRETCHDR_MAX_FILE_SIZE"),
        "{error}"
    );
}

#[test]
fn a_huge_content_length_is_refused_before_reading() {
    let error = attack(Mode::HugeContentLength);
    assert!(matches!(error, LiveError::TooLarge { .. }), "{error}");
}

#[test]
fn echoed_password_and_token_are_scrubbed() {
    let error = attack(Mode::EchoSecrets);
    assert!(
        matches!(error, LiveError::Http { status: 500, .. }),
        "{error}"
    );
    assert!(error.to_string().contains("***"), "{error}");
    let error = attack(Mode::EchoPassword);
    assert!(matches!(error, LiveError::BadCredentials { .. }), "{error}");
    assert!(error.to_string().contains("***"), "{error}");
}

#[test]
fn a_slow_drip_ends_at_the_read_timeout() {
    let error = attack(Mode::SlowDrip);
    assert!(matches!(error, LiveError::Timeout { .. }), "{error}");
}

#[test]
fn a_compressed_body_not_asked_for_is_refused() {
    let error = attack(Mode::GzipBomb);
    assert!(error.to_string().contains("compressed"), "{error}");
}

#[test]
fn an_api_root_that_is_not_json_ends_the_fetch() {
    let error = attack(Mode::NonJsonRoot);
    assert!(matches!(error, LiveError::NotOvirt { .. }), "{error}");
    assert!(error.to_string().contains("invalid JSON"), "{error}");
}

#[test]
fn a_token_echoed_in_entities_is_scrubbed_from_fetch_and_load_errors() {
    // The fetch refuses the id, quoting it.
    let error = attack(Mode::TokenInIds);
    assert!(matches!(error, LiveError::NotOvirt { .. }), "{error}");
    assert!(error.to_string().contains("usable id"), "{error}");
    assert!(error.to_string().contains("***"), "{error}");
    // The loader refuses the memory, quoting the line the engine sent. (`fetch` writes the
    // export as sent: it is the loader reading it that fails.)
    let engine = HostileEngine::start(Mode::TokenInValues);
    let dir = TempDir::new("hostile-token-in-values");
    let error = fetch_inventory(&engine.options(dir.path())).expect_err("memory is no number");
    assert!(matches!(error, LiveError::Load(_)), "{error:?}");
    let shown = format!("{error} {error:?}");
    assert!(shown.contains("***"), "{shown}");
    for secret in [PASSWORD, TOKEN] {
        assert!(!shown.contains(secret), "shows {secret:?}: {shown}");
    }
}
