use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;
use tests::{assert_invalid, assert_problem, spawn_app};

const TOKEN_PATH: &str = "/api/v1/auth/token";

#[tokio::test]
async fn an_unknown_route_is_a_problem_404() {
    let app = spawn_app().await;
    let body = assert_problem(app.get("/api/v1/no-such-thing", None).await, 404, "route_not_found").await;
    assert_eq!(body["instance"], "/api/v1/no-such-thing");
}

#[tokio::test]
async fn a_wrong_method_is_a_problem_405_with_allow() {
    let app = spawn_app().await;
    let response = app.client.delete(app.url("/healthz")).send().await.expect("request");
    assert_eq!(
        response.headers().get("allow").map(|v| v.to_str().unwrap_or_default()),
        Some("GET")
    );
    assert_problem(response, 405, "method_not_allowed").await;
    assert_problem(app.get(TOKEN_PATH, None).await, 405, "method_not_allowed").await;
}

#[tokio::test]
async fn an_oversized_body_is_a_problem_413() {
    let app = spawn_app().await;
    let huge = "a".repeat(app.settings.body_limit_bytes + 1);
    let body = format!(r#"{{"grant_type":"password","email":"{huge}"}}"#);
    assert_problem(
        app.post_raw(TOKEN_PATH, "application/json", body).await,
        413,
        "payload_too_large",
    )
    .await;
}

#[tokio::test]
async fn malformed_json_is_a_problem_400() {
    let app = spawn_app().await;
    for body in [r#"{"grant_type": "#, "not json", r#"{"a":1}}"#, ""] {
        assert_problem(
            app.post_raw(TOKEN_PATH, "application/json", body).await,
            400,
            "malformed_json",
        )
        .await;
    }
}

#[tokio::test]
async fn malformed_json_is_told_by_line_and_column_in_the_readers_language() {
    let app = spawn_app().await;
    let post = |body: &'static str, language: &'static str| {
        app.client
            .post(app.url(TOKEN_PATH))
            .header("Content-Type", "application/json")
            .header("Accept-Language", language)
            .body(body)
            .send()
    };
    let cut = r#"{"grant_type": "#;
    let english = assert_problem(post(cut, "en").await.expect("request"), 400, "malformed_json").await;
    let detail = english["detail"].as_str().expect("detail");
    assert!(
        detail.starts_with("the body is not valid JSON: it ends early, at line 1, column "),
        "{detail}"
    );
    let chinese = assert_problem(post(cut, "zh-CN").await.expect("request"), 400, "malformed_json").await;
    let detail = chinese["detail"].as_str().expect("detail");
    assert!(
        detail.starts_with("请求体不是有效的 JSON：在第 1 行第 ") && detail.ends_with("列提前结束"),
        "{detail}"
    );
    let extra = r#"{"a":1}}"#;
    let english = assert_problem(post(extra, "en").await.expect("request"), 400, "malformed_json").await;
    assert_eq!(
        english["detail"],
        "the body is not valid JSON: a syntax error at line 1, column 8"
    );
    let chinese = assert_problem(post(extra, "zh").await.expect("request"), 400, "malformed_json").await;
    assert_eq!(chinese["detail"], "请求体不是有效的 JSON：第 1 行第 8 列有语法错误");
}

#[tokio::test]
async fn a_field_of_the_wrong_type_is_a_422_pointing_at_it() {
    let app = spawn_app().await;
    let response = app
        .post_json(
            TOKEN_PATH,
            None,
            &json!({"grant_type": "password", "email": 42, "password": "x"}),
        )
        .await;
    let body = assert_problem(response, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["pointer"], "/email");
    // A caller not signed in reads Chinese unless it accepts English.
    assert_eq!(body["errors"][0]["detail"], "必须是字符串", "{body}");
    let response = app
        .client
        .post(app.url(TOKEN_PATH))
        .header("accept-language", "en")
        .json(&json!({"grant_type": "password", "email": 42, "password": "x"}))
        .send()
        .await
        .expect("request");
    let body = assert_problem(response, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["detail"], "must be a string", "{body}");
}

#[tokio::test]
async fn missing_fields_are_a_422_with_one_entry_per_field() {
    let app = spawn_app().await;
    let response = app
        .post_json(TOKEN_PATH, None, &json!({"grant_type": "password"}))
        .await;
    assert_invalid(response, &["/email", "/password"]).await;

    let body = assert_problem(
        app.post_json(TOKEN_PATH, None, &json!({})).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(body["errors"][0]["pointer"], "/grant_type");
}

#[tokio::test]
async fn an_unsupported_content_type_is_a_problem_415() {
    let app = spawn_app().await;
    let response = app.post_raw(TOKEN_PATH, "text/plain", "grant_type=password").await;
    assert_problem(response, 415, "unsupported_media_type").await;
}

#[tokio::test]
async fn a_bad_path_id_is_a_problem_400() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let response = app.get("/api/v1/admin/queue-probes/not-a-uuid", Some(&token)).await;
    assert_problem(response, 400, "invalid_path").await;
}

#[tokio::test]
async fn a_bad_query_string_is_a_problem_400() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let id = uuid::Uuid::new_v4();
    let response = app
        .get(&format!("/api/v1/admin/queue-probes/{id}?wait_ms=soon"), Some(&token))
        .await;
    assert_problem(response, 400, "invalid_query").await;
}

#[tokio::test]
async fn values_out_of_range_or_unknown_fields_are_422_and_change_nothing() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let path = "/api/v1/admin/queue-probes";
    let body = assert_problem(
        app.post_json(path, Some(&token), &json!({"hold_ms": 3_600_000})).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(body["errors"][0]["pointer"], "/hold_ms");
    let response = app
        .post_json(path, Some(&token), &json!({"hold_ms": 1, "unexpected": true}))
        .await;
    assert_problem(response, 422, "validation_failed").await;

    let probes = entities::prelude::SystemSettings::find()
        .filter(entities::system_settings::Column::Key.starts_with("probe:"))
        .count(&app.db)
        .await
        .expect("count probes");
    assert_eq!(probes, 0, "a rejected request must not register a probe");
}
