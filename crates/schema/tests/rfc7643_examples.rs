//! Every RFC 7643 §8 example document parses, validates as a complete
//! representation, and re-serialises to JSON equal to the RFC's.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use scimhub_schema::{Context, Registry, Settings, UnknownAttributes};
use serde_json::Value;

fn vector(name: &str) -> (String, Value) {
    let path = format!(
        "{}/tests/vectors/rfc7643/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
    (text, value)
}

/// Validates the example under the strictest settings (unknown attributes
/// refused, `schemas` required) and compares the result with the input.
fn check(name: &str, resource_type: &str) {
    let mut settings = Settings::default();
    settings.unknown_attributes = UnknownAttributes::Reject;
    settings.strict_schemas = true;
    let registry = Registry::standard_with(settings);
    let rt = registry.resource_type(resource_type).unwrap();
    let (text, parsed) = vector(name);
    let validated = rt
        .validate(&parsed, Context::Representation)
        .unwrap_or_else(|e| panic!("{name}: {e} (at {:?})", e.path()));
    assert_eq!(validated, parsed, "{name}: validation changed the document");
    let reserialised = serde_json::to_string_pretty(&validated).unwrap();
    let reparsed: Value = serde_json::from_str(&reserialised).unwrap();
    assert_eq!(
        reparsed,
        serde_json::from_str::<Value>(&text).unwrap(),
        "{name}"
    );
}

#[test]
fn section_8_1_minimal_user() {
    check("8.1-minimal-user.json", "User");
}

#[test]
fn section_8_2_full_user() {
    check("8.2-full-user.json", "User");
}

#[test]
fn section_8_3_enterprise_user() {
    check("8.3-enterprise-user.json", "User");
}

#[test]
fn section_8_4_group() {
    check("8.4-group.json", "Group");
}

#[test]
fn examples_keep_their_key_order() {
    // serde_json is built with `preserve_order`, so a validated document
    // prints its attributes in the order the client sent them.
    let registry = Registry::standard();
    let users = registry.resource_type("User").unwrap();
    let (_, parsed) = vector("8.2-full-user.json");
    let validated = users.validate(&parsed, Context::Representation).unwrap();
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&validated), keys(&parsed));
}

#[test]
fn the_full_user_leaves_out_its_password_in_responses() {
    let registry = Registry::standard();
    let users = registry.resource_type("User").unwrap();
    let (_, parsed) = vector("8.2-full-user.json");
    assert!(parsed.get("password").is_some());
    let response = users.validate(&parsed, Context::Response).unwrap();
    assert!(response.get("password").is_none());
    let mut without = parsed.clone();
    without.as_object_mut().unwrap().remove("password");
    assert_eq!(response, without);
}
