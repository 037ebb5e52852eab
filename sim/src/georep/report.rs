//! Renderings of a georep result: a text summary with each session's runs, and JSON.

use std::fmt::Write as _;

use stretchdr_model::inventory::{DAY_MS, WEEK_MS};

use stretchdr_model::inventory::GeoRepMode;

use super::{GeorepResult, RecoveryPoint, RunOutcome, SessionResult};

/// The result as pretty JSON (the fields of [`GeorepResult`], in order), newline-terminated.
pub fn to_json(result: &GeorepResult) -> String {
    let mut out = serde_json::to_string_pretty(result).expect("results serialize");
    out.push('\n');
    out
}

/// A text summary: per session, the runs by outcome, the RPO distribution against the target,
/// the worst moment and what a disaster then would lose, site losses, and the runs.
pub fn render_text(result: &GeorepResult) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "georep scenario {:?}: {} from Monday 00:00, RPO sampled every {}",
        result.scenario,
        human_duration(result.duration_s),
        human_duration(result.rpo_step_s)
    );
    for label in &result.ignored_events {
        let _ = writeln!(out, "ignored event {label}: the design does not hold it");
    }
    for session in &result.sessions {
        out.push('\n');
        session_text(&mut out, session);
    }
    out
}

fn session_text(out: &mut String, s: &SessionResult) {
    let to = s
        .secondary_site
        .as_deref()
        .map_or(String::new(), |site| format!(" at {site}"));
    let _ = writeln!(
        out,
        "session {} -> {}{to} (domain {})",
        s.volume, s.secondary_volume, s.domain
    );
    if let Some(why) = &s.not_simulated {
        let _ = writeln!(out, "  not simulated: {why}");
        return;
    }
    let bandwidth = s.bandwidth_bps.map_or(String::new(), |bps| {
        if bps >= 1_000_000_000 {
            format!(" over {} Gbps", bps as f64 / 1e9)
        } else {
            format!(" over {} Mbps", bps as f64 / 1e6)
        }
    });
    match s.mode {
        GeoRepMode::Continuous => {
            let _ = writeln!(
                out,
                "  continuous{bandwidth}{}",
                s.schedule
                    .as_deref()
                    .map_or(String::new(), |sch| format!(", engine sync schedule {sch}"))
            );
        }
        GeoRepMode::Scheduled => {
            let _ = writeln!(
                out,
                "  schedule {}{bandwidth}",
                s.schedule.as_deref().unwrap_or("-")
            );
        }
    }
    if let Some(at) = s.stopped_by_engine_s {
        let _ = writeln!(
            out,
            "  the engine's first scheduled sync stopped the continuous session at {}",
            clock(at)
        );
    }
    let c = &s.counts;
    let _ = writeln!(
        out,
        "  runs: {} completed, {} skipped, {} failed, {} interrupted, {} running at the end",
        c.completed, c.skipped, c.failed, c.interrupted, c.running
    );
    if let Some(rpo) = &s.rpo_s {
        let target = match (s.rpo_target_s, s.meets_target) {
            (Some(target), Some(true)) => format!(", target {}: met", human_duration(target)),
            (Some(target), _) => format!(", target {}: MISSED", human_duration(target)),
            (None, _) => String::new(),
        };
        let _ = writeln!(
            out,
            "  RPO: p50 {}, p95 {}, worst {}{target}",
            human_duration(rpo.p50),
            human_duration(rpo.p95),
            human_duration(rpo.max)
        );
    }
    if let Some(worst) = &s.worst {
        let _ = writeln!(
            out,
            "  worst moment {}: the secondary holds {}; a disaster then loses {} GiB",
            clock(worst.at_s),
            clock(worst.last_consistent_s),
            worst.loss_gib
        );
    }
    if s.mode == GeoRepMode::Scheduled && s.in_place_s > 0.0 {
        let _ = writeln!(
            out,
            "  no consistent point for {} of the scenario: a sync was writing the secondary in place",
            human_duration(s.in_place_s)
        );
    }
    for loss in &s.site_losses {
        let line = match (loss.point, loss.last_consistent_s, loss.rpo_s, loss.loss_gib) {
            (RecoveryPoint::Snapshot, Some(point), Some(rpo), Some(lost)) => format!(
                "the secondary recovers from the snapshot of {} (RPO {}), losing {lost} GiB",
                clock(point),
                human_duration(rpo)
            ),
            (RecoveryPoint::CrashConsistent, Some(point), Some(rpo), Some(lost)) => format!(
                "the secondary holds the stream up to {} (crash-consistent, lag {}), losing {lost} GiB",
                clock(point),
                human_duration(rpo)
            ),
            _ => "during a sync: the secondary was being written in place and holds NO consistent point for the domain".to_string(),
        };
        let _ = writeln!(
            out,
            "  site {} lost {}: {line}",
            loss.site,
            clock(loss.at_s)
        );
    }
    for run in &s.runs {
        let outcome = match run.outcome {
            RunOutcome::Completed => "completed",
            RunOutcome::Skipped => "skipped",
            RunOutcome::Failed => "failed",
            RunOutcome::Interrupted => "interrupted",
            RunOutcome::Running => "running",
        };
        let mut line = format!("    {}  {outcome:<11}", clock(run.start_s));
        if run.outcome != RunOutcome::Skipped {
            let _ = write!(line, "  {} GiB", run.backlog_gib);
        }
        if let Some(end) = run.end_s {
            let _ = write!(line, "  after {}", human_duration(end - run.start_s));
        }
        if let Some(reason) = &run.reason {
            let _ = write!(line, "  ({reason})");
        }
        let _ = writeln!(out, "{line}");
    }
}

const DAY_NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// A moment of the timeline: `Tue 01:17:11`, with the week when not the first
/// (`Sun 01:00:00 (week -1)`).
pub(crate) fn clock(seconds: f64) -> String {
    let ms = (seconds * 1000.0).round() as i64;
    let day = ms.div_euclid(DAY_MS as i64);
    let in_day = ms.rem_euclid(DAY_MS as i64) / 1000;
    let week = ms.div_euclid(WEEK_MS as i64);
    let (h, m, s) = (in_day / 3600, in_day / 60 % 60, in_day % 60);
    let name = DAY_NAMES[day.rem_euclid(7) as usize];
    let week = if week == 0 {
        String::new()
    } else {
        format!(" (week {week:+})")
    };
    format!("{name} {h:02}:{m:02}:{s:02}{week}")
}

/// A duration for people: `6h 17m 11s`, `36h`, `0s`.
fn human_duration(seconds: f64) -> String {
    stretchdr_model::units::format_seconds_human(seconds)
}
