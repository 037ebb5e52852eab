//! A scenario's `[variation]` applied to one run: parameters drawn for the run, partial site
//! loss and random host failures turned into events, and the durations drawn per use.

use std::borrow::Cow;

use rand::RngExt;
use stretchdr_model::{HostId, Inventory, SiteId};

use crate::des::dist::{Distribution, unit_open};
use crate::des::{SimRng, SimTime};
use crate::ovirt::{Parameters, PerUseDraws};
use crate::scenario::{
    Action, HOST_FAILURE_RATE, SITE_LOSS_FRACTION, Scenario, ScenarioEvent, Target, event,
};

/// Parameters drawn anew each time they are used rather than once per run.
const PER_USE: [&str; 2] = ["vm_boot_time", "detection_jitter"];

/// What a run of a scenario uses: its parameters and events after variation.
pub struct RunSetup<'s> {
    pub parameters: Cow<'s, Parameters>,
    pub events: Cow<'s, [ScenarioEvent]>,
    pub per_use: PerUseDraws,
}

/// Draws the run's variation from `rng` (nothing is drawn when the scenario has none, so the
/// run is exactly the scenario as written). Draws happen in a fixed order: parameters by name,
/// then each `fail site` event's hosts, then each host's failure time.
pub fn draw<'s>(
    inv: &Inventory,
    scenario: &'s Scenario,
    end: SimTime,
    rng: &mut SimRng,
) -> RunSetup<'s> {
    let variation = &scenario.variation;
    if variation.is_empty() {
        return RunSetup {
            parameters: Cow::Borrowed(&scenario.parameters),
            events: Cow::Borrowed(&scenario.events),
            per_use: PerUseDraws::default(),
        };
    }
    let mut parameters = scenario.parameters.clone();
    for (name, dist) in variation {
        if PER_USE.contains(&name.as_str())
            || [SITE_LOSS_FRACTION, HOST_FAILURE_RATE].contains(&name.as_str())
        {
            continue;
        }
        let value = libm::round(dist.sample(rng)).max(1.0) as u64;
        // Validated by the scenario loader: a known duration or bandwidth parameter.
        let _ = parameters.set_base(name, value);
    }
    let mut events = scenario.events.clone();
    if let Some(fraction) = variation.get(SITE_LOSS_FRACTION) {
        events = partial_site_loss(inv, &events, fraction, rng);
    }
    if let Some(rate) = variation.get(HOST_FAILURE_RATE) {
        random_host_failures(inv, &mut events, rate, end, rng);
    }
    events.sort_by_key(|e| e.at);
    RunSetup {
        parameters: Cow::Owned(parameters),
        events: Cow::Owned(events),
        per_use: PerUseDraws {
            vm_boot_time: variation.get("vm_boot_time").copied(),
            detection_jitter: variation.get("detection_jitter").copied(),
        },
    }
}

/// Each `fail site:S` becomes the failure of a drawn fraction of S's hosts (chosen at random),
/// and a later `recover site:S` the recovery of those hosts.
fn partial_site_loss(
    inv: &Inventory,
    events: &[ScenarioEvent],
    fraction: &Distribution,
    rng: &mut SimRng,
) -> Vec<ScenarioEvent> {
    let mut lost: Vec<(SiteId, Vec<HostId>)> = Vec::new();
    let mut out = Vec::with_capacity(events.len());
    for e in events {
        match (e.action, e.target) {
            (Action::Fail, Target::Site(site)) => {
                let mut hosts: Vec<HostId> = inv.site_hosts(site).map(|(h, _)| h).collect();
                let share = fraction.sample(rng).clamp(0.0, 1.0);
                let n = libm::round(share * hosts.len() as f64) as usize;
                // Partial Fisher-Yates: the first n are a uniform random subset.
                for i in 0..n.min(hosts.len()) {
                    let j = rng.random_range(i..hosts.len());
                    hosts.swap(i, j);
                }
                hosts.truncate(n);
                hosts.sort();
                for &h in &hosts {
                    out.push(event(inv, e.at.as_ms(), Action::Fail, Target::Host(h)));
                }
                lost.push((site, hosts));
            }
            (Action::Recover, Target::Site(site)) if lost.iter().any(|(s, _)| *s == site) => {
                let at = lost
                    .iter()
                    .position(|(s, _)| *s == site)
                    .expect("found above");
                for h in lost.remove(at).1 {
                    out.push(event(inv, e.at.as_ms(), Action::Recover, Target::Host(h)));
                }
            }
            _ => out.push(e.clone()),
        }
    }
    out
}

/// Every host fails on its own at an exponential time of the drawn rate (per host and hour);
/// a failure inside the run (before `end`) is a `fail host` event. One draw per host, always,
/// so a host's failure time does not depend on the others'.
fn random_host_failures(
    inv: &Inventory,
    events: &mut Vec<ScenarioEvent>,
    rate: &Distribution,
    end: SimTime,
    rng: &mut SimRng,
) {
    let per_hour = rate.sample(rng);
    for (host, _) in inv.hosts.iter() {
        let u = unit_open(rng);
        if per_hour <= 0.0 {
            continue;
        }
        let at_ms = -libm::log1p(-u) / per_hour * 3_600_000.0;
        if at_ms < end.as_ms() as f64 {
            events.push(event(inv, at_ms as u64, Action::Fail, Target::Host(host)));
        }
    }
}
