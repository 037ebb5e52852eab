use stretchdr_model::Inventory;
use stretchdr_model::inventory::OnError;

use crate::policy::Policy;
use crate::rule::{Sink, Subject, declare_rule};

declare_rule! {
    /// ## What it does
    /// Finds clusters whose resilience policy (`error_handling.on_error`) is `do_not_migrate`.
    ///
    /// ## Why is this bad?
    /// When a host turns NonOperational (it lost its storage or a required network, as hosts
    /// do when a site's storage or switches fail while the hosts stay up), the engine migrates
    /// its VMs away only if the resilience policy allows it. With `do_not_migrate` the VMs stay
    /// on the crippled host, paused or cut off, although the other site could run them.
    ///
    /// ## Example
    /// ```toml
    /// [[cluster]]
    /// name = "stretch"
    /// on_error = "do_not_migrate"
    /// ```
    ///
    /// Use instead:
    /// ```toml
    /// [[cluster]]
    /// name = "stretch"
    /// on_error = "migrate"
    /// ```
    ///
    /// ## References
    /// - oVirt Administration Guide, "Resilience Policy Settings": migrate all VMs, only highly
    ///   available VMs, or none when a host becomes non-operational.
    ///   https://ovirt.org/documentation/administration_guide/
    /// - oVirt REST API model, `MigrateOnError`.
    pub struct ResiliencePolicyDoNotMigrate {
        code: "AA019",
        name: "resilience-policy-do-not-migrate",
        level: Warning,
        requires_sites: false,
    }
}

fn check(inventory: &Inventory, _policy: &Policy, sink: &mut Sink) {
    for (id, cluster) in inventory.clusters.iter() {
        if cluster.on_error == OnError::DoNotMigrate {
            sink.report_key(
                Subject::Cluster(id),
                "on_error",
                format!(
                    "cluster {} does not migrate VMs off non-operational hosts (on_error = \"do_not_migrate\")",
                    cluster.name
                ),
                "set on_error = \"migrate\" (or \"migrate_highly_available\")",
            );
        }
    }
}
