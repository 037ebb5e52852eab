//! Integration tests of the built `stretchdr` binary: stdout, stderr and exit code.
//! One test binary; one module per command.

mod audit;
mod diff;
mod fetch;
mod fix;
mod hostile;
mod html;
mod inventory;
mod lint;
/// The stand-in HTTPS engine of the live-fetch tests.
#[path = "../../model/tests/live_support/mod.rs"]
mod live_support;
mod mapping;
mod mapping_live;
mod merge;
mod sim;
mod support;
mod whatif;
