//! The gluster fields of a `[[storage_domain]]` (issue 8): `gluster = { volume = ... }` and its
//! `[[storage_domain.georep]]` sessions. Schedules are read here: a cron expression reduced to
//! the times it fires in a week, or an interval.

use std::ops::RangeInclusive;

use crate::design::build::{Ctx, NameIndex, Result, resolve};
use crate::design::raw::{RawGeoRep, RawGluster, S, flag};
use crate::ids::{ClusterId, SiteId};
use crate::inventory::{
    ChangeRate, CronSchedule, GeoRepMode, GeoRepSession, GlusterVolume, SyncSchedule,
};
use crate::units::{parse_bandwidth_bps, parse_duration_ms, parse_size};

/// gluster's smallest `features.shard-block-size` (Gluster Administration Guide, "Volume
/// options": 4MB to 4TB).
const MIN_SHARD_BLOCK_SIZE_BYTES: u64 = 4 << 20;

/// Bytes in a GiB, the unit of `change_rate_by_hour`.
const GIB: f64 = (1u64 << 30) as f64;

/// `gluster = { volume = "...", sharding = true, shard_block_size = "64MiB", capacity = "10TiB" }`.
pub(super) fn volume(
    ctx: &Ctx,
    clusters: &NameIndex<ClusterId>,
    raw: &S<RawGluster>,
) -> Result<GlusterVolume> {
    let header = raw.span();
    let raw = raw.get_ref();
    if raw.volume.get_ref().trim().is_empty() {
        return Err(ctx.err(raw.volume.span(), "gluster: `volume` needs a volume name"));
    }
    let replica = match &raw.replica {
        None => None,
        Some(n) => match u32::try_from(*n.get_ref()) {
            Ok(count @ 1..=16) => Some(count),
            _ => {
                return Err(ctx.err(
                    n.span(),
                    format!(
                        "gluster replica {} is out of range: expected bricks per subvolume, 1 to 16",
                        n.get_ref()
                    ),
                ));
            }
        },
    };
    Ok(GlusterVolume {
        replica,
        cluster: raw
            .cluster
            .as_ref()
            .map(|c| resolve(ctx, "gluster cluster", "cluster", clusters, c))
            .transpose()?,
        volume: raw.volume.get_ref().clone(),
        sharding: raw.sharding,
        shard_block_size_bytes: raw
            .shard_block_size
            .as_ref()
            .map(|v| shard_block_size(ctx, "gluster shard_block_size", v))
            .transpose()?,
        capacity_bytes: raw
            .capacity
            .as_ref()
            .map(|v| ctx.size("gluster capacity", v))
            .transpose()?,
        bricks: raw
            .bricks
            .iter()
            .flatten()
            .map(|b| b.get_ref().clone())
            .collect(),
        georep: Vec::new(),
        origin: Some(ctx.origin(header)),
    })
}

/// The `[[storage_domain.georep]]` tables of one domain.
pub(super) fn sessions(
    ctx: &Ctx,
    sites: &NameIndex<SiteId>,
    clusters: &NameIndex<ClusterId>,
    raw: &[S<RawGeoRep>],
) -> Result<Vec<GeoRepSession>> {
    raw.iter()
        .map(|session| session_of(ctx, sites, clusters, session))
        .collect()
}

fn session_of(
    ctx: &Ctx,
    sites: &NameIndex<SiteId>,
    clusters: &NameIndex<ClusterId>,
    raw: &S<RawGeoRep>,
) -> Result<GeoRepSession> {
    let header = raw.span();
    let raw = raw.get_ref();
    if raw.secondary_volume.get_ref().trim().is_empty() {
        return Err(ctx.err(
            raw.secondary_volume.span(),
            "georep: `secondary_volume` needs a volume name",
        ));
    }
    let secondary_site = raw
        .secondary_site
        .as_ref()
        .map(|s| resolve(ctx, "secondary_site", "site", sites, s))
        .transpose()?;
    let change_rate = match (&raw.change_rate, &raw.change_rate_by_hour) {
        (Some(_), Some(by_hour)) => {
            return Err(ctx.err(
                by_hour.span(),
                "georep: give either `change_rate` or `change_rate_by_hour`, not both",
            ));
        }
        (Some(rate), None) => Some(ChangeRate::Constant {
            bytes_per_hour: parse_rate_bytes_per_hour(rate.get_ref())
                .map_err(|e| ctx.err(rate.span(), format!("change_rate: {e}")))?,
        }),
        (None, Some(by_hour)) => Some(rate_by_hour(ctx, by_hour)?),
        (None, None) => None,
    };
    let mode = match raw.mode.as_ref().map(|m| (m, m.get_ref().as_str())) {
        None | Some((_, "scheduled")) => GeoRepMode::Scheduled,
        Some((_, "continuous")) => GeoRepMode::Continuous,
        Some((m, other)) => {
            return Err(ctx.err(
                m.span(),
                format!("georep mode {other:?}: expected \"scheduled\" or \"continuous\""),
            ));
        }
    };
    let checkpoint_every_ms = match &raw.checkpoint {
        None => None,
        Some(c) if mode == GeoRepMode::Scheduled => {
            return Err(ctx.err(
                c.span(),
                "checkpoint: only continuous sessions take one (mode = \"continuous\"); the engine's scheduled sync sets its own",
            ));
        }
        Some(c) => match parse_duration_ms(c.get_ref()) {
            Ok(ms) if ms >= 60_000 => Some(ms),
            Ok(_) => return Err(ctx.err(c.span(), "checkpoint: expected at least 1m")),
            Err(e) => return Err(ctx.err(c.span(), format!("checkpoint: {e}"))),
        },
    };
    let secondary_up = match raw
        .secondary_status
        .as_ref()
        .map(|s| (s, s.get_ref().as_str()))
    {
        None => None,
        Some((_, "up")) => Some(true),
        Some((_, "down")) => Some(false),
        Some((s, other)) => {
            return Err(ctx.err(
                s.span(),
                format!("secondary_status {other:?}: expected \"up\" or \"down\""),
            ));
        }
    };
    let secondary_servers_up = raw
        .secondary_servers_up
        .as_ref()
        .map(|n| {
            u32::try_from(*n.get_ref()).map_err(|_| {
                ctx.err(
                    n.span(),
                    format!("secondary_servers_up {}: expected 0 or more", n.get_ref()),
                )
            })
        })
        .transpose()?;
    Ok(GeoRepSession {
        mode,
        checkpoint_every_ms,
        secondary_cluster: raw
            .secondary_cluster
            .as_ref()
            .map(|c| resolve(ctx, "secondary_cluster", "cluster", clusters, c))
            .transpose()?,
        secondary_up,
        secondary_empty: flag(&raw.secondary_empty),
        secondary_servers_up,
        secondary_volume: raw.secondary_volume.get_ref().clone(),
        secondary_site,
        secondary_capacity_bytes: raw
            .secondary_capacity
            .as_ref()
            .map(|v| ctx.size("secondary_capacity", v))
            .transpose()?,
        secondary_sharding: flag(&raw.secondary_sharding),
        secondary_shard_block_size_bytes: raw
            .secondary_shard_block_size
            .as_ref()
            .map(|v| shard_block_size(ctx, "secondary_shard_block_size", v))
            .transpose()?,
        schedule: raw
            .schedule
            .as_ref()
            .map(|s| {
                parse_schedule(s.get_ref()).map_err(|e| ctx.err(s.span(), format!("schedule: {e}")))
            })
            .transpose()?,
        change_rate,
        bandwidth_bps: raw
            .bandwidth
            .as_ref()
            .map(|bw| match parse_bandwidth_bps(bw.get_ref()) {
                Ok(0) => Err(ctx.err(bw.span(), "bandwidth: must be more than 0")),
                Ok(bps) => Ok(bps),
                Err(e) => Err(ctx.err(bw.span(), format!("bandwidth: {e}"))),
            })
            .transpose()?,
        rpo_target_ms: raw
            .rpo_target
            .as_ref()
            .map(|t| match parse_duration_ms(t.get_ref()) {
                Ok(0) => Err(ctx.err(t.span(), "rpo_target: must be longer than 0s")),
                Ok(ms) => Ok(ms),
                Err(e) => Err(ctx.err(t.span(), format!("rpo_target: {e}"))),
            })
            .transpose()?,
        origin: Some(ctx.origin(header)),
    })
}

fn shard_block_size(ctx: &Ctx, field: &str, value: &S<String>) -> Result<u64> {
    let bytes = ctx.size(field, value)?;
    if bytes < MIN_SHARD_BLOCK_SIZE_BYTES {
        return Err(ctx.err(
            value.span(),
            format!(
                "{field} {:?} is below gluster's minimum shard block size of 4MiB",
                value.get_ref()
            ),
        ));
    }
    Ok(bytes)
}

fn rate_by_hour(ctx: &Ctx, raw: &S<Vec<S<f64>>>) -> Result<ChangeRate> {
    let values = raw.get_ref();
    if values.len() != 24 {
        return Err(ctx.err(
            raw.span(),
            format!(
                "change_rate_by_hour: {} values: expected 24 (GiB/h for each hour of the day, 00:00 first)",
                values.len()
            ),
        ));
    }
    let mut bytes_per_hour = [0.0; 24];
    for (slot, value) in bytes_per_hour.iter_mut().zip(values) {
        let gib = *value.get_ref();
        if !(gib.is_finite() && gib >= 0.0) {
            return Err(ctx.err(
                value.span(),
                format!("change_rate_by_hour: {gib} is out of range: expected GiB/h >= 0"),
            ));
        }
        *slot = gib * GIB;
    }
    Ok(ChangeRate::ByHour { bytes_per_hour })
}

/// `"20GiB/h"` (also `/d`, `/min`, `/s`) in bytes per hour.
fn parse_rate_bytes_per_hour(text: &str) -> std::result::Result<f64, String> {
    let expected =
        || format!("invalid rate {text:?}: expected a size per unit of time such as \"20GiB/h\"");
    let (size, per) = text.rsplit_once('/').ok_or_else(expected)?;
    let bytes = parse_size(size).map_err(|_| expected())? as f64;
    let per_hour = match per.trim() {
        "h" => 1.0,
        "d" => 1.0 / 24.0,
        "min" | "m" => 60.0,
        "s" => 3600.0,
        _ => return Err(expected()),
    };
    Ok(bytes * per_hour)
}

/// A schedule: an interval (`"6h"`, `"1d"`) or a cron expression of 5 fields (`minute hour
/// day-of-month month day-of-week`) or 6-7 (Quartz, as ovirt-engine stores the sync schedule:
/// `second minute hour day-of-month month day-of-week [year]`).
fn parse_schedule(text: &str) -> std::result::Result<SyncSchedule, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("empty schedule: expected a cron expression such as \"30 2 * * *\" or an interval such as \"24h\"".into());
    }
    if !text.contains(char::is_whitespace) {
        let every_ms = parse_duration_ms(text).map_err(|_| {
            format!(
                "{text:?} is neither an interval (\"6h\", \"1d\") nor a cron expression (\"30 2 * * *\")"
            )
        })?;
        if every_ms < 60_000 {
            return Err(format!(
                "interval {text:?} is shorter than a minute: expected an interval such as \"6h\""
            ));
        }
        return Ok(SyncSchedule::Interval { every_ms });
    }
    parse_cron(text).map(SyncSchedule::Cron)
}

/// Which cron dialect: the day-of-week numbering differs (cron: 0 or 7 = Sunday; Quartz:
/// 1 = Sunday .. 7 = Saturday).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Dialect {
    Cron,
    Quartz,
}

const DAY_NAMES: [&str; 7] = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"];

fn parse_cron(text: &str) -> std::result::Result<CronSchedule, String> {
    let fields: Vec<&str> = text.split_whitespace().collect();
    let (dialect, second, rest) = match fields.len() {
        5 => (Dialect::Cron, "0", &fields[..]),
        6 | 7 => (Dialect::Quartz, fields[0], &fields[1..6]),
        n => {
            return Err(format!(
                "cron expression {text:?} has {n} fields: expected 5 (minute hour day-of-month month day-of-week) or 7 (Quartz: second minute hour day-of-month month day-of-week year)"
            ));
        }
    };
    let in_field = |name: &str, value: &str, why: String| {
        format!("invalid {name} field {value:?} in cron expression {text:?}: {why}")
    };
    let seconds = parse_field(second, 0..=59, None).map_err(|e| in_field("second", second, e))?;
    let [second] = seconds.as_slice() else {
        return Err(in_field(
            "second",
            second,
            "expected one second of the minute".into(),
        ));
    };
    let minutes = parse_field(rest[0], 0..=59, None).map_err(|e| in_field("minute", rest[0], e))?;
    let hours = parse_field(rest[1], 0..=23, None).map_err(|e| in_field("hour", rest[1], e))?;
    for (name, value) in [("day-of-month", rest[2]), ("month", rest[3])] {
        if value != "*" && value != "?" {
            return Err(in_field(
                name,
                value,
                "only * or ? is supported: a sync schedule repeats daily or weekly".into(),
            ));
        }
    }
    if fields.len() == 7 && fields[6] != "*" {
        return Err(in_field("year", fields[6], "only * is supported".into()));
    }
    let weekdays = weekdays(rest[4], dialect).map_err(|e| in_field("day-of-week", rest[4], e))?;
    Ok(CronSchedule {
        expression: text.to_string(),
        second: *second,
        minutes,
        hours,
        weekdays,
    })
}

/// The day-of-week field as days 0 = Monday .. 6 = Sunday.
fn weekdays(value: &str, dialect: Dialect) -> std::result::Result<Vec<u8>, String> {
    let (range, names_from) = match dialect {
        Dialect::Cron => (0..=7, 1),
        Dialect::Quartz => (1..=7, 2),
    };
    let days = parse_field(value, range, Some(names_from))?;
    let mut out: Vec<u8> = days
        .into_iter()
        .map(|d| match dialect {
            // cron: 0 and 7 are Sunday, 1 Monday.
            Dialect::Cron => (d + 6) % 7,
            // Quartz: 1 Sunday, 2 Monday .. 7 Saturday.
            Dialect::Quartz => (d + 5) % 7,
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// One cron field: `*`, `?`, numbers, ranges `a-b`, steps `*/n` and `a-b/n`, lists `a,b`. With
/// `day_names_from`, day names `MON`..`SUN` are accepted, `MON` numbered `day_names_from`.
fn parse_field(
    value: &str,
    range: RangeInclusive<u8>,
    day_names_from: Option<u8>,
) -> std::result::Result<Vec<u8>, String> {
    let (low, high) = (*range.start(), *range.end());
    let number = |s: &str| -> std::result::Result<u8, String> {
        if let Some(first) = day_names_from
            && let Some(i) = DAY_NAMES.iter().position(|d| d.eq_ignore_ascii_case(s))
        {
            // Names wrap: SUN is the day before MON in both numberings.
            let n = (u32::from(first) + i as u32 - u32::from(low)) % 7 + u32::from(low);
            return Ok(n as u8);
        }
        let n: u8 = s
            .parse()
            .map_err(|_| format!("expected numbers {low}-{high}, ranges, steps or *"))?;
        if !range.contains(&n) {
            return Err(format!("{n} is out of range: expected {low}-{high}"));
        }
        Ok(n)
    };
    let mut out = Vec::new();
    for item in value.split(',') {
        let (span, step) = match item.split_once('/') {
            Some((span, step)) => {
                let step: u8 = step
                    .parse()
                    .ok()
                    .filter(|&s| s > 0)
                    .ok_or_else(|| format!("step {step:?} is not a positive number"))?;
                (span, step)
            }
            None => (item, 1),
        };
        let (from, to) = match span {
            "*" | "?" => (low, high),
            _ => match span.split_once('-') {
                Some((a, b)) => (number(a)?, number(b)?),
                None if step > 1 => (number(span)?, high),
                None => {
                    let n = number(span)?;
                    (n, n)
                }
            },
        };
        if from > to {
            return Err(format!("range {span:?} runs backwards"));
        }
        out.extend((from..=to).step_by(usize::from(step)));
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::{parse_rate_bytes_per_hour, parse_schedule};
    use crate::inventory::{DAY_MS, HOUR_MS, SyncFrequency, SyncSchedule};

    fn offsets(text: &str) -> Vec<u64> {
        match parse_schedule(text).unwrap() {
            SyncSchedule::Cron(cron) => cron.week_offsets_ms(),
            other => panic!("not cron: {other:?}"),
        }
    }

    #[test]
    fn cron_every_six_hours() {
        let all = offsets("0 */6 * * *");
        assert_eq!(all.len(), 28);
        assert_eq!(&all[..4], &[0, 6 * HOUR_MS, 12 * HOUR_MS, 18 * HOUR_MS]);
        assert_eq!(
            parse_schedule("0 */6 * * *").unwrap().frequency(),
            SyncFrequency::Other
        );
    }

    #[test]
    fn weekdays_in_both_dialects() {
        // Monday and Friday at 02:30.
        let monday_friday = vec![
            2 * HOUR_MS + 1_800_000,
            4 * DAY_MS + 2 * HOUR_MS + 1_800_000,
        ];
        assert_eq!(offsets("30 2 * * 1,5"), monday_friday);
        assert_eq!(offsets("30 2 * * MON,FRI"), monday_friday);
        assert_eq!(offsets("0 30 2 ? * MON,FRI *"), monday_friday);
        assert_eq!(offsets("0 30 2 ? * 2,6 *"), monday_friday);
        // Sunday: 0 and 7 in cron, 1 in Quartz.
        let sunday = vec![6 * DAY_MS];
        assert_eq!(offsets("0 0 * * 0"), sunday);
        assert_eq!(offsets("0 0 * * 7"), sunday);
        assert_eq!(offsets("0 0 0 ? * 1 *"), sunday);
        assert_eq!(offsets("0 0 * * SUN"), sunday);
        assert_eq!(offsets("0 0 0 ? * SUN *"), sunday);
        assert_eq!(offsets("0 0 * * SAT,SUN").len(), 2);
    }

    #[test]
    fn engine_frequencies() {
        // What ovirt-engine's StorageSyncSchedule writes for DAILY and WEEKLY.
        let daily = parse_schedule("0 30 2 * * ? *").unwrap();
        assert_eq!(daily.frequency(), SyncFrequency::Daily);
        let weekly = parse_schedule("0 30 2 ? * MON,THU *").unwrap();
        assert_eq!(weekly.frequency(), SyncFrequency::Weekly);
        assert_eq!(
            parse_schedule("24h").unwrap().frequency(),
            SyncFrequency::Daily
        );
        assert_eq!(
            parse_schedule("6h").unwrap().frequency(),
            SyncFrequency::Other
        );
    }

    #[test]
    fn errors_name_the_field() {
        let err = |t: &str| parse_schedule(t).unwrap_err();
        assert!(
            err("0 25 * * *").contains("invalid hour field \"25\""),
            "{}",
            err("0 25 * * *")
        );
        assert!(err("61 2 * * *").contains("minute field"));
        assert!(err("0 2 1 * *").contains("day-of-month field"));
        assert!(err("0 2 * 6 *").contains("month field"));
        assert!(err("0 2 * * FUNDAY").contains("day-of-week field"));
        assert!(err("0 2 * *").contains("has 4 fields"));
        assert!(err("5 4-2 * * *").contains("runs backwards"));
        assert!(err("often").contains("neither an interval"));
        assert!(err("10s").contains("shorter than a minute"));
    }

    #[test]
    fn rates() {
        let gib = (1u64 << 30) as f64;
        assert_eq!(parse_rate_bytes_per_hour("20GiB/h"), Ok(20.0 * gib));
        assert_eq!(parse_rate_bytes_per_hour("48GiB/d"), Ok(2.0 * gib));
        assert!(parse_rate_bytes_per_hour("20GiB").is_err());
        assert!(parse_rate_bytes_per_hour("20GiB/week").is_err());
    }
}
