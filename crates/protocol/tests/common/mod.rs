//! A tenant on an in-memory store, and one-line requests against it.

#![allow(
    dead_code,
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::sync::Arc;

use scimhub_protocol::{Config, Method, Request, Response, Service};
use scimhub_schema::Registry;
use scimhub_store::{MemoryStore, NewTenant, Store, Tenant, TenantId};
use serde_json::Value;

pub const BASE: &str = "https://scim.example.net/scim/v2/acme";
pub const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
pub const GROUP: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
pub const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
pub const LICENSE_USER: &str = "urn:ietf:params:scim:schemas:extension:license:2.0:User";
pub const LICENSE_GROUP: &str = "urn:ietf:params:scim:schemas:extension:license:2.0:Group";
pub const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

pub struct Harness {
    pub service: Service,
    pub tenant: Tenant,
    pub store: Arc<MemoryStore>,
}

impl Harness {
    pub async fn new() -> Harness {
        Harness::with(Config::default(), vec![]).await
    }

    pub async fn with_domains(domains: &[&str]) -> Harness {
        Harness::with(
            Config::default(),
            domains.iter().map(|d| d.to_string()).collect(),
        )
        .await
    }

    pub async fn with(config: Config, domains: Vec<String>) -> Harness {
        Harness::build(config, domains, None).await
    }

    /// A harness in strict (RFC-only) mode.
    pub async fn strict() -> Harness {
        let mut config = Config::default();
        config.compatibility = scimhub_protocol::Compatibility::Strict;
        Harness::with(config, vec![]).await
    }

    /// A harness whose service uses a registry of the test's own.
    pub async fn with_registry(registry: Registry) -> Harness {
        Harness::build(Config::default(), vec![], Some(registry)).await
    }

    async fn build(config: Config, domains: Vec<String>, registry: Option<Registry>) -> Harness {
        let store = Arc::new(MemoryStore::new());
        let tenant = store
            .create_tenant(NewTenant {
                id: TenantId::new("acme").unwrap(),
                token: scimhub_protocol::tenancy::hash_token("secret"),
                allowed_domains: domains,
            })
            .await
            .unwrap();
        let service = match registry {
            Some(r) => Service::with_registry(r, store.clone(), config),
            None => Service::new(store.clone(), config),
        };
        Harness {
            service,
            tenant,
            store,
        }
    }

    pub async fn send(&self, req: Request) -> Response {
        self.service.handle(&self.tenant, req).await
    }

    pub async fn call(&self, method: Method, path: &str, body: Option<Value>) -> (u16, Value) {
        let mut req = Request::new(method, path, BASE);
        if let Some(b) = body {
            req = req.with_json(&b);
        }
        let r = self.send(req).await;
        (r.status, r.json_body())
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        let (path, query) = match path.split_once('?') {
            Some((p, q)) => (p, scimhub_protocol::parse_query(q)),
            None => (path, vec![]),
        };
        let mut req = Request::new(Method::Get, path, BASE);
        req.query = query;
        let r = self.send(req).await;
        (r.status, r.json_body())
    }

    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.call(Method::Post, path, Some(body)).await
    }

    pub async fn put(&self, path: &str, body: Value) -> (u16, Value) {
        self.call(Method::Put, path, Some(body)).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> (u16, Value) {
        self.call(Method::Patch, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> u16 {
        self.call(Method::Delete, path, None).await.0
    }

    /// Creates a user and returns its id.
    pub async fn user(&self, user_name: &str) -> String {
        let (status, body) = self
            .post(
                "/Users",
                serde_json::json!({"schemas": [USER], "userName": user_name}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        body["id"].as_str().unwrap().to_owned()
    }

    /// Creates a group (with a licence, when given) and returns its id.
    pub async fn group(&self, name: &str, license: Option<&str>, members: &[&str]) -> String {
        let mut body = serde_json::json!({
            "schemas": [GROUP],
            "displayName": name,
            "members": members.iter().map(|m| serde_json::json!({"value": m})).collect::<Vec<_>>()
        });
        if let Some(l) = license {
            body[LICENSE_GROUP] = serde_json::json!({"license": l});
        }
        let (status, body) = self.post("/Groups", body).await;
        assert_eq!(status, 201, "{body}");
        body["id"].as_str().unwrap().to_owned()
    }

    /// The document the store holds for a resource (what the protocol
    /// decided to keep, before rendering).
    pub async fn stored(&self, resource_type: &str, id: &str) -> Value {
        self.store
            .get(
                &self.tenant.id,
                resource_type,
                &scimhub_store::ResourceId::new(id),
            )
            .await
            .unwrap()
            .expect("stored")
            .document
            .into_value()
            .unwrap()
    }

    pub fn patch_op(ops: Value) -> Value {
        serde_json::json!({"schemas": [PATCH_OP], "Operations": ops})
    }

    /// The ids of a group's members, sorted.
    pub async fn members(&self, group: &str) -> Vec<String> {
        let (status, body) = self.get(&format!("/Groups/{group}")).await;
        assert_eq!(status, 200, "{body}");
        let mut ids: Vec<String> = body["members"]
            .as_array()
            .map(|m| {
                m.iter()
                    .map(|x| x["value"].as_str().unwrap().to_owned())
                    .collect()
            })
            .unwrap_or_default();
        ids.sort();
        ids
    }

    /// Whether the user is licensed, as its representation says.
    pub async fn licensed(&self, user: &str) -> bool {
        let (status, body) = self.get(&format!("/Users/{user}")).await;
        assert_eq!(status, 200, "{body}");
        body[LICENSE_USER]["license"].as_bool().unwrap()
    }

    pub async fn stats(&self) -> scimhub_protocol::tenancy::TenantStats {
        let tenant = self.store.tenant(&self.tenant.id).await.unwrap().unwrap();
        scimhub_protocol::tenancy::stats(&*self.store, &tenant)
            .await
            .unwrap()
    }
}

/// Asserts a SCIM error: status, scimType, and a detail mentioning `mention`.
pub fn assert_error(
    status: u16,
    body: &Value,
    want_status: u16,
    scim_type: Option<&str>,
    mention: &str,
) {
    assert_eq!(status, want_status, "{body}");
    assert_eq!(
        body["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:Error",
        "{body}"
    );
    assert_eq!(
        body["status"],
        want_status.to_string(),
        "status as a string: {body}"
    );
    match scim_type {
        Some(t) => assert_eq!(body["scimType"], t, "{body}"),
        None => assert!(body.get("scimType").is_none(), "{body}"),
    }
    let detail = body["detail"].as_str().unwrap_or("");
    assert!(
        detail.to_lowercase().contains(&mention.to_lowercase()),
        "detail {detail:?} should mention {mention:?}"
    );
}
