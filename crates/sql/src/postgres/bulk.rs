//! The import fast path: thousands of resources per statement.

use deadpool_postgres::GenericClient;
use scimhub_schema::datetime::DateTime;
use scimhub_store::{Error, ResourceId, Result, StoredResource, TenantId, Version};

use super::error::db;
use super::tenants;
use super::write::{create, no_tenant};
use crate::columns::{Doc, to_ns};

/// Rows per statement in [`create_many`].
const BULK_CHUNK: usize = 1_000;

/// Creates many resources with a few statements per thousand: the fast
/// path for imports. Resources with initial members go one by one.
pub(crate) async fn create_many(
    c: &impl GenericClient,
    t: &TenantId,
    items: &[(String, Doc, Vec<ResourceId>)],
) -> Result<Vec<StoredResource>> {
    if !tenants::exists(c, t).await? {
        return Err(no_tenant(t));
    }
    let insert = c
        .prepare_cached(
            "INSERT INTO resources (tenant, id, resource_type, version, created_ns, modified_ns, \
             user_name_fold, external_id, display_name_fold, irregular, doc) \
             SELECT $1, u.id, u.rt, 1, $2, $2, u.h0, u.h1, u.h2, u.irr, u.doc \
             FROM unnest($3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int2[], $9::jsonb[]) \
             AS u(id, rt, h0, h1, h2, irr, doc)",
        )
        .await
        .map_err(db)?;
    let uniques = c
        .prepare_cached(
            "INSERT INTO uniques (tenant, resource_type, attribute, value, resource_id) \
             SELECT $1, u.rt, u.a, u.v, u.id FROM unnest($2::text[], $3::text[], $4::text[], $5::text[]) AS u(rt, a, v, id) \
             ON CONFLICT DO NOTHING RETURNING resource_type, attribute, value",
        )
        .await
        .map_err(db)?;
    let mut out = Vec::with_capacity(items.len());
    for chunk in items.chunks(BULK_CHUNK) {
        let now = DateTime::now();
        let mut created = Vec::with_capacity(chunk.len());
        let (mut ids, mut rts, mut h0, mut h1, mut h2, mut irr, mut docs) =
            (vec![], vec![], vec![], vec![], vec![], vec![], vec![]);
        let (mut u_rt, mut u_attr, mut u_value, mut u_id) = (vec![], vec![], vec![], vec![]);
        for (rt, doc, members) in chunk {
            if !members.is_empty() {
                created.push(create(c, t, rt, doc, members).await?);
                continue;
            }
            let id = ResourceId::generate();
            let [a, b, d] = doc.computed.hot.clone();
            ids.push(id.to_string());
            rts.push(rt.clone());
            h0.push(a);
            h1.push(b);
            h2.push(d);
            irr.push(i16::from(doc.computed.irregular));
            docs.push(doc.value.clone());
            for u in &doc.unique {
                u_rt.push(rt.clone());
                u_attr.push(u.attribute.clone());
                u_value.push(u.value.clone());
                u_id.push(id.to_string());
            }
            created.push(StoredResource {
                id,
                resource_type: rt.clone(),
                version: Version::FIRST,
                created: now,
                last_modified: now,
                document: doc.value.clone().into(),
            });
        }
        c.execute(
            &insert,
            &[
                &t.as_str(),
                &to_ns(now),
                &ids,
                &rts,
                &h0,
                &h1,
                &h2,
                &irr,
                &docs,
            ],
        )
        .await
        .map_err(db)?;
        if !u_id.is_empty() {
            let rows = c
                .query(&uniques, &[&t.as_str(), &u_rt, &u_attr, &u_value, &u_id])
                .await
                .map_err(db)?;
            if rows.len() < u_id.len() {
                let mut stored = std::collections::HashSet::new();
                for r in &rows {
                    let key: (String, String, String) = (
                        r.try_get(0).map_err(db)?,
                        r.try_get(1).map_err(db)?,
                        r.try_get(2).map_err(db)?,
                    );
                    stored.insert(key);
                }
                let clash = u_rt
                    .iter()
                    .zip(&u_attr)
                    .zip(&u_value)
                    .find(|((rt, a), v)| {
                        !stored.remove(&((*rt).clone(), (*a).clone(), (*v).clone()))
                    })
                    .map_or("userName", |((_, a), _)| a.as_str());
                return Err(Error::uniqueness(clash));
            }
        }
        out.extend(created);
    }
    Ok(out)
}
