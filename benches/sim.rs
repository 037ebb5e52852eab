//! Criterion benchmark of one simulated site loss on the large synthetic design (2 sites,
//! 500 hosts, 20,000 VMs, 2,000 affinity groups): the engine's reaction to losing the primary
//! site, from the failure to the last restart, with default parameters.
//!
//! `cargo bench --bench sim -- --warm-up-time 1 --measurement-time 5`

use std::hint::black_box;
use std::path::Path;

use criterion::{Criterion, criterion_group, criterion_main};
use stretchdr_model::design::load_design_str;
use stretchdr_model::generate::{GenParams, generate};
use stretchdr_sim::scenario::{Action, Scenario, Target, event};
use stretchdr_sim::simulate;

fn bench_site_loss(c: &mut Criterion) {
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
    let mut group = c.benchmark_group("sim/20000-vms");
    group.sample_size(10);
    group.bench_function("site-loss", |b| {
        b.iter(|| simulate(black_box(&inventory), &scenario).expect("the run succeeds"))
    });
    group.finish();
}

criterion_group!(benches, bench_site_loss);
criterion_main!(benches);
