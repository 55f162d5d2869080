use serde_json::{Value, json};
use tests::{
    ADMIN_EMAIL, ADMIN_PASSWORD, AppOptions, TestApp, assert_invalid, assert_problem, client::expect_json, org::values,
    spawn_app, spawn_app_with,
};

const TOKEN: &str = "/api/v1/auth/token";

async fn sign_in(app: &TestApp) -> Value {
    let body = json!({"grant_type": "password", "email": ADMIN_EMAIL, "password": ADMIN_PASSWORD});
    expect_json(app.post_json(TOKEN, None, &body).await, 200).await
}

async fn refresh(app: &TestApp, token: &Value) -> reqwest::Response {
    app.post_json(
        TOKEN,
        None,
        &json!({"grant_type": "refresh_token", "refresh_token": token}),
    )
    .await
}

#[tokio::test]
async fn a_refresh_token_works_once_and_rotates() {
    let app = spawn_app().await;
    let first = sign_in(&app).await;
    let second = expect_json(refresh(&app, &first["refresh_token"]).await, 200).await;
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    assert_eq!(
        app.get("/api/v1/me", second["access_token"].as_str()).await.status(),
        200
    );
    let third = expect_json(refresh(&app, &second["refresh_token"]).await, 200).await;
    assert!(third["refresh_token"].is_string());
}

#[tokio::test]
async fn a_spent_refresh_token_used_again_fails_and_revokes_its_successors() {
    let app = spawn_app().await;
    let first = sign_in(&app).await;
    let second = expect_json(refresh(&app, &first["refresh_token"]).await, 200).await;
    // Someone replays the first token: refused, and the family is revoked.
    assert_problem(refresh(&app, &first["refresh_token"]).await, 400, "invalid_grant").await;
    assert_problem(refresh(&app, &second["refresh_token"]).await, 400, "invalid_grant").await;
    // Another sign-in is a new family and works.
    let other = sign_in(&app).await;
    assert_eq!(refresh(&app, &other["refresh_token"]).await.status(), 200);
}

#[tokio::test]
async fn revoking_a_refresh_token_signs_out_its_family_and_unknown_tokens_are_accepted() {
    let app = spawn_app().await;
    let first = sign_in(&app).await;
    let second = expect_json(refresh(&app, &first["refresh_token"]).await, 200).await;
    let revoked = app
        .post_json("/api/v1/auth/revoke", None, &json!({"token": second["refresh_token"]}))
        .await;
    assert_eq!(revoked.status(), 200);
    assert_problem(refresh(&app, &second["refresh_token"]).await, 400, "invalid_grant").await;
    let unknown = app
        .client
        .post(app.url("/api/v1/auth/revoke"))
        .form(&[("token", "nonsense")])
        .send()
        .await
        .expect("request");
    assert_eq!(unknown.status(), 200);
}

#[tokio::test]
async fn repeated_failed_sign_ins_are_throttled_with_retry_after() {
    let app = spawn_app_with(AppOptions {
        customise: |s| {
            s.login_max_failures_per_account = 3;
            s.login_failure_window_secs = 120;
        },
        ..AppOptions::default()
    })
    .await;
    let wrong = json!({"grant_type": "password", "email": ADMIN_EMAIL, "password": "wrong-password-1"});
    for _ in 0..3 {
        assert_problem(app.post_json(TOKEN, None, &wrong).await, 400, "invalid_grant").await;
    }
    let right = json!({"grant_type": "password", "email": ADMIN_EMAIL, "password": ADMIN_PASSWORD});
    let throttled = app.post_json(TOKEN, None, &right).await;
    let retry_after: u64 = throttled.headers()["retry-after"]
        .to_str()
        .expect("ascii")
        .parse()
        .expect("seconds");
    assert!((1..=120).contains(&retry_after), "{retry_after}");
    assert_problem(throttled, 429, "rate_limited").await;
    // Other accounts from other places are not affected by this account's lock.
    let other = json!({"grant_type": "password", "email": "someone@example.com", "password": "wrong-password-1"});
    assert_problem(app.post_json(TOKEN, None, &other).await, 400, "invalid_grant").await;
}

async fn create_client(app: &TestApp, admin: &str, body: Value) -> Value {
    expect_json(app.post_json("/api/v1/api-clients", Some(admin), &body).await, 201).await
}

async fn client_token(app: &TestApp, client: &Value) -> reqwest::Response {
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", client["client_id"].as_str().expect("client_id")),
        ("client_secret", client["client_secret"].as_str().expect("secret")),
    ];
    app.client
        .post(app.url(TOKEN))
        .form(&form)
        .send()
        .await
        .expect("request")
}

#[tokio::test]
async fn a_partner_client_gets_a_scoped_token_and_a_rotated_or_disabled_client_is_refused() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let client = create_client(
        &app,
        &admin,
        json!({"name": "Listing portal", "scopes": ["users:read"]}),
    )
    .await;
    assert!(client["client_secret"].as_str().is_some_and(|s| s.len() >= 32));
    let listed = expect_json(app.get("/api/v1/api-clients", Some(&admin)).await, 200).await;
    assert!(
        !listed
            .to_string()
            .contains(client["client_secret"].as_str().expect("secret")),
        "secret shown again"
    );

    let token = expect_json(client_token(&app, &client).await, 200).await;
    assert!(token.get("refresh_token").is_none());
    let access = token["access_token"].as_str().expect("token").to_owned();
    // The client holds users:read on what it created: no staff account.
    let users = expect_json(app.get("/api/v1/users", Some(&access)).await, 200).await;
    assert_eq!(users["items"], json!([]));
    assert_problem(app.get("/api/v1/roles", Some(&access)).await, 403, "forbidden").await;

    let id = client["id"].as_str().expect("id");
    let rotated = expect_json(
        app.post_json(&format!("/api/v1/api-clients/{id}/secret"), Some(&admin), &json!({}))
            .await,
        200,
    )
    .await;
    assert_problem(client_token(&app, &client).await, 401, "invalid_client").await;
    assert_eq!(client_token(&app, &rotated).await.status(), 200);

    let disabled = app
        .patch_json(
            &format!("/api/v1/api-clients/{id}"),
            Some(&admin),
            &json!({"status": "disabled"}),
        )
        .await;
    expect_json(disabled, 200).await;
    assert_problem(client_token(&app, &rotated).await, 401, "invalid_client").await;
    // A token issued before the client was disabled stops working at once.
    assert_problem(app.get("/api/v1/users", Some(&access)).await, 401, "unauthorized").await;

    let log = expect_json(
        app.get(
            &format!("/api/v1/audit-log?entity=api_client&entity_id={id}"),
            Some(&admin),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(values(&log, "action"), ["create", "rotate_secret", "update"]);
    assert!(
        !log.to_string()
            .contains(rotated["client_secret"].as_str().expect("secret"))
    );
}

#[tokio::test]
async fn a_client_read_answered_after_checking_its_access_again_counts_once_against_its_budget() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let client = create_client(
        &app,
        &admin,
        json!({"name": "Lookup", "scopes": ["customers:read"], "rate_limit_per_minute": 3}),
    )
    .await;
    let token = expect_json(client_token(&app, &client).await, 200).await["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    // A customer that is not there: each read by a kept caller is checked
    // again with the caller loaded afresh, and is still one request.
    let missing = format!("/api/v1/customers/{}", uuid::Uuid::now_v7());
    for _ in 0..3 {
        assert_problem(app.get(&missing, Some(&token)).await, 404, "not_found").await;
    }
    assert_problem(app.get(&missing, Some(&token)).await, 429, "rate_limited").await;
}

#[tokio::test]
async fn a_client_over_its_rate_limit_gets_429_with_retry_after() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let client = create_client(
        &app,
        &admin,
        json!({"name": "Chatty", "scopes": ["users:read"], "rate_limit_per_minute": 3}),
    )
    .await;
    let token = expect_json(client_token(&app, &client).await, 200).await["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    for _ in 0..3 {
        assert_eq!(app.get("/api/v1/users", Some(&token)).await.status(), 200);
    }
    let limited = app.get("/api/v1/users", Some(&token)).await;
    assert!(limited.headers().contains_key("retry-after"));
    assert_problem(limited, 429, "rate_limited").await;
    // Staff are not limited by the client's budget.
    assert_eq!(app.get("/api/v1/users", Some(&admin)).await.status(), 200);
}

#[tokio::test]
async fn clients_with_unknown_scopes_or_silly_limits_are_refused() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let body = json!({"name": "", "scopes": ["customers:everything"], "rate_limit_per_minute": 0});
    assert_invalid(
        app.post_json("/api/v1/api-clients", Some(&admin), &body).await,
        &["/name", "/scopes/0", "/rate_limit_per_minute"],
    )
    .await;
    let clients = expect_json(app.get("/api/v1/api-clients", Some(&admin)).await, 200).await;
    assert_eq!(clients["items"], json!([]));
}
