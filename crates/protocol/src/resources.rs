//! Create, read, replace, modify and delete (RFC 7644 §3.3–§3.6).

use scimhub_schema::message::{PatchOp, PatchOperation, split_names};
use scimhub_schema::{Context, Projection, ResourceTypeRef, urn};
use scimhub_store::{
    ErrorKind, MemberChange, NewResource, ResourceId, StoredResource, Tenant, UniqueValue, Update,
};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::config::Compatibility;
use crate::error::{Result, ScimError};
use crate::patch;
use crate::render::{etag, etag_matches, location, render};
use crate::request::{Request, Response};
use crate::service::Service;
use crate::tenancy::check_domains;

/// How many times a write without `If-Match` re-reads and retries after
/// losing a race with another writer.
const RETRIES: usize = 5;

/// Parses a JSON body within the size limit.
pub(crate) fn parse_body<T: DeserializeOwned>(req: &Request, limit: usize) -> Result<T> {
    if req.body.len() > limit {
        return Err(ScimError::payload_too_large(format!(
            "the request body is {} bytes; the limit is {limit}",
            req.body.len()
        )));
    }
    if req.body.iter().all(u8::is_ascii_whitespace) {
        return Err(ScimError::invalid_syntax("the request needs a JSON body"));
    }
    serde_json::from_slice(&req.body).map_err(|e| {
        ScimError::invalid_syntax(format!("the body is not valid JSON for this request: {e}"))
    })
}

/// `attributes` and `excludedAttributes` from the query string.
pub(crate) fn projection(rt: ResourceTypeRef<'_>, req: &Request) -> Projection {
    let attributes = req.param("attributes").map(split_names).unwrap_or_default();
    let excluded = req
        .param("excludedAttributes")
        .map(split_names)
        .unwrap_or_default();
    projection_of(rt, &attributes, &excluded)
}

pub(crate) fn projection_of(
    rt: ResourceTypeRef<'_>,
    attributes: &[String],
    excluded: &[String],
) -> Projection {
    let a: Vec<&str> = attributes.iter().map(String::as_str).collect();
    let e: Vec<&str> = excluded.iter().map(String::as_str).collect();
    rt.projection(&a, &e)
}

/// A validated document made ready for the store: the password dropped
/// (it is never stored), members taken out (groups keep them apart), the
/// domain policy checked, and the unique values listed.
struct Prepared {
    document: Value,
    members: Option<Vec<ResourceId>>,
    unique: Vec<UniqueValue>,
}

fn prepare(rt: ResourceTypeRef<'_>, tenant: &Tenant, validated: Value) -> Result<Prepared> {
    let Value::Object(mut doc) = validated else {
        return Err(ScimError::internal());
    };
    doc.remove("password");
    let members = if rt.name() == "Group" {
        Some(patch::member_ids(doc.remove("members").as_ref())?)
    } else {
        None
    };
    if rt.name() == "User" {
        let mut addresses: Vec<(&str, &str)> = Vec::new();
        if let Some(Value::String(u)) = doc.get("userName") {
            addresses.push(("userName", u));
        }
        if let Some(Value::Array(emails)) = doc.get("emails") {
            for e in emails {
                if let Some(Value::String(v)) = e.get("value") {
                    addresses.push(("email", v));
                }
            }
        }
        check_domains(&tenant.allowed_domains, addresses)?;
    }
    let unique = rt
        .unique_attributes()
        .iter()
        .filter_map(|u| {
            let container: &Map<String, Value> = match u.extension() {
                Some(ext) => doc.get(ext.id())?.as_object()?,
                None => &doc,
            };
            container
                .get(u.attribute().name())
                .and_then(Value::as_str)
                .map(|v| UniqueValue::new(&u.canonical_path(), v, u.definition().case_exact()))
        })
        .collect();
    Ok(Prepared {
        document: Value::Object(doc),
        members,
        unique,
    })
}

fn with_etag(mut response: Response, r: &StoredResource) -> Response {
    response.headers.push(("ETag".into(), etag(r.version)));
    response
}

pub(crate) async fn create(
    service: &Service,
    tenant: &Tenant,
    rt: ResourceTypeRef<'_>,
    req: &Request,
) -> Result<Response> {
    let body: Value = parse_body(req, service.config().limits.max_body_bytes)?;
    let validated = rt.validate(&body, Context::Create)?;
    let prepared = prepare(rt, tenant, validated)?;
    let stored = service
        .store()
        .create(
            &tenant.id,
            NewResource {
                resource_type: rt.name().to_owned(),
                document: prepared.document,
                unique: prepared.unique,
                members: prepared.members.unwrap_or_default(),
            },
        )
        .await?;
    let body = render(
        &**service.store(),
        &tenant.id,
        rt,
        &stored,
        &req.base_url,
        &projection(rt, req),
    )
    .await?;
    Ok(with_etag(Response::json(201, &body), &stored)
        .with_header("Location", location(&req.base_url, rt, &stored.id)))
}

async fn load(
    service: &Service,
    tenant: &Tenant,
    rt: ResourceTypeRef<'_>,
    id: &str,
) -> Result<StoredResource> {
    service
        .store()
        .get(&tenant.id, rt.name(), &ResourceId::new(id))
        .await?
        .ok_or_else(|| ScimError::not_found(format!("no {} with id '{id}'", rt.name())))
}

fn check_if_match(req: &Request, stored: &StoredResource) -> Result<()> {
    match &req.if_match {
        Some(h) if !etag_matches(h, stored.version) => {
            Err(ScimError::precondition_failed(format!(
                "If-Match {h} does not match the current version {}",
                etag(stored.version)
            )))
        }
        _ => Ok(()),
    }
}

pub(crate) async fn get(
    service: &Service,
    tenant: &Tenant,
    rt: ResourceTypeRef<'_>,
    req: &Request,
    id: &str,
) -> Result<Response> {
    let stored = load(service, tenant, rt, id).await?;
    if let Some(h) = &req.if_none_match
        && etag_matches(h, stored.version)
    {
        return Ok(with_etag(Response::empty(304), &stored));
    }
    let body = render(
        &**service.store(),
        &tenant.id,
        rt,
        &stored,
        &req.base_url,
        &projection(rt, req),
    )
    .await?;
    Ok(with_etag(Response::json(200, &body), &stored))
}

pub(crate) async fn replace(
    service: &Service,
    tenant: &Tenant,
    rt: ResourceTypeRef<'_>,
    req: &Request,
    id: &str,
) -> Result<Response> {
    let body: Value = parse_body(req, service.config().limits.max_body_bytes)?;
    for attempt in 0..RETRIES {
        let stored = load(service, tenant, rt, id).await?;
        check_if_match(req, &stored)?;
        let validated = rt.validate(
            &body,
            Context::Replace {
                existing: &stored.document,
            },
        )?;
        let prepared = prepare(rt, tenant, validated)?;
        let update = Update {
            document: Some((prepared.document, prepared.unique)),
            members: prepared.members.map(MemberChange::Replace),
        };
        match service
            .store()
            .update(
                &tenant.id,
                rt.name(),
                &stored.id,
                Some(stored.version),
                update,
            )
            .await
        {
            Ok(updated) => {
                let body = render(
                    &**service.store(),
                    &tenant.id,
                    rt,
                    &updated,
                    &req.base_url,
                    &projection(rt, req),
                )
                .await?;
                return Ok(with_etag(Response::json(200, &body), &updated));
            }
            Err(e) if retryable(&e, req) && attempt + 1 < RETRIES => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(ScimError::internal())
}

/// A version conflict is retried when the client did not ask for a
/// specific version.
fn retryable(e: &scimhub_store::Error, req: &Request) -> bool {
    matches!(e.kind(), ErrorKind::VersionConflict { .. }) && req.if_match.is_none()
}

/// Reads a PATCH body, enforcing the operation limit and, in strict mode,
/// the RFC's spelling.
fn patch_request(service: &Service, req: &Request) -> Result<Vec<PatchOperation>> {
    let raw: Value = parse_body(req, service.config().limits.max_body_bytes)?;
    let strict = service.config().compatibility == Compatibility::Strict;
    if strict {
        let lists_patch_op = raw
            .get("schemas")
            .and_then(Value::as_array)
            .is_some_and(|s| {
                s.iter()
                    .any(|u| u.as_str().is_some_and(|u| urn::eq(u, urn::PATCH_OP)))
            });
        if !lists_patch_op {
            return Err(ScimError::invalid_syntax(format!(
                "a PATCH body must list {} in \"schemas\"",
                urn::PATCH_OP
            )));
        }
        let lower = raw
            .get("Operations")
            .and_then(Value::as_array)
            .is_some_and(|ops| {
                ops.iter().all(|o| {
                    o.get("op")
                        .and_then(Value::as_str)
                        .is_some_and(|s| s == s.to_lowercase())
                })
            });
        if !lower {
            return Err(ScimError::invalid_syntax(
                "\"op\" must be \"add\", \"remove\" or \"replace\" in lower case",
            ));
        }
    }
    let op: PatchOp = serde_json::from_value(raw).map_err(|e| {
        ScimError::invalid_syntax(format!(
            "the body is not a PatchOp message: {e} (expected {{\"schemas\": [\"{}\"], \"Operations\": [{{\"op\": \"add\"|\"remove\"|\"replace\", \"path\": …, \"value\": …}}]}})",
            urn::PATCH_OP
        ))
    })?;
    let limit = service.config().limits.max_patch_operations;
    if op.operations.len() > limit {
        return Err(ScimError::payload_too_large(format!(
            "the request has {} operations; the limit is {limit}",
            op.operations.len()
        )));
    }
    if op.operations.is_empty() {
        return Err(ScimError::invalid_value(
            "a PATCH request needs at least one operation",
        ));
    }
    Ok(op.operations)
}

pub(crate) async fn patch(
    service: &Service,
    tenant: &Tenant,
    rt: ResourceTypeRef<'_>,
    req: &Request,
    id: &str,
) -> Result<Response> {
    let ops = patch_request(service, req)?;
    for attempt in 0..RETRIES {
        let stored = load(service, tenant, rt, id).await?;
        check_if_match(req, &stored)?;
        let outcome = patch::apply(
            rt,
            &stored.document,
            &ops,
            service.config().compatibility,
            id,
        )?;
        let document = if outcome.document_changed {
            let validated = rt.validate(
                &outcome.document,
                Context::PatchResult {
                    existing: &stored.document,
                },
            )?;
            let prepared = prepare(rt, tenant, validated)?;
            Some((prepared.document, prepared.unique))
        } else {
            None
        };
        let updated = if document.is_none() && outcome.members.is_none() {
            stored
        } else {
            // A document change depends on what was read; a membership
            // change alone does not, unless the client named a version.
            let expected = (document.is_some() || req.if_match.is_some()).then_some(stored.version);
            match service
                .store()
                .update(
                    &tenant.id,
                    rt.name(),
                    &stored.id,
                    expected,
                    Update {
                        document,
                        members: outcome.members,
                    },
                )
                .await
            {
                Ok(u) => u,
                Err(e) if retryable(&e, req) && attempt + 1 < RETRIES => continue,
                Err(e) => return Err(e.into()),
            }
        };
        let projection_given =
            req.param("attributes").is_some() || req.param("excludedAttributes").is_some();
        if rt.name() == "Group" && !projection_given {
            // RFC 7644 §3.5.2 allows 204; a group's representation can
            // hold a million members, and Entra ID expects 204 here.
            return Ok(with_etag(Response::empty(204), &updated));
        }
        let body = render(
            &**service.store(),
            &tenant.id,
            rt,
            &updated,
            &req.base_url,
            &projection(rt, req),
        )
        .await?;
        return Ok(with_etag(Response::json(200, &body), &updated));
    }
    Err(ScimError::internal())
}

pub(crate) async fn delete(
    service: &Service,
    tenant: &Tenant,
    rt: ResourceTypeRef<'_>,
    req: &Request,
    id: &str,
) -> Result<Response> {
    let expected = match &req.if_match {
        Some(h) => {
            let stored = load(service, tenant, rt, id).await?;
            check_if_match(req, &stored)?;
            if h.trim() == "*" {
                None
            } else {
                Some(stored.version)
            }
        }
        None => None,
    };
    service
        .store()
        .delete(&tenant.id, rt.name(), &ResourceId::new(id), expected)
        .await?;
    Ok(Response::empty(204))
}
