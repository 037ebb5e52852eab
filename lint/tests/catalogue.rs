//! The registry and the catalogue rendered from it: codes unique, every rule documented with
//! every section, names kebab-case, `docs/rules.md` current, profiles consistent.

use std::collections::BTreeSet;
use std::path::Path;

use stretchdr_lint::policy::profile_names;
use stretchdr_lint::registry::RULES;
use stretchdr_lint::{Level, Policy, docs};

#[test]
fn codes_are_unique_and_well_formed() {
    let mut seen = BTreeSet::new();
    for rule in RULES {
        let code = rule.code();
        assert!(seen.insert(code), "{code} is registered twice");
        assert!(
            code.len() == 5
                && code[..2].chars().all(|c| c.is_ascii_uppercase())
                && code[2..].chars().all(|c| c.is_ascii_digit()),
            "{code} is not two letters and three digits"
        );
    }
    let codes: Vec<&str> = RULES.iter().map(|r| r.code()).collect();
    let mut sorted = codes.clone();
    sorted.sort();
    assert_eq!(codes, sorted, "the registry lists rules in code order");
}

#[test]
fn names_are_unique_kebab_case() {
    let mut seen = BTreeSet::new();
    for rule in RULES {
        let name = rule.name();
        assert!(seen.insert(name), "{name} is used twice");
        assert!(
            !name.is_empty()
                && !name.starts_with('-')
                && !name.ends_with('-')
                && !name.contains("--")
                && name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "{name} is not kebab-case"
        );
    }
}

#[test]
fn every_rule_is_documented_with_every_section() {
    for rule in RULES {
        let doc = docs::doc(*rule);
        let mut last = 0;
        for section in docs::SECTIONS {
            let heading = format!("## {section}\n");
            let at = doc
                .find(&heading)
                .unwrap_or_else(|| panic!("{} lacks `## {section}`", rule.code()));
            assert!(at >= last, "{}: `## {section}` out of order", rule.code());
            last = at;
            assert!(
                docs::section(*rule, section).is_some(),
                "{}: `## {section}` is empty",
                rule.code()
            );
        }
        let example = docs::section(*rule, "Example").unwrap_or_default();
        assert!(
            example.contains("Use instead"),
            "{}: the example says what to use instead",
            rule.code()
        );
        assert!(
            docs::help_uri(*rule).is_some(),
            "{}: References has a link",
            rule.code()
        );
        assert!(
            docs::summary(*rule).ends_with('.'),
            "{}: summary is a sentence",
            rule.code()
        );
    }
}

#[test]
fn docs_rules_md_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/rules.md");
    let generated = docs::catalogue_markdown();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::write(&path, &generated).expect("docs/rules.md is writable");
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == generated,
        "docs/rules.md is stale: run `UPDATE_DOCS=1 cargo test -p stretchdr-lint --test catalogue`"
    );
}

#[test]
fn profiles_load_and_strict_is_stricter() {
    for name in profile_names() {
        Policy::profile(name).unwrap_or_else(|e| panic!("profile {name}: {e}"));
    }
    let ovirt = Policy::default();
    assert_eq!(ovirt.thresholds.self_hosted_max_rtt_ms, 7.0);
    assert_eq!(ovirt.thresholds.standalone_max_rtt_ms, 100.0);
    let strict = Policy::profile("strict").unwrap();
    for rule in RULES {
        let expected = match rule.default_level() {
            Level::Note => Level::Warning,
            Level::Warning | Level::Error => Level::Error,
        };
        assert_eq!(
            ovirt.level_of(*rule),
            Some(rule.default_level()),
            "{}",
            rule.code()
        );
        assert_eq!(
            strict.level_of(*rule),
            Some(expected),
            "strict level of {}",
            rule.code()
        );
    }
    assert!(
        Policy::profile("lenient")
            .unwrap_err()
            .contains("ovirt, strict")
    );
}
