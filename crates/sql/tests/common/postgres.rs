//! Fresh PostgreSQL schemas for tests, from `SCIMHUB_TEST_POSTGRES_URL`.

use std::sync::atomic::{AtomicUsize, Ordering};

use parking_lot::Mutex;
use scimhub_sql::PostgresStore;

/// The variable naming the test database.
pub const VAR: &str = "SCIMHUB_TEST_POSTGRES_URL";

/// Schemas created by one test, dropped by [`TestSchemas::drop_all`].
pub struct TestSchemas {
    url: String,
    prefix: String,
    next: AtomicUsize,
    created: Mutex<Vec<String>>,
}

impl TestSchemas {
    /// `None` (after a loud message) when the variable is unset.
    pub async fn new(test: &str) -> Option<TestSchemas> {
        let Ok(url) = std::env::var(VAR) else {
            // Straight to the stream, past the test harness's capture, so
            // the skip shows even when the test passes.
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED: {VAR} is not set; the PostgreSQL test '{test}' did not run"
            );
            return None;
        };
        let unique = format!(
            "{}_{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.subsec_nanos())
                .unwrap_or(0)
        );
        Some(TestSchemas {
            url,
            prefix: format!("scimhub_test_{test}_{unique}"),
            next: AtomicUsize::new(0),
            created: Mutex::new(Vec::new()),
        })
    }

    /// The database URL.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// A store in a new, empty schema.
    pub fn store(&self) -> impl std::future::Future<Output = PostgresStore> + use<> {
        let schema = format!(
            "{}_{}",
            self.prefix,
            self.next.fetch_add(1, Ordering::Relaxed)
        );
        self.created.lock().push(schema.clone());
        let url = self.url.clone();
        async move {
            PostgresStore::connect_to_schema(&url, &schema)
                .await
                .unwrap_or_else(|e| panic!("connect to {url} in schema {schema}: {e}"))
        }
    }

    /// Drops every schema this value created.
    pub async fn drop_all(&self) {
        let schemas = std::mem::take(&mut *self.created.lock());
        drop_schemas(&self.url, schemas).await;
    }
}

async fn drop_schemas(url: &str, schemas: Vec<String>) {
    if schemas.is_empty() {
        return;
    }
    let (client, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .expect("connect to drop test schemas");
    let task = tokio::spawn(conn);
    for s in schemas {
        client
            .batch_execute(&format!("DROP SCHEMA IF EXISTS {s} CASCADE"))
            .await
            .expect("drop a test schema");
    }
    drop(client);
    let _ = task.await;
}

impl Drop for TestSchemas {
    /// Drops what a failing test left, so reruns start clean.
    fn drop(&mut self) {
        let schemas = std::mem::take(&mut *self.created.lock());
        if schemas.is_empty() {
            return;
        }
        let url = self.url.clone();
        // A thread of its own: this may run inside the test's runtime.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime to drop test schemas");
            rt.block_on(drop_schemas(&url, schemas));
        })
        .join();
    }
}
