//! Running the HTTP server: store, bootstrap, TLS, workers, graceful
//! shutdown.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::ConnectionType;
use actix_web::middleware::{Compress, Next, from_fn};
use actix_web::{App, HttpServer, web};
use scimhub_protocol::Service;

use crate::app::{ScimApp, configure, not_found};
use crate::config::Settings;
use crate::telemetry::log_requests;
use crate::{cli, stores, tls};

/// Serves until SIGTERM or SIGINT, then lets in-flight requests finish
/// (up to the shutdown timeout) and closes the store.
pub(crate) fn run(settings: Settings) -> Result<(), String> {
    actix_web::rt::System::new().block_on(serve(settings))
}

async fn serve(settings: Settings) -> Result<(), String> {
    let store = stores::open(&settings.database).await?;
    let scheme = if settings.tls.is_some() {
        "https"
    } else {
        "http"
    };
    // The address to show: a wildcard bind is reached through the host's name.
    let public = if settings.bind.ip().is_unspecified() {
        format!("{scheme}://<this-host>:{}", settings.bind.port())
    } else {
        format!("{scheme}://{}", settings.bind)
    };
    cli::bootstrap(&*store, &public).await?;
    let service = Service::new(Arc::clone(&store), settings.protocol.clone());
    let app = ScimApp::new(service).with_default_rate_limit(settings.rate_limit);
    let stopping = web::Data::new(Stopping(AtomicBool::new(false)));
    let factory = {
        let (app, stopping) = (app.clone(), stopping.clone());
        move || {
            let app = app.clone();
            App::new()
                .app_data(stopping.clone())
                .wrap(from_fn(close_when_stopping))
                .wrap(Compress::default())
                .wrap(from_fn(log_requests))
                .configure(|cfg| configure(cfg, app))
                .default_service(web::to(not_found))
        }
    };
    let server = HttpServer::new(factory)
        .workers(settings.workers)
        .shutdown_timeout(settings.shutdown_timeout.as_secs().max(1))
        // Signals are handled below, so that a stop always waits for every
        // worker's in-flight requests.
        .disable_signals();
    let server = match &settings.tls {
        Some((cert, key)) => {
            let config = tls::server_config(cert, key)?;
            server
                .bind_rustls_0_23(settings.bind, config)
                .map_err(|e| format!("cannot listen on {}: {e}", settings.bind))?
        }
        None => server
            .bind(settings.bind)
            .map_err(|e| format!("cannot listen on {}: {e}", settings.bind))?,
    };
    for addr in server.addrs() {
        tracing::info!(%addr, scheme, database = %redact(&settings.database), workers = settings.workers, "listening");
    }
    let server = server.run();
    let handle = server.handle();
    actix_web::rt::spawn(async move {
        wait_for_signal().await;
        tracing::info!("shutdown signal received; finishing in-flight requests");
        stopping.0.store(true, Ordering::Relaxed);
        handle.stop(true).await;
    });
    let result = server.await;
    tracing::info!("stopped accepting; in-flight requests finished; closing the store");
    if let Err(e) = store.close().await {
        tracing::warn!(error = %e, "the store did not close cleanly");
    }
    result.map_err(|e| format!("the server stopped with an error: {e}"))
}

/// Set once the stop signal arrived.
struct Stopping(AtomicBool);

/// Once the server is stopping, answers with `Connection: close`. A
/// graceful stop waits for every connection to close, and a client on a
/// keep-alive connection (every identity provider) would otherwise go on
/// sending requests on it, served until the shutdown timeout cuts them
/// off mid-flight; so each such client gets the answer to the request it
/// sent, and then its connection closes.
async fn close_when_stopping(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody + 'static>, actix_web::Error> {
    let stopping = req.app_data::<web::Data<Stopping>>().cloned();
    let mut res = next.call(req).await?;
    if stopping.is_some_and(|s| s.0.load(Ordering::Relaxed)) {
        res.response_mut()
            .head_mut()
            .set_connection_type(ConnectionType::Close);
    }
    Ok(res)
}

/// Resolves on SIGTERM or SIGINT (Ctrl-C).
async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match (
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) {
            (Ok(mut term), Ok(mut int)) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = int.recv() => {}
                }
            }
            _ => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// A database URL without its password, for logs.
fn redact(url: &str) -> String {
    match (url.find("://"), url.find('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let creds = url.get(scheme_end + 3..at).unwrap_or("");
            match creds.split_once(':') {
                Some((user, _)) => format!(
                    "{}{user}:***{}",
                    url.get(..scheme_end + 3).unwrap_or(""),
                    url.get(at..).unwrap_or("")
                ),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_redacted_from_database_urls() {
        assert_eq!(
            super::redact("postgres://u:secret@db/x"),
            "postgres://u:***@db/x"
        );
        assert_eq!(super::redact("postgres://u@db/x"), "postgres://u@db/x");
        assert_eq!(super::redact("sqlite://scimhub.db"), "sqlite://scimhub.db");
    }
}
