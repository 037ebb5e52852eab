//! What-if sweeps (being built).
