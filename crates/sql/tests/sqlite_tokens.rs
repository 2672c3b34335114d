//! Token lookups on SQLite are remembered per read connection, and a
//! change committed by any other connection — the server's own writer, or
//! the CLI in another process, played here by a second store on the same
//! file — takes effect on the very next lookup.
#![cfg(feature = "sqlite")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use scimhub_schema::datetime::DateTime;
use scimhub_sql::SqliteStore;
use scimhub_store::{NewTenant, Store, TenantId, TenantUpdate, TokenHash};

async fn holder(store: &SqliteStore, token: u8) -> Option<String> {
    store
        .tenant_by_token(&TokenHash([token; 32]), DateTime::now())
        .await
        .unwrap()
        .map(|t| t.id.to_string())
}

async fn create(store: &SqliteStore, tenant: &TenantId, token: u8) {
    store
        .create_tenant(NewTenant {
            id: tenant.clone(),
            token: TokenHash([token; 32]),
            allowed_domains: vec![],
        })
        .await
        .unwrap();
}

async fn rotate(store: &SqliteStore, tenant: &TenantId, token: u8) {
    store
        .update_tenant(
            tenant,
            TenantUpdate {
                token: Some((TokenHash([token; 32]), None)),
                ..TenantUpdate::default()
            },
        )
        .await
        .unwrap();
}

#[tokio::test]
async fn token_changes_from_another_connection_apply_on_the_next_lookup() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tokens.db");
    let server = SqliteStore::open(&path).unwrap();
    let tenant = TenantId::new("acme").unwrap();
    create(&server, &tenant, 1).await;
    // Warm the cache, for the token and for an unknown one.
    for _ in 0..3 {
        assert_eq!(holder(&server, 1).await.as_deref(), Some("acme"));
        assert_eq!(holder(&server, 2).await, None);
    }

    // Another process rotates the token without a grace period.
    let cli = SqliteStore::open(&path).unwrap();
    rotate(&cli, &tenant, 2).await;
    assert_eq!(
        holder(&server, 1).await,
        None,
        "the old token is refused at once"
    );
    assert_eq!(holder(&server, 2).await.as_deref(), Some("acme"));

    // ... and deletes the tenant.
    cli.delete_tenant(&tenant).await.unwrap();
    assert_eq!(
        holder(&server, 2).await,
        None,
        "a deleted tenant's token is refused at once"
    );

    // The server's own writes apply as well.
    create(&server, &tenant, 3).await;
    assert_eq!(holder(&server, 3).await.as_deref(), Some("acme"));
    rotate(&server, &tenant, 4).await;
    assert_eq!(holder(&server, 3).await, None);
    assert_eq!(holder(&server, 4).await.as_deref(), Some("acme"));
}

/// A store on a new file with the tenant `acme` (token 1), whose lookup
/// the store has answered once and so remembers.
async fn acme_with_remembered_token(path: &std::path::Path) -> SqliteStore {
    let server = SqliteStore::open(path).unwrap();
    create(&server, &TenantId::new("acme").unwrap(), 1).await;
    assert_eq!(holder(&server, 1).await.as_deref(), Some("acme"));
    server
}

#[tokio::test]
async fn token_changes_made_in_sql_apply_on_the_next_lookup() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("operator.db");
    let server = acme_with_remembered_token(&path).await;

    // An operator edits the table by hand, bypassing the store.
    let sql = rusqlite::Connection::open(&path).unwrap();
    sql.execute(
        "UPDATE tenants SET token_hash = ?1 WHERE id = 'acme'",
        [&[5u8; 32][..]],
    )
    .unwrap();
    assert_eq!(holder(&server, 1).await, None);
    assert_eq!(holder(&server, 5).await.as_deref(), Some("acme"));
    sql.execute("DELETE FROM tenants WHERE id = 'acme'", [])
        .unwrap();
    assert_eq!(holder(&server, 5).await, None);
}

#[tokio::test]
async fn a_changed_schema_empties_the_token_cache() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("schema.db");
    let server = acme_with_remembered_token(&path).await;

    // An operator renames the table away: lookups fail instead of
    // answering from what they remembered.
    let sql = rusqlite::Connection::open(&path).unwrap();
    sql.execute_batch("ALTER TABLE tenants RENAME TO tenants_away")
        .unwrap();
    let err = server
        .tenant_by_token(&TokenHash([1; 32]), DateTime::now())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("looking a token up"), "{err}");
    sql.execute_batch("ALTER TABLE tenants_away RENAME TO tenants")
        .unwrap();
    assert_eq!(holder(&server, 1).await.as_deref(), Some("acme"));
}
