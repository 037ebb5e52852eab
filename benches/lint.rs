//! Criterion benchmark of lint on the large synthetic design (2 sites, 500 hosts, 20,000 VMs,
//! 2,000 affinity groups), beside only loading the same input: lint must stay linear and within
//! a small factor of parsing.
//!
//! `cargo bench --bench lint -- --warm-up-time 1 --measurement-time 5`

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use stretchdr_lint::{Policy, lint, report};
use stretchdr_model::design::load_design_str;
use stretchdr_model::generate::{GenParams, generate};

fn large_design() -> String {
    generate(&GenParams {
        sites: 2,
        hosts: 500,
        vms: 20_000,
        affinity_groups: Some(2_000),
        seed: 1,
    })
}

fn bench_lint(c: &mut Criterion) {
    let text = large_design();
    let path = Path::new("gen-2x500x20000.toml");
    let policy = Policy::default();
    let inventory = load_design_str(path, &text).expect("the generated design loads");
    let mut group = c.benchmark_group("lint/20000-vms");
    group.sample_size(10);
    group.bench_function("load", |b| {
        b.iter(|| load_design_str(path, black_box(&text)).expect("loads"))
    });
    group.bench_function("lint", |b| b.iter(|| lint(black_box(&inventory), &policy)));
    group.bench_function("load+lint", |b| {
        b.iter(|| {
            let inventory = load_design_str(path, black_box(&text)).expect("loads");
            lint(&inventory, &policy)
        })
    });
    group.finish();
}

/// The human report must stay within 1.5x of the JSON one on the same findings: it shows
/// each finding's source line, which must not cost a walk of the file per finding.
fn bench_reports(c: &mut Criterion) {
    let text = large_design();
    let path = Path::new("gen-2x500x20000.toml");
    let inventory = load_design_str(path, &text).expect("the generated design loads");
    let findings = lint(&inventory, &Policy::default());
    let mut group = c.benchmark_group("lint/20000-vms/report");
    group.sample_size(10);
    group.bench_function("human", |b| {
        b.iter(|| report::human(black_box(&findings), &inventory, false))
    });
    group.bench_function("json", |b| b.iter(|| report::json(black_box(&findings))));
    group.finish();
}

criterion_group!(benches, bench_lint, bench_reports);
criterion_main!(benches);
