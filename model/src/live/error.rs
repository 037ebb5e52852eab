//! What can go wrong talking to a live engine, each case worded so the user knows what to do.

use std::path::PathBuf;

use crate::error::LoadError;

/// An error reading a live engine. None of them ever holds the password or the token: the
/// few that carry text from the engine have it scrubbed of the password first.
#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    #[error("invalid engine URL {url}: {reason}")]
    InvalidEngineUrl { url: String, reason: String },

    #[error(
        "cannot reach the engine at {url}: {detail} (check the host name and port, and that the engine is up)"
    )]
    Unreachable { url: String, detail: String },

    #[error(
        "TLS verification of {url} failed: the engine's certificate is signed by a CA this machine does not trust ({detail}); \
         download the engine CA from {ca_url} and pass it with --ca-file"
    )]
    UnknownCa {
        url: String,
        ca_url: String,
        detail: String,
    },

    #[error("TLS connection to {url} failed: {detail}")]
    Tls { url: String, detail: String },

    #[error(
        "the engine did not answer GET {url} within {seconds:.1} s (read timeout); the engine may be overloaded"
    )]
    Timeout { url: String, seconds: f64 },

    #[error("the engine refused the credentials of {user}: {detail}")]
    BadCredentials { user: String, detail: String },

    #[error(
        "the engine answered {status} to GET {url}: user {user} may not read it; \
         stretchdr needs read access to the whole inventory (e.g. the ReadOnlyAdmin role on the system)"
    )]
    NotReadable {
        url: String,
        status: u16,
        user: String,
    },

    #[error("{url} does not look like an oVirt engine: {detail}")]
    NotOvirt { url: String, detail: String },

    #[error("the engine answered {status} to GET {url} after {tries} tries: {detail}")]
    Http {
        url: String,
        status: u16,
        tries: u32,
        detail: String,
    },

    #[error("cannot use the CA file {}: {detail}", path.display())]
    CaFile { path: PathBuf, detail: String },

    #[error("cannot read the password file {}: {detail}", path.display())]
    PasswordFile { path: PathBuf, detail: String },

    #[error("no user name: pass --user or set OVIRT_USERNAME (e.g. admin@internal)")]
    MissingUser,

    #[error(
        "no password: set OVIRT_PASSWORD, pass --password-file, or run on a terminal to be prompted"
    )]
    MissingPassword,

    #[error("cannot write the export to {}: {detail}", path.display())]
    Output { path: PathBuf, detail: String },

    #[error("cannot load what the engine sent: {0}")]
    Load(#[from] LoadError),
}
