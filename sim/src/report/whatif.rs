//! Reports of a what-if sweep: a text table, CSV, JSON, and an HTML page with plots.

use std::fmt::Write;

use stretchdr_model::escape::control;

use crate::report::chart::{self, CHART_CSS};
use crate::report::html::{CSS, esc};
use crate::slo::{self, Metric};
use crate::whatif::{Point, Sweep};

const COLUMNS: [&str; 8] = [
    "memory added",
    "hosts added",
    "RTO p50",
    "RTO p95",
    "expected not restarted",
    "all HA back p95",
    "failback",
    "meets target",
];

/// The cells of a point after its settings, as text.
fn cells(p: &Point) -> [String; 8] {
    let secs = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.0}s"));
    [
        gib(p.memory_added_bytes),
        hosts(p.hosts_added),
        secs(p.rto_p50_s),
        secs(p.rto_p95_s),
        format!("{:.2}", p.expected_not_restarted),
        p.all_ha_back_p95_s
            .map_or("never".to_string(), |v| format!("{v:.0}s")),
        secs(p.failback_s),
        p.meets_target.map_or("-".to_string(), |m| {
            if m { "yes" } else { "no" }.to_string()
        }),
    ]
}

fn hosts(n: u64) -> String {
    if n == 0 {
        "0".to_string()
    } else {
        format!("+{n}")
    }
}

fn gib(bytes: i128) -> String {
    let g = bytes as f64 / (1u64 << 30) as f64;
    if g == 0.0 {
        "0".to_string()
    } else {
        format!("{g:+.0}GiB")
    }
}

/// The text table, one row per point, and the cheapest point meeting the target. Names are
/// shown through [`control`], so none can start a line of its own.
pub fn whatif_text(sweep: &Sweep) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "scenario: {}", control(&sweep.scenario));
    let _ = writeln!(
        out,
        "seed: {}   runs per point: {}   points: {}",
        sweep.seed,
        sweep.runs,
        sweep.points.len()
    );
    let _ = writeln!(out);
    let header: Vec<String> = sweep
        .varied
        .iter()
        .map(|v| control(v).into_owned())
        .chain(COLUMNS.iter().map(|c| c.to_string()))
        .collect();
    let rows: Vec<Vec<String>> = sweep
        .points
        .iter()
        .map(|p| {
            p.settings
                .values()
                .map(|v| control(v).into_owned())
                .chain(cells(p))
                .collect()
        })
        .collect();
    let mut widths: Vec<usize> = header.iter().map(String::len).collect();
    for row in &rows {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        padded.join("  ").trim_end().to_string()
    };
    let _ = writeln!(out, "  {}", line(&header));
    for row in &rows {
        let _ = writeln!(out, "  {}", line(row));
    }
    if let (Some(target), Some(cheapest)) = (&sweep.target, sweep.cheapest) {
        let _ = writeln!(out);
        match cheapest {
            Some(i) => {
                let p = &sweep.points[i];
                let settings: Vec<String> = p
                    .settings
                    .iter()
                    .map(|(k, v)| format!("{}={}", control(k), control(v)))
                    .collect();
                let _ = writeln!(
                    out,
                    "cheapest point meeting {target}: {} (memory added {}, hosts added {})",
                    settings.join(" "),
                    gib(p.memory_added_bytes),
                    hosts(p.hosts_added)
                );
            }
            None => {
                let _ = writeln!(out, "no point meets {target}");
            }
        }
    }
    out
}

/// CSV: a header row, then one row per point (settings first); empty cells for "never"/none.
pub fn whatif_csv(sweep: &Sweep) -> String {
    let mut out = String::new();
    let header: Vec<String> = sweep
        .varied
        .iter()
        .map(|v| csv_cell(v))
        .chain(
            [
                "memory_added_bytes",
                "rto_p50_s",
                "rto_p95_s",
                "expected_not_restarted",
                "all_ha_back_p95_s",
                "failback_s",
                "meets_target",
                "hosts_added",
            ]
            .map(String::from),
        )
        .collect();
    let _ = writeln!(out, "{}", header.join(","));
    let num = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
    for p in &sweep.points {
        let row: Vec<String> = p
            .settings
            .values()
            .map(|v| csv_cell(v))
            .chain([
                p.memory_added_bytes.to_string(),
                num(p.rto_p50_s),
                num(p.rto_p95_s),
                p.expected_not_restarted.to_string(),
                num(p.all_ha_back_p95_s),
                num(p.failback_s),
                p.meets_target.map_or(String::new(), |m| m.to_string()),
                p.hosts_added.to_string(),
            ])
            .collect();
        let _ = writeln!(out, "{}", row.join(","));
    }
    out
}

fn csv_cell(text: &str) -> String {
    if text.contains([',', '"', '\n']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

/// JSON of the sweep (pretty, final newline).
pub fn whatif_json(sweep: &Sweep) -> String {
    let mut out = serde_json::to_string_pretty(sweep).expect("a sweep always serialises");
    out.push('\n');
    out
}

/// The HTML page: the table and a plot per metric over the points.
pub fn whatif_html(sweep: &Sweep) -> String {
    let mut out = String::new();
    let title = format!("stretchdr whatif: {}", sweep.scenario);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{}{}</style>\n</head>\n<body>\n",
        esc(&title),
        CSS,
        CHART_CSS
    );
    let _ = writeln!(out, "<h1>{}</h1>", esc(&title));
    let _ = writeln!(
        out,
        "<p class=\"meta\">seed {} &middot; {} runs per point &middot; {} points</p>",
        sweep.seed,
        sweep.runs,
        sweep.points.len()
    );
    if let (Some(target), Some(cheapest)) = (&sweep.target, sweep.cheapest) {
        let text = match cheapest {
            Some(i) => format!(
                "cheapest point meeting <code>{}</code>: #{}",
                esc(target),
                i + 1
            ),
            None => format!("no point meets <code>{}</code>", esc(target)),
        };
        let _ = writeln!(out, "<p>{text}</p>");
    }
    let labels: Vec<String> = sweep
        .points
        .iter()
        .map(|p| p.settings.values().cloned().collect::<Vec<_>>().join(" "))
        .collect();
    let x_title = sweep.varied.join(" \u{d7} ");
    let conditions = sweep
        .target
        .as_deref()
        .and_then(|t| slo::parse(t).ok())
        .map_or_else(Vec::new, |t| t.conditions);
    let plots: [(&str, Quantity, Vec<Option<f64>>, Metric); 4] = [
        (
            "RTO p95",
            Quantity::Duration,
            sweep.points.iter().map(|p| p.rto_p95_s).collect(),
            Metric::Rto(95),
        ),
        (
            "all HA VMs back p95",
            Quantity::Duration,
            sweep.points.iter().map(|p| p.all_ha_back_p95_s).collect(),
            Metric::AllBack(95),
        ),
        (
            "expected VMs not restarted",
            Quantity::Count,
            sweep
                .points
                .iter()
                .map(|p| Some(p.expected_not_restarted))
                .collect(),
            Metric::Outcome("not_restarted"),
        ),
        (
            "failback",
            Quantity::Duration,
            sweep.points.iter().map(|p| p.failback_s).collect(),
            Metric::Failback,
        ),
    ];
    for (name, quantity, values, metric) in plots {
        let targets: Vec<f64> = conditions
            .iter()
            .filter(|c| c.metric == metric)
            .map(|c| c.limit)
            .collect();
        let _ = writeln!(out, "<h2>{}</h2>", esc(name));
        out.push_str(&line_svg(
            &Plot {
                name,
                quantity,
                x_title: &x_title,
                labels: &labels,
                values: &values,
                targets: &targets,
            },
            sweep.cheapest.flatten(),
        ));
    }
    out.push_str("<h2>Points</h2>\n<table>\n<tr><th>#</th>");
    for v in sweep.varied.iter().map(String::as_str).chain(COLUMNS) {
        let _ = write!(out, "<th>{}</th>", esc(v));
    }
    out.push_str("</tr>\n");
    for (i, p) in sweep.points.iter().enumerate() {
        let class = if sweep.cheapest.flatten() == Some(i) {
            " class=\"restarted\""
        } else {
            ""
        };
        let _ = write!(out, "<tr{class}><td>{}</td>", i + 1);
        for c in p.settings.values().cloned().chain(cells(p)) {
            let _ = write!(out, "<td>{}</td>", esc(&c));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</table>\n<p class=\"meta\">generated by stretchdr</p>\n</body>\n</html>\n");
    out
}

/// What a plot's values are.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Quantity {
    /// Seconds, shown in a unit that suits them.
    Duration,
    Count,
}

/// One plot of the page: a metric over the points.
struct Plot<'a> {
    name: &'a str,
    quantity: Quantity,
    /// The varied parameters.
    x_title: &'a str,
    /// Each point's settings.
    labels: &'a [String],
    values: &'a [Option<f64>],
    /// The limits `--target` sets on this metric: a dashed line each.
    targets: &'a [f64],
}

/// A line over the points (gaps where a value is missing), the chosen point ringed, with a y
/// axis in the metric's unit, the points' settings along x and a dashed line per target.
fn line_svg(plot: &Plot<'_>, chosen: Option<usize>) -> String {
    let (width, left, right, top) = (720.0, 64.0, 700.0, 14.0);
    let bottom = top + 170.0;
    let n = plot.values.len().max(1);
    let slot = (right - left) / n as f64;
    let x = |i: usize| left + slot * (i as f64 + 0.5);
    let layout = chart::label_layout(plot.labels, slot);
    let height = bottom + layout.depth + 24.0;
    let most = plot
        .values
        .iter()
        .flatten()
        .chain(plot.targets)
        .fold(0.0_f64, |m, v| m.max(*v));
    let (unit, per) = match plot.quantity {
        Quantity::Duration => chart::duration_unit(most),
        Quantity::Count => ("VMs", 1.0),
    };
    // Ticks round in the unit shown, then back in the values' unit.
    let ticks: Vec<f64> = chart::ticks(most / per, 5)
        .into_iter()
        .map(|t| t * per)
        .collect();
    // The metric and its unit up the side when that fits the axis, else the unit alone (the
    // heading above the plot names the metric).
    let title = format!("{} ({unit})", plot.name);
    let title = if title.chars().count() as f64 * 6.8 <= bottom - top {
        title
    } else {
        match unit {
            "s" => "seconds",
            "min" => "minutes",
            "h" => "hours",
            other => other,
        }
        .to_string()
    };
    let axis = chart::YAxis {
        left,
        right,
        top,
        bottom,
        ticks: &ticks,
        per,
        title: &title,
    };
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height:.0}\" viewBox=\"0 0 {width} {height:.0}\" role=\"img\" class=\"plot\">\n"
    );
    axis.draw(&mut svg);
    let _ = writeln!(
        svg,
        "<line x1=\"{left}\" x2=\"{right}\" y1=\"{bottom}\" y2=\"{bottom}\" stroke=\"#444\"/>"
    );
    for &limit in plot.targets {
        let y = axis.y(limit);
        let shown = match plot.quantity {
            Quantity::Duration => format!("{}{unit}", chart::tick_text(limit / per)),
            Quantity::Count => chart::tick_text(limit),
        };
        let _ = writeln!(
            svg,
            "<line class=\"target\" x1=\"{left}\" x2=\"{right}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#b52b27\" stroke-dasharray=\"6 4\"/><text x=\"{:.1}\" y=\"{:.1}\" class=\"target\">target {}</text>",
            right - 90.0,
            y - 3.0,
            esc(&shown)
        );
    }
    let mut path = String::new();
    for (i, v) in plot.values.iter().enumerate() {
        if let Some(v) = v {
            let cmd = if path.is_empty() || plot.values[i - 1].is_none() {
                'M'
            } else {
                'L'
            };
            let _ = write!(path, "{cmd}{:.1},{:.1} ", x(i), axis.y(*v));
        }
    }
    if !path.is_empty() {
        let _ = writeln!(
            svg,
            "<path d=\"{}\" fill=\"none\" stroke=\"#2a6fdb\" stroke-width=\"2\"/>",
            path.trim_end()
        );
    }
    for (i, v) in plot.values.iter().enumerate() {
        if let Some(v) = v {
            let r = if chosen == Some(i) { 6.0 } else { 3.0 };
            let fill = if chosen == Some(i) {
                "#2e8b57"
            } else {
                "#2a6fdb"
            };
            let _ = writeln!(
                svg,
                "<circle cx=\"{:.1}\" cy=\"{:.1}\" r=\"{r}\" fill=\"{fill}\"><title>{}: {v:.2}</title></circle>",
                x(i),
                axis.y(*v),
                esc(&plot.labels[i])
            );
        }
    }
    // A point without a value (never back, nothing restarted, no failback within a day) is
    // a hollow ring on the axis top; a plot with none says so.
    for (i, v) in plot.values.iter().enumerate() {
        if v.is_none() {
            let _ = writeln!(
                svg,
                "<circle class=\"none\" cx=\"{:.1}\" cy=\"{top:.1}\" r=\"3\" fill=\"none\" stroke=\"#b52b27\"><title>{}: no value</title></circle>",
                x(i),
                esc(&plot.labels[i])
            );
        }
    }
    if plot.values.iter().all(Option::is_none) {
        let _ = writeln!(
            svg,
            "<text x=\"{:.1}\" y=\"{:.1}\" class=\"empty\">no value at any point</text>",
            (left + right) / 2.0,
            (top + bottom) / 2.0
        );
    }
    chart::category_labels(&mut svg, plot.labels, layout, bottom, x);
    chart::x_title(&mut svg, plot.x_title, left, right, height - 6.0);
    svg.push_str("</svg>\n");
    svg
}

#[cfg(test)]
mod tests {
    use indexmap::IndexMap;

    use super::whatif_html;
    use crate::report::chart::check::{labels_apart, texts};
    use crate::whatif::{Point, assemble};

    fn point(i: usize) -> Point {
        let mut settings = IndexMap::new();
        settings.insert("hosts.site-b".to_string(), format!("+{i}"));
        settings.insert("vds_refresh_rate".to_string(), "3s".to_string());
        Point {
            settings,
            memory_added_bytes: i as i128 * (256 << 30),
            hosts_added: i as u64,
            rto_p50_s: Some(300.0),
            rto_p95_s: Some(2000.0 - 20.0 * i as f64),
            rto_max_s: Some(2400.0),
            expected_not_restarted: (30.0 - i as f64).max(0.0),
            all_ha_back_p50_s: Some(500.0),
            all_ha_back_p95_s: (i > 2).then_some(900.0),
            failback_s: Some(3600.0),
            meets_target: Some(i >= 30),
        }
    }

    /// The plots of a page: each `<svg>` element's markup, in order.
    fn plots(html: &str) -> Vec<String> {
        let dom = tl::parse(html, tl::ParserOptions::default()).expect("the page parses");
        let parser = dom.parser();
        dom.query_selector("svg")
            .expect("a selector")
            .filter_map(|h| h.get(parser))
            .map(|n| n.outer_html(parser).into_owned())
            .collect()
    }

    #[test]
    fn plots_have_titled_axes_ticks_target_lines_and_apart_labels() {
        for n in [3, 60] {
            let sweep = assemble(
                "loss of site-a",
                7,
                10,
                vec!["hosts.site-b".into(), "vds_refresh_rate".into()],
                Some("rto_p95<=15m, not_restarted<=0".into()),
                (0..n).map(point).collect(),
            );
            let html = whatif_html(&sweep);
            let plots = plots(&html);
            assert_eq!(plots.len(), 4, "RTO, all back, not restarted, failback");
            for (i, svg) in plots.iter().enumerate() {
                let axes: Vec<String> = texts(svg, "axis").into_iter().map(|t| t.2).collect();
                assert_eq!(axes.len(), 2, "plot {i}: {axes:?}");
                assert_eq!(axes[1], "hosts.site-b \u{d7} vds_refresh_rate");
                assert!(texts(svg, "ytick").len() >= 3, "plot {i}");
                let mut labels = texts(svg, "tick rot");
                labels.extend(texts(svg, "tick"));
                labels.sort_by(|a, b| a.0.total_cmp(&b.0));
                assert!(!labels.is_empty());
                labels_apart(&labels);
            }
            // A duration axis in a unit that suits its values, and the targets where their
            // metric is plotted: RTO p95 (15 min) and VMs not restarted (0), not elsewhere.
            assert_eq!(texts(&plots[0], "axis")[0].2, "RTO p95 (min)");
            // A title too long for its axis gives way to the unit.
            assert_eq!(texts(&plots[2], "axis")[0].2, "VMs");
            let targets = |svg: &str| {
                texts(svg, "target")
                    .into_iter()
                    .map(|t| t.2)
                    .collect::<Vec<_>>()
            };
            assert_eq!(targets(&plots[0]), ["target 15min"]);
            assert_eq!(targets(&plots[2]), ["target 0"]);
            assert!(targets(&plots[1]).is_empty() && targets(&plots[3]).is_empty());
            assert!(html.contains("<th>hosts added</th>"));
            // The points never all back show as rings; a plot without a value says so.
            let never = n.min(3);
            assert_eq!(plots[1].matches("class=\"none\"").count(), never);
            assert_eq!(
                texts(&plots[1], "empty").len(),
                usize::from(n == 3),
                "plot with no value"
            );
        }
    }
}
