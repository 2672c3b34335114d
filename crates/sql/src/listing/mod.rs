//! Answering [`Query`]s: SQL where it is exact, the evaluator and the
//! shared sort keys where it is not. Both backends run this code through
//! a [`Reader`].

mod lookups;
mod process;
mod pushed;

use std::collections::HashMap;

use async_trait::async_trait;
use scimhub_store::support::{
    CursorPosition, SortKey, decode_cursor, encode_cursor, order, resource_view, sort_key,
};
use scimhub_store::{
    Error, Expr, Page, Pagination, Query, ResourceId, Result, StoredResource, TenantId,
};
use serde_json::Value;

use self::process::{in_process, sorted_in_process};
use self::pushed::{lookup, pushed, pushed_page};
use crate::sql::{Dialect, Sql};
use crate::translate::condition;

/// At most this many candidates are evaluated in process for one query;
/// beyond, the query is refused as too broad.
pub(crate) const MAX_CANDIDATES: usize = 200_000;

/// The columns of a resource row, in the order [`Reader::records`]
/// reads them.
pub(crate) const RECORD_COLUMNS: &str = crate::columns::record_columns!();

/// A resource row with its creation sequence.
#[derive(Debug, Clone)]
pub(crate) struct Record {
    pub(crate) seq: i64,
    pub(crate) resource: StoredResource,
}

/// A row for sorting in process: the sequence, the store's own fields
/// and the JSON of the top-level attribute sorted by.
#[derive(Debug)]
pub(crate) struct KeyRow {
    pub(crate) seq: i64,
    pub(crate) meta: StoredResource,
    pub(crate) fragment: Option<Value>,
}

/// Read access, as each backend provides it.
#[async_trait]
pub(crate) trait Reader: Send {
    /// The rows of a statement selecting [`RECORD_COLUMNS`].
    async fn records(&mut self, sql: &Sql) -> Result<Vec<Record>>;
    /// The rows of a statement selecting `r.seq, r.id, r.resource_type,
    /// r.version, r.created_ns, r.modified_ns` and a JSON fragment.
    async fn key_rows(&mut self, sql: &Sql) -> Result<Vec<KeyRow>>;
    /// The one integer a statement selects.
    async fn number(&mut self, sql: &Sql) -> Result<i64>;
    /// Whether the tenant exists.
    async fn tenant_exists(&mut self, tenant: &TenantId) -> Result<bool>;
    /// The groups `member` is a direct member of.
    async fn groups_of(
        &mut self,
        tenant: &TenantId,
        member: &ResourceId,
    ) -> Result<Vec<StoredResource>>;
    /// The groups of each of `members`, keyed by member id.
    async fn groups_of_many(
        &mut self,
        tenant: &TenantId,
        members: &[ResourceId],
    ) -> Result<HashMap<ResourceId, Vec<StoredResource>>>;
}

fn no_tenant(tenant: &TenantId) -> Error {
    Error::not_found(format!("no tenant named '{tenant}'"))
}

/// Fails with `NotFound` when the tenant does not exist.
pub(crate) async fn require_tenant(reader: &mut dyn Reader, tenant: &TenantId) -> Result<()> {
    if reader.tenant_exists(tenant).await? {
        Ok(())
    } else {
        Err(no_tenant(tenant))
    }
}

/// `r.tenant = … AND r.resource_type = … [AND filter]`, and whether the
/// filter part is exact.
fn base_where(
    sql: &mut Sql,
    tenant: &TenantId,
    resource_type: &str,
    filter: Option<&Expr>,
) -> (String, bool) {
    let t = sql.text(tenant.as_str());
    let rt = sql.text(resource_type);
    let mut w = format!("r.tenant = {t} AND r.resource_type = {rt}");
    let mut exact = true;
    if let Some(f) = filter {
        let c = condition(sql, f, "r");
        exact = c.exact;
        w.push_str(" AND (");
        w.push_str(&c.sql);
        w.push(')');
    }
    (w, exact)
}

/// Appends the statement counting the resources `w` (from
/// [`base_where`]) selects. Unfiltered on SQLite, that is the per-type
/// count its triggers keep (`w` binds the tenant as `?1` and the type as
/// `?2`), not a walk over the type's index. (PostgreSQL counts: a shared
/// counter row would serialise concurrent creations on its lock.)
fn push_count(sql: &mut Sql, w: &str, filtered: bool) {
    if !filtered && sql.dialect == Dialect::Sqlite {
        sql.push(
            "SELECT coalesce((SELECT n FROM resource_counts WHERE tenant = ?1 AND resource_type = ?2), 0)",
        );
    } else {
        sql.push("SELECT count(*) FROM resources r WHERE ").push(w);
    }
}

/// How many resources of a type match.
pub(crate) async fn count(
    reader: &mut dyn Reader,
    dialect: Dialect,
    tenant: &TenantId,
    resource_type: &str,
    filter: Option<&Expr>,
) -> Result<u64> {
    let mut sql = Sql::new(dialect);
    let (w, exact) = base_where(&mut sql, tenant, resource_type, filter);
    let n = if exact {
        push_count(&mut sql, &w, filter.is_some());
        u64::try_from(reader.number(&sql).await?).unwrap_or(0)
    } else {
        let query = Query {
            resource_type: resource_type.to_owned(),
            filter: filter.cloned(),
            sort: None,
            page: Pagination::Index {
                start_index: 1,
                count: 0,
            },
        };
        in_process(reader, tenant, &query, sql, &w).await?.total
    };
    if n == 0 {
        require_tenant(reader, tenant).await?;
    }
    Ok(n)
}

/// One page of a query.
pub(crate) async fn list(
    reader: &mut dyn Reader,
    dialect: Dialect,
    tenant: &TenantId,
    query: &Query,
) -> Result<Page> {
    if let Some(page) = lookup(reader, dialect, tenant, query).await? {
        if page.total == 0 {
            require_tenant(reader, tenant).await?;
        }
        return Ok(page);
    }
    let mut sql = Sql::new(dialect);
    let (w, exact) = base_where(
        &mut sql,
        tenant,
        &query.resource_type,
        query.filter.as_ref(),
    );
    let page = if !exact {
        in_process(reader, tenant, query, sql, &w).await?
    } else if let Some(p) = pushed(query) {
        match pushed_page(reader, query, &p, sql.clone(), &w).await? {
            Some(page) => page,
            None => sorted_in_process(reader, tenant, query, sql, &w).await?,
        }
    } else {
        sorted_in_process(reader, tenant, query, sql, &w).await?
    };
    if page.total == 0 {
        require_tenant(reader, tenant).await?;
    }
    Ok(page)
}

/// One page of a query and the groups of the resources on it, read in
/// the same transaction.
pub(crate) async fn list_with_groups(
    reader: &mut dyn Reader,
    dialect: Dialect,
    tenant: &TenantId,
    query: &Query,
) -> Result<(Page, HashMap<ResourceId, Vec<StoredResource>>)> {
    let page = list(reader, dialect, tenant, query).await?;
    let ids: Vec<ResourceId> = page.resources.iter().map(|r| r.id.clone()).collect();
    let groups = if ids.is_empty() {
        HashMap::new()
    } else {
        reader.groups_of_many(tenant, &ids).await?
    };
    Ok((page, groups))
}

fn clamp(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

fn descending(query: &Query) -> bool {
    query.sort.as_ref().is_some_and(|s| s.descending)
}

fn key_of(query: &Query, r: &StoredResource) -> Result<SortKey> {
    Ok(match &query.sort {
        Some(s) => sort_key(&resource_view(r)?, &s.path),
        None => SortKey::Missing,
    })
}

/// Sorts `(key, seq, item)` triples and cuts the page, exactly as the
/// memory store does.
fn paginate<T>(
    query: &Query,
    mut items: Vec<(SortKey, i64, T)>,
) -> Result<(u64, Vec<T>, Option<String>)> {
    let desc = descending(query);
    items.sort_by(|a, b| order((&a.0, a.1), (&b.0, b.1), desc));
    let total = items.len() as u64;
    match &query.page {
        Pagination::Index { start_index, count } => {
            let skip = usize::try_from(start_index.saturating_sub(1)).unwrap_or(usize::MAX);
            let take = usize::try_from(*count).unwrap_or(usize::MAX);
            let page = items
                .into_iter()
                .skip(skip)
                .take(take)
                .map(|i| i.2)
                .collect();
            Ok((total, page, None))
        }
        Pagination::Cursor { after, count } => {
            let start = match after {
                None => 0,
                Some(c) => {
                    let pos = decode_cursor(query, c)?;
                    items.partition_point(|m| {
                        order((&m.0, m.1), (&pos.key, pos.seq), desc) != std::cmp::Ordering::Greater
                    })
                }
            };
            let take = usize::try_from(*count).unwrap_or(usize::MAX);
            let len = items.len();
            let page: Vec<(SortKey, i64, T)> = items.into_iter().skip(start).take(take).collect();
            let next = match page.last() {
                Some(last) if start + page.len() < len => Some(encode_cursor(
                    query,
                    &CursorPosition {
                        key: last.0.clone(),
                        seq: last.1,
                    },
                )),
                _ => None,
            };
            Ok((total, page.into_iter().map(|i| i.2).collect(), next))
        }
    }
}
