//! A hostile stand-in engine: the TLS and certificates of the fake engine, but answers
//! made to hurt the client (endless bodies, lying lengths, echoed secrets, slow drips,
//! compressed bombs, a root that is not JSON). Stops when dropped, or after
//! [`super::MAX_LIFETIME`].

use std::io::Write;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use rustls::{ServerConfig, ServerConnection, StreamOwned};
use stretchdr_model::live::{Credentials, EngineOptions, Password, RetryPolicy, Trust};

use super::{MAX_LIFETIME, PASSWORD, Recorded, TestCa, USER, read_request};

/// What the hostile engine does to every API GET (the token request is answered as an
/// engine would, except by [`Mode::EchoSecrets`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// A JSON body that never ends.
    EndlessBody,
    /// `Content-Length: 10 GiB`, and a few bytes.
    HugeContentLength,
    /// Tokens are issued, then every GET answers 500 repeating the request: the bearer
    /// token, and the password as typed.
    EchoSecrets,
    /// The token endpoint refuses, repeating the token form (the password URL-encoded)
    /// and the password as typed in its error description.
    EchoPassword,
    /// One byte every 200 ms.
    SlowDrip,
    /// A gzip body that was not asked for.
    GzipBomb,
    /// The API root answers HTML labelled as JSON.
    NonJsonRoot,
    /// A proper API root offering `vms`, whose entities carry the bearer token (and the
    /// password) where an error quotes them: in an id unfit for a path.
    TokenInIds,
    /// As [`Mode::TokenInIds`], the token in a VM's memory, which the export loader
    /// refuses, quoting the line.
    TokenInValues,
    /// A proper API root offering `disks` alone, and a `disks` collection of
    /// [`HUGE_COLLECTION_BYTES`], made as it is sent (one disk per [`HUGE_DISK_BYTES`]).
    HugeCollection,
}

/// The size of the [`Mode::HugeCollection`] body, near enough: 16 MiB.
pub const HUGE_COLLECTION_BYTES: usize = 16 << 20;

/// The size of one disk of [`Mode::HugeCollection`], near enough: 16 KiB.
pub const HUGE_DISK_BYTES: usize = 16 << 10;

pub struct HostileEngine {
    pub addr: SocketAddr,
    pub ca: TestCa,
    stop: Arc<AtomicBool>,
    accept: Option<JoinHandle<()>>,
}

/// The token the hostile engine issues.
pub const TOKEN: &str = "hostile-bearer-token-4711";

impl HostileEngine {
    pub fn start(mode: Mode) -> HostileEngine {
        let ca = TestCa::new("stretchdr hostile engine CA");
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
        let stop = Arc::new(AtomicBool::new(false));
        let accept = {
            let stop = stop.clone();
            thread::spawn(move || {
                let started = Instant::now();
                while !stop.load(Ordering::Relaxed) && started.elapsed() < MAX_LIFETIME {
                    match listener.accept() {
                        Ok((stream, _)) => {
                            let (config, stop) = (config.clone(), stop.clone());
                            thread::spawn(move || serve(stream, config, mode, &stop));
                        }
                        Err(_) => thread::sleep(Duration::from_millis(2)),
                    }
                }
            })
        };
        HostileEngine {
            addr,
            ca,
            stop,
            accept: Some(accept),
        }
    }

    /// Options trusting this engine, with one try, a 2 s timeout and limits of 1 MiB per
    /// response and 4 MiB in all, so every attack ends fast.
    pub fn options(&self, dir: &Path) -> EngineOptions {
        let ca_file = dir.join("hostile-ca.pem");
        std::fs::write(&ca_file, &self.ca.pem).unwrap();
        let credentials = Credentials::new(USER, Password::new(PASSWORD));
        let mut options = EngineOptions::new(
            format!("https://127.0.0.1:{}", self.addr.port()),
            credentials,
        );
        options.trust = Trust::CaFile(ca_file);
        options.connect_timeout = Duration::from_secs(2);
        options.read_timeout = Duration::from_secs(2);
        options.retry = RetryPolicy {
            tries: 1,
            first_backoff: Duration::from_millis(10),
        };
        options.progress = false;
        options.max_response_bytes = 1 << 20;
        options.max_total_bytes = 4 << 20;
        options
    }
}

impl Drop for HostileEngine {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(accept) = self.accept.take() {
            let _ = accept.join();
        }
    }
}

fn serve(stream: TcpStream, config: Arc<ServerConfig>, mode: Mode, stop: &AtomicBool) {
    let _ = stream.set_nonblocking(false);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(5)));
    let Ok(connection) = ServerConnection::new(config) else {
        return;
    };
    let mut tls = StreamOwned::new(connection, stream);
    let Some(request) = read_request(&mut tls) else {
        return;
    };
    let is_token = request.method == "POST";
    let echo = echo_of(&request);
    let head = |status: &str, extra: &str| {
        format!(
            "HTTP/1.1 {status}\r\ncontent-type: application/json\r\n{extra}connection: close\r\n\r\n"
        )
    };
    let simple = |tls: &mut StreamOwned<ServerConnection, TcpStream>, status: &str, body: &str| {
        let _ =
            tls.write_all(head(status, &format!("content-length: {}\r\n", body.len())).as_bytes());
        let _ = tls.write_all(body.as_bytes());
    };
    match (mode, is_token) {
        (Mode::EchoPassword, true) => {
            let body =
                format!(r#"{{"error":"access_denied","error_description":"bad request {echo}"}}"#);
            simple(&mut tls, "400 Bad Request", &body);
        }
        (_, true) => {
            let body = format!(r#"{{"access_token":"{TOKEN}","token_type":"bearer"}}"#);
            simple(&mut tls, "200 OK", &body);
        }
        (Mode::EchoSecrets | Mode::EchoPassword, false) => {
            simple(&mut tls, "500 Internal Server Error", &echo);
        }
        (Mode::EndlessBody, false) => {
            let _ = tls.write_all(head("200 OK", "").as_bytes());
            let _ = tls.write_all(b"{\"vm\": [");
            let chunk = vec![b' '; 64 * 1024];
            let started = Instant::now();
            while !stop.load(Ordering::Relaxed) && started.elapsed() < MAX_LIFETIME {
                if tls.write_all(&chunk).is_err() {
                    break;
                }
            }
        }
        (Mode::HugeContentLength, false) => {
            let _ = tls.write_all(head("200 OK", "content-length: 10737418240\r\n").as_bytes());
            let _ = tls.write_all(b"{\"vm\": [");
        }
        (Mode::SlowDrip, false) => {
            let body = br#"{"product_info": {"name": "oVirt Engine"}}"#;
            let _ = tls.write_all(
                head("200 OK", &format!("content-length: {}\r\n", body.len())).as_bytes(),
            );
            for byte in body {
                if stop.load(Ordering::Relaxed) || tls.write_all(&[*byte]).is_err() {
                    break;
                }
                let _ = tls.flush();
                thread::sleep(Duration::from_millis(200));
            }
        }
        (Mode::GzipBomb, false) => {
            // A gzip header and the start of a deflate stream of zeros: expanded, it would
            // be gigabytes; sent, a few bytes.
            let bomb: &[u8] = &[
                0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03, 0xed, 0xc1, 0x01, 0x0d,
                0x00, 0x00, 0x00, 0xc2, 0xa0, 0xf7, 0x4f, 0x6d, 0x0e, 0x37, 0xa0, 0x00, 0x00,
            ];
            let _ = tls.write_all(
                head(
                    "200 OK",
                    &format!(
                        "content-encoding: gzip\r\ncontent-length: {}\r\n",
                        bomb.len()
                    ),
                )
                .as_bytes(),
            );
            let _ = tls.write_all(bomb);
        }
        (Mode::TokenInIds | Mode::TokenInValues | Mode::HugeCollection, false)
            if request.target.trim_end_matches('/') == "/ovirt-engine/api" =>
        {
            let offered = if mode == Mode::HugeCollection {
                "disks"
            } else {
                "vms"
            };
            let root = format!(
                r#"{{"product_info":{{"name":"oVirt Engine","version":{{"major":"4","minor":"5"}}}},
                "link":[{{"href":"/ovirt-engine/api/{offered}","rel":"{offered}"}}]}}"#
            );
            simple(&mut tls, "200 OK", &root);
        }
        (Mode::HugeCollection, false) => {
            let _ = tls.write_all(head("200 OK", "").as_bytes());
            let padding = "x".repeat(HUGE_DISK_BYTES - 64);
            let mut chunk = String::from("{\"disk\": [");
            for n in 0..HUGE_COLLECTION_BYTES / HUGE_DISK_BYTES {
                if n > 0 {
                    chunk.push(',');
                }
                chunk.push_str(&format!(
                    r#"{{"id":"6a5b4c3d-0000-4000-8000-{n:012x}","name":"disk{n}","description":"{padding}"}}"#
                ));
                if chunk.len() >= 64 * 1024 {
                    if stop.load(Ordering::Relaxed) || tls.write_all(chunk.as_bytes()).is_err() {
                        break;
                    }
                    chunk.clear();
                }
            }
            chunk.push_str("]}");
            let _ = tls.write_all(chunk.as_bytes());
        }
        (Mode::TokenInIds, false) => {
            let token = bearer_of(&request);
            let body = format!(r#"{{"vm":[{{"id":"../{token} {PASSWORD}","name":"a"}}]}}"#);
            simple(&mut tls, "200 OK", &body);
        }
        (Mode::TokenInValues, false) if request.target.contains("/vms?") => {
            let token = bearer_of(&request);
            let body = format!(
                r#"{{"vm":[{{"id":"a1","name":"a","memory":"{token} {PASSWORD}","cluster":{{"id":"c1"}}}}]}}"#
            );
            simple(&mut tls, "200 OK", &body);
        }
        (Mode::TokenInValues, false) => simple(&mut tls, "200 OK", "{}"),
        (Mode::NonJsonRoot, false) => {
            simple(
                &mut tls,
                "200 OK",
                "<html><body>It works! \u{1b}]0;pwned\u{7}</body></html>",
            );
        }
    }
    let _ = tls.flush();
    tls.conn.send_close_notify();
    let _ = tls.flush();
}

/// The bearer token a request carries.
fn bearer_of(request: &Recorded) -> String {
    let header = request.header("authorization").unwrap_or("");
    header.strip_prefix("Bearer ").unwrap_or(header).to_string()
}

/// What an echoing server sends back: the request's body as sent (the password
/// form-encoded), the password as typed, and the authorization header.
fn echo_of(request: &Recorded) -> String {
    let bearer = request.header("authorization").unwrap_or("");
    format!(
        "body={} password={} authorization={bearer}",
        request.body, PASSWORD
    )
    .replace('"', "'")
}
