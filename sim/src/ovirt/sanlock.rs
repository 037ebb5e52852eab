//! Sanlock leases as the engine meets them: VM leases, the hosted-engine VM's lease and the
//! SPM lease are sanlock resources held by a host that renews its delta lease every
//! `id_renewal_seconds` (2 x `io_timeout`, 20 s). A host that stops renewing (power lost, or
//! its storage gone) kills the VMs holding its leases at `id_renewal_fail_seconds` (80 s after
//! its last renewal) and another host may acquire them at `host_dead_seconds` (140 s after it);
//! before that an acquire blocks, and against a holder that still renews it fails.
//! Source: sanlock `src/timeouts.h` / `src/timeouts.c` (`calc_host_dead_seconds`,
//! `calc_id_renewal_fail_seconds`), `src/paxos_lease.c` (`paxos_lease_acquire` waiting for the
//! owner's host_dead); vdsm configures `io_timeout` = 10 s (`vdsm/storage/sanlock_direct.py`,
//! `constants.py` `SANLOCK_IO_TIMEOUT`).

use stretchdr_model::{EntityId, HostId, VmId};

use crate::des::SimTime;
use crate::ovirt::Ovirt;

/// When a lease can be acquired by another host.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum LeaseWait {
    /// Now: nobody holds it.
    Free,
    /// At this time: its holder stopped renewing; the acquire blocks until then.
    At(SimTime),
    /// Not while its holder renews it: the acquire fails.
    Held,
}

impl Ovirt<'_> {
    /// `ms` after the last renewal of `host`'s delta lease at or before `at` (renewals fall on
    /// the host's own phase within the renewal period; the last one may predate the run).
    pub(super) fn after_last_renewal(&self, host: HostId, at: SimTime, ms: u64) -> SimTime {
        let period = self.params.lease_renewal_interval();
        let phase = self.hosts[host.index()].renewal_phase % period;
        // Renewals at phase + k x period, k of any sign.
        let t = i128::from(at.as_ms());
        let since = (t - i128::from(phase)).rem_euclid(i128::from(period));
        let when = t - since + i128::from(ms);
        SimTime::from_ms(u64::try_from(when.max(0)).unwrap_or(u64::MAX))
    }

    /// `host`, holding `vm`'s lease, stops renewing at `now`.
    pub(super) fn lease_stops(&mut self, vm: VmId, host: HostId, now: SimTime) {
        if self.inv.vms[vm].lease.is_none() {
            return;
        }
        let free = self.after_last_renewal(host, now, self.params.lease_takeover());
        self.vms[vm.index()].lease_free_at.get_or_insert(free);
    }

    /// When another host can acquire `vm`'s lease (`Free` for a VM without one).
    pub(super) fn lease_wait(&self, vm: VmId) -> LeaseWait {
        let v = &self.vms[vm.index()];
        if self.inv.vms[vm].lease.is_none() {
            return LeaseWait::Free;
        }
        match v.lease_free_at {
            Some(free) => LeaseWait::At(free),
            None if v.alive => LeaseWait::Held,
            None => LeaseWait::Free,
        }
    }

    /// When the leases of `host` (its SPM lease) can be acquired elsewhere, once it stopped
    /// renewing at `stopped`.
    pub(super) fn host_leases_free_at(&self, host: HostId, stopped: SimTime) -> SimTime {
        self.after_last_renewal(host, stopped, self.params.lease_takeover())
    }
}
