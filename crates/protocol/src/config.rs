//! The service's limits and behaviour switches.

/// Every limit the service enforces, in one value; each is advertised in
/// `/ServiceProviderConfig` where RFC 7643 §5 has a place for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// The largest request body (except Bulk), in bytes: 413 beyond.
    pub max_body_bytes: usize,
    /// The longest filter, in bytes.
    pub max_filter_length: usize,
    /// The deepest nesting of `not (…)`, `(…)` and `[…]` in a filter.
    pub max_filter_nesting: u32,
    /// The page size when a request gives no `count`.
    pub default_page_size: u64,
    /// The largest page (`filter.maxResults`): larger `count`s are cut to it.
    pub max_page_size: u64,
    /// The most operations in one Bulk request (`bulk.maxOperations`).
    pub max_bulk_operations: usize,
    /// The largest Bulk body, in bytes (`bulk.maxPayloadSize`).
    pub max_bulk_payload_bytes: usize,
    /// The most operations in one PATCH request.
    pub max_patch_operations: usize,
}

impl Default for Limits {
    /// Generous for identity providers (Entra ID sends PATCH requests of a
    /// few hundred member changes and pages of 100), small enough to bound
    /// the work of one request.
    fn default() -> Self {
        Limits {
            max_body_bytes: 1024 * 1024,
            max_filter_length: scimhub_filter::DEFAULT_LENGTH_LIMIT,
            max_filter_nesting: scimhub_filter::DEFAULT_NEST_LIMIT,
            default_page_size: 100,
            max_page_size: 1000,
            max_bulk_operations: 1000,
            max_bulk_payload_bytes: 4 * 1024 * 1024,
            max_patch_operations: 1000,
        }
    }
}

/// How closely the service follows RFC 7644 where identity providers
/// deviate from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Compatibility {
    /// Accept the documented behaviour of Microsoft Entra ID and Okta (the
    /// default): PATCH `op` in any case, boolean strings, dotted and
    /// URN-qualified keys in path-less PATCH values, Entra's member removal
    /// by value list, foreign schema URIs, and the rest listed in the
    /// crate docs.
    #[default]
    Lenient,
    /// Follow RFC 7643/7644 to the letter: refuse unknown attributes and
    /// foreign schemas, boolean strings, `op` other than lower case, dotted
    /// or URN-qualified keys in path-less values, a bare id for a complex
    /// attribute, a `value` on a member `remove`, and add/replace through a
    /// filter that matches nothing (`noTarget`).
    Strict,
}

/// The service's configuration.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Config {
    /// The limits.
    pub limits: Limits,
    /// Lenient (identity-provider friendly) or strict RFC behaviour.
    pub compatibility: Compatibility,
    /// A URL with human-readable documentation, advertised as
    /// `documentationUri`.
    pub documentation_uri: Option<String>,
}
