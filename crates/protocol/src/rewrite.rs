//! Turns a bound filter into a store query, answering the attributes the
//! service computes (`User.groups`, the user's licence) and the one the
//! store keeps apart (`Group.members`) with membership predicates.

use scimhub_filter::{BoundFilter, BoundPath, BoundValue, CompareOp};
use scimhub_schema::{AttributeType, Registry, urn};
use scimhub_store::Expr;

use crate::error::{Result, ScimError};
use crate::licence;

/// The always-true and always-false conditions.
fn always() -> Expr {
    Expr::And(Vec::new())
}
fn never() -> Expr {
    Expr::Or(Vec::new())
}

enum Special {
    Members,
    Groups,
    Licence,
}

fn special(resource_type: &str, path: &BoundPath) -> Option<Special> {
    match (
        resource_type,
        path.extension.as_deref(),
        path.attribute.as_str(),
    ) {
        ("Group", None, "members") => Some(Special::Members),
        ("User", None, "groups") => Some(Special::Groups),
        ("User", Some(ext), "license") if urn::eq(ext, urn::LICENSE_USER) => Some(Special::Licence),
        _ => None,
    }
}

fn mentions_special(resource_type: &str, f: &BoundFilter) -> bool {
    match f {
        BoundFilter::Present(p) | BoundFilter::Compare(p, _, _) => {
            special(resource_type, p).is_some()
        }
        BoundFilter::ValuePath { attr, .. } => special(resource_type, attr).is_some(),
        BoundFilter::Not(f) => mentions_special(resource_type, f),
        BoundFilter::And(fs) | BoundFilter::Or(fs) => {
            fs.iter().any(|f| mentions_special(resource_type, f))
        }
    }
}

/// The store condition for `filter` on `resource_type`.
pub(crate) fn to_expr(
    registry: &Registry,
    resource_type: &str,
    filter: BoundFilter,
) -> Result<Expr> {
    if !mentions_special(resource_type, &filter) {
        return Ok(Expr::Filter(filter));
    }
    Ok(match filter {
        BoundFilter::And(fs) => Expr::And(
            fs.into_iter()
                .map(|f| to_expr(registry, resource_type, f))
                .collect::<Result<_>>()?,
        ),
        BoundFilter::Or(fs) => Expr::Or(
            fs.into_iter()
                .map(|f| to_expr(registry, resource_type, f))
                .collect::<Result<_>>()?,
        ),
        BoundFilter::Not(f) => Expr::Not(Box::new(to_expr(registry, resource_type, *f)?)),
        leaf => leaf_expr(registry, resource_type, leaf)?,
    })
}

fn leaf_expr(registry: &Registry, resource_type: &str, leaf: BoundFilter) -> Result<Expr> {
    let path = match &leaf {
        BoundFilter::Present(p) | BoundFilter::Compare(p, _, _) => p.clone(),
        BoundFilter::ValuePath { attr, .. } => attr.clone(),
        _ => return Err(ScimError::internal()),
    };
    match special(resource_type, &path) {
        Some(Special::Members) => members_expr(leaf),
        Some(Special::Groups) => groups_expr(registry, leaf),
        Some(Special::Licence) => licence_expr(registry, leaf),
        None => Ok(Expr::Filter(leaf)),
    }
}

/// `ne` is the negation of `eq` (true when nothing equals).
fn negated_eq(op: CompareOp) -> bool {
    op == CompareOp::Ne
}

/// `members…` on a group: conditions on its members' ids and types.
fn members_expr(leaf: BoundFilter) -> Result<Expr> {
    let element = |p: &BoundPath| -> Result<BoundPath> {
        match p.sub.as_deref() {
            None | Some("value") | Some("type") => {
                let mut e = p.clone();
                if e.sub.is_none() {
                    e.sub = Some("value".into());
                }
                Ok(e)
            }
            Some(other) => Err(ScimError::bad_request(
                scimhub_schema::message::ScimType::InvalidFilter,
                format!(
                    "filtering on members.{other} is not supported; use members.value or members.type"
                ),
            )),
        }
    };
    Ok(match leaf {
        BoundFilter::Present(_) => Expr::HasMember(BoundFilter::And(Vec::new())),
        BoundFilter::Compare(p, op, v) => {
            if matches!(v, BoundValue::Null) {
                let any = Expr::HasMember(BoundFilter::And(Vec::new()));
                return Ok(if op == CompareOp::Eq {
                    Expr::Not(Box::new(any))
                } else {
                    any
                });
            }
            let e = element(&p)?;
            if negated_eq(op) {
                Expr::Not(Box::new(Expr::HasMember(BoundFilter::Compare(
                    e,
                    CompareOp::Eq,
                    v,
                ))))
            } else {
                Expr::HasMember(BoundFilter::Compare(e, op, v))
            }
        }
        BoundFilter::ValuePath { filter, .. } => {
            check_member_filter(&filter)?;
            Expr::HasMember(*filter)
        }
        _ => return Err(ScimError::internal()),
    })
}

fn check_member_filter(f: &BoundFilter) -> Result<()> {
    match f {
        BoundFilter::Present(p) | BoundFilter::Compare(p, _, _) => match p.sub.as_deref() {
            Some("value") | Some("type") => Ok(()),
            other => Err(ScimError::bad_request(
                scimhub_schema::message::ScimType::InvalidFilter,
                format!(
                    "filtering on members.{} is not supported; use value or type",
                    other.unwrap_or("")
                ),
            )),
        },
        BoundFilter::Not(f) => check_member_filter(f),
        BoundFilter::And(fs) | BoundFilter::Or(fs) => fs.iter().try_for_each(check_member_filter),
        BoundFilter::ValuePath { .. } => Err(ScimError::internal()),
    }
}

/// The path of a group attribute, for conditions on the groups a user
/// belongs to.
fn group_path(registry: &Registry, name: &str) -> Result<BoundPath> {
    let groups = registry
        .resource_type("Group")
        .ok_or_else(ScimError::internal)?;
    let parsed = scimhub_filter::parse_attr_path(name)?;
    Ok(scimhub_filter::bind_path(&parsed, groups)?)
}

/// A user's `groups.value`/`groups.display`/`groups.type` as conditions on
/// the groups themselves (`id`, `displayName`; every membership is
/// direct).
fn group_leaf(
    registry: &Registry,
    sub: Option<&str>,
    op: CompareOp,
    v: BoundValue,
) -> Result<Expr> {
    let target = match sub {
        None | Some("value") => "id",
        Some("display") => "displayName",
        Some("type") => {
            let direct = match &v {
                BoundValue::Str(s) => s.eq_ignore_ascii_case("direct"),
                _ => false,
            };
            return Ok(match (op, direct) {
                (CompareOp::Eq, true) | (CompareOp::Ne, false) => always(),
                _ => never(),
            });
        }
        Some(other) => {
            return Err(ScimError::bad_request(
                scimhub_schema::message::ScimType::InvalidFilter,
                format!("filtering on groups.{other} is not supported"),
            ));
        }
    };
    let mut path = group_path(registry, target)?;
    if path.attr_type != AttributeType::String && path.attr_type != AttributeType::Reference {
        path.attr_type = AttributeType::String;
    }
    Ok(Expr::Filter(BoundFilter::Compare(path, op, v)))
}

fn groups_expr(registry: &Registry, leaf: BoundFilter) -> Result<Expr> {
    Ok(match leaf {
        BoundFilter::Present(_) => Expr::MemberOf(Box::new(always())),
        BoundFilter::Compare(p, op, v) => {
            if matches!(v, BoundValue::Null) {
                let any = Expr::MemberOf(Box::new(always()));
                return Ok(if op == CompareOp::Eq {
                    Expr::Not(Box::new(any))
                } else {
                    any
                });
            }
            if negated_eq(op) {
                let eq = group_leaf(registry, p.sub.as_deref(), CompareOp::Eq, v)?;
                Expr::Not(Box::new(Expr::MemberOf(Box::new(eq))))
            } else {
                Expr::MemberOf(Box::new(group_leaf(registry, p.sub.as_deref(), op, v)?))
            }
        }
        BoundFilter::ValuePath { filter, .. } => {
            Expr::MemberOf(Box::new(group_filter(registry, *filter)?))
        }
        _ => return Err(ScimError::internal()),
    })
}

/// The filter inside `groups[…]`, as a condition on one group.
fn group_filter(registry: &Registry, f: BoundFilter) -> Result<Expr> {
    Ok(match f {
        BoundFilter::Present(p) => match p.sub.as_deref() {
            Some("value") | Some("type") | None => always(),
            Some("display") => {
                Expr::Filter(BoundFilter::Present(group_path(registry, "displayName")?))
            }
            Some(other) => {
                return Err(ScimError::bad_request(
                    scimhub_schema::message::ScimType::InvalidFilter,
                    format!("filtering on groups.{other} is not supported"),
                ));
            }
        },
        BoundFilter::Compare(p, op, v) => {
            if negated_eq(op) {
                Expr::Not(Box::new(group_leaf(
                    registry,
                    p.sub.as_deref(),
                    CompareOp::Eq,
                    v,
                )?))
            } else {
                group_leaf(registry, p.sub.as_deref(), op, v)?
            }
        }
        BoundFilter::Not(f) => Expr::Not(Box::new(group_filter(registry, *f)?)),
        BoundFilter::And(fs) => Expr::And(
            fs.into_iter()
                .map(|f| group_filter(registry, f))
                .collect::<Result<_>>()?,
        ),
        BoundFilter::Or(fs) => Expr::Or(
            fs.into_iter()
                .map(|f| group_filter(registry, f))
                .collect::<Result<_>>()?,
        ),
        BoundFilter::ValuePath { .. } => return Err(ScimError::internal()),
    })
}

/// The user's derived licence.
fn licence_expr(registry: &Registry, leaf: BoundFilter) -> Result<Expr> {
    let licensed = licence::licensed_expr(registry)?;
    Ok(match leaf {
        // The licence always has a value (true or false).
        BoundFilter::Present(_) => always(),
        BoundFilter::Compare(_, op, BoundValue::Bool(b)) => {
            let want_licensed = (op == CompareOp::Eq) == b;
            if want_licensed {
                licensed
            } else {
                Expr::Not(Box::new(licensed))
            }
        }
        BoundFilter::Compare(_, CompareOp::Eq, BoundValue::Null) => never(),
        BoundFilter::Compare(_, CompareOp::Ne, BoundValue::Null) => always(),
        _ => return Err(ScimError::internal()),
    })
}
