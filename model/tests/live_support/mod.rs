//! A fake oVirt engine for the live-fetch tests: HTTPS on 127.0.0.1 (an ephemeral port)
//! with a CA made at test time, serving recorded engine responses in their JSON form, the
//! SSO token endpoint, and knobs for the failures the client must survive. It records every
//! request and stops when dropped, or after [`MAX_LIFETIME`] whatever happens.

#![allow(dead_code)]

pub mod hostile;

use std::collections::{BTreeMap, HashMap};
use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use rcgen::{
    BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose, SanType,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::{ServerConfig, ServerConnection, StreamOwned};
use stretchdr_model::live::{Credentials, EngineOptions, Password, RetryPolicy, Trust};

/// The server gives up on its own after this long, so a stuck test cannot leave it running.
pub const MAX_LIFETIME: Duration = Duration::from_secs(30);

pub const USER: &str = "admin@internal";
/// Characters that need form encoding, to prove the password arrives intact.
pub const PASSWORD: &str = "Zebra-7731 &=%+secret";

/// The repository's fixtures directory (this module also serves the root package's CLI tests).
pub fn fixtures() -> PathBuf {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    match manifest_dir.join("fixtures") {
        root_fixtures if root_fixtures.is_dir() => root_fixtures,
        _ => manifest_dir.join("../fixtures"),
    }
}

/// The recorded engine (ManageIQ's `ovirt_lans_refresh` cassette) in the engine's JSON form.
pub fn capture_json() -> PathBuf {
    fixtures().join("exports/miq_ovirt_lans_refresh_json")
}

/// A CA and the private key it signs with.
pub struct TestCa {
    pub pem: String,
    issuer: Issuer<'static, KeyPair>,
}

impl TestCa {
    pub fn new(name: &str) -> TestCa {
        let key = KeyPair::generate().expect("CA key");
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let cert = params.self_signed(&key).expect("CA certificate");
        TestCa {
            pem: cert.pem(),
            issuer: Issuer::new(params, key),
        }
    }

    /// A server certificate for 127.0.0.1 and localhost, and its key.
    fn server_certificate(&self) -> (CertificateDer<'static>, PrivateKeyDer<'static>) {
        let key = KeyPair::generate().expect("server key");
        let mut params = CertificateParams::new(vec!["localhost".to_string()]).expect("params");
        params
            .subject_alt_names
            .push(SanType::IpAddress([127, 0, 0, 1].into()));
        params
            .distinguished_name
            .push(DnType::CommonName, "engine.test");
        let cert = params.signed_by(&key, &self.issuer).expect("server cert");
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
        (cert.der().clone(), key)
    }
}

/// What the fake engine does besides answering from the capture.
#[derive(Clone, Debug)]
pub struct Behaviour {
    /// Where `api/<path>.json` files are served from.
    pub export: PathBuf,
    pub user: String,
    pub password: String,
    /// Answer 500 to the first N GETs of these API paths (`"vms"`, `""` for the root).
    pub server_errors: BTreeMap<String, usize>,
    /// Tokens are revoked (answer 401) once this many API GETs have been served.
    pub revoke_tokens_after: Option<usize>,
    /// Wait this long before answering GETs of this path.
    pub slow: Option<(String, Duration)>,
    /// Answer 403 to GETs of these paths.
    pub forbidden: Vec<String>,
    /// Be some other web server: HTML everywhere, no SSO.
    pub not_ovirt: bool,
    /// Whether `follow=` fills sub-collections inline (4.2 and later) or is ignored.
    pub follow: Follow,
    /// Wait this long before answering every API GET (a busy engine far away).
    pub latency: Option<Duration>,
    /// Collections the API root does not link to, answered 404 (an older engine).
    pub not_offered: Vec<String>,
    /// Answer every page with the whole collection (`search=page N` and `max` ignored).
    pub ignore_paging: bool,
    /// How long the server runs at most.
    pub lifetime: Duration,
}

/// What the fake engine does with `follow=`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Follow {
    /// Fills each entity's followed sub-collections inline, as engines from 4.2 on do.
    Honour,
    /// Answers as if the parameter were not there, as older engines do.
    Ignore,
}

impl Behaviour {
    pub fn capture() -> Behaviour {
        Behaviour {
            export: capture_json(),
            user: USER.to_string(),
            password: PASSWORD.to_string(),
            server_errors: BTreeMap::new(),
            revoke_tokens_after: None,
            slow: None,
            forbidden: Vec::new(),
            not_ovirt: false,
            follow: Follow::Ignore,
            latency: None,
            not_offered: Vec::new(),
            ignore_paging: false,
            lifetime: MAX_LIFETIME,
        }
    }
}

/// One request as the server saw it.
#[derive(Clone, Debug)]
pub struct Recorded {
    pub method: String,
    /// Path and query, e.g. `/ovirt-engine/api/vms`.
    pub target: String,
    /// Header names in lower case.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Recorded {
    /// The target without its query: `/ovirt-engine/api/vms`.
    pub fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or("")
    }

    /// The value of a query parameter, percent-decoded.
    pub fn query(&self, name: &str) -> Option<String> {
        query_param(&self.target, name)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

#[derive(Default)]
struct State {
    requests: Vec<Recorded>,
    tokens_issued: usize,
    valid_tokens: Vec<String>,
    api_gets: usize,
    revoked: bool,
    errors_served: BTreeMap<String, usize>,
}

pub struct FakeEngine {
    pub addr: SocketAddr,
    pub ca: TestCa,
    state: Arc<Mutex<State>>,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
    connections: Arc<AtomicUsize>,
}

impl FakeEngine {
    pub fn start(behaviour: Behaviour) -> FakeEngine {
        let ca = TestCa::new("stretchdr test engine CA");
        let (cert, key) = ca.server_certificate();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("TLS versions")
            .with_no_client_auth()
            .with_single_cert(vec![cert], key)
            .expect("server TLS config");
        let config = Arc::new(config);
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        listener.set_nonblocking(true).expect("nonblocking");
        let addr = listener.local_addr().expect("address");
        let state = Arc::new(Mutex::new(State::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let connections = Arc::new(AtomicUsize::new(0));
        let behaviour = Arc::new(behaviour);
        let accept = {
            let (state, stop, connections) = (state.clone(), stop.clone(), connections.clone());
            let lifetime = behaviour.lifetime;
            thread::spawn(move || {
                let started = Instant::now();
                while !stop.load(Ordering::Relaxed) && started.elapsed() < lifetime {
                    match listener.accept() {
                        Ok((stream, _)) => {
                            let (config, state, behaviour) =
                                (config.clone(), state.clone(), behaviour.clone());
                            connections.fetch_add(1, Ordering::Relaxed);
                            thread::spawn(move || serve(stream, config, &state, &behaviour));
                        }
                        Err(e) if e.kind() == ErrorKind::WouldBlock => {
                            thread::sleep(Duration::from_millis(2));
                        }
                        Err(_) => break,
                    }
                }
            })
        };
        FakeEngine {
            addr,
            ca,
            state,
            stop,
            accept: Some(accept),
            connections,
        }
    }

    /// `https://127.0.0.1:<port>` (the client adds `/ovirt-engine`).
    pub fn url(&self) -> String {
        format!("https://127.0.0.1:{}", self.addr.port())
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.state.lock().unwrap().requests.clone()
    }

    pub fn tokens_issued(&self) -> usize {
        self.state.lock().unwrap().tokens_issued
    }

    /// The GETs of the API (the root included) the engine received.
    pub fn api_gets(&self) -> usize {
        self.requests()
            .iter()
            .filter(|r| r.method == "GET" && r.path().starts_with("/ovirt-engine/api"))
            .count()
    }

    /// Options trusting this engine's CA (written into `dir`), with short timeouts and
    /// backoff so failure tests stay fast.
    pub fn options(&self, dir: &Path) -> EngineOptions {
        let ca_file = dir.join("engine-ca.pem");
        std::fs::write(&ca_file, &self.ca.pem).unwrap();
        let credentials = Credentials::new(USER, Password::new(PASSWORD));
        let mut options = EngineOptions::new(self.url(), credentials);
        options.trust = Trust::CaFile(ca_file);
        options.connect_timeout = Duration::from_secs(2);
        options.read_timeout = Duration::from_secs(5);
        options.retry = RetryPolicy {
            tries: 3,
            first_backoff: Duration::from_millis(10),
        };
        options.progress = false;
        options
    }
}

impl Drop for FakeEngine {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

/// Answers one request on one connection, then closes it.
fn serve(
    stream: TcpStream,
    config: Arc<ServerConfig>,
    state: &Mutex<State>,
    behaviour: &Behaviour,
) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let Ok(connection) = ServerConnection::new(config) else {
        return;
    };
    let mut tls = StreamOwned::new(connection, stream);
    let Some(request) = read_request(&mut tls) else {
        return;
    };
    state.lock().unwrap().requests.push(request.clone());
    let (status, content_type, body, delay) = respond(&request, state, behaviour);
    if let Some(delay) = delay {
        thread::sleep(delay);
    }
    let head = format!(
        "HTTP/1.1 {status} {}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        reason(status),
        body.len()
    );
    let _ = tls.write_all(head.as_bytes());
    let _ = tls.write_all(&body);
    let _ = tls.flush();
    tls.conn.send_close_notify();
    let _ = tls.flush();
}

fn read_request(tls: &mut impl Read) -> Option<Recorded> {
    let mut data = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(end) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break end;
        }
        let n = tls.read(&mut chunk).ok()?;
        if n == 0 || data.len() > 1 << 20 {
            return None;
        }
        data.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&data[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_string();
    let target = first.next()?.to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|line| line.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = data[head_end + 4..].to_vec();
    while body.len() < length {
        let n = tls.read(&mut chunk).ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some(Recorded {
        method,
        target,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

type Response = (u16, &'static str, Vec<u8>, Option<Duration>);

const JSON: &str = "application/json";

fn respond(request: &Recorded, state: &Mutex<State>, behaviour: &Behaviour) -> Response {
    if behaviour.not_ovirt {
        let page = b"<html><body><h1>It works!</h1></body></html>".to_vec();
        return (200, "text/html; charset=utf-8", page, None);
    }
    let target = request.target.as_str();
    if request.method == "POST" && target == "/ovirt-engine/sso/oauth/token" {
        return token(request, state, behaviour);
    }
    let Some(path) = request
        .path()
        .strip_prefix("/ovirt-engine/api")
        .map(|rest| rest.trim_start_matches('/').to_string())
    else {
        return (404, "text/html", b"<html>Not Found</html>".to_vec(), None);
    };
    if request.method != "GET" {
        return (
            405,
            JSON,
            br#"{"detail":"method not allowed"}"#.to_vec(),
            None,
        );
    }
    let mut state = state.lock().unwrap();
    let bearer = request
        .header("authorization")
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("");
    if !state.valid_tokens.iter().any(|t| t == bearer) {
        return (
            401,
            "text/html",
            b"<html>Unauthorized</html>".to_vec(),
            None,
        );
    }
    state.api_gets += 1;
    if let Some(limit) = behaviour.revoke_tokens_after
        && state.api_gets > limit
        && !state.revoked
    {
        state.revoked = true;
        state.valid_tokens.clear();
        return (
            401,
            "text/html",
            b"<html>Unauthorized</html>".to_vec(),
            None,
        );
    }
    let delay = behaviour
        .slow
        .as_ref()
        .filter(|(slow, _)| *slow == path)
        .map(|(_, delay)| *delay)
        .or(behaviour.latency);
    if let Some(&count) = behaviour.server_errors.get(&path) {
        let served = state.errors_served.entry(path.clone()).or_insert(0);
        if *served < count {
            *served += 1;
            return (
                500,
                "text/html",
                b"<html>Internal Server Error</html>".to_vec(),
                delay,
            );
        }
    }
    // The bookkeeping is done: answers are built without holding the lock, so requests in
    // flight are served in parallel, as by an engine.
    drop(state);
    if behaviour.forbidden.contains(&path) {
        return (403, JSON, br#"{"detail":"Forbidden"}"#.to_vec(), delay);
    }
    if path.is_empty() {
        return (200, JSON, root(behaviour), delay);
    }
    let not_found = (404, JSON, br#"{"detail":"Not Found"}"#.to_vec(), delay);
    let top = path.split('/').next().unwrap_or("");
    if behaviour.not_offered.iter().any(|c| c == top) {
        return not_found;
    }
    let Some(body) = stored(behaviour, &path) else {
        return not_found;
    };
    let page = request
        .query("search")
        .and_then(|s| s.strip_prefix("page ")?.trim().parse::<usize>().ok());
    let max = request.query("max").and_then(|m| m.parse::<usize>().ok());
    let (page, max) = if behaviour.ignore_paging {
        (None, None)
    } else {
        (page, max)
    };
    let follow = request
        .query("follow")
        .filter(|_| behaviour.follow == Follow::Honour);
    let whole = |value: &serde_json::Value| {
        value.as_object().is_some_and(|o| {
            o.values().all(|v| {
                v.as_array()
                    .is_none_or(|a| a.len() <= max.unwrap_or(usize::MAX))
            })
        })
    };
    let first_page = page.unwrap_or(1) == 1;
    if first_page && max.is_none() && follow.is_none() {
        return (200, JSON, body, delay);
    }
    // Pages and followed links: the collection's members, sliced and filled in.
    let Some(value) = parsed(behaviour, &path, &body) else {
        return (200, JSON, body, delay);
    };
    // The whole collection in one page, nothing to fill in: the recorded bytes unchanged.
    if first_page && follow.is_none() && whole(&value) {
        return (200, JSON, body, delay);
    }
    let Some(object) = value.as_object() else {
        return (200, JSON, body, delay);
    };
    let mut out = serde_json::Map::new();
    for (key, value) in object {
        let serde_json::Value::Array(items) = value else {
            out.insert(key.clone(), value.clone());
            continue;
        };
        let size = max.unwrap_or(usize::MAX);
        let skip = page.unwrap_or(1).saturating_sub(1).saturating_mul(size);
        // Only this page's entities are copied.
        let mut items: Vec<serde_json::Value> =
            items.iter().skip(skip).take(size).cloned().collect();
        if let Some(follow) = &follow {
            for item in &mut items {
                let Some(id) = item.get("id").and_then(|v| v.as_str()).map(str::to_string) else {
                    continue;
                };
                for element in follow.split(',') {
                    let rel = element.replace('_', "");
                    let sub = stored(behaviour, &format!("{path}/{id}/{rel}"))
                        .and_then(|b| serde_json::from_slice(&b).ok())
                        .unwrap_or_else(|| serde_json::json!({}));
                    if let Some(object) = item.as_object_mut() {
                        object.insert(element.to_string(), sub);
                    }
                }
            }
        }
        if !items.is_empty() {
            out.insert(key.clone(), serde_json::Value::Array(items));
        }
    }
    let body = serde_json::to_vec(&serde_json::Value::Object(out)).expect("JSON");
    (200, JSON, body, delay)
}

/// The API root: `fixtures/live/api.json` without the links of the collections not offered.
fn root(behaviour: &Behaviour) -> Vec<u8> {
    let root = std::fs::read(fixtures().join("live/api.json")).expect("fixtures/live/api.json");
    if behaviour.not_offered.is_empty() {
        return root;
    }
    let mut value: serde_json::Value = serde_json::from_slice(&root).expect("api.json");
    if let Some(links) = value.get_mut("link").and_then(|l| l.as_array_mut()) {
        links.retain(|link| {
            let rel = link.get("rel").and_then(|r| r.as_str()).unwrap_or("");
            let top = rel.split('/').next().unwrap_or("");
            !behaviour.not_offered.iter().any(|c| c == top)
        });
    }
    serde_json::to_vec(&value).expect("JSON")
}

/// A collection's body parsed, once per file: a large engine is asked for it page by page.
fn parsed(behaviour: &Behaviour, path: &str, body: &[u8]) -> Option<Arc<serde_json::Value>> {
    static CACHE: OnceLock<Mutex<HashMap<PathBuf, Arc<serde_json::Value>>>> = OnceLock::new();
    let key = behaviour.export.join(path);
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(value) = cache.lock().unwrap().get(&key) {
        return Some(value.clone());
    }
    let value = Arc::new(serde_json::from_slice::<serde_json::Value>(body).ok()?);
    cache.lock().unwrap().insert(key, value.clone());
    Some(value)
}

/// The stored response of an API path, if the export has it.
fn stored(behaviour: &Behaviour, path: &str) -> Option<Vec<u8>> {
    let file = format!("api/{path}.json");
    match std::fs::read(behaviour.export.join(&file)) {
        Ok(body) => Some(body),
        // The roles and AAA domains every engine has, for an export that lacks them
        // (`fixtures/live/api/`).
        Err(_) if path == "roles" || path == "domains" => {
            std::fs::read(fixtures().join("live").join(&file)).ok()
        }
        // The capture recorded no affinity labels or templates, and not every entity's
        // sub-collections: the engine had none, and sends an empty collection as `{}`.
        Err(_) if path == "affinitylabels" || path == "templates" || path.contains('/') => {
            Some(b"{}".to_vec())
        }
        Err(_) => None,
    }
}

/// A query parameter of a request target, percent-decoded.
fn query_param(target: &str, name: &str) -> Option<String> {
    let (_, query) = target.split_once('?')?;
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| percent_decode(value))
}

fn token(request: &Recorded, state: &Mutex<State>, behaviour: &Behaviour) -> Response {
    let form = parse_form(&request.body);
    let field = |key: &str| form.get(key).map(String::as_str).unwrap_or("");
    let wanted = field("grant_type") == "password" && field("scope") == "ovirt-app-api";
    if !wanted {
        let body = br#"{"error":"invalid_request","error_description":"bad grant"}"#;
        return (400, JSON, body.to_vec(), None);
    }
    if field("username") != behaviour.user || field("password") != behaviour.password {
        let body = format!(
            r#"{{"error_code":"access_denied","error":"access_denied","error_description":"Cannot authenticate user '{}': The username or password is incorrect.."}}"#,
            field("username")
        );
        return (400, JSON, body.into_bytes(), None);
    }
    let mut state = state.lock().unwrap();
    state.tokens_issued += 1;
    let token = format!("token-{}", state.tokens_issued);
    state.valid_tokens.push(token.clone());
    let body = format!(
        r#"{{"access_token":"{token}","scope":"ovirt-app-api","exp":"9223372036854775807","token_type":"bearer"}}"#
    );
    (200, JSON, body.into_bytes(), None)
}

fn parse_form(body: &str) -> BTreeMap<String, String> {
    body.split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (percent_decode(k), percent_decode(v)))
        .collect()
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                out.push(u8::from_str_radix(hex, 16).unwrap_or(b'?'));
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "Internal Server Error",
    }
}

/// A directory under the system temp dir for one test, removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        let path =
            std::env::temp_dir().join(format!("stretchdr-live-test-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Writes a synthetic JSON export of `vms` VMs (one disk and one NIC each, 20 VMs per host,
/// two clusters) under `dir`, for the fake engine to serve as a large engine.
pub fn synthetic_export(dir: &Path, vms: usize) {
    use serde_json::{Value, json};
    let api = dir.join("api");
    std::fs::create_dir_all(&api).unwrap();
    let write = |relative: String, value: Value| {
        let path = api.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, serde_json::to_vec(&value).unwrap()).unwrap();
    };
    let id = |kind: u32, n: usize| format!("{kind:08x}-0000-4000-8000-{n:012x}");
    let dc = id(1, 0);
    write(
        "datacenters.json".into(),
        json!({"data_center": [{"id": dc, "name": "dc1", "local": "false",
            "version": {"major": "4", "minor": "3"}, "status": "up"}]}),
    );
    let clusters: Vec<Value> = (0..2)
        .map(|c| {
            json!({"id": id(2, c), "name": format!("cluster{c}"), "data_center": {"id": dc},
            "version": {"major": "4", "minor": "3"}})
        })
        .collect();
    write("clusters.json".into(), json!({"cluster": clusters}));
    let host_count = vms.div_ceil(20).max(1);
    let hosts: Vec<Value> = (0..host_count)
        .map(|h| {
            json!({"id": id(3, h), "name": format!("host{h:05}"), "cluster": {"id": id(2, h % 2)},
            "status": "up", "memory": "549755813888",
            "cpu": {"topology": {"sockets": "2", "cores": "16", "threads": "2"}}})
        })
        .collect();
    write("hosts.json".into(), json!({"host": hosts}));
    let domains: Vec<Value> = (0..4)
        .map(|d| {
            json!({"id": id(4, d), "name": format!("data{d}"), "type": "data",
            "storage": {"type": "iscsi"}, "master": if d == 0 { "true" } else { "false" },
            "data_centers": {"data_center": [{"id": dc}]}})
        })
        .collect();
    write(
        format!("datacenters/{dc}/storagedomains.json"),
        json!({"storage_domain": domains.clone()}),
    );
    write(
        "storagedomains.json".into(),
        json!({"storage_domain": domains}),
    );
    write(
        "networks.json".into(),
        json!({"network": [{"id": id(5, 0), "name": "ovirtmgmt", "data_center": {"id": dc}}]}),
    );
    write(
        "vnicprofiles.json".into(),
        json!({"vnic_profile": [{"id": id(6, 0), "name": "ovirtmgmt", "network": {"id": id(5, 0)}}]}),
    );
    let disks: Vec<Value> = (0..vms)
        .map(|v| {
            json!({"id": id(7, v), "name": format!("vm{v:05}_disk"),
            "storage_domains": {"storage_domain": [{"id": id(4, v % 4)}]}})
        })
        .collect();
    write("disks.json".into(), json!({"disk": disks}));
    let mut vm_list = Vec::with_capacity(vms);
    for v in 0..vms {
        let vm = id(8, v);
        vm_list.push(json!({"id": vm, "name": format!("vm{v:05}"), "cluster": {"id": id(2, v % 2)},
            "host": {"id": id(3, v / 20)}, "status": "up", "memory": "8589934592",
            "high_availability": {"enabled": if v % 3 == 0 { "true" } else { "false" }, "priority": "1"},
            "cpu": {"topology": {"sockets": "1", "cores": "2", "threads": "1"}}}));
        write(
            format!("vms/{vm}/diskattachments.json"),
            json!({"disk_attachment": [{"id": id(7, v), "bootable": "true", "disk": {"id": id(7, v)},
                "vm": {"id": vm}}]}),
        );
        write(
            format!("vms/{vm}/nics.json"),
            json!({"nic": [{"id": id(9, v), "name": "nic1", "vnic_profile": {"id": id(6, 0)},
                "vm": {"id": vm}}]}),
        );
    }
    write("vms.json".into(), json!({"vm": vm_list}));
}
