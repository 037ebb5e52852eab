//! The audit for people (terminal), programs (JSON) and code scanning (SARIF).

use std::fmt::Write as _;

use serde_json::{Value, json};
use stretchdr_lint::report::HumanOptions;
use stretchdr_lint::{Finding, report};
use stretchdr_model::Inventory;
use stretchdr_model::units::format_seconds_human;
use stretchdr_sim::slo::Check;

use crate::commands::audit::Audit;
use crate::commands::inventory::render_summary;

/// The most VMs named after a missed SLO; the JSON and HTML reports list them all.
const MAX_VMS_NAMED: usize = 5;

/// A duration as every human report writes it (`9m 1s`, `4h 14m`).
pub fn duration(seconds: f64) -> String {
    format_seconds_human(seconds)
}

/// The terminal report: verdict and seed first, then the inventory, the findings, each
/// scenario and the SLOs.
pub fn human(audit: &Audit, inventory: &Inventory, options: HumanOptions) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "audit of {} (seed {})", audit.source, audit.seed);
    let _ = writeln!(out, "verdict: {}\n", audit.verdict);
    out.push_str(&render_summary(inventory));
    out.push_str("\n== lint\n");
    out.push_str(&lint_section(&audit.findings, inventory, options));
    match &audit.not_simulated {
        Some(why) => {
            let _ = write!(out, "\n== scenarios\nnot simulated: {why}\n");
        }
        None => {
            for scenario in &audit.scenarios {
                let _ = write!(
                    out,
                    "\n== {}\n{} VMs: {}\n",
                    scenario.name, scenario.result.summary.vms, scenario.outcome
                );
            }
        }
    }
    if !audit.slo.is_empty() || audit.slo_failed {
        out.push_str("\n== SLOs\n");
        if audit.slo.is_empty() {
            out.push_str("not judged: nothing was simulated\n");
        }
        for check in &audit.slo {
            out.push_str(&check_line(check));
            out.push('\n');
        }
    }
    out
}

/// `missed rto_p95<=15m in loss of site-a: 18m 2s (web01, web02, ... 3 more)`.
pub fn check_line(check: &Check) -> String {
    let vms = if check.vms.is_empty() {
        String::new()
    } else {
        let shown: Vec<&str> = check
            .vms
            .iter()
            .take(MAX_VMS_NAMED)
            .map(String::as_str)
            .collect();
        let more = check.vms.len().saturating_sub(MAX_VMS_NAMED);
        format!(
            " ({}{})",
            shown.join(", "),
            if more > 0 {
                format!(", {more} more")
            } else {
                String::new()
            }
        )
    };
    format!(
        "{} {} in {}: {}{vms}",
        if check.met { "met" } else { "missed" },
        check.slo,
        check.scenario,
        check.shown
    )
}

/// The findings as `stretchdr lint` writes them: the first few of each rule in full and the
/// rest counted, unless verbose.
fn lint_section(findings: &[Finding], inventory: &Inventory, options: HumanOptions) -> String {
    let mut out = report::human_with(findings, &inventory.sources, options);
    let _ = writeln!(out, "{}", report::summary_line(findings));
    out
}

/// docs/formats.md "Audit result".
pub fn json(audit: &Audit) -> String {
    let mut text = serde_json::to_string_pretty(audit).expect("an audit always serialises");
    text.push('\n');
    text
}

/// The rule id of a missed SLO in SARIF.
const SLO_RULE: &str = "SLO";

/// The lint SARIF log with one more rule, `SLO`, and one error result per missed SLO check
/// (logical location: the scenario), so code scanning shows both.
pub fn sarif(audit: &Audit) -> String {
    let mut log: Value =
        serde_json::from_str(&report::sarif(&audit.findings)).expect("the lint SARIF is JSON");
    let run = &mut log["runs"][0];
    let rules = run["tool"]["driver"]["rules"]
        .as_array_mut()
        .expect("the lint SARIF lists its rules");
    let rule_index = rules.len();
    rules.push(json!({
        "id": SLO_RULE,
        "name": "slo-missed",
        "shortDescription": { "text": "A service-level objective (--slo or [slo]) is missed in a standard scenario" },
        "fullDescription": { "text": "The audit simulates the loss of each data site and each partition; each SLO condition is judged on each of them." },
        "help": { "text": "Change the design until the scenario meets the objective: `stretchdr whatif --target` finds the cheapest change." },
        "defaultConfiguration": { "level": "error" },
        "properties": { "tags": ["disaster-recovery", "ovirt", "slo"] },
    }));
    let results = run["results"]
        .as_array_mut()
        .expect("the lint SARIF has results");
    for check in audit.slo.iter().filter(|c| !c.met) {
        results.push(json!({
            "ruleId": SLO_RULE,
            "ruleIndex": rule_index,
            "level": "error",
            "message": { "text": check_line(check) },
            "locations": [{ "logicalLocations": [{ "name": check.scenario, "kind": "scenario" }] }],
            "partialFingerprints": { "stretchdrFingerprint/v1": format!("slo:{}:{}", check.slo, check.scenario) },
        }));
    }
    let mut text = serde_json::to_string_pretty(&log).expect("SARIF serialises");
    text.push('\n');
    text
}
