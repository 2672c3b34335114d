//! Mount the SCIM service inside an existing actix-web application, beside
//! its own routes.
//!
//! `cargo run -p scimhub-examples --example mount-into-actix`
//!
//! Then: `curl -H "Authorization: Bearer <printed token>" http://127.0.0.1:8081/scim/v2/acme/Users`

use std::sync::Arc;

use actix_web::{App, HttpResponse, HttpServer, web};
use scimhub_protocol::tenancy::{generate_token, hash_token};
use scimhub_protocol::{Config, Service};
use scimhub_server::{ScimApp, configure};
use scimhub_store::{MemoryStore, NewTenant, Store, TenantId};

/// The product's own routes, plus SCIM.
pub fn routes(cfg: &mut web::ServiceConfig, scim: ScimApp) {
    cfg.route(
        "/",
        web::get().to(|| async { HttpResponse::Ok().body("the product's home page\n") }),
    )
    .route(
        "/api/projects",
        web::get().to(|| async { HttpResponse::Ok().json(["alpha", "beta"]) }),
    )
    .configure(|c| configure(c, scim));
}

/// The SCIM application over an in-memory store with one tenant, `acme`,
/// and that tenant's token.
pub async fn setup() -> Result<(ScimApp, String), Box<dyn std::error::Error>> {
    let store = Arc::new(MemoryStore::new());
    let token = generate_token();
    store
        .create_tenant(NewTenant {
            id: TenantId::new("acme")?,
            token: hash_token(&token),
            allowed_domains: vec![],
        })
        .await?;
    Ok((ScimApp::new(Service::new(store, Config::default())), token))
}

#[actix_web::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (scim, token) = setup().await?;
    println!("SCIM base URL: http://127.0.0.1:8081/scim/v2/acme\ntoken: {token}");
    HttpServer::new(move || App::new().configure(|cfg| routes(cfg, scim.clone())))
        .bind("127.0.0.1:8081")?
        .run()
        .await?;
    Ok(())
}
