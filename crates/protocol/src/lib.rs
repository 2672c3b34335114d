//! The SCIM 2.0 service (RFC 7644), framework-free.
//!
//! Given a tenant, a request in plain types ([`Request`]: method, path,
//! query, the headers that matter, body bytes) and a store, the [`Service`]
//! produces a [`Response`] (status, headers, body). No HTTP framework types
//! cross this boundary, so the service can sit behind actix-web (the
//! `scimhub-server` crate), axum, hyper or a message queue.
//!
//! ```
//! use std::sync::Arc;
//! use scimhub_protocol::{Config, Method, Request, Service};
//! use scimhub_store::{MemoryStore, NewTenant, Store, TenantId};
//! use serde_json::json;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let store = Arc::new(MemoryStore::new());
//! let token = scimhub_protocol::tenancy::generate_token();
//! let tenant = store.create_tenant(NewTenant {
//!     id: TenantId::new("acme")?,
//!     token: scimhub_protocol::tenancy::hash_token(&token),
//!     allowed_domains: vec!["example.com".into()],
//! }).await?;
//! let service = Service::new(store, Config::default());
//!
//! let base = "https://scim.example.net/scim/v2/acme";
//! let create = Request::new(Method::Post, "/Users", base).with_json(&json!({
//!     "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
//!     "userName": "bjensen@example.com",
//!     "active": "True"
//! }));
//! let response = service.handle(&tenant, create).await;
//! assert_eq!(response.status, 201);
//! assert_eq!(response.json_body()["active"], json!(true));
//!
//! // A user from a domain the tenant does not allow is refused.
//! let outsider = Request::new(Method::Post, "/Users", base)
//!     .with_json(&json!({"userName": "mallory@evil.test"}));
//! let response = service.handle(&tenant, outsider).await;
//! assert_eq!(response.status, 400);
//! assert_eq!(response.json_body()["scimType"], "invalidValue");
//! # Ok(())
//! # }
//! ```
//!
//! # What it implements
//!
//! - Resources of every registered type: POST (201, `Location`, `ETag`),
//!   GET (`If-None-Match` → 304), PUT (replace semantics), PATCH (add,
//!   remove, replace with attribute paths, value paths and sub-attributes,
//!   atomic), DELETE (204). `If-Match` is honoured but never required;
//!   writes without it still go through the store's version check and are
//!   retried on a lost race, so no update is lost silently.
//! - Listing and search: `filter`, `sortBy`, `sortOrder`, `startIndex`,
//!   `count`, `attributes`, `excludedAttributes`, `POST /{type}/.search`,
//!   `POST /.search`, and RFC 9865 cursors (`cursor`, `nextCursor`).
//! - `/Bulk` with `bulkId` references (also to POSTs later in the request,
//!   and circles of group memberships), `failOnErrors`, and the limits of
//!   [`Limits`].
//! - Discovery generated from the registry and the real limits; `/Me`
//!   answers 501.
//! - Tenancy ([`tenancy`]): tokens, the domain allow-list, statistics;
//!   licences ([`licence`]): a user is licensed exactly when a member of a
//!   group whose licence is true.
//!
//! # Identity-provider behaviour (lenient mode, the default)
//!
//! Accepted as Microsoft Entra ID and Okta send them, and refused by
//! [`Compatibility::Strict`], which follows RFC 7643/7644 to the letter:
//! `op` in any case; booleans as strings (`"False"`); path-less add/replace
//! whose value uses dotted keys (`name.givenName`) or URN-qualified
//! attribute names (`urn:…:enterprise:2.0:User:employeeNumber`) as keys;
//! `remove` of `members` with a value listing the members to remove (never
//! wiping the group); add/replace on `emails[type eq "work"].value` (and
//! the like) creating the element when none matches; the enterprise
//! `manager` as a bare id; foreign schema URIs in `schemas` ignored.
//!
//! Accepted in both modes, since the RFCs allow them: the extension's
//! object under its URN in a path-less value; `members[value eq "…"]`
//! (also written `eq"…"`, as RFC 7644 §3.5.2.2 prints it); `"$ref": null`
//! and `null` meaning absent (RFC 7643 §2.5, also `"value": null` in a
//! PATCH); `meta`, `groups` and `id` in bodies (read-only, ignored),
//! `roles: []` and `password` (never stored, never returned); Okta's
//! `{"active": false}` replace, its group rename echoing the group's own
//! `id` (which changes nothing), member removal and addition in one PATCH,
//! and `replace` of `members` with a full (or empty) list. A group PATCH
//! answers 204 (a group's members can number a million) unless
//! `attributes` or `excludedAttributes` ask for a body.
//!
//! # Refusals
//!
//! Every error is an RFC 7644 §3.12 body. Beyond the obvious ones: a body
//! naming a SCIM 1.x schema (`urn:scim:schemas:core:1.0`) is `invalidVers`
//! in both modes; a GET whose filter names an attribute that is never
//! returned (`password`) is 403 `sensitive`, while the same filter in
//! `POST …/.search` is allowed (and matches nothing, as passwords are not
//! stored); a body naming another protocol message than the endpoint takes
//! is `invalidSyntax`. `tooMany` is never produced: every list is paged.

//! # Crate features
//!
//! None.

#![doc(test(attr(deny(warnings))))]

mod body;
mod bulk;
mod config;
pub mod discovery;
mod error;
pub mod licence;
pub mod patch;
mod render;
mod request;
mod resources;
mod rewrite;
mod search;
mod service;
pub mod tenancy;

pub use config::{Compatibility, Config, Limits};
pub use error::{Result, ScimError};
pub use render::{etag, parse_etag};
pub use request::{Method, Request, Response, SCIM_JSON, parse_query};
pub use service::Service;
