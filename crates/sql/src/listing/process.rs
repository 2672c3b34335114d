//! Work done in process: sorting by attributes SQL cannot order
//! exactly, and evaluating filters SQL can only narrow.

use std::future::Future;
use std::pin::Pin;

use scimhub_filter::BoundPath;
use scimhub_store::support::{SortKey, is_store_attribute, resource_view};
use scimhub_store::{Error, Expr, Page, Query, Result, StoredResource, TenantId};
use serde_json::{Map, Value};

use super::{MAX_CANDIDATES, RECORD_COLUMNS, Reader, Record, key_of, paginate};
use crate::sql::{Dialect, Param, Sql};
use crate::translate::condition;

/// The top-level key a sort path reads (the extension or the attribute).
fn top_key(path: &BoundPath) -> &str {
    path.extension.as_deref().unwrap_or(&path.attribute)
}

/// Exact filter, order in process: fetch the sort fragment of every
/// match, sort with the shared keys, then fetch the page's rows.
pub(super) async fn sorted_in_process(
    reader: &mut dyn Reader,
    tenant: &TenantId,
    query: &Query,
    mut sql: Sql,
    w: &str,
) -> Result<Page> {
    let path = query.sort.as_ref().map(|s| &s.path);
    let fragment = match path {
        Some(p) if !is_store_attribute(p) => {
            let key = top_key(p);
            match sql.dialect {
                Dialect::Sqlite => {
                    if key.contains(['"', '\\']) {
                        "NULL".to_owned()
                    } else {
                        let k = sql.text(&format!("$.\"{key}\""));
                        format!("r.doc -> {k}")
                    }
                }
                Dialect::Postgres => {
                    let k = sql.text(key);
                    format!("r.doc -> {k}")
                }
            }
        }
        _ => "NULL".to_owned(),
    };
    let unquotable = fragment == "NULL" && path.is_some_and(|p| !is_store_attribute(p));
    if unquotable {
        // A key SQLite's JSON paths cannot name: sort on whole rows.
        return in_process(reader, tenant, query, sql, w).await;
    }
    let text = format!(
        "SELECT r.seq, r.id, r.resource_type, r.version, r.created_ns, r.modified_ns, {fragment} FROM resources r WHERE {w}"
    );
    sql.push(&text);
    let rows = reader.key_rows(&sql).await?;
    let items: Vec<(SortKey, i64, i64)> = rows
        .into_iter()
        .map(|row| {
            let mut meta = row.meta;
            if let (Some(p), Some(f)) = (path, row.fragment) {
                let mut doc = Map::new();
                doc.insert(top_key(p).to_owned(), f);
                meta.document = Value::Object(doc).into();
            }
            Ok((key_of(query, &meta)?, row.seq, row.seq))
        })
        .collect::<Result<_>>()?;
    let (total, seqs, next_cursor) = paginate(query, items)?;
    let resources = fetch_by_seq(reader, sql.dialect, &seqs).await?;
    Ok(Page {
        total,
        resources,
        next_cursor,
    })
}

/// Rows by sequence, in the order given.
async fn fetch_by_seq(
    reader: &mut dyn Reader,
    dialect: Dialect,
    seqs: &[i64],
) -> Result<Vec<StoredResource>> {
    if seqs.is_empty() {
        return Ok(Vec::new());
    }
    let mut sql = Sql::new(dialect);
    let p = sql.bind(Param::Ints(seqs.to_vec()));
    let text = match dialect {
        Dialect::Sqlite => format!(
            "SELECT {RECORD_COLUMNS} FROM resources r WHERE r.seq IN (SELECT value FROM json_each({p}))"
        ),
        Dialect::Postgres => {
            format!("SELECT {RECORD_COLUMNS} FROM resources r WHERE r.seq = ANY({p})")
        }
    };
    sql.push(&text);
    let mut by_seq: std::collections::HashMap<i64, StoredResource> = reader
        .records(&sql)
        .await?
        .into_iter()
        .map(|r| (r.seq, r.resource))
        .collect();
    Ok(seqs.iter().filter_map(|s| by_seq.remove(s)).collect())
}

/// Inexact filter: fetch the candidates the SQL superset selects,
/// evaluate the expression on each, then sort and paginate in process.
pub(super) async fn in_process(
    reader: &mut dyn Reader,
    tenant: &TenantId,
    query: &Query,
    mut sql: Sql,
    w: &str,
) -> Result<Page> {
    let limit = sql.limit(
        i64::try_from(MAX_CANDIDATES)
            .unwrap_or(i64::MAX)
            .saturating_add(1),
    );
    let text =
        format!("SELECT {RECORD_COLUMNS} FROM resources r WHERE {w} ORDER BY r.seq LIMIT {limit}");
    sql.push(&text);
    let candidates = reader.records(&sql).await?;
    if candidates.len() > MAX_CANDIDATES {
        return Err(Error::invalid_query(format!(
            "this filter must be evaluated outside the database on more than {MAX_CANDIDATES} resources; add a condition on userName, externalId, displayName or id"
        )));
    }
    let mut items = Vec::new();
    for c in candidates {
        let keep = match &query.filter {
            Some(f) => eval(reader, sql.dialect, tenant, f, &c).await?,
            None => true,
        };
        if keep {
            items.push((key_of(query, &c.resource)?, c.seq, c.resource));
        }
    }
    let (total, resources, next_cursor) = paginate(query, items)?;
    Ok(Page {
        total,
        resources,
        next_cursor,
    })
}

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The expression on one resource, as the memory store evaluates it:
/// filters with the evaluator, memberships from the database.
fn eval<'a>(
    reader: &'a mut dyn Reader,
    dialect: Dialect,
    tenant: &'a TenantId,
    expr: &'a Expr,
    rec: &'a Record,
) -> BoxFuture<'a, Result<bool>> {
    Box::pin(async move {
        Ok(match expr {
            Expr::Filter(f) => f.matches(&resource_view(&rec.resource)?),
            Expr::HasMember(_) => {
                // Membership predicates always translate exactly.
                let mut sql = Sql::new(dialect);
                let c = condition(&mut sql, expr, "r");
                let t = sql.text(tenant.as_str());
                let id = sql.text(rec.resource.id.as_str());
                let text = format!(
                    "SELECT count(*) FROM resources r WHERE r.tenant = {t} AND r.id = {id} AND ({})",
                    c.sql
                );
                sql.push(&text);
                reader.number(&sql).await? > 0
            }
            Expr::MemberOf(inner) => {
                let groups = reader.groups_of(tenant, &rec.resource.id).await?;
                let mut any = false;
                for g in groups {
                    let grec = Record {
                        seq: 0,
                        resource: g,
                    };
                    if eval(&mut *reader, dialect, tenant, inner, &grec).await? {
                        any = true;
                        break;
                    }
                }
                any
            }
            Expr::Not(inner) => !eval(reader, dialect, tenant, inner, rec).await?,
            Expr::And(items) => {
                for i in items {
                    if !eval(&mut *reader, dialect, tenant, i, rec).await? {
                        return Ok(false);
                    }
                }
                true
            }
            Expr::Or(items) => {
                for i in items {
                    if eval(&mut *reader, dialect, tenant, i, rec).await? {
                        return Ok(true);
                    }
                }
                false
            }
        })
    })
}
