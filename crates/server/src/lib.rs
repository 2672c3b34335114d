//! The scimhub server: an actix-web adapter for the SCIM service of
//! `scimhub-protocol`, with multi-tenant bearer authentication, logging,
//! metrics, TLS, the command line and the `scimhub` binary.
//!
//! It interprets no SCIM itself: it authenticates the tenant, reads the
//! body (JSON only, within the limits), hands a plain request to the
//! protocol core and writes back what it returns.
//!
//! Mount SCIM into an existing actix-web application beside its own
//! routes:
//!
//! ```no_run
//! use std::sync::Arc;
//! use actix_web::{App, HttpResponse, HttpServer, web};
//! use scimhub_protocol::{Config, Service};
//! use scimhub_server::{ScimApp, configure};
//! use scimhub_store::MemoryStore;
//!
//! # async fn run() -> std::io::Result<()> {
//! let scim = ScimApp::new(Service::new(Arc::new(MemoryStore::new()), Config::default()));
//! HttpServer::new(move || {
//!     App::new()
//!         .route("/", web::get().to(|| async { HttpResponse::Ok().body("my product") }))
//!         .configure(|cfg| configure(cfg, scim.clone()))
//! })
//! .bind("127.0.0.1:8080")?
//! .run()
//! .await
//! # }
//! # fn main() { let _ = run; }
//! ```
//!
//! # Routes
//!
//! - `/scim/v2/{tenant}/…`: the SCIM API of a tenant; every request needs
//!   `Authorization: Bearer <token>` of that tenant (discovery included),
//!   otherwise 401 with `WWW-Authenticate: Bearer`.
//! - `/healthz` (the process answers), `/readyz` (the store answers),
//!   `/metrics` (Prometheus).
//!
//! # Crate features
//!
//! None.

#![doc(test(attr(deny(warnings))))]

mod app;
pub mod cli;
pub mod config;
pub mod limit;
mod serve;
pub mod stores;
pub mod telemetry;
pub mod tls;

pub use app::{ScimApp, configure, not_found};

/// Installs the tracing subscriber: `RUST_LOG` filters (default `info`),
/// logs go to standard error so standard output stays for command output.
pub fn init_logging(format: cli::LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    let _ = match format {
        cli::LogFormat::Text => builder.try_init(),
        cli::LogFormat::Json => builder.json().try_init(),
    };
}
