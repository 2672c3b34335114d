//! The same queries on the memory store, SQLite and (with
//! `SCIMHUB_TEST_POSTGRES_URL`) PostgreSQL return the same resources in
//! the same order, on documents the conformance kit does not write:
//! values of the wrong JSON type where the hot columns expect strings,
//! single objects where arrays are expected, booleans sent as strings,
//! non-ASCII text, a custom extension with dateTime, integer and decimal
//! attributes (which PostgreSQL leaves to the evaluator), and groups.
#![cfg(any(feature = "sqlite", feature = "postgres"))]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use scimhub_filter::{bind, bind_path, parse_attr_path, parse_filter};
use scimhub_schema::Registry;
use scimhub_store::{
    Document, Expr, MemoryStore, NewResource, NewTenant, Pagination, Query, ResourceId, Sort,
    Store, TenantId, TokenHash, UniqueValue,
};
use serde_json::{Value, json};

const EXT: &str = "urn:example:params:scim:schemas:extension:test:2.0:User";

fn registry() -> Registry {
    let schema = json!({
        "id": EXT, "name": "Test", "description": "attributes of every type",
        "attributes": [
            {"name": "hireDate", "type": "dateTime", "multiValued": false, "required": false},
            {"name": "level", "type": "integer", "multiValued": false, "required": false},
            {"name": "score", "type": "decimal", "multiValued": false, "required": false},
            {"name": "code", "type": "string", "multiValued": false, "required": false, "caseExact": true},
            {"name": "tags", "type": "string", "multiValued": true, "required": false}
        ]
    });
    Registry::builder()
        .core()
        .license_extensions()
        .schema_json(&schema.to_string())
        .unwrap()
        .extend("User", EXT, false)
        .build()
        .unwrap()
}

/// Users: every one carries a `marker` the filters never name, by which
/// answers are compared (ids differ between stores).
fn users() -> Vec<Value> {
    let mut out = vec![
        json!({"userName": "Alice", "displayName": "Élodie Durand", "active": true, "title": "Engineer",
               "emails": [{"value": "alice@Example.com", "type": "work", "primary": true}, {"value": "a@home.org", "type": "home"}],
               EXT: {"hireDate": "2020-01-02T03:04:05Z", "level": 3, "score": 2.5, "code": "AbC", "tags": ["x", "Y"]}}),
        json!({"userName": "bob", "displayName": "BOB", "active": "True", "title": ["Manager", "Lead"],
               "emails": {"value": "bob@example.com", "type": "work"},
               EXT: {"hireDate": "2021-06-01T00:00:00+02:00", "level": 10, "score": 10, "code": "abc"}}),
        json!({"userName": ["carol", "Caroline"], "active": false, "externalId": "EXT-3",
               "emails": [{"value": 42, "type": "work"}, null, "stray", {"type": "home"}],
               EXT: {"hireDate": "not a date", "level": 3.0, "score": -1}}),
        json!({"userName": 7, "displayName": {"value": "odd"}, "externalId": "ext-3",
               "name": {"givenName": "", "familyName": null},
               EXT: {"hireDate": "2019-12-31T23:59:59.999999999Z", "level": -4, "tags": []}}),
        json!({"userName": "dave", "displayName": "Straße", "nickName": "",
               "emails": [{"value": "dave@EXAMPLE.com", "type": "Work", "primary": "true"}],
               "id": "fake-id", "meta": {"resourceType": "Group"},
               EXT: {"level": 9007199254740993i64, "score": 0.1, "code": "ABC"}}),
        json!({"userName": "ève", "displayName": "ÉVE", "active": true, "title": "",
               "phoneNumbers": [{"value": "+1 555", "type": "work"}], "x509Certificates": [{"value": "AAAA"}],
               EXT: {"hireDate": "2020-01-02T04:04:05+01:00"}}),
        json!({"userName": "Zed", "displayName": null, "emails": [], "name": {"givenName": "Zed", "formatted": "Z"}}),
    ];
    for i in 0..12 {
        out.push(
            json!({"userName": format!("user{i:02}"), "displayName": format!("User {}", 11 - i),
                        "title": if i % 2 == 0 { json!("t") } else { json!(null) },
                        EXT: {"level": i, "score": f64::from(i) / 4.0}}),
        );
    }
    for (i, u) in out.iter_mut().enumerate() {
        u["marker"] = json!(format!("m{i:02}"));
    }
    out
}

const FILTERS: &[&str] = &[
    r#"userName eq "alice""#,
    r#"userName eq "CAROLINE""#,
    r#"userName ne "alice""#,
    r#"userName sw "user0" or userName ew "ED""#,
    r#"userName gt "c" and userName lt "user05""#,
    r#"userName co "È""#,
    "userName pr",
    "userName eq null",
    r#"displayName eq "élodie durand""#,
    r#"displayName eq "STRASSE""#,
    r#"displayName eq "straße""#,
    r#"displayName eq "odd""#,
    "displayName pr",
    r#"externalId eq "EXT-3""#,
    r#"externalId eq "ext-3""#,
    "externalId ne null",
    "active eq true",
    "active eq false",
    "not (active eq true)",
    r#"title eq "lead""#,
    "title pr",
    r#"title ne "t""#,
    r#"emails.value co "example.com""#,
    r#"emails co "EXAMPLE""#,
    r#"emails[type eq "work"]"#,
    r#"emails[type eq "work" and primary eq true]"#,
    r#"emails[type eq "work"].value ew ".COM""#,
    "emails pr",
    "emails.type pr",
    r#"not (emails[value pr])"#,
    "name pr",
    "name.givenName pr",
    r#"name.familyName eq null"#,
    "phoneNumbers[type eq \"work\"] or x509Certificates pr",
    r#"x509Certificates.value eq "AAAA""#,
    r#"id eq "fake-id""#,
    r#"meta.resourceType eq "User""#,
    r#"meta.version eq "W/\"1\"""#,
    r#"schemas pr"#,
    r#"urn:example:params:scim:schemas:extension:test:2.0:User:hireDate gt "2020-01-02T03:00:00Z""#,
    r#"urn:example:params:scim:schemas:extension:test:2.0:User:hireDate eq "2020-01-02T03:04:05Z""#,
    r#"not (urn:example:params:scim:schemas:extension:test:2.0:User:hireDate lt "2020-06-01T00:00:00Z")"#,
    r#"urn:example:params:scim:schemas:extension:test:2.0:User:level ge 3"#,
    r#"urn:example:params:scim:schemas:extension:test:2.0:User:level eq 3"#,
    r#"urn:example:params:scim:schemas:extension:test:2.0:User:level gt 9007199254740992"#,
    r#"urn:example:params:scim:schemas:extension:test:2.0:User:score lt 1.5"#,
    r#"urn:example:params:scim:schemas:extension:test:2.0:User:score ge 10"#,
    r#"urn:example:params:scim:schemas:extension:test:2.0:User:code eq "abc""#,
    r#"urn:example:params:scim:schemas:extension:test:2.0:User:code gt "ABC""#,
    r#"urn:example:params:scim:schemas:extension:test:2.0:User:tags eq "y""#,
    r#"urn:example:params:scim:schemas:extension:test:2.0:User:tags pr"#,
    r#"(userName sw "user" and not (title pr)) or displayName sw "é""#,
];

const SORTS: &[Option<(&str, bool)>] = &[
    None,
    Some(("userName", false)),
    Some(("userName", true)),
    Some(("displayName", false)),
    Some(("title", true)),
    Some(("emails.value", false)),
    Some(("emails.type", true)),
    Some(("name.givenName", false)),
    Some((
        "urn:example:params:scim:schemas:extension:test:2.0:User:hireDate",
        false,
    )),
    Some((
        "urn:example:params:scim:schemas:extension:test:2.0:User:level",
        true,
    )),
    Some((
        "urn:example:params:scim:schemas:extension:test:2.0:User:score",
        false,
    )),
    // meta.created, meta.lastModified and id differ between stores (the
    // kit checks those orders on each store).
];

fn marker(doc: &Document) -> String {
    doc.value().unwrap()["marker"]
        .as_str()
        .unwrap_or("?")
        .to_owned()
}

/// Every answer of `store` to the battery, as markers, with labels.
async fn answers<S: Store>(store: &S) -> Vec<(String, Vec<String>)> {
    let registry = registry();
    let users_rt = registry.resource_type("User").unwrap();
    let groups_rt = registry.resource_type("Group").unwrap();
    let t = TenantId::new("diff").unwrap();
    store
        .create_tenant(NewTenant {
            id: t.clone(),
            token: TokenHash([5; 32]),
            allowed_domains: vec![],
        })
        .await
        .unwrap();
    let mut ids = Vec::new();
    for doc in users() {
        let unique = doc["userName"]
            .as_str()
            .map(|u| vec![UniqueValue::new("userName", u, false)])
            .unwrap_or_default();
        let r = store
            .create(
                &t,
                NewResource {
                    resource_type: "User".into(),
                    document: doc,
                    unique,
                    members: vec![],
                },
            )
            .await
            .unwrap();
        ids.push(r.id);
    }
    // Groups: licensed and not, one nested.
    let group = |name: &str, license: bool, members: Vec<ResourceId>| NewResource {
        resource_type: "Group".into(),
        document: json!({"displayName": name, "marker": format!("g-{name}"),
                         "urn:ietf:params:scim:schemas:extension:license:2.0:Group": {"license": license}}),
        unique: vec![],
        members,
    };
    let pro = store
        .create(&t, group("Pro", true, vec![ids[0].clone(), ids[4].clone()]))
        .await
        .unwrap();
    store
        .create(
            &t,
            group("Free", false, ids.iter().step_by(2).cloned().collect()),
        )
        .await
        .unwrap();
    store
        .create(
            &t,
            group("Nested", false, vec![pro.id.clone(), ids[1].clone()]),
        )
        .await
        .unwrap();

    let mut out = Vec::new();
    let bound = |text: &str| {
        bind(&parse_filter(text).unwrap(), users_rt).unwrap_or_else(|e| panic!("{text}: {e}"))
    };
    let mut exprs: Vec<(String, Option<Expr>)> = vec![("(none)".into(), None)];
    for f in FILTERS {
        exprs.push(((*f).to_owned(), Some(Expr::Filter(bound(f)))));
    }
    let licensed = Expr::MemberOf(Box::new(Expr::Filter(
        bind(
            &parse_filter(
                "urn:ietf:params:scim:schemas:extension:license:2.0:Group:license eq true",
            )
            .unwrap(),
            groups_rt,
        )
        .unwrap(),
    )));
    exprs.push(("licensed".into(), Some(licensed.clone())));
    exprs.push((
        "not licensed".into(),
        Some(Expr::Not(Box::new(licensed.clone()))),
    ));
    exprs.push((
        "licensed or dateTime".into(),
        Some(Expr::Or(vec![
            licensed,
            Expr::Filter(bound(r#"urn:example:params:scim:schemas:extension:test:2.0:User:hireDate ge "2021-01-01T00:00:00Z""#)),
        ])),
    ));
    let member_of_date = Expr::MemberOf(Box::new(Expr::And(vec![
        Expr::Filter(bind(&parse_filter(r#"displayName sw "n""#).unwrap(), groups_rt).unwrap()),
        Expr::Not(Box::new(Expr::Filter(
            bind(
                &parse_filter("meta.created gt \"2999-01-01T00:00:00Z\"").unwrap(),
                groups_rt,
            )
            .unwrap(),
        ))),
    ])));
    exprs.push(("member of Nested".into(), Some(member_of_date)));

    for (label, filter) in &exprs {
        for sort in SORTS {
            let sort = sort.map(|(p, descending)| Sort {
                path: bind_path(&parse_attr_path(p).unwrap(), users_rt).unwrap(),
                descending,
            });
            let query = Query {
                resource_type: "User".into(),
                filter: filter.clone(),
                sort: sort.clone(),
                page: Pagination::Index {
                    start_index: 1,
                    count: 1000,
                },
            };
            let page = store
                .list(&t, &query)
                .await
                .unwrap_or_else(|e| panic!("{label}: {e}: {:?}", std::error::Error::source(&e)));
            let all: Vec<String> = page.resources.iter().map(|r| marker(&r.document)).collect();
            assert_eq!(page.total as usize, all.len(), "{label}: total");
            out.push((format!("{label} sort {sort:?}"), all.clone()));
            // Cursor pages of 3 walk the same order.
            let mut walked = Vec::new();
            let mut after = None;
            loop {
                let q = Query {
                    page: Pagination::Cursor {
                        after: after.clone(),
                        count: 3,
                    },
                    ..query.clone()
                };
                let p = store.list(&t, &q).await.unwrap();
                walked.extend(p.resources.iter().map(|r| marker(&r.document)));
                match p.next_cursor {
                    Some(c) => after = Some(c),
                    None => break,
                }
                assert!(walked.len() <= all.len(), "{label}: cursor loops");
            }
            assert_eq!(walked, all, "{label}: cursor walk");
            // An index page from the middle.
            let q = Query {
                page: Pagination::Index {
                    start_index: 3,
                    count: 4,
                },
                ..query.clone()
            };
            let p = store.list(&t, &q).await.unwrap();
            let want: Vec<String> = all.iter().skip(2).take(4).cloned().collect();
            assert_eq!(
                p.resources
                    .iter()
                    .map(|r| marker(&r.document))
                    .collect::<Vec<_>>(),
                want,
                "{label}: index page"
            );
        }
        let n = store.count(&t, "User", filter.as_ref()).await.unwrap();
        out.push((format!("{label} count"), vec![n.to_string()]));
    }
    // Groups by member.
    for (i, id) in ids.iter().enumerate().take(6) {
        let inner = bind(
            &parse_filter(&format!("members[value eq \"{id}\"]")).unwrap(),
            groups_rt,
        )
        .unwrap();
        let BoundFilterValuePath(inner) = value_path_inner(inner);
        for f in [
            inner.clone(),
            scimhub_filter::BoundFilter::Not(Box::new(inner)),
        ] {
            let q = Query {
                filter: Some(Expr::HasMember(f)),
                ..Query::all("Group", 100)
            };
            let got = store.list(&t, &q).await.unwrap();
            out.push((
                format!("has member {i}"),
                got.resources.iter().map(|r| marker(&r.document)).collect(),
            ));
        }
    }
    let any = bind(
        &parse_filter(r#"members[type eq "group"]"#).unwrap(),
        groups_rt,
    )
    .unwrap();
    let BoundFilterValuePath(any) = value_path_inner(any);
    let q = Query {
        filter: Some(Expr::HasMember(any)),
        ..Query::all("Group", 100)
    };
    out.push((
        "has a group member".into(),
        store
            .list(&t, &q)
            .await
            .unwrap()
            .resources
            .iter()
            .map(|r| marker(&r.document))
            .collect(),
    ));
    out
}

struct BoundFilterValuePath(scimhub_filter::BoundFilter);

fn value_path_inner(f: scimhub_filter::BoundFilter) -> BoundFilterValuePath {
    match f {
        scimhub_filter::BoundFilter::ValuePath { filter, .. } => BoundFilterValuePath(*filter),
        other => panic!("not a value path: {other:?}"),
    }
}

fn compare(name: &str, want: &[(String, Vec<String>)], got: &[(String, Vec<String>)]) {
    assert_eq!(want.len(), got.len());
    let mut differ = 0;
    for (w, g) in want.iter().zip(got) {
        if w != g {
            differ += 1;
            eprintln!(
                "{name} differs on {}:\n  memory: {:?}\n  {name}: {:?}",
                w.0, w.1, g.1
            );
        }
    }
    assert_eq!(
        differ, 0,
        "{name}: {differ} answers differ from the memory store's"
    );
    // The battery must split the data, or it proves nothing.
    let splitting = want
        .iter()
        .filter(|(_, m)| !m.is_empty() && m.len() < 19)
        .count();
    assert!(
        splitting > want.len() / 2,
        "only {splitting} answers split the users"
    );
}

#[cfg(feature = "sqlite")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_answers_as_memory_does() {
    let want = answers(&MemoryStore::new()).await;
    let dir = tempfile::tempdir().unwrap();
    let sqlite = scimhub_sql::SqliteStore::open(dir.path().join("diff.db")).unwrap();
    compare("sqlite", &want, &answers(&sqlite).await);
}

#[cfg(feature = "postgres")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_answers_as_memory_does() {
    let Some(schemas) = common::postgres::TestSchemas::new("differential").await else {
        return;
    };
    let want = answers(&MemoryStore::new()).await;
    let pg = schemas.store().await;
    let got = answers(&pg).await;
    schemas.drop_all().await;
    compare("postgres", &want, &got);
}
