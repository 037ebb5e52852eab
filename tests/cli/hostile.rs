//! Hostile and huge inputs: each ends in a clear error (exit 2) or a bounded run, never a
//! panic (exit 101), an endless read, or a secret or a raw terminal escape in the output.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::support::{root, run, run_in, stderr, stdout};

/// A fresh directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "stretchdr-cli-hostile-{}-{name}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `stretchdr` with one extra environment variable.
fn run_with_env(args: &[&str], key: &str, value: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stretchdr"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .env(key, value)
        .output()
        .expect("the stretchdr binary runs")
}

fn assert_clean_error(output: &Output, what: &str) {
    assert_eq!(output.status.code(), Some(2), "{what}: {}", stderr(output));
    assert!(
        !stderr(output).contains("panicked"),
        "{what}: {}",
        stderr(output)
    );
}

/// Copies the small stretch export into `dir`.
fn small_export(dir: &Path) -> PathBuf {
    let export = dir.join("export");
    let from = root().join("fixtures/exports/stretch_small");
    copy_dir(&from, &export);
    export
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[test]
fn an_error_past_column_65535_is_cut_around_the_span() {
    let dir = scratch("long-line");
    let design = dir.join("t.toml");
    std::fs::write(&design, format!("x = \"{}\" garbage\n", "A".repeat(70_000))).unwrap();
    let output = run(&["lint", design.to_str().unwrap()]);
    assert_clean_error(&output, "long TOML line");
    let text = stderr(&output);
    assert!(text.contains("t.toml:1:70008"), "{text}");
    assert!(
        text.len() < 2_000,
        "the whole line was quoted: {} bytes",
        text.len()
    );

    let export = dir.join("json");
    std::fs::create_dir_all(export.join("api")).unwrap();
    let number = "1".repeat(1_000_000);
    std::fs::write(
        export.join("api/vms.json"),
        format!("{{\"vm\": [{{\"name\": \"a\", \"memory\": {number}}}]}}"),
    )
    .unwrap();
    let output = run(&["lint", export.to_str().unwrap()]);
    assert_clean_error(&output, "a million-digit JSON number");
    assert!(stderr(&output).len() < 2_000, "{}", stderr(&output).len());
}

#[cfg(unix)]
#[test]
fn export_files_leaving_the_export_or_not_regular_are_refused() {
    let dir = scratch("symlink");
    std::fs::write(
        dir.join("secret"),
        "OVIRT_PASSWORD=hunter2-in-the-environ\n",
    )
    .unwrap();
    let export = small_export(&dir);
    let hosts = export.join("api/hosts.xml");
    std::fs::remove_file(&hosts).unwrap();
    std::os::unix::fs::symlink(dir.join("secret"), &hosts).unwrap();
    let output = run(&["lint", export.to_str().unwrap()]);
    assert_clean_error(&output, "a link out of the export");
    assert!(
        stderr(&output).contains("out of the export"),
        "{}",
        stderr(&output)
    );
    assert!(!stderr(&output).contains("hunter2"), "{}", stderr(&output));
    assert!(!stdout(&output).contains("hunter2"));

    std::fs::remove_file(&hosts).unwrap();
    let made = Command::new("mkfifo").arg(&hosts).status();
    if made.is_ok_and(|status| status.success()) {
        let output = run(&["lint", export.to_str().unwrap()]);
        assert_clean_error(&output, "a FIFO in the export");
        assert!(stderr(&output).contains("FIFO"), "{}", stderr(&output));
    }
    let output = run(&["lint", "/dev/zero"]);
    assert_clean_error(&output, "lint /dev/zero");
    assert!(
        stderr(&output).contains("character device"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn files_above_the_size_limit_are_refused_with_the_variable_to_raise_it() {
    let output = run_with_env(
        &["lint", "fixtures/demo/design.toml"],
        "STRETCHDR_MAX_FILE_SIZE",
        "1KiB",
    );
    assert_clean_error(&output, "a design above the limit");
    assert!(
        stderr(&output).contains("STRETCHDR_MAX_FILE_SIZE"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn name_ranges_have_a_total_budget() {
    let dir = scratch("names");
    let mut design = String::from(
        "[[cluster]]\nname = \"c\"\n\n[[host]]\nname = \"h\"\ncluster = \"c\"\nmemory = \"1TiB\"\ncpus = 64\n",
    );
    for i in 0..30 {
        design.push_str(&format!(
            "\n[[vm]]\nname = \"v{i}-{{1..600}}\"\ncluster = \"c\"\nmemory = \"1GiB\"\ncpus = 1\n"
        ));
    }
    let path = dir.join("ranges.toml");
    std::fs::write(&path, design).unwrap();
    let output = run_with_env(
        &["lint", path.to_str().unwrap()],
        "STRETCHDR_MAX_NAMES",
        "10000",
    );
    assert_clean_error(&output, "30 ranges of 600 names over a budget of 10,000");
    let text = stderr(&output);
    assert!(text.contains("more than 10000 names"), "{text}");
    assert!(text.contains("STRETCHDR_MAX_NAMES"), "{text}");

    // With the default budget, 30 ranges of 100,000 names are counted, not built.
    let mut bomb = String::from("[[cluster]]\nname = \"c\"\n");
    for i in 0..30 {
        bomb.push_str(&format!(
            "\n[[vm]]\nname = \"v{i}-{{1..100000}}\"\ncluster = \"c\"\nmemory = \"1GiB\"\ncpus = 1\n"
        ));
    }
    let path = dir.join("bomb.toml");
    std::fs::write(&path, bomb).unwrap();
    let output = run(&["lint", path.to_str().unwrap()]);
    assert_clean_error(&output, "30 ranges of 100,000 names");
    let text = stderr(&output);
    assert!(text.contains("more than the limit of 1000000"), "{text}");
    assert!(text.contains("STRETCHDR_MAX_ENTITIES"), "{text}");
}

#[test]
fn gen_and_whatif_refuse_absurd_sizes() {
    for args in [
        &["gen", "--vms", "10000000000"][..],
        &["gen", "--hosts", "18446744073709551615"][..],
        &["gen", "--affinity-groups", "18446744073709551615"][..],
    ] {
        let output = run(args);
        assert_clean_error(&output, &args.join(" "));
        assert!(
            stderr(&output).contains("STRETCHDR_MAX_ENTITIES"),
            "{}",
            stderr(&output)
        );
    }
    let output = run(&[
        "whatif",
        "sim/tests/designs/capacity.toml",
        "--scenario",
        "scenarios/site-a-loss.toml",
        "--vary",
        "hosts.site-b=+100000000..+100000001",
        "--runs",
        "1",
    ]);
    assert_ne!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(!stderr(&output).contains("panicked"), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("STRETCHDR_MAX_ENTITIES"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn threads_are_capped_and_say_so() {
    let output = run(&[
        "sim",
        "scenarios/site-a-loss.toml",
        "--runs",
        "2",
        "--threads",
        "100000",
        "--quiet",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("100000 threads asked for"),
        "{}",
        stderr(&output)
    );
    let output = run_with_env(
        &[
            "sim",
            "scenarios/site-a-loss.toml",
            "--runs",
            "2",
            "--quiet",
        ],
        "RAYON_NUM_THREADS",
        "100000",
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("RAYON_NUM_THREADS"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn loaders_read_in_a_capped_pool_whatever_rayon_num_threads_says() {
    // rayon's global pool would start 100,000 threads; the loaders' own pool takes at most 8.
    for source in [
        "fixtures/exports/stretch_small",
        "fixtures/exports/miq_ovirt_lans_refresh",
        "fixtures/demo/design.toml",
    ] {
        let output = run_with_env(&["inventory", source], "RAYON_NUM_THREADS", "100000");
        assert_eq!(
            output.status.code(),
            Some(0),
            "{source}: {}",
            stderr(&output)
        );
    }
}

#[test]
fn sizes_past_the_documented_maximum_are_errors_not_wrapped_sums() {
    let dir = scratch("sizes");
    let export = small_export(&dir);
    let vms = export.join("api/vms.xml");
    let text = std::fs::read_to_string(&vms).unwrap();
    let huge = text.replacen(
        "<memory>34359738368</memory>",
        "<memory>18446744073709551615</memory>",
        1,
    );
    assert_ne!(huge, text);
    std::fs::write(&vms, huge).unwrap();
    let output = run(&["lint", export.to_str().unwrap()]);
    assert_clean_error(&output, "a VM of 2^64 - 1 bytes");
    assert!(stderr(&output).contains("1 PiB"), "{}", stderr(&output));

    let design = std::fs::read_to_string(root().join("fixtures/lint/AA002-fires.toml")).unwrap();
    let design = design.replace("memory = \"16GiB\"", "memory = \"20000TiB\"");
    let path = dir.join("huge-vm.toml");
    std::fs::write(&path, design).unwrap();
    let output = run(&["lint", path.to_str().unwrap()]);
    assert_clean_error(&output, "a design VM of 20000 TiB");
    assert!(
        stderr(&output).contains("out of range"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn terminal_escapes_in_names_are_shown_escaped_and_junit_stays_xml() {
    let dir = scratch("escapes");
    let design = std::fs::read_to_string(root().join("fixtures/lint/AA002-fires.toml")).unwrap();
    // TOML escapes put the raw characters into the name; without HA the VM has a finding.
    let design = design.replace("ha = true", "ha = false").replace(
        "\"db01\"",
        "\"db01\\u001b]0;pwned\\u0007\\u001b[2J\\nerror[AA999]: forged\\u0000\"",
    );
    std::fs::write(dir.join("escapes.toml"), design).unwrap();
    let human = run_in(&dir, &["lint", "escapes.toml"]);
    let out = stdout(&human) + &stderr(&human);
    assert!(out.contains("db01"), "{out}");
    for raw in ['\u{1b}', '\u{7}', '\0'] {
        assert!(!out.contains(raw), "raw {raw:?} in {out:?}");
    }
    assert!(!out.lines().any(|l| l.starts_with("error[AA999]")), "{out}");
    let junit = run_in(&dir, &["lint", "escapes.toml", "--format", "junit"]);
    let xml = stdout(&junit);
    assert!(xml.contains("<testsuites"), "{xml}");
    assert!(!xml.contains('\u{1b}') && !xml.contains('\0'), "{xml:?}");
    let github = run_in(&dir, &["lint", "escapes.toml", "--format", "github"]);
    assert!(!stdout(&github).contains('\u{1b}'), "{:?}", stdout(&github));
    let inventory = run_in(&dir, &["inventory", "escapes.toml"]);
    assert_eq!(inventory.status.code(), Some(0), "{}", stderr(&inventory));
    assert!(
        stdout(&inventory).contains("db01\\u{1b}]0;pwned"),
        "{}",
        stdout(&inventory)
    );
    assert!(
        !stdout(&inventory).contains('\u{1b}'),
        "{:?}",
        stdout(&inventory)
    );
}

#[test]
fn names_with_newlines_cannot_forge_lines_of_the_simulation_report() {
    let dir = scratch("sim-names");
    let design = std::fs::read_to_string(root().join("fixtures/lint/AA002-fires.toml")).unwrap();
    // TOML escapes put a raw newline (and an escape sequence) into the VM's and a host's name.
    let design = design
        .replace("\"db01\"", "\"x\\nRESTARTED fake\\u001b[2J\"")
        .replace("name = \"b{1..2}\"", "name = \"b{1..2}\\nb-host forged\"");
    std::fs::write(dir.join("design.toml"), design).unwrap();
    std::fs::write(
        dir.join("loss.toml"),
        "[scenario]\nname = \"loss of site-a\\nRTO: p50 0s  p95 0s  max 0s\"\ndesign = \"design.toml\"\nseed = 1\n\n[[event]]\nat = \"0s\"\nfail = \"site:site-a\"\n",
    )
    .unwrap();
    for args in [
        &["sim", "loss.toml"][..],
        &["sim", "loss.toml", "--runs", "3"][..],
    ] {
        let output = run_in(&dir, args);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let out = stdout(&output);
        assert!(out.contains("x\\nRESTARTED fake"), "{out}");
        assert!(!out.contains('\u{1b}'), "{out:?}");
        for forged in ["RESTARTED fake", "b-host forged", "RTO: p50 0s"] {
            assert!(
                !out.lines()
                    .any(|line| line.trim_start().starts_with(forged)),
                "{forged:?} starts a line of\n{out}"
            );
        }
    }
}
