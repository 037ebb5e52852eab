use std::collections::BTreeSet;

use stretchdr_model::VmId;
use stretchdr_model::inventory::SnapshotStatus;
use stretchdr_model::mapping::Side;

use super::FailingOver;
use crate::dr::DrContext;
use crate::policy::Policy;
use crate::rule::{Sink, Subject, declare_mapping_rule};

declare_mapping_rule! {
    /// ## What it does
    /// Finds delete-protected VMs, and VMs with a snapshot in preview (where the source lists
    /// snapshots: exports with `vms/<id>/snapshots`, live engines), among those that fail
    /// over.
    ///
    /// ## Why is this bad?
    /// Failback first cleans the secondary: the role shuts its VMs down and removes the
    /// imported storage domains, which removes their VMs. The engine refuses to remove a
    /// delete-protected VM, so the domain stays attached, the clean-up fails (the role does not
    /// ignore clean-up errors by default) and failback stops. A VM with a snapshot in preview
    /// blocks it the same way; the role's validator refuses to fail back while either exists.
    ///
    /// ## Example
    /// ```toml
    /// [[vm]]
    /// name = "db01"
    /// disks = ["data1"]          # a domain of dr_import_storages
    /// delete_protected = true
    /// ```
    ///
    /// Use instead: clear delete protection (and commit or undo snapshot previews) before a
    /// failback, or keep such VMs off the replicated domains.
    ///
    /// ## References
    /// - ovirt-ansible-collection, `roles/disaster_recovery/files/validator.py`
    ///   (`_validate_vms_for_failback`) and `tasks/clean_engine.yml`.
    ///   https://github.com/oVirt/ovirt-ansible-collection/tree/master/roles/disaster_recovery
    pub struct FailbackBlocker {
        code: "AP010",
        name: "failback-blocker",
        level: Warning,
    }
}

fn check(dr: &DrContext<'_>, _policy: &Policy, sink: &mut Sink) {
    let failing = FailingOver::of(dr);
    let in_preview: BTreeSet<VmId> = dr
        .primary
        .snapshots
        .iter()
        .flatten()
        .filter(|s| s.status == SnapshotStatus::InPreview)
        .map(|s| s.vm)
        .collect();
    for &vm in &failing.vms {
        if !in_preview.contains(&vm) {
            continue;
        }
        let (entity, origin) = dr.entity(Side::Primary, Subject::Vm(vm));
        let message = format!(
            "vm {} has a snapshot in preview: failback cannot remove it from the secondary, and the clean-up stops",
            entity.name
        );
        sink.report_at(
            entity,
            origin,
            message,
            "commit or undo the snapshot preview before failing back",
        )
        .discriminator = Some("preview".to_string());
    }
    for vm in failing.vms {
        if !dr.primary.vms[vm].delete_protected {
            continue;
        }
        let (entity, origin) = dr.entity(Side::Primary, Subject::Vm(vm));
        let message = format!(
            "vm {} is delete-protected: failback cannot remove it from the secondary, and the clean-up stops",
            entity.name
        );
        sink.report_at(
            entity,
            origin,
            message,
            "clear delete protection before failing back",
        );
    }
}
