//! Every schema and message URN the crate knows, in one place.
//!
//! URNs compare case-insensitively throughout the crate; use [`eq`] rather
//! than `==` when matching a URN that came from outside.

/// Core User schema (RFC 7643 §4.1).
pub const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
/// Core Group schema (RFC 7643 §4.2).
pub const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
/// Enterprise User extension (RFC 7643 §4.3).
pub const ENTERPRISE_USER: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
/// Service provider configuration schema (RFC 7643 §5).
pub const SERVICE_PROVIDER_CONFIG: &str =
    "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig";
/// Resource type schema (RFC 7643 §6).
pub const RESOURCE_TYPE: &str = "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
/// Schema of schema definitions (RFC 7643 §7).
pub const SCHEMA: &str = "urn:ietf:params:scim:schemas:core:2.0:Schema";

/// Licence extension of Group: a boolean `license` set by the identity provider.
pub const LICENSE_GROUP: &str = "urn:ietf:params:scim:schemas:extension:license:2.0:Group";
/// Licence extension of User: a read-only `license` derived from group membership.
pub const LICENSE_USER: &str = "urn:ietf:params:scim:schemas:extension:license:2.0:User";

/// List response message (RFC 7644 §3.4.2).
pub const LIST_RESPONSE: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
/// Search request message (RFC 7644 §3.4.3).
pub const SEARCH_REQUEST: &str = "urn:ietf:params:scim:api:messages:2.0:SearchRequest";
/// PATCH request message (RFC 7644 §3.5.2).
pub const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";
/// Bulk request message (RFC 7644 §3.7).
pub const BULK_REQUEST: &str = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
/// Bulk response message (RFC 7644 §3.7).
pub const BULK_RESPONSE: &str = "urn:ietf:params:scim:api:messages:2.0:BulkResponse";
/// Error message (RFC 7644 §3.12).
pub const ERROR: &str = "urn:ietf:params:scim:api:messages:2.0:Error";

/// The namespace of every SCIM 2.0 protocol message URN (RFC 7644 §3):
/// a body naming a URN under it is a protocol message, not a resource.
pub const MESSAGES_PREFIX: &str = "urn:ietf:params:scim:api:messages:2.0:";
/// The namespace of SCIM 1.x schema URNs (`urn:scim:schemas:core:1.0`,
/// `urn:scim:schemas:extension:enterprise:1.0`): a body naming one comes
/// from a SCIM 1.x client (RFC 7644 §3.12 `invalidVers`).
pub const SCIM1_PREFIX: &str = "urn:scim:schemas:";

/// Whether `urn` lies in the namespace `prefix` (ASCII case-insensitive).
pub fn in_namespace(urn: &str, prefix: &str) -> bool {
    urn.get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

/// Compares two URNs the way SCIM does: ASCII case-insensitively.
pub fn eq(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

/// If `path` starts with `urn` followed by `:`, returns what follows the colon.
///
/// The comparison is case-insensitive, so
/// `strip_prefix("URN:ietf:params:scim:schemas:core:2.0:User:userName", USER)`
/// is `Some("userName")`.
pub fn strip_prefix<'a>(path: &'a str, urn: &str) -> Option<&'a str> {
    let head = path.get(..urn.len())?;
    if !head.eq_ignore_ascii_case(urn) {
        return None;
    }
    path.get(urn.len()..)?.strip_prefix(':')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strip_prefix_is_case_insensitive_and_needs_a_colon() {
        assert_eq!(
            strip_prefix("URN:IETF:params:scim:schemas:core:2.0:user:userName", USER),
            Some("userName")
        );
        assert_eq!(strip_prefix(USER, USER), None);
        assert_eq!(strip_prefix("urn:x", USER), None);
        assert_eq!(strip_prefix("é", "e"), None);
    }

    #[test]
    fn namespaces_ignore_case() {
        assert!(in_namespace("URN:SCIM:schemas:core:1.0", SCIM1_PREFIX));
        assert!(in_namespace(PATCH_OP, MESSAGES_PREFIX));
        assert!(!in_namespace(USER, SCIM1_PREFIX));
        assert!(!in_namespace("urn:scim", SCIM1_PREFIX));
        assert!(!in_namespace("ürn:scim:schemas:", SCIM1_PREFIX));
    }
}
