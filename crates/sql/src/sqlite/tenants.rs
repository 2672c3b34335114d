//! Tenant rows.

use rusqlite::{Connection, OptionalExtension, Row, params};
use scimhub_schema::datetime::DateTime;
use scimhub_store::{
    Error, ErrorKind, NewTenant, Result, Tenant, TenantId, TenantUpdate, TokenHash,
};

use super::error::{Class, classify, db, failed};
use crate::columns::{from_ns, tenant_columns, to_ns};

fn hash(bytes: Vec<u8>) -> rusqlite::Result<TokenHash> {
    <[u8; 32]>::try_from(bytes.as_slice())
        .map(TokenHash)
        .map_err(|_| {
            rusqlite::Error::InvalidColumnType(1, "token_hash".into(), rusqlite::types::Type::Blob)
        })
}

fn instant(s: Option<i64>, n: Option<i64>) -> Option<DateTime> {
    s.map(|s| DateTime::from_unix(s, n.and_then(|n| u32::try_from(n).ok()).unwrap_or(0)))
}

/// Decodes a row selected with [`tenant_columns!`].
pub(crate) fn tenant_row(row: &Row<'_>) -> rusqlite::Result<Tenant> {
    let id: String = row.get(0)?;
    let id = TenantId::new(&id).map_err(|_| {
        rusqlite::Error::InvalidColumnType(0, "id".into(), rusqlite::types::Type::Text)
    })?;
    let previous: Option<Vec<u8>> = row.get(2)?;
    let until = instant(row.get(3)?, row.get(4)?);
    let domains: String = row.get(5)?;
    let rate: Option<i64> = row.get(6)?;
    Ok(Tenant {
        id,
        token: hash(row.get(1)?)?,
        previous_token: match (previous, until) {
            (Some(p), Some(u)) => Some((hash(p)?, u)),
            _ => None,
        },
        allowed_domains: serde_json::from_str(&domains).unwrap_or_default(),
        rate_limit: rate.and_then(|r| u32::try_from(r).ok()),
        created: from_ns(row.get(7)?),
        last_request_at: instant(row.get(8)?, row.get(9)?),
    })
}

pub(crate) fn tenant(conn: &Connection, id: &TenantId) -> Result<Option<Tenant>> {
    conn.prepare_cached(concat!(
        "SELECT ",
        tenant_columns!(),
        " FROM tenants WHERE id = ?1"
    ))
    .and_then(|mut s| s.query_row([id.as_str()], tenant_row).optional())
    .map_err(failed("reading a tenant"))
}

pub(crate) fn exists(conn: &Connection, id: &TenantId) -> Result<bool> {
    conn.prepare_cached("SELECT 1 FROM tenants WHERE id = ?1")
        .and_then(|mut s| s.exists([id.as_str()]))
        .map_err(failed("reading a tenant"))
}

/// The tenant epoch: a counter that every change to a tenant's name,
/// tokens, domains or rate limit advances (migration 0003's triggers),
/// with the schema version, which every change to the tables (a
/// migration, an operator's `ALTER TABLE`) advances. Two statements, to
/// be read in one transaction: the table-valued `pragma_schema_version`
/// would compile its own `PRAGMA` statement on every call.
pub(crate) fn epoch(conn: &Connection) -> Result<(i64, i64)> {
    let n = conn
        .prepare_cached("SELECT n FROM tenant_epoch WHERE only = 0")
        .and_then(|mut s| s.query_row([], |r| r.get(0)));
    let schema = conn
        .prepare_cached("PRAGMA schema_version")
        .and_then(|mut s| s.query_row([], |r| r.get(0)));
    n.and_then(|n| Ok((n, schema?)))
        .map_err(failed("reading the tenant epoch"))
}

pub(crate) fn by_token(conn: &Connection, token: &TokenHash) -> Result<Vec<Tenant>> {
    conn.prepare_cached(concat!(
        "SELECT ",
        tenant_columns!(),
        " FROM tenants WHERE token_hash = ?1 ",
        // A tenant whose token equals its previous one comes twice;
        // callers pick the first tenant accepting the token.
        "UNION ALL SELECT ",
        tenant_columns!(),
        " FROM tenants WHERE previous_token_hash = ?1"
    ))
    .and_then(|mut s| s.query_map([&token.0[..]], tenant_row)?.collect())
    .map_err(failed("looking a token up"))
}

pub(crate) fn all(conn: &Connection) -> Result<Vec<Tenant>> {
    conn.prepare_cached(concat!(
        "SELECT ",
        tenant_columns!(),
        " FROM tenants ORDER BY id"
    ))
    .and_then(|mut s| s.query_map([], tenant_row)?.collect())
    .map_err(failed("listing tenants"))
}

pub(crate) fn create(conn: &Connection, t: &NewTenant) -> Result<Tenant> {
    if exists(conn, &t.id)? {
        return Err(Error::new(
            ErrorKind::TenantExists,
            format!("a tenant named '{}' already exists", t.id),
        ));
    }
    let domains = serde_json::to_string(&t.allowed_domains).unwrap_or_else(|_| "[]".into());
    let created = DateTime::now();
    conn.prepare_cached(
        "INSERT INTO tenants (id, token_hash, allowed_domains, created_ns) VALUES (?1, ?2, ?3, ?4)",
    )
    .and_then(|mut s| {
        s.execute(params![
            t.id.as_str(),
            &t.token.0[..],
            domains,
            to_ns(created)
        ])
    })
    .map_err(|e| match classify(&e) {
        Class::Unique => Error::uniqueness("token"),
        _ => db(e),
    })?;
    Ok(Tenant {
        id: t.id.clone(),
        token: t.token,
        previous_token: None,
        allowed_domains: t.allowed_domains.clone(),
        rate_limit: None,
        created,
        last_request_at: None,
    })
}

pub(crate) fn update(conn: &Connection, id: &TenantId, update: TenantUpdate) -> Result<Tenant> {
    let mut t =
        tenant(conn, id)?.ok_or_else(|| Error::not_found(format!("no tenant named '{id}'")))?;
    if let Some((token, grace_until)) = update.token {
        t.previous_token = grace_until.map(|until| (t.token, until));
        t.token = token;
    }
    if let Some(domains) = update.allowed_domains {
        t.allowed_domains = domains;
    }
    if let Some(limit) = update.rate_limit {
        t.rate_limit = limit;
    }
    let domains = serde_json::to_string(&t.allowed_domains).unwrap_or_else(|_| "[]".into());
    let (prev, until_s, until_n) = match &t.previous_token {
        Some((p, u)) => (
            Some(p.0.to_vec()),
            Some(u.unix_seconds()),
            Some(i64::from(u.nanos())),
        ),
        None => (None, None, None),
    };
    conn.prepare_cached(
        "UPDATE tenants SET token_hash = ?2, previous_token_hash = ?3, previous_token_until_s = ?4, \
         previous_token_until_n = ?5, allowed_domains = ?6, rate_limit = ?7 WHERE id = ?1",
    )
    .and_then(|mut s| {
        s.execute(params![
            id.as_str(),
            &t.token.0[..],
            prev,
            until_s,
            until_n,
            domains,
            t.rate_limit.map(i64::from)
        ])
    })
    .map_err(|e| match classify(&e) {
        Class::Unique => Error::uniqueness("token"),
        _ => db(e),
    })?;
    Ok(t)
}

pub(crate) fn delete(conn: &Connection, id: &TenantId) -> Result<()> {
    let n = conn
        .prepare_cached("DELETE FROM tenants WHERE id = ?1")
        .and_then(|mut s| s.execute([id.as_str()]))
        .map_err(failed("deleting a tenant"))?;
    if n == 0 {
        return Err(Error::not_found(format!("no tenant named '{id}'")));
    }
    Ok(())
}

/// Writes recorded request instants, never moving one backwards.
pub(crate) fn record_requests(conn: &Connection, seen: &[(TenantId, DateTime)]) -> Result<()> {
    let mut s = conn
        .prepare_cached(
            "UPDATE tenants SET last_request_s = ?2, last_request_n = ?3 WHERE id = ?1 \
             AND (last_request_s IS NULL OR last_request_s < ?2 OR (last_request_s = ?2 AND last_request_n < ?3))",
        )
        .map_err(db)?;
    for (id, at) in seen {
        s.execute(params![
            id.as_str(),
            at.unix_seconds(),
            i64::from(at.nanos())
        ])
        .map_err(db)?;
    }
    Ok(())
}
