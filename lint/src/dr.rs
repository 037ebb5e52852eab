//! Linting active-passive DR: an ovirt-dr mapping file checked against the inventories of
//! both sites, by the rules that [`Rule::reads_mapping`] (the `AP` family).
//!
//! Those rules are listed in the one [`registry::RULES`] like every other, so the catalogue,
//! policy levels and ignores, baselines and reporters treat them alike; only their input
//! differs. Their findings point at the mapping file's lines, or at the design line of an
//! entity of either site: [`DrContext::sources`] holds all three inputs' files.

use std::sync::Arc;

use stretchdr_model::mapping::{Mapping, Side};
use stretchdr_model::{FileId, Inventory, Origin, SourceMap};

use crate::finding::{EntityKind, EntityRef, Finding};
use crate::policy::Policy;
use crate::registry;
use crate::rule::{Rule, Sink, Subject, resolve};

/// What a mapping rule reads: the mapping and the two sites it maps between.
pub struct DrContext<'a> {
    pub mapping: &'a Mapping,
    pub primary: &'a Inventory,
    pub secondary: &'a Inventory,
    /// The mapping's files, then the primary's, then the secondary's.
    sources: SourceMap,
    primary_first: u32,
    secondary_first: u32,
}

impl<'a> DrContext<'a> {
    pub fn new(
        mapping: &'a Mapping,
        primary: &'a Inventory,
        secondary: &'a Inventory,
    ) -> DrContext<'a> {
        let mut sources = SourceMap::default();
        let mut append = |from: &SourceMap| {
            let first = u32::try_from(sources.files().len()).expect("fewer than 2^32 files");
            for file in from.files() {
                sources.add(file.path.clone(), Arc::clone(&file.text));
            }
            first
        };
        append(&mapping.sources);
        let primary_first = append(&primary.sources);
        let secondary_first = append(&secondary.sources);
        DrContext {
            mapping,
            primary,
            secondary,
            sources,
            primary_first,
            secondary_first,
        }
    }

    /// Every file an origin of a mapping rule's finding may point into.
    pub fn sources(&self) -> &SourceMap {
        &self.sources
    }

    /// The inventory of one site.
    pub fn site(&self, side: Side) -> &'a Inventory {
        match side {
            Side::Primary => self.primary,
            Side::Secondary => self.secondary,
        }
    }

    /// An entity of one site's inventory and its origin in [`DrContext::sources`].
    pub fn entity(&self, side: Side, subject: Subject<'_>) -> (EntityRef, Option<Origin>) {
        let (entity, origin) = resolve(self.site(side), subject);
        (entity, self.origin(side, origin))
    }

    /// An origin in one site's inventory, as an origin in [`DrContext::sources`].
    pub fn origin(&self, side: Side, origin: Option<Origin>) -> Option<Origin> {
        let first = match side {
            Side::Primary => self.primary_first,
            Side::Secondary => self.secondary_first,
        };
        origin.map(|o| Origin {
            file: FileId(o.file.0 + first),
            ..o
        })
    }
}

/// An entity named by the mapping (`kind` and name), for findings that point at the mapping.
pub fn mapped(kind: EntityKind, name: impl Into<String>) -> EntityRef {
    EntityRef {
        kind,
        name: name.into(),
        id: None,
    }
}

/// Runs every mapping rule the policy does not allow, drops ignored findings, and sorts the
/// rest as [`crate::lint`] does.
pub fn lint_mapping(dr: &DrContext<'_>, policy: &Policy) -> Vec<Finding> {
    let mut findings = Vec::new();
    for rule in registry::RULES.iter().filter(|rule| rule.reads_mapping()) {
        let Some(level) = policy.level_of(*rule) else {
            continue;
        };
        let mut sink = Sink::with_sources(dr.primary, dr.sources(), *rule, level);
        rule.check_mapping(dr, policy, &mut sink);
        findings.extend(
            sink.into_findings()
                .into_iter()
                .filter(|finding| policy.ignore_for(finding).is_none()),
        );
    }
    crate::sort(&mut findings);
    findings
}

/// Rules of the registry that read a mapping, for tests and the catalogue.
pub fn mapping_rules() -> impl Iterator<Item = &'static dyn Rule> {
    registry::RULES
        .iter()
        .copied()
        .filter(|rule| rule.reads_mapping())
}
