//! `stretchdr fix`: the edits that make the mechanical findings go away, as a rewritten design
//! (comments, order and formatting kept) or as an Ansible playbook for exports and live engines.
//! Findings that need a human decision are listed on stderr with their help.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use clap::{Parser, ValueEnum};
use miette::{IntoDiagnostic, Report, WrapErr};
use similar::TextDiff;
use stretchdr_lint::fix::{self, FencingFix, Manual, Options, Plan};
use stretchdr_lint::{Finding, Level, Policy};
use stretchdr_model::Inventory;
use stretchdr_model::design::load_design_str;

use crate::cli::Outcome;
use crate::source::{DEMO_DESIGN, DEMO_NAME, SourceArgs};
use crate::{diagnostic, output};

#[derive(Parser, Debug)]
pub struct Args {
    #[command(flatten)]
    source: SourceArgs,
    /// What to write: the design with the fixes applied, or a playbook for the ovirt.ovirt
    /// Ansible collection (for exports and live engines).
    #[arg(long, value_enum, default_value_t = Format::Design)]
    format: Format,
    /// Print a unified diff of the design instead of the new file.
    #[arg(long, conflicts_with = "write")]
    diff: bool,
    /// Edit the design file in place.
    #[arg(long)]
    write: bool,
    /// Write the playbook to FILE instead of stdout.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["diff", "write"])]
    out: Option<PathBuf>,
    /// A policy file (levels, thresholds, ignores): only findings it reports are fixed.
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,
    /// How AA015 is fixed: turn skip_if_connectivity_broken off, or raise its threshold above
    /// the largest site's share of the cluster's hosts [default: the policy's `[fix] fencing`]
    #[arg(long, value_enum)]
    fencing: Option<Fencing>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Format {
    Design,
    Ansible,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Fencing {
    SkipOff,
    RaiseThreshold,
}

pub fn run(args: Args) -> Result<Outcome, Report> {
    let inventory = args.source.load()?;
    let mut policy = Policy::default();
    if let Some(path) = &args.policy {
        policy.apply_file(path).map_err(diagnostic::load_error)?;
    }
    let findings = stretchdr_lint::lint(&inventory, &policy);
    let options = Options {
        fencing: match args.fencing {
            Some(Fencing::SkipOff) => FencingFix::SkipOff,
            Some(Fencing::RaiseThreshold) => FencingFix::RaiseThreshold,
            None => policy.fencing_fix,
        },
    };
    let plan = fix::plan(&inventory, &findings, options);
    match args.format {
        Format::Ansible => {
            if args.diff || args.write {
                return Err(miette::miette!(
                    "--diff and --write edit a design; a playbook goes to stdout or --out FILE"
                ));
            }
            let name = source_name(&args.source);
            let text = fix::ansible::playbook(&inventory, &plan, &name);
            match &args.out {
                Some(path) => std::fs::write(path, &text)
                    .into_diagnostic()
                    .wrap_err_with(|| format!("cannot write {}", path.display()))?,
                None => output::emit(&text)?,
            }
            eprint!("{}", summary(&plan, None));
        }
        Format::Design => design(&args, &inventory, &policy, &plan)?,
    }
    Ok(Outcome::Clean)
}

/// The design path and text: the file named, or the bundled example.
fn design_text(args: &Args) -> Result<(PathBuf, String), Report> {
    if args.source.engine.is_some() {
        return Err(miette::miette!(
            "a live engine has no design file to edit: use --format ansible"
        ));
    }
    match &args.source.source {
        None => Ok((PathBuf::from(DEMO_NAME), DEMO_DESIGN.to_string())),
        Some(path) if path.is_dir() => Err(miette::miette!(
            "{} is an export directory, not a design file: use --format ansible for a playbook, or fix the design that overlays it",
            path.display()
        )),
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .into_diagnostic()
                .wrap_err_with(|| format!("cannot read {}", path.display()))?;
            Ok((path.clone(), text))
        }
    }
}

fn design(args: &Args, inventory: &Inventory, policy: &Policy, plan: &Plan) -> Result<(), Report> {
    let (path, text) = design_text(args)?;
    if args.write && args.source.source.is_none() {
        return Err(miette::miette!(
            "--write needs a design file; the bundled example is not one"
        ));
    }
    let edits = plan.edits();
    let fixed = fix::design::apply(inventory, &text, &edits)
        .map_err(|e| miette::miette!("{}: {e}", path.display()))?;
    let left = still_found(&path, &fixed, policy, plan)?;
    let shown = path.to_string_lossy().replace('\\', "/");
    let diff = TextDiff::from_lines(&text, &fixed);
    let changed_lines = diff
        .ops()
        .iter()
        .flat_map(|op| diff.iter_changes(op))
        .filter(|c| c.tag() != similar::ChangeTag::Equal)
        .count();
    if args.diff {
        let unified = diff
            .unified_diff()
            .context_radius(3)
            .header(&format!("a/{shown}"), &format!("b/{shown}"))
            .to_string();
        output::emit(&unified)?;
    } else if args.write {
        if fixed != text {
            std::fs::write(&path, &fixed)
                .into_diagnostic()
                .wrap_err_with(|| format!("cannot write {}", path.display()))?;
        }
    } else {
        output::emit(&fixed)?;
    }
    let mut note = summary(plan, Some(changed_lines));
    for finding in &left {
        let _ = writeln!(
            note,
            "warning: {} {} {} is still reported after the fix",
            finding.code,
            finding.entity.kind.as_str(),
            finding.entity.name
        );
    }
    eprint!("{note}");
    Ok(())
}

/// The fixed findings the rewritten design still reports (none, unless a fix is wrong).
fn still_found(
    path: &Path,
    fixed_text: &str,
    policy: &Policy,
    plan: &Plan,
) -> Result<Vec<Finding>, Report> {
    // A design over a live engine would read the engine again: not checked.
    let live = fixed_text
        .parse::<toml_edit::DocumentMut>()
        .ok()
        .is_some_and(|doc| doc.get("source").and_then(|s| s.get("engine")).is_some());
    if live {
        return Ok(Vec::new());
    }
    let after = load_design_str(path, fixed_text).map_err(|e| {
        miette::miette!("the fixed design does not load ({e}); nothing was written")
    })?;
    let findings = stretchdr_lint::lint(&after, policy);
    let prints: Vec<String> = findings.iter().map(Finding::fingerprint).collect();
    Ok(plan
        .fixed
        .iter()
        .filter(|f| prints.contains(&f.finding.fingerprint()))
        .map(|f| f.finding.clone())
        .collect())
}

/// What was fixed and what needs a decision, for stderr.
fn summary(plan: &Plan, changed_lines: Option<usize>) -> String {
    let mut out = String::new();
    let mut codes: Vec<&str> = plan.fixed.iter().map(|f| f.finding.code).collect();
    codes.dedup();
    let _ = write!(
        out,
        "fixed {} findings ({}) with {} changes",
        plan.fixed.len(),
        if codes.is_empty() {
            "none".to_string()
        } else {
            let mut unique = codes.clone();
            unique.sort();
            unique.dedup();
            unique.join(", ")
        },
        plan.edits().len()
    );
    if let Some(lines) = changed_lines {
        let _ = write!(out, " ({lines} lines changed)");
    }
    out.push('\n');
    if !plan.manual.is_empty() {
        let _ = writeln!(out, "{} findings need a human decision:", plan.manual.len());
        // Errors and warnings one by one; a rule's notes counted when there are many.
        const MAX_NOTES_LISTED: usize = 3;
        let mut notes: BTreeMap<&str, Vec<&Manual>> = BTreeMap::new();
        for manual in &plan.manual {
            if manual.finding.level == Level::Note {
                notes.entry(manual.finding.code).or_default().push(manual);
            }
        }
        for manual in &plan.manual {
            let code = manual.finding.code;
            let many = notes.get(code).is_some_and(|n| n.len() > MAX_NOTES_LISTED);
            if manual.finding.level == Level::Note && many {
                continue;
            }
            let _ = writeln!(
                out,
                "  {}[{code}] {} {}: {}",
                manual.finding.level,
                manual.finding.entity.kind.as_str(),
                manual.finding.entity.name,
                manual.why
            );
        }
        for (code, list) in notes.iter().filter(|(_, n)| n.len() > MAX_NOTES_LISTED) {
            let _ = writeln!(
                out,
                "  note[{code}] on {} {}s ({} ...): {}",
                list.len(),
                list[0].finding.entity.kind.as_str(),
                list[0].finding.entity.name,
                list[0].why
            );
        }
    }
    out
}

fn source_name(source: &SourceArgs) -> String {
    match (&source.engine, &source.source) {
        (Some(url), _) => url.clone(),
        (None, Some(path)) => path.display().to_string(),
        (None, None) => DEMO_NAME.to_string(),
    }
}
