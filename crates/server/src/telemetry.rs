//! One log line per request and Prometheus metrics.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::web;
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, Opts, Registry, TextEncoder,
};

use crate::app::ScimApp;

/// The request id header, read from the client when present, set on every
/// response.
pub const REQUEST_ID: &str = "x-request-id";

/// The server's metrics, in their own Prometheus registry.
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    store_errors: IntCounter,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    /// Fresh metrics: `scimhub_requests_total{tenant,route,status}`,
    /// `scimhub_request_duration_seconds{route}` and
    /// `scimhub_store_errors_total`.
    // Construction fails only for invalid metric names or label sets, and
    // these are constants exercised by the tests below.
    #[allow(clippy::expect_used)]
    pub fn new() -> Metrics {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new(
                "scimhub_requests_total",
                "HTTP requests by tenant, route and status",
            ),
            &["tenant", "route", "status"],
        )
        .expect("valid metric");
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "scimhub_request_duration_seconds",
                "Request latency by route",
            )
            .buckets(vec![
                0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5,
                1.0, 2.5, 5.0,
            ]),
            &["route"],
        )
        .expect("valid metric");
        let store_errors = IntCounter::new(
            "scimhub_store_errors_total",
            "Requests that failed in the store",
        )
        .expect("valid metric");
        registry
            .register(Box::new(requests.clone()))
            .expect("unique metric");
        registry
            .register(Box::new(latency.clone()))
            .expect("unique metric");
        registry
            .register(Box::new(store_errors.clone()))
            .expect("unique metric");
        Metrics {
            registry,
            requests,
            latency,
            store_errors,
        }
    }

    /// Counts a request.
    pub fn observe(&self, tenant: &str, route: &str, status: u16, seconds: f64) {
        self.requests
            .with_label_values(&[tenant, route, &status.to_string()])
            .inc();
        self.latency.with_label_values(&[route]).observe(seconds);
    }

    /// Counts a store failure.
    pub fn store_error(&self) {
        self.store_errors.inc();
    }

    /// The metrics in Prometheus text format.
    pub fn render(&self) -> String {
        let mut out = Vec::new();
        if TextEncoder::new()
            .encode(&self.registry.gather(), &mut out)
            .is_err()
        {
            return String::new();
        }
        String::from_utf8(out).unwrap_or_default()
    }
}

/// The tenant and a bounded route label of a request:
/// `/scim/v2/acme/Users/2819c223` → (`acme`, `Users/{id}`). Only the
/// service's `endpoints` ([`Service::endpoints`](scimhub_protocol::Service::endpoints))
/// get their own label; anything else is `other`, so that no client can
/// create metric series at will. Requests that were not authenticated
/// (`status` 401) count under the tenant `-`, since their tenant name is
/// whatever the client typed.
pub fn route_of(path: &str, status: u16, endpoints: &[String]) -> (String, String) {
    let mut parts = path.trim_matches('/').split('/');
    match (parts.next(), parts.next(), parts.next()) {
        (Some("scim"), Some("v2"), Some(tenant)) => {
            let endpoint = parts.next().unwrap_or("");
            let endpoint = if endpoint.is_empty() || endpoints.iter().any(|e| e == endpoint) {
                endpoint
            } else {
                "other"
            };
            let route = match parts.next() {
                None => endpoint.to_owned(),
                Some(".search") => format!("{endpoint}/.search"),
                Some(_) => format!("{endpoint}/{{id}}"),
            };
            let tenant = if status == 401 { "-" } else { tenant };
            (
                tenant.to_owned(),
                if route.is_empty() { "/".into() } else { route },
            )
        }
        _ => {
            let route = match path {
                "/healthz" | "/readyz" | "/metrics" => path,
                _ => "other",
            };
            ("-".to_owned(), route.to_owned())
        }
    }
}

/// Middleware: a request id, one structured log line per request (tenant,
/// method, path without query, status, latency, request id — never tokens
/// or bodies), and metrics.
pub async fn log_requests(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody + 'static>, actix_web::Error> {
    let start = Instant::now();
    let request_id = req
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .filter(|v| !v.is_empty() && v.len() <= 128 && v.bytes().all(|b| b.is_ascii_graphic()))
        .map(str::to_owned)
        // A random (v4) UUID from the thread's generator, which reseeds
        // itself from the OS: no system call per request.
        .unwrap_or_else(|| {
            uuid::Builder::from_random_bytes(rand::random())
                .into_uuid()
                .to_string()
        });
    let method = req.method().to_string();
    let path = req.path().to_owned();
    let app = req.app_data::<web::Data<ScimApp>>().cloned();
    let mut res = next.call(req).await?;
    let status = res.status().as_u16();
    let elapsed = start.elapsed();
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        res.headers_mut()
            .insert(HeaderName::from_static(REQUEST_ID), v);
    }
    let endpoints = app.as_ref().map_or(&[][..], |a| a.endpoints());
    let (tenant, route) = route_of(&path, status, endpoints);
    if let Some(app) = &app {
        app.metrics()
            .observe(&tenant, &route, status, elapsed.as_secs_f64());
    }
    tracing::info!(
        target: "scimhub::request",
        request_id = %request_id,
        tenant = %tenant,
        method = %method,
        path = %path,
        status,
        latency_ms = elapsed.as_secs_f64() * 1000.0,
        "request"
    );
    Ok(res)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_have_low_cardinality_labels() {
        let service = scimhub_protocol::Service::new(
            std::sync::Arc::new(scimhub_store::MemoryStore::new()),
            scimhub_protocol::Config::default(),
        );
        let endpoints = service.endpoints();
        let check = |path: &str, status: u16, tenant: &str, route: &str| {
            assert_eq!(
                route_of(path, status, &endpoints),
                (tenant.to_owned(), route.to_owned()),
                "{path}"
            );
        };
        check("/scim/v2/acme/Users/2819c223", 200, "acme", "Users/{id}");
        check("/scim/v2/acme/Users", 200, "acme", "Users");
        check("/scim/v2/acme/Users/.search", 200, "acme", "Users/.search");
        check("/scim/v2/acme", 404, "acme", "/");
        check("/scim/v2/acme/Whatever-123", 404, "acme", "other");
        check("/scim/v2/nosuch-tenant-42/Users", 401, "-", "Users");
        check("/healthz", 200, "-", "/healthz");
        check("/random/path-123", 404, "-", "other");
    }

    #[test]
    fn metrics_render_in_prometheus_format() {
        let m = Metrics::new();
        m.observe("acme", "Users", 200, 0.001);
        m.store_error();
        let text = m.render();
        assert!(
            text.contains(
                "scimhub_requests_total{route=\"Users\",status=\"200\",tenant=\"acme\"} 1"
            ),
            "{text}"
        );
        assert!(text.contains("scimhub_store_errors_total 1"), "{text}");
        assert!(
            text.contains("scimhub_request_duration_seconds_bucket"),
            "{text}"
        );
    }
}
