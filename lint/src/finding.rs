//! What a rule reports: a finding about one entity, with where it was defined.

use std::fmt;

use serde::Serialize;
use stretchdr_model::Origin;

/// How serious a finding is.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Note,
    Warning,
    Error,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Note => "note",
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The kind of entity a finding is about.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntityKind {
    /// The inventory as a whole (e.g. "no sites are known").
    Inventory,
    Engine,
    Site,
    Link,
    DataCenter,
    Cluster,
    Host,
    Network,
    StorageDomain,
    Vm,
    AffinityGroup,
    AffinityLabel,
    /// Entities only an ovirt-dr mapping names (the AP rules).
    VnicProfile,
    /// A direct LUN disk's logical unit.
    Lun,
    Role,
    /// An AAA (authorization) domain of users and groups.
    AaaDomain,
    /// A key of the mapping file.
    MappingKey,
}

impl EntityKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EntityKind::Inventory => "inventory",
            EntityKind::Engine => "engine",
            EntityKind::Site => "site",
            EntityKind::Link => "link",
            EntityKind::DataCenter => "data_center",
            EntityKind::Cluster => "cluster",
            EntityKind::Host => "host",
            EntityKind::Network => "network",
            EntityKind::StorageDomain => "storage_domain",
            EntityKind::Vm => "vm",
            EntityKind::AffinityGroup => "affinity_group",
            EntityKind::AffinityLabel => "affinity_label",
            EntityKind::VnicProfile => "vnic_profile",
            EntityKind::Lun => "lun",
            EntityKind::Role => "role",
            EntityKind::AaaDomain => "aaa_domain",
            EntityKind::MappingKey => "mapping_key",
        }
    }
}

/// The entity a finding is about, for display and for matching ignores.
#[derive(Clone, PartialEq, Eq, Debug, Serialize)]
pub struct EntityRef {
    pub kind: EntityKind,
    pub name: String,
    /// The engine's id, when the entity came from an export.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

/// One problem found by one rule. Serializes as an element of `findings` in the JSON report.
#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    pub code: &'static str,
    pub name: &'static str,
    pub level: Level,
    /// Starts lowercase; names the entity and the number that broke the rule.
    pub message: String,
    pub entity: EntityRef,
    /// The file that defined the entity, as the user named it.
    pub file: Option<String>,
    /// 1-based line in `file`: of the key the finding judges when the file writes it
    /// (`enforcing = true`), else of the entity's table.
    pub line: Option<u32>,
    /// What to change.
    pub help: String,
    /// The entity's defining span (its table), which tells entities of one name apart.
    #[serde(skip)]
    pub origin: Option<Origin>,
    /// The span of the key the finding judges (`lease = "d1"`), when the entity's table
    /// writes it; reports underline it rather than the table.
    #[serde(skip)]
    pub key: Option<Origin>,
    /// Tells apart findings of one rule about one entity (e.g. which site is lost), for fingerprints.
    #[serde(skip)]
    pub discriminator: Option<String>,
}

impl Finding {
    /// An identity of the finding that survives line moves and changed numbers: the rule, the
    /// entity and the discriminator, hashed (FNV-1a, 64 bit) so it is short and portable.
    pub fn fingerprint(&self) -> String {
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        let parts = [
            self.code,
            self.entity.kind.as_str(),
            &self.entity.name,
            self.discriminator.as_deref().unwrap_or(""),
        ];
        for part in parts {
            for byte in part.bytes().chain([0]) {
                hash ^= u64::from(byte);
                hash = hash.wrapping_mul(0x0100_0000_01b3);
            }
        }
        format!("{hash:016x}")
    }

    /// Where reports point: the key the finding judges, else the entity's table.
    pub fn span(&self) -> Option<Origin> {
        self.key.or(self.origin)
    }

    /// The order of reports: by file and line, then code and entity.
    pub(crate) fn sort_key(&self) -> impl Ord + '_ {
        (
            self.file.is_none(),
            self.file.as_deref(),
            self.line,
            self.code,
            &self.entity.name,
            self.discriminator.as_deref(),
            &self.message,
        )
    }
}

/// Counts per level.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug, Serialize)]
pub struct Summary {
    pub error: usize,
    pub warning: usize,
    pub note: usize,
}

impl Summary {
    pub fn of(findings: &[Finding]) -> Summary {
        let mut summary = Summary::default();
        for finding in findings {
            match finding.level {
                Level::Error => summary.error += 1,
                Level::Warning => summary.warning += 1,
                Level::Note => summary.note += 1,
            }
        }
        summary
    }
}
