//! Typed settings. Sources, later ones winning: built-in defaults, the
//! optional TOML file (`estateflow.toml`, or the path given by `--config` /
//! `ESTATEFLOW_CONFIG`), `ESTATEFLOW_*` environment variables, then command
//! line flags. Every field is documented in docs/configuration.md; secrets
//! are `Secret`/`ConnectionUrl` so they never reach a log.

use std::path::{Path, PathBuf};

use figment::{
    Figment,
    providers::{Env, Format, Serialized, Toml},
};
use serde::{Deserialize, Serialize};

use crate::platform::secret::{ConnectionUrl, Secret, lenient_string};

/// The file read when no `--config`/`ESTATEFLOW_CONFIG` is given (only if it exists).
pub const DEFAULT_CONFIG_FILE: &str = "estateflow.toml";
/// The database used when `ESTATEFLOW_DATABASE_URL` is not set: embedded mode.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://estateflow.db";
/// Shortest JWT signing secret accepted, in bytes.
pub const MIN_JWT_SECRET_LEN: usize = 32;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    #[default]
    Text,
    Json,
}

/// Where data lives: decided by the database URL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// SQLite file, apalis-sqlite queue in the same file, one process.
    Embedded,
    /// PostgreSQL data, apalis-redis queue, separate API and worker processes.
    Production,
}

/// Where jobs are queued: decided by whether a Redis URL is set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QueueBackend {
    Sqlite,
    Redis(ConnectionUrl),
}

/// All settings of the service. Field names are the TOML keys and, upper-cased
/// with the `ESTATEFLOW_` prefix, the environment variables.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(default)]
pub struct Settings {
    /// `sqlite://path` (embedded) or `postgres://…` (production).
    pub database_url: ConnectionUrl,
    /// Most connections the database pool opens.
    pub database_max_connections: u32,
    /// `redis://…`: the job queue. Unset: the queue lives in the SQLite database.
    pub redis_url: Option<ConnectionUrl>,
    /// Prefix of every Redis key this deployment writes; several deployments
    /// (or test runs) can share one Redis with different namespaces.
    #[serde(deserialize_with = "lenient_string")]
    pub redis_namespace: String,
    /// Address the HTTP server listens on; port 0 picks a free port.
    #[serde(deserialize_with = "lenient_string")]
    pub bind: String,
    /// HMAC key for access tokens. Required in production mode; in embedded
    /// mode one is generated on first start and kept in the database.
    pub jwt_secret: Option<Secret>,
    /// IANA time zone of the business: deadlines, months and quarters.
    pub timezone: chrono_tz::Tz,
    /// Log filter in `tracing` syntax, e.g. `info,estateflow=debug`.
    #[serde(deserialize_with = "lenient_string")]
    pub log: String,
    /// `text` for people, `json` for log collectors.
    pub log_format: LogFormat,
    /// Lifetime of an access token, in seconds.
    pub access_token_ttl_secs: u64,
    /// Lifetime of a refresh token, in seconds (each use replaces it).
    pub refresh_token_ttl_secs: u64,
    /// Failed sign-ins per account within the window before further tries get 429.
    pub login_max_failures_per_account: u64,
    /// Failed sign-ins per client address within the window before further tries get 429.
    pub login_max_failures_per_address: u64,
    /// The window over which failed sign-ins count, in seconds.
    pub login_failure_window_secs: u64,
    /// A console session ends after this many seconds without a request.
    pub console_idle_timeout_secs: u64,
    /// A console session ends this many seconds after sign-in, active or not.
    pub console_session_ttl_secs: u64,
    /// First administrator created on a database without users.
    #[serde(deserialize_with = "lenient_optional_string")]
    pub admin_email: Option<String>,
    /// Password of that administrator; generated and printed once if unset.
    pub admin_password: Option<Secret>,
    /// Largest request body accepted, in bytes; larger ones get 413.
    pub body_limit_bytes: usize,
    /// Largest CSV accepted by `POST /customers/import`, in bytes.
    pub import_limit_bytes: usize,
    /// How long a stopping process waits for in-flight requests and jobs.
    pub shutdown_timeout_secs: u64,
    /// How often an idle worker asks the queue for new jobs.
    pub queue_poll_interval_ms: u64,
    /// How often a worker reports it is alive; a worker silent for three
    /// intervals is dead and its jobs go back to the queue.
    pub worker_heartbeat_secs: u64,
    /// Longest a readiness check waits for a dependency before calling it down.
    pub readiness_timeout_ms: u64,
    /// How often the timer pump looks for due timers.
    pub timer_pump_interval_ms: u64,
    /// Most timers the pump claims at once.
    pub timer_pump_batch: u64,
    /// The pump claims no more of a lane (deadlines, webhook deliveries,
    /// periodic runs) while this many of its jobs wait in the queue
    /// (back-pressure: apalis-redis fails beyond about 8,000 due jobs; a
    /// deadline job carries up to 50 timers).
    pub timer_max_backlog: u64,
    /// A timer claimed this long ago without firing (its job lost with a
    /// crashed worker or a flushed Redis) is claimed again.
    pub timer_requeue_secs: u64,
    /// First pause before a failed webhook delivery is retried; each further
    /// retry waits twice as long (at most 6 hours), for up to 3 days.
    pub webhook_retry_base_secs: u64,
    /// Also deliver webhooks to loopback, private, link-local and other
    /// special-purpose addresses (development, receivers inside your own
    /// network). Off: public internet addresses only.
    pub webhook_allow_private_networks: bool,
    /// A PEM file of certificate authorities trusted for webhook receivers
    /// besides the system's (a receiver behind a private CA).
    #[serde(deserialize_with = "lenient_optional_string")]
    pub webhook_ca_file: Option<String>,
    /// Where `estateflow worker` serves `/healthz`, `/readyz` and `/metrics`
    /// (port 0 picks a free one); empty: no HTTP at all.
    pub worker_bind: String,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            database_url: ConnectionUrl::new(DEFAULT_DATABASE_URL),
            database_max_connections: 10,
            redis_url: None,
            redis_namespace: "estateflow".to_owned(),
            bind: "127.0.0.1:8080".to_owned(),
            jwt_secret: None,
            timezone: chrono_tz::Asia::Shanghai,
            log: "info".to_owned(),
            log_format: LogFormat::Text,
            access_token_ttl_secs: 900,
            refresh_token_ttl_secs: 30 * 24 * 3600,
            login_max_failures_per_account: 5,
            login_max_failures_per_address: 20,
            login_failure_window_secs: 900,
            console_idle_timeout_secs: 30 * 60,
            console_session_ttl_secs: 12 * 3600,
            admin_email: None,
            admin_password: None,
            body_limit_bytes: 1024 * 1024,
            import_limit_bytes: 16 * 1024 * 1024,
            shutdown_timeout_secs: 30,
            queue_poll_interval_ms: 100,
            worker_heartbeat_secs: 10,
            readiness_timeout_ms: 1000,
            timer_pump_interval_ms: 250,
            timer_pump_batch: 2000,
            timer_max_backlog: 2000,
            timer_requeue_secs: 30,
            webhook_retry_base_secs: 30,
            webhook_allow_private_networks: false,
            webhook_ca_file: None,
            worker_bind: "127.0.0.1:9090".to_owned(),
        }
    }
}

fn lenient_optional_string<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<String>, D::Error> {
    struct Optional;

    impl<'de> serde::de::Visitor<'de> for Optional {
        type Value = Option<String>;

        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("a string or nothing")
        }

        fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }

        fn visit_some<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
            lenient_string(deserializer).map(Some)
        }
    }

    deserializer.deserialize_option(Optional)
}

/// A setting is missing, malformed or inconsistent.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("invalid settings: {0}")]
    Invalid(String),
    #[error(transparent)]
    Source(#[from] Box<figment::Error>),
}

impl Settings {
    /// Reads the settings from file, environment and `overrides` (the command
    /// line's flags, only those given), then checks them.
    pub fn load(config_file: Option<&Path>, overrides: impl Serialize) -> Result<Self, SettingsError> {
        let file: PathBuf = match config_file {
            Some(path) => {
                if !path.exists() {
                    return Err(SettingsError::Invalid(format!(
                        "config file {} does not exist",
                        path.display()
                    )));
                }
                path.to_owned()
            }
            None => std::env::var_os("ESTATEFLOW_CONFIG")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from(DEFAULT_CONFIG_FILE)),
        };
        let mut settings: Settings = Figment::from(Serialized::defaults(Settings::default()))
            .merge(Toml::file(file))
            .merge(Env::prefixed("ESTATEFLOW_").ignore(&["config"]))
            .merge(Serialized::defaults(overrides))
            .extract()
            .map_err(Box::new)?;
        settings.treat_empty_as_unset();
        settings.validate()?;
        Ok(settings)
    }

    /// `ESTATEFLOW_ADMIN_PASSWORD=` (as compose files and shells leave it)
    /// means "not set", not "the empty password".
    fn treat_empty_as_unset(&mut self) {
        if self.redis_url.as_ref().is_some_and(|u| u.expose().trim().is_empty()) {
            self.redis_url = None;
        }
        if self.jwt_secret.as_ref().is_some_and(|s| s.expose().is_empty()) {
            self.jwt_secret = None;
        }
        if self.admin_password.as_ref().is_some_and(|s| s.expose().is_empty()) {
            self.admin_password = None;
        }
        if self.admin_email.as_ref().is_some_and(|e| e.trim().is_empty()) {
            self.admin_email = None;
        }
        if self.webhook_ca_file.as_ref().is_some_and(|f| f.trim().is_empty()) {
            self.webhook_ca_file = None;
        }
    }

    /// Checks the rules that span several fields.
    pub fn validate(&self) -> Result<(), SettingsError> {
        let url = self.database_url.expose();
        let mode = self.mode()?;
        if mode == Mode::Production {
            match &self.jwt_secret {
                None => {
                    return Err(SettingsError::Invalid(
                        "ESTATEFLOW_JWT_SECRET is required in production mode (PostgreSQL): \
                         set it to a random string of at least 32 bytes, the same on every replica"
                            .to_owned(),
                    ));
                }
                Some(secret) if secret.expose().len() < MIN_JWT_SECRET_LEN => {
                    return Err(SettingsError::Invalid(format!(
                        "ESTATEFLOW_JWT_SECRET must be at least {MIN_JWT_SECRET_LEN} bytes long"
                    )));
                }
                Some(_) => {}
            }
            if self.redis_url.is_none() {
                return Err(SettingsError::Invalid(
                    "ESTATEFLOW_REDIS_URL is required with a PostgreSQL database: \
                     the job queue lives in Redis in production mode"
                        .to_owned(),
                ));
            }
        }
        if let Some(redis) = &self.redis_url
            && !(redis.expose().starts_with("redis://") || redis.expose().starts_with("rediss://"))
        {
            return Err(SettingsError::Invalid(
                "ESTATEFLOW_REDIS_URL must start with redis:// or rediss://".to_owned(),
            ));
        }
        if url.is_empty() {
            return Err(SettingsError::Invalid("ESTATEFLOW_DATABASE_URL is empty".to_owned()));
        }
        if self.database_max_connections == 0 {
            return Err(SettingsError::Invalid(
                "ESTATEFLOW_DATABASE_MAX_CONNECTIONS must be at least 1".to_owned(),
            ));
        }
        if self.body_limit_bytes == 0
            || self.import_limit_bytes == 0
            || self.access_token_ttl_secs == 0
            || self.console_idle_timeout_secs == 0
            || self.console_session_ttl_secs == 0
            || self.queue_poll_interval_ms == 0
            || self.worker_heartbeat_secs == 0
            || self.timer_pump_interval_ms == 0
            || self.timer_pump_batch == 0
            || self.timer_max_backlog == 0
            || self.timer_requeue_secs == 0
            || self.webhook_retry_base_secs == 0
        {
            return Err(SettingsError::Invalid(
                "ESTATEFLOW_BODY_LIMIT_BYTES, ESTATEFLOW_IMPORT_LIMIT_BYTES, ESTATEFLOW_ACCESS_TOKEN_TTL_SECS, ESTATEFLOW_CONSOLE_*, \
                 ESTATEFLOW_QUEUE_POLL_INTERVAL_MS, ESTATEFLOW_WORKER_HEARTBEAT_SECS, ESTATEFLOW_TIMER_* and \
                 ESTATEFLOW_WEBHOOK_RETRY_BASE_SECS must be greater than 0"
                    .to_owned(),
            ));
        }
        Ok(())
    }

    /// Embedded or production, from the database URL's scheme.
    pub fn mode(&self) -> Result<Mode, SettingsError> {
        let url = self.database_url.expose();
        if url.starts_with("sqlite:") {
            Ok(Mode::Embedded)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Mode::Production)
        } else {
            Err(SettingsError::Invalid(format!(
                "ESTATEFLOW_DATABASE_URL must start with sqlite: or postgres:// (got {})",
                self.database_url.redacted()
            )))
        }
    }

    /// The queue backend: Redis when a URL is set, else the SQLite database.
    pub fn queue_backend(&self) -> QueueBackend {
        match &self.redis_url {
            Some(url) => QueueBackend::Redis(url.clone()),
            None => QueueBackend::Sqlite,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(database_url: &str, redis: Option<&str>, secret: Option<&str>) -> Settings {
        Settings {
            database_url: ConnectionUrl::new(database_url),
            redis_url: redis.map(ConnectionUrl::new),
            jwt_secret: secret.map(Secret::new),
            ..Settings::default()
        }
    }

    #[test]
    fn defaults_are_the_embedded_mode() {
        let settings = Settings::default();
        assert_eq!(settings.mode().ok(), Some(Mode::Embedded));
        assert_eq!(settings.queue_backend(), QueueBackend::Sqlite);
        assert!(settings.validate().is_ok());
    }

    #[test]
    fn production_mode_refuses_to_start_without_a_jwt_secret() {
        let err = with("postgres://db/ef", Some("redis://r"), None).validate();
        assert!(matches!(err, Err(SettingsError::Invalid(m)) if m.contains("ESTATEFLOW_JWT_SECRET")));
    }

    #[test]
    fn production_mode_refuses_a_short_jwt_secret() {
        assert!(
            with("postgres://db/ef", Some("redis://r"), Some("short"))
                .validate()
                .is_err()
        );
    }

    #[test]
    fn production_mode_needs_redis() {
        let err = with("postgres://db/ef", None, Some(&"k".repeat(40))).validate();
        assert!(matches!(err, Err(SettingsError::Invalid(m)) if m.contains("ESTATEFLOW_REDIS_URL")));
    }

    #[test]
    fn unknown_database_schemes_are_refused() {
        assert!(with("mysql://db/ef", None, None).validate().is_err());
    }

    #[test]
    fn secrets_that_look_like_numbers_are_still_strings() {
        let settings: Settings = Figment::from(Serialized::defaults(Settings::default()))
            .merge(Serialized::defaults(serde_json::json!({
                "admin_password": 1234567890u64,
                "jwt_secret": true,
                "redis_namespace": 42,
            })))
            .extract()
            .expect("numbers and booleans are read as strings");
        assert_eq!(settings.admin_password.as_ref().map(Secret::expose), Some("1234567890"));
        assert_eq!(settings.jwt_secret.as_ref().map(Secret::expose), Some("true"));
        assert_eq!(settings.redis_namespace, "42");
    }

    #[test]
    fn empty_optional_settings_count_as_unset() {
        let mut settings = Settings {
            redis_url: Some(ConnectionUrl::new("")),
            jwt_secret: Some(Secret::new("")),
            admin_password: Some(Secret::new("")),
            admin_email: Some(" ".to_owned()),
            ..Settings::default()
        };
        settings.treat_empty_as_unset();
        assert!(settings.redis_url.is_none() && settings.jwt_secret.is_none());
        assert!(settings.admin_password.is_none() && settings.admin_email.is_none());
    }

    #[test]
    fn secrets_never_appear_in_debug_output() {
        let settings = with(
            "postgres://app:pw-db-123@db/ef",
            Some("redis://:pw-redis-123@r"),
            Some("jwt-secret-value-0123456789abcdef"),
        );
        let shown = format!("{settings:?}");
        for secret in ["pw-db-123", "pw-redis-123", "jwt-secret-value"] {
            assert!(!shown.contains(secret), "{secret} leaked in {shown}");
        }
    }
}
