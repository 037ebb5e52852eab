//! A measurement, not a test that runs by default: requests and wall time of a fetch from a
//! large stand-in engine (10,000 VMs, 150 ms per response) that follows links, and from one
//! that ignores `follow`. BENCHMARKS.md quotes its output. Run it with
//!
//! ```text
//! cargo test -p stretchdr-model --test live_scale -- --ignored --nocapture
//! ```
//!
//! `STRETCHDR_SCALE_VMS` and `STRETCHDR_SCALE_LATENCY_MS` change the size and the latency;
//! `STRETCHDR_SCALE_MODES=honour` (or `ignore`) measures one engine only.

mod live_support;

use std::time::{Duration, Instant};

use stretchdr_model::live::fetch_to_dir;

use live_support::{Behaviour, FakeEngine, Follow, TempDir, synthetic_export};

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
#[ignore = "a measurement of minutes against a slow stand-in engine; run with --ignored --nocapture"]
fn fetch_a_large_slow_engine_with_and_without_follow() {
    let vms = env_number("STRETCHDR_SCALE_VMS", 10_000) as usize;
    let latency = Duration::from_millis(env_number("STRETCHDR_SCALE_LATENCY_MS", 150));
    let dir = TempDir::new("scale");
    let export = dir.path().join("engine");
    synthetic_export(&export, vms);
    let modes = std::env::var("STRETCHDR_SCALE_MODES").unwrap_or_default();
    let mut loaded = Vec::new();
    for follow in [Follow::Honour, Follow::Ignore] {
        let name = format!("{follow:?}").to_lowercase();
        if !modes.is_empty() && !modes.split(',').any(|m| name.starts_with(m)) {
            continue;
        }
        let mut behaviour = Behaviour::capture();
        behaviour.export = export.clone();
        behaviour.follow = follow;
        behaviour.latency = Some(latency);
        behaviour.lifetime = Duration::from_secs(3600);
        let engine = FakeEngine::start(behaviour);
        let mut options = engine.options(dir.path());
        options.read_timeout = Duration::from_secs(120);
        let out = dir.path().join(format!("{follow:?}"));
        let started = Instant::now();
        let summary = fetch_to_dir(&options, &out).unwrap();
        let elapsed = started.elapsed();
        println!(
            "{vms} VMs, {} ms per response, 4 in flight, engine {follow:?}s follow: {} requests ({} GETs), {:.1} s",
            latency.as_millis(),
            summary.requests,
            engine.api_gets(),
            elapsed.as_secs_f64()
        );
        print!("{summary}");
        assert_eq!(summary.requests, engine.requests().len());
        let inventory = stretchdr_model::export::load_export(&out).unwrap();
        assert_eq!(inventory.vms.len(), vms);
        loaded.push(inventory);
    }
    let disks = |i: &stretchdr_model::Inventory| {
        i.vms
            .values()
            .map(|vm| (vm.name.clone(), vm.disks.len(), vm.networks.len()))
            .collect::<Vec<_>>()
    };
    if let [first, second] = loaded.as_slice() {
        assert_eq!(disks(first), disks(second));
    }
}
