use crate::dr::{DrContext, mapped};
use crate::finding::EntityKind;
use crate::policy::Policy;
use crate::rule::{Sink, declare_mapping_rule};

declare_mapping_rule! {
    /// ## What it does
    /// Reports a mapping that imports storage domains and leaves `dr_ignore_error_clean` at the
    /// role's default, `False`.
    ///
    /// ## Why is this bad?
    /// Failback cleans the engine it leaves (`clean_engine.yml`): it shuts the VMs down, then
    /// updates the OVF store of each active domain of the mapping with
    /// `clean/update_ovf_store.yml`. That task loops over the domain it found but names it
    /// `iscsi_storage[...]`, a variable set only inside the iSCSI loop of `add_domain.yml`: it is
    /// undefined there, for every domain type, and the task fails. Without
    /// `dr_ignore_error_clean: True` the failure ends the failback play right after the VMs were
    /// shut down: nothing is removed, nothing is recovered on the primary, and the VMs stay down
    /// on both sites until someone acts.
    ///
    /// ## Example
    /// ```yaml
    /// dr_import_storages:
    ///   - dr_domain_type: "nfs"
    ///     dr_primary_name: "data1"
    /// # dr_ignore_error_clean not set: the role's default is False
    /// ```
    ///
    /// Use instead: ignore clean-up errors for the failback (the engine updates a domain's OVF
    /// store itself when the clean-up moves it to maintenance), and rehearse the failback.
    /// ```yaml
    /// dr_ignore_error_clean: true
    /// ```
    ///
    /// ## References
    /// - ovirt-ansible-collection, `roles/disaster_recovery/tasks/clean/update_ovf_store.yml`,
    ///   `tasks/clean_engine.yml`, `tasks/recover/add_domain.yml` (`loop_var: iscsi_storage`),
    ///   `defaults/main.yml` (`dr_ignore_error_clean: "False"`).
    ///   https://github.com/oVirt/ovirt-ansible-collection/tree/master/roles/disaster_recovery
    pub struct FailbackStopsAtOvfUpdate {
        code: "AP021",
        name: "failback-stops-at-ovf-update",
        level: Error,
    }
}

fn check(dr: &DrContext<'_>, _policy: &Policy, sink: &mut Sink) {
    let mapping = dr.mapping;
    if mapping.storages.is_empty() {
        return;
    }
    let variable = mapping.role_variables.ignore_error_clean.as_ref();
    if variable.is_some_and(|f| f.value) {
        return;
    }
    let set = if variable.is_some() {
        "sets dr_ignore_error_clean to false"
    } else {
        "keeps the role's default dr_ignore_error_clean: False"
    };
    sink.report_at(
        mapped(EntityKind::MappingKey, "dr_ignore_error_clean"),
        Some(variable.map_or(mapping.origin, |f| f.origin)),
        format!(
            "the mapping {set}: failback stops at clean/update_ovf_store.yml, which names the undefined iscsi_storage, after shutting {} domain(s)' VMs down",
            mapping.storages.len()
        ),
        "set dr_ignore_error_clean: true for the failback",
    );
}
