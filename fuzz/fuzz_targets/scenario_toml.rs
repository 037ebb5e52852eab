//! The scenario loader on arbitrary text, over an empty inventory: `Ok` or `Err`, never a
//! panic.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use stretchdr_model::{Inventory, LoadError};

fuzz_target!(|text: &str| {
    let _ = stretchdr_sim::scenario::load_scenario_str(Path::new("fuzz.toml"), text, |_| {
        Ok::<_, LoadError>(Inventory::default())
    });
});
