//! Fencing a NonResponsive host through its power management: follows
//! `VdsNotRespondingTreatmentCommand` (`shouldFencingBeSkipped`,
//! `isConnectivityBrokenThresholdReached`, `DisableFenceAtStartupInSec`) and `FenceProxyLocator`
//! in ovirt-engine's `backend/manager/modules/bll/.../pm`.

use stretchdr_model::{EntityId, HostId};

use crate::des::SimTime;
use crate::outcome::Reason;
use crate::ovirt::{Ctx, Event, HostState, Ovirt, SimError};

impl Ovirt<'_> {
    /// The engine's non-responding treatment: fence the host if it may and can.
    pub(super) fn fence(
        &mut self,
        ctx: &mut Ctx<'_>,
        host: HostId,
        epoch: u32,
    ) -> Result<(), SimError> {
        let now = ctx.now();
        if !self.monitoring_applies(host, epoch, HostState::NonResponsive) {
            return Ok(());
        }
        let inv = self.inv;
        let cluster = inv.hosts[host].cluster;
        let policy = cluster.map(|c| inv.clusters[c].fencing).unwrap_or_default();
        let failure = if !policy.enabled {
            Some("fencing is disabled in its cluster".to_string())
        } else if !inv.hosts[host].power_management {
            Some("it has no power management".to_string())
        } else if let Some(percent) = self.unreachable_percent(host)
            && policy.skip_if_connectivity_broken
            && percent >= policy.threshold
        {
            Some(format!(
                "{percent}% of its cluster's hosts are unreachable (skip_if_connectivity_broken, threshold {}%)",
                policy.threshold
            ))
        } else {
            None
        };
        if failure.is_none() {
            let allowed_at = self.engine.started_at.map_or(SimTime::ZERO, |t| {
                t.after(self.params.disable_fence_at_startup)
            });
            if now < allowed_at {
                let template = format!(
                    "fencing of {{host}} deferred: the engine started less than {}s ago",
                    self.params.disable_fence_at_startup / 1000
                );
                self.decide_host(now, "fence", host, &template, None);
                ctx.schedule(allowed_at, Event::Fence { host, epoch })?;
                return Ok(());
            }
        }
        let failure = failure.or_else(|| {
            let site = inv.hosts[host].site;
            let proxy = self.hosts.iter().enumerate().any(|(i, p)| {
                let pid = HostId(i as u32);
                pid != host
                    && p.state == HostState::Up
                    && self.index.host_dc[i] == self.index.host_dc[host.index()]
                    && self.topology.connected(inv.hosts[pid].site, site)
            });
            (!proxy).then(|| {
                if self.topology.site_up(site) {
                    "no fence proxy host can reach its power management".to_string()
                } else {
                    "its power management went down with its site".to_string()
                }
            })
        });
        match failure {
            Some(why) => {
                self.decide_host(
                    now,
                    "fence",
                    host,
                    &format!("cannot fence {{host}}: {why}"),
                    None,
                );
                for vm in self.hosts[host.index()].vms.clone() {
                    let v = &mut self.vms[vm.index()];
                    if v.host == Some(host) && inv.vms[vm].ha && inv.vms[vm].lease.is_none() {
                        v.reason = Some(Reason::NoLeaseNoFencing);
                    }
                }
            }
            None => {
                self.decide_host(
                    now,
                    "fence",
                    host,
                    "fencing {host} through its power management",
                    None,
                );
                ctx.schedule_in(self.params.fence_time, Event::FenceDone { host, epoch })?;
            }
        }
        Ok(())
    }

    /// Percent of the host's cluster that the engine cannot reach.
    fn unreachable_percent(&self, host: HostId) -> Option<u32> {
        let cluster = self.inv.hosts[host].cluster?;
        let hosts = &self.index.cluster_hosts[cluster.index()];
        let unreachable = hosts
            .iter()
            .filter(|h| {
                matches!(
                    self.hosts[h.index()].state,
                    HostState::Connecting | HostState::NonResponsive
                )
            })
            .count();
        Some((unreachable * 100 / hosts.len().max(1)) as u32)
    }

    pub(super) fn fence_done(
        &mut self,
        ctx: &mut Ctx<'_>,
        host: HostId,
        epoch: u32,
    ) -> Result<(), SimError> {
        let now = ctx.now();
        if self.hosts[host.index()].epoch != epoch {
            return Ok(());
        }
        self.decide_host(
            now,
            "fence",
            host,
            "host {host} fenced: its VMs are Down",
            None,
        );
        let was_running = self.hosts[host.index()].power;
        if was_running {
            self.power_off(ctx, host)?;
        }
        let h = &mut self.hosts[host.index()];
        h.state = HostState::Down;
        h.epoch += 1;
        for vm in self.hosts[host.index()].vms.clone() {
            if self.vms[vm.index()].host == Some(host) {
                self.vm_found_down(ctx, vm, host)?;
            }
        }
        if self.is_spm(host) {
            let dc = self.index.host_dc[host.index()];
            self.schedule_election(ctx, dc, now)?;
        }
        if was_running {
            // The fence restarts a host that was alive (it reboots); a dead host stays down.
            self.hosts[host.index()].power = false;
            self.schedule_boot(ctx, host)?;
        }
        Ok(())
    }
}
