//! Starting the real `scimhub` binary and talking to it over HTTP.

#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::{BufRead, BufReader, Read};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

pub const TOKEN: &str = "scimhub_test-bootstrap-token-0123456789abcdef";

/// A running server, killed when dropped.
pub struct Server {
    pub child: Child,
    pub addr: String,
    pub scheme: &'static str,
    pub stdout: Arc<Mutex<Vec<String>>>,
    pub stderr: Arc<Mutex<Vec<String>>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> String {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .to_string()
}

pub fn binary() -> Command {
    Command::new(env!("CARGO_BIN_EXE_scimhub"))
}

fn collect(stream: impl Read + Send + 'static, lines: Arc<Mutex<Vec<String>>>) {
    std::thread::spawn(move || {
        for line in BufReader::new(stream).lines() {
            match line {
                Ok(l) => lines.lock().unwrap().push(l),
                Err(_) => break,
            }
        }
    });
}

pub struct Options {
    pub database: String,
    pub bootstrap_token: Option<&'static str>,
    pub extra_args: Vec<String>,
    pub env: Vec<(String, String)>,
    pub tls: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            database: "memory://".into(),
            bootstrap_token: Some(TOKEN),
            extra_args: vec![],
            env: vec![],
            tls: false,
        }
    }
}

pub fn start() -> Server {
    start_with(Options::default())
}

pub fn start_with(o: Options) -> Server {
    let addr = free_port();
    let mut cmd = binary();
    cmd.args([
        "serve",
        "--bind",
        &addr,
        "--workers",
        "2",
        "--database",
        &o.database,
    ])
    .args(&o.extra_args)
    .env_remove("SCIMHUB_BOOTSTRAP_TOKEN")
    .env_remove("SCIMHUB_DATABASE_URL")
    .env("RUST_LOG", "info")
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    if let Some(t) = o.bootstrap_token {
        cmd.env("SCIMHUB_BOOTSTRAP_TOKEN", t);
    }
    for (k, v) in &o.env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let stdout = Arc::new(Mutex::new(Vec::new()));
    let stderr = Arc::new(Mutex::new(Vec::new()));
    collect(child.stdout.take().unwrap(), stdout.clone());
    collect(child.stderr.take().unwrap(), stderr.clone());
    let server = Server {
        child,
        addr,
        scheme: if o.tls { "https" } else { "http" },
        stdout,
        stderr,
    };
    server.wait_ready();
    server
}

impl Server {
    pub fn wait_ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(&self.addr).is_err() {
            if Instant::now() > deadline {
                panic!(
                    "server did not start; stderr: {:?}",
                    self.stderr.lock().unwrap()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}://{}{path}", self.scheme, self.addr)
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn logs(&self) -> String {
        self.stderr.lock().unwrap().join("\n")
    }
}

pub fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

/// Sends a request with a bearer token and a SCIM JSON body.
pub fn send(
    method: reqwest::Method,
    url: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> (u16, reqwest::header::HeaderMap, Value) {
    let mut req = client().request(method, url);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req
            .header("Content-Type", "application/scim+json")
            .body(b.to_string());
    }
    let resp = req.send().unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let text = resp.text().unwrap();
    let json = serde_json::from_str(&text).unwrap_or(Value::Null);
    (status, headers, json)
}

/// Runs the CLI and returns (exit code, stdout lines parsed as JSON, stderr).
pub fn cli(args: &[&str]) -> (i32, Vec<Value>, String) {
    let out = binary()
        .args(args)
        .env_remove("SCIMHUB_DATABASE_URL")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let values = stdout
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|_| Value::String(l.to_owned())))
        .collect();
    (
        out.status.code().unwrap_or(-1),
        values,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

pub fn sigterm(pid: u32) {
    let status = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

pub mod postgres;

/// A client for load: short connect timeout, so that clients of a
/// killed server notice quickly.
pub fn load_client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(20))
        .connect_timeout(Duration::from_secs(2))
        .build()
        .unwrap()
}

/// Like [`send`], through `client`, with an optional `If-Match`, and
/// returning transport errors (a killed server) instead of panicking.
pub fn try_send(
    client: &reqwest::blocking::Client,
    method: reqwest::Method,
    url: &str,
    token: &str,
    body: Option<&Value>,
    if_match: Option<&str>,
) -> Result<(u16, reqwest::header::HeaderMap, Value), reqwest::Error> {
    let mut req = client.request(method, url).bearer_auth(token);
    if let Some(b) = body {
        req = req
            .header("Content-Type", "application/scim+json")
            .body(b.to_string());
    }
    if let Some(m) = if_match {
        req = req.header("If-Match", m);
    }
    let resp = req.send()?;
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let text = resp.text()?;
    Ok((
        status,
        headers,
        serde_json::from_str(&text).unwrap_or(Value::Null),
    ))
}

/// The version in a response's `ETag` (`W/"7"` → 7).
pub fn etag_version(headers: &reqwest::header::HeaderMap) -> u64 {
    let tag = headers["etag"].to_str().unwrap();
    tag.trim_start_matches("W/")
        .trim_matches('"')
        .parse()
        .unwrap()
}

/// Kills the server with SIGKILL and reaps it.
pub fn sigkill(server: &mut Server) {
    server.child.kill().unwrap();
    server.child.wait().unwrap();
}

/// Waits for the server to exit by itself.
pub fn wait_exit(server: &mut Server, within: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + within;
    loop {
        if let Some(s) = server.child.try_wait().unwrap() {
            return s;
        }
        assert!(
            Instant::now() < deadline,
            "the server did not exit within {within:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The resident set size of a process, in KiB, from /proc/PID/status.
pub fn rss_kib(pid: u32) -> u64 {
    status_kib(pid, "VmRSS")
}

/// The anonymous part of a process's resident memory, in KiB: its heap
/// and stacks, without the pages of mapped files (such as the database
/// file SQLite's read connections map), which are the OS's file cache.
pub fn rss_anon_kib(pid: u32) -> u64 {
    status_kib(pid, "RssAnon")
}

fn status_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or_else(|| panic!("no {field} in {status}"))
}

/// A small xorshift generator: random moments without a dependency.
/// Seeded from the clock; the seed is printed so a failure can be rerun.
pub struct Rng(pub u64);

impl Rng {
    pub fn from_clock(test: &str) -> Rng {
        let seed = std::env::var("SCIMHUB_TEST_SEED")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| {
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .unwrap()
                    .as_nanos() as u64
                    | 1
            });
        eprintln!("{test}: seed {seed} (rerun with SCIMHUB_TEST_SEED={seed})");
        Rng(seed)
    }

    /// A number in `lo..hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        lo + self.0 % (hi - lo)
    }
}

/// `sqlite://` URL of `db.sqlite` in `dir`, and the file's path.
pub fn sqlite_in(dir: &tempfile::TempDir) -> (String, std::path::PathBuf) {
    let path = dir.path().join("scimhub.db");
    (format!("sqlite://{}", path.display()), path)
}

/// Runs `PRAGMA integrity_check` on a SQLite file no server has open.
pub fn integrity_check(path: &std::path::Path) -> String {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.query_row("PRAGMA integrity_check", [], |r| r.get::<_, String>(0))
        .unwrap()
}

/// Creates a tenant with the CLI; returns its token.
pub fn create_tenant(database: &str, name: &str) -> String {
    let (code, out, err) = cli(&["tenant", "create", name, "--database", database]);
    assert_eq!(code, 0, "{err}");
    out[0]["token"].as_str().unwrap().to_owned()
}
