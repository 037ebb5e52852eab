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
mod mapping;
mod merge;
mod sim;
mod support;
mod whatif;
