//! Reports of a what-if sweep: a text table, CSV, JSON, and an HTML page with plots.

use std::fmt::Write;

use crate::report::html::{CSS, esc};
use crate::whatif::{Point, Sweep};

const COLUMNS: [&str; 7] = [
    "memory added",
    "RTO p50",
    "RTO p95",
    "expected not restarted",
    "all HA back p95",
    "failback",
    "meets target",
];

/// The cells of a point after its settings, as text.
fn cells(p: &Point) -> [String; 7] {
    let secs = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.0}s"));
    [
        gib(p.memory_added_bytes),
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

fn gib(bytes: i128) -> String {
    let g = bytes as f64 / (1u64 << 30) as f64;
    if g == 0.0 {
        "0".to_string()
    } else {
        format!("{g:+.0}GiB")
    }
}

/// The text table, one row per point, and the cheapest point meeting the target.
pub fn whatif_text(sweep: &Sweep) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "scenario: {}", sweep.scenario);
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
        .cloned()
        .chain(COLUMNS.iter().map(|c| c.to_string()))
        .collect();
    let rows: Vec<Vec<String>> = sweep
        .points
        .iter()
        .map(|p| p.settings.values().cloned().chain(cells(p)).collect())
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
                let settings: Vec<String> =
                    p.settings.iter().map(|(k, v)| format!("{k}={v}")).collect();
                let _ = writeln!(
                    out,
                    "cheapest point meeting {target}: {} (memory added {})",
                    settings.join(" "),
                    gib(p.memory_added_bytes)
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
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{}</style>\n</head>\n<body>\n",
        esc(&title),
        CSS
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
    let plots: [(&str, Vec<Option<f64>>); 3] = [
        (
            "RTO p95 (s)",
            sweep.points.iter().map(|p| p.rto_p95_s).collect(),
        ),
        (
            "expected VMs not restarted",
            sweep
                .points
                .iter()
                .map(|p| Some(p.expected_not_restarted))
                .collect(),
        ),
        (
            "failback (s)",
            sweep.points.iter().map(|p| p.failback_s).collect(),
        ),
    ];
    for (name, values) in plots {
        let _ = writeln!(out, "<h2>{}</h2>", esc(name));
        out.push_str(&line_svg(&labels, &values, sweep.cheapest.flatten()));
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

/// A line over the points (gaps where a value is missing), the chosen point ringed.
fn line_svg(labels: &[String], values: &[Option<f64>], chosen: Option<usize>) -> String {
    let (width, height, left, bottom, top) = (720.0, 220.0, 60.0, 50.0, 12.0);
    let most = values
        .iter()
        .flatten()
        .fold(0.0_f64, |m, v| m.max(*v))
        .max(1.0);
    let n = values.len().max(1);
    let x = |i: usize| left + (width - left - 20.0) * (i as f64 + 0.5) / n as f64;
    let plot = height - bottom - top;
    let y = |v: f64| top + plot - plot * v / most;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" role=\"img\">\n"
    );
    let _ = writeln!(
        svg,
        "<line x1=\"{left}\" y1=\"{:.1}\" x2=\"{:.1}\" y2=\"{:.1}\" stroke=\"#999\"/><text x=\"4\" y=\"{:.1}\" class=\"lane\">{most:.0}</text><text x=\"4\" y=\"{:.1}\" class=\"lane\">0</text>",
        top + plot,
        width - 20.0,
        top + plot,
        top + 10.0,
        top + plot
    );
    let mut path = String::new();
    for (i, v) in values.iter().enumerate() {
        if let Some(v) = v {
            let cmd = if path.is_empty() || values[i - 1].is_none() {
                'M'
            } else {
                'L'
            };
            let _ = write!(path, "{cmd}{:.1},{:.1} ", x(i), y(*v));
        }
    }
    if !path.is_empty() {
        let _ = writeln!(
            svg,
            "<path d=\"{}\" fill=\"none\" stroke=\"#2a6fdb\" stroke-width=\"2\"/>",
            path.trim_end()
        );
    }
    for (i, v) in values.iter().enumerate() {
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
                y(*v),
                esc(&labels[i])
            );
        }
        if n <= 40 || i % n.div_ceil(40) == 0 {
            let _ = writeln!(
                svg,
                "<text x=\"{:.1}\" y=\"{:.1}\" class=\"tick\">{}</text>",
                x(i),
                height - bottom + 14.0,
                esc(&labels[i])
            );
        }
    }
    svg.push_str("</svg>\n");
    svg
}
