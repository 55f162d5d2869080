//! Signing in through the form, and the language switch.

use tests::{ADMIN_EMAIL, ADMIN_PASSWORD, browser::Browser, spawn_app};

/// The language switch's name, in both languages on purpose: whoever
/// cannot read the page's language still finds it.
const SWITCH: &str = "语言 / Language";

#[tokio::test]
async fn signing_in_through_the_form_lands_on_the_home_page_with_the_users_name() {
    let app = spawn_app().await;
    let browser = Browser::start(&app).await;
    browser.open("/console").await;
    assert_eq!(
        browser.path().await,
        "/console/sign-in?next=%2Fconsole",
        "the console asks to sign in first"
    );
    browser.sign_in_home(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(browser.status().await, 200);
    assert_eq!(browser.text("main h1").await, "首页");
    let header = browser.text("header.top").await;
    assert!(
        header.contains(ADMIN_EMAIL),
        "the header names who is signed in: {header}"
    );
    assert!(header.contains("退出登录"), "{header}");
}

#[tokio::test]
async fn a_wrong_password_shows_the_error_and_keeps_the_form() {
    let app = spawn_app().await;
    let browser = Browser::start(&app).await;
    browser.sign_in(ADMIN_EMAIL, "not-the-password").await;
    assert_eq!(browser.path().await, "/console/sign-in");
    assert_eq!(browser.status().await, 401);
    assert_eq!(browser.text("p.error[role=alert]").await, "电子邮箱或密码不正确。");
    assert!(
        browser.find_all("#email").await.len() == 1,
        "the form is there to try again"
    );

    // The right password afterwards still gets in.
    browser.sign_in_home(ADMIN_EMAIL, ADMIN_PASSWORD).await;
}

#[tokio::test]
async fn switching_the_language_shows_the_whole_page_in_english_and_then_in_chinese_again() {
    let app = spawn_app().await;
    let browser = Browser::start(&app).await;
    browser.sign_in_home(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(browser.lang().await, "zh-CN");
    assert_eq!(browser.foreign_text(&[SWITCH]).await, Vec::<String>::new());

    browser.click_and_load("div.lang button[lang=en]").await;
    assert_eq!(browser.path().await, "/console", "back on the page it was switched on");
    assert_eq!(browser.lang().await, "en");
    assert_eq!(browser.text("main h1").await, "Home");
    assert_eq!(
        browser.foreign_text(&[SWITCH]).await,
        Vec::<String>::new(),
        "no Chinese left on the English page"
    );

    // Kept across navigation: another page (here the not-found page) and back.
    browser.open("/console/no-such-page").await;
    assert_eq!(browser.status().await, 404);
    assert_eq!(browser.lang().await, "en");
    assert_eq!(browser.text("main h1").await, "Not found");
    assert_eq!(browser.foreign_text(&[SWITCH]).await, Vec::<String>::new());

    browser.click_and_load("div.lang button[lang=zh-CN]").await;
    assert_eq!(browser.path().await, "/console/no-such-page");
    assert_eq!(browser.lang().await, "zh-CN");
    assert_eq!(browser.text("main h1").await, "未找到");
    browser.open("/console").await;
    assert_eq!(browser.lang().await, "zh-CN");
    assert_eq!(browser.text("main h1").await, "首页");
    assert_eq!(browser.foreign_text(&[SWITCH]).await, Vec::<String>::new());
}

#[tokio::test]
async fn the_sign_in_page_switches_language_before_signing_in_and_signing_in_keeps_it() {
    let app = spawn_app().await;
    let browser = Browser::start(&app).await;
    browser.open("/console/sign-in").await;
    assert_eq!(browser.lang().await, "zh-CN", "Chinese first for a Chinese browser");
    browser.click_and_load("div.lang a[lang=en]").await;
    assert_eq!(browser.lang().await, "en");
    assert_eq!(browser.foreign_text(&[SWITCH]).await, Vec::<String>::new());
    browser.fill("#email", ADMIN_EMAIL).await;
    browser.fill("#password", ADMIN_PASSWORD).await;
    browser.click_and_load("form.stack button[type=submit]").await;
    assert_eq!(browser.path().await, "/console");
    assert_eq!(
        browser.lang().await,
        "en",
        "the language picked before signing in is kept"
    );
    assert_eq!(browser.text("main h1").await, "Home");
}
