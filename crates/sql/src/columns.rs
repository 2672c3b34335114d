//! Values computed in Rust at write time and stored beside the document,
//! so that the lookups identity providers make are index seeks.

use scimhub_schema::datetime::DateTime;
use scimhub_store::UniqueValue;
use serde_json::{Map, Value};

/// The tenant columns both backends select, in the order their row
/// decoders read them. A macro, so that the statements naming them are
/// string literals built at compile time (`concat!`), not formatted on
/// every request.
macro_rules! tenant_columns {
    () => {
        "id, token_hash, previous_token_hash, previous_token_until_s, previous_token_until_n, \
         allowed_domains, rate_limit, created_ns, last_request_s, last_request_n"
    };
}
pub(crate) use tenant_columns;

/// The columns of a resource row (alias `r`), in the order the backends'
/// record decoders read them; a macro for the same reason as
/// [`tenant_columns!`].
macro_rules! record_columns {
    () => {
        "r.seq, r.id, r.resource_type, r.version, r.created_ns, r.modified_ns, r.doc"
    };
}
pub(crate) use record_columns;

/// A document ready to store: its computed columns and its unique
/// values without repeats.
#[derive(Debug)]
pub(crate) struct Doc {
    pub(crate) value: Value,
    pub(crate) computed: Computed,
    pub(crate) unique: Vec<UniqueValue>,
}

impl Doc {
    /// Computes the columns (on the caller's thread, off the writer).
    pub(crate) fn new(value: Value, unique: Vec<UniqueValue>) -> Doc {
        let mut seen = std::collections::HashSet::new();
        let unique = unique
            .into_iter()
            .filter(|u| seen.insert(u.clone()))
            .collect();
        Doc {
            computed: compute(&value),
            value,
            unique,
        }
    }
}

/// A top-level string attribute with its own indexed column.
pub(crate) struct Hot {
    /// The attribute's canonical name.
    pub(crate) attribute: &'static str,
    /// The column.
    pub(crate) column: &'static str,
    /// Whether the column holds the value folded with `to_lowercase`
    /// (otherwise exactly).
    pub(crate) folded: bool,
}

/// `userName` and `displayName` are not `caseExact`; `externalId` is.
pub(crate) const HOT: [Hot; 3] = [
    Hot {
        attribute: "userName",
        column: "user_name_fold",
        folded: true,
    },
    Hot {
        attribute: "externalId",
        column: "external_id",
        folded: false,
    },
    Hot {
        attribute: "displayName",
        column: "display_name_fold",
        folded: true,
    },
];

/// The computed columns of one document.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Computed {
    /// The values of the [`HOT`] columns, in that order.
    pub(crate) hot: [Option<String>; 3],
    /// Which hot attributes hold something other than a string (an
    /// array, a number…), so that their column cannot answer for them.
    pub(crate) odd: [bool; 3],
    /// Whether any of them does.
    pub(crate) irregular: bool,
}

/// Computes the columns, looking attributes up as the evaluator does
/// (exact spelling first, then ignoring ASCII case).
pub(crate) fn compute(doc: &Value) -> Computed {
    let mut out = Computed::default();
    let Value::Object(obj) = doc else {
        return out;
    };
    for ((slot, odd), hot) in out.hot.iter_mut().zip(out.odd.iter_mut()).zip(HOT.iter()) {
        match lookup(obj, hot.attribute) {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) => {
                *slot = Some(if hot.folded {
                    s.to_lowercase()
                } else {
                    s.clone()
                });
            }
            Some(_) => *odd = true,
        }
    }
    out.irregular = out.odd.iter().any(|o| *o);
    out
}

fn lookup<'v>(obj: &'v Map<String, Value>, key: &str) -> Option<&'v Value> {
    obj.get(key).or_else(|| {
        obj.iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

/// An instant as Unix nanoseconds, saturating (stored instants are all
/// "now", well inside the range).
pub(crate) fn to_ns(t: DateTime) -> i64 {
    let ns = i128::from(t.unix_seconds()) * 1_000_000_000 + i128::from(t.nanos());
    i64::try_from(ns).unwrap_or(if ns < 0 { i64::MIN } else { i64::MAX })
}

/// The instant of Unix nanoseconds.
pub(crate) fn from_ns(ns: i64) -> DateTime {
    let secs = ns.div_euclid(1_000_000_000);
    let nanos = u32::try_from(ns.rem_euclid(1_000_000_000)).unwrap_or(0);
    DateTime::from_unix(secs, nanos)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    fn check(doc: Value, hot: [Option<&str>; 3], irregular: bool) {
        let got = compute(&doc);
        assert_eq!(got.hot, hot.map(|h| h.map(str::to_owned)), "{doc}");
        assert_eq!(got.irregular, irregular, "{doc}");
    }

    #[test]
    fn computes_hot_columns() {
        check(
            json!({"userName": "BJensen", "externalId": "Ext", "displayName": "Babs É"}),
            [Some("bjensen"), Some("Ext"), Some("babs é")],
            false,
        );
        check(json!({"USERNAME": "X"}), [Some("x"), None, None], false);
        check(json!({"userName": null}), [None, None, None], false);
        check(json!({"userName": ["a"]}), [None, None, None], true);
        check(json!({"displayName": 3}), [None, None, None], true);
        check(json!([1]), [None, None, None], false);
    }

    #[test]
    fn nanoseconds_round_trip() {
        for t in [
            DateTime::now(),
            DateTime::from_unix(-5, 7),
            DateTime::from_unix(0, 0),
        ] {
            assert_eq!(from_ns(to_ns(t)), t);
        }
    }
}
