//! Opening connections: PRAGMAs, the SQL functions Scimhub registers, and
//! migrations.

use std::path::Path;

use rusqlite::functions::{Context, FunctionFlags};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};
use scimhub_schema::datetime::DateTime;
use scimhub_store::{Error, ErrorKind, Result};
use serde_json::Value;

use super::error::failed;
use crate::migrate::{SQLITE, VERSION_TABLE, pending};

/// How long a connection waits for another process's lock.
const BUSY_TIMEOUT_MS: u32 = 5_000;

/// Opens a connection to the file at `path`, creating it if `create`.
pub(crate) fn open(path: &Path, create: bool) -> Result<Connection> {
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let conn = Connection::open_with_flags(path, flags).map_err(|e| {
        Error::unavailable(
            // For the operator starting the server: say why.
            format!("cannot open the SQLite database '{}': {e}", path.display()),
            e,
        )
    })?;
    configure(&conn).map_err(failed("configuring a connection"))?;
    register_functions(&conn).map_err(failed("registering functions"))?;
    conn.set_prepared_statement_cache_capacity(256);
    Ok(conn)
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_millis(u64::from(BUSY_TIMEOUT_MS)))?;
    // WAL is a property of the file; setting it on every connection is a
    // no-op after the first. NORMAL synchronisation in WAL mode loses no
    // committed transaction when the process dies, only (at worst) the
    // last ones when the machine loses power.
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // 32 MiB of page cache per connection (negative: KiB).
    conn.pragma_update(None, "cache_size", -32_768)?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    // For commits by other connections (the CLI's): checkpoint every
    // 8,000 WAL pages (32 MiB) rather than 1,000, so that fewer, larger
    // checkpoints copy each hot page once instead of many times (a
    // quarter of a bulk load's time went to checkpoints at the default).
    // The store's writer replaces this with a checkpoint thread of its
    // own (see `checkpoint`).
    conn.pragma_update(None, "wal_autocheckpoint", 8_000)?;
    Ok(())
}

/// Settings of the writer's connection, after [`open`]'s: its
/// statement journal in temporary files rather than in memory.
///
/// Each write command runs in a savepoint, and each of its statements
/// that may fail halfway in one too, so every page a command changes is
/// first copied into the statement journal. With `temp_store=MEMORY`
/// SQLite keeps that journal in chunks of 1 KiB, each allocated and
/// freed, which cost a fifth of the writer's instructions per creation;
/// with temporary files it keeps the first 64 KiB in one buffer and
/// spills only a larger journal (a command changing more than sixteen
/// pages) to an unlinked file in the temporary directory.
pub(crate) fn for_writing(conn: &Connection) -> Result<()> {
    conn.pragma_update(None, "temp_store", "FILE")
        .map_err(failed("configuring the writer's connection"))
}

/// Applies pending migrations under the version table, in one
/// transaction that holds the write lock, so concurrent openers apply
/// each migration once.
pub(crate) fn migrate(conn: &Connection) -> Result<()> {
    let run = || -> rusqlite::Result<std::result::Result<(), i64>> {
        conn.execute_batch("BEGIN IMMEDIATE")?;
        conn.execute_batch(&format!(
            "CREATE TABLE IF NOT EXISTS {VERSION_TABLE} (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_ns INTEGER NOT NULL)"
        ))?;
        let current: i64 = conn.query_row(
            &format!("SELECT coalesce(max(version), 0) FROM {VERSION_TABLE}"),
            [],
            |r| r.get(0),
        )?;
        let known = SQLITE.last().map_or(0, |m| m.version);
        if current > known {
            conn.execute_batch("ROLLBACK")?;
            return Ok(Err(current));
        }
        for m in pending(SQLITE, current) {
            conn.execute_batch(m.sql)?;
            conn.execute(
                &format!(
                    "INSERT INTO {VERSION_TABLE} (version, name, applied_ns) VALUES (?1, ?2, ?3)"
                ),
                rusqlite::params![m.version, m.name, crate::columns::to_ns(DateTime::now())],
            )?;
        }
        conn.execute_batch("COMMIT")?;
        Ok(Ok(()))
    };
    match run() {
        Ok(Ok(())) => Ok(()),
        Ok(Err(found)) => Err(Error::new(
            ErrorKind::Unavailable,
            format!(
                "the SQLite database is at schema version {found}, newer than this scimhub understands; upgrade scimhub"
            ),
        )),
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(failed("applying migrations")(e))
        }
    }
}

fn text<'a>(ctx: &'a Context<'_>, i: usize) -> Option<&'a str> {
    match ctx.get_raw(i) {
        ValueRef::Text(t) => std::str::from_utf8(t).ok(),
        _ => None,
    }
}

/// Registers the deterministic functions the translator uses, each the
/// Rust code the evaluator runs, so SQLite answers bit for bit as it
/// does.
fn register_functions(conn: &Connection) -> rusqlite::Result<()> {
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    conn.create_scalar_function("scim_fold", 1, flags, |ctx| {
        Ok(text(ctx, 0).map(str::to_lowercase))
    })?;
    conn.create_scalar_function("scim_contains", 2, flags, |ctx| {
        Ok(text(ctx, 0).zip(text(ctx, 1)).map(|(h, w)| h.contains(w)))
    })?;
    conn.create_scalar_function("scim_starts_with", 2, flags, |ctx| {
        Ok(text(ctx, 0)
            .zip(text(ctx, 1))
            .map(|(h, w)| h.starts_with(w)))
    })?;
    conn.create_scalar_function("scim_ends_with", 2, flags, |ctx| {
        Ok(text(ctx, 0).zip(text(ctx, 1)).map(|(h, w)| h.ends_with(w)))
    })?;
    conn.create_scalar_function("scim_datetime_cmp", 3, flags, |ctx| {
        let Some(have) = text(ctx, 0).and_then(|s| DateTime::parse(s).ok()) else {
            return Ok(None);
        };
        let secs: i64 = ctx.get(1)?;
        let nanos: i64 = ctx.get(2)?;
        let want = DateTime::from_unix(secs, u32::try_from(nanos).unwrap_or(0));
        Ok(Some(have.cmp(&want) as i64))
    })?;
    conn.create_scalar_function("scim_present", 1, flags, |ctx| {
        Ok(text(ctx, 0)
            .and_then(|s| serde_json::from_str::<Value>(s).ok())
            .is_some_and(|v| is_present(&v)))
    })?;
    Ok(())
}

/// RFC 7644 `pr`, as the evaluator defines it.
fn is_present(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => a.iter().any(is_present),
        Value::Object(o) => o.values().any(is_present),
        _ => true,
    }
}
