//! The SQLite store passes the conformance kit.
#![cfg(feature = "sqlite")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::sync::atomic::{AtomicUsize, Ordering};

use scimhub_sql::SqliteStore;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sqlite_store_conforms() {
    let dir = tempfile::tempdir().unwrap();
    let n = AtomicUsize::new(0);
    scimhub_store::testkit::run(|| {
        let path = dir.path().join(format!(
            "conformance-{}.db",
            n.fetch_add(1, Ordering::Relaxed)
        ));
        async move { SqliteStore::open(path).unwrap() }
    })
    .await;
}
