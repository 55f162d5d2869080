//! Console sessions: sign-in through the form with the API's throttling,
//! server-side sessions that end on sign-out, on a disabled account and
//! when idle, CSRF on every state-changing request, the language switch,
//! and the pages' security headers.

use serde_json::json;
use tests::{
    ADMIN_EMAIL, ADMIN_PASSWORD, AppOptions,
    client::expect_json,
    console::{Console, location, set_cookie, submit_sign_in},
    org::{PASSWORD, create_user},
    spawn_app, spawn_app_with,
};

#[tokio::test]
async fn the_root_leads_to_the_console_and_the_console_to_its_sign_in_page() {
    let app = spawn_app().await;
    let root = app.get("/", None).await;
    assert_eq!(root.status().as_u16(), 303);
    assert_eq!(location(&root), "/console");

    let console = app.get("/console/users?page=2", None).await;
    assert_eq!(console.status().as_u16(), 303);
    assert_eq!(
        location(&console),
        "/console/sign-in?next=%2Fconsole%2Fusers%3Fpage%3D2"
    );

    // Elsewhere than the console, a sign-in never sends the browser.
    let page = app.get("/console/sign-in?next=https://evil.example/", None).await;
    let html = page.text().await.expect("page");
    assert!(html.contains("name=\"next\" value=\"/console\""), "{html}");
    // The language links of the sign-in page keep where it leads.
    let page = app.get("/console/sign-in?next=%2Fconsole%2Fqueues", None).await;
    let html = page.text().await.expect("page");
    assert!(html.contains("?lang=en&amp;next=%2Fconsole%2Fqueues"), "{html}");
}

#[tokio::test]
async fn signing_in_opens_a_session_and_signing_out_ends_it() {
    let app = spawn_app().await;
    let console = Console::sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let (status, home) = console.page("/console").await;
    assert_eq!(status, 200);
    assert!(home.contains(ADMIN_EMAIL), "the page names who is signed in: {home}");

    let out = console.post("/console/sign-out", &[]).await;
    assert_eq!(out.status().as_u16(), 303);
    assert_eq!(
        set_cookie(&out, "ef_console").as_deref(),
        Some(""),
        "the cookie is removed"
    );
    // The old cookie no longer opens anything.
    let after = console.get("/console").await;
    assert_eq!(after.status().as_u16(), 303);
    assert!(location(&after).starts_with("/console/sign-in"), "{}", location(&after));

    // Both are in the audit log, with the administrator as actor.
    let admin = app.admin_token().await;
    let entries = tests::org::list(&app, "/api/v1/audit-log?entity=console_session", &admin).await;
    let actions: Vec<&str> = entries["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|e| e["actor_user_id"].is_string())
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert!(
        actions.contains(&"sign_in") && actions.contains(&"sign_out"),
        "{entries}"
    );
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_same_site_strict() {
    let app = spawn_app().await;
    let response = submit_sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let header = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("ef_console="))
        .expect("session cookie")
        .to_owned();
    for part in ["HttpOnly", "SameSite=Strict", "Path=/console"] {
        assert!(header.contains(part), "{header}");
    }
    assert!(!header.contains("Secure"), "plain HTTP here: {header}");
}

#[tokio::test]
async fn a_wrong_password_is_refused_and_repeated_failures_are_throttled_like_the_api() {
    let app = spawn_app().await;
    let refused = submit_sign_in(&app, ADMIN_EMAIL, "not-the-password").await;
    assert_eq!(refused.status().as_u16(), 401);
    assert!(set_cookie(&refused, "ef_console").is_none());
    let html = refused.text().await.expect("page");
    assert!(html.contains("电子邮箱或密码不正确"), "Chinese by default: {html}");

    for _ in 0..4 {
        submit_sign_in(&app, ADMIN_EMAIL, "not-the-password").await;
    }
    let throttled = submit_sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(throttled.status().as_u16(), 429, "even the right password waits");
    assert!(throttled.headers().get("retry-after").is_some());
    // The API's token endpoint counts the same failures.
    let token = app
        .post_json(
            "/api/v1/auth/token",
            None,
            &json!({"grant_type": "password", "email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}),
        )
        .await;
    assert_eq!(token.status().as_u16(), 429);
}

#[tokio::test]
async fn a_sign_in_post_without_its_form_cookie_is_refused() {
    let app = spawn_app().await;
    let forged = app
        .client
        .post(app.url("/console/sign-in"))
        .form(&[
            ("csrf", "made-up"),
            ("email", ADMIN_EMAIL),
            ("password", ADMIN_PASSWORD),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(forged.status().as_u16(), 403);
    assert!(set_cookie(&forged, "ef_console").is_none());
}

#[tokio::test]
async fn disabling_the_user_ends_its_console_session_on_the_next_request() {
    let app = spawn_app().await;
    let user = create_user(&app, "ops@example.com", "admin", None).await;
    let console = Console::sign_in(&app, "ops@example.com", PASSWORD).await;
    assert_eq!(console.page("/console").await.0, 200);

    let admin = app.admin_token().await;
    let disabled = app
        .patch_json(
            &format!("/api/v1/users/{user}"),
            Some(&admin),
            &json!({"status": "disabled"}),
        )
        .await;
    expect_json(disabled, 200).await;
    let after = console.get("/console").await;
    assert_eq!(after.status().as_u16(), 303);
    assert!(location(&after).starts_with("/console/sign-in"));
}

#[tokio::test]
async fn an_idle_session_ends() {
    let app = spawn_app_with(AppOptions {
        customise: |s| s.console_idle_timeout_secs = 1,
        ..AppOptions::default()
    })
    .await;
    let console = Console::sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    tokio::time::sleep(std::time::Duration::from_millis(2_100)).await;
    let after = console.get("/console").await;
    assert_eq!(after.status().as_u16(), 303, "idle for longer than the timeout");
}

#[tokio::test]
async fn a_post_without_the_csrf_token_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let console = Console::sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    for fields in [
        vec![("locale", "en"), ("back", "/console")],
        vec![("csrf", "forged"), ("locale", "en"), ("back", "/console")],
    ] {
        let forged = console.post_raw("/console/language", &fields).await;
        assert_eq!(forged.status().as_u16(), 403);
        let html = forged.text().await.expect("page");
        assert!(
            html.contains("表单令牌"),
            "the refusal says why, in the session's language: {html}"
        );
    }
    let (_, home) = console.page("/console").await;
    assert!(home.contains("lang=\"zh-CN\""), "still Chinese");

    let out = console.post_raw("/console/sign-out", &[]).await;
    assert_eq!(out.status().as_u16(), 403, "not even sign-out without the token");
}

#[tokio::test]
async fn the_language_switch_is_kept_for_the_session() {
    let app = spawn_app().await;
    let console = Console::sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let (_, zh) = console.page("/console").await;
    assert!(zh.contains("退出登录"), "{zh}");

    let switched = console
        .post("/console/language", &[("locale", "en"), ("back", "/console?x=1")])
        .await;
    assert_eq!(switched.status().as_u16(), 303);
    assert_eq!(location(&switched), "/console?x=1");
    let (_, en) = console.page("/console").await;
    assert!(en.contains("Sign out") && en.contains("lang=\"en\""), "{en}");
    assert!(en.contains("Asia/Shanghai"), "the time zone is named: {en}");

    let offsite = console
        .post("/console/language", &[("locale", "zh-CN"), ("back", "//evil.example/")])
        .await;
    assert_eq!(location(&offsite), "/console", "never sent off the console");
}

#[tokio::test]
async fn console_pages_allow_only_their_own_scripts_and_no_framing() {
    let app = spawn_app().await;
    let page = app.get("/console/sign-in", None).await;
    let csp = page
        .headers()
        .get("content-security-policy")
        .and_then(|v| v.to_str().ok())
        .expect("CSP")
        .to_owned();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(page.headers().get("x-frame-options").expect("XFO"), "DENY");
    assert_eq!(
        page.headers().get("x-content-type-options").expect("nosniff"),
        "nosniff"
    );
    let html = page.text().await.expect("page");
    assert!(!html.contains("<script>"), "no inline script: {html}");
    assert!(!html.contains(" style="), "no inline style: {html}");
}

#[tokio::test]
async fn an_unknown_console_page_is_a_page_not_a_json_problem() {
    let app = spawn_app().await;
    let console = Console::sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let missing = console.get("/console/no-such-page").await;
    assert_eq!(missing.status().as_u16(), 404);
    let kind = missing
        .headers()
        .get("content-type")
        .expect("type")
        .to_str()
        .expect("ascii")
        .to_owned();
    assert!(kind.starts_with("text/html"), "{kind}");
    let html = missing.text().await.expect("page");
    assert!(html.contains("退出登录"), "inside the viewer's frame: {html}");
}

#[tokio::test]
async fn a_sign_in_clears_sessions_over_for_more_than_a_week() {
    use chrono::{Duration, Utc};
    use entities::console_sessions;
    use sea_orm::{ActiveModelTrait, EntityTrait, Set};
    let app = spawn_app().await;
    let admin = tests::org::create_user(&app, "old@example.com", "admin", None).await;
    let row = |ended_days_ago: i64| {
        let at = Utc::now() - Duration::days(ended_days_ago);
        console_sessions::ActiveModel {
            id: Set(uuid::Uuid::now_v7()),
            user_id: Set(admin),
            token_hash: Set(format!("{ended_days_ago:064}")),
            csrf_token: Set("x".to_owned()),
            locale: Set(None),
            flash: Set(None),
            created_at: Set(at),
            last_seen_at: Set(at),
            expires_at: Set(at + Duration::hours(12)),
            ended_at: Set(Some(at)),
        }
    };
    let (old, recent) = (
        row(9).insert(&app.db).await.expect("old"),
        row(2).insert(&app.db).await.expect("recent"),
    );

    Console::sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let left = console_sessions::Entity::find().all(&app.db).await.expect("sessions");
    assert!(
        !left.iter().any(|s| s.id == old.id),
        "a session over for 9 days is gone"
    );
    assert!(left.iter().any(|s| s.id == recent.id), "one over for 2 days stays");
}
