//! The generated 20,000-VM design runs a site loss with its invariants intact (ignored by
//! default: slow in debug builds; `cargo test -p stretchdr-sim --test large -- --ignored`).

use std::path::Path;

use stretchdr_model::design::load_design_str;
use stretchdr_model::generate::{GenParams, generate};
use stretchdr_sim::scenario::{Action, Scenario, Target, event};
use stretchdr_sim::simulate;

#[test]
#[ignore]
fn site_loss_on_the_generated_20000_vm_design() {
    let text = generate(&GenParams {
        sites: 2,
        hosts: 500,
        vms: 20_000,
        affinity_groups: Some(2_000),
        seed: 1,
    });
    let inventory = load_design_str(Path::new("gen.toml"), &text).unwrap();
    let site = inventory.sites.ids().next().unwrap();
    let scenario = Scenario::new(
        "loss",
        vec![event(&inventory, 0, Action::Fail, Target::Site(site))],
    );
    let start = std::time::Instant::now();
    let result = simulate(&inventory, &scenario).unwrap();
    eprintln!("{:?} {:?}", start.elapsed(), result.summary);
    assert_eq!(result.summary.vms, 20_000);
    assert!(result.summary.restarted > 5_000);
    let start = std::time::Instant::now();
    let assessment = stretchdr_sim::assess(&inventory, &scenario).unwrap();
    eprintln!(
        "assess {:?} failback {:?}",
        start.elapsed(),
        assessment.failback_s
    );
}
