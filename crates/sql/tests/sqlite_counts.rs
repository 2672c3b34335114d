//! SQLite keeps the number of resources of each type per tenant (for
//! unfiltered totals): right after creations, deletions and a tenant's
//! removal, and filled in when an older database is migrated.
#![cfg(feature = "sqlite")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use scimhub_sql::SqliteStore;
use scimhub_store::{NewResource, NewTenant, Query, ResourceId, Store, TenantId, TokenHash};
use serde_json::json;

fn new_tenant(name: &str) -> NewTenant {
    NewTenant {
        id: TenantId::new(name).unwrap(),
        token: TokenHash([name.len() as u8; 32]),
        allowed_domains: vec![],
    }
}

async fn create(store: &SqliteStore, t: &TenantId, rt: &str, name: &str) -> ResourceId {
    let attr = if rt == "User" {
        "userName"
    } else {
        "displayName"
    };
    store
        .create(
            t,
            NewResource {
                resource_type: rt.into(),
                document: json!({ attr: name }),
                unique: vec![],
                members: vec![],
            },
        )
        .await
        .unwrap()
        .id
}

/// The total of an unfiltered page of one resource (full, so the store
/// has to count rather than read the total off the page).
async fn total(store: &SqliteStore, t: &TenantId, rt: &str) -> u64 {
    let by_page = store.list(t, &Query::all(rt, 1)).await.unwrap().total;
    let by_count = store.count(t, rt, None).await.unwrap();
    assert_eq!(by_page, by_count, "{rt}: list total and count agree");
    by_page
}

#[tokio::test]
async fn per_type_totals_follow_every_write() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("counts.db");
    let store = SqliteStore::open(&path).unwrap();
    let (a, b) = (new_tenant("a"), new_tenant("bb"));
    let (ta, tb) = (a.id.clone(), b.id.clone());
    store.create_tenant(a).await.unwrap();
    store.create_tenant(b).await.unwrap();

    let users: Vec<ResourceId> = create_users(&store, &ta, 5).await;
    create(&store, &ta, "Group", "Pro").await;
    create(&store, &tb, "User", "other").await;
    assert_eq!(total(&store, &ta, "User").await, 5);
    assert_eq!(total(&store, &ta, "Group").await, 1);
    assert_eq!(total(&store, &tb, "User").await, 1);
    assert_eq!(total(&store, &tb, "Group").await, 0);

    store.delete(&ta, "User", &users[0], None).await.unwrap();
    store.delete(&ta, "User", &users[1], None).await.unwrap();
    assert_eq!(total(&store, &ta, "User").await, 3);
    assert_eq!(
        total(&store, &tb, "User").await,
        1,
        "other tenants unchanged"
    );

    // A removed tenant's counts go with it: a new tenant of the same
    // name starts from nothing.
    store.delete_tenant(&ta).await.unwrap();
    store.create_tenant(new_tenant("a")).await.unwrap();
    assert_eq!(total(&store, &ta, "User").await, 0);
    assert_eq!(total(&store, &ta, "Group").await, 0);
    create(&store, &ta, "User", "again").await;
    assert_eq!(total(&store, &ta, "User").await, 1);
    store.close().await.unwrap();
    drop(store);

    // A database from before the counts (schema version 1) gets them
    // when opened, and the later migrations after them.
    common::sqlite::downgrade_to_v3(&path);
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "DROP TRIGGER tenants_epoch_insert; DROP TRIGGER tenants_epoch_delete; \
             DROP TRIGGER tenants_epoch_update; DROP TABLE tenant_epoch; \
             DROP TRIGGER resources_counted; DROP TRIGGER resources_uncounted; \
             DROP TABLE resource_counts; \
             DELETE FROM scimhub_schema_version WHERE version >= 2;",
        )
        .unwrap();
    }
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(total(&store, &ta, "User").await, 1);
    assert_eq!(total(&store, &tb, "User").await, 1);
    create(&store, &tb, "User", "after migration").await;
    assert_eq!(total(&store, &tb, "User").await, 2);
    store.close().await.unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    let (version, epoch): (i64, i64) = conn
        .query_row(
            "SELECT (SELECT max(version) FROM scimhub_schema_version), \
             (SELECT n FROM tenant_epoch)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((version, epoch), (4, 0), "migrated to version 4");
}

async fn create_users(store: &SqliteStore, t: &TenantId, n: usize) -> Vec<ResourceId> {
    let mut ids = Vec::new();
    for i in 0..n {
        ids.push(create(store, t, "User", &format!("user{i}")).await);
    }
    ids
}
