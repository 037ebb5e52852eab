//! How much input stretchdr accepts: the largest file, the most bytes of one export or
//! engine, the most entities of one inventory and the most names its ranges expand to.
//!
//! A small input must not make unbounded work: a design of thirty `{1..99999}` ranges, a
//! what-if adding a hundred million hosts, or `gen --vms 10000000000` is refused with a
//! message naming the limit, before the memory is spent. The defaults are far above the
//! largest real oVirt engines (the engine's own documented maximum is 400 hosts per data
//! center and tens of thousands of VMs per engine) and each can be raised through the
//! environment:
//!
//! | variable | default | what it bounds |
//! |---|---|---|
//! | `STRETCHDR_MAX_FILE_SIZE` | `512MiB` | one input file (design, response, mapping, scenario) |
//! | `STRETCHDR_MAX_INPUT_SIZE` | `1GiB` | all files of one export, all responses of one live fetch |
//! | `STRETCHDR_MAX_ENTITIES` | `1000000` | entities (hosts, VMs, clusters, ...) in one inventory |
//! | `STRETCHDR_MAX_NAMES` | `2000000` | names the ranges of one design expand to, definitions and references |

use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::inventory::Inventory;
use crate::units::{format_size, parse_size};

/// The limits of one run. [`Budget::current`] gives the defaults with the environment's
/// overrides applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    /// Bytes of one input file or one engine response.
    pub max_file_bytes: u64,
    /// Bytes of all files of one export, or of all responses of one live fetch.
    pub max_input_bytes: u64,
    /// Entities of one inventory, all kinds together.
    pub max_entities: usize,
    /// Names the name ranges of one design expand to, counting every definition and
    /// every reference.
    pub max_names: usize,
}

impl Default for Budget {
    fn default() -> Budget {
        Budget::DEFAULT
    }
}

/// Names of the environment variables, for messages.
pub const FILE_SIZE_VAR: &str = "STRETCHDR_MAX_FILE_SIZE";
/// See [`FILE_SIZE_VAR`].
pub const INPUT_SIZE_VAR: &str = "STRETCHDR_MAX_INPUT_SIZE";
/// See [`FILE_SIZE_VAR`].
pub const ENTITIES_VAR: &str = "STRETCHDR_MAX_ENTITIES";
/// See [`FILE_SIZE_VAR`].
pub const NAMES_VAR: &str = "STRETCHDR_MAX_NAMES";

impl Budget {
    /// The documented defaults (see the module documentation).
    pub const DEFAULT: Budget = Budget {
        max_file_bytes: 512 << 20,
        max_input_bytes: 1 << 30,
        max_entities: 1_000_000,
        max_names: 2_000_000,
    };

    /// The defaults with the `STRETCHDR_MAX_*` variables applied; read once per process.
    /// An unreadable variable is an error naming it.
    pub fn current() -> Result<Budget, String> {
        static CURRENT: OnceLock<Result<Budget, String>> = OnceLock::new();
        CURRENT
            .get_or_init(|| Budget::from_env(|name| std::env::var(name).ok()))
            .clone()
    }

    /// The defaults with the overrides `env` gives (`env(name)` is the variable's value).
    pub fn from_env(env: impl Fn(&str) -> Option<String>) -> Result<Budget, String> {
        let mut budget = Budget::DEFAULT;
        let size = |name: &str, value: &str| {
            parse_size(value)
                .map_err(|e| format!("{name}: {e}"))
                .and_then(|bytes| {
                    if bytes == 0 {
                        Err(format!("{name}: a limit of 0 bytes admits no input"))
                    } else {
                        Ok(bytes)
                    }
                })
        };
        let count = |name: &str, value: &str| match value.trim().parse::<usize>() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(format!(
                "{name} is {value:?}: expected a positive whole number"
            )),
        };
        if let Some(value) = env(FILE_SIZE_VAR) {
            budget.max_file_bytes = size(FILE_SIZE_VAR, &value)?;
        }
        if let Some(value) = env(INPUT_SIZE_VAR) {
            budget.max_input_bytes = size(INPUT_SIZE_VAR, &value)?;
        }
        if let Some(value) = env(ENTITIES_VAR) {
            budget.max_entities = count(ENTITIES_VAR, &value)?;
        }
        if let Some(value) = env(NAMES_VAR) {
            budget.max_names = count(NAMES_VAR, &value)?;
        }
        Ok(budget)
    }

    /// Refuses `entities` (what is being made, for the message) when more than the budget.
    pub fn check_entities(&self, entities: u128, what: &str) -> Result<(), String> {
        if entities > self.max_entities as u128 {
            return Err(format!(
                "{what} would make {entities} entities, more than the limit of {} \
                 (raise it with {ENTITIES_VAR} if this is really meant)",
                self.max_entities
            ));
        }
        Ok(())
    }

    /// Refuses an inventory of more entities than the budget (after a loader made it).
    pub fn check_inventory(&self, inventory: &Inventory, what: &str) -> Result<(), String> {
        self.check_entities(entities(inventory), what)
    }

    /// The message for a file of more than `max_file_bytes`.
    pub fn file_too_large(&self, what: &str) -> String {
        format!(
            "{what} is larger than the limit of {} (raise it with {FILE_SIZE_VAR} if this is really meant)",
            format_size(self.max_file_bytes)
        )
    }

    /// The message for inputs of more than `max_input_bytes` together.
    pub fn input_too_large(&self, what: &str) -> String {
        format!(
            "{what} are larger than the limit of {} together (raise it with {INPUT_SIZE_VAR} if this is really meant)",
            format_size(self.max_input_bytes)
        )
    }
}

/// The entities of an inventory, all kinds together.
pub fn entities(inventory: &Inventory) -> u128 {
    [
        inventory.sites.len(),
        inventory.links.len(),
        inventory.data_centers.len(),
        inventory.clusters.len(),
        inventory.hosts.len(),
        inventory.networks.len(),
        inventory.vnic_profiles.len(),
        inventory.storage_domains.len(),
        inventory.vms.len(),
        inventory.affinity_groups.len(),
        inventory.affinity_labels.len(),
    ]
    .into_iter()
    .map(|n| n as u128)
    .sum()
}

/// Counts names as a design expands its ranges, against [`Budget::max_names`]; shared by
/// the threads that read a design's VMs.
#[derive(Debug)]
pub struct NameBudget {
    left: AtomicUsize,
    max: usize,
}

impl NameBudget {
    /// A counter allowing `max` names.
    pub fn new(max: usize) -> NameBudget {
        NameBudget {
            left: AtomicUsize::new(max),
            max,
        }
    }

    /// Takes `names` from the budget, or says the design expands to too many.
    pub fn take(&self, names: usize) -> Result<(), String> {
        self.left
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
                left.checked_sub(names)
            })
            .map(|_| ())
            .map_err(|_| {
                format!(
                    "the name ranges of this design expand to more than {} names in all \
                     (definitions and references; raise the limit with {NAMES_VAR} if this is really meant)",
                    self.max
                )
            })
    }

    /// How many names are left.
    pub fn left(&self) -> usize {
        self.left.load(Ordering::Relaxed)
    }

    /// Puts the count back to `left` (what [`NameBudget::left`] said), when what was taken
    /// since is read again.
    pub fn reset(&self, left: usize) {
        self.left.store(left, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::{Budget, NameBudget};

    #[test]
    fn environment_overrides_each_limit_and_rejects_nonsense() {
        let budget = Budget::from_env(|name| match name {
            "STRETCHDR_MAX_FILE_SIZE" => Some("1MiB".into()),
            "STRETCHDR_MAX_ENTITIES" => Some("10".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(budget.max_file_bytes, 1 << 20);
        assert_eq!(budget.max_entities, 10);
        assert_eq!(budget.max_names, Budget::DEFAULT.max_names);
        let bad = Budget::from_env(|name| (name == "STRETCHDR_MAX_NAMES").then(|| "-3".into()));
        assert!(bad.unwrap_err().contains("STRETCHDR_MAX_NAMES"));
        let zero =
            Budget::from_env(|name| (name == "STRETCHDR_MAX_INPUT_SIZE").then(|| "0".into()));
        assert!(zero.is_err());
    }

    #[test]
    fn entity_check_names_the_limit() {
        let budget = Budget::DEFAULT;
        assert!(budget.check_entities(1_000_000, "x").is_ok());
        let message = budget
            .check_entities(u128::from(u64::MAX) * 3, "gen")
            .unwrap_err();
        assert!(message.contains("STRETCHDR_MAX_ENTITIES"), "{message}");
    }

    #[test]
    fn name_budget_is_a_total_across_ranges() {
        let names = NameBudget::new(250);
        assert!(names.take(100).is_ok());
        assert!(names.take(100).is_ok());
        assert!(names.take(100).is_err());
        assert!(names.take(50).is_ok());
        assert!(names.take(1).is_err());
    }
}
