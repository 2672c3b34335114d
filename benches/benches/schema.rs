//! Schema validation and projection of a full enterprise user.
//!
//! `cargo bench -p scimhub-benches --bench schema`

use criterion::{Criterion, criterion_group, criterion_main};
use scimhub_schema::{Context, Registry};
use serde_json::json;

fn full_user() -> serde_json::Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User",
                    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
        "externalId": "701984",
        "userName": "bjensen@example.com",
        "name": {"formatted": "Ms. Barbara J Jensen, III", "familyName": "Jensen",
                 "givenName": "Barbara", "middleName": "Jane",
                 "honorificPrefix": "Ms.", "honorificSuffix": "III"},
        "displayName": "Babs Jensen",
        "nickName": "Babs",
        "profileUrl": "https://login.example.com/bjensen",
        "emails": [{"value": "bjensen@example.com", "type": "work", "primary": true},
                   {"value": "babs@jensen.org", "type": "home"}],
        "addresses": [{"type": "work", "streetAddress": "100 Universal City Plaza",
                       "locality": "Hollywood", "region": "CA", "postalCode": "91608",
                       "country": "USA", "primary": true}],
        "phoneNumbers": [{"value": "555-555-5555", "type": "work"}],
        "userType": "Employee",
        "title": "Tour Guide",
        "preferredLanguage": "en-US",
        "locale": "en-US",
        "timezone": "America/Los_Angeles",
        "active": "True",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
            "employeeNumber": "701984", "costCenter": "4130", "organization": "Universal Studios",
            "division": "Theme Park", "department": "Tour Operations",
            "manager": {"value": "26118915-6090-4610-87e4-49d8ca9f808d"}
        }
    })
}

fn validation(c: &mut Criterion) {
    let registry = Registry::standard();
    let users = registry.resource_type("User").expect("built in");
    let doc = full_user();
    let mut group = c.benchmark_group("schema");
    group.bench_function("validate_create_full_enterprise_user", |b| {
        b.iter(|| users.validate(std::hint::black_box(&doc), Context::Create))
    });
    let stored = users.validate(&doc, Context::Create).expect("valid");
    group.bench_function("validate_response_full_enterprise_user", |b| {
        b.iter(|| users.validate(std::hint::black_box(&stored), Context::Response))
    });
    let projection = users.projection(&["userName", "name.givenName", "emails.value"], &[]);
    group.bench_function("project_attributes", |b| {
        b.iter(|| users.project(std::hint::black_box(&stored), &projection))
    });
    // Baseline: a deep clone of the same document, the least any
    // normalising validation must do.
    group.bench_function("baseline_clone", |b| {
        b.iter(|| std::hint::black_box(&stored).clone())
    });
    group.finish();
}

criterion_group!(benches, validation);
criterion_main!(benches);
