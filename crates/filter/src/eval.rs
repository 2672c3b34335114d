//! The evaluator: does a bound filter match a resource?

use std::cmp::Ordering;

use scimhub_schema::AttributeType;
use scimhub_schema::datetime::DateTime;
use serde_json::{Map, Value};

use crate::ast::CompareOp;
use crate::bind::{BoundFilter, BoundPath, BoundValue};

/// Case-insensitive lookup: the exact key first (stored documents use the
/// schema's spelling), then any spelling.
fn get<'v>(obj: &'v Map<String, Value>, key: &str) -> Option<&'v Value> {
    obj.get(key).or_else(|| {
        obj.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

/// Where paths are looked up: the resource, or one element of a value
/// path's attribute.
#[derive(Clone, Copy)]
enum Scope<'v> {
    Resource(&'v Map<String, Value>),
    Element(&'v Map<String, Value>),
}

/// Calls `f` on every value the path reaches (array elements one by one);
/// returns whether `f` returned true for any.
fn any_value(path: &BoundPath, scope: Scope<'_>, f: &mut dyn FnMut(&Value) -> bool) -> bool {
    let mut leaf = |v: &Value| match v {
        Value::Array(items) => items.iter().any(|i| !i.is_null() && f(i)),
        Value::Null => false,
        other => f(other),
    };
    match scope {
        Scope::Element(elem) => match &path.sub {
            Some(sub) => get(elem, sub).is_some_and(&mut leaf),
            None => false,
        },
        Scope::Resource(root) => {
            let container = match &path.extension {
                Some(ext) => match get(root, ext) {
                    Some(Value::Object(o)) => o,
                    _ => return false,
                },
                None => root,
            };
            let Some(top) = get(container, &path.attribute) else {
                return false;
            };
            match &path.sub {
                None => leaf(top),
                Some(sub) => match top {
                    Value::Object(o) => get(o, sub).is_some_and(&mut leaf),
                    Value::Array(items) => items.iter().any(|item| match item {
                        Value::Object(o) => get(o, sub).is_some_and(&mut leaf),
                        _ => false,
                    }),
                    _ => false,
                },
            }
        }
    }
}

/// RFC 7644 `pr`: a value that is not null, an empty string, an empty
/// array or an empty object.
fn is_present(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => a.iter().any(is_present),
        Value::Object(o) => o.values().any(is_present),
        _ => true,
    }
}

impl BoundFilter {
    /// Whether `resource` (a JSON object) matches the filter.
    ///
    /// - Attribute names are looked up ignoring case.
    /// - Strings compare ignoring case unless the attribute is `caseExact`
    ///   (binary values always compare exactly); `gt`/`lt`/`ge`/`le` order
    ///   strings by code point, after case folding when not `caseExact`.
    /// - dateTime values compare as instants, whatever their offsets;
    ///   numbers compare numerically.
    /// - A multi-valued attribute matches when any of its values does.
    /// - A value path matches when one and the same element satisfies the
    ///   whole bracketed filter.
    /// - `pr` is false for null, `""`, `[]` and `{}`.
    /// - `ne` is the negation of `eq`: true when no value equals (so also
    ///   when the attribute is absent). `eq null` is true when the
    ///   attribute has no value, `ne null` when it has one. Every other
    ///   operator is false for an absent attribute.
    /// - A value of the wrong JSON type in the resource (a number where a
    ///   string is expected) matches nothing.
    pub fn matches(&self, resource: &Value) -> bool {
        match resource {
            Value::Object(o) => self.eval(Scope::Resource(o)),
            _ => false,
        }
    }

    /// Whether one element of a multi-valued attribute (a JSON object)
    /// matches a filter whose paths are relative to the element, as the
    /// filter inside `emails[…]` is.
    pub fn matches_element(&self, element: &Value) -> bool {
        match element {
            Value::Object(o) => self.eval(Scope::Element(o)),
            _ => false,
        }
    }

    fn eval(&self, scope: Scope<'_>) -> bool {
        match self {
            BoundFilter::Present(path) => any_value(path, scope, &mut is_present),
            BoundFilter::Compare(path, op, value) => compare(path, *op, value, scope),
            BoundFilter::ValuePath { attr, filter } => {
                let Scope::Resource(root) = scope else {
                    return false;
                };
                let container = match &attr.extension {
                    Some(ext) => match get(root, ext) {
                        Some(Value::Object(o)) => o,
                        _ => return false,
                    },
                    None => root,
                };
                match get(container, &attr.attribute) {
                    Some(Value::Array(items)) => items.iter().any(|item| match item {
                        Value::Object(o) => filter.eval(Scope::Element(o)),
                        _ => false,
                    }),
                    Some(Value::Object(o)) => filter.eval(Scope::Element(o)),
                    _ => false,
                }
            }
            BoundFilter::Not(f) => !f.eval(scope),
            BoundFilter::And(fs) => fs.iter().all(|f| f.eval(scope)),
            BoundFilter::Or(fs) => fs.iter().any(|f| f.eval(scope)),
        }
    }
}

fn compare(path: &BoundPath, op: CompareOp, value: &BoundValue, scope: Scope<'_>) -> bool {
    match (op, value) {
        (CompareOp::Eq, BoundValue::Null) => !any_value(path, scope, &mut is_present),
        (CompareOp::Ne, BoundValue::Null) => any_value(path, scope, &mut is_present),
        (CompareOp::Ne, _) => {
            !any_value(path, scope, &mut |v| holds(path, CompareOp::Eq, value, v))
        }
        _ => any_value(path, scope, &mut |v| holds(path, op, value, v)),
    }
}

/// Whether the resource value `v` stands in relation `op` to `value`.
fn holds(path: &BoundPath, op: CompareOp, value: &BoundValue, v: &Value) -> bool {
    match (value, v) {
        (BoundValue::Str(want), Value::String(have)) => {
            if path.case_exact {
                string_op(op, have, want)
            } else if have.is_ascii() && want.is_ascii() {
                ascii_fold_op(op, have.as_bytes(), want.as_bytes())
            } else {
                string_op(op, &have.to_lowercase(), &want.to_lowercase())
            }
        }
        (BoundValue::Bool(want), Value::Bool(have)) => match op {
            CompareOp::Eq => have == want,
            _ => false,
        },
        (BoundValue::Bool(want), Value::String(have))
            if path.attr_type == AttributeType::Boolean =>
        {
            op == CompareOp::Eq && have.eq_ignore_ascii_case(if *want { "true" } else { "false" })
        }
        (BoundValue::Int(want), Value::Number(have)) => {
            let ord = match have.as_i64() {
                Some(h) => Some(h.cmp(want)),
                None => have.as_f64().and_then(|h| h.partial_cmp(&(*want as f64))),
            };
            ord.is_some_and(|o| ordering_op(op, o))
        }
        (BoundValue::Float(want), Value::Number(have)) => have
            .as_f64()
            .and_then(|h| h.partial_cmp(want))
            .is_some_and(|o| ordering_op(op, o)),
        (BoundValue::DateTime(want, _), Value::String(have)) => DateTime::parse(have)
            .ok()
            .is_some_and(|h| ordering_op(op, h.cmp(want))),
        _ => false,
    }
}

fn ordering_op(op: CompareOp, o: Ordering) -> bool {
    match op {
        CompareOp::Eq => o == Ordering::Equal,
        CompareOp::Ne => o != Ordering::Equal,
        CompareOp::Gt => o == Ordering::Greater,
        CompareOp::Ge => o != Ordering::Less,
        CompareOp::Lt => o == Ordering::Less,
        CompareOp::Le => o != Ordering::Greater,
        CompareOp::Co | CompareOp::Sw | CompareOp::Ew => false,
    }
}

fn string_op(op: CompareOp, have: &str, want: &str) -> bool {
    match op {
        CompareOp::Co => have.contains(want),
        CompareOp::Sw => have.starts_with(want),
        CompareOp::Ew => have.ends_with(want),
        _ => ordering_op(op, have.cmp(want)),
    }
}

/// String comparison ignoring ASCII case, without allocating.
fn ascii_fold_op(op: CompareOp, have: &[u8], want: &[u8]) -> bool {
    match op {
        CompareOp::Eq => have.eq_ignore_ascii_case(want),
        CompareOp::Ne => !have.eq_ignore_ascii_case(want),
        CompareOp::Sw => have
            .get(..want.len())
            .is_some_and(|h| h.eq_ignore_ascii_case(want)),
        CompareOp::Ew => have
            .len()
            .checked_sub(want.len())
            .and_then(|start| have.get(start..))
            .is_some_and(|h| h.eq_ignore_ascii_case(want)),
        CompareOp::Co => {
            want.is_empty()
                || have
                    .windows(want.len())
                    .any(|w| w.eq_ignore_ascii_case(want))
        }
        _ => {
            let fold = |b: &u8| b.to_ascii_lowercase();
            ordering_op(op, have.iter().map(fold).cmp(want.iter().map(fold)))
        }
    }
}
