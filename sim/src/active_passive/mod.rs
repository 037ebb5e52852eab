//! Active-passive DR (issue 7, `mode = "active-passive"`): the failover and failback the
//! ovirt-dr Ansible role performs, step by step, in its order, timed.
//!
//! Before the role: the operator waits (`operator_wait`) for the lost site's storage locks;
//! the role itself does not wait (`tasks/recover_engine.yml` has only a TODO comment).
//!
//! Failover, onto the secondary (`tasks/recover_engine.yml` of the role in
//! ovirt-ansible-collection, `roles/disaster_recovery`):
//! 1. log in to the secondary engine;
//! 2. add the master domain, then the other domains, one after the other (iSCSI: log in to
//!    each target first; `recover/add_domain.yml`: only with an Up host in the entry's data
//!    center); a domain whose entry lacks a field its task reads, with no Up host, or attached
//!    before the lost primary's sanlock leases are free fails; the role goes on under the
//!    default `dr_ignore_error_recover: True` and stops otherwise;
//! 3. register the templates, then the VMs, of every active domain, one call each;
//! 4. start the VMs the OVF store recorded as up, highly available ones first (`wait: false`),
//!    each up after its boot time, on a host of its mapped cluster with the memory for it.
//!
//! Failback, when the scenario asks for it, as `files/fail_back.py` runs it: first a play
//! tagged `clean_engine` cleaning the engine failed back to (its result is not checked), then
//! the `fail_back` play (`main.yml`): record the secondary's running VMs, clean the secondary
//! (`clean_engine.yml`: shut its VMs down, update each domain's OVF store, remove the
//! non-master domains then the master, each move to maintenance retried
//! `dr_cleanup_retries_maintenance` times `dr_cleanup_delay_maintenance` apart), pause while
//! the storage replication is reversed and synced, recover onto the primary, start the
//! recorded VMs (`run_unregistered_entities.yml`). Under the default
//! `dr_ignore_error_clean: False` a failed clean-up step ends the play; nothing is forced.
//!
//! Every duration is a [`Parameters`] field with its source. The replay is deterministic: the
//! seed is carried into the report only.

mod engine;
mod report;
mod scenario;

use std::path::PathBuf;

use serde::Serialize;

pub use engine::{load_inputs, run};
pub use report::{render_text, to_json};
pub use scenario::{keys as scenario_keys, load_scenario, load_scenario_str};

/// An active-passive scenario file.
#[derive(Clone, Debug, PartialEq)]
pub struct ApScenario {
    pub name: String,
    pub seed: u64,
    /// The mapping file, resolved against the scenario file's directory.
    pub mapping: PathBuf,
    /// The primary and secondary sources (design or export), resolved likewise.
    pub primary: PathBuf,
    pub secondary: PathBuf,
    /// Start the failback this long after the disaster (ms); no failback when `None`.
    pub failback_at_ms: Option<u64>,
    pub parameters: Parameters,
}

/// The durations of the role's steps, in ms (counts where named so). Defaults come from the
/// role (`defaults/main.yml`, task comments), oVirt's defaults, or are estimates of one API
/// call's work where neither says; each is overridable in `[parameters]`. The behaviour
/// table in `docs/dr-behaviour.md` lists every one with its source.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Parameters {
    /// `operator_wait`: how long after the disaster the operator starts the role. Not a step
    /// of the role: `tasks/recover_engine.yml` only carries a TODO comment asking for a wait of
    /// at least 180 s before the first attach; the oVirt failover documentation has the
    /// operator wait until the lost site's storage locks are free, about 80 s.
    pub operator_wait: u64,
    /// `locks_free`: when the lost primary's sanlock leases on the replicated domains can be
    /// taken, after the disaster (the documentation's 80 s; estimate). A domain attached
    /// earlier fails to acquire its lockspace.
    pub locks_free: u64,
    /// `engine_login`: one SSO token request (estimate).
    pub engine_login: u64,
    /// `master_domain_attach`: import, attach and activate the master domain, with the SPM
    /// election of the new pool (estimate).
    pub master_domain_attach: u64,
    /// `domain_attach`: import, attach and activate another domain, or a failed attach
    /// (estimate).
    pub domain_attach: u64,
    /// `iscsi_login`: one iSCSI target login before importing a block domain (estimate).
    pub iscsi_login: u64,
    /// `template_register`: one `ovirt_template state: registered` call (estimate). The
    /// inventory holds no templates, so no template step is timed.
    pub template_register: u64,
    /// `vm_register`: one `ovirt_vm state: registered` call, reading the OVF (estimate).
    pub vm_register: u64,
    /// `vm_start_call`: one `ovirt_vm state: running, wait: false` call (estimate).
    pub vm_start_call: u64,
    /// `vm_boot_time`: from start to up; the simulator's default boot time (60 s).
    pub vm_boot_time: u64,
    /// `ovf_update_interval`: how often the engine writes the OVF stores the role reads VM
    /// state from (ovirt-engine `OvfUpdateIntervalInMinutes`, default 60 min, run by
    /// `OvfDataUpdater`).
    pub ovf_update_interval: u64,
    /// `vm_shutdown`: one forced stop with `wait: true` in the failback clean-up (estimate).
    pub vm_shutdown: u64,
    /// `ovf_update`: one `update_ovf_store` of a domain in the clean-up (estimate).
    pub ovf_update: u64,
    /// `domain_remove`: maintenance, detach and remove of one domain (estimate).
    pub domain_remove: u64,
    /// `cleanup_retries`: the role's `dr_cleanup_retries_maintenance` (default 3), unless the
    /// mapping file sets it.
    pub cleanup_retries: u64,
    /// `cleanup_delay`: the role's `dr_cleanup_delay_maintenance` (default 120 s), unless the
    /// mapping file sets it.
    pub cleanup_delay: u64,
    /// `maintenance_failures`: how many tries to move each domain to maintenance fail because
    /// tasks still run on its data center (count; 0: none).
    pub maintenance_failures: u64,
    /// `replication_sync`: the role's "Failback Replication Sync" pause, while the storage
    /// replication is reversed and synced; depends on the storage and the changes (estimate).
    pub replication_sync: u64,
}

impl Default for Parameters {
    fn default() -> Parameters {
        Parameters {
            operator_wait: 80_000,
            locks_free: 80_000,
            engine_login: 5_000,
            master_domain_attach: 120_000,
            domain_attach: 60_000,
            iscsi_login: 10_000,
            template_register: 10_000,
            vm_register: 5_000,
            vm_start_call: 2_000,
            vm_boot_time: 60_000,
            ovf_update_interval: 3_600_000,
            vm_shutdown: 30_000,
            ovf_update: 15_000,
            domain_remove: 60_000,
            cleanup_retries: 3,
            cleanup_delay: 120_000,
            maintenance_failures: 0,
            replication_sync: 1_800_000,
        }
    }
}

impl Parameters {
    /// The names accepted in `[parameters]`, and whether each is a count (else a duration).
    pub const NAMES: [(&'static str, bool); 18] = [
        ("operator_wait", false),
        ("locks_free", false),
        ("engine_login", false),
        ("master_domain_attach", false),
        ("domain_attach", false),
        ("iscsi_login", false),
        ("template_register", false),
        ("vm_register", false),
        ("vm_start_call", false),
        ("vm_boot_time", false),
        ("ovf_update_interval", false),
        ("vm_shutdown", false),
        ("ovf_update", false),
        ("domain_remove", false),
        ("cleanup_retries", true),
        ("cleanup_delay", false),
        ("maintenance_failures", true),
        ("replication_sync", false),
    ];

    /// The field of a `[parameters]` name.
    pub fn slot(&mut self, name: &str) -> Option<&mut u64> {
        Some(match name {
            "operator_wait" => &mut self.operator_wait,
            "locks_free" => &mut self.locks_free,
            "engine_login" => &mut self.engine_login,
            "master_domain_attach" => &mut self.master_domain_attach,
            "domain_attach" => &mut self.domain_attach,
            "iscsi_login" => &mut self.iscsi_login,
            "template_register" => &mut self.template_register,
            "vm_register" => &mut self.vm_register,
            "vm_start_call" => &mut self.vm_start_call,
            "vm_boot_time" => &mut self.vm_boot_time,
            "ovf_update_interval" => &mut self.ovf_update_interval,
            "vm_shutdown" => &mut self.vm_shutdown,
            "ovf_update" => &mut self.ovf_update,
            "domain_remove" => &mut self.domain_remove,
            "cleanup_retries" => &mut self.cleanup_retries,
            "cleanup_delay" => &mut self.cleanup_delay,
            "maintenance_failures" => &mut self.maintenance_failures,
            "replication_sync" => &mut self.replication_sync,
            _ => return None,
        })
    }
}

/// Which run of the role a step belongs to.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// The operator, before running the role: not a step of the role.
    Operator,
    Failover,
    /// `fail_back.py`'s first play: the clean-up of the engine failed back to.
    Cleanup,
    Failback,
}

/// One step of the role, as the timeline shows it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Step {
    pub at_s: f64,
    pub end_s: f64,
    pub phase: Phase,
    /// `wait`, `login`, `attach`, `register`, `record`, `start`, `shutdown`, `ovf`, `remove`,
    /// `sync`.
    pub kind: &'static str,
    pub text: String,
    /// The step failed; `ignored` tells whether the role went on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failed: Option<StepFailure>,
}

/// Why a step failed and whether the role ignored it (`dr_ignore_error_recover`,
/// `dr_ignore_error_clean`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StepFailure {
    pub reason: String,
    pub ignored: bool,
}

/// Per-VM results in the shape of FORMATS.md "Simulation result": the simulator's own types.
/// Active-passive uses the outcomes `unaffected` (was not running on the primary), `restarted`
/// and `not_restarted`, and sets `failback_up_at_s` when the scenario fails back.
pub use crate::outcome::{Reason, VmOutcome, VmResult};

/// RTO percentiles over restarted VMs, s (`null` when none restarted): the simulator's own.
pub use crate::outcome::Rto;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Summary {
    pub vms: usize,
    pub restarted: usize,
    pub not_restarted: usize,
    pub unaffected: usize,
    pub rto_s: Rto,
    /// The secondary engine runs throughout: 0.
    pub engine_down_s: f64,
    /// Until the master domain is attached at the secondary (no SPM before).
    pub spm_down_s: f64,
    /// When the role's failover run ends (the last VM started), s.
    pub failover_done_s: f64,
    /// When the last VM is up on the primary again, s (`null` without failback, or when the
    /// failback stopped).
    pub failback_done_s: Option<f64>,
}

/// What a run predicts.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ApResult {
    pub scenario: String,
    pub seed: u64,
    pub runs: u32,
    pub summary: Summary,
    pub vms: Vec<VmResult>,
    pub timeline: Vec<Step>,
    /// The role stopped on an error it does not ignore: which play, when and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub stopped: Vec<String>,
    /// What the prediction cannot know and may get wrong (the OVF stores' age).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}
