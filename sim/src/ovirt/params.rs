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

/// The value of a scenario-file parameter, in its base unit (ms, count, bits per second).
fn convert(kind: Kind, value: &toml::Value) -> Result<u64, String> {
    match (kind, value) {
        (Kind::Duration, toml::Value::String(text)) => parse_duration_ms(text),
        (Kind::Bandwidth, toml::Value::String(text)) => parse_bandwidth_bps(text),
        (Kind::Count, toml::Value::Integer(n)) if *n >= 0 => Ok(*n as u64),
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
    /// Refreshes of a NonResponsive host after which the engine tries to start its VMs that have
    /// a lease elsewhere (`NumberVdsRefreshesBeforeTryToStartUnknownVms`, 10).
    refreshes_before_start_unknown_vms: u32 = 10, Count;
    /// Refreshes before the engine tries again when the lease was still held
    /// (`NumberVdsRefreshesBeforeRetryToStartUnknownVms`, 100).
    refreshes_before_retry_unknown_vms: u32 = 100, Count;
    /// Sanlock's I/O timeout; a lease not renewed for 8 x this expires (sanlock
    /// `io_timeout`, 10 s, as vdsm configures it).
    sanlock_io_timeout: u64 = 10_000, Duration;
    /// Time the host watchdog (wdmd) allows after lease expiry before another host may take a
    /// dead host's leases (sanlock's watchdog fire timeout, 60 s).
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
    /// Bandwidth of one migration: vdsm's `migration_max_bandwidth`, 52 MiB/s.
    migration_bandwidth: u64 = 52 * 8 * 1024 * 1024, Bandwidth;
    /// Time from the engine's run command to the VM being Up. Estimate: 60 s.
    vm_boot_time: u64 = 60_000, Duration;
    /// Time from a host's power returning (site recovery) or a fence restart to the host being
    /// Up in the engine (boot, vdsm, activation). Estimate: 5 min.
    host_boot_time: u64 = 300_000, Duration;
    /// Host history the hosted-engine agents need before the best-scoring host (base score
    /// `HostedEngineMaximumHighAvailabilityScore` 3400) starts the engine VM (ovirt-hosted-engine-ha, 60 s).
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
    /// Time after a host stopped renewing before its sanlock leases can be taken elsewhere:
    /// lease expiry (8 x io_timeout) plus the watchdog.
    pub fn lease_takeover(&self) -> u64 {
        self.sanlock_io_timeout
            .saturating_mul(8)
            .saturating_add(self.watchdog_timeout)
    }

    /// Time to live-migrate `memory_bytes` at the per-migration bandwidth, at least one second.
    pub fn migration_time(&self, memory_bytes: u64) -> u64 {
        let bytes_per_s = (self.migration_bandwidth / 8).max(1);
        (memory_bytes.saturating_mul(1000) / bytes_per_s).max(1000)
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
        assert_eq!(p.migration_time(52 << 20), 1_000);
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
