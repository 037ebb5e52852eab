//! `stretchdr audit`: the inventory at a glance, the lint findings, and what the engine would
//! do on the standard failures, in one report.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use clap::{Parser, ValueEnum};
use miette::Report;
use stretchdr_lint::{Finding, Level, Policy, report};
use stretchdr_model::Inventory;
use stretchdr_model::units::format_seconds_human;
use stretchdr_sim::{Assessment, assess, standard_scenarios};

use crate::cli::Outcome;
use crate::commands::inventory::render_summary;
use crate::diagnostic;
use crate::output;
use crate::source::SourceArgs;

#[derive(Parser, Debug)]
pub struct Args {
    #[command(flatten)]
    source: SourceArgs,
    /// A policy file (levels, thresholds, ignores) applied on top of the ovirt profile.
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,
    /// Exit 1 when a finding is at or above this level.
    #[arg(long, value_enum, default_value_t = FailOn::Error, value_name = "LEVEL")]
    fail_on: FailOn,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum FailOn {
    Error,
    Warning,
    Note,
}

impl From<FailOn> for Level {
    fn from(fail_on: FailOn) -> Level {
        match fail_on {
            FailOn::Error => Level::Error,
            FailOn::Warning => Level::Warning,
            FailOn::Note => Level::Note,
        }
    }
}

pub fn run(args: Args) -> Result<Outcome, Report> {
    let inventory = args.source.load()?;
    let mut policy = Policy::default();
    if let Some(path) = &args.policy {
        policy.apply_file(path).map_err(diagnostic::load_error)?;
    }
    let findings = stretchdr_lint::lint(&inventory, &policy);
    let color = output::color_stdout();
    let mut text = String::new();
    text.push_str(&render_summary(&inventory));
    text.push_str("\n== lint\n");
    text.push_str(&lint_section(&findings, &inventory, color));
    if inventory.has_sites() {
        for scenario in standard_scenarios(&inventory) {
            let assessment = assess(&inventory, &scenario)
                .map_err(|e| miette::miette!("simulating {:?}: {e}", scenario.name))?;
            let _ = write!(text, "\n== {}\n", scenario.name);
            text.push_str(&scenario_section(&assessment));
        }
    } else {
        text.push_str("\n== scenarios\nnot simulated: no sites are known (see AA000)\n");
    }
    output::emit(&text)?;
    Ok(if stretchdr_lint::fails(&findings, args.fail_on.into()) {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}

/// Restarts, the reasons VMs stay down, RTO and failback for one standard scenario.
fn scenario_section(assessment: &Assessment) -> String {
    let summary = &assessment.result.summary;
    let mut out = String::new();
    let reasons: Vec<String> = summary
        .not_restarted_by_reason
        .iter()
        .map(|(reason, count)| format!("{} {count}", reason.as_str()))
        .collect();
    let _ = writeln!(
        out,
        "{} VMs: {} restarted, {} not restarted{}, {} unaffected{}",
        summary.vms,
        summary.restarted,
        summary.not_restarted,
        if reasons.is_empty() {
            String::new()
        } else {
            format!(" ({})", reasons.join(", "))
        },
        summary.unaffected,
        if summary.split_brain > 0 {
            format!(", {} exposed to split brain", summary.split_brain)
        } else {
            String::new()
        },
    );
    let seconds = |s: Option<f64>| s.map_or("-".to_string(), format_seconds_human);
    let _ = writeln!(
        out,
        "RTO p50 {}, p95 {}, max {}; engine down {}; SPM down {}; failback {}",
        seconds(summary.rto_s.p50),
        seconds(summary.rto_s.p95),
        seconds(summary.rto_s.max),
        format_seconds_human(summary.engine_down_s),
        format_seconds_human(summary.spm_down_s),
        assessment.failback_s.map_or(
            "not done within a day of recovery".to_string(),
            format_seconds_human
        ),
    );
    out
}

/// Errors and warnings in full; notes too, unless a rule has many (every non-HA VM):
/// those are counted, and `stretchdr lint` lists them.
fn lint_section(findings: &[Finding], inventory: &Inventory, color: bool) -> String {
    const MAX_NOTES_LISTED: usize = 3;
    let mut notes_per_rule: BTreeMap<&str, usize> = BTreeMap::new();
    for finding in findings.iter().filter(|f| f.level == Level::Note) {
        *notes_per_rule.entry(finding.code).or_default() += 1;
    }
    let collapsed =
        |f: &Finding| f.level == Level::Note && notes_per_rule[f.code] > MAX_NOTES_LISTED;
    let shown: Vec<Finding> = findings.iter().filter(|f| !collapsed(f)).cloned().collect();
    let mut out = report::human(&shown, inventory, color);
    let mut counted: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for finding in findings.iter().filter(|f| collapsed(f)) {
        *counted.entry((finding.code, finding.name)).or_default() += 1;
    }
    for ((code, name), count) in counted {
        let _ = writeln!(
            out,
            "note[{code}]: {name} on {count} entities (stretchdr lint lists them)"
        );
    }
    let _ = writeln!(out, "{}", report::summary_line(findings));
    out
}
