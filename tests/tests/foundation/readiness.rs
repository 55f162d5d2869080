//! `/readyz` follows its dependencies: 503 naming the one that stopped,
//! within 2 s, and 200 again once it is back, without a restart. A proxy
//! between the service and the backend plays the outage.

use std::time::{Duration, Instant};

use domain::platform::secret::ConnectionUrl;
use tests::{
    AppOptions, Backends, TestApp, assert_problem, eventually,
    proxy::{ToggleProxy, host_port, through_proxy},
    spawn_app_with,
};

async fn ready_status(app: &TestApp) -> u16 {
    app.client
        .get(app.url("/readyz"))
        .send()
        .await
        .map_or(0, |r| r.status().as_u16())
}

async fn assert_outage_and_recovery(app: &TestApp, proxy: &ToggleProxy, dependency: &str) {
    assert_eq!(ready_status(app).await, 200, "ready before the outage");
    proxy.cut().await;
    let cut_at = Instant::now();
    let response = eventually(Duration::from_secs(5), "readyz to fail", || async {
        let response = app.client.get(app.url("/readyz")).send().await.ok()?;
        (response.status() == 503).then_some(response)
    })
    .await;
    let noticed = cut_at.elapsed();
    assert!(noticed < Duration::from_secs(2), "503 came after {noticed:?}");
    let body = assert_problem(response, 503, "service_unavailable").await;
    assert!(
        body["detail"].as_str().unwrap_or_default().contains(dependency),
        "{body}"
    );

    proxy.restore().await;
    eventually(Duration::from_secs(15), "readyz to recover", || async {
        (ready_status(app).await == 200).then_some(())
    })
    .await;
}

#[tokio::test]
async fn readyz_names_redis_while_it_is_down_and_recovers_without_a_restart() {
    let backends = Backends::from_env();
    let Some(redis) = backends.redis.clone() else {
        eprintln!("skipped: needs ESTATEFLOW_TEST_REDIS_URL (the embedded queue cannot stop on its own)");
        return;
    };
    let proxy = ToggleProxy::start(&host_port(&redis)).await;
    let proxied = through_proxy(&redis, proxy.port());
    let app = spawn_app_with(AppOptions {
        backends: Backends {
            redis: Some(proxied),
            ..backends.clone()
        },
        workers: false,
        ..AppOptions::default()
    })
    .await;
    assert_outage_and_recovery(&app, &proxy, "queue").await;
}

#[tokio::test]
async fn readyz_names_postgresql_while_it_is_down_and_recovers_without_a_restart() {
    let backends = Backends::from_env();
    let Some(postgres) = backends.postgres.clone() else {
        eprintln!("skipped: needs ESTATEFLOW_TEST_DATABASE_URL (an SQLite file cannot stop on its own)");
        return;
    };
    let proxy = ToggleProxy::start(&host_port(&postgres)).await;
    // The harness creates the test database directly; the service reaches it through the proxy.
    let app = spawn_app_with(AppOptions {
        workers: false,
        ..AppOptions::default()
    })
    .await;
    let proxied_db = through_proxy(app.settings.database_url.expose(), proxy.port());
    let mut settings = app.settings.clone();
    settings.database_url = ConnectionUrl::new(proxied_db);
    let db = domain::platform::db::connect(&settings)
        .await
        .expect("connect through the proxy");
    let proxied_app = tests::spawn_app_on(settings, db, app.queue.clone()).await;
    assert_outage_and_recovery(&proxied_app, &proxy, "database").await;
}
