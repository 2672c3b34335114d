//! Opening the store a URL names.

use std::sync::Arc;

use scimhub_store::Store;

/// Opens `sqlite://PATH` (the embedded default), `postgres://…` or
/// `memory://` (in-memory, for tests and demos), applying pending
/// migrations. The error names what is wrong for an operator.
pub async fn open(url: &str) -> Result<Arc<dyn Store>, String> {
    scimhub_sql::open(url).await.map_err(|e| e.to_string())
}
