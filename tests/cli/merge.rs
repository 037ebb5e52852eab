//! CLI tests of sharded Monte Carlo (`sim --shard`, `whatif --shard`) and `stretchdr merge`:
//! the merged report is the unsharded one, byte for byte, from the same binary.

use std::path::{Path, PathBuf};

use crate::support::{run, stderr, stdout};

const MONTE_CARLO: &str = "scenarios/site-a-loss-monte-carlo.toml";

/// A directory for one test's parts, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let path = std::env::temp_dir().join(format!(
            "stretchdr-merge-test-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        Scratch(path)
    }

    fn file(&self, name: &str) -> String {
        self.0.join(name).display().to_string()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn ok(args: &[&str]) -> Vec<u8> {
    let output = run(args);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{args:?}: {}",
        stderr(&output)
    );
    output.stdout
}

/// Writes the parts of shards 1..=count of a 30-run batch of the Monte Carlo scenario.
fn shard_parts(scratch: &Scratch, count: u32, extra: &[&str]) -> Vec<String> {
    (1..=count)
        .map(|k| {
            let part = scratch.file(&format!("part-{k}.json"));
            let shard = format!("{k}/{count}");
            let mut args = vec![
                "sim",
                MONTE_CARLO,
                "--runs",
                "30",
                "--shard",
                &shard,
                "--out",
                &part,
            ];
            args.extend_from_slice(extra);
            let output = run(&args);
            assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
            assert!(output.stdout.is_empty(), "a shard prints no report");
            part
        })
        .collect()
}

#[test]
fn three_shards_merge_into_the_unsharded_report_byte_for_byte() {
    let scratch = Scratch::new("three");
    let parts = shard_parts(&scratch, 3, &[]);
    let whole_html = scratch.file("whole.html");
    let merged_html = scratch.file("merged.html");

    let whole = ok(&["sim", MONTE_CARLO, "--runs", "30"]);
    // Parts in any order.
    let merged = ok(&["merge", &parts[2], &parts[0], &parts[1]]);
    assert!(!whole.is_empty());
    assert!(
        whole == merged,
        "text differs:\n{}",
        String::from_utf8_lossy(&merged)
    );

    let whole_json = ok(&[
        "sim",
        MONTE_CARLO,
        "--runs",
        "30",
        "--format",
        "json",
        "--html",
        &whole_html,
    ]);
    let merged_json = ok(&[
        "merge",
        &parts[0],
        &parts[1],
        &parts[2],
        "--format",
        "json",
        "--html",
        &merged_html,
    ]);
    assert!(whole_json == merged_json, "JSON differs");
    let runs: serde_json::Value = serde_json::from_slice(&merged_json).unwrap();
    assert_eq!(runs["runs"], 30);
    assert!(
        std::fs::read(&whole_html).unwrap() == std::fs::read(&merged_html).unwrap(),
        "HTML differs"
    );
}

#[test]
fn merged_shards_judge_the_batch_by_its_objectives_as_the_unsharded_run_does() {
    let scratch = Scratch::new("slo");
    // One objective every batch of this scenario meets, one none can (RTO p95 of 1 s), and
    // one on failback, which needs the recovered run.
    let slos = [
        "--slo",
        "engine_down<=1h",
        "--slo",
        "rto_p95<=1s",
        "--slo",
        "failback<=1d",
    ];
    // A shard exits 0 whatever the objectives say: only the whole batch is judged.
    let parts = shard_parts(&scratch, 3, &slos);
    let mut whole_args = vec!["sim", MONTE_CARLO, "--runs", "30"];
    whole_args.extend_from_slice(&slos);
    let whole = run(&whole_args);
    let merged = run(&["merge", &parts[1], &parts[2], &parts[0]]);
    // A missed objective exits 1, sharded or not.
    assert_eq!(whole.status.code(), Some(1), "{}", stderr(&whole));
    assert_eq!(merged.status.code(), Some(1), "{}", stderr(&merged));
    assert!(
        whole.stdout == merged.stdout,
        "text differs:\n{}",
        String::from_utf8_lossy(&merged.stdout)
    );
    let text = stdout(&merged);
    assert!(text.contains("== SLOs"), "{text}");
    assert!(text.contains("met engine_down<=1h"), "{text}");
    assert!(text.contains("missed rto_p95<=1s"), "{text}");
    assert!(text.contains("met failback<=24h"), "{text}");

    // With --format json the objectives go to stderr, the same lines in both.
    let mut json_args = whole_args.clone();
    json_args.extend_from_slice(&["--format", "json"]);
    let whole_json = run(&json_args);
    let merged_json = run(&["merge", &parts[0], &parts[1], &parts[2], "--format", "json"]);
    assert_eq!(merged_json.status.code(), Some(1));
    assert!(whole_json.stdout == merged_json.stdout, "JSON differs");
    assert_eq!(stderr(&whole_json), stderr(&merged_json));
}

#[test]
fn a_part_of_another_seed_run_count_or_scenario_is_refused_with_exit_2() {
    let scratch = Scratch::new("mismatch");
    let parts = shard_parts(&scratch, 3, &[]);
    let other = |name: &str, args: &[&str]| {
        let part = scratch.file(name);
        let mut all = vec!["--shard", "2/3", "--out", &part];
        all.splice(0..0, args.iter().copied());
        let output = run(&all);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        part
    };
    let seed = other(
        "seed.json",
        &["sim", MONTE_CARLO, "--runs", "30", "--seed", "99"],
    );
    let runs = other("runs.json", &["sim", MONTE_CARLO, "--runs", "31"]);
    let scenario = other(
        "scenario.json",
        &["sim", "scenarios/site-b-loss.toml", "--runs", "30"],
    );
    for (odd, says) in [
        (&seed, "the seed differs (99 vs 7)"),
        (&runs, "the run count differs (31 vs 30)"),
        (&scenario, "the scenario (its hash) differs"),
    ] {
        let output = run(&["merge", &parts[0], odd, &parts[2]]);
        assert_eq!(output.status.code(), Some(2), "{odd}");
        assert!(output.stdout.is_empty());
        let message = stderr(&output);
        assert!(message.contains(says), "{message}");
        assert!(message.contains(odd.as_str()), "names the part: {message}");
    }

    let missing = run(&["merge", &parts[0], &parts[2]]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        stderr(&missing).contains("shard 2/3 is missing"),
        "{}",
        stderr(&missing)
    );
    let twice = run(&["merge", &parts[0], &parts[0], &parts[2]]);
    assert_eq!(twice.status.code(), Some(2));
    assert!(
        stderr(&twice).contains("are both shard 1/3"),
        "{}",
        stderr(&twice)
    );

    let junk = scratch.file("junk.json");
    std::fs::write(&junk, "{\"runs\": 3}").unwrap();
    let output = run(&["merge", &junk]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("not a stretchdr shard part"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn shard_arguments_are_checked() {
    let output = run(&["sim", MONTE_CARLO, "--shard", "4/3", "--out", "x.json"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("K/M"), "{}", stderr(&output));
    let output = run(&["sim", MONTE_CARLO, "--shard", "1/3"]);
    assert_eq!(output.status.code(), Some(2), "--shard needs --out");
    let output = run(&[
        "sim",
        "scenarios/site-a-loss.toml",
        "--shard",
        "1/2",
        "--out",
        "x.json",
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("runs"), "{}", stderr(&output));
    assert!(!Path::new("x.json").exists());
}

#[test]
fn whatif_shards_merge_into_the_unsharded_sweep() {
    let scratch = Scratch::new("whatif");
    let sweep = [
        "whatif",
        "sim/tests/designs/capacity.toml",
        "--scenario",
        "scenarios/site-a-loss.toml",
        "--vary",
        "hosts.site-b=+0..+3",
        "--runs",
        "3",
        "--target",
        "not_restarted<=0",
    ];
    let parts: Vec<String> = (1..=2)
        .map(|k| {
            let part = scratch.file(&format!("whatif-{k}.json"));
            let shard = format!("{k}/2");
            let mut args = sweep.to_vec();
            args.extend(["--shard", &shard, "--out", &part]);
            ok(&args);
            part
        })
        .collect();
    for format in ["text", "json", "csv"] {
        let mut whole = sweep.to_vec();
        whole.extend(["--format", format]);
        let merged = ok(&["merge", &parts[1], &parts[0], "--format", format]);
        assert!(ok(&whole) == merged, "{format} differs");
    }
    let output = run(&["merge", &parts[0], MONTE_CARLO]);
    assert_eq!(output.status.code(), Some(2));
    let _ = stdout(&output);
}
