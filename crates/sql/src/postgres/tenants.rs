//! Tenant rows.

use deadpool_postgres::GenericClient;
use scimhub_schema::datetime::DateTime;
use scimhub_store::{
    Error, ErrorKind, NewTenant, Result, Tenant, TenantId, TenantUpdate, TokenHash,
};
use tokio_postgres::Row;

use super::error::{Class, classify, db};
use crate::columns::{from_ns, tenant_columns, to_ns};

fn hash(bytes: &[u8]) -> Result<TokenHash> {
    <[u8; 32]>::try_from(bytes).map(TokenHash).map_err(|_| {
        Error::new(
            ErrorKind::Unavailable,
            "a stored token hash is not 32 bytes",
        )
    })
}

fn instant(s: Option<i64>, n: Option<i64>) -> Option<DateTime> {
    s.map(|s| DateTime::from_unix(s, n.and_then(|n| u32::try_from(n).ok()).unwrap_or(0)))
}

/// Decodes a row selected with [`tenant_columns!`].
pub(crate) fn tenant_row(row: &Row) -> Result<Tenant> {
    let id: String = row.try_get(0).map_err(db)?;
    let previous: Option<Vec<u8>> = row.try_get(2).map_err(db)?;
    let until = instant(row.try_get(3).map_err(db)?, row.try_get(4).map_err(db)?);
    let domains: serde_json::Value = row.try_get(5).map_err(db)?;
    let rate: Option<i64> = row.try_get(6).map_err(db)?;
    let token: Vec<u8> = row.try_get(1).map_err(db)?;
    Ok(Tenant {
        id: TenantId::new(&id)?,
        token: hash(&token)?,
        previous_token: match (previous, until) {
            (Some(p), Some(u)) => Some((hash(&p)?, u)),
            _ => None,
        },
        allowed_domains: serde_json::from_value(domains).unwrap_or_default(),
        rate_limit: rate.and_then(|r| u32::try_from(r).ok()),
        created: from_ns(row.try_get(7).map_err(db)?),
        last_request_at: instant(row.try_get(8).map_err(db)?, row.try_get(9).map_err(db)?),
    })
}

pub(crate) async fn tenant(c: &impl GenericClient, id: &TenantId) -> Result<Option<Tenant>> {
    let stmt = c
        .prepare_cached(concat!(
            "SELECT ",
            tenant_columns!(),
            " FROM tenants WHERE id = $1"
        ))
        .await
        .map_err(db)?;
    c.query_opt(&stmt, &[&id.as_str()])
        .await
        .map_err(db)?
        .as_ref()
        .map(tenant_row)
        .transpose()
}

pub(crate) async fn exists(c: &impl GenericClient, id: &TenantId) -> Result<bool> {
    let stmt = c
        .prepare_cached("SELECT 1 FROM tenants WHERE id = $1")
        .await
        .map_err(db)?;
    Ok(c.query_opt(&stmt, &[&id.as_str()])
        .await
        .map_err(db)?
        .is_some())
}

pub(crate) async fn by_token(c: &impl GenericClient, token: &TokenHash) -> Result<Vec<Tenant>> {
    let stmt = c
        .prepare_cached(concat!(
            "SELECT ",
            tenant_columns!(),
            " FROM tenants WHERE token_hash = $1 ",
            // A tenant whose token equals its previous one comes twice;
            // callers pick the first tenant accepting the token.
            "UNION ALL SELECT ",
            tenant_columns!(),
            " FROM tenants WHERE previous_token_hash = $1"
        ))
        .await
        .map_err(db)?;
    c.query(&stmt, &[&&token.0[..]])
        .await
        .map_err(db)?
        .iter()
        .map(tenant_row)
        .collect()
}

pub(crate) async fn all(c: &impl GenericClient) -> Result<Vec<Tenant>> {
    let stmt = c
        .prepare_cached(concat!(
            "SELECT ",
            tenant_columns!(),
            " FROM tenants ORDER BY id"
        ))
        .await
        .map_err(db)?;
    c.query(&stmt, &[])
        .await
        .map_err(db)?
        .iter()
        .map(tenant_row)
        .collect()
}

fn unique_or_db(e: tokio_postgres::Error, id: &TenantId) -> Error {
    match classify(&e) {
        Class::Unique if e.as_db_error().and_then(|d| d.constraint()) == Some("tenants_pkey") => {
            Error::new(
                ErrorKind::TenantExists,
                format!("a tenant named '{id}' already exists"),
            )
        }
        Class::Unique => Error::uniqueness("token"),
        _ => db(e),
    }
}

pub(crate) async fn create(c: &impl GenericClient, t: &NewTenant) -> Result<Tenant> {
    let created = DateTime::now();
    let domains = serde_json::to_value(&t.allowed_domains).unwrap_or_default();
    let stmt = c
        .prepare_cached("INSERT INTO tenants (id, token_hash, allowed_domains, created_ns) VALUES ($1, $2, $3, $4)")
        .await
        .map_err(db)?;
    c.execute(
        &stmt,
        &[&t.id.as_str(), &&t.token.0[..], &domains, &to_ns(created)],
    )
    .await
    .map_err(|e| unique_or_db(e, &t.id))?;
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

pub(crate) async fn update(
    c: &impl GenericClient,
    id: &TenantId,
    update: &TenantUpdate,
) -> Result<Tenant> {
    let stmt = c
        .prepare_cached(concat!(
            "SELECT ",
            tenant_columns!(),
            " FROM tenants WHERE id = $1 FOR UPDATE"
        ))
        .await
        .map_err(db)?;
    let row = c.query_opt(&stmt, &[&id.as_str()]).await.map_err(db)?;
    let mut t = match row {
        Some(r) => tenant_row(&r)?,
        None => return Err(Error::not_found(format!("no tenant named '{id}'"))),
    };
    if let Some((token, grace_until)) = &update.token {
        t.previous_token = grace_until.map(|until| (t.token, until));
        t.token = *token;
    }
    if let Some(domains) = &update.allowed_domains {
        t.allowed_domains = domains.clone();
    }
    if let Some(limit) = update.rate_limit {
        t.rate_limit = limit;
    }
    let domains = serde_json::to_value(&t.allowed_domains).unwrap_or_default();
    let (prev, until_s, until_n) = match &t.previous_token {
        Some((p, u)) => (
            Some(p.0.to_vec()),
            Some(u.unix_seconds()),
            Some(i64::from(u.nanos())),
        ),
        None => (None, None, None),
    };
    let stmt = c
        .prepare_cached(
            "UPDATE tenants SET token_hash = $2, previous_token_hash = $3, previous_token_until_s = $4, \
             previous_token_until_n = $5, allowed_domains = $6, rate_limit = $7 WHERE id = $1",
        )
        .await
        .map_err(db)?;
    c.execute(
        &stmt,
        &[
            &id.as_str(),
            &&t.token.0[..],
            &prev,
            &until_s,
            &until_n,
            &domains,
            &t.rate_limit.map(i64::from),
        ],
    )
    .await
    .map_err(|e| unique_or_db(e, id))?;
    Ok(t)
}

pub(crate) async fn delete(c: &impl GenericClient, id: &TenantId) -> Result<()> {
    let stmt = c
        .prepare_cached("DELETE FROM tenants WHERE id = $1")
        .await
        .map_err(db)?;
    if c.execute(&stmt, &[&id.as_str()]).await.map_err(db)? == 0 {
        return Err(Error::not_found(format!("no tenant named '{id}'")));
    }
    Ok(())
}

/// Writes recorded request instants, never moving one backwards.
pub(crate) async fn record_requests(
    c: &impl GenericClient,
    seen: &[(TenantId, DateTime)],
) -> Result<()> {
    let stmt = c
        .prepare_cached(
            "UPDATE tenants SET last_request_s = $2, last_request_n = $3 WHERE id = $1 \
             AND (last_request_s IS NULL OR (last_request_s, last_request_n) < ($2, $3))",
        )
        .await
        .map_err(db)?;
    for (id, at) in seen {
        c.execute(
            &stmt,
            &[&id.as_str(), &at.unix_seconds(), &i64::from(at.nanos())],
        )
        .await
        .map_err(db)?;
    }
    Ok(())
}
