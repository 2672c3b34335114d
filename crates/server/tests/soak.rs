//! A bounded soak against a SQLite server: identity-provider traffic
//! (lookups by userName, creates, PATCH replace active, group member adds
//! and removes, list pages) at a steady rate. No 5xx, and the server's
//! resident memory at the end within 10% of what it was after warm-up.
//!
//! The server runs with `MIMALLOC_PURGE_DELAY=0`: its allocator then
//! returns freed pages to the OS at once instead of after a delay, so the
//! samples show memory in use, which is what a leak grows. (With the
//! default delay, a burst of large responses leaves several MiB freed but
//! not yet returned at a sample, by chance more or less of it.)
//!
//! `SCIMHUB_SOAK_SECS` sets the duration (60 s by default);
//! `SCIMHUB_SOAK_RATE` the requests per second (40 by default);
//! `SCIMHUB_SOAK_USERS` the users each of the 4 clients keeps before it
//! deletes the oldest with each create (100 by default).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use common::*;
use reqwest::Method;
use scimhub_schema::urn::{GROUP, PATCH_OP, USER};
use serde_json::{Value, json};

const CLIENTS: usize = 4;
const GROUPS: usize = 3;

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// What one client sent and heard.
#[derive(Default)]
struct Tally {
    sent: u64,
    statuses: BTreeMap<u16, u64>,
    /// Answers other than the one expected (5xx among them).
    unexpected: Vec<String>,
}

/// One client: one request every `CLIENTS / rate` seconds on a fixed
/// schedule (a request that falls behind goes out at once, so the rate
/// holds), until `end`. The mix, per 20 requests: 6 lookups by userName, 3 creates
/// (deletes of the oldest user once the client holds `working_set`
/// users), 4 PATCH replace active, 2 member adds, 2 member removes,
/// 3 list pages.
fn client_loop(
    c: usize,
    base: &str,
    groups: &[String],
    (rate, working_set): (u64, usize),
    start: Instant,
    end: Instant,
) -> Tally {
    let client = load_client();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15 ^ (c as u64 + 1));
    let period = Duration::from_secs_f64(CLIENTS as f64 / rate as f64);
    let offset = Duration::from_secs_f64(c as f64 / rate as f64);
    let mut tally = Tally::default();
    let mut users: Vec<(String, String)> = Vec::new();
    let mut memberships: Vec<(String, String)> = Vec::new();
    let patch = |ops: Value| json!({"schemas": [PATCH_OP], "Operations": ops});
    for k in 0u64.. {
        let at = start + offset + period * k as u32;
        if at >= end {
            break;
        }
        if let Some(wait) = at.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        let pick = |rng: &mut Rng, n: usize| rng.range(0, n as u64) as usize;
        let slot = k % 20;
        // Until this client has users, it creates them.
        let slot = if users.is_empty() { 6 } else { slot };
        let (method, url, body, expected) = match slot {
            0..=5 => {
                let name = if slot % 2 == 0 {
                    users[pick(&mut rng, users.len())].1.clone()
                } else {
                    format!("{:016x}-absent", rng.range(0, u64::MAX))
                };
                let url = format!("{base}/Users?filter=userName%20eq%20%22{name}%22");
                (Method::GET, url, None, 200)
            }
            // Once the client holds its working set of users, the
            // identity provider deprovisions the oldest instead.
            6..=8 if users.len() >= working_set => {
                let (id, _) = users.remove(0);
                memberships.retain(|(_, m)| *m != id);
                (Method::DELETE, format!("{base}/Users/{id}"), None, 204)
            }
            6..=8 => {
                let name = format!("soak-{c}-{k}@example.com");
                let body = json!({"schemas": [USER], "userName": name, "active": true,
                    "name": {"givenName": "Soak", "familyName": format!("Client {c}")},
                    "emails": [{"value": name, "type": "work", "primary": true}]});
                (Method::POST, format!("{base}/Users"), Some(body), 201)
            }
            9..=12 => {
                let (id, _) = &users[pick(&mut rng, users.len())];
                let body = patch(
                    json!([{"op": "Replace", "path": "active", "value": if k % 2 == 0 { "True" } else { "False" }}]),
                );
                (Method::PATCH, format!("{base}/Users/{id}"), Some(body), 200)
            }
            13 | 14 => {
                let group = groups[pick(&mut rng, groups.len())].clone();
                let (id, _) = users[pick(&mut rng, users.len())].clone();
                memberships.push((group.clone(), id.clone()));
                let body =
                    patch(json!([{"op": "Add", "path": "members", "value": [{"value": id}]}]));
                (
                    Method::PATCH,
                    format!("{base}/Groups/{group}"),
                    Some(body),
                    204,
                )
            }
            15 | 16 => match memberships.pop() {
                Some((group, id)) => {
                    let body = patch(
                        json!([{"op": "Remove", "path": format!("members[value eq \"{id}\"]")}]),
                    );
                    (
                        Method::PATCH,
                        format!("{base}/Groups/{group}"),
                        Some(body),
                        204,
                    )
                }
                None => (
                    Method::GET,
                    format!("{base}/Groups?excludedAttributes=members"),
                    None,
                    200,
                ),
            },
            _ => {
                let start_index = 1 + rng.range(0, (users.len() * CLIENTS) as u64);
                let url = format!("{base}/Users?startIndex={start_index}&count=100");
                (Method::GET, url, None, 200)
            }
        };
        tally.sent += 1;
        let (status, _, answer) =
            try_send(&client, method.clone(), &url, TOKEN, body.as_ref(), None).unwrap();
        *tally.statuses.entry(status).or_default() += 1;
        if status != expected {
            tally
                .unexpected
                .push(format!("{method} {url}: {status} {answer}"));
        } else if expected == 201 {
            let id = answer["id"].as_str().unwrap().to_owned();
            users.push((id, answer["userName"].as_str().unwrap().to_owned()));
        }
    }
    tally
}

#[test]
fn steady_identity_provider_traffic_keeps_memory_flat_and_answers_no_5xx() {
    let secs = setting("SCIMHUB_SOAK_SECS", 60).max(10);
    let rate = setting("SCIMHUB_SOAK_RATE", 40).max(CLIENTS as u64);
    let working_set = setting("SCIMHUB_SOAK_USERS", 100).max(1) as usize;
    let warm_up = Duration::from_secs((secs / 10).max(10));
    let dir = tempfile::tempdir().unwrap();
    let (db, path) = sqlite_in(&dir);
    let server = start_with(Options {
        database: db,
        env: vec![("MIMALLOC_PURGE_DELAY".into(), "0".into())],
        ..Options::default()
    });
    let base = server.url("/scim/v2/default");
    let groups: Vec<String> = (0..GROUPS)
        .map(|i| {
            let (status, _, g) = send(
                Method::POST,
                &format!("{base}/Groups"),
                Some(TOKEN),
                Some(&json!({"schemas": [GROUP], "displayName": format!("soak-{i}")})),
            );
            assert_eq!(status, 201, "{g}");
            g["id"].as_str().unwrap().to_owned()
        })
        .collect();
    // Every worker thread reads through a SQLite connection of its own,
    // opened the first time two reads overlap; its page and statement
    // caches take a few MiB. A burst of overlapping reads opens them
    // all before the clock starts, so that a late first overlap does not
    // show up as growth.
    std::thread::scope(|s| {
        for c in 0..2 * CLIENTS {
            let base = &base;
            s.spawn(move || {
                let client = load_client();
                for k in 0..50 {
                    let url = if k % 2 == 0 {
                        format!("{base}/Users?filter=userName%20eq%20%22warm-{c}-{k}%22")
                    } else {
                        format!("{base}/Groups?excludedAttributes=members")
                    };
                    let (status, _, answer) =
                        try_send(&client, Method::GET, &url, TOKEN, None, None).unwrap();
                    assert_eq!(status, 200, "{url}: {answer}");
                }
            });
        }
    });
    let start = Instant::now();
    let end = start + Duration::from_secs(secs);
    let mut samples: Vec<(Duration, Memory)> = Vec::new();
    let tallies = std::thread::scope(|s| {
        let handles: Vec<_> = (0..CLIENTS)
            .map(|c| {
                let (base, groups) = (&base, &groups);
                s.spawn(move || client_loop(c, base, groups, (rate, working_set), start, end))
            })
            .collect();
        while Instant::now() < end {
            samples.push((start.elapsed(), Memory::of(server.pid())));
            std::thread::sleep(Duration::from_millis(500));
        }
        handles
            .into_iter()
            .map(|h| h.join().unwrap())
            .collect::<Vec<Tally>>()
    });
    let last = Memory::of(server.pid());
    let warm = samples
        .iter()
        .find(|(t, _)| *t >= warm_up)
        .map(|(_, m)| *m)
        .unwrap();
    let peak = samples
        .iter()
        .map(|(_, m)| m.rss)
        .max()
        .unwrap()
        .max(last.rss);
    let sent: u64 = tallies.iter().map(|t| t.sent).sum();
    let mut statuses: BTreeMap<u16, u64> = BTreeMap::new();
    for t in &tallies {
        for (s, n) in &t.statuses {
            *statuses.entry(*s).or_default() += n;
        }
    }
    let five_xx: u64 = statuses
        .iter()
        .filter(|(s, _)| **s >= 500)
        .map(|(_, n)| n)
        .sum();
    let db_kib = (std::fs::metadata(&path).map_or(0, |m| m.len())
        + std::fs::metadata(path.with_extension("db-wal")).map_or(0, |m| m.len()))
        / 1024;
    let tenths: Vec<Memory> = (1..=10)
        .filter_map(|i| {
            samples
                .iter()
                .find(|(t, _)| t.as_secs() * 10 >= secs * i)
                .map(|(_, m)| *m)
        })
        .collect();
    let anon: Vec<u64> = tenths.iter().map(|m| m.anon).collect();
    let rss: Vec<u64> = tenths.iter().map(|m| m.rss).collect();
    eprintln!(
        "soak: {secs} s at {rate} req/s, working set {working_set} users per client: {sent} requests, statuses {statuses:?}, {five_xx} 5xx; anonymous RSS after {warm_up:?} warm-up {} KiB, at the end {} KiB ({:+.1}%), at each tenth of the run {anon:?} KiB; RSS {} KiB and {} KiB, peak {peak} KiB, at each tenth {rss:?} KiB; database and WAL {db_kib} KiB",
        warm.anon,
        last.anon,
        (last.anon as f64 / warm.anon as f64 - 1.0) * 100.0,
        warm.rss,
        last.rss,
    );
    let unexpected: Vec<&String> = tallies.iter().flat_map(|t| &t.unexpected).collect();
    assert!(unexpected.is_empty(), "{unexpected:#?}");
    assert_eq!(five_xx, 0);
    // The schedule was kept: at least 90% of the planned requests went out.
    assert!(sent * 10 >= secs * rate * 9, "only {sent} requests sent");
    assert!(
        last.rss * 10 <= warm.rss * 11,
        "RSS grew from {} KiB after warm-up to {} KiB; at each tenth of the run: {rss:?} KiB (anonymous: {anon:?} KiB)",
        warm.rss,
        last.rss
    );
}

/// Resident memory of the server, in KiB: all of it, and the anonymous
/// part (heap and stacks).
#[derive(Debug, Clone, Copy)]
struct Memory {
    rss: u64,
    anon: u64,
}

impl Memory {
    fn of(pid: u32) -> Memory {
        Memory {
            rss: rss_kib(pid),
            anon: rss_anon_kib(pid),
        }
    }
}
