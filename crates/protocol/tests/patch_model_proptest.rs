//! PATCH against a model: random users, random sequences of PATCH
//! requests (add, replace and remove on simple attributes, `name.*`,
//! `emails` with and without value filters, and path-less add/replace),
//! and after each request the service's answer and stored result (GET)
//! must equal what an in-memory JSON model written here predicts. The
//! model never calls the protocol's PATCH code.
//!
//! The model follows RFC 7644 §3.5.2 and RFC 7643:
//!
//! - add/replace on a single-valued attribute sets it; on a complex one
//!   (`name`) merges the given sub-attributes, leaving the others (§3.5.2.1,
//!   §3.5.2.3); on `name.x` sets that sub-attribute.
//! - add on a multi-valued attribute appends each value, skipping a value
//!   equal to one already there ("no changes SHOULD be made", §3.5.2.1);
//!   replace without a filter replaces every value (§3.5.2.3).
//! - remove drops the attribute (nothing to do when it has no value); with
//!   a value filter it drops the matching elements, or the sub-attribute of
//!   each (§3.5.2.2).
//! - A value filter that matches nothing is `noTarget` for remove (§3.12:
//!   "the specified path … contains a filter that yields no match") and,
//!   in strict mode, for add and replace (§3.5.2.3). In lenient mode (the
//!   default), add and replace create the element the filter describes,
//!   which is how Microsoft Entra ID's `emails[type eq "work"].value`
//!   mappings behave (documented in the crate and tested in
//!   identity_providers.rs); the model does the same.
//! - replace through a filter replaces each matching element whole; add or
//!   replace of `emails[…].value` sets `value` on each.
//! - An element set or added with `"primary": true` makes the others
//!   `"primary": false` (§3.5.2: the server "SHALL … automatically set
//!   'primary' to 'false' for any other values"); a request that still
//!   leaves two primaries (a filter matching two elements) is
//!   `invalidValue` (RFC 7643 §2.4).
//! - Unassigned is the same as empty (RFC 7643 §2.5): an emptied `name` or
//!   `emails` is absent. Removing the required `userName` is
//!   `invalidValue`.
//! - A request is atomic: on any error nothing changes.
//!
//! Operations whose outcome the RFC leaves open are not generated: `add`
//! through a filter without a sub-attribute, `primary` set through a
//! sub-attribute path, and null or empty strings.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::*;
use proptest::prelude::*;
use scimhub_protocol::{Compatibility, Config};
use serde_json::{Map, Value, json};

const SIMPLE: [&str; 5] = [
    "nickName",
    "title",
    "displayName",
    "userType",
    "preferredLanguage",
];
const NAME_SUBS: [&str; 4] = ["givenName", "familyName", "middleName", "formatted"];
const TYPES: [&str; 3] = ["work", "home", "other"];
const ADDRESSES: [&str; 3] = ["a@example.com", "b@example.com", "c@example.com"];

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Add,
    Replace,
}

impl Kind {
    fn op(self) -> &'static str {
        match self {
            Kind::Add => "add",
            Kind::Replace => "replace",
        }
    }
}

#[derive(Debug, Clone)]
struct Email {
    value: &'static str,
    kind: Option<&'static str>,
    primary: Option<bool>,
}

impl Email {
    fn json(&self) -> Value {
        let mut m = Map::new();
        m.insert("value".into(), json!(self.value));
        if let Some(t) = self.kind {
            m.insert("type".into(), json!(t));
        }
        if let Some(p) = self.primary {
            m.insert("primary".into(), json!(p));
        }
        Value::Object(m)
    }
}

#[derive(Debug, Clone)]
enum Op {
    Simple(Kind, &'static str, String),
    SimpleRemove(&'static str),
    Active(Kind, bool),
    NameSub(Kind, &'static str, String),
    NameSubRemove(&'static str),
    Name(Kind, Vec<(&'static str, String)>),
    NameRemove,
    Emails(Kind, Vec<Email>),
    EmailsRemove,
    FilterRemove(&'static str),
    FilterValue(Kind, &'static str, &'static str),
    FilterValueRemove(&'static str),
    FilterReplace(&'static str, Email),
    Pathless(Kind, Vec<(String, Value)>),
    RemoveUserName,
}

impl Op {
    /// The wire form of the operation.
    fn json(&self) -> Value {
        match self {
            Op::Simple(k, a, v) => json!({"op": k.op(), "path": a, "value": v}),
            Op::SimpleRemove(a) => json!({"op": "remove", "path": a}),
            Op::Active(k, b) => json!({"op": k.op(), "path": "active", "value": b}),
            Op::NameSub(k, s, v) => json!({"op": k.op(), "path": format!("name.{s}"), "value": v}),
            Op::NameSubRemove(s) => json!({"op": "remove", "path": format!("name.{s}")}),
            Op::Name(k, subs) => {
                let m: Map<String, Value> = subs
                    .iter()
                    .map(|(s, v)| ((*s).to_owned(), json!(v)))
                    .collect();
                json!({"op": k.op(), "path": "name", "value": m})
            }
            Op::NameRemove => json!({"op": "remove", "path": "name"}),
            Op::Emails(k, es) => {
                json!({"op": k.op(), "path": "emails", "value": es.iter().map(Email::json).collect::<Vec<_>>()})
            }
            Op::EmailsRemove => json!({"op": "remove", "path": "emails"}),
            Op::FilterRemove(t) => {
                json!({"op": "remove", "path": format!("emails[type eq \"{t}\"]")})
            }
            Op::FilterValue(k, t, v) => {
                json!({"op": k.op(), "path": format!("emails[type eq \"{t}\"].value"), "value": v})
            }
            Op::FilterValueRemove(t) => {
                json!({"op": "remove", "path": format!("emails[type eq \"{t}\"].value")})
            }
            Op::FilterReplace(t, e) => {
                json!({"op": "replace", "path": format!("emails[type eq \"{t}\"]"), "value": e.json()})
            }
            Op::Pathless(k, pairs) => {
                let m: Map<String, Value> = pairs.iter().cloned().collect();
                json!({"op": k.op(), "value": m})
            }
            Op::RemoveUserName => json!({"op": "remove", "path": "userName"}),
        }
    }
}

// --- the model ---------------------------------------------------------

type Doc = Map<String, Value>;

fn emails_mut(doc: &mut Doc) -> &mut Vec<Value> {
    let slot = doc.entry("emails").or_insert_with(|| json!([]));
    slot.as_array_mut().unwrap()
}

fn is_primary(e: &Value) -> bool {
    e.get("primary") == Some(&Value::Bool(true))
}

/// Every element but those at `keep` that has a `primary` gets false.
fn demote_others(items: &mut [Value], keep: &[usize]) {
    for (i, item) in items.iter_mut().enumerate() {
        if !keep.contains(&i)
            && let Some(p) = item.get_mut("primary")
        {
            *p = json!(false);
        }
    }
}

/// RFC 7644 §3.5.2.1 add to a multi-valued attribute.
fn append(doc: &mut Doc, values: &[Value]) {
    let items = emails_mut(doc);
    for v in values {
        if items.contains(v) {
            continue;
        }
        if is_primary(v) {
            let all: Vec<usize> = Vec::new();
            demote_others(items, &all);
        }
        items.push(v.clone());
    }
}

fn matching(doc: &Doc, t: &str) -> Vec<usize> {
    doc.get("emails")
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .enumerate()
                .filter(|(_, e)| e.get("type").and_then(Value::as_str) == Some(t))
                .map(|(i, _)| i)
                .collect()
        })
        .unwrap_or_default()
}

fn set_simple(doc: &mut Doc, attr: &str, v: Value) {
    doc.insert(attr.to_owned(), v);
}

fn merge_name(doc: &mut Doc, subs: &Map<String, Value>) {
    let name = doc.entry("name").or_insert_with(|| json!({}));
    for (k, v) in subs {
        name.as_object_mut().unwrap().insert(k.clone(), v.clone());
    }
}

fn apply(doc: &mut Doc, op: &Op, lenient: bool) -> Result<(), &'static str> {
    match op {
        Op::Simple(_, a, v) => set_simple(doc, a, json!(v)),
        Op::SimpleRemove(a) => {
            doc.remove(*a);
        }
        Op::Active(_, b) => set_simple(doc, "active", json!(b)),
        Op::NameSub(_, s, v) => merge_name(doc, json!({*s: v}).as_object().unwrap()),
        Op::NameSubRemove(s) => {
            if let Some(n) = doc.get_mut("name").and_then(Value::as_object_mut) {
                n.remove(*s);
            }
        }
        Op::Name(_, subs) => {
            let m: Map<String, Value> = subs
                .iter()
                .map(|(s, v)| ((*s).to_owned(), json!(v)))
                .collect();
            merge_name(doc, &m);
        }
        Op::NameRemove => {
            doc.remove("name");
        }
        Op::Emails(Kind::Add, es) => append(doc, &es.iter().map(Email::json).collect::<Vec<_>>()),
        Op::Emails(Kind::Replace, es) => {
            doc.insert(
                "emails".into(),
                Value::Array(es.iter().map(Email::json).collect()),
            );
        }
        Op::EmailsRemove => {
            doc.remove("emails");
        }
        Op::FilterRemove(t) => {
            let m = matching(doc, t);
            if m.is_empty() {
                return Err("noTarget");
            }
            let items = emails_mut(doc);
            let mut i = 0;
            items.retain(|_| {
                let keep = !m.contains(&i);
                i += 1;
                keep
            });
        }
        Op::FilterValue(_, t, v) => {
            let m = matching(doc, t);
            if m.is_empty() {
                if !lenient {
                    return Err("noTarget");
                }
                append(doc, &[json!({"type": t, "value": v})]);
            } else {
                let items = emails_mut(doc);
                for i in m {
                    items[i]["value"] = json!(v);
                }
            }
        }
        Op::FilterValueRemove(t) => {
            let m = matching(doc, t);
            if m.is_empty() {
                return Err("noTarget");
            }
            let items = emails_mut(doc);
            for i in m {
                items[i].as_object_mut().unwrap().remove("value");
            }
        }
        Op::FilterReplace(t, e) => {
            let m = matching(doc, t);
            let value = e.json();
            if m.is_empty() {
                if !lenient {
                    return Err("noTarget");
                }
                let mut element = json!({"type": t});
                for (k, v) in value.as_object().unwrap() {
                    element[k] = v.clone();
                }
                append(doc, &[element]);
            } else {
                let items = emails_mut(doc);
                for &i in &m {
                    items[i] = value.clone();
                }
                if is_primary(&value) {
                    demote_others(items, &m);
                }
            }
        }
        Op::Pathless(kind, pairs) => {
            for (key, value) in pairs {
                let inner = match key.as_str() {
                    "name" => Op::Name(
                        *kind,
                        value
                            .as_object()
                            .unwrap()
                            .iter()
                            .map(|(k, v)| {
                                (
                                    *NAME_SUBS.iter().find(|s| **s == k).unwrap(),
                                    v.as_str().unwrap().to_owned(),
                                )
                            })
                            .collect(),
                    ),
                    "emails" => {
                        // Re-applied from the JSON, so identical values compare equal.
                        let values = value.as_array().unwrap().clone();
                        match kind {
                            Kind::Add => append(doc, &values),
                            Kind::Replace => {
                                doc.insert("emails".into(), Value::Array(values));
                            }
                        }
                        continue;
                    }
                    "active" => Op::Active(*kind, value.as_bool().unwrap()),
                    attr => Op::Simple(
                        *kind,
                        SIMPLE.iter().find(|s| **s == attr).unwrap(),
                        value.as_str().unwrap().to_owned(),
                    ),
                };
                apply(doc, &inner, lenient)?;
            }
        }
        Op::RemoveUserName => {
            doc.remove("userName");
        }
    }
    Ok(())
}

/// Unassigned values disappear (RFC 7643 §2.5).
fn normalise(doc: &mut Doc) {
    if doc
        .get("name")
        .and_then(Value::as_object)
        .is_some_and(Map::is_empty)
    {
        doc.remove("name");
    }
    if doc
        .get("emails")
        .and_then(Value::as_array)
        .is_some_and(Vec::is_empty)
    {
        doc.remove("emails");
    }
}

/// One request: every operation, then the document's own rules.
fn model(doc: &Doc, ops: &[Op], lenient: bool) -> Result<Doc, &'static str> {
    let mut next = doc.clone();
    for op in ops {
        apply(&mut next, op, lenient)?;
    }
    normalise(&mut next);
    let primaries = next
        .get("emails")
        .and_then(Value::as_array)
        .map_or(0, |items| items.iter().filter(|e| is_primary(e)).count());
    if primaries > 1 || !next.contains_key("userName") {
        return Err("invalidValue");
    }
    Ok(next)
}

// --- generators --------------------------------------------------------

fn text() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "Babs",
        "Barbara",
        "Jensen",
        "Ms.",
        "Tour Guide",
        "Employee",
    ])
    .prop_map(str::to_owned)
}

fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![Just(Kind::Add), Just(Kind::Replace)]
}

fn email() -> impl Strategy<Value = Email> {
    (
        prop::sample::select(ADDRESSES.to_vec()),
        prop::option::weighted(0.8, prop::sample::select(TYPES.to_vec())),
        prop::option::weighted(0.4, any::<bool>()),
    )
        .prop_map(|(value, kind, primary)| Email {
            value,
            kind,
            primary,
        })
}

/// Up to three emails, at most one of them primary.
fn emails() -> impl Strategy<Value = Vec<Email>> {
    prop::collection::vec(email(), 0..=3).prop_map(|mut es| {
        let mut seen = false;
        for e in &mut es {
            if e.primary == Some(true) {
                if seen {
                    e.primary = Some(false);
                }
                seen = true;
            }
        }
        es
    })
}

fn name_subs() -> impl Strategy<Value = Vec<(&'static str, String)>> {
    prop::sample::subsequence(NAME_SUBS.to_vec(), 1..=NAME_SUBS.len())
        .prop_flat_map(|subs| {
            let n = subs.len();
            (Just(subs), prop::collection::vec(text(), n))
        })
        .prop_map(|(subs, values)| subs.into_iter().zip(values).collect())
}

fn pathless() -> impl Strategy<Value = Op> {
    (
        kind(),
        prop::option::of(
            prop::sample::select(SIMPLE.to_vec()).prop_flat_map(|a| (Just(a), text())),
        ),
        prop::option::of(any::<bool>()),
        prop::option::of(name_subs()),
        prop::option::of(emails()),
    )
        .prop_filter_map("an empty value", |(k, simple, active, name, emails)| {
            let mut pairs: Vec<(String, Value)> = Vec::new();
            if let Some((a, v)) = simple {
                pairs.push((a.to_owned(), json!(v)));
            }
            if let Some(b) = active {
                pairs.push(("active".into(), json!(b)));
            }
            if let Some(subs) = name {
                let m: Map<String, Value> = subs
                    .into_iter()
                    .map(|(s, v)| (s.to_owned(), json!(v)))
                    .collect();
                pairs.push(("name".into(), Value::Object(m)));
            }
            if let Some(es) = emails {
                pairs.push((
                    "emails".into(),
                    Value::Array(es.iter().map(Email::json).collect()),
                ));
            }
            (!pairs.is_empty()).then_some(Op::Pathless(k, pairs))
        })
}

fn op() -> impl Strategy<Value = Op> {
    let ty = || prop::sample::select(TYPES.to_vec());
    prop_oneof![
        3 => (kind(), prop::sample::select(SIMPLE.to_vec()), text()).prop_map(|(k, a, v)| Op::Simple(k, a, v)),
        2 => prop::sample::select(SIMPLE.to_vec()).prop_map(Op::SimpleRemove),
        1 => (kind(), any::<bool>()).prop_map(|(k, b)| Op::Active(k, b)),
        3 => (kind(), prop::sample::select(NAME_SUBS.to_vec()), text()).prop_map(|(k, s, v)| Op::NameSub(k, s, v)),
        2 => prop::sample::select(NAME_SUBS.to_vec()).prop_map(Op::NameSubRemove),
        2 => (kind(), name_subs()).prop_map(|(k, s)| Op::Name(k, s)),
        1 => Just(Op::NameRemove),
        3 => (kind(), emails()).prop_map(|(k, es)| Op::Emails(k, es)),
        1 => Just(Op::EmailsRemove),
        2 => ty().prop_map(Op::FilterRemove),
        3 => (kind(), ty(), prop::sample::select(ADDRESSES.to_vec())).prop_map(|(k, t, v)| Op::FilterValue(k, t, v)),
        1 => ty().prop_map(Op::FilterValueRemove),
        2 => (ty(), email()).prop_map(|(t, mut e)| {
            e.kind = Some(t);
            Op::FilterReplace(t, e)
        }),
        3 => pathless(),
        1 => Just(Op::RemoveUserName),
    ]
}

/// A starting user: userName and any of the attributes the operations touch.
fn user() -> impl Strategy<Value = Doc> {
    (
        prop::collection::vec((prop::sample::select(SIMPLE.to_vec()), text()), 0..3),
        prop::option::of(any::<bool>()),
        prop::option::of(name_subs()),
        emails(),
    )
        .prop_map(|(simple, active, name, emails)| {
            let mut doc = Map::new();
            doc.insert("userName".into(), json!("bjensen"));
            for (a, v) in simple {
                doc.insert(a.to_owned(), json!(v));
            }
            if let Some(b) = active {
                doc.insert("active".into(), json!(b));
            }
            if let Some(subs) = name {
                let m: Map<String, Value> = subs
                    .into_iter()
                    .map(|(s, v)| (s.to_owned(), json!(v)))
                    .collect();
                doc.insert("name".into(), Value::Object(m));
            }
            if !emails.is_empty() {
                doc.insert(
                    "emails".into(),
                    Value::Array(emails.iter().map(Email::json).collect()),
                );
            }
            doc
        })
}

/// What the service holds, without what it adds (id, meta, schemas, the
/// licence extension).
fn attributes(resource: &Value) -> Doc {
    let mut doc = resource.as_object().unwrap().clone();
    for k in ["id", "meta", "schemas", LICENSE_USER] {
        doc.remove(k);
    }
    doc
}

async fn run(
    start: Doc,
    requests: Vec<Vec<Op>>,
    compatibility: Compatibility,
) -> Result<(), TestCaseError> {
    let mut config = Config::default();
    config.compatibility = compatibility;
    let lenient = compatibility == Compatibility::Lenient;
    let h = Harness::with(config, vec![]).await;
    let mut body = Value::Object(start.clone());
    body["schemas"] = json!([USER]);
    let (status, created) = h.post("/Users", body).await;
    prop_assert_eq!(status, 201, "{}", created);
    let path = format!("/Users/{}", created["id"].as_str().unwrap());
    let mut want = start;
    prop_assert_eq!(attributes(&created), want.clone());
    for ops in requests {
        let wire = Harness::patch_op(Value::Array(ops.iter().map(Op::json).collect()));
        let (status, body) = h.patch(&path, wire.clone()).await;
        match model(&want, &ops, lenient) {
            Ok(next) => {
                prop_assert_eq!(status, 200, "request {} answered {}", wire, body);
                prop_assert_eq!(attributes(&body), next.clone(), "response to {}", wire);
                want = next;
            }
            Err(scim_type) => {
                prop_assert_eq!(
                    status,
                    400,
                    "request {} should fail with {}: {}",
                    wire,
                    scim_type,
                    body
                );
                prop_assert_eq!(
                    body["scimType"].as_str(),
                    Some(scim_type),
                    "request {}: {}",
                    wire,
                    body
                );
            }
        }
        let (_, fetched) = h.get(&path).await;
        prop_assert_eq!(attributes(&fetched), want.clone(), "stored after {}", wire);
    }
    Ok(())
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn lenient_patch_matches_the_model(
        start in user(),
        requests in prop::collection::vec(prop::collection::vec(op(), 1..=3), 1..=6),
    ) {
        runtime().block_on(run(start, requests, Compatibility::Lenient))?;
    }

    #[test]
    fn strict_patch_matches_the_model(
        start in user(),
        requests in prop::collection::vec(prop::collection::vec(op(), 1..=3), 1..=6),
    ) {
        runtime().block_on(run(start, requests, Compatibility::Strict))?;
    }
}
