//! Problems are written in the reader's language: a signed-in user's own
//! `locale`, else the request's `Accept-Language`, else Chinese; the stable
//! `code` is the same in every language.

use tests::{
    TestApp, assert_problem,
    org::{PASSWORD, org},
    spawn_app,
};

/// GET `path` with `Accept-Language: accept` (when given) and `token`.
async fn get(app: &TestApp, path: &str, accept: Option<&str>, token: Option<&str>) -> reqwest::Response {
    let mut request = app.client.get(app.url(path));
    if let Some(accept) = accept {
        request = request.header("accept-language", accept);
    }
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    request.send().await.expect("request")
}

fn content_language(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get("content-language")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

#[tokio::test]
async fn a_caller_not_signed_in_reads_the_language_it_accepts_else_chinese() {
    let app = spawn_app().await;
    for (accept, language, title) in [
        (None, "zh-CN", "未认证"),
        (Some("en-US,en;q=0.9"), "en", "Unauthorized"),
        (Some("fr-FR, en;q=0.5, zh;q=0.7"), "zh-CN", "未认证"),
        (Some("de"), "zh-CN", "未认证"),
    ] {
        let response = get(&app, "/api/v1/customers", accept, None).await;
        assert_eq!(content_language(&response).as_deref(), Some(language), "{accept:?}");
        let problem = assert_problem(response, 401, "unauthorized").await;
        assert_eq!(problem["title"], title, "{accept:?}: {problem}");
    }
}

#[tokio::test]
async fn a_signed_in_user_reads_their_own_language_whatever_the_request_accepts() {
    let app = spawn_app().await;
    org(&app).await;
    // The administrator's account reads Chinese (the default locale).
    let admin = app.admin_token().await;
    let no_user = format!("/api/v1/users/{}", uuid::Uuid::now_v7());
    let response = get(&app, &no_user, Some("en"), Some(&admin)).await;
    assert_eq!(content_language(&response).as_deref(), Some("zh-CN"));
    let problem = assert_problem(response, 404, "not_found").await;
    assert_eq!(problem["title"], "未找到", "{problem}");

    // The org's staff read English.
    let manager = app.token("manager.a@example.com", PASSWORD).await;
    let no_customer = format!("/api/v1/customers/{}", uuid::Uuid::now_v7());
    let response = get(&app, &no_customer, Some("zh-CN"), Some(&manager)).await;
    assert_eq!(content_language(&response).as_deref(), Some("en"));
    let problem = assert_problem(response, 404, "not_found").await;
    assert_eq!(problem["title"], "Not found", "{problem}");
}
