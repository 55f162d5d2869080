use std::time::Duration;

use serde_json::Value;
use tests::{
    AppOptions,
    proxy::{ToggleProxy, host_port, through_proxy},
    spawn_app, spawn_app_with,
};

#[tokio::test]
async fn a_probe_goes_through_the_queue_and_is_handled_by_a_worker() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let queued = app.push_probe(&token, 0).await;
    assert_eq!(queued["status"], "queued");
    let handled = app.probe(&token, &queued, 10_000).await;
    assert_eq!(handled["status"], "handled", "{handled}");
    assert!(
        handled["handled_by"].as_str().is_some_and(|w| !w.is_empty()),
        "{handled}"
    );
}

#[tokio::test]
async fn a_probe_stays_queued_while_no_worker_runs() {
    let app = spawn_app_with(AppOptions {
        workers: false,
        ..AppOptions::default()
    })
    .await;
    let token = app.admin_token().await;
    let queued = app.push_probe(&token, 0).await;
    // No worker exists to take it: there is nothing to wait for.
    let probe = app.probe(&token, &queued, 0).await;
    assert_eq!(probe["status"], "queued");
    assert_eq!(probe["handled_by"], Value::Null);
}

#[tokio::test]
async fn workers_recover_by_themselves_after_redis_comes_back() {
    let backends = tests::Backends::from_env();
    let Some(redis) = backends.redis.clone() else {
        eprintln!("skipped: needs ESTATEFLOW_TEST_REDIS_URL (the embedded queue cannot stop on its own)");
        return;
    };
    let proxy = ToggleProxy::start(&host_port(&redis)).await;
    let app = spawn_app_with(AppOptions {
        backends: tests::Backends {
            redis: Some(through_proxy(&redis, proxy.port())),
            ..backends.clone()
        },
        ..AppOptions::default()
    })
    .await;
    let token = app.admin_token().await;
    assert_eq!(
        app.probe(&token, &app.push_probe(&token, 0).await, 10_000).await["status"],
        "handled"
    );

    proxy.cut().await;
    // The outage is real once the service sees the queue down.
    tests::eventually(Duration::from_secs(10), "the queue reported down", || async {
        (app.get("/readyz", None).await.status() == 503).then_some(())
    })
    .await;
    proxy.restore().await;

    let queued = tests::eventually(Duration::from_secs(10), "the queue to take jobs again", || async {
        let response = app
            .post_json("/api/v1/admin/queue-probes", Some(&token), &serde_json::json!({}))
            .await;
        (response.status() == 202).then_some(response)
    })
    .await;
    let probe = tests::client::expect_json(queued, 202).await;
    let handled = app.probe(&token, &probe, 10_000).await;
    if handled["status"] != "handled" {
        // The restart pause may have grown during the outage: give it one more round.
        let handled = app.probe(&token, &probe, 10_000).await;
        assert_eq!(handled["status"], "handled", "workers did not come back: {handled}");
    }
}
