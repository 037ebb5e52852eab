//! What can go wrong talking to a live engine, each case worded so the user knows what to do.

use std::path::PathBuf;

use crate::error::LoadError;
use crate::live::credentials::Secrets;

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

    #[error(
        "GET {url}: the answer is larger than the limit of {limit} {what}; \
         raise it with {variable} if the engine really is that large"
    )]
    TooLarge {
        url: String,
        limit: String,
        /// "for one response" or "for all responses together".
        what: &'static str,
        variable: &'static str,
    },

    #[error("cannot load what the engine sent: {0}")]
    Load(#[from] LoadError),
}

impl LiveError {
    /// The error with every form of every secret in its text replaced by `***`: the
    /// engine's words (an echoed request, an id, a message) may hold the password or the
    /// bearer token.
    pub(crate) fn scrubbed(self, secrets: &Secrets) -> LiveError {
        let s = |text: String| secrets.scrub(&text);
        match self {
            LiveError::InvalidEngineUrl { url, reason } => LiveError::InvalidEngineUrl {
                url: s(url),
                reason: s(reason),
            },
            LiveError::Unreachable { url, detail } => LiveError::Unreachable {
                url: s(url),
                detail: s(detail),
            },
            LiveError::UnknownCa {
                url,
                ca_url,
                detail,
            } => LiveError::UnknownCa {
                url: s(url),
                ca_url: s(ca_url),
                detail: s(detail),
            },
            LiveError::Tls { url, detail } => LiveError::Tls {
                url: s(url),
                detail: s(detail),
            },
            LiveError::Timeout { url, seconds } => LiveError::Timeout {
                url: s(url),
                seconds,
            },
            LiveError::BadCredentials { user, detail } => LiveError::BadCredentials {
                user,
                detail: s(detail),
            },
            LiveError::NotReadable { url, status, user } => LiveError::NotReadable {
                url: s(url),
                status,
                user,
            },
            LiveError::NotOvirt { url, detail } => LiveError::NotOvirt {
                url: s(url),
                detail: s(detail),
            },
            LiveError::Http {
                url,
                status,
                tries,
                detail,
            } => LiveError::Http {
                url: s(url),
                status,
                tries,
                detail: s(detail),
            },
            LiveError::TooLarge {
                url,
                limit,
                what,
                variable,
            } => LiveError::TooLarge {
                url: s(url),
                limit,
                what,
                variable,
            },
            LiveError::Load(mut load) => {
                load.message = s(load.message);
                if let Some(text) = load.source_text.take() {
                    load.source_text = Some(secrets.scrub(&text).into());
                    // Offsets into the scrubbed text no longer hold: show the message alone.
                    load.span = None;
                }
                LiveError::Load(load)
            }
            other => other,
        }
    }
}
