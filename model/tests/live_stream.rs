//! `fetch` streams a huge response to its file and reads it back one entity at a time: the
//! process's peak memory grows by far less than the response. Alone in its test binary, so
//! nothing else running moves the peak.

mod live_support;

use live_support::TempDir;
use live_support::hostile::{HUGE_COLLECTION_BYTES, HUGE_DISK_BYTES, HostileEngine, Mode};
use stretchdr_model::live::fetch_to_dir;

/// A field of `/proc/self/status` in bytes (`VmRSS`, `VmHWM`), on Linux.
fn status_bytes(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

#[test]
fn a_huge_collection_is_written_with_bounded_memory() {
    let engine = HostileEngine::start(Mode::HugeCollection);
    let dir = TempDir::new("stream");
    let mut options = engine.options(dir.path());
    options.max_response_bytes = 1 << 30;
    options.max_total_bytes = 1 << 30;
    options.read_timeout = std::time::Duration::from_secs(120);
    let out = dir.path().join("out");
    let before = status_bytes("VmRSS:");
    let summary = fetch_to_dir(&options, &out).unwrap();
    let peak = status_bytes("VmHWM:");

    let disks = summary
        .collections
        .iter()
        .find(|c| c.collection == "disks")
        .unwrap();
    assert_eq!(disks.entities, HUGE_COLLECTION_BYTES / HUGE_DISK_BYTES);
    let written = std::fs::metadata(out.join("api/disks.json")).unwrap().len();
    assert!(written as usize >= HUGE_COLLECTION_BYTES, "{written} bytes");
    // The server's side makes the body as it sends it; the client holds a read buffer and
    // one entity. A client holding the body would peak above its 16 MiB, and one parsing
    // it whole far above.
    if let (Some(before), Some(peak)) = (before, peak) {
        let grown = peak.saturating_sub(before);
        eprintln!(
            "peak memory grew by {:.1} MiB for a {} MiB response",
            grown as f64 / f64::from(1 << 20),
            HUGE_COLLECTION_BYTES >> 20
        );
        assert!(
            grown < (HUGE_COLLECTION_BYTES / 2) as u64,
            "peak memory grew by {} MiB for a {} MiB response",
            grown >> 20,
            HUGE_COLLECTION_BYTES >> 20
        );
    }
}
