//! Settings: command-line flags over environment variables over an
//! optional TOML file over defaults.
//!
//! | setting | flag | environment | TOML key | default |
//! |---|---|---|---|---|
//! | listen address | `--bind` | `SCIMHUB_BIND` | `bind` | `127.0.0.1:8080` |
//! | store URL | `--database` | `SCIMHUB_DATABASE_URL` | `database` | `sqlite://scimhub.db` |
//! | HTTP workers | `--workers` | `SCIMHUB_WORKERS` | `workers` | number of cores |
//! | TLS certificate (PEM) | `--tls-cert` | `SCIMHUB_TLS_CERT` | `tls_cert` | none (plain HTTP) |
//! | TLS private key (PEM) | `--tls-key` | `SCIMHUB_TLS_KEY` | `tls_key` | none |
//! | graceful shutdown timeout | `--shutdown-timeout` | `SCIMHUB_SHUTDOWN_TIMEOUT` | `shutdown_timeout` | `30s` |
//! | default per-tenant rate limit (requests/s) | `--rate-limit` | `SCIMHUB_RATE_LIMIT` | `rate_limit` | none (unlimited) |
//! | RFC strictness | `--strict` | `SCIMHUB_STRICT` | `compatibility` (`"lenient"`/`"strict"`) | lenient |
//! | documentation link | — | — | `documentation_uri` | none |
//! | limits | — | — | `[limits]` table (see below) | see `Limits` |
//! | config file | `--config` | `SCIMHUB_CONFIG` | — | none |
//! | log filter | — | `RUST_LOG` | — | `info` |
//! | log format | `--log-format` | `SCIMHUB_LOG_FORMAT` | `log_format` (`text`/`json`) | `text` |
//! | bootstrap token of `default` | — | `SCIMHUB_BOOTSTRAP_TOKEN` | — | generated, printed once |
//!
//! The `[limits]` table takes `max_body_bytes`, `max_filter_length`,
//! `max_filter_nesting`, `default_page_size`, `max_page_size`,
//! `max_bulk_operations`, `max_bulk_payload_bytes` and
//! `max_patch_operations`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use scimhub_protocol::{Compatibility, Config, Limits};
use serde::Deserialize;

/// The default store: a SQLite file in the working directory.
pub const DEFAULT_DATABASE: &str = "sqlite://scimhub.db";
/// The default listen address.
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";

/// The TOML file's contents; every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// Listen address.
    pub bind: Option<String>,
    /// Store URL.
    pub database: Option<String>,
    /// HTTP workers.
    pub workers: Option<usize>,
    /// TLS certificate chain (PEM).
    pub tls_cert: Option<PathBuf>,
    /// TLS private key (PEM).
    pub tls_key: Option<PathBuf>,
    /// Graceful shutdown timeout, such as `"30s"`.
    pub shutdown_timeout: Option<String>,
    /// `"lenient"` or `"strict"`.
    pub compatibility: Option<String>,
    /// A link to human-readable documentation.
    pub documentation_uri: Option<String>,
    /// Requests per second allowed per tenant without a limit of its own.
    pub rate_limit: Option<u32>,
    /// `text` or `json`.
    pub log_format: Option<String>,
    /// Limits.
    pub limits: Option<FileLimits>,
}

/// The `[limits]` table.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)]
pub struct FileLimits {
    pub max_body_bytes: Option<usize>,
    pub max_filter_length: Option<usize>,
    pub max_filter_nesting: Option<u32>,
    pub default_page_size: Option<u64>,
    pub max_page_size: Option<u64>,
    pub max_bulk_operations: Option<usize>,
    pub max_bulk_payload_bytes: Option<usize>,
    pub max_patch_operations: Option<usize>,
}

impl FileConfig {
    /// Reads a TOML file; a missing file or bad syntax is an error that
    /// names the file.
    pub fn load(path: &Path) -> Result<FileConfig, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read the configuration file {}: {e}", path.display()))?;
        toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
    }
}

/// Flags and environment values given for `serve` (clap fills them).
#[derive(Debug, Default, Clone)]
pub struct ServeOverrides {
    /// `--bind`.
    pub bind: Option<String>,
    /// `--database`.
    pub database: Option<String>,
    /// `--workers`.
    pub workers: Option<usize>,
    /// `--tls-cert`.
    pub tls_cert: Option<PathBuf>,
    /// `--tls-key`.
    pub tls_key: Option<PathBuf>,
    /// `--shutdown-timeout`.
    pub shutdown_timeout: Option<humantime::Duration>,
    /// `--strict`.
    pub strict: bool,
    /// `--rate-limit`.
    pub rate_limit: Option<u32>,
}

/// Everything `serve` needs, resolved.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Listen address.
    pub bind: SocketAddr,
    /// Store URL.
    pub database: String,
    /// HTTP workers.
    pub workers: usize,
    /// TLS certificate and key files.
    pub tls: Option<(PathBuf, PathBuf)>,
    /// Graceful shutdown timeout.
    pub shutdown_timeout: Duration,
    /// The protocol configuration (limits, strictness).
    pub protocol: Config,
    /// Requests per second allowed per tenant without a limit of its own.
    pub rate_limit: Option<u32>,
}

impl Settings {
    /// Resolves settings: flags and environment first, then the file, then
    /// defaults.
    pub fn resolve(o: ServeOverrides, file: FileConfig) -> Result<Settings, String> {
        let bind_text = o
            .bind
            .or(file.bind)
            .unwrap_or_else(|| DEFAULT_BIND.to_owned());
        let bind = std::net::ToSocketAddrs::to_socket_addrs(bind_text.as_str())
            .map_err(|e| {
                format!("--bind {bind_text}: {e} (expected HOST:PORT such as 127.0.0.1:8080)")
            })?
            .next()
            .ok_or_else(|| format!("--bind {bind_text}: the host resolves to no address"))?;
        let tls = match (o.tls_cert.or(file.tls_cert), o.tls_key.or(file.tls_key)) {
            (Some(c), Some(k)) => Some((c, k)),
            (None, None) => None,
            _ => return Err("TLS needs both --tls-cert and --tls-key".to_owned()),
        };
        let shutdown_timeout = match (o.shutdown_timeout, file.shutdown_timeout) {
            (Some(d), _) => d.into(),
            (None, Some(text)) => humantime::parse_duration(&text)
                .map_err(|e| format!("shutdown_timeout \"{text}\": {e}"))?,
            (None, None) => Duration::from_secs(30),
        };
        let mut protocol = Config::default();
        protocol.compatibility = match (o.strict, file.compatibility.as_deref()) {
            (true, _) | (false, Some("strict")) => Compatibility::Strict,
            (false, None | Some("lenient")) => Compatibility::Lenient,
            (false, Some(other)) => {
                return Err(format!(
                    "compatibility \"{other}\": expected \"lenient\" or \"strict\""
                ));
            }
        };
        protocol.documentation_uri = file.documentation_uri;
        if let Some(l) = file.limits {
            let d = Limits::default();
            let mut limits = d;
            limits.max_body_bytes = l.max_body_bytes.unwrap_or(d.max_body_bytes);
            limits.max_filter_length = l.max_filter_length.unwrap_or(d.max_filter_length);
            limits.max_filter_nesting = l.max_filter_nesting.unwrap_or(d.max_filter_nesting);
            limits.default_page_size = l.default_page_size.unwrap_or(d.default_page_size);
            limits.max_page_size = l.max_page_size.unwrap_or(d.max_page_size);
            limits.max_bulk_operations = l.max_bulk_operations.unwrap_or(d.max_bulk_operations);
            limits.max_bulk_payload_bytes =
                l.max_bulk_payload_bytes.unwrap_or(d.max_bulk_payload_bytes);
            limits.max_patch_operations = l.max_patch_operations.unwrap_or(d.max_patch_operations);
            if limits.default_page_size > limits.max_page_size {
                return Err(
                    "limits.default_page_size cannot exceed limits.max_page_size".to_owned(),
                );
            }
            protocol.limits = limits;
        }
        Ok(Settings {
            bind,
            database: o
                .database
                .or(file.database)
                .unwrap_or_else(|| DEFAULT_DATABASE.to_owned()),
            workers: o
                .workers
                .or(file.workers)
                .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
                .max(1),
            tls,
            shutdown_timeout,
            protocol,
            rate_limit: o.rate_limit.or(file.rate_limit).filter(|r| *r > 0),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_beat_the_file_and_the_file_beats_defaults() {
        let file: FileConfig = toml::from_str(
            r#"
            bind = "0.0.0.0:9000"
            database = "memory://"
            workers = 3
            compatibility = "strict"
            shutdown_timeout = "5s"
            [limits]
            max_page_size = 50
            default_page_size = 20
            "#,
        )
        .unwrap();
        let s = Settings::resolve(
            ServeOverrides {
                bind: Some("127.0.0.1:1234".into()),
                ..ServeOverrides::default()
            },
            file,
        )
        .unwrap();
        assert_eq!(s.bind.to_string(), "127.0.0.1:1234");
        assert_eq!(s.database, "memory://");
        assert_eq!(s.workers, 3);
        assert_eq!(s.shutdown_timeout, Duration::from_secs(5));
        assert_eq!(s.protocol.compatibility, Compatibility::Strict);
        assert_eq!(s.protocol.limits.max_page_size, 50);
        let d = Settings::resolve(ServeOverrides::default(), FileConfig::default()).unwrap();
        assert_eq!(d.bind.to_string(), DEFAULT_BIND);
        assert_eq!(d.database, DEFAULT_DATABASE);
    }

    #[test]
    fn bad_settings_are_explained() {
        assert!(toml::from_str::<FileConfig>("nonsense = 1").is_err());
        let bad_bind = ServeOverrides {
            bind: Some("localhost".into()),
            ..ServeOverrides::default()
        };
        assert!(
            Settings::resolve(bad_bind, FileConfig::default())
                .unwrap_err()
                .contains("HOST:PORT")
        );
        let half_tls = ServeOverrides {
            tls_cert: Some("c.pem".into()),
            ..ServeOverrides::default()
        };
        assert!(Settings::resolve(half_tls, FileConfig::default()).is_err());
    }
}
