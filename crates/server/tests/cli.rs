//! The command line against the SQLite file a running server uses:
//! tenants, token rotation with and without grace, domains, statistics,
//! and tenant isolation over HTTP between tenants the CLI created.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::*;
use reqwest::Method;
use scimhub_schema::urn::USER;
use serde_json::json;

struct TempDb(std::path::PathBuf);

impl TempDb {
    fn new(name: &str) -> TempDb {
        let dir = std::env::temp_dir().join(format!("scimhub-cli-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDb(dir)
    }
    fn url(&self) -> String {
        format!("sqlite://{}/scimhub.db", self.0.display())
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn create_tenant(db: &str, name: &str, domains: &[&str]) -> String {
    let mut args = vec!["tenant", "create", name, "--database", db];
    for d in domains {
        args.extend(["--domain", d]);
    }
    let (code, out, err) = cli(&args);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.len(), 1, "one JSON object: {out:?}");
    assert_eq!(out[0]["tenant"], name);
    assert_eq!(out[0]["scim_path"], format!("/scim/v2/{name}"));
    out[0]["token"].as_str().unwrap().to_owned()
}

#[test]
fn tenants_created_while_the_server_runs_are_isolated() {
    let db = TempDb::new("isolation");
    let server = start_with(Options {
        database: db.url(),
        ..Options::default()
    });
    let a = create_tenant(&db.url(), "tenant-a", &[]);
    let b = create_tenant(&db.url(), "tenant-b", &[]);
    assert!(
        a.starts_with("scimhub_") && a.len() > 40,
        "256-bit token: {a}"
    );
    // The same userName in both tenants: no clash.
    let mut ids = Vec::new();
    for (tenant, token) in [("tenant-a", &a), ("tenant-b", &b)] {
        let (status, _, body) = send(
            Method::POST,
            &server.url(&format!("/scim/v2/{tenant}/Users")),
            Some(token),
            Some(&json!({"schemas": [USER], "userName": "same@example.com"})),
        );
        assert_eq!(status, 201, "{body}");
        ids.push(body["id"].as_str().unwrap().to_owned());
    }
    // A's token on B's URLs is 401; B's ids are not found through A.
    for path in [
        "/Users",
        &format!("/Users/{}", ids[1]),
        "/Groups",
        "/ServiceProviderConfig",
    ] {
        let (status, _, body) = send(
            Method::GET,
            &server.url(&format!("/scim/v2/tenant-b{path}")),
            Some(&a),
            None,
        );
        assert_eq!(status, 401, "{path}: {body}");
    }
    let (status, _, _) = send(
        Method::GET,
        &server.url(&format!("/scim/v2/tenant-a/Users/{}", ids[1])),
        Some(&a),
        None,
    );
    assert_eq!(status, 404, "another tenant's id is not found");
    let (_, _, list) = send(
        Method::GET,
        &server.url("/scim/v2/tenant-a/Users"),
        Some(&a),
        None,
    );
    assert_eq!(list["totalResults"], 1);
    assert_eq!(list["Resources"][0]["id"], ids[0]);

    // Listing, statistics.
    let (code, tenants, _) = cli(&["tenant", "list", "--database", &db.url()]);
    assert_eq!(code, 0);
    let names: Vec<_> = tenants
        .iter()
        .map(|t| t["tenant"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["default", "tenant-a", "tenant-b"]);
    assert!(
        tenants.iter().all(|t| t.get("token").is_none()),
        "tokens are never listed"
    );
    // The last request time may be written lazily; give it a moment.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    let stats = loop {
        let (code, stats, _) = cli(&["stats", "tenant-a", "--json", "--database", &db.url()]);
        assert_eq!(code, 0);
        if stats[0]["last_request_at"].is_string() || std::time::Instant::now() > deadline {
            break stats;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    assert_eq!(stats.len(), 1);
    for key in [
        "tenant",
        "users",
        "active_users",
        "licensed_users",
        "groups",
        "last_request_at",
    ] {
        assert!(stats[0].get(key).is_some(), "{key} in {}", stats[0]);
    }
    assert_eq!(stats[0]["users"], 1);
    assert!(stats[0]["last_request_at"].is_string());
    let (code, table, _) = cli(&["stats", "--database", &db.url()]);
    assert_eq!(code, 0);
    assert!(
        table[0].as_str().unwrap().starts_with("TENANT"),
        "{table:?}"
    );

    // The database holds no token in clear.
    let bytes = std::fs::read(db.0.join("scimhub.db")).unwrap();
    let wal = std::fs::read(db.0.join("scimhub.db-wal")).unwrap_or_default();
    for token in [&a, &b, &TOKEN.to_owned()] {
        let needle = token.as_bytes();
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle),
            "token in the database file"
        );
        assert!(
            !wal.windows(needle.len()).any(|w| w == needle),
            "token in the WAL"
        );
    }

    // Delete: the tenant's URLs stop working.
    let (code, out, _) = cli(&["tenant", "delete", "tenant-b", "--database", &db.url()]);
    assert_eq!((code, out[0]["deleted"].as_bool()), (0, Some(true)));
    let (status, _, _) = send(
        Method::GET,
        &server.url("/scim/v2/tenant-b/Users"),
        Some(&b),
        None,
    );
    assert_eq!(status, 401);
    let (code, _, err) = cli(&["tenant", "delete", "tenant-b", "--database", &db.url()]);
    assert_eq!(code, 1);
    assert!(err.contains("tenant-b"), "{err}");
}

#[test]
fn token_rotation_with_and_without_grace() {
    let db = TempDb::new("rotation");
    let server = start_with(Options {
        database: db.url(),
        ..Options::default()
    });
    let old = create_tenant(&db.url(), "acme", &[]);
    let users = server.url("/scim/v2/acme/Users");
    let (code, out, _) = cli(&[
        "tenant",
        "rotate-token",
        "acme",
        "--grace",
        "1h",
        "--database",
        &db.url(),
    ]);
    assert_eq!(code, 0);
    let new = out[0]["token"].as_str().unwrap().to_owned();
    assert!(out[0]["previous_token_valid_until"].is_string());
    assert_eq!(send(Method::GET, &users, Some(&new), None).0, 200);
    assert_eq!(
        send(Method::GET, &users, Some(&old), None).0,
        200,
        "the old token works during the grace period"
    );
    let (code, out, _) = cli(&["tenant", "rotate-token", "acme", "--database", &db.url()]);
    assert_eq!(code, 0);
    let newest = out[0]["token"].as_str().unwrap().to_owned();
    assert_eq!(send(Method::GET, &users, Some(&newest), None).0, 200);
    assert_eq!(
        send(Method::GET, &users, Some(&new), None).0,
        401,
        "no grace: the previous token stops at once"
    );
    assert_eq!(send(Method::GET, &users, Some(&old), None).0, 401);
}

#[test]
fn domains_are_enforced_and_can_be_changed() {
    let db = TempDb::new("domains");
    let server = start_with(Options {
        database: db.url(),
        ..Options::default()
    });
    let token = create_tenant(&db.url(), "contoso", &["contoso.com"]);
    let users = server.url("/scim/v2/contoso/Users");
    let (status, _, body) = send(
        Method::POST,
        &users,
        Some(&token),
        Some(&json!({"schemas": [USER], "userName": "eve@fabrikam.com"})),
    );
    assert_eq!(status, 400);
    assert_eq!(body["scimType"], "invalidValue");
    assert!(
        body["detail"].as_str().unwrap().contains("fabrikam.com"),
        "{body}"
    );
    let (code, out, _) = cli(&[
        "tenant",
        "set-domains",
        "contoso",
        "--domain",
        "contoso.com",
        "--domain",
        "fabrikam.com",
        "--database",
        &db.url(),
    ]);
    assert_eq!(code, 0);
    assert_eq!(
        out[0]["allowed_domains"],
        json!(["contoso.com", "fabrikam.com"])
    );
    let (status, _, _) = send(
        Method::POST,
        &users,
        Some(&token),
        Some(&json!({"schemas": [USER], "userName": "eve@fabrikam.com"})),
    );
    assert_eq!(status, 201);
    let (code, _, err) = cli(&["tenant", "create", "Bad Name", "--database", &db.url()]);
    assert_eq!(code, 1);
    assert!(err.contains("not a valid tenant name"), "{err}");
}
