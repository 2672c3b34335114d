//! A single-tenant SCIM server in a few dozen lines: one tenant whose
//! token comes from the environment, stored where `SCIM_DATABASE` says.
//!
//! `SCIM_TOKEN=change-me cargo run -p scimhub-examples --example single-tenant`

use actix_web::{App, HttpServer, web};
use scimhub_protocol::tenancy::hash_token;
use scimhub_protocol::{Config, Service};
use scimhub_server::{ScimApp, configure, not_found, stores};
use scimhub_store::{NewTenant, TenantId};

/// Opens the store and makes sure the tenant `main` exists with `token`.
pub async fn build(database: &str, token: &str) -> Result<ScimApp, Box<dyn std::error::Error>> {
    let store = stores::open(database).await?;
    let id = TenantId::new("main")?;
    if store.tenant(&id).await?.is_none() {
        store
            .create_tenant(NewTenant {
                id,
                token: hash_token(token),
                allowed_domains: vec![],
            })
            .await?;
    }
    Ok(ScimApp::new(Service::new(store, Config::default())))
}

#[actix_web::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let token = std::env::var("SCIM_TOKEN").map_err(|_| "set SCIM_TOKEN to the secret token")?;
    let database = std::env::var("SCIM_DATABASE").unwrap_or_else(|_| "memory://".into());
    let app = build(&database, &token).await?;
    println!("SCIM base URL: http://127.0.0.1:8082/scim/v2/main");
    HttpServer::new(move || {
        App::new()
            .configure(|cfg| configure(cfg, app.clone()))
            .default_service(web::to(not_found))
    })
    .bind("127.0.0.1:8082")?
    .run()
    .await?;
    Ok(())
}
