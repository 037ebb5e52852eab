//! `stretchdr mapping`: the ovirt-dr mapping file of active-passive DR, offline.
//!
//! `generate` writes one for a primary site's entities, filled from what the two sources
//! hold; `validate` checks one against both sites with the AP rules, reported and judged
//! exactly as `stretchdr lint` does. A source that lacks referenced collections is warned
//! about once as it loads. Each site given as an engine URL may have its own CA file, user
//! and password; the shared connection flags are the default for both.

use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand};
use miette::Report;
use stretchdr_lint::{DrContext, lint_mapping};
use stretchdr_model::Inventory;
use stretchdr_model::live::{Credentials, EngineOptions, Trust, fetch_inventory};
use stretchdr_model::mapping::{generate, load_mapping};

use crate::cli::Outcome;
use crate::commands::fetch::{EngineArgs, live_error};
use crate::commands::lint::{ReportArgs, policy, report_findings};
use crate::{diagnostic, output, source};

#[derive(Parser, Debug)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Write a mapping file for the primary's entities, filled from what the sources hold;
    /// what a person must fill in is marked TODO.
    ///
    /// Entities are matched by id and name on the secondary. Exports and live engines hold
    /// storage connections, vNIC profile ids, roles, AAA domains and direct LUN disks; a
    /// design holds names. `validate` reports every placeholder left (AP013).
    Generate(GenerateArgs),
    /// Check a mapping file against both sites (the AP rules); exit 1 on findings at or above
    /// --fail-on.
    Validate(ValidateArgs),
}

/// How each site's engine is reached, shown after the options.
const SITES_HELP: &str = "\
Engines given by URL: --ca-file, --user and --password-file serve both sites; the --primary-*
and --secondary-* flags override them for one site. A site's user is its --SITE-user, else
--user, else $OVIRT_PRIMARY_USERNAME or $OVIRT_SECONDARY_USERNAME, else $OVIRT_USERNAME. Its
password is the first line of its --SITE-password-file, else of --password-file, else
$OVIRT_PRIMARY_PASSWORD or $OVIRT_SECONDARY_PASSWORD, else $OVIRT_PASSWORD, else a prompt on a
terminal. A design whose [source] names an engine reads it with the site's flags.";

#[derive(Parser, Debug)]
#[command(after_help = SITES_HELP)]
struct GenerateArgs {
    /// The primary site: a design TOML, an export directory or an engine URL (https://...).
    #[arg(long, value_name = "SOURCE")]
    primary: String,
    /// The secondary site, to match entities by name.
    #[arg(long, value_name = "SOURCE")]
    secondary: Option<String>,
    /// Write the mapping file here instead of stdout.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    #[command(flatten)]
    connections: SiteConnections,
}

#[derive(Parser, Debug)]
#[command(after_help = SITES_HELP)]
struct ValidateArgs {
    /// The mapping file (disaster_recovery_vars.yml).
    #[arg(value_name = "FILE")]
    mapping: PathBuf,
    /// The primary site: a design TOML, an export directory or an engine URL (https://...).
    #[arg(long, value_name = "SOURCE")]
    primary: String,
    /// The secondary site: a design TOML, an export directory or an engine URL (https://...).
    #[arg(long, value_name = "SOURCE")]
    secondary: String,
    #[command(flatten)]
    connections: SiteConnections,
    #[command(flatten)]
    report: ReportArgs,
}

/// How to reach the engines given by URL: the shared flags (both sites), and per-site flags
/// that override them.
#[derive(clap::Args, Debug, Clone)]
struct SiteConnections {
    #[command(flatten)]
    shared: EngineArgs,
    /// The primary engine's CA certificate (PEM), instead of --ca-file.
    #[arg(long, value_name = "FILE", conflicts_with = "insecure")]
    primary_ca_file: Option<PathBuf>,
    /// The secondary engine's CA certificate (PEM), instead of --ca-file.
    #[arg(long, value_name = "FILE", conflicts_with = "insecure")]
    secondary_ca_file: Option<PathBuf>,
    /// User on the primary engine, instead of --user [default: $OVIRT_PRIMARY_USERNAME, else
    /// $OVIRT_USERNAME]
    #[arg(long, value_name = "USER")]
    primary_user: Option<String>,
    /// User on the secondary engine, instead of --user [default: $OVIRT_SECONDARY_USERNAME,
    /// else $OVIRT_USERNAME]
    #[arg(long, value_name = "USER")]
    secondary_user: Option<String>,
    /// File whose first line is the primary engine's password, instead of --password-file
    /// [default: $OVIRT_PRIMARY_PASSWORD, else $OVIRT_PASSWORD, else a prompt]
    #[arg(long, value_name = "FILE")]
    primary_password_file: Option<PathBuf>,
    /// File whose first line is the secondary engine's password, instead of --password-file
    /// [default: $OVIRT_SECONDARY_PASSWORD, else $OVIRT_PASSWORD, else a prompt]
    #[arg(long, value_name = "FILE")]
    secondary_password_file: Option<PathBuf>,
}

/// One of the two sites of a mapping.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Site {
    Primary,
    Secondary,
}

impl Site {
    fn name(self) -> &'static str {
        match self {
            Site::Primary => "primary",
            Site::Secondary => "secondary",
        }
    }

    /// The site's own variable for a shared `OVIRT_*` one: `OVIRT_PRIMARY_PASSWORD`.
    fn variable(self, shared: &str) -> String {
        let rest = shared.strip_prefix("OVIRT_").unwrap_or(shared);
        format!("OVIRT_{}_{rest}", self.name().to_uppercase())
    }
}

impl SiteConnections {
    /// The connection flags of `site`: its own flags where given, the shared ones otherwise.
    fn engine_args(&self, site: Site) -> EngineArgs {
        let (ca_file, user, password_file) = match site {
            Site::Primary => (
                &self.primary_ca_file,
                &self.primary_user,
                &self.primary_password_file,
            ),
            Site::Secondary => (
                &self.secondary_ca_file,
                &self.secondary_user,
                &self.secondary_password_file,
            ),
        };
        EngineArgs {
            ca_file: ca_file.clone().or_else(|| self.shared.ca_file.clone()),
            insecure: self.shared.insecure,
            user: user.clone().or_else(|| self.shared.user.clone()),
            password_file: password_file
                .clone()
                .or_else(|| self.shared.password_file.clone()),
        }
    }

    /// Options for `site`'s engine at `url`; the environment is read through [`site_env`].
    fn options(&self, site: Site, url: &str) -> Result<EngineOptions, Report> {
        self.options_with(site, url, |name| std::env::var(name).ok())
    }

    /// [`SiteConnections::options`] with the environment passed in.
    fn options_with(
        &self,
        site: Site,
        url: &str,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<EngineOptions, Report> {
        let args = self.engine_args(site);
        let env = |name: &str| site_env(site, name, &env);
        let user = args.user.clone().or_else(|| env("OVIRT_USERNAME"));
        let credentials = if args.password_file.is_some() || env("OVIRT_PASSWORD").is_some() {
            Credentials::resolve_with(user.as_deref(), args.password_file.as_deref(), env, |_| {
                None
            })
        } else {
            // Only a prompt is left: the one every command with --engine uses.
            Credentials::resolve(user.as_deref(), None)
        }
        .map_err(live_error)?;
        let mut options = EngineOptions::new(url, credentials);
        options.trust = Trust::from_flags(args.ca_file, args.insecure);
        Ok(options)
    }
}

/// `name` of the environment for `site`: its own variable (`OVIRT_PRIMARY_PASSWORD`) when set
/// and not empty, else the shared one.
fn site_env(site: Site, name: &str, env: &impl Fn(&str) -> Option<String>) -> Option<String> {
    env(&site.variable(name))
        .filter(|v| !v.is_empty())
        .or_else(|| env(name).filter(|v| !v.is_empty()))
}

pub fn run(args: Args) -> Result<Outcome, Report> {
    match args.command {
        Command::Generate(args) => run_generate(args),
        Command::Validate(args) => run_validate(args),
    }
}

/// A site given as an engine URL (live, GET only) or a path (design or export).
fn load_site(source: &str, site: Site, connections: &SiteConnections) -> Result<Inventory, Report> {
    let loaded = if source.starts_with("https://") || source.starts_with("http://") {
        connections
            .options(site, source)
            .and_then(|options| fetch_inventory(&options).map_err(live_error))
    } else {
        source::load(Path::new(source), &connections.engine_args(site))
    };
    loaded.map_err(|report| report.wrap_err(format!("the {} site {source}", site.name())))
}

fn run_generate(args: GenerateArgs) -> Result<Outcome, Report> {
    let primary = load_site(&args.primary, Site::Primary, &args.connections)?;
    let secondary = match &args.secondary {
        Some(source) => Some(load_site(source, Site::Secondary, &args.connections)?),
        None => None,
    };
    let text = generate(&primary, secondary.as_ref());
    match &args.out {
        Some(path) => {
            output::write_file(path, &text)?;
            eprintln!("wrote the mapping file to {}", path.display());
        }
        None => output::emit(&text)?,
    }
    Ok(Outcome::Clean)
}

fn run_validate(args: ValidateArgs) -> Result<Outcome, Report> {
    let policy = policy(&args.report.judging)?;
    let mapping = load_mapping(&args.mapping).map_err(diagnostic::load_error)?;
    let primary = load_site(&args.primary, Site::Primary, &args.connections)?;
    let secondary = load_site(&args.secondary, Site::Secondary, &args.connections)?;
    let dr = DrContext::new(&mapping, &primary, &secondary);
    let findings = lint_mapping(&dr, &policy);
    report_findings(vec![(dr.sources(), findings)], &args.report)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use stretchdr_model::live::Trust;

    use super::{Site, SiteConnections};
    use crate::commands::fetch::EngineArgs;

    fn connections() -> SiteConnections {
        SiteConnections {
            shared: EngineArgs {
                ca_file: Some(PathBuf::from("shared.pem")),
                insecure: false,
                user: None,
                password_file: None,
            },
            primary_ca_file: None,
            secondary_ca_file: Some(PathBuf::from("secondary.pem")),
            primary_user: Some("admin@internal".into()),
            secondary_user: None,
            primary_password_file: None,
            secondary_password_file: None,
        }
    }

    /// An environment of these variables only.
    fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    #[test]
    fn each_site_takes_its_own_flags_and_variables_before_the_shared_ones() {
        let c = connections();
        let vars = env(&[
            ("OVIRT_USERNAME", "shared@internal"),
            ("OVIRT_PASSWORD", "shared-secret"),
            ("OVIRT_SECONDARY_USERNAME", "dr@internal"),
            ("OVIRT_SECONDARY_PASSWORD", "dr-secret"),
        ]);
        let primary = c.options_with(Site::Primary, "https://a", &vars).unwrap();
        assert_eq!(primary.trust, Trust::CaFile(PathBuf::from("shared.pem")));
        assert_eq!(primary.credentials.user, "admin@internal");
        let secondary = c.options_with(Site::Secondary, "https://b", &vars).unwrap();
        assert_eq!(
            secondary.trust,
            Trust::CaFile(PathBuf::from("secondary.pem"))
        );
        assert_eq!(secondary.credentials.user, "dr@internal");
        // An empty site variable counts as unset.
        let vars = env(&[
            ("OVIRT_USERNAME", "shared@internal"),
            ("OVIRT_PASSWORD", "shared-secret"),
            ("OVIRT_SECONDARY_PASSWORD", ""),
        ]);
        let secondary = c.options_with(Site::Secondary, "https://b", &vars).unwrap();
        assert_eq!(secondary.credentials.user, "shared@internal");
    }

    #[test]
    fn a_site_without_a_user_is_an_error_naming_where_one_comes_from() {
        let c = connections();
        let vars = env(&[("OVIRT_PASSWORD", "x")]);
        let Err(e) = c.options_with(Site::Secondary, "https://b", &vars) else {
            panic!("a user was found");
        };
        assert!(e.to_string().contains("OVIRT_USERNAME"), "{e}");
    }
}
