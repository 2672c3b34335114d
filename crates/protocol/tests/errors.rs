//! Every error path, each with the RFC 7644 §3.12 body: the Error schema,
//! `status` as a string, the `scimType` where the RFC defines one, and a
//! detail a person can act on.
//!
//! `tooMany` (§3.12: "the specified filter yields many more results than
//! the server is willing to calculate or process") is never produced by
//! this service: every filter is answered in pages (`count` is cut to
//! `filter.maxResults`), so there is no result set too large to return.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::*;
use scimhub_protocol::{Config, Method, Request};
use serde_json::{Value, json};

/// Sends `req` and checks the error it gets.
async fn check(
    h: &Harness,
    req: Request,
    status: u16,
    scim_type: Option<&str>,
    mention: &str,
) -> Value {
    let what = format!("{} {}", req.method.as_str(), req.path);
    let r = h.send(req).await;
    let body = r.json_body();
    assert_eq!(r.status, status, "{what}: {body}");
    assert!(
        body.is_object(),
        "{what}: an error has a JSON body, got {:?}",
        String::from_utf8_lossy(&r.body)
    );
    assert_error(r.status, &body, status, scim_type, mention);
    body
}

fn get(path: &str) -> Request {
    let (path, query) = match path.split_once('?') {
        Some((p, q)) => (p, scimhub_protocol::parse_query(q)),
        None => (path, vec![]),
    };
    let mut req = Request::new(Method::Get, path, BASE);
    req.query = query;
    req
}

fn with_body(method: Method, path: &str, body: &str) -> Request {
    let mut req = Request::new(method, path, BASE);
    req.body = body.as_bytes().to_vec();
    req
}

fn json_req(method: Method, path: &str, body: Value) -> Request {
    Request::new(method, path, BASE).with_json(&body)
}

fn patch(path: &str, ops: Value) -> Request {
    json_req(Method::Patch, path, Harness::patch_op(ops))
}

#[tokio::test]
async fn invalid_filter() {
    let h = Harness::new().await;
    h.user("bjensen").await;
    for (filter, mention) in [
        ("userName eq", "value"),
        ("userName zz \"bjensen\"", "zz"),
        ("(userName eq \"bjensen\"", ""),
        ("emails[type eq \"work\"", ""),
        ("userName eq \"unterminated", ""),
        ("active gt true", "active"),
    ] {
        let q = format!("/Users?filter={}", percent(filter));
        check(&h, get(&q), 400, Some("invalidFilter"), mention).await;
        // The same through POST .search.
        check(
            &h,
            json_req(Method::Post, "/Users/.search", json!({"filter": filter})),
            400,
            Some("invalidFilter"),
            mention,
        )
        .await;
    }
    // Longer than the limit, and nested deeper than the limit.
    let long = format!(
        "userName eq \"{}\"",
        "x".repeat(scimhub_filter::DEFAULT_LENGTH_LIMIT)
    );
    check(
        &h,
        json_req(Method::Post, "/Users/.search", json!({"filter": long})),
        400,
        Some("invalidFilter"),
        "",
    )
    .await;
    let deep = format!("{}userName eq \"x\"{}", "(".repeat(200), ")".repeat(200));
    check(
        &h,
        json_req(Method::Post, "/Users/.search", json!({"filter": deep})),
        400,
        Some("invalidFilter"),
        "",
    )
    .await;
    // Filtering group members by anything but value or type.
    check(
        &h,
        get("/Groups?filter=members.display+eq+%22x%22"),
        400,
        Some("invalidFilter"),
        "members",
    )
    .await;
}

#[tokio::test]
async fn invalid_path() {
    let h = Harness::new().await;
    let id = h.user("bjensen").await;
    let path = format!("/Users/{id}");
    for p in [
        "emails[type eq \"work\"",
        "name..givenName",
        "emails[type eq]",
        "]",
    ] {
        check(
            &h,
            patch(&path, json!([{"op": "replace", "path": p, "value": "x"}])),
            400,
            Some("invalidPath"),
            "",
        )
        .await;
    }
    // An attribute the schema does not define: ignored when lenient,
    // refused when strict.
    let (status, _) = h
        .patch(
            &path,
            Harness::patch_op(json!([{"op": "replace", "path": "favouriteColour", "value": "x"}])),
        )
        .await;
    assert_eq!(status, 200);
    let strict = Harness::strict().await;
    let id = strict.user("bjensen").await;
    check(
        &strict,
        patch(
            &format!("/Users/{id}"),
            json!([{"op": "replace", "path": "favouriteColour", "value": "x"}]),
        ),
        400,
        Some("invalidPath"),
        "favouriteColour",
    )
    .await;
    // Members carry nothing writable but themselves.
    let id = h.user("member").await;
    let g = h.group("G", None, &[&id]).await;
    check(
        &h,
        patch(&format!("/Groups/{g}"), json!([{"op": "replace", "path": format!("members[value eq \"{id}\"].display"), "value": "x"}])),
        400,
        Some("invalidPath"),
        "members",
    )
    .await;
}

#[tokio::test]
async fn no_target() {
    let h = Harness::new().await;
    let (_, user) = h
        .post("/Users", json!({"schemas": [USER], "userName": "bjensen", "emails": [{"type": "home", "value": "b@example.com"}]}))
        .await;
    let path = format!("/Users/{}", user["id"].as_str().unwrap());
    // RFC 7644 §3.5.2.2: remove without a path.
    check(
        &h,
        patch(&path, json!([{"op": "remove"}])),
        400,
        Some("noTarget"),
        "path",
    )
    .await;
    // A value filter that selects nothing.
    check(
        &h,
        patch(
            &path,
            json!([{"op": "remove", "path": "emails[type eq \"work\"]"}]),
        ),
        400,
        Some("noTarget"),
        "emails",
    )
    .await;
    // Strict: replace through a filter that matches nothing (§3.5.2.3).
    let strict = Harness::strict().await;
    let (_, user) = strict
        .post("/Users", json!({"schemas": [USER], "userName": "bjensen", "emails": [{"type": "home", "value": "b@example.com"}]}))
        .await;
    let spath = format!("/Users/{}", user["id"].as_str().unwrap());
    check(
        &strict,
        patch(&spath, json!([{"op": "replace", "path": "emails[type eq \"work\"].value", "value": "w@example.com"}])),
        400,
        Some("noTarget"),
        "emails",
    )
    .await;
    // Nothing was half-applied: operations are atomic.
    check(
        &h,
        patch(
            &path,
            json!([
                {"op": "replace", "path": "nickName", "value": "Babs"},
                {"op": "remove", "path": "emails[type eq \"work\"]"}
            ]),
        ),
        400,
        Some("noTarget"),
        "operation 2",
    )
    .await;
    let (_, fetched) = h.get(&path).await;
    assert!(fetched.get("nickName").is_none(), "{fetched}");
}

#[tokio::test]
async fn invalid_value() {
    let h = Harness::new().await;
    for (body, mention) in [
        (json!({"schemas": [USER]}), "userName"),
        (json!({"schemas": [USER], "userName": ""}), "userName"),
        (json!({"schemas": [USER], "userName": 42}), "userName"),
        (
            json!({"schemas": [USER], "userName": "a", "active": "yes"}),
            "active",
        ),
        (
            json!({"schemas": [USER], "userName": "a", "emails": {"value": "a@example.com"}}),
            "emails",
        ),
        (
            json!({"schemas": [USER], "userName": "a", "name": "Barbara"}),
            "name",
        ),
        (
            json!({"schemas": [USER], "userName": "a", "emails": [
            {"value": "a@example.com", "primary": true}, {"value": "b@example.com", "primary": true}]}),
            "primary",
        ),
        (json!({"schemas": [GROUP], "displayName": "G"}), "userName"),
    ] {
        check(
            &h,
            json_req(Method::Post, "/Users", body),
            400,
            Some("invalidValue"),
            mention,
        )
        .await;
    }
    // A member that does not exist.
    check(
        &h,
        json_req(
            Method::Post,
            "/Groups",
            json!({"schemas": [GROUP], "displayName": "G", "members": [{"value": "no-such-id"}]}),
        ),
        400,
        Some("invalidValue"),
        "no-such-id",
    )
    .await;
    // Bad query parameters.
    check(
        &h,
        get("/Users?count=ten"),
        400,
        Some("invalidValue"),
        "count",
    )
    .await;
    check(
        &h,
        get("/Users?startIndex=first"),
        400,
        Some("invalidValue"),
        "startIndex",
    )
    .await;
    check(
        &h,
        get("/Users?sortOrder=sideways"),
        400,
        Some("invalidValue"),
        "sortOrder",
    )
    .await;
    check(
        &h,
        get("/Users?sortBy=favouriteColour"),
        400,
        Some("invalidValue"),
        "sortBy",
    )
    .await;
    check(
        &h,
        get("/Users?cursor=&startIndex=1"),
        400,
        Some("invalidValue"),
        "cursor",
    )
    .await;
    // A PATCH with no operations.
    let id = h.user("bjensen").await;
    check(
        &h,
        patch(&format!("/Users/{id}"), json!([])),
        400,
        Some("invalidValue"),
        "operation",
    )
    .await;
    // A PATCH value of the wrong type.
    check(
        &h,
        patch(
            &format!("/Users/{id}"),
            json!([{"op": "replace", "path": "active", "value": "maybe"}]),
        ),
        400,
        Some("invalidValue"),
        "active",
    )
    .await;
}

#[tokio::test]
async fn invalid_syntax() {
    let h = Harness::new().await;
    let id = h.user("bjensen").await;
    let user = format!("/Users/{id}");
    // Bad JSON, no body, and JSON that is not the message the endpoint takes.
    check(
        &h,
        with_body(Method::Post, "/Users", "{\"userName\": "),
        400,
        Some("invalidSyntax"),
        "JSON",
    )
    .await;
    check(
        &h,
        with_body(Method::Post, "/Users", ""),
        400,
        Some("invalidSyntax"),
        "body",
    )
    .await;
    check(
        &h,
        with_body(Method::Put, &user, "not json"),
        400,
        Some("invalidSyntax"),
        "JSON",
    )
    .await;
    check(
        &h,
        json_req(Method::Post, "/Users", json!(["bjensen"])),
        400,
        Some("invalidSyntax"),
        "object",
    )
    .await;
    check(
        &h,
        json_req(
            Method::Post,
            "/Users",
            json!({"schemas": USER, "userName": "x"}),
        ),
        400,
        Some("invalidSyntax"),
        "schemas",
    )
    .await;
    check(
        &h,
        json_req(Method::Patch, &user, json!({"schemas": [PATCH_OP]})),
        400,
        Some("invalidSyntax"),
        "Operations",
    )
    .await;
    check(
        &h,
        json_req(
            Method::Patch,
            &user,
            json!({"schemas": [USER], "userName": "x"}),
        ),
        400,
        Some("invalidSyntax"),
        "PatchOp",
    )
    .await;
    check(
        &h,
        patch(&user, json!([{"op": "move", "path": "userName"}])),
        400,
        Some("invalidSyntax"),
        "",
    )
    .await;
    check(
        &h,
        patch(&user, json!([{"op": "add", "value": "not an object"}])),
        400,
        Some("invalidSyntax"),
        "object",
    )
    .await;
    check(
        &h,
        patch(&user, json!([{"op": "replace", "path": "nickName"}])),
        400,
        Some("invalidSyntax"),
        "value",
    )
    .await;
    check(
        &h,
        json_req(Method::Post, "/Users/.search", json!({"count": "ten"})),
        400,
        Some("invalidSyntax"),
        "",
    )
    .await;
    check(
        &h,
        json_req(Method::Post, "/Bulk", Harness::patch_op(json!([]))),
        400,
        Some("invalidSyntax"),
        "",
    )
    .await;
    // Strict mode: the PatchOp URN is required and `op` lower case.
    let strict = Harness::strict().await;
    let id = strict.user("bjensen").await;
    let user = format!("/Users/{id}");
    check(
        &strict,
        json_req(
            Method::Patch,
            &user,
            json!({"Operations": [{"op": "add", "path": "nickName", "value": "B"}]}),
        ),
        400,
        Some("invalidSyntax"),
        "schemas",
    )
    .await;
    check(
        &strict,
        patch(
            &user,
            json!([{"op": "Add", "path": "nickName", "value": "B"}]),
        ),
        400,
        Some("invalidSyntax"),
        "lower case",
    )
    .await;
    // Strict mode: an attribute no schema defines.
    check(
        &strict,
        json_req(
            Method::Post,
            "/Users",
            json!({"schemas": [USER], "userName": "x", "favouriteColour": "x"}),
        ),
        400,
        Some("invalidSyntax"),
        "favouriteColour",
    )
    .await;
}

#[tokio::test]
async fn mutability() {
    let h = Harness::new().await;
    let id = h.user("bjensen").await;
    let user = format!("/Users/{id}");
    check(
        &h,
        patch(
            &user,
            json!([{"op": "replace", "path": "id", "value": "other"}]),
        ),
        400,
        Some("mutability"),
        "id",
    )
    .await;
    check(
        &h,
        patch(&user, json!([{"op": "replace", "value": {"id": "other"}}])),
        400,
        Some("mutability"),
        "id",
    )
    .await;
    check(
        &h,
        patch(
            &user,
            json!([{"op": "add", "path": "groups", "value": [{"value": "x"}]}]),
        ),
        400,
        Some("mutability"),
        "groups",
    )
    .await;
    check(
        &h,
        patch(
            &user,
            json!([{"op": "replace", "path": "meta.created", "value": "2001-01-01T00:00:00Z"}]),
        ),
        400,
        Some("mutability"),
        "meta",
    )
    .await;
    check(
        &h,
        patch(
            &user,
            json!([{"op": "replace", "path": format!("{LICENSE_USER}:license"), "value": true}]),
        ),
        400,
        Some("mutability"),
        "read-only",
    )
    .await;
}

#[tokio::test]
async fn uniqueness_is_409() {
    let h = Harness::new().await;
    let id = h.user("bjensen").await;
    // userName is unique ignoring case (caseExact false).
    let body = check(
        &h,
        json_req(
            Method::Post,
            "/Users",
            json!({"schemas": [USER], "userName": "BJensen"}),
        ),
        409,
        Some("uniqueness"),
        "userName",
    )
    .await;
    assert_eq!(body["status"], "409");
    let other = h.user("other").await;
    check(
        &h,
        json_req(
            Method::Put,
            &format!("/Users/{other}"),
            json!({"schemas": [USER], "userName": "bjensen"}),
        ),
        409,
        Some("uniqueness"),
        "userName",
    )
    .await;
    check(
        &h,
        patch(
            &format!("/Users/{other}"),
            json!([{"op": "replace", "path": "userName", "value": "bjensen"}]),
        ),
        409,
        Some("uniqueness"),
        "userName",
    )
    .await;
    let (_, fetched) = h.get(&format!("/Users/{id}")).await;
    assert_eq!(fetched["userName"], "bjensen");
}

#[tokio::test]
async fn invalid_vers_for_scim_1_bodies() {
    let h = Harness::new().await;
    let id = h.user("bjensen").await;
    // RFC 7644 §3.12 invalidVers: a SCIM 1.1 client sends its own URNs.
    // Our reading: a body whose `schemas` names any SCIM 1.x URN
    // (urn:scim:schemas:…) is refused, in strict and lenient mode alike,
    // even beside 2.0 URNs: a 1.x message means other things (SCIM 1.1
    // removes attributes through meta.attributes), so guessing is unsafe.
    for (method, path, body) in [
        (
            Method::Post,
            "/Users".to_owned(),
            json!({"schemas": ["urn:scim:schemas:core:1.0"], "userName": "alice"}),
        ),
        (
            Method::Post,
            "/Users".to_owned(),
            json!({"schemas": ["urn:scim:schemas:core:1.0", "urn:scim:schemas:extension:enterprise:1.0"], "userName": "alice"}),
        ),
        (
            Method::Put,
            format!("/Users/{id}"),
            json!({"schemas": ["urn:scim:schemas:core:1.0"], "userName": "bjensen"}),
        ),
        (
            Method::Patch,
            format!("/Users/{id}"),
            json!({"schemas": ["urn:scim:schemas:core:1.0"], "userName": "bjensen", "meta": {"attributes": ["nickName"]}}),
        ),
        (
            Method::Post,
            "/Groups".to_owned(),
            json!({"schemas": ["urn:scim:schemas:core:1.0"], "displayName": "G"}),
        ),
    ] {
        check(
            &h,
            json_req(method, &path, body),
            400,
            Some("invalidVers"),
            "urn:scim:schemas:core:1.0",
        )
        .await;
    }
    // Strict mode answers the same.
    let strict = Harness::strict().await;
    check(
        &strict,
        json_req(
            Method::Post,
            "/Users",
            json!({"schemas": ["urn:scim:schemas:core:1.0"], "userName": "alice"}),
        ),
        400,
        Some("invalidVers"),
        "2.0",
    )
    .await;
    // Nothing was created.
    let (_, list) = h.get("/Users").await;
    assert_eq!(list["totalResults"], 1);
    // Inside a Bulk request, the operation fails alone.
    let (status, body) = h
        .post(
            "/Bulk",
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], "Operations": [
                {"method": "POST", "path": "/Users", "bulkId": "a", "data": {"schemas": ["urn:scim:schemas:core:1.0"], "userName": "alice"}}
            ]}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["Operations"][0]["status"], "400");
    assert_eq!(body["Operations"][0]["response"]["scimType"], "invalidVers");
}

#[tokio::test]
async fn sensitive_filters_stay_out_of_urls() {
    let h = Harness::new().await;
    let (status, _) = h
        .post(
            "/Users",
            json!({"schemas": [USER], "userName": "bjensen", "password": "t1meMa$heen"}),
        )
        .await;
    assert_eq!(status, 201);
    // RFC 7644 §3.12 sensitive (403) and §7.5.2: a filter on an attribute
    // that is never returned (a secret) must not travel in a URL.
    for filter in [
        "password eq \"t1meMa$heen\"",
        "userName eq \"bjensen\" and password pr",
        "not (password sw \"t1me\")",
    ] {
        let body = check(
            &h,
            get(&format!("/Users?filter={}", percent(filter))),
            403,
            Some("sensitive"),
            "password",
        )
        .await;
        assert!(
            body["detail"].as_str().unwrap().contains("POST"),
            "the detail says what to do instead: {body}"
        );
    }
    // Through POST .search the same filter is allowed; passwords are never
    // stored, so it matches nothing.
    let (status, body) = h
        .post(
            "/Users/.search",
            json!({"filter": "password eq \"t1meMa$heen\""}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["totalResults"], 0);
    let (status, body) = h
        .post("/.search", json!({"filter": "password eq \"t1meMa$heen\""}))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["totalResults"], 0);
    // A filter on ordinary attributes is fine in a URL.
    let (status, body) = h.get("/Users?filter=userName+eq+%22bjensen%22").await;
    assert_eq!(status, 200);
    assert_eq!(body["totalResults"], 1);
}

#[tokio::test]
async fn not_found_ids_and_routes() {
    let h = Harness::new().await;
    let id = h.user("bjensen").await;
    let unknown = "6bb5eebb-0a55-4b73-a2f6-0b4c13a4a2b1";
    for (req, mention) in [
        (get(&format!("/Users/{unknown}")), unknown),
        (get(&format!("/Groups/{id}")), id.as_str()),
        (
            json_req(
                Method::Put,
                &format!("/Users/{unknown}"),
                json!({"schemas": [USER], "userName": "x"}),
            ),
            unknown,
        ),
        (
            patch(
                &format!("/Users/{unknown}"),
                json!([{"op": "add", "path": "nickName", "value": "x"}]),
            ),
            unknown,
        ),
        (
            Request::new(Method::Delete, &format!("/Users/{unknown}"), BASE),
            unknown,
        ),
        (get("/Printers"), "/Printers"),
        (get("/Printers/1"), "/Printers"),
        (get(&format!("/Users/{id}/emails")), "/emails"),
        (get("/"), "/Users"),
        (get("/v1/Users"), "/v1"),
    ] {
        check(&h, req, 404, None, mention).await;
    }
}

#[tokio::test]
async fn method_not_allowed() {
    let h = Harness::new().await;
    let id = h.user("bjensen").await;
    for req in [
        Request::new(Method::Delete, "/Users", BASE),
        json_req(Method::Put, "/Users", json!({})),
        json_req(Method::Patch, "/Groups", json!({})),
        json_req(Method::Post, &format!("/Users/{id}"), json!({})),
        Request::new(Method::Other("OPTIONS".into()), "/Users", BASE),
        get("/Bulk"),
        get("/.search"),
        get("/Users/.search"),
        Request::new(Method::Delete, "/Users/.search", BASE),
        json_req(Method::Post, "/ServiceProviderConfig", json!({})),
        Request::new(Method::Delete, "/Schemas", BASE),
        json_req(Method::Put, "/ResourceTypes/User", json!({})),
    ] {
        let path = req.path.clone();
        check(&h, req.clone(), 405, None, "").await;
        // RFC 9110 §15.5.6: the methods the endpoint supports.
        let allow = h.send(req).await.header("Allow").map(str::to_owned);
        let expected = match path.as_str() {
            "/Users" | "/Groups" => "GET, HEAD, POST",
            "/Bulk" | "/.search" | "/Users/.search" => "POST",
            "/ServiceProviderConfig" | "/Schemas" | "/ResourceTypes/User" => "GET, HEAD",
            _ => "GET, HEAD, PUT, PATCH, DELETE",
        };
        assert_eq!(allow.as_deref(), Some(expected), "{path}");
    }
}

#[tokio::test]
async fn head_is_answered_as_get() {
    let h = Harness::new().await;
    let id = h.user("bjensen").await;
    for path in [
        format!("/Users/{id}"),
        "/Users".to_owned(),
        "/Schemas".to_owned(),
    ] {
        let head = h
            .send(Request::new(Method::Other("HEAD".into()), &path, BASE))
            .await;
        let get = h.send(get(&path)).await;
        assert_eq!(head.status, 200, "HEAD {path}");
        assert_eq!(head.status, get.status, "HEAD {path}");
        assert_eq!(head.header("ETag"), get.header("ETag"), "HEAD {path}");
    }
    let missing = h
        .send(Request::new(
            Method::Other("HEAD".into()),
            "/Users/nope",
            BASE,
        ))
        .await;
    assert_eq!(missing.status, 404);
}

#[tokio::test]
async fn payload_too_large() {
    let mut config = Config::default();
    config.limits.max_body_bytes = 2048;
    config.limits.max_patch_operations = 3;
    config.limits.max_bulk_operations = 2;
    config.limits.max_bulk_payload_bytes = 4096;
    let h = Harness::with(config, vec![]).await;
    let id = h.user("bjensen").await;
    let user = format!("/Users/{id}");

    let big = "x".repeat(3000);
    check(
        &h,
        json_req(
            Method::Post,
            "/Users",
            json!({"schemas": [USER], "userName": big}),
        ),
        413,
        None,
        "2048",
    )
    .await;
    check(
        &h,
        json_req(
            Method::Put,
            &user,
            json!({"schemas": [USER], "userName": big}),
        ),
        413,
        None,
        "2048",
    )
    .await;
    check(
        &h,
        json_req(
            Method::Post,
            "/Users/.search",
            json!({"filter": format!("userName eq \"{big}\"")}),
        ),
        413,
        None,
        "2048",
    )
    .await;
    // A PATCH body over the limit, and PATCH operations over the limit.
    check(
        &h,
        patch(
            &user,
            json!([{"op": "add", "path": "nickName", "value": big}]),
        ),
        413,
        None,
        "2048",
    )
    .await;
    let ops: Vec<Value> = (0..4)
        .map(|i| json!({"op": "add", "path": "nickName", "value": i.to_string()}))
        .collect();
    check(&h, patch(&user, Value::Array(ops)), 413, None, "operations").await;
    // Bulk operations over bulk.maxOperations (RFC 7644 §3.7.4).
    let op = json!({"method": "DELETE", "path": format!("/Users/{id}")});
    check(
        &h,
        json_req(Method::Post, "/Bulk", json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], "Operations": [op, op, op]})),
        413,
        None,
        "maxOperations",
    )
    .await;
    // A Bulk body over bulk.maxPayloadSize; the Bulk limit, not the body limit, applies.
    let medium = "y".repeat(2500);
    let (status, body) = h
        .post(
            "/Bulk",
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], "Operations": [
                {"method": "POST", "path": "/Users", "bulkId": "m", "data": {"schemas": [USER], "userName": "m", "nickName": medium}}
            ]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    check(
        &h,
        json_req(Method::Post, "/Bulk", json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:BulkRequest"], "Operations": [
            {"method": "POST", "path": "/Users", "bulkId": "b", "data": {"schemas": [USER], "userName": "x".repeat(5000)}}
        ]})),
        413,
        None,
        "maxPayloadSize",
    )
    .await;
    let (_, fetched) = h.get(&user).await;
    assert!(fetched.get("nickName").is_none());
}

#[tokio::test]
async fn precondition_failed_with_a_stale_if_match() {
    let h = Harness::new().await;
    let id = h.user("bjensen").await;
    let path = format!("/Users/{id}");
    let req = patch(
        &path,
        json!([{"op": "add", "path": "nickName", "value": "x"}]),
    )
    .with_if_match("W/\"41\"");
    check(&h, req, 412, None, "W/\"41\"").await;
}

/// Percent-encodes a query value.
fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
