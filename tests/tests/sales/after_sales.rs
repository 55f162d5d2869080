//! After-sales: inspection issues and the checklist guarding the handover,
//! the handover record, and post-handover visits.

use entities::{handover_checklist_items::ChecklistItem, timeline_entries::TimelineKind};
use sea_orm::Iterable;
use serde_json::{Value, json};
use tests::{TestApp, assert_problem, client::expect_json, spawn_app};

use crate::{
    Staff, advance, complete_checklist, customer_status, get_json, id_of, move_deal, new_customer, new_deal, new_unit,
    staff, timeline, timeline_kinds,
};

/// A deal of a1's that is ready for handover: (customer, deal).
async fn ready_deal(app: &TestApp, staff: &Staff) -> (String, String) {
    let customer = new_customer(app, &staff.a1, "王先生").await;
    let unit = new_unit(app, &staff.manager, "1502").await;
    let deal = id_of(&new_deal(app, &staff.a1, &customer, &unit, "full").await);
    advance(
        app,
        &staff.a1,
        &deal,
        &["subscribed", "contracted", "title_transfer", "handover_ready"],
    )
    .await;
    (customer, deal)
}

async fn handed_over_deal(app: &TestApp, staff: &Staff) -> (String, String) {
    let (customer, deal) = ready_deal(app, staff).await;
    complete_checklist(app, &staff.a1, &deal).await;
    advance(app, &staff.a1, &deal, &["handed_over"]).await;
    (customer, deal)
}

#[tokio::test]
async fn a_handover_with_an_open_inspection_issue_is_refused_until_the_issue_is_resolved() {
    let app = spawn_app().await;
    let staff = staff(&app).await;
    let (customer, deal) = ready_deal(&app, &staff).await;
    complete_checklist(&app, &staff.a1, &deal).await;
    let issues = format!("/api/v1/deals/{deal}/inspection-issues");
    let body = json!({"description": "主卧墙面渗水", "location": "master bedroom"});
    let issue = expect_json(app.post_json(&issues, Some(&staff.a1), &body).await, 201).await;
    assert_eq!(issue["status"], "open");
    let path = format!("/api/v1/deals/{deal}");
    let before = get_json(&app, &path, &staff.a1).await;

    let problem = assert_problem(
        move_deal(&app, &staff.a1, &deal, "handed_over").await,
        409,
        "open_inspection_issues",
    )
    .await;
    assert!(
        problem["detail"].as_str().is_some_and(|d| d.starts_with('1')),
        "{problem}"
    );
    let handover = json!({"recipient": "王先生", "notes": "钥匙三把"});
    assert_problem(
        app.post_json(&format!("{path}/handover"), Some(&staff.a1), &handover)
            .await,
        409,
        "open_inspection_issues",
    )
    .await;
    assert_eq!(get_json(&app, &path, &staff.a1).await, before);
    assert_problem(
        app.get(&format!("{path}/handover"), Some(&staff.a1)).await,
        404,
        "not_found",
    )
    .await;
    assert_eq!(customer_status(&app, &customer).await, "contracted");

    let issue_path = format!("{issues}/{}", id_of(&issue));
    let rectifying = json!({"status": "rectifying"});
    let rectifying = expect_json(app.patch_json(&issue_path, Some(&staff.a1), &rectifying).await, 200).await;
    assert_eq!(rectifying["status"], "rectifying");
    assert!(rectifying["resolved_at"].is_null());
    assert_problem(
        move_deal(&app, &staff.a1, &deal, "handed_over").await,
        409,
        "open_inspection_issues",
    )
    .await;
    let problem = assert_problem(
        app.patch_json(&issue_path, Some(&staff.a1), &json!({"status": "resolved"}))
            .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["pointer"], "/resolution");
    assert_problem(
        app.patch_json(&issue_path, Some(&staff.a1), &json!({"status": "closed"}))
            .await,
        422,
        "validation_failed",
    )
    .await;
    let resolved = json!({"status": "resolved", "resolution": "物业已修补防水层"});
    let resolved = expect_json(app.patch_json(&issue_path, Some(&staff.a1), &resolved).await, 200).await;
    assert!(resolved["resolved_at"].is_string());
    let listed = get_json(&app, &issues, &staff.manager).await;
    assert_eq!(listed["items"][0]["status"], "resolved");

    let response = app
        .post_json(&format!("{path}/handover"), Some(&staff.a1), &handover)
        .await;
    let done = expect_json(response, 201).await;
    assert_eq!(done["deal"]["stage"], "handed_over");
    assert_eq!(done["handover"]["recipient"], "王先生");
    let record = get_json(&app, &format!("{path}/handover"), &staff.director).await;
    assert_eq!(record["notes"], "钥匙三把");
    assert_eq!(record["handed_over_at"], done["deal"]["handed_over_at"]);
    assert_eq!(customer_status(&app, &customer).await, "handed_over");
    let kinds = timeline_kinds(&app, &customer).await;
    assert_eq!(kinds.iter().filter(|k| *k == "inspection_issue").count(), 3);
    assert!(kinds.iter().any(|k| k == "handover_completed"), "{kinds:?}");
    let last_move = timeline(&app, &customer)
        .await
        .into_iter()
        .rfind(|e| e.kind == TimelineKind::DealStageChanged)
        .expect("stage change");
    assert_eq!(last_move.data["to"], "handed_over");
    // Handed over once: again is an illegal move.
    assert_problem(
        app.post_json(&format!("{path}/handover"), Some(&staff.a1), &handover)
            .await,
        409,
        "illegal_transition",
    )
    .await;
}

#[tokio::test]
async fn a_handover_with_an_incomplete_checklist_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let staff = staff(&app).await;
    let (_, deal) = ready_deal(&app, &staff).await;
    let checklist = format!("/api/v1/deals/{deal}/handover-checklist");
    // Every item but the meter readings.
    for item in ChecklistItem::iter().filter(|item| *item != ChecklistItem::MeterReadings) {
        expect_json(
            app.put_json(&format!("{checklist}/{item}"), Some(&staff.a1), &json!({"done": true}))
                .await,
            200,
        )
        .await;
    }
    let problem = assert_problem(
        move_deal(&app, &staff.a1, &deal, "handed_over").await,
        409,
        "handover_checklist_incomplete",
    )
    .await;
    assert!(
        problem["detail"].as_str().is_some_and(|d| d.starts_with('1')),
        "{problem}"
    );
    assert_problem(
        app.post_json(
            &format!("/api/v1/deals/{deal}/handover"),
            Some(&staff.a1),
            &json!({"recipient": "王先生"}),
        )
        .await,
        409,
        "handover_checklist_incomplete",
    )
    .await;
    assert_eq!(
        get_json(&app, &format!("/api/v1/deals/{deal}"), &staff.a1).await["stage"],
        "handover_ready"
    );

    let meters = json!({"done": true, "note": "水 123 电 456"});
    let ticked = expect_json(
        app.put_json(&format!("{checklist}/meter_readings"), Some(&staff.a1), &meters)
            .await,
        200,
    )
    .await;
    assert_eq!(ticked["note"], "水 123 电 456");
    assert!(ticked["updated_at"].is_string());
    let at = chrono::Utc::now();
    let body = json!({"recipient": "王先生", "at": at.to_rfc3339()});
    let done = expect_json(
        app.post_json(&format!("/api/v1/deals/{deal}/handover"), Some(&staff.a1), &body)
            .await,
        201,
    )
    .await;
    assert_eq!(done["deal"]["stage"], "handed_over");
    let stamped = done["deal"]["handed_over_at"].as_str().expect("stamp");
    let stamped = chrono::DateTime::parse_from_rfc3339(stamped).expect("rfc3339");
    assert!(
        (stamped.timestamp_micros() - at.timestamp_micros()).abs() < 1000,
        "{stamped} vs {at}"
    );
}

#[tokio::test]
async fn the_checklist_lists_every_item_and_an_unknown_item_is_not_found() {
    let app = spawn_app().await;
    let staff = staff(&app).await;
    let (_, deal) = ready_deal(&app, &staff).await;
    let checklist = format!("/api/v1/deals/{deal}/handover-checklist");
    expect_json(
        app.put_json(&format!("{checklist}/keys"), Some(&staff.a1), &json!({"done": true}))
            .await,
        200,
    )
    .await;
    let list = get_json(&app, &checklist, &staff.a1).await;
    let items: Vec<(&str, bool)> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| (i["item"].as_str().unwrap_or(""), i["done"].as_bool().unwrap_or(false)))
        .collect();
    assert_eq!(
        items,
        [
            ("property_certificate", false),
            ("maintenance_manual", false),
            ("quality_guarantee", false),
            ("usage_instructions", false),
            ("keys", true),
            ("meter_readings", false),
        ]
    );
    assert!(list["items"][0]["updated_at"].is_null());
    assert_problem(
        app.put_json(
            &format!("{checklist}/parking_permit"),
            Some(&staff.a1),
            &json!({"done": true}),
        )
        .await,
        404,
        "not_found",
    )
    .await;
    assert_problem(
        app.put_json(&format!("{checklist}/keys"), Some(&staff.a1), &json!({"done": "yes"}))
            .await,
        422,
        "validation_failed",
    )
    .await;
    assert_problem(
        app.put_json(&format!("{checklist}/keys"), Some(&staff.a2), &json!({"done": false}))
            .await,
        404,
        "not_found",
    )
    .await;
    assert_eq!(get_json(&app, &checklist, &staff.a1).await, list);
}

#[tokio::test]
async fn a_visit_before_the_handover_is_refused_with_not_handed_over() {
    let app = spawn_app().await;
    let staff = staff(&app).await;
    let (customer, deal) = ready_deal(&app, &staff).await;
    let visits = format!("/api/v1/deals/{deal}/visits");
    assert_problem(
        app.post_json(&visits, Some(&staff.a1), &json!({"satisfaction": 5}))
            .await,
        409,
        "not_handed_over",
    )
    .await;
    assert_eq!(get_json(&app, &visits, &staff.a1).await["items"], json!([]));
    assert!(!timeline_kinds(&app, &customer).await.iter().any(|k| k == "visit"));
}

#[tokio::test]
async fn a_visit_satisfaction_outside_one_to_five_or_not_an_integer_is_refused_and_nothing_is_written() {
    let app = spawn_app().await;
    let staff = staff(&app).await;
    let (customer, deal) = handed_over_deal(&app, &staff).await;
    let visits = format!("/api/v1/deals/{deal}/visits");
    for body in [
        json!({"satisfaction": 0}),
        json!({"satisfaction": 6}),
        json!({"satisfaction": -1}),
        json!({"satisfaction": 4.5}),
        json!({"satisfaction": "five"}),
        json!({"satisfaction": null}),
        json!({"feedback": "好"}),
        json!({"satisfaction": 5, "mood": "happy"}),
    ] {
        let problem = assert_problem(
            app.post_json(&visits, Some(&staff.a1), &body).await,
            422,
            "validation_failed",
        )
        .await;
        assert!(problem["errors"][0]["pointer"].is_string(), "{problem}");
    }
    let future = (chrono::Utc::now() + chrono::Duration::days(2)).to_rfc3339();
    let early = (chrono::Utc::now() - chrono::Duration::days(400)).to_rfc3339();
    for at in [future, early] {
        let problem = assert_problem(
            app.post_json(&visits, Some(&staff.a1), &json!({"satisfaction": 5, "visited_at": at}))
                .await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(problem["errors"][0]["pointer"], "/visited_at");
    }
    assert_eq!(get_json(&app, &visits, &staff.a1).await["items"], json!([]));
    assert!(!timeline_kinds(&app, &customer).await.iter().any(|k| k == "visit"));
}

#[tokio::test]
async fn a_visit_after_the_handover_is_recorded_for_the_deals_consultant_with_a_timeline_entry() {
    let app = spawn_app().await;
    let staff = staff(&app).await;
    let (customer, deal) = handed_over_deal(&app, &staff).await;
    let visits = format!("/api/v1/deals/{deal}/visits");
    let body = json!({"satisfaction": 4, "feedback": "物业响应快"});
    let visit: Value = expect_json(app.post_json(&visits, Some(&staff.manager), &body).await, 201).await;
    assert_eq!(visit["satisfaction"], 4);
    assert_eq!(visit["consultant_id"], staff.org.consultant_a1.to_string());
    assert_eq!(visit["team_id"], staff.org.team_a.to_string());
    assert_eq!(visit["customer_id"], customer.as_str());
    assert_eq!(visit["recorded_by"], staff.org.manager_a.to_string());
    let listed = get_json(&app, &visits, &staff.a1).await;
    assert_eq!(listed["items"], json!([visit]));
    let entry = timeline(&app, &customer)
        .await
        .into_iter()
        .find(|e| e.kind == TimelineKind::Visit)
        .expect("visit entry");
    assert_eq!(entry.data["satisfaction"], 4);
    assert_eq!(
        entry.subject_id.map(|id| id.to_string()),
        visit["id"].as_str().map(str::to_owned)
    );
    // Still allowed after closing.
    advance(&app, &staff.a1, &deal, &["closed"]).await;
    expect_json(
        app.post_json(&visits, Some(&staff.a1), &json!({"satisfaction": 5}))
            .await,
        201,
    )
    .await;
    // Director reads but does not write.
    assert_problem(
        app.post_json(&visits, Some(&staff.director), &json!({"satisfaction": 5}))
            .await,
        403,
        "forbidden",
    )
    .await;
}
