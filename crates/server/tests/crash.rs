//! Crashes and stops under load, against the real binary: SIGKILL at
//! random moments while clients write (SQLite and PostgreSQL) loses no
//! acknowledged write and leaves a sound database; SIGTERM under load
//! loses no acknowledged request and applies every PATCH whole.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use common::postgres::PgSchema;
use common::*;
use reqwest::Method;
use scimhub_schema::urn::{GROUP, PATCH_OP, USER};
use serde_json::{Value, json};

/// Client threads writing at once.
const WRITERS: usize = 6;
/// SIGKILLs while the writers run (one more follows the last restart).
const KILLS: usize = 6;

/// Where the writers send requests: the base URL of the server of the
/// moment (each restart listens on a new port), and when to stop.
struct Target {
    base: RwLock<String>,
    stop: AtomicBool,
}

impl Target {
    fn base(&self) -> String {
        self.base.read().unwrap().clone()
    }
}

/// What one writer was told.
#[derive(Default)]
struct Acks {
    /// Users whose creation got 201: (id, userName).
    users: Vec<(String, String)>,
    /// Users whose addition to the group got a 2xx.
    members: Vec<String>,
    /// The writer's own user: the last title sequence number acknowledged
    /// and the last one sent.
    title_acked: u64,
    title_sent: u64,
    /// Title PATCHes acknowledged.
    title_acks: u64,
    /// Requests sent, answered or not.
    requests: u64,
    /// Answers that are neither 2xx nor a transport failure.
    unexpected: Vec<String>,
}

fn patch_op(ops: Value) -> Value {
    json!({"schemas": [PATCH_OP], "Operations": ops})
}

/// One writer: creates users, adds each to the group, and replaces the
/// title of its own user with increasing sequence numbers, until told to
/// stop. Transport failures (a killed server) are not acknowledgements.
fn write(w: usize, target: &Target, group: &str, own: &str) -> Acks {
    let client = load_client();
    let mut acks = Acks::default();
    let mut to_add: Option<String> = None;
    let mut n = 0u64;
    while !target.stop.load(Ordering::Relaxed) {
        let base = target.base();
        n += 1;
        let pause = || std::thread::sleep(Duration::from_millis(20));
        // A userName never reused: a create whose answer was lost may
        // have committed.
        let user_name = format!("w{w}-{n}@example.com");
        acks.requests += 1;
        match try_send(
            &client,
            Method::POST,
            &format!("{base}/Users"),
            TOKEN,
            Some(&json!({"schemas": [USER], "userName": user_name, "title": "created"})),
            None,
        ) {
            Ok((201, _, body)) => {
                let id = body["id"].as_str().unwrap().to_owned();
                acks.users.push((id.clone(), user_name));
                to_add = Some(id);
            }
            Ok((s, _, body)) => acks.unexpected.push(format!("POST {s} {body}")),
            Err(_) => {
                pause();
                continue;
            }
        }
        if let Some(id) = to_add.clone() {
            acks.requests += 1;
            match try_send(
                &client,
                Method::PATCH,
                &format!("{base}/Groups/{group}"),
                TOKEN,
                Some(&patch_op(
                    json!([{"op": "add", "path": "members", "value": [{"value": id}]}]),
                )),
                None,
            ) {
                Ok((s, _, _)) if (200..300).contains(&s) => {
                    acks.members.push(id);
                    to_add = None;
                }
                Ok((s, _, body)) => acks.unexpected.push(format!("PATCH group {s} {body}")),
                Err(_) => {
                    pause();
                    continue;
                }
            }
        }
        acks.requests += 1;
        acks.title_sent = n;
        let value = format!("w{w}-{n}");
        match try_send(
            &client,
            Method::PATCH,
            &format!("{base}/Users/{own}"),
            TOKEN,
            Some(&patch_op(json!([
                {"op": "replace", "path": "title", "value": value},
                {"op": "replace", "path": "displayName", "value": value}
            ]))),
            None,
        ) {
            Ok((200, _, body)) => {
                assert_eq!(body["title"], value.as_str());
                acks.title_acked = n;
                acks.title_acks += 1;
            }
            Ok((s, _, body)) => acks.unexpected.push(format!("PATCH user {s} {body}")),
            Err(_) => pause(),
        }
    }
    acks
}

/// The sequence number in a value `w{w}-{n}`.
fn sequence(value: &Value) -> u64 {
    value
        .as_str()
        .and_then(|v| v.rsplit('-').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

struct Survived {
    kills: usize,
    users: usize,
    members: usize,
    titles: usize,
    requests: u64,
}

/// Runs the writers against a server on `database`, kills it with SIGKILL
/// `KILLS` times at random moments and restarts it on the same database,
/// kills it once more, calls `after_last_kill` (no server runs then),
/// restarts it and checks every acknowledged write.
fn survive_sigkills(test: &str, database: &str, after_last_kill: impl FnOnce()) -> Survived {
    let mut rng = Rng::from_clock(test);
    let options = || Options {
        database: database.to_owned(),
        ..Options::default()
    };
    let mut server = start_with(options());
    let base = server.url("/scim/v2/default");
    let (status, _, group) = send(
        Method::POST,
        &format!("{base}/Groups"),
        Some(TOKEN),
        Some(&json!({"schemas": [GROUP], "displayName": "crash-group"})),
    );
    assert_eq!(status, 201, "{group}");
    let group = group["id"].as_str().unwrap().to_owned();
    let own: Vec<String> = (0..WRITERS)
        .map(|w| {
            let (status, _, user) = send(
                Method::POST,
                &format!("{base}/Users"),
                Some(TOKEN),
                Some(&json!({"schemas": [USER], "userName": format!("own-{w}@example.com")})),
            );
            assert_eq!(status, 201, "{user}");
            user["id"].as_str().unwrap().to_owned()
        })
        .collect();
    let target = Arc::new(Target {
        base: RwLock::new(base),
        stop: AtomicBool::new(false),
    });
    let writers: Vec<_> = (0..WRITERS)
        .map(|w| {
            let (target, group, own) = (target.clone(), group.clone(), own[w].clone());
            std::thread::spawn(move || write(w, &target, &group, &own))
        })
        .collect();
    let mut kills = 0;
    for _ in 0..KILLS {
        std::thread::sleep(Duration::from_millis(rng.range(300, 1500)));
        sigkill(&mut server);
        kills += 1;
        server = start_with(options());
        *target.base.write().unwrap() = server.url("/scim/v2/default");
    }
    std::thread::sleep(Duration::from_millis(rng.range(300, 1500)));
    sigkill(&mut server);
    kills += 1;
    target.stop.store(true, Ordering::Relaxed);
    let acks: Vec<Acks> = writers.into_iter().map(|h| h.join().unwrap()).collect();
    after_last_kill();

    let server = start_with(options());
    let base = server.url("/scim/v2/default");
    let unexpected: Vec<&String> = acks.iter().flat_map(|a| &a.unexpected).collect();
    assert!(unexpected.is_empty(), "{unexpected:?}");
    let client = load_client();
    let get = |path: &str| {
        let (status, _, body) = try_send(
            &client,
            Method::GET,
            &format!("{base}{path}"),
            TOKEN,
            None,
            None,
        )
        .unwrap();
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    };
    let mut users = 0;
    for (id, user_name) in acks.iter().flat_map(|a| &a.users) {
        assert_eq!(get(&format!("/Users/{id}"))["userName"], user_name.as_str());
        users += 1;
    }
    let stored: HashSet<String> = get(&format!("/Groups/{group}"))["members"]
        .as_array()
        .map(|m| {
            m.iter()
                .map(|m| m["value"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default();
    let mut members = 0;
    for id in acks.iter().flat_map(|a| &a.members) {
        assert!(stored.contains(id), "acknowledged member {id} lost");
        members += 1;
    }
    for (w, a) in acks.iter().enumerate() {
        let user = get(&format!("/Users/{}", own[w]));
        let n = sequence(&user["title"]);
        // The last acknowledged value, or a later one whose answer was lost.
        assert!(
            n >= a.title_acked && n <= a.title_sent,
            "writer {w}: title {} but {} was acknowledged and {} sent last",
            user["title"],
            a.title_acked,
            a.title_sent
        );
        assert_eq!(user["displayName"], user["title"], "half-applied PATCH");
    }
    let survived = Survived {
        kills,
        users,
        members,
        titles: acks.iter().map(|a| a.title_acks as usize).sum(),
        requests: acks.iter().map(|a| a.requests).sum(),
    };
    eprintln!(
        "{test}: {} kills survived; {} requests sent; verified {} created users, {} group members, {} acknowledged attribute PATCHes (the last of each writer, or a later one, stored)",
        survived.kills, survived.requests, survived.users, survived.members, survived.titles
    );
    assert!(survived.users > 0 && survived.members > 0);
    assert!(acks.iter().all(|a| a.title_acked > 0));
    survived
}

#[test]
fn sqlite_keeps_every_acknowledged_write_through_sigkills() {
    let dir = tempfile::tempdir().unwrap();
    let (url, path) = sqlite_in(&dir);
    let survived = survive_sigkills("sqlite-sigkill", &url, || {
        assert_eq!(integrity_check(&path), "ok");
    });
    assert!(survived.kills > KILLS);
}

#[test]
fn postgres_keeps_every_acknowledged_write_through_sigkills_of_the_server() {
    let Some(schema) = PgSchema::new("crash") else {
        return;
    };
    let survived = survive_sigkills("postgres-sigkill", &schema.url(), || {});
    assert!(survived.kills > KILLS);
    // The server created its tables in the schema of the search_path.
    let tables = schema.tables();
    for t in ["memberships", "resources", "tenants", "uniques"] {
        assert!(tables.iter().any(|x| x == t), "{t} not in {tables:?}");
    }
    let rows = schema.query("SELECT count(*) FROM resources");
    assert!(rows[0][0].as_deref().unwrap().parse::<u64>().unwrap() >= survived.users as u64);
}

/// One writer of the SIGTERM test: PATCHes its users with two operations
/// that set displayName and title to the same `v{n}`.
#[derive(Default)]
struct Patched {
    /// Per user: last acknowledged and last sent sequence number.
    acked: HashMap<String, (u64, u64)>,
    /// Acknowledgements that arrived after SIGTERM was sent.
    after_signal: u64,
    unexpected: Vec<String>,
}

#[test]
fn sigterm_under_load_loses_no_acknowledged_patch_and_applies_each_whole() {
    const USERS: usize = 12;
    const CLIENTS: usize = 6;
    let dir = tempfile::tempdir().unwrap();
    let (url, path) = sqlite_in(&dir);
    let options = || Options {
        database: url.clone(),
        extra_args: vec!["--shutdown-timeout".into(), "20s".into()],
        ..Options::default()
    };
    let mut server = start_with(options());
    let base = server.url("/scim/v2/default");
    let ids: Vec<String> = (0..USERS)
        .map(|i| {
            let (status, _, user) = send(
                Method::POST,
                &format!("{base}/Users"),
                Some(TOKEN),
                Some(
                    &json!({"schemas": [USER], "userName": format!("term-{i}@example.com"),
                             "displayName": "v0", "title": "v0"}),
                ),
            );
            assert_eq!(status, 201, "{user}");
            user["id"].as_str().unwrap().to_owned()
        })
        .collect();
    let stop = Arc::new(AtomicBool::new(false));
    let signalled: Arc<RwLock<Option<Instant>>> = Arc::new(RwLock::new(None));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let own: Vec<String> = ids.iter().skip(c).step_by(CLIENTS).cloned().collect();
            let (stop, signalled, base) = (stop.clone(), signalled.clone(), base.clone());
            std::thread::spawn(move || {
                let client = load_client();
                let mut out = Patched::default();
                let mut n = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    let id = &own[n as usize % own.len()];
                    let value = format!("v{n}");
                    out.acked.entry(id.clone()).or_default().1 = n;
                    match try_send(
                        &client,
                        Method::PATCH,
                        &format!("{base}/Users/{id}"),
                        TOKEN,
                        Some(&patch_op(json!([
                            {"op": "replace", "path": "displayName", "value": value},
                            {"op": "replace", "path": "title", "value": value}
                        ]))),
                        None,
                    ) {
                        Ok((200, _, body)) => {
                            assert_eq!(body["title"], value.as_str());
                            out.acked.get_mut(id).unwrap().0 = n;
                            if signalled.read().unwrap().is_some() {
                                out.after_signal += 1;
                            }
                        }
                        Ok((s, _, body)) => out.unexpected.push(format!("{s} {body}")),
                        // Refused: the server stopped accepting.
                        Err(_) => std::thread::sleep(Duration::from_millis(10)),
                    }
                }
                out
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(1500));
    *signalled.write().unwrap() = Some(Instant::now());
    sigterm(server.pid());
    let status = wait_exit(&mut server, Duration::from_secs(30));
    let stopped_in = signalled.read().unwrap().unwrap().elapsed();
    stop.store(true, Ordering::Relaxed);
    let results: Vec<Patched> = clients.into_iter().map(|h| h.join().unwrap()).collect();
    assert!(status.success(), "{status:?}\n{}", server.logs());
    std::thread::sleep(Duration::from_millis(100));
    assert!(server.logs().contains("closing the store"));
    drop(server);
    assert_eq!(integrity_check(&path), "ok");

    let unexpected: Vec<&String> = results.iter().flat_map(|r| &r.unexpected).collect();
    assert!(
        unexpected.is_empty(),
        "no 5xx or other failures: {unexpected:?}"
    );
    let server = start_with(options());
    let base = server.url("/scim/v2/default");
    let mut acknowledged = 0;
    for r in &results {
        for (id, (acked, sent)) in &r.acked {
            let (status, _, user) = send(
                Method::GET,
                &format!("{base}/Users/{id}"),
                Some(TOKEN),
                None,
            );
            assert_eq!(status, 200);
            assert_eq!(
                user["displayName"], user["title"],
                "half-applied PATCH: {user}"
            );
            let n: u64 = user["title"].as_str().unwrap()[1..].parse().unwrap();
            assert!(
                n >= *acked && n <= *sent,
                "{id}: stored v{n}, acknowledged v{acked}, sent v{sent}"
            );
            acknowledged += acked.min(&1);
        }
    }
    let after: u64 = results.iter().map(|r| r.after_signal).sum();
    eprintln!(
        "sigterm: stopped {stopped_in:?} after the signal; {after} PATCHes acknowledged after it; {acknowledged} users checked"
    );
    assert_eq!(acknowledged as usize, USERS);
    // Clients on keep-alive connections are told to close them, so the
    // stop does not wait for the shutdown timeout (20 s) and cut requests
    // off then.
    assert!(
        stopped_in < Duration::from_secs(10),
        "stopping took {stopped_in:?}: keep-alive clients were served until the timeout"
    );
}
