//! The crate's one error type.

use crate::message::ScimType;

/// A `Result` whose error defaults to this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Why a schema could not be loaded, a path could not be resolved, or a
/// document failed validation.
///
/// [`Error::kind`] says what went wrong, [`Error::path`] which attribute it
/// concerns (its canonical spelling, URN-qualified for extensions) and
/// `Display` gives a one-sentence detail fit for a SCIM error response.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{detail}")]
pub struct Error {
    kind: ErrorKind,
    path: Option<String>,
    detail: String,
}

/// The kinds of [`Error`], each with the SCIM `scimType` it maps to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A schema or resource type definition is malformed (a server
    /// configuration error, no `scimType`).
    InvalidSchema,
    /// No resource type or schema of that name is registered.
    UnknownResourceType,
    /// The document names an attribute the resource type does not define
    /// (with the registry's policy set to reject them): `invalidSyntax`.
    UnknownAttribute,
    /// The document's structure is wrong: not an object, `schemas` missing
    /// or malformed, an attribute given twice: `invalidSyntax`.
    InvalidSyntax,
    /// A value does not have the attribute's type: `invalidValue`.
    TypeMismatch,
    /// A required attribute or extension is missing: `invalidValue`.
    RequiredMissing,
    /// A value has the right type but is not acceptable (not a canonical
    /// value when those are enforced, `primary` true twice): `invalidValue`.
    InvalidValue,
    /// A read-only attribute would change: `mutability`.
    ReadOnlyModified,
    /// An immutable attribute that has a value would change: `mutability`.
    ImmutableModified,
}

impl ErrorKind {
    /// The RFC 7644 §3.12 `scimType` for this kind, when a request caused it.
    ///
    /// Unknown attributes map to `invalidSyntax`, which is right for request
    /// bodies; callers resolving filter or PATCH paths report
    /// `invalidFilter` or `invalidPath` instead.
    pub fn scim_type(self) -> Option<ScimType> {
        match self {
            ErrorKind::InvalidSchema | ErrorKind::UnknownResourceType => None,
            ErrorKind::UnknownAttribute | ErrorKind::InvalidSyntax => Some(ScimType::InvalidSyntax),
            ErrorKind::TypeMismatch | ErrorKind::RequiredMissing | ErrorKind::InvalidValue => {
                Some(ScimType::InvalidValue)
            }
            ErrorKind::ReadOnlyModified | ErrorKind::ImmutableModified => {
                Some(ScimType::Mutability)
            }
        }
    }
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, detail: impl Into<String>) -> Error {
        Error {
            kind,
            path: None,
            detail: detail.into(),
        }
    }

    pub(crate) fn at(mut self, path: impl Into<String>) -> Error {
        self.path = Some(path.into());
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The attribute concerned, in its canonical spelling
    /// (`name.givenName`, `urn:…:enterprise:2.0:User:manager.value`).
    pub fn path(&self) -> Option<&str> {
        self.path.as_deref()
    }

    /// The RFC 7644 `scimType` of this error, if it has one.
    pub fn scim_type(&self) -> Option<ScimType> {
        self.kind.scim_type()
    }

    /// The human-readable detail, without the kind.
    pub fn detail(&self) -> &str {
        &self.detail
    }
}
