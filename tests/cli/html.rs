//! CLI tests of the HTML pages of `sim` (timeline lanes, georep and active-passive pages),
//! read with an HTML parser as a browser would.

use std::path::PathBuf;

use crate::support::{run, stderr, stdout};

/// A fresh path for one test's page.
fn page_path(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("stretchdr-cli-html-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(format!("{name}.html"))
}

/// The page `args` write with `--html`, and the command's stdout.
fn page(name: &str, args: &[&str]) -> (String, String) {
    let path = page_path(name);
    let mut all = args.to_vec();
    all.extend(["--html", path.to_str().unwrap()]);
    let output = run(&all);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let html = std::fs::read_to_string(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    (html, stdout(&output))
}

/// The elements named `tag` whose class list holds every class of `classes`: their markup.
fn elements(html: &str, tag: &str, classes: &[&str]) -> Vec<String> {
    let dom = tl::parse(html, tl::ParserOptions::default()).expect("the page parses");
    let parser = dom.parser();
    dom.nodes()
        .iter()
        .filter_map(|n| n.as_tag())
        .filter(|t| t.name().as_utf8_str() == tag)
        .filter(|t| {
            let class = t
                .attributes()
                .get("class")
                .flatten()
                .map(|c| c.as_utf8_str().into_owned())
                .unwrap_or_default();
            classes
                .iter()
                .all(|c| class.split_whitespace().any(|k| k == *c))
        })
        .map(|t| t.outer_html(parser))
        .collect()
}

/// The texts of the `<title>` elements inside `markup`.
fn titles(markup: &str) -> Vec<String> {
    let dom = tl::parse(markup, tl::ParserOptions::default()).expect("markup parses");
    let parser = dom.parser();
    dom.query_selector("title")
        .unwrap()
        .filter_map(|h| h.get(parser))
        .map(|n| n.inner_text(parser).into_owned())
        .collect()
}

/// Seconds of a `HH:MM:SS` clock time.
fn clock_s(text: &str) -> f64 {
    let parts: Vec<f64> = text.split(':').map(|p| p.parse().unwrap()).collect();
    parts[0] * 3600.0 + parts[1] * 60.0 + parts[2]
}

/// The `from–to` intervals of titles such as "engine down 00:00:00–00:05:01 (5m 2s)".
fn intervals(titles: &[String]) -> Vec<(f64, f64)> {
    titles
        .iter()
        .filter_map(|t| {
            let span = t.split_whitespace().find(|w| w.contains('–'))?;
            let (from, to) = span.split_once('–')?;
            Some((clock_s(from), clock_s(to)))
        })
        .collect()
}

/// Asserts that the page fetches nothing: no scripts, style sheets, images or frames, and no
/// attribute that loads a URL.
pub fn fetches_nothing(html: &str) {
    let dom = tl::parse(html, tl::ParserOptions::default()).expect("the page parses");
    for tag in ["script", "link", "img", "iframe", "object", "embed"] {
        assert_eq!(
            dom.query_selector(tag).unwrap().count(),
            0,
            "<{tag}> in the page"
        );
    }
    for node in dom.nodes() {
        if let Some(tag) = node.as_tag() {
            for (name, _) in tag.attributes().iter() {
                assert!(
                    !["src", "href", "action", "srcset"].contains(&name.as_ref()),
                    "{name} in the page"
                );
            }
        }
    }
    assert!(!html.contains("url(") && !html.contains("@import"));
}

#[test]
fn the_timeline_has_engine_and_spm_lanes_and_failback_migrations_between_host_lanes() {
    let (html, json) = page(
        "return",
        &[
            "sim",
            "scenarios/site-a-loss-and-return.toml",
            "--format",
            "json",
        ],
    );
    fetches_nothing(&html);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let summary = &json["summary"];
    // The engine lane's intervals add up to the engine's downtime; the SPM lane's longest
    // is the longest time without SPM (clock times on the page are to the second).
    let engine = elements(&html, "g", &["lane", "engine"]);
    assert_eq!(engine.len(), 1);
    let engine_down: f64 = intervals(&titles(&engine[0]))
        .iter()
        .map(|(a, b)| b - a)
        .sum();
    let expected = summary["engine_down_s"].as_f64().unwrap();
    assert!(expected > 0.0, "the site-a loss takes the engine down");
    assert!(
        (engine_down - expected).abs() <= 2.0,
        "{engine_down} vs {expected}"
    );
    let spm = elements(&html, "g", &["lane", "spm"]);
    assert_eq!(spm.len(), 1);
    let longest = intervals(&titles(&spm[0]))
        .iter()
        .map(|(a, b)| b - a)
        .fold(0.0, f64::max);
    let expected = summary["spm_down_s"].as_f64().unwrap();
    assert!((longest - expected).abs() <= 2.0, "{longest} vs {expected}");
    // One failback migration drawn per VM the enforcer moved back, each after the recovery
    // (4 h) and from a site-b host to a site-a host.
    let moved_back = json["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["kind"] == "affinity" && d["text"].as_str().unwrap().contains(" back on "))
        .count();
    let failbacks = elements(&html, "g", &["migration", "failback"]);
    assert!(moved_back > 0);
    assert_eq!(failbacks.len(), moved_back);
    for g in &failbacks {
        let title = &titles(g)[0];
        let (from, to) = intervals(std::slice::from_ref(title))[0];
        assert!(from >= 4.0 * 3600.0 && to >= from, "{title}");
        let hosts = title.split_whitespace().collect::<Vec<_>>();
        let arrow = hosts.iter().position(|w| *w == "→").unwrap();
        assert!(
            hosts[arrow - 1].contains('b') && hosts[arrow + 1].contains('a'),
            "{title}"
        );
    }
    // The legend names the new lanes.
    assert!(html.contains("engine down / no SPM") && html.contains("failback migration"));
}

#[test]
fn hosts_lost_one_by_one_leave_the_engine_lane_empty() {
    let (html, json) = page(
        "rolling",
        &[
            "sim",
            "scenarios/rolling-host-loss.toml",
            "--format",
            "json",
        ],
    );
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(json["summary"]["engine_down_s"].as_f64(), Some(0.0));
    let engine = elements(&html, "g", &["lane", "engine"]);
    assert!(intervals(&titles(&engine[0])).is_empty(), "{engine:?}");
    // Each SPM outage drawn lasts no longer than the longest the run reports.
    let spm = elements(&html, "g", &["lane", "spm"]);
    let longest = json["summary"]["spm_down_s"].as_f64().unwrap();
    for (from, to) in intervals(&titles(&spm[0])) {
        assert!(to - from <= longest + 1.0, "{from}-{to} vs {longest}");
    }
}
