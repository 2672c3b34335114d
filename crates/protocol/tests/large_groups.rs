//! Large groups: membership changes go through the store's member
//! operations, so a PATCH adding or removing one member of a 5,000-member
//! group neither reads nor rewrites the others, and its response does not
//! serialise the members unless asked (204; or 200 with `attributes` /
//! `excludedAttributes` honoured).
//!
//! A spy store around the in-memory store records what the service asks
//! of it, so "does not read the others" is observed, not assumed.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use common::*;
use scimhub_protocol::{Config, Method, Request, Service};
use scimhub_schema::datetime::DateTime;
use scimhub_store::{
    Expr, Member, MemberChange, MemoryStore, NewResource, NewTenant, Page, Query, ResourceId,
    Store, StoredResource, Tenant, TenantId, TenantUpdate, TokenHash, Update, Version,
};
use serde_json::json;

/// The writes a spy saw, in order.
#[derive(Default)]
struct Log(Mutex<Vec<String>>);

impl Log {
    fn push(&self, s: String) {
        self.0.lock().unwrap().push(s);
    }

    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

/// The in-memory store, recording every member read and every update.
#[derive(Default)]
struct Spy {
    inner: MemoryStore,
    member_reads: AtomicUsize,
    log: Log,
}

impl Spy {
    fn member_reads(&self) -> usize {
        self.member_reads.swap(0, Ordering::SeqCst)
    }
}

#[async_trait]
impl Store for Spy {
    async fn create_tenant(&self, t: NewTenant) -> scimhub_store::Result<Tenant> {
        self.inner.create_tenant(t).await
    }
    async fn tenant(&self, id: &TenantId) -> scimhub_store::Result<Option<Tenant>> {
        self.inner.tenant(id).await
    }
    async fn tenant_by_token(
        &self,
        t: &TokenHash,
        now: DateTime,
    ) -> scimhub_store::Result<Option<Tenant>> {
        self.inner.tenant_by_token(t, now).await
    }
    async fn tenants(&self) -> scimhub_store::Result<Vec<Tenant>> {
        self.inner.tenants().await
    }
    async fn update_tenant(&self, id: &TenantId, u: TenantUpdate) -> scimhub_store::Result<Tenant> {
        self.inner.update_tenant(id, u).await
    }
    async fn delete_tenant(&self, id: &TenantId) -> scimhub_store::Result<()> {
        self.inner.delete_tenant(id).await
    }
    async fn record_request(&self, id: &TenantId, at: DateTime) -> scimhub_store::Result<()> {
        self.inner.record_request(id, at).await
    }
    async fn create(&self, t: &TenantId, r: NewResource) -> scimhub_store::Result<StoredResource> {
        self.log.push(format!(
            "create {} with {} members",
            r.resource_type,
            r.members.len()
        ));
        self.inner.create(t, r).await
    }
    async fn get(
        &self,
        t: &TenantId,
        rt: &str,
        id: &ResourceId,
    ) -> scimhub_store::Result<Option<StoredResource>> {
        self.inner.get(t, rt, id).await
    }
    async fn update(
        &self,
        t: &TenantId,
        rt: &str,
        id: &ResourceId,
        expected: Option<Version>,
        u: Update,
    ) -> scimhub_store::Result<StoredResource> {
        let members = match &u.members {
            None => "none".to_owned(),
            Some(MemberChange::Edit { add, remove }) => {
                format!("edit +{} -{}", add.len(), remove.len())
            }
            Some(MemberChange::Replace(all)) => format!("replace {}", all.len()),
        };
        self.log.push(format!(
            "update {rt} document={} members={members}",
            u.document.is_some()
        ));
        self.inner.update(t, rt, id, expected, u).await
    }
    async fn delete(
        &self,
        t: &TenantId,
        rt: &str,
        id: &ResourceId,
        e: Option<Version>,
    ) -> scimhub_store::Result<()> {
        self.inner.delete(t, rt, id, e).await
    }
    async fn list(&self, t: &TenantId, q: &Query) -> scimhub_store::Result<Page> {
        self.inner.list(t, q).await
    }
    async fn count(&self, t: &TenantId, rt: &str, f: Option<&Expr>) -> scimhub_store::Result<u64> {
        self.inner.count(t, rt, f).await
    }
    async fn members(
        &self,
        t: &TenantId,
        g: &ResourceId,
        after: Option<&ResourceId>,
        limit: usize,
    ) -> scimhub_store::Result<Vec<Member>> {
        self.member_reads.fetch_add(1, Ordering::SeqCst);
        self.inner.members(t, g, after, limit).await
    }
    async fn member_count(&self, t: &TenantId, g: &ResourceId) -> scimhub_store::Result<u64> {
        self.inner.member_count(t, g).await
    }
    async fn groups_of(
        &self,
        t: &TenantId,
        m: &ResourceId,
    ) -> scimhub_store::Result<Vec<StoredResource>> {
        self.inner.groups_of(t, m).await
    }
    async fn ping(&self) -> scimhub_store::Result<()> {
        self.inner.ping().await
    }
}

const MEMBERS: usize = 5_000;

struct Big {
    spy: Arc<Spy>,
    service: Service,
    tenant: Tenant,
    group: String,
    users: Vec<String>,
}

impl Big {
    async fn new() -> Big {
        let spy = Arc::new(Spy::default());
        let tenant = spy
            .create_tenant(NewTenant {
                id: TenantId::new("acme").unwrap(),
                token: scimhub_protocol::tenancy::hash_token("secret"),
                allowed_domains: vec![],
            })
            .await
            .unwrap();
        let service = Service::new(spy.clone(), Config::default());
        // The users go straight into the store: setting up is not what is
        // tested.
        let mut users = Vec::with_capacity(MEMBERS + 2);
        for i in 0..MEMBERS + 2 {
            let r = spy
                .inner
                .create(
                    &tenant.id,
                    NewResource {
                        resource_type: "User".into(),
                        document: json!({"schemas": [USER], "userName": format!("user{i}")}),
                        unique: vec![scimhub_store::UniqueValue::new(
                            "userName",
                            &format!("user{i}"),
                            false,
                        )],
                        members: vec![],
                    },
                )
                .await
                .unwrap();
            users.push(r.id.to_string());
        }
        let mut big = Big {
            spy,
            service,
            tenant,
            group: String::new(),
            users,
        };
        let members: Vec<_> = big.users[..MEMBERS]
            .iter()
            .map(|u| json!({"value": u}))
            .collect();
        let r = big
            .send(
                Request::new(Method::Post, "/Groups", BASE).with_json(&json!({
                    "schemas": [GROUP], "displayName": "Everyone", "members": members
                })),
            )
            .await;
        assert_eq!(r.status, 201);
        big.group = r.json_body()["id"].as_str().unwrap().to_owned();
        big.spy.member_reads();
        big.spy.log.take();
        big
    }

    async fn send(&self, req: Request) -> scimhub_protocol::Response {
        self.service.handle(&self.tenant, req).await
    }

    fn patch(&self, ops: serde_json::Value) -> Request {
        Request::new(Method::Patch, &format!("/Groups/{}", self.group), BASE)
            .with_json(&Harness::patch_op(ops))
    }

    async fn member_count(&self) -> u64 {
        self.spy
            .inner
            .member_count(&self.tenant.id, &ResourceId::new(&self.group))
            .await
            .unwrap()
    }
}

#[tokio::test]
async fn adding_one_member_touches_only_that_member() {
    let big = Big::new().await;
    let newcomer = big.users[MEMBERS].clone();
    let r = big
        .send(big.patch(json!([{"op": "Add", "path": "members", "value": [{"value": newcomer}]}])))
        .await;
    assert_eq!(r.status, 204);
    assert!(r.body.is_empty(), "no members serialised");
    assert!(r.header("ETag").is_some());
    assert_eq!(big.spy.member_reads(), 0, "the other members were not read");
    assert_eq!(
        big.spy.log.take(),
        ["update Group document=false members=edit +1 -0"],
        "one membership edit, the document untouched"
    );
    assert_eq!(big.member_count().await, MEMBERS as u64 + 1);

    // Removing one, by filter and by Entra's value list, likewise.
    let r = big
        .send(
            big.patch(
                json!([{"op": "remove", "path": format!("members[value eq \"{newcomer}\"]")}]),
            ),
        )
        .await;
    assert_eq!(r.status, 204);
    let first = big.users[0].clone();
    let r = big
        .send(big.patch(json!([{"op": "Remove", "path": "members", "value": [{"value": first}]}])))
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(big.spy.member_reads(), 0);
    assert_eq!(
        big.spy.log.take(),
        [
            "update Group document=false members=edit +0 -1",
            "update Group document=false members=edit +0 -1"
        ]
    );
    assert_eq!(big.member_count().await, MEMBERS as u64 - 1);

    // A rename of the large group rewrites its document only.
    let r = big
        .send(big.patch(json!([{"op": "Replace", "path": "displayName", "value": "All staff"}])))
        .await;
    assert_eq!(r.status, 204);
    assert_eq!(big.spy.member_reads(), 0);
    assert_eq!(
        big.spy.log.take(),
        ["update Group document=true members=none"]
    );
}

#[tokio::test]
async fn a_patch_response_serialises_members_only_when_asked() {
    let big = Big::new().await;
    let newcomer = big.users[MEMBERS].clone();
    let add = |u: &str| json!([{"op": "add", "path": "members", "value": [{"value": u}]}]);

    // excludedAttributes=members: 200 with the group, without members, and
    // without reading them.
    let r = big
        .send(
            big.patch(add(&newcomer))
                .with_query("excludedAttributes", "members"),
        )
        .await;
    assert_eq!(r.status, 200);
    let body = r.json_body();
    assert_eq!(body["displayName"], "Everyone");
    assert!(body.get("members").is_none(), "{body}");
    assert_eq!(body["meta"]["version"], r.header("ETag").unwrap());
    assert_eq!(
        big.spy.member_reads(),
        0,
        "members were not read for a response without them"
    );

    // attributes=members: 200 with every member.
    let other = big.users[MEMBERS + 1].clone();
    let r = big
        .send(big.patch(add(&other)).with_query("attributes", "members"))
        .await;
    assert_eq!(r.status, 200);
    let body = r.json_body();
    assert_eq!(body["members"].as_array().unwrap().len(), MEMBERS + 2);
    assert!(body["id"].is_string(), "id is always returned");
    assert!(
        body.get("displayName").is_none(),
        "only what was asked: {body:.100}"
    );

    // attributes=displayName: 200, no members.
    let r = big
        .send(
            big.patch(json!([{"op": "replace", "path": "displayName", "value": "All"}]))
                .with_query("attributes", "displayName"),
        )
        .await;
    assert_eq!(r.status, 200);
    let body = r.json_body();
    assert_eq!(body["displayName"], "All");
    assert!(body.get("members").is_none());
}

#[tokio::test]
async fn reading_a_large_group_without_members_does_not_read_them() {
    let big = Big::new().await;
    let r = big
        .send(
            Request::new(Method::Get, &format!("/Groups/{}", big.group), BASE)
                .with_query("excludedAttributes", "members"),
        )
        .await;
    assert_eq!(r.status, 200);
    assert!(r.json_body().get("members").is_none());
    // Entra's lookup of a group by name, with excludedAttributes=members.
    let r = big
        .send(
            Request::new(Method::Get, "/Groups", BASE)
                .with_query("excludedAttributes", "members")
                .with_query("filter", "displayName eq \"Everyone\""),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.json_body()["totalResults"], 1);
    assert!(r.json_body()["Resources"][0].get("members").is_none());
    // Entra's membership check: members[value eq "…"] on the group.
    let member = big.users[17].clone();
    let r = big
        .send(
            Request::new(Method::Get, "/Groups", BASE)
                .with_query("excludedAttributes", "members")
                .with_query(
                    "filter",
                    &format!("id eq \"{}\" and members[value eq \"{member}\"]", big.group),
                ),
        )
        .await;
    assert_eq!(r.json_body()["totalResults"], 1);
    assert_eq!(big.spy.member_reads(), 0);

    // A full GET pages through them all.
    let r = big
        .send(Request::new(
            Method::Get,
            &format!("/Groups/{}", big.group),
            BASE,
        ))
        .await;
    assert_eq!(r.json_body()["members"].as_array().unwrap().len(), MEMBERS);
    assert_eq!(big.spy.member_reads(), MEMBERS / 1000 + 1, "pages of 1,000");
}
