//! The conformance kit: the behaviour every [`Store`] must have, as one
//! call.
//!
//! ```
//! # #[tokio::main(flavor = "multi_thread", worker_threads = 2)]
//! # async fn main() {
//! // A fresh, empty store for every check.
//! scimhub_store::testkit::run(|| async { scimhub_store::MemoryStore::new() }).await;
//! # }
//! ```
//!
//! The factory is called once per check and must return an empty store
//! (for a database: a fresh schema or file). Checks panic with a message
//! naming the check and what differed. They cover tenants and tokens,
//! CRUD and versions, uniqueness, tenant isolation, filtering, sorting and
//! both paginations, memberships, concurrency (no lost member, exactly one
//! winner per version), sessions (where the store offers them: reads
//! agree with the store's, a session sees its own writes), and a differential property test comparing the
//! store's answers with the filter crate's evaluator on random documents
//! and filters.

#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use std::collections::BTreeSet;
use std::future::Future;
use std::sync::Arc;

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use scimhub_filter::{BoundFilter, bind, parse_filter};
use scimhub_schema::datetime::DateTime;
use scimhub_schema::{Registry, urn};
use serde_json::{Value, json};

use crate::support::{order, resource_view, sort_key};
use crate::{
    ErrorKind, Expr, MemberChange, NewResource, NewTenant, Pagination, Query, ResourceId, Sort,
    Store, StoredResource, TenantId, TenantUpdate, TokenHash, UniqueValue, Update, Version,
};

/// Runs every check, each on a store from `factory`.
pub async fn run<S, F, Fut>(factory: F)
where
    S: Store,
    F: Fn() -> Fut,
    Fut: Future<Output = S>,
{
    tenants(&factory().await).await;
    crud_and_versions(&factory().await).await;
    uniqueness(&factory().await).await;
    isolation(&factory().await).await;
    filters(&factory().await).await;
    sorting_and_pagination(&factory().await).await;
    memberships(&factory().await).await;
    concurrency(Arc::new(factory().await)).await;
    sessions(&factory().await).await;
    differential(&factory().await, 48).await;
}

fn registry() -> &'static Registry {
    static REGISTRY: std::sync::OnceLock<Registry> = std::sync::OnceLock::new();
    REGISTRY.get_or_init(Registry::standard)
}

/// A filter parsed and bound for `resource_type`, as the protocol would.
pub fn filter(resource_type: &str, text: &str) -> BoundFilter {
    let rt = registry().resource_type(resource_type).unwrap();
    bind(&parse_filter(text).unwrap(), rt).unwrap_or_else(|e| panic!("{text}: {e}"))
}

fn expr(resource_type: &str, text: &str) -> Expr {
    Expr::Filter(filter(resource_type, text))
}

async fn tenant<S: Store + ?Sized>(store: &S, name: &str) -> TenantId {
    let id = TenantId::new(name).unwrap();
    let mut token = [0u8; 32];
    for (i, b) in name.bytes().enumerate().take(32) {
        token[i] = b;
    }
    store
        .create_tenant(NewTenant {
            id: id.clone(),
            token: TokenHash(token),
            allowed_domains: vec![],
        })
        .await
        .unwrap();
    id
}

fn user_doc(user_name: &str, extra: Value) -> Value {
    let mut doc = json!({"schemas": [urn::USER], "userName": user_name});
    if let Value::Object(o) = extra {
        for (k, v) in o {
            doc[k] = v;
        }
    }
    doc
}

async fn create_user<S: Store + ?Sized>(
    store: &S,
    t: &TenantId,
    user_name: &str,
    extra: Value,
) -> StoredResource {
    store
        .create(
            t,
            NewResource {
                resource_type: "User".into(),
                document: user_doc(user_name, extra),
                unique: vec![UniqueValue::new("userName", user_name, false)],
                members: vec![],
            },
        )
        .await
        .unwrap_or_else(|e| panic!("create user {user_name}: {e}"))
}

async fn create_group<S: Store + ?Sized>(
    store: &S,
    t: &TenantId,
    name: &str,
    members: Vec<ResourceId>,
    extra: Value,
) -> StoredResource {
    let mut doc = json!({"schemas": [urn::GROUP], "displayName": name});
    if let Value::Object(o) = extra {
        for (k, v) in o {
            doc[k] = v;
        }
    }
    store
        .create(
            t,
            NewResource {
                resource_type: "Group".into(),
                document: doc,
                unique: vec![],
                members,
            },
        )
        .await
        .unwrap_or_else(|e| panic!("create group {name}: {e}"))
}

fn kind(e: &crate::Error) -> ErrorKind {
    e.kind().clone()
}

/// Asserts that `e` says the userName is taken.
fn assert_user_name_taken(e: &crate::Error, what: &str) {
    assert_eq!(
        kind(e),
        ErrorKind::Uniqueness {
            attribute: "userName".into()
        },
        "{what}"
    );
}

/// Tenants, tokens and rotation with a grace period.
pub async fn tenants<S: Store>(store: &S) {
    let a = tenant(store, "acme").await;
    let b = tenant(store, "beta-2").await;
    let dup = store
        .create_tenant(NewTenant {
            id: a.clone(),
            token: TokenHash([9; 32]),
            allowed_domains: vec![],
        })
        .await;
    assert_eq!(
        kind(&dup.unwrap_err()),
        ErrorKind::TenantExists,
        "tenants: duplicate"
    );
    let names: Vec<_> = store
        .tenants()
        .await
        .unwrap()
        .into_iter()
        .map(|t| t.id)
        .collect();
    assert_eq!(names, [a.clone(), b.clone()], "tenants: listed by name");

    let now = DateTime::now();
    let acme_token = store.tenant(&a).await.unwrap().unwrap().token;
    let found = store
        .tenant_by_token(&acme_token, now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.id, a, "tenants: token lookup");
    assert!(
        store
            .tenant_by_token(&TokenHash([1; 32]), now)
            .await
            .unwrap()
            .is_none()
    );

    // Rotation with a grace period: both work until it ends.
    let new = TokenHash([42; 32]);
    let until = DateTime::from_unix(now.unix_seconds() + 3600, 0);
    let t = store
        .update_tenant(
            &a,
            TenantUpdate {
                token: Some((new, Some(until))),
                allowed_domains: Some(vec!["example.com".into()]),
                rate_limit: Some(Some(50)),
            },
        )
        .await
        .unwrap();
    assert_eq!(t.allowed_domains, ["example.com"]);
    assert_eq!(t.rate_limit, Some(50));
    assert_eq!(
        store.tenant_by_token(&new, now).await.unwrap().unwrap().id,
        a
    );
    assert_eq!(
        store
            .tenant_by_token(&acme_token, now)
            .await
            .unwrap()
            .unwrap()
            .id,
        a,
        "tenants: old token within grace"
    );
    let later = DateTime::from_unix(now.unix_seconds() + 3601, 0);
    assert!(
        store
            .tenant_by_token(&acme_token, later)
            .await
            .unwrap()
            .is_none(),
        "tenants: old token after grace"
    );
    // Rotation without grace: the old token stops at once.
    let newer = TokenHash([43; 32]);
    store
        .update_tenant(
            &a,
            TenantUpdate {
                token: Some((newer, None)),
                ..TenantUpdate::default()
            },
        )
        .await
        .unwrap();
    assert!(
        store.tenant_by_token(&new, now).await.unwrap().is_none(),
        "tenants: rotated without grace"
    );
    assert!(store.tenant_by_token(&newer, now).await.unwrap().is_some());

    store.record_request(&b, now).await.unwrap();
    assert!(
        store
            .tenant(&b)
            .await
            .unwrap()
            .unwrap()
            .last_request_at
            .is_some()
    );

    create_user(store, &b, "someone", json!({})).await;
    store.delete_tenant(&b).await.unwrap();
    assert!(store.tenant(&b).await.unwrap().is_none());
    assert_eq!(
        kind(&store.delete_tenant(&b).await.unwrap_err()),
        ErrorKind::NotFound
    );
    // The name can be reused, and starts empty.
    let b = tenant(store, "beta-2").await;
    assert_eq!(
        store.count(&b, "User", None).await.unwrap(),
        0,
        "tenants: deleted data is gone"
    );
    assert_eq!(
        kind(
            &store
                .update_tenant(&TenantId::new("nobody").unwrap(), TenantUpdate::default())
                .await
                .unwrap_err()
        ),
        ErrorKind::NotFound
    );
}

/// Create, read, update with versions, delete.
pub async fn crud_and_versions<S: Store>(store: &S) {
    let t = tenant(store, "crud").await;
    let u = create_user(store, &t, "bjensen", json!({"displayName": "Babs"})).await;
    assert_eq!(u.version, Version::FIRST);
    assert_eq!(u.resource_type, "User");
    assert_eq!(u.created, u.last_modified);
    let got = store.get(&t, "User", &u.id).await.unwrap().unwrap();
    assert_eq!(got, u, "crud: read back what was created");
    assert!(
        store.get(&t, "Group", &u.id).await.unwrap().is_none(),
        "crud: type is part of identity"
    );

    let doc2 = user_doc("bjensen", json!({"displayName": "Barbara"}));
    let v2 = store
        .update(
            &t,
            "User",
            &u.id,
            Some(Version::FIRST),
            Update {
                document: Some((
                    doc2.clone(),
                    vec![UniqueValue::new("userName", "bjensen", false)],
                )),
                members: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(v2.version, Version(2));
    assert_eq!(v2.document, doc2);
    assert!(v2.last_modified >= u.last_modified);
    assert_eq!(v2.created, u.created);

    // A stale writer is refused and changes nothing.
    let stale = store
        .update(
            &t,
            "User",
            &u.id,
            Some(Version::FIRST),
            Update {
                document: Some((user_doc("bjensen", json!({"displayName": "Stale"})), vec![])),
                members: None,
            },
        )
        .await
        .unwrap_err();
    assert_eq!(
        kind(&stale),
        ErrorKind::VersionConflict {
            current: Version(2)
        },
        "crud: stale update"
    );
    assert_eq!(store.get(&t, "User", &u.id).await.unwrap().unwrap(), v2);

    let stale_delete = store
        .delete(&t, "User", &u.id, Some(Version::FIRST))
        .await
        .unwrap_err();
    assert_eq!(
        kind(&stale_delete),
        ErrorKind::VersionConflict {
            current: Version(2)
        }
    );
    store
        .delete(&t, "User", &u.id, Some(Version(2)))
        .await
        .unwrap();
    assert!(store.get(&t, "User", &u.id).await.unwrap().is_none());
    assert_eq!(
        kind(&store.delete(&t, "User", &u.id, None).await.unwrap_err()),
        ErrorKind::NotFound
    );
    let missing = store
        .update(
            &t,
            "User",
            &ResourceId::new("nope"),
            None,
            Update::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(kind(&missing), ErrorKind::NotFound);
    // Unicode and large documents survive.
    let doc = user_doc(
        "ünïcødé@例え.jp",
        json!({"title": "x".repeat(10_000), "nested": {"a": [1, 2.5, null, true]}}),
    );
    let r = store
        .create(
            &t,
            NewResource {
                resource_type: "User".into(),
                document: doc.clone(),
                unique: vec![],
                members: vec![],
            },
        )
        .await
        .unwrap();
    assert_eq!(
        store
            .get(&t, "User", &r.id)
            .await
            .unwrap()
            .unwrap()
            .document,
        doc
    );
    for unique in [vec![], vec![UniqueValue::new("userName", "ghost", false)]] {
        let e = store
            .create(
                &TenantId::new("ghost").unwrap(),
                NewResource {
                    resource_type: "User".into(),
                    document: json!({"userName": "ghost"}),
                    unique,
                    members: vec![],
                },
            )
            .await
            .unwrap_err();
        assert_eq!(
            kind(&e),
            ErrorKind::NotFound,
            "creation in a missing tenant: {e}"
        );
    }
}

/// Uniqueness of declared values, ignoring case as folded by the caller.
pub async fn uniqueness<S: Store>(store: &S) {
    let t = tenant(store, "unique").await;
    let a = create_user(store, &t, "alice", json!({})).await;
    let clash = store
        .create(
            &t,
            NewResource {
                resource_type: "User".into(),
                document: user_doc("ALICE", json!({})),
                unique: vec![UniqueValue::new("userName", "ALICE", false)],
                members: vec![],
            },
        )
        .await
        .unwrap_err();
    assert_user_name_taken(&clash, "uniqueness: case-insensitive");
    assert_eq!(
        store.count(&t, "User", None).await.unwrap(),
        1,
        "uniqueness: nothing stored"
    );
    // Another type may use the same value.
    store
        .create(
            &t,
            NewResource {
                resource_type: "Group".into(),
                document: json!({"displayName": "alice"}),
                unique: vec![UniqueValue::new("userName", "alice", false)],
                members: vec![],
            },
        )
        .await
        .unwrap();
    // Renaming onto a taken value fails; keeping one's own value works.
    let b = create_user(store, &t, "bob", json!({})).await;
    let rename = store
        .update(
            &t,
            "User",
            &b.id,
            Some(b.version),
            Update {
                document: Some((
                    user_doc("Alice", json!({})),
                    vec![UniqueValue::new("userName", "Alice", false)],
                )),
                members: None,
            },
        )
        .await
        .unwrap_err();
    assert_user_name_taken(&rename, "uniqueness: rename");
    assert_eq!(
        store.get(&t, "User", &b.id).await.unwrap().unwrap(),
        b,
        "uniqueness: failed rename changes nothing"
    );
    store
        .update(
            &t,
            "User",
            &a.id,
            Some(a.version),
            Update {
                document: Some((
                    user_doc("Alice", json!({})),
                    vec![UniqueValue::new("userName", "Alice", false)],
                )),
                members: None,
            },
        )
        .await
        .unwrap();
    // A deleted resource frees its values; a renamed one frees the old.
    store.delete(&t, "User", &a.id, None).await.unwrap();
    create_user(store, &t, "alice", json!({})).await;
    let b2 = store
        .update(
            &t,
            "User",
            &b.id,
            None,
            Update {
                document: Some((
                    user_doc("robert", json!({})),
                    vec![UniqueValue::new("userName", "robert", false)],
                )),
                members: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(b2.version, Version(2));
    create_user(store, &t, "bob", json!({})).await;
    // Case-exact values stay distinct.
    for v in ["X1", "x1"] {
        store
            .create(
                &t,
                NewResource {
                    resource_type: "Device".into(),
                    document: json!({"serial": v}),
                    unique: vec![UniqueValue::new("serial", v, true)],
                    members: vec![],
                },
            )
            .await
            .unwrap_or_else(|e| panic!("uniqueness: case-exact {v}: {e}"));
    }
    // A declared value need not be the document's own userName: it
    // clashes with another document's own, and the other way round, on
    // creation and on update.
    let declared = |name: &str, value: &str| NewResource {
        resource_type: "User".into(),
        document: user_doc(name, json!({})),
        unique: vec![UniqueValue::new("userName", value, false)],
        members: vec![],
    };
    store.create(&t, declared("dave", "Carol")).await.unwrap();
    let erin = create_user(store, &t, "erin", json!({})).await;
    for (name, value) in [("carol", "carol"), ("frank", "ERIN")] {
        let clash = store.create(&t, declared(name, value)).await.unwrap_err();
        assert_user_name_taken(&clash, &format!("uniqueness: {name} declaring {value}"));
    }
    for (name, value) in [("carol", "carol"), ("erin", "CAROL")] {
        let clash = store
            .update(
                &t,
                "User",
                &erin.id,
                None,
                Update {
                    document: Some((
                        user_doc(name, json!({})),
                        vec![UniqueValue::new("userName", value, false)],
                    )),
                    members: None,
                },
            )
            .await
            .unwrap_err();
        assert_user_name_taken(
            &clash,
            &format!("uniqueness: renaming erin to {name} declaring {value}"),
        );
    }
    assert_eq!(
        store.get(&t, "User", &erin.id).await.unwrap().unwrap(),
        erin,
        "uniqueness: failed renames change nothing"
    );
    // An update that changes no indexed attribute and no unique value
    // keeps the values taken; one that changes only a declared value
    // frees the old one and takes the new.
    let erin2 = store
        .update(
            &t,
            "User",
            &erin.id,
            Some(erin.version),
            Update {
                document: Some((
                    user_doc("erin", json!({"active": false})),
                    vec![UniqueValue::new("userName", "erin", false)],
                )),
                members: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(erin2.document.value().unwrap()["active"], json!(false));
    let clash = store
        .create(&t, declared("ERIN", "ERIN"))
        .await
        .unwrap_err();
    assert_user_name_taken(&clash, "uniqueness: a userName kept by an update");
    let device = |serial: &str, colour: &str| {
        (
            json!({"serial": serial, "colour": colour}),
            vec![UniqueValue::new("serial", serial, true)],
        )
    };
    let new_device = |serial: &str| {
        let (document, unique) = device(serial, "red");
        NewResource {
            resource_type: "Device".into(),
            document,
            unique,
            members: vec![],
        }
    };
    let serial_taken = |e: crate::Error, what: &str| {
        assert_eq!(
            kind(&e),
            ErrorKind::Uniqueness {
                attribute: "serial".into()
            },
            "{what}"
        );
    };
    let d = store.create(&t, new_device("D1")).await.unwrap();
    for (serial, colour) in [("D1", "blue"), ("D2", "blue")] {
        store
            .update(
                &t,
                "Device",
                &d.id,
                None,
                Update {
                    document: Some(device(serial, colour)),
                    members: None,
                },
            )
            .await
            .unwrap_or_else(|e| panic!("uniqueness: device to {serial} {colour}: {e}"));
        let clash = store.create(&t, new_device(serial)).await.unwrap_err();
        serial_taken(clash, &format!("uniqueness: {serial} kept by an update"));
    }
    store
        .create(&t, new_device("D1"))
        .await
        .unwrap_or_else(|e| panic!("uniqueness: D1 freed by an update: {e}"));
}

/// One tenant never sees another's data.
pub async fn isolation<S: Store>(store: &S) {
    let a = tenant(store, "tenant-a").await;
    let b = tenant(store, "tenant-b").await;
    let ua = create_user(store, &a, "same@example.com", json!({})).await;
    let ub = create_user(store, &b, "same@example.com", json!({})).await;
    assert_ne!(ua.id, ub.id);
    assert!(
        store.get(&b, "User", &ua.id).await.unwrap().is_none(),
        "isolation: get"
    );
    assert_eq!(
        kind(
            &store
                .update(&b, "User", &ua.id, None, Update::default())
                .await
                .unwrap_err()
        ),
        ErrorKind::NotFound,
        "isolation: update"
    );
    assert_eq!(
        kind(&store.delete(&b, "User", &ua.id, None).await.unwrap_err()),
        ErrorKind::NotFound
    );
    let page = store.list(&b, &Query::all("User", 100)).await.unwrap();
    assert_eq!(page.total, 1);
    assert_eq!(page.resources[0].id, ub.id, "isolation: list");
    let by_id = Query {
        filter: Some(expr("User", &format!("id eq \"{}\"", ua.id))),
        ..Query::all("User", 10)
    };
    assert_eq!(
        store.list(&b, &by_id).await.unwrap().total,
        0,
        "isolation: filter by a foreign id"
    );
    // A group cannot take a member from another tenant.
    let err = store
        .create(
            &b,
            NewResource {
                resource_type: "Group".into(),
                document: json!({"displayName": "G"}),
                unique: vec![],
                members: vec![ua.id.clone()],
            },
        )
        .await
        .unwrap_err();
    assert_eq!(
        kind(&err),
        ErrorKind::InvalidReference { id: ua.id.clone() },
        "isolation: members"
    );
    let gb = create_group(store, &b, "G", vec![ub.id.clone()], json!({})).await;
    assert!(
        store
            .members(&a, &gb.id, None, 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(store.groups_of(&a, &ub.id).await.unwrap().is_empty());
    assert_eq!(store.member_count(&a, &gb.id).await.unwrap(), 0);
}

async fn ids<S: Store>(store: &S, t: &TenantId, q: &Query) -> Vec<ResourceId> {
    store
        .list(t, q)
        .await
        .unwrap_or_else(|e| panic!("{q:?}: {e}"))
        .resources
        .into_iter()
        .map(|r| r.id)
        .collect()
}

/// Filters: the lookups identity providers make, and the rest.
pub async fn filters<S: Store>(store: &S) {
    let t = tenant(store, "filters").await;
    let b = create_user(
        store,
        &t,
        "bjensen@example.com",
        json!({
            "externalId": "Ext-1", "displayName": "Babs Jensen", "active": true,
            "emails": [{"value": "bjensen@example.com", "type": "work", "primary": true},
                       {"value": "babs@home.org", "type": "home"}],
            "name": {"givenName": "Barbara", "familyName": "Jensen"},
            urn::ENTERPRISE_USER: {"employeeNumber": "701984", "manager": {"value": "m-1"}}
        }),
    )
    .await;
    let m = create_user(
        store,
        &t,
        "mpepperidge@example.com",
        json!({
            "externalId": "ext-1", "displayName": "Mandy", "active": false,
            "emails": [{"value": "mandy@example.org", "type": "work"}]
        }),
    )
    .await;
    let q = |text: &str| Query {
        filter: Some(expr("User", text)),
        ..Query::all("User", 100)
    };
    async fn check_filter<S: Store>(
        store: &S,
        t: &TenantId,
        text: &str,
        mut want: Vec<ResourceId>,
    ) {
        let query = Query {
            filter: Some(expr("User", text)),
            ..Query::all("User", 100)
        };
        let mut got = ids(store, t, &query).await;
        got.sort();
        want.sort();
        assert_eq!(got, want, "filters: {text}");
        assert_eq!(
            store.count(t, "User", query.filter.as_ref()).await.unwrap(),
            want.len() as u64,
            "count: {text}"
        );
    }
    let check = |text: &'static str, want: Vec<ResourceId>| check_filter(store, &t, text, want);
    check(r#"userName eq "BJENSEN@example.com""#, vec![b.id.clone()]).await;
    check(r#"externalId eq "Ext-1""#, vec![b.id.clone()]).await;
    check(r#"externalId eq "EXT-1""#, vec![]).await;
    check(r#"displayName eq "mandy""#, vec![m.id.clone()]).await;
    check(r#"userName eq "nobody@example.com""#, vec![]).await;
    check(
        r#"userName sw "bj" or userName ew "PEPPERIDGE@EXAMPLE.COM""#,
        vec![b.id.clone(), m.id.clone()],
    )
    .await;
    check(
        r#"emails[type eq "work" and value co "example.com"]"#,
        vec![b.id.clone()],
    )
    .await;
    check(
        r#"emails[type eq "work"].value eq "mandy@example.org""#,
        vec![m.id.clone()],
    )
    .await;
    check(r#"emails.value co "home""#, vec![b.id.clone()]).await;
    check("active eq true", vec![b.id.clone()]).await;
    check(
        "active eq false and not (userName sw \"b\")",
        vec![m.id.clone()],
    )
    .await;
    check(r#"name.familyName eq "jensen""#, vec![b.id.clone()]).await;
    check("name pr", vec![b.id.clone()]).await;
    check("nickName pr", vec![]).await;
    check(r#"nickName ne "x""#, vec![b.id.clone(), m.id.clone()]).await;
    check(
        r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber eq "701984""#,
        vec![b.id.clone()],
    )
    .await;
    check(
        r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "m-1""#,
        vec![b.id.clone()],
    )
    .await;
    let by_id = q(&format!("id eq \"{}\"", m.id));
    assert_eq!(
        ids(store, &t, &by_id).await,
        std::slice::from_ref(&m.id),
        "filters: id eq"
    );
    let recent = q(&format!("meta.created ge \"{}\"", b.created));
    assert_eq!(
        ids(store, &t, &recent).await.len(),
        2,
        "filters: meta.created"
    );
    let future = q("meta.lastModified gt \"2999-01-01T00:00:00Z\"");
    assert!(
        ids(store, &t, &future).await.is_empty(),
        "filters: meta.lastModified"
    );
    let versions = q("meta.version eq \"W/\\\"1\\\"\"");
    assert_eq!(
        ids(store, &t, &versions).await.len(),
        2,
        "filters: meta.version"
    );
}

/// Sorting, index pagination and cursor pagination.
pub async fn sorting_and_pagination<S: Store>(store: &S) {
    let t = tenant(store, "pages").await;
    let names = [
        "delta", "Alpha", "charlie", "bravo", "echo", "foxtrot", "golf", "hotel", "India", "juliet",
    ];
    let mut created = Vec::new();
    for (i, n) in names.iter().enumerate() {
        let extra = if i % 3 == 0 {
            json!({})
        } else {
            json!({"title": format!("t{}", 9 - i)})
        };
        created.push(create_user(store, &t, n, extra).await);
    }
    // Creation order without sortBy, pages covering everything once.
    let mut seen = Vec::new();
    for start in [1, 4, 7, 10] {
        let q = Query {
            page: Pagination::Index {
                start_index: start,
                count: 3,
            },
            ..Query::all("User", 0)
        };
        let page = store.list(&t, &q).await.unwrap();
        assert_eq!(page.total, 10);
        seen.extend(page.resources.into_iter().map(|r| r.id));
    }
    let all: Vec<_> = created.iter().map(|r| r.id.clone()).collect();
    assert_eq!(seen, all, "pagination: index pages in creation order");
    let past = Query {
        page: Pagination::Index {
            start_index: 11,
            count: 3,
        },
        ..Query::all("User", 0)
    };
    assert!(store.list(&t, &past).await.unwrap().resources.is_empty());
    let count_only = Query {
        page: Pagination::Index {
            start_index: 1,
            count: 0,
        },
        ..Query::all("User", 0)
    };
    let page = store.list(&t, &count_only).await.unwrap();
    assert_eq!(
        (page.total, page.resources.len()),
        (10, 0),
        "pagination: count only"
    );

    // Sorted, case-insensitively, both directions; missing values last
    // ascending, first descending.
    let rt = registry().resource_type("User").unwrap();
    let path = |p: &str| {
        scimhub_filter::bind_path(&scimhub_filter::parse_attr_path(p).unwrap(), rt).unwrap()
    };
    for (attr, descending) in [
        ("userName", false),
        ("userName", true),
        ("title", false),
        ("title", true),
        ("meta.created", true),
    ] {
        let sort = Sort {
            path: path(attr),
            descending,
        };
        let q = Query {
            sort: Some(sort.clone()),
            ..Query::all("User", 100)
        };
        let got = ids(store, &t, &q).await;
        let mut want: Vec<_> = created
            .iter()
            .enumerate()
            .map(|(i, r)| {
                (
                    sort_key(&resource_view(r).unwrap(), &sort.path),
                    i as i64,
                    r.id.clone(),
                )
            })
            .collect();
        want.sort_by(|a, b| order((&a.0, a.1), (&b.0, b.1), descending));
        let want: Vec<_> = want.into_iter().map(|w| w.2).collect();
        assert_eq!(got, want, "sorting: {attr} descending={descending}");
        if attr == "userName" && !descending {
            let first = store.get(&t, "User", &got[0]).await.unwrap().unwrap();
            assert_eq!(
                first.document.value().unwrap()["userName"],
                "Alpha",
                "sorting: case-insensitive"
            );
        }
    }

    // Cursor pagination walks the same order, with and without a sort.
    for sort in [
        None,
        Some(Sort {
            path: path("title"),
            descending: false,
        }),
    ] {
        let full = ids(
            store,
            &t,
            &Query {
                sort: sort.clone(),
                ..Query::all("User", 100)
            },
        )
        .await;
        let mut walked = Vec::new();
        let mut after = None;
        loop {
            let q = Query {
                sort: sort.clone(),
                page: Pagination::Cursor {
                    after: after.clone(),
                    count: 4,
                },
                ..Query::all("User", 0)
            };
            let page = store.list(&t, &q).await.unwrap();
            assert_eq!(page.total, 10);
            walked.extend(page.resources.into_iter().map(|r| r.id));
            match page.next_cursor {
                Some(c) => after = Some(c),
                None => break,
            }
            assert!(walked.len() <= 10, "pagination: cursor loop");
        }
        assert_eq!(
            walked,
            full,
            "pagination: cursor walk, sort {:?}",
            sort.as_ref().map(|s| s.descending)
        );
    }
    // A cursor survives a creation before its position only by not
    // repeating or skipping what was there.
    let q1 = Query {
        page: Pagination::Cursor {
            after: None,
            count: 5,
        },
        ..Query::all("User", 0)
    };
    let p1 = store.list(&t, &q1).await.unwrap();
    create_user(store, &t, "zulu", json!({})).await;
    let q2 = Query {
        page: Pagination::Cursor {
            after: p1.next_cursor.clone(),
            count: 100,
        },
        ..Query::all("User", 0)
    };
    let p2 = store.list(&t, &q2).await.unwrap();
    let mut walked: Vec<_> = p1
        .resources
        .iter()
        .chain(p2.resources.iter())
        .map(|r| r.id.clone())
        .collect();
    walked.truncate(10);
    assert_eq!(walked, all, "pagination: cursor stable under inserts");
    // Foreign and malformed cursors are refused.
    let cursor = p1.next_cursor.unwrap();
    let other = Query {
        filter: Some(expr("User", "userName pr")),
        page: Pagination::Cursor {
            after: Some(cursor),
            count: 5,
        },
        ..Query::all("User", 0)
    };
    assert_eq!(
        kind(&store.list(&t, &other).await.unwrap_err()),
        ErrorKind::InvalidCursor
    );
    let garbage = Query {
        page: Pagination::Cursor {
            after: Some("not a cursor!".into()),
            count: 5,
        },
        ..Query::all("User", 0)
    };
    assert_eq!(
        kind(&store.list(&t, &garbage).await.unwrap_err()),
        ErrorKind::InvalidCursor
    );
}

/// Memberships: add, remove, replace, read, filter, cascade.
pub async fn memberships<S: Store>(store: &S) {
    let t = tenant(store, "members").await;
    let mut users = Vec::new();
    for i in 0..5 {
        users.push(create_user(store, &t, &format!("user{i}"), json!({})).await);
    }
    let uid = |i: usize| users[i].id.clone();
    let free = create_group(
        store,
        &t,
        "Free",
        vec![uid(0), uid(1), uid(2)],
        json!({urn::LICENSE_GROUP: {"license": false}}),
    )
    .await;
    let pro = create_group(
        store,
        &t,
        "Pro",
        vec![uid(0)],
        json!({urn::LICENSE_GROUP: {"license": true}}),
    )
    .await;
    assert_eq!(store.member_count(&t, &free.id).await.unwrap(), 3);

    // Paged reads in id order.
    let mut all = Vec::new();
    let mut after: Option<ResourceId> = None;
    loop {
        let page = store
            .members(&t, &free.id, after.as_ref(), 2)
            .await
            .unwrap();
        if page.is_empty() {
            break;
        }
        after = page.last().map(|m| m.id.clone());
        all.extend(page);
    }
    let mut want: Vec<_> = (0..3).map(uid).collect();
    want.sort();
    assert_eq!(
        all.iter().map(|m| m.id.clone()).collect::<Vec<_>>(),
        want,
        "members: paged, ordered by id"
    );
    assert!(all.iter().all(|m| m.resource_type == "User"));

    // Edits bump the version; adding twice and removing absent members is a no-op.
    let g = store
        .update(
            &t,
            "Group",
            &free.id,
            None,
            Update {
                document: None,
                members: Some(MemberChange::Edit {
                    add: vec![uid(3), uid(0)],
                    remove: vec![uid(1), uid(4)],
                }),
            },
        )
        .await
        .unwrap();
    assert_eq!(g.version, Version(2), "members: one bump per change");
    assert_eq!(g.document, free.document, "members: document untouched");
    let set = |ms: Vec<crate::Member>| ms.into_iter().map(|m| m.id).collect::<BTreeSet<_>>();
    assert_eq!(
        set(store.members(&t, &free.id, None, 100).await.unwrap()),
        [uid(0), uid(2), uid(3)].into_iter().collect()
    );
    // A bad reference changes nothing.
    let err = store
        .update(
            &t,
            "Group",
            &free.id,
            None,
            Update {
                document: None,
                members: Some(MemberChange::Edit {
                    add: vec![uid(4), ResourceId::new("ghost")],
                    remove: vec![uid(0)],
                }),
            },
        )
        .await
        .unwrap_err();
    assert_eq!(
        kind(&err),
        ErrorKind::InvalidReference {
            id: ResourceId::new("ghost")
        }
    );
    assert_eq!(
        store.member_count(&t, &free.id).await.unwrap(),
        3,
        "members: failed edit is atomic"
    );
    // Replace, including with nothing; groups can be members.
    store
        .update(
            &t,
            "Group",
            &free.id,
            Some(Version(2)),
            Update {
                document: Some((json!({"displayName": "Free tier"}), vec![])),
                members: Some(MemberChange::Replace(vec![uid(4), pro.id.clone()])),
            },
        )
        .await
        .unwrap();
    let ms = store.members(&t, &free.id, None, 100).await.unwrap();
    assert_eq!(
        set(ms.clone()),
        [uid(4), pro.id.clone()].into_iter().collect()
    );
    assert!(ms.iter().any(|m| m.resource_type == "Group"));
    assert_eq!(
        store
            .get(&t, "Group", &free.id)
            .await
            .unwrap()
            .unwrap()
            .document
            .value()
            .unwrap()["displayName"],
        "Free tier"
    );

    // groups_of and the membership predicates.
    let of = |r: Vec<StoredResource>| r.into_iter().map(|g| g.id).collect::<Vec<_>>();
    assert_eq!(
        of(store.groups_of(&t, &uid(0)).await.unwrap()),
        std::slice::from_ref(&pro.id)
    );
    assert_eq!(
        of(store.groups_of(&t, &uid(4)).await.unwrap()),
        std::slice::from_ref(&free.id)
    );
    // Several members at once: the same answers, members without groups absent.
    let many = store
        .groups_of_many(&t, &[uid(0), uid(4), uid(1)])
        .await
        .unwrap();
    assert_eq!(many.len(), 2, "groups_of_many: members with groups only");
    for m in [uid(0), uid(4)] {
        assert_eq!(
            many.get(&m).cloned().map(of),
            Some(of(store.groups_of(&t, &m).await.unwrap())),
            "groups_of_many"
        );
    }
    // Which named resources are members: exactly those of the group.
    let unknown = ResourceId::new("not-a-resource");
    let among = store
        .members_among(
            &t,
            &free.id,
            &[uid(0), uid(4), pro.id.clone(), unknown.clone()],
        )
        .await
        .unwrap();
    assert_eq!(
        among,
        [uid(4), pro.id.clone()].into_iter().collect(),
        "members_among: uid(4) and the nested group, not uid(0) nor an unknown id"
    );
    assert_eq!(
        store
            .members_among(&t, &pro.id, &[uid(0), uid(4)])
            .await
            .unwrap(),
        [uid(0)].into_iter().collect(),
        "members_among of another group"
    );
    assert!(
        store
            .members_among(&t, &free.id, &[])
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .members_among(&t, &unknown, &[uid(4)])
            .await
            .unwrap()
            .is_empty(),
        "members_among of a group that does not exist"
    );
    // A page with its groups: the same answers as list and groups_of_many.
    let (page, groups) = store
        .list_with_groups(&t, &Query::all("User", 3))
        .await
        .unwrap();
    assert_eq!(page, store.list(&t, &Query::all("User", 3)).await.unwrap());
    let page_ids: Vec<ResourceId> = page.resources.iter().map(|r| r.id.clone()).collect();
    assert_eq!(
        groups,
        store.groups_of_many(&t, &page_ids).await.unwrap(),
        "list_with_groups: the groups of the page"
    );
    let (empty, groups) = store
        .list_with_groups(
            &t,
            &Query {
                filter: Some(expr("User", "userName eq \"nobody\"")),
                ..Query::all("User", 3)
            },
        )
        .await
        .unwrap();
    assert!(empty.resources.is_empty() && groups.is_empty());
    // A resource with its groups: the same answers as get and groups_of.
    for (m, rt) in [
        (uid(0), "User"),
        (uid(1), "User"),
        (free.id.clone(), "Group"),
    ] {
        let (r, groups) = store
            .get_with_groups(&t, rt, &m)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("get_with_groups: {m} is stored"));
        assert_eq!(
            Some(&r),
            store.get(&t, rt, &m).await.unwrap().as_ref(),
            "get_with_groups: the resource"
        );
        assert_eq!(
            of(groups),
            of(store.groups_of(&t, &m).await.unwrap()),
            "get_with_groups: the groups of {m}"
        );
    }
    assert!(
        store
            .get_with_groups(&t, "Group", &uid(0))
            .await
            .unwrap()
            .is_none(),
        "get_with_groups: the type must match"
    );
    assert!(
        store
            .get_with_groups(&t, "User", &ResourceId::new("ghost"))
            .await
            .unwrap()
            .is_none(),
        "get_with_groups: an unknown id"
    );
    let has = |id: &ResourceId| Query {
        filter: Some(Expr::HasMember(
            filter("Group", &format!("members[value eq \"{id}\"]")).value_path_inner(),
        )),
        ..Query::all("Group", 10)
    };
    assert_eq!(
        ids(store, &t, &has(&uid(4))).await,
        std::slice::from_ref(&free.id),
        "members: HasMember"
    );
    assert!(ids(store, &t, &has(&uid(1))).await.is_empty());
    let licensed = Expr::MemberOf(Box::new(expr(
        "Group",
        &format!("{}:license eq true", urn::LICENSE_GROUP),
    )));
    assert_eq!(
        store.count(&t, "User", Some(&licensed)).await.unwrap(),
        1,
        "members: MemberOf"
    );
    let unlicensed = Expr::Not(Box::new(licensed.clone()));
    assert_eq!(store.count(&t, "User", Some(&unlicensed)).await.unwrap(), 4);
    let any_member = Query {
        filter: Some(Expr::HasMember(BoundFilter::And(vec![]))),
        ..Query::all("Group", 10)
    };
    assert_eq!(ids(store, &t, &any_member).await.len(), 2);

    // Deleting a member removes it from its groups and changes them.
    let before = store.get(&t, "Group", &pro.id).await.unwrap().unwrap();
    store.delete(&t, "User", &uid(0), None).await.unwrap();
    let after_delete = store.get(&t, "Group", &pro.id).await.unwrap().unwrap();
    assert_eq!(
        store.member_count(&t, &pro.id).await.unwrap(),
        0,
        "members: cascade"
    );
    assert_eq!(
        after_delete.version,
        before.version.next(),
        "members: group version bumped by cascade"
    );
    assert_eq!(store.count(&t, "User", Some(&licensed)).await.unwrap(), 0);
    // Deleting a group removes its memberships both ways.
    store.delete(&t, "Group", &pro.id, None).await.unwrap();
    assert_eq!(
        set(store.members(&t, &free.id, None, 100).await.unwrap()),
        [uid(4)].into_iter().collect()
    );
    store.delete(&t, "Group", &free.id, None).await.unwrap();
    assert!(store.groups_of(&t, &uid(4)).await.unwrap().is_empty());
}

trait ValuePathInner {
    fn value_path_inner(self) -> BoundFilter;
}

impl ValuePathInner for BoundFilter {
    /// The element filter of `members[…]`.
    fn value_path_inner(self) -> BoundFilter {
        match self {
            BoundFilter::ValuePath { filter, .. } => *filter,
            other => panic!("not a value path: {other:?}"),
        }
    }
}

/// Concurrent writers: no lost member, exactly one winner per version.
pub async fn concurrency<S: Store>(store: Arc<S>) {
    let t = tenant(&*store, "concurrent").await;
    let mut members = Vec::new();
    for i in 0..32 {
        members.push(
            create_user(&*store, &t, &format!("c{i}"), json!({}))
                .await
                .id,
        );
    }
    let group = create_group(&*store, &t, "Everyone", vec![], json!({})).await;
    let mut tasks = Vec::new();
    for m in members.clone() {
        let (store, t, g) = (store.clone(), t.clone(), group.id.clone());
        tasks.push(tokio::spawn(async move {
            store
                .update(
                    &t,
                    "Group",
                    &g,
                    None,
                    Update {
                        document: None,
                        members: Some(MemberChange::Edit {
                            add: vec![m],
                            remove: vec![],
                        }),
                    },
                )
                .await
                .map(|r| r.version)
        }));
    }
    let mut versions = BTreeSet::new();
    for task in tasks {
        versions.insert(task.await.unwrap().unwrap());
    }
    assert_eq!(
        store.member_count(&t, &group.id).await.unwrap(),
        32,
        "concurrency: no lost member"
    );
    assert_eq!(
        versions.len(),
        32,
        "concurrency: every membership change has its own version"
    );
    assert_eq!(
        store
            .get(&t, "Group", &group.id)
            .await
            .unwrap()
            .unwrap()
            .version,
        Version(33)
    );

    // 32 writers racing with the same expected version, for five rounds.
    let target = members[0].clone();
    for round in 0..5u64 {
        let current = store
            .get(&t, "User", &target)
            .await
            .unwrap()
            .unwrap()
            .version;
        let mut tasks = Vec::new();
        for w in 0..32 {
            let (store, t, id) = (store.clone(), t.clone(), target.clone());
            tasks.push(tokio::spawn(async move {
                store
                    .update(
                        &t,
                        "User",
                        &id,
                        Some(current),
                        Update {
                            document: Some((
                                user_doc(
                                    "c0",
                                    json!({"title": format!("round {round} writer {w}")}),
                                ),
                                vec![UniqueValue::new("userName", "c0", false)],
                            )),
                            members: None,
                        },
                    )
                    .await
            }));
        }
        let mut winners = 0;
        for task in tasks {
            match task.await.unwrap() {
                Ok(r) => {
                    winners += 1;
                    assert_eq!(r.version, current.next());
                }
                Err(e) => assert_eq!(
                    kind(&e),
                    ErrorKind::VersionConflict {
                        current: current.next()
                    },
                    "concurrency: loser's error"
                ),
            }
        }
        assert_eq!(
            winners, 1,
            "concurrency: exactly one winner for version {current}"
        );
    }
}

/// Sessions ([`Store::session`]), for stores that offer them: every read
/// through a session answers as the store does, a write through the
/// session is seen by the session's next read, and a new session sees
/// what was written before it was made.
pub async fn sessions<S: Store>(store: &S) {
    if store.session().is_none() {
        return;
    }
    let t = tenant(store, "sessions").await;
    let token = store.tenant(&t).await.unwrap().unwrap().token;
    let u = create_user(store, &t, "bjensen", json!({})).await;
    let g = create_group(store, &t, "staff", vec![u.id.clone()], json!({})).await;

    let session = store.session().unwrap();
    let found = session
        .tenant_by_token(&token, DateTime::now())
        .await
        .unwrap()
        .map(|found| found.id);
    assert_eq!(found, Some(t.clone()), "sessions: the token is found");
    assert_eq!(
        session.get(&t, "User", &u.id).await.unwrap(),
        Some(u.clone()),
        "sessions: get"
    );
    let (got, groups) = session
        .get_with_groups(&t, "User", &u.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got, u, "sessions: get_with_groups");
    assert_eq!(
        groups.iter().map(|g| g.id.clone()).collect::<Vec<_>>(),
        vec![g.id.clone()],
        "sessions: the user's groups"
    );
    let page = session.list(&t, &Query::all("User", 10)).await.unwrap();
    assert_eq!((page.total, page.resources.len()), (1, 1), "sessions: list");
    assert_eq!(session.count(&t, "User", None).await.unwrap(), 1);
    assert_eq!(session.member_count(&t, &g.id).await.unwrap(), 1);
    let members = session.members(&t, &g.id, None, 10).await.unwrap();
    assert_eq!(members.len(), 1, "sessions: members");
    assert!(
        session
            .get(&t, "User", &ResourceId::new("nobody"))
            .await
            .unwrap()
            .is_none(),
        "sessions: a missing resource"
    );
    assert_eq!(
        kind(
            &session
                .get(&TenantId::new("nowhere").unwrap(), "User", &u.id)
                .await
                .unwrap_err()
        ),
        ErrorKind::NotFound,
        "sessions: a missing tenant is an error, and the session goes on"
    );
    assert_eq!(
        session.get(&t, "User", &u.id).await.unwrap(),
        Some(u.clone())
    );

    // A write through the session, then a read through it: the read sees it.
    let v = create_user(&*session, &t, "jsmith", json!({})).await;
    assert_eq!(
        session.get(&t, "User", &v.id).await.unwrap(),
        Some(v.clone()),
        "sessions: a session reads its own write"
    );
    session.delete(&t, "User", &v.id, None).await.unwrap();
    assert!(
        session.get(&t, "User", &v.id).await.unwrap().is_none(),
        "sessions: a session reads its own delete"
    );
    drop(session);

    // A new session sees what was written before it was made.
    let w = create_user(store, &t, "wrong", json!({})).await;
    let later = store.session().unwrap();
    assert_eq!(
        later.get(&t, "User", &w.id).await.unwrap(),
        Some(w),
        "sessions: a new session sees earlier writes"
    );
}

/// Random documents and filters: the store answers as the evaluator does.
pub async fn differential<S: Store>(store: &S, cases: u32) {
    let t = tenant(store, "differential").await;
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &[7; 32]),
    );
    let mut created = Vec::new();
    let docs = prop::collection::vec(arb_user(), 60)
        .new_tree(&mut runner)
        .unwrap()
        .current();
    for (i, mut doc) in docs.into_iter().enumerate() {
        let user_name = format!("{}{i}", doc["userName"].as_str().unwrap_or("u"));
        doc["userName"] = json!(user_name);
        created.push(create_user(store, &t, &user_name, doc).await);
    }
    let rt = registry().resource_type("User").unwrap();
    let mut compared = 0;
    let mut matched_some = 0;
    for _ in 0..cases {
        let text = arb_filter().new_tree(&mut runner).unwrap().current();
        let parsed = parse_filter(&text).unwrap_or_else(|e| panic!("differential: {text}: {e}"));
        let bound = bind(&parsed, rt).unwrap_or_else(|e| panic!("differential: {text}: {e}"));
        let want: Vec<_> = created
            .iter()
            .filter(|r| bound.matches(&resource_view(r).unwrap()))
            .map(|r| r.id.clone())
            .collect();
        let q = Query {
            filter: Some(Expr::Filter(bound)),
            ..Query::all("User", 1000)
        };
        let got = ids(store, &t, &q).await;
        assert_eq!(got, want, "differential: order for {text}");
        compared += 1;
        if !want.is_empty() && want.len() < created.len() {
            matched_some += 1;
        }
    }
    assert_eq!(compared, cases, "differential: every case compared");
    assert!(
        matched_some * 4 >= cases,
        "differential: only {matched_some} of {cases} filters split the documents; the generator is too weak"
    );
}

fn arb_word() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "alpha", "Beta", "GAMMA", "delta", "é-mail", "x", "Work", "home", "",
    ])
    .prop_map(str::to_owned)
}

fn arb_user() -> impl Strategy<Value = Value> {
    (
        arb_word(),
        prop::option::of(arb_word()),
        prop::option::of(any::<bool>()),
        prop::collection::vec(
            (
                arb_word(),
                prop::sample::select(vec!["work", "home", "other"]),
                any::<bool>(),
            ),
            0..3,
        ),
        prop::option::of(arb_word()),
        prop::option::of(0i64..5),
    )
        .prop_map(|(user_name, display, active, emails, title, level)| {
            let mut doc = json!({"userName": user_name});
            if let Some(d) = display {
                doc["displayName"] = json!(d);
            }
            if let Some(a) = active {
                doc["active"] = json!(a);
            }
            if !emails.is_empty() {
                let mut primary_used = false;
                doc["emails"] = Value::Array(
                    emails
                        .into_iter()
                        .map(|(v, kind, primary)| {
                            let p = primary && !primary_used;
                            primary_used |= p;
                            json!({"value": format!("{v}@example.com"), "type": kind, "primary": p})
                        })
                        .collect(),
                );
            }
            if let Some(t) = title {
                doc["title"] = json!(t);
            }
            if let Some(l) = level {
                doc[urn::ENTERPRISE_USER] = json!({"employeeNumber": format!("{l}")});
            }
            doc
        })
}

fn arb_filter() -> impl Strategy<Value = String> {
    let attr = prop::sample::select(vec![
        "userName",
        "displayName",
        "title",
        "emails.value",
        "emails.type",
        "externalId",
        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
    ]);
    let op = prop::sample::select(vec!["eq", "ne", "co", "sw", "ew", "gt", "lt", "ge", "le"]);
    let leaf = prop_oneof![
        (attr.clone(), op, arb_word()).prop_map(|(a, o, w)| format!("{a} {o} \"{w}\"")),
        attr.prop_map(|a| format!("{a} pr")),
        any::<bool>().prop_map(|b| format!("active eq {b}")),
        (prop::sample::select(vec!["work", "home"]), arb_word())
            .prop_map(|(k, w)| format!("emails[type eq \"{k}\" and value sw \"{w}\"]")),
    ];
    leaf.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("({a}) and ({b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("{a} or {b}")),
            inner.prop_map(|a| format!("not ({a})")),
        ]
    })
}
