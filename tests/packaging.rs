//! How stretchdr is shipped: `--version` with the commit, shell completions and man pages
//! generated from the clap definitions, the RPM spec, the GitHub Action and the GitLab CI
//! template. Checks that need a tool the machine may lack (bash, zsh, fish, rpmspec) say so
//! on stderr and pass without it.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

// The build script's commit lookup, tested where it can be driven: a directory outside any
// repository and an explicit override.
#[allow(dead_code)]
#[path = "../build.rs"]
mod build_script;

/// The repository root.
fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn stretchdr(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stretchdr"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .output()
        .expect("the stretchdr binary runs")
}

/// stdout of a successful `stretchdr` run.
fn stdout_of(args: &[&str]) -> String {
    let output = stretchdr(args);
    assert_eq!(
        output.status.code(),
        Some(0),
        "stretchdr {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).expect("UTF-8 output")
}

/// Whether `program` runs on this machine; prints the skip note when not.
fn available(program: &str, check: &str) -> bool {
    let found = Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        eprintln!("skipped: {program} is not on PATH, so {check} is not checked here");
    }
    found
}

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn yaml(path: &str) -> Value {
    serde_saphyr::from_str(&read(path)).unwrap_or_else(|e| panic!("{path} is not YAML: {e}"))
}

/// A fresh, empty directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("stretchdr-packaging-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    dir
}

#[test]
fn version_names_the_commit_built_from() {
    let commit = env!("STRETCHDR_GIT_COMMIT");
    assert_eq!(
        stdout_of(&["--version"]),
        format!(
            "stretchdr {} (commit {commit})\n",
            env!("CARGO_PKG_VERSION")
        )
    );
    assert!(
        commit == "unknown" || commit.chars().all(|c| c.is_ascii_hexdigit()),
        "{commit}"
    );
    // Without an override, the checkout's own HEAD (or "unknown" outside a checkout).
    if std::env::var_os("STRETCHDR_GIT_COMMIT").is_none() {
        assert_eq!(build_script::commit(None, &root()), commit);
    }
}

#[test]
fn the_commit_comes_from_the_environment_first_and_is_unknown_without_git() {
    let outside = scratch("no-git");
    assert_eq!(build_script::commit(None, &outside), "unknown");
    assert_eq!(
        build_script::commit(Some(" 0123abcd\n".into()), &outside),
        "0123abcd"
    );
    assert_eq!(
        build_script::commit(Some(String::new()), &outside),
        "unknown"
    );
    // A subdirectory of a checkout is not the checkout's top level: its HEAD is not ours.
    assert_eq!(build_script::commit(None, &root().join("src")), "unknown");
    let _ = std::fs::remove_dir_all(outside);
}

#[test]
fn bash_loads_the_completions() {
    if !available("bash", "that bash loads the completion script") {
        return;
    }
    let output = Command::new("bash")
        .arg("-c")
        .arg(r#"source <("$0" completions bash) && complete -p stretchdr"#)
        .arg(env!("CARGO_BIN_EXE_stretchdr"))
        .output()
        .expect("bash runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
    // The script registered a completion function for the command.
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("-F _stretchdr stretchdr"),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
}

#[test]
fn zsh_and_fish_parse_their_completions() {
    let dir = scratch("completions");
    for (shell, file, check) in [
        ("zsh", "_stretchdr", vec!["-n"]),
        ("fish", "stretchdr.fish", vec!["--no-execute"]),
    ] {
        let script = stdout_of(&["completions", shell]);
        assert!(script.contains("stretchdr"), "{shell}: {script}");
        if !available(shell, "the syntax of its completion script") {
            continue;
        }
        let path = dir.join(file);
        std::fs::write(&path, script).expect("the script is written");
        let output = Command::new(shell)
            .args(&check)
            .arg(&path)
            .output()
            .expect("the shell runs");
        assert!(
            output.status.success(),
            "{shell}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// The commands `stretchdr --help` lists.
fn listed_commands() -> Vec<String> {
    let help = stdout_of(&["--help"]);
    let commands = help
        .split("Commands:\n")
        .nth(1)
        .expect("--help lists the commands");
    commands
        .lines()
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|name| *name != "help")
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_command_has_a_man_page() {
    let dir = scratch("man");
    let out = dir.join("man1");
    stdout_of(&["man", "--out", out.to_str().expect("a UTF-8 path")]);
    let pages: BTreeSet<String> = std::fs::read_dir(&out)
        .expect("the man directory")
        .map(|e| {
            e.expect("an entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    let commands = listed_commands();
    assert!(commands.len() > 10, "{commands:?}");
    let mut expected: BTreeSet<String> = commands
        .iter()
        .map(|c| format!("stretchdr-{c}.1"))
        .collect();
    expected.insert("stretchdr.1".into());
    // Nested commands get their own pages too.
    expected.insert("stretchdr-mapping-generate.1".into());
    expected.insert("stretchdr-mapping-validate.1".into());
    assert_eq!(pages, expected);
    let lint = std::fs::read_to_string(out.join("stretchdr-lint.1")).expect("the lint page");
    assert!(lint.contains(".TH stretchdr-lint 1"), "{lint}");
    assert!(lint.contains("\\-\\-fail\\-on"), "{lint}");
    let main = std::fs::read_to_string(out.join("stretchdr.1")).expect("the main page");
    assert!(main.contains("stretchdr\\-lint(1)"), "{main}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn man_reports_a_directory_it_cannot_create() {
    let dir = scratch("man-blocked");
    let blocker = dir.join("file");
    std::fs::write(&blocker, "").expect("a file");
    let output = stretchdr(&[
        "man",
        "--out",
        blocker.join("man1").to_str().expect("a UTF-8 path"),
    ]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("cannot create the directory"), "{stderr}");
    let _ = std::fs::remove_dir_all(dir);
}

const SPEC: &str = "packaging/rpm/stretchdr.spec";

#[test]
fn the_rpm_spec_packages_this_version() {
    let spec = read(SPEC);
    let version = spec
        .lines()
        .find_map(|l| l.strip_prefix("Version:"))
        .map(str::trim);
    assert_eq!(
        version,
        Some(env!("CARGO_PKG_VERSION")),
        "{SPEC}: Version differs from Cargo.toml"
    );
    // Built offline from the vendored crates, with the binary's own pages and completions.
    for needle in [
        "cargo build --release --frozen",
        "directory = \"vendor\"",
        "man --out",
        "completions bash",
        "completions zsh",
        "completions fish",
        "fixtures/demo/design.toml",
    ] {
        assert!(spec.contains(needle), "{SPEC} lacks {needle:?}");
    }
}

#[test]
fn rpmspec_parses_the_spec() {
    if !available("rpmspec", SPEC) {
        return;
    }
    let output = Command::new("rpmspec")
        .args(["--parse", SPEC])
        .current_dir(root())
        .output()
        .expect("rpmspec runs");
    let parsed = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // Every macro the spec uses is defined, by the distribution or by the spec's fallbacks.
    assert!(!parsed.contains("%{"), "an undefined macro:\n{parsed}");
    assert!(
        parsed.contains("export STRETCHDR_GIT_COMMIT=unknown"),
        "{parsed}"
    );
}

/// Every `${{ inputs.NAME }}` and `steps.ID.outputs` the action refers to.
fn references(text: &str, prefix: &str) -> BTreeSet<String> {
    text.match_indices(prefix)
        .map(|(at, _)| {
            text[at + prefix.len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect()
        })
        .collect()
}

#[test]
fn the_action_is_a_composite_action_github_accepts() {
    let text = read("action.yml");
    let action = yaml("action.yml");
    for key in ["name", "description"] {
        assert!(
            action[key].as_str().is_some_and(|s| !s.is_empty()),
            "action.yml: {key} is required"
        );
    }
    assert_eq!(action["runs"]["using"], "composite");
    let inputs = action["inputs"].as_object().expect("inputs");
    for (name, input) in inputs {
        assert!(
            input["description"].is_string(),
            "input {name}: description"
        );
    }
    assert!(inputs["source"]["required"] == true);
    for (name, output) in action["outputs"].as_object().expect("outputs") {
        // A composite action's outputs name the step output they carry.
        assert!(output["value"].is_string(), "output {name}: value");
    }
    let steps = action["runs"]["steps"].as_array().expect("runs.steps");
    let mut ids = BTreeSet::new();
    for step in steps {
        let run = step.get("run");
        assert!(
            run.is_some() != step.get("uses").is_some(),
            "a step has either run or uses: {step}"
        );
        if let Some(run) = run {
            assert!(step["shell"].is_string(), "a run step needs shell: {step}");
            // Inputs reach scripts through env: an expression pasted into a script could inject.
            assert!(
                !run.as_str().expect("a script").contains("${{"),
                "an expression inside a script: {step}"
            );
        }
        if let Some(id) = step.get("id").and_then(Value::as_str) {
            ids.insert(id.to_owned());
        }
    }
    let used: Vec<&Value> = steps.iter().filter_map(|s| s.get("uses")).collect();
    assert!(
        used.iter().any(|u| u
            .as_str()
            .is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif@"))),
        "the SARIF goes to code scanning"
    );
    let declared: BTreeSet<String> = inputs.keys().cloned().collect();
    let referred = references(&text, "inputs.");
    assert!(
        referred.is_subset(&declared),
        "undeclared inputs: {:?}",
        referred.difference(&declared).collect::<Vec<_>>()
    );
    let steps_referred = references(&text, "steps.");
    assert!(
        steps_referred.is_subset(&ids),
        "unknown step ids: {:?}",
        steps_referred.difference(&ids).collect::<Vec<_>>()
    );
    assert!(text.contains("stretchdr lint") && text.contains("--format sarif"));
    assert!(text.contains("stretchdr diff --git") && text.contains("--format markdown"));
}

/// The keys at the top of a GitLab CI file that are not jobs.
const GITLAB_GLOBAL_KEYS: &[&str] = &[
    "default",
    "include",
    "stages",
    "variables",
    "workflow",
    "image",
    "services",
    "cache",
    "before_script",
    "after_script",
];

/// The stages GitLab has without a `stages:` list.
const GITLAB_DEFAULT_STAGES: &[&str] = &[".pre", "build", "test", "deploy", ".post"];

#[test]
fn the_gitlab_template_wires_the_reports() {
    const TEMPLATE: &str = "ci/gitlab/stretchdr.gitlab-ci.yml";
    let template = yaml(TEMPLATE);
    let top = template.as_object().expect("a mapping");
    let stages: Vec<String> = match top.get("stages") {
        Some(list) => list
            .as_array()
            .expect("stages is a list")
            .iter()
            .map(|s| s.as_str().expect("a stage name").to_owned())
            .collect(),
        None => GITLAB_DEFAULT_STAGES
            .iter()
            .map(|s| s.to_string())
            .collect(),
    };
    // Hidden jobs (a leading dot) are templates that jobs extend.
    let job = |name: &str| -> Value {
        let own = top[name].clone();
        let Some(base) = own.get("extends").and_then(Value::as_str) else {
            return own;
        };
        let mut merged = top[base].as_object().expect("the extended job").clone();
        merged.extend(own.as_object().expect("a job").clone());
        Value::Object(merged)
    };
    let jobs: Vec<&String> = top
        .keys()
        .filter(|k| !k.starts_with('.') && !GITLAB_GLOBAL_KEYS.contains(&k.as_str()))
        .collect();
    assert!(!jobs.is_empty(), "{TEMPLATE}: no job");
    let mut reports = BTreeSet::new();
    for name in jobs {
        let job = job(name);
        let script = job["script"].as_array().expect("a job needs a script");
        assert!(!script.is_empty(), "{name}: empty script");
        let stage = job["stage"].as_str().expect("a stage");
        assert!(stages.iter().any(|s| s == stage), "{name}: stage {stage}");
        if let Some(found) = job["artifacts"]["reports"].as_object() {
            reports.extend(found.iter().map(|(kind, path)| {
                let path = path.as_str().expect("a report path");
                // The report file is one the script writes.
                assert!(
                    script.iter().any(|line| line
                        .as_str()
                        .is_some_and(|l| l.contains(&format!("> {path}")))),
                    "{name}: nothing writes {path}"
                );
                kind.clone()
            }));
        }
    }
    assert!(reports.contains("junit"), "{reports:?}");
    let text = read(TEMPLATE);
    assert!(text.contains("--format junit") && text.contains("--format sarif"));
    assert!(text.contains("stretchdr diff --git"));
}

/// Shell scripts of the packaging are at least valid bash.
#[test]
fn the_sources_script_is_valid_bash() {
    if !available("bash", "packaging/rpm/sources.sh") {
        return;
    }
    let output = Command::new("bash")
        .arg("-n")
        .arg(Path::new("packaging/rpm/sources.sh"))
        .current_dir(root())
        .output()
        .expect("bash runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
