//! The accessibility check (tests/src/browser/accessibility.js) on every
//! page of the console, in both languages; and the harness itself.

use tests::{
    ADMIN_EMAIL, ADMIN_PASSWORD,
    browser::{Browser, accessibility_violations},
    spawn_app,
};

/// The signed-in pages checked, one line each (a page added to the console
/// adds its path here; pages with a record in the path too, e.g.
/// `/console/users/{id}` of a record the test creates).
pub const PAGES: &[&str] = &[
    "/console",
    // The not-found page, in the viewer's frame.
    "/console/no-such-page",
];

#[tokio::test]
async fn every_console_page_passes_the_accessibility_check_in_both_languages() {
    let app = spawn_app().await;
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
        for path in PAGES {
            browser.open(path).await;
            assert_eq!(browser.lang().await, lang, "{path}");
            browser.assert_accessible().await;
        }

        // The 403 page (a post without the CSRF token).
        browser.post_forged_form("/console/sign-out", &[]).await;
        assert_eq!(browser.status().await, 403);
        browser.assert_accessible().await;

        browser.open("/console").await;
        browser
            .click_and_load("header.top form[action='/console/sign-out'] button")
            .await;
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
