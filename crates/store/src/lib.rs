//! Storage for Scimhub: the async [`Store`] trait, the query model handed to
//! stores, the in-memory reference store, and (with the `testkit` feature) a
//! conformance kit that every backend runs.
//!
//! A store keeps tenants, resources (schema-free JSON documents with an id,
//! a type, a version and timestamps) and group memberships. It enforces the
//! uniqueness the caller declares, guards writes with versions so no
//! update is lost, and answers bound filters. It knows nothing of HTTP or
//! of SCIM beyond what the query model says; the protocol crate decides
//! what to store.
//!
//! ```
//! use scimhub_store::{MemoryStore, NewResource, NewTenant, Store, TenantId, TokenHash, UniqueValue};
//! use serde_json::json;
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), scimhub_store::Error> {
//! let store = MemoryStore::new();
//! let acme = TenantId::new("acme")?;
//! store.create_tenant(NewTenant { id: acme.clone(), token: TokenHash([7; 32]), allowed_domains: vec![] }).await?;
//!
//! let user = store.create(&acme, NewResource {
//!     resource_type: "User".into(),
//!     document: json!({"userName": "bjensen"}),
//!     unique: vec![UniqueValue::new("userName", "bjensen", false)],
//!     members: vec![],
//! }).await?;
//! assert_eq!(user.version.0, 1);
//!
//! // userName is unique ignoring case.
//! let clash = store.create(&acme, NewResource {
//!     resource_type: "User".into(),
//!     document: json!({"userName": "BJensen"}),
//!     unique: vec![UniqueValue::new("userName", "BJensen", false)],
//!     members: vec![],
//! }).await;
//! assert!(clash.is_err());
//! # Ok(())
//! # }
//! ```
//!
//! # Guarantees
//!
//! - **Tenancy.** Every data call names its tenant and sees nothing else.
//! - **Versions.** A resource starts at version 1 and gains one per change
//!   (memberships included); a write guarded by a stale version fails with
//!   [`ErrorKind::VersionConflict`] and changes nothing.
//! - **Atomicity.** Each call applies entirely or not at all.
//! - **Memberships** are their own records, indexed from the group and
//!   from the member: adding or removing one member, or reading a group's
//!   document, does not touch the other members.
//! - **Order.** List results follow the sort key, then creation order, so
//!   pages never repeat or skip a resource that was there throughout.
//!
//! # Crate features
//!
//! - `testkit`: the conformance kit, [`testkit`], which runs the whole
//!   behaviour suite against any `Store`.

#![doc(test(attr(deny(warnings))))]

mod document;
mod error;
mod memory;
mod model;
mod query;
mod store;
pub mod support;
#[cfg(feature = "testkit")]
pub mod testkit;

pub use document::Document;
pub use error::{Error, ErrorKind, Result};
pub use memory::MemoryStore;
pub use model::{
    Member, MemberChange, NewResource, NewTenant, ResourceId, StoredResource, Tenant, TenantId,
    TenantUpdate, TokenHash, UniqueValue, Update, Version,
};
pub use query::{Expr, Page, Pagination, Query, Sort};
pub use store::Store;
