//! Active-passive DR (issue 7, `mode = "active-passive"`): the failover and failback the
//! ovirt-dr Ansible role performs, step by step, in its order, timed.
//!
//! Failover, onto the secondary (`tasks/recover_engine.yml` of the role in
//! ovirt-ansible-collection, `roles/disaster_recovery`):
//! 1. wait until sanlock has released the lost primary's leases on the replicated domains;
//! 2. log in to the secondary engine;
//! 3. add the master domain, then the other domains, one after the other (iSCSI: log in to
//!    each target first); a domain whose entry lacks a field its task reads is skipped, as the
//!    role ignores recovery errors by default;
//! 4. register the templates, then the VMs, of every attached domain, one call each;
//! 5. start the VMs that were running, highly available ones first (`wait: false`), each up
//!    after its boot time, on a host of its mapped cluster with the memory for it.
//!
//! Failback, when the scenario asks for it (`main.yml`, `clean_engine.yml`): log in to the
//! secondary, shut its VMs down, update each domain's OVF store, remove the non-master domains
//! then the master (each move to maintenance retried `dr_cleanup_retries_maintenance` times,
//! `dr_cleanup_delay_maintenance` apart, when tasks are running), pause while the storage
//! replication is reversed and synced, then the same recovery onto the primary.
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
pub use scenario::{load_scenario, load_scenario_str};

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
/// call's work where neither says; each is overridable in `[parameters]`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Parameters {
    /// `sanlock_release`: before the first attach. The role's `recover_engine.yml` asks (TODO
    /// comment) for at least 180 s so that sanlock does not fail to acquire the lockspace; it
    /// covers sanlock's own io_timeout x 8 + watchdog = 140 s.
    pub sanlock_release: u64,
    /// `engine_login`: one SSO token request (estimate).
    pub engine_login: u64,
    /// `master_domain_attach`: import, attach and activate the master domain, with the SPM
    /// election of the new pool (estimate).
    pub master_domain_attach: u64,
    /// `domain_attach`: import, attach and activate another domain (estimate).
    pub domain_attach: u64,
    /// `iscsi_login`: one iSCSI target login before importing a block domain (estimate).
    pub iscsi_login: u64,
    /// `template_register`: one `ovirt_template state: registered` call (estimate).
    pub template_register: u64,
    /// `vm_register`: one `ovirt_vm state: registered` call, reading the OVF (estimate).
    pub vm_register: u64,
    /// `vm_start_call`: one `ovirt_vm state: running, wait: false` call (estimate).
    pub vm_start_call: u64,
    /// `vm_boot_time`: from start to up; the simulator's default boot time (60 s).
    pub vm_boot_time: u64,
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
            sanlock_release: 180_000,
            engine_login: 5_000,
            master_domain_attach: 120_000,
            domain_attach: 60_000,
            iscsi_login: 10_000,
            template_register: 10_000,
            vm_register: 5_000,
            vm_start_call: 2_000,
            vm_boot_time: 60_000,
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
    pub const NAMES: [(&'static str, bool); 16] = [
        ("sanlock_release", false),
        ("engine_login", false),
        ("master_domain_attach", false),
        ("domain_attach", false),
        ("iscsi_login", false),
        ("template_register", false),
        ("vm_register", false),
        ("vm_start_call", false),
        ("vm_boot_time", false),
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
            "sanlock_release" => &mut self.sanlock_release,
            "engine_login" => &mut self.engine_login,
            "master_domain_attach" => &mut self.master_domain_attach,
            "domain_attach" => &mut self.domain_attach,
            "iscsi_login" => &mut self.iscsi_login,
            "template_register" => &mut self.template_register,
            "vm_register" => &mut self.vm_register,
            "vm_start_call" => &mut self.vm_start_call,
            "vm_boot_time" => &mut self.vm_boot_time,
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
    Failover,
    Failback,
}

/// One step of the role, as the timeline shows it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Step {
    pub at_s: f64,
    pub end_s: f64,
    pub phase: Phase,
    /// `sanlock`, `login`, `attach`, `register`, `start`, `shutdown`, `ovf`, `remove`, `sync`.
    pub kind: &'static str,
    pub text: String,
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
    /// When the last VM is up on the primary again, s (`null` without failback).
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
}
