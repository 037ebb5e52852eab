//! `diff` reports: text for a terminal, Markdown for a pull-request comment, JSON.

use std::fmt::Write as _;

use stretchdr_lint::Finding;
use stretchdr_model::units::format_seconds_human;

use super::compare::{Comparison, MetricChange, ScenarioChange, VmChange, VmSide};

/// How many changed VMs a report lists per scenario before counting the rest.
const VMS_LISTED: usize = 50;

/// A figure in its unit: `3`, `3m 12s`, `61.5%`; `-` when not applicable.
fn figure(metric: &MetricChange, value: Option<f64>) -> String {
    match (value, metric.unit) {
        (None, _) if metric.metric == "failback" => "not within a day".to_string(),
        (None, _) => "-".to_string(),
        (Some(v), "s") => format_seconds_human(v),
        (Some(v), "percent") => format!("{v:.1}%"),
        (Some(v), _) if v.fract() == 0.0 => format!("{v:.0}"),
        (Some(v), _) => format!("{v:.2}"),
    }
}

/// The change in its unit, signed: `+3`, `-12s`, `+4.0%`; empty when none.
fn delta(metric: &MetricChange) -> String {
    let Some(d) = metric.delta else {
        return String::new();
    };
    if d.abs() < 1e-6 {
        return String::new();
    }
    let sign = if d > 0.0 { "+" } else { "-" };
    let magnitude = d.abs();
    match metric.unit {
        "s" => format!("{sign}{}", format_seconds_human(magnitude)),
        "percent" => format!("{sign}{magnitude:.1}%"),
        _ if magnitude.fract() == 0.0 => format!("{sign}{magnitude:.0}"),
        _ => format!("{sign}{magnitude:.2}"),
    }
}

fn allowed(metric: &MetricChange) -> String {
    match metric.unit {
        "s" => format!("+{}", format_seconds_human(metric.allowed)),
        "percent" => format!("+{:.1}%", metric.allowed),
        _ => format!("+{}", metric.allowed),
    }
}

fn outcome(side: &Option<VmSide>) -> String {
    match side {
        None => "absent".to_string(),
        Some(s) => match s.reason {
            Some(reason) => format!("{} ({reason})", s.outcome),
            None => s.outcome.to_string(),
        },
    }
}

/// Why the change fails, one clause per cause; empty when it does not.
fn reasons(c: &Comparison) -> Vec<String> {
    let mut out = Vec::new();
    if c.findings.failing > 0 {
        out.push(format!(
            "{} finding{} added at {} or above",
            c.findings.failing,
            if c.findings.failing == 1 { "" } else { "s" },
            c.fail_on
        ));
    }
    for scenario in c.scenarios.iter().filter(|s| s.worse) {
        let worse: Vec<String> = scenario
            .metrics
            .iter()
            .filter(|m| m.worse)
            .map(|m| {
                let change = delta(m);
                let change = if change.is_empty() {
                    format!("{} -> {}", figure(m, m.base), figure(m, m.head))
                } else {
                    change
                };
                format!("{} {change} (allowed {})", m.metric, allowed(m))
            })
            .collect();
        out.push(format!("{}: {}", scenario.name, worse.join(", ")));
    }
    out
}

fn finding_line(f: &Finding) -> String {
    let location = match (&f.file, f.line) {
        (Some(file), Some(line)) => format!(" ({file}:{line})"),
        (Some(file), None) => format!(" ({file})"),
        _ => String::new(),
    };
    format!(
        "{}[{}] {} {}: {}{location}",
        f.level,
        f.code,
        f.entity.kind.as_str(),
        f.entity.name,
        f.message
    )
}

fn vm_counts(vms: &[VmChange]) -> String {
    let count = |kind: &str| vms.iter().filter(|v| v.change == kind).count();
    let parts: Vec<String> = [
        ("now_down", "now down"),
        ("now_restarts", "now restart"),
        ("changed", "changed"),
        ("added", "added"),
        ("removed", "removed"),
    ]
    .iter()
    .filter_map(|(kind, label)| {
        let n = count(kind);
        (n > 0).then(|| format!("{n} {label}"))
    })
    .collect();
    parts.join(", ")
}

/// The terminal report.
pub fn text(c: &Comparison) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "stretchdr diff: {}{} ({} -> {})",
        c.verdict.as_str(),
        if c.fails { ", exit 1" } else { "" },
        c.base,
        c.head
    );
    for reason in reasons(c) {
        let _ = writeln!(out, "  {reason}");
    }
    let _ = writeln!(
        out,
        "\n== findings: {} added, {} resolved, {} unchanged",
        c.findings.added.len(),
        c.findings.resolved.len(),
        c.findings.unchanged
    );
    for f in &c.findings.added {
        let _ = writeln!(out, "+ {}", finding_line(f));
    }
    for f in &c.findings.resolved {
        let _ = writeln!(out, "- {}", finding_line(f));
    }
    for s in &c.scenarios {
        scenario_text(&mut out, s);
    }
    out
}

fn scenario_text(out: &mut String, s: &ScenarioChange) {
    match s.status {
        "only_head" => {
            let _ = writeln!(out, "\n== {}: only in HEAD, not compared", s.name);
            return;
        }
        "only_base" => {
            let _ = writeln!(out, "\n== {}: only in BASE, not compared", s.name);
            return;
        }
        _ => {}
    }
    let _ = writeln!(
        out,
        "\n== {}{}",
        s.name,
        if s.worse {
            ": worse beyond tolerance"
        } else {
            ""
        }
    );
    let _ = writeln!(
        out,
        "{:<24} {:>18} {:>18} {:>12} {:>10}",
        "metric", "base", "head", "change", "allowed"
    );
    for m in &s.metrics {
        let _ = writeln!(
            out,
            "{:<24} {:>18} {:>18} {:>12} {:>10}{}",
            m.metric,
            figure(m, m.base),
            figure(m, m.head),
            delta(m),
            allowed(m),
            if m.worse { "  WORSE" } else { "" }
        );
    }
    for (site, pair) in &s.peak_memory_percent {
        let show = |v: Option<f64>| v.map_or("-".to_string(), |p| format!("{p:.1}%"));
        let _ = writeln!(
            out,
            "peak memory {site}: {} -> {}",
            show(pair.base),
            show(pair.head)
        );
    }
    if s.vms.is_empty() {
        let _ = writeln!(out, "VMs: no outcome changed");
        return;
    }
    let _ = writeln!(out, "VMs: {}", vm_counts(&s.vms));
    for vm in s.vms.iter().take(VMS_LISTED) {
        let _ = writeln!(
            out,
            "  {}: {} -> {}",
            vm.name,
            outcome(&vm.base),
            outcome(&vm.head)
        );
    }
    if s.vms.len() > VMS_LISTED {
        let _ = writeln!(out, "  ... and {} more", s.vms.len() - VMS_LISTED);
    }
}

/// Markdown cells: `|` and newlines would break the table.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

/// The pull-request comment: a verdict line, the findings, a table per scenario, the VMs
/// that changed.
pub fn markdown(c: &Comparison) -> String {
    let mut out = String::new();
    let mark = match (c.fails, c.verdict.as_str()) {
        (true, _) => ":x:",
        (false, "better") => ":white_check_mark:",
        (false, "unchanged") => ":heavy_minus_sign:",
        _ => ":large_orange_diamond:",
    };
    let _ = writeln!(out, "### {mark} stretchdr diff: {}\n", c.verdict.as_str());
    let _ = writeln!(out, "`{}` → `{}`\n", cell(&c.base), cell(&c.head));
    for reason in reasons(c) {
        let _ = writeln!(out, "- **{}**", cell(&reason));
    }
    if c.fails {
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "**Findings:** {} added, {} resolved, {} unchanged\n",
        c.findings.added.len(),
        c.findings.resolved.len(),
        c.findings.unchanged
    );
    if !c.findings.added.is_empty() || !c.findings.resolved.is_empty() {
        out.push_str("| | level | code | entity | message |\n|---|---|---|---|---|\n");
        let rows = c
            .findings
            .added
            .iter()
            .map(|f| ("added", f))
            .chain(c.findings.resolved.iter().map(|f| ("resolved", f)));
        for (what, f) in rows {
            let _ = writeln!(
                out,
                "| {what} | {} | {} | {} {} | {} |",
                f.level,
                f.code,
                f.entity.kind.as_str(),
                cell(&f.entity.name),
                cell(&f.message)
            );
        }
        out.push('\n');
    }
    for s in &c.scenarios {
        if s.status != "compared" {
            let _ = writeln!(
                out,
                "#### {}\n\nonly in {}, not compared\n",
                cell(&s.name),
                if s.status == "only_head" {
                    "HEAD"
                } else {
                    "BASE"
                }
            );
            continue;
        }
        let _ = writeln!(
            out,
            "#### {}{}\n",
            cell(&s.name),
            if s.worse { " — worse" } else { "" }
        );
        out.push_str("| metric | base | head | change | allowed |\n|---|---:|---:|---:|---:|\n");
        for m in &s.metrics {
            let _ = writeln!(
                out,
                "| {}{} | {} | {} | {} | {} |",
                m.metric,
                if m.worse { " :x:" } else { "" },
                figure(m, m.base),
                figure(m, m.head),
                delta(m),
                allowed(m)
            );
        }
        for (site, pair) in &s.peak_memory_percent {
            let show = |v: Option<f64>| v.map_or("-".to_string(), |p| format!("{p:.1}%"));
            let _ = writeln!(
                out,
                "| peak memory {} | {} | {} | | |",
                cell(site),
                show(pair.base),
                show(pair.head)
            );
        }
        out.push('\n');
        if !s.vms.is_empty() {
            let _ = writeln!(
                out,
                "<details><summary>VMs: {}</summary>\n\n| VM | base | head |\n|---|---|---|",
                vm_counts(&s.vms)
            );
            for vm in s.vms.iter().take(VMS_LISTED) {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} |",
                    cell(&vm.name),
                    outcome(&vm.base),
                    outcome(&vm.head)
                );
            }
            if s.vms.len() > VMS_LISTED {
                let _ = writeln!(out, "| … {} more | | |", s.vms.len() - VMS_LISTED);
            }
            out.push_str("\n</details>\n\n");
        }
    }
    out
}

/// The JSON result (docs/formats.md, "Diff result").
pub fn json(c: &Comparison) -> String {
    let mut text = serde_json::to_string_pretty(c).expect("the comparison serializes");
    text.push('\n');
    text
}
