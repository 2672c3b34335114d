//! Pieces every backend needs to answer queries the same way: the JSON
//! view a filter is evaluated on, sort keys and their order, and the
//! cursor format.

use std::cmp::Ordering;
use std::hash::{Hash, Hasher};

use base64::Engine;
use scimhub_filter::BoundPath;
use scimhub_schema::AttributeType;
use scimhub_schema::datetime::DateTime;
use serde_json::{Map, Value, json};

use crate::error::{Error, Result};
use crate::model::StoredResource;
use crate::query::Query;

/// The resource as filters see it: the document plus `id` and `meta`
/// (`resourceType`, `created`, `lastModified`, `version`). Fails when
/// the stored document does not parse.
pub fn resource_view(r: &StoredResource) -> Result<Value> {
    let mut obj = match r.document.value()? {
        Value::Object(o) => o.clone(),
        _ => Map::new(),
    };
    obj.insert("id".into(), Value::String(r.id.to_string()));
    obj.insert(
        "meta".into(),
        json!({
            "resourceType": r.resource_type,
            "created": r.created.to_string(),
            "lastModified": r.last_modified.to_string(),
            "version": format!("W/\"{}\"", r.version),
        }),
    );
    Ok(Value::Object(obj))
}

/// Whether a path names something the store keeps outside the document
/// (`id`, `meta.*`), so that filters on it need [`resource_view`].
pub fn is_store_attribute(path: &BoundPath) -> bool {
    path.extension.is_none() && (path.attribute == "id" || path.attribute == "meta")
}

/// A sort key: the value a resource sorts by, normalised so that keys of
/// one attribute compare with [`SortKey::compare`].
#[derive(Debug, Clone, PartialEq)]
pub enum SortKey {
    /// No value: after everything in ascending order.
    Missing,
    /// A string (folded to lower case unless `caseExact`).
    Str(String),
    /// A number.
    Num(f64),
    /// A boolean (`false` before `true`).
    Bool(bool),
    /// An instant.
    Time(DateTime),
}

impl SortKey {
    /// The total order of keys in ascending direction; `Missing` is last.
    pub fn compare(&self, other: &SortKey) -> Ordering {
        use SortKey as K;
        match (self, other) {
            (K::Missing, K::Missing) => Ordering::Equal,
            (K::Missing, _) => Ordering::Greater,
            (_, K::Missing) => Ordering::Less,
            (K::Str(a), K::Str(b)) => a.cmp(b),
            (K::Num(a), K::Num(b)) => a.total_cmp(b),
            (K::Bool(a), K::Bool(b)) => a.cmp(b),
            (K::Time(a), K::Time(b)) => a.cmp(b),
            // Mixed kinds only arise from documents holding a value of the
            // wrong type; order them by kind so the order stays total.
            (a, b) => a.rank().cmp(&b.rank()),
        }
    }

    fn rank(&self) -> u8 {
        match self {
            SortKey::Bool(_) => 0,
            SortKey::Num(_) => 1,
            SortKey::Time(_) => 2,
            SortKey::Str(_) => 3,
            SortKey::Missing => 4,
        }
    }

    fn to_json(&self) -> Value {
        match self {
            SortKey::Missing => Value::Null,
            SortKey::Str(s) => json!({"s": s}),
            SortKey::Num(n) => json!({"n": n}),
            SortKey::Bool(b) => json!({"b": b}),
            SortKey::Time(t) => json!({"t": [t.unix_seconds(), t.nanos()]}),
        }
    }

    fn from_json(v: &Value) -> Option<SortKey> {
        if v.is_null() {
            return Some(SortKey::Missing);
        }
        let o = v.as_object()?;
        if let Some(s) = o.get("s") {
            return Some(SortKey::Str(s.as_str()?.to_owned()));
        }
        if let Some(n) = o.get("n") {
            return Some(SortKey::Num(n.as_f64()?));
        }
        if let Some(b) = o.get("b") {
            return Some(SortKey::Bool(b.as_bool()?));
        }
        let t = o.get("t")?.as_array()?;
        let secs = t.first()?.as_i64()?;
        let nanos = u32::try_from(t.get(1)?.as_u64()?).ok()?;
        Some(SortKey::Time(DateTime::from_unix(secs, nanos)))
    }
}

/// The value of `path` in `view` (see [`resource_view`]) to sort by: the
/// primary element of a multi-valued attribute, or its first.
pub fn sort_key(view: &Value, path: &BoundPath) -> SortKey {
    let container = match &path.extension {
        Some(ext) => view.get(ext.as_str()),
        None => Some(view),
    };
    let Some(top) = container.and_then(|c| c.get(&path.attribute)) else {
        return SortKey::Missing;
    };
    let pick = |v: &Value| -> Option<Value> {
        match v {
            Value::Array(items) => items
                .iter()
                .find(|i| i.get("primary") == Some(&Value::Bool(true)))
                .or_else(|| items.first())
                .cloned(),
            other => Some(other.clone()),
        }
    };
    let Some(top) = pick(top) else {
        return SortKey::Missing;
    };
    let leaf = match &path.sub {
        Some(sub) => top.get(sub.as_str()).and_then(pick),
        None => Some(top),
    };
    match leaf {
        Some(v) => key_of(&v, path),
        None => SortKey::Missing,
    }
}

fn key_of(v: &Value, path: &BoundPath) -> SortKey {
    match (path.attr_type, v) {
        (_, Value::Null) => SortKey::Missing,
        (AttributeType::DateTime, Value::String(s)) => match DateTime::parse(s) {
            Ok(t) => SortKey::Time(t),
            Err(_) => SortKey::Str(s.clone()),
        },
        (_, Value::String(s)) if path.case_exact => SortKey::Str(s.clone()),
        (_, Value::String(s)) => SortKey::Str(s.to_lowercase()),
        (_, Value::Number(n)) => n.as_f64().map_or(SortKey::Missing, SortKey::Num),
        (_, Value::Bool(b)) => SortKey::Bool(*b),
        _ => SortKey::Missing,
    }
}

/// A position in a result order: the last sort key and creation sequence
/// returned, bound to the query it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct CursorPosition {
    /// The sort key of the last resource returned (`Missing` when the
    /// query has no sort).
    pub key: SortKey,
    /// The creation sequence of the last resource returned.
    pub seq: i64,
}

/// A fingerprint of what a query selects and how it orders, so that a
/// cursor cannot be replayed against another query.
fn fingerprint(q: &Query) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    q.resource_type.hash(&mut h);
    format!("{:?}|{:?}", q.filter, q.sort).hash(&mut h);
    h.finish()
}

/// Encodes a cursor (URL-safe base64 of a small JSON object).
pub fn encode_cursor(q: &Query, pos: &CursorPosition) -> String {
    let body = json!({"f": fingerprint(q).to_string(), "k": pos.key.to_json(), "s": pos.seq});
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(body.to_string())
}

/// Decodes a cursor made by [`encode_cursor`] for the same query.
pub fn decode_cursor(q: &Query, cursor: &str) -> Result<CursorPosition> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(cursor.as_bytes())
        .map_err(|_| Error::invalid_cursor())?;
    let v: Value = serde_json::from_slice(&bytes).map_err(|_| Error::invalid_cursor())?;
    if v.get("f").and_then(Value::as_str) != Some(fingerprint(q).to_string().as_str()) {
        return Err(Error::invalid_cursor());
    }
    let key = v
        .get("k")
        .and_then(SortKey::from_json)
        .ok_or_else(Error::invalid_cursor)?;
    let seq = v
        .get("s")
        .and_then(Value::as_i64)
        .ok_or_else(Error::invalid_cursor)?;
    Ok(CursorPosition { key, seq })
}

/// Orders two results by (key, seq) in the query's direction.
pub fn order(a: (&SortKey, i64), b: (&SortKey, i64), descending: bool) -> Ordering {
    let by_key = if descending {
        // Descending reverses values but keeps missing values last… in
        // reverse too, which puts them first, as SQL's NULLS FIRST does
        // for DESC.
        b.0.compare(a.0)
    } else {
        a.0.compare(b.0)
    };
    by_key.then(a.1.cmp(&b.1))
}
