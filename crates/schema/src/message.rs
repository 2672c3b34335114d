//! The messages every SCIM crate exchanges (RFC 7644 §3): list responses,
//! errors, PATCH, search and bulk requests, and resource metadata.
//!
//! They deserialise leniently where identity providers differ from the RFC
//! (operation names in any case, `status` as a number or a string,
//! `attributes` as an array or a comma-separated string) and serialise
//! exactly as the RFC prints them.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::attribute::wire_enum;
use crate::urn;

wire_enum! {
    /// The `scimType` of an error response (RFC 7644 §3.12 and RFC 9865).
    #[non_exhaustive]
    pub enum ScimType {
        /// The filter syntax was invalid or the filter is not supported.
        InvalidFilter => "invalidFilter",
        /// The filter yields too many results to return.
        TooMany => "tooMany",
        /// A value is already in use by another resource.
        Uniqueness => "uniqueness",
        /// The change would modify a read-only or immutable attribute.
        Mutability => "mutability",
        /// The request body was not valid JSON or did not match the schema.
        InvalidSyntax => "invalidSyntax",
        /// A PATCH path was invalid.
        InvalidPath => "invalidPath",
        /// A PATCH path matched nothing.
        NoTarget => "noTarget",
        /// A value was missing, of the wrong type, or not acceptable.
        InvalidValue => "invalidValue",
        /// The protocol version is not supported.
        InvalidVers => "invalidVers",
        /// The request cannot be completed because of sensitive information
        /// in the URI.
        Sensitive => "sensitive",
        /// A pagination cursor is invalid (RFC 9865).
        InvalidCursor => "invalidCursor",
        /// A pagination cursor has expired (RFC 9865).
        ExpiredCursor => "expiredCursor",
        /// The requested count is not acceptable (RFC 9865).
        InvalidCount => "invalidCount",
    }
}

/// Serialises an HTTP status as the string RFC 7644 prints (`"400"`) and
/// reads it from a string or a number.
mod status_string {
    use super::*;

    pub(super) fn serialize<S: Serializer>(status: &u16, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(status)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u16, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            N(u16),
            S(String),
        }
        match Either::deserialize(d)? {
            Either::N(n) => Ok(n),
            Either::S(s) => s
                .trim()
                .parse()
                .map_err(|_| serde::de::Error::custom(format!("'{s}' is not an HTTP status"))),
        }
    }
}

fn default_schemas<const N: usize>(urns: [&str; N]) -> Vec<String> {
    urns.iter().map(|s| (*s).to_owned()).collect()
}

/// An error response (RFC 7644 §3.12).
///
/// ```
/// use scimhub_schema::message::{ErrorResponse, ScimType};
///
/// let e = ErrorResponse::new(400, Some(ScimType::InvalidFilter), "expected an operator at byte 9");
/// let json = serde_json::to_value(&e)?;
/// assert_eq!(json["status"], "400");
/// assert_eq!(json["scimType"], "invalidFilter");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorResponse {
    /// `["urn:ietf:params:scim:api:messages:2.0:Error"]`.
    #[serde(default = "ErrorResponse::schemas")]
    pub schemas: Vec<String>,
    /// The HTTP status, written as a string.
    #[serde(with = "status_string")]
    pub status: u16,
    /// The SCIM error type, for 400 and 409 responses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scim_type: Option<ScimType>,
    /// A human-readable explanation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl ErrorResponse {
    fn schemas() -> Vec<String> {
        default_schemas([urn::ERROR])
    }

    /// An error response with the Error schema.
    pub fn new(
        status: u16,
        scim_type: Option<ScimType>,
        detail: impl Into<String>,
    ) -> ErrorResponse {
        ErrorResponse {
            schemas: ErrorResponse::schemas(),
            status,
            scim_type,
            detail: Some(detail.into()),
        }
    }
}

/// A list response (RFC 7644 §3.4.2, with the RFC 9865 cursor fields).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListResponse<T = Value> {
    /// `["urn:ietf:params:scim:api:messages:2.0:ListResponse"]`.
    #[serde(default = "ListResponse::<T>::schemas")]
    pub schemas: Vec<String>,
    /// The number of results the query matched, across all pages.
    pub total_results: u64,
    /// The number of resources in this page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items_per_page: Option<u64>,
    /// The 1-based index of the first result of this page (index
    /// pagination).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_index: Option<u64>,
    /// The cursor of the next page (RFC 9865).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
    /// The cursor of the previous page (RFC 9865).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_cursor: Option<String>,
    /// The resources of this page; always written, even when empty, since
    /// some clients require it.
    #[serde(rename = "Resources", alias = "resources", default = "Vec::new")]
    pub resources: Vec<T>,
}

impl<T> ListResponse<T> {
    fn schemas() -> Vec<String> {
        default_schemas([urn::LIST_RESPONSE])
    }

    /// A page of `resources` out of `total_results`, starting at
    /// `start_index`.
    pub fn new(total_results: u64, start_index: u64, resources: Vec<T>) -> ListResponse<T> {
        ListResponse {
            schemas: ListResponse::<T>::schemas(),
            total_results,
            items_per_page: Some(resources.len() as u64),
            start_index: Some(start_index),
            next_cursor: None,
            previous_cursor: None,
            resources,
        }
    }
}

wire_enum! {
    /// A PATCH operation (RFC 7644 §3.5.2); read in any case, since
    /// Microsoft Entra ID sends `Add`, `Replace` and `Remove`.
    pub enum PatchOpKind {
        /// Add values.
        Add => "add",
        /// Remove values.
        Remove => "remove",
        /// Replace values.
        Replace => "replace",
    }
}

/// A PATCH request (RFC 7644 §3.5.2).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatchOp {
    /// `["urn:ietf:params:scim:api:messages:2.0:PatchOp"]`.
    #[serde(default = "PatchOp::schemas")]
    pub schemas: Vec<String>,
    /// The operations, applied in order.
    #[serde(rename = "Operations", alias = "operations")]
    pub operations: Vec<PatchOperation>,
}

impl PatchOp {
    fn schemas() -> Vec<String> {
        default_schemas([urn::PATCH_OP])
    }

    /// A PATCH request with the given operations.
    pub fn new(operations: Vec<PatchOperation>) -> PatchOp {
        PatchOp {
            schemas: PatchOp::schemas(),
            operations,
        }
    }
}

/// One PATCH operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PatchOperation {
    /// `add`, `remove` or `replace`.
    pub op: PatchOpKind,
    /// The target, a PATCH path (RFC 7644 §3.5.2 PATH); `None` targets the
    /// resource itself.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The value to add or replace with (or, for Entra's member removal,
    /// the values to remove). `None` when the operation has no `value`;
    /// `Some(Value::Null)` when it says `"value": null`, which RFC 7643
    /// §2.5 makes the same as no value for the attribute (a replace with
    /// null clears it).
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub value: Option<Value>,
}

/// Reads a member that is present, `null` included, as `Some` (serde's
/// default reads `null` as `None`).
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

wire_enum! {
    /// Sort direction (RFC 7644 §3.4.2.3).
    pub enum SortOrder {
        /// Ascending (the default).
        Ascending => "ascending",
        /// Descending.
        Descending => "descending",
    }
}

/// A list of attribute names, read from a JSON array or from one
/// comma-separated string.
mod name_list {
    use super::*;

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Vec<String>>, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Either {
            List(Vec<String>),
            One(String),
        }
        Ok(match Option::<Either>::deserialize(d)? {
            None => None,
            Some(Either::List(v)) => Some(v),
            Some(Either::One(s)) => Some(split_names(&s)),
        })
    }
}

/// `startIndex` and `count`: an integer too large for `i64` (which JSON
/// parsers hand over as an unsigned or a floating-point number) saturates,
/// as the query parameters do; a number with a fraction is refused.
mod saturating_int {
    use std::fmt;

    use serde::de::{self, Visitor};

    use super::*;

    struct Int;

    impl Visitor<'_> for Int {
        type Value = i64;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an integer")
        }

        fn visit_i64<E: de::Error>(self, n: i64) -> Result<i64, E> {
            Ok(n)
        }

        fn visit_u64<E: de::Error>(self, n: u64) -> Result<i64, E> {
            Ok(i64::try_from(n).unwrap_or(i64::MAX))
        }

        fn visit_f64<E: de::Error>(self, f: f64) -> Result<i64, E> {
            if f.is_finite() && f.fract() == 0.0 {
                // `as` saturates at the bounds of i64.
                #[allow(clippy::cast_possible_truncation)]
                Ok(f as i64)
            } else {
                Err(E::invalid_value(de::Unexpected::Float(f), &self))
            }
        }
    }

    struct MaybeInt;

    impl<'de> Visitor<'de> for MaybeInt {
        type Value = Option<i64>;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an integer or null")
        }

        fn visit_none<E: de::Error>(self) -> Result<Option<i64>, E> {
            Ok(None)
        }

        fn visit_unit<E: de::Error>(self) -> Result<Option<i64>, E> {
            Ok(None)
        }

        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Option<i64>, D::Error> {
            d.deserialize_any(Int).map(Some)
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
        d.deserialize_option(MaybeInt)
    }
}

/// Splits a comma-separated `attributes`/`excludedAttributes` value,
/// trimming blanks and dropping empty names.
pub fn split_names(list: &str) -> Vec<String> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// A search request, the body of `POST /.search` (RFC 7644 §3.4.3), with
/// the RFC 9865 `cursor`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchRequest {
    /// `["urn:ietf:params:scim:api:messages:2.0:SearchRequest"]`.
    #[serde(default = "SearchRequest::schemas")]
    pub schemas: Vec<String>,
    /// Attributes to return.
    #[serde(
        default,
        deserialize_with = "name_list::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub attributes: Option<Vec<String>>,
    /// Attributes to leave out.
    #[serde(
        default,
        deserialize_with = "name_list::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub excluded_attributes: Option<Vec<String>>,
    /// The filter expression.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<String>,
    /// The attribute to sort by.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort_by: Option<String>,
    /// The sort direction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sort_order: Option<SortOrder>,
    /// 1-based index of the first result; values below 1 mean 1.
    #[serde(
        default,
        deserialize_with = "saturating_int::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub start_index: Option<i64>,
    /// Page size; negative values mean 0.
    #[serde(
        default,
        deserialize_with = "saturating_int::deserialize",
        skip_serializing_if = "Option::is_none"
    )]
    pub count: Option<i64>,
    /// RFC 9865 cursor; an empty string asks for the first page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
}

impl SearchRequest {
    fn schemas() -> Vec<String> {
        default_schemas([urn::SEARCH_REQUEST])
    }
}

wire_enum! {
    /// The HTTP method of a bulk operation (RFC 7644 §3.7), read in any case.
    pub enum BulkMethod {
        /// Create.
        Post => "POST",
        /// Replace.
        Put => "PUT",
        /// Modify.
        Patch => "PATCH",
        /// Delete.
        Delete => "DELETE",
    }
}

/// A bulk request (RFC 7644 §3.7).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkRequest {
    /// `["urn:ietf:params:scim:api:messages:2.0:BulkRequest"]`.
    #[serde(default = "BulkRequest::schemas")]
    pub schemas: Vec<String>,
    /// Stop after this many errors.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_on_errors: Option<u32>,
    /// The operations, in order.
    #[serde(rename = "Operations", alias = "operations")]
    pub operations: Vec<BulkOperation>,
}

impl BulkRequest {
    fn schemas() -> Vec<String> {
        default_schemas([urn::BULK_REQUEST])
    }
}

/// One operation of a bulk request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkOperation {
    /// The HTTP method.
    pub method: BulkMethod,
    /// The client's id for a POST, which later operations reference as
    /// `bulkId:{id}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bulk_id: Option<String>,
    /// An ETag the resource must match (as `If-Match`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The resource path relative to the base URL (`/Users`,
    /// `/Groups/{id}`).
    pub path: String,
    /// The body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
}

/// A bulk response (RFC 7644 §3.7).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BulkResponse {
    /// `["urn:ietf:params:scim:api:messages:2.0:BulkResponse"]`.
    #[serde(default = "BulkResponse::schemas")]
    pub schemas: Vec<String>,
    /// One result per operation that ran.
    #[serde(rename = "Operations", alias = "operations")]
    pub operations: Vec<BulkOperationResponse>,
}

impl BulkResponse {
    fn schemas() -> Vec<String> {
        default_schemas([urn::BULK_RESPONSE])
    }

    /// A bulk response with the given results.
    pub fn new(operations: Vec<BulkOperationResponse>) -> BulkResponse {
        BulkResponse {
            schemas: BulkResponse::schemas(),
            operations,
        }
    }
}

/// The result of one bulk operation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkOperationResponse {
    /// The resource URI, for operations that succeeded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// The HTTP method of the operation.
    pub method: BulkMethod,
    /// The operation's bulkId, echoed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bulk_id: Option<String>,
    /// The resource's new ETag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The HTTP status, written as a string.
    #[serde(with = "status_string")]
    pub status: u16,
    /// The response body, for errors (an [`ErrorResponse`]) or when the
    /// service returns the resource.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<Value>,
}

/// Resource metadata (RFC 7643 §3.1 `meta`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Meta {
    /// The resource type name, such as `User`.
    pub resource_type: String,
    /// When the resource was created, as an `xsd:dateTime`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// When the resource last changed, as an `xsd:dateTime`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
    /// The resource's URI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// The resource's version, an ETag such as `W/"3"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

impl fmt::Display for ErrorResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.status)?;
        if let Some(t) = self.scim_type {
            write!(f, " {t}")?;
        }
        if let Some(d) = &self.detail {
            write!(f, ": {d}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn patch_ops_read_in_any_case() {
        let p: PatchOp = serde_json::from_value(json!({
            "schemas": [urn::PATCH_OP],
            "Operations": [
                {"op": "Replace", "path": "active", "value": "False"},
                {"op": "ADD", "value": {"name.givenName": "B"}},
                {"op": "remove", "path": "members[value eq \"1\"]"}
            ]
        }))
        .unwrap();
        let ops: Vec<_> = p.operations.iter().map(|o| o.op).collect();
        assert_eq!(
            ops,
            [PatchOpKind::Replace, PatchOpKind::Add, PatchOpKind::Remove]
        );
        assert_eq!(
            serde_json::to_value(&p).unwrap()["Operations"][0]["op"],
            "replace"
        );
        assert!(
            serde_json::from_value::<PatchOp>(json!({"Operations": [{"op": "move"}]})).is_err()
        );
    }

    #[test]
    fn patch_values_tell_null_from_missing() {
        let p: PatchOp = serde_json::from_value(json!({"Operations": [
            {"op": "replace", "path": "nickName", "value": null},
            {"op": "remove", "path": "nickName"}
        ]}))
        .unwrap();
        assert_eq!(p.operations[0].value, Some(Value::Null));
        assert_eq!(p.operations[1].value, None);
        let back = serde_json::to_value(&p).unwrap();
        assert_eq!(
            back["Operations"][0],
            json!({"op": "replace", "path": "nickName", "value": null})
        );
        assert_eq!(
            back["Operations"][1],
            json!({"op": "remove", "path": "nickName"})
        );
    }

    #[test]
    fn error_status_is_a_string_out_and_either_in() {
        let e: ErrorResponse =
            serde_json::from_value(json!({"status": 409, "scimType": "uniqueness"})).unwrap();
        assert_eq!(e.status, 409);
        assert_eq!(e.schemas, [urn::ERROR]);
        let e: ErrorResponse = serde_json::from_value(json!({"status": "404"})).unwrap();
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            json!({"schemas": [urn::ERROR], "status": "404"})
        );
        assert!(serde_json::from_value::<ErrorResponse>(json!({"status": "four"})).is_err());
    }

    #[test]
    fn list_response_always_writes_resources() {
        let l: ListResponse = ListResponse::new(0, 1, vec![]);
        assert_eq!(
            serde_json::to_value(&l).unwrap(),
            json!({"schemas": [urn::LIST_RESPONSE], "totalResults": 0, "itemsPerPage": 0,
                   "startIndex": 1, "Resources": []})
        );
    }

    #[test]
    fn search_request_reads_attribute_lists_both_ways() {
        let s: SearchRequest = serde_json::from_value(json!({
            "attributes": "userName, name.givenName",
            "excludedAttributes": ["members"],
            "sortOrder": "DESCENDING",
            "startIndex": 0
        }))
        .unwrap();
        assert_eq!(s.attributes.unwrap(), ["userName", "name.givenName"]);
        assert_eq!(s.excluded_attributes.unwrap(), ["members"]);
        assert_eq!(s.sort_order, Some(SortOrder::Descending));
        assert_eq!(s.start_index, Some(0));
    }

    #[test]
    fn search_request_integers_saturate() {
        let read = |body: &str| serde_json::from_str::<SearchRequest>(body);
        let s = read(r#"{"startIndex": 99999999999999999999999, "count": 10000000000000000000}"#)
            .unwrap();
        assert_eq!((s.start_index, s.count), (Some(i64::MAX), Some(i64::MAX)));
        let s = read(r#"{"startIndex": -99999999999999999999999, "count": -3}"#).unwrap();
        assert_eq!((s.start_index, s.count), (Some(i64::MIN), Some(-3)));
        let s = read(r#"{"count": 5.0, "startIndex": null}"#).unwrap();
        assert_eq!((s.start_index, s.count), (None, Some(5)));
        assert!(read(r#"{"count": 2.5}"#).is_err());
        assert!(read(r#"{"count": "10"}"#).is_err());
    }

    #[test]
    fn bulk_messages_follow_rfc_7644_section_3_7() {
        let r: BulkRequest = serde_json::from_value(json!({
            "schemas": [urn::BULK_REQUEST],
            "failOnErrors": 1,
            "Operations": [{"method": "post", "path": "/Users", "bulkId": "qwerty",
                            "data": {"userName": "Alice"}}]
        }))
        .unwrap();
        assert_eq!(r.operations[0].method, BulkMethod::Post);
        let resp = BulkResponse::new(vec![BulkOperationResponse {
            location: Some("https://example.com/v2/Users/92b7".into()),
            method: BulkMethod::Post,
            bulk_id: Some("qwerty".into()),
            version: Some("W/\"oY4m4wn58tkVjJxK\"".into()),
            status: 201,
            response: None,
        }]);
        let v = serde_json::to_value(&resp).unwrap();
        assert_eq!(v["Operations"][0]["status"], "201");
        assert_eq!(v["Operations"][0]["method"], "POST");
    }
}
