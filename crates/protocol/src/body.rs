//! Reading request bodies: the size limit, JSON, the protocol version and
//! the message the endpoint takes.

use scimhub_schema::message::ScimType;
use scimhub_schema::urn;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{Result, ScimError};
use crate::request::Request;

/// Parses a JSON body within the size limit.
///
/// `message` is the protocol message the endpoint takes (`PatchOp`,
/// `SearchRequest`, `BulkRequest`), or `None` for a resource. A body whose
/// `schemas` names a SCIM 1.x URN is refused with `invalidVers` (RFC 7644
/// §3.12), in every mode: it comes from a client speaking another version
/// of the protocol, whose messages mean other things (SCIM 1.1 removes
/// attributes through `meta.attributes`, for one). A body whose `schemas`
/// names another protocol message than `message` is the wrong message
/// (`invalidSyntax`); one that names none is read leniently, as identity
/// providers omit it.
pub(crate) fn parse_body<T: DeserializeOwned>(
    req: &Request,
    limit: usize,
    message: Option<&str>,
) -> Result<T> {
    serde_json::from_value(parse_value(req, limit, message)?).map_err(|e| {
        ScimError::invalid_syntax(format!("the body is not valid JSON for this request: {e}"))
    })
}

/// [`parse_body`] for endpoints that take the JSON value itself (a
/// resource, or a message read field by field), without copying it into
/// another type.
pub(crate) fn parse_value(req: &Request, limit: usize, message: Option<&str>) -> Result<Value> {
    if req.body.len() > limit {
        return Err(ScimError::payload_too_large(format!(
            "the request body is {} bytes; the limit is {limit}",
            req.body.len()
        )));
    }
    if req.body.iter().all(u8::is_ascii_whitespace) {
        return Err(ScimError::invalid_syntax("the request needs a JSON body"));
    }
    let value: Value = serde_json::from_slice(&req.body).map_err(|e| {
        ScimError::invalid_syntax(format!("the body is not valid JSON for this request: {e}"))
    })?;
    let schemas: Vec<&str> = value
        .get("schemas")
        .and_then(Value::as_array)
        .map(|s| s.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if let Some(old) = schemas
        .iter()
        .find(|s| urn::in_namespace(s, urn::SCIM1_PREFIX))
    {
        return Err(ScimError::bad_request(
            ScimType::InvalidVers,
            format!(
                "{old} is a SCIM 1.x schema; this service speaks SCIM 2.0 (RFC 7643, RFC 7644): use the urn:ietf:params:scim: schemas"
            ),
        ));
    }
    if let Some(expected) = message {
        let named: Vec<&&str> = schemas
            .iter()
            .filter(|s| urn::in_namespace(s, urn::MESSAGES_PREFIX))
            .collect();
        if !named.is_empty() && !named.iter().any(|s| urn::eq(s, expected)) {
            return Err(ScimError::invalid_syntax(format!(
                "this endpoint takes a {expected} message, not {}",
                named.iter().map(|s| **s).collect::<Vec<_>>().join(", ")
            )));
        }
    }
    Ok(value)
}
