//! Read-only snapshots of a live engine over the oVirt REST API (v4, JSON).
//!
//! [`fetch_to_dir`] writes an export directory in the layout [`crate::export::load_export`]
//! reads (`api.json`, `api/<collection>.json`, `api/<collection>/<id>/<sub>.json`), the
//! engine's bytes unchanged; [`fetch_inventory`] loads the same responses without keeping
//! them. Everything goes through [`ReadOnlyClient`], which can send GET and the one token
//! POST, nothing else. Responses are streamed to files as they arrive, never held whole.
//!
//! The collections read are those the API root links to (an engine older than 4.1 has no
//! affinity labels, and its fetch goes on without them, saying so in the summary). Every
//! collection the root offers is required: a 403 or 404 on any of them fails the fetch,
//! naming the collection, rather than yield an inventory that silently lacks, say, its
//! affinity groups.
//!
//! Large engines take few requests: searchable collections come in pages, and the
//! per-entity sub-collections (disk attachments and NICs of each VM, ...) come inline with
//! their parents where the engine follows links; the export written is the same either way.

mod client;
mod credentials;
mod error;
mod snapshot;
mod url;

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::budget::Budget;
use crate::export::load_export;
use crate::inventory::Inventory;

pub use client::ReadOnlyClient;
pub use credentials::{Credentials, Password};

pub use error::LiveError;
pub use snapshot::{CollectionCount, FetchSummary, check_output};
pub use url::EngineUrl;

/// How to reach and trust an engine; built by each command from its flags, no clap here.
#[derive(Clone, Debug)]
pub struct EngineOptions {
    /// `https://host`, `https://host/ovirt-engine` or `https://host/ovirt-engine/api`.
    pub engine: String,
    pub credentials: Credentials,
    pub trust: Trust,
    /// Longest wait for the TCP and TLS connection.
    pub connect_timeout: Duration,
    /// Longest wait for one whole response (reqwest's per-request timeout).
    pub read_timeout: Duration,
    pub retry: RetryPolicy,
    /// Requests in flight at once: a few, so a big engine is fetched quickly without
    /// loading it more than an admin portal does.
    pub parallel: usize,
    /// Show a progress line on stderr, when stderr is a terminal.
    pub progress: bool,
    /// The largest body of one response, in bytes; a larger one (or a `Content-Length`
    /// announcing one) ends the fetch. Default: [`Budget::max_file_bytes`].
    pub max_response_bytes: u64,
    /// The most body bytes of all responses of one fetch together. Default:
    /// [`Budget::max_input_bytes`].
    pub max_total_bytes: u64,
    /// Ask for sub-collections inline (`follow=`) where the engine supports it (4.2 on);
    /// off, every entity's sub-collections take a request each.
    pub follow: bool,
    /// Entities per page of a searchable collection (`search=page N&max=...`).
    pub page_size: usize,
}

impl EngineOptions {
    /// Options with the defaults: system roots, 10 s connect, 120 s read, 3 tries, 4 at once,
    /// links followed, pages of 500, and the response limits of [`Budget::current`] (512 MiB
    /// each, 1 GiB in all unless the environment raises them).
    pub fn new(engine: impl Into<String>, credentials: Credentials) -> EngineOptions {
        let budget = Budget::current().unwrap_or_default();
        EngineOptions {
            max_response_bytes: budget.max_file_bytes,
            max_total_bytes: budget.max_input_bytes,
            engine: engine.into(),
            credentials,
            trust: Trust::System,
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(120),
            retry: RetryPolicy::default(),
            parallel: 4,
            progress: true,
            follow: true,
            page_size: 500,
        }
    }
}

/// Which certificates the engine's TLS certificate is checked against.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Trust {
    /// The system's roots (an engine with a certificate from a public or company CA).
    System,
    /// Only the CAs in this PEM bundle: the engine's own CA, from
    /// `/ovirt-engine/services/pki-resource?resource=ca-certificate&format=X509-PEM-CA`.
    CaFile(PathBuf),
    /// No verification at all; a loud warning is printed. Only from an explicit `--insecure`.
    Insecure,
}

impl Trust {
    /// The trust the flags `--ca-file` and `--insecure` ask for.
    pub fn from_flags(ca_file: Option<PathBuf>, insecure: bool) -> Trust {
        match (ca_file, insecure) {
            (Some(path), _) => Trust::CaFile(path),
            (None, true) => Trust::Insecure,
            (None, false) => Trust::System,
        }
    }
}

/// Bounded retries for failures that pass (connection errors, timeouts, 5xx): `tries` in
/// all, waiting `first_backoff`, then twice as long each time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    pub tries: u32,
    pub first_backoff: Duration,
}

impl Default for RetryPolicy {
    /// 3 tries, 0.5 s then 1 s apart.
    fn default() -> RetryPolicy {
        RetryPolicy {
            tries: 3,
            first_backoff: Duration::from_millis(500),
        }
    }
}

/// Reads the engine and writes an export directory at `out` (created if missing), which
/// must not hold an export already (stale files of an older fetch would load as if current).
/// The responses go to a private directory inside `out` as they arrive and are moved into
/// place once every one has: a failed fetch leaves nothing (and no `out` it created).
pub fn fetch_to_dir(options: &EngineOptions, out: &Path) -> Result<FetchSummary, LiveError> {
    snapshot::check_output(out)?;
    let created = !out.exists();
    std::fs::create_dir_all(out).map_err(|e| LiveError::Output {
        path: out.to_path_buf(),
        detail: e.to_string(),
    })?;
    let fetched = snapshot::ScratchDir::create_in(out).and_then(|scratch| {
        let (summary, _) = snapshot::fetch_into(options, scratch.path())?;
        scratch.keep(out)?;
        Ok(summary)
    });
    if fetched.is_err() && created {
        // Only when empty: nothing of the user's is ever removed.
        let _ = std::fs::remove_dir(out);
    }
    fetched
}

/// Reads the engine and loads the inventory, keeping no files: the responses go to a
/// private temporary directory, removed once loaded. An error quoting what the engine sent
/// holds no form of the password or of a token.
pub fn fetch_inventory(options: &EngineOptions) -> Result<Inventory, LiveError> {
    let scratch = snapshot::ScratchDir::create_in(&std::env::temp_dir())?;
    let (_, secrets) = snapshot::fetch_into(options, scratch.path())?;
    load_export(scratch.path()).map_err(|e| LiveError::from(e).scrubbed(&secrets))
}
