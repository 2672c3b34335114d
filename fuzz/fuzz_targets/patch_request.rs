//! A whole PATCH request through the protocol core: any bytes as the body
//! of a PATCH to a user and to a group. Nothing panics; a refused request
//! changes nothing; an accepted one leaves a resource that reads back.
#![no_main]

use std::sync::{Arc, LazyLock};

use libfuzzer_sys::fuzz_target;
use scimhub_protocol::{Config, Method, Request, Service};
use scimhub_schema::Registry;
use scimhub_store::{MemoryStore, NewResource, NewTenant, Store, TenantId, TokenHash, UniqueValue};
use serde_json::json;

static REGISTRY: LazyLock<Registry> = LazyLock::new(Registry::standard);

fuzz_target!(|data: &[u8]| {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let store = Arc::new(MemoryStore::new());
        let tenant = store
            .create_tenant(NewTenant { id: TenantId::new("t").expect("name"), token: TokenHash([1; 32]), allowed_domains: vec![] })
            .await
            .expect("tenant");
        let user = store
            .create(&tenant.id, NewResource {
                resource_type: "User".into(),
                document: json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "bjensen",
                                 "emails": [{"value": "b@example.com", "type": "work"}], "name": {"givenName": "B"}}),
                unique: vec![UniqueValue::new("userName", "bjensen", false)],
                members: vec![],
            })
            .await
            .expect("user");
        let group = store
            .create(&tenant.id, NewResource {
                resource_type: "Group".into(),
                document: json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "G"}),
                unique: vec![],
                members: vec![user.id.clone()],
            })
            .await
            .expect("group");
        let service = Service::with_registry(REGISTRY.clone(), store.clone(), Config::default());
        for (kind, id) in [("Users", &user.id), ("Groups", &group.id)] {
            let before = store.get(&tenant.id, if kind == "Users" { "User" } else { "Group" }, id).await.expect("get");
            let mut req = Request::new(Method::Patch, &format!("/{kind}/{id}"), "https://x/scim/v2/t");
            req.body = data.to_vec();
            let resp = service.handle(&tenant, req).await;
            assert!(resp.status < 500, "PATCH answered {}", resp.status);
            let after = store.get(&tenant.id, if kind == "Users" { "User" } else { "Group" }, id).await.expect("get");
            if resp.status >= 400 {
                assert_eq!(before, after, "a refused PATCH changed the resource");
            }
            let read = service.handle(&tenant, Request::new(Method::Get, &format!("/{kind}/{id}"), "https://x/scim/v2/t")).await;
            assert_eq!(read.status, 200, "the resource no longer reads back");
        }
    });
});
