//! The `scimhub` command line: `serve`, `tenant …` and `stats`.

use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

use clap::{Args, Parser, Subcommand, ValueEnum};
use scimhub_protocol::tenancy::{generate_token, hash_token, stats};
use scimhub_schema::datetime::DateTime;
use scimhub_store::{NewTenant, Store, TenantId, TenantUpdate};
use serde_json::json;

use crate::config::{DEFAULT_DATABASE, FileConfig, ServeOverrides, Settings};
use crate::{serve, stores};

/// Scimhub: a multi-tenant SCIM 2.0 service provider.
#[derive(Debug, Parser)]
#[command(name = "scimhub", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the SCIM server.
    Serve(ServeArgs),
    /// Create, list, rotate the tokens of, and delete tenants.
    Tenant {
        #[command(subcommand)]
        command: TenantCommand,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Show statistics: users, active users, licensed users, groups, last request.
    Stats {
        /// One tenant; all tenants when omitted.
        tenant: Option<String>,
        /// Print one JSON object per tenant instead of a table.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        store: StoreArgs,
    },
}

/// Where the CLI finds the store.
#[derive(Debug, Args)]
struct StoreArgs {
    /// Store URL: sqlite://PATH, postgres://… or memory://.
    #[arg(long, env = "SCIMHUB_DATABASE_URL", global = true)]
    database: Option<String>,
    /// A TOML configuration file (its `database` is used when --database is not given).
    #[arg(long, env = "SCIMHUB_CONFIG", global = true)]
    config: Option<PathBuf>,
}

impl StoreArgs {
    fn url(&self) -> Result<String, String> {
        if let Some(d) = &self.database {
            return Ok(d.clone());
        }
        let file = match &self.config {
            Some(p) => FileConfig::load(p)?,
            None => FileConfig::default(),
        };
        Ok(file.database.unwrap_or_else(|| DEFAULT_DATABASE.to_owned()))
    }
}

/// The log format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum LogFormat {
    /// Human-readable key=value lines.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// Address to listen on, HOST:PORT [default: 127.0.0.1:8080].
    #[arg(long, env = "SCIMHUB_BIND")]
    bind: Option<String>,
    /// Store URL: sqlite://PATH, postgres://… or memory:// [default: sqlite://scimhub.db].
    #[arg(long, env = "SCIMHUB_DATABASE_URL")]
    database: Option<String>,
    /// HTTP worker threads [default: the number of cores].
    #[arg(long, env = "SCIMHUB_WORKERS")]
    workers: Option<usize>,
    /// TLS certificate chain, PEM (with --tls-key: serve HTTPS).
    #[arg(long, env = "SCIMHUB_TLS_CERT")]
    tls_cert: Option<PathBuf>,
    /// TLS private key, PEM.
    #[arg(long, env = "SCIMHUB_TLS_KEY")]
    tls_key: Option<PathBuf>,
    /// How long to let in-flight requests finish on SIGTERM/SIGINT [default: 30s].
    #[arg(long, env = "SCIMHUB_SHUTDOWN_TIMEOUT")]
    shutdown_timeout: Option<humantime::Duration>,
    /// Follow RFC 7643/7644 strictly instead of accepting identity-provider quirks.
    #[arg(long, env = "SCIMHUB_STRICT")]
    strict: bool,
    /// Requests per second allowed per tenant that sets no limit of its own [default: unlimited].
    #[arg(long, env = "SCIMHUB_RATE_LIMIT")]
    rate_limit: Option<u32>,
    /// A TOML configuration file.
    #[arg(long, env = "SCIMHUB_CONFIG")]
    config: Option<PathBuf>,
    /// Log format.
    #[arg(long, env = "SCIMHUB_LOG_FORMAT", value_enum)]
    log_format: Option<LogFormat>,
}

#[derive(Debug, Subcommand)]
enum TenantCommand {
    /// Create a tenant and print its SCIM path and token (shown once).
    Create {
        /// The tenant's name (lower-case letters, digits, '-', '_').
        name: String,
        /// A domain users may belong to (repeat for several; none allows all).
        #[arg(long = "domain")]
        domains: Vec<String>,
    },
    /// List tenants.
    List,
    /// Issue a new token; with --grace the old one keeps working that long.
    RotateToken {
        /// The tenant.
        name: String,
        /// How long the old token stays valid, such as 1h or 7d.
        #[arg(long)]
        grace: Option<humantime::Duration>,
    },
    /// Replace a tenant's allowed domains (none: allow all).
    SetDomains {
        /// The tenant.
        name: String,
        /// A domain users may belong to (repeat for several).
        #[arg(long = "domain")]
        domains: Vec<String>,
    },
    /// Set a tenant's request-rate limit (requests per second); without --rps, remove it.
    SetRateLimit {
        /// The tenant.
        name: String,
        /// Requests per second (bursts of twice that are allowed).
        #[arg(long)]
        rps: Option<u32>,
    },
    /// Delete a tenant and all its users and groups.
    Delete {
        /// The tenant.
        name: String,
    },
}

/// Runs the command line; returns the process exit code.
pub fn run(cli: Cli) -> i32 {
    match cli.command {
        Command::Serve(args) => {
            let file = match &args.config {
                Some(p) => match FileConfig::load(p) {
                    Ok(f) => f,
                    Err(e) => return fail(&e),
                },
                None => FileConfig::default(),
            };
            let log_format = args
                .log_format
                .or(match file.log_format.as_deref() {
                    Some("json") => Some(LogFormat::Json),
                    _ => None,
                })
                .unwrap_or_default();
            crate::init_logging(log_format);
            let overrides = ServeOverrides {
                bind: args.bind,
                database: args.database,
                workers: args.workers,
                tls_cert: args.tls_cert,
                tls_key: args.tls_key,
                shutdown_timeout: args.shutdown_timeout,
                strict: args.strict,
                rate_limit: args.rate_limit,
            };
            match Settings::resolve(overrides, file) {
                Ok(settings) => match serve::run(settings) {
                    Ok(()) => 0,
                    Err(e) => fail(&e),
                },
                Err(e) => fail(&e),
            }
        }
        Command::Tenant { command, store } => {
            crate::init_logging(LogFormat::Text);
            block_on(async move { tenant(command, &store).await })
        }
        Command::Stats {
            tenant,
            json,
            store,
        } => {
            crate::init_logging(LogFormat::Text);
            block_on(async move { show_stats(tenant, json, &store).await })
        }
    }
}

fn fail(message: &str) -> i32 {
    let _ = writeln!(std::io::stderr(), "scimhub: {message}");
    1
}

fn block_on(f: impl std::future::Future<Output = Result<(), String>>) -> i32 {
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(&format!("cannot start the runtime: {e}")),
    };
    match rt.block_on(f) {
        Ok(()) => 0,
        Err(e) => fail(&e),
    }
}

fn print(value: &serde_json::Value) -> Result<(), String> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "{value}").map_err(|e| format!("cannot write to standard output: {e}"))
}

async fn open(args: &StoreArgs) -> Result<Arc<dyn Store>, String> {
    stores::open(&args.url()?).await
}

fn tenant_id(name: &str) -> Result<TenantId, String> {
    TenantId::new(name).map_err(|e| e.to_string())
}

fn store_error(e: scimhub_store::Error) -> String {
    e.to_string()
}

/// Normalises domains: trimmed, lower case, no empties.
fn domains(list: Vec<String>) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for d in list {
        let d = d.trim().trim_start_matches('@').to_lowercase();
        if d.is_empty() || d.contains(['/', ' ', '@']) || !d.contains('.') {
            return Err(format!(
                "\"{d}\" is not a domain name (such as example.com)"
            ));
        }
        if !out.contains(&d) {
            out.push(d);
        }
    }
    Ok(out)
}

async fn tenant(command: TenantCommand, args: &StoreArgs) -> Result<(), String> {
    let store = open(args).await?;
    let result = match command {
        TenantCommand::Create { name, domains: d } => {
            let id = tenant_id(&name)?;
            let allowed = domains(d)?;
            let token = generate_token();
            store
                .create_tenant(NewTenant {
                    id: id.clone(),
                    token: hash_token(&token),
                    allowed_domains: allowed.clone(),
                })
                .await
                .map_err(store_error)?;
            print(&json!({
                "tenant": id.as_str(),
                "scim_path": format!("/scim/v2/{id}"),
                "token": token,
                "allowed_domains": allowed,
            }))
        }
        TenantCommand::List => {
            for t in store.tenants().await.map_err(store_error)? {
                print(&json!({
                    "tenant": t.id.as_str(),
                    "scim_path": format!("/scim/v2/{}", t.id),
                    "allowed_domains": t.allowed_domains,
                    "rate_limit": t.rate_limit,
                    "created": t.created.to_string(),
                    "last_request_at": t.last_request_at.map(|d| d.to_string()),
                    "previous_token_valid_until": t.previous_token.map(|(_, until)| until.to_string()),
                }))?;
            }
            Ok(())
        }
        TenantCommand::RotateToken { name, grace } => {
            let id = tenant_id(&name)?;
            let token = generate_token();
            let until = grace.map(|g| {
                let now = DateTime::now();
                let secs =
                    i64::try_from(std::time::Duration::from(g).as_secs()).unwrap_or(i64::MAX);
                DateTime::from_unix(now.unix_seconds().saturating_add(secs), now.nanos())
            });
            store
                .update_tenant(
                    &id,
                    TenantUpdate {
                        token: Some((hash_token(&token), until)),
                        ..TenantUpdate::default()
                    },
                )
                .await
                .map_err(store_error)?;
            print(&json!({
                "tenant": id.as_str(),
                "scim_path": format!("/scim/v2/{id}"),
                "token": token,
                "previous_token_valid_until": until.map(|u| u.to_string()),
            }))
        }
        TenantCommand::SetDomains { name, domains: d } => {
            let id = tenant_id(&name)?;
            let allowed = domains(d)?;
            let t = store
                .update_tenant(
                    &id,
                    TenantUpdate {
                        allowed_domains: Some(allowed),
                        ..TenantUpdate::default()
                    },
                )
                .await
                .map_err(store_error)?;
            print(&json!({"tenant": t.id.as_str(), "allowed_domains": t.allowed_domains}))
        }
        TenantCommand::SetRateLimit { name, rps } => {
            let id = tenant_id(&name)?;
            let t = store
                .update_tenant(
                    &id,
                    TenantUpdate {
                        rate_limit: Some(rps.filter(|r| *r > 0)),
                        ..TenantUpdate::default()
                    },
                )
                .await
                .map_err(store_error)?;
            print(&json!({"tenant": t.id.as_str(), "rate_limit": t.rate_limit}))
        }
        TenantCommand::Delete { name } => {
            let id = tenant_id(&name)?;
            store.delete_tenant(&id).await.map_err(store_error)?;
            print(&json!({"tenant": id.as_str(), "deleted": true}))
        }
    };
    let _ = store.close().await;
    result
}

async fn show_stats(tenant: Option<String>, as_json: bool, args: &StoreArgs) -> Result<(), String> {
    let store = open(args).await?;
    let tenants = match tenant {
        Some(name) => {
            let id = tenant_id(&name)?;
            vec![
                store
                    .tenant(&id)
                    .await
                    .map_err(store_error)?
                    .ok_or_else(|| format!("no tenant named '{id}'"))?,
            ]
        }
        None => store.tenants().await.map_err(store_error)?,
    };
    let mut rows = Vec::new();
    for t in &tenants {
        rows.push(stats(&*store, t).await.map_err(|e| e.detail)?);
    }
    if as_json {
        for r in &rows {
            print(&serde_json::to_value(r).map_err(|e| e.to_string())?)?;
        }
    } else {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(
            out,
            "{:<24} {:>8} {:>8} {:>9} {:>7}  LAST REQUEST",
            "TENANT", "USERS", "ACTIVE", "LICENSED", "GROUPS"
        );
        for r in &rows {
            let _ = writeln!(
                out,
                "{:<24} {:>8} {:>8} {:>9} {:>7}  {}",
                r.tenant,
                r.users,
                r.active_users,
                r.licensed_users,
                r.groups,
                r.last_request_at.as_deref().unwrap_or("never")
            );
        }
    }
    let _ = store.close().await;
    Ok(())
}

/// Creates the `default` tenant on first start, with the token from
/// `SCIMHUB_BOOTSTRAP_TOKEN` or a generated one printed once. Returns
/// whether it was created.
pub(crate) async fn bootstrap(store: &dyn Store, base_url: &str) -> Result<bool, String> {
    let id = tenant_id("default")?;
    if store.tenant(&id).await.map_err(store_error)?.is_some() {
        return Ok(false);
    }
    let given = std::env::var("SCIMHUB_BOOTSTRAP_TOKEN")
        .ok()
        .filter(|t| !t.trim().is_empty());
    let token = given.clone().unwrap_or_else(generate_token);
    match store
        .create_tenant(NewTenant {
            id: id.clone(),
            token: hash_token(token.trim()),
            allowed_domains: Vec::new(),
        })
        .await
    {
        Ok(_) => {}
        // Another process created it in the meantime.
        Err(e) if matches!(e.kind(), scimhub_store::ErrorKind::TenantExists) => return Ok(false),
        Err(e) => return Err(store_error(e)),
    }
    if given.is_some() {
        tracing::info!(
            tenant = "default",
            "created the default tenant with the token from SCIMHUB_BOOTSTRAP_TOKEN"
        );
    } else {
        tracing::info!(
            tenant = "default",
            "created the default tenant; its token is printed once on standard output"
        );
        let mut out = std::io::stdout().lock();
        let _ = writeln!(
            out,
            "Created tenant \"default\".\n  SCIM base URL: {base_url}/scim/v2/default\n  Secret token (shown once, store it now): {token}"
        );
        let _ = out.flush();
    }
    Ok(true)
}
