//! Sessions on SQLite: the reads of one session share one read
//! transaction, so they see one snapshot; a write through the session,
//! or its end, lets go of it. Another process is played by a second store
//! on the same file.
#![cfg(feature = "sqlite")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::path::Path;

use common::sqlite::open_with_tenant;

use scimhub_schema::datetime::DateTime;
use scimhub_sql::SqliteStore;
use scimhub_store::{
    NewResource, Query, ResourceId, Store, StoredResource, TenantId, TenantUpdate, TokenHash,
    UniqueValue,
};
use serde_json::json;

async fn create_user(store: &dyn Store, t: &TenantId, name: &str) -> StoredResource {
    store
        .create(
            t,
            NewResource {
                resource_type: "User".into(),
                document: json!({
                    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                    "userName": name,
                }),
                unique: vec![UniqueValue::new("userName", name, false)],
                members: vec![],
            },
        )
        .await
        .unwrap()
}

async fn holder(store: &dyn Store, token: u8) -> Option<String> {
    store
        .tenant_by_token(&TokenHash([token; 32]), DateTime::now())
        .await
        .unwrap()
        .map(|t| t.id.to_string())
}

/// Whether `store` finds the user `id` of `tenant`.
async fn sees(store: &dyn Store, tenant: &TenantId, id: &ResourceId) -> bool {
    store.get(tenant, "User", id).await.unwrap().is_some()
}

/// `PRAGMA wal_checkpoint(TRUNCATE)` on a connection of its own: whether
/// it copied the whole log into the database and emptied it, which no
/// open read transaction of another connection allows.
fn checkpoint_completes(path: &Path) -> bool {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.busy_timeout(std::time::Duration::ZERO).unwrap();
    let (busy, log, copied): (i64, i64, i64) = conn
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    busy == 0 && log == copied
}

#[tokio::test]
async fn a_session_reads_one_snapshot_until_it_writes_or_ends() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sessions.db");
    let (server, tenant) = open_with_tenant(&path).await;
    let first = create_user(&server, &tenant, "first").await;

    let session = server.session().expect("SQLite offers sessions");
    assert_eq!(holder(&*session, 1).await.as_deref(), Some("acme"));

    // Another process adds a user and rotates the token without grace.
    let cli = SqliteStore::open(&path).unwrap();
    let second = create_user(&cli, &tenant, "second").await;
    cli.update_tenant(
        &tenant,
        TenantUpdate {
            token: Some((TokenHash([2; 32]), None)),
            ..TenantUpdate::default()
        },
    )
    .await
    .unwrap();

    // The session still reads the snapshot its first read took.
    assert!(
        !sees(&*session, &tenant, &second.id).await,
        "a session does not see writes made after its snapshot"
    );
    assert_eq!(
        session.count(&tenant, "User", None).await.unwrap(),
        1,
        "counts and pages read the same snapshot"
    );
    assert_eq!(
        session
            .list(&tenant, &Query::all("User", 10))
            .await
            .unwrap()
            .resources
            .len(),
        1
    );
    assert_eq!(holder(&*session, 1).await.as_deref(), Some("acme"));
    assert!(
        !checkpoint_completes(&path),
        "the open snapshot holds the log back"
    );

    // The store itself, and a new session, see the changes at once.
    assert_eq!(holder(&server, 1).await, None);
    assert_eq!(holder(&server, 2).await.as_deref(), Some("acme"));
    let fresh = server.session().unwrap();
    assert_eq!(holder(&*fresh, 1).await, None);
    assert!(sees(&*fresh, &tenant, &second.id).await);
    drop(fresh);

    // A write through the session ends its snapshot: its next read sees
    // everything committed so far, its own write included.
    let third = create_user(&*session, &tenant, "third").await;
    for user in [&first, &second, &third] {
        assert!(
            sees(&*session, &tenant, &user.id).await,
            "{} is seen after the session's write",
            user.id
        );
    }
    assert_eq!(holder(&*session, 1).await, None);
    assert_eq!(holder(&*session, 2).await.as_deref(), Some("acme"));

    // Dropping the session ends its transaction: the log can be emptied.
    drop(session);
    assert!(checkpoint_completes(&path), "no snapshot is left open");
}

#[tokio::test]
async fn a_failed_read_ends_the_snapshot_and_the_session_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("failures.db");
    let (server, tenant) = open_with_tenant(&path).await;
    let session = server.session().unwrap();
    assert!(!sees(&*session, &tenant, &ResourceId::new("nobody")).await);
    // A read that fails (an unknown tenant) ends the snapshot ...
    let missing = TenantId::new("nowhere").unwrap();
    assert!(
        session
            .get(&missing, "User", &ResourceId::new("x"))
            .await
            .is_err()
    );
    let cli = SqliteStore::open(&path).unwrap();
    let user = create_user(&cli, &tenant, "later").await;
    // ... so the next read takes a new one.
    assert!(sees(&*session, &tenant, &user.id).await);
    drop(session);
    assert!(checkpoint_completes(&path));
}
