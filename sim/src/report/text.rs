//! The text report: summary, per-VM table, then the engine's decisions in time order.

use std::fmt::Write;

use stretchdr_model::escape::control;

use crate::des::SimTime;
use crate::outcome::{Decision, SimResult, VmOutcome};

/// The sentence saying a planned failover is not done, when some VM could not migrate: the
/// hosts they hold stay PreparingForMaintenance.
pub fn maintenance_not_done(result: &SimResult) -> Option<String> {
    let stuck: Vec<&crate::outcome::VmResult> = result
        .vms
        .iter()
        .filter(|v| v.outcome == VmOutcome::NotMigrated)
        .collect();
    if stuck.is_empty() {
        return None;
    }
    let mut hosts: Vec<String> = stuck
        .iter()
        .filter_map(|v| v.host.as_deref())
        .map(|h| control(h).into_owned())
        .collect();
    hosts.sort_unstable();
    hosts.dedup();
    Some(format!(
        "planned failover not done: {} VM(s) could not migrate; host(s) {} stay PreparingForMaintenance",
        stuck.len(),
        hosts.join(", ")
    ))
}

/// The text report of a run. Every name from the design, the scenario or the engine is
/// shown through [`control`]: a newline in a VM's name is shown as `\n`, not as a forged line.
pub fn text(result: &SimResult) -> String {
    let mut out = String::new();
    let s = &result.summary;
    let _ = writeln!(out, "scenario: {}", control(&result.scenario));
    let _ = writeln!(
        out,
        "seed: {}   runs: {}   simulated: {}",
        result.seed,
        result.runs,
        clock(result.end_s)
    );
    let _ = writeln!(out);
    let mut reasons: Vec<String> = s
        .not_restarted_by_reason
        .iter()
        .map(|(r, n)| format!("{} {n}", r.as_str()))
        .collect();
    if reasons.is_empty() {
        reasons.push("none".into());
    }
    let _ = writeln!(
        out,
        "{} VMs: {} restarted, {} not restarted, {} unaffected, {} migrated, {} split brain, {} resumed, {} not migrated",
        s.vms,
        s.restarted,
        s.not_restarted,
        s.unaffected,
        s.migrated,
        s.split_brain,
        s.resumed,
        s.not_migrated
    );
    let _ = writeln!(out, "not restarted by reason: {}", reasons.join(", "));
    if let Some(line) = maintenance_not_done(result) {
        let _ = writeln!(out, "{line}");
    }
    let _ = writeln!(
        out,
        "RTO: p50 {}  p95 {}  max {}",
        secs(s.rto_s.p50),
        secs(s.rto_s.p95),
        secs(s.rto_s.max)
    );
    let _ = writeln!(
        out,
        "engine down: {}  SPM down: {}  failback done: {}",
        secs(Some(s.engine_down_s)),
        secs(Some(s.spm_down_s)),
        s.failback_done_s.map_or("-".to_string(), clock)
    );
    let peaks: Vec<String> = s
        .peak_memory_percent
        .iter()
        .map(|(site, p)| format!("{} {p:.1}%", control(site)))
        .collect();
    let _ = writeln!(out, "peak memory committed: {}", peaks.join(", "));
    let _ = writeln!(out);

    let rows: Vec<[String; 7]> = result
        .vms
        .iter()
        .filter(|v| v.outcome != VmOutcome::Unaffected)
        .map(|v| {
            let rto = match (v.down_at_s, v.up_at_s) {
                (Some(d), Some(u)) => format!("{:.0}s", u - d),
                _ => "-".into(),
            };
            [
                control(&v.name).into_owned(),
                v.outcome.as_str().to_string(),
                v.reason.map_or("-".into(), |r| r.as_str().to_string()),
                v.down_at_s.map_or("-".into(), clock),
                v.up_at_s.or(v.migrated_at_s).map_or("-".into(), clock),
                rto,
                match (&v.host, &v.site) {
                    (Some(h), Some(s)) => format!("{} ({})", control(h), control(s)),
                    (Some(h), None) => control(h).into_owned(),
                    _ => "-".into(),
                },
            ]
        })
        .collect();
    let _ = writeln!(
        out,
        "affected VMs ({}; unaffected ones not listed):",
        rows.len()
    );
    table(
        &mut out,
        ["VM", "OUTCOME", "REASON", "DOWN", "UP", "RTO", "HOST"],
        &rows,
    );
    let _ = writeln!(out);
    let _ = writeln!(out, "timeline:");
    for group in group_decisions(&result.timeline) {
        let first = group[0];
        let text = match (group.len(), &first.template) {
            (1, _) | (_, None) => control(&first.text).into_owned(),
            (n, Some(template)) => {
                let hosts: Vec<String> = group
                    .iter()
                    .filter_map(|d| d.host.as_deref())
                    .map(|h| control(h).into_owned())
                    .collect();
                let shown = if n > 4 {
                    format!("{} and {} more", hosts[..4].join(", "), n - 4)
                } else {
                    hosts.join(", ")
                };
                let until = clock(group[n - 1].at_s);
                format!(
                    "{} [{n} hosts, until {until}]",
                    control(template).replace("{host}", &shown)
                )
            }
        };
        let _ = writeln!(out, "  {}  {:<9}  {}", clock(first.at_s), first.kind, text);
    }
    out
}

/// Decisions of the same template about different hosts within a minute of the first, as one
/// group shown where the first was (the engine finds a lost site's hosts one by one).
fn group_decisions(timeline: &[Decision]) -> Vec<Vec<&Decision>> {
    let mut groups: Vec<Vec<&Decision>> = Vec::new();
    for d in timeline {
        if d.template.is_some() {
            let open = groups
                .iter_mut()
                .rev()
                .take_while(|g| d.at_s - g[0].at_s <= 60.0)
                .find(|g| g[0].kind == d.kind && g[0].template == d.template);
            if let Some(group) = open {
                group.push(d);
                continue;
            }
        }
        groups.push(vec![d]);
    }
    groups
}

fn table<const N: usize>(out: &mut String, header: [&str; N], rows: &[[String; N]]) {
    let mut widths: [usize; N] = header.map(str::len);
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        padded.join("  ").trim_end().to_string()
    };
    let _ = writeln!(out, "  {}", line(header.to_vec()));
    for row in rows {
        let _ = writeln!(out, "  {}", line(row.iter().map(String::as_str).collect()));
    }
}

/// `hh:mm:ss` of seconds since the start (to the second).
pub(crate) fn clock(secs: f64) -> String {
    SimTime::from_secs(libm::floor(secs) as u64).to_string()
}

fn secs(value: Option<f64>) -> String {
    value.map_or("-".to_string(), |v| format!("{v:.0}s"))
}
