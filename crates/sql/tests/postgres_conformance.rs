//! The PostgreSQL store passes the conformance kit, each check in a
//! fresh schema of the database `SCIMHUB_TEST_POSTGRES_URL` names.
#![cfg(feature = "postgres")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::postgres::TestSchemas;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_store_conforms() {
    let Some(schemas) = TestSchemas::new("conformance").await else {
        return;
    };
    scimhub_store::testkit::run(|| schemas.store()).await;
    schemas.drop_all().await;
}

/// A database that cannot be reached is named in the error, for the
/// operator, without the password.
#[tokio::test]
async fn unreachable_database_is_named() {
    let e = scimhub_sql::open("postgres://scim:secret@127.0.0.1:9/nowhere")
        .await
        .err()
        .unwrap();
    let text = e.to_string();
    assert!(
        text.contains("127.0.0.1:9") && text.contains("nowhere") && text.contains("scim"),
        "{text}"
    );
    assert!(!text.contains("secret"), "{text}");
}
