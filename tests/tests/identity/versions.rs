//! Optimistic concurrency on the access and organisation records: roles,
//! regions, teams and API clients carry an `ETag`, and a change or deletion
//! sent with a stale `If-Match` is 412 and changes nothing.

use serde_json::{Value, json};
use tests::{TestApp, assert_problem, client::expect_json, spawn_app};

fn etag_of(response: &reqwest::Response) -> String {
    response.headers()["etag"].to_str().expect("ascii").to_owned()
}

async fn send_if_match(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: &str,
    etag: &str,
    body: Option<&Value>,
) -> reqwest::Response {
    let mut request = app
        .client
        .request(method, app.url(path))
        .bearer_auth(token)
        .header("if-match", etag);
    if let Some(body) = body {
        request = request.json(body);
    }
    request.send().await.expect("request")
}

/// Sets `field` to `first` with the ETag just read, then tries to set it to
/// `second` with that (now stale) ETag: the first change applies and gets a
/// new ETag, the second is 412 and the record keeps `first`. Returns the
/// current ETag.
async fn a_stale_change_is_refused(
    app: &TestApp,
    token: &str,
    path: &str,
    field: &str,
    first: &str,
    second: &str,
) -> String {
    let read = app.get(path, Some(token)).await;
    let original = etag_of(&read);
    expect_json(read, 200).await;

    let changed = send_if_match(
        app,
        reqwest::Method::PATCH,
        path,
        token,
        &original,
        Some(&json!({field: first})),
    )
    .await;
    let current = etag_of(&changed);
    assert_ne!(current, original, "a change makes a new version of {path}");
    assert_eq!(expect_json(changed, 200).await[field], first);

    let stale = send_if_match(
        app,
        reqwest::Method::PATCH,
        path,
        token,
        &original,
        Some(&json!({field: second})),
    )
    .await;
    assert_problem(stale, 412, "precondition_failed").await;

    let now = app.get(path, Some(token)).await;
    assert_eq!(etag_of(&now), current, "{path} is unchanged");
    assert_eq!(expect_json(now, 200).await[field], first);
    current
}

/// A deletion with a stale ETag is 412 and keeps the record; with the current one it goes.
async fn a_stale_deletion_is_refused(app: &TestApp, token: &str, path: &str, current: &str) {
    let stale = send_if_match(app, reqwest::Method::DELETE, path, token, "\"stale\"", None).await;
    assert_problem(stale, 412, "precondition_failed").await;
    expect_json(app.get(path, Some(token)).await, 200).await;
    let deleted = send_if_match(app, reqwest::Method::DELETE, path, token, current, None).await;
    assert_eq!(deleted.status(), 204);
    assert_problem(app.get(path, Some(token)).await, 404, "not_found").await;
}

fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().expect("ascii").to_owned()
}

#[tokio::test]
async fn a_role_changes_and_goes_only_with_its_current_etag() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let body = json!({"name": "team_lead", "description": "Leads a team", "grants": []});
    let created = app.post_json("/api/v1/roles", Some(&admin), &body).await;
    let path = location(&created);
    expect_json(created, 201).await;

    let current = a_stale_change_is_refused(&app, &admin, &path, "description", "Leads two teams", "overwritten").await;
    a_stale_deletion_is_refused(&app, &admin, &path, &current).await;
}

#[tokio::test]
async fn a_region_changes_and_goes_only_with_its_current_etag() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let created = app
        .post_json("/api/v1/regions", Some(&admin), &json!({"name": "华南区 South"}))
        .await;
    let path = location(&created);
    expect_json(created, 201).await;

    let current = a_stale_change_is_refused(&app, &admin, &path, "name", "华南区 South China", "overwritten").await;
    a_stale_deletion_is_refused(&app, &admin, &path, &current).await;
}

#[tokio::test]
async fn a_team_changes_and_goes_only_with_its_current_etag() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let region = expect_json(
        app.post_json("/api/v1/regions", Some(&admin), &json!({"name": "华东区 East"}))
            .await,
        201,
    )
    .await;
    let body = json!({"region_id": region["id"], "name": "浦东一组 Pudong 1"});
    let created = app.post_json("/api/v1/teams", Some(&admin), &body).await;
    let path = location(&created);
    expect_json(created, 201).await;

    let current = a_stale_change_is_refused(&app, &admin, &path, "name", "浦东二组 Pudong 2", "overwritten").await;
    a_stale_deletion_is_refused(&app, &admin, &path, &current).await;
}

#[tokio::test]
async fn an_api_client_changes_only_with_its_current_etag() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let created = app
        .post_json("/api/v1/api-clients", Some(&admin), &json!({"name": "Anjuke listings"}))
        .await;
    let path = location(&created);
    expect_json(created, 201).await;

    a_stale_change_is_refused(&app, &admin, &path, "name", "Anjuke new homes", "overwritten").await;
    // Without If-Match the change applies, as everywhere.
    let unconditional = app
        .patch_json(&path, Some(&admin), &json!({"status": "disabled"}))
        .await;
    assert_eq!(expect_json(unconditional, 200).await["status"], "disabled");
}
