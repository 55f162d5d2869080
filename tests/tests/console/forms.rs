//! Forms the console's script posts in the background (header
//! `X-Console-Form`): a form that goes through is answered with where the
//! browser goes next, a refused one with the refusal page naming each field
//! at fault; a plain form post keeps its `303`.

use reqwest::Response;
use tests::{ADMIN_EMAIL, ADMIN_PASSWORD, console::Console, spawn_app};

async fn scripted(console: &Console, path: &str, fields: &[(&str, &str)]) -> Response {
    let mut all = vec![("csrf", console.csrf.as_str())];
    all.extend_from_slice(fields);
    console
        .api
        .client
        .post(console.api.url(path))
        .header("cookie", &console.cookie)
        .header("x-console-form", "1")
        .form(&all)
        .send()
        .await
        .expect("scripted console POST")
}

#[tokio::test]
async fn a_scripted_form_that_goes_through_is_told_where_to_go_instead_of_being_redirected() {
    let app = spawn_app().await;
    let console = Console::sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let fields = [("locale", "en"), ("back", "/console/users")];

    let answer = scripted(&console, "/console/language", &fields).await;
    assert_eq!(answer.status().as_u16(), 204);
    assert_eq!(
        answer.headers().get("x-console-location").and_then(|v| v.to_str().ok()),
        Some("/console/users")
    );
    assert!(answer.headers().get("location").is_none(), "no redirect to follow");

    let plain = console.post("/console/language", &fields).await;
    assert_eq!(plain.status().as_u16(), 303, "a plain form is redirected as before");
    assert_eq!(tests::console::location(&plain), "/console/users");
}

#[tokio::test]
async fn a_scripted_form_with_a_field_at_fault_gets_the_refusal_naming_that_field_and_nothing_is_created() {
    let app = spawn_app().await;
    let console = Console::sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let answer = scripted(
        &console,
        "/console/users",
        &[
            ("name", "   "),
            ("email", "li.na@example.com"),
            ("password", "a-long-password-2026"),
        ],
    )
    .await;
    assert_eq!(answer.status().as_u16(), 422);
    let page = answer.text().await.expect("the refusal page");
    assert!(page.contains("data-pointer=\"/name\""), "{page}");
    assert!(
        !page.contains("data-pointer=\"/email\""),
        "only the field at fault: {page}"
    );

    let (_, users) = console.page("/console/users?q=li.na").await;
    assert!(!users.contains("li.na@example.com"), "nothing created");
}
