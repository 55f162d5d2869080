use std::time::Duration;

use serde_json::Value;
use tests::{AppOptions, spawn_app, spawn_app_with};

#[tokio::test]
async fn a_probe_goes_through_the_queue_and_is_handled_by_a_worker() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let response = app
        .client
        .post(app.url("/api/v1/admin/queue-probes"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 202);
    let location = response.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_owned();
    let queued: Value = response.json().await.expect("json");
    assert_eq!(queued["status"], "queued");
    assert_eq!(queued["href"], location);

    let handled: Value = app
        .client
        .get(app.url(&format!("{location}?wait_ms=10000")))
        .bearer_auth(&token)
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    assert_eq!(handled["status"], "handled", "{handled}");
    assert!(
        handled["handled_by"]
            .as_str()
            .is_some_and(|w| !w.is_empty()),
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
    let response = app
        .client
        .post(app.url("/api/v1/admin/queue-probes"))
        .bearer_auth(&token)
        .json(&serde_json::json!({}))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 202);
    let location = response.headers()["location"]
        .to_str()
        .expect("ascii")
        .to_owned();
    tokio::time::sleep(Duration::from_millis(500)).await;
    let probe: Value = app
        .client
        .get(app.url(&location))
        .bearer_auth(&token)
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("json");
    assert_eq!(probe["status"], "queued");
    assert_eq!(probe["handled_by"], Value::Null);
}
