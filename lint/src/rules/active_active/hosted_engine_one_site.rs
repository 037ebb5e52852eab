use stretchdr_model::inventory::Deployment;
use stretchdr_model::{Inventory, SiteId};

use super::{LIST_LIMIT, Sites, name_list};
use crate::policy::Policy;
use crate::rule::{Sink, Subject, declare_rule};

declare_rule! {
    /// ## What it does
    /// With a self-hosted engine, checks that every active site has hosts able to run the
    /// engine VM (hosted-engine hosts).
    ///
    /// ## Why is this bad?
    /// Only hosted-engine hosts can start the engine VM. If they all sit in one site and that
    /// site is lost, the engine VM is not restarted anywhere: no host is fenced, no HA VM is
    /// restarted, and the surviving site runs unmanaged.
    ///
    /// ## Example
    /// ```toml
    /// [[host]]
    /// name = "a1"
    /// site = "site-a"
    /// hosted_engine = true
    ///
    /// [[host]]
    /// name = "b1"
    /// site = "site-b"
    /// hosted_engine = false
    /// ```
    ///
    /// Use instead: deploy hosted-engine hosts in both sites.
    /// ```toml
    /// [[host]]
    /// name = "b1"
    /// site = "site-b"
    /// hosted_engine = true
    /// ```
    ///
    /// ## References
    /// - oVirt Disaster Recovery Guide, "Active-Active Overview": in a self-hosted engine
    ///   stretch cluster, self-hosted engine nodes are needed in both sites so the engine VM
    ///   can fail over. https://ovirt.org/documentation/disaster_recovery_guide
    pub struct HostedEngineOneSite {
        code: "AA010",
        name: "hosted-engine-one-site",
        level: Error,
        requires_sites: true,
    }
}

fn check(inventory: &Inventory, _policy: &Policy, sink: &mut Sink) {
    let sites = Sites::new(inventory);
    let he_hosts: Vec<(&str, Option<SiteId>)> = inventory
        .hosts
        .iter()
        .filter(|(_, host)| host.hosted_engine)
        .map(|(id, host)| (host.name.as_str(), sites.of_host(id)))
        .collect();
    let self_hosted = match inventory.engine.deployment {
        Some(deployment) => deployment == Deployment::SelfHosted,
        None => !he_hosts.is_empty(),
    };
    if !self_hosted || sites.active.len() < 2 {
        return;
    }
    let mut with_he: Vec<SiteId> = he_hosts.iter().filter_map(|(_, site)| *site).collect();
    with_he.sort();
    with_he.dedup();
    let without = sites.missing_from(&with_he);
    if without.is_empty() {
        return;
    }
    let message = if with_he.is_empty() {
        "no host of any site can run the self-hosted engine VM".to_string()
    } else {
        let names = he_hosts
            .iter()
            .filter(|(_, site)| site.is_some())
            .map(|(name, _)| *name);
        format!(
            "hosts able to run the self-hosted engine VM are only in {} ({}); {} has none",
            sites.names(&with_he),
            name_list(names, LIST_LIMIT),
            sites.names(&without)
        )
    };
    sink.report(
        Subject::Engine,
        message,
        "deploy hosted-engine hosts in every site (hosted_engine = true on at least two hosts per site)",
    );
}
