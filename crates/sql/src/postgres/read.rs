//! Reads, and the [`Reader`] the shared query code runs on.

use async_trait::async_trait;
use deadpool_postgres::{GenericClient, Object};
use scimhub_store::{Document, Member, ResourceId, Result, StoredResource, TenantId, Version};
use tokio_postgres::Row;
use tokio_postgres::types::{ToSql, Type};

use super::error::db;
use super::tenants;
use crate::columns::{from_ns, record_columns};
use crate::listing::{KeyRow, Reader, Record};
use crate::sql::{Param, Sql};

/// Decodes the store's own fields from columns 0..6.
fn meta(row: &Row) -> Result<(i64, StoredResource)> {
    Ok((
        row.try_get(0).map_err(db)?,
        StoredResource {
            id: ResourceId::new(row.try_get::<_, String>(1).map_err(db)?),
            resource_type: row.try_get(2).map_err(db)?,
            version: Version(u64::try_from(row.try_get::<_, i64>(3).map_err(db)?).unwrap_or(0)),
            created: from_ns(row.try_get(4).map_err(db)?),
            last_modified: from_ns(row.try_get(5).map_err(db)?),
            document: Document::default(),
        },
    ))
}

fn record(row: &Row) -> Result<Record> {
    record_from(row, 0)
}

/// A record from [`record_columns!`] starting at column `at`.
fn record_from(row: &Row, at: usize) -> Result<Record> {
    Ok(Record {
        seq: row.try_get(at).map_err(db)?,
        resource: StoredResource {
            id: ResourceId::new(row.try_get::<_, String>(at + 1).map_err(db)?),
            resource_type: row.try_get(at + 2).map_err(db)?,
            version: Version(
                u64::try_from(row.try_get::<_, i64>(at + 3).map_err(db)?).unwrap_or(0),
            ),
            created: from_ns(row.try_get(at + 4).map_err(db)?),
            last_modified: from_ns(row.try_get(at + 5).map_err(db)?),
            document: row
                .try_get::<_, serde_json::Value>(at + 6)
                .map_err(db)?
                .into(),
        },
    })
}

fn boxed(sql: &Sql) -> Vec<Box<dyn ToSql + Sync + Send>> {
    sql.params
        .iter()
        .map(|p| -> Box<dyn ToSql + Sync + Send> {
            match p {
                Param::Text(s) => Box::new(s.clone()),
                Param::Int(i) => Box::new(*i),
                Param::Real(f) => Box::new(*f),
                Param::Ints(v) => Box::new(v.clone()),
            }
        })
        .collect()
}

/// Statements a connection keeps prepared before its cache is emptied:
/// filters come in many shapes, and the cache must not grow without end.
const MAX_CACHED: usize = 512;

async fn query(c: &Object, sql: &Sql) -> Result<Vec<Row>> {
    let params = boxed(sql);
    let refs: Vec<&(dyn ToSql + Sync)> = params
        .iter()
        .map(|p| p.as_ref() as &(dyn ToSql + Sync))
        .collect();
    if c.statement_cache.size() > MAX_CACHED {
        c.statement_cache.clear();
    }
    // Typed from the parameters themselves: a parameter the translation
    // bound but left unused (an inexact leaf) has no type to infer.
    let types: Vec<Type> = sql
        .params
        .iter()
        .map(|p| match p {
            Param::Text(_) => Type::TEXT,
            Param::Int(_) => Type::INT8,
            Param::Real(_) => Type::FLOAT8,
            Param::Ints(_) => Type::INT8_ARRAY,
        })
        .collect();
    let stmt = c
        .prepare_typed_cached(&sql.text, &types)
        .await
        .map_err(db)?;
    c.query(&stmt, &refs).await.map_err(db)
}

/// A resource by type and id. The statement names only the tenant and
/// the id, so that the unique index on them is the planner's one choice
/// even before the tables have statistics (with the type in it too, a
/// freshly loaded table is walked through the type index); the type is
/// checked on the row.
pub(crate) async fn get(
    c: &impl GenericClient,
    t: &TenantId,
    rt: &str,
    id: &ResourceId,
) -> Result<Option<StoredResource>> {
    let stmt = c
        .prepare_cached(concat!(
            "SELECT ",
            record_columns!(),
            " FROM resources r WHERE r.tenant = $1 AND r.id = $2"
        ))
        .await
        .map_err(db)?;
    let found = c
        .query_opt(&stmt, &[&t.as_str(), &id.as_str()])
        .await
        .map_err(db)?
        .as_ref()
        .map(|r| record(r).map(|r| r.resource))
        .transpose()?;
    Ok(found.filter(|r| r.resource_type == rt))
}

pub(crate) async fn members(
    c: &impl GenericClient,
    t: &TenantId,
    group: &ResourceId,
    after: Option<&ResourceId>,
    limit: usize,
) -> Result<Vec<Member>> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let stmt = c
        .prepare_cached(
            "SELECT member_id, member_type FROM memberships WHERE tenant = $1 AND group_id = $2 \
             AND member_id > $3 ORDER BY member_id LIMIT $4",
        )
        .await
        .map_err(db)?;
    let after = after.map_or("", ResourceId::as_str);
    c.query(&stmt, &[&t.as_str(), &group.as_str(), &after, &limit])
        .await
        .map_err(db)?
        .iter()
        .map(|r| {
            Ok(Member {
                id: ResourceId::new(r.try_get::<_, String>(0).map_err(db)?),
                resource_type: r.try_get(1).map_err(db)?,
            })
        })
        .collect()
}

pub(crate) async fn member_count(
    c: &impl GenericClient,
    t: &TenantId,
    group: &ResourceId,
) -> Result<Option<u64>> {
    let stmt = c
        .prepare_cached("SELECT member_count FROM resources WHERE tenant = $1 AND id = $2")
        .await
        .map_err(db)?;
    c.query_opt(&stmt, &[&t.as_str(), &group.as_str()])
        .await
        .map_err(db)?
        .map(|r| {
            r.try_get::<_, i64>(0)
                .map(|n| u64::try_from(n).unwrap_or(0))
                .map_err(db)
        })
        .transpose()
}

pub(crate) async fn groups_of(
    c: &impl GenericClient,
    t: &TenantId,
    member: &ResourceId,
) -> Result<Vec<StoredResource>> {
    let stmt = c
        .prepare_cached(concat!(
            "SELECT ",
            record_columns!(),
            " FROM memberships m JOIN resources r ON r.tenant = m.tenant AND r.id = m.group_id \
             WHERE m.tenant = $1 AND m.member_id = $2 ORDER BY m.group_id"
        ))
        .await
        .map_err(db)?;
    c.query(&stmt, &[&t.as_str(), &member.as_str()])
        .await
        .map_err(db)?
        .iter()
        .map(|r| record(r).map(|r| r.resource))
        .collect()
}

/// Which of `candidates` are direct members of `group`, in one statement.
pub(crate) async fn members_among(
    c: &impl GenericClient,
    t: &TenantId,
    group: &ResourceId,
    candidates: &[ResourceId],
) -> Result<std::collections::HashSet<ResourceId>> {
    let stmt = c
        .prepare_cached(
            "SELECT member_id FROM memberships WHERE tenant = $1 AND group_id = $2 AND member_id = ANY($3)",
        )
        .await
        .map_err(db)?;
    let ids: Vec<&str> = candidates.iter().map(ResourceId::as_str).collect();
    c.query(&stmt, &[&t.as_str(), &group.as_str(), &ids])
        .await
        .map_err(db)?
        .iter()
        .map(|r| r.try_get::<_, String>(0).map(ResourceId::new).map_err(db))
        .collect()
}

/// A resource and the groups it is a direct member of, in one statement.
pub(crate) async fn get_with_groups(
    c: &impl GenericClient,
    t: &TenantId,
    rt: &str,
    id: &ResourceId,
) -> Result<Option<(StoredResource, Vec<StoredResource>)>> {
    let stmt = c
        .prepare_cached(concat!(
            "SELECT 0 AS part, ",
            record_columns!(),
            " FROM resources r WHERE r.tenant = $1 AND r.id = $2 \
             UNION ALL \
             SELECT 1, ",
            record_columns!(),
            " FROM memberships m JOIN resources r ON r.tenant = m.tenant AND r.id = m.group_id \
             WHERE m.tenant = $1 AND m.member_id = $2 \
             ORDER BY 1, 3"
        ))
        .await
        .map_err(db)?;
    let mut found = None;
    let mut groups = Vec::new();
    for row in c
        .query(&stmt, &[&t.as_str(), &id.as_str()])
        .await
        .map_err(db)?
    {
        let part: i32 = row.try_get(0).map_err(db)?;
        let resource = record_from(&row, 1)?.resource;
        if part == 0 {
            found = Some(resource);
        } else {
            groups.push(resource);
        }
    }
    // The type is checked on the row, as in [`get`].
    Ok(found
        .filter(|r: &StoredResource| r.resource_type == rt)
        .map(|r| (r, groups)))
}

/// The groups of several members in one statement, keyed by member id.
pub(crate) async fn groups_of_many(
    c: &impl GenericClient,
    t: &TenantId,
    members: &[ResourceId],
) -> Result<std::collections::HashMap<ResourceId, Vec<StoredResource>>> {
    let stmt = c
        .prepare_cached(concat!(
            "SELECT m.member_id, ",
            record_columns!(),
            " FROM memberships m JOIN resources r ON r.tenant = m.tenant AND r.id = m.group_id \
             WHERE m.tenant = $1 AND m.member_id = ANY($2) ORDER BY m.member_id, m.group_id"
        ))
        .await
        .map_err(db)?;
    let ids: Vec<&str> = members.iter().map(ResourceId::as_str).collect();
    let mut out: std::collections::HashMap<ResourceId, Vec<StoredResource>> =
        std::collections::HashMap::new();
    for row in c.query(&stmt, &[&t.as_str(), &ids]).await.map_err(db)? {
        let member: String = row.try_get(0).map_err(db)?;
        let resource = record_from(&row, 1)?.resource;
        out.entry(ResourceId::new(member))
            .or_default()
            .push(resource);
    }
    Ok(out)
}

/// The shared query code's access to PostgreSQL, inside one
/// repeatable-read, read-only transaction so that counts and pages agree.
/// The BEGIN is sent together with the first statement (one round trip
/// for both).
pub(crate) struct PgReader {
    client: Object,
    begun: bool,
}

impl PgReader {
    pub(crate) fn new(client: Object) -> PgReader {
        PgReader {
            client,
            begun: false,
        }
    }

    async fn rows(&mut self, sql: &Sql) -> Result<Vec<Row>> {
        if self.begun {
            return query(&self.client, sql).await;
        }
        self.begun = true;
        // Polled in order, so BEGIN goes out first, on the same connection.
        let (begin, rows) = tokio::join!(
            self.client
                .batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"),
            query(&self.client, sql)
        );
        begin.map_err(db)?;
        rows
    }

    pub(crate) async fn finish(self) {
        if self.begun && self.client.batch_execute("COMMIT").await.is_err() {
            // Never hand a connection in an unknown state back to the pool.
            let _ = Object::take(self.client);
        }
    }
}

#[async_trait]
impl Reader for PgReader {
    async fn records(&mut self, sql: &Sql) -> Result<Vec<Record>> {
        self.rows(sql).await?.iter().map(record).collect()
    }

    async fn key_rows(&mut self, sql: &Sql) -> Result<Vec<KeyRow>> {
        self.rows(sql)
            .await?
            .iter()
            .map(|r| {
                let (seq, meta) = meta(r)?;
                Ok(KeyRow {
                    seq,
                    meta,
                    fragment: r.try_get(6).map_err(db)?,
                })
            })
            .collect()
    }

    async fn number(&mut self, sql: &Sql) -> Result<i64> {
        let rows = self.rows(sql).await?;
        match rows.first() {
            Some(r) => r.try_get(0).map_err(db),
            None => Ok(0),
        }
    }

    async fn tenant_exists(&mut self, tenant: &TenantId) -> Result<bool> {
        tenants::exists(&self.client, tenant).await
    }

    async fn groups_of(
        &mut self,
        tenant: &TenantId,
        member: &ResourceId,
    ) -> Result<Vec<StoredResource>> {
        groups_of(&self.client, tenant, member).await
    }

    async fn groups_of_many(
        &mut self,
        tenant: &TenantId,
        members: &[ResourceId],
    ) -> Result<std::collections::HashMap<ResourceId, Vec<StoredResource>>> {
        groups_of_many(&self.client, tenant, members).await
    }
}
