use stretchdr_model::mapping::Side;

use super::FailingOver;
use crate::dr::DrContext;
use crate::policy::Policy;
use crate::rule::{Sink, Subject, declare_mapping_rule};

declare_mapping_rule! {
    /// ## What it does
    /// Finds delete-protected VMs anywhere in either setup, beyond those that fail over (which
    /// AP010 reports).
    ///
    /// ## Why is this bad?
    /// The role's mapping validator checks every VM of both setups for failback blockers
    /// (`_validate_vms_for_failback`: delete protection, snapshots in preview) and fails the
    /// whole validation on the first setup that has one: the mapping is reported invalid even
    /// when the VM never fails over. Snapshots in preview are not in the inventory and are not
    /// checked.
    ///
    /// ## Example
    /// ```toml
    /// [[vm]]
    /// name = "lab01"             # on a domain the mapping does not import
    /// delete_protected = true
    /// ```
    ///
    /// Use instead: clear delete protection on the VM before validating the mapping.
    ///
    /// ## References
    /// - ovirt-ansible-collection, `roles/disaster_recovery/files/validator.py`
    ///   (`_validate_vms_for_failback`, run for the primary and the secondary).
    ///   https://github.com/oVirt/ovirt-ansible-collection/tree/master/roles/disaster_recovery
    pub struct FailbackBlockerAnywhere {
        code: "AP023",
        name: "failback-blocker-anywhere",
        level: Error,
    }
}

fn check(dr: &DrContext<'_>, _policy: &Policy, sink: &mut Sink) {
    let failing = FailingOver::of(dr).vms;
    for side in [Side::Primary, Side::Secondary] {
        for (id, vm) in dr.site(side).vms.iter() {
            if !vm.delete_protected || (side == Side::Primary && failing.contains(&id)) {
                continue;
            }
            let (entity, origin) = dr.entity(side, Subject::Vm(id));
            let message = format!(
                "vm {} of the {} setup is delete-protected: the mapping validator refuses failback while it is",
                entity.name,
                side.as_str()
            );
            sink.report_at(
                entity,
                origin,
                message,
                "clear delete protection before validating the mapping",
            );
        }
    }
}
