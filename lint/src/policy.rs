//! Policy: rule levels, thresholds and per-entity ignores.
//!
//! Profiles are TOML data in `rules/` (embedded): `ovirt` (the default) and `strict`, which is
//! applied on top of `ovirt`. A user file (`--policy`) is applied on top of the chosen profile, and
//! command-line levels on top of that. Files are read in two stages, as cargo-deny does: the raw
//! file with spans and unknown keys rejected, then validation whose errors point into the file.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use globset::{Glob, GlobMatcher};
use serde::Deserialize;
use stretchdr_model::LoadError;
use stretchdr_model::keys::did_you_mean;
use toml::Spanned;

use crate::finding::{EntityKind, Finding, Level};
use crate::registry;
use crate::rule::Rule;

/// The built-in profiles: name, file name in `rules/`, text.
const PROFILES: [(&str, &str, &str); 2] = [
    (
        "ovirt",
        "rules/ovirt.toml",
        include_str!("../../rules/ovirt.toml"),
    ),
    (
        "strict",
        "rules/strict.toml",
        include_str!("../../rules/strict.toml"),
    ),
];

/// The names of the built-in profiles.
pub fn profile_names() -> impl Iterator<Item = &'static str> {
    PROFILES.iter().map(|(name, _, _)| *name)
}

/// What a policy does with a rule's findings.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Setting {
    /// Not reported.
    Allow,
    Note,
    Warn,
    Deny,
}

impl Setting {
    fn parse(text: &str) -> Option<Setting> {
        match text {
            "allow" => Some(Setting::Allow),
            "note" => Some(Setting::Note),
            "warn" | "warning" => Some(Setting::Warn),
            "deny" => Some(Setting::Deny),
            _ => None,
        }
    }

    fn level(self) -> Option<Level> {
        match self {
            Setting::Allow => None,
            Setting::Note => Some(Level::Note),
            Setting::Warn => Some(Level::Warning),
            Setting::Deny => Some(Level::Error),
        }
    }
}

/// Numbers the rules compare against.
#[derive(Clone, Copy, PartialEq, Debug, Default)]
pub struct Thresholds {
    /// Highest round-trip time between sites with a self-hosted engine (DR guide: 7 ms).
    pub self_hosted_max_rtt_ms: f64,
    /// Highest round-trip time between sites with a standalone engine (DR guide: 100 ms).
    pub standalone_max_rtt_ms: f64,
    /// vCPUs the surviving site may run per physical CPU when sizing it for a site loss.
    pub vcpus_per_cpu: f64,
}

/// A per-entity suppression: findings of `code` about entities of `kind` whose name matches.
#[derive(Clone, Debug)]
pub struct Ignore {
    pub code: String,
    pub kind: EntityKind,
    pub pattern: String,
    matcher: GlobMatcher,
    pub reason: String,
}

/// Rule levels, thresholds and ignores.
#[derive(Clone, Debug)]
pub struct Policy {
    /// The profile this policy started from.
    pub profile: &'static str,
    settings: BTreeMap<&'static str, Setting>,
    pub thresholds: Thresholds,
    pub ignores: Vec<Ignore>,
    /// How `stretchdr fix` resolves AA015 (`[fix] fencing`).
    pub fencing_fix: crate::fix::FencingFix,
}

impl Default for Policy {
    /// The `ovirt` profile.
    fn default() -> Self {
        Policy::profile("ovirt").expect("the embedded ovirt profile is valid (tested)")
    }
}

impl Policy {
    /// A built-in profile by name.
    pub fn profile(name: &str) -> Result<Policy, String> {
        let Some(index) = PROFILES.iter().position(|(n, _, _)| *n == name) else {
            let names: Vec<&str> = profile_names().collect();
            return Err(format!(
                "unknown profile {name:?}: expected one of {}",
                names.join(", ")
            ));
        };
        let mut policy = Policy {
            profile: PROFILES[index].0,
            settings: BTreeMap::new(),
            thresholds: Thresholds::default(),
            ignores: Vec::new(),
            fencing_fix: crate::fix::FencingFix::default(),
        };
        // Every profile builds on the first (ovirt), which must set every threshold.
        let (_, base_path, base_text) = PROFILES[0];
        policy
            .apply_str_checked(Path::new(base_path), base_text, true)
            .map_err(|e| e.to_string())?;
        if index > 0 {
            let (_, path, text) = PROFILES[index];
            policy
                .apply_str_checked(Path::new(path), text, false)
                .map_err(|e| e.to_string())?;
        }
        Ok(policy)
    }

    /// Applies a user policy file on top of this policy.
    pub fn apply_file(&mut self, path: &Path) -> Result<(), LoadError> {
        let text = stretchdr_model::read::read_text(path, "policy file")?;
        self.apply_str(path, &text)
    }

    /// Applies policy text (`path` names it in errors).
    pub fn apply_str(&mut self, path: &Path, text: &str) -> Result<(), LoadError> {
        self.apply_str_checked(path, text, false)
    }

    fn apply_str_checked(
        &mut self,
        path: &Path,
        text: &str,
        complete: bool,
    ) -> Result<(), LoadError> {
        let shared: Arc<str> = Arc::from(text);
        let error = |span: std::ops::Range<usize>, message: String| {
            LoadError::at(path, &shared, span, message)
        };
        let raw: RawPolicy = toml::from_str(text)
            .map_err(|e| stretchdr_model::keys::toml_error(path, &shared, &e))?;
        for (code, setting) in raw.levels {
            let rule = find_rule(code.get_ref())
                .ok_or_else(|| error(code.span(), unknown_code_message(code.get_ref())))?;
            let value = Setting::parse(setting.get_ref()).ok_or_else(|| {
                error(
                    setting.span(),
                    format!(
                        "invalid level {:?}: {}expected \"allow\", \"note\", \"warn\" or \"deny\"",
                        setting.get_ref(),
                        did_you_mean(setting.get_ref(), ["allow", "note", "warn", "deny"])
                    ),
                )
            })?;
            self.settings.insert(rule.code(), value);
        }
        let mut missing = Vec::new();
        let thresholds = [
            (
                "self_hosted_max_rtt_ms",
                raw.thresholds.self_hosted_max_rtt_ms,
                &mut self.thresholds.self_hosted_max_rtt_ms,
            ),
            (
                "standalone_max_rtt_ms",
                raw.thresholds.standalone_max_rtt_ms,
                &mut self.thresholds.standalone_max_rtt_ms,
            ),
            (
                "vcpus_per_cpu",
                raw.thresholds.vcpus_per_cpu,
                &mut self.thresholds.vcpus_per_cpu,
            ),
        ];
        for (key, value, slot) in thresholds {
            match value {
                Some(value) if !(value.get_ref().is_finite() && *value.get_ref() > 0.0) => {
                    return Err(error(
                        value.span(),
                        format!("invalid {key}: expected a positive number"),
                    ));
                }
                Some(value) => *slot = *value.get_ref(),
                None => missing.push(key),
            }
        }
        if complete && !missing.is_empty() {
            return Err(LoadError::file(
                path,
                format!(
                    "profile must set every threshold; missing: {}",
                    missing.join(", ")
                ),
            ));
        }
        for ignore in raw.ignore {
            self.ignores.push(validate_ignore(ignore, &error)?);
        }
        if let Some(fencing) = raw.fix.fencing {
            self.fencing_fix = match fencing.get_ref().as_str() {
                "skip_off" => crate::fix::FencingFix::SkipOff,
                "raise_threshold" => crate::fix::FencingFix::RaiseThreshold,
                other => {
                    return Err(error(
                        fencing.span(),
                        format!(
                            "invalid fix.fencing {other:?}: {}expected \"skip_off\" or \"raise_threshold\"",
                            did_you_mean(other, ["skip_off", "raise_threshold"])
                        ),
                    ));
                }
            };
        }
        Ok(())
    }

    /// Sets a rule's level from the command line (`--deny AA006`).
    pub fn set(&mut self, code: &str, setting: Setting) -> Result<(), String> {
        let rule = find_rule(code).ok_or_else(|| unknown_code_message(code))?;
        self.settings.insert(rule.code(), setting);
        Ok(())
    }

    /// The level a rule reports at, or `None` when the policy allows it.
    pub fn level_of(&self, rule: &dyn Rule) -> Option<Level> {
        match self.settings.get(rule.code()) {
            Some(setting) => setting.level(),
            None => Some(rule.default_level()),
        }
    }

    /// The ignore that suppresses a finding, if any.
    pub fn ignore_for(&self, finding: &Finding) -> Option<&Ignore> {
        self.ignores.iter().find(|ignore| {
            ignore.code == finding.code
                && ignore.kind == finding.entity.kind
                && ignore.matcher.is_match(&finding.entity.name)
        })
    }
}

fn find_rule(code: &str) -> Option<&'static dyn Rule> {
    registry::find(code)
}

/// "unknown rule code ...: expected one of AA000, AA001, ...".
pub fn unknown_code_message(code: &str) -> String {
    let codes: Vec<&str> = registry::RULES.iter().map(|r| r.code()).collect();
    let nearest = registry::RULES
        .iter()
        .flat_map(|r| [r.code(), r.name()])
        .map(|known| {
            let distance = stretchdr_model::mapping::keys::levenshtein(
                &code.to_ascii_lowercase(),
                &known.to_ascii_lowercase(),
            );
            (distance, known)
        })
        .filter(|(distance, known)| *distance <= (known.len() / 3).max(1))
        .min();
    let hint = nearest.map_or(String::new(), |(_, known)| {
        format!("did you mean {known}? ")
    });
    format!(
        "unknown rule code {code:?}: {hint}expected a rule name or one of {}",
        codes.join(", ")
    )
}

/// Every key the policy loader accepts, per table (the top level as `""`): read from its own
/// structs ([`stretchdr_model::keys::fields_of`]), so it is the list the loader enforces.
/// `[levels]` takes rule codes and names as keys.
pub fn keys() -> Vec<(&'static str, &'static [&'static str])> {
    use stretchdr_model::keys::fields_of;
    vec![
        ("", fields_of::<RawPolicy>()),
        ("thresholds", fields_of::<RawThresholds>()),
        ("ignore", fields_of::<RawIgnore>()),
        ("fix", fields_of::<RawFix>()),
    ]
}

fn validate_ignore(
    raw: Spanned<RawIgnore>,
    error: &impl Fn(std::ops::Range<usize>, String) -> LoadError,
) -> Result<Ignore, LoadError> {
    let span = raw.span();
    let raw = raw.into_inner();
    let rule = find_rule(raw.code.get_ref())
        .ok_or_else(|| error(raw.code.span(), unknown_code_message(raw.code.get_ref())))?;
    let selectors = [
        (EntityKind::Vm, raw.vm),
        (EntityKind::Host, raw.host),
        (EntityKind::Cluster, raw.cluster),
        (EntityKind::Site, raw.site),
        (EntityKind::Link, raw.link),
        (EntityKind::StorageDomain, raw.storage_domain),
        (EntityKind::Network, raw.network),
        (EntityKind::AffinityGroup, raw.affinity_group),
        (EntityKind::AffinityLabel, raw.affinity_label),
        (EntityKind::DataCenter, raw.data_center),
        (EntityKind::VnicProfile, raw.vnic_profile),
        (EntityKind::Lun, raw.lun),
        (EntityKind::Role, raw.role),
        (EntityKind::AaaDomain, raw.aaa_domain),
        (EntityKind::MappingKey, raw.mapping_key),
    ];
    let mut given = selectors
        .into_iter()
        .filter_map(|(kind, pattern)| pattern.map(|p| (kind, p)));
    let Some((kind, pattern)) = given.next() else {
        return Err(error(
            span,
            "ignore needs one entity: vm, host, cluster, site, link, storage_domain, network, affinity_group, affinity_label, data_center, vnic_profile, lun, role, aaa_domain or mapping_key".to_string(),
        ));
    };
    if let Some((_, extra)) = given.next() {
        return Err(error(
            extra.span(),
            "ignore names more than one entity: write one [[ignore]] per entity".to_string(),
        ));
    }
    let reason = match raw.reason {
        Some(reason) if !reason.get_ref().trim().is_empty() => reason.into_inner(),
        Some(reason) => {
            return Err(error(
                reason.span(),
                "ignore reason is empty: say why this finding is accepted".to_string(),
            ));
        }
        None => {
            return Err(error(
                span,
                "ignore needs a reason: say why this finding is accepted".to_string(),
            ));
        }
    };
    let matcher = Glob::new(pattern.get_ref())
        .map_err(|e| error(pattern.span(), format!("invalid name pattern: {e}")))?
        .compile_matcher();
    Ok(Ignore {
        code: rule.code().to_string(),
        kind,
        pattern: pattern.into_inner(),
        matcher,
        reason,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    #[serde(default)]
    levels: BTreeMap<Spanned<String>, Spanned<String>>,
    #[serde(default)]
    thresholds: RawThresholds,
    #[serde(default)]
    ignore: Vec<Spanned<RawIgnore>>,
    #[serde(default)]
    fix: RawFix,
}

/// `[fix]`: choices `stretchdr fix` leaves to the policy.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawFix {
    fencing: Option<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawThresholds {
    self_hosted_max_rtt_ms: Option<Spanned<f64>>,
    standalone_max_rtt_ms: Option<Spanned<f64>>,
    vcpus_per_cpu: Option<Spanned<f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIgnore {
    code: Spanned<String>,
    reason: Option<Spanned<String>>,
    vm: Option<Spanned<String>>,
    host: Option<Spanned<String>>,
    cluster: Option<Spanned<String>>,
    site: Option<Spanned<String>>,
    link: Option<Spanned<String>>,
    storage_domain: Option<Spanned<String>>,
    network: Option<Spanned<String>>,
    affinity_group: Option<Spanned<String>>,
    affinity_label: Option<Spanned<String>>,
    data_center: Option<Spanned<String>>,
    vnic_profile: Option<Spanned<String>>,
    lun: Option<Spanned<String>>,
    role: Option<Spanned<String>>,
    aaa_domain: Option<Spanned<String>>,
    mapping_key: Option<Spanned<String>>,
}
