//! Renderings of a [`SimResult`]: text, JSON, and a self-contained HTML page; the pages of
//! Monte Carlo batches, what-if sweeps, geo-replication and active-passive scenarios.

mod chart;
mod html;
mod montecarlo;
mod scenario_pages;
mod text;
mod whatif;

pub use html::{CSS, LEGEND, esc, html, summary_cards, timeline_svg, vm_table};
pub use montecarlo::{monte_carlo_html, monte_carlo_text};
pub use scenario_pages::{active_passive_html, georep_html};
pub use text::text;
pub use whatif::{whatif_csv, whatif_html, whatif_json, whatif_text};

use crate::montecarlo::MonteCarloResult;
use crate::outcome::SimResult;

/// The result as FORMATS.md "Simulation result" JSON (pretty, with a final newline).
pub fn json(result: &SimResult) -> String {
    let mut out = serde_json::to_string_pretty(result).expect("a result always serialises");
    out.push('\n');
    out
}

/// A Monte Carlo result as FORMATS.md "Simulation result" JSON with `runs` > 1.
pub fn monte_carlo_json(result: &MonteCarloResult) -> String {
    let mut out = serde_json::to_string_pretty(result).expect("a result always serialises");
    out.push('\n');
    out
}
