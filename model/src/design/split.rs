//! Parsing a large design on several threads. A design of thousands of VMs is mostly
//! `[[vm]]` tables; the text is cut before such headers into one share per core, each share
//! is parsed on its own thread from a copy of the whole text in which everything else is
//! blanked (spaces, newlines kept), so every span and line stays that of the file, and the
//! tables of the shares are put back together in file order.
//!
//! Anything that does not parse this way (a cut inside a multi-line string or array, a
//! table given in two shares, a share that is not a design on its own) makes
//! [`parse_in_shares`] give up, and the caller parses the whole text on one thread, which
//! reports errors exactly as always.

use std::thread;

use crate::design::raw::RawDesign;

/// Below this size one thread is as quick.
const MIN_BYTES: usize = 512 * 1024;

/// The arrays of tables a design may be cut before.
const ARRAYS: [&str; 11] = [
    "site",
    "link",
    "data_center",
    "cluster",
    "host",
    "network",
    "vnic_profile",
    "storage_domain",
    "vm",
    "affinity_label",
    "affinity_group",
];

/// The design parsed in `shares` parts on as many threads; `None` when the text is small,
/// cannot be cut, or a part does not parse on its own.
pub fn parse_in_shares(text: &str, shares: usize) -> Option<RawDesign> {
    if shares < 2 || text.len() < MIN_BYTES {
        return None;
    }
    let cuts = cuts(text, shares)?;
    let parts: Vec<Option<RawDesign>> = thread::scope(|scope| {
        let handles: Vec<_> = cuts
            .windows(2)
            .map(|w| {
                let (start, end) = (w[0], w[1]);
                scope.spawn(move || toml::from_str::<RawDesign>(&blanked(text, start, end)).ok())
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().ok().flatten())
            .collect()
    });
    let mut parts = parts.into_iter();
    let mut design = parts.next()??;
    for part in parts {
        let part = part?;
        // Single tables belong before the first cut; one in a later share may repeat one
        // of the first, which only the whole parse reports right.
        if part.source.is_some() || part.engine.is_some() {
            return None;
        }
        design.site.extend(part.site);
        design.link.extend(part.link);
        design.data_center.extend(part.data_center);
        design.cluster.extend(part.cluster);
        design.host.extend(part.host);
        design.network.extend(part.network);
        design.vnic_profile.extend(part.vnic_profile);
        design.storage_domain.extend(part.storage_domain);
        design.vm.extend(part.vm);
        design.affinity_label.extend(part.affinity_label);
        design.affinity_group.extend(part.affinity_group);
    }
    Some(design)
}

/// Byte offsets `0, c1, ..., len`: each `ck` the start of a line `[[NAME]]` (NAME one of
/// [`ARRAYS`]) at or after `k * len / shares`. `None` when there are no such lines, or when
/// an array cut before is also assigned as a key (`vm = [...]`), which the whole parse
/// refuses and the shares might not.
fn cuts(text: &str, shares: usize) -> Option<Vec<usize>> {
    let mut cuts = vec![0];
    let mut names = Vec::new();
    for k in 1..shares {
        let from = (text.len() * k / shares).max(cuts.last().copied().unwrap_or(0) + 1);
        let Some((at, name)) = next_header(text, from) else {
            break;
        };
        if at > *cuts.last().unwrap_or(&0) {
            cuts.push(at);
            if !names.contains(&name) {
                names.push(name);
            }
        }
    }
    if cuts.len() < 2 {
        return None;
    }
    for name in names {
        if assigned_as_key(text, name) {
            return None;
        }
    }
    cuts.push(text.len());
    Some(cuts)
}

/// The first line at or after `from` that is exactly a `[[NAME]]` header (optionally with
/// trailing spaces and a comment), and its NAME.
fn next_header(text: &str, from: usize) -> Option<(usize, &'static str)> {
    let mut at = from;
    while at < text.len() {
        let found = text[at..].find("\n[[")? + at + 1;
        let line_end = text[found..].find('\n').map_or(text.len(), |i| found + i);
        let line = text[found..line_end].trim_end_matches('\r');
        for name in ARRAYS {
            if let Some(rest) = line
                .strip_prefix("[[")
                .and_then(|l| l.strip_prefix(name))
                .and_then(|l| l.strip_prefix("]]"))
            {
                let rest = rest.trim_start();
                if rest.is_empty() || rest.starts_with('#') {
                    return Some((found, name));
                }
            }
        }
        at = found;
    }
    None
}

/// Whether some line starts with `NAME =`, `NAME.` or a quoted `"NAME"` / `'NAME'` key.
fn assigned_as_key(text: &str, name: &str) -> bool {
    text.lines().any(|line| {
        let line = line.trim_start();
        let rest = line
            .strip_prefix(name)
            .or_else(|| {
                line.strip_prefix('"')
                    .and_then(|l| l.strip_prefix(name)?.strip_prefix('"'))
            })
            .or_else(|| {
                line.strip_prefix('\'')
                    .and_then(|l| l.strip_prefix(name)?.strip_prefix('\''))
            });
        rest.is_some_and(|rest| {
            let rest = rest.trim_start();
            rest.starts_with('=') || rest.starts_with('.')
        })
    })
}

/// `text` with every byte outside `start..end` a space, newlines kept: the same offsets and
/// lines, only this share's tables.
fn blanked(text: &str, start: usize, end: usize) -> String {
    let blank = |part: &str, out: &mut Vec<u8>| {
        out.extend(part.bytes().map(|b| if b == b'\n' { b'\n' } else { b' ' }));
    };
    let mut out = Vec::with_capacity(text.len());
    blank(&text[..start], &mut out);
    out.extend_from_slice(&text.as_bytes()[start..end]);
    blank(&text[end..], &mut out);
    // Only whole characters were replaced, by ASCII: still UTF-8.
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::{assigned_as_key, cuts, parse_in_shares};
    use crate::generate::{GenParams, generate};

    fn design() -> String {
        generate(&GenParams {
            sites: 2,
            hosts: 40,
            vms: 3_000,
            affinity_groups: Some(100),
            seed: 3,
        })
    }

    #[test]
    fn shares_parse_to_the_whole_parse() {
        let text = design();
        assert!(text.len() > super::MIN_BYTES, "{}", text.len());
        let whole: super::RawDesign = toml::from_str(&text).unwrap();
        for shares in [2, 3, 7] {
            let parts = parse_in_shares(&text, shares).expect("cut and parsed");
            assert_eq!(
                format!("{parts:?}"),
                format!("{whole:?}"),
                "{shares} shares"
            );
        }
    }

    #[test]
    fn what_might_parse_differently_is_left_to_the_whole_parse() {
        let text = design();
        let cut = cuts(&text, 2).unwrap()[1];
        // A multi-line string across the cut: the first share does not parse.
        let mut broken = text.clone();
        broken.insert_str(cut - 1, "\n[[site]]\nname = \"\"\"\n");
        broken.push_str("\n\"\"\"\n");
        assert!(parse_in_shares(&broken, 2).is_none());
        // An array also assigned as a key.
        let assigned = format!("vm = []\n{text}");
        assert!(assigned_as_key(&assigned, "vm"));
        assert!(parse_in_shares(&assigned, 2).is_none());
        assert!(!assigned_as_key(&text, "vm"));
        // Too small to bother.
        assert!(parse_in_shares("[[vm]]\nname = \"a\"\n", 2).is_none());
    }
}
