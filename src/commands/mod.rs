//! One module per command, each with its `Args` and `run`.

pub mod audit;
pub mod completions;
pub mod diff;
pub mod fetch;
pub mod fix;
pub mod generate;
pub mod inventory;
pub mod lint;
pub mod man;
pub mod mapping;
pub mod merge;
pub mod rules;
pub mod sim;
pub mod whatif;
