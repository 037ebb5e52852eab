//! Renderings of a [`SimResult`]: text, JSON, and a self-contained HTML page.

mod html;
mod text;

pub use html::html;
pub use text::text;

use crate::outcome::SimResult;

/// The result as FORMATS.md "Simulation result" JSON (pretty, with a final newline).
pub fn json(result: &SimResult) -> String {
    let mut out = serde_json::to_string_pretty(result).expect("a result always serialises");
    out.push('\n');
    out
}
