//! Criterion benchmarks of the simulator on the large synthetic design (2 sites, 500 hosts,
//! 20,000 VMs, 2,000 affinity groups):
//! - `site-loss`: one simulated loss of the primary site, from the failure to the last
//!   restart, with default parameters and the full result (timeline, names);
//! - `monte-carlo/threads-1` and `threads-2`: a Monte Carlo batch of the same scenario with
//!   varied boot times and detection (STRETCHDR_BENCH_RUNS runs, 100 by default; 1000 for the
//!   figure of the issue), on a local rayon pool of 1 and of 2 threads.
//!
//! `cargo bench --bench sim -- --warm-up-time 1 --measurement-time 5`
//! `STRETCHDR_BENCH_RUNS=1000 cargo bench --bench sim -- monte-carlo`

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use stretchdr_model::Inventory;
use stretchdr_model::design::load_design_str;
use stretchdr_model::generate::{GenParams, generate};
use stretchdr_sim::scenario::{Action, Distribution, Scenario, Target, event};
use stretchdr_sim::{monte_carlo, simulate};

fn large() -> (Inventory, Scenario) {
    let text = generate(&GenParams {
        sites: 2,
        hosts: 500,
        vms: 20_000,
        affinity_groups: Some(2_000),
        seed: 1,
    });
    let inventory = load_design_str(Path::new("gen-2x500x20000.toml"), &text)
        .expect("the generated design loads");
    let primary = inventory.sites.ids().next().expect("the design has sites");
    let scenario = Scenario::new(
        "loss of the primary site",
        vec![event(&inventory, 0, Action::Fail, Target::Site(primary))],
    );
    (inventory, scenario)
}

fn bench_site_loss(c: &mut Criterion) {
    let (inventory, scenario) = large();
    let mut group = c.benchmark_group("sim/20000-vms");
    group.sample_size(10);
    group.bench_function("site-loss", |b| {
        b.iter(|| simulate(black_box(&inventory), &scenario).expect("the run succeeds"))
    });
    group.finish();
}

fn bench_monte_carlo(c: &mut Criterion) {
    let (inventory, mut scenario) = large();
    scenario.seed = 1;
    scenario.variation.insert(
        "vm_boot_time".into(),
        Distribution::LogNormal {
            median: 60_000.0,
            p95: 180_000.0,
        },
    );
    scenario.variation.insert(
        "detection_jitter".into(),
        Distribution::Exponential { mean: 5_000.0 },
    );
    let runs: u32 = std::env::var("STRETCHDR_BENCH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(100);
    let mut group = c.benchmark_group(format!("sim/20000-vms/monte-carlo-{runs}"));
    group.sample_size(10);
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("a thread pool");
        group.bench_function(format!("threads-{threads}"), |b| {
            b.iter(|| {
                pool.install(|| {
                    monte_carlo(black_box(&inventory), &scenario, runs, &|_, _| {})
                        .expect("the runs succeed")
                })
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_site_loss, bench_monte_carlo);
criterion_main!(benches);
