//! The actix-web adapter of Scimhub.
//!
//! At this stage the server answers the discovery endpoints of RFC 7644 §4
//! — `/ServiceProviderConfig`, `/ResourceTypes[/{name}]` and
//! `/Schemas[/{urn}]` — under `/scim/v2/{tenant}/`, generated from a
//! [`Registry`]. Every other route answers 404 with a SCIM error body.
//! Resource endpoints arrive with the protocol core.
//!
//! The SCIM routes mount into any actix-web `App` with [`configure`], so a
//! product can serve SCIM beside its own routes:
//!
//! ```no_run
//! use actix_web::{App, HttpServer};
//! use scimhub_schema::Registry;
//! use scimhub_server::{Discovery, configure};
//!
//! # async fn run() -> std::io::Result<()> {
//! let discovery = Discovery::new(Registry::standard());
//! HttpServer::new(move || App::new().configure(|cfg| configure(cfg, discovery.clone())))
//!     .bind("127.0.0.1:8080")?
//!     .run()
//!     .await
//! # }
//! ```
//!
//! # Crate features
//!
//! None yet.

use std::sync::Arc;

use actix_web::http::StatusCode;
use actix_web::http::header::{CONTENT_TYPE, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, web};
use scimhub_schema::Registry;
use scimhub_schema::discovery::ServiceProviderConfig;
use scimhub_schema::message::{ErrorResponse, ListResponse, ScimType};
use serde_json::Value;

/// The media type of every SCIM response (RFC 7644 §8.1).
pub const SCIM_JSON: &str = "application/scim+json";

/// The tenants this build serves; only `default` until tenancy lands.
const TENANTS: &[&str] = &["default"];

/// The discovery documents of one registry, shared by all workers.
#[derive(Clone)]
pub struct Discovery {
    registry: Arc<Registry>,
}

impl Discovery {
    /// Serves the schemas and resource types of `registry`.
    pub fn new(registry: Registry) -> Discovery {
        Discovery {
            registry: Arc::new(registry),
        }
    }

    fn service_provider_config(&self) -> ServiceProviderConfig {
        // Only discovery is served so far: every optional feature is
        // advertised as unsupported, which is what the server does.
        ServiceProviderConfig::default()
    }
}

/// Mounts the SCIM routes (`/scim/v2/{tenant}/…`) and a SCIM 404 for every
/// other path into an actix-web app.
pub fn configure(cfg: &mut web::ServiceConfig, discovery: Discovery) {
    cfg.app_data(web::Data::new(discovery)).service(
        web::scope("/scim/v2/{tenant}")
            .route(
                "/ServiceProviderConfig",
                web::get().to(service_provider_config),
            )
            .route("/ResourceTypes", web::get().to(resource_types))
            .route("/ResourceTypes/{name}", web::get().to(resource_type))
            .route("/Schemas", web::get().to(schemas))
            .route("/Schemas/{urn}", web::get().to(schema))
            .default_service(web::to(not_found)),
    );
    cfg.default_service(web::to(not_found));
}

fn scim(status: StatusCode, body: &impl serde::Serialize) -> HttpResponse {
    let mut response = HttpResponse::build(status).json(body);
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(SCIM_JSON));
    response
}

fn error(status: StatusCode, scim_type: Option<ScimType>, detail: String) -> HttpResponse {
    scim(
        status,
        &ErrorResponse::new(status.as_u16(), scim_type, detail),
    )
}

async fn not_found(req: HttpRequest) -> HttpResponse {
    error(
        StatusCode::NOT_FOUND,
        None,
        format!("no SCIM endpoint at {}", req.path()),
    )
}

/// The tenant's base URL, for `meta.location`; `None` (a 404) for an
/// unknown tenant.
fn base_url(req: &HttpRequest) -> Result<String, HttpResponse> {
    let tenant = req.match_info().get("tenant").unwrap_or_default();
    if !TENANTS.contains(&tenant) {
        return Err(error(
            StatusCode::NOT_FOUND,
            None,
            format!("no tenant named '{tenant}'"),
        ));
    }
    let info = req.connection_info();
    Ok(format!(
        "{}://{}/scim/v2/{tenant}",
        info.scheme(),
        info.host()
    ))
}

async fn service_provider_config(req: HttpRequest, d: web::Data<Discovery>) -> HttpResponse {
    let base = match base_url(&req) {
        Ok(b) => b,
        Err(e) => return e,
    };
    let mut spc = d.service_provider_config();
    spc.meta = Some(serde_json::json!({
        "resourceType": "ServiceProviderConfig",
        "location": format!("{base}/ServiceProviderConfig"),
    }));
    scim(StatusCode::OK, &spc)
}

fn list(items: Vec<Value>) -> HttpResponse {
    let total = items.len() as u64;
    scim(StatusCode::OK, &ListResponse::new(total, 1, items))
}

async fn resource_types(req: HttpRequest, d: web::Data<Discovery>) -> HttpResponse {
    let base = match base_url(&req) {
        Ok(b) => b,
        Err(e) => return e,
    };
    list(
        d.registry
            .resource_types()
            .map(|rt| {
                let def = rt.definition();
                def.to_representation(Some(&format!("{base}/ResourceTypes/{}", def.name())))
            })
            .collect(),
    )
}

async fn resource_type(
    req: HttpRequest,
    d: web::Data<Discovery>,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let base = match base_url(&req) {
        Ok(b) => b,
        Err(e) => return e,
    };
    let (_, name) = path.into_inner();
    match d.registry.resource_type(&name) {
        Some(rt) => {
            let def = rt.definition();
            scim(
                StatusCode::OK,
                &def.to_representation(Some(&format!("{base}/ResourceTypes/{}", def.name()))),
            )
        }
        None => error(
            StatusCode::NOT_FOUND,
            None,
            format!("no resource type named '{name}'"),
        ),
    }
}

async fn schemas(req: HttpRequest, d: web::Data<Discovery>) -> HttpResponse {
    let base = match base_url(&req) {
        Ok(b) => b,
        Err(e) => return e,
    };
    list(
        d.registry
            .resource_schemas()
            .map(|s| s.to_representation(Some(&format!("{base}/Schemas/{}", s.id()))))
            .collect(),
    )
}

async fn schema(
    req: HttpRequest,
    d: web::Data<Discovery>,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let base = match base_url(&req) {
        Ok(b) => b,
        Err(e) => return e,
    };
    let (_, id) = path.into_inner();
    match d.registry.schema(&id) {
        Some(s) => scim(
            StatusCode::OK,
            &s.to_representation(Some(&format!("{base}/Schemas/{}", s.id()))),
        ),
        None => error(
            StatusCode::NOT_FOUND,
            None,
            format!("no schema with id '{id}'"),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::{App, test};

    async fn get(path: &str) -> (StatusCode, Value) {
        let app = test::init_service(
            App::new().configure(|cfg| configure(cfg, Discovery::new(Registry::standard()))),
        )
        .await;
        let resp = test::call_service(&app, test::TestRequest::get().uri(path).to_request()).await;
        let status = resp.status();
        assert_eq!(
            resp.headers().get(CONTENT_TYPE).unwrap(),
            SCIM_JSON,
            "{path}"
        );
        (status, test::read_body_json(resp).await)
    }

    #[actix_web::test]
    async fn serves_discovery_documents() {
        let (s, spc) = get("/scim/v2/default/ServiceProviderConfig").await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(spc["patch"]["supported"], false);
        assert_eq!(spc["authenticationSchemes"][0]["type"], "oauthbearertoken");
        assert_eq!(
            spc["meta"]["location"],
            "http://localhost:8080/scim/v2/default/ServiceProviderConfig"
        );

        let (_, types) = get("/scim/v2/default/ResourceTypes").await;
        assert_eq!(types["totalResults"], 2);
        assert_eq!(types["Resources"][0]["endpoint"], "/Users");

        let (_, user) = get("/scim/v2/default/ResourceTypes/User").await;
        assert_eq!(
            user["schemaExtensions"][0]["schema"],
            scimhub_schema::urn::ENTERPRISE_USER
        );

        let (_, schemas) = get("/scim/v2/default/Schemas").await;
        assert_eq!(schemas["totalResults"], 5);

        let (s, schema) =
            get("/scim/v2/default/Schemas/urn:ietf:params:scim:schemas:core:2.0:Group").await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(schema["name"], "Group");
    }

    #[actix_web::test]
    async fn unknown_paths_are_scim_404s() {
        for path in [
            "/",
            "/scim/v2/default/Users",
            "/scim/v2/other/Schemas",
            "/scim/v2/default/Schemas/urn:nope",
            "/scim/v2/default/ResourceTypes/Device",
        ] {
            let (s, body) = get(path).await;
            assert_eq!(s, StatusCode::NOT_FOUND, "{path}");
            assert_eq!(body["status"], "404", "{path}");
            assert_eq!(body["schemas"][0], scimhub_schema::urn::ERROR, "{path}");
        }
    }
}
