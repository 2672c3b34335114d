//! Overload and limits over HTTP: one tenant over its request-rate limit
//! gets 429 while other tenants at the same moment are served; every
//! limit of `Limits`, set small in a `--config` file, at limit − 1,
//! limit and limit + 1, and advertised in /ServiceProviderConfig where
//! RFC 7643 has a place for it.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::sync::Barrier;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use common::*;
use reqwest::Method;
use scimhub_schema::urn::{PATCH_OP, USER};
use serde_json::{Value, json};

const SEARCH: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";
const BULK: &str = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";

const MAX_BODY: usize = 2000;
const MAX_FILTER_LENGTH: usize = 100;
const MAX_FILTER_NESTING: usize = 3;
const DEFAULT_PAGE: usize = 2;
const MAX_PAGE: usize = 5;
const MAX_BULK_OPERATIONS: usize = 3;
const MAX_BULK_PAYLOAD: usize = 3000;
const MAX_PATCH_OPERATIONS: usize = 4;

#[test]
fn a_tenant_over_its_rate_limit_does_not_slow_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = sqlite_in(&dir);
    let server = start_with(Options {
        database: db.clone(),
        ..Options::default()
    });
    let limited = create_tenant(&db, "limited");
    let unlimited = create_tenant(&db, "unlimited");
    let neighbour = create_tenant(&db, "neighbour");
    for name in ["limited", "neighbour"] {
        let (code, out, err) = cli(&[
            "tenant",
            "set-rate-limit",
            name,
            "--rps",
            "3",
            "--database",
            &db,
        ]);
        assert_eq!(code, 0, "{err}");
        assert_eq!(out[0]["rate_limit"], 3);
    }
    let url = |tenant: &str| server.url(&format!("/scim/v2/{tenant}/Users"));
    let barrier = Barrier::new(3);
    let limited_done = AtomicBool::new(false);
    let first_429: std::sync::Mutex<Option<Instant>> = std::sync::Mutex::new(None);
    let (limited_answers, unlimited_answers, neighbour_answers) = std::thread::scope(|s| {
        // The limited tenant sends 40 requests back to back.
        let a = s.spawn(|| {
            let client = load_client();
            barrier.wait();
            let mut out = Vec::new();
            for _ in 0..40 {
                let (status, headers, body) =
                    try_send(&client, Method::GET, &url("limited"), &limited, None, None).unwrap();
                if status == 429 {
                    first_429.lock().unwrap().get_or_insert_with(Instant::now);
                    let retry: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
                    assert!(retry >= 1);
                    assert_eq!(body["status"], "429");
                }
                out.push((status, Instant::now()));
            }
            limited_done.store(true, Ordering::Relaxed);
            out
        });
        // An unlimited tenant sends as fast as it can, for as long.
        let b = s.spawn(|| {
            let client = load_client();
            barrier.wait();
            let mut out = Vec::new();
            while !limited_done.load(Ordering::Relaxed) && out.len() < 5000 {
                let (status, _, _) = try_send(
                    &client,
                    Method::GET,
                    &url("unlimited"),
                    &unlimited,
                    None,
                    None,
                )
                .unwrap();
                out.push((status, Instant::now()));
            }
            out
        });
        // A tenant with the same limit sends within its burst, once the
        // limited tenant is being refused.
        let c = s.spawn(|| {
            let client = load_client();
            barrier.wait();
            let deadline = Instant::now() + Duration::from_secs(30);
            while first_429.lock().unwrap().is_none() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(1));
            }
            (0..5)
                .map(|_| {
                    let (status, _, _) = try_send(
                        &client,
                        Method::GET,
                        &url("neighbour"),
                        &neighbour,
                        None,
                        None,
                    )
                    .unwrap();
                    (status, Instant::now())
                })
                .collect::<Vec<_>>()
        });
        (a.join().unwrap(), b.join().unwrap(), c.join().unwrap())
    });
    let refused: Vec<Instant> = limited_answers
        .iter()
        .filter(|(s, _)| *s == 429)
        .map(|(_, t)| *t)
        .collect();
    assert!(
        limited_answers.iter().all(|(s, _)| *s == 200 || *s == 429),
        "{limited_answers:?}"
    );
    assert!(
        limited_answers.iter().take(6).all(|(s, _)| *s == 200),
        "a burst of twice the rate passes"
    );
    assert!(refused.len() >= 10, "{} refused", refused.len());
    let (from, to) = (refused[0], *refused.last().unwrap());
    assert!(
        unlimited_answers.iter().all(|(s, _)| *s == 200),
        "the unlimited tenant was refused"
    );
    assert!(
        unlimited_answers.iter().any(|(_, t)| *t > from && *t < to),
        "the unlimited tenant's requests overlap the refusals"
    );
    assert!(
        neighbour_answers.iter().all(|(s, _)| *s == 200),
        "{neighbour_answers:?}"
    );
    assert!(neighbour_answers[0].1 > from);
    eprintln!(
        "rate limits: limited tenant {} of {} refused; unlimited tenant {} requests, all 200; neighbour 5 of 5 served",
        refused.len(),
        limited_answers.len(),
        unlimited_answers.len()
    );
}

/// A server whose limits are small, from a `--config` file.
fn small_limits() -> (Server, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("scimhub.toml");
    std::fs::write(
        &config,
        format!(
            "[limits]\n\
             max_body_bytes = {MAX_BODY}\n\
             max_filter_length = {MAX_FILTER_LENGTH}\n\
             max_filter_nesting = {MAX_FILTER_NESTING}\n\
             default_page_size = {DEFAULT_PAGE}\n\
             max_page_size = {MAX_PAGE}\n\
             max_bulk_operations = {MAX_BULK_OPERATIONS}\n\
             max_bulk_payload_bytes = {MAX_BULK_PAYLOAD}\n\
             max_patch_operations = {MAX_PATCH_OPERATIONS}\n"
        ),
    )
    .unwrap();
    let server = start_with(Options {
        extra_args: vec!["--config".into(), config.display().to_string()],
        ..Options::default()
    });
    (server, dir)
}

/// `json` followed by spaces up to exactly `len` bytes (JSON allows
/// trailing whitespace).
fn padded(json: &Value, len: usize) -> String {
    let text = json.to_string();
    assert!(text.len() <= len, "{} > {len}: {text}", text.len());
    text.clone() + &" ".repeat(len - text.len())
}

/// Sends a raw body; returns the status and the JSON answer.
fn raw(method: Method, url: &str, body: String) -> (u16, Value) {
    let resp = client()
        .request(method, url)
        .bearer_auth(TOKEN)
        .header("Content-Type", "application/scim+json")
        .body(body)
        .send()
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().unwrap_or(Value::Null))
}

/// Checks an answer over a limit: the status and a SCIM error body.
fn refused(status: u16, body: &Value, expected: u16, what: &str) {
    assert_eq!(status, expected, "{what}: {body}");
    assert_eq!(body["status"], expected.to_string(), "{what}: {body}");
    assert_eq!(
        body["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:Error",
        "{what}"
    );
}

fn ok(status: u16, body: &Value, expected: u16, what: &str) {
    assert_eq!(status, expected, "{what}: {body}");
}

#[test]
fn every_limit_at_its_edge_and_advertised() {
    let (server, _dir) = small_limits();
    let base = server.url("/scim/v2/default");

    // Advertised where RFC 7643 §5 (and RFC 9865) has a place.
    let (status, _, spc) = send(
        Method::GET,
        &format!("{base}/ServiceProviderConfig"),
        Some(TOKEN),
        None,
    );
    assert_eq!(status, 200);
    assert_eq!(spc["bulk"]["maxOperations"], MAX_BULK_OPERATIONS);
    assert_eq!(spc["bulk"]["maxPayloadSize"], MAX_BULK_PAYLOAD);
    assert_eq!(spc["filter"]["maxResults"], MAX_PAGE);
    assert_eq!(spc["pagination"]["maxPageSize"], MAX_PAGE);
    assert_eq!(spc["pagination"]["defaultPageSize"], DEFAULT_PAGE);

    // max_body_bytes: POST, PUT, PATCH and POST .search.
    let users = format!("{base}/Users");
    let mut ids = Vec::new();
    for (i, len) in [MAX_BODY - 1, MAX_BODY, MAX_BODY + 1]
        .into_iter()
        .enumerate()
    {
        let user = json!({"schemas": [USER], "userName": format!("body-{i}@example.com")});
        let (status, body) = raw(Method::POST, &users, padded(&user, len));
        if len <= MAX_BODY {
            ok(status, &body, 201, &format!("POST of {len} bytes"));
            ids.push(body["id"].as_str().unwrap().to_owned());
        } else {
            refused(status, &body, 413, &format!("POST of {len} bytes"));
        }
        let user_url = format!("{users}/{}", ids[0]);
        let replace = json!({"schemas": [USER], "userName": "body-0@example.com"});
        let (status, body) = raw(Method::PUT, &user_url, padded(&replace, len));
        let patch = json!({"schemas": [PATCH_OP],
            "Operations": [{"op": "replace", "path": "title", "value": "t"}]});
        let (p_status, p_body) = raw(Method::PATCH, &user_url, padded(&patch, len));
        let search = json!({"schemas": [SEARCH], "filter": "userName pr"});
        let (s_status, s_body) = raw(
            Method::POST,
            &format!("{users}/.search"),
            padded(&search, len),
        );
        if len <= MAX_BODY {
            ok(status, &body, 200, &format!("PUT of {len} bytes"));
            ok(p_status, &p_body, 200, &format!("PATCH of {len} bytes"));
            ok(s_status, &s_body, 200, &format!(".search of {len} bytes"));
        } else {
            refused(status, &body, 413, &format!("PUT of {len} bytes"));
            refused(p_status, &p_body, 413, &format!("PATCH of {len} bytes"));
            refused(s_status, &s_body, 413, &format!(".search of {len} bytes"));
        }
    }

    // max_filter_length, in the URL and in a .search body.
    for len in [
        MAX_FILTER_LENGTH - 1,
        MAX_FILTER_LENGTH,
        MAX_FILTER_LENGTH + 1,
    ] {
        let prefix = "userName eq \"";
        let filter = format!("{prefix}{}\"", "a".repeat(len - prefix.len() - 1));
        assert_eq!(filter.len(), len);
        let (status, _, body) = send(
            Method::GET,
            &format!("{users}?filter={}", encode(&filter)),
            Some(TOKEN),
            None,
        );
        let search = json!({"schemas": [SEARCH], "filter": filter});
        let (s_status, _, s_body) = send(
            Method::POST,
            &format!("{users}/.search"),
            Some(TOKEN),
            Some(&search),
        );
        if len <= MAX_FILTER_LENGTH {
            ok(status, &body, 200, &format!("filter of {len} bytes"));
            ok(
                s_status,
                &s_body,
                200,
                &format!(".search filter of {len} bytes"),
            );
        } else {
            refused(status, &body, 400, &format!("filter of {len} bytes"));
            assert_eq!(body["scimType"], "invalidFilter");
            refused(
                s_status,
                &s_body,
                400,
                &format!(".search filter of {len} bytes"),
            );
            assert_eq!(s_body["scimType"], "invalidFilter");
        }
    }

    // max_filter_nesting: `(…)`, and `not (…)` with `[…]`.
    for depth in [
        MAX_FILTER_NESTING - 1,
        MAX_FILTER_NESTING,
        MAX_FILTER_NESTING + 1,
    ] {
        let parens = format!(
            "{}userName eq \"x\"{}",
            "(".repeat(depth),
            ")".repeat(depth)
        );
        let mixed = format!(
            "not {}emails[value eq \"x\"]{}",
            "(".repeat(depth - 1),
            ")".repeat(depth - 1)
        );
        for filter in [parens, mixed] {
            let (status, _, body) = send(
                Method::GET,
                &format!("{users}?filter={}", encode(&filter)),
                Some(TOKEN),
                None,
            );
            if depth <= MAX_FILTER_NESTING {
                ok(status, &body, 200, &filter);
            } else {
                refused(status, &body, 400, &filter);
                assert_eq!(body["scimType"], "invalidFilter");
            }
        }
    }

    // max_page_size: larger counts are cut to it; default_page_size
    // without count. Seven users exist after these.
    for i in 0..5 {
        let (status, _, body) = send(
            Method::POST,
            &users,
            Some(TOKEN),
            Some(&json!({"schemas": [USER], "userName": format!("page-{i}@example.com")})),
        );
        assert_eq!(status, 201, "{body}");
    }
    for (count, expected) in [
        (None, DEFAULT_PAGE),
        (Some(MAX_PAGE - 1), MAX_PAGE - 1),
        (Some(MAX_PAGE), MAX_PAGE),
        (Some(MAX_PAGE + 1), MAX_PAGE),
    ] {
        let url = match count {
            Some(c) => format!("{users}?count={c}"),
            None => users.clone(),
        };
        let (status, _, page) = send(Method::GET, &url, Some(TOKEN), None);
        assert_eq!(status, 200, "{page}");
        assert_eq!(page["totalResults"], 7);
        assert_eq!(page["itemsPerPage"], expected, "count {count:?}");
        assert_eq!(page["Resources"].as_array().unwrap().len(), expected);
        let mut search = json!({"schemas": [SEARCH]});
        if let Some(c) = count {
            search["count"] = json!(c);
        }
        let (_, _, page) = send(
            Method::POST,
            &format!("{users}/.search"),
            Some(TOKEN),
            Some(&search),
        );
        assert_eq!(page["itemsPerPage"], expected, ".search count {count:?}");
    }

    // max_bulk_operations.
    let bulk_url = format!("{base}/Bulk");
    for n in [
        MAX_BULK_OPERATIONS - 1,
        MAX_BULK_OPERATIONS,
        MAX_BULK_OPERATIONS + 1,
    ] {
        let ops: Vec<Value> = (0..n)
            .map(|i| {
                json!({"method": "POST", "path": "/Users", "bulkId": format!("b{i}"),
                       "data": {"schemas": [USER], "userName": format!("bulk-{n}-{i}@example.com")}})
            })
            .collect();
        let (status, _, body) = send(
            Method::POST,
            &bulk_url,
            Some(TOKEN),
            Some(&json!({"schemas": [BULK], "Operations": ops})),
        );
        if n <= MAX_BULK_OPERATIONS {
            ok(status, &body, 200, &format!("Bulk of {n} operations"));
            assert_eq!(body["Operations"].as_array().unwrap().len(), n);
            assert!(
                body["Operations"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .all(|o| o["status"] == "201"),
                "{body}"
            );
        } else {
            refused(status, &body, 413, &format!("Bulk of {n} operations"));
        }
    }

    // max_bulk_payload_bytes (above max_body_bytes: a Bulk body answers
    // to its own limit).
    for (i, len) in [MAX_BULK_PAYLOAD - 1, MAX_BULK_PAYLOAD, MAX_BULK_PAYLOAD + 1]
        .into_iter()
        .enumerate()
    {
        let bulk = json!({"schemas": [BULK], "Operations": [{"method": "POST", "path": "/Users",
            "bulkId": "p", "data": {"schemas": [USER], "userName": format!("payload-{i}@example.com")}}]});
        let (status, body) = raw(Method::POST, &bulk_url, padded(&bulk, len));
        if len <= MAX_BULK_PAYLOAD {
            ok(status, &body, 200, &format!("Bulk of {len} bytes"));
            assert_eq!(body["Operations"][0]["status"], "201", "{body}");
        } else {
            refused(status, &body, 413, &format!("Bulk of {len} bytes"));
        }
    }

    // max_patch_operations, directly and inside a Bulk request.
    let user_url = format!("{users}/{}", ids[1]);
    for n in [
        MAX_PATCH_OPERATIONS - 1,
        MAX_PATCH_OPERATIONS,
        MAX_PATCH_OPERATIONS + 1,
    ] {
        let ops: Vec<Value> = (0..n)
            .map(|i| json!({"op": "replace", "path": "title", "value": format!("t{i}")}))
            .collect();
        let patch = json!({"schemas": [PATCH_OP], "Operations": ops});
        let (status, _, body) = send(Method::PATCH, &user_url, Some(TOKEN), Some(&patch));
        let bulk = json!({"schemas": [BULK], "Operations": [
            {"method": "PATCH", "path": format!("/Users/{}", ids[1]), "data": patch}]});
        let (b_status, _, b_body) = send(Method::POST, &bulk_url, Some(TOKEN), Some(&bulk));
        assert_eq!(b_status, 200, "{b_body}");
        if n <= MAX_PATCH_OPERATIONS {
            ok(status, &body, 200, &format!("PATCH of {n} operations"));
            assert_eq!(body["title"], format!("t{}", n - 1));
            assert_eq!(b_body["Operations"][0]["status"], "200", "{b_body}");
        } else {
            refused(status, &body, 413, &format!("PATCH of {n} operations"));
            assert_eq!(b_body["Operations"][0]["status"], "413", "{b_body}");
        }
    }
}

/// Percent-encodes a query value.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
