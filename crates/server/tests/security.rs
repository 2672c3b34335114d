//! Security over HTTP: tenant isolation for every route and method between
//! two tenants the CLI created; tokens random (256 bits), stored only as
//! hashes and never logged over a whole lifecycle; passwords never
//! echoed or stored; and a failing store answered with a generic SCIM 500
//! while the cause goes to the log (SQLite and PostgreSQL).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::HashSet;
use std::path::Path;
use std::time::{Duration, Instant};

use base64::Engine;
use common::postgres::PgSchema;
use common::*;
use reqwest::Method;
use scimhub_schema::urn::{GROUP, PATCH_OP, USER};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const SEARCH: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";
const BULK: &str = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
const GENERIC_500: &str = "the service could not complete the request; it has been logged";

/// Sends a request and returns the status and the raw body text.
fn exchange(method: Method, url: &str, token: &str, body: Option<&Value>) -> (u16, String) {
    let mut req = client().request(method, url).bearer_auth(token);
    if let Some(b) = body {
        req = req
            .header("Content-Type", "application/scim+json")
            .body(b.to_string());
    }
    let resp = req.send().unwrap();
    let status = resp.status().as_u16();
    (status, resp.text().unwrap())
}

fn id_of(status: u16, text: &str) -> String {
    assert_eq!(status, 201, "{text}");
    serde_json::from_str::<Value>(text).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn patch(ops: Value) -> Value {
    json!({"schemas": [PATCH_OP], "Operations": ops})
}

#[test]
fn tenant_isolation_matrix() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = sqlite_in(&dir);
    let server = start_with(Options {
        database: db.clone(),
        ..Options::default()
    });
    let a = create_tenant(&db, "tenant-a");
    let b = create_tenant(&db, "tenant-b");
    let base_a = server.url("/scim/v2/tenant-a");
    let base_b = server.url("/scim/v2/tenant-b");
    // B's data, which must never show through A.
    const B_USER: &str = "b-private-user@example.com";
    const B_GROUP: &str = "B private group";
    let (s, t) = exchange(
        Method::POST,
        &format!("{base_b}/Users"),
        &b,
        Some(&json!({"schemas": [USER], "userName": B_USER, "title": "B title"})),
    );
    let bu = id_of(s, &t);
    let (s, t) = exchange(
        Method::POST,
        &format!("{base_b}/Groups"),
        &b,
        Some(&json!({"schemas": [GROUP], "displayName": B_GROUP, "members": [{"value": bu}]})),
    );
    let bg = id_of(s, &t);
    let (s, t) = exchange(
        Method::POST,
        &format!("{base_a}/Users"),
        &a,
        Some(&json!({"schemas": [USER], "userName": "a-user@example.com"})),
    );
    let au = id_of(s, &t);
    let (s, t) = exchange(
        Method::POST,
        &format!("{base_a}/Groups"),
        &a,
        Some(&json!({"schemas": [GROUP], "displayName": "A group"})),
    );
    let ag = id_of(s, &t);
    let snapshot = || {
        [
            format!("{base_b}/Users/{bu}"),
            format!("{base_b}/Groups/{bg}"),
        ]
        .map(|u| {
            let (s, t) = exchange(Method::GET, &u, &b, None);
            assert_eq!(s, 200, "{t}");
            t
        })
    };
    let before = snapshot();
    let leaks = |text: &str| text.contains(B_USER) || text.contains(B_GROUP);

    // Bodies that would change B's resources if they got through.
    let user_body = json!({"schemas": [USER], "userName": "hijacked@example.com"});
    let group_body = json!({"schemas": [GROUP], "displayName": "hijacked"});
    let user_patch = patch(json!([{"op": "replace", "path": "title", "value": "hijacked"}]));
    let group_patch = patch(json!([{"op": "remove", "path": "members"}]));
    let search = json!({"schemas": [SEARCH], "filter": format!("id eq \"{bu}\"")});
    let bulk_on_b = json!({"schemas": [BULK], "Operations": [
        {"method": "PUT", "path": format!("/Users/{bu}"), "data": user_body},
        {"method": "PATCH", "path": format!("/Users/{bu}"), "data": user_patch},
        {"method": "PATCH", "path": format!("/Groups/{bg}"), "data": group_patch},
        {"method": "DELETE", "path": format!("/Groups/{bg}")},
        {"method": "DELETE", "path": format!("/Users/{bu}")},
        {"method": "POST", "path": "/Groups", "bulkId": "g",
         "data": {"schemas": [GROUP], "displayName": "steal", "members": [{"value": bu}]}}
    ]});
    let filter = format!("?filter={}", "id%20eq%20%22".to_owned() + &bu + "%22");
    let routes: Vec<(Method, String, Option<&Value>)> = vec![
        (Method::GET, "/Users".into(), None),
        (Method::GET, format!("/Users{filter}"), None),
        (Method::POST, "/Users".into(), Some(&user_body)),
        (Method::GET, format!("/Users/{bu}"), None),
        (Method::PUT, format!("/Users/{bu}"), Some(&user_body)),
        (Method::PATCH, format!("/Users/{bu}"), Some(&user_patch)),
        (Method::DELETE, format!("/Users/{bu}"), None),
        (Method::POST, "/Users/.search".into(), Some(&search)),
        (Method::GET, "/Groups".into(), None),
        (Method::POST, "/Groups".into(), Some(&group_body)),
        (Method::GET, format!("/Groups/{bg}"), None),
        (Method::PUT, format!("/Groups/{bg}"), Some(&group_body)),
        (Method::PATCH, format!("/Groups/{bg}"), Some(&group_patch)),
        (Method::DELETE, format!("/Groups/{bg}"), None),
        (Method::POST, "/Groups/.search".into(), Some(&search)),
        (Method::POST, "/.search".into(), Some(&search)),
        (Method::POST, "/Bulk".into(), Some(&bulk_on_b)),
        (Method::GET, "/ServiceProviderConfig".into(), None),
        (Method::GET, "/ResourceTypes".into(), None),
        (Method::GET, "/ResourceTypes/User".into(), None),
        (Method::GET, "/Schemas".into(), None),
        (Method::GET, format!("/Schemas/{USER}"), None),
        (Method::GET, "/Me".into(), None),
        (Method::GET, String::new(), None),
    ];
    // A's token on B's URLs: 401, never data.
    let mut checked = 0;
    for (method, path, body) in &routes {
        let (status, text) = exchange(method.clone(), &format!("{base_b}{path}"), &a, *body);
        assert_eq!(status, 401, "{method} B{path}: {text}");
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["status"], "401");
        assert!(v.get("Resources").is_none() && v.get("id").is_none() && !leaks(&text));
        checked += 1;
    }
    // A's token on A's URLs naming B's ids: 404 (a member reference to
    // B's user: 400 invalidValue), never data.
    let on_a_by_id: Vec<(Method, String, Option<&Value>)> = vec![
        (Method::GET, format!("/Users/{bu}"), None),
        (Method::PUT, format!("/Users/{bu}"), Some(&user_body)),
        (Method::PATCH, format!("/Users/{bu}"), Some(&user_patch)),
        (Method::DELETE, format!("/Users/{bu}"), None),
        (Method::GET, format!("/Groups/{bg}"), None),
        (Method::PUT, format!("/Groups/{bg}"), Some(&group_body)),
        (Method::PATCH, format!("/Groups/{bg}"), Some(&group_patch)),
        (Method::DELETE, format!("/Groups/{bg}"), None),
        (Method::GET, format!("/Users/{bg}"), None),
        (Method::GET, format!("/Groups/{bu}"), None),
    ];
    for (method, path, body) in &on_a_by_id {
        let (status, text) = exchange(method.clone(), &format!("{base_a}{path}"), &a, *body);
        assert_eq!(status, 404, "{method} A{path}: {text}");
        assert!(!leaks(&text), "{text}");
        checked += 1;
    }
    let add_b_member = patch(json!([{"op": "add", "path": "members", "value": [{"value": bu}]}]));
    let group_with_b =
        json!({"schemas": [GROUP], "displayName": "with B", "members": [{"value": bu}]});
    for (method, path, body) in [
        (Method::PATCH, format!("/Groups/{ag}"), &add_b_member),
        (Method::POST, "/Groups".to_owned(), &group_with_b),
    ] {
        let (status, text) = exchange(method.clone(), &format!("{base_a}{path}"), &a, Some(body));
        assert_eq!(status, 400, "{method} A{path}: {text}");
        assert!(!leaks(&text), "{text}");
        checked += 1;
    }
    // Searches in A by B's ids find nothing.
    for (method, path, body) in [
        (Method::GET, format!("/Users{filter}"), None),
        (
            Method::GET,
            format!("/Groups?filter=members%5Bvalue%20eq%20%22{bu}%22%5D"),
            None,
        ),
        (Method::POST, "/Users/.search".to_owned(), Some(&search)),
        (Method::POST, "/.search".to_owned(), Some(&search)),
    ] {
        let (status, text) = exchange(method.clone(), &format!("{base_a}{path}"), &a, body);
        assert_eq!(status, 200, "{method} A{path}: {text}");
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["totalResults"], 0, "{method} A{path}: {text}");
        checked += 1;
    }
    // Bulk on A naming B's ids: every operation fails alone.
    let (status, text) = exchange(
        Method::POST,
        &format!("{base_a}/Bulk"),
        &a,
        Some(&bulk_on_b),
    );
    assert_eq!(status, 200, "{text}");
    assert!(!leaks(&text), "{text}");
    let results: Value = serde_json::from_str(&text).unwrap();
    let statuses: Vec<&str> = results["Operations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        ["404", "404", "404", "404", "404", "400"],
        "{text}"
    );
    checked += statuses.len();
    // B is untouched, A's group has no member.
    assert_eq!(snapshot(), before);
    let (_, t) = exchange(Method::GET, &format!("{base_a}/Groups/{ag}"), &a, None);
    assert!(
        serde_json::from_str::<Value>(&t)
            .unwrap()
            .get("members")
            .is_none()
    );
    let (s, _) = exchange(Method::GET, &format!("{base_a}/Users/{au}"), &a, None);
    assert_eq!(s, 200);
    eprintln!("isolation: {checked} cross-tenant requests checked");
}

/// Reads a file, or nothing when it does not exist (no WAL after a
/// checkpoint).
fn bytes_of(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_default()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The database file and its WAL, together.
fn stored_bytes(db: &Path) -> Vec<u8> {
    let mut all = bytes_of(db);
    all.extend(bytes_of(&db.with_extension("db-wal")));
    all
}

/// The CLI with the most verbose log, capturing its standard error.
fn cli_traced(args: &[&str]) -> (Value, String) {
    let out = binary()
        .args(args)
        .env_remove("SCIMHUB_DATABASE_URL")
        .env("RUST_LOG", "trace")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    (
        serde_json::from_str(stdout.lines().next().unwrap_or("null")).unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn tokens_are_random_stored_as_hashes_and_never_logged() {
    let dir = tempfile::tempdir().unwrap();
    let (db, path) = sqlite_in(&dir);
    let server = start_with(Options {
        database: db.clone(),
        bootstrap_token: None,
        env: vec![("RUST_LOG".into(), "trace".into())],
        ..Options::default()
    });
    // The generated bootstrap token, printed once on standard output.
    let deadline = Instant::now() + Duration::from_secs(10);
    let bootstrap = loop {
        let lines = server.stdout.lock().unwrap().clone();
        if let Some(t) = lines
            .iter()
            .find_map(|l| l.split("(shown once, store it now): ").nth(1))
        {
            break t.trim().to_owned();
        }
        assert!(Instant::now() < deadline, "no token printed: {lines:?}");
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut issued = vec![bootstrap.clone()];
    let mut cli_logs = String::new();
    let mut cli_out = String::new();
    let mut tenant = |args: &[&str]| {
        let mut all = args.to_vec();
        all.extend(["--database", db.as_str()]);
        let (out, err) = cli_traced(&all);
        cli_logs.push_str(&err);
        cli_out.push_str(&out.to_string());
        out
    };
    for name in ["alpha", "beta", "gamma"] {
        issued.push(
            tenant(&["tenant", "create", name])["token"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let alpha_first = issued[1].clone();
    // Rotated without grace (the first token stops at once), then with
    // an hour of grace (the second one keeps working).
    let alpha_graced = tenant(&["tenant", "rotate-token", "alpha"])["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let alpha_now = tenant(&["tenant", "rotate-token", "alpha", "--grace", "1h"])["token"]
        .as_str()
        .unwrap()
        .to_owned();
    issued.push(alpha_graced.clone());
    issued.push(alpha_now.clone());
    let listed = tenant(&["tenant", "list"]);
    // Listing and rotation print no stored token.
    assert!(listed.get("token").is_none());

    // 256 random bits each: `scimhub_` and 43 URL-safe base64 characters
    // that decode to 32 bytes, all different.
    let mut raw = Vec::new();
    for t in &issued {
        let body = t.strip_prefix("scimhub_").unwrap();
        assert_eq!(body.len(), 43, "{t}");
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(body)
            .unwrap();
        assert_eq!(bytes.len(), 32, "{t}");
        raw.push(bytes);
    }
    assert_eq!(issued.iter().collect::<HashSet<_>>().len(), issued.len());
    let all_bytes: Vec<u8> = raw.concat();
    let distinct = all_bytes.iter().collect::<HashSet<_>>().len();
    let ones: u32 = all_bytes.iter().map(|b| b.count_ones()).sum();
    let bits = all_bytes.len() as f64 * 8.0;
    // 192 uniform bytes show about 135 distinct values; a fixed or
    // counter-like source shows far fewer or a skewed bit count.
    assert!(distinct > 100, "{distinct} distinct byte values");
    assert!(
        (f64::from(ones) / bits - 0.5).abs() < 0.06,
        "{ones} of {bits} bits set"
    );

    // A lifecycle with every token: CRUD, errors, rotation.
    let users = |t: &str| server.url(&format!("/scim/v2/{t}/Users"));
    let groups = |t: &str| server.url(&format!("/scim/v2/{t}/Groups"));
    for (tenant_name, token) in [
        ("default", &bootstrap),
        ("beta", &issued[2]),
        ("gamma", &issued[3]),
        ("alpha", &alpha_now),
        ("alpha", &alpha_graced),
    ] {
        let (s, t) = exchange(
            Method::POST,
            &users(tenant_name),
            token,
            Some(&json!({"schemas": [USER], "userName": format!("{}@example.com", &token[8..16])})),
        );
        let id = id_of(s, &t);
        let (s, t) = exchange(
            Method::POST,
            &groups(tenant_name),
            token,
            Some(
                &json!({"schemas": [GROUP], "displayName": format!("g-{}", &token[8..16]), "members": [{"value": id}]}),
            ),
        );
        let gid = id_of(s, &t);
        let user_url = format!("{}/{id}", users(tenant_name));
        let group_url = format!("{}/{gid}", groups(tenant_name));
        for (method, url, body, expected) in [
            (Method::GET, user_url.clone(), None, 200),
            (
                Method::PATCH,
                user_url.clone(),
                Some(patch(
                    json!([{"op": "replace", "path": "active", "value": false}]),
                )),
                200,
            ),
            (
                Method::PUT,
                user_url.clone(),
                Some(
                    json!({"schemas": [USER], "userName": format!("{}@example.com", &token[8..16])}),
                ),
                200,
            ),
            (
                Method::GET,
                format!("{}?filter=userName%20eq%20%22x%22", users(tenant_name)),
                None,
                200,
            ),
            (
                Method::GET,
                format!("{}?filter=bad%20filter", users(tenant_name)),
                None,
                400,
            ),
            (
                Method::POST,
                users(tenant_name),
                Some(json!({"userName": 5})),
                400,
            ),
            (
                Method::GET,
                format!("{}/nope", users(tenant_name)),
                None,
                404,
            ),
            (Method::DELETE, group_url.clone(), None, 204),
            (Method::DELETE, user_url.clone(), None, 204),
            (Method::GET, user_url.clone(), None, 404),
        ] {
            let (s, t) = exchange(method.clone(), &url, token, body.as_ref());
            assert_eq!(s, expected, "{method} {url}: {t}");
        }
        // Another tenant's URL with this token, and this URL with a
        // token of another tenant.
        let other = if tenant_name == "beta" {
            "gamma"
        } else {
            "beta"
        };
        assert_eq!(exchange(Method::GET, &users(other), token, None).0, 401);
    }
    // The first token of alpha was rotated out without grace; the second
    // stays valid for the hour of grace.
    assert_eq!(
        exchange(Method::GET, &users("alpha"), &alpha_first, None).0,
        401
    );
    assert_eq!(
        exchange(Method::GET, &users("alpha"), &alpha_graced, None).0,
        200
    );
    // A token sent where a tenant name belongs is not echoed either.
    let (s, t) = exchange(
        Method::GET,
        &server.url("/scim/v2/default/Users"),
        &format!("{bootstrap}x"),
        None,
    );
    assert_eq!(s, 401);
    assert!(!t.contains(&bootstrap));
    std::thread::sleep(Duration::from_millis(300));

    // Stored only as hashes: while the server runs (WAL) and after it
    // stopped. The hashes of the valid tokens are there, which shows the
    // search looks where tokens are kept.
    let check_stored = |when: &str| {
        let stored = stored_bytes(&path);
        for (t, r) in issued.iter().zip(&raw) {
            assert!(!contains(&stored, t.as_bytes()), "{when}: token {t} stored");
            assert!(!contains(&stored, r), "{when}: raw bits of {t} stored");
        }
        for t in [
            &bootstrap,
            &issued[2],
            &issued[3],
            &alpha_now,
            &alpha_graced,
        ] {
            let hash = Sha256::digest(t.as_bytes());
            assert!(
                contains(&stored, &hash),
                "{when}: the hash of {t} is not stored"
            );
        }
    };
    check_stored("running");
    let logs = server.logs();
    let stdout = server.stdout.lock().unwrap().join("\n");
    let mut server = server;
    sigterm(server.pid());
    assert!(wait_exit(&mut server, Duration::from_secs(30)).success());
    check_stored("stopped");

    // Never logged: the server's standard error over the whole lifecycle
    // (at trace level), and the CLI's.
    assert!(logs.lines().count() > 50, "the log was captured: {logs}");
    assert!(
        logs.contains("token of another tenant"),
        "debug lines were captured: {logs}"
    );
    for t in &issued {
        assert!(!logs.contains(t.as_str()), "the server logged {t}");
        assert!(!cli_logs.contains(t.as_str()), "the CLI logged {t}");
        assert!(!logs.contains(&t[8..]) && !cli_logs.contains(&t[8..]));
    }
    // Standard output shows the bootstrap token once, by design.
    assert_eq!(stdout.matches(bootstrap.as_str()).count(), 1);
    // A restart prints no token again.
    let again = start_with(Options {
        database: db,
        bootstrap_token: None,
        ..Options::default()
    });
    std::thread::sleep(Duration::from_millis(300));
    assert!(!again.stdout.lock().unwrap().join("\n").contains("scimhub_"));
    eprintln!(
        "tokens: {} issued, {distinct} distinct byte values in {} random bytes, {} log lines searched",
        issued.len(),
        all_bytes.len(),
        logs.lines().count() + cli_logs.lines().count()
    );
}

#[test]
fn passwords_are_never_echoed_stored_or_logged() {
    let dir = tempfile::tempdir().unwrap();
    let (db, path) = sqlite_in(&dir);
    let server = start_with(Options {
        database: db,
        env: vec![("RUST_LOG".into(), "debug".into())],
        ..Options::default()
    });
    let base = server.url("/scim/v2/default");
    let secret = |how: &str| format!("Pa55-{how}-d0NotEcho");
    let mut texts = Vec::new();
    let mut call = |method: Method, path: &str, body: Option<Value>| {
        let (s, t) = exchange(method, &format!("{base}{path}"), TOKEN, body.as_ref());
        texts.push(t.clone());
        (s, t)
    };
    let (s, t) = call(
        Method::POST,
        "/Users",
        Some(
            json!({"schemas": [USER], "userName": "pw@example.com", "password": secret("create")}),
        ),
    );
    let id = id_of(s, &t);
    let user = format!("/Users/{id}");
    let (s, t) = call(
        Method::PUT,
        &user,
        Some(json!({"schemas": [USER], "userName": "pw@example.com", "password": secret("put")})),
    );
    assert_eq!(s, 200, "{t}");
    let (s, t) = call(
        Method::PATCH,
        &user,
        Some(patch(
            json!([{"op": "replace", "path": "password", "value": secret("patch")}]),
        )),
    );
    assert_eq!(s, 200, "{t}");
    let (s, t) = call(
        Method::PATCH,
        &user,
        Some(patch(
            json!([{"op": "replace", "value": {"password": secret("pathless"), "title": "t"}}]),
        )),
    );
    assert_eq!(s, 200, "{t}");
    let (s, t) = call(
        Method::POST,
        "/Bulk",
        Some(json!({"schemas": [BULK], "Operations": [
            {"method": "POST", "path": "/Users", "bulkId": "u",
             "data": {"schemas": [USER], "userName": "pw2@example.com", "password": secret("bulk-post")}},
            {"method": "PATCH", "path": "/Users/bulkId:u",
             "data": patch(json!([{"op": "add", "path": "password", "value": secret("bulk-patch")}]))},
            {"method": "PUT", "path": format!("/Users/{id}"),
             "data": {"schemas": [USER], "userName": "pw@example.com", "password": secret("bulk-put")}}
        ]})),
    );
    assert_eq!(s, 200, "{t}");
    // Asking for it does not return it; filtering on it in a body works
    // without echoing it; in a URL it is refused (RFC 7644 §7.5.2).
    for (method, path, body) in [
        (Method::GET, format!("{user}?attributes=password"), None),
        (
            Method::GET,
            "/Users?attributes=password,userName".to_owned(),
            None,
        ),
        (
            Method::POST,
            "/Users/.search".to_owned(),
            Some(
                json!({"schemas": [SEARCH], "filter": format!("password eq \"{}\"", secret("put")), "attributes": ["password"]}),
            ),
        ),
        (Method::GET, user.clone(), None),
    ] {
        let (s, t) = call(method, &path, body);
        assert_eq!(s, 200, "{path}: {t}");
    }
    let (s, t) = call(
        Method::GET,
        &format!("/Users?filter=password%20eq%20%22{}%22", secret("url")),
        None,
    );
    assert_eq!(s, 403, "{t}");
    std::thread::sleep(Duration::from_millis(300));
    let stored = stored_bytes(&path);
    let logs = server.logs();
    let all = texts.join("\n");
    for how in [
        "create",
        "put",
        "patch",
        "pathless",
        "bulk-post",
        "bulk-patch",
        "bulk-put",
        "url",
    ] {
        let s = secret(how);
        assert!(!all.contains(&s), "a response echoed the {how} password");
        assert!(
            !contains(&stored, s.as_bytes()),
            "the {how} password was stored"
        );
        assert!(!logs.contains(&s), "the {how} password was logged");
    }
    assert!(!all.contains("\"password\""), "{all}");
}

/// Checks a 500 answer: a SCIM error with the generic detail, nothing of
/// the cause.
fn generic_500(status: u16, text: &str, what: &str) {
    assert_eq!(status, 500, "{what}: {text}");
    let v: Value = serde_json::from_str(text).unwrap();
    assert_eq!(
        v["schemas"][0],
        "urn:ietf:params:scim:api:messages:2.0:Error"
    );
    assert_eq!(v["status"], "500");
    assert_eq!(v["detail"], GENERIC_500, "{what}");
    assert!(v.get("scimType").is_none());
    let lower = text.to_lowercase();
    for word in [
        "sqlite", "postgres", "database", "locked", "relation", "table", "query",
    ] {
        assert!(
            !lower.contains(word),
            "{what}: the answer names '{word}': {text}"
        );
    }
}

/// GETs `url` until the answer is a 500, which must be the generic one;
/// the answers before it must be 200 (the server may reuse a tenant it
/// looked up a moment ago).
fn until_500(url: &str, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (s, t) = exchange(Method::GET, url, TOKEN, None);
        if s != 200 {
            generic_500(s, &t, what);
            return;
        }
        assert!(Instant::now() < deadline, "{what}: still 200");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Waits until the server's log shows `needle`.
fn logged(server: &Server, needle: &str) -> bool {
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline {
        if server.logs().contains(needle) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

#[test]
fn a_failing_sqlite_store_is_a_generic_500_with_the_cause_logged() {
    let dir = tempfile::tempdir().unwrap();
    let (db, path) = sqlite_in(&dir);
    let server = start_with(Options {
        database: db,
        ..Options::default()
    });
    let base = server.url("/scim/v2/default");
    let (s, t) = exchange(
        Method::POST,
        &format!("{base}/Users"),
        TOKEN,
        Some(&json!({"schemas": [USER], "userName": "before@example.com"})),
    );
    let id = id_of(s, &t);

    // Another process holds the write lock (an operator's sqlite3 shell in
    // a transaction): writes fail after the busy timeout, reads go on.
    let other = rusqlite::Connection::open(&path).unwrap();
    other.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let (s, t) = exchange(
        Method::POST,
        &format!("{base}/Users"),
        TOKEN,
        Some(&json!({"schemas": [USER], "userName": "locked@example.com"})),
    );
    generic_500(s, &t, "a write while the database is locked");
    assert!(logged(&server, "database is locked"), "{}", server.logs());
    let (s, _) = exchange(Method::GET, &format!("{base}/Users/{id}"), TOKEN, None);
    assert_eq!(s, 200, "reads go on");
    other.execute_batch("ROLLBACK").unwrap();
    let (s, t) = exchange(
        Method::POST,
        &format!("{base}/Users"),
        TOKEN,
        Some(&json!({"schemas": [USER], "userName": "after@example.com"})),
    );
    assert_eq!(s, 201, "the store recovers: {t}");

    // A table the server needs disappears: reads and the tenant lookup
    // fail.
    other
        .execute_batch("ALTER TABLE resources RENAME TO resources_away")
        .unwrap();
    let (s, t) = exchange(Method::GET, &format!("{base}/Users/{id}"), TOKEN, None);
    generic_500(s, &t, "a read without the resources table");
    let (s, t) = exchange(Method::GET, &format!("{base}/Users"), TOKEN, None);
    generic_500(s, &t, "a list without the resources table");
    assert!(
        logged(&server, "no such table: resources"),
        "{}",
        server.logs()
    );
    other
        .execute_batch("ALTER TABLE resources_away RENAME TO resources")
        .unwrap();
    // A success just before, so that a tenant the server keeps from it
    // is as fresh as can be: the failure must still show within moments.
    let (s, t) = exchange(Method::GET, &format!("{base}/Users/{id}"), TOKEN, None);
    assert_eq!(s, 200, "{t}");
    other
        .execute_batch("ALTER TABLE tenants RENAME TO tenants_away")
        .unwrap();
    until_500(
        &format!("{base}/Users"),
        "a tenant lookup without the tenants table",
    );
    assert!(
        logged(&server, "no such table: tenants"),
        "{}",
        server.logs()
    );
    other
        .execute_batch("ALTER TABLE tenants_away RENAME TO tenants")
        .unwrap();
    let (s, t) = exchange(Method::GET, &format!("{base}/Users/{id}"), TOKEN, None);
    assert_eq!(s, 200, "{t}");
    let metrics = client()
        .get(server.url("/metrics"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    let errors: u64 = metrics
        .lines()
        .find_map(|l| l.strip_prefix("scimhub_store_errors_total "))
        .unwrap()
        .parse()
        .unwrap();
    assert!(errors >= 4, "{metrics}");
}

#[test]
fn a_failing_postgres_store_is_a_generic_500_with_the_cause_logged() {
    let Some(schema) = PgSchema::new("security") else {
        return;
    };
    // Its own application name, so that only its connections are ended.
    let app = schema.name.clone();
    let server = start_with(Options {
        database: format!("{}&application_name={app}", schema.url()),
        ..Options::default()
    });
    let base = server.url("/scim/v2/default");
    let (s, t) = exchange(
        Method::POST,
        &format!("{base}/Users"),
        TOKEN,
        Some(&json!({"schemas": [USER], "userName": "pg@example.com"})),
    );
    let id = id_of(s, &t);
    let user = format!("{base}/Users/{id}");

    // A table the server needs disappears.
    schema.execute(&format!(
        "ALTER TABLE {0}.resources RENAME TO resources_away",
        schema.name
    ));
    let (s, t) = exchange(Method::GET, &user, TOKEN, None);
    generic_500(s, &t, "a read without the resources table");
    let (s, t) = exchange(
        Method::PATCH,
        &user,
        TOKEN,
        Some(&patch(
            json!([{"op": "replace", "path": "title", "value": "x"}]),
        )),
    );
    generic_500(s, &t, "a write without the resources table");
    assert!(
        logged(&server, "relation \\\"resources\\\" does not exist")
            || logged(&server, "relation \"resources\" does not exist"),
        "{}",
        server.logs()
    );
    schema.execute(&format!(
        "ALTER TABLE {0}.resources_away RENAME TO resources",
        schema.name
    ));
    let (s, t) = exchange(Method::GET, &user, TOKEN, None);
    assert_eq!(s, 200, "{t}");
    schema.execute(&format!(
        "ALTER TABLE {0}.tenants RENAME TO tenants_away",
        schema.name
    ));
    until_500(&user, "a tenant lookup without the tenants table");
    assert!(logged(&server, "tenant lookup failed"), "{}", server.logs());
    schema.execute(&format!(
        "ALTER TABLE {0}.tenants_away RENAME TO tenants",
        schema.name
    ));
    let (s, t) = exchange(Method::GET, &user, TOKEN, None);
    assert_eq!(s, 200, "{t}");

    // The database ends the server's connections: every answer is a
    // success or the generic 500, and the server recovers.
    let ended = schema.query(&format!(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = '{app}'"
    ));
    assert_ne!(ended[0][0].as_deref(), Some("0"), "no connection ended");
    let mut statuses = Vec::new();
    for _ in 0..20 {
        let (s, t) = exchange(Method::GET, &user, TOKEN, None);
        if s != 200 {
            generic_500(s, &t, "a read on an ended connection");
        }
        statuses.push(s);
    }
    assert_eq!(statuses.last(), Some(&200), "{statuses:?}");
    eprintln!("postgres failures: after the connections ended: {statuses:?}");
}
