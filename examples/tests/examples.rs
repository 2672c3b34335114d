//! Runs each example's logic, so the examples stay correct.

#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../custom-extension.rs"]
mod custom_extension;
#[path = "../custom-store.rs"]
mod custom_store;
#[path = "../mount-into-actix.rs"]
mod mount_into_actix;
#[path = "../single-tenant.rs"]
mod single_tenant;

use actix_web::{App, test as web_test};

#[test]
fn custom_extension_validates_and_refuses() {
    custom_extension::main().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn custom_store_passes_the_conformance_kit() {
    custom_store::check().await;
}

#[actix_web::test]
async fn mounted_scim_lives_beside_the_products_routes() {
    let (scim, token) = mount_into_actix::setup().await.unwrap();
    let app = web_test::init_service(
        App::new().configure(|cfg| mount_into_actix::routes(cfg, scim.clone())),
    )
    .await;
    let home =
        web_test::call_service(&app, web_test::TestRequest::get().uri("/").to_request()).await;
    assert_eq!(home.status(), 200);
    let users = web_test::TestRequest::get()
        .uri("/scim/v2/acme/Users")
        .insert_header(("Authorization", format!("Bearer {token}")))
        .to_request();
    let resp = web_test::call_service(&app, users).await;
    assert_eq!(resp.status(), 200);
    let body: serde_json::Value = web_test::read_body_json(resp).await;
    assert_eq!(body["totalResults"], 0);
    let anonymous = web_test::call_service(
        &app,
        web_test::TestRequest::get()
            .uri("/scim/v2/acme/Users")
            .to_request(),
    )
    .await;
    assert_eq!(anonymous.status(), 401);
}

#[actix_web::test]
async fn the_single_tenant_server_accepts_its_token() {
    let app = single_tenant::build("memory://", "change-me")
        .await
        .unwrap();
    let service = web_test::init_service(
        App::new().configure(|cfg| scimhub_server::configure(cfg, app.clone())),
    )
    .await;
    let req = web_test::TestRequest::post()
        .uri("/scim/v2/main/Users")
        .insert_header(("Authorization", "Bearer change-me"))
        .insert_header(("Content-Type", "application/scim+json"))
        .set_payload(
            r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"userName":"solo"}"#,
        )
        .to_request();
    let resp = web_test::call_service(&service, req).await;
    assert_eq!(resp.status(), 201);
}
