//! The `scimhub` binary: command-line parsing and process setup only; every
//! SCIM behaviour lives in the library crates.

use std::net::SocketAddr;

use actix_web::{App, HttpServer};
use clap::{Parser, Subcommand};
use scimhub_schema::Registry;
use scimhub_server::{Discovery, configure};

/// Scimhub: a multi-tenant SCIM 2.0 service provider.
#[derive(Parser)]
#[command(name = "scimhub", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the SCIM server.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "SCIMHUB_BIND", default_value = "127.0.0.1:8080")]
        bind: SocketAddr,
        /// Worker threads (default: the number of cores).
        #[arg(long, env = "SCIMHUB_WORKERS")]
        workers: Option<usize>,
    },
}

fn main() -> std::io::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info")),
        )
        .init();
    match Cli::parse().command {
        Command::Serve { bind, workers } => serve(bind, workers),
    }
}

#[actix_web::main]
async fn serve(bind: SocketAddr, workers: Option<usize>) -> std::io::Result<()> {
    let discovery = Discovery::new(Registry::standard());
    let mut server =
        HttpServer::new(move || App::new().configure(|cfg| configure(cfg, discovery.clone())));
    if let Some(n) = workers {
        server = server.workers(n.max(1));
    }
    let server = server.bind(bind)?;
    for addr in server.addrs() {
        tracing::info!(%addr, "listening; SCIM base URL http://{addr}/scim/v2/default");
    }
    server.run().await
}
