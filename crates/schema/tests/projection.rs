//! Projection with `attributes` / `excludedAttributes` and the `returned`
//! characteristic (RFC 7644 §3.4.2.5, §3.9; RFC 7643 §7), as a table.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use scimhub_schema::{Registry, urn};
use serde_json::{Value, json};

const ENTERPRISE: &str = urn::ENTERPRISE_USER;
const BADGE: &str = "urn:example:badge";

/// The standard registry plus an extension with `request` and `never`
/// attributes, so every `returned` value is exercised.
fn registry() -> Registry {
    Registry::builder()
        .core()
        .license_extensions()
        .schema_json(
            r#"{"id": "urn:example:badge", "attributes": [
                {"name": "number", "type": "string"},
                {"name": "pin", "type": "string", "returned": "never"},
                {"name": "history", "type": "string", "multiValued": true, "returned": "request"},
                {"name": "card", "type": "complex", "subAttributes": [
                    {"name": "serial", "type": "string", "returned": "always"},
                    {"name": "issued", "type": "dateTime"},
                    {"name": "secret", "type": "string", "returned": "request"}]}
            ]}"#,
        )
        .unwrap()
        .extend("User", BADGE, false)
        .build()
        .unwrap()
}

fn stored_user() -> Value {
    json!({
        "schemas": [urn::USER, ENTERPRISE, BADGE],
        "id": "2819c223",
        "externalId": "701984",
        "userName": "bjensen",
        "name": {"givenName": "Barbara", "familyName": "Jensen"},
        "emails": [{"value": "b@example.com", "type": "work", "primary": true},
                   {"value": "babs@jensen.org", "type": "home"}],
        "password": "t1meMa$heen",
        "meta": {"resourceType": "User", "version": "W/\"3\""},
        ENTERPRISE: {"employeeNumber": "701984", "manager": {"value": "m1", "displayName": "Boss"}},
        BADGE: {"number": "B-1", "pin": "0000", "history": ["a", "b"],
                "card": {"serial": "S1", "issued": "2020-01-01T00:00:00Z", "secret": "x"}}
    })
}

/// Projects the stored user and compares the keys kept, as a compact
/// spec: the expected document is the stored one restricted to `want`.
fn check(attributes: &[&str], excluded: &[&str], want: Value) {
    let registry = registry();
    let users = registry.resource_type("User").unwrap();
    let projection = users.projection(attributes, excluded);
    let got = users.project(&stored_user(), &projection);
    assert_eq!(
        got, want,
        "attributes={attributes:?} excludedAttributes={excluded:?}"
    );
}

fn schemas() -> Value {
    json!([urn::USER, ENTERPRISE, BADGE])
}

#[test]
fn defaults_drop_never_and_request_attributes() {
    check(
        &[],
        &[],
        json!({
            "schemas": schemas(), "id": "2819c223", "externalId": "701984", "userName": "bjensen",
            "name": {"givenName": "Barbara", "familyName": "Jensen"},
            "emails": [{"value": "b@example.com", "type": "work", "primary": true},
                       {"value": "babs@jensen.org", "type": "home"}],
            "meta": {"resourceType": "User", "version": "W/\"3\""},
            ENTERPRISE: {"employeeNumber": "701984", "manager": {"value": "m1", "displayName": "Boss"}},
            BADGE: {"number": "B-1", "card": {"serial": "S1", "issued": "2020-01-01T00:00:00Z"}}
        }),
    );
}

#[test]
fn attributes_select_and_always_attributes_stay() {
    let base = |extra: Value| {
        let mut v = json!({"schemas": schemas(), "id": "2819c223"});
        for (k, x) in extra.as_object().unwrap() {
            v[k] = x.clone();
        }
        v
    };
    let rows: Vec<(&[&str], Value)> = vec![
        (&["userName"], base(json!({"userName": "bjensen"}))),
        (&["USERNAME"], base(json!({"userName": "bjensen"}))),
        (
            &["urn:ietf:params:scim:schemas:core:2.0:User:userName"],
            base(json!({"userName": "bjensen"})),
        ),
        (
            &["name"],
            base(json!({"name": {"givenName": "Barbara", "familyName": "Jensen"}})),
        ),
        (
            &["name.givenName"],
            base(json!({"name": {"givenName": "Barbara"}})),
        ),
        (
            &["emails.value"],
            base(json!({"emails": [{"value": "b@example.com"}, {"value": "babs@jensen.org"}]})),
        ),
        (
            &["emails.type", "userName"],
            base(json!({"userName": "bjensen", "emails": [{"type": "work"}, {"type": "home"}]})),
        ),
        (
            &["meta.version"],
            base(json!({"meta": {"version": "W/\"3\""}})),
        ),
        (&["id"], base(json!({}))),
        (&["password"], base(json!({}))),
        (&["nickName"], base(json!({}))),
        (&["doesNotExist"], base(json!({}))),
        (
            &[ENTERPRISE],
            base(
                json!({ENTERPRISE: {"employeeNumber": "701984", "manager": {"value": "m1", "displayName": "Boss"}}}),
            ),
        ),
        (
            &["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value"],
            base(json!({ENTERPRISE: {"manager": {"value": "m1"}}})),
        ),
        (
            &["employeeNumber"],
            base(json!({ENTERPRISE: {"employeeNumber": "701984"}})),
        ),
        // returned=request: only when named, by itself or as a sub-attribute.
        (
            &["urn:example:badge:history"],
            base(json!({BADGE: {"history": ["a", "b"]}})),
        ),
        (
            &["urn:example:badge:card.secret"],
            base(json!({BADGE: {"card": {"serial": "S1", "secret": "x"}}})),
        ),
        (
            &["urn:example:badge:card"],
            base(json!({BADGE: {"card": {"serial": "S1", "issued": "2020-01-01T00:00:00Z"}}})),
        ),
        // A whole extension leaves out its never and request attributes.
        (
            &[BADGE],
            base(
                json!({BADGE: {"number": "B-1", "card": {"serial": "S1", "issued": "2020-01-01T00:00:00Z"}}}),
            ),
        ),
        // returned=never: never, even when named.
        (&["urn:example:badge:pin"], base(json!({}))),
    ];
    for (attributes, want) in rows {
        check(attributes, &[], want);
    }
}

#[test]
fn excluded_attributes_remove_default_ones_only() {
    let full = || {
        let registry = registry();
        let users = registry.resource_type("User").unwrap();
        users.project(&stored_user(), &users.projection(&[], &[]))
    };
    let without = |path: &[&str]| {
        let mut v = full();
        match path {
            [k] => {
                v.as_object_mut().unwrap().remove(*k);
            }
            [k, sub] => {
                let target = &mut v[*k];
                match target {
                    Value::Array(items) => items.iter_mut().for_each(|i| {
                        i.as_object_mut().unwrap().remove(*sub);
                    }),
                    Value::Object(o) => {
                        o.remove(*sub);
                    }
                    _ => unreachable!(),
                }
            }
            _ => unreachable!(),
        }
        v
    };
    check(&[], &["name"], without(&["name"]));
    check(&[], &["NAME.givenName"], without(&["name", "givenName"]));
    check(&[], &["emails.primary"], without(&["emails", "primary"]));
    check(&[], &["meta"], without(&["meta"]));
    check(&[], &[ENTERPRISE], without(&[ENTERPRISE]));
    check(
        &[],
        &["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager"],
        without(&[ENTERPRISE, "manager"]),
    );
    // Always-returned attributes cannot be excluded; unknown names do nothing.
    check(&[], &["id", "schemas", "nope"], full());
    check(&[], &["urn:example:badge:card.serial"], full());
    // Excluding a group's members, as clients do for large groups.
    let registry = registry();
    let groups = registry.resource_type("Group").unwrap();
    let group = json!({"schemas": [urn::GROUP], "id": "g", "displayName": "Pro",
                       "members": [{"value": "u1"}, {"value": "u2"}]});
    let projection = groups.projection(&[], &["members"]);
    assert!(!projection.includes(groups.core_schema().attribute("members").unwrap()));
    assert!(projection.includes(groups.core_schema().attribute("displayName").unwrap()));
    assert_eq!(
        groups.project(&group, &projection),
        json!({"schemas": [urn::GROUP], "id": "g", "displayName": "Pro"})
    );
}
