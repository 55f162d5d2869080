//! Every warning and error logged while handling a request names the
//! request, whatever the log level.

use std::time::Duration;

use serde_json::json;
use tests::{eventually, process::ServiceProcess};

const BIN: &str = env!("CARGO_BIN_EXE_estateflow-under-test");

#[tokio::test]
async fn warnings_logged_at_log_level_warn_carry_the_request_id() {
    let dir = std::env::temp_dir().join(format!("estateflow-proc-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let env = [
        ("ESTATEFLOW_BIND", "127.0.0.1:0".to_owned()),
        ("ESTATEFLOW_LOG", "warn".to_owned()),
        ("ESTATEFLOW_LOG_FORMAT", "json".to_owned()),
    ];
    let mut process = ServiceProcess::start(BIN, &["serve"], &env, &dir, true).await;
    let api = process.api();
    // An unknown refresh token is refused with a warning.
    let response = api
        .client
        .post(api.url("/api/v1/auth/token"))
        .header("x-request-id", "hardening-log-0001")
        .json(&json!({"grant_type": "refresh_token", "refresh_token": "no-such-token"}))
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 400);
    let line = eventually(Duration::from_secs(10), "the warning", || async {
        process
            .lines()
            .into_iter()
            .find(|l| l.contains("refresh token refused"))
    })
    .await;
    assert!(line.contains("hardening-log-0001"), "{line}");
    process.terminate();
    assert!(process.wait(Duration::from_secs(20)).await.success());
    let _ = std::fs::remove_dir_all(&dir);
}
