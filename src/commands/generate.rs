//! `stretchdr gen`: a synthetic, seeded design for benchmarks and capacity planning.

use std::path::PathBuf;

use clap::Parser;
use miette::Report;

use crate::cli::Outcome;

#[derive(Parser, Debug)]
pub struct Args {
    /// Number of sites (2 = primary and secondary).
    #[arg(long, default_value_t = 2)]
    sites: usize,
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
    let _ = (&args.sites, &args.hosts, &args.vms, &args.affinity_groups, &args.seed, &args.out);
    Err(miette::miette!("gen is not wired yet"))
}
