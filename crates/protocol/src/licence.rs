//! Licences: a user is licensed exactly when it is a direct member of at
//! least one group whose licence extension says `license: true`.

use scimhub_filter::{bind, parse_filter};
use scimhub_schema::{Registry, urn};
use scimhub_store::{Expr, StoredResource};
use serde_json::Value;

use crate::error::{Result, ScimError};

/// Whether a group document grants a licence (`true`, or the string
/// `"true"` in any case, as Entra ID's `Switch` expression produces).
pub fn grants_licence(group: &Value) -> bool {
    let ext = group
        .as_object()
        .and_then(|o| o.iter().find(|(k, _)| urn::eq(k, urn::LICENSE_GROUP)))
        .map(|(_, v)| v);
    match ext.and_then(|e| e.get("license")) {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s.eq_ignore_ascii_case("true"),
        _ => false,
    }
}

/// Whether a user whose groups are `groups` is licensed. Fails when a
/// group's stored document does not parse.
pub fn is_licensed(groups: &[StoredResource]) -> Result<bool> {
    for g in groups {
        if grants_licence(g.document.value()?) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The store condition "is a member of a licensing group", for filters on
/// the user's licence and for statistics.
pub fn licensed_expr(registry: &Registry) -> Result<Expr> {
    let groups = registry
        .resource_type("Group")
        .ok_or_else(ScimError::internal)?;
    let text = format!("{}:license eq true", urn::LICENSE_GROUP);
    let grants = bind(&parse_filter(&text)?, groups)?;
    Ok(Expr::MemberOf(Box::new(Expr::Filter(grants))))
}
