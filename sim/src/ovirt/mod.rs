//! The oVirt engine's behaviour in a stretch cluster, as a [`des::Model`](crate::des::Model).
//!
//! [`Ovirt`] holds the physical world (sites, links, storage access: [`topology`]), the hosts
//! and VMs as they really are and as the engine sees them, and reacts to [`Event`]s: scenario
//! events, host monitoring, fencing, sanlock lease expiry, HA restarts, SPM election, the
//! engine's own failover, live migrations and the affinity rules enforcer. Every constant it
//! uses is a field of [`Parameters`].
//!
//! Where the engine's behaviour depends on things outside it, the model decides as follows:
//! - A VM of a design with no `runs_on` runs at the start, where the scheduler puts it; a VM
//!   of an export with no host is down and stays out of the scenario.
//! - Synchronously replicated storage split by a partition stays writable on the side of the
//!   preferred site (primary first, then as listed) that still talks to the witness, and
//!   nowhere if none does; without a witness every side keeps writing its own copy (split
//!   brain). Stopped replication with the sites still talking keeps only the preferred copy.
//! - A host without storage pauses its VMs; those holding a lease (or set to `kill`) die when
//!   the lease expires (`lease_takeover`), the others resume when storage returns unless set
//!   to `leave_paused`.
//! - A fence needs another Up host of the data center that can reach the target's site, whose
//!   power (and so its power management) must be on.
//! - The cluster resilience policy (`on_error`) applies to NonOperational hosts only; the
//!   model has none (a host is Up, unreachable, in maintenance or down), so it never applies.
//! - The hosted-engine VM's own memory is not counted on its host.

mod engine;
mod fencing;
mod hosted_engine;
mod migrate;
mod monitoring;
pub mod params;
mod restart;
mod results;
mod sanlock;
pub mod scheduler;
mod spm;
pub mod topology;

use std::collections::{BTreeMap, BTreeSet};

use rand::RngExt;
use stretchdr_model::inventory::{Deployment, DomainType, HostStatus, StorageDomain, VmStatus};
use stretchdr_model::{
    AffinityGroupId, ClusterId, EntityId, HostId, Inventory, StorageDomainId, VmId,
};

use crate::des::{Context, Model, ScheduleError, SimRng, SimTime};
use crate::outcome::{Decision, Reason};
use crate::scenario::{Action, ScenarioEvent, Target};

pub use params::Parameters;

/// What happens in the simulated world. Events carrying an epoch are stale (ignored) when the
/// host's or VM's epoch moved on since they were scheduled.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Event {
    /// The scenario's event with this index.
    Scenario(usize),
    /// The grace after which an unreachable host is declared NonResponsive ran out.
    HostNonResponsive { host: HostId, epoch: u32 },
    /// The engine runs the NonResponsive host's VMs that have leases elsewhere
    /// (`VdsManager.restartVmsWithLeaseIfNeeded`).
    StartUnknownVms { host: HostId, epoch: u32 },
    /// The hosted-engine agents of the live hosts find the engine VM's host stale and the
    /// best-scoring one starts the engine VM.
    HostedEngineAgents { epoch: u32 },
    /// The engine decides whether to fence a NonResponsive host.
    Fence { host: HostId, epoch: u32 },
    /// A fence (power cycle) finished.
    FenceDone { host: HostId, epoch: u32 },
    /// A host finished booting after its power came back.
    HostBooted { host: HostId, generation: u32 },
    /// A VM the engine started is Up.
    VmUp { vm: VmId, epoch: u32 },
    /// Sanlock (or the kill resume behaviour) ends a VM paused by a storage error.
    StorageKill { vm: VmId, epoch: u32 },
    /// The HA restart runner (AutoStartVmsRunner) looks at the VMs waiting for a restart.
    HaRunner,
    /// The engine elects a new SPM in this data center (index into the data-center slots).
    SpmElection { dc: usize },
    /// The engine is serving again.
    EngineUp { epoch: u32 },
    /// A live migration finished.
    MigrationDone { vm: VmId, epoch: u32 },
    /// The affinity rules enforcer's periodic pass over a cluster.
    AffinityEnforcer { cluster: ClusterId },
}

/// A host as the engine sees it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum HostState {
    Up,
    /// Unreachable, within the grace.
    Connecting,
    NonResponsive,
    PreparingForMaintenance,
    Maintenance,
    /// Powered off, fenced, or booting.
    Down,
}

#[derive(Clone, Debug)]
pub struct HostSim {
    /// Physically running.
    pub power: bool,
    pub state: HostState,
    /// Bumped whenever monitoring of this host restarts; stale monitoring events are ignored.
    pub epoch: u32,
    /// VMs the engine places on this host (running, starting, paused, unknown, or the
    /// target of an incoming migration), in arrival order.
    pub vms: Vec<VmId>,
    /// Memory committed to `vms` (and split-brain copies still running here).
    pub memory_used: u64,
    pub migrations_out: u32,
    pub migrations_in: u32,
    /// Offset of this host's monitoring cycle within `vds_refresh_rate`.
    pub refresh_phase: u64,
    /// When the engine last lost contact.
    pub unreachable_since: Option<SimTime>,
    /// When the host stopped renewing its sanlock leases as seen from the engine's side
    /// (power lost, or cut off): its leases are free `host_dead` after its last renewal before.
    pub renew_stopped_at: Option<SimTime>,
    /// Offset of this host's sanlock delta-lease renewals within their period.
    pub renewal_phase: u64,
    /// Bumped by every boot and power loss: a boot event of an older generation is stale.
    pub boot_generation: u32,
    /// Its move to maintenance is stuck on VMs that cannot migrate (reported once).
    pub maintenance_stuck: bool,
    /// Down (unreachable or powered off) intervals for the timeline.
    pub down_since: Option<SimTime>,
    pub down: Vec<(SimTime, SimTime)>,
}

/// A VM as it runs.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum VmState {
    Up,
    Starting,
    /// Paused by a storage error.
    Paused,
    /// On a host the engine cannot reach; may or may not still run.
    Unknown,
    Down,
    Migrating {
        to: HostId,
    },
}

#[derive(Clone, Debug)]
pub struct VmSim {
    pub host: Option<HostId>,
    pub state: VmState,
    /// The qemu process is running (Up, Starting, Migrating, or Unknown on a live host).
    pub alive: bool,
    /// Paused by a storage error (whether or not the engine can see it).
    pub paused: bool,
    pub epoch: u32,
    /// Hosts where a copy still runs while the engine started it elsewhere (split brain).
    pub ghosts: Vec<HostId>,
    pub down_at: Option<SimTime>,
    pub up_at: Option<SimTime>,
    /// The host it came back up on.
    pub up_host: Option<HostId>,
    /// It came back by resuming where it was paused, not by a restart.
    pub resumed: bool,
    pub from_host: Option<HostId>,
    pub migrated_at: Option<SimTime>,
    /// Why the last attempt to bring it back failed.
    pub reason: Option<Reason>,
    pub split_brain: bool,
    /// When its lease can be taken elsewhere (`host_dead` after the last renewal of the host
    /// holding it, once that host stopped renewing: power or storage lost). `None` while the
    /// holder renews it, or when no one holds it.
    pub lease_free_at: Option<SimTime>,
    /// Not running at the start of the run: outside the scenario.
    pub initially_down: bool,
    /// Why it is migrating, while it is.
    pub migration: Option<migrate::MigrationKind>,
    /// A planned failover could not move it off a host preparing for maintenance, and why.
    pub not_migrated: Option<Reason>,
}

/// An HA VM in the restart runner's list: down and waiting, or started and not yet Up.
#[derive(Clone, Copy, Debug)]
struct HaEntry {
    vm: VmId,
    next_attempt: SimTime,
    tries: u32,
    /// Started; it stays in the list (and keeps lower priorities waiting) until it is Up.
    starting: bool,
    /// First found waiting for a higher priority: it waits at most
    /// `max_time_blocked_on_priority` from then.
    blocked_since: Option<SimTime>,
}

/// Key of the restart list: priority (highest first), then order of arrival.
type HaKey = (std::cmp::Reverse<u32>, u64);

/// The engine itself.
#[derive(Clone, Debug)]
pub struct EngineSim {
    pub up: bool,
    pub epoch: u32,
    /// When it last started; `None`: long before the run.
    pub started_at: Option<SimTime>,
    /// Standalone: where it runs now.
    pub site: Option<stretchdr_model::SiteId>,
    /// Self-hosted: the host running the engine VM.
    pub host: Option<HostId>,
    pub down_since: Option<SimTime>,
    pub down_ms: u64,
    /// A restart is scheduled (external HA or the hosted-engine agents).
    pub restart_pending: bool,
    /// Self-hosted: when the engine VM's lease is free, its host having stopped renewing it.
    pub lease_free_at: Option<SimTime>,
}

/// The SPM of one data center.
#[derive(Clone, Debug, Default)]
struct SpmSlot {
    hosts: Vec<HostId>,
    spm: Option<HostId>,
    /// The SPM stopped working at this time (host lost) and no new one is elected yet.
    lost_since: Option<SimTime>,
    down_ms: u64,
    election_pending: bool,
}

/// Indexes of the inventory the engine consults often.
#[derive(Clone, Debug, Default)]
pub struct Index {
    pub cluster_hosts: Vec<Vec<HostId>>,
    pub vm_groups: Vec<Vec<AffinityGroupId>>,
    /// Hosts of each affinity group (its hosts and the hosts of its labels), sorted.
    pub group_hosts: Vec<Vec<HostId>>,
    /// The same as sets, for membership tests on every placement and enforcer pass.
    pub group_host_sets: Vec<HostSet>,
    pub cluster_groups: Vec<Vec<AffinityGroupId>>,
    /// Data-center slot of each host.
    host_dc: Vec<usize>,
    /// The hosted-engine storage domain (or the master, or the first data domain).
    engine_domain: Option<StorageDomainId>,
}

/// A set of hosts, one bit per host of the inventory.
#[derive(Clone, Debug, Default)]
pub struct HostSet(Vec<u64>);

impl HostSet {
    /// The set of `hosts`, of an inventory of `count` hosts.
    fn new(hosts: &[HostId], count: usize) -> HostSet {
        let mut bits = vec![0u64; count.div_ceil(64)];
        for host in hosts {
            if let Some(word) = bits.get_mut(host.index() / 64) {
                *word |= 1 << (host.index() % 64);
            }
        }
        HostSet(bits)
    }

    pub fn contains(&self, host: HostId) -> bool {
        self.0
            .get(host.index() / 64)
            .is_some_and(|word| word & (1 << (host.index() % 64)) != 0)
    }
}

/// Durations drawn anew each time the engine uses them (Monte Carlo variation); `None` uses
/// the parameter.
#[derive(Clone, Copy, Debug, Default)]
pub struct PerUseDraws {
    /// Each VM start takes its own boot time.
    pub vm_boot_time: Option<crate::des::dist::Distribution>,
    /// Each host lost is noticed this much later.
    pub detection_jitter: Option<crate::des::dist::Distribution>,
}

impl PerUseDraws {
    /// `param`, or a draw of `dist` (ms, rounded, never negative).
    pub fn draw(param: u64, dist: Option<crate::des::dist::Distribution>, rng: &mut SimRng) -> u64 {
        dist.map_or(param, |d| libm::round(d.sample(rng)).max(0.0) as u64)
    }
}

/// The simulated engine and world of one run.
pub struct Ovirt<'a> {
    /// Per-use draws of varied durations.
    pub draws: PerUseDraws,
    /// Record the engine's decisions for the timeline (Monte Carlo runs skip it).
    pub record_timeline: bool,
    pub inv: &'a Inventory,
    pub params: &'a Parameters,
    events: &'a [ScenarioEvent],
    pub topology: topology::Topology,
    pub hosts: Vec<HostSim>,
    pub vms: Vec<VmSim>,
    pub engine: EngineSim,
    pub index: Index,
    spm: Vec<SpmSlot>,
    ha_queue: BTreeMap<HaKey, HaEntry>,
    ha_seq: u64,
    /// The lowest priority the runner's last pass left waiting for higher priorities.
    ha_blocked_below: Option<u32>,
    /// Each VM's entry in `ha_queue`, if it has one.
    ha_key: Vec<Option<HaKey>>,
    runner_at: BTreeSet<SimTime>,
    enforcer_armed: Vec<bool>,
    cluster_migrations: Vec<u32>,
    /// A site or the engine recovered: failback is expected.
    pub recovered_at: Option<SimTime>,
    pub last_failback_at: Option<SimTime>,
    pub failback_pending: bool,
    /// The enforcer found nothing more to move back (latest over clusters).
    pub failback_done: Option<SimTime>,
    site_capacity: Vec<u64>,
    site_used: Vec<u64>,
    pub site_peak_percent: Vec<f64>,
    pub timeline: Vec<Decision>,
    /// Some VM has a split-brain copy somewhere (skips the search for them otherwise).
    split_brain_seen: bool,
    /// Starts in the current runner pass, reported as one decision.
    started_batch: Vec<(VmId, HostId)>,
    /// The self-hosted engine's own VM when the inventory lists it (exports): its outcome is
    /// the engine's.
    engine_vm: Option<VmId>,
    /// Changes whenever something the scheduler reads may have changed: every event but the
    /// periodic passes that only look (unknown-VM restarts, the HA runner, the enforcer), and
    /// within those every reservation, assignment and release.
    placement_version: u64,
    /// Per VM: why its last direct start found no host, at which `placement_version`. The
    /// scheduler is a function of the state, so a retry of the same VM against the same
    /// version gives the same answer without a pass over the cluster.
    unknown_vm_rejections: Vec<Option<(u64, Reason)>>,
}

/// An error of the simulation itself (a bug, never bad input).
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error(transparent)]
    Schedule(#[from] ScheduleError),
}

type Ctx<'c> = Context<'c, Event>;

impl<'a> Ovirt<'a> {
    /// The state at time 0: hosts and VMs as the inventory says (VMs of a design without a
    /// host are placed by the scheduler), monitoring phases drawn from `rng`, the SPM elected.
    pub fn new(
        inv: &'a Inventory,
        params: &'a Parameters,
        events: &'a [ScenarioEvent],
        rng: &mut SimRng,
    ) -> Ovirt<'a> {
        let index = build_index(inv);
        let hosts = inv
            .hosts
            .iter()
            .map(|(_, h)| {
                let power = matches!(h.status, HostStatus::Up | HostStatus::Maintenance);
                let state = match h.status {
                    HostStatus::Up => HostState::Up,
                    HostStatus::Maintenance => HostState::Maintenance,
                    _ => HostState::Down,
                };
                HostSim {
                    power,
                    state,
                    epoch: 0,
                    vms: Vec::new(),
                    memory_used: 0,
                    migrations_out: 0,
                    migrations_in: 0,
                    refresh_phase: rng.random_range(0..params.vds_refresh_rate.max(1)),
                    unreachable_since: None,
                    renew_stopped_at: None,
                    renewal_phase: rng.random_range(0..params.lease_renewal_interval()),
                    boot_generation: 0,
                    maintenance_stuck: false,
                    down_since: (!power).then_some(SimTime::ZERO),
                    down: Vec::new(),
                }
            })
            .collect();
        let vms = inv
            .vms
            .iter()
            .map(|_| VmSim {
                host: None,
                state: VmState::Down,
                alive: false,
                paused: false,
                epoch: 0,
                ghosts: Vec::new(),
                down_at: None,
                up_at: None,
                up_host: None,
                resumed: false,
                from_host: None,
                migrated_at: None,
                reason: None,
                split_brain: false,
                lease_free_at: None,
                initially_down: true,
                migration: None,
                not_migrated: None,
            })
            .collect();
        let engine = EngineSim {
            up: true,
            epoch: 0,
            started_at: None,
            site: inv.engine.site,
            host: None,
            down_since: None,
            down_ms: 0,
            restart_pending: false,
            lease_free_at: None,
        };
        let mut spm: Vec<SpmSlot> = vec![SpmSlot::default(); inv.data_centers.len() + 1];
        for (id, _) in inv.hosts.iter() {
            spm[index.host_dc[id.index()]].hosts.push(id);
        }
        let mut site_capacity = vec![0u64; inv.sites.len()];
        for (_, h) in inv.hosts.iter() {
            if let Some(site) = h.site {
                site_capacity[site.index()] =
                    site_capacity[site.index()].saturating_add(h.memory_bytes);
            }
        }
        let mut model = Ovirt {
            draws: PerUseDraws::default(),
            record_timeline: true,
            inv,
            params,
            events,
            topology: topology::Topology::new(inv),
            hosts,
            vms,
            engine,
            index,
            spm,
            ha_queue: BTreeMap::new(),
            ha_seq: 0,
            ha_blocked_below: None,
            ha_key: vec![None; inv.vms.len()],
            runner_at: BTreeSet::new(),
            enforcer_armed: vec![false; inv.clusters.len()],
            cluster_migrations: vec![0; inv.clusters.len()],
            recovered_at: None,
            last_failback_at: None,
            failback_pending: false,
            failback_done: None,
            site_used: vec![0; site_capacity.len()],
            site_peak_percent: vec![0.0; site_capacity.len()],
            site_capacity,
            timeline: Vec::new(),
            started_batch: Vec::new(),
            split_brain_seen: false,
            engine_vm: None,
            placement_version: 0,
            unknown_vm_rejections: vec![None; inv.vms.len()],
        };
        model.place_initial_vms();
        model.place_engine(rng);
        model.initial_spm(rng);
        model
    }

    /// Every VM that runs at the start, on its host or where the scheduler puts it.
    fn place_initial_vms(&mut self) {
        let inv = self.inv;
        let mut unplaced = Vec::new();
        for (id, vm) in inv.vms.iter() {
            if vm.hosted_engine {
                // The hosted-engine agents run it: it stands for the engine (see `engine_vm`).
                self.engine_vm = Some(id);
                continue;
            }
            match vm.host {
                Some(host) if vm.status != VmStatus::Down && self.hosts[host.index()].power => {
                    self.assign(id, host);
                    self.vms[id.index()].state = VmState::Up;
                    self.vms[id.index()].alive = true;
                    self.vms[id.index()].initially_down = false;
                }
                None if runs_at_start(vm) => unplaced.push(id),
                _ => {}
            }
        }
        // Larger and higher-priority VMs first, as an administrator starting a site would.
        unplaced.sort_by_key(|id| {
            let vm = &inv.vms[*id];
            (
                std::cmp::Reverse(vm.ha_priority),
                std::cmp::Reverse(vm.memory_bytes),
                *id,
            )
        });
        for id in unplaced {
            if let Ok(host) = self.place(id, scheduler::Constraint::Any, false) {
                self.assign(id, host);
                let vm = &mut self.vms[id.index()];
                vm.state = VmState::Up;
                vm.alive = true;
                vm.initially_down = false;
            }
        }
    }

    /// Commits `vm` to `host` (memory and membership): it runs there.
    fn assign(&mut self, vm: VmId, host: HostId) {
        self.reserve(vm, host);
        self.vms[vm.index()].host = Some(host);
    }

    /// Reserves `host`'s memory for `vm` (an incoming migration, or [`Self::assign`]).
    fn reserve(&mut self, vm: VmId, host: HostId) {
        self.placement_version += 1;
        let memory = self.inv.vms[vm].memory_bytes;
        let h = &mut self.hosts[host.index()];
        h.vms.push(vm);
        h.memory_used = h.memory_used.saturating_add(memory);
        if let Some(site) = self.inv.hosts[host].site {
            self.site_used[site.index()] = self.site_used[site.index()].saturating_add(memory);
            let capacity = self.site_capacity[site.index()].max(1);
            let percent = self.site_used[site.index()] as f64 * 100.0 / capacity as f64;
            let peak = &mut self.site_peak_percent[site.index()];
            if percent > *peak {
                *peak = percent;
            }
        }
    }

    /// Releases `vm` from `host`.
    fn release(&mut self, vm: VmId, host: HostId) {
        self.placement_version += 1;
        let memory = self.inv.vms[vm].memory_bytes;
        let h = &mut self.hosts[host.index()];
        if let Some(pos) = h.vms.iter().position(|v| *v == vm) {
            h.vms.remove(pos);
            h.memory_used = h.memory_used.saturating_sub(memory);
            if let Some(site) = self.inv.hosts[host].site {
                self.site_used[site.index()] = self.site_used[site.index()].saturating_sub(memory);
            }
        }
        if self.vms[vm.index()].host == Some(host) {
            self.vms[vm.index()].host = None;
        }
    }

    /// Records a decision for the timeline.
    fn decide(&mut self, now: SimTime, kind: &'static str, text: String) {
        if !self.record_timeline {
            return;
        }
        self.timeline.push(Decision {
            at_s: now.as_secs_f64(),
            kind,
            text,
            host: None,
            template: None,
        });
    }

    /// Records a decision about `host`: `template` names it `{host}`; `detail` follows in
    /// parentheses.
    fn decide_host(
        &mut self,
        now: SimTime,
        kind: &'static str,
        host: HostId,
        template: &str,
        detail: Option<String>,
    ) {
        if !self.record_timeline {
            return;
        }
        let name = self.host_name(host);
        let mut text = template.replace("{host}", name);
        if let Some(detail) = detail {
            text = format!("{text} ({detail})");
        }
        self.timeline.push(Decision {
            at_s: now.as_secs_f64(),
            kind,
            text,
            host: Some(name.to_string()),
            template: Some(template.to_string()),
        });
    }

    fn host_name(&self, host: HostId) -> &'a str {
        &self.inv.hosts[host].name
    }

    /// The engine can talk to `host` now.
    pub fn engine_reaches(&self, host: HostId) -> bool {
        self.engine.up
            && self.hosts[host.index()].power
            && self
                .topology
                .connected(self.engine_site(), self.inv.hosts[host].site)
    }

    /// The site the engine runs in now.
    pub fn engine_site(&self) -> Option<stretchdr_model::SiteId> {
        match self.engine.host {
            Some(host) => self.inv.hosts[host].site,
            None => self.engine.site,
        }
    }

    fn self_hosted(&self) -> bool {
        self.inv.engine.deployment == Some(Deployment::SelfHosted)
    }

    /// The VM's disks and lease are reachable from hosts of `site`.
    pub fn storage_ok(&self, vm: VmId, site: Option<stretchdr_model::SiteId>) -> bool {
        let v = &self.inv.vms[vm];
        v.disks
            .iter()
            .chain(v.lease.iter())
            .all(|d| self.topology.has_access(*d, site))
    }

    /// Marks a VM down at `now`; its down time is the first in the run, its up time the last.
    fn mark_down(&mut self, vm: VmId, now: SimTime) {
        let host = self.vms[vm.index()].host;
        let v = &mut self.vms[vm.index()];
        if v.down_at.is_none() {
            v.down_at = Some(now);
            v.from_host = host;
        }
        v.up_at = None;
    }

    /// Runs the scenario event `i`.
    fn scenario_event(&mut self, ctx: &mut Ctx<'_>, i: usize) -> Result<(), SimError> {
        let now = ctx.now();
        let e = &self.events[i];
        self.decide(
            now,
            "scenario",
            format!("{} {}", e.action.as_str(), e.label),
        );
        match (e.action, e.target) {
            (Action::Fail, Target::Site(site)) => {
                self.topology.set_site_up(site, false);
                let hosts: Vec<HostId> = self.inv.site_hosts(site).map(|(h, _)| h).collect();
                for host in hosts {
                    self.power_off(ctx, host)?;
                }
                // A standalone engine, or a self-hosted one the model could not place on a host,
                // runs in its site.
                if (!self.self_hosted() || self.engine.host.is_none())
                    && self.engine.site == Some(site)
                {
                    self.engine_down(ctx, "its site failed")?;
                }
                self.world_changed(ctx)?;
            }
            (Action::Recover, Target::Site(site)) => {
                let was_down = !self.topology.site_up(Some(site));
                self.topology.set_site_up(site, true);
                let hosts: Vec<HostId> = self.inv.site_hosts(site).map(|(h, _)| h).collect();
                for host in hosts {
                    self.power_on(ctx, host)?;
                }
                if was_down
                    && !self.self_hosted()
                    && !self.engine.up
                    && self.engine.site == Some(site)
                {
                    self.engine_start(ctx, self.params.engine_boot_time)?;
                }
                self.recovered(now);
                self.world_changed(ctx)?;
            }
            (Action::Fail, Target::Host(host)) => {
                self.power_off(ctx, host)?;
                self.world_changed(ctx)?;
            }
            (Action::Recover, Target::Host(host)) => {
                self.power_on(ctx, host)?;
                self.recovered(now);
            }
            (Action::Fail, Target::Link(a, b)) => {
                self.topology.set_link_up(a, b, false);
                self.world_changed(ctx)?;
            }
            (Action::Recover, Target::Link(a, b)) => {
                self.topology.set_link_up(a, b, true);
                self.recovered(now);
                self.world_changed(ctx)?;
            }
            (Action::Fail, Target::Replication(d)) => {
                self.topology.set_replication_broken(d, true);
                self.world_changed(ctx)?;
            }
            (Action::Recover, Target::Replication(d)) => {
                self.topology.set_replication_broken(d, false);
                self.world_changed(ctx)?;
            }
            (Action::Fail, Target::Engine) => {
                self.engine_down(ctx, "the engine failed")?;
            }
            (Action::Recover, Target::Engine) => {
                if !self.engine.up {
                    self.engine_start(ctx, 0)?;
                }
            }
            (Action::Maintenance, Target::Site(site)) => {
                let hosts: Vec<HostId> = self.inv.site_hosts(site).map(|(h, _)| h).collect();
                self.start_maintenance(ctx, &hosts)?;
            }
            (Action::Maintenance, Target::Host(host)) => {
                self.start_maintenance(ctx, &[host])?;
            }
            (Action::Maintenance, _) => {}
        }
        Ok(())
    }

    /// A site, host or link came back: the affinity enforcer will move VMs back.
    fn recovered(&mut self, now: SimTime) {
        self.recovered_at = Some(now);
        self.failback_pending = true;
        self.failback_done = None;
        self.last_failback_at = None;
    }

    /// Makes sure the HA runner looks at its list on its first tick at or after `at`.
    fn wake_runner(&mut self, ctx: &mut Ctx<'_>, at: SimTime) -> Result<(), SimError> {
        let tick = self.params.auto_start_runner_interval.max(1);
        let at = SimTime::from_ms(at.max(ctx.now()).as_ms().div_ceil(tick) * tick);
        if self.runner_at.range(..=at).next_back() == Some(&at) {
            return Ok(());
        }
        self.runner_at.insert(at);
        ctx.schedule(at, Event::HaRunner)?;
        Ok(())
    }
}

impl Model for Ovirt<'_> {
    type Event = Event;
    type Error = SimError;

    fn handle(&mut self, ctx: &mut Ctx<'_>, event: Event) -> Result<(), SimError> {
        // The periodic passes change placement inputs only through `reserve`, `release` and
        // `start_migration`, which count themselves; a VM coming Up from Starting changes
        // nothing the scheduler reads (both count as running for affinity); any other event
        // may change anything.
        if !matches!(
            event,
            Event::StartUnknownVms { .. }
                | Event::HaRunner
                | Event::AffinityEnforcer { .. }
                | Event::VmUp { .. }
        ) {
            self.placement_version += 1;
        }
        match event {
            Event::Scenario(i) => self.scenario_event(ctx, i),
            Event::HostNonResponsive { host, epoch } => self.host_non_responsive(ctx, host, epoch),
            Event::StartUnknownVms { host, epoch } => self.start_unknown_vms(ctx, host, epoch),
            Event::HostedEngineAgents { epoch } => self.hosted_engine_agents(ctx, epoch),
            Event::Fence { host, epoch } => self.fence(ctx, host, epoch),
            Event::FenceDone { host, epoch } => self.fence_done(ctx, host, epoch),
            Event::HostBooted { host, generation } => self.host_booted(ctx, host, generation),
            Event::VmUp { vm, epoch } => self.vm_up(ctx, vm, epoch),
            Event::StorageKill { vm, epoch } => self.storage_kill(ctx, vm, epoch),
            Event::HaRunner => {
                self.runner_at.remove(&ctx.now());
                self.ha_runner(ctx)
            }
            Event::SpmElection { dc } => {
                self.spm[dc].election_pending = false;
                self.elect_spm(ctx, dc)
            }
            Event::EngineUp { epoch } => self.engine_up(ctx, epoch),
            Event::MigrationDone { vm, epoch } => self.migration_done(ctx, vm, epoch),
            Event::AffinityEnforcer { cluster } => self.affinity_enforcer(ctx, cluster),
        }
    }
}

impl Ovirt<'_> {
    /// Checks what must hold at every moment: a VM runs on at most one host (split-brain
    /// copies apart), a host's committed memory is what its VMs use and within its capacity.
    pub fn check_invariants(&self) -> Result<(), String> {
        let inv = self.inv;
        let mut resident_on = vec![None; self.vms.len()];
        for (i, h) in self.hosts.iter().enumerate() {
            let host = HostId(i as u32);
            let mut memory = 0u64;
            for vm in &h.vms {
                memory = memory.saturating_add(inv.vms[*vm].memory_bytes);
                if self.vms[vm.index()].host == Some(host) {
                    if let Some(other) = resident_on[vm.index()].replace(host) {
                        return Err(format!(
                            "VM {} on hosts {} and {}",
                            inv.vms[*vm].name,
                            inv.hosts[other].name,
                            h_name(inv, host)
                        ));
                    }
                } else if self.vms[vm.index()].state != (VmState::Migrating { to: host }) {
                    return Err(format!(
                        "host {} holds VM {} that is not on it",
                        h_name(inv, host),
                        inv.vms[*vm].name
                    ));
                }
            }
            for (v, sim) in self.vms.iter().enumerate() {
                let copies = sim.ghosts.iter().filter(|g| **g == host).count() as u64;
                memory = memory
                    .saturating_add(copies.saturating_mul(inv.vms[VmId(v as u32)].memory_bytes));
            }
            if memory != h.memory_used {
                return Err(format!(
                    "host {} counts {} bytes, its VMs use {memory}",
                    h_name(inv, host),
                    h.memory_used
                ));
            }
            let overcommit = inv.hosts[host].cluster.map_or(100, |c| {
                u64::from(inv.clusters[c].memory_overcommit_percent)
            });
            let capacity = scheduler::memory_capacity(inv.hosts[host].memory_bytes, overcommit);
            if h.memory_used > capacity {
                return Err(format!(
                    "host {} is over its memory: {} > {capacity}",
                    h_name(inv, host),
                    h.memory_used
                ));
            }
        }
        // Nothing runs on a host without power, nor the engine in a site that is down.
        for (v, sim) in self.vms.iter().enumerate() {
            if let Some(host) = sim.host
                && sim.alive
                && !self.hosts[host.index()].power
            {
                return Err(format!(
                    "VM {} runs on {} which has no power",
                    inv.vms[VmId(v as u32)].name,
                    h_name(inv, host)
                ));
            }
        }
        if self.engine.up {
            match self.engine.host {
                Some(host) if self.self_hosted() && !self.hosts[host.index()].power => {
                    return Err(format!(
                        "the engine runs on {} which has no power",
                        h_name(inv, host)
                    ));
                }
                None if !self.topology.site_up(self.engine.site) => {
                    return Err("the engine runs in a site that is down".into());
                }
                _ => {}
            }
        }
        for (v, sim) in self.vms.iter().enumerate() {
            if let Some(host) = sim.host
                && resident_on[v] != Some(host)
            {
                return Err(format!(
                    "VM {} says it is on {} which does not hold it",
                    inv.vms[VmId(v as u32)].name,
                    h_name(inv, host)
                ));
            }
        }
        Ok(())
    }
}

fn h_name(inv: &Inventory, host: HostId) -> &str {
    &inv.hosts[host].name
}

/// A VM runs at the start when it is up: an exported VM where the engine reported it, a
/// design VM on its `runs_on` host or, without one, wherever the scheduler places it.
fn runs_at_start(vm: &stretchdr_model::inventory::Vm) -> bool {
    vm.status == VmStatus::Up
}

fn build_index(inv: &Inventory) -> Index {
    let mut cluster_hosts = vec![Vec::new(); inv.clusters.len()];
    for (id, h) in inv.hosts.iter() {
        if let Some(c) = h.cluster {
            cluster_hosts[c.index()].push(id);
        }
    }
    let mut vm_groups = vec![Vec::new(); inv.vms.len()];
    let mut group_hosts = Vec::with_capacity(inv.affinity_groups.len());
    let mut group_host_sets = Vec::with_capacity(inv.affinity_groups.len());
    let mut cluster_groups = vec![Vec::new(); inv.clusters.len()];
    for (gid, g) in inv.affinity_groups.iter() {
        for vm in &g.vms {
            vm_groups[vm.index()].push(gid);
        }
        let mut hosts = g.hosts.clone();
        for label in &g.labels {
            hosts.extend(inv.affinity_labels[*label].hosts.iter().copied());
        }
        hosts.sort();
        hosts.dedup();
        group_host_sets.push(HostSet::new(&hosts, inv.hosts.len()));
        group_hosts.push(hosts);
        if let Some(c) = g.cluster {
            cluster_groups[c.index()].push(gid);
        }
    }
    let none_slot = inv.data_centers.len();
    let host_dc = inv
        .hosts
        .values()
        .map(|h| {
            h.cluster
                .and_then(|c| inv.clusters[c].data_center)
                .map_or(none_slot, |d| d.index())
        })
        .collect();
    let domains: Vec<(StorageDomainId, &StorageDomain)> = inv.storage_domains.iter().collect();
    let engine_domain = domains
        .iter()
        .find(|(_, d)| d.domain_type == DomainType::HostedEngine)
        .or_else(|| domains.iter().find(|(_, d)| d.master))
        .or_else(|| {
            domains
                .iter()
                .find(|(_, d)| d.domain_type == DomainType::Data)
        })
        .map(|(id, _)| *id);
    Index {
        cluster_hosts,
        vm_groups,
        group_hosts,
        group_host_sets,
        cluster_groups,
        host_dc,
        engine_domain,
    }
}
