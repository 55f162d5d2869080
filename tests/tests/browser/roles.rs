//! A custom role's grants edited in the browser change what the REST API
//! allows its users.

use tests::{
    ADMIN_EMAIL, ADMIN_PASSWORD,
    browser::Browser,
    org::{PASSWORD, create_user},
    spawn_app,
};

const GRANT: &str = "select[name='grant.customers:read']";

#[tokio::test]
async fn an_administrator_grants_a_custom_role_a_permission_with_its_select_and_the_api_then_allows_it() {
    let app = spawn_app().await;
    let browser = Browser::start(&app).await;
    browser.sign_in_home(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    browser.open("/console/roles").await;
    browser
        .fill("form[action='/console/roles'] input[name=name]", "auditor")
        .await;
    browser
        .click_and_load("form[action='/console/roles'] button.primary")
        .await;
    assert_eq!(browser.path().await, "/console/roles/auditor");

    create_user(&app, "zhao@example.com", "auditor", None).await;
    let user_token = app.token("zhao@example.com", PASSWORD).await;
    let customers = async || app.get("/api/v1/customers", Some(&user_token)).await.status().as_u16();
    assert_eq!(customers().await, 403, "refused before the grant");

    browser
        .find(GRANT)
        .await
        .select_by_value("own")
        .await
        .expect("choose own");
    browser
        .click_and_load("form[action='/console/roles/auditor'] button.primary[type=submit]")
        .await;
    assert_eq!(browser.path().await, "/console/roles/auditor");
    assert_eq!(customers().await, 200, "allowed after the grant");
    let kept = browser.script("return document.querySelector(arguments[0]).value;", vec![GRANT.into()]);
    assert_eq!(kept.await, "own", "the page shows the saved grant");

    // And taken back.
    browser
        .find(GRANT)
        .await
        .select_by_value("")
        .await
        .expect("choose none");
    browser
        .click_and_load("form[action='/console/roles/auditor'] button.primary[type=submit]")
        .await;
    assert_eq!(customers().await, 403, "refused again");
}
