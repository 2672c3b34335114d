//! The store's one error type, with portable kinds every backend maps its
//! own failures to.

use crate::model::{ResourceId, Version};

/// A `Result` whose error defaults to the store's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A store failure.
#[derive(Debug, thiserror::Error)]
#[error("{detail}")]
pub struct Error {
    kind: ErrorKind,
    detail: String,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

/// What went wrong, in terms the protocol layer can map to a SCIM error.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// No such resource (or tenant) — a 404.
    NotFound,
    /// Another resource of the type already has this value of a unique
    /// attribute — a 409 `uniqueness`.
    Uniqueness {
        /// The attribute's canonical path.
        attribute: String,
    },
    /// The resource changed since the version the caller read — a 412
    /// with `If-Match`, otherwise a reason to re-read and retry.
    VersionConflict {
        /// The version now stored.
        current: Version,
    },
    /// A member references no user or group of the tenant — a 400
    /// `invalidValue`.
    InvalidReference {
        /// The missing id.
        id: ResourceId,
    },
    /// A tenant of that name already exists.
    TenantExists,
    /// The query cannot be answered (for example an unknown sort key) — a
    /// 400.
    InvalidQuery,
    /// A pagination cursor is malformed or no longer valid — a 400
    /// `invalidCursor`.
    InvalidCursor,
    /// The backend cannot be reached or failed — a 500 or 503.
    Unavailable,
}

impl Error {
    /// An error of `kind` with a detail for logs and responses.
    pub fn new(kind: ErrorKind, detail: impl Into<String>) -> Error {
        Error {
            kind,
            detail: detail.into(),
            source: None,
        }
    }

    /// The resource or tenant does not exist.
    pub fn not_found(detail: impl Into<String>) -> Error {
        Error::new(ErrorKind::NotFound, detail)
    }

    /// A unique attribute's value is taken.
    pub fn uniqueness(attribute: &str) -> Error {
        Error::new(
            ErrorKind::Uniqueness {
                attribute: attribute.to_owned(),
            },
            format!("another resource already has this {attribute}"),
        )
    }

    /// The expected version is stale.
    pub fn version_conflict(expected: Version, current: Version) -> Error {
        Error::new(
            ErrorKind::VersionConflict { current },
            format!("the resource is at version {current}, not {expected}"),
        )
    }

    /// A member id matches no resource.
    pub fn invalid_reference(id: &ResourceId) -> Error {
        Error::new(
            ErrorKind::InvalidReference { id: id.clone() },
            format!("no user or group has the id '{id}'"),
        )
    }

    /// The query is not acceptable.
    pub fn invalid_query(detail: impl Into<String>) -> Error {
        Error::new(ErrorKind::InvalidQuery, detail)
    }

    /// The cursor is not acceptable.
    pub fn invalid_cursor() -> Error {
        Error::new(
            ErrorKind::InvalidCursor,
            "the cursor is malformed or belongs to another query",
        )
    }

    /// The backend failed; `source` is kept for logs, never shown to
    /// clients.
    pub fn unavailable(
        detail: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Error {
        Error {
            kind: ErrorKind::Unavailable,
            detail: detail.into(),
            source: Some(Box::new(source)),
        }
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }
}
