//! Filter parsing: any text either fails with an error or parses to an AST
//! whose canonical print parses back to the same AST; a filter that binds
//! to User evaluates without panicking.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use scimhub_filter::{bind, parse_filter};
use scimhub_schema::Registry;
use serde_json::{Value, json};

static REGISTRY: LazyLock<Registry> = LazyLock::new(Registry::standard);
static USER: LazyLock<Value> = LazyLock::new(|| {
    json!({
        "userName": "bjensen@example.com", "active": true, "title": "",
        "name": {"givenName": "Barbara", "familyName": "Jensen"},
        "emails": [{"value": "bjensen@example.com", "type": "work", "primary": true},
                   {"value": "babs@jensen.org", "type": "home"}],
        "meta": {"lastModified": "2011-05-13T04:42:34Z"},
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "7"}
    })
});

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match parse_filter(text) {
        Ok(filter) => {
            let printed = filter.to_string();
            let reparsed = parse_filter(&printed)
                .unwrap_or_else(|e| panic!("canonical form {printed:?} does not parse: {e}"));
            assert_eq!(reparsed, filter, "round trip changed {printed:?}");
            let users = REGISTRY.resource_type("User").expect("built in");
            if let Ok(bound) = bind(&filter, users) {
                let _ = bound.matches(&USER);
            }
        }
        Err(e) => {
            let _ = e.to_string();
            let _ = e.snippet();
        }
    }
});
