//! The values a store keeps and hands back: identifiers, tenants,
//! resources and memberships.

use std::fmt;

use scimhub_schema::datetime::DateTime;
use serde_json::Value;

use crate::document::Document;
use crate::error::{Error, Result};

/// A tenant's name, which is also its URL segment (`/scim/v2/{tenant}`):
/// 1 to 63 characters of lower-case ASCII letters, digits, `-` and `_`,
/// starting with a letter or digit.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TenantId(String);

impl TenantId {
    /// Checks and wraps a tenant name.
    pub fn new(name: &str) -> Result<TenantId> {
        let ok = !name.is_empty()
            && name.len() <= 63
            && name
                .bytes()
                .next()
                .is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if ok {
            Ok(TenantId(name.to_owned()))
        } else {
            Err(Error::invalid_query(format!(
                "'{name}' is not a valid tenant name: use 1 to 63 lower-case letters, digits, '-' or '_', starting with a letter or digit"
            )))
        }
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A resource id, unique within a tenant (a UUID for resources the stores
/// in this workspace create).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResourceId(String);

impl ResourceId {
    /// Wraps an id.
    pub fn new(id: impl Into<String>) -> ResourceId {
        ResourceId(id.into())
    }

    /// A new id: a UUID v7 in lower-case hyphenated form. Its leading
    /// bits are the creation time, so ids made one after the other sort
    /// together and index insertions land on the same pages (a random v4
    /// touches a different page of every id index per creation); its 74
    /// random bits keep it unguessable.
    pub fn generate() -> ResourceId {
        ResourceId(uuid::Uuid::now_v7().to_string())
    }

    /// The id.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ResourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A resource's version: 1 when created, one more after every change.
/// The protocol layer turns it into an ETag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Version(pub u64);

impl Version {
    /// The version of a new resource.
    pub const FIRST: Version = Version(1);

    /// The version after one more change.
    pub fn next(self) -> Version {
        Version(self.0.saturating_add(1))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// The SHA-256 digest of a bearer token: the only form in which tokens are
/// stored.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct TokenHash(pub [u8; 32]);

impl fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A hash is not a secret, but there is no reason to print it whole.
        write!(f, "TokenHash({:02x}{:02x}…)", self.0[0], self.0[1])
    }
}

/// A tenant: one customer's isolated set of users and groups.
#[derive(Debug, Clone, PartialEq)]
pub struct Tenant {
    /// The name.
    pub id: TenantId,
    /// The hash of the current token.
    pub token: TokenHash,
    /// The hash of the previous token and when it stops working (after a
    /// rotation with a grace period).
    pub previous_token: Option<(TokenHash, DateTime)>,
    /// Domains users may belong to; empty means any.
    pub allowed_domains: Vec<String>,
    /// Requests per second allowed for this tenant; `None` for the
    /// server's default.
    pub rate_limit: Option<u32>,
    /// When the tenant was created.
    pub created: DateTime,
    /// When the tenant last made a SCIM request, if ever.
    pub last_request_at: Option<DateTime>,
}

impl Tenant {
    /// Whether `hash` opens this tenant at time `now`: the current token,
    /// or the previous one within its grace period.
    pub fn accepts(&self, hash: &TokenHash, now: DateTime) -> bool {
        self.token == *hash
            || self
                .previous_token
                .is_some_and(|(prev, until)| prev == *hash && now < until)
    }
}

/// What creating a tenant needs.
#[derive(Debug, Clone, PartialEq)]
pub struct NewTenant {
    /// The name.
    pub id: TenantId,
    /// The hash of its first token.
    pub token: TokenHash,
    /// Allowed user domains; empty means any.
    pub allowed_domains: Vec<String>,
}

/// A change to a tenant's settings; `None` fields are left as they are.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TenantUpdate {
    /// A new token; with `grace_until`, the old one keeps working until
    /// then.
    pub token: Option<(TokenHash, Option<DateTime>)>,
    /// New allowed domains.
    pub allowed_domains: Option<Vec<String>>,
    /// A new rate limit (`Some(None)` clears it).
    pub rate_limit: Option<Option<u32>>,
}

/// A resource as stored: its attributes as a JSON object, without `id`,
/// `meta` or (for groups) `members`, which the store keeps on its own.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredResource {
    /// The id.
    pub id: ResourceId,
    /// The resource type name (`User`, `Group`).
    pub resource_type: String,
    /// The version.
    pub version: Version,
    /// When it was created.
    pub created: DateTime,
    /// When it last changed (memberships included).
    pub last_modified: DateTime,
    /// The attributes.
    pub document: Document,
}

/// A value the store must keep unique among resources of one type in one
/// tenant, as the schema declares (`userName` above all).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UniqueValue {
    /// The attribute's canonical path (`userName`).
    pub attribute: String,
    /// The value, already folded to lower case when the attribute is not
    /// `caseExact`, so that equal values are equal strings.
    pub value: String,
}

impl UniqueValue {
    /// A unique value, folded to lower case unless `case_exact`.
    pub fn new(attribute: &str, value: &str, case_exact: bool) -> UniqueValue {
        UniqueValue {
            attribute: attribute.to_owned(),
            value: if case_exact {
                value.to_owned()
            } else {
                value.to_lowercase()
            },
        }
    }
}

/// A member of a group: a user or a group of the same tenant.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Member {
    /// The member's id.
    pub id: ResourceId,
    /// The member's resource type (`User` or `Group`).
    pub resource_type: String,
}

/// What creating a resource needs.
#[derive(Debug, Clone, PartialEq)]
pub struct NewResource {
    /// The resource type name.
    pub resource_type: String,
    /// The attributes (no `id`, `meta` or `members`).
    pub document: Value,
    /// The values to keep unique.
    pub unique: Vec<UniqueValue>,
    /// Initial members, for groups.
    pub members: Vec<ResourceId>,
}

/// Membership changes applied with an [`Update`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemberChange {
    /// Add these members (already present ones are ignored) and remove
    /// those (absent ones are ignored), in that order.
    Edit {
        /// Members to add.
        add: Vec<ResourceId>,
        /// Members to remove.
        remove: Vec<ResourceId>,
    },
    /// Make the member list exactly this.
    Replace(Vec<ResourceId>),
}

/// A change to a resource, applied atomically with one version bump.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Update {
    /// A new document and its unique values, replacing the old ones.
    pub document: Option<(Value, Vec<UniqueValue>)>,
    /// Membership changes (groups only).
    pub members: Option<MemberChange>,
}
