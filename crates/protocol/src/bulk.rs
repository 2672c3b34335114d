//! Bulk (RFC 7644 §3.7): many operations in one request, with `bulkId`
//! references to resources created earlier in the same request.

use std::collections::HashMap;

use scimhub_schema::message::{
    BulkMethod, BulkOperation, BulkOperationResponse, BulkRequest, BulkResponse,
};
use scimhub_store::Tenant;
use serde_json::Value;

use crate::error::{Result, ScimError};
use crate::request::{Method, Request, Response};
use crate::resources::parse_body;
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
    let request: BulkRequest = parse_body(req, limits.max_bulk_payload_bytes)?;
    if request.operations.len() > limits.max_bulk_operations {
        return Err(ScimError::payload_too_large(format!(
            "the request has {} operations; the limit (bulk.maxOperations) is {}",
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
    let mut errors = 0u32;
    let fail_on = request.fail_on_errors.filter(|n| *n > 0);
    // Operations run in request order; one that refers to a bulkId created
    // later waits until that POST has run. What still waits when nothing
    // can progress refers in a circle, or to a failed POST.
    let mut pending: Vec<usize> = (0..request.operations.len()).collect();
    'outer: loop {
        let mut progressed = false;
        let mut still = Vec::new();
        for &i in &pending {
            let Some(op) = request.operations.get(i) else {
                continue;
            };
            let refs = references(op);
            if let Some(unknown) = refs.iter().find(|r| !declared.contains_key(r.as_str())) {
                let e = ScimError::invalid_value(format!(
                    "bulkId '{unknown}' is not declared by any POST in this request"
                ));
                results[i] = Some(error_result(op, &e));
                errors += 1;
                progressed = true;
            } else if refs.iter().all(|r| ids.contains_key(r)) {
                results[i] = Some(execute(service, tenant, req, op, &ids).await);
                if let Some(r) = &results[i] {
                    if r.status >= 400 {
                        errors += 1;
                    } else if let (BulkMethod::Post, Some(b), Some(loc)) =
                        (op.method, &op.bulk_id, &r.location)
                    {
                        if let Some(id) = loc.rsplit('/').next() {
                            ids.insert(b.clone(), id.to_owned());
                        }
                    }
                }
                progressed = true;
            } else {
                still.push(i);
            }
            if fail_on.is_some_and(|n| errors >= n) {
                break 'outer;
            }
        }
        pending = still;
        if pending.is_empty() || !progressed {
            break;
        }
    }
    // Whatever could not run refers to a POST that failed or to itself in
    // a circle.
    if !fail_on.is_some_and(|n| errors >= n) {
        for &i in &pending {
            if let Some(op) = request.operations.get(i) {
                let e = ScimError::new(
                    409,
                    None,
                    "the operation refers to a bulkId whose POST failed or that refers back to it in a circle",
                );
                results[i] = Some(error_result(op, &e));
            }
        }
    }
    Ok(Response::json(
        200,
        &BulkResponse::new(results.into_iter().flatten().collect()),
    ))
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
        || !service
            .registry()
            .resource_type_by_endpoint(target)
            .is_some()
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
    let location = response.header("Location").map(str::to_owned).or_else(|| {
        (response.status < 400 && op.method != BulkMethod::Post && op.method != BulkMethod::Delete)
            .then(|| format!("{}{}", outer.base_url, substitute_path(&op.path, ids)))
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
