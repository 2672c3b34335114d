//! Pages whose filter and order SQL answers exactly: LIMIT/OFFSET, or
//! a cursor turned into a WHERE condition.

use scimhub_store::support::{CursorPosition, SortKey, decode_cursor, encode_cursor};
use scimhub_store::{Page, Pagination, Query, Result, TenantId};

use super::lookups;
use super::{RECORD_COLUMNS, Reader, clamp, descending, key_of, paginate, push_count};
use crate::sql::{Dialect, Param, Sql};

/// A sort SQL can do exactly.
pub(super) enum Pushed {
    /// Creation order.
    Seq,
    /// By id.
    Id,
    /// By a timestamp column at millisecond precision.
    Time(&'static str),
}

pub(super) fn pushed(query: &Query) -> Option<Pushed> {
    let Some(sort) = &query.sort else {
        return Some(Pushed::Seq);
    };
    let p = &sort.path;
    if p.extension.is_some() {
        return None;
    }
    match (p.attribute.as_str(), p.sub.as_deref()) {
        ("id", None) if p.case_exact => Some(Pushed::Id),
        ("meta", Some("created")) => Some(Pushed::Time("created_ns")),
        ("meta", Some("lastModified")) => Some(Pushed::Time("modified_ns")),
        _ => None,
    }
}

impl Pushed {
    fn key_sql(&self) -> String {
        match self {
            Pushed::Seq => "r.seq".to_owned(),
            Pushed::Id => "r.id".to_owned(),
            Pushed::Time(col) => format!("(r.{col} - r.{col} % 1000000)"),
        }
    }

    /// The ORDER BY clause. With a filter the order is written as an
    /// expression no index provides (`r.seq + 0`), so that the planner
    /// picks the index the filter needs and sorts the few matches,
    /// instead of walking the type's rows in order hoping to meet them
    /// early (which SQLite, without statistics, prefers under a LIMIT).
    fn order_by(&self, descending: bool, filtered: bool) -> String {
        let seq = if filtered { "r.seq + 0" } else { "r.seq" };
        match self {
            Pushed::Seq => seq.to_owned(),
            Pushed::Id if filtered => {
                format!("r.id || ''{}, {seq}", if descending { " DESC" } else { "" })
            }
            _ => format!(
                "{}{}, {seq}",
                self.key_sql(),
                if descending { " DESC" } else { "" }
            ),
        }
    }

    /// The SQL condition "after `pos`", or `None` when the cursor's key
    /// is not of the kind this order produces (then the caller sorts in
    /// process, which handles any key).
    fn after(&self, sql: &mut Sql, pos: &CursorPosition, descending: bool) -> Option<String> {
        let cmp = if descending { "<" } else { ">" };
        let key = match (self, &pos.key) {
            (Pushed::Seq, SortKey::Missing) => {
                return Some(format!("r.seq > {}", sql.int(pos.seq)));
            }
            // Missing sorts after every key: everything is after it.
            (Pushed::Seq, _) => return Some("TRUE".to_owned()),
            (Pushed::Id, SortKey::Str(s)) => Param::Text(s.clone()),
            (Pushed::Time(_), SortKey::Time(t)) => {
                let ns = i128::from(t.unix_seconds()) * 1_000_000_000 + i128::from(t.nanos());
                Param::Int(i64::try_from(ns).ok()?)
            }
            _ => return None,
        };
        let k = self.key_sql();
        let p = sql.bind(key);
        let s = sql.int(pos.seq);
        Some(format!("({k} {cmp} {p} OR ({k} = {p} AND r.seq > {s}))"))
    }
}

/// A page with the order and pagination in SQL; `None` when the cursor
/// needs the in-process sort.
pub(super) async fn pushed_page(
    reader: &mut dyn Reader,
    query: &Query,
    p: &Pushed,
    mut sql: Sql,
    w: &str,
) -> Result<Option<Page>> {
    if let Some(page) = few_matches(reader, query, p, &sql, w).await? {
        return Ok(Some(page));
    }
    let desc = descending(query);
    let count_sql = {
        let mut c = sql.clone();
        push_count(&mut c, w, query.filter.is_some());
        c
    };
    match &query.page {
        Pagination::Index { start_index, count } => {
            let offset = start_index.saturating_sub(1);
            let limit = sql.limit(clamp(*count));
            let off = sql.limit(clamp(offset));
            let text = format!(
                "SELECT {RECORD_COLUMNS} FROM resources r WHERE {w} ORDER BY {} LIMIT {limit} OFFSET {off}",
                p.order_by(desc, query.filter.is_some())
            );
            sql.push(&text);
            let rows = reader.records(&sql).await?;
            let total = if offset == 0 && (rows.len() as u64) < *count {
                rows.len() as u64
            } else {
                u64::try_from(reader.number(&count_sql).await?).unwrap_or(0)
            };
            Ok(Some(Page {
                total,
                resources: rows.into_iter().map(|r| r.resource).collect(),
                next_cursor: None,
            }))
        }
        Pagination::Cursor { after, count } => {
            let pos = after
                .as_deref()
                .map(|c| decode_cursor(query, c))
                .transpose()?;
            let after_sql = match &pos {
                None => "TRUE".to_owned(),
                Some(pos) => match p.after(&mut sql, pos, desc) {
                    Some(s) => s,
                    None => return Ok(None),
                },
            };
            let limit = sql.limit(clamp(count.saturating_add(1)));
            let text = format!(
                "SELECT {RECORD_COLUMNS} FROM resources r WHERE {w} AND {after_sql} ORDER BY {} LIMIT {limit}",
                p.order_by(desc, query.filter.is_some())
            );
            sql.push(&text);
            let mut rows = reader.records(&sql).await?;
            let take = usize::try_from(*count).unwrap_or(usize::MAX);
            let more = rows.len() > take;
            rows.truncate(take);
            let total = if pos.is_none() && !more {
                rows.len() as u64
            } else {
                u64::try_from(reader.number(&count_sql).await?).unwrap_or(0)
            };
            let next_cursor = match rows.last() {
                Some(last) if more => Some(encode_cursor(
                    query,
                    &CursorPosition {
                        key: key_of(query, &last.resource)?,
                        seq: last.seq,
                    },
                )),
                _ => None,
            };
            Ok(Some(Page {
                total,
                resources: rows.into_iter().map(|r| r.resource).collect(),
                next_cursor,
            }))
        }
    }
}

/// A filter matching at most this many resources is answered without
/// ORDER BY (see [`few_matches`]).
pub(super) const FEW: usize = 4;

/// [`few_matches`] for a filter that is one `eq` on an indexed string
/// attribute in SQLite (`userName eq "…"`, what identity providers send
/// before every create): the two halves of the condition (see
/// [`lookup_halves`](crate::translate::lookup_halves)) as a `UNION ALL`
/// of two index seeks, translated once per shape (see [`lookups`]). `None` when the query is of another kind or matches more than
/// [`FEW`] resources.
pub(super) async fn lookup(
    reader: &mut dyn Reader,
    dialect: Dialect,
    tenant: &TenantId,
    query: &Query,
) -> Result<Option<Page>> {
    if query.sort.is_some() {
        return Ok(None);
    }
    let Some(filter) = &query.filter else {
        return Ok(None);
    };
    let Some(sql) = lookups::statement(dialect, tenant, &query.resource_type, filter) else {
        return Ok(None);
    };
    at_most_few(reader, query, &sql).await
}

/// Filtered pages in creation order, when the filter matches at most
/// [`FEW`] resources (the lookups identity providers make by `userName`,
/// `externalId` or `id` match one or none): all matches are read without
/// ORDER BY and paginated here, as the in-process sort does. Sorting in
/// SQL costs a temporary b-tree per statement, a large share of a one-row
/// lookup, because the order is written so that no index provides it
/// (see [`Pushed::order_by`]). `None` when there are more matches, after
/// reading at most `FEW + 1`.
async fn few_matches(
    reader: &mut dyn Reader,
    query: &Query,
    p: &Pushed,
    sql: &Sql,
    w: &str,
) -> Result<Option<Page>> {
    if query.filter.is_none() || !matches!(p, Pushed::Seq) {
        return Ok(None);
    }
    let mut probe = sql.clone();
    let limit = probe.limit(clamp(FEW as u64 + 1));
    probe.push(&format!(
        "SELECT {RECORD_COLUMNS} FROM resources r WHERE {w} LIMIT {limit}"
    ));
    at_most_few(reader, query, &probe).await
}

/// Runs a statement that reads at most `FEW + 1` matches in any order
/// and, when there are at most [`FEW`], the page of them in creation
/// order (with no `sortBy` every key is `Missing`).
async fn at_most_few(reader: &mut dyn Reader, query: &Query, sql: &Sql) -> Result<Option<Page>> {
    let rows = reader.records(sql).await?;
    if rows.len() > FEW {
        return Ok(None);
    }
    let items = rows
        .into_iter()
        .map(|r| (SortKey::Missing, r.seq, r.resource))
        .collect();
    let (total, resources, next_cursor) = paginate(query, items)?;
    Ok(Some(Page {
        total,
        resources,
        next_cursor,
    }))
}
