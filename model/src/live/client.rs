//! The only way stretchdr talks to an engine: a client that can send GET and nothing else
//! (plus the one POST that trades the password for a token).

use std::error::Error as StdError;
use std::fmt;
use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use reqwest::blocking::{Client, RequestBuilder, Response};
use reqwest::header::{ACCEPT, ACCEPT_ENCODING, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE};
use reqwest::redirect::Policy;
use reqwest::{Certificate, StatusCode};
use rustls::CertificateError;

use crate::budget::{FILE_SIZE_VAR, INPUT_SIZE_VAR};
use crate::live::credentials::{Credentials, Secrets};
use crate::live::error::LiveError;
use crate::live::url::EngineUrl;
use crate::live::{EngineOptions, RetryPolicy, Trust};
use crate::units::format_size;

const JSON: &str = "application/json";

/// A bearer token from the engine's SSO. Its `Debug` hides it: it is as good as the password
/// until it expires.
#[derive(Clone, PartialEq, Eq)]
struct Token(String);

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(***)")
    }
}

/// What a request brought back, once the body is read.
struct Answer {
    status: StatusCode,
    content_type: String,
    /// The body, unless it went to a file ([`ReadOnlyClient::get_to_file`]): then empty.
    body: Vec<u8>,
}

/// Where a 2xx JSON body goes: kept in memory, or written to a file as it arrives.
#[derive(Clone, Copy)]
enum BodyTo<'a> {
    Memory,
    File(&'a Path),
}

/// A read-only engine client. Its public surface is GET ([`ReadOnlyClient::get`], and
/// [`ReadOnlyClient::get_to_file`] for bodies streamed to disk): there is no way
/// to build a PUT, POST or DELETE through it, so no code path of stretchdr can change an
/// engine. Safe to share between threads; the token is renewed once when the engine
/// answers 401 (tokens expire, engines restart).
pub struct ReadOnlyClient {
    http: Client,
    url: EngineUrl,
    credentials: Credentials,
    token: Mutex<Option<Token>>,
    retry: RetryPolicy,
    read_timeout: Duration,
    /// The password and every token issued, for scrubbing what is shown.
    secrets: Mutex<Secrets>,
    /// The largest body of one response, and of all responses together, in bytes.
    max_response_bytes: u64,
    max_total_bytes: u64,
    /// Body bytes received so far, against `max_total_bytes`.
    received: AtomicU64,
    /// HTTP requests sent so far (every try of every request, the token's included).
    sent: AtomicUsize,
}

impl fmt::Debug for ReadOnlyClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReadOnlyClient")
            .field("url", &self.url)
            .field("credentials", &self.credentials)
            .finish_non_exhaustive()
    }
}

impl ReadOnlyClient {
    /// Builds the HTTPS client: TLS always verified (against `--ca-file` alone when given,
    /// else the system's roots) unless the options explicitly say `Trust::Insecure`.
    pub fn new(options: &EngineOptions) -> Result<ReadOnlyClient, LiveError> {
        let url = EngineUrl::parse(&options.engine)?;
        // reqwest is built without a bundled crypto provider (aws-lc-rs may need cmake);
        // ring is installed as the process default. An Err means one is installed already,
        // which serves as well.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let mut builder = Client::builder()
            .connect_timeout(options.connect_timeout)
            .timeout(options.read_timeout)
            // The API never redirects; a redirect means a login page or a proxy, and
            // following it could carry the bearer token elsewhere.
            .redirect(Policy::none())
            .user_agent(concat!("stretchdr/", env!("CARGO_PKG_VERSION")));
        match &options.trust {
            Trust::System => {}
            Trust::CaFile(path) => {
                let pem = std::fs::read(path).map_err(|e| LiveError::CaFile {
                    path: path.clone(),
                    detail: e.to_string(),
                })?;
                let certs = Certificate::from_pem_bundle(&pem).map_err(|e| LiveError::CaFile {
                    path: path.clone(),
                    detail: format!("not a PEM certificate bundle: {e}"),
                })?;
                if certs.is_empty() {
                    return Err(LiveError::CaFile {
                        path: path.clone(),
                        detail: "no PEM certificate in the file".to_string(),
                    });
                }
                builder = builder.tls_certs_only(certs);
            }
            Trust::Insecure => {
                eprintln!(
                    "WARNING: --insecure: the engine's TLS certificate is NOT verified. Anyone on the \
                     network path can read the password and the inventory. Download the engine CA from {} \
                     and use --ca-file instead.",
                    url.ca_certificate()
                );
                builder = builder.tls_danger_accept_invalid_certs(true);
            }
        }
        let http = builder.build().map_err(|e| LiveError::Tls {
            url: url.base().to_string(),
            detail: error_chain(&e),
        })?;
        Ok(ReadOnlyClient {
            http,
            url,
            credentials: options.credentials.clone(),
            token: Mutex::new(None),
            retry: options.retry.clone(),
            read_timeout: options.read_timeout,
            secrets: Mutex::new(Secrets::of(&options.credentials.password)),
            max_response_bytes: options.max_response_bytes,
            max_total_bytes: options.max_total_bytes,
            received: AtomicU64::new(0),
            sent: AtomicUsize::new(0),
        })
    }

    pub fn engine_url(&self) -> &EngineUrl {
        &self.url
    }

    /// HTTP requests sent so far: every try of every GET and of the token POST.
    pub fn requests_sent(&self) -> usize {
        self.sent.load(Ordering::Relaxed)
    }

    /// GETs an API path (`""` for the root, `"vms"`, `"clusters/<id>/affinitygroups"`) as
    /// JSON and returns the body as the engine sent it. The body is at most the response
    /// limit, uncompressed, and for the root a JSON object; no error holds the password
    /// or a token in any encoding.
    pub fn get(&self, path: &str) -> Result<Vec<u8>, LiveError> {
        self.get_unscrubbed(path, BodyTo::Memory)
            .map_err(|e| self.scrub_error(e))
    }

    /// [`ReadOnlyClient::get`] for a collection, its body written to `file` (created or
    /// truncated) as it arrives rather than held: memory stays bounded however large the
    /// engine's answer, within the same limits. An error answer is read into memory (at most
    /// the response limit) for its message, and `file` may then hold part of a body.
    pub fn get_to_file(&self, path: &str, file: &Path) -> Result<(), LiveError> {
        if path.is_empty() {
            // The root is checked as a whole before anything else is asked.
            let body = self.get(path)?;
            return std::fs::write(file, body).map_err(|e| LiveError::Output {
                path: file.to_path_buf(),
                detail: e.to_string(),
            });
        }
        self.get_unscrubbed(path, BodyTo::File(file))
            .map(drop)
            .map_err(|e| self.scrub_error(e))
    }

    /// The error with the secrets known so far (the password, every token issued)
    /// scrubbed from it.
    pub(crate) fn scrub_error(&self, error: LiveError) -> LiveError {
        error.scrubbed(&self.secrets())
    }

    /// The password and every token issued so far, in every form they may come back in.
    pub(crate) fn secrets(&self) -> Secrets {
        self.secrets
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn get_unscrubbed(&self, path: &str, into: BodyTo<'_>) -> Result<Vec<u8>, LiveError> {
        let url = self.url.api(path);
        let mut renewed = false;
        loop {
            let token = self.current_token()?;
            let into = if path.is_empty() {
                BodyTo::Memory
            } else {
                into
            };
            let answer = self.send(&url, into, || {
                self.http
                    .get(&url)
                    .header(ACCEPT, JSON)
                    .header("Version", "4")
                    .bearer_auth(&token.0)
            })?;
            match answer.status.as_u16() {
                200..=299 if path.is_empty() => return self.api_root(&url, answer),
                200..=299 => return self.json_body(&url, answer),
                401 if !renewed => {
                    self.renew(&token)?;
                    renewed = true;
                }
                401 => {
                    return Err(LiveError::BadCredentials {
                        user: self.credentials.user.clone(),
                        detail: "the engine refused a freshly issued token".to_string(),
                    });
                }
                404 if path.is_empty() => {
                    return Err(LiveError::NotOvirt {
                        url: self.url.base().to_string(),
                        detail: format!("GET {url} answered 404: there is no oVirt API here"),
                    });
                }
                403 | 404 => {
                    return Err(LiveError::NotReadable {
                        url,
                        status: answer.status.as_u16(),
                        user: self.credentials.user.clone(),
                    });
                }
                300..=399 => {
                    return Err(LiveError::NotOvirt {
                        url: self.url.base().to_string(),
                        detail: format!("GET {url} answered a redirect ({})", answer.status),
                    });
                }
                status => {
                    return Err(LiveError::Http {
                        url,
                        status,
                        tries: self.retry.tries,
                        detail: self.engine_text(&answer.body),
                    });
                }
            }
        }
    }

    /// The API root must be a JSON object before anything else is asked: a portal, a proxy
    /// or a hostile server answering with something else ends the fetch here.
    fn api_root(&self, url: &str, answer: Answer) -> Result<Vec<u8>, LiveError> {
        let body = self.json_body(url, answer)?;
        match serde_json::from_slice::<serde_json::Value>(&body) {
            Ok(serde_json::Value::Object(_)) => Ok(body),
            Ok(_) => Err(LiveError::NotOvirt {
                url: self.url.base().to_string(),
                detail: format!("GET {url} answered JSON that is not an object"),
            }),
            Err(e) => Err(LiveError::NotOvirt {
                url: self.url.base().to_string(),
                detail: format!("GET {url} answered invalid JSON ({e})"),
            }),
        }
    }

    /// A 2xx body must be JSON: an HTML page there is a portal or a proxy, not the API.
    fn json_body(&self, url: &str, answer: Answer) -> Result<Vec<u8>, LiveError> {
        if !answer.content_type.starts_with(JSON) {
            return Err(LiveError::NotOvirt {
                url: self.url.base().to_string(),
                detail: format!(
                    "GET {url} answered {} instead of JSON",
                    shown_content_type(&answer.content_type)
                ),
            });
        }
        Ok(answer.body)
    }

    /// The token in use, asking the SSO for one the first time.
    fn current_token(&self) -> Result<Token, LiveError> {
        let mut slot = self.token.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(token) = slot.as_ref() {
            return Ok(token.clone());
        }
        let token = self.token()?;
        *slot = Some(token.clone());
        self.remember(&token);
        Ok(token)
    }

    /// Replaces `stale` with a new token, unless another thread already did.
    fn renew(&self, stale: &Token) -> Result<(), LiveError> {
        let mut slot = self.token.lock().unwrap_or_else(|e| e.into_inner());
        if slot.as_ref() == Some(stale) {
            let token = self.token()?;
            self.remember(&token);
            *slot = Some(token);
        }
        Ok(())
    }

    /// Adds a token to the secrets scrubbed from what is shown.
    fn remember(&self, token: &Token) {
        self.secrets
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .add(&token.0);
    }

    /// The one POST: the OAuth password grant at `/ovirt-engine/sso/oauth/token`.
    fn token(&self) -> Result<Token, LiveError> {
        let url = self.url.token_endpoint();
        let form = [
            ("grant_type", "password"),
            ("scope", "ovirt-app-api"),
            ("username", self.credentials.user.as_str()),
            ("password", self.credentials.password.expose()),
        ];
        let answer = self
            .send(&url, BodyTo::Memory, || {
                self.http.post(&url).header(ACCEPT, JSON).form(&form)
            })
            .map_err(|e| self.scrub_error(e))?;
        let not_ovirt = |detail: String| LiveError::NotOvirt {
            url: self.url.base().to_string(),
            detail,
        };
        if answer.status.is_server_error() {
            return Err(LiveError::Http {
                url,
                status: answer.status.as_u16(),
                tries: self.retry.tries,
                detail: self.engine_text(&answer.body),
            });
        }
        if !answer.content_type.starts_with(JSON) {
            return Err(not_ovirt(format!(
                "the SSO token endpoint {url} answered {} with {}",
                answer.status,
                shown_content_type(&answer.content_type)
            )));
        }
        let reply: serde_json::Value = serde_json::from_slice(&answer.body).map_err(|e| {
            not_ovirt(format!(
                "the SSO token endpoint {url} sent invalid JSON: {e}"
            ))
        })?;
        let text = |key: &str| reply.get(key).and_then(|v| v.as_str()).map(str::to_string);
        if answer.status.is_success()
            && let Some(token) = text("access_token").filter(|t| !t.is_empty())
        {
            return Ok(Token(token));
        }
        if let Some(error) = text("error") {
            let description = text("error_description").unwrap_or_default();
            return Err(LiveError::BadCredentials {
                user: self.credentials.user.clone(),
                detail: self.scrub(&format!("{description} ({error}, HTTP {})", answer.status)),
            });
        }
        Err(not_ovirt(format!(
            "the SSO token endpoint {url} answered {} without a token",
            answer.status
        )))
    }

    /// Sends a request, retrying with backoff on connection errors, timeouts and 5xx
    /// answers, which pass; never on 4xx, which will not.
    fn send(
        &self,
        url: &str,
        into: BodyTo<'_>,
        request: impl Fn() -> RequestBuilder,
    ) -> Result<Answer, LiveError> {
        let mut pause = self.retry.first_backoff;
        let mut try_number = 1;
        loop {
            let last = try_number >= self.retry.tries.max(1);
            // No compression asked for, so none is unpacked: a small gzip bomb cannot grow.
            let outcome = request()
                .header(ACCEPT_ENCODING, "identity")
                .send()
                .map_err(|e| self.transport_error(url, &e))
                .and_then(|response| self.receive(url, response, into));
            self.sent.fetch_add(1, Ordering::Relaxed);
            match outcome {
                Ok(answer) if answer.status.is_server_error() && !last => {}
                Ok(answer) => return Ok(answer),
                Err(error) => {
                    let passing = matches!(
                        error,
                        LiveError::Unreachable { .. } | LiveError::Timeout { .. }
                    );
                    if last || !passing {
                        return Err(error);
                    }
                }
            }
            thread::sleep(pause);
            pause = pause.saturating_mul(2);
            try_number += 1;
        }
    }

    /// Reads a response's body, refusing a compressed one and never taking more than the
    /// limits: a `Content-Length` above the limit ends it before the body is read, an
    /// endless body at the limit. A 2xx JSON body goes where `into` says; any other is
    /// read into memory, for its message or the error saying it is not JSON.
    fn receive(
        &self,
        url: &str,
        response: Response,
        into: BodyTo<'_>,
    ) -> Result<Answer, LiveError> {
        let header = |name| {
            response
                .headers()
                .get(name)
                .and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok())
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        };
        let status = response.status();
        let content_type = header(CONTENT_TYPE);
        let encoding = header(CONTENT_ENCODING);
        if !encoding.is_empty() && encoding != "identity" {
            return Err(LiveError::NotOvirt {
                url: self.url.base().to_string(),
                detail: format!(
                    "GET {url} answered a body compressed with {encoding:?}, which stretchdr did \
                     not ask for (it sends Accept-Encoding: identity)"
                ),
            });
        }
        let too_large = || LiveError::TooLarge {
            url: url.to_string(),
            limit: format_size(self.max_response_bytes),
            what: "for one response",
            variable: FILE_SIZE_VAR,
        };
        let announced = header(CONTENT_LENGTH).parse::<u64>().ok();
        if announced.is_some_and(|length| length > self.max_response_bytes) {
            return Err(too_large());
        }
        let file = match into {
            BodyTo::File(path) if status.is_success() && content_type.starts_with(JSON) => {
                Some(path)
            }
            _ => None,
        };
        let output_error = |path: &Path, e: std::io::Error| LiveError::Output {
            path: path.to_path_buf(),
            detail: e.to_string(),
        };
        let mut body = Vec::new();
        let mut sink: Box<dyn Write> = match file {
            Some(path) => Box::new(BufWriter::new(
                File::create(path).map_err(|e| output_error(path, e))?,
            )),
            None => Box::new(&mut body),
        };
        let too_large_in_all = || LiveError::TooLarge {
            url: url.to_string(),
            limit: format_size(self.max_total_bytes),
            what: "for all responses together",
            variable: INPUT_SIZE_VAR,
        };
        // The read timeout bounds each wait for bytes; a body dripping a byte at a time
        // would never trip it, so the whole body also has a deadline of that length.
        let deadline = Instant::now() + self.read_timeout;
        let mut chunk = [0u8; 64 * 1024];
        let mut length = 0u64;
        let mut reader = response.take(self.max_response_bytes.saturating_add(1));
        loop {
            let n = reader
                .read(&mut chunk)
                .map_err(|e| self.body_error(url, &e))?;
            if n == 0 {
                break;
            }
            length += n as u64;
            if length > self.max_response_bytes {
                return Err(too_large());
            }
            // Bytes of earlier responses and of this one so far: a response that would
            // cross the total limit ends as soon as it does.
            if self.received.load(Ordering::Relaxed).saturating_add(length) > self.max_total_bytes {
                return Err(too_large_in_all());
            }
            match (sink.write_all(&chunk[..n]), file) {
                (Ok(()), _) | (Err(_), None) => {}
                (Err(e), Some(path)) => return Err(output_error(path, e)),
            }
            if Instant::now() > deadline {
                return Err(LiveError::Timeout {
                    url: url.to_string(),
                    seconds: self.read_timeout.as_secs_f64(),
                });
            }
        }
        if let (Err(e), Some(path)) = (sink.flush(), file) {
            return Err(output_error(path, e));
        }
        drop(sink);
        let total = self.received.fetch_add(length, Ordering::Relaxed) + length;
        if total > self.max_total_bytes {
            return Err(too_large_in_all());
        }
        Ok(Answer {
            status,
            content_type,
            body,
        })
    }

    /// A failure while reading a body: the per-request timeout, or the connection lost.
    fn body_error(&self, url: &str, error: &std::io::Error) -> LiveError {
        let mut source: Option<&(dyn StdError + 'static)> = error.get_ref().map(|e| e as _);
        let mut timed_out = error.kind() == std::io::ErrorKind::TimedOut;
        while let Some(err) = source {
            if let Some(reqwest) = err.downcast_ref::<reqwest::Error>() {
                timed_out |= reqwest.is_timeout();
            }
            source = err.source();
        }
        if timed_out {
            return LiveError::Timeout {
                url: url.to_string(),
                seconds: self.read_timeout.as_secs_f64(),
            };
        }
        LiveError::Unreachable {
            url: self.url.base().to_string(),
            detail: format!("the connection failed while reading the answer: {error}"),
        }
    }

    /// Sorts a transport failure into what the user has to fix.
    fn transport_error(&self, url: &str, error: &reqwest::Error) -> LiveError {
        if let Some(tls) = rustls_error(error) {
            let detail = tls.to_string();
            return match tls {
                rustls::Error::InvalidCertificate(
                    CertificateError::UnknownIssuer | CertificateError::BadSignature,
                ) => LiveError::UnknownCa {
                    url: self.url.base().to_string(),
                    ca_url: self.url.ca_certificate(),
                    detail,
                },
                _ => LiveError::Tls {
                    url: self.url.base().to_string(),
                    detail,
                },
            };
        }
        if error.is_timeout() {
            return LiveError::Timeout {
                url: url.to_string(),
                seconds: self.read_timeout.as_secs_f64(),
            };
        }
        LiveError::Unreachable {
            url: self.url.base().to_string(),
            detail: error_chain(error),
        }
    }

    /// Engine-supplied text for an error message: short, on one line, and never containing
    /// the password or a token (some SSO setups echo the request back). Scrubbed first,
    /// whole, then shortened: a cut cannot leave half a secret that no longer matches.
    fn engine_text(&self, body: &[u8]) -> String {
        let text = String::from_utf8_lossy(body);
        let text = self.scrub(&text);
        let text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let short: String = text.chars().take(200).collect();
        crate::escape::control(&short).into_owned()
    }

    fn scrub(&self, text: &str) -> String {
        self.secrets
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .scrub(text)
    }
}

fn shown_content_type(content_type: &str) -> &str {
    if content_type.is_empty() {
        "no content type"
    } else {
        content_type
    }
}

/// The rustls error behind a reqwest error, if the failure was the TLS handshake. It sits
/// inside `io::Error`s (nested, as tokio-rustls and hyper wrap it), whose `source()` skips
/// the wrapped error, so each is opened with `get_ref`.
fn rustls_error(error: &reqwest::Error) -> Option<&rustls::Error> {
    let mut current: Option<&(dyn StdError + 'static)> = Some(error);
    while let Some(err) = current {
        let mut inner: &(dyn StdError + 'static) = err;
        loop {
            if let Some(tls) = inner.downcast_ref::<rustls::Error>() {
                return Some(tls);
            }
            match inner
                .downcast_ref::<std::io::Error>()
                .and_then(|io| io.get_ref())
            {
                Some(wrapped) => inner = wrapped,
                None => break,
            }
        }
        current = err.source();
    }
    None
}

/// "error sending request: client error (Connect): tcp connect error: Connection refused".
fn error_chain(error: &dyn StdError) -> String {
    let mut text = error.to_string();
    let mut current = error.source();
    while let Some(err) = current {
        let part = err.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        current = err.source();
    }
    text
}
