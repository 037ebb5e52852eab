//! The engine's behaviour constants, each a named parameter with oVirt's default.
//!
//! Engine configuration keys (`engine-config -g KEY`) are named in each doc comment; their
//! defaults are those of ovirt-engine's `packaging/dbscripts/upgrade/pre_upgrade/0000_config.sql`
//! (after its updates). Constants that come from vdsm, sanlock or the hosted-engine agent say
//! so; the few that are estimates of a duration outside the engine (boot times) say that too.
//! A scenario's `[parameters]` table overrides any of them by the snake_case name.

use stretchdr_model::units::{parse_bandwidth_bps, parse_duration_ms};

/// How a parameter's value is written in a scenario file.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    /// A duration with a unit: `"3s"`, `"500ms"`, `"4h"`.
    Duration,
    /// A whole number.
    Count,
    /// A bandwidth with a unit: `"52MiB/s"`, `"1Gbps"`.
    Bandwidth,
}

macro_rules! parameters {
    ($( $(#[doc = $doc:literal])* $field:ident : $ty:ty = $default:expr, $kind:ident; )*) => {
        /// The engine behaviour the simulator follows. `Default` is oVirt's configuration.
        #[derive(Clone, Debug, PartialEq)]
        pub struct Parameters {
            $( $(#[doc = $doc])* pub $field: $ty, )*
        }

        impl Default for Parameters {
            fn default() -> Self {
                Parameters { $( $field: $default, )* }
            }
        }

        /// Every parameter: its scenario-file name, how it is written, and its documentation.
        pub const PARAMETERS: &[(&str, Kind, &str)] = &[
            $( (stringify!($field), Kind::$kind, concat!($($doc, "\n"),*)), )*
        ];

        impl Parameters {
            /// Sets the parameter `name` from its scenario-file value; the error says what was expected.
            pub fn set(&mut self, name: &str, value: &toml::Value) -> Result<(), String> {
                let kind = kind_of(name).ok_or_else(|| unknown(name))?;
                self.set_base(name, convert(kind, value)?)
            }

            /// Sets the parameter `name` to `value` in its base unit (ms, count, bits per second).
            pub fn set_base(&mut self, name: &str, value: u64) -> Result<(), String> {
                if value == 0 && MUST_BE_POSITIVE.contains(&name) {
                    return Err(format!("`{name}` must be more than 0"));
                }
                match name {
                    $( stringify!($field) => {
                        self.$field = value
                            .try_into()
                            .map_err(|_| format!("value of `{name}` is out of range"))?;
                        Ok(())
                    } )*
                    _ => Err(unknown(name)),
                }
            }

            /// The value of the parameter `name` in its base unit.
            pub fn get_base(&self, name: &str) -> Option<u64> {
                match name {
                    $( stringify!($field) => Some(u64::from(self.$field)), )*
                    _ => None,
                }
            }
        }
    };
}

/// Periods and rates that drive repeated events: zero would stop simulated time.
pub const MUST_BE_POSITIVE: &[&str] = &[
    "vds_refresh_rate",
    "refreshes_before_start_unknown_vms",
    "refreshes_before_retry_unknown_vms",
    "auto_start_runner_interval",
    "ha_retry_short_interval",
    "ha_retry_long_interval",
    "affinity_enforcer_interval",
    "migrations_per_host",
    "migration_bandwidth",
];

/// The largest count a parameter may be: with durations at most
/// [`stretchdr_model::units::MAX_DURATION_MS`], products such as `vds_refresh_rate` x
/// `refreshes_before_retry_unknown_vms` stay far below where `u64` wraps.
const MAX_COUNT: i64 = 1_000_000;

/// The value of a scenario-file parameter, in its base unit (ms, count, bits per second).
fn convert(kind: Kind, value: &toml::Value) -> Result<u64, String> {
    match (kind, value) {
        (Kind::Duration, toml::Value::String(text)) => parse_duration_ms(text),
        (Kind::Bandwidth, toml::Value::String(text)) => parse_bandwidth_bps(text),
        (Kind::Count, toml::Value::Integer(n)) if (0..=MAX_COUNT).contains(n) => Ok(*n as u64),
        (Kind::Count, toml::Value::Integer(n)) if *n > MAX_COUNT => Err(format!(
            "{n} is out of range: at most {MAX_COUNT} (no engine setting counts that high)"
        )),
        (Kind::Duration, _) => {
            Err("expected a duration such as \"3s\", \"500ms\" or \"4h\"".into())
        }
        (Kind::Bandwidth, _) => Err("expected a bandwidth such as \"52MiB/s\" or \"1Gbps\"".into()),
        (Kind::Count, _) => Err("expected a whole number, 0 or more".into()),
    }
}

/// The message for a parameter name the simulator does not know.
pub fn unknown(name: &str) -> String {
    let names: Vec<&str> = PARAMETERS.iter().map(|(n, _, _)| *n).collect();
    format!(
        "unknown parameter `{name}`; expected one of: {}",
        names.join(", ")
    )
}

/// The kind of the parameter `name`, if there is one.
pub fn kind_of(name: &str) -> Option<Kind> {
    PARAMETERS
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, kind, _)| *kind)
}

parameters! {
    /// Host monitoring period: the engine polls every host this often (`VdsRefreshRate`, 3 s;
    /// the configuration's first value of 2 s was updated to 3 s).
    vds_refresh_rate: u64 = 3_000, Duration;
    /// Base grace before an unreachable host is declared NonResponsive and its VMs Unknown
    /// (`TimeoutToResetVdsInSeconds`, 60 s).
    timeout_to_reset_vds: u64 = 60_000, Duration;
    /// Extra grace when the unreachable host is the SPM (`DelayResetForSpmInSeconds`, 20 s).
    delay_reset_for_spm: u64 = 20_000, Duration;
    /// Extra grace per VM running on the unreachable host (`DelayResetPerVmInSeconds`, 0.5 s).
    delay_reset_per_vm: u64 = 500, Duration;
    /// Failed refreshes the engine allows before a host may turn NonResponsive, whatever the
    /// grace (`VDSAttemptsToResetCount`, 2; `VdsManager.isHostInGracePeriod`): the host turns
    /// NonResponsive on the third failed refresh at the earliest, and on exactly that one after
    /// the engine (re)started, when it has no last-update time for the host.
    vds_attempts_to_reset_count: u32 = 2, Count;
    /// Refreshes of a NonResponsive host after which the engine runs its VMs that have a lease
    /// directly elsewhere (`NumberVdsRefreshesBeforeTryToStartUnknownVms`, 10;
    /// `VdsManager.handleNetworkException` sets the counter to -10 and
    /// `restartVmsWithLeaseIfNeeded` increments it on every failed refresh, the one that turned
    /// the host NonResponsive included, and fires at 0: 9 refreshes after NonResponsive).
    refreshes_before_start_unknown_vms: u32 = 10, Count;
    /// Refreshes between two direct runs of a NonResponsive host's leased VMs
    /// (`NumberVdsRefreshesBeforeRetryToStartUnknownVms`, 100; the counter fires when it is a
    /// multiple of this + 1, so every 101 refreshes).
    refreshes_before_retry_unknown_vms: u32 = 100, Count;
    /// Sanlock's I/O timeout (`io_timeout`, 10 s, as vdsm configures it). A host renews its
    /// delta lease every 2 x this (20 s); it fails its renewal and kills its leased VMs
    /// 8 x this after its last renewal (`id_renewal_fail_seconds`, 80 s); see
    /// sanlock's `timeouts.h` / `timeouts.c`.
    sanlock_io_timeout: u64 = 10_000, Duration;
    /// Time the host watchdog (wdmd) allows after a failed renewal before another host may take
    /// the host's leases (sanlock's `WATCHDOG_FIRE_TIMEOUT`, 60 s): `host_dead_seconds` is
    /// `id_renewal_fail_seconds` + this, 140 s after the last renewal.
    watchdog_timeout: u64 = 60_000, Duration;
    /// No fencing for this long after the engine starts (`DisableFenceAtStartupInSec`, 300 s).
    disable_fence_at_startup: u64 = 300_000, Duration;
    /// Time a power-management fence (stop, status, start) takes; the engine waits
    /// `FenceStartStatusDelayBetweenRetriesInSec` (10 s) between status checks. Estimate: 30 s.
    fence_time: u64 = 30_000, Duration;
    /// Period of the HA restart runner: VMs listed for a restart are looked at on its ticks
    /// (`AutoStartVmsRunnerIntervalInSeconds`, 1 s).
    auto_start_runner_interval: u64 = 1_000, Duration;
    /// HA restart retries in the short interval (`RetryToRunAutoStartVmShortIntervalInSeconds`, 30 s).
    ha_retry_short_interval: u64 = 30_000, Duration;
    /// How many short-interval retries (`NumOfTriesToRunFailedAutoStartVmInShortIntervals`, 10).
    ha_retry_short_tries: u32 = 10, Count;
    /// HA restart retries after the short ones (`RetryToRunAutoStartVmLongIntervalInSeconds`, 1800 s).
    ha_retry_long_interval: u64 = 1_800_000, Duration;
    /// Longest time a lower-priority HA VM waits for higher-priority ones to start
    /// (`MaxTimeAutoStartBlockedOnPriority`, 600 s).
    max_time_blocked_on_priority: u64 = 600_000, Duration;
    /// Period of the affinity rules enforcer (`AffinityRulesEnforcementManagerRegularInterval`, 1 min).
    affinity_enforcer_interval: u64 = 60_000, Duration;
    /// Concurrent outgoing (and incoming) migrations per host: vdsm's `max_outgoing_migrations`
    /// of the "Minimal downtime" policy, 2.
    migrations_per_host: u32 = 2, Count;
    /// Bandwidth of one migration when the engine sends no limit: vdsm's
    /// `migration_max_bandwidth`, 52 MiB/s (`lib/vdsm/common/config.py.in`). The engine sends
    /// one unless the cluster's `migration_bandwidth` is `hypervisor_default` or AUTO knows no
    /// NIC speed (`MigrateVmCommand.getMaxBandwidth`).
    migration_bandwidth: u64 = 52 * 8 * 1024 * 1024, Bandwidth;
    /// Time from the engine's run command to the VM being Up. Estimate: 60 s.
    vm_boot_time: u64 = 60_000, Duration;
    /// Time from a host's power returning (site recovery) or a fence restart to the host being
    /// Up in the engine (boot, vdsm, activation). Estimate: 5 min.
    host_boot_time: u64 = 300_000, Duration;
    /// Time after which the hosted-engine agents consider a host whose metadata stopped
    /// changing dead (ovirt-hosted-engine-ha `agent/constants.py.in` `HOST_ALIVE_TIMEOUT_SECS`,
    /// 60 s, read in `agent/state_machine.py`); then the best-scoring live agent (base score
    /// `BASE_SCORE` 3400) starts the engine VM. A dead host has no agent and no score.
    hosted_engine_history: u64 = 60_000, Duration;
    /// Time from the hosted-engine VM starting to the engine serving. Estimate: 3 min.
    engine_boot_time: u64 = 180_000, Duration;
    /// A standalone engine with external HA: time for the external cluster to fail it over. Estimate: 2 min.
    external_ha_failover_time: u64 = 120_000, Duration;
    /// Extra time, per host lost, before the engine's monitoring notices (a slow network
    /// timeout, a late vdsm reply). Not an engine constant: 0, vary it in `[variation]` (drawn
    /// per host) to spread detection.
    detection_jitter: u64 = 0, Duration;
    /// How long the run continues after the scenario's last event (not an engine constant).
    horizon: u64 = 7_200_000, Duration;
}

impl Parameters {
    /// Sanlock's `host_dead_seconds`: time after a host's last renewal before its leases can
    /// be taken elsewhere (`id_renewal_fail_seconds` plus the watchdog), 140 s.
    pub fn lease_takeover(&self) -> u64 {
        self.id_renewal_fail().saturating_add(self.watchdog_timeout)
    }

    /// Sanlock's `id_renewal_fail_seconds`: time after a host's last renewal at which it kills
    /// the VMs holding its leases (8 x `io_timeout`), 80 s.
    pub fn id_renewal_fail(&self) -> u64 {
        self.sanlock_io_timeout.saturating_mul(8)
    }

    /// Sanlock's delta-lease renewal period (`id_renewal_seconds`, 2 x `io_timeout`), 20 s.
    pub fn lease_renewal_interval(&self) -> u64 {
        self.sanlock_io_timeout.saturating_mul(2).max(1)
    }

    /// Refreshes from the one that turned a host NonResponsive to the first direct run of its
    /// leased VMs, and between two runs (`VdsManager.restartVmsWithLeaseIfNeeded`: the counter
    /// starts at `-refreshes_before_start_unknown_vms`, counts every failed refresh and fires
    /// at the multiples of `refreshes_before_retry_unknown_vms + 1` from 0).
    pub fn unknown_vms_refreshes(&self) -> (u64, u64) {
        let period = u64::from(self.refreshes_before_retry_unknown_vms).saturating_add(1);
        // The counter after the NonResponsive refresh.
        let first = 1 - i64::from(self.refreshes_before_start_unknown_vms);
        let fire = if first <= 0 {
            0
        } else {
            (first as u64).div_ceil(period) * period
        };
        ((fire as i64 - first) as u64, period)
    }
}

#[cfg(test)]
mod tests {
    use super::{PARAMETERS, Parameters};

    #[test]
    fn defaults_match_the_engine_configuration() {
        let p = Parameters::default();
        assert_eq!(p.vds_refresh_rate, 3_000);
        assert_eq!(p.lease_takeover(), 140_000);
        assert_eq!(p.id_renewal_fail(), 80_000);
        assert_eq!(p.lease_renewal_interval(), 20_000);
        // -10 + 1 at the NonResponsive refresh, 0 nine refreshes later; then every 101.
        assert_eq!(p.unknown_vms_refreshes(), (9, 101));
        assert!(PARAMETERS.iter().all(|(_, _, doc)| !doc.trim().is_empty()));
    }

    #[test]
    fn set_by_name_with_units() {
        let mut p = Parameters::default();
        p.set("vds_refresh_rate", &toml::Value::String("5s".into()))
            .unwrap();
        p.set("ha_retry_short_tries", &toml::Value::Integer(3))
            .unwrap();
        assert_eq!((p.vds_refresh_rate, p.ha_retry_short_tries), (5_000, 3));
        assert!(
            p.set("vds_refresh", &toml::Value::Integer(3))
                .unwrap_err()
                .contains("unknown parameter")
        );
        assert!(p.set("vds_refresh_rate", &toml::Value::Integer(3)).is_err());
        let zero = toml::Value::String("0s".into());
        assert!(
            p.set("affinity_enforcer_interval", &zero)
                .unwrap_err()
                .contains("more than 0")
        );
        assert!(p.set("vm_boot_time", &zero).is_ok());
        assert!(
            super::MUST_BE_POSITIVE
                .iter()
                .all(|n| super::kind_of(n).is_some())
        );
    }
}
