//! The service: routes a request to its handler and turns every outcome
//! into a response.

use std::sync::Arc;

use scimhub_filter::Parser;
use scimhub_schema::{Registry, ResourceTypeRef, Settings, UnknownAttributes};
use scimhub_store::{Store, Tenant};

use crate::config::{Compatibility, Config};
use crate::error::{Result, ScimError};
use crate::request::{Method, Request, Response};
use crate::{bulk, discovery, render, resources, search};

/// The SCIM service of one deployment: a registry, a store and a
/// configuration, shared by every tenant. Cheap to clone.
#[derive(Clone)]
pub struct Service {
    pub(crate) inner: Arc<Inner>,
    store: Arc<dyn Store>,
}

pub(crate) struct Inner {
    pub(crate) registry: Registry,
    pub(crate) config: Config,
    pub(crate) parser: Parser,
    /// The resource types whose stored documents the default projection
    /// returns unchanged (see `render::default_keeps_stored`), decided
    /// once from the registry.
    pub(crate) returned_as_stored: Vec<String>,
}

impl Service {
    /// A service over `store` with the standard registry (User with the
    /// enterprise and licence extensions, Group with the licence
    /// extension).
    pub fn new(store: Arc<dyn Store>, config: Config) -> Service {
        let mut settings = Settings::default();
        if config.compatibility == Compatibility::Strict {
            settings.unknown_attributes = UnknownAttributes::Reject;
            settings.strict_schemas = true;
            settings.strict_booleans = true;
        }
        Service::with_registry(Registry::standard_with(settings), store, config)
    }

    /// A service with a registry of your own (custom extensions or
    /// resource types).
    pub fn with_registry(registry: Registry, store: Arc<dyn Store>, config: Config) -> Service {
        let parser = Parser::builder()
            .length_limit(config.limits.max_filter_length)
            .nest_limit(config.limits.max_filter_nesting)
            .build();
        let returned_as_stored = registry
            .resource_types()
            .filter(|rt| render::default_keeps_stored(*rt))
            .map(|rt| rt.name().to_owned())
            .collect();
        Service {
            inner: Arc::new(Inner {
                registry,
                config,
                parser,
                returned_as_stored,
            }),
            store,
        }
    }

    /// The registry.
    pub fn registry(&self) -> &Registry {
        &self.inner.registry
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// The same service reading and writing through `store` instead: a
    /// session of its store ([`Store::session`]) for one request, so
    /// that the request's reads share one snapshot.
    pub fn with_store(&self, store: Arc<dyn Store>) -> Service {
        Service {
            inner: self.inner.clone(),
            store,
        }
    }

    /// Whether the default projection returns the stored documents of
    /// `rt` unchanged, so that they can be rendered from their text.
    pub(crate) fn returns_as_stored(&self, rt: ResourceTypeRef<'_>) -> bool {
        self.inner.returned_as_stored.iter().any(|n| n == rt.name())
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The first path segments this service answers under a tenant's base
    /// URL: the endpoint of every registered resource type (`Users`,
    /// `Groups`, …), then `.search`, `Bulk`, `Me`, `ServiceProviderConfig`,
    /// `ResourceTypes` and `Schemas`. For an adapter that labels requests
    /// (metrics) without knowing SCIM.
    pub fn endpoints(&self) -> Vec<String> {
        let types = self.registry().resource_types().map(|rt| {
            let ep = rt.definition().endpoint();
            ep.strip_prefix('/').unwrap_or(ep).to_owned()
        });
        let fixed = [
            ".search",
            "Bulk",
            "Me",
            "ServiceProviderConfig",
            "ResourceTypes",
            "Schemas",
        ]
        .map(str::to_owned);
        types.chain(fixed).collect()
    }

    /// Handles one request for an authenticated tenant. Never fails: every
    /// error becomes a SCIM error response.
    pub async fn handle(&self, tenant: &Tenant, request: Request) -> Response {
        match self.route(tenant, &request).await {
            Ok(r) => r,
            Err(e) => {
                if e.status >= 500 {
                    tracing::warn!(status = e.status, method = request.method.as_str(), path = %request.path, "request failed");
                }
                Response::error(&e)
            }
        }
    }

    async fn route(&self, tenant: &Tenant, req: &Request) -> Result<Response> {
        let segments: Vec<&str> = req
            .path
            .trim_matches('/')
            .split('/')
            .filter(|s| !s.is_empty())
            .collect();
        // HEAD is answered as GET; the HTTP layer sends no body with it
        // (RFC 9110 §9.3.2), as actix-web, hyper and axum do.
        let m = match &req.method {
            Method::Other(name) if name == "HEAD" => &Method::Get,
            m => m,
        };
        match segments.as_slice() {
            ["ServiceProviderConfig"] => {
                only_get(m, || discovery::service_provider_config(self, req))
            }
            ["ResourceTypes"] => only_get(m, || discovery::resource_types(self, req)),
            ["ResourceTypes", name] => only_get(m, || discovery::resource_type(self, req, name)),
            ["Schemas"] => only_get(m, || discovery::schemas(self, req)),
            ["Schemas", id] => only_get(m, || discovery::schema(self, req, id)),
            ["Me", ..] => Err(ScimError::not_implemented(
                "/Me is not available: a provisioning token represents a client, not a user",
            )),
            ["Bulk"] => match m {
                Method::Post => bulk::bulk(self, tenant, req).await,
                _ => not_allowed("POST", "/Bulk accepts POST only"),
            },
            [".search"] => match m {
                Method::Post => search::search_all(self, tenant, req).await,
                _ => not_allowed("POST", "/.search accepts POST only"),
            },
            [endpoint, rest @ ..] => {
                let rt = self.resource_type(endpoint)?;
                match (rest, m) {
                    ([], Method::Get) => search::list(self, tenant, rt, req).await,
                    ([], Method::Post) => resources::create(self, tenant, rt, req).await,
                    ([".search"], Method::Post) => search::search(self, tenant, rt, req).await,
                    // Not an id: `.search` is a search endpoint (RFC 7644
                    // §3.4.3), so other methods are 405, not "no such id".
                    ([".search"], _) => not_allowed(
                        "POST",
                        format!(
                            "{} is not allowed on {}; search with POST",
                            req.method.as_str(),
                            req.path
                        ),
                    ),
                    ([id], Method::Get) => resources::get(self, tenant, rt, req, id).await,
                    ([id], Method::Put) => resources::replace(self, tenant, rt, req, id).await,
                    ([id], Method::Patch) => resources::patch(self, tenant, rt, req, id).await,
                    ([id], Method::Delete) => resources::delete(self, tenant, rt, req, id).await,
                    ([], _) => not_allowed(
                        "GET, HEAD, POST",
                        format!("{} is not allowed on {}", req.method.as_str(), req.path),
                    ),
                    ([_], _) => not_allowed(
                        "GET, HEAD, PUT, PATCH, DELETE",
                        format!("{} is not allowed on {}", req.method.as_str(), req.path),
                    ),
                    _ => Err(ScimError::not_found(format!(
                        "no SCIM endpoint at {}",
                        req.path
                    ))),
                }
            }
            [] => Err(ScimError::not_found(
                "this is the SCIM base URL; resources are under /Users and /Groups",
            )),
        }
    }

    /// The resource type served at `endpoint` (`Users`).
    pub(crate) fn resource_type(&self, endpoint: &str) -> Result<ResourceTypeRef<'_>> {
        self.inner
            .registry
            .resource_type_by_endpoint(endpoint)
            .ok_or_else(|| ScimError::not_found(format!("no SCIM endpoint at /{endpoint}")))
    }
}

/// A 405 naming, in `Allow`, the methods the endpoint supports (RFC 9110
/// §15.5.6). An answer rather than an error, since the error carries no
/// headers; Bulk reads it from the response all the same.
fn not_allowed(allow: &'static str, detail: impl Into<String>) -> Result<Response> {
    Ok(Response::error(&ScimError::method_not_allowed(detail)).with_header("Allow", allow))
}

fn only_get(method: &Method, f: impl FnOnce() -> Result<Response>) -> Result<Response> {
    match method {
        Method::Get => f(),
        _ => not_allowed("GET, HEAD", "discovery endpoints accept GET only"),
    }
}
