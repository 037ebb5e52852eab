use stretchdr_model::Inventory;
use stretchdr_model::inventory::ResumeBehaviour;

use crate::policy::Policy;
use crate::rule::{Sink, Subject, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds VMs with a lease whose storage-error resume behaviour is not `kill`.
    ///
    /// ## Why is this bad?
    /// A VM paused by a storage error (as in a site partition) keeps running in memory. If the
    /// engine meanwhile restarts it in the other site, which the lease allows once it has
    /// expired, a VM set to `auto_resume` wakes up when the storage returns while its copy runs
    /// elsewhere: two writers on one disk, a corrupted file system. `leave_paused` keeps a
    /// stale copy that an administrator may resume by mistake. `kill` ends the paused copy.
    ///
    /// ## Example
    /// ```toml
    /// [[vm]]
    /// name = "db01"
    /// ha = true
    /// lease = "data1"
    /// resume_behaviour = "auto_resume"
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// [[vm]]
    /// name = "db01"
    /// ha = true
    /// lease = "data1"
    /// resume_behaviour = "kill"
    /// ```
    ///
    /// ## References
    /// - oVirt REST API model, `VmStorageErrorResumeBehaviour`: `kill` is the behaviour for
    ///   highly available VMs with a lease, so a VM restarted elsewhere is not resumed twice.
    ///   https://ovirt.github.io/ovirt-engine-api-model/master/#types/vm_storage_error_resume_behaviour
    /// - ovirt-engine, `VmResumeBehavior`: `KILL` is the default for HA VMs with a lease.
    pub struct LeaseResumeNotKill {
        code: "AA014",
        name: "lease-resume-not-kill",
        level: Warning,
        requires_sites: false,
    }
}

fn check(inventory: &Inventory, _policy: &Policy, sink: &mut Sink) {
    for (id, vm) in inventory.vms.iter() {
        let behaviour = match vm.resume_behaviour {
            _ if vm.lease.is_none() => continue,
            ResumeBehaviour::Kill => continue,
            ResumeBehaviour::AutoResume => "auto_resume",
            ResumeBehaviour::LeavePaused => "leave_paused",
        };
        sink.report_key(
            Subject::Vm(id),
            "resume_behaviour",
            format!(
                "vm {} has a lease but resumes from storage errors with {behaviour}, not kill: it may run twice after a failover",
                vm.name
            ),
            "set resume_behaviour = \"kill\" on VMs with a lease",
        );
    }
}
