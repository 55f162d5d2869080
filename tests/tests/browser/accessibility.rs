//! The accessibility check (tests/src/browser/accessibility.js) on every
//! page of the console, in both languages; and the harness itself.

use serde_json::json;
use tests::{
    ADMIN_EMAIL, ADMIN_PASSWORD, TestApp,
    browser::{Browser, accessibility_violations},
    org::list,
    queues::PAGE,
    spawn_app,
};

/// The administrator's pages checked, one line each (a page added to the
/// console adds its path here; pages of a record in [`console_pages`]).
pub const PAGES: &[&str] = &[
    "/console",
    "/console/users",
    "/console/teams",
    "/console/roles",
    "/console/roles/evaluate",
    "/console/api-clients",
    "/console/webhooks",
    "/console/sla-policies",
    "/console/award-rules",
    "/console/audit",
    "/console/queues",
    "/console/timers",
    "/console/periodic",
    "/console/sla-breaches",
    "/console/health",
];

/// The pages of the people who sell (the administrator does not read
/// customers), checked as the demo director.
pub const SALES_PAGES: &[&str] = &[
    "/console",
    "/console/dashboard",
    "/console/customers",
    "/console/agenda",
];

/// The demo organisation's director.
pub const DIRECTOR: &str = "director@demo.estateflow.local";

/// Who is signed in to check which pages.
pub struct Viewers {
    /// The administrator's pages.
    pub admin: Vec<String>,
    /// The demo director's pages.
    pub director: Vec<String>,
}

/// The demo organisation loaded, a custom role, an API client and a
/// finished job: then every page of [`PAGES`] and [`SALES_PAGES`] and the
/// pages of records (a user, a built-in and a custom role, an evaluation,
/// an API client, a queue's jobs, a job, a customer).
pub async fn console_pages(app: &TestApp) -> Viewers {
    domain::demo::load(&app.db, app.settings.timezone)
        .await
        .expect("load the demo organisation");
    let token = app.admin_token().await;
    let role = app
        .post_json(
            "/api/v1/roles",
            Some(&token),
            &json!({"name": "auditor", "grants": [{"permission": "customers:read", "scope": "own"}]}),
        )
        .await;
    assert_eq!(role.status().as_u16(), 201);
    let client = app
        .post_json(
            "/api/v1/api-clients",
            Some(&token),
            &json!({"name": "Anjuke", "scopes": ["customers:read"]}),
        )
        .await;
    let client = tests::client::expect_json(client, 201).await["id"]
        .as_str()
        .expect("the client's id")
        .to_owned();
    let probe = app.push_probe(&token, 0).await;
    assert_eq!(app.probe(&token, &probe, 10_000).await["status"], "handled");
    tests::eventually(
        std::time::Duration::from_secs(10),
        "the probe's job to be done",
        || async { (tests::queues::counts(app, &token).await["done"] == 1).then_some(()) },
    )
    .await;
    let first = async |path: &str, token: &str| {
        list(app, path, token).await["items"][0]["id"]
            .as_str()
            .unwrap_or_else(|| panic!("a record of {path}"))
            .to_owned()
    };
    let user = first("/api/v1/users?limit=1", &token).await;
    let job = first(&format!("{}/jobs?state=done", tests::queues::API), &token).await;
    let director = app.token(DIRECTOR, domain::demo::DEMO_PASSWORD).await;
    let customer = first("/api/v1/customers?limit=1", &director).await;
    let mut admin: Vec<String> = PAGES.iter().map(|p| (*p).to_owned()).collect();
    admin.extend([
        format!("/console/users/{user}"),
        "/console/roles/consultant".to_owned(),
        "/console/roles/auditor".to_owned(),
        format!("/console/roles/evaluate?user={user}"),
        format!("/console/api-clients/{client}"),
        format!("{PAGE}?state=done"),
        format!("{PAGE}/jobs/{job}"),
    ]);
    let mut sales: Vec<String> = SALES_PAGES.iter().map(|p| (*p).to_owned()).collect();
    sales.push(format!("/console/customers/{customer}"));
    Viewers { admin, director: sales }
}

/// Signs in through the form in `lang`.
pub async fn sign_in_in(browser: &Browser, lang: &str, email: &str, password: &str) {
    browser.open(&format!("/console/sign-in?lang={lang}")).await;
    browser.fill("#email", email).await;
    browser.fill("#password", password).await;
    browser.click_and_load("form.stack button[type=submit]").await;
    assert_eq!(browser.path().await, "/console", "{email} signed in");
}

async fn sign_out(browser: &Browser) {
    browser.open("/console").await;
    browser
        .click_and_load("header.top form[action='/console/sign-out'] button")
        .await;
}

#[tokio::test]
async fn every_console_page_passes_the_accessibility_check_in_both_languages() {
    let app = spawn_app().await;
    let pages = console_pages(&app).await;
    let browser = Browser::start(&app).await;
    for lang in ["zh-CN", "en"] {
        browser.open(&format!("/console/sign-in?lang={lang}")).await;
        assert_eq!(browser.lang().await, lang);
        browser.assert_accessible().await;

        // The sign-in page with its error.
        browser.fill("#email", ADMIN_EMAIL).await;
        browser.fill("#password", "not-the-password").await;
        browser.click_and_load("form.stack button[type=submit]").await;
        assert_eq!(browser.status().await, 401);
        browser.assert_accessible().await;

        browser.fill("#email", ADMIN_EMAIL).await;
        browser.fill("#password", ADMIN_PASSWORD).await;
        browser.click_and_load("form.stack button[type=submit]").await;
        assert_eq!(browser.lang().await, lang, "signed in in {lang}");
        for path in &pages.admin {
            browser.open(path).await;
            assert_eq!(browser.status().await, 200, "{path}: {}", browser.body_text().await);
            assert_eq!(browser.lang().await, lang, "{path}");
            browser.assert_accessible().await;
        }
        // The not-found page, in the viewer's frame.
        browser.open("/console/no-such-page").await;
        assert_eq!(browser.status().await, 404);
        browser.assert_accessible().await;

        // The 403 page (a post without the CSRF token).
        browser.post_forged_form("/console/sign-out", &[]).await;
        assert_eq!(browser.status().await, 403);
        browser.assert_accessible().await;
        sign_out(&browser).await;

        sign_in_in(&browser, lang, DIRECTOR, domain::demo::DEMO_PASSWORD).await;
        for path in &pages.director {
            browser.open(path).await;
            assert_eq!(browser.status().await, 200, "{path}: {}", browser.body_text().await);
            assert_eq!(browser.lang().await, lang, "{path}");
            browser.assert_accessible().await;
        }
        sign_out(&browser).await;
    }
}

#[tokio::test]
async fn the_accessibility_check_finds_unnamed_fields_and_links_images_without_text_and_low_contrast() {
    let app = spawn_app().await;
    let browser = Browser::start(&app).await;
    browser.open("/console/sign-in").await;
    assert_eq!(accessibility_violations(&browser.client).await, Vec::<String>::new());

    let spoil = r##"
        const main = document.querySelector('main');
        main.insertAdjacentHTML('beforeend',
          '<input id="bare" name="bare">' +
          '<label>Wrapped <input id="wrapped"></label>' +
          '<a id="empty" href="/x"></a>' +
          '<button id="nameless"></button>' +
          '<img id="noalt" src="data:,">' +
          '<svg id="untitled" role="img" width="10" height="10"></svg>' +
          '<p id="faint">faint text</p>' +
          '<div id="dark"><span id="light">light on white panel</span></div>');
        document.getElementById('faint').style.color = '#aaaaaa';
        document.getElementById('dark').style.background = 'rgba(0,0,0,0.9)';
        document.getElementById('light').style.color = '#555555';
        document.documentElement.removeAttribute('lang');
    "##;
    browser.script(spoil, vec![]).await;
    let found = accessibility_violations(&browser.client).await;
    let has = |what: &str, id: &str| {
        found
            .iter()
            .any(|v| v.starts_with(what) && v.contains(&format!("#{id}")))
    };
    assert!(found.iter().any(|v| v.contains("no lang")), "{found:#?}");
    assert!(has("form field without a label", "bare"), "{found:#?}");
    assert!(
        !has("form field without a label", "wrapped"),
        "a wrapping label names it: {found:#?}"
    );
    assert!(has("button or link without text", "empty"), "{found:#?}");
    assert!(has("button or link without text", "nameless"), "{found:#?}");
    assert!(has("image without alt", "noalt"), "{found:#?}");
    assert!(has("svg[role=img] without", "untitled"), "{found:#?}");
    assert!(has("contrast", "faint"), "grey #aaa on white is 2.3:1: {found:#?}");
    assert!(
        has("contrast", "light"),
        "#555 on a 90 % black layer over the white panel: {found:#?}"
    );
    assert_eq!(found.len(), 8, "nothing else: {found:#?}");
}

#[tokio::test]
async fn a_browser_whose_test_panics_is_closed_with_its_chromedriver() {
    let app = spawn_app().await;
    let base = app.base.clone();
    let (tx, rx) = tokio::sync::oneshot::channel();
    let failed = tokio::spawn(async move {
        let browser = Browser::start_on(&base).await;
        browser.open("/console/sign-in").await;
        let _ = tx.send((browser.driver_port(), browser.profile().to_owned()));
        panic!("a failing test");
    })
    .await;
    assert!(failed.is_err(), "the test failed");
    let (port, profile) = rx.await.expect("the browser started");
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
        "chromedriver is stopped"
    );
    assert!(!profile.exists(), "the profile is removed");
    let profile = profile.display().to_string();
    let left: Vec<String> = std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|p| std::fs::read(p.path().join("cmdline")).ok())
        .map(|c| String::from_utf8_lossy(&c).replace('\0', " "))
        .filter(|c| c.contains(&profile))
        .collect();
    assert_eq!(left, Vec::<String>::new(), "no Chromium process is left");
}
