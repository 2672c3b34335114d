//! Concurrent writers over HTTP, released together by a barrier: 32
//! clients adding distinct members to one group, 32 clients PATCHing one
//! user without `If-Match` (no lost update) and with it (412 exactly for
//! stale preconditions, one version per success), on one SQLite server
//! and on two server processes sharing one PostgreSQL schema.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::HashSet;
use std::sync::Barrier;
use std::time::{Duration, Instant};

use common::postgres::PgSchema;
use common::*;
use reqwest::Method;
use scimhub_schema::urn::{GROUP, PATCH_OP, USER};
use serde_json::{Value, json};

const CLIENTS: usize = 32;

/// Runs `f(i, base)` on `CLIENTS` threads released at once, client `i`
/// talking to `bases[i % bases.len()]`.
fn together<T: Send>(bases: &[String], f: impl Fn(usize, &str) -> T + Sync) -> Vec<T> {
    let barrier = Barrier::new(CLIENTS);
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..CLIENTS)
            .map(|i| {
                let (barrier, f) = (&barrier, &f);
                let base = &bases[i % bases.len()];
                s.spawn(move || {
                    barrier.wait();
                    f(i, base)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

fn create(base: &str, endpoint: &str, body: Value) -> (String, u64) {
    let (status, headers, created) = send(
        Method::POST,
        &format!("{base}/{endpoint}"),
        Some(TOKEN),
        Some(&body),
    );
    assert_eq!(status, 201, "{created}");
    (
        created["id"].as_str().unwrap().to_owned(),
        etag_version(&headers),
    )
}

fn get(base: &str, path: &str) -> (Value, u64) {
    let (status, headers, body) = send(Method::GET, &format!("{base}{path}"), Some(TOKEN), None);
    assert_eq!(status, 200, "{body}");
    (body, etag_version(&headers))
}

fn patch(ops: Value) -> Value {
    json!({"schemas": [PATCH_OP], "Operations": ops})
}

fn email_values(user: &Value) -> HashSet<String> {
    user["emails"]
        .as_array()
        .map(|e| {
            e.iter()
                .map(|e| e["value"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// 32 clients each add their own member to one group: all 32 present.
fn distinct_members_of_one_group(bases: &[String], tag: &str) {
    let (group, _) = create(
        &bases[0],
        "Groups",
        json!({"schemas": [GROUP], "displayName": format!("{tag}-group")}),
    );
    let users: Vec<String> = (0..CLIENTS)
        .map(|i| {
            create(
                &bases[0],
                "Users",
                json!({"schemas": [USER], "userName": format!("{tag}-member-{i}@example.com")}),
            )
            .0
        })
        .collect();
    let statuses = together(bases, |i, base| {
        let (status, _, body) = try_send(
            &load_client(),
            Method::PATCH,
            &format!("{base}/Groups/{group}"),
            TOKEN,
            Some(&patch(
                json!([{"op": "add", "path": "members", "value": [{"value": users[i]}]}]),
            )),
            None,
        )
        .unwrap();
        (status, body)
    });
    for (status, body) in &statuses {
        assert_eq!(*status, 204, "{body}");
    }
    for base in bases {
        let (g, _) = get(base, &format!("/Groups/{group}"));
        let members: HashSet<&str> = g["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["value"].as_str().unwrap())
            .collect();
        let expected: HashSet<&str> = users.iter().map(String::as_str).collect();
        assert_eq!(members, expected, "lost or extra members");
    }
}

/// 32 clients each add their own email to one user, without If-Match:
/// every one is stored, and each moved the version once.
fn one_user_without_if_match(bases: &[String], tag: &str) {
    let (user, v0) = create(
        &bases[0],
        "Users",
        json!({"schemas": [USER], "userName": format!("{tag}-shared@example.com")}),
    );
    let answers = together(bases, |i, base| {
        let (status, _, body) = try_send(
            &load_client(),
            Method::PATCH,
            &format!("{base}/Users/{user}"),
            TOKEN,
            Some(&patch(json!([{"op": "add", "path": "emails",
                "value": [{"value": format!("client-{i}@example.com"), "type": "other"}]}]))),
            None,
        )
        .unwrap();
        (status, body)
    });
    for (status, body) in &answers {
        assert_eq!(*status, 200, "{body}");
    }
    for base in bases {
        let (u, version) = get(base, &format!("/Users/{user}"));
        let expected: HashSet<String> = (0..CLIENTS)
            .map(|i| format!("client-{i}@example.com"))
            .collect();
        assert_eq!(email_values(&u), expected, "a lost update");
        assert_eq!(version, v0 + CLIENTS as u64);
    }
}

/// One PATCH with If-Match: the version it named, when it was sent and
/// answered, its status, and the version it produced.
#[derive(Debug)]
struct Attempt {
    if_match: u64,
    start: Instant,
    end: Instant,
    status: u16,
    new: Option<u64>,
}

/// 32 clients each read the user's ETag and PATCH with If-Match until
/// they succeed. Versions form one chain: each success names the version
/// the previous success produced; a 412 names a version that a success
/// begun before the 412 was answered had already replaced; there are as
/// many successes as version increments; nothing else (no 5xx).
fn one_user_with_if_match(bases: &[String], tag: &str) -> usize {
    let (user, v0) = create(
        &bases[0],
        "Users",
        json!({"schemas": [USER], "userName": format!("{tag}-guarded@example.com")}),
    );
    let deadline = Instant::now() + Duration::from_secs(120);
    let attempts: Vec<Vec<Attempt>> = together(bases, |i, base| {
        let client = load_client();
        let url = format!("{base}/Users/{user}");
        let mut out = Vec::new();
        while Instant::now() < deadline {
            let (status, headers, body) =
                try_send(&client, Method::GET, &url, TOKEN, None, None).unwrap();
            assert_eq!(status, 200, "{body}");
            let seen = etag_version(&headers);
            let start = Instant::now();
            let (status, headers, body) = try_send(
                &client,
                Method::PATCH,
                &url,
                TOKEN,
                Some(&patch(json!([{"op": "add", "path": "emails",
                    "value": [{"value": format!("guarded-{i}@example.com")}]}]))),
                Some(&format!("W/\"{seen}\"")),
            )
            .unwrap();
            let end = Instant::now();
            out.push(Attempt {
                if_match: seen,
                start,
                end,
                status,
                new: (status == 200).then(|| etag_version(&headers)),
            });
            match status {
                200 => break,
                412 => assert_eq!(body["status"], "412", "{body}"),
                _ => panic!("client {i}: {status} {body}"),
            }
        }
        out
    });
    let all: Vec<&Attempt> = attempts.iter().flatten().collect();
    let successes: Vec<&Attempt> = all.iter().copied().filter(|a| a.status == 200).collect();
    let stale: Vec<&Attempt> = all.iter().copied().filter(|a| a.status == 412).collect();
    assert_eq!(successes.len(), CLIENTS, "every client succeeds once");
    assert_eq!(successes.len() + stale.len(), all.len(), "only 200 and 412");
    let (u, final_version) = get(&bases[0], &format!("/Users/{user}"));
    assert_eq!(final_version - v0, successes.len() as u64);
    let mut named: Vec<u64> = successes.iter().map(|a| a.if_match).collect();
    named.sort_unstable();
    assert_eq!(
        named,
        (v0..final_version).collect::<Vec<_>>(),
        "each version consumed once"
    );
    for s in &successes {
        assert_eq!(s.new, Some(s.if_match + 1));
    }
    for f in &stale {
        assert!(
            successes
                .iter()
                .any(|s| s.if_match == f.if_match && s.start < f.end),
            "412 for version {} that no success had replaced: {f:?}",
            f.if_match
        );
    }
    let expected: HashSet<String> = (0..CLIENTS)
        .map(|i| format!("guarded-{i}@example.com"))
        .collect();
    assert_eq!(email_values(&u), expected);
    stale.len()
}

fn check_all(bases: &[String], tag: &str) {
    distinct_members_of_one_group(bases, tag);
    one_user_without_if_match(bases, tag);
    let stale = one_user_with_if_match(bases, tag);
    eprintln!(
        "{tag}: {CLIENTS} members, {CLIENTS} PATCHes without If-Match, {CLIENTS} successes and {stale} stale 412s with If-Match, over {} server(s)",
        bases.len()
    );
}

#[test]
fn concurrent_writers_on_one_sqlite_server() {
    let dir = tempfile::tempdir().unwrap();
    let (url, _) = sqlite_in(&dir);
    let server = start_with(Options {
        database: url,
        ..Options::default()
    });
    check_all(&[server.url("/scim/v2/default")], "sqlite");
}

#[test]
fn concurrent_writers_through_two_servers_sharing_postgres() {
    let Some(schema) = PgSchema::new("concurrency") else {
        return;
    };
    let options = || Options {
        database: schema.url(),
        ..Options::default()
    };
    let (a, b) = (start_with(options()), start_with(options()));
    check_all(
        &[a.url("/scim/v2/default"), b.url("/scim/v2/default")],
        "postgres",
    );
}
