//! The protocol core's hot paths: applying a PATCH, and answering a GET
//! (rendering and serialising a user) without HTTP, beside a baseline that
//! only serialises the same representation.
//!
//! `cargo bench -p scimhub-benches --bench protocol`

use std::hint::black_box;
use std::sync::Arc;

use criterion::{Criterion, criterion_group, criterion_main};
use scimhub_protocol::{Compatibility, Config, Method, Request, Service};
use scimhub_schema::Registry;
use scimhub_schema::message::PatchOp;
use scimhub_store::{MemoryStore, NewTenant, Store, TenantId, TokenHash};
use serde_json::json;

fn user() -> serde_json::Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
        "userName": "bjensen@example.com", "externalId": "701984", "active": true, "displayName": "Babs Jensen",
        "name": {"givenName": "Barbara", "familyName": "Jensen"},
        "emails": [{"value": "bjensen@example.com", "type": "work", "primary": true}, {"value": "babs@jensen.org", "type": "home"}],
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"employeeNumber": "701984", "department": "Tours"}
    })
}

fn patch(c: &mut Criterion) {
    let registry = Registry::standard();
    let users = registry.resource_type("User").expect("built in");
    let doc = user();
    // What Entra ID sends on an attribute change.
    let op: PatchOp = serde_json::from_value(json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [
            {"op": "Replace", "path": "active", "value": "False"},
            {"op": "Add", "path": "name.givenName", "value": "Babs"},
            {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "babs@example.com"},
            {"op": "Replace", "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department", "value": "Sales"}
        ]
    }))
    .expect("valid");
    let mut group = c.benchmark_group("protocol");
    group.bench_function("baseline_clone_document", |b| {
        b.iter(|| black_box(&doc).clone())
    });
    group.bench_function("apply_entra_patch", |b| {
        b.iter(|| {
            scimhub_protocol::patch::apply(
                users,
                black_box(&doc),
                &op.operations,
                Compatibility::Lenient,
                "id",
            )
        })
    });
    group.finish();
}

fn get(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let store = Arc::new(MemoryStore::new());
    let tenant = rt
        .block_on(store.create_tenant(NewTenant {
            id: TenantId::new("bench").expect("name"),
            token: TokenHash([1; 32]),
            allowed_domains: vec![],
        }))
        .expect("tenant");
    let service = Service::new(store, Config::default());
    let base = "https://scim.example.net/scim/v2/bench";
    let created = rt.block_on(service.handle(
        &tenant,
        Request::new(Method::Post, "/Users", base).with_json(&user()),
    ));
    let representation = created.json_body();
    let path = format!("/Users/{}", representation["id"].as_str().expect("id"));
    let mut group = c.benchmark_group("protocol");
    group.bench_function("baseline_serialise_representation", |b| {
        b.iter(|| serde_json::to_vec(black_box(&representation)))
    });
    group.bench_function("get_user_through_service", |b| {
        b.iter(|| rt.block_on(service.handle(&tenant, Request::new(Method::Get, &path, base))))
    });
    group.finish();
}

criterion_group!(benches, patch, get);
criterion_main!(benches);
