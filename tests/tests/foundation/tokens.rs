use domain::{Secret, access::users::NewUser};
use entities::users;
use sea_orm::{ActiveModelTrait, ActiveValue::Set};
use serde_json::json;
use tests::{ADMIN_EMAIL, ADMIN_PASSWORD, TestApp, assert_problem, client::expect_json, spawn_app};

const TOKEN_PATH: &str = "/api/v1/auth/token";

async fn create_user(app: &TestApp, email: &str, role: &str) -> users::Model {
    domain::access::users::create(
        &app.db,
        &domain::access::audit::AuditContext::default(),
        NewUser {
            email: email.to_owned(),
            name: "Test User".to_owned(),
            password: Secret::new("user-password-123"),
            roles: vec![role.to_owned()],
            team_id: None,
            phone: None,
            locale: "en".to_owned(),
        },
    )
    .await
    .expect("create user")
}

/// The token endpoint's answer to a JSON grant request.
async fn token_grant(app: &TestApp, body: serde_json::Value) -> reqwest::Response {
    app.post_json(TOKEN_PATH, None, &body).await
}

#[tokio::test]
async fn the_first_administrator_gets_a_token_and_reads_itself() {
    let app = spawn_app().await;
    let response = token_grant(
        &app,
        json!({"grant_type": "password", "email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}),
    )
    .await;
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body = expect_json(response, 200).await;
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 900);
    let token = body["access_token"].as_str().expect("token");

    let me = expect_json(app.get("/api/v1/me", Some(token)).await, 200).await;
    assert_eq!(me["email"], ADMIN_EMAIL);
    assert_eq!(me["roles"], json!(["admin"]));
}

#[tokio::test]
async fn the_token_endpoint_accepts_oauth2_form_bodies() {
    let app = spawn_app().await;
    let response = app
        .client
        .post(app.url(TOKEN_PATH))
        .form(&[
            ("grant_type", "password"),
            ("username", ADMIN_EMAIL),
            ("password", ADMIN_PASSWORD),
        ])
        .send()
        .await
        .expect("request");
    assert_eq!(response.status(), 200);
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_account_are_the_same_invalid_grant() {
    let app = spawn_app().await;
    for (email, password) in [
        (ADMIN_EMAIL, "wrong-password-1"),
        ("nobody@example.com", ADMIN_PASSWORD),
    ] {
        let response = token_grant(
            &app,
            json!({"grant_type": "password", "email": email, "password": password}),
        )
        .await;
        let body = assert_problem(response, 400, "invalid_grant").await;
        assert!(!body["detail"].as_str().unwrap_or_default().contains("nobody"));
    }
}

#[tokio::test]
async fn an_unsupported_grant_type_is_refused() {
    let app = spawn_app().await;
    let response = token_grant(&app, json!({"grant_type": "authorization_code", "code": "x"})).await;
    assert_problem(response, 400, "unsupported_grant_type").await;
}

#[tokio::test]
async fn requests_without_a_valid_token_are_401() {
    let app = spawn_app().await;
    let secret = domain::platform::system::jwt_secret(&app.db, &app.settings)
        .await
        .expect("secret");
    let keys = api::auth::TokenKeys::new(&secret, 900);
    let admin = domain::access::users::authenticate(&app.db, ADMIN_EMAIL, &Secret::new(ADMIN_PASSWORD))
        .await
        .expect("query")
        .expect("admin");
    let now = chrono::Utc::now().timestamp();
    let (valid, _) = keys.issue_at(api::auth::Subject::User, admin.id, now).expect("sign");
    let (expired, _) = keys
        .issue_at(api::auth::Subject::User, admin.id, now - 3600)
        .expect("sign");
    let (not_yet_valid, _) = keys
        .issue_at(api::auth::Subject::User, admin.id, now + 3600)
        .expect("sign");
    let other_keys = api::auth::TokenKeys::new(&Secret::new("another-secret-another-secret-0123456789"), 900);
    let (forged, _) = other_keys.issue(api::auth::Subject::User, admin.id).expect("sign");
    let wrong_audience = {
        let claims = serde_json::json!({
            "sub": admin.id, "typ": "user", "iss": "estateflow", "aud": "another-service",
            "iat": now, "nbf": now, "exp": now + 600, "jti": uuid::Uuid::new_v4(),
        });
        let key = jsonwebtoken::EncodingKey::from_secret(secret.expose().as_bytes());
        jsonwebtoken::encode(&jsonwebtoken::Header::default(), &claims, &key).expect("sign")
    };
    let alg_none = {
        let claims = valid.split('.').nth(1).expect("claims part");
        format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{claims}.")
    };
    let ok = app.get("/api/v1/me", Some(&valid)).await;
    assert_eq!(ok.status(), 200, "the control token must work");

    let cases: Vec<Option<String>> = vec![
        None,
        Some("Bearer".to_owned()),
        Some("Basic YWRtaW46YWRtaW4=".to_owned()),
        Some("Bearer not.a.jwt".to_owned()),
        Some(format!("Bearer {forged}")),
        Some(format!("Bearer {expired}")),
        Some(format!("Bearer {not_yet_valid}")),
        Some(format!("Bearer {alg_none}")),
        Some(format!("Bearer {wrong_audience}")),
    ];
    for header in cases {
        let mut request = app.client.get(app.url("/api/v1/me"));
        if let Some(header) = &header {
            request = request.header("authorization", header);
        }
        let response = request.send().await.expect("request");
        assert!(response.headers().contains_key("www-authenticate"), "{header:?}");
        assert_problem(response, 401, "unauthorized").await;
    }
}

#[tokio::test]
async fn a_non_administrator_is_forbidden_from_admin_endpoints() {
    let app = spawn_app().await;
    create_user(&app, "consultant@example.com", "consultant").await;
    let token = app.token("consultant@example.com", "user-password-123").await;
    let response = app
        .post_json("/api/v1/admin/queue-probes", Some(&token), &json!({}))
        .await;
    assert_problem(response, 403, "forbidden").await;
}

#[tokio::test]
async fn a_disabled_account_is_refused_on_its_next_request() {
    let app = spawn_app().await;
    let user = create_user(&app, "leaver@example.com", "consultant").await;
    let token = app.token("leaver@example.com", "user-password-123").await;
    let ok = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(ok.status(), 200);

    users::ActiveModel {
        id: Set(user.id),
        status: Set(users::UserStatus::Disabled),
        ..Default::default()
    }
    .update(&app.db)
    .await
    .expect("disable");
    let response = app.get("/api/v1/me", Some(&token)).await;
    assert_problem(response, 401, "unauthorized").await;
}
