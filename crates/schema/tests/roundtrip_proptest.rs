//! Property tests: any valid document generated from the schemas survives
//! serialise → parse → validate unchanged, and no JSON value makes
//! validation or projection panic.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use base64::Engine;
use proptest::prelude::*;
use scimhub_schema::{Attribute, AttributeType, Context, Mutability, Registry, urn};
use serde_json::{Map, Value, json};

/// A value of a single (not multi-valued) attribute, already in the
/// normalised form validation produces.
fn single(attr: &Attribute) -> BoxedStrategy<Value> {
    match attr.attr_type() {
        AttributeType::String => "\\PC{1,16}".prop_map(Value::String).boxed(),
        AttributeType::Reference => "[a-z]{1,8}"
            .prop_map(|p| Value::String(format!("https://example.com/{p}")))
            .boxed(),
        AttributeType::Boolean => any::<bool>().prop_map(Value::Bool).boxed(),
        AttributeType::Integer => any::<i64>().prop_map(Value::from).boxed(),
        AttributeType::Decimal => (-1.0e12f64..1.0e12).prop_map(Value::from).boxed(),
        AttributeType::DateTime => (
            1i32..=9999,
            1u32..=12,
            1u32..=28,
            0u32..24,
            0u32..60,
            0u32..60,
            prop::bool::ANY,
        )
            .prop_map(|(y, mo, d, h, mi, s, utc)| {
                let tz = if utc { "Z" } else { "+05:30" };
                Value::String(format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}{tz}"))
            })
            .boxed(),
        AttributeType::Binary => prop::collection::vec(any::<u8>(), 1..24)
            .prop_map(|b| Value::String(base64::engine::general_purpose::STANDARD.encode(b)))
            .boxed(),
        AttributeType::Complex => {
            let subs: Vec<BoxedStrategy<Option<(String, Value)>>> = attr
                .sub_attributes()
                .iter()
                .filter(|s| s.mutability() != Mutability::ReadOnly)
                .map(|s| {
                    let name = s.name().to_owned();
                    let value = attribute(s).prop_map(move |v| (name.clone(), v));
                    if s.required() {
                        value.prop_map(Some).boxed()
                    } else {
                        prop::option::of(value).boxed()
                    }
                })
                .collect();
            subs.prop_map(|pairs| Value::Object(pairs.into_iter().flatten().collect::<Map<_, _>>()))
                .prop_filter("a complex value needs a sub-attribute", |v| {
                    v.as_object().is_some_and(|o| !o.is_empty())
                })
                .boxed()
        }
    }
}

/// A value of an attribute, multi-valued or not; at most one `primary`.
fn attribute(attr: &Attribute) -> BoxedStrategy<Value> {
    if !attr.multi_valued() {
        return single(attr);
    }
    prop::collection::vec(single(attr), 1..4)
        .prop_map(|mut items| {
            let mut seen = false;
            for item in &mut items {
                if let Some(p) = item.get_mut("primary")
                    && *p == Value::Bool(true)
                {
                    if seen {
                        *p = Value::Bool(false);
                    }
                    seen = true;
                }
            }
            Value::Array(items)
        })
        .boxed()
}

/// The client-writable attributes of a schema as an object strategy.
fn attributes_of(attrs: &[Attribute]) -> BoxedStrategy<Map<String, Value>> {
    let parts: Vec<BoxedStrategy<Option<(String, Value)>>> = attrs
        .iter()
        .filter(|a| a.mutability() != Mutability::ReadOnly)
        .map(|a| {
            let name = a.name().to_owned();
            let value = attribute(a).prop_map(move |v| (name.clone(), v));
            if a.required() {
                value.prop_map(Some).boxed()
            } else {
                prop::option::of(value).boxed()
            }
        })
        .collect();
    parts
        .prop_map(|pairs| pairs.into_iter().flatten().collect())
        .boxed()
}

/// A valid User with the enterprise extension present or not.
fn user() -> BoxedStrategy<Value> {
    let registry = Registry::standard();
    let users = registry.resource_type("User").unwrap();
    let core = attributes_of(users.core_schema().attributes());
    let enterprise = attributes_of(users.extension(urn::ENTERPRISE_USER).unwrap().attributes());
    let external_id = prop::option::of("\\PC{1,12}");
    (core, prop::option::of(enterprise), external_id)
        .prop_map(|(core, ent, external_id)| {
            let mut doc = Map::new();
            let mut schemas = vec![json!(urn::USER)];
            let ent = ent.filter(|e| !e.is_empty());
            if ent.is_some() {
                schemas.push(json!(urn::ENTERPRISE_USER));
            }
            doc.insert("schemas".into(), Value::Array(schemas));
            if let Some(x) = external_id {
                doc.insert("externalId".into(), Value::String(x));
            }
            doc.extend(core);
            if let Some(e) = ent {
                doc.insert(urn::ENTERPRISE_USER.into(), Value::Object(e));
            }
            Value::Object(doc)
        })
        .boxed()
}

/// A valid Group with a licence.
fn group() -> BoxedStrategy<Value> {
    let registry = Registry::standard();
    let groups = registry.resource_type("Group").unwrap();
    let core = attributes_of(groups.core_schema().attributes());
    (core, prop::option::of(any::<bool>()))
        .prop_map(|(core, license)| {
            let mut doc = Map::new();
            let mut schemas = vec![json!(urn::GROUP)];
            if license.is_some() {
                schemas.push(json!(urn::LICENSE_GROUP));
            }
            doc.insert("schemas".into(), Value::Array(schemas));
            doc.extend(core);
            if let Some(l) = license {
                doc.insert(urn::LICENSE_GROUP.into(), json!({"license": l}));
            }
            Value::Object(doc)
        })
        .boxed()
}

/// Any JSON value, nested a few levels.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        prop_oneof![
            "\\PC{0,8}",
            Just("True".to_owned()),
            Just("2008-01-23T04:56:22Z".to_owned()),
            Just(urn::USER.to_owned()),
            Just(urn::ENTERPRISE_USER.to_owned()),
        ]
        .prop_map(Value::String),
    ];
    let keys = prop_oneof![
        Just("schemas".to_owned()),
        Just("userName".to_owned()),
        Just("emails".to_owned()),
        Just("name".to_owned()),
        Just("value".to_owned()),
        Just("primary".to_owned()),
        Just("members".to_owned()),
        Just("meta".to_owned()),
        Just("id".to_owned()),
        Just(urn::ENTERPRISE_USER.to_owned()),
        Just(urn::LICENSE_GROUP.to_owned()),
        "[a-zA-Z$]{1,6}",
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((keys.clone(), inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn valid_users_survive_serialise_parse_validate(doc in user()) {
        let registry = Registry::standard();
        let users = registry.resource_type("User").unwrap();
        let text = serde_json::to_string(&doc).unwrap();
        let parsed: Value = serde_json::from_str(&text).unwrap();
        prop_assert_eq!(&parsed, &doc);
        let created = users.validate(&parsed, Context::Create).unwrap();
        prop_assert_eq!(&created, &doc);
        let represented = users.validate(&parsed, Context::Representation).unwrap();
        prop_assert_eq!(&represented, &doc);
        let replaced = users.validate(&parsed, Context::Replace { existing: &doc }).unwrap();
        prop_assert_eq!(&replaced, &doc);
        let patched = users.validate(&parsed, Context::PatchResult { existing: &doc }).unwrap();
        prop_assert_eq!(&patched, &doc);
        // Responses differ only by the write-only password.
        let mut without_password = doc.clone();
        without_password.as_object_mut().unwrap().remove("password");
        prop_assert_eq!(users.validate(&parsed, Context::Response).unwrap(), without_password);
    }

    #[test]
    fn valid_groups_survive_serialise_parse_validate(doc in group()) {
        let registry = Registry::standard();
        let groups = registry.resource_type("Group").unwrap();
        let parsed: Value = serde_json::from_str(&serde_json::to_string(&doc).unwrap()).unwrap();
        prop_assert_eq!(groups.validate(&parsed, Context::Create).unwrap(), doc);
    }

    #[test]
    fn no_json_value_makes_validation_or_projection_panic(
        doc in any_json(),
        existing in any_json(),
        names in prop::collection::vec("[a-zA-Z.:$]{0,12}", 0..4),
    ) {
        let registry = Registry::standard();
        for rt in registry.resource_types() {
            for context in [
                Context::Create,
                Context::Replace { existing: &existing },
                Context::PatchResult { existing: &existing },
                Context::Response,
                Context::Representation,
            ] {
                let _ = rt.validate(&doc, context);
            }
            let names: Vec<&str> = names.iter().map(String::as_str).collect();
            let _ = rt.project(&doc, &rt.projection(&names, &names));
            for n in &names {
                let _ = rt.resolve(n);
            }
        }
    }
}
