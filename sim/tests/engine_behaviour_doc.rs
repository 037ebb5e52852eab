//! docs/engine-behaviour.md covers every parameter the simulator has: reviewers audit the
//! simulator's fidelity from that page, so a parameter added without a row there fails here.

use std::path::Path;

use stretchdr_sim::ovirt::params::PARAMETERS;

#[test]
fn every_parameter_is_in_docs_engine_behaviour() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/engine-behaviour.md");
    let page = std::fs::read_to_string(&path).unwrap();
    let missing: Vec<&str> = PARAMETERS
        .iter()
        .map(|(name, _, _)| *name)
        .filter(|name| !page.contains(&format!("`{name}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/engine-behaviour.md does not name these parameters: {missing:?}"
    );
    // Every parameter's own documentation cites where its default comes from, or says it is an
    // estimate or not an engine constant.
    for (name, _, doc) in PARAMETERS {
        let sourced =
            doc.contains('`') || doc.contains("Estimate") || doc.contains("not an engine");
        assert!(
            sourced,
            "parameter {name} does not say where its default comes from: {doc}"
        );
    }
}
