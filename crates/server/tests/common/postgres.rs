//! A fresh PostgreSQL schema per test, for servers started with a URL
//! whose `options` set the `search_path`.

use std::time::Duration;

/// The variable naming the test database.
pub const VAR: &str = "SCIMHUB_TEST_POSTGRES_URL";

/// A schema created for one test, dropped with everything in it when
/// this value is dropped.
pub struct PgSchema {
    base: String,
    pub name: String,
}

impl PgSchema {
    /// `None`, after a loud "SKIPPED" line on standard error, when the
    /// variable is unset.
    pub fn new(test: &str) -> Option<PgSchema> {
        let Ok(base) = std::env::var(VAR) else {
            use std::io::Write;
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED: {VAR} is not set; the PostgreSQL test '{test}' did not run"
            );
            return None;
        };
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let schema = PgSchema {
            base,
            name: format!("scimhub_server_{test}_{}_{nanos}", std::process::id()),
        };
        schema.execute(&format!("CREATE SCHEMA {}", schema.name));
        Some(schema)
    }

    /// The database URL whose connections use only this schema.
    pub fn url(&self) -> String {
        let sep = if self.base.contains('?') { '&' } else { '?' };
        format!("{}{sep}options=-c%20search_path%3D{}", self.base, self.name)
    }

    /// Runs statements on a connection of its own (search_path set to the
    /// schema); returns the rows of the last one, each column as text.
    pub fn query(&self, sql: &str) -> Vec<Vec<Option<String>>> {
        let url = self.url();
        let sql = sql.to_owned();
        run(async move {
            let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
                .await
                .unwrap();
            let task = tokio::spawn(conn);
            let mut rows = Vec::new();
            for m in client.simple_query(&sql).await.unwrap() {
                if let tokio_postgres::SimpleQueryMessage::Row(r) = m {
                    rows.push((0..r.len()).map(|i| r.get(i).map(str::to_owned)).collect());
                }
            }
            drop(client);
            let _ = task.await;
            rows
        })
    }

    /// Runs statements, ignoring their rows.
    pub fn execute(&self, sql: &str) {
        if let Err(e) = self.try_execute(sql) {
            panic!("{sql}: {e}");
        }
    }

    fn try_execute(&self, sql: &str) -> Result<(), tokio_postgres::Error> {
        let base = self.base.clone();
        let sql = sql.to_owned();
        run(async move {
            let (client, conn) = tokio_postgres::connect(&base, tokio_postgres::NoTls).await?;
            let task = tokio::spawn(conn);
            let done = client.batch_execute(&sql).await;
            drop(client);
            let _ = task.await;
            done
        })
    }

    /// The tables in this schema.
    pub fn tables(&self) -> Vec<String> {
        self.query(&format!(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = '{}' ORDER BY 1",
            self.name
        ))
        .into_iter()
        .filter_map(|mut r| r.remove(0))
        .collect()
    }
}

impl Drop for PgSchema {
    fn drop(&mut self) {
        // Servers may still hold connections for a moment after they
        // were killed; DROP SCHEMA waits for their locks.
        std::thread::sleep(Duration::from_millis(100));
        // No panic here: this may run while a failed test unwinds.
        if let Err(e) = self.try_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.name)) {
            eprintln!("could not drop the test schema {}: {e}", self.name);
        }
    }
}

fn run<T>(f: impl std::future::Future<Output = T>) -> T {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}
