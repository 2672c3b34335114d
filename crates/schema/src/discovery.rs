//! The service provider configuration document (RFC 7643 §5, with the
//! RFC 9865 `pagination` attribute).

use serde::{Deserialize, Serialize};

use crate::urn;

/// Whether an optional feature is supported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Supported {
    /// `true` when the feature is available.
    pub supported: bool,
}

/// Bulk limits (RFC 7643 §5 `bulk`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkConfig {
    /// Whether `/Bulk` is available.
    pub supported: bool,
    /// The most operations one bulk request may hold.
    pub max_operations: u64,
    /// The largest bulk request body, in bytes.
    pub max_payload_size: u64,
}

/// Filter limits (RFC 7643 §5 `filter`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FilterConfig {
    /// Whether filtering is available.
    pub supported: bool,
    /// The most resources one response returns.
    pub max_results: u64,
}

/// Pagination capabilities (RFC 9865 §4).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PaginationConfig {
    /// Whether cursor pagination is available.
    pub cursor: bool,
    /// Whether index pagination is available.
    pub index: bool,
    /// `cursor` or `index`: what a request that names neither gets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_pagination_method: Option<String>,
    /// The page size when a request gives no `count`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_page_size: Option<u64>,
    /// The largest page size a request may ask for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_page_size: Option<u64>,
    /// Seconds a cursor stays valid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor_timeout: Option<u64>,
}

/// One supported authentication scheme (RFC 7643 §5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthenticationScheme {
    /// `oauthbearertoken`, `httpbasic`, …
    #[serde(rename = "type")]
    pub scheme_type: String,
    /// The common name, such as `OAuth Bearer Token`.
    pub name: String,
    /// A description.
    pub description: String,
    /// The scheme's specification.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spec_uri: Option<String>,
    /// How to use it with this service provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub documentation_uri: Option<String>,
    /// Whether this is the preferred scheme.
    #[serde(default)]
    pub primary: bool,
}

impl AuthenticationScheme {
    /// The OAuth 2.0 bearer token scheme (RFC 6750), which SCIM
    /// provisioning clients use with a secret token.
    pub fn bearer_token() -> AuthenticationScheme {
        AuthenticationScheme {
            scheme_type: "oauthbearertoken".into(),
            name: "OAuth Bearer Token".into(),
            description:
                "Authentication with a bearer token in the Authorization header (RFC 6750).".into(),
            spec_uri: Some("https://www.rfc-editor.org/info/rfc6750".into()),
            documentation_uri: None,
            primary: true,
        }
    }
}

/// The document served at `/ServiceProviderConfig`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceProviderConfig {
    /// `["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"]`.
    pub schemas: Vec<String>,
    /// Human-readable documentation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub documentation_uri: Option<String>,
    /// PATCH support.
    pub patch: Supported,
    /// Bulk support and limits.
    pub bulk: BulkConfig,
    /// Filter support and limits.
    pub filter: FilterConfig,
    /// Password change support.
    pub change_password: Supported,
    /// Sorting support.
    pub sort: Supported,
    /// ETag support.
    pub etag: Supported,
    /// Pagination capabilities (RFC 9865).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pagination: Option<PaginationConfig>,
    /// Supported authentication schemes.
    pub authentication_schemes: Vec<AuthenticationScheme>,
    /// `meta`, with `resourceType` and `location`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<serde_json::Value>,
}

impl Default for ServiceProviderConfig {
    /// Nothing optional supported, bearer-token authentication.
    fn default() -> Self {
        ServiceProviderConfig {
            schemas: vec![urn::SERVICE_PROVIDER_CONFIG.to_owned()],
            documentation_uri: None,
            patch: Supported::default(),
            bulk: BulkConfig::default(),
            filter: FilterConfig::default(),
            change_password: Supported::default(),
            sort: Supported::default(),
            etag: Supported::default(),
            pagination: None,
            authentication_schemes: vec![AuthenticationScheme::bearer_token()],
            meta: None,
        }
    }
}
