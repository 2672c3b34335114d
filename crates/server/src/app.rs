//! The SCIM routes: authentication, body handling, and the adaptation of
//! actix requests to the protocol core and back.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method as HttpMethod, StatusCode, Version};
use actix_web::{FromRequest, Handler, HttpRequest, HttpResponse, Resource, Responder, guard, web};
use futures::StreamExt;
use parking_lot::Mutex;
use scimhub_protocol::{
    Method, Request, Response, SCIM_JSON, ScimError, Service, parse_query, tenancy,
};
use scimhub_schema::datetime::DateTime;
use scimhub_store::{Store, Tenant, TenantId};

use crate::limit::RateLimits;
use crate::telemetry::Metrics;

/// The SCIM application: the protocol service plus what serving it over
/// HTTP needs. Clone it into each worker's `App`.
#[derive(Clone)]
pub struct ScimApp {
    service: Service,
    /// The service's endpoints, the route labels of the metrics.
    endpoints: Vec<String>,
    metrics: Metrics,
    limits: RateLimits,
    last_seen: Arc<Mutex<HashMap<TenantId, Instant>>>,
}

/// How often a tenant's "last request" time is written to the store: at
/// most once a minute, so statistics cost nothing per request.
const LAST_SEEN_INTERVAL: Duration = Duration::from_secs(60);

impl ScimApp {
    /// An application serving `service`.
    pub fn new(service: Service) -> ScimApp {
        ScimApp {
            endpoints: service.endpoints(),
            service,
            metrics: Metrics::new(),
            limits: RateLimits::new(None),
            last_seen: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    /// Sets the request-rate limit (requests per second) of tenants that
    /// have none of their own; `None` (the default) leaves them unlimited.
    pub fn with_default_rate_limit(mut self, rate: Option<u32>) -> ScimApp {
        self.limits = RateLimits::new(rate);
        self
    }

    /// The protocol service.
    pub fn service(&self) -> &Service {
        &self.service
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn Store> {
        self.service.store()
    }

    /// The first path segments the service answers under a tenant's
    /// base URL ([`Service::endpoints`]), computed once.
    pub fn endpoints(&self) -> &[String] {
        &self.endpoints
    }

    /// The Prometheus metrics.
    pub fn metrics(&self) -> &Metrics {
        &self.metrics
    }

    /// Records that `tenant` made a request, at most once per interval.
    async fn seen(&self, tenant: &TenantId) {
        let due = {
            let mut map = self.last_seen.lock();
            let now = Instant::now();
            match map.get(tenant) {
                Some(t) if now.duration_since(*t) < LAST_SEEN_INTERVAL => false,
                _ => {
                    map.insert(tenant.clone(), now);
                    true
                }
            }
        };
        if due && let Err(e) = self.store().record_request(tenant, DateTime::now()).await {
            tracing::warn!(error = %e, tenant = %tenant, "could not record the tenant's last request");
        }
    }
}

/// Mounts the SCIM service under `/scim/v2/{tenant}`, `/healthz`,
/// `/readyz`, `/metrics`, and a SCIM 404 for every other path, into an
/// actix-web app.
///
/// To add SCIM beside a product's own routes, call it from the product's
/// `App::configure`; the routes it adds do not overlap others unless the
/// product also serves `/scim/v2/…`, `/healthz`, `/readyz` or `/metrics`.
pub fn configure(cfg: &mut web::ServiceConfig, app: ScimApp) {
    cfg.app_data(web::Data::new(app))
        .service(read_only("/healthz", healthz))
        .service(read_only("/readyz", readyz))
        .service(read_only("/metrics", metrics))
        // A static prefix and a hand-split path: dynamic route segments
        // would cost a regex match on every request.
        .service(web::scope("/scim/v2").default_service(web::to(scim)));
}

/// A resource at `path` served by `handler` for GET and HEAD (which
/// actix-web answers without the body), and by a 405 naming those two for
/// any other method.
fn read_only<F, Args>(path: &str, handler: F) -> Resource
where
    F: Handler<Args>,
    Args: FromRequest + 'static,
    F::Output: Responder + 'static,
{
    web::resource(path)
        .route(
            web::route()
                .guard(guard::Any(guard::Get()).or(guard::Head()))
                .to(handler),
        )
        .default_service(web::to(|req: HttpRequest| async move {
            to_http(
                Response::error(&ScimError::method_not_allowed(format!(
                    "{} is not allowed on {}; it answers GET and HEAD",
                    req.method(),
                    req.path()
                )))
                .with_header("Allow", "GET, HEAD"),
            )
        }))
}

/// The handler for paths no route serves: a SCIM 404.
pub async fn not_found(req: HttpRequest) -> HttpResponse {
    to_http(Response::error(&ScimError::not_found(format!(
        "no endpoint at {}; SCIM resources live under /scim/v2/{{tenant}}/",
        req.path()
    ))))
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain").body("ok\n")
}

async fn readyz(app: web::Data<ScimApp>) -> HttpResponse {
    match app.store().ping().await {
        Ok(()) => HttpResponse::Ok()
            .content_type("text/plain")
            .body("ready\n"),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed: the store does not answer");
            app.metrics.store_error();
            HttpResponse::ServiceUnavailable()
                .content_type("text/plain")
                .body("store unavailable\n")
        }
    }
}

async fn metrics(app: web::Data<ScimApp>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(app.metrics.render())
}

/// Converts a protocol response into an actix one.
pub(crate) fn to_http(r: Response) -> HttpResponse {
    let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut out = HttpResponse::build(status);
    for (k, v) in &r.headers {
        out.insert_header((k.as_str(), v.as_str()));
    }
    if r.status == 401 {
        out.insert_header((header::WWW_AUTHENTICATE, "Bearer realm=\"scim\""));
    }
    if r.body.is_empty() {
        out.finish()
    } else {
        out.insert_header((header::CONTENT_TYPE, HeaderValue::from_static(SCIM_JSON)));
        out.body(r.body)
    }
}

fn error(e: ScimError) -> HttpResponse {
    to_http(Response::error(&e))
}

/// The bearer token of the request, if it sent one.
fn bearer(req: &HttpRequest) -> Option<&str> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// Authenticates the request for the tenant named in the URL. A missing
/// token, an unknown one and another tenant's all get the same 401, so
/// the answer reveals nothing about which tenants exist.
async fn authenticate(
    app: &ScimApp,
    store: &dyn Store,
    req: &HttpRequest,
    tenant: &str,
) -> Result<Tenant, HttpResponse> {
    let unauthorized = |why: &str| {
        tracing::debug!(tenant, why, "unauthenticated SCIM request");
        error(ScimError::unauthorized(
            "a valid bearer token for this tenant is required (Authorization: Bearer <token>)",
        ))
    };
    let Some(token) = bearer(req) else {
        return Err(unauthorized("no bearer token"));
    };
    let now = DateTime::now();
    // Every request looks its token up in the store: a token rotated
    // without grace, a tenant deleted or its domains changed (by the CLI,
    // perhaps in another process) take effect on the next request.
    let hash = tenancy::hash_token(token);
    let found = match store.tenant_by_token(&hash, now).await {
        Ok(t) => t,
        Err(e) => {
            tracing::error!(error = %e, source = ?std::error::Error::source(&e), "tenant lookup failed");
            app.metrics.store_error();
            return Err(error(ScimError::internal()));
        }
    };
    match found {
        // The store found the tenant by the token's hash; comparing the
        // name and re-checking the token in constant time guards against
        // a store that matches loosely.
        Some(t) if t.id.as_str() == tenant && tenancy::hash_matches(&t, &hash, now) => Ok(t),
        Some(_) => Err(unauthorized("token of another tenant")),
        None => Err(unauthorized("unknown token")),
    }
}

/// Whether a request only reads and carries no body: an HTTP/1.x `GET`
/// or `HEAD` without `Content-Length` (or with 0) and without
/// `Transfer-Encoding`. (In HTTP/2 a body needs neither header.)
fn reads_only(req: &HttpRequest) -> bool {
    let headers = req.headers();
    matches!(*req.method(), HttpMethod::GET | HttpMethod::HEAD)
        && req.version() <= Version::HTTP_11
        && !headers.contains_key(header::TRANSFER_ENCODING)
        && headers
            .get(header::CONTENT_LENGTH)
            .is_none_or(|v| v.as_bytes() == b"0")
}

/// The URL of the tenant's SCIM root as the client addressed it: the
/// scheme and host `HttpRequest::connection_info` gives (which honours
/// `Forwarded` and `X-Forwarded-*` from a proxy). Without those headers
/// they are read here directly, as `connection_info` would read them,
/// without its cost (it also formats the peer's address and copies every
/// field).
fn base_url(req: &HttpRequest, tenant: &str) -> String {
    let headers = req.headers();
    if headers.contains_key(header::FORWARDED)
        || headers.contains_key(header::X_FORWARDED_PROTO)
        || headers.contains_key(header::X_FORWARDED_HOST)
    {
        let info = req.connection_info();
        return [info.scheme(), "://", info.host(), "/scim/v2/", tenant].concat();
    }
    let config = req.app_config();
    let scheme = req
        .uri()
        .scheme_str()
        .unwrap_or(if config.secure() { "https" } else { "http" });
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .or_else(|| req.uri().authority().map(|a| a.as_str()))
        .unwrap_or_else(|| config.host());
    [scheme, "://", host, "/scim/v2/", tenant].concat()
}

fn method(m: &HttpMethod) -> Method {
    Method::parse(m.as_str())
}

/// Whether a Content-Type names JSON (`application/scim+json` or
/// `application/json`, parameters such as `charset` allowed).
fn is_json(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or("").trim();
    essence.eq_ignore_ascii_case(SCIM_JSON) || essence.eq_ignore_ascii_case("application/json")
}

/// Reads the body up to `limit` bytes; beyond it, a SCIM 413.
async fn read_body(mut payload: web::Payload, limit: usize) -> Result<Vec<u8>, HttpResponse> {
    let mut body = Vec::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| {
            error(ScimError::invalid_syntax(format!(
                "the request body could not be read: {e}"
            )))
        })?;
        if body.len() + chunk.len() > limit {
            return Err(error(ScimError::payload_too_large(format!(
                "the request body exceeds the limit of {limit} bytes"
            ))));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

async fn scim(req: HttpRequest, payload: web::Payload, app: web::Data<ScimApp>) -> HttpResponse {
    // The path below /scim/v2: `/{tenant}` or `/{tenant}/{rest}`.
    let below = req.path().strip_prefix("/scim/v2").unwrap_or("");
    let below = below.strip_prefix('/').unwrap_or(below);
    let (tenant_name, rest) = below.split_once('/').unwrap_or((below, ""));
    if tenant_name.is_empty() {
        return not_found(req).await;
    }
    // A request that only reads, and sends no body to wait for, checks
    // its token and reads through one session of the store, so that its
    // reads share one snapshot (one read transaction on SQLite); the
    // session ends when this handler returns, before the response is
    // written. Any other request checks its token on the store itself.
    let session = if reads_only(&req) {
        app.store().session()
    } else {
        None
    };
    let store = session.as_ref().unwrap_or(app.store());
    let tenant = match authenticate(&app, &**store, &req, tenant_name).await {
        Ok(t) => t,
        Err(resp) => return resp,
    };
    if let Err(wait) = app.limits.check(&tenant.id, tenant.rate_limit) {
        let seconds = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        let mut resp = error(ScimError::too_many_requests(format!(
            "tenant '{}' is over its request-rate limit; retry after {} s",
            tenant.id,
            seconds.max(1)
        )));
        if let Ok(v) = HeaderValue::from_str(&seconds.max(1).to_string()) {
            resp.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return resp;
    }
    app.seen(&tenant.id).await;
    let limits = app.service.config().limits;
    let is_bulk = rest.trim_matches('/').eq_ignore_ascii_case("Bulk");
    let limit = if is_bulk {
        limits.max_bulk_payload_bytes
    } else {
        limits.max_body_bytes
    };
    let body = match read_body(payload, limit).await {
        Ok(b) => b,
        Err(resp) => return resp,
    };
    if !body.is_empty() {
        let content_type = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !is_json(content_type) {
            return error(ScimError::unsupported_media_type(format!(
                "send the body as {SCIM_JSON} or application/json, not \"{content_type}\""
            )));
        }
    }
    let header_text = |name: header::HeaderName| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let base_url = base_url(&req, tenant_name);
    let request = Request {
        method: method(req.method()),
        path: ["/", rest].concat(),
        query: parse_query(req.query_string()),
        if_match: header_text(header::IF_MATCH),
        if_none_match: header_text(header::IF_NONE_MATCH),
        body,
        base_url,
    };
    let response = match session {
        Some(s) => app.service.with_store(s).handle(&tenant, request).await,
        None => app.service.handle(&tenant, request).await,
    };
    if response.status == 500 || response.status == 503 {
        app.metrics.store_error();
    }
    to_http(response)
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;

    use super::*;

    #[test]
    fn only_bodiless_http1_reads_keep_a_session() {
        let get = || TestRequest::get().uri("/scim/v2/acme/Users");
        assert!(reads_only(&get().to_http_request()));
        assert!(reads_only(
            &get()
                .insert_header((header::CONTENT_LENGTH, "0"))
                .to_http_request()
        ));
        assert!(reads_only(
            &TestRequest::default()
                .method(HttpMethod::HEAD)
                .to_http_request()
        ));
        for req in [
            get()
                .insert_header((header::CONTENT_LENGTH, "5"))
                .to_http_request(),
            get()
                .insert_header((header::TRANSFER_ENCODING, "chunked"))
                .to_http_request(),
            get().version(Version::HTTP_2).to_http_request(),
            TestRequest::post().to_http_request(),
            TestRequest::patch().to_http_request(),
        ] {
            assert!(!reads_only(&req), "{req:?}");
        }
    }

    /// Read directly or through `connection_info`, the base URL is the
    /// same, proxied or not.
    #[test]
    fn base_urls_agree_with_connection_info() {
        let with = |headers: &[(&str, &str)], uri: &str| {
            let mut r = TestRequest::get().uri(uri);
            for (name, value) in headers {
                r = r.insert_header((*name, *value));
            }
            r.to_http_request()
        };
        let cases = [
            with(&[], "/scim/v2/acme/Users"),
            with(&[("host", "scim.example.com")], "/scim/v2/acme/Users"),
            with(&[("host", "scim.example.com:8443")], "/scim/v2/acme/Users"),
            with(&[], "https://scim.example.com/scim/v2/acme/Users"),
            // A Host that is not text: both fall back to the URI, then
            // the configured host.
            TestRequest::get()
                .uri("/scim/v2/acme/Users")
                .insert_header((header::HOST, HeaderValue::from_bytes(b"h\xff").unwrap()))
                .to_http_request(),
            with(
                &[
                    ("host", "inner:8080"),
                    ("x-forwarded-host", "outer.example.com"),
                ],
                "/scim/v2/acme/Users",
            ),
            with(
                &[("host", "inner:8080"), ("x-forwarded-proto", "https")],
                "/scim/v2/acme/Users",
            ),
            with(
                &[
                    ("host", "inner"),
                    ("forwarded", "for=10.0.0.1; proto=https; host=outer"),
                ],
                "/scim/v2/acme/Users",
            ),
        ];
        for req in cases {
            let info = req.connection_info().clone();
            let expected = format!("{}://{}/scim/v2/acme", info.scheme(), info.host());
            assert_eq!(base_url(&req, "acme"), expected, "{req:?}");
        }
        let proxied = with(&[("host", "inner"), ("x-forwarded-host", "outer")], "/");
        assert_eq!(base_url(&proxied, "t"), "http://outer/scim/v2/t");
    }

    #[test]
    fn json_media_types() {
        for ok in [
            "application/scim+json",
            "application/json",
            "application/json; charset=utf-8",
            "Application/SCIM+JSON;charset=UTF-8",
        ] {
            assert!(is_json(ok), "{ok}");
        }
        for bad in ["", "text/plain", "application/xml", "application/jsonp"] {
            assert!(!is_json(bad), "{bad}");
        }
    }
}
