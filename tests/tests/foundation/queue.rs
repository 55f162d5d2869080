use std::time::Duration;

use serde_json::Value;
use tests::{AppOptions, spawn_app, spawn_app_with};

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
    tokio::time::sleep(Duration::from_millis(500)).await;
    let probe = app.probe(&token, &queued, 0).await;
    assert_eq!(probe["status"], "queued");
    assert_eq!(probe["handled_by"], Value::Null);
}
