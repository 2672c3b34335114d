//! Every error condition of the protocol, defined once with its HTTP status
//! and SCIM `scimType` (RFC 7644 §3.12).

use scimhub_schema::message::{ErrorResponse, ScimType};

/// A `Result` whose error defaults to [`ScimError`].
pub type Result<T, E = ScimError> = std::result::Result<T, E>;

/// An error response in the making: status, `scimType` and a detail a
/// person can act on.
///
/// Internal causes (a store failure) are logged where they happen and never
/// reach the detail.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{status} {}: {detail}", scim_type.map_or("-", |t| t.as_str()))]
pub struct ScimError {
    /// The HTTP status.
    pub status: u16,
    /// The SCIM error type, where RFC 7644 defines one.
    pub scim_type: Option<ScimType>,
    /// The human-readable detail.
    pub detail: String,
}

impl ScimError {
    /// An error with a status, type and detail.
    pub fn new(status: u16, scim_type: Option<ScimType>, detail: impl Into<String>) -> ScimError {
        ScimError {
            status,
            scim_type,
            detail: detail.into(),
        }
    }

    /// 400 with a `scimType`.
    pub fn bad_request(scim_type: ScimType, detail: impl Into<String>) -> ScimError {
        ScimError::new(400, Some(scim_type), detail)
    }

    /// 400 `invalidSyntax`: the body is not JSON or not the expected message.
    pub fn invalid_syntax(detail: impl Into<String>) -> ScimError {
        ScimError::bad_request(ScimType::InvalidSyntax, detail)
    }

    /// 400 `invalidValue`.
    pub fn invalid_value(detail: impl Into<String>) -> ScimError {
        ScimError::bad_request(ScimType::InvalidValue, detail)
    }

    /// 400 `invalidPath`.
    pub fn invalid_path(detail: impl Into<String>) -> ScimError {
        ScimError::bad_request(ScimType::InvalidPath, detail)
    }

    /// 400 `noTarget`.
    pub fn no_target(detail: impl Into<String>) -> ScimError {
        ScimError::bad_request(ScimType::NoTarget, detail)
    }

    /// 400 `mutability`.
    pub fn mutability(detail: impl Into<String>) -> ScimError {
        ScimError::bad_request(ScimType::Mutability, detail)
    }

    /// 400 `tooMany`.
    pub fn too_many(detail: impl Into<String>) -> ScimError {
        ScimError::bad_request(ScimType::TooMany, detail)
    }

    /// 404: no such resource or endpoint.
    pub fn not_found(detail: impl Into<String>) -> ScimError {
        ScimError::new(404, None, detail)
    }

    /// 405: the endpoint does not support the method.
    pub fn method_not_allowed(detail: impl Into<String>) -> ScimError {
        ScimError::new(405, None, detail)
    }

    /// 409 `uniqueness`.
    pub fn uniqueness(detail: impl Into<String>) -> ScimError {
        ScimError::new(409, Some(ScimType::Uniqueness), detail)
    }

    /// 412: `If-Match` names a version that is not the current one.
    pub fn precondition_failed(detail: impl Into<String>) -> ScimError {
        ScimError::new(412, None, detail)
    }

    /// 413: the body exceeds a limit.
    pub fn payload_too_large(detail: impl Into<String>) -> ScimError {
        ScimError::new(413, None, detail)
    }

    /// 415: the body is not JSON.
    pub fn unsupported_media_type(detail: impl Into<String>) -> ScimError {
        ScimError::new(415, None, detail)
    }

    /// 401: missing or wrong credentials.
    pub fn unauthorized(detail: impl Into<String>) -> ScimError {
        ScimError::new(401, None, detail)
    }

    /// 429: too many requests for this tenant.
    pub fn too_many_requests(detail: impl Into<String>) -> ScimError {
        ScimError::new(429, None, detail)
    }

    /// 500 with a generic detail; the cause is logged by the caller.
    pub fn internal() -> ScimError {
        ScimError::new(
            500,
            None,
            "the service could not complete the request; it has been logged",
        )
    }

    /// 501: an operation this service does not implement.
    pub fn not_implemented(detail: impl Into<String>) -> ScimError {
        ScimError::new(501, None, detail)
    }

    /// 503: the service cannot answer now; retry later. (A failing store
    /// is not reported so: it is the server's fault, a 500 with the
    /// [`ScimError::internal`] detail.)
    pub fn unavailable() -> ScimError {
        ScimError::new(
            503,
            None,
            "the service is temporarily unavailable; retry later",
        )
    }

    /// The RFC 7644 §3.12 body.
    pub fn to_response(&self) -> ErrorResponse {
        ErrorResponse::new(self.status, self.scim_type, self.detail.clone())
    }
}

impl From<scimhub_schema::Error> for ScimError {
    fn from(e: scimhub_schema::Error) -> ScimError {
        match e.scim_type() {
            Some(t) => ScimError::bad_request(t, e.to_string()),
            // Schema configuration errors are the server's fault.
            None => {
                tracing::error!(error = %e, "schema error while handling a request");
                ScimError::internal()
            }
        }
    }
}

impl From<scimhub_filter::Error> for ScimError {
    fn from(e: scimhub_filter::Error) -> ScimError {
        ScimError::bad_request(e.scim_type(), e.to_string())
    }
}

impl From<scimhub_store::Error> for ScimError {
    fn from(e: scimhub_store::Error) -> ScimError {
        use scimhub_store::ErrorKind as K;
        match e.kind() {
            K::NotFound => ScimError::not_found(e.to_string()),
            K::Uniqueness { attribute } => {
                ScimError::uniqueness(format!("another resource already has this {attribute}"))
            }
            K::VersionConflict { .. } => ScimError::precondition_failed(
                "the resource was modified since the version given in If-Match",
            ),
            K::InvalidReference { id } => ScimError::invalid_value(format!(
                "no user or group with the id '{id}' exists in this tenant"
            )),
            K::InvalidQuery => ScimError::bad_request(ScimType::InvalidFilter, e.to_string()),
            K::InvalidCursor => ScimError::bad_request(ScimType::InvalidCursor, e.to_string()),
            K::TenantExists => ScimError::uniqueness(e.to_string()),
            // A store failure is the server's: a 500 with a generic
            // detail, the cause (driver message and all) in the log only.
            _ => {
                tracing::error!(error = %e, source = ?std::error::Error::source(&e), "store failure");
                ScimError::internal()
            }
        }
    }
}
