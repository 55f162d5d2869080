use serde_json::json;
use tests::{assert_problem, spawn_app};

#[tokio::test]
async fn an_unknown_route_is_a_problem_404() {
    let app = spawn_app().await;
    let response = app
        .client
        .get(app.url("/api/v1/no-such-thing"))
        .send()
        .await
        .expect("request");
    let body = assert_problem(response, 404, "route_not_found").await;
    assert_eq!(body["instance"], "/api/v1/no-such-thing");
}

#[tokio::test]
async fn a_wrong_method_is_a_problem_405_with_allow() {
    let app = spawn_app().await;
    let response = app
        .client
        .delete(app.url("/healthz"))
        .send()
        .await
        .expect("request");
    assert_eq!(
        response
            .headers()
            .get("allow")
            .map(|v| v.to_str().unwrap_or_default()),
        Some("GET")
    );
    assert_problem(response, 405, "method_not_allowed").await;

    let response = app
        .client
        .get(app.url("/api/v1/auth/token"))
        .send()
        .await
        .expect("request");
    assert_problem(response, 405, "method_not_allowed").await;
}

#[tokio::test]
async fn an_oversized_body_is_a_problem_413() {
    let app = spawn_app().await;
    let huge = "a".repeat(app.settings.body_limit_bytes + 1);
    let response = app
        .client
        .post(app.url("/api/v1/auth/token"))
        .header("content-type", "application/json")
        .body(format!(r#"{{"grant_type":"password","email":"{huge}"}}"#))
        .send()
        .await
        .expect("request");
    assert_problem(response, 413, "payload_too_large").await;
}

#[tokio::test]
async fn malformed_json_is_a_problem_400() {
    let app = spawn_app().await;
    for body in [r#"{"grant_type": "#, "not json", r#"{"a":1}}"#, ""] {
        let response = app
            .client
            .post(app.url("/api/v1/auth/token"))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("request");
        assert_problem(response, 400, "malformed_json").await;
    }
}

#[tokio::test]
async fn a_field_of_the_wrong_type_is_a_422_pointing_at_it() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(app.url("/api/v1/auth/token"))
        .json(&json!({"grant_type": "password", "email": 42, "password": "x"}))
        .send()
        .await
        .expect("request");
    let body = assert_problem(response, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["pointer"], "/email");
    assert!(
        body["errors"][0]["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("expected a string"),
        "{body}"
    );
}

#[tokio::test]
async fn missing_fields_are_a_422_with_one_entry_per_field() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(app.url("/api/v1/auth/token"))
        .json(&json!({"grant_type": "password"}))
        .send()
        .await
        .expect("request");
    let body = assert_problem(response, 422, "validation_failed").await;
    let pointers: Vec<&str> = body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["pointer"].as_str())
        .collect();
    assert_eq!(pointers, ["/email", "/password"]);

    let response = app
        .client
        .post(app.url("/api/v1/auth/token"))
        .json(&json!({}))
        .send()
        .await
        .expect("request");
    let body = assert_problem(response, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["pointer"], "/grant_type");
}

#[tokio::test]
async fn an_unsupported_content_type_is_a_problem_415() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(app.url("/api/v1/auth/token"))
        .header("content-type", "text/plain")
        .body("grant_type=password")
        .send()
        .await
        .expect("request");
    assert_problem(response, 415, "unsupported_media_type").await;
}

#[tokio::test]
async fn a_bad_path_id_is_a_problem_400() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let response = app
        .client
        .get(app.url("/api/v1/admin/queue-probes/not-a-uuid"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("request");
    assert_problem(response, 400, "invalid_path").await;
}

#[tokio::test]
async fn a_bad_query_string_is_a_problem_400() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let id = uuid::Uuid::new_v4();
    let response = app
        .client
        .get(app.url(&format!("/api/v1/admin/queue-probes/{id}?wait_ms=soon")))
        .bearer_auth(&token)
        .send()
        .await
        .expect("request");
    assert_problem(response, 400, "invalid_query").await;
}

#[tokio::test]
async fn a_value_out_of_range_is_a_422_and_changes_nothing() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let response = app
        .client
        .post(app.url("/api/v1/admin/queue-probes"))
        .bearer_auth(&token)
        .json(&json!({"hold_ms": 3_600_000}))
        .send()
        .await
        .expect("request");
    let body = assert_problem(response, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["pointer"], "/hold_ms");

    let response = app
        .client
        .post(app.url("/api/v1/admin/queue-probes"))
        .bearer_auth(&token)
        .json(&json!({"hold_ms": 1, "unexpected": true}))
        .send()
        .await
        .expect("request");
    assert_problem(response, 422, "validation_failed").await;

    assert_eq!(
        probe_count(&app.db).await,
        0,
        "a rejected request must not register a probe"
    );
}

async fn probe_count(db: &sea_orm::DatabaseConnection) -> u64 {
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    entities::prelude::SystemSettings::find()
        .filter(entities::system_settings::Column::Key.starts_with("probe:"))
        .count(db)
        .await
        .expect("count probes")
}
