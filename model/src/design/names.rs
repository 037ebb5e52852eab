//! Name ranges: `"web-{01..40}"` stands for `web-01` ... `web-40`.

use std::borrow::Cow;
use std::fmt::Write;
use std::ops::RangeInclusive;

/// The most names one range may expand to; a typo such as `{1..10000000}` should be an
/// error, not a design of ten million VMs.
pub const MAX_RANGE_LEN: u64 = 100_000;

/// A name as written in a design: a plain name or one numeric range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NamePattern<'a> {
    Single(&'a str),
    Range {
        prefix: &'a str,
        suffix: &'a str,
        start: u64,
        end: u64,
        /// Numbers are zero-padded to this many digits: the width of the start as written.
        width: usize,
    },
}

impl<'a> NamePattern<'a> {
    /// Parses `text`; braces are only allowed as one `{START..END}` range of decimal numbers.
    pub fn parse(text: &'a str) -> Result<NamePattern<'a>, String> {
        // Most names have no braces: one pass over them.
        if !text.bytes().any(|b| b == b'{' || b == b'}') {
            return Ok(NamePattern::Single(text));
        }
        let Some(open) = text.find('{') else {
            if text.contains('}') {
                return Err(bad_range(text, "a `}` without `{`"));
            }
            return Ok(NamePattern::Single(text));
        };
        let close = text[open..]
            .find('}')
            .map(|i| open + i)
            .ok_or_else(|| bad_range(text, "a `{` without `}`"))?;
        let (prefix, inner, suffix) = (&text[..open], &text[open + 1..close], &text[close + 1..]);
        if suffix.contains(['{', '}']) {
            return Err(bad_range(text, "more than one range"));
        }
        let (start_text, end_text) = inner
            .split_once("..")
            .ok_or_else(|| bad_range(text, "no `..` between the braces"))?;
        let start = parse_bound(text, start_text)?;
        let end = parse_bound(text, end_text)?;
        if start > end {
            return Err(bad_range(text, "the start is above the end"));
        }
        if end - start >= MAX_RANGE_LEN {
            return Err(bad_range(text, &format!("more than {MAX_RANGE_LEN} names")));
        }
        Ok(NamePattern::Range {
            prefix,
            suffix,
            start,
            end,
            width: start_text.len(),
        })
    }

    /// How many names the pattern stands for.
    pub fn len(&self) -> usize {
        match self {
            NamePattern::Single(_) => 1,
            NamePattern::Range { start, end, .. } => (end - start + 1) as usize,
        }
    }

    pub fn is_empty(&self) -> bool {
        false
    }

    /// Calls `f` with each name in order, each written into `buffer`: no allocation per
    /// name (an affinity group's `hosts = ["a-{001..500}"]` looks up 500 names).
    pub fn try_for_each<E>(
        &self,
        buffer: &mut String,
        mut f: impl FnMut(&str) -> Result<(), E>,
    ) -> Result<(), E> {
        let (prefix, suffix, range, width) = self.parts();
        let Some(range) = range else {
            return f(prefix);
        };
        for n in range {
            buffer.clear();
            // Writing to a String cannot fail.
            let _ = write!(buffer, "{prefix}{n:0width$}{suffix}");
            f(buffer)?;
        }
        Ok(())
    }

    /// The names, in order.
    pub fn names(&self) -> impl Iterator<Item = Cow<'a, str>> + '_ {
        let (prefix, suffix, range, width) = self.parts();
        let single = range.is_none().then_some(Cow::Borrowed(prefix));
        single.into_iter().chain(
            range
                .into_iter()
                .flatten()
                .map(move |n| Cow::Owned(format!("{prefix}{n:0width$}{suffix}"))),
        )
    }

    /// Prefix, suffix, numbers and width of the numbers; a single name is its own prefix.
    fn parts(&self) -> (&'a str, &'a str, Option<RangeInclusive<u64>>, usize) {
        match *self {
            NamePattern::Single(name) => (name, "", None, 0),
            NamePattern::Range {
                prefix,
                suffix,
                start,
                end,
                width,
            } => (prefix, suffix, Some(start..=end), width),
        }
    }
}

fn parse_bound(text: &str, bound: &str) -> Result<u64, String> {
    if bound.is_empty() || bound.len() > 9 || !bound.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad_range(
            text,
            "the bounds must be decimal numbers of at most 9 digits",
        ));
    }
    Ok(bound.parse().expect("at most 9 ASCII digits"))
}

fn bad_range(text: &str, why: &str) -> String {
    format!("invalid name range {text:?}: {why}; expected a name such as \"web-{{01..40}}\"")
}

#[cfg(test)]
mod tests {
    use super::NamePattern;

    fn expand(text: &str) -> Result<Vec<String>, String> {
        NamePattern::parse(text).map(|p| p.names().map(String::from).collect())
    }

    #[test]
    fn ranges() {
        assert_eq!(expand("db01").unwrap(), ["db01"]);
        let mut each = Vec::new();
        NamePattern::parse("h{8..10}x")
            .unwrap()
            .try_for_each(&mut String::new(), |name| {
                each.push(name.to_string());
                Ok::<(), ()>(())
            })
            .unwrap();
        assert_eq!(each, ["h8x", "h9x", "h10x"]);
        assert_eq!(
            expand("web-{01..03}").unwrap(),
            ["web-01", "web-02", "web-03"]
        );
        assert_eq!(expand("a{1..2}x").unwrap(), ["a1x", "a2x"]);
        assert_eq!(expand("h{8..10}").unwrap(), ["h8", "h9", "h10"]);
        assert_eq!(NamePattern::parse("v{001..120}").unwrap().len(), 120);
        for bad in [
            "a{1..}",
            "a{x..2}",
            "a{3..1}",
            "a{1..2",
            "a}",
            "a{1..2}{3..4}",
            "a{1-3}",
        ] {
            assert!(expand(bad).is_err(), "{bad}");
        }
        assert!(expand("a{0..999999999}").is_err());
    }
}
