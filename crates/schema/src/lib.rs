//! The SCIM 2.0 schema model (RFC 7643): what SCIM resources are.
//!
//! This crate holds the vocabulary every other Scimhub crate speaks:
//!
//! - the attribute model of RFC 7643 §2 and §7 ([`Attribute`],
//!   [`AttributeType`], [`Mutability`], [`Returned`], [`Uniqueness`]);
//! - schemas ([`Schema`]) loaded from RFC 7643 JSON documents — the core
//!   User, Group and EnterpriseUser schemas, the discovery schemas, the
//!   licence extensions and any custom extension are all loaded the same
//!   way (see [`documents`]);
//! - resource types and the [`Registry`] that binds them to their schemas,
//!   resolves attribute paths ([`ResourceTypeRef::resolve`]), validates
//!   documents ([`ResourceTypeRef::validate`]) and projects responses
//!   ([`ResourceTypeRef::project`]);
//! - the protocol messages ([`message`]) and typed views of users and
//!   groups ([`view`]).
//!
//! It is not a filter parser (see `scimhub-filter`), a store, or an HTTP
//! layer: it does no I/O beyond reading a schema file you name, and it has
//! no async code.
//!
//! ```
//! use scimhub_schema::{Context, ErrorKind, Registry, message::ScimType};
//! use serde_json::json;
//!
//! let registry = Registry::standard();
//! let users = registry.resource_type("User").expect("built in");
//!
//! // A create body as Microsoft Entra ID sends it.
//! let body = json!({
//!     "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User",
//!                 "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
//!     "userName": "Test_User_ab6490ee@example.com",
//!     "active": "True",
//!     "emails": [{"primary": true, "type": "work", "value": "Test_User_ab6490ee@example.com"}],
//!     "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Sales"},
//!     "roles": []
//! });
//! let user = users.validate(&body, Context::Create)?;
//! assert_eq!(user["active"], json!(true));
//! assert!(user.get("roles").is_none(), "an empty array is unassigned");
//!
//! // A missing userName is refused with the scimType the response needs.
//! let err = users.validate(&json!({"active": true}), Context::Create).unwrap_err();
//! assert_eq!(err.kind(), ErrorKind::RequiredMissing);
//! assert_eq!(err.scim_type(), Some(ScimType::InvalidValue));
//! # Ok::<(), scimhub_schema::Error>(())
//! ```
//!
//! # Input safety
//!
//! Every function that takes a document, a schema or a path returns a
//! `Result`; none panics on any input. Recursion follows the schema (at most
//! two levels: attribute and sub-attribute), never the input, so deeply
//! nested JSON cannot exhaust the stack here.
//!
//! # Error reporting
//!
//! [`Error`] carries an [`ErrorKind`] that maps to the RFC 7644 §3.12
//! `scimType` ([`Error::scim_type`]), the canonical path of the attribute
//! concerned ([`Error::path`]) and a one-sentence detail (its `Display`).
//!
//! # Lenient by default
//!
//! Identity providers bend the RFC in documented ways; the registry accepts
//! those by default and can be made strict ([`Settings`]): unknown
//! attributes are dropped with a log line (or refused), foreign URIs in
//! `schemas` are ignored (or refused), canonical values are suggestions (or
//! enforced). Value coercions are listed in [`validate`].
//!
//! # Crate features
//!
//! None: the crate always builds the same way.

#![doc(test(attr(deny(warnings))))]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod attribute;
pub mod datetime;
pub mod discovery;
mod error;
pub mod message;
mod projection;
mod registry;
mod resource_type;
mod schema;
pub mod urn;
pub mod validate;
pub mod view;

pub use attribute::{Attribute, AttributeType, Mutability, Returned, Uniqueness};
pub use error::{Error, ErrorKind, Result};
pub use projection::Projection;
pub use registry::{
    CanonicalValues, Registry, RegistryBuilder, ResolvedAttribute, ResourceTypeRef, Settings,
    UnknownAttributes,
};
pub use resource_type::{ResourceType, SchemaExtension};
pub use schema::Schema;
pub use validate::Context;

/// The schema documents compiled into the crate, in RFC 7643 §7 JSON.
///
/// [`RegistryBuilder::core`] and [`RegistryBuilder::license_extensions`]
/// load them exactly as a deployment loads its own extensions.
pub mod documents {
    /// `urn:ietf:params:scim:schemas:core:2.0:User` (RFC 7643 §8.7.1).
    pub const USER: &str = include_str!("../schemas/user.json");
    /// `urn:ietf:params:scim:schemas:core:2.0:Group` (RFC 7643 §8.7.1).
    pub const GROUP: &str = include_str!("../schemas/group.json");
    /// `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User`
    /// (RFC 7643 §8.7.1).
    pub const ENTERPRISE_USER: &str = include_str!("../schemas/enterprise-user.json");
    /// `urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig`
    /// (RFC 7643 §8.7.2).
    pub const SERVICE_PROVIDER_CONFIG: &str =
        include_str!("../schemas/service-provider-config.json");
    /// `urn:ietf:params:scim:schemas:core:2.0:ResourceType` (RFC 7643 §8.7.2).
    pub const RESOURCE_TYPE: &str = include_str!("../schemas/resource-type.json");
    /// `urn:ietf:params:scim:schemas:core:2.0:Schema` (RFC 7643 §8.7.2).
    pub const SCHEMA: &str = include_str!("../schemas/schema.json");
    /// The licence extension of Group: a boolean `license`.
    pub const LICENSE_GROUP: &str = include_str!("../schemas/license-group.json");
    /// The licence extension of User: a derived, read-only `license`.
    pub const LICENSE_USER: &str = include_str!("../schemas/license-user.json");
}
