//! Resource JSON validation: any bytes, parsed as JSON, validated as a User
//! and a Group in every context and projected, must never panic; and a
//! document accepted on create must validate again unchanged.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scimhub_schema::{Context, Registry};
use serde_json::Value;
use std::sync::LazyLock;

static REGISTRY: LazyLock<Registry> = LazyLock::new(Registry::standard);

fuzz_target!(|data: &[u8]| {
    let Ok(doc) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    for rt in REGISTRY.resource_types() {
        for context in [
            Context::Create,
            Context::Replace { existing: &doc },
            Context::PatchResult { existing: &doc },
            Context::Response,
            Context::Representation,
        ] {
            let _ = rt.validate(&doc, context);
        }
        if let Ok(created) = rt.validate(&doc, Context::Create) {
            let again = rt.validate(&created, Context::Create);
            assert_eq!(again.as_ref(), Ok(&created), "validation is not idempotent");
        }
        let _ = rt.project(
            &doc,
            &rt.projection(&["userName", "members"], &["name.givenName"]),
        );
    }
});
