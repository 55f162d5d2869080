//! The agenda page: one consultant's deadlines ahead, read-only, as the
//! API's agenda has them — a consultant's own only, a manager's team
//! member picked from the people the manager's scope reaches.

use tests::{
    TestApp,
    console::Console,
    customers::new_customer,
    org::{PASSWORD, org},
    spawn_app,
};

async fn lead_of(app: &TestApp, who: &str, name: &str) -> String {
    let token = app.token(&format!("{who}@example.com"), PASSWORD).await;
    new_customer(app, &token, name).await
}

/// The part of a page from the agenda's heading on.
fn agenda_of(html: &str) -> &str {
    &html[html
        .find(">Agenda of ")
        .unwrap_or_else(|| panic!("the agenda's heading: {html}"))..]
}

#[tokio::test]
async fn a_consultant_sees_their_own_agenda_and_is_refused_anothers() {
    let app = spawn_app().await;
    let org = org(&app).await;
    let own = lead_of(&app, "a1", "Own Lead").await;
    lead_of(&app, "a2", "Colleague Lead").await;

    let a1 = Console::sign_in(&app, "a1@example.com", PASSWORD).await;
    let (_, home) = a1.page("/console").await;
    assert!(home.contains("href=\"/console/agenda\""), "the sidebar: {home}");
    let (status, page) = a1.page("/console/agenda").await;
    assert_eq!(status, 200, "{page}");
    let agenda = agenda_of(&page);
    assert!(agenda.contains("Own Lead"), "{agenda}");
    assert!(
        agenda.contains(&format!("href=\"/console/customers/{own}\"")),
        "the customer is linked: {agenda}"
    );
    assert!(
        agenda.contains("first response"),
        "the kind in the reader's language: {agenda}"
    );
    assert!(agenda.contains("not yet due"), "{agenda}");
    assert!(!agenda.contains("Colleague Lead"), "{agenda}");
    assert!(!page.contains("name=\"consultant\""), "no one to pick: {page}");

    let refused = a1
        .get(&format!("/console/agenda?consultant={}", org.consultant_a2))
        .await;
    assert_eq!(refused.status().as_u16(), 403);
    let html = refused.text().await.expect("page");
    assert!(!html.contains("Colleague Lead"), "{html}");
}

#[tokio::test]
async fn a_manager_reads_a_team_members_agenda_and_no_one_elses() {
    let app = spawn_app().await;
    let org = org(&app).await;
    lead_of(&app, "a1", "A1 Lead").await;
    lead_of(&app, "a2", "A2 Lead").await;
    lead_of(&app, "b1", "B Lead").await;

    let manager = Console::sign_in(&app, "manager.a@example.com", PASSWORD).await;
    let (status, page) = manager
        .page(&format!("/console/agenda?consultant={}", org.consultant_a1))
        .await;
    assert_eq!(status, 200, "{page}");
    let picker = &page[page.find("name=\"consultant\"").expect("a picker")..];
    let picker = &picker[..picker.find("</select>").expect("select")];
    assert!(
        picker.contains(&format!("value=\"{}\" selected", org.consultant_a1)),
        "{picker}"
    );
    assert!(picker.contains(&org.consultant_a2.to_string()), "{picker}");
    assert!(
        !picker.contains(&org.consultant_b.to_string()),
        "another team's consultant: {picker}"
    );
    let agenda = agenda_of(&page);
    assert!(agenda.contains("A1 Lead"), "{agenda}");
    assert!(!agenda.contains("A2 Lead") && !agenda.contains("B Lead"), "{agenda}");

    let (status, other_team) = manager
        .page(&format!("/console/agenda?consultant={}", org.consultant_b))
        .await;
    assert_eq!(status, 404, "outside the manager's reach: {other_team}");
    assert!(!other_team.contains("B Lead"));

    // The director reaches every team.
    let director = Console::sign_in(&app, "director@example.com", PASSWORD).await;
    let (status, page) = director
        .page(&format!("/console/agenda?consultant={}", org.consultant_b))
        .await;
    assert_eq!(status, 200, "{page}");
    assert!(agenda_of(&page).contains("B Lead"), "{page}");
}
