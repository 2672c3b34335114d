//! The PostgreSQL backend: the same tables on `jsonb`, a pool of
//! connections, and transactions that several server processes can run
//! against one database without losing a write.

mod bulk;
mod error;
mod read;
mod tenants;
mod write;

use std::sync::Arc;

use async_trait::async_trait;
use deadpool_postgres::{GenericClient, Manager, ManagerConfig, Object, Pool, RecyclingMethod};
use scimhub_schema::datetime::DateTime;
use scimhub_store::{
    Error, ErrorKind, Expr, Member, MemberChange, NewResource, NewTenant, Page, Query, ResourceId,
    Result, Store, StoredResource, Tenant, TenantId, TenantUpdate, TokenHash, Update, Version,
};
use tokio_postgres::NoTls;

use self::error::{db, is_retryable, pool};
use self::read::PgReader;
use self::write::check_storable;
use crate::columns::Doc;
use crate::listing;
use crate::migrate::{POSTGRES, VERSION_TABLE, pending};
use crate::sql::Dialect;
use crate::stats::RequestClock;

/// Connections kept by default.
const DEFAULT_POOL_SIZE: usize = 16;
/// How many times a transaction that lost a race (deadlock,
/// serialization failure) is run again before giving up.
const ATTEMPTS: u32 = 5;

/// A [`Store`] in a PostgreSQL database (or one schema of it).
///
/// Cheap to clone: clones share the pool. Several processes may use the
/// same database at once; versions and uniqueness hold across them.
#[derive(Clone)]
pub struct PostgresStore {
    inner: Arc<Inner>,
}

struct Inner {
    pool: Pool,
    clock: RequestClock,
}

impl std::fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresStore").finish_non_exhaustive()
    }
}

/// Runs `$body` (which uses the transaction `$tx`) in a transaction,
/// again when PostgreSQL reports a lost race.
macro_rules! transact {
    ($store:expr, $tx:ident => $body:expr) => {{
        let mut attempt = 0;
        loop {
            attempt += 1;
            let mut client = $store.client().await?;
            let $tx = client.transaction().await.map_err(db)?;
            let out = async { $body }.await;
            let out = match out {
                Ok(v) => $tx.commit().await.map(|()| v).map_err(db),
                Err(e) => {
                    let _ = $tx.rollback().await;
                    Err(e)
                }
            };
            match out {
                Err(e) if is_retryable(&e) && attempt < ATTEMPTS => continue,
                other => break other,
            }
        }
    }};
}

impl PostgresStore {
    /// Connects to the database a libpq-style URL names
    /// (`postgres://user:password@host:port/database?…`) and brings its
    /// schema up to date.
    pub async fn connect(url: &str) -> Result<PostgresStore> {
        PostgresStore::connect_with(url, None, DEFAULT_POOL_SIZE).await
    }

    /// Like [`PostgresStore::connect`], keeping every table in `schema`
    /// (created if missing; lower-case letters, digits and `_`), so that
    /// several stores can share one database.
    pub async fn connect_to_schema(url: &str, schema: &str) -> Result<PostgresStore> {
        PostgresStore::connect_with(url, Some(schema), DEFAULT_POOL_SIZE).await
    }

    async fn connect_with(url: &str, schema: Option<&str>, size: usize) -> Result<PostgresStore> {
        let mut config: tokio_postgres::Config = url.parse().map_err(|e| {
            Error::unavailable(
                format!("the PostgreSQL URL is malformed ({e}); use postgres://user:password@host:port/database"),
                e,
            )
        })?;
        let target = describe(&config);
        if let Some(s) = schema {
            let valid = !s.is_empty()
                && s.len() <= 63
                && s.bytes()
                    .next()
                    .is_some_and(|b| b.is_ascii_lowercase() || b == b'_')
                && s.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if !valid {
                return Err(Error::new(
                    ErrorKind::InvalidQuery,
                    format!(
                        "'{s}' is not a valid schema name: use lower-case letters, digits and '_'"
                    ),
                ));
            }
            config.options(format!("-c search_path={s}"));
        }
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(size)
            .build()
            .map_err(|e| Error::unavailable("cannot set up the PostgreSQL pool", e))?;
        let store = PostgresStore {
            inner: Arc::new(Inner {
                pool,
                clock: RequestClock::new(),
            }),
        };
        let client = store.inner.pool.get().await.map_err(|e| {
            // For the operator starting the server: say where and why.
            Error::unavailable(format!("cannot connect to PostgreSQL {target}: {e}"), e)
        })?;
        if let Some(s) = schema {
            client
                .batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {s}"))
                .await
                .map_err(db)?;
        }
        migrate(client).await?;
        Ok(store)
    }

    async fn client(&self) -> Result<Object> {
        self.inner.pool.get().await.map_err(pool)
    }

    /// Creates many resources in one transaction: all of them, or none
    /// if one fails. The fast path for imports and benchmarks.
    pub async fn create_many(
        &self,
        tenant: &TenantId,
        resources: Vec<NewResource>,
    ) -> Result<Vec<StoredResource>> {
        let prepared: Vec<(String, Doc, Vec<ResourceId>)> = resources
            .into_iter()
            .map(|r| (r.resource_type, Doc::new(r.document, r.unique), r.members))
            .collect();
        for (_, d, _) in &prepared {
            check_storable(d)?;
        }
        transact!(self, tx => bulk::create_many(&tx, tenant, &prepared).await)
    }

    fn with_clock(&self, mut t: Tenant) -> Tenant {
        t.last_request_at = self.inner.clock.merge(&t.id, t.last_request_at);
        t
    }

    async fn require_tenant(&self, c: &Object, t: &TenantId) -> Result<()> {
        if tenants::exists(c, t).await? {
            Ok(())
        } else {
            Err(Error::not_found(format!("no tenant named '{t}'")))
        }
    }

    async fn flush(&self, seen: Vec<(TenantId, DateTime)>) -> Result<()> {
        let c = self.client().await?;
        tenants::record_requests(&c, &seen).await
    }
}

/// `at host:port, database db, as user`, without the password.
fn describe(config: &tokio_postgres::Config) -> String {
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .zip(config.get_ports().iter().chain(std::iter::repeat(&5432)))
        .map(|(h, p)| match h {
            tokio_postgres::config::Host::Tcp(h) => format!("{h}:{p}"),
            tokio_postgres::config::Host::Unix(path) => format!("{}", path.display()),
        })
        .collect();
    format!(
        "at {}, database {}, as {}",
        hosts.join(","),
        config.get_dbname().unwrap_or("(default)"),
        config.get_user().unwrap_or("(default user)")
    )
}

/// Applies pending migrations in one transaction, under an advisory lock
/// so that processes starting together apply each migration once.
async fn migrate(mut client: Object) -> Result<()> {
    let tx = client.transaction().await.map_err(db)?;
    tx.batch_execute(&format!(
        "SELECT pg_advisory_xact_lock(hashtext('scimhub-migrations:' || current_schema())); \
         CREATE TABLE IF NOT EXISTS {VERSION_TABLE} (version bigint PRIMARY KEY, name text NOT NULL, applied_ns bigint NOT NULL)"
    ))
    .await
    .map_err(db)?;
    let current: i64 = tx
        .query_one(
            &format!("SELECT coalesce(max(version), 0)::int8 FROM {VERSION_TABLE}"),
            &[],
        )
        .await
        .map_err(db)?
        .try_get(0)
        .map_err(db)?;
    let known = POSTGRES.last().map_or(0, |m| m.version);
    if current > known {
        return Err(Error::new(
            ErrorKind::Unavailable,
            format!(
                "the PostgreSQL schema is at version {current}, newer than this scimhub understands; upgrade scimhub"
            ),
        ));
    }
    for m in pending(POSTGRES, current) {
        tx.batch_execute(m.sql).await.map_err(db)?;
        tx.execute(
            &format!("INSERT INTO {VERSION_TABLE} (version, name, applied_ns) VALUES ($1, $2, $3)"),
            &[&m.version, &m.name, &crate::columns::to_ns(DateTime::now())],
        )
        .await
        .map_err(db)?;
    }
    tx.commit().await.map_err(db)
}

#[async_trait]
impl Store for PostgresStore {
    async fn create_tenant(&self, tenant: NewTenant) -> Result<Tenant> {
        let c = self.client().await?;
        tenants::create(&c, &tenant).await
    }

    async fn tenant(&self, id: &TenantId) -> Result<Option<Tenant>> {
        let c = self.client().await?;
        Ok(tenants::tenant(&c, id).await?.map(|t| self.with_clock(t)))
    }

    async fn tenant_by_token(&self, token: &TokenHash, now: DateTime) -> Result<Option<Tenant>> {
        let c = self.client().await?;
        let mut found = tenants::by_token(&c, token).await?;
        found.sort_by_key(|t| t.token != *token);
        Ok(found
            .into_iter()
            .find(|t| t.accepts(token, now))
            .map(|t| self.with_clock(t)))
    }

    async fn tenants(&self) -> Result<Vec<Tenant>> {
        let c = self.client().await?;
        Ok(tenants::all(&c)
            .await?
            .into_iter()
            .map(|t| self.with_clock(t))
            .collect())
    }

    async fn update_tenant(&self, id: &TenantId, update: TenantUpdate) -> Result<Tenant> {
        let t = transact!(self, tx => tenants::update(&tx, id, &update).await)?;
        Ok(self.with_clock(t))
    }

    async fn delete_tenant(&self, id: &TenantId) -> Result<()> {
        transact!(self, tx => tenants::delete(&tx, id).await)?;
        self.inner.clock.forget(id);
        Ok(())
    }

    async fn record_request(&self, id: &TenantId, at: DateTime) -> Result<()> {
        if let Some(seen) = self.inner.clock.record(id, at) {
            let store = self.clone();
            // Statistics never fail or delay a request.
            tokio::spawn(async move {
                if let Err(e) = store.flush(seen).await {
                    tracing::warn!(error = %e, "could not record request times");
                }
            });
        }
        Ok(())
    }

    async fn create(&self, tenant: &TenantId, resource: NewResource) -> Result<StoredResource> {
        let doc = Doc::new(resource.document, resource.unique);
        check_storable(&doc)?;
        let (rt, members) = (resource.resource_type, resource.members);
        transact!(self, tx => write::create(&tx, tenant, &rt, &doc, &members).await)
    }

    async fn get(
        &self,
        tenant: &TenantId,
        resource_type: &str,
        id: &ResourceId,
    ) -> Result<Option<StoredResource>> {
        let c = self.client().await?;
        let found = read::get(&c, tenant, resource_type, id).await?;
        if found.is_none() {
            self.require_tenant(&c, tenant).await?;
        }
        Ok(found)
    }

    async fn update(
        &self,
        tenant: &TenantId,
        resource_type: &str,
        id: &ResourceId,
        expected: Option<Version>,
        update: Update,
    ) -> Result<StoredResource> {
        let doc = update.document.map(|(v, u)| Doc::new(v, u));
        if let Some(d) = &doc {
            check_storable(d)?;
        }
        let members: Option<MemberChange> = update.members;
        transact!(self, tx => write::update(&tx, tenant, resource_type, id, expected, doc.as_ref(), members.as_ref()).await)
    }

    async fn delete(
        &self,
        tenant: &TenantId,
        resource_type: &str,
        id: &ResourceId,
        expected: Option<Version>,
    ) -> Result<()> {
        transact!(self, tx => write::delete(&tx, tenant, resource_type, id, expected).await)
    }

    async fn list(&self, tenant: &TenantId, query: &Query) -> Result<Page> {
        let mut reader = PgReader::new(self.client().await?);
        let page = listing::list(&mut reader, Dialect::Postgres, tenant, query).await;
        reader.finish().await;
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
        let mut reader = PgReader::new(self.client().await?);
        let found = listing::list_with_groups(&mut reader, Dialect::Postgres, tenant, query).await;
        reader.finish().await;
        found
    }

    async fn count(
        &self,
        tenant: &TenantId,
        resource_type: &str,
        filter: Option<&Expr>,
    ) -> Result<u64> {
        let mut reader = PgReader::new(self.client().await?);
        let n = listing::count(
            &mut reader,
            Dialect::Postgres,
            tenant,
            resource_type,
            filter,
        )
        .await;
        reader.finish().await;
        n
    }

    async fn members(
        &self,
        tenant: &TenantId,
        group: &ResourceId,
        after: Option<&ResourceId>,
        limit: usize,
    ) -> Result<Vec<Member>> {
        let c = self.client().await?;
        let page = read::members(&c, tenant, group, after, limit).await?;
        if page.is_empty() {
            self.require_tenant(&c, tenant).await?;
        }
        Ok(page)
    }

    async fn member_count(&self, tenant: &TenantId, group: &ResourceId) -> Result<u64> {
        let c = self.client().await?;
        match read::member_count(&c, tenant, group).await? {
            Some(n) => Ok(n),
            None => self.require_tenant(&c, tenant).await.map(|()| 0),
        }
    }

    async fn groups_of_many(
        &self,
        tenant: &TenantId,
        members: &[ResourceId],
    ) -> Result<std::collections::HashMap<ResourceId, Vec<StoredResource>>> {
        let c = self.client().await?;
        read::groups_of_many(&c, tenant, members).await
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
        let c = self.client().await?;
        read::members_among(&c, tenant, group, candidates).await
    }

    async fn get_with_groups(
        &self,
        tenant: &TenantId,
        resource_type: &str,
        id: &ResourceId,
    ) -> Result<Option<(StoredResource, Vec<StoredResource>)>> {
        let c = self.client().await?;
        let found = read::get_with_groups(&c, tenant, resource_type, id).await?;
        if found.is_none() {
            self.require_tenant(&c, tenant).await?;
        }
        Ok(found)
    }

    async fn groups_of(
        &self,
        tenant: &TenantId,
        member: &ResourceId,
    ) -> Result<Vec<StoredResource>> {
        let c = self.client().await?;
        let groups = read::groups_of(&c, tenant, member).await?;
        if groups.is_empty() {
            self.require_tenant(&c, tenant).await?;
        }
        Ok(groups)
    }

    async fn ping(&self) -> Result<()> {
        let c = self.client().await?;
        c.batch_execute("SELECT 1").await.map_err(db)
    }

    async fn close(&self) -> Result<()> {
        let seen = self.inner.clock.drain();
        if !seen.is_empty() {
            self.flush(seen).await?;
        }
        self.inner.pool.close();
        Ok(())
    }
}
