//! The api and worker processes start without Redis: they serve, report
//! not ready naming the queue, and become ready once Redis is there.

use std::time::Duration;

use tests::{
    Backends, JWT_SECRET, TestData, assert_problem, eventually,
    process::{OwnRedis, ServiceProcess, free_port, run_once},
};

const BIN: &str = env!("CARGO_BIN_EXE_estateflow-under-test");
const OPS_EMAIL: &str = "ops@example.com";
const OPS_PASSWORD: &str = "ops-password-123";

#[tokio::test]
async fn api_and_worker_start_without_redis_report_not_ready_and_become_ready_when_it_comes() {
    let from_env = Backends::from_env();
    if from_env.postgres.is_none() {
        eprintln!("skipped: `estateflow api` needs production mode (ESTATEFLOW_TEST_DATABASE_URL)");
        return;
    }
    let data = TestData::create(&Backends {
        postgres: from_env.postgres.clone(),
        redis: None,
    })
    .await;
    let dir = std::env::temp_dir().join(format!("estateflow-proc-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let port = free_port();
    let mut env = vec![
        ("ESTATEFLOW_BIND", "127.0.0.1:0".to_owned()),
        ("ESTATEFLOW_ADMIN_EMAIL", OPS_EMAIL.to_owned()),
        ("ESTATEFLOW_ADMIN_PASSWORD", OPS_PASSWORD.to_owned()),
        ("ESTATEFLOW_DATABASE_URL", data.database_url()),
        ("ESTATEFLOW_REDIS_URL", format!("redis://127.0.0.1:{port}")),
        ("ESTATEFLOW_JWT_SECRET", JWT_SECRET.to_owned()),
    ];
    let (status, output) = run_once(BIN, &["migrate"], &env, &dir, "").await;
    assert!(status.success(), "{output}");

    let mut api = ServiceProcess::start(BIN, &["api"], &env, &dir, true).await;
    env.push(("ESTATEFLOW_WORKER_BIND", "127.0.0.1:0".to_owned()));
    let mut worker = ServiceProcess::start(BIN, &["worker"], &env, &dir, true).await;
    let client = api.api();
    assert_eq!(client.get("/healthz", None).await.status(), 200);
    let not_ready = assert_problem(client.get("/readyz", None).await, 503, "service_unavailable").await;
    assert!(
        not_ready["detail"].as_str().unwrap_or_default().contains("queue"),
        "{not_ready}"
    );
    let worker_health = worker.api().get("/healthz", None).await;
    assert_eq!(worker_health.status(), 200);
    // A worker's probes carry the security headers too.
    assert_eq!(worker_health.headers()["x-content-type-options"], "nosniff");
    assert_eq!(worker.api().get("/readyz", None).await.status(), 503);
    // Reading works without the queue.
    let token = client.token(OPS_EMAIL, OPS_PASSWORD).await;
    assert_eq!(client.get("/api/v1/me", Some(&token)).await.status(), 200);

    let redis = OwnRedis::start(port).await;
    for probes in [client.clone(), worker.api()] {
        eventually(Duration::from_secs(30), "ready once Redis is there", || {
            let probes = probes.clone();
            async move { (probes.get("/readyz", None).await.status() == 200).then_some(()) }
        })
        .await;
    }
    // And the worker takes jobs from it.
    let probe = client.push_probe(&token, 0).await;
    let handled = client.probe(&token, &probe, 10_000).await;
    assert_eq!(
        handled["status"],
        "handled",
        "{handled}\nworker output:\n{}",
        worker.lines().join("\n")
    );
    for process in [&api, &worker] {
        let logged = process.lines().join("\n");
        assert!(
            logged.contains("the queue (Redis) is unreachable"),
            "the process says it waits for the queue:\n{logged}"
        );
        eventually(
            Duration::from_secs(10),
            "a log line saying the queue is there",
            || async {
                process
                    .lines()
                    .iter()
                    .any(|l| l.contains("connected to the queue"))
                    .then_some(())
            },
        )
        .await;
    }

    for process in [&mut api, &mut worker] {
        process.terminate();
        assert!(process.wait(Duration::from_secs(20)).await.success());
    }
    drop(redis);
    data.remove().await;
    let _ = std::fs::remove_dir_all(&dir);
}
