//! The SQLite backend: one file in WAL mode, reads on a pool of
//! connections used on the calling thread, writes on one thread that
//! commits them in groups.

mod checkpoint;
mod conn;
mod error;
mod read;
mod tenants;
mod threads;
mod write;
mod writer;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;
use scimhub_schema::datetime::DateTime;
use scimhub_store::{
    Error, Expr, Member, NewResource, NewTenant, Page, Query, ResourceId, Result, Store,
    StoredResource, Tenant, TenantId, TenantUpdate, TokenHash, Update, Version,
};

use self::read::{Pool, Session, SqliteReader};
use self::write::DocText;
use self::writer::Writer;
use crate::listing;
use crate::sql::Dialect;
use crate::stats::RequestClock;

/// A [`Store`] in one SQLite file.
///
/// Cheap to clone: clones share the connections, the writer thread and
/// the thread that checkpoints the write-ahead log (both stop when the
/// last clone is dropped or the store is closed). Other processes may
/// open the same file at the same time (the `scimhub` CLI does, while a
/// server runs).
#[derive(Clone)]
pub struct SqliteStore {
    inner: Arc<Inner>,
    /// On a session's handle ([`Store::session`]), the read transaction
    /// its reads share.
    session: Option<Arc<Session>>,
}

struct Inner {
    path: PathBuf,
    /// For sessions: connections that map the file.
    pool: Arc<Pool>,
    /// For reads outside a session (the requests that write): connections
    /// that do not (see [`Pool::unmapped`]).
    unmapped: Arc<Pool>,
    writer: Writer,
    clock: RequestClock,
}

impl Drop for Inner {
    fn drop(&mut self) {
        let seen = self.clock.drain();
        if !seen.is_empty() {
            self.writer
                .spawn(move |c| tenants::record_requests(c, &seen));
        }
        // The writer, dropped next, finishes what is queued.
    }
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore")
            .field("path", &self.inner.path)
            .finish_non_exhaustive()
    }
}

impl SqliteStore {
    /// Opens (creating if needed) the database file at `path` and brings
    /// its schema up to date.
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteStore> {
        SqliteStore::open_with(path.as_ref(), checkpoint::Policy::DEFAULT)
    }

    /// [`SqliteStore::open`] with a checkpoint policy of its own.
    fn open_with(path: &Path, policy: checkpoint::Policy) -> Result<SqliteStore> {
        let path = path.to_path_buf();
        let conn = conn::open(&path, true)?;
        conn::migrate(&conn)?;
        let writer = Writer::start(conn, &path, policy)?;
        Ok(SqliteStore {
            inner: Arc::new(Inner {
                pool: Pool::new(path.clone()),
                unmapped: Pool::unmapped(path.clone()),
                path,
                writer,
                clock: RequestClock::new(),
            }),
            session: None,
        })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Creates many resources in one transaction: all of them, or none
    /// if one fails (the error is that resource's, as
    /// [`Store::create`] reports it). The fast path for imports and
    /// benchmarks.
    pub async fn create_many(
        &self,
        tenant: &TenantId,
        resources: Vec<NewResource>,
    ) -> Result<Vec<StoredResource>> {
        let t = tenant.clone();
        let prepared: Vec<(String, DocText, Vec<ResourceId>)> = resources
            .into_iter()
            .map(|r| {
                (
                    r.resource_type,
                    DocText::new(r.document, r.unique),
                    r.members,
                )
            })
            .collect();
        self.write(move |c| {
            prepared
                .into_iter()
                .map(|(rt, doc, members)| write::create(c, &t, &rt, doc, &members))
                .collect()
        })
        .await
    }

    /// Runs `f` on a read connection, on this thread: in the session's
    /// read transaction on a session's handle, else in a transaction of
    /// its own on a connection that does not map the file.
    fn read<T>(&self, f: impl FnOnce(&rusqlite::Connection) -> Result<T>) -> Result<T> {
        self.read_pooled(|conn| f(conn.conn()?))
    }

    fn read_pooled<T>(&self, f: impl FnOnce(&mut read::Pooled) -> Result<T>) -> Result<T> {
        match &self.session {
            Some(s) => s.read(f),
            None => f(&mut self.inner.unmapped.get()?),
        }
    }

    /// A reader for the shared query code, inside the session's
    /// transaction on a session's handle.
    fn reader(&self) -> Result<SqliteReader<'_>> {
        match &self.session {
            Some(s) => SqliteReader::within(s),
            None => SqliteReader::begin(self.inner.unmapped.get()?),
        }
    }

    /// Runs `f` in the writer's transaction and waits for its commit;
    /// on a session's handle, first ends the session's snapshot, so that
    /// its later reads see the write.
    async fn write<T, F>(&self, f: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&rusqlite::Connection) -> Result<T> + Send + 'static,
    {
        self.end_snapshot();
        self.inner.writer.run(f).await
    }

    /// Ends a session's snapshot, if one is open.
    fn end_snapshot(&self) {
        if let Some(s) = &self.session {
            s.end();
        }
    }

    fn with_clock(&self, mut t: Tenant) -> Tenant {
        t.last_request_at = self.inner.clock.merge(&t.id, t.last_request_at);
        t
    }

    fn require_tenant(&self, c: &rusqlite::Connection, t: &TenantId) -> Result<()> {
        if tenants::exists(c, t)? {
            Ok(())
        } else {
            Err(Error::not_found(format!("no tenant named '{t}'")))
        }
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn create_tenant(&self, tenant: NewTenant) -> Result<Tenant> {
        self.write(move |c| tenants::create(c, &tenant)).await
    }

    async fn tenant(&self, id: &TenantId) -> Result<Option<Tenant>> {
        Ok(self
            .read(|c| tenants::tenant(c, id))?
            .map(|t| self.with_clock(t)))
    }

    async fn tenant_by_token(&self, token: &TokenHash, now: DateTime) -> Result<Option<Tenant>> {
        // In a session, on its connection, in the transaction its reads
        // share; otherwise (a request that writes) on a connection that
        // does not map the file, in a transaction of its own.
        let mut found = match &self.session {
            Some(s) => s.read(|conn| conn.tenants_by_token(token))?,
            None => Session::new(self.inner.unmapped.clone())
                .read(|conn| conn.tenants_by_token(token))?,
        };
        // The current token wins over a previous one in its grace period.
        found.sort_by_key(|t| t.token != *token);
        Ok(found
            .into_iter()
            .find(|t| t.accepts(token, now))
            .map(|t| self.with_clock(t)))
    }

    async fn tenants(&self) -> Result<Vec<Tenant>> {
        Ok(self
            .read(tenants::all)?
            .into_iter()
            .map(|t| self.with_clock(t))
            .collect())
    }

    async fn update_tenant(&self, id: &TenantId, update: TenantUpdate) -> Result<Tenant> {
        let t = id.clone();
        let tenant = self.write(move |c| tenants::update(c, &t, update)).await?;
        Ok(self.with_clock(tenant))
    }

    async fn delete_tenant(&self, id: &TenantId) -> Result<()> {
        let t = id.clone();
        self.write(move |c| tenants::delete(c, &t)).await?;
        self.inner.clock.forget(id);
        Ok(())
    }

    async fn record_request(&self, id: &TenantId, at: DateTime) -> Result<()> {
        if let Some(seen) = self.inner.clock.record(id, at) {
            self.inner
                .writer
                .spawn(move |c| tenants::record_requests(c, &seen));
        }
        Ok(())
    }

    async fn create(&self, tenant: &TenantId, resource: NewResource) -> Result<StoredResource> {
        let t = tenant.clone();
        let doc = DocText::new(resource.document, resource.unique);
        let rt = resource.resource_type;
        let members = resource.members;
        self.write(move |c| write::create(c, &t, &rt, doc, &members))
            .await
    }

    async fn get(
        &self,
        tenant: &TenantId,
        resource_type: &str,
        id: &ResourceId,
    ) -> Result<Option<StoredResource>> {
        self.read(|c| {
            let found = read::get(c, tenant, resource_type, id)?;
            if found.is_none() {
                self.require_tenant(c, tenant)?;
            }
            Ok(found)
        })
    }

    async fn update(
        &self,
        tenant: &TenantId,
        resource_type: &str,
        id: &ResourceId,
        expected: Option<Version>,
        update: Update,
    ) -> Result<StoredResource> {
        let (t, rt, id) = (tenant.clone(), resource_type.to_owned(), id.clone());
        let doc = update.document.map(|(v, u)| DocText::new(v, u));
        let members = update.members;
        self.write(move |c| write::update(c, &t, &rt, &id, expected, doc, members))
            .await
    }

    async fn delete(
        &self,
        tenant: &TenantId,
        resource_type: &str,
        id: &ResourceId,
        expected: Option<Version>,
    ) -> Result<()> {
        let (t, rt, id) = (tenant.clone(), resource_type.to_owned(), id.clone());
        self.write(move |c| write::delete(c, &t, &rt, &id, expected))
            .await
    }

    async fn list(&self, tenant: &TenantId, query: &Query) -> Result<Page> {
        let mut reader = self.reader()?;
        let page = listing::list(&mut reader, Dialect::Sqlite, tenant, query).await;
        reader.finish(page.is_ok());
        page
    }

    async fn list_with_groups(
        &self,
        tenant: &TenantId,
        query: &Query,
    ) -> Result<(
        Page,
        std::collections::HashMap<ResourceId, Vec<StoredResource>>,
    )> {
        let mut reader = self.reader()?;
        let found = listing::list_with_groups(&mut reader, Dialect::Sqlite, tenant, query).await;
        reader.finish(found.is_ok());
        found
    }

    async fn count(
        &self,
        tenant: &TenantId,
        resource_type: &str,
        filter: Option<&Expr>,
    ) -> Result<u64> {
        let mut reader = self.reader()?;
        let n = listing::count(&mut reader, Dialect::Sqlite, tenant, resource_type, filter).await;
        reader.finish(n.is_ok());
        n
    }

    async fn members(
        &self,
        tenant: &TenantId,
        group: &ResourceId,
        after: Option<&ResourceId>,
        limit: usize,
    ) -> Result<Vec<Member>> {
        self.read(|c| {
            let page = read::members(c, tenant, group, after, limit)?;
            if page.is_empty() {
                self.require_tenant(c, tenant)?;
            }
            Ok(page)
        })
    }

    async fn member_count(&self, tenant: &TenantId, group: &ResourceId) -> Result<u64> {
        self.read(|c| match read::member_count(c, tenant, group)? {
            Some(n) => Ok(n),
            None => self.require_tenant(c, tenant).map(|()| 0),
        })
    }

    async fn groups_of(
        &self,
        tenant: &TenantId,
        member: &ResourceId,
    ) -> Result<Vec<StoredResource>> {
        self.read(|c| {
            let groups = read::groups_of(c, tenant, member)?;
            if groups.is_empty() {
                self.require_tenant(c, tenant)?;
            }
            Ok(groups)
        })
    }

    async fn members_among(
        &self,
        tenant: &TenantId,
        group: &ResourceId,
        candidates: &[ResourceId],
    ) -> Result<std::collections::HashSet<ResourceId>> {
        if candidates.is_empty() {
            return Ok(std::collections::HashSet::new());
        }
        self.read(|c| read::members_among(c, tenant, group, candidates))
    }

    async fn get_with_groups(
        &self,
        tenant: &TenantId,
        resource_type: &str,
        id: &ResourceId,
    ) -> Result<Option<(StoredResource, Vec<StoredResource>)>> {
        self.read(|c| {
            let found = read::get_with_groups(c, tenant, resource_type, id)?;
            if found.is_none() {
                self.require_tenant(c, tenant)?;
            }
            Ok(found)
        })
    }

    async fn groups_of_many(
        &self,
        tenant: &TenantId,
        members: &[ResourceId],
    ) -> Result<std::collections::HashMap<ResourceId, Vec<StoredResource>>> {
        self.read(|c| read::groups_of_many(c, tenant, members))
    }

    fn session(&self) -> Option<Arc<dyn Store>> {
        Some(Arc::new(SqliteStore {
            inner: self.inner.clone(),
            session: Some(Arc::new(Session::new(self.inner.pool.clone()))),
        }))
    }

    async fn ping(&self) -> Result<()> {
        self.read(|c| {
            c.query_row("SELECT 1", [], |_| Ok(()))
                .map_err(error::failed("answering a ping"))
        })
    }

    async fn close(&self) -> Result<()> {
        self.end_snapshot();
        let seen = self.inner.clock.drain();
        if !seen.is_empty() {
            self.write(move |c| tenants::record_requests(c, &seen))
                .await?;
        }
        self.inner.writer.stop();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use scimhub_filter::{bind, parse_filter};
    use scimhub_schema::Registry;

    use super::*;
    use crate::sql::Sql;
    use crate::translate::condition;

    const N_PLAN: usize = 2_000;

    /// A store on `path` under `policy`, with the tenant `t` whose token
    /// hashes to `[1; 32]`.
    pub(super) async fn open_with_tenant(
        path: &Path,
        policy: checkpoint::Policy,
    ) -> (SqliteStore, TenantId) {
        let store = SqliteStore::open_with(path, policy).unwrap();
        let t = TenantId::new("t").unwrap();
        store
            .create_tenant(NewTenant {
                id: t.clone(),
                token: TokenHash([1; 32]),
                allowed_domains: vec![],
            })
            .await
            .unwrap();
        (store, t)
    }

    /// A user with this document.
    fn user(document: serde_json::Value) -> NewResource {
        NewResource {
            resource_type: "User".into(),
            document,
            unique: vec![],
            members: vec![],
        }
    }

    /// The lookups identity providers make are index seeks, not scans.
    #[test]
    fn lookups_are_index_seeks() {
        let dir = tempfile::tempdir().unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let store = rt.block_on(async {
            let path = dir.path().join("plan.db");
            let (store, t) = open_with_tenant(&path, checkpoint::Policy::DEFAULT).await;
            let users = (0..N_PLAN)
                .map(|i| user(serde_json::json!({"userName": format!("u{i}"), "externalId": format!("e{i}"), "displayName": format!("d{i}")})))
                .collect();
            store.create_many(&t, users).await.unwrap();
            store
        });
        let registry = Registry::standard();
        let users = registry.resource_type("User").unwrap();
        let groups = registry.resource_type("Group").unwrap();
        let member =
            match bind(&parse_filter(r#"members[value eq "u1"]"#).unwrap(), groups).unwrap() {
                scimhub_filter::BoundFilter::ValuePath { filter, .. } => *filter,
                _ => unreachable!(),
            };
        let cases = [
            (
                Expr::Filter(bind(&parse_filter(r#"userName eq "a""#).unwrap(), users).unwrap()),
                "resources_user_name",
            ),
            (
                Expr::Filter(bind(&parse_filter(r#"externalId eq "a""#).unwrap(), users).unwrap()),
                "resources_external_id",
            ),
            (
                Expr::Filter(bind(&parse_filter(r#"displayName eq "a""#).unwrap(), users).unwrap()),
                "resources_display_name",
            ),
            (
                Expr::Filter(bind(&parse_filter(r#"id eq "a""#).unwrap(), users).unwrap()),
                "resources_id",
            ),
            (Expr::HasMember(member), "PRIMARY KEY"),
        ];
        let conn = store.inner.pool.get().unwrap();
        for (e, index) in cases {
            let mut sql = Sql::new(Dialect::Sqlite);
            let t = sql.text("t");
            let rt = sql.text("User");
            let c = condition(&mut sql, &e, "r");
            let text = format!(
                "EXPLAIN QUERY PLAN SELECT r.seq FROM resources r WHERE r.tenant = {t} AND r.resource_type = {rt} AND ({}) ORDER BY r.seq + 0 LIMIT 100",
                c.sql
            );
            let params: Vec<String> = sql
                .params
                .iter()
                .map(|p| match p {
                    crate::sql::Param::Text(s) => s.clone(),
                    _ => String::new(),
                })
                .collect();
            let mut stmt = conn.conn().unwrap().prepare(&text).unwrap();
            let plan: Vec<String> = stmt
                .query_map(rusqlite::params_from_iter(params), |r| {
                    r.get::<_, String>(3)
                })
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            let plan = plan.join(" | ");
            assert!(plan.contains(index), "{e:?}: {plan}");
            assert!(!plan.contains("SCAN r"), "{e:?} scans: {plan}");
        }
    }

    /// An idle time the tests below never reach, so that they see the
    /// interval and the backstop alone.
    const NEVER_QUIET: std::time::Duration = std::time::Duration::from_secs(3_600);

    /// Creates 800 users one commit at a time under `policy`, then one
    /// more every 10 ms until `done` holds for the checkpoint counts
    /// (threads run when the machine lets them); checks that every write
    /// survives a reopening, and returns the longest the log grew (in
    /// frames) with the counts.
    fn fill_the_log(
        policy: checkpoint::Policy,
        done: fn(checkpoint::Counts) -> bool,
    ) -> (u64, checkpoint::Counts) {
        const USERS: usize = 800;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("wal.db");
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        let (store, t) = rt.block_on(open_with_tenant(&path, policy));
        let created = rt.block_on(async {
            let create = |i: usize| {
                store.create(&t, user(serde_json::json!({"userName": format!("user{i}"), "displayName": "x".repeat(300)})))
            };
            for i in 0..USERS {
                create(i).await.unwrap();
            }
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
            let mut created = USERS;
            while !done(store.inner.writer.checkpointer().counts()) {
                let counts = store.inner.writer.checkpointer().counts();
                assert!(std::time::Instant::now() < deadline, "checkpoint counts stuck at {counts:?}");
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                create(created).await.unwrap();
                created += 1;
            }
            created
        });
        let counts = store.inner.writer.checkpointer().counts();
        // The log file is as long as the most frames it ever held.
        let wal = std::fs::metadata(dir.path().join("wal.db-wal"))
            .unwrap()
            .len();
        let frames = wal.saturating_sub(32) / (24 + 4_096);
        rt.block_on(async { store.close().await.unwrap() });
        drop(store);
        let reopened = SqliteStore::open(&path).unwrap();
        let n = rt.block_on(async { reopened.count(&t, "User", None).await.unwrap() });
        assert_eq!(n, created as u64);
        (frames, counts)
    }

    /// With the checkpoint thread woken every 40 frames (and no
    /// backstop), the thread copies the log while the writer goes on, the
    /// writer copies the short tail it leaves, and the log starts over.
    /// (How long the log grows first depends on how the machine schedules
    /// the two threads; the backstop test bounds it.)
    #[test]
    fn the_checkpoint_thread_lets_the_log_start_over() {
        let policy = checkpoint::Policy {
            frames: 40,
            backstop: i32::MAX,
            idle: NEVER_QUIET,
        };
        let (_, counts) = fill_the_log(policy, |c| c.tails > 0 && c.restarts > 0);
        assert!(counts.runs > 0);
        assert_eq!(counts.backstops, 0);
    }

    /// With the thread never woken, the writer checkpoints itself at the
    /// backstop, and the log stays within it.
    #[test]
    fn the_writer_checkpoints_at_the_backstop() {
        let policy = checkpoint::Policy {
            frames: i32::MAX,
            backstop: 400,
            idle: NEVER_QUIET,
        };
        let (frames, counts) = fill_the_log(policy, |_| true);
        assert_eq!((counts.runs, counts.tails), (0, 0));
        assert!(counts.backstops > 0 && counts.restarts > 0, "{counts:?}");
        assert!(frames <= 1_000, "the log grew to {frames} frames");
    }

    /// With neither the interval nor the backstop reached, the thread
    /// copies the whole log once the writer has been quiet, and the next
    /// commit starts the log over.
    #[test]
    fn a_quiet_writer_leaves_the_log_copied() {
        let policy = checkpoint::Policy {
            frames: i32::MAX,
            backstop: i32::MAX,
            idle: std::time::Duration::from_millis(20),
        };
        let dir = tempfile::tempdir().unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        let (store, t) = rt.block_on(open_with_tenant(&dir.path().join("quiet.db"), policy));
        let counts = || store.inner.writer.checkpointer().counts();
        let wait_for = |what: &str, done: &dyn Fn(checkpoint::Counts) -> bool| {
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
            while !done(counts()) {
                assert!(
                    std::time::Instant::now() < deadline,
                    "{what}: {:?}",
                    counts()
                );
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
        };
        let create = |i: usize| {
            rt.block_on(store.create(
                &t,
                user(serde_json::json!({"userName": format!("user{i}")})),
            ))
            .unwrap()
        };
        create(0);
        wait_for("a quiet spell's checkpoint", &|c| c.idle >= 1);
        let before = counts();
        assert_eq!((before.runs, before.tails, before.backstops), (0, 0, 0));
        create(1);
        wait_for("the log starting over", &|c| c.restarts > before.restarts);
        wait_for("the next quiet spell's checkpoint", &|c| {
            c.idle > before.idle
        });
        let n = rt.block_on(store.count(&t, "User", None)).unwrap();
        assert_eq!(n, 2);
    }

    /// On Linux the writer and checkpoint threads run under `SCHED_BATCH`
    /// (policy 3 in `/proc/…/stat`), so that waking them does not
    /// preempt the thread that queued a command.
    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn the_store_threads_yield_to_requests() {
        let dir = tempfile::tempdir().unwrap();
        let (store, t) =
            open_with_tenant(&dir.path().join("batch.db"), checkpoint::Policy::DEFAULT).await;
        store
            .create(&t, user(serde_json::json!({"userName": "bjensen"})))
            .await
            .unwrap();
        let mut policies = Vec::new();
        for task in std::fs::read_dir("/proc/self/task").unwrap() {
            let path = task.unwrap().path();
            let Ok(stat) = std::fs::read_to_string(path.join("stat")) else {
                continue; // the thread has ended
            };
            let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else {
                panic!("unexpected stat line: {stat}");
            };
            if !stat[open + 1..close].starts_with("scimhub-sqlite-") {
                continue;
            }
            // Fields from the third (the state) on; the policy is the 41st.
            let fields: Vec<&str> = stat[close + 2..].split(' ').collect();
            policies.push(fields[41 - 3].to_owned());
        }
        assert!(policies.len() >= 2, "threads found: {policies:?}");
        assert!(policies.iter().all(|p| p == "3"), "policies: {policies:?}");
    }

    /// Whether `token` finds a tenant on `store` itself (as a request
    /// that writes checks it) and in a session of it (as one that reads).
    async fn finds(store: &SqliteStore, token: &TokenHash) -> (bool, bool) {
        let now = DateTime::now();
        let outside = store.tenant_by_token(token, now).await.unwrap();
        let session = store.session().unwrap();
        let inside = session.tenant_by_token(token, now).await.unwrap();
        (outside.is_some(), inside.is_some())
    }

    /// Reads outside a session (those of a request that writes: its
    /// token check, the resource it starts from) run on connections that
    /// do not map the file; a session's reads map it. Either way a change
    /// by another process counts at the next token check.
    #[tokio::test]
    async fn reads_outside_a_session_do_not_map_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("tokens.db");
        let (store, t) = open_with_tenant(&path, checkpoint::Policy::DEFAULT).await;
        let idle = |pool: &Arc<Pool>| pool.idle();
        let created = store
            .create(&t, user(serde_json::json!({"userName": "bjensen"})))
            .await
            .unwrap();
        let got = store.get(&t, "User", &created.id).await.unwrap();
        assert_eq!(got.map(|r| r.version), Some(created.version));
        let listed = store.count(&t, "User", None).await.unwrap();
        assert_eq!(listed, 1);
        assert_eq!(
            (idle(&store.inner.pool), idle(&store.inner.unmapped)),
            (0, 1)
        );
        let session = store.session().unwrap();
        assert!(
            session
                .get(&t, "User", &created.id)
                .await
                .unwrap()
                .is_some()
        );
        drop(session);
        assert_eq!(
            (idle(&store.inner.pool), idle(&store.inner.unmapped)),
            (1, 1)
        );

        let token = TokenHash([1; 32]);
        assert_eq!(finds(&store, &token).await, (true, true));
        let mapped = |pool: &Arc<Pool>| -> i64 {
            let conn = pool.get().unwrap();
            conn.conn()
                .unwrap()
                .query_row("PRAGMA mmap_size", [], |r| r.get(0))
                .unwrap()
        };
        assert_eq!(mapped(&store.inner.unmapped), 0);
        assert_eq!(mapped(&store.inner.pool), read::READ_MMAP_BYTES);

        // Another process deletes the tenant: the next check, in a session
        // or not, finds no tenant for the token.
        let other = SqliteStore::open(&path).unwrap();
        other.delete_tenant(&t).await.unwrap();
        other.close().await.unwrap();
        assert_eq!(finds(&store, &token).await, (false, false));
    }
}
