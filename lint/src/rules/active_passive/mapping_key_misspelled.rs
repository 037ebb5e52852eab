use stretchdr_model::mapping::keys::{Place, suggest};

use crate::dr::{DrContext, mapped};
use crate::finding::EntityKind;
use crate::policy::Policy;
use crate::rule::{Sink, declare_mapping_rule};

declare_mapping_rule! {
    /// ## What it does
    /// Finds keys of the mapping file that the role never reads, and names the key each most
    /// likely meant: the same key in another case, the key with its site (`primary_` /
    /// `secondary_`) left out, or the nearest key by edit distance.
    /// Top-level keys that do not start with `dr_` and resemble none of the role's are taken
    /// for the file's own variables (anchors to merge, say) and not reported.
    ///
    /// ## Why is this bad?
    /// The role ignores keys it does not read, so a misspelled key is a field left out: the
    /// entity keeps no mapping, or the task that needs the field fails at failover. Guides
    /// have printed such keys (`dr_master_domain` for `dr_primary_master_domain`, a capitalised
    /// `Secondary_name`).
    ///
    /// ## Example
    /// ```yaml
    /// dr_cluster_mappings:
    ///   - primary_name: "prod"
    ///     Secondary_name: "dr"
    /// ```
    ///
    /// Use instead:
    /// ```yaml
    /// dr_cluster_mappings:
    ///   - primary_name: "prod"
    ///     secondary_name: "dr"
    /// ```
    ///
    /// ## References
    /// - oVirt Disaster Recovery Guide, "Mapping File Attributes": the attribute names.
    ///   https://ovirt.org/documentation/disaster_recovery_guide
    /// - ovirt-ansible-collection, `roles/disaster_recovery/tasks/recover_engine.yml`: entries
    ///   are read by key, missing keys default to `EMPTY_ELEMENT`.
    pub struct MappingKeyMisspelled {
        code: "AP012",
        name: "mapping-key-misspelled",
        level: Warning,
    }
}

fn check(dr: &DrContext<'_>, _policy: &Policy, sink: &mut Sink) {
    for unknown in &dr.mapping.unknown_keys {
        let place = match unknown.place {
            Place::TopLevel => "at the top level",
            Place::Storage => "in a dr_import_storages entry",
            Place::NamePair => "in a name mapping entry",
            Place::Network => "in a dr_network_mappings entry",
            Place::Lun => "in a dr_lun_mappings entry",
        };
        let meant = suggest(&unknown.key, unknown.place);
        // A vars file may hold variables of its own (anchors to merge, say): at the top level
        // only `dr_` keys and near-misses of the role's keys are the role's business.
        let own_variable = unknown.place == Place::TopLevel
            && !unknown.key.to_ascii_lowercase().starts_with("dr_");
        if meant.is_empty() && own_variable {
            continue;
        }
        let (message, help) = if meant.is_empty() {
            (
                format!(
                    "key {} {place} is not one the role reads: it is ignored",
                    unknown.key
                ),
                "remove it, or check the attribute names in the DR guide".to_string(),
            )
        } else {
            let meant = meant.join(" or ");
            (
                format!(
                    "key {} {place} is not one the role reads: did you mean {meant}?",
                    unknown.key
                ),
                format!("rename it to {meant}"),
            )
        };
        sink.report_at(
            mapped(EntityKind::MappingKey, unknown.key.clone()),
            Some(unknown.origin),
            message,
            help,
        )
        .discriminator = Some(format!("{:?}", unknown.place));
    }
}
