//! What Microsoft Entra ID and Okta send, as their documentation shows it,
//! one test per behaviour: accepted by default (lenient), and where the
//! behaviour departs from RFC 7643/7644, refused in strict mode.
//!
//! Sources, cited above each test:
//! - [Entra tutorial]: Microsoft Learn, "Tutorial: Develop and plan
//!   provisioning for a SCIM endpoint in Microsoft Entra ID"
//!   (learn.microsoft.com/entra/identity/app-provisioning/use-scim-to-provision-users-and-groups).
//! - [Entra known issues]: Microsoft Learn, "Known issues and resolutions
//!   with SCIM 2.0 protocol compliance of the Microsoft Entra user
//!   provisioning service"
//!   (learn.microsoft.com/entra/identity/app-provisioning/application-provisioning-config-problem-scim-compatibility).
//! - [Okta reference]: Okta Developer, "SCIM 2.0 Protocol Reference"
//!   (developer.okta.com/docs/reference/scim/scim-20/).
//!
//! Neither provider sends `If-Match`, so no request here does, except in
//! the test that shows it is honoured.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::*;
use scimhub_protocol::{Method, Request};
use serde_json::{Value, json};

/// A user with a work email, as Entra creates one.
async fn entra_user(h: &Harness, name: &str) -> String {
    let (status, body) = h
        .post(
            "/Users",
            json!({
                "schemas": [USER, ENTERPRISE],
                "externalId": format!("{name}-oid"),
                "userName": format!("{name}@testuser.com"),
                "active": true,
                "emails": [{"primary": true, "type": "work", "value": format!("{name}@testuser.com")}],
                "name": {"formatted": "givenName familyName", "familyName": "familyName", "givenName": "givenName"}
            }),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    body["id"].as_str().unwrap().to_owned()
}

fn ids(list: &Value) -> Vec<String> {
    let mut v: Vec<String> = list
        .as_array()
        .map(|a| {
            a.iter()
                .map(|m| m["value"].as_str().unwrap().to_owned())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

// [Entra tutorial], "General": "Don't require a case-sensitive match on
// structural elements in SCIM, in particular PATCH op operation values …
// Microsoft Entra ID emits the values of op as Add, Replace, and Remove."
// Requests from "Update User [Multi-valued properties]" and [Entra known
// issues] ("add a single-value string attribute", without the flag).
#[tokio::test]
async fn op_in_any_case() {
    let h = Harness::new().await;
    let id = entra_user(&h, "ellen").await;
    let path = format!("/Users/{id}");
    let (status, body) = h
        .patch(
            &path,
            json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [
                    {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "updatedEmail@microsoft.com"},
                    {"op": "Replace", "path": "name.familyName", "value": "updatedFamilyName"}
                ]
            }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["emails"],
        json!([{"primary": true, "type": "work", "value": "updatedEmail@microsoft.com"}])
    );
    assert_eq!(body["name"]["familyName"], "updatedFamilyName");
    let (status, body) = h
        .patch(
            &path,
            json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{"op": "Add", "path": "nickName", "value": "Babs"}]
            }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["nickName"], "Babs");
    let (status, body) = h
        .patch(
            &path,
            Harness::patch_op(json!([{"op": "REMOVE", "path": "nickName"}])),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("nickName").is_none());

    // Strict: RFC 7644 §3.5.2 spells them in lower case.
    let s = Harness::strict().await;
    let id = entra_user(&s, "ellen").await;
    let (status, body) = s
        .patch(
            &format!("/Users/{id}"),
            json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{"op": "Add", "path": "nickName", "value": "Babs"}]
            }),
        )
        .await;
    assert_error(status, &body, 400, Some("invalidSyntax"), "lower case");
    let (status, _) = s
        .patch(
            &format!("/Users/{id}"),
            Harness::patch_op(json!([{"op": "add", "path": "nickName", "value": "Babs"}])),
        )
        .await;
    assert_eq!(status, 200);
}

// [Entra known issues], "Requests made to disable users", without the
// feature flag: {"op": "Replace", "path": "active", "value": "False"}.
#[tokio::test]
async fn booleans_as_strings() {
    let h = Harness::new().await;
    let (status, body) = h
        .post(
            "/Users",
            json!({"schemas": [USER], "userName": "ellen@testuser.com", "active": "True"}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["active"], true);
    let id = body["id"].as_str().unwrap();
    let (status, body) = h
        .patch(
            &format!("/Users/{id}"),
            json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{"op": "Replace", "path": "active", "value": "False"}]
            }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["active"], false);
    assert_eq!(
        h.stored("User", id).await["active"],
        false,
        "stored as a JSON boolean"
    );

    // Strict: a boolean is a JSON boolean (RFC 7643 §2.3.2); the request
    // with the feature flag is what passes.
    let s = Harness::strict().await;
    let id = s.user("ellen@testuser.com").await;
    let (status, body) = s
        .patch(
            &format!("/Users/{id}"),
            Harness::patch_op(json!([{"op": "replace", "path": "active", "value": "False"}])),
        )
        .await;
    assert_error(status, &body, 400, Some("invalidValue"), "active");
    let (status, body) = s
        .patch(
            &format!("/Users/{id}"),
            Harness::patch_op(json!([{"op": "replace", "path": "active", "value": false}])),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["active"], false);
}

// [Entra known issues], "Requests to replace multiple attributes", with
// the feature flag: a path-less replace whose value uses dotted names and
// a URN-qualified attribute name.
#[tokio::test]
async fn pathless_values_with_dotted_keys() {
    let h = Harness::new().await;
    let id = entra_user(&h, "ellen").await;
    let (status, body) = h
        .patch(
            &format!("/Users/{id}"),
            json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [
                    {"op": "replace", "path": "emails[type eq \"work\"].value", "value": "TestMhvaes@test.microsoft.com"},
                    {"op": "replace", "value": {
                        "displayName": "Bjfe",
                        "name.givenName": "Kkom",
                        "name.familyName": "Unua",
                        "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber": "Aklq"
                    }}
                ]
            }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["displayName"], "Bjfe");
    assert_eq!(body["name"]["givenName"], "Kkom");
    assert_eq!(body["name"]["familyName"], "Unua");
    assert_eq!(
        body["name"]["formatted"], "givenName familyName",
        "other sub-attributes stay"
    );
    assert_eq!(body[ENTERPRISE]["employeeNumber"], "Aklq");
    assert_eq!(body["emails"][0]["value"], "TestMhvaes@test.microsoft.com");
    assert_eq!(body["emails"].as_array().unwrap().len(), 1);

    // Strict: a path-less value is shaped like the resource.
    let s = Harness::strict().await;
    let id = entra_user(&s, "ellen").await;
    let (status, body) = s
        .patch(
            &format!("/Users/{id}"),
            Harness::patch_op(json!([{"op": "replace", "value": {"name.givenName": "Kkom"}}])),
        )
        .await;
    assert_error(status, &body, 400, Some("invalidSyntax"), "name.givenName");
    let (status, body) = s
        .patch(
            &format!("/Users/{id}"),
            Harness::patch_op(json!([{"op": "replace", "value": {"name": {"givenName": "Kkom"}}}])),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["name"]["givenName"], "Kkom");
    assert_eq!(
        body["name"]["familyName"], "familyName",
        "a complex value merges"
    );
}

// [Entra known issues], "Requests to replace multiple attributes": the key
// "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber";
// and the extension's object under its URN, as the resource itself holds
// it ([Entra tutorial], "Design your user and group schema").
#[tokio::test]
async fn pathless_values_with_extension_urn_keys() {
    let h = Harness::new().await;
    let id = entra_user(&h, "ellen").await;
    let path = format!("/Users/{id}");
    let (status, body) = h
        .patch(
            &path,
            Harness::patch_op(json!([{"op": "Add", "value": {
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Tours", "costCenter": "4130"}
            }}])),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body[ENTERPRISE],
        json!({"department": "Tours", "costCenter": "4130"})
    );
    assert!(
        body["schemas"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s == ENTERPRISE),
        "{body}"
    );
    let (status, body) = h
        .patch(
            &path,
            Harness::patch_op(json!([{"op": "Replace", "value": {
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber": "701984",
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department": "Guides"
            }}])),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body[ENTERPRISE],
        json!({"department": "Guides", "costCenter": "4130", "employeeNumber": "701984"})
    );

    // Strict: the extension's object is the resource's own shape and
    // passes; a URN-qualified attribute name as a key does not.
    let s = Harness::strict().await;
    let id = entra_user(&s, "ellen").await;
    let (status, body) = s
        .patch(
            &format!("/Users/{id}"),
            Harness::patch_op(
                json!([{"op": "add", "value": {ENTERPRISE: {"department": "Tours"}}}]),
            ),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body[ENTERPRISE]["department"], "Tours");
    let (status, body) = s
        .patch(
            &format!("/Users/{id}"),
            Harness::patch_op(json!([{"op": "replace", "value": {format!("{ENTERPRISE}:employeeNumber"): "701984"}}])),
        )
        .await;
    assert_error(status, &body, 400, Some("invalidSyntax"), "employeeNumber");
}

// [Entra tutorial], "Update Group [Remove Members]", and [Entra known
// issues], "Requests made to remove a group member" (without the flag:
// the members to remove as the value; with it: members[value eq "…"]).
// Entra's default form must remove exactly those members, never empty the
// group.
#[tokio::test]
async fn remove_members_by_value_list() {
    let h = Harness::new().await;
    let (a, b, c) = (
        entra_user(&h, "a").await,
        entra_user(&h, "b").await,
        entra_user(&h, "c").await,
    );
    let g = h.group("displayName", None, &[&a, &b, &c]).await;
    let path = format!("/Groups/{g}");
    let (status, _) = h
        .patch(
            &path,
            json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{
                    "op": "Remove",
                    "path": "members",
                    "value": [{"$ref": null, "value": a}]
                }]
            }),
        )
        .await;
    assert_eq!(status, 204);
    assert_eq!(
        h.members(&g).await,
        sorted(vec![b.clone(), c.clone()]),
        "only the named member goes"
    );
    let (status, _) = h
        .patch(
            &path,
            json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{"op": "remove", "path": format!("members[value eq \"{b}\"]")}]
            }),
        )
        .await;
    assert_eq!(status, 204);
    assert_eq!(h.members(&g).await, vec![c.clone()]);
    // Removing someone who is not a member changes nothing.
    let (status, _) = h
        .patch(
            &path,
            Harness::patch_op(
                json!([{"op": "Remove", "path": "members", "value": [{"value": a}]}]),
            ),
        )
        .await;
    assert_eq!(status, 204);
    assert_eq!(h.members(&g).await, vec![c.clone()]);

    // Strict: remove takes no value (RFC 7644 §3.5.2.2); the filter form works.
    let s = Harness::strict().await;
    let (a, b) = (entra_user(&s, "a").await, entra_user(&s, "b").await);
    let g = s.group("displayName", None, &[&a, &b]).await;
    let (status, body) = s
        .patch(
            &format!("/Groups/{g}"),
            Harness::patch_op(
                json!([{"op": "remove", "path": "members", "value": [{"value": a}]}]),
            ),
        )
        .await;
    assert_error(
        status,
        &body,
        400,
        Some("invalidSyntax"),
        "members[value eq",
    );
    assert_eq!(s.members(&g).await.len(), 2, "nothing removed");
    let (status, _) = s
        .patch(
            &format!("/Groups/{g}"),
            Harness::patch_op(
                json!([{"op": "remove", "path": format!("members[value eq \"{a}\"]")}]),
            ),
        )
        .await;
    assert_eq!(status, 204);
    assert_eq!(s.members(&g).await, vec![b]);
}

// [Entra tutorial], "Design your user and group schema": the mappings
// emails[type eq "work"].value, phoneNumbers[type eq "mobile"].value,
// addresses[type eq "work"].postalCode and
// addresses[type eq "other"].Formatted; and "Update User [Multi-valued
// properties]", which replaces emails[type eq "work"].value. Entra sends
// these before the element exists: the element is created.
#[tokio::test]
async fn add_or_replace_on_a_filtered_sub_attribute_creates_the_element() {
    let h = Harness::new().await;
    let id = h.user("ellen@testuser.com").await;
    let path = format!("/Users/{id}");
    let (status, body) = h
        .patch(
            &path,
            json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [
                    {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "updatedEmail@microsoft.com"},
                    {"op": "Add", "path": "phoneNumbers[type eq \"mobile\"].value", "value": "+1 555 0100"},
                    {"op": "Add", "path": "addresses[type eq \"work\"].formatted", "value": "1 Main St\nSpringfield"},
                    {"op": "Add", "path": "addresses[type eq \"work\"].postalCode", "value": "98052"},
                    {"op": "Add", "path": "addresses[type eq \"other\"].Formatted", "value": "Building 4"}
                ]
            }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["emails"],
        json!([{"type": "work", "value": "updatedEmail@microsoft.com"}])
    );
    assert_eq!(
        body["phoneNumbers"],
        json!([{"type": "mobile", "value": "+1 555 0100"}])
    );
    assert_eq!(
        body["addresses"],
        json!([
            {"type": "work", "formatted": "1 Main St\nSpringfield", "postalCode": "98052"},
            {"type": "other", "formatted": "Building 4"}
        ]),
        "one element per type, then updated in place"
    );
    // Once it exists, the same request updates it, never duplicates it.
    let (status, body) = h
        .patch(
            &path,
            Harness::patch_op(json!([
                {"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "second@microsoft.com"},
                {"op": "Replace", "path": "phoneNumbers[type eq \"mobile\"].value", "value": "+1 555 0199"}
            ])),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["emails"],
        json!([{"type": "work", "value": "second@microsoft.com"}])
    );
    assert_eq!(
        body["phoneNumbers"],
        json!([{"type": "mobile", "value": "+1 555 0199"}])
    );
    // And Entra can find the user by it.
    let (_, list) = h
        .get("/Users?filter=emails%5Btype+eq+%22work%22%5D.value+eq+%22second%40microsoft.com%22")
        .await;
    assert_eq!(list["totalResults"], 1);

    // Strict: RFC 7644 §3.5.2.3, a filter that matches nothing is noTarget.
    let s = Harness::strict().await;
    let id = s.user("ellen@testuser.com").await;
    let (status, body) = s
        .patch(
            &format!("/Users/{id}"),
            Harness::patch_op(json!([{"op": "replace", "path": "emails[type eq \"work\"].value", "value": "x@microsoft.com"}])),
        )
        .await;
    assert_error(status, &body, 400, Some("noTarget"), "emails");
}

// [Entra tutorial], "Design your user and group schema": the example user
// carries "manager": "123456" in the enterprise extension, and the manager
// mapping targets urn:…:enterprise:2.0:User:manager with the manager's id.
#[tokio::test]
async fn manager_as_a_bare_id() {
    let h = Harness::new().await;
    let boss = entra_user(&h, "boss").await;
    let id = entra_user(&h, "ellen").await;
    let path = format!("/Users/{id}");
    let manager = format!("{ENTERPRISE}:manager");
    // With a path.
    let (status, body) = h
        .patch(
            &path,
            Harness::patch_op(json!([{"op": "Add", "path": manager, "value": boss}])),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body[ENTERPRISE]["manager"], json!({"value": boss}));
    // Path-less, URN-qualified and inside the extension's object.
    let other = entra_user(&h, "other").await;
    let (status, body) = h
        .patch(
            &path,
            Harness::patch_op(json!([{"op": "Replace", "value": {manager.clone(): other}}])),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body[ENTERPRISE]["manager"]["value"], other);
    let (status, body) = h
        .patch(
            &path,
            Harness::patch_op(json!([{"op": "Replace", "value": {ENTERPRISE: {"manager": boss}}}])),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body[ENTERPRISE]["manager"]["value"], boss);
    // The RFC's own form still works, and remove clears it.
    let (status, body) = h
        .patch(
            &path,
            Harness::patch_op(
                json!([{"op": "replace", "path": manager, "value": {"value": other}}]),
            ),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body[ENTERPRISE]["manager"]["value"], other);
    let (status, body) = h
        .patch(
            &path,
            Harness::patch_op(json!([{"op": "Remove", "path": manager}])),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get(ENTERPRISE).is_none(), "{body}");
    // In a create body, as the tutorial's example user shows it (its
    // trailing comma after "tag" removed, which is not JSON).
    let (status, body) = h
        .post(
            "/Users",
            json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User",
                  "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
                  "urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User"],
                "userName": "bjensen@testuser.com",
                "id": "48af03ac28ad4fb88478",
                "externalId": "bjensen",
                "name": {"familyName": "Jensen", "givenName": "Barbara"},
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"manager": "123456"},
                "urn:ietf:params:scim:schemas:extension:CustomExtensionName:2.0:User": {"tag": "701984"},
                "meta": {
                    "resourceType": "User",
                    "created": "2010-01-23T04:56:22Z",
                    "lastModified": "2011-05-13T04:42:34Z",
                    "version": "W/\"3694e05e9dff591\"",
                    "location": "https://example.com/v2/Users/00aa00aa-bb11-cc22-dd33-44ee44ee44ee"
                }
            }),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body[ENTERPRISE]["manager"], json!({"value": "123456"}));
    assert_ne!(body["id"], "48af03ac28ad4fb88478", "id is the service's");
    assert_ne!(
        body["meta"]["created"], "2010-01-23T04:56:22Z",
        "meta is the service's"
    );

    // Strict: manager is complex (RFC 7643 §4.3); a bare string is refused.
    let s = Harness::strict().await;
    let id = s.user("ellen").await;
    let (status, body) = s
        .patch(
            &format!("/Users/{id}"),
            Harness::patch_op(json!([{"op": "add", "path": manager, "value": "123456"}])),
        )
        .await;
    assert_error(status, &body, 400, Some("invalidValue"), "manager");
    let (status, body) = s
        .post("/Users", json!({"schemas": [USER, ENTERPRISE], "userName": "x", ENTERPRISE: {"manager": "123456"}}))
        .await;
    assert_error(status, &body, 400, Some("invalidValue"), "manager");
}

// [Entra tutorial], "Update Group [Add Members]" and "[Remove Members]":
// every member value carries "$ref": null.
#[tokio::test]
async fn ref_null_in_member_values() {
    let h = Harness::new().await;
    let u = entra_user(&h, "ellen").await;
    let (status, body) = h
        .post("/Groups", json!({"schemas": [GROUP], "displayName": "G", "members": [{"$ref": null, "value": u}]}))
        .await;
    assert_eq!(status, 201, "{body}");
    let g = body["id"].as_str().unwrap().to_owned();
    let v = entra_user(&h, "other").await;
    let (status, body) = h
        .patch(
            &format!("/Groups/{g}"),
            json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{
                    "op": "Add",
                    "path": "members",
                    "value": [{"$ref": null, "value": v}]
                }]
            }),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    let (_, group) = h.get(&format!("/Groups/{g}")).await;
    assert_eq!(ids(&group["members"]), sorted(vec![u.clone(), v.clone()]));
    // The service fills in the real $ref.
    for m in group["members"].as_array().unwrap() {
        assert_eq!(
            m["$ref"],
            format!("{BASE}/Users/{}", m["value"].as_str().unwrap())
        );
    }
}

// RFC 7643 §2.5: "Unassigned attributes, the null value, or empty array
// … SHALL be considered to be equivalent in 'state'." Okta's group
// responses show "members": null ([Okta reference], "Update a specific
// Group name"), and Entra's member values "$ref": null.
#[tokio::test]
async fn null_attribute_values_mean_absent() {
    let h = Harness::new().await;
    let (status, body) = h
        .post(
            "/Users",
            json!({"schemas": [USER], "userName": "ellen", "displayName": null, "nickName": "E",
                   "name": {"givenName": "Ellen", "middleName": null}, "emails": null}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert!(
        body.get("displayName").is_none() && body.get("emails").is_none(),
        "{body}"
    );
    assert_eq!(body["name"], json!({"givenName": "Ellen"}));
    let id = body["id"].as_str().unwrap().to_owned();
    let path = format!("/Users/{id}");
    // PATCH with null: the attribute is cleared.
    let (status, body) = h
        .patch(
            &path,
            Harness::patch_op(json!([{"op": "Replace", "path": "nickName", "value": null}])),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("nickName").is_none(), "{body}");
    let (status, body) = h
        .patch(
            &path,
            Harness::patch_op(
                json!([{"op": "replace", "value": {"name": {"givenName": null}, "title": "T"}}]),
            ),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("name").is_none(), "{body}");
    assert_eq!(body["title"], "T");
    // PUT with null clears too; for a group, "members": null empties it.
    let g = h.group("G", None, &[&id]).await;
    let (status, body) = h
        .put(
            &format!("/Groups/{g}"),
            json!({"schemas": [GROUP], "displayName": "G", "members": null}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(h.members(&g).await.is_empty());
    assert_eq!(h.stored("User", &id).await.get("nickName"), None);
}

// [Entra tutorial], "Create User": the body carries "meta":
// {"resourceType": "User"} and "roles": []. [Okta reference], "Create the
// User": "groups": [] and "password": "1mz050nq"; "Update the User" (PUT)
// sends back "id", "groups": [] and "meta". The password is never stored
// and never returned; read-only values are ignored (RFC 7644 §3.5.1).
#[tokio::test]
async fn meta_roles_groups_and_password_in_bodies() {
    let h = Harness::new().await;
    // Entra's create.
    let (status, body) = h
        .post(
            "/Users",
            json!({
                "schemas": [
                    "urn:ietf:params:scim:schemas:core:2.0:User",
                    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
                "externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
                "userName": "Test_User_00aa00aa-bb11-cc22-dd33-44ee44ee44ee",
                "active": true,
                "emails": [{
                    "primary": true,
                    "type": "work",
                    "value": "Test_User_11bb11bb-cc22-dd33-ee44-55ff55ff55ff@testuser.com"
                }],
                "meta": {
                    "resourceType": "User"
                },
                "name": {
                    "formatted": "givenName familyName",
                    "familyName": "familyName",
                    "givenName": "givenName"
                },
                "roles": []
            }),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["externalId"], "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef");
    assert_eq!(body["meta"]["resourceType"], "User");
    assert!(body["meta"]["created"].is_string());
    assert!(body.get("roles").is_none());

    // Okta's create, password and all.
    let g = h.group("Existing", None, &[]).await;
    let (status, body) = h
        .post(
            "/Users",
            json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                "userName": "test.user@okta.local",
                "name": {
                    "givenName": "Test",
                    "familyName": "User"
                },
                "emails": [{
                    "primary": true,
                    "value": "test.user@okta.local",
                    "type": "work"
                }],
                "displayName": "Test User",
                "locale": "en-US",
                "externalId": "00ujl29u0le5T6Aj10h7",
                "groups": [],
                "password": "1mz050nq",
                "active": true
            }),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert!(body.get("password").is_none(), "never returned: {body}");
    let id = body["id"].as_str().unwrap().to_owned();
    let stored = h.stored("User", &id).await;
    assert!(stored.get("password").is_none(), "never stored: {stored}");
    assert!(
        stored.get("groups").is_none() && stored.get("meta").is_none(),
        "{stored}"
    );
    assert!(!stored.to_string().contains("1mz050nq"), "{stored}");
    let (_, fetched) = h.get(&format!("/Users/{id}")).await;
    assert!(fetched.get("password").is_none());
    let (_, fetched) = h
        .get(&format!("/Users/{id}?attributes=password,userName"))
        .await;
    assert!(
        fetched.get("password").is_none(),
        "not even when asked: {fetched}"
    );

    // Okta's PUT, after the user joined a group: "groups": [] is read-only
    // and ignored, so the membership stays.
    let (status, _) = h
        .patch(
            &format!("/Groups/{g}"),
            Harness::patch_op(json!([{"op": "add", "path": "members", "value": [{"value": id}]}])),
        )
        .await;
    assert_eq!(status, 204);
    let (status, body) = h
        .put(
            &format!("/Users/{id}"),
            json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                "id": id,
                "userName": "test.user@okta.local",
                "name": {
                    "givenName": "Another",
                    "middleName": "Excited",
                    "familyName": "User"
                },
                "emails": [{
                    "primary": true,
                    "value": "test.user@okta.local",
                    "type": "work",
                    "display": "test.user@okta.local"
                }],
                "active": true,
                "groups": [],
                "password": "newSecret1",
                "meta": {
                    "resourceType": "User"
                }
            }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["name"]["middleName"], "Excited");
    assert_eq!(
        body["groups"][0]["value"], g,
        "the membership stays: {body}"
    );
    assert!(body.get("password").is_none());
    assert!(h.stored("User", &id).await.get("password").is_none());
    // A PUT carrying what Entra's create carries ("meta", "roles": [])
    // besides Okta's "groups": [] and "password": all ignored or dropped.
    let (status, body) = h
        .put(
            &format!("/Users/{id}"),
            json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                "userName": "test.user@okta.local",
                "active": true,
                "meta": {"resourceType": "User"},
                "roles": [],
                "groups": [],
                "password": "third1"
            }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(
        body.get("roles").is_none() && body.get("name").is_none(),
        "{body}"
    );
    assert_eq!(body["groups"][0]["value"], g, "{body}");
    let stored = h.stored("User", &id).await;
    assert!(!stored.to_string().contains("third1"), "{stored}");
    // The password through PATCH (Okta's password sync) is accepted, not kept.
    let (status, body) = h
        .patch(
            &format!("/Users/{id}"),
            Harness::patch_op(
                json!([{"op": "replace", "path": "password", "value": "t1meMa$heen"}]),
            ),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.get("password").is_none());
    assert!(
        !h.stored("User", &id)
            .await
            .to_string()
            .contains("t1meMa$heen")
    );
}

// [Entra tutorial], "Create Group": "schemas" lists
// "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group".
#[tokio::test]
async fn unrelated_schema_uris_are_ignored() {
    let request = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group", "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
        "externalId": "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159",
        "displayName": "displayName",
        "meta": {
            "resourceType": "Group"
        }
    });
    let h = Harness::new().await;
    let (status, body) = h.post("/Groups", request.clone()).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["schemas"], json!([GROUP]));
    assert!(
        !body["schemas"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s.as_str().unwrap().starts_with("http")),
        "{body}"
    );
    assert_eq!(body["externalId"], "8aa1a0c0-c4c3-4bc0-b4a5-2ef676900159");
    let id = body["id"].as_str().unwrap();
    assert!(!h.stored("Group", id).await.to_string().contains("ADSCIM"));

    // Strict: RFC 7643 §3, "schemas" names the resource's schemas only.
    let s = Harness::strict().await;
    let (status, body) = s.post("/Groups", request).await;
    assert_error(status, &body, 400, Some("invalidSyntax"), "ADSCIM");
}

// [Okta reference], "Update a specific User (PATCH)": deactivation is a
// path-less replace {"active": false}. (RFC-conformant, so strict mode
// accepts it too.)
#[tokio::test]
async fn okta_pathless_replace_active_false() {
    for h in [Harness::new().await, Harness::strict().await] {
        let id = h.user("test.user@okta.local").await;
        let (status, body) = h
            .patch(
                &format!("/Users/{id}"),
                json!({
                    "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                    "Operations": [{
                        "op": "replace",
                        "value": {
                            "active": false
                        }
                    }]
                }),
            )
            .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["active"], false);
        assert_eq!(body["userName"], "test.user@okta.local");
    }
}

// [Okta reference], "Update a specific Group name": a path-less replace
// whose value carries the group's own (read-only) "id". Replacing the id
// with itself modifies nothing, so both modes accept it; another id is a
// mutability error.
#[tokio::test]
async fn okta_group_rename_carries_its_own_id() {
    for h in [Harness::new().await, Harness::strict().await] {
        let g = h.group("Test SCIMv2", None, &[]).await;
        let (status, body) = h
            .patch(
                &format!("/Groups/{g}"),
                json!({
                    "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                    "Operations": [{
                        "op": "replace",
                        "value": {
                            "id": g,
                            "displayName": "Test SCIMv20"
                        }
                    }]
                }),
            )
            .await;
        // Okta: "The SCIM server response to PATCH method requests can also
        // be a HTTP 204 response, with no body returned."
        assert_eq!(status, 204, "{body}");
        let (_, group) = h.get(&format!("/Groups/{g}")).await;
        assert_eq!(group["displayName"], "Test SCIMv20");
        assert_eq!(group["id"], g.as_str());
        let (status, body) = h
            .patch(
                &format!("/Groups/{g}"),
                Harness::patch_op(json!([{"op": "replace", "value": {"id": "abf4dd94-a4c0-4f67-89c9-76b03340cb9b", "displayName": "X"}}])),
            )
            .await;
        assert_error(status, &body, 400, Some("mutability"), "id");
    }
}

// [Okta reference], "Update specific Group membership": one PATCH removes
// a member by filter and adds another with "value" and "display".
#[tokio::test]
async fn okta_remove_and_add_members_in_one_patch() {
    let h = Harness::new().await;
    let gone = h.user("gone@okta.local").await;
    let stays = h.user("stays@okta.local").await;
    let new = h.user("test.user@okta.local").await;
    let g = h.group("Test SCIMv2", None, &[&gone, &stays]).await;
    let (status, body) = h
        .patch(
            &format!("/Groups/{g}"),
            json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [{
                      "op": "remove",
                      "path": format!("members[value eq \"{gone}\"]")
                    },
                    {
                      "op": "add",
                      "path": "members",
                      "value": [{
                          "value": new,
                          "display": "test.user@okta.local"
                    }]
                }]
            }),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    assert_eq!(h.members(&g).await, sorted(vec![stays, new]));
}

// [Okta reference], "Update specific Group membership": "You can also send
// a full push of the membership … using the replace operation"; an empty
// list empties the group.
#[tokio::test]
async fn replace_members_with_the_full_list() {
    let h = Harness::new().await;
    let (a, b, c) = (h.user("a").await, h.user("b").await, h.user("c").await);
    let g = h.group("Test SCIMv2", None, &[&a]).await;
    let path = format!("/Groups/{g}");
    let (status, body) = h
        .patch(
            &path,
            json!({
              "schemas": [
                "urn:ietf:params:scim:api:messages:2.0:PatchOp"
              ],
              "Operations": [
                {
                  "op": "replace",
                  "path": "members",
                  "value": [
                    {
                      "value": b,
                      "display": "test.user@okta.local"
                    },
                    {
                      "value": c,
                      "display": "test.user@okta.local"
                    }
                  ]
                }
              ]
            }),
        )
        .await;
    assert_eq!(status, 204, "{body}");
    assert_eq!(h.members(&g).await, sorted(vec![b, c]));
    let (status, _) = h
        .patch(
            &path,
            Harness::patch_op(json!([{"op": "replace", "path": "members", "value": []}])),
        )
        .await;
    assert_eq!(status, 204);
    assert!(h.members(&g).await.is_empty());
    let (_, group) = h.get(&path).await;
    assert_eq!(group["displayName"], "Test SCIMv2", "the group stays");
}

// [Okta reference]: member values carry "value" and "display", never
// "type"; [Entra tutorial]: "value" and "$ref": null. The service knows
// each member's type.
#[tokio::test]
async fn members_without_type() {
    let h = Harness::new().await;
    let u = h.user("test.user@okta.local").await;
    let inner = h.group("Inner", None, &[]).await;
    let (status, body) = h
        .post(
            "/Groups",
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Outer",
                   "members": [{"value": u, "display": "test.user@okta.local"}, {"value": inner}]}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let mut types: Vec<(String, String)> = body["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["value"].as_str().unwrap().to_owned(),
                m["type"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    types.sort();
    let mut want = vec![
        (u.clone(), "User".to_owned()),
        (inner.clone(), "Group".to_owned()),
    ];
    want.sort();
    assert_eq!(types, want);
}

// [Okta reference], "Create Groups" ("members": []) and "Update specific
// Group membership": "For custom app integrations created using the AIW,
// this request to update a Group object is sent through a PUT request."
// Memberships in POST and PUT bodies are the group's members.
#[tokio::test]
async fn memberships_in_post_and_put_bodies() {
    let h = Harness::new().await;
    let (status, body) = h
        .post(
            "/Groups",
            json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                "displayName": "Test SCIMv2",
                "members": []
            }),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let g = body["id"].as_str().unwrap().to_owned();
    assert!(h.members(&g).await.is_empty());
    let (a, b) = (h.user("a").await, h.user("b").await);
    let (status, body) = h
        .put(
            &format!("/Groups/{g}"),
            json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                "id": g,
                "displayName": "Test SCIMv2",
                "members": [{"value": a, "display": "a"}, {"value": b, "display": "b"}]
            }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(ids(&body["members"]), sorted(vec![a.clone(), b.clone()]));
    let (status, _) = h
        .put(
            &format!("/Groups/{g}"),
            json!({"schemas": [GROUP], "displayName": "Test SCIMv2", "members": [{"value": b}]}),
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(h.members(&g).await, vec![b.clone()]);
    let (_, user_a) = h.get(&format!("/Users/{a}")).await;
    assert!(user_a.get("groups").is_none(), "a left the group: {user_a}");
    // A user's groups follow.
    let (_, user_b) = h.get(&format!("/Users/{b}")).await;
    assert_eq!(user_b["groups"][0]["value"], g.as_str());
    assert_eq!(user_b["groups"][0]["display"], "Test SCIMv2");
}

// [Entra tutorial], "Get User by query - Zero results" and the "Test
// Connection" query of a random user; [Okta reference], "Determine if the
// User already exists" (spaces as %20, with startIndex and count). No
// match is 200 and an empty list, never 404.
#[tokio::test]
async fn filter_matching_nothing_is_an_empty_list() {
    let h = Harness::new().await;
    entra_user(&h, "ellen").await;
    h.group("displayName", None, &[]).await;
    for query in [
        "/Users?filter=userName+eq+%22non-existent+user%22",
        "/Users?filter=userName eq \"c6a3c9d4-2b0b-4f3a-8a8e-0e2e5f1d9b77\"",
        "/Users?filter=userName%20eq%20%22test.user%40okta.local%22&startIndex=1&count=100",
        "/Users?filter=externalId+eq+%22jyoung%22",
        "/Users?filter=emails%5Btype+eq+%22work%22%5D.value+eq+%22nobody%40contoso.com%22",
        "/Groups?excludedAttributes=members&filter=displayName+eq+%22no+such+group%22",
    ] {
        let (status, body) = h.get(query).await;
        assert_eq!(status, 200, "{query}: {body}");
        assert_eq!(
            body["schemas"],
            json!(["urn:ietf:params:scim:api:messages:2.0:ListResponse"])
        );
        assert_eq!(body["totalResults"], 0, "{query}");
        assert_eq!(body["Resources"], json!([]), "{query}");
        assert_eq!(body["startIndex"], 1, "{query}");
    }
    // And a match, in the same shapes.
    let (_, body) = h
        .get("/Users?filter=userName%20eq%20%22ellen%40testuser.com%22&startIndex=1&count=100")
        .await;
    assert_eq!(body["totalResults"], 1);
    let (_, body) = h
        .get("/Groups?excludedAttributes=members&filter=displayName+eq+%22displayName%22")
        .await;
    assert_eq!(body["totalResults"], 1);
    assert!(body["Resources"][0].get("members").is_none());
}

// Neither [Entra tutorial] nor [Okta reference] sends If-Match: every
// request of this file goes without one and succeeds; a client that does
// send one is held to it.
#[tokio::test]
async fn if_match_is_honoured_but_never_required() {
    let h = Harness::new().await;
    let id = entra_user(&h, "ellen").await;
    let path = format!("/Users/{id}");
    let put = json!({"schemas": [USER], "userName": "ellen@testuser.com"});
    let patch = Harness::patch_op(json!([{"op": "Replace", "path": "active", "value": "False"}]));
    assert_eq!(h.put(&path, put.clone()).await.0, 200);
    assert_eq!(h.patch(&path, patch.clone()).await.0, 200);
    let stale = "W/\"1\"";
    let r = h
        .send(
            Request::new(Method::Patch, &path, BASE)
                .with_json(&patch)
                .with_if_match(stale),
        )
        .await;
    assert_error(r.status, &r.json_body(), 412, None, stale);
    let r = h
        .send(
            Request::new(Method::Put, &path, BASE)
                .with_json(&put)
                .with_if_match(stale),
        )
        .await;
    assert_eq!(r.status, 412);
    let r = h
        .send(Request::new(Method::Delete, &path, BASE).with_if_match(stale))
        .await;
    assert_eq!(r.status, 412);
    assert_eq!(h.delete(&path).await, 204);
}
