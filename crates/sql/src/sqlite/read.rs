//! Reads: a small pool of connections, each used on the calling thread
//! (a point read takes microseconds and must not hop threads), and the
//! [`Reader`] the shared query code runs on.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

use async_trait::async_trait;
use parking_lot::Mutex;
use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, OptionalExtension, Row, params, params_from_iter};
use scimhub_store::{
    Document, Member, ResourceId, Result, StoredResource, Tenant, TenantId, TokenHash, Version,
};

use super::conn;
use super::error::{db, failed};
use super::tenants;
use crate::columns::{from_ns, record_columns};
use crate::listing::{KeyRow, Reader, Record};
use crate::sql::{Param, Sql};

/// How much of the database file each read connection maps.
pub(crate) const READ_MMAP_BYTES: i64 = 1 << 30;

/// Idle connections kept for reuse; more may be open while busy.
const MAX_IDLE: usize = 64;

/// Read connections to one file.
pub(crate) struct Pool {
    path: PathBuf,
    /// Whether the connections map the file (see [`Pool::unmapped`]).
    mapped: bool,
    idle: Mutex<Vec<ReadConn>>,
}

/// A read connection and what it remembers of the token lookups it made.
struct ReadConn {
    conn: Connection,
    tokens: TokenCache,
}

/// Token lookups answered on one connection, valid while no tenant
/// changed. `PRAGMA data_version` changes whenever another connection
/// (the writer, or the CLI in another process) commits anything; when it
/// has, the tenant epoch (a counter that triggers advance on every change
/// to a tenant's tokens, domains or limits, whoever makes it) and the
/// schema version (any change to the tables) tell whether the commits
/// touched a tenant. So a rotated or revoked token takes effect on the
/// next request, as without a cache, and the commits of resources leave
/// the cache as it is.
#[derive(Default)]
struct TokenCache {
    version: Option<i64>,
    epoch: Option<(i64, i64)>,
    found: HashMap<TokenHash, Vec<Tenant>>,
}

/// At most this many tokens are remembered per connection.
const MAX_CACHED_TOKENS: usize = 64;

/// A connection borrowed from the pool, returned when dropped.
pub(crate) struct Pooled {
    conn: Option<ReadConn>,
    pool: Arc<Pool>,
}

impl Pool {
    /// Connections that map the file.
    pub(crate) fn new(path: PathBuf) -> Arc<Pool> {
        Pool::with(path, true)
    }

    /// Connections that read the file with system calls, for the reads
    /// outside a session: those of requests that write (the token check,
    /// the resource a PATCH or PUT starts from, the uniqueness and
    /// membership probes). When another connection commits, SQLite
    /// empties a reader's page cache and, on a connection that maps the
    /// file, drops and remakes the whole mapping at its next read (a
    /// `munmap`, an `mmap` and a page fault per page touched). A write's
    /// reads come after every commit and touch a few pages each, which
    /// cost less read than remapped.
    pub(crate) fn unmapped(path: PathBuf) -> Arc<Pool> {
        Pool::with(path, false)
    }

    fn with(path: PathBuf, mapped: bool) -> Arc<Pool> {
        Arc::new(Pool {
            path,
            mapped,
            idle: Mutex::new(Vec::new()),
        })
    }

    /// How many connections wait in the pool.
    #[cfg(test)]
    pub(crate) fn idle(&self) -> usize {
        self.idle.lock().len()
    }

    pub(crate) fn get(self: &Arc<Self>) -> Result<Pooled> {
        let conn = match self.idle.lock().pop() {
            Some(c) => c,
            None => {
                let conn = conn::open(&self.path, false)?;
                conn.pragma_update(None, "query_only", "ON").map_err(db)?;
                // Pages outside the connection's cache are read from a
                // mapping of the file rather than copied in with one
                // system call each: in a tenant of a million users most
                // lookups miss the cache.
                if self.mapped {
                    conn.pragma_update(None, "mmap_size", READ_MMAP_BYTES)
                        .map_err(db)?;
                }
                ReadConn {
                    conn,
                    tokens: TokenCache::default(),
                }
            }
        };
        Ok(Pooled {
            conn: Some(conn),
            pool: self.clone(),
        })
    }
}

impl Pooled {
    pub(crate) fn conn(&self) -> Result<&Connection> {
        self.conn.as_ref().map(|c| &c.conn).ok_or_else(discarded)
    }

    /// The tenants whose current or previous token hashes to `token`,
    /// from this connection's cache when nothing was committed since it
    /// was filled.
    pub(crate) fn tenants_by_token(&mut self, token: &TokenHash) -> Result<Vec<Tenant>> {
        let rc = self.conn.as_mut().ok_or_else(discarded)?;
        let version: i64 = rc
            .conn
            .prepare_cached("PRAGMA data_version")
            .and_then(|mut s| s.query_row([], |r| r.get(0)))
            .map_err(failed("looking a token up"))?;
        let cache = &mut rc.tokens;
        if cache.version != Some(version) {
            // Read before the lookups it will vouch for: a lookup is never
            // older than the epoch it is filed under.
            let epoch = tenants::epoch(&rc.conn)?;
            if cache.epoch != Some(epoch) {
                cache.found.clear();
                cache.epoch = Some(epoch);
            }
            cache.version = Some(version);
        }
        if let Some(found) = cache.found.get(token) {
            return Ok(found.clone());
        }
        let found = tenants::by_token(&rc.conn, token)?;
        if cache.found.len() >= MAX_CACHED_TOKENS {
            cache.found.clear();
        }
        cache.found.insert(*token, found.clone());
        Ok(found)
    }

    /// Drops the connection instead of returning it (after a failure that
    /// may have left it inside a transaction).
    fn discard(&mut self) {
        self.conn = None;
    }
}

fn discarded() -> scimhub_store::Error {
    scimhub_store::Error::new(
        scimhub_store::ErrorKind::Unavailable,
        "the SQLite connection was discarded",
    )
}

impl Drop for Pooled {
    fn drop(&mut self) {
        if let Some(c) = self.conn.take() {
            let mut idle = self.pool.idle.lock();
            if idle.len() < MAX_IDLE {
                idle.push(c);
            }
        }
    }
}

fn params_of(sql: &Sql) -> Vec<SqlValue> {
    sql.params
        .iter()
        .map(|p| match p {
            Param::Text(s) => SqlValue::Text(s.clone()),
            Param::Int(i) => SqlValue::Integer(*i),
            Param::Real(f) => SqlValue::Real(*f),
            Param::Ints(v) => SqlValue::Text(serde_json::Value::from(v.clone()).to_string()),
        })
        .collect()
}

/// Decodes the store's own fields from columns 0..6 (`seq, id,
/// resource_type, version, created_ns, modified_ns`).
fn meta(row: &Row<'_>) -> rusqlite::Result<(i64, StoredResource)> {
    Ok((
        row.get(0)?,
        StoredResource {
            id: ResourceId::new(row.get::<_, String>(1)?),
            resource_type: row.get(2)?,
            version: Version(u64::try_from(row.get::<_, i64>(3)?).unwrap_or(0)),
            created: from_ns(row.get(4)?),
            last_modified: from_ns(row.get(5)?),
            document: Document::default(),
        },
    ))
}

fn record(row: &Row<'_>) -> rusqlite::Result<(i64, StoredResource, String)> {
    let (seq, r) = meta(row)?;
    Ok((seq, r, row.get(6)?))
}

/// A resource from [`record_columns!`] starting at column `at`.
fn record_at(row: &Row<'_>, at: usize) -> rusqlite::Result<(StoredResource, String)> {
    Ok((
        StoredResource {
            id: ResourceId::new(row.get::<_, String>(at + 1)?),
            resource_type: row.get(at + 2)?,
            version: Version(u64::try_from(row.get::<_, i64>(at + 3)?).unwrap_or(0)),
            created: from_ns(row.get(at + 4)?),
            last_modified: from_ns(row.get(at + 5)?),
            document: Document::default(),
        },
        row.get(at + 6)?,
    ))
}

fn records(conn: &Connection, sql: &str, params: impl rusqlite::Params) -> Result<Vec<Record>> {
    let rows: Vec<(i64, StoredResource, String)> = conn
        .prepare_cached(sql)
        .and_then(|mut s| s.query_map(params, record)?.collect())
        .map_err(failed("reading resources"))?;
    rows.into_iter()
        .map(|(seq, mut resource, doc)| {
            resource.document = Document::from_json(doc);
            Ok(Record { seq, resource })
        })
        .collect()
}

/// A resource by type and id.
pub(crate) fn get(
    conn: &Connection,
    t: &TenantId,
    rt: &str,
    id: &ResourceId,
) -> Result<Option<StoredResource>> {
    const SQL: &str = concat!(
        "SELECT ",
        record_columns!(),
        " FROM resources r WHERE r.tenant = ?1 AND r.id = ?2 AND r.resource_type = ?3"
    );
    Ok(records(conn, SQL, params![t.as_str(), id.as_str(), rt])?
        .pop()
        .map(|r| r.resource))
}

/// A page of a group's members, by member id.
pub(crate) fn members(
    conn: &Connection,
    t: &TenantId,
    group: &ResourceId,
    after: Option<&ResourceId>,
    limit: usize,
) -> Result<Vec<Member>> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let map = |r: &Row<'_>| {
        Ok(Member {
            id: ResourceId::new(r.get::<_, String>(0)?),
            resource_type: r.get(1)?,
        })
    };
    let rows: rusqlite::Result<Vec<Member>> = match after {
        Some(a) => conn
            .prepare_cached(
                "SELECT member_id, member_type FROM memberships WHERE tenant = ?1 AND group_id = ?2 \
                 AND member_id > ?3 ORDER BY member_id LIMIT (?4 + 0)",
            )
            .and_then(|mut s| s.query_map(params![t.as_str(), group.as_str(), a.as_str(), limit], map)?.collect()),
        None => conn
            .prepare_cached(
                "SELECT member_id, member_type FROM memberships WHERE tenant = ?1 AND group_id = ?2 \
                 ORDER BY member_id LIMIT (?3 + 0)",
            )
            .and_then(|mut s| s.query_map(params![t.as_str(), group.as_str(), limit], map)?.collect()),
    };
    rows.map_err(failed("reading members"))
}

/// The number of members of a group, kept on the group's row.
pub(crate) fn member_count(
    conn: &Connection,
    t: &TenantId,
    group: &ResourceId,
) -> Result<Option<u64>> {
    conn.prepare_cached("SELECT member_count FROM resources WHERE tenant = ?1 AND id = ?2")
        .and_then(|mut s| {
            s.query_row([t.as_str(), group.as_str()], |r| r.get::<_, i64>(0))
                .optional()
        })
        .map(|n| n.map(|n| u64::try_from(n).unwrap_or(0)))
        .map_err(failed("counting members"))
}

/// The groups a resource is a direct member of, by group id.
pub(crate) fn groups_of(
    conn: &Connection,
    t: &TenantId,
    member: &ResourceId,
) -> Result<Vec<StoredResource>> {
    const SQL: &str = concat!(
        "SELECT ",
        record_columns!(),
        " FROM memberships m JOIN resources r ON r.tenant = m.tenant AND r.id = m.group_id \
         WHERE m.tenant = ?1 AND m.member_id = ?2 ORDER BY m.group_id"
    );
    Ok(records(conn, SQL, params![t.as_str(), member.as_str()])?
        .into_iter()
        .map(|r| r.resource)
        .collect())
}

/// Which of `candidates` are direct members of `group`, in one statement:
/// a primary-key probe per candidate.
pub(crate) fn members_among(
    conn: &Connection,
    t: &TenantId,
    group: &ResourceId,
    candidates: &[ResourceId],
) -> Result<HashSet<ResourceId>> {
    const DOING: &str = "checking members";
    let ids = json_ids(candidates);
    let mut stmt = conn
        .prepare_cached(
            "SELECT c.value FROM json_each(?3) c WHERE EXISTS (SELECT 1 FROM memberships m \
             WHERE m.tenant = ?1 AND m.group_id = ?2 AND m.member_id = c.value)",
        )
        .map_err(failed(DOING))?;
    let rows: rusqlite::Result<HashSet<ResourceId>> = stmt
        .query_map(params![t.as_str(), group.as_str(), ids], |r| {
            r.get::<_, String>(0).map(ResourceId::new)
        })
        .and_then(Iterator::collect);
    rows.map_err(failed(DOING))
}

/// A resource and the groups it is a direct member of, in one statement
/// (one read transaction).
pub(crate) fn get_with_groups(
    conn: &Connection,
    t: &TenantId,
    rt: &str,
    id: &ResourceId,
) -> Result<Option<(StoredResource, Vec<StoredResource>)>> {
    // No ORDER BY: on a compound statement it costs a sorter per call.
    // The first column tells the parts apart and the groups are sorted
    // below.
    const SQL: &str = concat!(
        "SELECT 0, ",
        record_columns!(),
        " FROM resources r WHERE r.tenant = ?1 AND r.id = ?2 AND r.resource_type = ?3 \
         UNION ALL SELECT 1, ",
        record_columns!(),
        " FROM memberships m JOIN resources r ON r.tenant = m.tenant AND r.id = m.group_id \
         WHERE m.tenant = ?1 AND m.member_id = ?2"
    );
    const DOING: &str = "reading a resource and its groups";
    let mut stmt = conn.prepare_cached(SQL).map_err(failed(DOING))?;
    let mut rows = stmt
        .query(params![t.as_str(), id.as_str(), rt])
        .map_err(failed(DOING))?;
    let mut found = None;
    let mut groups = Vec::new();
    while let Some(row) = rows.next().map_err(failed(DOING))? {
        let part: i64 = row.get(0).map_err(failed(DOING))?;
        let (mut resource, doc) = record_at(row, 1).map_err(failed(DOING))?;
        resource.document = Document::from_json(doc);
        if part == 0 {
            found = Some(resource);
        } else {
            groups.push(resource);
        }
    }
    groups.sort_unstable_by(|a, b| a.id.as_str().cmp(b.id.as_str()));
    Ok(found.map(|r| (r, groups)))
}

/// The groups of several members in one statement, keyed by member id.
pub(crate) fn groups_of_many(
    conn: &Connection,
    t: &TenantId,
    members: &[ResourceId],
) -> Result<HashMap<ResourceId, Vec<StoredResource>>> {
    if let [member] = members {
        // One member (a filter matching one user): the indexed lookup.
        let groups = groups_of(conn, t, member)?;
        return Ok(if groups.is_empty() {
            HashMap::new()
        } else {
            HashMap::from([(member.clone(), groups)])
        });
    }
    let ids = json_ids(members);
    const SQL: &str = concat!(
        "SELECT m.member_id, ",
        record_columns!(),
        " FROM memberships m JOIN resources r ON r.tenant = m.tenant AND r.id = m.group_id \
         WHERE m.tenant = ?1 AND m.member_id IN (SELECT value FROM json_each(?2)) ORDER BY m.member_id, m.group_id"
    );
    let mut out: HashMap<ResourceId, Vec<StoredResource>> = HashMap::new();
    let mut stmt = conn.prepare_cached(SQL).map_err(failed("reading groups"))?;
    let mut rows = stmt
        .query(params![t.as_str(), ids])
        .map_err(failed("reading groups"))?;
    while let Some(row) = rows.next().map_err(failed("reading groups"))? {
        let member: String = row.get(0).map_err(failed("reading groups"))?;
        let (mut resource, doc) = record_at(row, 1).map_err(failed("reading groups"))?;
        resource.document = Document::from_json(doc);
        out.entry(ResourceId::new(member))
            .or_default()
            .push(resource);
    }
    Ok(out)
}

/// Begins a (deferred) read transaction: the first statement after it
/// takes the snapshot.
fn begin(conn: &Pooled) -> Result<()> {
    conn.conn()?
        .prepare_cached("BEGIN")
        .and_then(|mut s| s.execute([]))
        .map_err(db)?;
    Ok(())
}

/// Ends a read transaction and returns the connection to the pool, or
/// drops it if the transaction would not end.
fn commit(mut conn: Pooled) {
    let ok = conn.conn().is_ok_and(|c| {
        c.prepare_cached("COMMIT")
            .and_then(|mut s| s.execute([]))
            .is_ok()
    });
    if !ok {
        conn.discard();
    }
}

/// The read transaction of a session ([`scimhub_store::Store::session`]):
/// a connection kept inside one transaction from the session's first
/// read until a write through the session or the session's end.
pub(crate) struct Session {
    pool: Arc<Pool>,
    /// The connection, inside its open transaction, between reads.
    open: Mutex<Option<Pooled>>,
}

impl Session {
    pub(crate) fn new(pool: Arc<Pool>) -> Session {
        Session {
            pool,
            open: Mutex::new(None),
        }
    }

    /// The connection inside the session's transaction, begun if none
    /// is open; hand it back with [`Session::keep`] to go on using the
    /// snapshot.
    pub(crate) fn take(&self) -> Result<Pooled> {
        if let Some(conn) = self.open.lock().take() {
            return Ok(conn);
        }
        let conn = self.pool.get()?;
        begin(&conn)?;
        Ok(conn)
    }

    /// Keeps the connection for the session's next read, or, after a
    /// failure (which may have ended the transaction), ends it.
    pub(crate) fn keep(&self, conn: Pooled, ok: bool) {
        if !ok {
            commit(conn);
            return;
        }
        let previous = self.open.lock().replace(conn);
        // Two reads of one session overlapped; the other's snapshot ends.
        if let Some(other) = previous {
            commit(other);
        }
    }

    /// Runs `f` inside the session's transaction.
    pub(crate) fn read<T>(&self, f: impl FnOnce(&mut Pooled) -> Result<T>) -> Result<T> {
        let mut conn = self.take()?;
        let out = f(&mut conn);
        self.keep(conn, out.is_ok());
        out
    }

    /// Ends the snapshot, if one is open.
    pub(crate) fn end(&self) {
        let open = self.open.lock().take();
        if let Some(conn) = open {
            commit(conn);
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        self.end();
    }
}

/// The shared query code's access to SQLite, inside one read transaction
/// so that counts and pages agree.
pub(crate) struct SqliteReader<'s> {
    conn: Pooled,
    /// The session whose transaction the reader runs in; `None` when the
    /// reader began the transaction (and ends it).
    session: Option<&'s Session>,
}

impl<'s> SqliteReader<'s> {
    /// A reader in a transaction of its own.
    pub(crate) fn begin(conn: Pooled) -> Result<SqliteReader<'s>> {
        begin(&conn)?;
        Ok(SqliteReader {
            conn,
            session: None,
        })
    }

    /// A reader inside a session's transaction.
    pub(crate) fn within(session: &'s Session) -> Result<SqliteReader<'s>> {
        Ok(SqliteReader {
            conn: session.take()?,
            session: Some(session),
        })
    }

    /// Ends the reader's transaction, or hands the connection back to the
    /// session it came from (which ends it after a failure).
    pub(crate) fn finish(self, ok: bool) {
        match self.session {
            Some(s) => s.keep(self.conn, ok),
            None => commit(self.conn),
        }
    }
}

#[async_trait]
impl Reader for SqliteReader<'_> {
    async fn records(&mut self, sql: &Sql) -> Result<Vec<Record>> {
        records(
            self.conn.conn()?,
            &sql.text,
            params_from_iter(params_of(sql)),
        )
    }

    async fn key_rows(&mut self, sql: &Sql) -> Result<Vec<KeyRow>> {
        let rows: Vec<(i64, StoredResource, Option<String>)> = self
            .conn
            .conn()?
            .prepare_cached(&sql.text)
            .and_then(|mut s| {
                s.query_map(params_from_iter(params_of(sql)), |r| {
                    let (seq, m) = meta(r)?;
                    Ok((seq, m, r.get(6)?))
                })?
                .collect()
            })
            .map_err(failed("sorting resources"))?;
        rows.into_iter()
            .map(|(seq, meta, f)| {
                Ok(KeyRow {
                    seq,
                    meta,
                    fragment: f.map(|f| Document::from_json(f).into_value()).transpose()?,
                })
            })
            .collect()
    }

    async fn number(&mut self, sql: &Sql) -> Result<i64> {
        self.conn
            .conn()?
            .prepare_cached(&sql.text)
            .and_then(|mut s| s.query_row(params_from_iter(params_of(sql)), |r| r.get(0)))
            .map_err(failed("counting resources"))
    }

    async fn tenant_exists(&mut self, tenant: &TenantId) -> Result<bool> {
        tenants::exists(self.conn.conn()?, tenant)
    }

    async fn groups_of(
        &mut self,
        tenant: &TenantId,
        member: &ResourceId,
    ) -> Result<Vec<StoredResource>> {
        groups_of(self.conn.conn()?, tenant, member)
    }

    async fn groups_of_many(
        &mut self,
        tenant: &TenantId,
        members: &[ResourceId],
    ) -> Result<HashMap<ResourceId, Vec<StoredResource>>> {
        groups_of_many(self.conn.conn()?, tenant, members)
    }
}

/// Ids as one JSON array text, for `json_each(?)`: a list bound as a
/// single parameter.
fn json_ids(ids: &[ResourceId]) -> String {
    serde_json::Value::Array(
        ids.iter()
            .map(|m| serde_json::Value::String(m.to_string()))
            .collect(),
    )
    .to_string()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use scimhub_schema::datetime::DateTime;
    use scimhub_store::{NewResource, Store, TenantUpdate, UniqueValue};

    use super::*;
    use crate::SqliteStore;
    use crate::sqlite::checkpoint::Policy;
    use crate::sqlite::tests::open_with_tenant;

    /// Which tokens a read connection has remembered.
    fn remembered(conn: &Pooled) -> usize {
        conn.conn.as_ref().map_or(0, |c| c.tokens.found.len())
    }

    #[tokio::test]
    async fn token_lookups_survive_commits_that_change_no_tenant() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("epoch.db");
        let (store, t) = open_with_tenant(&path, Policy::DEFAULT).await;
        let pool = Pool::new(path);
        let mut conn = pool.get().unwrap();
        let epoch = |c: &Pooled| tenants::epoch(c.conn().unwrap()).unwrap().0;
        assert_eq!(conn.tenants_by_token(&TokenHash([1; 32])).unwrap().len(), 1);
        assert_eq!(remembered(&conn), 1);
        let before = epoch(&conn);

        // A resource, and the record of a request: no tenant changed.
        store
            .create(
                &t,
                NewResource {
                    resource_type: "User".into(),
                    document: serde_json::json!({"userName": "bjensen"}),
                    unique: vec![UniqueValue::new("userName", "bjensen", false)],
                    members: vec![],
                },
            )
            .await
            .unwrap();
        store.record_request(&t, DateTime::now()).await.unwrap();
        store.close().await.unwrap();
        let store = SqliteStore::open(conn.pool.path.clone()).unwrap();
        assert_eq!(epoch(&conn), before);
        assert_eq!(conn.tenants_by_token(&TokenHash([1; 32])).unwrap().len(), 1);
        assert_eq!(remembered(&conn), 1, "the lookup is still remembered");

        // A tenant's change empties the cache.
        store
            .update_tenant(
                &t,
                TenantUpdate {
                    allowed_domains: Some(vec!["example.com".into()]),
                    ..TenantUpdate::default()
                },
            )
            .await
            .unwrap();
        assert!(epoch(&conn) > before);
        assert_eq!(conn.tenants_by_token(&TokenHash([2; 32])).unwrap().len(), 0);
        assert_eq!(remembered(&conn), 1, "only the new lookup is remembered");
        let found = conn.tenants_by_token(&TokenHash([1; 32])).unwrap();
        assert_eq!(found[0].allowed_domains, vec!["example.com".to_owned()]);
    }
}
