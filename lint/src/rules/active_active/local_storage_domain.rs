use stretchdr_model::Inventory;
use stretchdr_model::inventory::StorageType;

use crate::policy::Policy;
use crate::rule::{Sink, Subject, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds storage domains on local storage (`localfs`).
    ///
    /// ## Why is this bad?
    /// A local domain lives on one host's disks: it is neither shared nor replicated. VMs on it
    /// run only on that host and are lost with it; a site loss cannot be survived. oVirt does
    /// not support local storage domains for disaster recovery.
    ///
    /// ## Example
    /// ```toml
    /// [[storage_domain]]
    /// name = "scratch"
    /// storage = "localfs"
    /// ```
    ///
    /// Use instead: shared, replicated storage.
    /// ```toml
    /// [[storage_domain]]
    /// name = "scratch"
    /// storage = "iscsi"
    /// replication = "sync"
    /// writable_at = ["site-a", "site-b"]
    /// ```
    ///
    /// ## References
    /// - oVirt Disaster Recovery Guide, storage considerations: local storage domains are
    ///   unsupported for disaster recovery. https://ovirt.org/documentation/disaster_recovery_guide
    /// - Oracle Linux Virtualization Manager Administration Guide, "Active-Passive Disaster
    ///   Recovery", Storage Considerations.
    pub struct LocalStorageDomain {
        code: "AA017",
        name: "local-storage-domain",
        level: Warning,
        requires_sites: false,
    }
}

fn check(inventory: &Inventory, _policy: &Policy, sink: &mut Sink) {
    for (id, domain) in inventory.storage_domains.iter() {
        if domain.storage == StorageType::Localfs {
            sink.report_key(
                Subject::StorageDomain(id),
                "storage",
                format!(
                    "storage domain {} is on local storage (localfs), which does not survive its host, let alone its site",
                    domain.name
                ),
                "move the disks to shared storage replicated between the sites",
            );
        }
    }
}
