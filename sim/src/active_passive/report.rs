//! Text and JSON renderings of an active-passive run.

use std::fmt::Write as _;

use super::{ApResult, VmOutcome};

/// `h:mm:ss` of a time in seconds.
pub(super) fn clock(seconds: f64) -> String {
    let total = seconds.round() as u64;
    format!("{}:{:02}:{:02}", total / 3600, total / 60 % 60, total % 60)
}

/// The report for people: the role's steps in order, then each VM, then the totals.
pub fn render_text(result: &ApResult) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "scenario: {} (active-passive, seed {})",
        result.scenario, result.seed
    );
    out.push_str("\ntimeline (the primary site is lost at 0:00:00):\n");
    for step in &result.timeline {
        let failed = step.failed.as_ref().map_or(String::new(), |f| {
            let then = if f.ignored {
                "ignored"
            } else {
                "the play stops"
            };
            format!(": FAILED, {} ({then})", f.reason)
        });
        let _ = writeln!(
            out,
            "  {} - {}  {:<8}  {}{failed}",
            clock(step.at_s),
            clock(step.end_s),
            format!("{:?}", step.phase).to_lowercase(),
            step.text
        );
    }
    for stopped in &result.stopped {
        let _ = writeln!(out, "  {stopped}");
    }
    out.push_str("\nvms:\n");
    for vm in &result.vms {
        let line = match vm.outcome {
            VmOutcome::Restarted => format!(
                "restarted at {} on {} ({}){}",
                clock(vm.up_at_s.unwrap_or(0.0)),
                vm.host.as_deref().unwrap_or("?"),
                vm.site.as_deref().unwrap_or("?"),
                vm.failback_up_at_s.map_or(String::new(), |t| format!(
                    ", back on the primary at {}",
                    clock(t)
                ))
            ),
            VmOutcome::NotRestarted => format!(
                "not restarted: {}",
                vm.reason.map_or("unknown", |r| r.as_str())
            ),
            VmOutcome::Unaffected => "unaffected (was not running)".to_string(),
            // The role neither live-migrates nor leaves VMs running on both sites.
            VmOutcome::Migrated
            | VmOutcome::SplitBrain
            | VmOutcome::Resumed
            | VmOutcome::NotMigrated => vm.outcome.as_str().to_string(),
        };
        let _ = writeln!(out, "  {:<12} {line}", vm.name);
    }
    let s = &result.summary;
    let _ = writeln!(
        out,
        "\nsummary: {} VMs, {} restarted, {} not restarted, {} unaffected",
        s.vms, s.restarted, s.not_restarted, s.unaffected
    );
    let rto = |v: Option<f64>| v.map_or("-".to_string(), clock);
    let _ = writeln!(
        out,
        "RTO: p50 {}, p95 {}, max {}; no SPM until {}; failover done at {}",
        rto(s.rto_s.p50),
        rto(s.rto_s.p95),
        rto(s.rto_s.max),
        clock(s.spm_down_s),
        clock(s.failover_done_s)
    );
    if let Some(done) = s.failback_done_s {
        let _ = writeln!(out, "failback done at {}", clock(done));
    }
    for note in &result.notes {
        let _ = writeln!(out, "note: {note}");
    }
    out
}

/// The JSON result (FORMATS.md "Simulation result", plus the role's `timeline`).
pub fn to_json(result: &ApResult) -> String {
    let mut text = serde_json::to_string_pretty(result).expect("results serialize");
    text.push('\n');
    text
}
