//! Opening a store from a URL, as the server's `--database` flag gives
//! it.

use std::sync::Arc;

use scimhub_store::{Error, ErrorKind, MemoryStore, Result, Store};

/// Opens the store a URL names:
///
/// - `sqlite://PATH` (or `sqlite:PATH`): a SQLite file, created if
///   missing; `sqlite:///abs/path` and `sqlite://rel/path` both work
///   (feature `sqlite`);
/// - `postgres://…` or `postgresql://…`: a PostgreSQL database, in the
///   libpq URL form (feature `postgres`);
/// - `memory://`: the in-memory store, for tests and demos.
///
/// Pending migrations are applied before it returns. Errors say what is
/// wrong with the URL or which database could not be reached.
pub async fn open(url: &str) -> Result<Arc<dyn Store>> {
    match scheme(url) {
        Some(("memory", _)) => Ok(Arc::new(MemoryStore::new())),
        Some(("sqlite", rest)) => open_sqlite(rest),
        Some(("postgres" | "postgresql", _)) => open_postgres(url).await,
        Some((other, _)) => Err(bad_url(format!(
            "unsupported database URL scheme '{other}:' in '{}'; use sqlite://PATH, postgres://… or memory://",
            redact(url)
        ))),
        None => Err(bad_url(format!(
            "'{}' is not a database URL; use sqlite://PATH, postgres://… or memory://",
            redact(url)
        ))),
    }
}

fn bad_url(detail: String) -> Error {
    Error::new(ErrorKind::InvalidQuery, detail)
}

/// The scheme and what follows `scheme:` (and `//`, when present).
fn scheme(url: &str) -> Option<(&str, &str)> {
    let (scheme, rest) = url.split_once(':')?;
    if scheme.is_empty()
        || !scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+')
    {
        return None;
    }
    Some((scheme, rest.strip_prefix("//").unwrap_or(rest)))
}

/// The URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(start), Some(at)) if at > start => {
            let creds = &url[start + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..start + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(feature = "sqlite")]
fn open_sqlite(path: &str) -> Result<Arc<dyn Store>> {
    if path.is_empty() {
        return Err(bad_url(
            "'sqlite://' needs a file path, as in sqlite://scimhub.db".into(),
        ));
    }
    if path.starts_with(":memory:") || path.contains("mode=memory") {
        // Each connection would get its own empty database.
        return Err(bad_url(
            "an in-memory SQLite database cannot be shared by the store's connections; use memory:// for an in-memory store".into(),
        ));
    }
    Ok(Arc::new(crate::SqliteStore::open(path)?))
}

#[cfg(not(feature = "sqlite"))]
fn open_sqlite(_: &str) -> Result<Arc<dyn Store>> {
    Err(bad_url(
        "this build has no SQLite support; rebuild scimhub-sql with the 'sqlite' feature".into(),
    ))
}

#[cfg(feature = "postgres")]
async fn open_postgres(url: &str) -> Result<Arc<dyn Store>> {
    Ok(Arc::new(crate::PostgresStore::connect(url).await?))
}

#[cfg(not(feature = "postgres"))]
async fn open_postgres(_: &str) -> Result<Arc<dyn Store>> {
    Err(bad_url(
        "this build has no PostgreSQL support; rebuild scimhub-sql with the 'postgres' feature"
            .into(),
    ))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn splits_schemes() {
        assert_eq!(scheme("sqlite://a/b.db"), Some(("sqlite", "a/b.db")));
        assert_eq!(scheme("sqlite:///abs.db"), Some(("sqlite", "/abs.db")));
        assert_eq!(scheme("sqlite:x.db"), Some(("sqlite", "x.db")));
        assert_eq!(scheme("memory://"), Some(("memory", "")));
        assert_eq!(scheme("/just/a/path"), None);
    }

    #[test]
    fn redacts_passwords() {
        assert_eq!(redact("postgres://u:secret@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
    }

    #[tokio::test]
    async fn refuses_unknown_schemes_by_name() {
        let e = open("mysql://x").await.err().unwrap();
        assert!(e.to_string().contains("'mysql:'"), "{e}");
        let e = open("nonsense").await.err().unwrap();
        assert!(e.to_string().contains("not a database URL"), "{e}");
        assert!(open("memory://").await.is_ok());
    }

    #[cfg(feature = "sqlite")]
    #[tokio::test]
    async fn opens_sqlite_files_and_names_bad_ones() {
        let e = open("sqlite::memory:").await.err().unwrap();
        assert!(e.to_string().contains("memory://"), "{e}");
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("u.db").display());
        let store = open(&url).await.unwrap();
        store.ping().await.unwrap();
        store.close().await.unwrap();
        let e = open("sqlite:///no/such/dir/x.db").await.err().unwrap();
        assert!(e.to_string().contains("/no/such/dir/x.db"), "{e}");
    }
}
