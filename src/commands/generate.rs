//! `stretchdr gen`: a synthetic, seeded design for benchmarks and capacity planning.

use std::path::PathBuf;

use clap::Parser;
use miette::{IntoDiagnostic, Report, WrapErr};
use stretchdr_model::budget::Budget;
use stretchdr_model::generate::{GenParams, generate};

use crate::cli::Outcome;
use crate::output;

#[derive(Parser, Debug)]
pub struct Args {
    /// Number of data sites (a witness site is added with 2 or more).
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=64))]
    sites: u32,
    /// Number of hosts, spread over the sites.
    #[arg(long, default_value_t = 12)]
    hosts: usize,
    /// Number of VMs.
    #[arg(long, default_value_t = 150)]
    vms: usize,
    /// Number of affinity groups (default: one per ten VMs).
    #[arg(long)]
    affinity_groups: Option<usize>,
    /// Seed: the same seed gives the same bytes.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Write to this file instead of stdout.
    #[arg(long)]
    out: Option<PathBuf>,
}

pub fn run(args: Args) -> Result<Outcome, Report> {
    let params = GenParams {
        sites: args.sites as usize,
        hosts: args.hosts,
        vms: args.vms,
        affinity_groups: args.affinity_groups,
        seed: args.seed,
    };
    Budget::current()
        .and_then(|budget| params.check(&budget))
        .map_err(|e| miette::miette!("gen: {e}"))?;
    let design = generate(&params);
    match &args.out {
        Some(path) => std::fs::write(path, design)
            .into_diagnostic()
            .wrap_err_with(|| format!("cannot write {}", path.display()))?,
        None => output::emit(&design)?,
    }
    Ok(Outcome::Clean)
}
