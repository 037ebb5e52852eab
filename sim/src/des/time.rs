//! Simulated time: integer milliseconds since the start of a run.

use std::fmt;

/// A point in simulated time, in milliseconds since the start of the run.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Default)]
pub struct SimTime(pub u64);

impl SimTime {
    pub const ZERO: SimTime = SimTime(0);

    pub fn from_ms(ms: u64) -> SimTime {
        SimTime(ms)
    }

    pub fn from_secs(secs: u64) -> SimTime {
        SimTime(secs.saturating_mul(1000))
    }

    pub fn as_ms(self) -> u64 {
        self.0
    }

    /// Seconds, for reports.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / 1000.0
    }

    /// The time `ms` milliseconds later (saturating).
    pub fn after(self, ms: u64) -> SimTime {
        SimTime(self.0.saturating_add(ms))
    }

    /// Milliseconds from `earlier` to `self` (0 when `earlier` is later).
    pub fn since(self, earlier: SimTime) -> u64 {
        self.0.saturating_sub(earlier.0)
    }
}

impl fmt::Display for SimTime {
    /// `hh:mm:ss` (and `.mmm` when not a whole second).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.0 / 1000;
        let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
        write!(f, "{h:02}:{m:02}:{s:02}")?;
        if !self.0.is_multiple_of(1000) {
            write!(f, ".{:03}", self.0 % 1000)?;
        }
        Ok(())
    }
}
