//! The `Rule` trait, the `Sink` rules report into, and `declare_rule!` that keeps a rule's
//! documentation in its doc comment and nowhere else.

use stretchdr_model::inventory::SiteLink;
use stretchdr_model::{
    AffinityGroupId, AffinityLabelId, ClusterId, DataCenterId, HostId, Inventory, NetworkId,
    Origin, SiteId, SourceMap, StorageDomainId, VmId,
};

use crate::dr::DrContext;
use crate::finding::{EntityKind, EntityRef, Finding, Level};
use crate::policy::Policy;

/// A check of the inventory against one requirement of a DR guide.
pub trait Rule: Sync {
    /// `AA001`: family letters and a number; never reused.
    fn code(&self) -> &'static str;
    /// Kebab-case name of the bad pattern (`ha-vm-without-lease`).
    fn name(&self) -> &'static str;
    fn default_level(&self) -> Level;
    /// The rule's doc comment (Markdown) with sections `## What it does`, `## Why is this bad?`,
    /// `## Example`, `## References`; lines keep the single leading space rustdoc leaves.
    fn raw_doc(&self) -> &'static str;
    /// Rules that need to know which host sits in which site; they are skipped (and one note
    /// says so) when the inventory has no sites.
    fn requires_sites(&self) -> bool;
    fn check(&self, inventory: &Inventory, policy: &Policy, sink: &mut Sink);
    /// Rules of the active-passive family read an ovirt-dr mapping file and both sites'
    /// inventories instead of one inventory: [`crate::lint`] skips them and
    /// [`crate::dr::lint_mapping`] runs their [`Rule::check_mapping`].
    fn reads_mapping(&self) -> bool {
        false
    }
    /// The check of a rule that [`Rule::reads_mapping`]; it reports with [`Sink::report_at`].
    fn check_mapping(&self, _dr: &DrContext<'_>, _policy: &Policy, _sink: &mut Sink) {}
}

/// What a finding is about, by typed id; the sink resolves name, id and origin.
#[derive(Clone, Copy, Debug)]
pub enum Subject<'a> {
    Inventory,
    Engine,
    Site(SiteId),
    Link(&'a SiteLink),
    DataCenter(DataCenterId),
    Cluster(ClusterId),
    Host(HostId),
    Network(NetworkId),
    StorageDomain(StorageDomainId),
    Vm(VmId),
    AffinityGroup(AffinityGroupId),
    AffinityLabel(AffinityLabelId),
}

/// Collects the findings of one rule.
pub struct Sink<'a> {
    inventory: &'a Inventory,
    /// The files origins point into (the inventory's, or a mapping check's combined map).
    sources: &'a SourceMap,
    code: &'static str,
    name: &'static str,
    level: Level,
    findings: Vec<Finding>,
}

impl<'a> Sink<'a> {
    pub fn new(inventory: &'a Inventory, rule: &dyn Rule, level: Level) -> Sink<'a> {
        Sink::with_sources(inventory, &inventory.sources, rule, level)
    }

    /// A sink whose findings' origins point into `sources` (see [`DrContext::sources`]).
    pub fn with_sources(
        inventory: &'a Inventory,
        sources: &'a SourceMap,
        rule: &dyn Rule,
        level: Level,
    ) -> Sink<'a> {
        Sink {
            inventory,
            sources,
            code: rule.code(),
            name: rule.name(),
            level,
            findings: Vec::new(),
        }
    }

    /// Reports a finding about `subject`; returns it so a rule can set a discriminator.
    /// (Mapping rules, whose origins point into a combined source map, use [`Sink::report_at`].)
    pub fn report(
        &mut self,
        subject: Subject<'_>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> &mut Finding {
        let (entity, origin) = resolve(self.inventory, subject);
        self.report_at(entity, origin, message, help)
    }

    /// Reports a finding about `subject` that judges its key `key` (`lease`,
    /// `hosts_rule.enforcing`): the finding points at that key where the entity's table
    /// writes it, else at the nearest enclosing key it writes, else at the table.
    pub fn report_key(
        &mut self,
        subject: Subject<'_>,
        key: &str,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> &mut Finding {
        let (entity, origin) = resolve(self.inventory, subject);
        let key = origin.and_then(|table| self.sources.key_origin(table, key));
        let finding = self.report_at(entity, origin, message, help);
        if let Some(key) = key {
            finding.key = Some(key);
            finding.line = Some(key.line);
        }
        finding
    }

    /// Where the table defined at `table` writes `key` (see [`SourceMap::key_origin`]).
    pub fn key_origin(&self, table: Origin, key: &str) -> Option<Origin> {
        self.sources.key_origin(table, key)
    }

    /// Reports a finding about `entity`, defined at `origin` (a file of the sink's sources).
    pub fn report_at(
        &mut self,
        entity: EntityRef,
        origin: Option<Origin>,
        message: impl Into<String>,
        help: impl Into<String>,
    ) -> &mut Finding {
        let location = origin.map(|o| {
            let path = self.sources.path(o.file);
            (path.to_string_lossy().replace('\\', "/"), o.line)
        });
        let (file, line) = location.map_or((None, None), |(f, l)| (Some(f), Some(l)));
        self.findings.push(Finding {
            code: self.code,
            name: self.name,
            level: self.level,
            message: message.into(),
            entity,
            file,
            line,
            help: help.into(),
            origin,
            key: None,
            discriminator: None,
        });
        self.findings.last_mut().expect("just pushed")
    }

    pub fn into_findings(self) -> Vec<Finding> {
        self.findings
    }
}

/// The entity a subject names and where the inventory defined it.
pub(crate) fn resolve(inventory: &Inventory, subject: Subject<'_>) -> (EntityRef, Option<Origin>) {
    let entity = |kind, name: &str, id: &Option<String>| EntityRef {
        kind,
        name: name.to_string(),
        id: id.clone(),
    };
    match subject {
        Subject::Inventory => (entity(EntityKind::Inventory, "inventory", &None), None),
        Subject::Engine => (
            entity(EntityKind::Engine, "engine", &None),
            inventory.engine.origin,
        ),
        Subject::Site(id) => {
            let site = &inventory.sites[id];
            (entity(EntityKind::Site, &site.name, &None), site.origin)
        }
        Subject::Link(link) => {
            let name = format!(
                "{}/{}",
                inventory.sites[link.sites.0].name, inventory.sites[link.sites.1].name
            );
            (entity(EntityKind::Link, &name, &None), link.origin)
        }
        Subject::DataCenter(id) => {
            let dc = &inventory.data_centers[id];
            (entity(EntityKind::DataCenter, &dc.name, &dc.id), dc.origin)
        }
        Subject::Cluster(id) => {
            let c = &inventory.clusters[id];
            (entity(EntityKind::Cluster, &c.name, &c.id), c.origin)
        }
        Subject::Host(id) => {
            let h = &inventory.hosts[id];
            (entity(EntityKind::Host, &h.name, &h.id), h.origin)
        }
        Subject::Network(id) => {
            let n = &inventory.networks[id];
            (entity(EntityKind::Network, &n.name, &n.id), n.origin)
        }
        Subject::StorageDomain(id) => {
            let d = &inventory.storage_domains[id];
            (entity(EntityKind::StorageDomain, &d.name, &d.id), d.origin)
        }
        Subject::Vm(id) => {
            let vm = &inventory.vms[id];
            (entity(EntityKind::Vm, &vm.name, &vm.id), vm.origin)
        }
        Subject::AffinityGroup(id) => {
            let g = &inventory.affinity_groups[id];
            (entity(EntityKind::AffinityGroup, &g.name, &g.id), g.origin)
        }
        Subject::AffinityLabel(id) => {
            let l = &inventory.affinity_labels[id];
            (entity(EntityKind::AffinityLabel, &l.name, &l.id), l.origin)
        }
    }
}

/// Declares a rule: a unit struct carrying the doc comment, its code, name and default level,
/// implemented by the `check` function of the invoking module.
macro_rules! declare_rule {
    (
        $(#[doc = $doc:literal])+
        pub struct $rule:ident {
            code: $code:literal,
            name: $name:literal,
            level: $level:ident,
            requires_sites: $sites:literal $(,)?
        }
    ) => {
        $(#[doc = $doc])+
        pub struct $rule;

        impl $crate::rule::Rule for $rule {
            fn code(&self) -> &'static str {
                $code
            }
            fn name(&self) -> &'static str {
                $name
            }
            fn default_level(&self) -> $crate::finding::Level {
                $crate::finding::Level::$level
            }
            fn raw_doc(&self) -> &'static str {
                concat!($($doc, "\n"),+)
            }
            fn requires_sites(&self) -> bool {
                $sites
            }
            fn check(
                &self,
                inventory: &::stretchdr_model::Inventory,
                policy: &$crate::policy::Policy,
                sink: &mut $crate::rule::Sink,
            ) {
                check(inventory, policy, sink)
            }
        }
    };
}

/// Declares a rule of the active-passive family: like [`declare_rule!`], with `check` taking a
/// [`DrContext`] (the mapping and both sites) instead of one inventory.
macro_rules! declare_mapping_rule {
    (
        $(#[doc = $doc:literal])+
        pub struct $rule:ident {
            code: $code:literal,
            name: $name:literal,
            level: $level:ident $(,)?
        }
    ) => {
        $(#[doc = $doc])+
        pub struct $rule;

        impl $crate::rule::Rule for $rule {
            fn code(&self) -> &'static str {
                $code
            }
            fn name(&self) -> &'static str {
                $name
            }
            fn default_level(&self) -> $crate::finding::Level {
                $crate::finding::Level::$level
            }
            fn raw_doc(&self) -> &'static str {
                concat!($($doc, "\n"),+)
            }
            fn requires_sites(&self) -> bool {
                false
            }
            /// Reads no single inventory: see `check_mapping`.
            fn check(
                &self,
                _inventory: &::stretchdr_model::Inventory,
                _policy: &$crate::policy::Policy,
                _sink: &mut $crate::rule::Sink,
            ) {
            }
            fn reads_mapping(&self) -> bool {
                true
            }
            fn check_mapping(
                &self,
                dr: &$crate::dr::DrContext<'_>,
                policy: &$crate::policy::Policy,
                sink: &mut $crate::rule::Sink,
            ) {
                check(dr, policy, sink)
            }
        }
    };
}

pub(crate) use declare_mapping_rule;
pub(crate) use declare_rule;
