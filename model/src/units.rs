//! Unit-bearing values of the user-facing formats: sizes (`"32GiB"`), durations
//! (`"90s"`, `"250ms"`, `"4h"`) and bandwidths (`"10Gbps"`).
//!
//! Each parser returns a message saying what was expected, for the loader to attach
//! to the file and line.
//!
//! Each kind has a documented maximum, far above anything real and far below where `u64`
//! arithmetic wraps, so sums over a whole inventory and products of parameters stay exact
//! (and code that could still overflow saturates):
//!
//! | kind | maximum | why |
//! |---|---|---|
//! | size | [`MAX_SIZE_BYTES`] = 1 PiB | no host's memory, VM or storage domain comes near it |
//! | duration | [`MAX_DURATION_MS`] = 3650 days | ten years: no timeout, interval or horizon is longer |
//! | bandwidth | [`MAX_BANDWIDTH_BPS`] = 1 Pbps | a thousand times the fastest inter-site links |

use crate::escape::{QUOTE_CHARS, quote};

/// The largest size any input may give, in bytes (1 PiB).
pub const MAX_SIZE_BYTES: u64 = 1 << 50;
/// The longest duration any input may give, in milliseconds (3650 days).
pub const MAX_DURATION_MS: u64 = 3650 * 86_400_000;
/// The highest bandwidth any input may give, in bits per second (1 Pbps).
pub const MAX_BANDWIDTH_BPS: u64 = 1_000_000_000_000_000;

/// Parses a size such as `"32GiB"`, `"512MiB"`, `"1TiB"`, `"2GB"` or a plain byte count, into bytes.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let (number, unit) = split_number(text)?;
    let factor: f64 = match unit {
        "" | "B" => 1.0,
        "KiB" => 1024.0,
        "MiB" => 1024.0 * 1024.0,
        "GiB" => 1024.0 * 1024.0 * 1024.0,
        "TiB" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        "KB" | "kB" => 1e3,
        "MB" => 1e6,
        "GB" => 1e9,
        "TB" => 1e12,
        _ => return Err(expected_size(text)),
    };
    let bytes = (number * factor).round();
    if !(0.0..=MAX_SIZE_BYTES as f64).contains(&bytes) {
        return Err(format!(
            "size {} is out of range: at most {}",
            shown(text),
            format_size(MAX_SIZE_BYTES)
        ));
    }
    Ok(bytes as u64)
}

/// `text` quoted for a message, cut short: a value may be a million characters long.
fn shown(text: &str) -> String {
    quote(text, QUOTE_CHARS)
}

fn expected_size(text: &str) -> String {
    format!(
        "invalid size {}: expected a number with a unit such as \"32GiB\", \"512MiB\" or \"2TiB\"",
        shown(text)
    )
}

/// Parses a duration such as `"250ms"`, `"90s"`, `"5m"`, `"4h"`, `"2d"` into milliseconds.
pub fn parse_duration_ms(text: &str) -> Result<u64, String> {
    let (number, unit) = split_number(text)?;
    let factor: f64 = match unit {
        "ms" => 1.0,
        "s" => 1e3,
        "m" | "min" => 60e3,
        "h" => 3600e3,
        "d" => 86_400e3,
        _ => {
            return Err(format!(
                "invalid duration {}: expected a number with a unit such as \"250ms\", \"90s\", \"5m\" or \"4h\"",
                shown(text)
            ));
        }
    };
    let ms = (number * factor).round();
    if !(0.0..=MAX_DURATION_MS as f64).contains(&ms) {
        return Err(format!(
            "duration {} is out of range: at most {}",
            shown(text),
            format_duration_ms(MAX_DURATION_MS)
        ));
    }
    Ok(ms as u64)
}

/// Parses a bandwidth such as `"10Gbps"`, `"100Mbps"`, `"1.25GB/s"` into bits per second.
pub fn parse_bandwidth_bps(text: &str) -> Result<u64, String> {
    let (number, unit) = split_number(text)?;
    let factor: f64 = match unit {
        "bps" => 1.0,
        "Kbps" | "kbps" => 1e3,
        "Mbps" => 1e6,
        "Gbps" => 1e9,
        "Tbps" => 1e12,
        "B/s" => 8.0,
        "KB/s" | "kB/s" => 8e3,
        "MB/s" => 8e6,
        "GB/s" => 8e9,
        "MiB/s" => 8.0 * 1024.0 * 1024.0,
        "GiB/s" => 8.0 * 1024.0 * 1024.0 * 1024.0,
        _ => {
            return Err(format!(
                "invalid bandwidth {}: expected a number with a unit such as \"10Gbps\", \"500Mbps\" or \"100MiB/s\"",
                shown(text)
            ));
        }
    };
    let bps = (number * factor).round();
    if !(0.0..=MAX_BANDWIDTH_BPS as f64).contains(&bps) {
        return Err(format!(
            "bandwidth {} is out of range: at most 1000Tbps",
            shown(text)
        ));
    }
    Ok(bps as u64)
}

/// Splits `"32GiB"` into `(32.0, "GiB")`, allowing a space between them.
fn split_number(text: &str) -> Result<(f64, &str), String> {
    let text = text.trim();
    let end = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(end);
    let number: f64 = number.parse().map_err(|_| {
        format!(
            "invalid value {}: expected a number followed by a unit",
            shown(text)
        )
    })?;
    if !number.is_finite() {
        return Err(format!(
            "invalid value {}: not a finite number",
            shown(text)
        ));
    }
    Ok((number, unit.trim_start()))
}

/// Formats bytes for people: `"32GiB"`, `"1.5TiB"`, `"512MiB"`.
pub fn format_size(bytes: u64) -> String {
    const UNITS: [(&str, u64); 4] = [
        ("TiB", 1 << 40),
        ("GiB", 1 << 30),
        ("MiB", 1 << 20),
        ("KiB", 1 << 10),
    ];
    for (unit, factor) in UNITS {
        if bytes >= factor {
            let value = bytes as f64 / factor as f64;
            return if value.fract() == 0.0 {
                format!("{value}{unit}")
            } else {
                format!("{value:.1}{unit}")
            };
        }
    }
    format!("{bytes}B")
}

/// Formats milliseconds as the shortest exact form: `"90s"`, `"4h"`, `"250ms"`.
pub fn format_duration_ms(ms: u64) -> String {
    for (unit, factor) in [
        ("d", 86_400_000),
        ("h", 3_600_000),
        ("m", 60_000),
        ("s", 1000),
    ] {
        if ms >= factor && ms.is_multiple_of(factor) {
            return format!("{}{unit}", ms / factor);
        }
    }
    format!("{ms}ms")
}

/// Formats milliseconds for people, rounded to the second: `"6h 17m 11s"`, `"36h"`, `"45m"`, `"0s"`.
pub fn format_duration_human(ms: u64) -> String {
    let secs = ms.saturating_add(500) / 1000;
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    let parts: Vec<String> = [(h, "h"), (m, "m"), (s, "s")]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, unit)| format!("{n}{unit}"))
        .collect();
    if parts.is_empty() {
        "0s".to_string()
    } else {
        parts.join(" ")
    }
}

/// [`format_duration_human`] of a number of seconds (negative and NaN count as 0).
pub fn format_seconds_human(seconds: f64) -> String {
    format_duration_human((seconds.max(0.0) * 1000.0).round() as u64)
}

#[cfg(test)]
mod tests {
    use super::{
        MAX_DURATION_MS, MAX_SIZE_BYTES, format_duration_human, format_duration_ms,
        format_seconds_human, format_size, parse_bandwidth_bps, parse_duration_ms, parse_size,
    };

    #[test]
    fn human_durations() {
        assert_eq!(format_duration_human(22_631_000), "6h 17m 11s");
        assert_eq!(format_duration_human(36 * 3_600_000), "36h");
        assert_eq!(format_duration_human(499), "0s");
        assert_eq!(format_seconds_human(212.4), "3m 32s");
        assert_eq!(format_seconds_human(f64::NAN), "0s");
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("32GiB"), Ok(32 << 30));
        assert_eq!(parse_size("512 MiB"), Ok(512 << 20));
        assert_eq!(parse_size("1.5TiB"), Ok(3 << 39));
        assert_eq!(parse_size("2GB"), Ok(2_000_000_000));
        assert!(
            parse_size("32 gigs")
                .unwrap_err()
                .contains("expected a number with a unit")
        );
        assert!(parse_size("").is_err());
        assert_eq!(format_size(32 << 30), "32GiB");
        assert_eq!(format_size(3 << 39), "1.5TiB");
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration_ms("90s"), Ok(90_000));
        assert_eq!(parse_duration_ms("250ms"), Ok(250));
        assert_eq!(parse_duration_ms("5m"), Ok(300_000));
        assert_eq!(parse_duration_ms("4h"), Ok(14_400_000));
        assert!(parse_duration_ms("4 hours").is_err());
        assert_eq!(format_duration_ms(90_000), "90s");
        assert_eq!(format_duration_ms(14_400_000), "4h");
        assert_eq!(format_duration_ms(1500), "1500ms");
    }

    #[test]
    fn maxima_are_enforced() {
        assert_eq!(parse_size("1024TiB"), Ok(MAX_SIZE_BYTES));
        assert!(
            parse_size("1025TiB")
                .unwrap_err()
                .contains("at most 1024TiB")
        );
        assert!(parse_size("18446744073709551615").is_err());
        assert_eq!(parse_duration_ms("3650d"), Ok(MAX_DURATION_MS));
        assert!(
            parse_duration_ms("3651d")
                .unwrap_err()
                .contains("out of range")
        );
        assert!(parse_duration_ms("213503982334d").is_err());
        assert!(parse_bandwidth_bps("1001Tbps").is_err());
        assert!(parse_size(&"9".repeat(1_000_000)).is_err());
    }

    #[test]
    fn bandwidths() {
        assert_eq!(parse_bandwidth_bps("10Gbps"), Ok(10_000_000_000));
        assert_eq!(parse_bandwidth_bps("52MiB/s"), Ok(52 * 8 * 1024 * 1024));
        assert!(parse_bandwidth_bps("fast").is_err());
    }
}
