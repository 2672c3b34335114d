//! The real binary over HTTP: bootstrap, authentication matrix, content
//! types and limits, the user and group lifecycle, compression, health,
//! metrics and logs.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::*;
use reqwest::Method;
use scimhub_schema::urn::{GROUP, PATCH_OP, USER};
use serde_json::json;

#[test]
fn a_generated_bootstrap_token_is_printed_once_and_works() {
    let server = start_with(Options {
        bootstrap_token: None,
        ..Options::default()
    });
    // The token line arrives on standard output right after startup.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let token = loop {
        let lines = server.stdout.lock().unwrap().clone();
        if let Some(t) = lines
            .iter()
            .find_map(|l| l.split("(shown once, store it now): ").nth(1))
        {
            break t.trim().to_owned();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "no token printed: {lines:?}"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    assert!(token.starts_with("scimhub_"), "{token}");
    let (status, _, body) = send(
        Method::GET,
        &server.url("/scim/v2/default/Users"),
        Some(&token),
        None,
    );
    assert_eq!(status, 200, "{body}");
    assert!(
        !server.logs().contains(&token),
        "the token must never be logged"
    );
}

#[test]
fn entra_test_connection_and_the_user_lifecycle() {
    let server = start();
    let users = server.url("/scim/v2/default/Users");
    // Test connection: a random GUID filter, `+` for spaces as Entra sends it.
    let probe = format!("{users}?filter=userName+eq+%2200000000-0000-0000-0000-000000000000%22");
    let (status, headers, body) = send(Method::GET, &probe, Some(TOKEN), None);
    assert_eq!(status, 200, "{body}");
    assert_eq!(headers["content-type"], "application/scim+json");
    assert_eq!(body["totalResults"], 0);

    let (status, headers, created) = send(
        Method::POST,
        &users,
        Some(TOKEN),
        Some(
            &json!({"schemas": [USER], "userName": "bjensen@example.com", "active": true,
                     "name": {"givenName": "Barbara", "familyName": "Jensen"}}),
        ),
    );
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    let location = headers["location"].to_str().unwrap().to_owned();
    assert_eq!(location, format!("{users}/{id}"));
    assert_eq!(created["meta"]["location"], location);
    let etag = headers["etag"].to_str().unwrap().to_owned();

    // Okta encodes spaces as %20.
    let by_name = format!("{users}?filter=userName%20eq%20%22BJENSEN%40example.com%22");
    let (_, _, list) = send(Method::GET, &by_name, Some(TOKEN), None);
    assert_eq!(list["totalResults"], 1);

    // If-None-Match → 304.
    let resp = client()
        .get(&location)
        .bearer_auth(TOKEN)
        .header("If-None-Match", &etag)
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 304);

    let (status, headers, patched) = send(
        Method::PATCH,
        &location,
        Some(TOKEN),
        Some(
            &json!({"schemas": [PATCH_OP], "Operations": [{"op": "Replace", "path": "active", "value": "False"}]}),
        ),
    );
    assert_eq!(status, 200, "{patched}");
    assert_eq!(patched["active"], false);
    assert_ne!(headers["etag"], etag.as_str());

    // A stale If-Match is refused.
    let resp = client()
        .put(&location)
        .bearer_auth(TOKEN)
        .header("If-Match", &etag)
        .header("Content-Type", "application/json")
        .body(json!({"schemas": [USER], "userName": "bjensen@example.com"}).to_string())
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 412);

    let (status, _, replaced) = send(
        Method::PUT,
        &location,
        Some(TOKEN),
        Some(&json!({"schemas": [USER], "userName": "bjensen@example.com", "displayName": "Babs"})),
    );
    assert_eq!(status, 200, "{replaced}");
    assert!(
        replaced.get("name").is_none(),
        "PUT clears what it does not send"
    );

    // Groups with members; the user's groups are computed.
    let groups = server.url("/scim/v2/default/Groups");
    let (status, _, group) = send(
        Method::POST,
        &groups,
        Some(TOKEN),
        Some(
            &json!({"schemas": [GROUP], "displayName": "Pro", "members": [{"value": id}],
                     "urn:ietf:params:scim:schemas:extension:license:2.0:Group": {"license": "true"}}),
        ),
    );
    assert_eq!(status, 201, "{group}");
    let (_, _, user) = send(Method::GET, &location, Some(TOKEN), None);
    assert_eq!(user["groups"][0]["display"], "Pro");
    assert_eq!(
        user["urn:ietf:params:scim:schemas:extension:license:2.0:User"]["license"],
        true
    );

    let (status, _, _) = send(Method::DELETE, &location, Some(TOKEN), None);
    assert_eq!(status, 204);
    let (status, _, body) = send(Method::GET, &location, Some(TOKEN), None);
    assert_eq!(status, 404);
    assert_eq!(body["status"], "404");
}

/// Every route and method: no token, a wrong token, a malformed header
/// and another tenant's token are all 401 with `WWW-Authenticate: Bearer`
/// and a SCIM error — never data.
#[test]
fn authentication_matrix() {
    let server = start();
    // A second tenant, created through the API-independent CLI is not
    // possible on memory://, so use the bootstrap tenant as "A" and a
    // token of no tenant as "other".
    let routes = [
        (Method::GET, "/Users"),
        (Method::POST, "/Users"),
        (Method::GET, "/Users/some-id"),
        (Method::PUT, "/Users/some-id"),
        (Method::PATCH, "/Users/some-id"),
        (Method::DELETE, "/Users/some-id"),
        (Method::GET, "/Groups"),
        (Method::POST, "/Groups/.search"),
        (Method::POST, "/.search"),
        (Method::POST, "/Bulk"),
        (Method::GET, "/ServiceProviderConfig"),
        (Method::GET, "/ResourceTypes"),
        (Method::GET, "/Schemas"),
        (Method::GET, "/Me"),
        (Method::GET, ""),
    ];
    let auths: [(&str, Option<&str>); 5] = [
        ("missing", None),
        ("wrong token", Some("Bearer scimhub_not-a-real-token")),
        ("empty bearer", Some("Bearer ")),
        ("basic scheme", Some("Basic dXNlcjpwYXNz")),
        ("token without scheme", Some(TOKEN)),
    ];
    for tenant in ["default", "other-tenant"] {
        for (method, route) in &routes {
            let url = server.url(&format!("/scim/v2/{tenant}{route}"));
            let mut cases: Vec<(&str, Option<String>)> = auths
                .iter()
                .map(|(n, a)| (*n, a.map(str::to_owned)))
                .collect();
            if tenant != "default" {
                // The valid token of tenant "default" on another tenant's URL.
                cases.push(("another tenant's token", Some(format!("Bearer {TOKEN}"))));
            }
            for (name, auth) in cases {
                let mut req = client().request(method.clone(), &url);
                if let Some(a) = &auth {
                    req = req.header("Authorization", a);
                }
                if *method != Method::GET && *method != Method::DELETE {
                    req = req
                        .header("Content-Type", "application/scim+json")
                        .body("{}");
                }
                let resp = req.send().unwrap();
                let status = resp.status().as_u16();
                let www = resp
                    .headers()
                    .get("www-authenticate")
                    .map(|v| v.to_str().unwrap().to_owned());
                let body: serde_json::Value = resp.json().unwrap();
                assert_eq!(status, 401, "{tenant} {method} {route} ({name})");
                assert!(
                    www.as_deref().is_some_and(|w| w.starts_with("Bearer")),
                    "{tenant} {method} {route} ({name})"
                );
                assert_eq!(body["status"], "401");
                assert!(
                    body.get("Resources").is_none() && body.get("id").is_none(),
                    "no data: {body}"
                );
            }
        }
    }
}

#[test]
fn content_types_limits_and_unknown_routes() {
    let server = start();
    let users = server.url("/scim/v2/default/Users");
    // 415 for a body that is not JSON.
    let resp = client()
        .post(&users)
        .bearer_auth(TOKEN)
        .header("Content-Type", "text/plain")
        .body("userName=x")
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 415);
    let body: serde_json::Value = resp.json().unwrap();
    assert_eq!(body["status"], "415");
    // application/json with a charset is accepted.
    let resp = client()
        .post(&users)
        .bearer_auth(TOKEN)
        .header("Content-Type", "application/json; charset=utf-8")
        .body(json!({"schemas": [USER], "userName": "charset@example.com"}).to_string())
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 201);
    assert_eq!(resp.headers()["content-type"], "application/scim+json");
    // 413 beyond the body limit (1 MiB by default).
    let big =
        json!({"schemas": [USER], "userName": "big@example.com", "title": "x".repeat(1_100_000)});
    let (status, _, body) = send(Method::POST, &users, Some(TOKEN), Some(&big));
    assert_eq!(status, 413, "{body}");
    assert_eq!(body["status"], "413");
    // Malformed JSON is a SCIM invalidSyntax.
    let resp = client()
        .post(&users)
        .bearer_auth(TOKEN)
        .header("Content-Type", "application/scim+json")
        .body("{\"userName\": ")
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    let body: serde_json::Value = resp.json().unwrap();
    assert_eq!(body["scimType"], "invalidSyntax");
    // Unknown routes are SCIM 404s, inside and outside the SCIM tree.
    for path in ["/nowhere", "/scim/v1/default/Users", "/"] {
        let (status, headers, body) = send(Method::GET, &server.url(path), None, None);
        assert_eq!(status, 404, "{path}");
        assert_eq!(headers["content-type"], "application/scim+json");
        assert_eq!(body["status"], "404", "{path}");
    }
    let (status, _, body) = send(
        Method::GET,
        &server.url("/scim/v2/default/Widgets"),
        Some(TOKEN),
        None,
    );
    assert_eq!(status, 404, "{body}");
}

/// Sends `HEAD path` over a fresh connection that the server closes after
/// answering, and returns everything the server sent.
fn raw_head(server: &Server, path: &str) -> String {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(&server.addr).unwrap();
    stream
        .set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    write!(
        stream,
        "HEAD {path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {TOKEN}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    stream.read_to_string(&mut out).unwrap();
    out
}

#[test]
fn head_is_get_without_a_body_and_405_lists_the_methods() {
    let server = start();
    let users = server.url("/scim/v2/default/Users");
    let (status, headers, body) = send(
        Method::POST,
        &users,
        Some(TOKEN),
        Some(&json!({"schemas": [USER], "userName": "head@example.com"})),
    );
    assert_eq!(status, 201, "{body}");
    let id = body["id"].as_str().unwrap().to_owned();
    let etag = headers["etag"].to_str().unwrap().to_owned();
    let answer = raw_head(&server, &format!("/scim/v2/default/Users/{id}"));
    let (head, rest) = answer.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains(&format!("etag: {}", etag.to_ascii_lowercase())),
        "{head}"
    );
    assert_eq!(rest, "", "a HEAD answer carries no body");
    let answer = raw_head(&server, "/scim/v2/default/Users/nope");
    assert!(answer.starts_with("HTTP/1.1 404"), "{answer}");
    assert!(answer.ends_with("\r\n\r\n"), "{answer}");
    // A 405 names what the endpoint allows.
    let (status, headers, body) = send(Method::DELETE, &users, Some(TOKEN), None);
    assert_eq!(status, 405, "{body}");
    assert_eq!(body["status"], "405");
    assert_eq!(headers["allow"], "GET, HEAD, POST");
    // The operational routes answer HEAD too, and name GET and HEAD.
    for path in ["/healthz", "/readyz", "/metrics"] {
        let answer = raw_head(&server, path);
        assert!(answer.starts_with("HTTP/1.1 200"), "{path}: {answer}");
        assert!(answer.ends_with("\r\n\r\n"), "{path}: {answer}");
        let (status, headers, body) = send(Method::DELETE, &server.url(path), None, None);
        assert_eq!(status, 405, "{path}: {body}");
        assert_eq!(body["status"], "405", "{path}");
        assert_eq!(headers["allow"], "GET, HEAD", "{path}");
    }
}

#[test]
fn responses_are_gzipped_when_asked() {
    let server = start();
    let resp = std::process::Command::new("curl")
        .args([
            "-s",
            "-D",
            "-",
            "-o",
            "/dev/null",
            "-H",
            "Accept-Encoding: gzip",
            "-H",
        ])
        .arg(format!("Authorization: Bearer {TOKEN}"))
        .arg(server.url("/scim/v2/default/Schemas"))
        .output()
        .unwrap();
    let headers = String::from_utf8_lossy(&resp.stdout).to_lowercase();
    assert!(headers.contains("content-encoding: gzip"), "{headers}");
    // reqwest decompresses transparently: the body is still JSON.
    let (status, _, body) = send(
        Method::GET,
        &server.url("/scim/v2/default/Schemas"),
        Some(TOKEN),
        None,
    );
    assert_eq!(status, 200);
    assert!(body["totalResults"].as_u64().unwrap() >= 3);
}

#[test]
fn health_readiness_metrics_and_request_logs() {
    let server = start();
    let (status, _, _) = send(
        Method::GET,
        &server.url("/scim/v2/default/Users"),
        Some(TOKEN),
        None,
    );
    assert_eq!(status, 200);
    for path in ["/healthz", "/readyz"] {
        let resp = client().get(server.url(path)).send().unwrap();
        assert_eq!(resp.status().as_u16(), 200, "{path}");
    }
    let metrics = client()
        .get(server.url("/metrics"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(
        metrics
            .contains("scimhub_requests_total{route=\"Users\",status=\"200\",tenant=\"default\"}"),
        "{metrics}"
    );
    assert!(metrics.contains("scimhub_request_duration_seconds_bucket"));
    // One log line per request, with tenant, method, path, status,
    // latency and request id; never the token.
    std::thread::sleep(std::time::Duration::from_millis(200));
    let logs = server.logs();
    let line = logs
        .lines()
        .find(|l| l.contains("path=/scim/v2/default/Users") && l.contains("status=200"))
        .unwrap_or_else(|| panic!("no request line in {logs}"));
    for field in ["tenant=default", "method=GET", "latency_ms=", "request_id="] {
        assert!(line.contains(field), "{field} missing in {line}");
    }
    assert!(!logs.contains(TOKEN), "a token was logged");
    let resp = client()
        .get(server.url("/healthz"))
        .header("X-Request-Id", "abc-123")
        .send()
        .unwrap();
    assert_eq!(resp.headers()["x-request-id"], "abc-123");
}

#[test]
fn a_tenant_over_its_rate_limit_gets_429_with_retry_after() {
    let server = start_with(Options {
        extra_args: vec!["--rate-limit".into(), "5".into()],
        ..Options::default()
    });
    let url = server.url("/scim/v2/default/Users");
    let mut statuses = Vec::new();
    let mut retry_after = None;
    for _ in 0..30 {
        let (status, headers, body) = send(Method::GET, &url, Some(TOKEN), None);
        if status == 429 {
            retry_after = headers
                .get("retry-after")
                .map(|v| v.to_str().unwrap().to_owned());
            assert_eq!(body["status"], "429");
            assert!(
                body["detail"].as_str().unwrap().contains("rate limit"),
                "{body}"
            );
        }
        statuses.push(status);
    }
    let limited = statuses.iter().filter(|s| **s == 429).count();
    assert!(
        statuses.iter().take(10).all(|s| *s == 200),
        "a burst of twice the rate passes: {statuses:?}"
    );
    assert!(limited >= 10, "{statuses:?}");
    assert!(retry_after.unwrap().parse::<u64>().unwrap() >= 1);
    // Probes and metrics are not rate-limited.
    let (status, _, _) = send(Method::GET, &server.url("/healthz"), None, None);
    assert_eq!(status, 200);
}
