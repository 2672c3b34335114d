//! Create, read, replace, modify and delete (RFC 7644 §3.3–§3.6).

use scimhub_schema::message::{PatchOp, PatchOperation, split_names};
use scimhub_schema::{AttributeType, Context, Projection, ResourceTypeRef, urn};
use scimhub_store::{
    ErrorKind, MemberChange, NewResource, ResourceId, StoredResource, Tenant, UniqueValue, Update,
    Version,
};
use serde_json::{Map, Value};

use crate::body::parse_value;
use crate::config::Compatibility;
use crate::error::{Result, ScimError};
use crate::patch;
use crate::render::{etag, etag_matches, location, needs_groups, render_with};
use crate::request::{Request, Response};
use crate::service::Service;
use crate::tenancy::check_domains;

/// How many times a write without `If-Match` re-reads and retries after
/// losing a race with another writer. Each lost race means another write
/// landed, so the work stays bounded by the writes that overtake this one;
/// between attempts the task yields, so that the writers it races with can
/// finish. Five attempts were not enough: of eight tasks patching one user
/// at once, some lost five races in a row (tests/etags.rs).
const RETRIES: usize = 64;

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

/// Lenient mode: a bare string where a single-valued complex attribute
/// with a `value` sub-attribute belongs becomes `{"value": s}`, in the core
/// schema and in extensions. Microsoft Entra ID shows the enterprise
/// `manager` so (`"manager": "123456"`); the PATCH engine reads it the same
/// way.
fn wrap_bare_ids(rt: ResourceTypeRef<'_>, body: &mut Value) {
    fn wrap(obj: &mut Map<String, Value>, attrs: &[scimhub_schema::Attribute]) {
        for (key, value) in obj.iter_mut() {
            let Value::String(s) = value else { continue };
            let takes_id = attrs.iter().any(|a| {
                a.is_named(key)
                    && a.attr_type() == AttributeType::Complex
                    && !a.multi_valued()
                    && a.sub_attribute("value").is_some()
            });
            if takes_id {
                *value = serde_json::json!({ "value": s });
            }
        }
    }
    let Value::Object(doc) = body else { return };
    wrap(doc, rt.core_schema().attributes());
    for (ext, _) in rt.extensions() {
        if let Some(Value::Object(inner)) = doc
            .iter_mut()
            .find(|(k, _)| urn::eq(k, ext.id()))
            .map(|(_, v)| v)
        {
            wrap(inner, ext.attributes());
        }
    }
}

/// A validated document made ready for the store: the password dropped
/// (it is never stored), members taken out (groups keep them apart), the
/// domain policy checked, and the unique values listed.
///
/// The domain policy applies to the addresses a write brings in: an
/// update may keep the addresses the user already has, so a user stored
/// before the tenant's allow-list narrowed can still be deactivated.
struct Prepared {
    document: Value,
    members: Option<Vec<ResourceId>>,
    unique: Vec<UniqueValue>,
}

fn prepare(
    rt: ResourceTypeRef<'_>,
    tenant: &Tenant,
    validated: Value,
    previous: Option<&Value>,
) -> Result<Prepared> {
    let Value::Object(mut doc) = validated else {
        return Err(ScimError::internal());
    };
    doc.remove("password");
    let members = if rt.name() == "Group" {
        Some(patch::member_ids(doc.remove("members").as_ref())?)
    } else {
        None
    };
    if rt.name() == "User" && !tenant.allowed_domains.is_empty() {
        let kept = previous
            .and_then(Value::as_object)
            .map(addresses)
            .unwrap_or_default();
        check_domains(
            &tenant.allowed_domains,
            addresses(&doc)
                .into_iter()
                .filter(|(_, a)| !kept.iter().any(|(_, k)| k.eq_ignore_ascii_case(a))),
        )?;
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

/// A user's addresses: `userName` and each email value.
fn addresses(doc: &Map<String, Value>) -> Vec<(&'static str, &str)> {
    let mut out: Vec<(&'static str, &str)> = Vec::new();
    if let Some(Value::String(u)) = doc.get("userName") {
        out.push(("userName", u));
    }
    if let Some(Value::Array(emails)) = doc.get("emails") {
        for e in emails {
            if let Some(Value::String(v)) = e.get("value") {
                out.push(("email", v));
            }
        }
    }
    out
}

fn with_etag(mut response: Response, version: Version) -> Response {
    response.headers.push(("ETag".into(), etag(version)));
    response
}

pub(crate) async fn create(
    service: &Service,
    tenant: &Tenant,
    rt: ResourceTypeRef<'_>,
    req: &Request,
) -> Result<Response> {
    let mut body = parse_value(req, service.config().limits.max_body_bytes, None)?;
    if service.config().compatibility == Compatibility::Lenient {
        wrap_bare_ids(rt, &mut body);
    }
    let validated = rt.validate(&body, Context::Create)?;
    let prepared = prepare(rt, tenant, validated, None)?;
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
    let (version, at) = (stored.version, location(&req.base_url, rt, &stored.id));
    // A resource this request created belongs to no group yet: a
    // membership names an existing resource, and this id is new. Its
    // `groups` and licence need no read.
    let body = render_with(
        service,
        &tenant.id,
        rt,
        stored,
        &req.base_url,
        &projection(rt, req),
        Some(&[]),
    )
    .await?;
    Ok(with_etag(body.into_response(201), version).with_header("Location", at))
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
        .ok_or_else(|| not_found(rt, id))
}

/// A resource and, when its representation needs them (a user's
/// `groups` and licence), its groups, in one read. A user's own writes
/// never change its groups, so those read before a write also render it
/// after.
async fn load_with_groups(
    service: &Service,
    tenant: &Tenant,
    rt: ResourceTypeRef<'_>,
    id: &str,
    projection: &Projection,
) -> Result<(StoredResource, Option<Vec<StoredResource>>)> {
    if !needs_groups(rt, projection) {
        return Ok((load(service, tenant, rt, id).await?, None));
    }
    let (stored, groups) = service
        .store()
        .get_with_groups(&tenant.id, rt.name(), &ResourceId::new(id))
        .await?
        .ok_or_else(|| not_found(rt, id))?;
    Ok((stored, Some(groups)))
}

fn not_found(rt: ResourceTypeRef<'_>, id: &str) -> ScimError {
    ScimError::not_found(format!("no {} with id '{id}'", rt.name()))
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
    let projection = projection(rt, req);
    let (stored, groups) = load_with_groups(service, tenant, rt, id, &projection).await?;
    if let Some(h) = &req.if_none_match
        && etag_matches(h, stored.version)
    {
        return Ok(with_etag(Response::empty(304), stored.version));
    }
    let version = stored.version;
    let body = render_with(
        service,
        &tenant.id,
        rt,
        stored,
        &req.base_url,
        &projection,
        groups.as_deref(),
    )
    .await?;
    Ok(with_etag(body.into_response(200), version))
}

pub(crate) async fn replace(
    service: &Service,
    tenant: &Tenant,
    rt: ResourceTypeRef<'_>,
    req: &Request,
    id: &str,
) -> Result<Response> {
    let mut body = parse_value(req, service.config().limits.max_body_bytes, None)?;
    if service.config().compatibility == Compatibility::Lenient {
        wrap_bare_ids(rt, &mut body);
    }
    let projection = projection(rt, req);
    for _ in 0..RETRIES {
        let (stored, groups) = load_with_groups(service, tenant, rt, id, &projection).await?;
        check_if_match(req, &stored)?;
        let existing = stored.document.value()?;
        let validated = rt.validate(&body, Context::Replace { existing })?;
        let prepared = prepare(rt, tenant, validated, Some(existing))?;
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
                let version = updated.version;
                let body = render_with(
                    service,
                    &tenant.id,
                    rt,
                    updated,
                    &req.base_url,
                    &projection,
                    groups.as_deref(),
                )
                .await?;
                return Ok(with_etag(body.into_response(200), version));
            }
            Err(e) if retryable(&e, req) => yield_now().await,
            Err(e) => return Err(e.into()),
        }
    }
    Err(contended())
}

/// A version conflict is retried when the client did not ask for a
/// specific version.
fn retryable(e: &scimhub_store::Error, req: &Request) -> bool {
    matches!(e.kind(), ErrorKind::VersionConflict { .. }) && req.if_match.is_none()
}

/// What a client without `If-Match` hears when it lost every race: not 412,
/// since it named no version, but 503, which identity providers retry.
fn contended() -> ScimError {
    ScimError::new(
        503,
        None,
        "the resource kept changing while this request was applied; retry it",
    )
}

/// Lets other tasks run before a retry: a future that is pending once.
/// (The protocol crate stays runtime-agnostic, so no `tokio::task::yield_now`.)
fn yield_now() -> impl Future<Output = ()> {
    let mut yielded = false;
    std::future::poll_fn(move |cx| {
        if yielded {
            std::task::Poll::Ready(())
        } else {
            yielded = true;
            cx.waker().wake_by_ref();
            std::task::Poll::Pending
        }
    })
}

/// Reads a PATCH body, enforcing the operation limit and, in strict mode,
/// the RFC's spelling.
fn patch_request(service: &Service, req: &Request) -> Result<Vec<PatchOperation>> {
    let raw = parse_value(
        req,
        service.config().limits.max_body_bytes,
        Some(urn::PATCH_OP),
    )?;
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
    let projection = projection(rt, req);
    for _ in 0..RETRIES {
        let (stored, groups) = load_with_groups(service, tenant, rt, id, &projection).await?;
        check_if_match(req, &stored)?;
        let existing = stored.document.value()?;
        let outcome = patch::apply(rt, existing, &ops, service.config().compatibility, id)?;
        let document = if outcome.document_changed {
            let validated = rt.validate(&outcome.document, Context::PatchResult { existing })?;
            let prepared = prepare(rt, tenant, validated, Some(existing))?;
            Some((prepared.document, prepared.unique))
        } else {
            None
        };
        let members = match outcome.members {
            Some(change) => effective(service, tenant, &stored.id, change).await?,
            None => None,
        };
        let updated = if document.is_none() && members.is_none() {
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
                    Update { document, members },
                )
                .await
            {
                Ok(u) => u,
                Err(e) if retryable(&e, req) => {
                    yield_now().await;
                    continue;
                }
                Err(e) => return Err(e.into()),
            }
        };
        let projection_given =
            req.param("attributes").is_some() || req.param("excludedAttributes").is_some();
        if rt.name() == "Group" && !projection_given {
            // RFC 7644 §3.5.2 allows 204; a group's representation can
            // hold a million members, and Entra ID expects 204 here.
            return Ok(with_etag(Response::empty(204), updated.version));
        }
        let version = updated.version;
        let body = render_with(
            service,
            &tenant.id,
            rt,
            updated,
            &req.base_url,
            &projection,
            groups.as_deref(),
        )
        .await?;
        return Ok(with_etag(body.into_response(200), version));
    }
    Err(contended())
}

/// A membership edit without its no-ops: adding a member that is already
/// there, or removing one that is not, changes nothing, so it must not
/// move the group's version or `lastModified` (RFC 7644 §3.5.2.1: such an
/// add "SHALL NOT change the modify timestamp of the resource"). Each check
/// probes the membership of the named members only, never the whole
/// member list.
/// `None` when nothing is left to do. A full replacement is kept as is.
async fn effective(
    service: &Service,
    tenant: &Tenant,
    group: &ResourceId,
    change: MemberChange,
) -> Result<Option<MemberChange>> {
    let MemberChange::Edit { add, remove } = change else {
        return Ok(Some(change));
    };
    let mut named: Vec<ResourceId> = add.iter().chain(&remove).cloned().collect();
    named.sort_unstable();
    named.dedup();
    let present = service
        .store()
        .members_among(&tenant.id, group, &named)
        .await?;
    let keep_add: Vec<ResourceId> = add.into_iter().filter(|id| !present.contains(id)).collect();
    let keep_remove: Vec<ResourceId> = remove
        .into_iter()
        .filter(|id| present.contains(id))
        .collect();
    Ok(
        (!keep_add.is_empty() || !keep_remove.is_empty()).then_some(MemberChange::Edit {
            add: keep_add,
            remove: keep_remove,
        }),
    )
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
