//! Load a custom extension schema from JSON, attach it to User, and validate
//! documents against it.
//!
//! `cargo run -p scimhub-examples --example custom-extension`

use scimhub_schema::{Context, Registry, UnknownAttributes};
use serde_json::json;

const BADGE: &str = r#"{
  "id": "urn:example:params:scim:schemas:extension:badge:2.0:User",
  "name": "Badge",
  "description": "Building access badge",
  "attributes": [
    {"name": "badgeNumber", "type": "integer", "required": true},
    {"name": "validUntil", "type": "dateTime"}
  ]
}"#;

pub fn main() -> Result<(), Box<dyn std::error::Error>> {
    let registry = Registry::builder()
        .core()
        .schema_json(BADGE)?
        .extend(
            "User",
            "urn:example:params:scim:schemas:extension:badge:2.0:User",
            false,
        )
        .unknown_attributes(UnknownAttributes::Reject)
        .build()?;
    let users = registry
        .resource_type("User")
        .ok_or("the core registers User")?;

    let good = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User",
                    "urn:example:params:scim:schemas:extension:badge:2.0:User"],
        "userName": "bjensen",
        "urn:example:params:scim:schemas:extension:badge:2.0:User": {
            "badgeNumber": 4711, "validUntil": "2027-01-01T00:00:00Z"
        }
    });
    let stored = users.validate(&good, Context::Create)?;
    println!("accepted: {stored}");

    let bad = json!({
        "userName": "bjensen",
        "urn:example:params:scim:schemas:extension:badge:2.0:User": {"badgeNumber": "A-12"}
    });
    match users.validate(&bad, Context::Create) {
        Ok(_) => return Err("a string badge number must be refused".into()),
        Err(e) => println!(
            "refused ({}): {}",
            e.scim_type().map_or("-", |t| t.as_str()),
            e
        ),
    }
    Ok(())
}
