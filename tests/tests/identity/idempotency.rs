//! `Idempotency-Key` on POST: retries get the first answer, once.

use serde_json::{Value, json};
use tests::{TestApp, assert_problem, client::expect_json, spawn_app};

use crate::list;

async fn post_with_key(app: &TestApp, token: &str, key: &str, path: &str, body: &Value) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .bearer_auth(token)
        .header("idempotency-key", key)
        .json(body)
        .send()
        .await
        .expect("request")
}

#[tokio::test]
async fn a_retried_post_with_the_same_key_gets_the_first_answer_and_does_the_work_once() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let body = json!({"name": "team_lead", "grants": []});
    let first = post_with_key(&app, &admin, "create-team-lead-1", "/api/v1/roles", &body).await;
    let location = first.headers()["location"].to_str().expect("ascii").to_owned();
    assert!(first.headers().get("idempotency-replayed").is_none());
    let first = expect_json(first, 201).await;

    let retry = post_with_key(&app, &admin, "create-team-lead-1", "/api/v1/roles", &body).await;
    assert_eq!(retry.headers()["idempotency-replayed"], "true");
    assert_eq!(retry.headers()["location"], location.as_str());
    assert_eq!(expect_json(retry, 201).await, first);

    let roles = list(&app, "/api/v1/roles", &admin).await;
    let leads = roles["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|r| r["name"] == "team_lead")
        .count();
    assert_eq!(leads, 1);
    let log = list(&app, "/api/v1/audit-log?entity=role&action=create", &admin).await;
    assert_eq!(log["items"].as_array().expect("items").len(), 1);
}

#[tokio::test]
async fn the_same_key_with_another_body_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    expect_json(
        post_with_key(&app, &admin, "k-1", "/api/v1/roles", &json!({"name": "first_role"})).await,
        201,
    )
    .await;
    let other = post_with_key(&app, &admin, "k-1", "/api/v1/roles", &json!({"name": "second_role"})).await;
    assert_problem(other, 422, "idempotency_key_reused").await;
    let roles = list(&app, "/api/v1/roles", &admin).await;
    assert!(!roles.to_string().contains("second_role"));
}

#[tokio::test]
async fn a_client_error_is_replayed_too_and_keys_belong_to_their_caller() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let bad = json!({"name": "Bad Name"});
    assert_problem(
        post_with_key(&app, &admin, "k-2", "/api/v1/roles", &bad).await,
        422,
        "validation_failed",
    )
    .await;
    let replayed = post_with_key(&app, &admin, "k-2", "/api/v1/roles", &bad).await;
    assert_eq!(replayed.headers()["idempotency-replayed"], "true");
    assert_problem(replayed, 422, "validation_failed").await;

    // Another administrator's "k-2" is a different key.
    let second =
        json!({"email": "admin2@example.com", "name": "Second", "password": "second-password-1", "roles": ["admin"]});
    expect_json(app.post_json("/api/v1/users", Some(&admin), &second).await, 201).await;
    let other_admin = app.token("admin2@example.com", "second-password-1").await;
    let own = post_with_key(
        &app,
        &other_admin,
        "k-2",
        "/api/v1/roles",
        &json!({"name": "their_role"}),
    )
    .await;
    assert!(own.headers().get("idempotency-replayed").is_none());
    expect_json(own, 201).await;
}

#[tokio::test]
async fn a_malformed_key_is_400() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let long = "k".repeat(256);
    let response = post_with_key(&app, &admin, &long, "/api/v1/roles", &json!({"name": "x_role"})).await;
    assert_problem(response, 400, "invalid_idempotency_key").await;
}
