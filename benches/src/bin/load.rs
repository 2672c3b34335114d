//! The HTTP load benchmark: starts (or targets) a scimhub server, seeds
//! users through the API, then runs each scenario for a fixed time with a
//! fixed number of keep-alive connections, beside a baseline route that
//! does no SCIM work (`/healthz`) measured in the same run.
//!
//! `cargo run --release -p scimhub-benches --bin load -- --help`
//!
//! By default the server is pinned to core 0 with one worker and this load
//! generator to core 1, on loopback only.

use std::collections::HashMap;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use clap::Parser;
use hdrhistogram::Histogram;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper::client::conn::http1;
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::TcpStream;

/// Command-line options.
#[derive(Parser, Debug, Clone)]
#[command(name = "load", about = "HTTP load benchmark of the scimhub server")]
struct Opts {
    /// The scimhub binary to start (ignored with --target).
    #[arg(long, default_value = "target/release/scimhub")]
    server: String,
    /// Target an already running server (http://HOST:PORT) instead of starting one.
    #[arg(long)]
    target: Option<String>,
    /// Store URL for the started server; sqlite files are deleted first.
    #[arg(long, default_value = "sqlite:///tmp/scimhub-load.db")]
    database: String,
    /// Bearer token (the started server's bootstrap token).
    #[arg(long, default_value = "scimhub_load-test-token")]
    token: String,
    /// Tenant.
    #[arg(long, default_value = "default")]
    tenant: String,
    /// Users to create before the read scenarios.
    #[arg(long, default_value_t = 10_000)]
    users: usize,
    /// Seconds each timed scenario runs.
    #[arg(long, default_value_t = 10)]
    duration: u64,
    /// Keep-alive connections of the timed scenarios.
    #[arg(long, default_value_t = 32)]
    connections: usize,
    /// Do not pin the server and the generator to cores 0 and 1.
    #[arg(long)]
    no_pin: bool,
    /// Server workers.
    #[arg(long, default_value_t = 1)]
    workers: usize,
    /// Run only these timed scenarios (comma-separated: baseline, get,
    /// filter, page, patch1, patch, and with `--versus` create); all by
    /// default.
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Also run the scale scenarios (large tenants, large groups, an
    /// Entra-like initial sync); their sizes below.
    #[arg(long)]
    scale: bool,
    /// Load the users of the lookup and large-group scale scenarios
    /// straight into the store (`create_many`, as an import does) instead
    /// of through HTTP; the timed requests still go through the server.
    /// On PostgreSQL a million creations over HTTP take tens of minutes.
    #[arg(long)]
    seed_direct: bool,
    /// Users in the large tenant of the userName-lookup scale scenario.
    #[arg(long, default_value_t = 1_000_000)]
    scale_users: usize,
    /// Members of the large group of the membership scale scenario.
    #[arg(long, default_value_t = 200_000)]
    scale_members: usize,
    /// Users, groups and memberships of the initial-sync scenario.
    #[arg(long, default_value_t = 100_000)]
    sync_users: usize,
    /// Groups of the initial-sync scenario.
    #[arg(long, default_value_t = 1_000)]
    sync_groups: usize,
    /// Memberships of the initial-sync scenario.
    #[arg(long, default_value_t = 1_000_000)]
    sync_memberships: usize,
    /// Compare `--server` with this other scimhub binary instead of
    /// running the scenarios once: both servers are started on SQLite
    /// files of their own and loaded alike, then every selected scenario
    /// runs in alternating slices on one server and the other, so that
    /// both meet the same moments of a noisy host. Prints the median rate
    /// of each, as a fraction of its own baseline, and the median of the
    /// per-slice ratios.
    #[arg(long)]
    versus: Option<String>,
    /// Slices per server and scenario with `--versus` (each `--duration`
    /// seconds).
    #[arg(long, default_value_t = 8)]
    slices: usize,
}

/// A started server, stopped when dropped.
struct Server {
    child: Option<Child>,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(c) = &mut self.child {
            let _ = Command::new("kill")
                .args(["-TERM", &c.id().to_string()])
                .status();
            let deadline = Instant::now() + Duration::from_secs(30);
            while Instant::now() < deadline {
                if let Ok(Some(_)) = c.try_wait() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Server {
    fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    fn rss_mb(&self) -> Option<f64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()?)).ok()?;
        let kb: f64 = status
            .lines()
            .find(|l| l.starts_with("VmRSS:"))?
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()?;
        Some(kb / 1024.0)
    }

    /// CPU time the server's threads have run, in nanoseconds (the first
    /// field of each thread's `schedstat`), or `None` when the server was
    /// not started here or the kernel does not report it.
    fn cpu_ns(&self) -> Option<u64> {
        let tasks = std::fs::read_dir(format!("/proc/{}/task", self.pid()?)).ok()?;
        let mut total = 0;
        for task in tasks.flatten() {
            let stat = std::fs::read_to_string(task.path().join("schedstat")).ok()?;
            total += stat.split_whitespace().next()?.parse::<u64>().ok()?;
        }
        Some(total)
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(18080)
}

fn start_server(o: &Opts, database: &str) -> Result<Server, String> {
    if let Some(t) = &o.target {
        return Ok(Server {
            child: None,
            base: t.trim_end_matches('/').to_owned(),
        });
    }
    if let Some(path) = database.strip_prefix("sqlite://") {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{path}{suffix}"));
        }
    }
    let port = free_port();
    let addr = format!("127.0.0.1:{port}");
    let mut cmd = if o.no_pin {
        Command::new(&o.server)
    } else {
        let mut c = Command::new("taskset");
        c.args(["-c", "0", &o.server]);
        c
    };
    cmd.args([
        "serve",
        "--bind",
        &addr,
        "--workers",
        &o.workers.to_string(),
        "--database",
        database,
    ])
    .env("SCIMHUB_BOOTSTRAP_TOKEN", &o.token)
    .env("RUST_LOG", "warn")
    .stdout(Stdio::null())
    .stderr(Stdio::inherit());
    let child = cmd
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", o.server))?;
    let server = Server {
        child: Some(child),
        base: format!("http://{addr}"),
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::net::TcpStream::connect(&addr).is_err() {
        if Instant::now() > deadline {
            return Err("the server did not start within 60 s".into());
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(server)
}

/// One keep-alive HTTP/1.1 connection.
struct Conn {
    sender: http1::SendRequest<Full<Bytes>>,
    host: String,
    token: String,
}

impl Conn {
    async fn open(base: &str, token: &str) -> Result<Conn, String> {
        let host = base.trim_start_matches("http://").to_owned();
        let stream = TcpStream::connect(&host)
            .await
            .map_err(|e| format!("connect {host}: {e}"))?;
        let _ = stream.set_nodelay(true);
        let (sender, conn) = http1::handshake(TokioIo::new(stream))
            .await
            .map_err(|e| e.to_string())?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        Ok(Conn {
            sender,
            host,
            token: token.to_owned(),
        })
    }

    async fn send(
        &mut self,
        method: &str,
        path: &str,
        body: Option<&Value>,
    ) -> Result<(u16, Bytes), String> {
        self.sender.ready().await.map_err(|e| e.to_string())?;
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header("host", &self.host)
            .header("authorization", format!("Bearer {}", self.token));
        let payload = match body {
            Some(b) => {
                req = req.header("content-type", "application/scim+json");
                Bytes::from(b.to_string())
            }
            None => Bytes::new(),
        };
        let req = req.body(Full::new(payload)).map_err(|e| e.to_string())?;
        let resp = self
            .sender
            .send_request(req)
            .await
            .map_err(|e| e.to_string())?;
        let status = resp.status().as_u16();
        let bytes = resp
            .into_body()
            .collect()
            .await
            .map_err(|e| e.to_string())?
            .to_bytes();
        Ok((status, bytes))
    }
}

/// The outcome of a timed scenario.
struct Outcome {
    name: String,
    requests: u64,
    errors: u64,
    seconds: f64,
    histogram: Histogram<u64>,
    /// Server CPU time per request, in microseconds, when measured.
    cpu_us: Option<f64>,
}

impl Outcome {
    fn rate(&self) -> f64 {
        self.requests as f64 / self.seconds
    }
    fn ms(&self, q: f64) -> f64 {
        self.histogram.value_at_quantile(q) as f64 / 1000.0
    }
}

fn new_histogram() -> Histogram<u64> {
    // Microseconds, up to a minute, three significant digits; these bounds
    // are valid constants.
    #[allow(clippy::expect_used)]
    Histogram::new_with_bounds(1, 60_000_000, 3).expect("valid histogram bounds")
}

/// The request a scenario sends, given a counter.
type Make = Arc<dyn Fn(u64) -> (&'static str, String, Option<Value>) + Send + Sync>;

async fn timed(
    base: &str,
    token: &str,
    name: &str,
    connections: usize,
    duration: Duration,
    make: Make,
    ok: fn(u16) -> bool,
) -> Outcome {
    let counter = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + duration;
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let (base, token, make, counter) = (
            base.to_owned(),
            token.to_owned(),
            make.clone(),
            counter.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut h = new_histogram();
            let (mut n, mut errors) = (0u64, 0u64);
            let Ok(mut conn) = Conn::open(&base, &token).await else {
                return (h, n, 1u64);
            };
            while Instant::now() < deadline {
                let i = counter.fetch_add(1, Ordering::Relaxed);
                let (method, path, body) = make(i);
                let t = Instant::now();
                match conn.send(method, &path, body.as_ref()).await {
                    Ok((status, _)) if ok(status) => {
                        let _ = h.record(t.elapsed().as_micros() as u64);
                        n += 1;
                    }
                    Ok(_) => errors += 1,
                    Err(_) => {
                        errors += 1;
                        match Conn::open(&base, &token).await {
                            Ok(c) => conn = c,
                            Err(_) => break,
                        }
                    }
                }
            }
            (h, n, errors)
        }));
    }
    let mut histogram = new_histogram();
    let (mut requests, mut errors) = (0, 0);
    for t in tasks {
        if let Ok((h, n, e)) = t.await {
            let _ = histogram.add(&h);
            requests += n;
            errors += e;
        }
    }
    Outcome {
        name: name.to_owned(),
        requests,
        errors,
        seconds: start.elapsed().as_secs_f64(),
        histogram,
        cpu_us: None,
    }
}

/// Records the server's CPU time per request of a scenario.
fn charge(out: &mut Outcome, server: &Server, before: Option<u64>) {
    if let (Some(a), Some(b)) = (before, server.cpu_ns())
        && out.requests > 0
    {
        out.cpu_us = Some(b.saturating_sub(a) as f64 / 1000.0 / out.requests as f64);
    }
}

/// Sends `total` requests over `connections` connections; returns the
/// outcome and the response bodies' ids for creations.
async fn counted(
    base: &str,
    token: &str,
    name: &str,
    connections: usize,
    total: usize,
    make: Make,
    ok: fn(u16) -> bool,
) -> (Outcome, Vec<(u64, String)>) {
    let counter = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..connections.max(1) {
        let (base, token, make, counter) = (
            base.to_owned(),
            token.to_owned(),
            make.clone(),
            counter.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut h = new_histogram();
            let (mut n, mut errors) = (0u64, 0u64);
            let mut ids = Vec::new();
            let Ok(mut conn) = Conn::open(&base, &token).await else {
                return (h, n, 1u64, ids);
            };
            loop {
                let i = counter.fetch_add(1, Ordering::Relaxed);
                if i as usize >= total {
                    break;
                }
                let (method, path, body) = make(i);
                let t = Instant::now();
                match conn.send(method, &path, body.as_ref()).await {
                    Ok((status, bytes)) if ok(status) => {
                        let _ = h.record(t.elapsed().as_micros() as u64);
                        n += 1;
                        if method == "POST"
                            && let Ok(v) = serde_json::from_slice::<Value>(&bytes)
                            && let Some(id) = v["id"].as_str()
                        {
                            ids.push((i, id.to_owned()));
                        }
                    }
                    Ok(_) => errors += 1,
                    Err(_) => {
                        errors += 1;
                        match Conn::open(&base, &token).await {
                            Ok(c) => conn = c,
                            Err(_) => break,
                        }
                    }
                }
            }
            (h, n, errors, ids)
        }));
    }
    let mut histogram = new_histogram();
    let (mut requests, mut errors) = (0, 0);
    let mut ids = Vec::new();
    for t in tasks {
        if let Ok((h, n, e, i)) = t.await {
            let _ = histogram.add(&h);
            requests += n;
            errors += e;
            ids.extend(i);
        }
    }
    ids.sort();
    (
        Outcome {
            name: name.to_owned(),
            requests,
            errors,
            seconds: start.elapsed().as_secs_f64(),
            histogram,
            cpu_us: None,
        },
        ids,
    )
}

fn user_body(i: u64) -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
        "userName": format!("user{i}@example.com"),
        "externalId": format!("ext-{i}"),
        "active": true,
        "displayName": format!("User {i}"),
        "name": {"givenName": "User", "familyName": format!("Number{i}")},
        "emails": [{"value": format!("user{i}@example.com"), "type": "work", "primary": true}],
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": format!("{i}"), "department": "Sales"}
    })
}

fn success(status: u16) -> bool {
    (200..300).contains(&status)
}

fn print_header() {
    println!(
        "{:<46} {:>9} {:>7} {:>11} {:>9} {:>9} {:>9} {:>10} {:>9}",
        "scenario",
        "requests",
        "errors",
        "req/s",
        "p50 ms",
        "p99 ms",
        "p99.9 ms",
        "× baseline",
        "cpu µs/req"
    );
}

fn print_row(o: &Outcome, baseline: Option<f64>) {
    let ratio = baseline.map_or("".to_owned(), |b| format!("{:.3}", o.rate() / b));
    let cpu = o.cpu_us.map_or("".to_owned(), |c| format!("{c:.1}"));
    println!(
        "{:<46} {:>9} {:>7} {:>11.0} {:>9.3} {:>9.3} {:>9.3} {:>10} {:>9}",
        o.name,
        o.requests,
        o.errors,
        o.rate(),
        o.ms(0.5),
        o.ms(0.99),
        o.ms(0.999),
        ratio,
        cpu
    );
}

fn pin_self() {
    let _ = Command::new("taskset")
        .args(["-cp", "1", &std::process::id().to_string()])
        .stdout(Stdio::null())
        .status();
}

async fn main_scenarios(o: &Opts) -> Result<(), String> {
    let db = fresh_db(o, "main").await?;
    let server = start_server(o, &db)?;
    let dur = Duration::from_secs(o.duration);
    println!(
        "server: {}  store: {}  workers: {}  connections: {}  duration: {}s",
        server.base, o.database, o.workers, o.connections, o.duration
    );
    if let Some(rss) = server.rss_mb() {
        println!("server RSS at start: {rss:.1} MB");
    }
    print_header();
    let users_path = format!("/scim/v2/{}/Users", o.tenant);

    let (created, ids) = create_users(&server, o, &users_path).await?;
    print_row(&created, None);
    let rss_loaded = server.rss_mb();
    if o.target.is_none() {
        analyze(&db).await?;
    }

    let baseline = run(&server, o, &baseline_scenario(o.connections), dur).await;
    print_row(&baseline, Some(baseline.rate()));
    let mut outcomes = HashMap::new();
    for sc in read_scenarios(&users_path, &ids, o.users, o.connections) {
        if selected(o, sc.key) {
            if sc.key == "patch1" {
                // What one request at a time costs with no SCIM work: the
                // floor under the one-at-a-time PATCH's latency.
                let mut one = baseline_scenario(1);
                one.name = "baseline GET /healthz (1 conn)".into();
                let out = run(&server, o, &one, dur).await;
                print_row(&out, Some(baseline.rate()));
                outcomes.insert("baseline1", out);
            }
            let out = run(&server, o, &sc, dur).await;
            print_row(&out, Some(baseline.rate()));
            outcomes.insert(sc.key, out);
        }
    }
    let (get, filter, page, patch_one, patch_many) = (
        outcomes.get("get"),
        outcomes.get("filter"),
        outcomes.get("page"),
        outcomes.get("patch1"),
        outcomes.get("patch"),
    );

    println!();
    let store = o.database.split("://").next().unwrap_or("?");
    println!("summary (this run: {store}; the issue's targets are set for the SQLite store):");
    let line = |what: &str, got: Option<f64>, target: &str| {
        if let Some(v) = got {
            println!("  {what:<42} {v:>10.0}   target {target}");
        }
    };
    line("GET /Users/{id} req/s", get.map(Outcome::rate), ">= 45,000");
    line(
        "GET filter userName eq req/s",
        filter.map(Outcome::rate),
        ">= 35,000",
    );
    line(
        "GET startIndex=1&count=100 req/s",
        page.map(Outcome::rate),
        ">= 2,500",
    );
    line(
        "POST /Users users/s (4 conns)",
        Some(created.rate()),
        ">= 10,000",
    );
    line(
        "PATCH 32 conns req/s",
        patch_many.map(Outcome::rate),
        ">= 15,000",
    );
    println!("users created per second: {:.0}", created.rate());
    if let Some(p) = patch_one {
        print!("PATCH one at a time: p50 {:.3} ms", p.ms(0.5));
        match outcomes.get("baseline1") {
            Some(b) => println!(" (the baseline one at a time: p50 {:.3} ms)", b.ms(0.5)),
            None => println!(),
        }
    }
    if let Some(rss) = rss_loaded {
        println!("server RSS after loading {} users: {rss:.1} MB", o.users);
    }
    if let Some(rss) = server.rss_mb() {
        println!("server RSS at the end: {rss:.1} MB");
    }
    Ok(())
}

/// Whether `--only` selects the scenario `key` (all are selected when it
/// names none).
fn selected(o: &Opts, key: &str) -> bool {
    o.only.is_empty() || o.only.iter().any(|s| s == key)
}

/// Runs a timed scenario against `server` and charges it the server's
/// CPU time.
async fn run(server: &Server, o: &Opts, sc: &Scenario, dur: Duration) -> Outcome {
    let cpu = server.cpu_ns();
    let mut out = timed(
        &server.base,
        &o.token,
        &sc.name,
        sc.connections,
        dur,
        sc.make.clone(),
        success,
    )
    .await;
    charge(&mut out, server, cpu);
    out
}

/// Creates `--users` distinct users (`user_body`) over 4 connections:
/// the outcome, and the ids of the users created.
async fn create_users(
    server: &Server,
    o: &Opts,
    users_path: &str,
) -> Result<(Outcome, Arc<Vec<String>>), String> {
    let p = users_path.to_owned();
    let make: Make = Arc::new(move |i| ("POST", p.clone(), Some(user_body(i))));
    let cpu = server.cpu_ns();
    let (mut created, ids) = counted(
        &server.base,
        &o.token,
        &format!("POST /Users ({} users, 4 conns)", o.users),
        4,
        o.users,
        make,
        |s| s == 201,
    )
    .await;
    charge(&mut created, server, cpu);
    if ids.is_empty() {
        return Err(format!(
            "no user was created on {}; is the token right?",
            server.base
        ));
    }
    Ok((
        created,
        Arc::new(ids.into_iter().map(|(_, id)| id).collect()),
    ))
}

/// A timed scenario of the main set: its `--only` key, its name, its
/// connections and its requests.
struct Scenario {
    key: &'static str,
    name: String,
    connections: usize,
    make: Make,
}

/// The main read and update scenarios against `users` (the ids of the
/// users loaded, `loaded` of them, named as `user_body` names them).
fn read_scenarios(
    users_path: &str,
    users: &Arc<Vec<String>>,
    loaded: usize,
    connections: usize,
) -> Vec<Scenario> {
    // A user picked from the loaded ones, spread over the whole set.
    let user_path = {
        let (p, ids) = (users_path.to_owned(), users.clone());
        move |i: u64| format!("{p}/{}", ids[(i as usize * 7919) % ids.len()])
    };
    // Both PATCH scenarios draw from one counter: each pass over the
    // users sets `active` to the opposite of what the pass before set
    // (users are created active), so every PATCH changes its user and is
    // written, however many passes a run makes and in whichever order
    // the scenarios run.
    let patch = {
        let (next, count) = (Arc::new(AtomicU64::new(0)), users.len().max(1) as u64);
        let user = user_path.clone();
        move || {
            let k = next.fetch_add(1, Ordering::Relaxed);
            let active = (k / count) % 2 == 1;
            let body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                   "Operations": [{"op": "replace", "path": "active", "value": active}]});
            ("PATCH", user(k), Some(body))
        }
    };
    let (p, n) = (users_path.to_owned(), loaded.max(1) as u64);
    let (get_user, patch1, patch_many) = (user_path, patch.clone(), patch);
    let page_path = users_path.to_owned();
    vec![
        Scenario {
            key: "get",
            name: "GET /Users/{id}".into(),
            connections,
            make: Arc::new(move |i| ("GET", get_user(i), None)),
        },
        Scenario {
            key: "filter",
            name: "GET /Users?filter=userName eq \"…\"".into(),
            connections,
            make: Arc::new(move |i| {
                (
                    "GET",
                    format!(
                        "{p}?filter=userName%20eq%20%22user{}%40example.com%22",
                        (i * 7919) % n
                    ),
                    None,
                )
            }),
        },
        Scenario {
            key: "page",
            name: "GET /Users?startIndex=1&count=100".into(),
            connections,
            make: Arc::new(move |_| ("GET", format!("{page_path}?startIndex=1&count=100"), None)),
        },
        Scenario {
            key: "patch1",
            name: "PATCH replace active (1 conn)".into(),
            connections: 1,
            make: Arc::new(move |_| patch1()),
        },
        Scenario {
            key: "patch",
            name: format!("PATCH replace active ({connections} conns)"),
            connections,
            make: Arc::new(move |_| patch_many()),
        },
    ]
}

/// The baseline scenario: `GET /healthz`.
fn baseline_scenario(connections: usize) -> Scenario {
    Scenario {
        key: "baseline",
        name: "baseline GET /healthz".into(),
        connections,
        make: Arc::new(|_| ("GET", "/healthz".to_owned(), None)),
    }
}

/// `--versus` only: creations over 4 connections for a fixed time, each
/// user new (numbered on from the `loaded` users `create_users` made).
fn create_scenario(users_path: &str, loaded: usize) -> Scenario {
    let p = users_path.to_owned();
    let next = Arc::new(AtomicU64::new(loaded as u64));
    Scenario {
        key: "create",
        name: "POST /Users (4 conns)".into(),
        connections: 4,
        make: Arc::new(move |_| {
            let i = next.fetch_add(1, Ordering::Relaxed);
            ("POST", p.clone(), Some(user_body(i)))
        }),
    }
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// `--versus`: the main scenarios on two binaries, in alternating slices.
async fn versus_scenarios(o: &Opts, other: &str) -> Result<(), String> {
    let Some(path) = o.database.strip_prefix("sqlite://") else {
        return Err("--versus compares two servers on SQLite files of their own".into());
    };
    let mut servers = Vec::new();
    for (label, binary) in [("A", o.server.as_str()), ("B", other)] {
        let db = format!("sqlite://{path}-{label}");
        let opts = Opts {
            server: binary.to_owned(),
            ..o.clone()
        };
        let server = start_server(&opts, &db)?;
        let users_path = format!("/scim/v2/{}/Users", o.tenant);
        let (created, ids) = create_users(&server, o, &users_path).await?;
        analyze(&db).await?;
        println!(
            "{label}: {binary} at {}: {} users created, {:.0}/s",
            server.base,
            ids.len(),
            created.rate()
        );
        let mut scenarios = vec![baseline_scenario(o.connections)];
        scenarios.extend(read_scenarios(&users_path, &ids, o.users, o.connections));
        scenarios.push(create_scenario(&users_path, o.users));
        servers.push((server, scenarios));
    }
    let dur = Duration::from_secs(o.duration);
    let keys: Vec<&'static str> = servers[0]
        .1
        .iter()
        .map(|s| s.key)
        .filter(|k| *k == "baseline" || selected(o, k))
        .collect();
    println!(
        "{} slices of {} s per server and scenario, alternating A and B",
        o.slices, o.duration
    );
    println!(
        "{:<40} {:>11} {:>11} {:>9} {:>9} {:>11}",
        "scenario", "A req/s", "B req/s", "A × base", "B × base", "B/A"
    );
    let mut base_rates = [f64::NAN; 2];
    for key in keys {
        let mut rates = [Vec::new(), Vec::new()];
        let mut ratios = Vec::new();
        for slice in 0..o.slices {
            let mut pair = [0.0; 2];
            // Alternate which server goes first, so neither always
            // follows the other.
            let order = if slice % 2 == 0 { [0, 1] } else { [1, 0] };
            for i in order {
                let (server, scenarios) = &servers[i];
                let Some(sc) = scenarios.iter().find(|s| s.key == key) else {
                    continue;
                };
                let out = run(server, o, sc, dur).await;
                if out.errors > 0 {
                    eprintln!("{key}: {} errors on server {}", out.errors, ["A", "B"][i]);
                }
                pair[i] = out.rate();
                rates[i].push(out.rate());
            }
            ratios.push(pair[1] / pair[0]);
        }
        let [a, b] = rates.map(median);
        if key == "baseline" {
            base_rates = [a, b];
        }
        let name = servers[0]
            .1
            .iter()
            .find(|s| s.key == key)
            .map_or(key.to_owned(), |s| s.name.clone());
        println!(
            "{:<40} {:>11.0} {:>11.0} {:>9.3} {:>9.3} {:>11.3}",
            name,
            a,
            b,
            a / base_rates[0],
            b / base_rates[1],
            median(ratios)
        );
    }
    Ok(())
}

/// Creates `count` users named `{prefix}{i}` over 8 connections.
async fn seed_users(
    base: &str,
    t: &str,
    tenant: &str,
    prefix: &str,
    count: usize,
) -> Result<(Outcome, Vec<String>), String> {
    let path = format!("/scim/v2/{tenant}/Users");
    let prefix = prefix.to_owned();
    let make: Make = Arc::new(move |i| {
        (
            "POST",
            path.clone(),
            Some(
                json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "userName": format!("{prefix}{i}@example.com"), "externalId": format!("{prefix}-{i}"), "active": true}),
            ),
        )
    });
    let (o, ids) = counted(
        base,
        t,
        &format!("seed {count} users"),
        8,
        count,
        make,
        |s| s == 201,
    )
    .await;
    if o.errors > 0 {
        return Err(format!("{} errors while seeding users", o.errors));
    }
    Ok((o, ids.into_iter().map(|(_, id)| id).collect()))
}

async fn scale_scenarios(o: &Opts) -> Result<(), String> {
    let t = o.token.clone();
    let tenant = o.tenant.clone();
    let dur = Duration::from_secs(o.duration);
    let users_path = format!("/scim/v2/{tenant}/Users");
    let groups_path = format!("/scim/v2/{tenant}/Groups");
    println!(
        "\n== scale: userName lookup, 1,000 vs {} users",
        o.scale_users
    );
    print_header();
    let mut lookups = Vec::new();
    for n in [1_000usize, o.scale_users] {
        let db = fresh_db(o, &format!("lookup{n}")).await?;
        let server = start_server(o, &db)?;
        seed(o, &server, &db, "u", n).await?;
        analyze(&db).await?;
        let (p, nn) = (users_path.clone(), n as u64);
        let out = timed(
            &server.base,
            &t,
            &format!("GET filter userName eq ({n} users)"),
            o.connections,
            dur,
            Arc::new(move |i| {
                (
                    "GET",
                    format!(
                        "{p}?filter=userName%20eq%20%22u{}%40example.com%22",
                        (i * 7919) % nn
                    ),
                    None,
                )
            }),
            success,
        )
        .await;
        print_row(&out, None);
        lookups.push(out);
    }
    if let [small, large] = lookups.as_slice() {
        println!(
            "large/small p50 latency: {:.2}×, small/large throughput: {:.2}×",
            large.ms(0.5) / small.ms(0.5),
            small.rate() / large.rate()
        );
    }

    println!(
        "\n== scale: one member added to a group of 10 vs {}",
        o.scale_members
    );
    print_header();
    let mut adds = Vec::new();
    let mut reads = Vec::new();
    for size in [10usize, o.scale_members] {
        let db = fresh_db(o, &format!("group{size}")).await?;
        let server = start_server(o, &db)?;
        let ids = seed(o, &server, &db, "m", size + 20_000).await?;
        let (members, extra) = ids.split_at(size);
        let mut conn = Conn::open(&server.base, &t).await?;
        let (status, body) = conn.send("POST", &groups_path, Some(&json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Big"}))).await?;
        if status != 201 {
            return Err(format!("group create: {status}"));
        }
        let gid = serde_json::from_slice::<Value>(&body).map_err(|e| e.to_string())?["id"]
            .as_str()
            .unwrap_or("")
            .to_owned();
        for chunk in members.chunks(1000) {
            let patch = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "add", "path": "members",
                "value": chunk.iter().map(|m| json!({"value": m})).collect::<Vec<_>>()}]});
            let (s, _) = conn
                .send("PATCH", &format!("{groups_path}/{gid}"), Some(&patch))
                .await?;
            if s >= 300 {
                return Err(format!("member seeding: {s}"));
            }
        }
        analyze(&db).await?;
        let extra: Arc<Vec<String>> = Arc::new(extra.to_vec());
        let (gp, g, ex) = (groups_path.clone(), gid.clone(), extra.clone());
        let add = timed(&server.base, &t, &format!("PATCH add one member (group of {size})"), 1, dur,
            Arc::new(move |i| {
                let m = &ex[i as usize % ex.len()];
                let op = if (i / ex.len() as u64).is_multiple_of(2) { "add" } else { "remove" };
                let patch = if op == "add" {
                    json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "add", "path": "members", "value": [{"value": m}]}]})
                } else {
                    json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "remove", "path": format!("members[value eq \"{m}\"]")}]})
                };
                ("PATCH", format!("{gp}/{g}"), Some(patch))
            }), success).await;
        print_row(&add, None);
        let (gp, g) = (groups_path.clone(), gid.clone());
        let read = timed(
            &server.base,
            &t,
            &format!("GET group excludedAttributes=members ({size})"),
            1,
            dur,
            Arc::new(move |_| ("GET", format!("{gp}/{g}?excludedAttributes=members"), None)),
            success,
        )
        .await;
        print_row(&read, None);
        adds.push(add);
        reads.push(read);
    }
    if let ([a_small, a_large], [r_small, r_large]) = (adds.as_slice(), reads.as_slice()) {
        println!(
            "member add p50 large/small: {:.2}×; group read p50 large/small: {:.2}×",
            a_large.ms(0.5) / a_small.ms(0.5),
            r_large.ms(0.5) / r_small.ms(0.5)
        );
    }

    println!(
        "\n== scale: Entra-like initial sync: {} users, {} groups, {} memberships",
        o.sync_users, o.sync_groups, o.sync_memberships
    );
    let db = fresh_db(o, "sync").await?;
    let server = start_server(o, &db)?;
    let start = Instant::now();
    let (users, user_ids) = seed_users(&server.base, &t, &tenant, "s", o.sync_users).await?;
    println!(
        "users: {} in {:.1}s ({:.0}/s)",
        users.requests,
        users.seconds,
        users.rate()
    );
    let gp = groups_path.clone();
    let (groups, group_ids) = counted(&server.base, &t, "groups", 8, o.sync_groups,
        Arc::new(move |i| ("POST", gp.clone(), Some(json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": format!("Group {i}"), "externalId": format!("g-{i}")})))),
        |s| s == 201).await;
    println!("groups: {} in {:.1}s", groups.requests, groups.seconds);
    let group_ids: Arc<Vec<String>> = Arc::new(group_ids.into_iter().map(|(_, id)| id).collect());
    let user_ids = Arc::new(user_ids);
    // Memberships in PATCH requests of 100 members, as Entra batches them.
    // Group g takes the users from g × stride on (wrapping), so members
    // are spread over the whole tenant: with the defaults each group gets
    // 1,000 members and each user belongs to 10 groups.
    let per_request = 100usize;
    let requests = o.sync_memberships.div_ceil(per_request);
    let stride = requests.div_ceil(o.sync_groups.max(1)) * per_request;
    let (gp, gi, ui, ms) = (
        groups_path.clone(),
        group_ids.clone(),
        user_ids.clone(),
        o.sync_memberships,
    );
    let (memberships, _) = counted(
        &server.base,
        &t,
        "memberships",
        8,
        requests,
        Arc::new(move |i| {
            let i = i as usize;
            let (g, round) = (i % gi.len(), i / gi.len());
            let value: Vec<Value> = (0..per_request)
                .filter(|k| i * per_request + k < ms)
                .map(|k| json!({"value": ui[(g * stride + round * per_request + k) % ui.len()]}))
                .collect();
            (
                "PATCH",
                format!("{gp}/{}", gi[g]),
                Some(
                    json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{"op": "Add", "path": "members", "value": value}]}),
                ),
            )
        }),
        success,
    )
    .await;
    println!(
        "membership PATCH requests: {} ({} errors) in {:.1}s",
        memberships.requests, memberships.errors, memberships.seconds
    );
    println!(
        "initial sync wall time: {:.1}s",
        start.elapsed().as_secs_f64()
    );
    if let Some(rss) = server.rss_mb() {
        println!("server RSS after the sync: {rss:.1} MB");
    }
    Ok(())
}

/// Users `{prefix}{i}@example.com` for `i` in `0..count`, as
/// [`seed_users`] creates them, written straight into the store of the
/// started server, in chunks; their ids in order.
async fn seed_direct(
    db: &str,
    tenant: &str,
    prefix: &str,
    count: usize,
) -> Result<Vec<String>, String> {
    use scimhub_store::{NewResource, TenantId, UniqueValue};
    let tenant = TenantId::new(tenant).map_err(|e| e.to_string())?;
    let user = |i: usize| {
        let name = format!("{prefix}{i}@example.com");
        NewResource {
            resource_type: "User".into(),
            document: json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                "userName": name, "externalId": format!("{prefix}-{i}"), "active": true}),
            unique: vec![UniqueValue::new("userName", &name, false)],
            members: vec![],
        }
    };
    let start = Instant::now();
    let mut ids = Vec::with_capacity(count);
    let chunks: Vec<std::ops::Range<usize>> = (0..count)
        .step_by(20_000)
        .map(|a| a..(a + 20_000).min(count))
        .collect();
    if let Some(path) = db.strip_prefix("sqlite://") {
        let store = scimhub_sql::SqliteStore::open(path).map_err(|e| e.to_string())?;
        for c in chunks {
            let created = store
                .create_many(&tenant, c.map(user).collect())
                .await
                .map_err(|e| e.to_string())?;
            ids.extend(created.into_iter().map(|r| r.id.to_string()));
        }
        scimhub_store::Store::close(&store)
            .await
            .map_err(|e| e.to_string())?;
    } else {
        let store = scimhub_sql::PostgresStore::connect(db)
            .await
            .map_err(|e| e.to_string())?;
        for c in chunks {
            let created = store
                .create_many(&tenant, c.map(user).collect())
                .await
                .map_err(|e| e.to_string())?;
            ids.extend(created.into_iter().map(|r| r.id.to_string()));
        }
        scimhub_store::Store::close(&store)
            .await
            .map_err(|e| e.to_string())?;
    }
    println!(
        "loaded {count} users into the store in {:.1}s",
        start.elapsed().as_secs_f64()
    );
    Ok(ids)
}

/// Seeds users through HTTP, or with `--seed-direct` into the store.
async fn seed(
    o: &Opts,
    server: &Server,
    db: &str,
    prefix: &str,
    count: usize,
) -> Result<Vec<String>, String> {
    if o.seed_direct && o.target.is_none() {
        seed_direct(db, &o.tenant, prefix, count).await
    } else {
        let (seeded, ids) = seed_users(&server.base, &o.token, &o.tenant, prefix, count).await?;
        print_row(&seeded, None);
        Ok(ids)
    }
}

/// On PostgreSQL, refreshes the planner's statistics after a load, as
/// autovacuum does within `autovacuum_naptime` (a minute by default):
/// the timed scenarios measure the steady state, not the minute after a
/// bulk load when a fresh table has no statistics yet.
async fn analyze(db: &str) -> Result<(), String> {
    if !(db.starts_with("postgres://") || db.starts_with("postgresql://")) {
        return Ok(());
    }
    let (client, conn) = tokio_postgres::connect(db, tokio_postgres::NoTls)
        .await
        .map_err(|e| format!("cannot connect to analyze: {e}"))?;
    let task = tokio::spawn(conn);
    client
        .batch_execute("ANALYZE")
        .await
        .map_err(|e| format!("ANALYZE failed: {e}"))?;
    drop(client);
    let _ = task.await;
    Ok(())
}

/// The store URL for one started server: a SQLite file of its own, or a
/// PostgreSQL schema of its own, emptied first so that reruns start
/// clean.
async fn fresh_db(o: &Opts, name: &str) -> Result<String, String> {
    if let Some(path) = o.database.strip_prefix("sqlite://") {
        return Ok(if name == "main" {
            o.database.clone()
        } else {
            format!("sqlite://{path}-{name}")
        });
    }
    let postgres = o.database.starts_with("postgres://") || o.database.starts_with("postgresql://");
    if o.target.is_some() || !postgres {
        return Ok(o.database.clone());
    }
    let schema = format!("scimhub_load_{name}");
    let (client, conn) = tokio_postgres::connect(&o.database, tokio_postgres::NoTls)
        .await
        .map_err(|e| format!("cannot connect to {}: {e}", o.database))?;
    let task = tokio::spawn(conn);
    client
        .batch_execute(&format!(
            "DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema}"
        ))
        .await
        .map_err(|e| format!("cannot prepare schema {schema}: {e}"))?;
    drop(client);
    let _ = task.await;
    let sep = if o.database.contains('?') { '&' } else { '?' };
    Ok(format!(
        "{}{sep}options=-c%20search_path%3D{schema}",
        o.database
    ))
}

fn main() {
    let o = Opts::parse();
    if !o.no_pin && o.target.is_none() {
        pin_self();
    }
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("load: {e}");
            std::process::exit(1);
        }
    };
    let result = rt.block_on(async {
        if let Some(other) = &o.versus {
            return versus_scenarios(&o, other).await;
        }
        main_scenarios(&o).await?;
        if o.scale {
            scale_scenarios(&o).await?;
        }
        Ok::<(), String>(())
    });
    if let Err(e) = result {
        eprintln!("load: {e}");
        std::process::exit(1);
    }
}
