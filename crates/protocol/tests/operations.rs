//! Every operation of RFC 7644 through the service, with plain requests:
//! create, read (with `If-None-Match`), replace (§3.5.1), modify, delete,
//! listing with every query parameter, `.search` on one type and across
//! types, RFC 9865 cursors, page sizes, Bulk, `/Me` and discovery.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::*;
use scimhub_protocol::{Config, Limits, Method, Request};
use scimhub_schema::Registry;
use serde_json::{Value, json};

/// The ids of a list response's resources, in order.
fn ids(list: &Value) -> Vec<String> {
    list["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

/// The userNames of a list response's resources, in order.
fn user_names(list: &Value) -> Vec<String> {
    list["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["userName"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn create_answers_201_with_location_etag_and_the_resource() {
    let h = Harness::new().await;
    let req = Request::new(Method::Post, "/Users", BASE).with_json(&json!({
        "schemas": [USER],
        "userName": "bjensen@example.com",
        "externalId": "bjensen",
        "name": {"formatted": "Ms. Barbara J Jensen III", "familyName": "Jensen", "givenName": "Barbara"}
    }));
    let r = h.send(req).await;
    assert_eq!(r.status, 201);
    let body = r.json_body();
    let id = body["id"].as_str().unwrap();
    assert_eq!(
        r.header("Location"),
        Some(format!("{BASE}/Users/{id}").as_str())
    );
    assert_eq!(body["meta"]["location"], format!("{BASE}/Users/{id}"));
    assert_eq!(body["meta"]["resourceType"], "User");
    assert!(body["meta"]["created"].is_string() && body["meta"]["lastModified"].is_string());
    let etag = r.header("ETag").unwrap();
    assert_eq!(
        body["meta"]["version"], etag,
        "the ETag header is meta.version"
    );
    assert_eq!(body["schemas"][0], USER);
    assert_eq!(body["userName"], "bjensen@example.com");
    assert_eq!(body["name"]["givenName"], "Barbara");
    assert_eq!(body["externalId"], "bjensen");

    // Groups too.
    let r = h
        .send(
            Request::new(Method::Post, "/Groups", BASE).with_json(&json!({
                "schemas": [GROUP], "displayName": "Tour Guides", "members": [{"value": id}]
            })),
        )
        .await;
    assert_eq!(r.status, 201);
    let g = r.json_body();
    assert_eq!(r.header("ETag"), g["meta"]["version"].as_str());
    assert_eq!(g["members"][0]["value"], id);
    assert_eq!(g["members"][0]["type"], "User");
    assert_eq!(g["members"][0]["$ref"], format!("{BASE}/Users/{id}"));
}

#[tokio::test]
async fn get_by_id_carries_the_etag_and_if_none_match_answers_304() {
    let h = Harness::new().await;
    let id = h.user("bjensen").await;
    let r = h
        .send(Request::new(Method::Get, &format!("/Users/{id}"), BASE))
        .await;
    assert_eq!(r.status, 200);
    let etag = r.header("ETag").unwrap().to_owned();
    assert_eq!(r.json_body()["meta"]["version"], etag.as_str());
    assert_eq!(r.json_body()["id"], id.as_str());

    let r = h
        .send(Request::new(Method::Get, &format!("/Users/{id}"), BASE).with_if_none_match(&etag))
        .await;
    assert_eq!(r.status, 304);
    assert!(r.body.is_empty(), "304 has no body");
    assert_eq!(r.header("ETag"), Some(etag.as_str()));

    // A change makes the old tag stale: the full resource comes back.
    let (status, _) = h
        .patch(
            &format!("/Users/{id}"),
            Harness::patch_op(json!([{"op": "add", "path": "nickName", "value": "Babs"}])),
        )
        .await;
    assert_eq!(status, 200);
    let r = h
        .send(Request::new(Method::Get, &format!("/Users/{id}"), BASE).with_if_none_match(&etag))
        .await;
    assert_eq!(r.status, 200);
    assert_ne!(r.header("ETag"), Some(etag.as_str()));
    assert_eq!(r.json_body()["nickName"], "Babs");

    // `*` matches any version.
    let r = h
        .send(Request::new(Method::Get, &format!("/Users/{id}"), BASE).with_if_none_match("*"))
        .await;
    assert_eq!(r.status, 304);
}

#[tokio::test]
async fn put_replaces_ignores_read_only_values_and_clears_what_is_missing() {
    let h = Harness::new().await;
    let (status, created) = h
        .post(
            "/Users",
            json!({
                "schemas": [USER, ENTERPRISE],
                "userName": "bjensen",
                "nickName": "Babs",
                "title": "Tour Guide",
                "emails": [{"value": "bjensen@example.com", "type": "work"}],
                ENTERPRISE: {"department": "Tours", "employeeNumber": "701984"}
            }),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap();

    // RFC 7644 §3.5.1: readOnly values (id, meta, groups) are ignored;
    // attributes left out are cleared.
    let (status, body) = h
        .put(
            &format!("/Users/{id}"),
            json!({
                "schemas": [USER, ENTERPRISE],
                "id": "a-different-id",
                "meta": {"resourceType": "User", "created": "2001-01-01T00:00:00Z", "version": "W/\"99\""},
                "groups": [{"value": "nope", "display": "Admins"}],
                "userName": "bjensen",
                "title": "Chief Guide",
                ENTERPRISE: {"department": "Tours"}
            }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["id"], id, "id is read-only");
    assert_eq!(
        body["meta"]["created"], created["meta"]["created"],
        "meta is read-only"
    );
    assert_ne!(body["meta"]["version"], created["meta"]["version"]);
    assert!(body.get("groups").is_none(), "groups are read-only: {body}");
    assert_eq!(body["title"], "Chief Guide");
    assert!(
        body.get("nickName").is_none(),
        "missing attributes are cleared: {body}"
    );
    assert!(
        body.get("emails").is_none(),
        "missing attributes are cleared: {body}"
    );
    assert_eq!(
        body[ENTERPRISE],
        json!({"department": "Tours"}),
        "extension attributes too"
    );
    let (_, fetched) = h.get(&format!("/Users/{id}")).await;
    assert_eq!(fetched, body, "the response is what is stored");

    // A PUT without an extension removes the extension.
    let (status, body) = h
        .put(
            &format!("/Users/{id}"),
            json!({"schemas": [USER], "userName": "bjensen"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get(ENTERPRISE).is_none(), "{body}");
    assert!(
        !body["schemas"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s == ENTERPRISE),
        "schemas lists only what is there: {body}"
    );

    // Required attributes stay required.
    let (status, body) = h
        .put(
            &format!("/Users/{id}"),
            json!({"schemas": [USER], "nickName": "x"}),
        )
        .await;
    assert_error(status, &body, 400, Some("invalidValue"), "userName");

    // PUT to an unknown id is 404 (PUT never creates).
    let (status, body) = h
        .put(
            "/Users/0e6ce4a3-0000-4000-8000-000000000000",
            json!({"schemas": [USER], "userName": "x"}),
        )
        .await;
    assert_error(status, &body, 404, None, "0e6ce4a3");
}

const BADGE: &str = "urn:example:params:scim:schemas:extension:badge:2.0:User";

/// The standard registry plus an extension whose `badgeNumber` is
/// immutable, since the core schemas define no immutable top-level
/// attribute.
fn registry_with_immutable() -> Registry {
    Registry::builder()
        .core()
        .license_extensions()
        .schema_json(
            &json!({
                "id": BADGE,
                "name": "Badge",
                "attributes": [{"name": "badgeNumber", "type": "string", "mutability": "immutable"}]
            })
            .to_string(),
        )
        .unwrap()
        .extend("User", BADGE, false)
        .build()
        .unwrap()
}

#[tokio::test]
async fn put_checks_immutable_attributes() {
    let h = Harness::with_registry(registry_with_immutable()).await;
    let (status, created) = h
        .post(
            "/Users",
            json!({"schemas": [USER, BADGE], "userName": "bjensen", BADGE: {"badgeNumber": "B-1"}}),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap();
    let path = format!("/Users/{id}");

    // The same value is fine.
    let (status, body) = h
        .put(&path, json!({"schemas": [USER, BADGE], "userName": "bjensen", "nickName": "B", BADGE: {"badgeNumber": "B-1"}}))
        .await;
    assert_eq!(status, 200, "{body}");
    // A different one is a mutability error, and nothing changes.
    let (status, body) = h
        .put(
            &path,
            json!({"schemas": [USER, BADGE], "userName": "bjensen", BADGE: {"badgeNumber": "B-2"}}),
        )
        .await;
    assert_error(status, &body, 400, Some("mutability"), "badgeNumber");
    // Leaving it out would clear it, which changes it too (RFC 7644 §3.5.1
    // says input values must match once set; we read "no value" as a
    // value that does not match).
    let (status, body) = h
        .put(&path, json!({"schemas": [USER], "userName": "bjensen"}))
        .await;
    assert_error(status, &body, 400, Some("mutability"), "immutable");
    let (_, fetched) = h.get(&path).await;
    assert_eq!(fetched[BADGE]["badgeNumber"], "B-1");
    assert_eq!(fetched["nickName"], "B");

    // Once unset, an immutable attribute may be set by PUT.
    let id2 = h.user("other").await;
    let (status, body) = h
        .put(
            &format!("/Users/{id2}"),
            json!({"schemas": [USER, BADGE], "userName": "other", BADGE: {"badgeNumber": "B-9"}}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body[BADGE]["badgeNumber"], "B-9");
}

#[tokio::test]
async fn patch_modifies_and_delete_answers_204() {
    let h = Harness::new().await;
    let id = h.user("bjensen").await;
    let path = format!("/Users/{id}");
    let r = h
        .send(
            Request::new(Method::Patch, &path, BASE).with_json(&Harness::patch_op(json!([
                {"op": "add", "path": "displayName", "value": "Babs Jensen"},
                {"op": "replace", "path": "active", "value": false}
            ]))),
        )
        .await;
    assert_eq!(r.status, 200);
    let body = r.json_body();
    assert_eq!(body["displayName"], "Babs Jensen");
    assert_eq!(body["active"], false);
    assert_eq!(r.header("ETag"), body["meta"]["version"].as_str());

    let r = h.send(Request::new(Method::Delete, &path, BASE)).await;
    assert_eq!(r.status, 204);
    assert!(r.body.is_empty());
    let (status, body) = h.get(&path).await;
    assert_error(status, &body, 404, None, &id);
    assert_eq!(h.delete(&path).await, 404, "a second delete finds nothing");
}

/// Five users with distinct names, titles and creation order.
async fn five_users(h: &Harness) -> Vec<String> {
    let mut ids = Vec::new();
    for (name, title, given) in [
        ("dave", "Engineer", "Dave"),
        ("alice", "Manager", "Alice"),
        ("eve", "Engineer", "Eve"),
        ("bob", "Engineer", "Bob"),
        ("carol", "Director", "Carol"),
    ] {
        let (status, body) = h
            .post(
                "/Users",
                json!({"schemas": [USER], "userName": name, "title": title,
                       "name": {"givenName": given, "familyName": "Jensen"},
                       "emails": [{"value": format!("{name}@example.com"), "type": "work"}]}),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        ids.push(body["id"].as_str().unwrap().to_owned());
    }
    ids
}

#[tokio::test]
async fn list_with_filter_sort_pages_and_projection() {
    let h = Harness::new().await;
    five_users(&h).await;

    // filter
    let (status, body) = h.get("/Users?filter=title+eq+%22Engineer%22").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["schemas"][0],
        "urn:ietf:params:scim:api:messages:2.0:ListResponse"
    );
    assert_eq!(body["totalResults"], 3);
    assert_eq!(
        user_names(&body),
        ["dave", "eve", "bob"],
        "creation order without sortBy"
    );

    // sortBy / sortOrder
    let (_, body) = h
        .get("/Users?filter=title+eq+%22Engineer%22&sortBy=userName")
        .await;
    assert_eq!(user_names(&body), ["bob", "dave", "eve"]);
    let (_, body) = h
        .get("/Users?sortBy=name.givenName&sortOrder=descending")
        .await;
    assert_eq!(user_names(&body), ["eve", "dave", "carol", "bob", "alice"]);

    // startIndex / count: a page of the sorted list, totalResults of all.
    let (_, body) = h.get("/Users?sortBy=userName&startIndex=2&count=2").await;
    assert_eq!(user_names(&body), ["bob", "carol"]);
    assert_eq!(body["totalResults"], 5);
    assert_eq!(body["startIndex"], 2);
    assert_eq!(body["itemsPerPage"], 2);
    // startIndex below 1 is read as 1 (RFC 7644 §3.4.2.4).
    let (_, body) = h.get("/Users?sortBy=userName&startIndex=0&count=1").await;
    assert_eq!(user_names(&body), ["alice"]);
    // count=0 gives only the total.
    let (_, body) = h.get("/Users?count=0").await;
    assert_eq!(body["totalResults"], 5);
    assert_eq!(body["Resources"], json!([]));
    // Past the end: an empty page.
    let (_, body) = h.get("/Users?startIndex=99").await;
    assert_eq!(body["totalResults"], 5);
    assert_eq!(body["Resources"], json!([]));
    // Integers beyond i64 saturate: the largest page, an empty page past
    // the end, the first page for a startIndex far below 1.
    let (status, body) = h.get("/Users?count=99999999999999999999999").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["itemsPerPage"], 5);
    let (status, body) = h.get("/Users?startIndex=99999999999999999999999").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["totalResults"], 5);
    assert_eq!(body["Resources"], json!([]));
    let (status, body) = h
        .get("/Users?sortBy=userName&startIndex=-99999999999999999999999&count=-99999999999999999999999")
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["startIndex"], 1);
    assert_eq!(body["Resources"], json!([]));
    let (status, _) = h.get("/Users?count=12x").await;
    assert_eq!(status, 400);

    // attributes: the named ones plus those always returned (id).
    let (_, body) = h
        .get("/Users?filter=userName+eq+%22alice%22&attributes=userName,name.givenName")
        .await;
    let alice = &body["Resources"][0];
    assert_eq!(alice["userName"], "alice");
    assert_eq!(alice["name"], json!({"givenName": "Alice"}));
    assert!(alice["id"].is_string());
    assert!(
        alice.get("title").is_none() && alice.get("emails").is_none(),
        "{alice}"
    );
    // excludedAttributes
    let (_, body) = h
        .get("/Users?filter=userName+eq+%22alice%22&excludedAttributes=emails,name")
        .await;
    let alice = &body["Resources"][0];
    assert!(
        alice.get("emails").is_none() && alice.get("name").is_none(),
        "{alice}"
    );
    assert_eq!(alice["title"], "Manager");

    // A complex filter, and a value filter on a multi-valued attribute.
    let (_, body) = h
        .get("/Users?filter=title+eq+%22Engineer%22+and+(userName+sw+%22d%22+or+emails%5Btype+eq+%22work%22+and+value+co+%22eve%22%5D)&sortBy=userName")
        .await;
    assert_eq!(user_names(&body), ["dave", "eve"], "{body}");
}

#[tokio::test]
async fn an_empty_result_is_200_with_total_zero() {
    let h = Harness::new().await;
    five_users(&h).await;
    for q in [
        "/Users?filter=userName+eq+%22nobody%22",
        "/Groups",
        "/Groups?filter=displayName+eq+%22none%22&excludedAttributes=members",
        "/Users?filter=userName+eq+%22nobody%22&cursor=",
    ] {
        let (status, body) = h.get(q).await;
        assert_eq!(status, 200, "{q}: {body}");
        assert_eq!(body["totalResults"], 0, "{q}");
        assert_eq!(body["Resources"], json!([]), "{q}");
        assert!(body.get("nextCursor").is_none(), "{q}");
    }
}

#[tokio::test]
async fn search_with_post_on_one_type_and_across_types() {
    let h = Harness::new().await;
    let users = five_users(&h).await;
    let (status, _) = h
        .post("/Groups", json!({"schemas": [GROUP], "displayName": "Engineering", "members": [{"value": users[0]}]}))
        .await;
    assert_eq!(status, 201);
    let (status, body) = h
        .post(
            "/Users",
            json!({"schemas": [USER], "userName": "frank", "displayName": "Engineering Frank"}),
        )
        .await;
    assert_eq!(status, 201, "{body}");

    // RFC 7644 §3.4.3 Figure 4's shape.
    let (status, body) = h
        .post(
            "/Users/.search",
            json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
                "attributes": ["displayName", "userName"],
                "excludedAttributes": [],
                "filter": "title eq \"Engineer\"",
                "sortBy": "userName",
                "sortOrder": "descending",
                "startIndex": 1,
                "count": 2
            }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["totalResults"], 3);
    assert_eq!(user_names(&body), ["eve", "dave"]);
    assert!(
        body["Resources"][0].get("title").is_none(),
        "attributes honoured"
    );

    // `attributes` as one comma-separated string is read too.
    let (status, body) = h
        .post(
            "/Users/.search",
            json!({"filter": "userName eq \"bob\"", "attributes": "userName, title"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["Resources"][0]["title"], "Engineer");
    assert!(body["Resources"][0].get("emails").is_none());

    // Across types: displayName is an attribute of both.
    let (status, body) = h
        .post(
            "/.search",
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
                   "filter": "displayName sw \"Engineering\""}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["totalResults"], 2);
    let mut kinds: Vec<&str> = body["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["meta"]["resourceType"].as_str().unwrap())
        .collect();
    kinds.sort();
    assert_eq!(kinds, ["Group", "User"]);

    // A filter on an attribute of one type searches that type.
    let (status, body) = h
        .post("/.search", json!({"filter": "userName sw \"\""}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["totalResults"], 6);

    // Every resource of every type, paged across the type boundary.
    let (_, body) = h.post("/.search", json!({})).await;
    assert_eq!(body["totalResults"], 7);
    let (_, body) = h
        .post("/.search", json!({"startIndex": 6, "count": 5}))
        .await;
    assert_eq!(body["Resources"].as_array().unwrap().len(), 2);
    assert_eq!(body["Resources"][1]["meta"]["resourceType"], "Group");
}

#[tokio::test]
async fn cursor_pagination_walks_every_resource_once() {
    let h = Harness::new().await;
    let mut all = five_users(&h).await;
    for i in 0..6 {
        all.push(h.user(&format!("user{i}")).await);
    }

    // RFC 9865: an empty cursor asks for the first page.
    let mut seen = Vec::new();
    let mut cursor = String::new();
    let mut pages = 0;
    loop {
        let (status, body) = h.get(&format!("/Users?count=4&cursor={cursor}")).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["totalResults"], 11);
        assert!(
            body.get("startIndex").is_none(),
            "cursor pages have no startIndex: {body}"
        );
        assert_eq!(
            body["itemsPerPage"],
            body["Resources"].as_array().unwrap().len()
        );
        seen.extend(ids(&body));
        pages += 1;
        match body.get("nextCursor").and_then(Value::as_str) {
            Some(next) => cursor = next.to_owned(),
            None => break,
        }
        assert!(pages < 10, "the walk must end");
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, all, "each resource once, in order");

    // The same through POST .search, sorted.
    let (status, body) = h
        .post(
            "/Users/.search",
            json!({"cursor": "", "count": 3, "sortBy": "userName"}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(user_names(&body), ["alice", "bob", "carol"]);
    let next = body["nextCursor"].as_str().unwrap();
    let (_, body) = h
        .post(
            "/Users/.search",
            json!({"cursor": next, "count": 3, "sortBy": "userName"}),
        )
        .await;
    assert_eq!(user_names(&body), ["dave", "eve", "user0"]);

    // A cursor that was never issued is refused.
    let (status, body) = h.get("/Users?cursor=not-a-cursor").await;
    assert_error(status, &body, 400, Some("invalidCursor"), "");
}

#[tokio::test]
async fn page_sizes_are_enforced_and_advertised() {
    // The defaults, as ServiceProviderConfig says them.
    let h = Harness::new().await;
    let (status, spc) = h.get("/ServiceProviderConfig").await;
    assert_eq!(status, 200);
    let limits = Limits::default();
    assert_eq!(spc["filter"]["maxResults"], limits.max_page_size);
    assert_eq!(
        spc["pagination"]["defaultPageSize"],
        limits.default_page_size
    );
    assert_eq!(spc["pagination"]["maxPageSize"], limits.max_page_size);
    assert_eq!(spc["pagination"]["cursor"], true);
    assert_eq!(spc["pagination"]["index"], true);

    // Small limits, to see them act.
    let mut config = Config::default();
    config.limits.default_page_size = 3;
    config.limits.max_page_size = 5;
    let h = Harness::with(config, vec![]).await;
    for i in 0..7 {
        h.user(&format!("u{i}")).await;
    }
    let (_, spc) = h.get("/ServiceProviderConfig").await;
    assert_eq!(spc["filter"]["maxResults"], 5);
    assert_eq!(spc["pagination"]["defaultPageSize"], 3);
    assert_eq!(spc["pagination"]["maxPageSize"], 5);

    let (_, body) = h.get("/Users").await;
    assert_eq!(
        body["Resources"].as_array().unwrap().len(),
        3,
        "default page size"
    );
    assert_eq!(body["totalResults"], 7);
    let (_, body) = h.get("/Users?count=100").await;
    assert_eq!(
        body["Resources"].as_array().unwrap().len(),
        5,
        "count is cut to the maximum"
    );
    assert_eq!(body["itemsPerPage"], 5);
    let (_, body) = h.get("/Users?count=100&cursor=").await;
    assert_eq!(body["Resources"].as_array().unwrap().len(), 5);
    assert!(body["nextCursor"].is_string());
    let (_, body) = h.post("/Users/.search", json!({"count": 100})).await;
    assert_eq!(body["Resources"].as_array().unwrap().len(), 5);
    let (_, body) = h.post("/.search", json!({"count": 100})).await;
    assert_eq!(body["Resources"].as_array().unwrap().len(), 5);
}

#[tokio::test]
async fn bulk_runs_operations_in_order() {
    let h = Harness::new().await;
    let (status, body) = h
        .post(
            "/Bulk",
            json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"],
                "Operations": [
                    {"method": "POST", "path": "/Users", "bulkId": "u1",
                     "data": {"schemas": [USER], "userName": "alice"}},
                    {"method": "PATCH", "path": "/Users/bulkId:u1",
                     "data": Harness::patch_op(json!([{"op": "add", "path": "nickName", "value": "Al"}]))},
                    {"method": "POST", "path": "/Groups", "bulkId": "g1",
                     "data": {"schemas": [GROUP], "displayName": "G", "members": [{"value": "bulkId:u1"}]}},
                    {"method": "DELETE", "path": "/Groups/bulkId:g1"}
                ]
            }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["schemas"][0],
        "urn:ietf:params:scim:api:messages:2.0:BulkResponse"
    );
    let ops = body["Operations"].as_array().unwrap();
    let statuses: Vec<&str> = ops.iter().map(|o| o["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["201", "200", "201", "204"], "{body}");
    let alice = ops[0]["location"]
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap();
    let (_, user) = h.get(&format!("/Users/{alice}")).await;
    assert_eq!(user["nickName"], "Al");
    assert_eq!(ops[1]["version"], user["meta"]["version"]);
    let (_, groups) = h.get("/Groups").await;
    assert_eq!(groups["totalResults"], 0);
}

#[tokio::test]
async fn me_answers_501_with_a_scim_error() {
    let h = Harness::new().await;
    for method in [
        Method::Get,
        Method::Post,
        Method::Put,
        Method::Patch,
        Method::Delete,
    ] {
        let r = h.send(Request::new(method, "/Me", BASE)).await;
        assert_error(r.status, &r.json_body(), 501, None, "/Me");
    }
}

#[tokio::test]
async fn discovery_documents() {
    let h = Harness::new().await;
    let (status, spc) = h.get("/ServiceProviderConfig").await;
    assert_eq!(status, 200);
    assert_eq!(
        spc["schemas"][0],
        "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
    );
    assert_eq!(spc["patch"]["supported"], true);
    assert_eq!(spc["bulk"]["supported"], true);
    assert_eq!(
        spc["bulk"]["maxOperations"],
        Limits::default().max_bulk_operations
    );
    assert_eq!(
        spc["bulk"]["maxPayloadSize"],
        Limits::default().max_bulk_payload_bytes
    );
    assert_eq!(spc["filter"]["supported"], true);
    assert_eq!(spc["sort"]["supported"], true);
    assert_eq!(spc["etag"]["supported"], true);
    assert_eq!(spc["changePassword"]["supported"], false);
    let schemes = spc["authenticationSchemes"].as_array().unwrap();
    assert_eq!(schemes.len(), 1);
    assert_eq!(schemes[0]["type"], "oauthbearertoken");
    assert!(schemes[0]["name"].is_string() && schemes[0]["description"].is_string());
    assert_eq!(
        spc["meta"]["location"],
        format!("{BASE}/ServiceProviderConfig")
    );

    let (status, rts) = h.get("/ResourceTypes").await;
    assert_eq!(status, 200);
    assert_eq!(rts["totalResults"], 2);
    let names: Vec<&str> = rts["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["User", "Group"]);
    let (status, user) = h.get("/ResourceTypes/User").await;
    assert_eq!(status, 200);
    assert_eq!(user["endpoint"], "/Users");
    assert_eq!(user["schema"], USER);
    let extensions: Vec<&str> = user["schemaExtensions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["schema"].as_str().unwrap())
        .collect();
    assert!(
        extensions.contains(&ENTERPRISE) && extensions.contains(&LICENSE_USER),
        "{user}"
    );
    assert_eq!(
        user["meta"]["location"],
        format!("{BASE}/ResourceTypes/User")
    );
    let (status, group) = h.get("/ResourceTypes/Group").await;
    assert_eq!(status, 200);
    assert_eq!(group["endpoint"], "/Groups");

    let (status, schemas) = h.get("/Schemas").await;
    assert_eq!(status, 200);
    let ids: Vec<&str> = schemas["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    for urn in [USER, GROUP, ENTERPRISE, LICENSE_USER, LICENSE_GROUP] {
        assert!(ids.contains(&urn), "{urn} in {ids:?}");
    }
    assert_eq!(schemas["totalResults"], ids.len());
    let (status, user_schema) = h.get(&format!("/Schemas/{USER}")).await;
    assert_eq!(status, 200);
    assert_eq!(user_schema["id"], USER);
    let user_name = user_schema["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "userName")
        .unwrap();
    assert_eq!(user_name["uniqueness"], "server");
    assert_eq!(user_name["required"], true);
    assert_eq!(
        user_schema["meta"]["location"],
        format!("{BASE}/Schemas/{USER}")
    );

    let (status, body) = h.get("/ResourceTypes/Printer").await;
    assert_error(status, &body, 404, None, "Printer");
    let (status, body) = h.get("/Schemas/urn:example:nothing").await;
    assert_error(status, &body, 404, None, "urn:example:nothing");
}

/// RFC 7644 §3.4.2.3: strings sort ignoring case unless caseExact; a
/// multi-valued attribute sorts by its primary value; a complex one needs
/// a sub-attribute; resources without a value come last ascending and
/// first descending.
#[tokio::test]
async fn sorting_follows_rfc_7644_section_3_4_2_3() {
    let h = Harness::new().await;
    for (name, nick, primary) in [
        ("carol", None, "z@example.com"),
        ("Bob", Some("b"), "a@example.com"),
        ("alice", Some("C"), "m@example.com"),
        ("dave", Some("a"), "b@example.com"),
    ] {
        let mut body = json!({"schemas": [USER], "userName": name,
            "emails": [{"value": "0@example.com"}, {"value": primary, "primary": true}]});
        if let Some(n) = nick {
            body["nickName"] = json!(n);
        }
        let (status, _) = h.post("/Users", body).await;
        assert_eq!(status, 201);
    }
    for (query, want) in [
        ("sortBy=userName", ["alice", "Bob", "carol", "dave"]),
        (
            "sortBy=userName&sortOrder=descending",
            ["dave", "carol", "Bob", "alice"],
        ),
        ("sortBy=nickName", ["dave", "Bob", "alice", "carol"]),
        (
            "sortBy=nickName&sortOrder=descending",
            ["carol", "alice", "Bob", "dave"],
        ),
        ("sortBy=emails", ["Bob", "dave", "alice", "carol"]),
        ("sortBy=emails.value", ["Bob", "dave", "alice", "carol"]),
    ] {
        let (status, body) = h.get(&format!("/Users?{query}")).await;
        assert_eq!(status, 200, "{query}: {body}");
        assert_eq!(user_names(&body), want, "{query}");
    }
    let (status, body) = h.get("/Users?sortBy=name").await;
    assert_error(status, &body, 400, Some("invalidValue"), "sub-attribute");
}
