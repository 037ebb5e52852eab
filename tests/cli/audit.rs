//! CLI tests of `stretchdr audit`.

use crate::support::{run, stderr, stdout};

#[test]
fn audit_without_source_audits_the_bundled_example() {
    let output = run(&["audit"]);
    let text = stdout(&output);
    assert!(
        text.contains("site site-a (primary)"),
        "{text}\n{}",
        stderr(&output)
    );
    assert!(text.contains("site site-b (secondary)"), "{text}");
    // The example's deliberate defects include errors, so the audit fails by default.
    assert_eq!(output.status.code(), Some(1), "{text}");
    for code in [
        "AA003", "AA005", "AA006", "AA007", "AA012", "AA014", "AA016",
    ] {
        assert!(
            text.contains(&format!("[{code}]")),
            "{code} missing:\n{text}"
        );
    }
    // Notes are counted per rule, not listed one by one.
    assert!(
        text.contains("note[AA004]: vm-not-highly-available on 30 entities"),
        "{text}"
    );
    assert!(!text.contains("\u{1b}["), "no colour when piped");
    // The standard scenarios: the loss of each data site and the partition between them.
    for section in [
        "== loss of site-a",
        "== loss of site-b",
        "== partition site-a/site-b",
    ] {
        assert!(text.contains(section), "{section} missing:\n{text}");
    }
    let site_a_loss = text.split("== loss of site-a").nth(1).unwrap();
    // The example's defects show in the prediction: VMs without leases wait for fencing that
    // cannot happen, the hard-affinity group keeps its VMs down.
    assert!(
        site_a_loss.contains("no_lease_no_fencing 4"),
        "{site_a_loss}"
    );
    assert!(site_a_loss.contains("hard_affinity 3"), "{site_a_loss}");
    assert!(site_a_loss.contains("RTO p50 "), "{site_a_loss}");
}

#[test]
fn audit_of_an_export_without_sites_says_so_once() {
    let output = run(&["audit", "fixtures/exports/miq_ovirt_lans_refresh"]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{text}\n{}", stderr(&output));
    assert_eq!(text.matches("note[AA000]").count(), 1, "{text}");
    assert!(text.contains("not simulated: no sites are known"), "{text}");
}

#[test]
fn audit_of_a_bad_source_exits_2() {
    let output = run(&["audit", "fixtures/exports/malformed/vm_without_name"]);
    assert_eq!(output.status.code(), Some(2), "{}", stdout(&output));
}
