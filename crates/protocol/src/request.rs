//! Requests and responses in plain types, so any HTTP framework (or a
//! message queue) can drive the service.

use scimhub_schema::message::ErrorResponse;
use serde::Serialize;

use crate::error::ScimError;

/// The media type of SCIM bodies (RFC 7644 §8.1).
pub const SCIM_JSON: &str = "application/scim+json";

/// An HTTP method.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Method {
    /// GET.
    Get,
    /// POST.
    Post,
    /// PUT.
    Put,
    /// PATCH.
    Patch,
    /// DELETE.
    Delete,
    /// Anything else: HEAD, answered as GET (the HTTP layer sends no
    /// body with it); OPTIONS and the rest, answered with 405.
    Other(String),
}

impl Method {
    /// Parses a method name (case-sensitive, as HTTP is).
    pub fn parse(s: &str) -> Method {
        match s {
            "GET" => Method::Get,
            "POST" => Method::Post,
            "PUT" => Method::Put,
            "PATCH" => Method::Patch,
            "DELETE" => Method::Delete,
            other => Method::Other(other.to_owned()),
        }
    }

    /// The method name.
    pub fn as_str(&self) -> &str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
            Method::Other(s) => s,
        }
    }
}

/// A request to one tenant's SCIM service.
#[derive(Debug, Clone)]
pub struct Request {
    /// The method.
    pub method: Method,
    /// The path below the tenant's base URL, starting with `/`:
    /// `/Users`, `/Users/2819c223`, `/Groups/.search`, `/Bulk`.
    pub path: String,
    /// Query parameters, already percent-decoded (with `+` as a space).
    pub query: Vec<(String, String)>,
    /// `If-Match`, if sent.
    pub if_match: Option<String>,
    /// `If-None-Match`, if sent.
    pub if_none_match: Option<String>,
    /// The body.
    pub body: Vec<u8>,
    /// The tenant's base URL (`https://host/scim/v2/acme`), for `Location`
    /// and `meta.location`.
    pub base_url: String,
}

impl Request {
    /// A request with no query, headers or body.
    pub fn new(method: Method, path: &str, base_url: &str) -> Request {
        Request {
            method,
            path: path.to_owned(),
            query: Vec::new(),
            if_match: None,
            if_none_match: None,
            body: Vec::new(),
            base_url: base_url.to_owned(),
        }
    }

    /// Adds a JSON body.
    pub fn with_json(mut self, body: &serde_json::Value) -> Request {
        self.body = body.to_string().into_bytes();
        self
    }

    /// Adds a query parameter.
    pub fn with_query(mut self, name: &str, value: &str) -> Request {
        self.query.push((name.to_owned(), value.to_owned()));
        self
    }

    /// Sets `If-Match`.
    pub fn with_if_match(mut self, etag: &str) -> Request {
        self.if_match = Some(etag.to_owned());
        self
    }

    /// Sets `If-None-Match`.
    pub fn with_if_none_match(mut self, etag: &str) -> Request {
        self.if_none_match = Some(etag.to_owned());
        self
    }

    /// The last value of a query parameter, matched ignoring ASCII case
    /// (`startIndex` and `startindex` are the same parameter).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .rev()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A response: status, headers and a (JSON) body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The HTTP status.
    pub status: u16,
    /// Headers beyond `Content-Type`: `Location`, `ETag`.
    pub headers: Vec<(String, String)>,
    /// The body, `application/scim+json` when not empty.
    pub body: Vec<u8>,
}

impl Response {
    /// A response with a JSON body.
    pub fn json(status: u16, body: &impl Serialize) -> Response {
        match serde_json::to_vec(body) {
            Ok(body) => Response {
                status,
                headers: Vec::new(),
                body,
            },
            Err(e) => {
                tracing::error!(error = %e, "could not serialise a response");
                Response::error(&ScimError::internal())
            }
        }
    }

    /// A response with no body.
    pub fn empty(status: u16) -> Response {
        Response {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    /// The SCIM error body of `e`.
    pub fn error(e: &ScimError) -> Response {
        let body: ErrorResponse = e.to_response();
        Response {
            status: e.status,
            headers: Vec::new(),
            body: serde_json::to_vec(&body).unwrap_or_default(),
        }
    }

    /// Adds a header.
    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Response {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    /// A header's value, by name ignoring ASCII case.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body parsed as JSON (`Null` when empty or not JSON).
    pub fn json_body(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

/// Splits a raw query string (`a=1&b=x+y%20z`) into decoded pairs, reading
/// `+` as a space (Microsoft Entra ID encodes spaces that way, Okta as
/// `%20`).
pub fn parse_query(raw: &str) -> Vec<(String, String)> {
    raw.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(k), decode(v))
        })
        .collect()
}

fn decode(s: &str) -> String {
    let plus = s.replace('+', " ");
    percent_encoding::percent_decode_str(&plus)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_strings_decode_both_space_encodings() {
        let q = parse_query("filter=userName+eq+%22a%2Bb%40x.com%22&count=10&attributes=");
        assert_eq!(q[0], ("filter".into(), "userName eq \"a+b@x.com\"".into()));
        let q = parse_query("filter=userName%20eq%20%22bjensen%22");
        assert_eq!(q[0].1, "userName eq \"bjensen\"");
        assert_eq!(q.len(), 1);
        assert_eq!(parse_query("a&b=1")[0], ("a".into(), String::new()));
    }
}
