//! The `estateflow` binary as an operator runs it: no settings at all, a
//! restart, SIGTERM with work in flight, production mode's checks, and the
//! administrative subcommands.

use std::{path::PathBuf, time::Duration};

use domain::Secret;
use serde_json::json;
use tests::{
    Backends, JWT_SECRET, TestData,
    client::expect_json,
    process::{ServiceProcess, run_once},
};

const BIN: &str = env!("CARGO_BIN_EXE_estateflow-under-test");
const OPS_EMAIL: &str = "ops@example.com";
const OPS_PASSWORD: &str = "ops-password-123";

struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        let dir = std::env::temp_dir().join(format!("estateflow-proc-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }

    /// The embedded database the binary created here.
    async fn database(&self) -> domain::platform::db::DatabaseConnection {
        let settings = domain::Settings {
            database_url: domain::platform::secret::ConnectionUrl::new(format!(
                "sqlite://{}",
                self.0.join("estateflow.db").display()
            )),
            ..domain::Settings::default()
        };
        domain::platform::db::connect(&settings)
            .await
            .expect("open the database")
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn bind_any() -> (&'static str, String) {
    ("ESTATEFLOW_BIND", "127.0.0.1:0".to_owned())
}

/// Any port, and a known first administrator.
fn ops_env() -> Vec<(&'static str, String)> {
    vec![
        bind_any(),
        ("ESTATEFLOW_ADMIN_EMAIL", OPS_EMAIL.to_owned()),
        ("ESTATEFLOW_ADMIN_PASSWORD", OPS_PASSWORD.to_owned()),
    ]
}

#[tokio::test]
async fn serve_with_no_settings_creates_the_database_prints_its_urls_and_keeps_tokens_across_a_restart() {
    let dir = TempDir::new();
    let mut first = ServiceProcess::start(BIN, &["serve"], &[bind_any()], &dir.0, true).await;
    assert!(dir.0.join("estateflow.db").exists(), "./estateflow.db was not created");
    let api = first.api();
    let output = first.lines().join("\n");
    for path in ["/docs/", "/api/v1/openapi.json", "/healthz", "/readyz"] {
        assert!(output.contains(&api.url(path)), "{path} missing from:\n{output}");
        assert_eq!(api.get(path, None).await.status(), 200, "{path}");
    }
    let password = first
        .lines()
        .iter()
        .find_map(|l| {
            l.trim()
                .strip_prefix("Generated password (shown once): ")
                .map(str::to_owned)
        })
        .unwrap_or_else(|| panic!("no generated password in:\n{output}"));
    let token = api.token(domain::access::users::DEFAULT_ADMIN_EMAIL, &password).await;

    first.terminate();
    assert!(
        first.wait(Duration::from_secs(20)).await.success(),
        "clean exit on SIGTERM"
    );

    let second = ServiceProcess::start(BIN, &["serve"], &[bind_any()], &dir.0, true).await;
    assert!(
        !second.lines().iter().any(|l| l.contains("Generated password")),
        "a second start must not create another administrator"
    );
    let me = second.api().get("/api/v1/me", Some(&token)).await;
    assert_eq!(me.status(), 200, "a token issued before the restart still works");
}

#[tokio::test]
async fn the_demo_organisation_is_loaded_once_and_its_staff_can_sign_in() {
    let dir = TempDir::new();
    let mut first = ServiceProcess::start(BIN, &["serve", "--demo"], &[bind_any()], &dir.0, true).await;
    assert!(
        first
            .lines()
            .iter()
            .any(|l| l.starts_with("Loaded the demo organisation")),
        "{:?}",
        first.lines()
    );
    let api = first.api();
    let director = api
        .token("director@demo.estateflow.local", domain::demo::DEMO_PASSWORD)
        .await;
    // The director finds sales policies and marketing plans in every state.
    let approvals = expect_json(api.get("/api/v1/approvals", Some(&director)).await, 200).await;
    let mut states: Vec<&str> = approvals["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|a| a["status"].as_str())
        .collect();
    states.sort_unstable();
    states.dedup();
    assert_eq!(
        states,
        ["approved", "rejected", "submitted", "withdrawn"],
        "{approvals}"
    );
    let manager = api
        .token("manager.pudong@demo.estateflow.local", domain::demo::DEMO_PASSWORD)
        .await;
    let me = expect_json(api.get("/api/v1/me", Some(&manager)).await, 200).await;
    assert_eq!(me["roles"], json!(["manager"]));
    assert!(me["team_id"].is_string(), "the manager belongs to a team: {me}");
    first.terminate();
    first.wait(Duration::from_secs(20)).await;

    let second = ServiceProcess::start(BIN, &["serve", "--demo"], &[bind_any()], &dir.0, true).await;
    assert!(
        !second
            .lines()
            .iter()
            .any(|l| l.starts_with("Loaded the demo organisation")),
        "loaded twice"
    );
}

#[tokio::test]
async fn production_mode_refuses_to_start_without_a_jwt_secret() {
    let dir = TempDir::new();
    let env = [
        (
            "ESTATEFLOW_DATABASE_URL",
            "postgres://postgres@127.0.0.1:1/none".to_owned(),
        ),
        ("ESTATEFLOW_REDIS_URL", "redis://127.0.0.1:1".to_owned()),
    ];
    for command in ["api", "worker", "serve"] {
        let (status, output) = run_once(BIN, &[command], &env, &dir.0, "").await;
        assert_eq!(status.code(), Some(2), "{command}: {output}");
        assert!(output.contains("ESTATEFLOW_JWT_SECRET"), "{command}: {output}");
    }
}

#[tokio::test]
async fn a_log_filter_that_cannot_be_read_stops_the_start() {
    let dir = TempDir::new();
    let env = [("ESTATEFLOW_LOG", "info,[".to_owned())];
    let (status, output) = run_once(BIN, &["api"], &env, &dir.0, "").await;
    assert_eq!(status.code(), Some(2), "{output}");
    assert!(output.contains("ESTATEFLOW_LOG"), "{output}");
}

#[tokio::test]
async fn sigterm_lets_an_in_flight_job_finish_before_exiting() {
    let dir = TempDir::new();
    let mut process = ServiceProcess::start(BIN, &["serve"], &ops_env(), &dir.0, true).await;
    let api = process.api();
    let token = api.token(OPS_EMAIL, OPS_PASSWORD).await;
    let probe = api.push_probe(&token, 2000).await;
    tests::eventually(Duration::from_secs(20), "a worker to take the job", || async {
        (api.probe(&token, &probe, 0).await["status"] == "running").then_some(())
    })
    .await;
    process.terminate();
    let status = process.wait(Duration::from_secs(20)).await;
    assert!(status.success(), "exit status {status}\n{}", process.lines().join("\n"));

    let key = format!("probe:{}", probe["id"].as_str().expect("id"));
    let handled_by = domain::platform::system::get(&dir.database().await, &key)
        .await
        .expect("query");
    assert!(
        handled_by.is_some_and(|worker| !worker.is_empty()),
        "the job in flight at SIGTERM was not finished\n{}",
        process.lines().join("\n")
    );
}

#[tokio::test]
async fn sigterm_lets_an_in_flight_request_finish_before_exiting() {
    let dir = TempDir::new();
    // `api` alone: no worker takes the probe, so the long poll runs to its end.
    // Its debug line shows when the long poll is under way.
    let env = [
        ops_env(),
        vec![("ESTATEFLOW_LOG", "info,queue::probe=debug".to_owned())],
    ]
    .concat();
    let mut process = ServiceProcess::start(BIN, &["api"], &env, &dir.0, true).await;
    let api = process.api();
    let token = api.token(OPS_EMAIL, OPS_PASSWORD).await;
    let probe = api.push_probe(&token, 0).await;
    let id = probe["id"].as_str().expect("probe id").to_owned();
    let in_flight = tokio::spawn(async move { api.probe(&token, &probe, 4000).await });
    process
        .wait_for_line(Duration::from_secs(10), "that the long poll waits", |line| {
            (line.contains("waiting for the probe to be handled") && line.contains(&id)).then_some(())
        })
        .await;
    process.terminate();
    let answered = in_flight.await.expect("the in-flight request was answered with 200");
    assert_eq!(answered["status"], "queued");
    assert!(process.wait(Duration::from_secs(20)).await.success());
}

#[tokio::test]
async fn admin_create_user_reads_the_password_from_stdin() {
    let dir = TempDir::new();
    let create = ["admin", "create-user", "--password-stdin", "--email"];
    let args = [&create[..], &["Director@Example.com", "--role", "director"]].concat();
    let (status, output) = run_once(BIN, &args, &[], &dir.0, "director-password-1\n").await;
    assert!(status.success(), "{output}");
    assert!(output.contains("created user director@example.com"), "{output}");

    let args = [&create[..], &["short@example.com", "--role", "nobody"]].concat();
    let (status, output) = run_once(BIN, &args, &[], &dir.0, "short\n").await;
    assert!(!status.success());
    assert!(
        output.contains("password") && output.contains("unknown role"),
        "{output}"
    );

    let principal = domain::access::users::authenticate(
        &dir.database().await,
        "director@example.com",
        &Secret::new("director-password-1"),
    )
    .await
    .expect("query")
    .expect("the user can sign in");
    assert_eq!(principal.roles, ["director"]);
}

#[tokio::test]
async fn migrate_applies_the_schema_and_status_lists_it() {
    let dir = TempDir::new();
    let (status, output) = run_once(BIN, &["migrate", "status"], &[], &dir.0, "").await;
    assert!(status.success(), "{output}");
    assert!(output.contains("pending m20261127_000001_foundation"), "{output}");
    let (status, output) = run_once(BIN, &["migrate"], &[], &dir.0, "").await;
    assert!(status.success(), "{output}");
    let (status, output) = run_once(BIN, &["migrate", "status"], &[], &dir.0, "").await;
    assert!(status.success());
    assert!(output.contains("applied m20261127_000001_foundation"), "{output}");
}

#[tokio::test]
async fn the_openapi_subcommand_prints_the_committed_document() {
    let dir = TempDir::new();
    let (status, output) = run_once(BIN, &["openapi"], &[], &dir.0, "").await;
    assert!(status.success());
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/openapi.json")).unwrap_or_default();
    assert_eq!(output, committed);
}

#[tokio::test]
async fn api_and_worker_processes_run_side_by_side_in_production_mode() {
    let backends = Backends::from_env();
    let (Some(_), Some(redis)) = (&backends.postgres, &backends.redis) else {
        eprintln!("skipped: needs ESTATEFLOW_TEST_DATABASE_URL and ESTATEFLOW_TEST_REDIS_URL");
        return;
    };
    let data = TestData::create(backends).await;
    let dir = TempDir::new();
    let mut env = ops_env();
    env.extend([
        ("ESTATEFLOW_DATABASE_URL", data.database_url()),
        ("ESTATEFLOW_REDIS_URL", redis.clone()),
        (
            "ESTATEFLOW_REDIS_NAMESPACE",
            data.redis.as_ref().map(|(_, ns)| ns.clone()).unwrap_or_default(),
        ),
        ("ESTATEFLOW_JWT_SECRET", JWT_SECRET.to_owned()),
    ]);
    let (status, output) = run_once(BIN, &["migrate"], &env, &dir.0, "").await;
    assert!(status.success(), "{output}");
    let mut api_a = ServiceProcess::start(BIN, &["api"], &env, &dir.0, true).await;
    let mut api_b = ServiceProcess::start(BIN, &["api"], &env, &dir.0, true).await;
    env.push(("ESTATEFLOW_WORKER_BIND", "127.0.0.1:0".to_owned()));
    let mut worker = ServiceProcess::start(BIN, &["worker"], &env, &dir.0, true).await;
    // The worker serves only its probes.
    assert_eq!(worker.api().get("/readyz", None).await.status(), 200);
    assert_eq!(worker.api().get("/api/v1/me", None).await.status(), 404);

    // A token from one replica works on the other: they share the secret.
    let token = api_a.api().token(OPS_EMAIL, OPS_PASSWORD).await;
    for api in [api_a.api(), api_b.api()] {
        assert_eq!(api.get("/readyz", None).await.status(), 200);
    }
    let probe = api_b.api().push_probe(&token, 0).await;
    let handled = api_a.api().probe(&token, &probe, 10_000).await;
    assert_eq!(
        handled["status"],
        "handled",
        "{handled}\nworker output:\n{}",
        worker.lines().join("\n")
    );

    for process in [&mut api_a, &mut api_b, &mut worker] {
        process.terminate();
        assert!(process.wait(Duration::from_secs(20)).await.success());
    }
    data.remove().await;
}

#[tokio::test]
async fn serve_starts_on_a_machine_without_system_certificate_authorities() {
    let dir = TempDir::new();
    let mut env = vec![bind_any()];
    // rustls-native-certs reads only these when they are set: no system store at all.
    env.push(("SSL_CERT_FILE", "/nonexistent/ca-certificates.crt".to_owned()));
    env.push(("SSL_CERT_DIR", "/nonexistent/certs".to_owned()));
    let mut process = ServiceProcess::start(BIN, &["serve"], &env, &dir.0, true).await;
    assert_eq!(process.api().get("/readyz", None).await.status(), 200);
    let lines = process.lines();
    assert!(
        lines.iter().any(|l| l.contains("trusting Mozilla's built in")),
        "webhooks fell back to the built-in authorities:\n{}",
        lines.join("\n")
    );
    process.terminate();
    assert!(process.wait(Duration::from_secs(20)).await.success());
}
