//! `create_many`, the import fast path: everything or nothing, with the
//! error `create` would give.
#![cfg(any(feature = "sqlite", feature = "postgres"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use scimhub_store::{
    ErrorKind, NewResource, NewTenant, Query, Result, Store, StoredResource, TenantId, TokenHash,
    UniqueValue,
};
use serde_json::json;

fn user(name: &str) -> NewResource {
    NewResource {
        resource_type: "User".into(),
        document: json!({"userName": name}),
        unique: vec![UniqueValue::new("userName", name, false)],
        members: vec![],
    }
}

/// Runs the checks on a store through its `create_many`.
async fn check<S, F, Fut>(store: &S, create_many: F)
where
    S: Store,
    F: Fn(TenantId, Vec<NewResource>) -> Fut,
    Fut: std::future::Future<Output = Result<Vec<StoredResource>>>,
{
    let t = TenantId::new("bulk").unwrap();
    store
        .create_tenant(NewTenant {
            id: t.clone(),
            token: TokenHash([4; 32]),
            allowed_domains: vec![],
        })
        .await
        .unwrap();
    let names: Vec<String> = (0..2_500).map(|i| format!("user{i}")).collect();
    let created = create_many(t.clone(), names.iter().map(|n| user(n)).collect())
        .await
        .unwrap();
    assert_eq!(created.len(), names.len());
    let page = store.list(&t, &Query::all("User", 3_000)).await.unwrap();
    assert_eq!(page.total, 2_500);
    let listed: Vec<_> = page
        .resources
        .iter()
        .map(|r| r.document.value().unwrap()["userName"].clone())
        .collect();
    let want: Vec<_> = names.iter().map(|n| json!(n)).collect();
    assert_eq!(listed, want, "creation order is the order given");
    assert_eq!(
        store
            .get(&t, "User", &created[7].id)
            .await
            .unwrap()
            .unwrap(),
        created[7]
    );

    // A clash with a stored value, or within the batch, stores nothing;
    // also after 2,000 creations in the batch (on SQLite their undo
    // journal no longer fits in memory and goes to a temporary file).
    let large = (0..2_000)
        .map(|i| user(&format!("large{i}")))
        .chain([user("User6")])
        .collect();
    for batch in [
        vec![user("new-a"), user("USER5")],
        vec![user("new-b"), user("dup"), user("Dup")],
        large,
    ] {
        let err = create_many(t.clone(), batch).await.unwrap_err();
        assert_eq!(
            *err.kind(),
            ErrorKind::Uniqueness {
                attribute: "userName".into()
            }
        );
        assert_eq!(
            store.count(&t, "User", None).await.unwrap(),
            2_500,
            "all or nothing"
        );
    }
    // Groups with members go in the same transaction.
    let group = NewResource {
        resource_type: "Group".into(),
        document: json!({"displayName": "G"}),
        unique: vec![],
        members: vec![created[0].id.clone(), created[1].id.clone()],
    };
    let g = create_many(t.clone(), vec![user("with-group"), group])
        .await
        .unwrap();
    assert_eq!(store.member_count(&t, &g[1].id).await.unwrap(), 2);
    let err = create_many(TenantId::new("nobody").unwrap(), vec![user("x")])
        .await
        .unwrap_err();
    assert_eq!(*err.kind(), ErrorKind::NotFound);
}

#[cfg(feature = "sqlite")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_create_many() {
    let dir = tempfile::tempdir().unwrap();
    let store = scimhub_sql::SqliteStore::open(dir.path().join("bulk.db")).unwrap();
    check(&store, |t, r| {
        let s = store.clone();
        async move { s.create_many(&t, r).await }
    })
    .await;
}

#[cfg(feature = "postgres")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_create_many() {
    let Some(schemas) = common::postgres::TestSchemas::new("create_many").await else {
        return;
    };
    let store = schemas.store().await;
    check(&store, |t, r| {
        let s = store.clone();
        async move { s.create_many(&t, r).await }
    })
    .await;
    schemas.drop_all().await;
}
