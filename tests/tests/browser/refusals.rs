//! What the console refuses, as a browser shows it: pages outside the
//! viewer's permissions and forged form posts (no CSRF token), each with
//! the 403 page inside the viewer's frame.

use tests::{
    ADMIN_EMAIL, ADMIN_PASSWORD,
    browser::Browser,
    org::{PASSWORD, org},
    spawn_app,
};

/// The pages a consultant has no permission for (their own team's page and
/// the SLA policies they may read are not among them).
const ADMIN_PATHS: [&str; 10] = [
    "/console/users",
    "/console/roles",
    "/console/api-clients",
    "/console/webhooks",
    "/console/award-rules",
    "/console/audit",
    "/console/queues",
    "/console/timers",
    "/console/periodic",
    "/console/health",
];

/// Links of the page that lead to an administration page.
async fn admin_links(browser: &Browser) -> Vec<String> {
    let js = "return Array.from(document.querySelectorAll('a[href]')).map(a => a.getAttribute('href'));";
    let hrefs = browser.script(js, vec![]).await;
    hrefs
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|h| h.as_str())
        .filter(|h| {
            ADMIN_PATHS
                .iter()
                .any(|p| h == p || h.starts_with(&format!("{p}/")) || h.starts_with(&format!("{p}?")))
        })
        .map(str::to_owned)
        .collect()
}

/// Asserts the page shown is the console's 403 page in the viewer's frame.
/// (Titled in the viewer's language: the `org` staff read English.)
async fn assert_forbidden_page(browser: &Browser, viewer_name: &str) {
    assert_eq!(browser.status().await, 403, "{}", browser.body_text().await);
    let title = if browser.lang().await == "en" {
        "Forbidden"
    } else {
        "无权操作"
    };
    assert_eq!(browser.text("main h1").await, title);
    let header = browser.text("header.top").await;
    assert!(header.contains(viewer_name), "inside the viewer's frame: {header}");
    assert!(browser.find_all("section.problem[role=alert]").await.len() == 1);
}

/// A browser with consultant a1 of the `org` signed in, on the home page
/// without any administration link.
async fn consultant(app: &tests::TestApp) -> Browser {
    org(app).await;
    let browser = Browser::start(app).await;
    browser.sign_in_home("a1@example.com", PASSWORD).await;
    assert_eq!(admin_links(&browser).await, Vec::<String>::new());
    browser
}

#[tokio::test]
async fn a_consultant_gets_the_forbidden_page_on_the_users_page_and_sees_no_admin_links() {
    let app = spawn_app().await;
    let browser = consultant(&app).await;

    browser.open("/console/users").await;
    assert_forbidden_page(&browser, "a1").await;
    assert_eq!(
        admin_links(&browser).await,
        Vec::<String>::new(),
        "not on the 403 page either"
    );
    browser.assert_accessible().await;

    // The administrator opens it.
    let admin = Browser::start(&app).await;
    admin.sign_in_home(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    admin.open("/console/users").await;
    assert_eq!(admin.status().await, 200);
    assert!(
        !admin_links(&admin).await.is_empty(),
        "the administrator's sidebar lists them"
    );
}

#[tokio::test]
async fn a_consultant_sees_no_admin_links_and_a_refused_post_shows_the_forbidden_page_in_their_frame() {
    let app = spawn_app().await;
    let browser = consultant(&app).await;

    // An existing path that refuses: sign-out without the session's token.
    browser.post_forged_form("/console/sign-out", &[]).await;
    assert_forbidden_page(&browser, "a1").await;
    assert_eq!(admin_links(&browser).await, Vec::<String>::new());
}

#[tokio::test]
async fn a_language_form_without_its_csrf_field_is_refused_with_the_forbidden_page_and_changes_nothing() {
    let app = spawn_app().await;
    let browser = Browser::start(&app).await;
    browser.sign_in_home(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let tamper = "const f = document.querySelector('div.lang form'); \
                  f.querySelector('input[name=csrf]').remove(); f.submit();";
    browser.script_and_load(tamper, vec![]).await;
    assert_eq!(browser.path().await, "/console/language");
    assert_forbidden_page(&browser, ADMIN_EMAIL).await;
    assert!(
        browser.text("section.problem").await.contains("表单令牌"),
        "the page says why"
    );

    browser.open("/console").await;
    assert_eq!(browser.lang().await, "zh-CN", "the language did not change");
}

#[tokio::test]
async fn a_form_built_by_a_script_with_a_made_up_token_is_refused_and_the_session_goes_on() {
    let app = spawn_app().await;
    let browser = Browser::start(&app).await;
    browser.sign_in_home(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    browser
        .post_forged_form("/console/sign-out", &[("csrf", "made-up-token")])
        .await;
    assert_forbidden_page(&browser, ADMIN_EMAIL).await;

    browser.open("/console").await;
    assert_eq!(browser.path().await, "/console", "still signed in");
    assert_eq!(browser.status().await, 200);
}

#[tokio::test]
async fn a_form_on_another_site_posting_to_the_console_does_not_act_with_the_session() {
    let app = spawn_app().await;
    let browser = Browser::start(&app).await;
    browser.sign_in_home(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    // Another site (a data: page); the session cookie is SameSite=Strict
    // and the attacker cannot know the token.
    let target = browser.url("/console/language");
    let page = format!(
        "data:text/html,<form method=post action='{target}'><input name=locale value=en>\
         <input name=back value=/console></form>"
    );
    browser.client.goto(&page).await.expect("the other site's page");
    browser.script_and_load("document.forms[0].submit();", vec![]).await;
    let path = browser.path().await;
    assert!(
        path.starts_with("/console/sign-in") || browser.status().await == 403,
        "refused, not acted upon: {path} {}",
        browser.body_text().await
    );

    browser.open("/console").await;
    assert_eq!(browser.path().await, "/console", "still signed in");
    assert_eq!(browser.lang().await, "zh-CN", "the language did not change");
}
