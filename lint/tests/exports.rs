//! Linting recorded real engines: no crash on what real exports lack (sites, leases), one note
//! when sites are unknown, and sensible findings with an overlay that adds sites.

use std::path::{Path, PathBuf};

use stretchdr_lint::{Level, Policy, lint};
use stretchdr_model::design::load_design_str;
use stretchdr_model::export::load_export;

const EXPORT: &str = "fixtures/exports/miq_ovirt_lans_refresh";

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

#[test]
fn bare_export_gives_one_sites_unknown_note() {
    let inventory = load_export(&root().join(EXPORT)).expect("the recorded export loads");
    let findings = lint(&inventory, &Policy::default());
    let site_notes: Vec<_> = findings.iter().filter(|f| f.code == "AA000").collect();
    assert_eq!(site_notes.len(), 1, "{findings:#?}");
    assert_eq!(site_notes[0].level, Level::Warning);
    // Only rules that need no sites report anything else.
    for finding in &findings {
        assert!(
            ["AA000", "AA009", "AA014", "AA017", "AA019"].contains(&finding.code),
            "{finding:#?}"
        );
    }
}

#[test]
fn export_with_an_overlay_is_linted_per_site() {
    let relative = PathBuf::from("fixtures/lint/miq_ovirt_lans_refresh-overlay.toml");
    let text = std::fs::read_to_string(root().join(&relative)).expect("the overlay exists");
    let inventory = load_design_str(&root().join(&relative), &text)
        .unwrap_or_else(|e| panic!("the overlay loads: {e}"));
    let findings = lint(&inventory, &Policy::default());
    assert!(!findings.iter().any(|f| f.code == "AA000"), "{findings:#?}");
    for finding in &findings {
        assert!(
            finding
                .message
                .chars()
                .next()
                .is_some_and(char::is_lowercase)
        );
    }
    let rendered: Vec<String> = findings
        .iter()
        .map(|f| format!("{} {} {}", f.code, f.level, f.message))
        .collect();
    insta::assert_snapshot!("miq_ovirt_lans_refresh-overlay", rendered.join("\n"));
}
