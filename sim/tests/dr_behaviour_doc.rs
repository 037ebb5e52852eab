//! `docs/dr-behaviour.md` names every parameter of the active-passive and georep simulations:
//! a parameter added without its row in the behaviour table fails here.

use std::path::Path;

use stretchdr_sim::active_passive::Parameters;

fn doc() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/dr-behaviour.md");
    std::fs::read_to_string(&path).expect("docs/dr-behaviour.md exists")
}

/// The table's rows: lines starting with `|` after the header and its rule.
fn rows(doc: &str) -> Vec<&str> {
    doc.lines()
        .filter(|l| l.starts_with("| "))
        .skip(1)
        .collect()
}

#[test]
fn every_active_passive_parameter_has_a_row() {
    let doc = doc();
    let rows = rows(&doc);
    for (name, _) in Parameters::NAMES {
        let quoted = format!("`{name}`");
        assert!(
            rows.iter().any(|r| r.contains(&quoted)),
            "docs/dr-behaviour.md has no row naming {quoted}"
        );
    }
}

#[test]
fn every_georep_scenario_setting_has_a_row() {
    let doc = doc();
    let rows = rows(&doc);
    for name in [
        "status_refresh",
        "rpo_step",
        "duration",
        "replica",
        "mode = \"continuous\"",
    ] {
        let quoted = format!("`{name}`");
        assert!(
            rows.iter().any(|r| r.contains(&quoted)),
            "docs/dr-behaviour.md has no row naming {quoted}"
        );
    }
}

#[test]
fn every_row_has_five_cells() {
    let doc = doc();
    for row in rows(&doc) {
        // Five cells: six bars, none escaped in the table.
        assert_eq!(row.matches('|').count(), 6, "{row}");
    }
}
