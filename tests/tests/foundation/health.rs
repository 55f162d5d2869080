use serde_json::json;
use tests::{client::expect_json, spawn_app};

#[tokio::test]
async fn healthz_answers_ok_without_touching_dependencies() {
    let app = spawn_app().await;
    assert_eq!(
        expect_json(app.get("/healthz", None).await, 200).await,
        json!({"status": "ok"})
    );
}

#[tokio::test]
async fn readyz_reports_the_database_and_the_queue_up() {
    let app = spawn_app().await;
    let body = expect_json(app.get("/readyz", None).await, 200).await;
    assert_eq!(body, json!({"status": "ready", "database": "up", "queue": "up"}));
}

#[tokio::test]
async fn a_request_id_sent_by_the_client_is_echoed() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", "partner-req-42")
        .send()
        .await
        .expect("request");
    assert_eq!(response.headers()["x-request-id"], "partner-req-42");
}

#[tokio::test]
async fn a_request_id_is_generated_when_missing_or_unusable() {
    let app = spawn_app().await;
    let plain = app.get("/healthz", None).await;
    let generated = plain.headers()["x-request-id"].to_str().expect("ascii").to_owned();
    assert!(uuid::Uuid::parse_str(&generated).is_ok(), "{generated}");

    let too_long = "x".repeat(500);
    let response = app
        .client
        .get(app.url("/healthz"))
        .header("x-request-id", too_long.as_str())
        .send()
        .await
        .expect("request");
    let replaced = response.headers()["x-request-id"].to_str().expect("ascii");
    assert_ne!(replaced, too_long);
    assert!(uuid::Uuid::parse_str(replaced).is_ok());
}

#[tokio::test]
async fn metrics_count_requests_by_route_template_and_status() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    for id in [uuid::Uuid::new_v4(), uuid::Uuid::new_v4()] {
        let response = app.get(&format!("/api/v1/admin/queue-probes/{id}"), Some(&token)).await;
        assert_eq!(response.status(), 404);
    }
    let metrics = app.get("/metrics", None).await;
    assert_eq!(metrics.status(), 200);
    assert!(
        metrics.headers()["content-type"]
            .to_str()
            .expect("ascii")
            .starts_with("text/plain")
    );
    let text = metrics.text().await.expect("text");
    let line = text
        .lines()
        .find(|l| {
            l.starts_with("estateflow_http_requests_total{")
                && l.contains(r#"route="/api/v1/admin/queue-probes/{id}""#)
                && l.contains(r#"status="404""#)
        })
        .unwrap_or_else(|| panic!("no counter for the route template in:\n{text}"));
    assert!(line.ends_with(" 2"), "{line}");
    assert!(
        text.contains("estateflow_http_request_duration_seconds_bucket{"),
        "latency histogram missing"
    );
    assert!(
        !text.contains(r#"route="/api/v1/admin/queue-probes/0"#),
        "raw paths must not become labels"
    );
}
