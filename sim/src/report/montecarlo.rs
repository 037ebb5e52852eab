//! Reports of a Monte Carlo batch: text (summary, histograms, VMs at risk) and a
//! self-contained HTML page with the histograms as inline SVG.

use std::fmt::Write;

use stretchdr_model::escape::control;

use crate::montecarlo::{Bin, MonteCarloResult};
use crate::outcome::{Rto, VmOutcome};
use crate::report::chart::{self, CHART_CSS};
use crate::report::html::{CSS, esc};

/// The text report of a Monte Carlo batch. Names are shown through [`control`], so none can
/// start a line of its own.
pub fn monte_carlo_text(result: &MonteCarloResult) -> String {
    let mut out = String::new();
    let s = &result.summary;
    let h = &result.histograms;
    let _ = writeln!(out, "scenario: {}", control(&result.scenario));
    let _ = writeln!(out, "seed: {}   runs: {}", result.seed, result.runs);
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "{} VMs, by their most frequent outcome: {} restarted, {} not restarted, {} unaffected, {} migrated, {} split brain",
        s.vms, s.restarted, s.not_restarted, s.unaffected, s.migrated, s.split_brain
    );
    let _ = writeln!(
        out,
        "not restarted per run: expected {:.2}, p50 {}, p95 {}, max {}",
        s.expected_not_restarted,
        count(s.not_restarted_per_run.p50),
        count(s.not_restarted_per_run.p95),
        count(s.not_restarted_per_run.max)
    );
    let _ = writeln!(out, "RTO over every restart: {}", spread(&s.rto_s, "-"));
    let _ = writeln!(
        out,
        "all HA VMs back: {}; in {} of {} runs",
        spread(&s.all_ha_back_s, "never"),
        s.runs_all_ha_back,
        result.runs
    );
    let _ = writeln!(
        out,
        "engine down: mean {:.0}s  SPM down: mean {:.0}s  failback done: p50 {}",
        s.engine_down_s,
        s.spm_down_s,
        secs(s.failback_done_s, "-")
    );
    let _ = writeln!(out);
    let _ = writeln!(out, "all HA VMs back (runs):");
    histogram(&mut out, &h.all_ha_back_s, true, Some(h.all_ha_back_never));
    let _ = writeln!(out, "VMs not restarted per run (runs):");
    histogram(&mut out, &h.not_restarted, false, None);
    let _ = writeln!(out);
    let rows: Vec<[String; 6]> = result
        .vms
        .iter()
        .filter(|v| v.outcome != VmOutcome::Unaffected || v.p_not_restarted > 0.0)
        .map(|v| {
            [
                control(&v.name).into_owned(),
                format!("{:.3}", v.p_not_restarted),
                v.outcome.as_str().to_string(),
                v.reason.map_or("-".into(), |r| r.as_str().to_string()),
                secs(v.rto_s.p50, "-"),
                secs(v.rto_s.p95, "-"),
            ]
        })
        .collect();
    let _ = writeln!(out, "affected VMs ({}):", rows.len());
    let header = [
        "VM",
        "P(NOT RESTARTED)",
        "MOSTLY",
        "REASON",
        "RTO P50",
        "RTO P95",
    ];
    let mut widths = header.map(str::len);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: [&str; 6]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        padded.join("  ").trim_end().to_string()
    };
    let _ = writeln!(out, "  {}", line(header));
    for row in &rows {
        let _ = writeln!(out, "  {}", line(row.each_ref().map(String::as_str)));
    }
    out
}

/// Bars of `#`, 40 for the fullest bin; times as seconds, counts as numbers.
fn histogram(out: &mut String, bins: &[Bin], time: bool, never: Option<u32>) {
    let most = bins
        .iter()
        .map(|b| b.runs)
        .chain(never)
        .max()
        .unwrap_or(0)
        .max(1);
    let label = |b: &Bin| {
        let unit = if time { "s" } else { "" };
        if b.to - b.from <= 1.0 {
            format!("{:.0}{unit}", b.from)
        } else {
            format!("{:.0}-{:.0}{unit}", b.from, b.to - 1.0)
        }
    };
    let mut lines: Vec<(String, u32)> = bins.iter().map(|b| (label(b), b.runs)).collect();
    if let Some(never) = never.filter(|n| *n > 0) {
        lines.push(("never".into(), never));
    }
    let width = lines.iter().map(|(l, _)| l.len()).max().unwrap_or(0);
    for (label, runs) in lines {
        let bar = "#".repeat((runs as usize * 40).div_ceil(most as usize));
        let _ = writeln!(out, "  {label:>width$}  {bar:<40}  {runs}");
    }
}

fn spread(r: &Rto, missing: &str) -> String {
    format!(
        "p50 {}  p95 {}  max {}",
        secs(r.p50, missing),
        secs(r.p95, missing),
        secs(r.max, missing)
    )
}

fn secs(v: Option<f64>, missing: &str) -> String {
    v.map_or(missing.to_string(), |v| format!("{v:.0}s"))
}

fn count(v: Option<f64>) -> String {
    v.map_or("-".to_string(), |v| format!("{v:.0}"))
}

/// The HTML page of a Monte Carlo batch.
pub fn monte_carlo_html(result: &MonteCarloResult) -> String {
    let s = &result.summary;
    let h = &result.histograms;
    let mut out = String::new();
    let title = format!("stretchdr sim: {}", result.scenario);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{}{}</style>\n</head>\n<body>\n",
        esc(&title),
        CSS,
        CHART_CSS
    );
    let _ = writeln!(out, "<h1>{}</h1>", esc(&result.scenario));
    let _ = writeln!(
        out,
        "<p class=\"meta\">seed {} &middot; {} runs</p>",
        result.seed, result.runs
    );
    let dash = "&ndash;";
    let cards = [
        ("VMs", s.vms.to_string()),
        (
            "expected not restarted",
            format!("{:.2}", s.expected_not_restarted),
        ),
        ("all HA back p50", secs(s.all_ha_back_s.p50, "never")),
        ("all HA back p95", secs(s.all_ha_back_s.p95, "never")),
        ("RTO p50", secs(s.rto_s.p50, dash)),
        ("RTO p95", secs(s.rto_s.p95, dash)),
        (
            "runs all HA back",
            format!("{} / {}", s.runs_all_ha_back, result.runs),
        ),
        ("engine down (mean)", format!("{:.0}s", s.engine_down_s)),
    ];
    out.push_str("<div class=\"cards\">\n");
    for (label, value) in cards {
        let _ = writeln!(
            out,
            "<div class=\"card\"><b>{value}</b><span>{label}</span></div>"
        );
    }
    out.push_str("</div>\n<h2>All HA VMs back</h2>\n");
    out.push_str(&histogram_svg(
        &h.all_ha_back_s,
        "s",
        h.all_ha_back_never,
        "time until every affected HA VM is back",
    ));
    out.push_str("<h2>VMs not restarted per run</h2>\n");
    out.push_str(&histogram_svg(
        &h.not_restarted,
        "",
        0,
        "VMs not restarted in a run",
    ));
    out.push_str("<h2>VMs</h2>\n<table>\n<tr><th>VM</th><th>P(not restarted)</th><th>mostly</th><th>reason</th><th>RTO p50</th><th>RTO p95</th><th>RTO max</th></tr>\n");
    for v in &result.vms {
        let _ = writeln!(
            out,
            "<tr class=\"{}\"><td>{}</td><td>{:.3}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            v.outcome.as_str(),
            esc(&v.name),
            v.p_not_restarted,
            v.outcome.as_str(),
            v.reason.map_or("", |r| r.as_str()),
            secs(v.rto_s.p50, ""),
            secs(v.rto_s.p95, ""),
            secs(v.rto_s.max, ""),
        );
    }
    out.push_str("</table>\n<p class=\"meta\">generated by stretchdr</p>\n</body>\n</html>\n");
    out
}

/// A bar chart of runs per bin (and a last "never" bar when some runs never got there), with
/// a y axis of runs, the bins along x (labels thinned and turned so none overlap) and both
/// axis titles. `unit` "s" marks bins of seconds.
pub(crate) fn histogram_svg(bins: &[Bin], unit: &str, never: u32, x_title: &str) -> String {
    let mut bars: Vec<(String, u32)> = bins
        .iter()
        .map(|b| {
            let label = if b.to - b.from <= 1.0 {
                format!("{:.0}{unit}", b.from)
            } else {
                format!("{:.0}-{:.0}{unit}", b.from, b.to - 1.0)
            };
            (label, b.runs)
        })
        .collect();
    if never > 0 {
        bars.push(("never".into(), never));
    }
    let (width, left, right, top) = (720.0, 56.0, 710.0, 10.0);
    let plot = 170.0;
    let slot = (right - left) / bars.len().max(1) as f64;
    let labels: Vec<String> = bars.iter().map(|(l, _)| l.clone()).collect();
    let layout = chart::label_layout(&labels, slot);
    let bottom = top + plot;
    let height = bottom + layout.depth + 24.0;
    let most = bars.iter().map(|(_, r)| *r).max().unwrap_or(0).max(1);
    let ticks = chart::ticks(f64::from(most), 5);
    let axis = chart::YAxis {
        left,
        right,
        top,
        bottom,
        ticks: &ticks,
        per: 1.0,
        title: "runs",
    };
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height:.0}\" viewBox=\"0 0 {width} {height:.0}\" role=\"img\" class=\"histogram\">\n"
    );
    axis.draw(&mut svg);
    // A count above a bar only where it fits its slot; every bar has it in its tooltip.
    let counts_fit = bars
        .iter()
        .all(|(_, r)| r.to_string().len() as f64 * chart::CHAR_W + 2.0 <= slot);
    for (i, (label, runs)) in bars.iter().enumerate() {
        let y = axis.y(f64::from(*runs));
        let x = left + i as f64 * slot;
        let fill = if label == "never" {
            "#d9534f"
        } else {
            "#2a6fdb"
        };
        let gap = if slot > 6.0 { 1.0 } else { 0.0 };
        let _ = writeln!(
            svg,
            "<rect x=\"{:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{fill}\"><title>{}: {} runs</title></rect>",
            x + gap,
            (slot - 2.0 * gap).max(0.5),
            bottom - y,
            esc(label),
            runs
        );
        if counts_fit && *runs > 0 {
            let _ = writeln!(
                svg,
                "<text x=\"{:.1}\" y=\"{:.1}\" class=\"count\">{runs}</text>",
                x + slot / 2.0,
                (y - 3.0).max(9.0),
            );
        }
    }
    let _ = writeln!(
        svg,
        "<line x1=\"{left}\" x2=\"{right}\" y1=\"{bottom}\" y2=\"{bottom}\" stroke=\"#444\"/>"
    );
    chart::category_labels(&mut svg, &labels, layout, bottom, |i| {
        left + (i as f64 + 0.5) * slot
    });
    chart::x_title(&mut svg, x_title, left, right, height - 6.0);
    svg.push_str("</svg>\n");
    svg
}

#[cfg(test)]
mod tests {
    use super::histogram_svg;
    use crate::montecarlo::Bin;
    use crate::report::chart::check::{labels_apart, texts};

    fn bins(n: usize, width: f64) -> Vec<Bin> {
        (0..n)
            .map(|i| Bin {
                from: 300.0 + i as f64 * width,
                to: 300.0 + (i + 1) as f64 * width,
                runs: (i % 7) as u32 + 1,
            })
            .collect()
    }

    #[test]
    fn histogram_labels_never_overlap_however_many_bins() {
        for n in [1, 5, 12, 40, 120, 400] {
            let svg = histogram_svg(&bins(n, 10.0), "s", 3, "time until every HA VM is back");
            let labels = texts(&svg, "tick rot");
            let flat = texts(&svg, "tick");
            let shown = if labels.is_empty() { &flat } else { &labels };
            assert!(!shown.is_empty(), "{n} bins: no labels");
            labels_apart(shown);
            // The bars are all there, labelled or not: one per bin and the "never" bar.
            assert_eq!(svg.matches("<rect").count(), n + 1, "{n} bins");
            assert!(svg.contains("never: 3 runs"));
            // Both axes are titled and the runs axis has ticks.
            let axes: Vec<String> = texts(&svg, "axis").into_iter().map(|t| t.2).collect();
            assert_eq!(axes, ["runs", "time until every HA VM is back"], "{n} bins");
            assert!(texts(&svg, "ytick").len() >= 2, "{n} bins");
        }
        // Few bins: flat labels, all of them, and counts over the bars.
        let svg = histogram_svg(&bins(5, 10.0), "s", 0, "x");
        assert!(texts(&svg, "tick rot").is_empty());
        assert!(texts(&svg, "tick").iter().any(|t| t.2 == "300-309s"));
        // Many bins: turned, thinned labels; each bar keeps its range in its tooltip.
        let svg = histogram_svg(&bins(400, 10.0), "s", 0, "x");
        let rotated = texts(&svg, "tick rot");
        assert!(
            rotated.len() < 400 && rotated.len() > 20,
            "{}",
            rotated.len()
        );
        assert!(svg.contains("<title>4290-4299s: 1 runs</title>"));
    }
}
