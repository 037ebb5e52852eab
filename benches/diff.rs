//! Criterion benchmark of `stretchdr diff` on a pair of large synthetic designs (2 sites, 500
//! hosts, 20,000 VMs, 2,000 affinity groups): BASE as `stretchdr gen --sites 2 --hosts 500
//! --vms 20000 --seed 1` writes it, HEAD the same with the secondary site's SPM priorities
//! raised above the primary's and one soft affinity group made enforcing. The built binary
//! runs end to end — both designs loaded, linted, and every standard scenario simulated on
//! both sides (failback included) — as CI runs it.
//!
//! `cargo bench --bench diff -- --warm-up-time 1 --measurement-time 5`

use std::path::PathBuf;
use std::process::Command;

use criterion::{Criterion, criterion_group, criterion_main};
use stretchdr_model::generate::{GenParams, generate};

fn designs() -> (PathBuf, PathBuf) {
    let base = generate(&GenParams {
        sites: 2,
        hosts: 500,
        vms: 20_000,
        affinity_groups: None,
        seed: 1,
    });
    let head = base
        .replace("spm_priority = 3", "spm_priority = 9")
        .replacen("enforcing = false", "enforcing = true", 1);
    assert_ne!(base, head, "the change applies");
    let dir = std::env::temp_dir().join(format!("stretchdr-bench-diff-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let (base_path, head_path) = (dir.join("base.toml"), dir.join("head.toml"));
    std::fs::write(&base_path, base).expect("written");
    std::fs::write(&head_path, head).expect("written");
    (base_path, head_path)
}

fn bench_diff(c: &mut Criterion) {
    let (base, head) = designs();
    let run = || {
        let output = Command::new(env!("CARGO_BIN_EXE_stretchdr"))
            .arg("diff")
            .arg(&base)
            .arg(&head)
            .args(["--format", "json"])
            .output()
            .expect("stretchdr runs");
        assert_eq!(output.status.code(), Some(1), "the change is worse");
        output.stdout.len()
    };
    let mut group = c.benchmark_group("diff/20000-vms");
    group.sample_size(10);
    group.bench_function("designs", |b| b.iter(run));
    group.finish();
    if let Some(dir) = base.parent() {
        let _ = std::fs::remove_dir_all(dir);
    }
}

criterion_group!(benches, bench_diff);
criterion_main!(benches);
