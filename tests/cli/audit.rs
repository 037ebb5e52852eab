//! CLI tests of `stretchdr audit`.

use crate::support::{run, stderr, stdout};

#[test]
fn audit_without_source_audits_the_bundled_example() {
    let output = run(&["audit"]);
    let text = stdout(&output);
    assert!(
        text.contains("site site-a (primary)"),
        "{text}\n{}",
        stderr(&output)
    );
    assert!(text.contains("site site-b (secondary)"), "{text}");
    // The example's deliberate defects include errors, so the audit fails by default.
    assert_eq!(output.status.code(), Some(1), "{text}");
    for code in [
        "AA003", "AA005", "AA006", "AA007", "AA012", "AA014", "AA016",
    ] {
        assert!(
            text.contains(&format!("[{code}]")),
            "{code} missing:\n{text}"
        );
    }
    // Beyond the first few findings of a rule, the rest are counted.
    assert!(
        text.contains("... and 25 more AA004 findings (use --verbose to list all)"),
        "{text}"
    );
    assert!(!text.contains("\u{1b}["), "no colour when piped");
    // The standard scenarios: the loss of each data site and the partition between them.
    for section in [
        "== loss of site-a",
        "== loss of site-b",
        "== partition site-a/site-b",
    ] {
        assert!(text.contains(section), "{section} missing:\n{text}");
    }
    let site_a_loss = text.split("== loss of site-a").nth(1).unwrap();
    // The example's defects show in the prediction: VMs without leases wait for fencing that
    // cannot happen, the hard-affinity group keeps its VMs down.
    assert!(
        site_a_loss.contains("no_lease_no_fencing 4"),
        "{site_a_loss}"
    );
    assert!(site_a_loss.contains("hard_affinity 3"), "{site_a_loss}");
    assert!(site_a_loss.contains("RTO p50 "), "{site_a_loss}");
}

#[test]
fn audit_of_an_export_without_sites_says_so_once() {
    let output = run(&["audit", "fixtures/exports/miq_ovirt_lans_refresh"]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{text}\n{}", stderr(&output));
    assert_eq!(text.matches("warning[AA000]").count(), 1, "{text}");
    assert!(text.contains("not simulated: no sites are known"), "{text}");
}

#[test]
fn audit_of_a_bad_source_exits_2() {
    let output = run(&["audit", "fixtures/exports/malformed/vm_without_name"]);
    assert_eq!(output.status.code(), Some(2), "{}", stdout(&output));
}

/// A fresh directory for one test's files.
fn tempdir(name: &str) -> std::path::PathBuf {
    let dir =
        std::env::temp_dir().join(format!("stretchdr-cli-audit-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The example's three errors allowed, so only the SLOs decide the exit status.
const NO_ERRORS: [&str; 6] = ["--allow", "AA005", "--allow", "AA012", "--allow", "AA016"];

fn audit_with(extra: &[&str]) -> std::process::Output {
    let mut args = vec!["audit"];
    args.extend(NO_ERRORS);
    args.extend(extra);
    run(&args)
}

#[test]
fn the_slo_gate_fails_a_pipeline_on_a_miss_and_names_scenario_figure_and_vms() {
    let output = audit_with(&["--slo", "rto_p95<=1m"]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}\n{}", stderr(&output));
    let missed = text
        .lines()
        .find(|l| l.starts_with("missed rto_p95<=1m in loss of site-a: "))
        .unwrap_or_else(|| panic!("no miss for loss of site-a:\n{text}"));
    // The figure in the one human duration format, then the VMs that cause the miss.
    assert!(missed.contains('m') && missed.contains(" ("), "{missed}");
    assert!(text.contains("verdict: "), "{text}");
    assert!(text.contains("SLO check"), "{text}");
}

#[test]
fn the_slo_gate_passes_when_every_scenario_meets_it() {
    let output = audit_with(&[
        "--slo",
        "rto_p95<=24h",
        "--slo",
        "engine_down<=24h, spm_down<=24h",
        "--slo",
        "split_brain==0",
    ]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{text}\n{}", stderr(&output));
    assert!(!text.contains("missed "), "{text}");
    assert_eq!(text.matches("met rto_p95<=24h in ").count(), 3, "{text}");
    assert!(text.contains("no errors"), "{text}");
}

#[test]
fn ha_vms_left_down_fail_not_restarted_ha_and_are_named() {
    let output = audit_with(&["--slo", "not_restarted_ha==0"]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    let missed = text
        .lines()
        .find(|l| l.starts_with("missed not_restarted_ha==0 in loss of site-a"))
        .unwrap_or_else(|| panic!("{text}"));
    // The example's HA VMs without a lease on fenceless hosts stay down.
    assert!(missed.contains("legacy-app-0"), "{missed}");
}

#[test]
fn a_bad_slo_exits_2_and_says_what_was_expected() {
    for (slo, expected) in [
        ("rto_p59<=15m", "did you mean"),
        ("rto_p95=15m", "expected METRIC OP VALUE"),
        ("not_restarted_ha<=soon", "expected a number"),
    ] {
        let output = run(&["audit", "--slo", slo]);
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{slo}: {err}");
        assert!(
            err.contains("--slo") && err.contains(expected),
            "{slo}: {err}"
        );
    }
}

#[test]
fn a_design_slo_table_gates_and_a_bad_entry_points_at_its_line() {
    let dir = tempdir("slo-table");
    let design =
        std::fs::read_to_string(crate::support::root().join("fixtures/demo/design.toml")).unwrap();
    let gated = dir.join("gated.toml");
    std::fs::write(&gated, format!("{design}\n[slo]\nrto_p95 = \"<=1m\"\n")).unwrap();
    let mut args = vec!["audit", gated.to_str().unwrap()];
    args.extend(NO_ERRORS);
    let output = run(&args);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}\n{}", stderr(&output));
    assert!(
        text.contains("missed rto_p95<=1m in loss of site-a"),
        "{text}"
    );

    let bad = dir.join("bad.toml");
    std::fs::write(&bad, format!("{design}\n[slo]\nrto_p59 = \"15m\"\n")).unwrap();
    let output = run(&["audit", bad.to_str().unwrap()]);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{err}");
    let line = design.lines().count() + 3;
    assert!(err.contains(&format!("bad.toml:{line}")), "{err}");
    assert!(err.contains("unknown metric"), "{err}");
}

#[test]
fn json_report_has_the_documented_fields() {
    let output = run(&["audit", "--format", "json", "--slo", "rto_p95<=1m"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let audit: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    for key in [
        "source",
        "seed",
        "verdict",
        "passed",
        "findings",
        "summary",
        "scenarios",
        "slo",
        "capacity",
    ] {
        assert!(audit.get(key).is_some(), "{key} missing: {audit}");
    }
    assert_eq!(audit["passed"], false);
    assert_eq!(audit["summary"]["error"], 3);
    let scenarios = audit["scenarios"].as_array().unwrap();
    assert_eq!(scenarios.len(), 3);
    assert_eq!(scenarios[0]["name"], "loss of site-a");
    assert_eq!(scenarios[0]["site_lost"], "site-a");
    assert!(scenarios[0]["result"]["summary"]["rto_s"]["p95"].is_number());
    // Only the VMs something happened to are listed.
    assert!(
        scenarios[0]["result"]["vms"]
            .as_array()
            .unwrap()
            .iter()
            .all(|v| v["outcome"] != "unaffected")
    );
    let missed: Vec<&serde_json::Value> = audit["slo"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["met"] == false)
        .collect();
    assert!(!missed.is_empty());
    assert!(missed[0]["vms"].as_array().is_some_and(|v| !v.is_empty()));
    assert_eq!(missed[0]["limit"], 60.0);
}

#[test]
fn sarif_holds_lint_findings_and_missed_slos() {
    let output = run(&["audit", "--format", "sarif", "--slo", "rto_p95<=1m"]);
    let log: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert!(results.iter().any(|r| r["ruleId"] == "AA005"));
    let slo: Vec<&serde_json::Value> = results.iter().filter(|r| r["ruleId"] == "SLO").collect();
    assert!(!slo.is_empty());
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    let index = slo[0]["ruleIndex"].as_u64().unwrap() as usize;
    assert_eq!(rules[index]["id"], "SLO");
}

#[test]
fn the_seed_is_printed_and_the_default_matches_a_scenario_file_without_one() {
    let output = run(&["audit", "--seed", "7"]);
    assert!(stdout(&output).starts_with("audit of fixtures/demo/design.toml (seed 7)"));
    let dir = tempdir("seed");
    let scenario = dir.join("loss.toml");
    let design = crate::support::root().join("fixtures/demo/design.toml");
    std::fs::write(
        &scenario,
        format!(
            "[scenario]\nname = \"loss of site-a\"\ndesign = {:?}\n[[event]]\nat = \"0s\"\nfail = \"site:site-a\"\n",
            design.display().to_string()
        ),
    )
    .unwrap();
    let sim = run(&["sim", scenario.to_str().unwrap(), "--format", "json"]);
    assert_eq!(sim.status.code(), Some(0), "{}", stderr(&sim));
    let sim: serde_json::Value = serde_json::from_slice(&sim.stdout).unwrap();
    let audit = run(&["audit", "--format", "json"]);
    let audit: serde_json::Value = serde_json::from_slice(&audit.stdout).unwrap();
    let from_audit = &audit["scenarios"][0]["result"];
    assert_eq!(from_audit["seed"], sim["seed"]);
    assert_eq!(from_audit["summary"], sim["summary"]);
}

#[test]
fn nothing_to_check_is_not_a_pass() {
    let dir = tempdir("empty");
    let empty = dir.join("empty.toml");
    std::fs::write(&empty, "").unwrap();
    for command in ["audit", "lint"] {
        let output = run(&[command, empty.to_str().unwrap()]);
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{command}: {err}");
        assert!(
            err.contains("nothing to check: no clusters and hosts"),
            "{err}"
        );
    }
    // An export without sites: nothing simulated, and the verdict says so.
    let output = run(&["audit", "fixtures/exports/miq_ovirt_lans_refresh"]);
    let text = stdout(&output);
    assert!(
        text.contains("verdict: nothing was simulated: no sites are known"),
        "{text}"
    );
    // An SLO that could not be judged fails.
    let output = run(&[
        "audit",
        "fixtures/exports/miq_ovirt_lans_refresh",
        "--slo",
        "rto_p95<=15m",
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", stdout(&output));
    assert!(stdout(&output).contains("SLOs not judged"));
}

#[test]
fn the_loss_of_a_site_without_vms_says_so() {
    let dir = tempdir("no-vms-at-b");
    let design = dir.join("design.toml");
    std::fs::write(
        &design,
        "[[site]]\nname = \"a\"\nrole = \"primary\"\nhosts = [\"a*\"]\n[[site]]\nname = \"b\"\nrole = \"secondary\"\nhosts = [\"b*\"]\n\
         [[link]]\nsites = [\"a\", \"b\"]\nrtt_ms = 1\n\
         [[data_center]]\nname = \"dc\"\n[[cluster]]\nname = \"c\"\ndata_center = \"dc\"\n\
         [[host]]\nname = \"a1\"\ncluster = \"c\"\nmemory = \"256GiB\"\ncpus = 32\n\
         [[host]]\nname = \"b1\"\ncluster = \"c\"\nmemory = \"256GiB\"\ncpus = 32\n\
         [[vm]]\nname = \"v1\"\ncluster = \"c\"\nruns_on = \"a1\"\nmemory = \"4GiB\"\ncpus = 2\nha = true\n",
    )
    .unwrap();
    let output = run(&["audit", design.to_str().unwrap()]);
    let text = stdout(&output);
    let loss_of_b = text
        .split("== loss of b")
        .nth(1)
        .unwrap_or_else(|| panic!("{text}\n{}", stderr(&output)));
    assert!(
        loss_of_b.contains("b holds no running VMs: nothing to restart or fail back"),
        "{loss_of_b}"
    );
    assert!(!loss_of_b.contains("not done within a day"), "{loss_of_b}");
}

#[test]
fn the_html_page_has_verdict_sections_and_timelines_and_fetches_nothing() {
    let dir = tempdir("html");
    let page = dir.join("audit.html");
    let output = run(&[
        "audit",
        "--html",
        page.to_str().unwrap(),
        "--slo",
        "rto_p95<=1m",
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let html = std::fs::read_to_string(&page).unwrap();
    let dom = tl::parse(&html, tl::ParserOptions::default()).expect("the page parses");
    let parser = dom.parser();
    let text_of = |selector: &str| -> Vec<String> {
        dom.query_selector(selector)
            .unwrap()
            .filter_map(|h| h.get(parser))
            .map(|n| n.inner_text(parser).into_owned())
            .collect()
    };
    let verdict = text_of("#verdict");
    assert_eq!(verdict.len(), 1);
    assert!(
        verdict[0].starts_with("loss of site-a: ") && verdict[0].contains("3 errors to fix"),
        "{verdict:?}"
    );
    for section in ["#inventory", "#findings", "#slo", "#capacity"] {
        assert_eq!(text_of(section).len(), 1, "{section} missing");
    }
    let scenarios = text_of("section.scenario");
    assert_eq!(scenarios.len(), 3);
    assert!(scenarios[0].contains("loss of site-a"));
    // The timelines are the page's only drawings: one per scenario, with a lane per host.
    let timelines = text_of("svg");
    assert_eq!(timelines.len(), 3, "one timeline per scenario");
    assert!(timelines[0].contains("a1") && timelines[0].contains("fail site:site-a"));
    // Findings grouped by rule, with the count.
    let rules = text_of("summary");
    assert!(rules.iter().any(|r| r.contains("AA005")), "{rules:?}");
    assert!(!text_of("tr.missed").is_empty());
    // Nothing that would be fetched: no scripts, stylesheets, images, frames or remote URLs.
    for tag in ["script", "link", "img", "iframe", "object", "embed"] {
        assert_eq!(
            dom.query_selector(tag).unwrap().count(),
            0,
            "<{tag}> in the page"
        );
    }
    for node in dom.nodes() {
        if let Some(tag) = node.as_tag() {
            for (name, value) in tag.attributes().iter() {
                let value = value.unwrap_or_default();
                assert!(
                    !(["src", "href", "action"].contains(&name.as_ref())),
                    "{name}={value}"
                );
            }
        }
    }
    assert!(!html.contains("url(") && !html.contains("@import"));
}

#[test]
fn the_html_page_of_a_20000_vm_design_has_its_verdict_scenarios_and_timelines() {
    let dir = tempdir("html-large");
    let design = dir.join("gen.toml");
    let page = dir.join("audit.html");
    let generated = run(&[
        "gen",
        "--sites",
        "2",
        "--hosts",
        "500",
        "--vms",
        "20000",
        "--out",
        design.to_str().unwrap(),
    ]);
    assert_eq!(generated.status.code(), Some(0), "{}", stderr(&generated));
    let output = run(&[
        "audit",
        design.to_str().unwrap(),
        "--html",
        page.to_str().unwrap(),
    ]);
    // The generated design has findings at error level: exit 1, the page written all the same.
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let html = std::fs::read_to_string(&page).unwrap();
    let dom = tl::parse(&html, tl::ParserOptions::default()).expect("the page parses");
    let parser = dom.parser();
    let count = |selector: &str| dom.query_selector(selector).unwrap().count();
    let verdict: Vec<String> = dom
        .query_selector("#verdict")
        .unwrap()
        .filter_map(|h| h.get(parser))
        .map(|n| n.inner_text(parser).into_owned())
        .collect();
    assert_eq!(verdict.len(), 1);
    assert!(verdict[0].starts_with("loss of site-a: "), "{verdict:?}");
    for section in ["#inventory", "#findings", "#capacity"] {
        assert_eq!(count(section), 1, "{section} missing");
    }
    // The loss of each data site and the partition between them, each with its timeline.
    assert_eq!(count("section.scenario"), 3);
    assert!(count("svg") >= 3, "a timeline per scenario");
    for tag in ["script", "link", "img", "iframe", "object", "embed"] {
        assert_eq!(count(tag), 0, "<{tag}> in the page");
    }
    // The SVG namespace is a name, not a fetch.
    let html = html.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
    for remote in ["http://", "https://", "url(", "@import"] {
        let at = html.find(remote);
        assert!(
            at.is_none(),
            "{remote} in the page: {}",
            at.map_or("", |at| &html
                [at.saturating_sub(80)..(at + 80).min(html.len())])
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
