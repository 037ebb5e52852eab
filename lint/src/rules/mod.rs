//! The rule families. One file per rule; a family's shared helpers live in its `mod.rs`.

pub mod active_active;
pub mod active_passive;
pub mod georep;
