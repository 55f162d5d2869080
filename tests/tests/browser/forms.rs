//! A form the service refuses keeps what was typed: the fields it names are
//! marked in place with the reason beside them, a refusal no field holds is
//! said above the form, and nothing is created; corrected, the same form
//! goes through.

use serde_json::Value;
use tests::{ADMIN_EMAIL, ADMIN_PASSWORD, TestApp, browser::Browser, spawn_app};

const FORM: &str = "form[method=post][action='/console/users']";

/// How many accounts the API finds for `email`.
async fn accounts_named(app: &TestApp, email: &str) -> usize {
    let token = app.admin_token().await;
    let found: Value = app
        .get(&format!("/api/v1/users?q={email}"), Some(&token))
        .await
        .json()
        .await
        .expect("a user list");
    found["items"].as_array().map_or(0, Vec::len)
}

/// The value the field `css` holds now.
async fn value(browser: &Browser, css: &str) -> String {
    let value = browser
        .script("return document.querySelector(arguments[0]).value;", vec![css.into()])
        .await;
    value.as_str().unwrap_or_default().to_owned()
}

async fn submit(browser: &Browser) {
    browser.click(&format!("{FORM} button.primary[type=submit]")).await;
}

#[tokio::test]
async fn a_refused_new_user_is_marked_in_the_form_with_every_typed_value_kept_then_created_once_corrected() {
    let app = spawn_app().await;
    let browser = Browser::start(&app).await;
    browser.sign_in_home(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    browser.open("/console/users").await;

    // A name of spaces passes the browser's own check, not the service's.
    browser.fill(&format!("{FORM} #name"), "   ").await;
    browser.fill(&format!("{FORM} #email"), "wang.fang@example.com").await;
    browser.fill(&format!("{FORM} #password"), "a-long-password-2026").await;
    submit(&browser).await;
    let marked = browser.find(&format!("{FORM} #name[aria-invalid=true]")).await;
    let note_id = marked
        .attr("aria-describedby")
        .await
        .expect("an attribute")
        .expect("the reason is tied to the field");
    let note = browser.text(&format!("#{note_id}")).await;
    assert!(note.contains("200"), "the reason says what is allowed: {note}");
    assert_eq!(browser.path().await, "/console/users", "still on the form's page");
    assert_eq!(
        value(&browser, &format!("{FORM} #email")).await,
        "wang.fang@example.com"
    );
    assert_eq!(
        value(&browser, &format!("{FORM} #password")).await,
        "a-long-password-2026"
    );
    assert_eq!(
        browser.find_all(&format!("{FORM} #email[aria-invalid]")).await.len(),
        0,
        "only the field at fault is marked"
    );
    assert_eq!(
        accounts_named(&app, "wang.fang@example.com").await,
        0,
        "nothing created"
    );

    // An e-mail address already in use is no one field's fault alone: it
    // is said above the form.
    browser.fill(&format!("{FORM} #name"), "王芳").await;
    browser.fill(&format!("{FORM} #email"), ADMIN_EMAIL).await;
    submit(&browser).await;
    let problem = browser.text(&format!("{FORM} .form-problem[role=alert]")).await;
    assert!(problem.contains(ADMIN_EMAIL), "says which address: {problem}");
    assert_eq!(
        browser.find_all(&format!("{FORM} .field-error")).await.len(),
        0,
        "the earlier marks are gone"
    );
    assert_eq!(value(&browser, &format!("{FORM} #name")).await, "王芳");

    // Corrected, the same form creates the account and shows its page.
    browser.fill(&format!("{FORM} #email"), "wang.fang@example.com").await;
    browser
        .click_and_load(&format!("{FORM} button.primary[type=submit]"))
        .await;
    assert!(
        browser.body_text().await.contains("王芳"),
        "the new account's page: {}",
        browser.body_text().await
    );
    assert_eq!(accounts_named(&app, "wang.fang@example.com").await, 1);
    browser.assert_accessible().await;
}
