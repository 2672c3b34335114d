//! The product scenario, end to end through the service: Entra ID connects,
//! provisions Free and Pro groups whose licence comes from a `Switch`
//! expression as strings, adds users to both, downgrades one user by
//! removing them from Pro, and tries to provision a user from an
//! unauthorised domain.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::*;
use scimhub_protocol::Method;
use serde_json::json;

#[tokio::test]
async fn entra_licensing_scenario() {
    let h = Harness::with_domains(&["contoso.com"]).await;

    // "Test connection": a filter on a random GUID answers 200 and an empty list.
    let (status, body) = h
        .get("/Users?filter=userName+eq+%22c6a3c9d4-2b0b-4f3a-8a8e-0e2e5f1d9b77%22")
        .await;
    assert_eq!(status, 200);
    assert_eq!(body["totalResults"], 0);
    assert_eq!(body["Resources"], json!([]));

    // Initial cycle: users, then groups, then memberships.
    let mut users = Vec::new();
    for name in ["alice", "bob", "carol"] {
        let (status, body) = h
            .post(
                "/Users",
                json!({
                    "schemas": [USER, ENTERPRISE],
                    "externalId": format!("{name}-oid"),
                    "userName": format!("{name}@contoso.com"),
                    "active": "True",
                    "displayName": name,
                    "emails": [{"primary": true, "type": "work", "value": format!("{name}@contoso.com")}],
                    ENTERPRISE: {"department": "Sales"}
                }),
            )
            .await;
        assert_eq!(status, 201, "{body}");
        assert_eq!(
            body[LICENSE_USER]["license"], false,
            "a new user holds no licence"
        );
        users.push(body["id"].as_str().unwrap().to_owned());
    }
    let (alice, bob, carol) = (&users[0], &users[1], &users[2]);

    // Groups as Entra creates them: the licence attribute is a string
    // produced by Switch([objectId], "false", "<Pro id>", "true", "<Free id>", "false").
    let (status, free) = h
        .post(
            "/Groups",
            json!({
                "schemas": [GROUP, "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
                "externalId": "free-oid",
                "displayName": "Free",
                LICENSE_GROUP: {"license": "false"}
            }),
        )
        .await;
    assert_eq!(status, 201, "{free}");
    let free = free["id"].as_str().unwrap().to_owned();
    let (status, pro) = h
        .post(
            "/Groups",
            json!({
                "schemas": [GROUP],
                "externalId": "pro-oid",
                "displayName": "Pro",
                LICENSE_GROUP: {"license": "true"}
            }),
        )
        .await;
    assert_eq!(status, 201, "{pro}");
    assert_eq!(
        pro[LICENSE_GROUP]["license"], true,
        "the string is stored as a boolean"
    );
    let pro = pro["id"].as_str().unwrap().to_owned();

    let stats = h.stats().await;
    assert_eq!(
        (
            stats.users,
            stats.active_users,
            stats.licensed_users,
            stats.groups
        ),
        (3, 3, 0, 2)
    );

    // Everyone joins Free; alice and bob join Pro (Entra's PATCH form).
    let add = |ids: &[&String]| {
        Harness::patch_op(json!([{
            "op": "Add",
            "path": "members",
            "value": ids.iter().map(|id| json!({"value": id})).collect::<Vec<_>>()
        }]))
    };
    let (status, _) = h
        .patch(&format!("/Groups/{free}"), add(&[alice, bob, carol]))
        .await;
    assert_eq!(status, 204);
    let (status, _) = h.patch(&format!("/Groups/{pro}"), add(&[alice, bob])).await;
    assert_eq!(status, 204);

    assert!(h.licensed(alice).await);
    assert!(h.licensed(bob).await);
    assert!(!h.licensed(carol).await);
    let stats = h.stats().await;
    assert_eq!(
        stats.licensed_users, 2,
        "licensed users after the initial cycle"
    );

    // The licence is filterable.
    let (status, body) = h
        .get(&format!(
            "/Users?filter={LICENSE_USER}:license+eq+true&attributes=userName"
        ))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["totalResults"], 2);

    // A user's groups show both.
    let (_, body) = h.get(&format!("/Users/{alice}")).await;
    let groups: Vec<_> = body["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["display"].clone())
        .collect();
    assert_eq!(groups.len(), 2, "{body}");

    // A list page renders each user's own groups and licence.
    let (status, body) = h.get("/Users?count=50").await;
    assert_eq!(status, 200, "{body}");
    let page = body["Resources"].as_array().unwrap();
    for (id, licensed, group_count) in [(alice, true, 2), (bob, true, 2), (carol, false, 1)] {
        let user = page
            .iter()
            .find(|u| u["id"] == json!(id))
            .unwrap_or_else(|| panic!("{id} on the page: {body}"));
        assert_eq!(user[LICENSE_USER]["license"], licensed, "{user}");
        assert_eq!(
            user["groups"].as_array().map_or(0, Vec::len),
            group_count,
            "{user}"
        );
    }

    // Incremental cycle: bob is downgraded, removed from Pro with Entra's
    // default member-removal form; the licence goes with that request.
    let (status, _) = h
        .patch(
            &format!("/Groups/{pro}"),
            Harness::patch_op(
                json!([{"op": "Remove", "path": "members", "value": [{"value": bob}]}]),
            ),
        )
        .await;
    assert_eq!(status, 204);
    assert!(
        !h.licensed(bob).await,
        "the licence is revoked as soon as the PATCH arrives"
    );
    assert!(h.licensed(alice).await, "other members keep theirs");
    assert_eq!(h.members(&pro).await, vec![alice.clone()]);
    assert_eq!(h.members(&free).await.len(), 3, "Free is untouched");
    let stats = h.stats().await;
    assert_eq!(stats.licensed_users, 1);

    // Licences are read-only for clients: a write to the user's licence is ignored on create…
    let (status, body) = h
        .post(
            "/Users",
            json!({"schemas": [USER], "userName": "dave@contoso.com", LICENSE_USER: {"license": true}}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body[LICENSE_USER]["license"], false);
    // …and refused on PATCH.
    let dave = body["id"].as_str().unwrap().to_owned();
    let (status, body) = h
        .patch(
            &format!("/Users/{dave}"),
            Harness::patch_op(json!([{"op": "replace", "path": format!("{LICENSE_USER}:license"), "value": true}])),
        )
        .await;
    assert_error(status, &body, 400, Some("mutability"), "read-only");

    // A user from an unauthorised domain is refused, naming the domain,
    // and nothing is stored.
    let before = h.stats().await.users;
    let (status, body) = h
        .post(
            "/Users",
            json!({"schemas": [USER], "userName": "eve@fabrikam.com"}),
        )
        .await;
    assert_error(status, &body, 400, Some("invalidValue"), "fabrikam.com");
    let (status, body) = h
        .post(
            "/Users",
            json!({"schemas": [USER], "userName": "frank@contoso.com",
                   "emails": [{"type": "work", "value": "frank@personal.example"}]}),
        )
        .await;
    assert_error(status, &body, 400, Some("invalidValue"), "personal.example");
    assert_eq!(h.stats().await.users, before, "nothing stored");
    // Nor can an update move a user out of the allowed domains.
    let (status, body) = h
        .patch(
            &format!("/Users/{carol}"),
            Harness::patch_op(
                json!([{"op": "replace", "path": "userName", "value": "carol@fabrikam.com"}]),
            ),
        )
        .await;
    assert_error(status, &body, 400, Some("invalidValue"), "fabrikam.com");
    let (_, body) = h.get(&format!("/Users/{carol}")).await;
    assert_eq!(body["userName"], "carol@contoso.com");

    // Deprovisioning: Entra disables, then deletes.
    let (status, body) = h
        .patch(
            &format!("/Users/{alice}"),
            Harness::patch_op(json!([{"op": "Replace", "path": "active", "value": "False"}])),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["active"], false);
    assert_eq!(h.stats().await.active_users, 2);
    assert_eq!(
        h.call(Method::Delete, &format!("/Users/{alice}"), None)
            .await
            .0,
        204
    );
    assert_eq!(
        h.stats().await.licensed_users,
        0,
        "deleting the last Pro member leaves no licence"
    );
    assert!(h.members(&pro).await.is_empty());
}

/// The domain policy applies to the addresses a write brings in: after
/// the allow-list narrows, a user stored outside it can still be
/// deactivated (Entra's deprovisioning) but not given another address
/// outside it.
#[tokio::test]
async fn narrowed_allow_list_keeps_deprovisioning() {
    let mut h = Harness::with_domains(&["contoso.com", "fabrikam.com"]).await;
    let (status, body) = h
        .post(
            "/Users",
            json!({"schemas": [USER], "userName": "eve@fabrikam.com",
                   "emails": [{"value": "eve@fabrikam.com", "primary": true}]}),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let eve = body["id"].as_str().unwrap().to_owned();
    h.tenant.allowed_domains = vec!["contoso.com".into()];

    let (status, body) = h
        .patch(
            &format!("/Users/{eve}"),
            Harness::patch_op(json!([{"op": "Replace", "path": "active", "value": "False"}])),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["active"], false);

    // A replace keeping the same addresses, compared ignoring case.
    let (status, body) = h
        .put(
            &format!("/Users/{eve}"),
            json!({"schemas": [USER], "userName": "Eve@Fabrikam.com", "active": false,
                   "emails": [{"value": "eve@fabrikam.com", "primary": true}]}),
        )
        .await;
    assert_eq!(status, 200, "{body}");

    // A new address outside the list is refused, and nothing changes.
    let (status, body) = h
        .patch(
            &format!("/Users/{eve}"),
            Harness::patch_op(json!([{"op": "add", "path": "emails",
                                      "value": [{"value": "eve@personal.example"}]}])),
        )
        .await;
    assert_error(status, &body, 400, Some("invalidValue"), "personal.example");
    let (_, body) = h.get(&format!("/Users/{eve}")).await;
    assert_eq!(body["emails"].as_array().unwrap().len(), 1, "{body}");

    // A new user from the dropped domain is refused.
    let (status, body) = h
        .post(
            "/Users",
            json!({"schemas": [USER], "userName": "mallory@fabrikam.com"}),
        )
        .await;
    assert_error(status, &body, 400, Some("invalidValue"), "fabrikam.com");
}
