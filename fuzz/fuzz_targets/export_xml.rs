//! The XML response parser on arbitrary text: `Ok` or `Err`, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let _ = stretchdr_model::export::parse_xml(text);
});
