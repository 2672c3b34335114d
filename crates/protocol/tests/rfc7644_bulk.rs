//! The Bulk examples of RFC 7644 §3.7: circular references (§3.7.1),
//! `bulkId` temporary identifiers (§3.7.2), responses and errors with
//! `failOnErrors` (§3.7.3), and the limits (§3.7.4).
//!
//! The RFC's resources (`/Users/b7c14771-226c-4d05-8860-134711653041` and
//! the like) do not exist here: each test creates them first and
//! substitutes their ids and current versions, keeping the request's shape.
//! Two slips of the RFC's §3.7.3 request are handled so: its POST `data`
//! lists `urn:ietf:params:scim:api:messages:2.0:User` instead of the User
//! schema (kept: a foreign schema URI is ignored in the default, lenient
//! mode), and its PATCH `data` is `{[ … ]}`, which is not JSON (the
//! operations are wrapped in a PatchOp message, the shape §3.5.2 asks for).

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

const BULK_REQUEST: &str = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
const BULK_RESPONSE: &str = "urn:ietf:params:scim:api:messages:2.0:BulkResponse";

async fn etag(h: &Harness, path: &str) -> String {
    let r = h.send(Request::new(Method::Get, path, BASE)).await;
    r.header("ETag").unwrap().to_owned()
}

fn id_of(location: &Value) -> String {
    location
        .as_str()
        .unwrap()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned()
}

/// The three users the §3.7.3 request works on: Bob (the PUT), the user
/// the PATCH renames to Dave, and the one the DELETE removes.
struct Users {
    bob: String,
    dave: String,
    gone: String,
}

async fn users(h: &Harness) -> Users {
    let (_, bob) = h
        .post(
            "/Users",
            json!({"schemas": [USER], "userName": "Bob", "title": "Guide"}),
        )
        .await;
    let (_, dave) = h
        .post(
            "/Users",
            json!({"schemas": [USER], "userName": "David", "nickName": "Dave"}),
        )
        .await;
    let gone = h.user("Eve").await;
    Users {
        bob: bob["id"].as_str().unwrap().to_owned(),
        dave: dave["id"].as_str().unwrap().to_owned(),
        gone,
    }
}

/// The §3.7.3 request ("how to add, update, and remove a user"), with the
/// given ids and versions.
fn add_update_remove(
    u: &Users,
    bob_version: &str,
    dave_version: &str,
    gone_version: &str,
    fail_on_errors: Option<u32>,
) -> Value {
    let mut body = json!({
      "schemas": [BULK_REQUEST],
      "Operations":[
        {
          "method":"POST",
          "path":"/Users",
          "bulkId":"qwerty",
          "data":{
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:User"],
            "userName":"Alice"
          }
        },
        {
          "method":"PUT",
          "path":format!("/Users/{}", u.bob),
          "version":bob_version,
          "data":{
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
            "id":u.bob,
            "userName":"Bob"
          }
        },
        {
          "method": "PATCH",
          "path": format!("/Users/{}", u.dave),
          "version": dave_version,
          "data": {"schemas": [PATCH_OP], "Operations": [
            {
                "op": "remove",
                "path": "nickName"
            },
            {
                "op": "add",
                "path": "userName",
                "value": "Dave"
            }
          ]}
        },
        {
          "method":"DELETE",
          "path":format!("/Users/{}", u.gone),
          "version":gone_version
        }
      ]
    });
    if let Some(n) = fail_on_errors {
        body["failOnErrors"] = json!(n);
    }
    body
}

/// §3.7.3: "The following example shows how to add, update, and remove a
/// user. The "failOnErrors" attribute is set to '1' …", and the response
/// when every operation succeeds.
#[tokio::test]
async fn s3_7_3_add_update_and_remove_users() {
    let h = Harness::new().await;
    let u = users(&h).await;
    let versions = (
        etag(&h, &format!("/Users/{}", u.bob)).await,
        etag(&h, &format!("/Users/{}", u.dave)).await,
        etag(&h, &format!("/Users/{}", u.gone)).await,
    );
    let (status, body) = h
        .post(
            "/Bulk",
            add_update_remove(&u, &versions.0, &versions.1, &versions.2, Some(1)),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["schemas"], json!([BULK_RESPONSE]));
    let ops = body["Operations"].as_array().unwrap();
    assert_eq!(ops.len(), 4, "{body}");

    // POST: location, method, bulkId, version, status "201".
    assert_eq!(ops[0]["method"], "POST");
    assert_eq!(ops[0]["bulkId"], "qwerty");
    assert_eq!(ops[0]["status"], "201");
    let alice = id_of(&ops[0]["location"]);
    assert_eq!(ops[0]["location"], format!("{BASE}/Users/{alice}"));
    assert_eq!(
        ops[0]["version"],
        etag(&h, &format!("/Users/{alice}")).await
    );
    assert!(
        ops[0].get("response").is_none(),
        "no body for a success: {body}"
    );
    let (_, alice) = h.get(&format!("/Users/{alice}")).await;
    assert_eq!(alice["userName"], "Alice");

    // PUT: replaced (Bob's title is gone), status "200".
    assert_eq!(ops[1]["method"], "PUT");
    assert_eq!(ops[1]["status"], "200");
    assert_eq!(ops[1]["location"], format!("{BASE}/Users/{}", u.bob));
    let (_, bob) = h.get(&format!("/Users/{}", u.bob)).await;
    assert!(bob.get("title").is_none(), "{bob}");
    assert_eq!(ops[1]["version"], bob["meta"]["version"]);

    // PATCH: nickName removed, userName "Dave".
    assert_eq!(ops[2]["method"], "PATCH");
    assert_eq!(ops[2]["status"], "200");
    assert_eq!(ops[2]["location"], format!("{BASE}/Users/{}", u.dave));
    let (_, dave) = h.get(&format!("/Users/{}", u.dave)).await;
    assert_eq!(dave["userName"], "Dave");
    assert!(dave.get("nickName").is_none());
    assert_eq!(ops[2]["version"], dave["meta"]["version"]);

    // DELETE: status "204", and a location (required except for a failed POST).
    assert_eq!(ops[3]["method"], "DELETE");
    assert_eq!(ops[3]["status"], "204");
    assert_eq!(ops[3]["location"], format!("{BASE}/Users/{}", u.gone));
    let (status, _) = h.get(&format!("/Users/{}", u.gone)).await;
    assert_eq!(status, 404);
}

/// §3.7.3: "The following response is returned if an error occurred when
/// attempting to create the User 'Alice'. The service provider stops
/// processing the bulk operation and immediately returns a response to the
/// client." Here Alice exists already, so her POST fails with 409.
#[tokio::test]
async fn s3_7_3_fail_on_errors_stops_at_the_first_error() {
    let h = Harness::new().await;
    let u = users(&h).await;
    h.user("alice").await;
    let versions = (
        etag(&h, &format!("/Users/{}", u.bob)).await,
        etag(&h, &format!("/Users/{}", u.dave)).await,
        etag(&h, &format!("/Users/{}", u.gone)).await,
    );
    let (status, body) = h
        .post(
            "/Bulk",
            add_update_remove(&u, &versions.0, &versions.1, &versions.2, Some(1)),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let ops = body["Operations"].as_array().unwrap();
    assert_eq!(ops.len(), 1, "stopped after one error: {body}");
    assert_eq!(ops[0]["method"], "POST");
    assert_eq!(ops[0]["bulkId"], "qwerty");
    assert_eq!(ops[0]["status"], "409");
    assert!(
        ops[0].get("location").is_none(),
        "a failed POST has no location"
    );
    let response = &ops[0]["response"];
    assert_eq!(
        response["schemas"],
        json!(["urn:ietf:params:scim:api:messages:2.0:Error"])
    );
    assert_eq!(response["scimType"], "uniqueness");
    assert_eq!(response["status"], "409");
    assert!(response["detail"].is_string());
    // Nothing after the error ran.
    let (_, bob) = h.get(&format!("/Users/{}", u.bob)).await;
    assert_eq!(bob["title"], "Guide");
    let (status, _) = h.get(&format!("/Users/{}", u.gone)).await;
    assert_eq!(status, 200);
}

/// §3.7.3: "If the "failOnErrors" attribute is not specified or the
/// service provider has not reached the error limit defined by the client,
/// the service provider will continue to process all operations. The
/// following is an example in which all operations failed."
#[tokio::test]
async fn s3_7_3_without_fail_on_errors_every_operation_runs() {
    let h = Harness::new().await;
    let u = users(&h).await;
    h.user("alice").await;
    let stale = "W/\"3694e05e9dff591\"";
    // The DELETE's user is gone before the request: 404.
    assert_eq!(h.delete(&format!("/Users/{}", u.gone)).await, 204);
    let (status, body) = h
        .post("/Bulk", add_update_remove(&u, stale, stale, stale, None))
        .await;
    assert_eq!(status, 200, "{body}");
    let ops = body["Operations"].as_array().unwrap();
    let statuses: Vec<&str> = ops.iter().map(|o| o["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["409", "412", "412", "404"], "{body}");
    assert!(ops[0].get("location").is_none());
    // Every failure but a POST's names the resource it was about.
    assert_eq!(ops[1]["location"], format!("{BASE}/Users/{}", u.bob));
    assert_eq!(ops[2]["location"], format!("{BASE}/Users/{}", u.dave));
    assert_eq!(ops[3]["location"], format!("{BASE}/Users/{}", u.gone));
    for op in ops {
        assert_eq!(op["response"]["status"], op["status"], "{op}");
        assert_eq!(
            op["response"]["schemas"][0],
            "urn:ietf:params:scim:api:messages:2.0:Error"
        );
    }
    // failOnErrors 2: stops after the second error.
    let (_, body) = h
        .post("/Bulk", add_update_remove(&u, stale, stale, stale, Some(2)))
        .await;
    assert_eq!(body["Operations"].as_array().unwrap().len(), 2, "{body}");
}

/// §3.7.2: "The following example creates a User with the "userName"
/// 'Alice' and a "Group" with "displayName" 'Tour Guides' with Alice as a
/// member."
#[tokio::test]
async fn s3_7_2_bulk_ids_refer_to_resources_created_in_the_request() {
    let h = Harness::new().await;
    let (status, body) = h
        .post(
            "/Bulk",
            json!({
              "schemas": [BULK_REQUEST],
              "Operations": [
                {
                  "method": "POST",
                  "path": "/Users",
                  "bulkId": "qwerty",
                  "data": {
                    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                    "userName": "Alice"
                  }
                },
                {
                  "method": "POST",
                  "path": "/Groups",
                  "bulkId": "ytrewq",
                  "data": {
                    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                    "displayName": "Tour Guides",
                    "members": [
                      {
                        "type": "User",
                        "value": "bulkId:qwerty"
                      }
                    ]
                  }
                }
              ]
            }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let ops = body["Operations"].as_array().unwrap();
    assert_eq!(
        (ops[0]["status"].as_str(), ops[1]["status"].as_str()),
        (Some("201"), Some("201")),
        "{body}"
    );
    assert_eq!(
        (ops[0]["bulkId"].as_str(), ops[1]["bulkId"].as_str()),
        (Some("qwerty"), Some("ytrewq"))
    );
    let alice = id_of(&ops[0]["location"]);
    let group = id_of(&ops[1]["location"]);
    // "A subsequent GET request for the 'Tour Guides' Group … returns the
    // following, with Alice's "id" as the value for the member".
    let (_, g) = h.get(&format!("/Groups/{group}")).await;
    assert_eq!(g["displayName"], "Tour Guides");
    assert_eq!(
        g["members"],
        json!([{"value": alice, "$ref": format!("{BASE}/Users/{alice}"), "type": "User"}])
    );

    // The same with the group first: a reference to a POST later in the
    // request waits for it.
    let (status, body) = h
        .post(
            "/Bulk",
            json!({"schemas": [BULK_REQUEST], "Operations": [
                {"method": "POST", "path": "/Groups", "bulkId": "g",
                 "data": {"schemas": [GROUP], "displayName": "Night Guides", "members": [{"type": "User", "value": "bulkId:u"}]}},
                {"method": "POST", "path": "/Users", "bulkId": "u", "data": {"schemas": [USER], "userName": "Night"}}
            ]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let ops = body["Operations"].as_array().unwrap();
    assert_eq!(
        ops[0]["bulkId"], "g",
        "results keep the request's order: {body}"
    );
    assert_eq!(ops[0]["status"], "201");
    assert_eq!(ops[1]["status"], "201");
    assert_eq!(
        h.members(&id_of(&ops[0]["location"])).await,
        vec![id_of(&ops[1]["location"])]
    );

    // An undeclared bulkId fails that operation alone.
    let (_, body) = h
        .post(
            "/Bulk",
            json!({"schemas": [BULK_REQUEST], "Operations": [
                {"method": "POST", "path": "/Groups", "bulkId": "x",
                 "data": {"schemas": [GROUP], "displayName": "X", "members": [{"value": "bulkId:nobody"}]}}
            ]}),
        )
        .await;
    assert_eq!(body["Operations"][0]["status"], "400", "{body}");
    assert_eq!(
        body["Operations"][0]["response"]["scimType"],
        "invalidValue"
    );
}

/// §3.7.2: "Extensions that include references to other resources MUST be
/// handled in the same way by the service provider. The following example
/// uses the bulkId attribute within the enterprise extension managerId
/// attribute."
#[tokio::test]
async fn s3_7_2_bulk_ids_in_extensions() {
    let h = Harness::new().await;
    let (status, body) = h
        .post(
            "/Bulk",
            json!({
              "schemas": [BULK_REQUEST],
              "Operations": [
                {
                  "method": "POST",
                  "path": "/Users",
                  "bulkId": "qwerty",
                  "data": {
                    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                    "userName": "Alice"
                  }
                },
                {
                  "method": "POST",
                  "path": "/Users",
                  "bulkId": "ytrewq",
                  "data": {
                    "schemas": [
                      "urn:ietf:params:scim:schemas:core:2.0:User",
                      "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
                    ],
                    "userName": "Bob",
                    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {
                      "employeeNumber": "11250",
                      "manager": {
                        "value": "bulkId:qwerty"
                      }
                    }
                  }
                }
              ]
            }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let ops = body["Operations"].as_array().unwrap();
    let alice = id_of(&ops[0]["location"]);
    let (_, bob) = h
        .get(&format!("/Users/{}", id_of(&ops[1]["location"])))
        .await;
    assert_eq!(bob[ENTERPRISE]["manager"]["value"], alice);
    assert_eq!(bob[ENTERPRISE]["employeeNumber"], "11250");
}

/// §3.7.1: "The following example exhibits the potential conflict." The
/// service provider "MUST try to resolve circular cross-references between
/// resources in a single bulk job": Group A is created first without its
/// member B, and B is added once it exists. "If the service provider
/// resolved the above circular references, the following is returned from
/// a subsequent GET request."
#[tokio::test]
async fn s3_7_1_circular_references_are_resolved() {
    let h = Harness::new().await;
    let (status, body) = h
        .post(
            "/Bulk",
            json!({
              "schemas": [BULK_REQUEST],
              "Operations": [
                {
                  "method": "POST",
                  "path": "/Groups",
                  "bulkId": "qwerty",
                  "data": {
                    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                    "displayName": "Group A",
                    "members": [
                      {
                        "type": "Group",
                        "value": "bulkId:ytrewq"
                      }
                    ]
                  }
                },
                {
                  "method": "POST",
                  "path": "/Groups",
                  "bulkId": "ytrewq",
                  "data": {
                    "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                    "displayName": "Group B",
                    "members": [
                      {
                        "type": "Group",
                        "value": "bulkId:qwerty"
                      }
                    ]
                  }
                }
              ]
            }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let ops = body["Operations"].as_array().unwrap();
    assert_eq!(ops[0]["status"], "201", "{body}");
    assert_eq!(ops[1]["status"], "201", "{body}");
    let a = id_of(&ops[0]["location"]);
    let b = id_of(&ops[1]["location"]);
    let (_, group_a) = h.get(&format!("/Groups/{a}")).await;
    assert_eq!(group_a["displayName"], "Group A");
    assert_eq!(
        group_a["members"],
        json!([{"value": b, "$ref": format!("{BASE}/Groups/{b}"), "type": "Group"}])
    );
    // The version reported is the one after the deferred member was added.
    assert_eq!(ops[0]["version"], group_a["meta"]["version"]);
    let (_, group_b) = h.get(&format!("/Groups/{b}")).await;
    assert_eq!(
        group_b["members"],
        json!([{"value": a, "$ref": format!("{BASE}/Groups/{a}"), "type": "Group"}])
    );

    // A reference to a POST that failed cannot be resolved: 409, and the
    // rest of the request runs.
    h.user("taken").await;
    let (_, body) = h
        .post(
            "/Bulk",
            json!({"schemas": [BULK_REQUEST], "Operations": [
                {"method": "POST", "path": "/Groups", "bulkId": "g",
                 "data": {"schemas": [GROUP], "displayName": "G", "members": [{"value": "bulkId:u"}]}},
                {"method": "POST", "path": "/Users", "bulkId": "u", "data": {"schemas": [USER], "userName": "taken"}},
                {"method": "POST", "path": "/Users", "bulkId": "v", "data": {"schemas": [USER], "userName": "free"}}
            ]}),
        )
        .await;
    let statuses: Vec<&str> = body["Operations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["409", "409", "201"], "{body}");
    let (_, groups) = h.get("/Groups?filter=displayName+eq+%22G%22").await;
    assert_eq!(
        groups["totalResults"], 0,
        "the group waiting for the failed POST was not created"
    );
}

/// §3.7.4: "The service provider MUST define the maximum number of
/// operations and maximum payload size a client may send in a single
/// request. These limits MAY be retrieved from the service provider
/// configuration … If either limit is exceeded, the service provider MUST
/// return HTTP response code 413 (Payload Too Large)."
#[tokio::test]
async fn s3_7_4_limits_are_advertised_and_enforced() {
    let mut config = Config::default();
    config.limits.max_bulk_operations = 2;
    config.limits.max_bulk_payload_bytes = 1024;
    let h = Harness::with(config, vec![]).await;
    let (_, spc) = h.get("/ServiceProviderConfig").await;
    assert_eq!(
        spc["bulk"],
        json!({"supported": true, "maxOperations": 2, "maxPayloadSize": 1024})
    );

    let post = |i: usize| json!({"method": "POST", "path": "/Users", "bulkId": format!("b{i}"), "data": {"schemas": [USER], "userName": format!("u{i}")}});
    let (status, body) = h
        .post(
            "/Bulk",
            json!({"schemas": [BULK_REQUEST], "Operations": [post(1), post(2), post(3)]}),
        )
        .await;
    assert_error(status, &body, 413, None, "maxOperations (2)");
    // The RFC's example response: "The size of the bulk operation exceeds
    // the maxPayloadSize (1048576)."
    let big = json!({"schemas": [BULK_REQUEST], "Operations": [
        {"method": "POST", "path": "/Users", "bulkId": "big", "data": {"schemas": [USER], "userName": "x".repeat(1100)}}
    ]});
    let (status, body) = h.post("/Bulk", big).await;
    assert_error(status, &body, 413, None, "maxPayloadSize (1024)");
    let (_, list) = h.get("/Users").await;
    assert_eq!(list["totalResults"], 0, "nothing of a refused request ran");
    // At the limits, the request runs.
    let (status, body) = h
        .post(
            "/Bulk",
            json!({"schemas": [BULK_REQUEST], "Operations": [post(1), post(2)]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");
}
