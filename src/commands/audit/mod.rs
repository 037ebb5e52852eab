//! `stretchdr audit`: the inventory at a glance, the lint findings, what the engine would do
//! on the standard failures and the SLOs they meet or miss, in one report: for people
//! (terminal, `--html`), programs (`--format json`) and code scanning (`--format sarif`).

mod html;
mod render;

use std::path::PathBuf;

use clap::{Parser, ValueEnum};
use miette::Report;
use serde::Serialize;
use stretchdr_lint::{Finding, Level, Summary as LintSummary};
use stretchdr_model::inventory::SiteRole;
use stretchdr_model::{Inventory, LoadError, SiteId};
use stretchdr_sim::scenario::Target;
use stretchdr_sim::slo::{self, Check, Slo};
use stretchdr_sim::trace::Lanes;
use stretchdr_sim::{DEFAULT_SEED, SimResult, assess, standard_scenarios};

use crate::cli::Outcome;
use crate::commands::lint::{FailOn, PolicyArgs, policy};
use crate::diagnostic;
use crate::output;
use crate::source::{self, DEMO_NAME, SourceArgs};

pub use render::check_line;

/// Exit codes, shown after the options.
const EXIT_CODES: &str = "\
Exit status: 0 nothing at or above --fail-on and every SLO met; 1 findings at or above
--fail-on, or an SLO missed (or not judged because nothing was simulated); 2 bad input or
usage, including a source with no clusters or no hosts (nothing to check).

--slo METRIC OP VALUE (OP <=, <, >=, >, ==; several joined by \",\"; repeatable), judged on every
standard scenario: durations rto_p50, rto_p95, rto_max, all_back_p50, all_back_p95, failback,
engine_down, spm_down (e.g. 15m, 4h); counts not_restarted_ha, not_restarted, split_brain,
restarted, migrated, resumed, not_migrated, unaffected. A design's [slo] table adds to them.";

#[derive(Parser, Debug)]
#[command(after_help = EXIT_CODES)]
pub struct Args {
    #[command(flatten)]
    source: SourceArgs,
    #[command(flatten)]
    judging: PolicyArgs,
    /// Exit 1 when a finding is at or above this level.
    #[arg(long, value_enum, default_value_t = FailOn::Error, value_name = "LEVEL")]
    fail_on: FailOn,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Also write the report as one self-contained HTML page to FILE.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// A service-level objective every standard scenario must meet, e.g. "rto_p95<=15m"
    /// (repeatable; see below); a miss exits 1.
    #[arg(long, value_name = "SLO")]
    slo: Vec<String>,
    /// Seed of the simulations (the default is that of a scenario file without `seed`).
    #[arg(long, default_value_t = DEFAULT_SEED)]
    seed: u64,
    /// List every finding in full (by default, after the first few findings of one rule the
    /// rest are counted).
    #[arg(long)]
    verbose: bool,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Format {
    Human,
    Json,
    Sarif,
}

/// What the audit found: docs/formats.md "Audit result" (`--format json`).
#[derive(Debug, Serialize)]
pub struct Audit {
    /// The source as named on the command line (the bundled example's path without one).
    pub source: String,
    pub seed: u64,
    /// One sentence: the worst standard scenario, the errors to fix, the SLOs missed.
    pub verdict: String,
    /// False when findings at or above `--fail-on` or a missed SLO fail the audit.
    pub passed: bool,
    /// Why nothing was simulated, when nothing was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_simulated: Option<String>,
    pub findings: Vec<Finding>,
    pub summary: LintSummary,
    pub scenarios: Vec<ScenarioAudit>,
    /// Every SLO condition judged on every scenario.
    pub slo: Vec<Check>,
    pub capacity: Vec<SiteCapacity>,
    #[serde(skip)]
    slo_failed: bool,
}

/// One standard scenario's prediction.
#[derive(Debug, Serialize)]
pub struct ScenarioAudit {
    pub name: String,
    /// The site lost, for a site loss.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub site_lost: Option<String>,
    /// One line: what happens, in words.
    pub outcome: String,
    /// Seconds from recovery (4h after the failure) to the end of failback; `null` when
    /// failback did not finish within a day or there was nothing to fail back.
    pub failback_s: Option<f64>,
    /// The run (FORMATS.md "Simulation result"; its `vms` only those something happened to).
    pub result: SimResult,
    /// What the HTML timeline draws beside the hosts.
    #[serde(skip)]
    pub lanes: Lanes,
}

/// The memory of a data site and how full it gets when another site is lost.
#[derive(Debug, Serialize)]
pub struct SiteCapacity {
    pub site: String,
    pub hosts: usize,
    pub memory_bytes: u64,
    /// Memory of the VMs running there now.
    pub vm_memory_bytes: u64,
    /// The highest share of its memory in use in any standard scenario it survives, percent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peak_memory_percent: Option<f64>,
}

pub fn run(args: Args) -> Result<Outcome, Report> {
    let inventory = args.source.load()?;
    let source = match (&args.source.engine, &args.source.source) {
        (Some(url), _) => url.clone(),
        (None, Some(path)) => path.display().to_string(),
        (None, None) => DEMO_NAME.to_string(),
    };
    source::require_something_to_check(&inventory, &source)?;
    let mut slos: Vec<Slo> = args
        .slo
        .iter()
        .map(|text| slo::parse(text).map_err(|e| miette::miette!("--slo: {e}")))
        .collect::<Result<_, _>>()?;
    slos.extend(design_slos(&inventory)?);
    let policy = policy(&args.judging)?;
    let findings = args
        .judging
        .new_findings(stretchdr_lint::lint(&inventory, &policy))?;
    let audit = audit(
        &inventory,
        source,
        findings,
        &slos,
        args.seed,
        args.fail_on.into(),
    )?;
    if let Some(path) = &args.html {
        output::write_file(path, &html::page(&audit, &inventory))?;
    }
    match args.format {
        Format::Human => {
            let options = stretchdr_lint::report::HumanOptions {
                color: output::color_stdout(),
                verbose: args.verbose,
            };
            output::emit(&render::human(&audit, &inventory, options))?
        }
        Format::Json => output::emit(&render::json(&audit))?,
        Format::Sarif => output::emit(&render::sarif(&audit))?,
    }
    Ok(if audit.passed {
        Outcome::Clean
    } else {
        Outcome::Findings
    })
}

/// The `[slo]` entries of the design, read with the one SLO grammar; a bad one points at its
/// line.
fn design_slos(inventory: &Inventory) -> Result<Vec<Slo>, Report> {
    inventory
        .slo
        .iter()
        .map(|entry| {
            slo::parse_entry(&entry.metric, &entry.value).map_err(|e| {
                let file = inventory.sources.file(entry.origin.file);
                let start = entry.origin.offset as usize;
                diagnostic::load_error(LoadError::at(
                    &file.path,
                    &file.text,
                    start..start + entry.origin.len as usize,
                    format!("[slo] {e}"),
                ))
            })
        })
        .collect()
}

/// Runs the standard scenarios (with `seed`), judges the SLOs and writes the verdict.
pub fn audit(
    inventory: &Inventory,
    source: String,
    findings: Vec<Finding>,
    slos: &[Slo],
    seed: u64,
    fail_on: Level,
) -> Result<Audit, Report> {
    let mut scenarios = Vec::new();
    let mut checks = Vec::new();
    let not_simulated = if inventory.has_sites() {
        let standard = standard_scenarios(inventory);
        if standard.is_empty() {
            Some("no data site is known, only witnesses".to_string())
        } else {
            for mut scenario in standard {
                scenario.seed = seed;
                let assessment = assess(inventory, &scenario)
                    .map_err(|e| miette::miette!("simulating {:?}: {e}", scenario.name))?;
                let mut result = assessment.result;
                checks.extend(slo::evaluate(slos, &result, assessment.failback_s));
                let site_lost = scenario.events.first().and_then(|e| match e.target {
                    Target::Site(site) => Some(site),
                    _ => None,
                });
                let outcome = outcome_line(inventory, &result, site_lost, assessment.failback_s);
                result
                    .vms
                    .retain(|v| v.outcome != stretchdr_sim::VmOutcome::Unaffected);
                scenarios.push(ScenarioAudit {
                    name: scenario.name,
                    site_lost: site_lost.map(|s| inventory.sites[s].name.clone()),
                    outcome,
                    failback_s: assessment.failback_s,
                    result,
                    lanes: assessment.lanes,
                });
            }
            None
        }
    } else {
        Some("no sites are known (AA000): define [[site]] tables or label the hosts".to_string())
    };
    let unjudged = not_simulated.is_some() && !slos.is_empty();
    let slo_failed = unjudged || checks.iter().any(|c| !c.met);
    let lint_failed = stretchdr_lint::fails(&findings, fail_on);
    let summary = LintSummary::of(&findings);
    let verdict = verdict(
        &scenarios,
        not_simulated.as_deref(),
        &summary,
        &checks,
        unjudged,
    );
    Ok(Audit {
        source,
        seed,
        verdict,
        passed: !lint_failed && !slo_failed,
        not_simulated,
        findings,
        summary,
        capacity: capacity(inventory, &scenarios),
        scenarios,
        slo: checks,
        slo_failed,
    })
}

/// What a scenario does, in one line: restarts, VMs that stay down and why, RTO, downtimes and
/// failback; for the loss of a site without VMs, that nothing ran there.
fn outcome_line(
    inventory: &Inventory,
    result: &SimResult,
    site_lost: Option<SiteId>,
    failback_s: Option<f64>,
) -> String {
    let s = &result.summary;
    if s.unaffected == s.vms {
        return match site_lost {
            Some(site) if site_vms(inventory, site) == 0 => format!(
                "{} holds no running VMs: nothing to restart or fail back",
                inventory.sites[site].name
            ),
            _ => "no VM is affected".to_string(),
        };
    }
    let human = |v: Option<f64>| v.map_or("-".to_string(), render::duration);
    let reasons: Vec<String> = s
        .not_restarted_by_reason
        .iter()
        .map(|(reason, count)| format!("{} {count}", reason.as_str()))
        .collect();
    let failback = match failback_s {
        Some(f) => render::duration(f),
        None if s.restarted == 0 && s.migrated == 0 => "nothing to fail back".to_string(),
        None => "not done within a day of recovery".to_string(),
    };
    format!(
        "{} restarted, {} stay down{}{}; RTO p50 {}, p95 {}, max {}; engine down {}; SPM down {}; failback {failback}",
        s.restarted,
        s.not_restarted,
        if reasons.is_empty() {
            String::new()
        } else {
            format!(" ({})", reasons.join(", "))
        },
        if s.split_brain > 0 {
            format!(", {} exposed to split brain", s.split_brain)
        } else {
            String::new()
        },
        human(s.rto_s.p50),
        human(s.rto_s.p95),
        human(s.rto_s.max),
        render::duration(s.engine_down_s),
        render::duration(s.spm_down_s),
    )
}

/// VMs running on the hosts of a site.
fn site_vms(inventory: &Inventory, site: SiteId) -> usize {
    inventory
        .vms
        .values()
        .filter(|v| {
            v.host
                .is_some_and(|h| inventory.hosts[h].site == Some(site))
        })
        .count()
}

/// The verdict sentence: the worst scenario (most VMs staying down, then the slowest RTO),
/// the errors to fix and the SLOs missed.
fn verdict(
    scenarios: &[ScenarioAudit],
    not_simulated: Option<&str>,
    summary: &LintSummary,
    checks: &[Check],
    unjudged: bool,
) -> String {
    let mut parts = Vec::new();
    if let Some(why) = not_simulated {
        parts.push(format!("nothing was simulated: {why}"));
    } else if let Some(worst) = scenarios.iter().max_by(|a, b| {
        let key = |s: &ScenarioAudit| {
            let summary = &s.result.summary;
            (summary.not_restarted, summary.rto_s.p95.unwrap_or(0.0))
        };
        let (ka, kb) = (key(a), key(b));
        ka.0.cmp(&kb.0).then(ka.1.total_cmp(&kb.1))
    }) {
        let s = &worst.result.summary;
        let rto = s.rto_s.p95.map_or(String::new(), |p| {
            format!(", RTO p95 {}", render::duration(p))
        });
        parts.push(if s.not_restarted > 0 {
            format!(
                "{}: {} VM{} stay{} down{rto}",
                worst.name,
                s.not_restarted,
                plural(s.not_restarted),
                if s.not_restarted == 1 { "s" } else { "" }
            )
        } else {
            format!(
                "every affected VM comes back in every standard scenario (worst: {}{rto})",
                worst.name
            )
        });
    }
    parts.push(match summary.error {
        0 => "no errors".to_string(),
        n => format!("{n} error{} to fix", plural(n)),
    });
    let missed = checks.iter().filter(|c| !c.met).count();
    if missed > 0 {
        parts.push(format!("{missed} SLO check{} missed", plural(missed)));
    } else if unjudged {
        parts.push("SLOs not judged".to_string());
    }
    parts.join("; ")
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// Per data site: hosts, memory, what runs there, and how full it gets when another site is lost.
fn capacity(inventory: &Inventory, scenarios: &[ScenarioAudit]) -> Vec<SiteCapacity> {
    inventory
        .sites
        .iter()
        .filter(|(_, s)| s.role != SiteRole::Witness)
        .map(|(id, site)| {
            let hosts: Vec<_> = inventory.site_hosts(id).collect();
            let vm_memory_bytes = inventory
                .vms
                .values()
                .filter(|v| v.host.is_some_and(|h| inventory.hosts[h].site == Some(id)))
                .map(|v| v.memory_bytes)
                .sum();
            let peak_memory_percent = scenarios
                .iter()
                .filter_map(|s| s.result.summary.peak_memory_percent.get(&site.name))
                .copied()
                .fold(None, |m: Option<f64>, p| Some(m.map_or(p, |m| m.max(p))));
            SiteCapacity {
                site: site.name.clone(),
                hosts: hosts.len(),
                memory_bytes: hosts.iter().map(|(_, h)| h.memory_bytes).sum(),
                vm_memory_bytes,
                peak_memory_percent,
            }
        })
        .collect()
}
