//! The black-box test harness: [`spawn_app`] starts the real HTTP server and
//! the real workers on port 0 against a fresh database (PostgreSQL: one per
//! test, created from a migrated template; SQLite: a temp file) and, in
//! production mode, a Redis key namespace of its own, so tests run in
//! parallel. Backends come from `ESTATEFLOW_TEST_DATABASE_URL` and
//! `ESTATEFLOW_TEST_REDIS_URL`; without them the embedded backends are used.
//! [`process`] runs the `estateflow` binary itself, [`proxy`] cuts and
//! restores the connection to a backend to simulate outages.

pub mod browser;
pub mod client;
pub mod console;
pub mod customers;
pub mod org;
pub mod paperwork;
pub mod process;
pub mod proxy;
pub mod queues;
pub mod records;

pub use client::Api;

use std::{
    path::PathBuf,
    sync::{Once, OnceLock},
    time::Duration,
};

use domain::{Secret, Settings, outbox::timers::NewTimer, platform::secret::ConnectionUrl};
use queue::QueueClient;
use sea_orm::{ConnectionTrait, Database};
use serde_json::Value;
use tokio::{sync::watch, task::JoinHandle};
use uuid::Uuid;
use worker::Workers;

/// The administrator every test app starts with.
pub const ADMIN_EMAIL: &str = "admin@example.com";
pub const ADMIN_PASSWORD: &str = "admin-password-123";
pub const JWT_SECRET: &str = "test-jwt-secret-0123456789abcdef0123456789";

/// Where the tests' data and queue live.
#[derive(Debug, Clone)]
pub struct Backends {
    /// A PostgreSQL URL of a database the tests may connect to for creating
    /// others (usually `.../postgres`); `None`: SQLite files.
    pub postgres: Option<String>,
    /// A Redis URL; `None`: the SQLite queue.
    pub redis: Option<String>,
}

impl Backends {
    /// From the environment, once per test binary.
    pub fn from_env() -> &'static Backends {
        static BACKENDS: OnceLock<Backends> = OnceLock::new();
        BACKENDS.get_or_init(|| {
            let read = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
            let backends = Backends {
                postgres: read("ESTATEFLOW_TEST_DATABASE_URL"),
                redis: read("ESTATEFLOW_TEST_REDIS_URL"),
            };
            if backends.postgres.is_none() && backends.redis.is_none() {
                eprintln!(
                    "note: ESTATEFLOW_TEST_DATABASE_URL and ESTATEFLOW_TEST_REDIS_URL are unset; \
                     testing the embedded backends (SQLite database and queue)"
                );
            }
            backends
        })
    }

    /// The embedded backends, whatever the environment says.
    pub fn embedded() -> Backends {
        Backends {
            postgres: None,
            redis: None,
        }
    }
}

/// How to start a test app.
#[derive(Debug, Clone)]
pub struct AppOptions {
    pub backends: Backends,
    pub workers: bool,
    /// Applied to the settings after the harness's own.
    pub customise: fn(&mut Settings),
}

impl Default for AppOptions {
    fn default() -> Self {
        Self {
            backends: Backends::from_env().clone(),
            workers: true,
            customise: |_| {},
        }
    }
}

/// A quick timer pump and queue polling, so that deadlines seconds away
/// are measured closely.
pub fn quick_timers(settings: &mut Settings) {
    settings.timer_pump_interval_ms = 100;
    settings.queue_poll_interval_ms = 50;
    settings.timer_requeue_secs = 5;
}

/// `n` probe timers (their job does nothing) all due `due_in` from now, for
/// tests of how the pump and the workers carry many timers.
pub fn probe_timers(n: usize, due_in: chrono::Duration) -> Vec<NewTimer> {
    let due_at = chrono::Utc::now() + due_in;
    (0..n)
        .map(|_| NewTimer {
            kind: domain::engine::dispatch::PROBE,
            phase: "run",
            dedupe_key: format!("probe:{}", Uuid::now_v7()),
            subject_id: None,
            customer_id: None,
            due_at,
            policy_version: None,
        })
        .collect()
}

/// A running service under test.
#[derive(Debug)]
pub struct TestApp {
    /// An HTTP client for this app; `TestApp` derefs to it.
    pub api: Api,
    pub port: u16,
    pub settings: Settings,
    pub db: sea_orm::DatabaseConnection,
    pub queue: QueueClient,
    /// The replica name of the workers running in this process, if any.
    pub worker_instance: Option<String>,
    stop: watch::Sender<bool>,
    server: actix_web::dev::ServerHandle,
    tasks: Vec<JoinHandle<()>>,
    cleanup: Option<TestData>,
}

/// What a test created and must remove.
#[derive(Debug)]
pub struct TestData {
    pub postgres: Option<(String, String)>,
    pub sqlite_dir: Option<PathBuf>,
    pub redis: Option<(String, String)>,
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(AppOptions::default()).await
}

pub async fn spawn_app_with(options: AppOptions) -> TestApp {
    init_tracing();
    let data = TestData::create(&options.backends).await;
    let mut settings = Settings {
        database_url: ConnectionUrl::new(data.database_url()),
        database_max_connections: 5,
        redis_url: options.backends.redis.clone().map(ConnectionUrl::new),
        redis_namespace: data.redis.as_ref().map(|(_, ns)| ns.clone()).unwrap_or_default(),
        bind: "127.0.0.1:0".to_owned(),
        jwt_secret: options.backends.postgres.as_ref().map(|_| Secret::new(JWT_SECRET)),
        admin_email: Some(ADMIN_EMAIL.to_owned()),
        admin_password: Some(Secret::new(ADMIN_PASSWORD)),
        // Room for in-flight jobs to finish on a graceful stop while the
        // whole suite loads the machine: on the first day of a month or
        // quarter every fresh database starts its periodic runs (KPI
        // snapshot, bonuses, digests) with its workers, and 5 s was once
        // too short for them under CI load.
        shutdown_timeout_secs: 20,
        worker_heartbeat_secs: 2,
        // Receivers in the tests listen on 127.0.0.1.
        webhook_allow_private_networks: true,
        ..Settings::default()
    };
    (options.customise)(&mut settings);
    settings.validate().expect("test settings are valid");

    let db = domain::platform::db::connect(&settings)
        .await
        .expect("connect to the test database");
    domain::migrate(&db).await.expect("migrate the test database");
    let queue = QueueClient::connect(&settings, &db)
        .await
        .expect("connect to the queue");
    queue.setup().await.expect("set up the queue");
    domain::access::users::ensure_first_admin(&db, &settings)
        .await
        .expect("create the first administrator");

    start(settings, db, queue, options.workers, Some(data)).await
}

/// Serves the API (no workers) with a prepared database and queue; the
/// caller keeps ownership of the test data.
pub async fn spawn_app_on(settings: Settings, db: sea_orm::DatabaseConnection, queue: QueueClient) -> TestApp {
    start(settings, db, queue, false, None).await
}

async fn start(
    settings: Settings,
    db: sea_orm::DatabaseConnection,
    queue: QueueClient,
    workers: bool,
    cleanup: Option<TestData>,
) -> TestApp {
    let app = api::Application::build(&settings, db.clone(), queue.clone())
        .await
        .expect("build the API");
    let port = app.port();
    let server = app.handle();
    let (stop, stop_rx) = watch::channel(false);
    let mut tasks = vec![tokio::spawn(async move {
        let _ = app.run_until_stopped().await;
    })];
    let mut worker_instance = None;
    if workers {
        let workers = Workers::build(&settings, db.clone(), queue.clone()).expect("build the workers");
        worker_instance = Some(workers.instance().to_owned());
        let mut stop_rx = stop_rx.clone();
        tasks.push(tokio::spawn(async move {
            let _ = workers
                .run_until_stopped(async move {
                    let _ = stop_rx.wait_for(|s| *s).await;
                })
                .await;
        }));
    }
    TestApp {
        api: Api::new(format!("http://127.0.0.1:{port}")),
        port,
        settings,
        db,
        queue,
        worker_instance,
        stop,
        server,
        tasks,
        cleanup,
    }
}

impl std::ops::Deref for TestApp {
    type Target = Api;

    fn deref(&self) -> &Api {
        &self.api
    }
}

impl TestApp {
    /// An access token of the first administrator.
    pub async fn admin_token(&self) -> String {
        self.token(ADMIN_EMAIL, ADMIN_PASSWORD).await
    }

    /// Stops the server and workers gracefully and waits for them.
    pub async fn stop(mut self) {
        let _ = self.stop.send(true);
        self.server.stop(true).await;
        for task in self.tasks.drain(..) {
            let _ = task.await;
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
        for task in &self.tasks {
            task.abort();
        }
        if let Some(data) = self.cleanup.take() {
            // Drop runs outside async; clean up on a runtime of our own.
            let _ = std::thread::spawn(move || {
                if let Ok(runtime) = tokio::runtime::Builder::new_current_thread().enable_all().build() {
                    runtime.block_on(data.remove());
                }
            })
            .join();
        }
    }
}

impl TestData {
    pub async fn create(backends: &Backends) -> TestData {
        let postgres = match &backends.postgres {
            Some(admin_url) => {
                let template = postgres_template(admin_url).await;
                let name = format!("ef_test_{}", Uuid::new_v4().simple());
                let admin = Database::connect(admin_url).await.expect("connect to PostgreSQL");
                admin
                    .execute_unprepared(&format!("CREATE DATABASE \"{name}\" TEMPLATE \"{template}\""))
                    .await
                    .expect("create the test database from the template");
                admin.close().await.ok();
                Some((admin_url.clone(), name))
            }
            None => None,
        };
        let sqlite_dir = postgres.is_none().then(|| {
            let dir = std::env::temp_dir().join(format!("estateflow-test-{}", Uuid::new_v4().simple()));
            std::fs::create_dir_all(&dir).expect("temp dir");
            dir
        });
        let redis = backends
            .redis
            .clone()
            .map(|url| (url, format!("ef-test-{}", Uuid::new_v4().simple())));
        TestData {
            postgres,
            sqlite_dir,
            redis,
        }
    }

    pub fn database_url(&self) -> String {
        match (&self.postgres, &self.sqlite_dir) {
            (Some((admin_url, name)), _) => with_database(admin_url, name),
            (None, Some(dir)) => format!("sqlite://{}", dir.join("estateflow.db").display()),
            (None, None) => unreachable!("a test has either PostgreSQL or SQLite"),
        }
    }

    pub async fn remove(self) {
        if let Some((admin_url, name)) = self.postgres
            && let Ok(admin) = Database::connect(&admin_url).await
        {
            let _ = admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                .await;
            admin.close().await.ok();
        }
        if let Some(dir) = self.sqlite_dir {
            let _ = std::fs::remove_dir_all(dir);
        }
        if let Some((url, namespace)) = self.redis {
            let _ = delete_redis_namespace(&url, &namespace).await;
        }
    }
}

/// `postgres://host/db` with the database replaced.
pub fn with_database(url: &str, database: &str) -> String {
    let (base, query) = url.split_once('?').map_or((url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    match query {
        Some(q) => format!("{base}/{database}?{q}"),
        None => format!("{base}/{database}"),
    }
}

/// A database migrated to the current schema, created once (under an
/// advisory lock, so parallel test binaries agree) and cloned per test.
async fn postgres_template(admin_url: &str) -> String {
    static TEMPLATE: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
    TEMPLATE
        .get_or_init(|| async {
            let fingerprint = {
                use std::hash::{Hash, Hasher};
                let mut hasher = std::collections::hash_map::DefaultHasher::new();
                migration::SOURCES.hash(&mut hasher);
                hasher.finish()
            };
            let name = format!("ef_template_{fingerprint:016x}");
            let admin = Database::connect(admin_url).await.expect("connect to PostgreSQL");
            admin
                .execute_unprepared("SELECT pg_advisory_lock(726100)")
                .await
                .expect("lock");
            let exists = admin
                .query_one_raw(sea_orm::Statement::from_string(
                    sea_orm::DbBackend::Postgres,
                    format!("SELECT 1 AS one FROM pg_database WHERE datname = '{name}'"),
                ))
                .await
                .expect("look up the template")
                .is_some();
            if !exists {
                let building = format!("{name}_building");
                admin
                    .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{building}\" WITH (FORCE)"))
                    .await
                    .expect("drop a half-built template");
                admin
                    .execute_unprepared(&format!("CREATE DATABASE \"{building}\""))
                    .await
                    .expect("create template");
                let db = Database::connect(with_database(admin_url, &building))
                    .await
                    .expect("connect to template");
                domain::migrate(&db).await.expect("migrate the template");
                db.close().await.ok();
                admin
                    .execute_unprepared(&format!("ALTER DATABASE \"{building}\" RENAME TO \"{name}\""))
                    .await
                    .expect("publish the template");
            }
            admin
                .execute_unprepared("SELECT pg_advisory_unlock(726100)")
                .await
                .expect("unlock");
            admin.close().await.ok();
            name
        })
        .await
        .clone()
}

async fn delete_redis_namespace(url: &str, namespace: &str) -> redis::RedisResult<()> {
    let client = redis::Client::open(url)?;
    let mut conn = client.get_multiplexed_async_connection().await?;
    let mut cursor: u64 = 0;
    loop {
        let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
            .arg(cursor)
            .arg("MATCH")
            .arg(format!("{namespace}:*"))
            .arg("COUNT")
            .arg(500)
            .query_async(&mut conn)
            .await?;
        if !keys.is_empty() {
            redis::cmd("DEL").arg(&keys).query_async::<()>(&mut conn).await?;
        }
        if next == 0 {
            return Ok(());
        }
        cursor = next;
    }
}

/// Logs of the app under test go to the test's output, which the harness
/// shows for failing tests only: errors always (an internal error's cause is
/// then next to the failed assertion), more with `TEST_LOG`.
fn init_tracing() {
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        let filter = std::env::var("TEST_LOG").unwrap_or_else(|_| "error".to_owned());
        let _ = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .with_test_writer()
            .try_init();
    });
}

/// Asserts a 422 `validation_failed` problem whose errors name exactly these
/// JSON pointers, in this order; returns the problem.
pub async fn assert_invalid(response: reqwest::Response, pointers: &[&str]) -> Value {
    let problem = assert_problem(response, 422, "validation_failed").await;
    let named: Vec<&str> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["pointer"].as_str())
        .collect();
    assert_eq!(named, pointers, "{problem}");
    problem
}

/// Asserts that a response is problem+json with `status` and `code`, and returns the body.
pub async fn assert_problem(response: reqwest::Response, status: u16, code: &str) -> Value {
    assert_eq!(response.status().as_u16(), status, "status of {}", response.url());
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(
        content_type.starts_with("application/problem+json"),
        "content type {content_type}"
    );
    let request_id = response
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body: Value = response.json().await.expect("problem body is JSON");
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["status"], status, "{body}");
    assert_eq!(body["type"], format!("urn:estateflow:problem:{code}"), "{body}");
    assert!(body["title"].is_string() && body["detail"].is_string(), "{body}");
    assert_eq!(
        body["request_id"].as_str(),
        request_id.as_deref(),
        "request id in body and header"
    );
    body
}

/// Polls `check` every 50 ms until it returns `Some`, or panics after `timeout`.
pub async fn eventually<T, F, Fut>(timeout: Duration, what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(tokio::time::Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
