//! The in-memory store passes the conformance kit.

use scimhub_store::MemoryStore;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn memory_store_conforms() {
    scimhub_store::testkit::run(|| async { MemoryStore::new() }).await;
}
