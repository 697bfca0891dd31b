//! A real S3-compatible server for the object store tests: `moto_server` (PyPI
//! `moto[server]`), started once per test binary on 127.0.0.1, beside the Python of the tools'
//! virtual environment that scripts/test.sh makes (`EMBER_PYTHON`, else
//! `<target>/py-venv/bin/python`). The tests fail, not skip, when it is missing.
//!
//! The server runs under `sh`, which kills it when the test process's end closes its stdin,
//! so no server outlives the tests.

#![allow(dead_code)]

use ember::{Conf, Context};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// A running server.
pub struct Moto {
    /// `http://127.0.0.1:<port>`.
    pub endpoint: String,
    _child: Child,
}

/// The Python of the tools' virtual environment.
fn python() -> PathBuf {
    match std::env::var_os("EMBER_PYTHON") {
        Some(p) => PathBuf::from(p),
        None => Path::new(env!("CARGO_TARGET_TMPDIR"))
            .parent()
            .expect("the target directory")
            .join("py-venv/bin/python"),
    }
}

fn moto_server() -> PathBuf {
    let server = python().with_file_name("moto_server");
    assert!(
        server.exists(),
        "the object store tests need moto_server at {}: run scripts/test.sh, which installs \
         moto[server] into the tools' virtual environment, or set EMBER_PYTHON to a Python \
         that has it",
        server.display()
    );
    server
}

/// Runs `program ARGS... <port>` under `sh` (killed when our end of its stdin closes) and
/// waits until it listens on the port; the running child and the port.
fn serve(program: &Path, args: &[&str], env: &[(&str, &str)]) -> (Child, u16) {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(r#""$@" >/dev/null 2>&1 & pid=$!; read _; kill $pid"#)
        .arg("serve")
        .arg(program)
        .args(args)
        .arg(port.to_string())
        .stdin(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let child = cmd.spawn().expect("the server starts");
    let deadline = Instant::now() + Duration::from_secs(60);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "{} did not listen on {port} within 60 s",
            program.display()
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    (child, port)
}

fn start(auth: bool) -> Moto {
    // Authentication on after the first request (the bucket's creation): every later request
    // with keys the server does not know is refused.
    let env: &[(&str, &str)] = if auth {
        &[("INITIAL_NO_AUTH_ACTION_COUNT", "1")]
    } else {
        &[]
    };
    let (child, port) = serve(&moto_server(), &["-H", "127.0.0.1", "-p"], env);
    Moto {
        endpoint: format!("http://127.0.0.1:{port}"),
        _child: child,
    }
}

/// A plain HTTP server (Python's `http.server`, which answers no ranged GETs) of `dir`; its
/// URL `http://127.0.0.1:<port>` and the running child.
pub fn http_server(dir: &Path) -> (String, Child) {
    let dir = dir.to_str().expect("a UTF-8 directory");
    let args = [
        "-m",
        "http.server",
        "--bind",
        "127.0.0.1",
        "--directory",
        dir,
    ];
    let (child, port) = serve(&python(), &args, &[]);
    (format!("http://127.0.0.1:{port}"), child)
}

/// The shared server (credentials are not checked).
pub fn moto() -> &'static Moto {
    static SERVER: OnceLock<Moto> = OnceLock::new();
    SERVER.get_or_init(|| start(false))
}

/// A second server that refuses every key after its first request.
pub fn moto_with_auth() -> &'static Moto {
    static SERVER: OnceLock<Moto> = OnceLock::new();
    SERVER.get_or_init(|| start(true))
}

impl Moto {
    /// Creates a new bucket (named after `what`, unique in this run) and returns its name.
    pub fn bucket(&self, what: &str) -> String {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let name = format!("{what}-{}", NEXT.fetch_add(1, Ordering::Relaxed));
        let (status, body) = self.request("PUT", &format!("/{name}"));
        assert_eq!(status, 200, "creating bucket {name}: {body}");
        name
    }

    /// An unsigned request (the server does not check signatures); its status and body.
    pub fn request(&self, method: &str, path: &str) -> (u16, String) {
        let host = self.endpoint.trim_start_matches("http://");
        let mut s = TcpStream::connect(host).expect("moto_server accepts connections");
        write!(
            s,
            "{method} {path} HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut response = String::new();
        s.read_to_string(&mut response).unwrap();
        let status = response
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        let body = response
            .split_once("\r\n\r\n")
            .map_or("", |(_, b)| b)
            .to_string();
        (status, body)
    }

    /// The keys of a bucket below `prefix`, sorted (ListObjectsV2).
    pub fn keys(&self, bucket: &str, prefix: &str) -> Vec<String> {
        let (status, body) = self.request("GET", &format!("/{bucket}?list-type=2&prefix={prefix}"));
        assert_eq!(status, 200, "{body}");
        let mut keys: Vec<String> = body
            .split("<Key>")
            .skip(1)
            .filter_map(|s| s.split_once("</Key>").map(|(k, _)| k.to_string()))
            .collect();
        keys.sort();
        keys
    }

    /// The ETag of an object (multipart uploads' end in `-<parts>`).
    pub fn etag(&self, bucket: &str, key: &str) -> String {
        let (status, body) = self.request("GET", &format!("/{bucket}?list-type=2&prefix={key}"));
        assert_eq!(status, 200, "{body}");
        body.split("<ETag>")
            .nth(1)
            .and_then(|s| s.split_once("</ETag>"))
            .map(|(e, _)| {
                e.replace("&#34;", "")
                    .replace("&quot;", "")
                    .replace('"', "")
            })
            .unwrap_or_default()
    }

    /// The conf keys that point Ember's S3 stores at this server.
    pub fn conf(&self) -> Conf {
        Conf::new()
            .master("local[2]")
            .app_name("s3")
            .set("ember.ui.showConsoleProgress", "false")
            .set("ember.s3.endpoint", &self.endpoint)
            .set("ember.s3.region", "us-east-1")
            .set("ember.s3.access_key_id", "testing")
            .set("ember.s3.secret_access_key", "testing")
    }

    /// A `local[2]` context whose S3 stores point at this server.
    pub fn ctx(&self) -> Context {
        Context::new(self.conf()).expect("context starts")
    }
}
