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

/// The texts of the elements named `tag` with every class of `classes`.
fn texts(html: &str, tag: &str, classes: &[&str]) -> Vec<String> {
    elements(html, tag, classes)
        .iter()
        .map(|markup| {
            let dom = tl::parse(markup, tl::ParserOptions::default()).unwrap();
            let parser = dom.parser();
            dom.children()[0]
                .get(parser)
                .unwrap()
                .inner_text(parser)
                .into_owned()
        })
        .collect()
}

#[test]
fn georep_scenarios_write_a_page_with_each_session_its_runs_and_the_site_loss() {
    let (html, json) = page(
        "georep",
        &["sim", "scenarios/georep-weekly.toml", "--format", "json"],
    );
    fetches_nothing(&html);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let sessions = json["sessions"].as_array().unwrap();
    let sections = elements(&html, "section", &["session"]);
    assert_eq!(sections.len(), sessions.len());
    for (section, session) in sections.iter().zip(sessions) {
        let volume = session["volume"].as_str().unwrap();
        assert!(
            section.contains(&format!("session {volume} &rarr;")),
            "{volume}"
        );
        // One bar per run, of its outcome, on the session's timeline; one row per run.
        let runs = session["runs"].as_array().unwrap();
        let bars = elements(section, "g", &["run"]);
        assert_eq!(bars.len(), runs.len(), "{volume}");
        for (bar, run) in bars.iter().zip(runs) {
            let outcome = run["outcome"].as_str().unwrap();
            assert!(bar.contains(&format!("class=\"run {outcome}\"")), "{bar}");
        }
        assert_eq!(elements(section, "svg", &[]).len(), 1);
        // The site loss is marked on the timeline and said in words.
        let losses = session["site_losses"].as_array().map_or(0, Vec::len);
        assert_eq!(texts(section, "g", &["mark"]).len(), losses, "{volume}");
        assert!(losses == 0 || section.contains("site site-a lost Sat 01:15:00"));
        if session["rpo_target_s"].is_number() {
            let verdict = if session["meets_target"] == true {
                "met"
            } else {
                "missed"
            };
            assert!(
                section.contains(&format!("{verdict}</b><span>RPO target")),
                "{volume}"
            );
        }
    }
}

#[test]
fn active_passive_scenarios_write_a_page_with_the_roles_steps_by_phase_and_each_vm() {
    let (html, json) = page(
        "ap",
        &[
            "sim",
            "scenarios/active-passive-failover.toml",
            "--format",
            "json",
        ],
    );
    fetches_nothing(&html);
    let json: serde_json::Value = serde_json::from_str(&json).unwrap();
    let steps = json["timeline"].as_array().unwrap();
    // One bar per step of the role, failed ones apart, on the lanes of the phases it ran.
    let bars = elements(&html, "g", &["step"]);
    assert_eq!(bars.len(), steps.len());
    let failed = steps.iter().filter(|s| s["failed"].is_object()).count();
    assert!(failed > 0, "the bundled scenario has an ignored failure");
    assert_eq!(elements(&html, "g", &["step", "failed"]).len(), failed);
    let svg = &elements(&html, "svg", &[])[0];
    for lane in ["operator", "failover", "clean-up", "failback", "VMs up"] {
        assert!(
            svg.contains(&format!("class=\"lane\">{lane}</text>")),
            "{lane}"
        );
    }
    // Each VM restarted is marked when it came up, on the secondary and back on the primary.
    let ups: usize = json["vms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            usize::from(v["up_at_s"].is_number()) + usize::from(v["failback_up_at_s"].is_number())
        })
        .sum();
    assert_eq!(elements(&html, "g", &["vm-up"]).len(), ups);
    // The steps and VMs tables, one row each (and a header).
    let vm_rows = elements(&html, "table", &["vms"])[0].matches("<tr").count();
    assert_eq!(vm_rows, json["vms"].as_array().unwrap().len() + 1);
    assert_eq!(texts(&html, "tr", &["failed"]).len(), failed);
}
