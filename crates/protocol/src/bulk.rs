//! Bulk (RFC 7644 §3.7): many operations in one request, with `bulkId`
//! references to resources created in the same request.
//!
//! Operations run in request order, except that one referring to a bulkId
//! waits for that POST. A circle of references through group `members`
//! (RFC 7644 §3.7.1: group A lists B, B lists A) is resolved: the first
//! group is created without the members still waiting, and they are added
//! with a PATCH once they exist; its result then carries the version after
//! that PATCH. An operation referring to a POST that failed answers 409.
//! Every result but a failed POST's carries `location` (§3.7).

use std::collections::HashMap;

use scimhub_schema::message::{
    BulkMethod, BulkOperation, BulkOperationResponse, BulkRequest, BulkResponse,
};
use scimhub_schema::urn;
use scimhub_store::Tenant;
use serde_json::Value;

use crate::body::parse_body;
use crate::error::{Result, ScimError};
use crate::request::{Method, Request, Response};
use crate::service::Service;

const PREFIX: &str = "bulkId:";

/// The bulkIds an operation refers to (in its path and anywhere in its
/// data).
fn references(op: &BulkOperation) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(i) = op.path.find(PREFIX) {
        let rest = op.path.get(i + PREFIX.len()..).unwrap_or("");
        out.push(rest.split('/').next().unwrap_or("").to_owned());
    }
    if let Some(data) = &op.data {
        collect(data, &mut out);
    }
    out
}

fn collect(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => {
            if let Some(id) = s.strip_prefix(PREFIX) {
                out.push(id.to_owned());
            }
        }
        Value::Array(items) => items.iter().for_each(|i| collect(i, out)),
        Value::Object(o) => o.values().for_each(|i| collect(i, out)),
        _ => {}
    }
}

fn substitute(v: &mut Value, ids: &HashMap<String, String>) {
    match v {
        Value::String(s) => {
            if let Some(id) = s.strip_prefix(PREFIX).and_then(|b| ids.get(b)) {
                *s = id.clone();
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|i| substitute(i, ids)),
        Value::Object(o) => o.values_mut().for_each(|i| substitute(i, ids)),
        _ => {}
    }
}

fn substitute_path(path: &str, ids: &HashMap<String, String>) -> String {
    let mut out = path.to_owned();
    for (bulk_id, id) in ids {
        out = out.replace(&format!("{PREFIX}{bulk_id}"), id);
    }
    out
}

fn method_of(m: BulkMethod) -> Method {
    match m {
        BulkMethod::Post => Method::Post,
        BulkMethod::Put => Method::Put,
        BulkMethod::Patch => Method::Patch,
        BulkMethod::Delete => Method::Delete,
    }
}

fn error_result(op: &BulkOperation, e: &ScimError) -> BulkOperationResponse {
    BulkOperationResponse {
        location: None,
        method: op.method,
        bulk_id: op.bulk_id.clone(),
        version: None,
        status: e.status,
        response: serde_json::to_value(e.to_response()).ok(),
    }
}

pub(crate) async fn bulk(service: &Service, tenant: &Tenant, req: &Request) -> Result<Response> {
    let limits = service.config().limits;
    // RFC 7644 §3.7.4: the limit is `bulk.maxPayloadSize`, said by name.
    if req.body.len() > limits.max_bulk_payload_bytes {
        return Err(ScimError::payload_too_large(format!(
            "the size of the bulk request ({} bytes) exceeds bulk.maxPayloadSize ({})",
            req.body.len(),
            limits.max_bulk_payload_bytes
        )));
    }
    let request: BulkRequest =
        parse_body(req, limits.max_bulk_payload_bytes, Some(urn::BULK_REQUEST))?;
    if request.operations.len() > limits.max_bulk_operations {
        return Err(ScimError::payload_too_large(format!(
            "the number of operations ({}) exceeds bulk.maxOperations ({})",
            request.operations.len(),
            limits.max_bulk_operations
        )));
    }
    let declared: HashMap<&str, usize> = request
        .operations
        .iter()
        .enumerate()
        .filter(|(_, o)| o.method == BulkMethod::Post)
        .filter_map(|(i, o)| o.bulk_id.as_deref().map(|b| (b, i)))
        .collect();
    let mut ids: HashMap<String, String> = HashMap::new();
    let mut results: Vec<Option<BulkOperationResponse>> = vec![None; request.operations.len()];
    let mut deferred: Vec<Deferred> = Vec::new();
    let mut errors = 0u32;
    let fail_on = request.fail_on_errors.filter(|n| *n > 0);
    let stop = |errors: u32| fail_on.is_some_and(|n| errors >= n);
    // Operations run in request order; one that refers to a bulkId created
    // later waits until that POST has run. When nothing can progress, the
    // waiting operations refer in a circle or to a failed POST.
    let mut pending: Vec<usize> = (0..request.operations.len()).collect();
    'outer: loop {
        let mut progressed = false;
        let mut still = Vec::new();
        for &i in &pending {
            let Some(op) = request.operations.get(i) else {
                continue;
            };
            let refs = references(op);
            let result =
                if let Some(unknown) = refs.iter().find(|r| !declared.contains_key(r.as_str())) {
                    let e = ScimError::invalid_value(format!(
                        "bulkId '{unknown}' is not declared by any POST in this request"
                    ));
                    error_result(op, &e)
                } else if refs.iter().all(|r| ids.contains_key(r)) {
                    execute(service, tenant, req, op, &ids).await
                } else {
                    still.push(i);
                    continue;
                };
            progressed = true;
            record(op, result, &mut results, i, &mut ids, &mut errors);
            if stop(errors) {
                break 'outer;
            }
        }
        pending = still;
        if pending.is_empty() {
            break;
        }
        if !progressed {
            // RFC 7644 §3.7.1: the service provider "MUST try to resolve
            // circular cross-references". A group whose POST waits only
            // for members still to be created is created without them;
            // they are added once they exist.
            let waiting: Vec<&str> = pending
                .iter()
                .filter_map(|&i| request.operations.get(i))
                .filter(|o| o.method == BulkMethod::Post)
                .filter_map(|o| o.bulk_id.as_deref())
                .collect();
            let Some((pos, trimmed, members)) = pending.iter().enumerate().find_map(|(pos, &i)| {
                let op = request.operations.get(i)?;
                let (trimmed, members) = without_waiting_members(op, &ids, &waiting)?;
                Some((pos, trimmed, members))
            }) else {
                break;
            };
            let i = pending.remove(pos);
            let result = execute(service, tenant, req, &trimmed, &ids).await;
            if result.status < 400 {
                deferred.push(Deferred { op: i, members });
            }
            record(&trimmed, result, &mut results, i, &mut ids, &mut errors);
            if stop(errors) {
                break;
            }
        }
    }
    for d in deferred {
        add_deferred(service, tenant, req, &d, &ids, &mut results).await;
    }
    // Whatever could not run refers to a POST that failed.
    if !stop(errors) {
        for &i in &pending {
            if let Some(op) = request.operations.get(i) {
                let e = ScimError::new(
                    409,
                    None,
                    "the operation refers to a bulkId whose POST failed or did not run",
                );
                if let Some(slot) = results.get_mut(i) {
                    *slot = Some(error_result(op, &e));
                }
            }
        }
    }
    Ok(Response::json(
        200,
        &BulkResponse::new(results.into_iter().flatten().collect()),
    ))
}

/// Stores the result of operation `i`, counting errors and remembering the
/// id a POST created under its bulkId.
fn record(
    op: &BulkOperation,
    result: BulkOperationResponse,
    results: &mut [Option<BulkOperationResponse>],
    i: usize,
    ids: &mut HashMap<String, String>,
    errors: &mut u32,
) {
    if result.status >= 400 {
        *errors += 1;
    } else if let (BulkMethod::Post, Some(b), Some(loc)) =
        (op.method, &op.bulk_id, &result.location)
        && let Some(id) = loc.rsplit('/').next()
    {
        ids.insert(b.clone(), id.to_owned());
    }
    if let Some(slot) = results.get_mut(i) {
        *slot = Some(result);
    }
}

/// A group created without some of its members, to break a circle of
/// bulkId references: the members (bulkIds) are added once they exist.
struct Deferred {
    op: usize,
    members: Vec<String>,
}

/// `op` without the members whose bulkId is still `waiting`, when that is
/// all that keeps it from running; with those bulkIds.
fn without_waiting_members(
    op: &BulkOperation,
    ids: &HashMap<String, String>,
    waiting: &[&str],
) -> Option<(BulkOperation, Vec<String>)> {
    if op.method != BulkMethod::Post {
        return None;
    }
    let mut trimmed = op.clone();
    let data = trimmed.data.as_mut()?.as_object_mut()?;
    let key = data
        .keys()
        .find(|k| k.eq_ignore_ascii_case("members"))?
        .clone();
    let Some(Value::Array(members)) = data.get_mut(&key) else {
        return None;
    };
    let mut later = Vec::new();
    members.retain(|m| {
        let waits = m
            .get("value")
            .and_then(Value::as_str)
            .and_then(|v| v.strip_prefix(PREFIX))
            .filter(|b| !ids.contains_key(*b) && waiting.contains(b));
        match waits {
            Some(b) => {
                later.push(b.to_owned());
                false
            }
            None => true,
        }
    });
    let ready = references(&trimmed).iter().all(|r| ids.contains_key(r));
    (!later.is_empty() && ready).then_some((trimmed, later))
}

/// Adds the members a circle kept out of a group, with one PATCH; the
/// group's result then carries the version after it, or the error.
async fn add_deferred(
    service: &Service,
    tenant: &Tenant,
    outer: &Request,
    d: &Deferred,
    ids: &HashMap<String, String>,
    results: &mut [Option<BulkOperationResponse>],
) {
    let Some(Some(result)) = results.get_mut(d.op) else {
        return;
    };
    let Some(location) = result.location.clone() else {
        return;
    };
    let path = location
        .strip_prefix(outer.base_url.as_str())
        .unwrap_or(&location)
        .to_owned();
    let resolved: Vec<&String> = d.members.iter().filter_map(|b| ids.get(b)).collect();
    let error = if resolved.len() < d.members.len() {
        Some(ScimError::new(
            409,
            None,
            "the group was created, but some of its members refer to a bulkId whose POST failed or did not run",
        ))
    } else {
        None
    };
    if !resolved.is_empty() {
        let body = serde_json::json!({
            "schemas": [urn::PATCH_OP],
            "Operations": [{
                "op": "add",
                "path": "members",
                "value": resolved.iter().map(|id| serde_json::json!({"value": id})).collect::<Vec<_>>(),
            }],
        });
        let sub = Request::new(Method::Patch, &path, &outer.base_url).with_json(&body);
        let response = Box::pin(service.handle(tenant, sub)).await;
        if response.status >= 400 {
            result.status = response.status;
            result.response = Some(response.json_body());
            result.version = None;
            return;
        }
        result.version = response.header("ETag").map(str::to_owned);
    }
    if let Some(e) = error {
        result.status = e.status;
        result.response = serde_json::to_value(e.to_response()).ok();
    }
}

async fn execute(
    service: &Service,
    tenant: &Tenant,
    outer: &Request,
    op: &BulkOperation,
    ids: &HashMap<String, String>,
) -> BulkOperationResponse {
    let path = substitute_path(&op.path, ids);
    let path = if path.starts_with('/') {
        path
    } else {
        format!("/{path}")
    };
    let target = path.trim_matches('/').split('/').next().unwrap_or("");
    if target.eq_ignore_ascii_case("Bulk")
        || service
            .registry()
            .resource_type_by_endpoint(target)
            .is_none()
    {
        let e = ScimError::invalid_value(format!(
            "'{}' is not a resource path this Bulk request can target",
            op.path
        ));
        return error_result(op, &e);
    }
    let (path, query) = match path.split_once('?') {
        Some((p, q)) => (p.to_owned(), crate::request::parse_query(q)),
        None => (path, Vec::new()),
    };
    let target_path = path.clone();
    let mut data = op.data.clone();
    if let Some(d) = data.as_mut() {
        substitute(d, ids);
    }
    let needs_body = matches!(
        op.method,
        BulkMethod::Post | BulkMethod::Put | BulkMethod::Patch
    );
    if needs_body && data.is_none() {
        let e = ScimError::invalid_syntax(format!("a bulk {} needs \"data\"", op.method));
        return error_result(op, &e);
    }
    let sub = Request {
        method: method_of(op.method),
        path,
        query,
        if_match: op.version.clone(),
        if_none_match: None,
        body: data.map(|d| d.to_string().into_bytes()).unwrap_or_default(),
        base_url: outer.base_url.clone(),
    };
    // Boxed: Bulk is itself reached through `handle`.
    let response = Box::pin(service.handle(tenant, sub)).await;
    // RFC 7644 §3.7: `location` is "REQUIRED in a response, except in the
    // event of a POST failure".
    let location = response.header("Location").map(str::to_owned).or_else(|| {
        (op.method != BulkMethod::Post).then(|| format!("{}{target_path}", outer.base_url))
    });
    BulkOperationResponse {
        location,
        method: op.method,
        bulk_id: op.bulk_id.clone(),
        version: response.header("ETag").map(str::to_owned),
        status: response.status,
        response: (response.status >= 400).then(|| response.json_body()),
    }
}
