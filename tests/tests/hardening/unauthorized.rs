//! 401 answers say what is wrong with the token in the client's terms,
//! never the token library's internals.

use domain::Secret;
use serde_json::{Value, json};
use tests::{ADMIN_EMAIL, ADMIN_PASSWORD, TestApp, assert_problem, spawn_app};

/// A token with these claims, signed with `secret`.
fn sign(secret: &Secret, claims: &Value) -> String {
    let key = jsonwebtoken::EncodingKey::from_secret(secret.expose().as_bytes());
    jsonwebtoken::encode(&jsonwebtoken::Header::default(), claims, &key).expect("sign")
}

/// The detail of the 401 for `token`, read in `language` (the caller of a
/// refused token is nobody, so the request's `Accept-Language` decides).
async fn detail_for(app: &TestApp, token: &str, language: &str) -> String {
    let response = app
        .client
        .get(app.url("/api/v1/me"))
        .bearer_auth(token)
        .header("accept-language", language)
        .send()
        .await
        .expect("request");
    let body = assert_problem(response, 401, "unauthorized").await;
    body["detail"].as_str().expect("detail").to_owned()
}

#[tokio::test]
async fn a_refused_token_is_explained_in_the_clients_terms() {
    let app = spawn_app().await;
    let secret = domain::platform::system::jwt_secret(&app.db, &app.settings)
        .await
        .expect("secret");
    let admin = domain::access::users::authenticate(&app.db, ADMIN_EMAIL, &Secret::new(ADMIN_PASSWORD))
        .await
        .expect("query")
        .expect("admin");
    let now = chrono::Utc::now().timestamp();
    let claims = |remove: &str, at: i64| {
        let mut claims = json!({
            "sub": admin.id, "typ": "user", "iss": "estateflow", "aud": "estateflow-api",
            "iat": at, "nbf": at, "exp": at + 600, "jti": uuid::Uuid::new_v4(),
        });
        claims.as_object_mut().expect("object").remove(remove);
        claims
    };
    let other = Secret::new("another-secret-another-secret-0123456789");
    let cases = [
        (sign(&other, &claims("", now)), "the token's signature is not valid"),
        (sign(&secret, &claims("exp", now)), "the token lacks the claim exp"),
        (sign(&secret, &claims("jti", now)), "the token lacks the claim jti"),
        (sign(&secret, &claims("typ", now)), "the token lacks the claim typ"),
        (sign(&secret, &claims("", now - 3600)), "the token has expired"),
        (sign(&secret, &claims("", now + 3600)), "the token is not valid yet"),
        (
            sign(
                &secret,
                &json!({"sub": admin.id, "typ": "robot", "iss": "estateflow", "aud": "estateflow-api",
            "iat": now, "nbf": now, "exp": now + 600, "jti": uuid::Uuid::new_v4()}),
            ),
            "the token's claim typ is not valid",
        ),
        (
            sign(
                &secret,
                &json!({"sub": admin.id, "typ": "user", "iss": "estateflow", "aud": "another-service",
            "iat": now, "nbf": now, "exp": now + 600, "jti": uuid::Uuid::new_v4()}),
            ),
            "the token is not meant for this API",
        ),
        ("not.a.jwt".to_owned(), "the token is malformed"),
        ("garbage".to_owned(), "the token is malformed"),
    ];
    for (token, expected) in cases {
        let detail = detail_for(&app, &token, "en").await;
        assert_eq!(detail, expected, "token {token}");
    }
    let expired = sign(&secret, &claims("", now - 3600));
    assert_eq!(detail_for(&app, &expired, "zh-CN").await, "令牌已过期");
    assert_eq!(
        detail_for(&app, &sign(&secret, &claims("jti", now)), "zh-CN").await,
        "令牌缺少声明 jti"
    );
}
