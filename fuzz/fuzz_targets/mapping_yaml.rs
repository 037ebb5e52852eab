//! The ovirt-dr mapping loader on arbitrary text: `Ok` or `Err`, never a panic.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = stretchdr_model::mapping::load_mapping_str(Path::new("fuzz.yml"), text);
});
