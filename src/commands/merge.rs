//! `stretchdr merge`: fold the parts of a sharded `sim` or `whatif` batch into the report
//! the unsharded batch prints.

use std::path::PathBuf;

use clap::{Parser, ValueEnum};
use miette::Report;
use stretchdr_sim::report;
use stretchdr_sim::shard::{Merged, Part, merge};
use stretchdr_sim::slo::monte_carlo_lines;

use crate::cli::Outcome;
use crate::output;

#[derive(Parser, Debug)]
pub struct Args {
    /// The part files written by `sim --shard K/M --out FILE` (or `whatif --shard`), all M
    /// of them, in any order.
    #[arg(value_name = "PARTS", required = true)]
    parts: Vec<PathBuf>,
    /// Output format (csv: what-if parts only).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Also write the self-contained HTML report to FILE.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Format {
    Text,
    Json,
    Csv,
}

pub fn run(args: Args) -> Result<Outcome, Report> {
    let mut parts = Vec::with_capacity(args.parts.len());
    for path in &args.parts {
        let text = std::fs::read_to_string(path)
            .map_err(|e| miette::miette!("cannot read part {}: {e}", path.display()))?;
        let name = path.display().to_string();
        let part = Part::from_json(&name, &text).map_err(|e| miette::miette!("{e}"))?;
        parts.push((name, part));
    }
    let merged = merge(&parts).map_err(|e| miette::miette!("{e}"))?;
    match merged {
        Merged::MonteCarlo {
            result,
            slo,
            failback_s,
        } => {
            if let Some(path) = &args.html {
                output::write_file(path, &report::monte_carlo_html(&result))?;
            }
            match args.format {
                Format::Text => output::emit(&report::monte_carlo_text(&result))?,
                Format::Json => output::emit(&report::monte_carlo_json(&result))?,
                Format::Csv => {
                    return Err(miette::miette!(
                        "--format csv: Monte Carlo parts have text and JSON reports; csv is for what-if parts"
                    ));
                }
            }
            // The objectives of the batch, judged as the unsharded `sim --runs` judges them.
            let lines = monte_carlo_lines(&slo, &result, failback_s);
            return output::emit_slo_lines(matches!(args.format, Format::Json), &lines);
        }
        Merged::Whatif(sweep) => {
            if let Some(path) = &args.html {
                output::write_file(path, &report::whatif_html(&sweep))?;
            }
            match args.format {
                Format::Text => output::emit(&report::whatif_text(&sweep))?,
                Format::Json => output::emit(&report::whatif_json(&sweep))?,
                Format::Csv => output::emit(&report::whatif_csv(&sweep))?,
            }
        }
    }
    Ok(Outcome::Clean)
}
