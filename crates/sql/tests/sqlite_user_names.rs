//! SQLite keeps a unique userName on its resource's row (the unique index
//! `resources_user_name` refuses a second one) and other unique values in
//! `uniques`; a database from before (version 3) has its userNames moved
//! onto the rows when opened, and they stay unique.
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

use scimhub_sql::SqliteStore;
use scimhub_store::{ErrorKind, NewResource, Store, StoredResource, TenantId, UniqueValue, Update};
use serde_json::json;

/// A resource of `rt` whose document has `userName: name` and which
/// declares `declared` unique (as `attribute`).
fn resource(rt: &str, name: &str, attribute: &str, declared: &str) -> NewResource {
    NewResource {
        resource_type: rt.into(),
        document: json!({ "userName": name, "serial": name }),
        unique: vec![UniqueValue::new(
            attribute,
            declared,
            attribute != "userName",
        )],
        members: vec![],
    }
}

fn user(name: &str) -> NewResource {
    resource("User", name, "userName", name)
}

/// The rows `sql` selects, read on a connection of its own.
fn query<T>(
    path: &Path,
    sql: &str,
    row: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
) -> Vec<T> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut s = conn.prepare(sql).unwrap();
    s.query_map([], row)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// The rows of `uniques`, as (attribute, value), sorted.
fn uniques(path: &Path) -> Vec<(String, String)> {
    query(
        path,
        "SELECT attribute, value FROM uniques ORDER BY attribute, value",
        |r| Ok((r.get(0)?, r.get(1)?)),
    )
}

/// The folded userNames whose rows carry the unique mark, sorted.
fn marked(path: &Path) -> Vec<String> {
    query(
        path,
        "SELECT user_name_fold FROM resources WHERE user_name_unique = 0 ORDER BY 1",
        |r| r.get(0),
    )
}

fn is_taken(e: &scimhub_store::Error) -> bool {
    matches!(e.kind(), ErrorKind::Uniqueness { attribute } if attribute == "userName")
}

/// Creating `r` fails: its userName is taken.
async fn refused(store: &SqliteStore, t: &TenantId, r: NewResource) {
    let e = store.create(t, r).await.unwrap_err();
    assert!(is_taken(&e), "{e}");
}

async fn rename(
    store: &SqliteStore,
    t: &TenantId,
    who: &StoredResource,
    name: &str,
) -> scimhub_store::Result<StoredResource> {
    store
        .update(
            t,
            "User",
            &who.id,
            None,
            Update {
                document: Some((
                    json!({ "userName": name }),
                    vec![UniqueValue::new("userName", name, false)],
                )),
                members: None,
            },
        )
        .await
}

/// Alice and bob (each declaring its own userName), dave declaring
/// "Carol", and a Device declaring its serial: Alice and bob.
async fn populate(store: &SqliteStore, t: &TenantId) -> (StoredResource, StoredResource) {
    let alice = store.create(t, user("Alice")).await.unwrap();
    let bob = store.create(t, user("bob")).await.unwrap();
    // Not the document's own userName, and another attribute: in `uniques`.
    store
        .create(t, resource("User", "dave", "userName", "Carol"))
        .await
        .unwrap();
    store
        .create(t, resource("Device", "X1", "serial", "X1"))
        .await
        .unwrap();
    (alice, bob)
}

/// Where [`populate`]'s values are kept: Alice's and bob's on their
/// rows, the others in `uniques`.
fn assert_kept_apart(path: &Path) {
    assert_eq!(
        uniques(path),
        [
            ("serial".into(), "X1".into()),
            ("userName".into(), "carol".into())
        ]
    );
    assert_eq!(marked(path), ["alice", "bob"]);
}

#[tokio::test]
async fn a_users_own_user_name_is_kept_on_its_row() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("names.db");
    let (store, t) = open_with_tenant(&path).await;
    let (alice, _) = populate(&store, &t).await;
    assert_kept_apart(&path);

    refused(&store, &t, user("ALICE")).await;
    refused(&store, &t, user("carol")).await;
    // Another type may hold the same userName.
    store
        .create(&t, resource("Group", "alice", "userName", "alice"))
        .await
        .unwrap();
    // A rename carries the mark to the new value and frees the old one.
    let alice = rename(&store, &t, &alice, "Alicia").await.unwrap();
    assert_eq!(
        marked(&path),
        ["alice", "alicia", "bob"],
        "the Group's, Alicia's, bob's"
    );
    store.create(&t, user("Alice")).await.unwrap();
    assert!(is_taken(
        &rename(&store, &t, &alice, "BOB").await.unwrap_err()
    ));
    // A deletion frees the value.
    store.delete(&t, "User", &alice.id, None).await.unwrap();
    store.create(&t, user("alicia")).await.unwrap();
    store.close().await.unwrap();
}

#[tokio::test]
async fn a_version_3_database_keeps_its_unique_user_names() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v3.db");
    let (store, t) = open_with_tenant(&path).await;
    let (_, bob) = populate(&store, &t).await;
    store.close().await.unwrap();
    drop(store);

    common::sqlite::downgrade_to_v3(&path);
    assert_eq!(
        uniques(&path),
        [
            ("serial".into(), "X1".into()),
            ("userName".into(), "alice".into()),
            ("userName".into(), "bob".into()),
            ("userName".into(), "carol".into()),
        ],
        "version 3 keeps every unique value in `uniques`"
    );

    let store = SqliteStore::open(&path).unwrap();
    assert_kept_apart(&path);
    refused(&store, &t, user("alice")).await;
    refused(&store, &t, user("CAROL")).await;
    let serial = store
        .create(&t, resource("Device", "X1", "serial", "X1"))
        .await
        .unwrap_err();
    assert!(
        matches!(serial.kind(), ErrorKind::Uniqueness { attribute } if attribute == "serial"),
        "{serial}"
    );
    assert!(is_taken(
        &rename(&store, &t, &bob, "ALICE").await.unwrap_err()
    ));
    store.create(&t, user("erin")).await.unwrap();
    store.close().await.unwrap();

    let conn = rusqlite::Connection::open(&path).unwrap();
    let version: i64 = conn
        .query_row("SELECT max(version) FROM scimhub_schema_version", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(version, 4);
}
