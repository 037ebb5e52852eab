//! CLI tests of `stretchdr fix`: the rewritten design lints clean of the fixed codes and its
//! diff touches only the lines that had to change; the playbook is YAML whose module arguments
//! are the documented ones.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;
use stretchdr_lint::fix::FIXES;
use stretchdr_lint::fix::ansible::MODULE_ARGUMENTS;

use crate::support::{run, stderr, stdout};

const DEMO: &str = "fixtures/demo/design.toml";

fn temp_file(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("stretchdr-cli-fix-{}-{name}", std::process::id()))
}

/// Findings per code of `lint --format json` on `path`.
fn codes(path: &Path) -> BTreeMap<String, usize> {
    let output = run(&[
        "lint",
        path.to_str().expect("utf-8 path"),
        "--format",
        "json",
    ]);
    let json: Value = serde_json::from_str(&stdout(&output)).expect("lint JSON");
    let mut counts = BTreeMap::new();
    for finding in json["findings"].as_array().expect("findings") {
        *counts
            .entry(finding["code"].as_str().expect("code").to_string())
            .or_insert(0) += 1;
    }
    counts
}

/// The design `fix` prints for `source`, written to a temporary file.
fn fixed_copy(source: &str, name: &str) -> PathBuf {
    let output = run(&["fix", source]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let path = temp_file(name);
    std::fs::write(&path, stdout(&output)).expect("temp file written");
    path
}

#[test]
fn demo_fix_resolves_every_mechanical_defect_and_nothing_else() {
    let output = run(&["fix", DEMO, "--diff"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    insta::assert_snapshot!("fix_demo_diff", stdout(&output));
    let note = stderr(&output);
    assert!(note.contains("fixed 11 findings"), "{note}");
    assert!(note.contains("error[AA016] network backup-a"), "{note}");

    let before = codes(Path::new(DEMO));
    let fixed = fixed_copy(DEMO, "demo.toml");
    let after = codes(&fixed);
    std::fs::remove_file(&fixed).ok();
    for fix in FIXES {
        assert!(
            !after.contains_key(fix.code),
            "{} left: {after:?}",
            fix.code
        );
    }
    // What no fix resolves is reported as before.
    let kept: BTreeMap<String, usize> = before
        .into_iter()
        .filter(|(code, _)| FIXES.iter().all(|f| f.code != code))
        .collect();
    assert_eq!(after, kept);
    assert_eq!(
        kept.keys().map(String::as_str).collect::<Vec<_>>(),
        ["AA004", "AA016"]
    );
}

#[test]
fn each_fixable_rule_is_fixed_with_a_minimal_diff() {
    for fix in FIXES {
        let source = format!("fixtures/lint/{}-fires.toml", fix.code);
        assert!(
            codes(Path::new(&source)).contains_key(fix.code),
            "{source} fires"
        );
        let output = run(&["fix", &source, "--diff"]);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        insta::assert_snapshot!(format!("fix_{}_diff", fix.code), stdout(&output));
        let fixed = fixed_copy(&source, &format!("{}.toml", fix.code));
        let after = codes(&fixed);
        std::fs::remove_file(&fixed).ok();
        assert!(!after.contains_key(fix.code), "{}: {after:?}", fix.code);
    }
}

#[test]
fn fencing_can_raise_the_threshold_instead() {
    let output = run(&[
        "fix",
        "fixtures/lint/AA015-fires.toml",
        "--diff",
        "--fencing",
        "raise-threshold",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let diff = stdout(&output);
    assert!(
        diff.contains(
            "+fencing = { enabled = true, skip_if_connectivity_broken = true, threshold = 51 }"
        ),
        "{diff}"
    );
}

#[test]
fn the_policy_chooses_how_fencing_is_fixed() {
    let output = run(&[
        "fix",
        "fixtures/lint/AA015-fires.toml",
        "--diff",
        "--policy",
        "fixtures/fix/raise-threshold.toml",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).contains("skip_if_connectivity_broken = true, threshold = 51 }"));
    let bad = temp_file("bad-policy.toml");
    std::fs::write(&bad, "[fix]\nfencing = \"never\"\n").expect("written");
    let output = run(&["fix", DEMO, "--policy", bad.to_str().expect("utf-8")]);
    std::fs::remove_file(&bad).ok();
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("expected \"skip_off\" or \"raise_threshold\""),
        "{}",
        stderr(&output)
    );
}

#[test]
fn write_edits_in_place_and_a_second_run_changes_nothing() {
    let path = temp_file("write.toml");
    std::fs::copy(DEMO, &path).expect("copied");
    let file = path.to_str().expect("utf-8");
    let first = run(&["fix", file, "--write"]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    assert!(stdout(&first).is_empty());
    let second = run(&["fix", file, "--diff"]);
    std::fs::remove_file(&path).ok();
    assert_eq!(second.status.code(), Some(0), "{}", stderr(&second));
    assert!(stdout(&second).is_empty(), "{}", stdout(&second));
    assert!(stderr(&second).contains("fixed 0 findings"));
}

#[test]
fn a_table_shared_with_an_ignored_vm_is_not_split() {
    let output = run(&[
        "fix",
        DEMO,
        "--policy",
        "fixtures/fix/ignore-one-legacy-app.toml",
    ]);
    assert_eq!(output.status.code(), Some(2));
    let text = stderr(&output);
    assert!(
        text.contains("vm legacy-app-01 shares its table \"legacy-app-{01..02}\""),
        "{text}"
    );
}

#[test]
fn an_export_directory_needs_the_ansible_format() {
    let output = run(&["fix", "fixtures/exports/stretch_small"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("--format ansible"),
        "{}",
        stderr(&output)
    );
}

/// The playbook `fix --format ansible` writes for the demo, parsed.
fn demo_playbook() -> (String, Value) {
    let output = run(&["fix", DEMO, "--format", "ansible"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    let yaml: Value = serde_saphyr::from_str(&text).expect("the playbook is YAML");
    (text, yaml)
}

/// Every task, with blocks and `always` opened.
fn tasks(list: &Value) -> Vec<&Value> {
    let mut out = Vec::new();
    for task in list.as_array().expect("a task list") {
        match (task.get("block"), task.get("always")) {
            (Some(block), always) => {
                out.extend(tasks(block));
                if let Some(always) = always {
                    out.extend(tasks(always));
                }
            }
            _ => out.push(task),
        }
    }
    out
}

/// `(module, arguments)` of a task.
fn module_call(task: &Value) -> (&str, Vec<&str>) {
    let object = task.as_object().expect("a task is a mapping");
    let (module, args) = object
        .iter()
        .find(|(key, _)| key.contains('.'))
        .expect("a task calls a module by its full name");
    let names = args
        .as_object()
        .map(|a| a.keys().map(String::as_str).collect())
        .unwrap_or_default();
    (module, names)
}

#[test]
fn the_playbook_is_yaml_with_one_named_task_per_change() {
    let (text, yaml) = demo_playbook();
    let play = &yaml[0];
    assert_eq!(play["hosts"], "localhost");
    assert!(!text.contains("password:") || text.contains("password: \"{{ engine_password }}\""));
    let tasks = tasks(&play["tasks"]);
    let names: Vec<&str> = tasks.iter().filter_map(|t| t["name"].as_str()).collect();
    for expected in [
        "AA003 vm legacy-app-01: lease on prod-data1, resume behaviour kill",
        "AA005 affinity_group reporting-on-a-hosts: VM-to-host rule soft",
        "AA006 vm analytics-01, analytics-02 and analytics-03: join affinity group prod-prefer-site-b",
        "AA012 vm archive-01: lease on prod-data1",
        "AA014 vm cache-01: resume behaviour kill",
        "Set its SPM priority",
    ] {
        assert!(names.contains(&expected), "{expected} in {names:?}");
    }
    let spm = yaml[0]["tasks"][2]["block"]
        .as_array()
        .expect("the changes block")
        .iter()
        .find(|t| t["name"].as_str().is_some_and(|n| n.starts_with("AA007")))
        .expect("the SPM change");
    assert_eq!(spm["name"], "AA007 host b3: SPM priority 8 -> 3");
}

#[test]
fn every_module_argument_is_in_the_table() {
    let (_, yaml) = demo_playbook();
    for task in tasks(&yaml[0]["tasks"]) {
        let (module, args) = module_call(task);
        let (_, known, _) = MODULE_ARGUMENTS
            .iter()
            .find(|(name, _, _)| *name == module)
            .unwrap_or_else(|| panic!("{module} is not in MODULE_ARGUMENTS"));
        for arg in args {
            assert!(known.contains(&arg), "{module}: {arg} is not in the table");
        }
    }
}

/// `ansible-doc -j MODULE`, when ansible and the collection are installed.
fn ansible_doc(module: &str) -> Option<Value> {
    let output = Command::new("ansible-doc")
        .args(["-j", module])
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let json: Value = serde_json::from_slice(&output.stdout).ok()?;
    let doc = json.get(module)?.get("doc")?.clone();
    Some(doc)
}

#[test]
fn the_table_matches_ansible_doc_when_ansible_is_installed() {
    let mut checked = 0;
    for (module, arguments, _) in MODULE_ARGUMENTS {
        let Some(doc) = ansible_doc(module) else {
            eprintln!(
                "skipped: `ansible-doc -j {module}` is not available (install ansible-core and the ovirt.ovirt collection to check)"
            );
            continue;
        };
        let options = doc["options"].as_object().expect("documented options");
        for argument in *arguments {
            let documented = options.iter().any(|(name, option)| {
                name == argument
                    || option["aliases"]
                        .as_array()
                        .is_some_and(|a| a.iter().any(|alias| alias == argument))
            });
            assert!(documented, "{module} does not document {argument}");
        }
        checked += 1;
    }
    eprintln!(
        "checked {checked} of {} modules with ansible-doc",
        MODULE_ARGUMENTS.len()
    );
}

#[test]
fn an_overlay_gets_a_table_for_an_exported_entity() {
    let overlay = "fixtures/design/overlay_miq.toml";
    let output = run(&["fix", overlay, "--diff"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let diff = stdout(&output);
    assert!(
        diff.contains("+[[cluster]]\n+name = \"newd1_cluster\"\n+fencing = { skip_if_connectivity_broken = false }\n"),
        "{diff}"
    );
    assert!(
        !stderr(&output).contains("still reported"),
        "{}",
        stderr(&output)
    );

    let playbook = run(&["fix", overlay, "--format", "ansible"]);
    let text = stdout(&playbook);
    assert!(
        text.contains("ovirt.ovirt.ovirt_cluster:\n            auth: \"{{ ovirt_auth }}\"\n            name: \"newd1_cluster\"\n            fence_skip_if_connectivity_broken: false\n"),
        "{text}"
    );
}

#[test]
fn help_is_stable() {
    let output = run(&["fix", "--help"]);
    assert_eq!(output.status.code(), Some(0));
    insta::assert_snapshot!("fix_help", stdout(&output));
}
