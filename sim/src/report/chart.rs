//! What the report's charts share: round axis ticks, a duration unit that suits the values,
//! and category labels along an axis that never overlap (thinned, rotated, shortened).

use std::fmt::Write;

use crate::report::html::esc;

/// Width of one character of a 10 px tick label, generously (system-ui digits are ~5.6 px).
pub const CHAR_W: f64 = 6.2;
/// Space a label rotated by 45 degrees needs along the axis: its line height over sin 45.
const ROTATED_PITCH: f64 = 14.0;
/// The longest label drawn; longer ones are cut with an ellipsis (their bar or point keeps the
/// whole text in its tooltip).
const MAX_LABEL_CHARS: usize = 18;

/// Round ticks from 0 to at least `max`: 0, s, 2s, ... with s of the form 1, 2 or 5 x 10^k, at
/// most about `wanted` + 1 of them. The last tick is the axis' top.
pub fn ticks(max: f64, wanted: usize) -> Vec<f64> {
    let max = if max.is_finite() && max > 0.0 {
        max
    } else {
        1.0
    };
    let rough = max / wanted.max(1) as f64;
    let magnitude = libm::pow(10.0, libm::floor(libm::log10(rough)));
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * magnitude)
        .find(|s| *s >= rough)
        .unwrap_or(10.0 * magnitude);
    let n = libm::ceil(max / step - 1e-9) as usize;
    (0..=n.max(1)).map(|i| step * i as f64).collect()
}

/// A unit for durations of up to `max_s` seconds: its name and seconds per unit.
pub fn duration_unit(max_s: f64) -> (&'static str, f64) {
    if max_s >= 3.0 * 3600.0 {
        ("h", 3600.0)
    } else if max_s >= 600.0 {
        ("min", 60.0)
    } else {
        ("s", 1.0)
    }
}

/// A tick value as text: whole numbers without decimals, others with as few as they need.
pub fn tick_text(value: f64) -> String {
    if (value - libm::round(value)).abs() < 1e-9 {
        format!("{value:.0}")
    } else if (value * 10.0 - libm::round(value * 10.0)).abs() < 1e-9 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    }
}

/// How category labels are laid along an axis of slots `slot` px wide.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LabelLayout {
    /// Every `step`-th label is drawn (1: all).
    pub step: usize,
    /// Drawn at -45 degrees.
    pub rotated: bool,
    /// Room the labels need below the axis, px.
    pub depth: f64,
}

/// The layout for `labels` in slots `slot` px wide: all labels flat when the widest fits its
/// slot; else rotated, every k-th so rotated labels keep [`ROTATED_PITCH`] apart.
pub fn label_layout(labels: &[String], slot: f64) -> LabelLayout {
    let widest = labels
        .iter()
        .map(|l| shortened(l).chars().count())
        .max()
        .unwrap_or(0) as f64
        * CHAR_W;
    if widest + 4.0 <= slot {
        return LabelLayout {
            step: 1,
            rotated: false,
            depth: 16.0,
        };
    }
    let step = libm::ceil(ROTATED_PITCH / slot.max(0.01)).max(1.0) as usize;
    LabelLayout {
        step,
        rotated: true,
        depth: 12.0 + widest * std::f64::consts::FRAC_1_SQRT_2,
    }
}

/// `label` cut to [`MAX_LABEL_CHARS`] characters.
pub fn shortened(label: &str) -> String {
    if label.chars().count() <= MAX_LABEL_CHARS {
        label.to_string()
    } else {
        let mut cut: String = label.chars().take(MAX_LABEL_CHARS - 1).collect();
        cut.push('…');
        cut
    }
}

/// The category labels under an axis at `axis_y`, the `i`-th centred at `x(i)`, laid out by
/// `layout`.
pub fn category_labels(
    svg: &mut String,
    labels: &[String],
    layout: LabelLayout,
    axis_y: f64,
    x: impl Fn(usize) -> f64,
) {
    for (i, label) in labels.iter().enumerate() {
        if i % layout.step != 0 {
            continue;
        }
        let (lx, ly) = (x(i), axis_y + 14.0);
        if layout.rotated {
            let _ = writeln!(
                svg,
                "<text x=\"{lx:.1}\" y=\"{ly:.1}\" class=\"tick rot\" transform=\"rotate(-45 {lx:.1} {ly:.1})\"><title>{}</title>{}</text>",
                esc(label),
                esc(&shortened(label))
            );
        } else {
            let _ = writeln!(
                svg,
                "<text x=\"{lx:.1}\" y=\"{ly:.1}\" class=\"tick\">{}</text>",
                esc(&shortened(label))
            );
        }
    }
}

/// A y axis from `top` to `bottom` px at `left`, with `ticks` (values, the last the axis top)
/// written as `tick_text(value / per)`, grid lines to `right`, and the axis title turned up
/// its side.
pub struct YAxis<'a> {
    pub left: f64,
    pub right: f64,
    pub top: f64,
    pub bottom: f64,
    pub ticks: &'a [f64],
    /// Values per unit shown (60 for minutes of seconds).
    pub per: f64,
    pub title: &'a str,
}

impl YAxis<'_> {
    /// The top tick's value.
    pub fn max(&self) -> f64 {
        self.ticks
            .last()
            .copied()
            .unwrap_or(1.0)
            .max(f64::MIN_POSITIVE)
    }

    /// The y of `value`.
    pub fn y(&self, value: f64) -> f64 {
        self.bottom - (self.bottom - self.top) * (value / self.max()).clamp(0.0, 1.0)
    }

    /// Draws the axis line, ticks with labels, grid lines and the title.
    pub fn draw(&self, svg: &mut String) {
        let _ = writeln!(
            svg,
            "<line x1=\"{l:.1}\" x2=\"{l:.1}\" y1=\"{:.1}\" y2=\"{:.1}\" stroke=\"#444\"/>",
            self.top,
            self.bottom,
            l = self.left
        );
        for &t in self.ticks {
            let y = self.y(t);
            let _ = writeln!(
                svg,
                "<line x1=\"{:.1}\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#e3e7eb\"/><line x1=\"{:.1}\" x2=\"{:.1}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#444\"/><text x=\"{:.1}\" y=\"{:.1}\" class=\"ytick\">{}</text>",
                self.left,
                self.right,
                self.left - 4.0,
                self.left,
                self.left - 6.0,
                y + 3.5,
                tick_text(t / self.per)
            );
        }
        let mid = (self.top + self.bottom) / 2.0;
        let _ = writeln!(
            svg,
            "<text x=\"12\" y=\"{mid:.1}\" class=\"axis\" transform=\"rotate(-90 12 {mid:.1})\">{}</text>",
            esc(self.title)
        );
    }
}

/// The title under an x axis, centred between `left` and `right` at `y`.
pub fn x_title(svg: &mut String, title: &str, left: f64, right: f64, y: f64) {
    let _ = writeln!(
        svg,
        "<text x=\"{:.1}\" y=\"{y:.1}\" class=\"axis\">{}</text>",
        (left + right) / 2.0,
        esc(title)
    );
}

/// Styles of the charts (added to the page's style sheet).
pub const CHART_CSS: &str = "svg text.ytick{font-size:10px;fill:#444;text-anchor:end}\
svg text.axis{font-size:11px;fill:#1d2730;text-anchor:middle;font-weight:600}\
svg text.tick.rot{text-anchor:end}svg text.count{font-size:10px;fill:#444;text-anchor:middle}svg text.target{font-size:10px;fill:#b52b27}\
svg text.empty{font-size:12px;fill:#5b6773;text-anchor:middle}";

#[cfg(test)]
mod tests {
    use super::{label_layout, ticks};

    #[test]
    fn ticks_are_round_and_cover_the_maximum() {
        assert_eq!(ticks(7.0, 5), [0.0, 2.0, 4.0, 6.0, 8.0]);
        assert_eq!(ticks(100.0, 5), [0.0, 20.0, 40.0, 60.0, 80.0, 100.0]);
        assert_eq!(
            ticks(0.0, 5).len(),
            6,
            "an empty chart still has an axis up to 1"
        );
        let t = ticks(1234.0, 4);
        assert!(*t.last().unwrap() >= 1234.0 && t.len() <= 6, "{t:?}");
    }

    #[test]
    fn labels_rotate_and_thin_when_slots_are_narrow() {
        let short: Vec<String> = (0..5).map(|i| i.to_string()).collect();
        assert!(!label_layout(&short, 100.0).rotated);
        let long: Vec<String> = (0..200).map(|i| format!("{i}-{}s", i + 9)).collect();
        let layout = label_layout(&long, 3.4);
        assert!(layout.rotated);
        assert_eq!(layout.step, 5);
    }
}

/// What the report tests check in a chart: read with an HTML parser, as a browser would.
#[cfg(test)]
pub(crate) mod check {
    /// The `<text>` elements of `svg` with `class` (a class list, as written), each with its
    /// x, whether it is rotated, and its text.
    pub fn texts(svg: &str, class: &str) -> Vec<(f64, bool, String)> {
        let dom = tl::parse(svg, tl::ParserOptions::default()).expect("the chart parses");
        let parser = dom.parser();
        dom.query_selector("text")
            .expect("a selector")
            .filter_map(|h| h.get(parser)?.as_tag())
            .filter(|t| {
                t.attributes()
                    .get("class")
                    .flatten()
                    .is_some_and(|c| c.as_utf8_str() == class)
            })
            .map(|t| {
                let attr = |name: &str| {
                    t.attributes()
                        .get(name)
                        .flatten()
                        .map(|v| v.as_utf8_str().into_owned())
                };
                let x: f64 = attr("x").and_then(|x| x.parse().ok()).expect("an x");
                let text = t
                    .children()
                    .top()
                    .iter()
                    .filter_map(|c| c.get(parser))
                    .filter(|n| n.as_raw().is_some())
                    .map(|n| n.inner_text(parser).into_owned())
                    .collect::<String>();
                (x, attr("transform").is_some(), text)
            })
            .collect()
    }

    /// Asserts that no two tick labels along x overlap: flat ones are a label's width apart,
    /// rotated ones their line pitch.
    pub fn labels_apart(labels: &[(f64, bool, String)]) {
        for pair in labels.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            let needed = if a.1 && b.1 {
                13.0
            } else {
                (a.2.chars().count() + b.2.chars().count()) as f64 * super::CHAR_W / 2.0
            };
            assert!(
                b.0 - a.0 >= needed,
                "labels {:?} at {} and {:?} at {} overlap",
                a.2,
                a.0,
                b.2,
                b.0
            );
        }
    }
}
