//! What a partner client sees of the leads it pushed (issue 12, item 10):
//! progress — status, stages, dates and the events meant for it — never
//! staff notes, prices, budgets, complaints, lost reasons or anyone on the
//! staff. Staff reading the same records still see everything.

use serde_json::{Value, json};
use tests::{
    TestApp, assert_problem,
    client::expect_json,
    org::{Org, PASSWORD, org, partner_token},
    spawn_app,
};

/// Staff tokens of the test organisation.
pub(crate) struct Staff {
    pub org: Org,
    pub a1: String,
    pub manager: String,
    pub director: String,
}

pub(crate) async fn staff(app: &TestApp) -> Staff {
    let org = org(app).await;
    Staff {
        org,
        a1: app.token("a1@example.com", PASSWORD).await,
        manager: app.token("manager.a@example.com", PASSWORD).await,
        director: app.token("director@example.com", PASSWORD).await,
    }
}

pub(crate) fn id_of(value: &Value) -> String {
    value["id"].as_str().expect("id").to_owned()
}

pub(crate) async fn get_json(app: &TestApp, path: &str, token: &str) -> Value {
    expect_json(app.get(path, Some(token)).await, 200).await
}

/// A deal of `customer` on a new unit, moved through `stages`; its id.
pub(crate) async fn deal_through(app: &TestApp, s: &Staff, customer: &str, number: &str, stages: &[&str]) -> String {
    let unit = json!({"project": "滨江花园", "building": "3", "number": number, "layout": "3室2厅",
                      "area_sqm": "89.50", "list_price_fen": 356_000_000});
    let unit = id_of(&expect_json(app.post_json("/api/v1/units", Some(&s.manager), &unit).await, 201).await);
    let body = json!({"customer_id": customer, "unit_id": unit, "agreed_price_fen": 351_234_500,
                      "payment_method": "full", "planned_handover_on": "2027-06-30"});
    let deal = id_of(&expect_json(app.post_json("/api/v1/deals", Some(&s.a1), &body).await, 201).await);
    for stage in stages {
        if *stage == "handed_over" {
            let path = format!("/api/v1/deals/{deal}/handover-checklist");
            let checklist = get_json(app, &path, &s.a1).await;
            for item in checklist["items"].as_array().expect("items") {
                let item = format!("{path}/{}", item["item"].as_str().expect("item"));
                expect_json(app.put_json(&item, Some(&s.a1), &json!({"done": true})).await, 200).await;
            }
        }
        tests::paperwork::prepare_move(app, &s.a1, &deal, stage).await;
        let path = format!("/api/v1/deals/{deal}/transitions");
        expect_json(app.post_json(&path, Some(&s.a1), &json!({"to": stage})).await, 200).await;
    }
    deal
}

/// A lead the partner pushed, given to consultant a1.
async fn assigned_lead(app: &TestApp, s: &Staff, partner: &str) -> String {
    let lead = json!({"name": "周先生", "phone": "13600136000", "external_id": "portal-7781"});
    let customer = id_of(&expect_json(app.post_json("/api/v1/customers", Some(partner), &lead).await, 201).await);
    let path = format!("/api/v1/customers/{customer}");
    let assign = json!({"consultant_id": s.org.consultant_a1, "reason": "portal lead, VIP"});
    expect_json(
        app.post_json(&format!("{path}/assignment"), Some(&s.director), &assign)
            .await,
        200,
    )
    .await;
    customer
}

/// A lead the partner pushed, given to consultant a1, contacted with a
/// private note, assessed, sold at an agreed price and complained about.
async fn worked_lead(app: &TestApp, s: &Staff, partner: &str) -> String {
    let customer = assigned_lead(app, s, partner).await;
    let path = format!("/api/v1/customers/{customer}");
    let follow_up = json!({"kind": "call", "notes": "PRIVATE-NOTE wants a discount", "next_step": "PRIVATE-STEP"});
    expect_json(
        app.post_json(&format!("{path}/follow-ups"), Some(&s.a1), &follow_up)
            .await,
        201,
    )
    .await;
    let needs = json!({"budget_min_fen": 300_000_000i64, "budget_max_fen": 380_000_000i64, "layout": "3室2厅",
                       "purpose": "own_use"});
    expect_json(app.post_json(&format!("{path}/needs"), Some(&s.a1), &needs).await, 201).await;
    deal_through(app, s, &customer, "1801", &["subscribed"]).await;
    let complaint = json!({"customer_id": customer, "severity": "major", "summary": "PRIVATE-COMPLAINT"});
    expect_json(app.post_json("/api/v1/complaints", Some(&s.a1), &complaint).await, 201).await;
    customer
}

/// Every text in a JSON value, keys and values, for "nowhere in it" checks.
fn text(value: &Value) -> String {
    value.to_string()
}

#[tokio::test]
async fn a_partner_reading_its_leads_timeline_sees_progress_but_no_notes_prices_complaints_or_staff() {
    let app = spawn_app().await;
    let s = staff(&app).await;
    let admin = app.admin_token().await;
    let partner = partner_token(&app, &admin, "Listing portal").await;
    let customer = worked_lead(&app, &s, &partner).await;
    let path = format!("/api/v1/customers/{customer}/timeline");

    let seen = get_json(&app, &path, &partner).await;
    let kinds: Vec<&str> = seen["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert_eq!(
        kinds,
        [
            "created",
            "assigned",
            "follow_up",
            "needs_assessed",
            "deal_created",
            "deal_stage_changed"
        ]
    );
    for entry in seen["items"].as_array().expect("items") {
        let mut keys: Vec<&String> = entry.as_object().expect("entry").keys().collect();
        keys.sort();
        assert_eq!(keys, ["data", "id", "kind", "occurred_at"], "{entry}");
    }
    let follow_up = &seen["items"][2]["data"];
    assert_eq!(follow_up, &json!({"kind": "call", "reached": true}));
    assert_eq!(seen["items"][3]["data"], json!({}));
    assert_eq!(seen["items"][4]["data"], json!({"stage": "negotiating"}));
    assert_eq!(
        seen["items"][5]["data"],
        json!({"from": "negotiating", "to": "subscribed"})
    );
    let all = text(&seen);
    for private in [
        "PRIVATE-NOTE",
        "PRIVATE-STEP",
        "PRIVATE-COMPLAINT",
        "portal lead, VIP",
        "351234500",
        "300000000",
        "agreed_price_fen",
        "notes",
        "complaint",
        "consultant_id",
        "team_id",
        "actor_user_id",
        "subject_id",
        &s.org.consultant_a1.to_string(),
        &s.org.manager_a.to_string(),
        &s.org.director.to_string(),
        &s.org.team_a.to_string(),
    ] {
        assert!(!all.contains(private), "the partner sees {private}: {all}");
    }

    // Staff read the same timeline in full.
    let staff_view = text(&get_json(&app, &path, &s.manager).await);
    for private in [
        "PRIVATE-NOTE",
        "PRIVATE-COMPLAINT",
        "351234500",
        "actor_user_id",
        &s.org.consultant_a1.to_string(),
    ] {
        assert!(staff_view.contains(private), "staff miss {private}: {staff_view}");
    }
}

#[tokio::test]
async fn a_partner_reading_its_lead_sees_no_owner_team_key_account_or_lost_reason_while_staff_do() {
    let app = spawn_app().await;
    let s = staff(&app).await;
    let admin = app.admin_token().await;
    let partner = partner_token(&app, &admin, "Listing portal").await;
    let customer = assigned_lead(&app, &s, &partner).await;
    let path = format!("/api/v1/customers/{customer}");
    let note = json!({"kind": "call", "notes": "PRIVATE-NOTE"});
    expect_json(
        app.post_json(&format!("{path}/follow-ups"), Some(&s.a1), &note).await,
        201,
    )
    .await;
    expect_json(
        app.patch_json(&path, Some(&s.a1), &json!({"key_account": true})).await,
        200,
    )
    .await;
    let lost = json!({"status": "lost", "reason": "PRIVATE-REASON bought elsewhere"});
    let response = app.post_json(&format!("{path}/status"), Some(&s.a1), &lost).await;
    expect_json(response, 200).await;

    let private = [
        "owner_id",
        "team_id",
        "key_account",
        "lost_reason",
        "possible_duplicates",
    ];
    let read = get_json(&app, &path, &partner).await;
    let listed = get_json(&app, "/api/v1/customers", &partner).await;
    let patched = expect_json(
        app.patch_json(&path, Some(&partner), &json!({"name": "周先生 "})).await,
        200,
    )
    .await;
    for seen in [&read, &listed["items"][0], &patched] {
        for field in private {
            assert!(seen.get(field).is_none(), "the partner sees {field}: {seen}");
        }
        assert_eq!(seen["status"], "lost");
        assert_eq!(seen["external_id"], "portal-7781");
        assert!(
            seen["lost_at"].is_string() && seen["first_response_at"].is_string(),
            "{seen}"
        );
        assert!(seen["assigned_at"].is_string(), "{seen}");
        assert!(!text(seen).contains("PRIVATE-REASON"));
        assert!(!text(seen).contains(&s.org.consultant_a1.to_string()));
    }
    let timeline = text(&get_json(&app, &format!("{path}/timeline"), &partner).await);
    assert!(!timeline.contains("PRIVATE-REASON"), "{timeline}");

    let staff_view = get_json(&app, &path, &s.manager).await;
    assert_eq!(staff_view["owner_id"], s.org.consultant_a1.to_string());
    assert_eq!(staff_view["team_id"], s.org.team_a.to_string());
    assert_eq!(staff_view["key_account"], true);
    assert_eq!(staff_view["lost_reason"], "PRIVATE-REASON bought elsewhere");
}

#[tokio::test]
async fn a_partner_pushing_a_lead_learns_of_its_other_leads_with_that_phone_by_id_only() {
    let app = spawn_app().await;
    let s = staff(&app).await;
    let admin = app.admin_token().await;
    let partner = partner_token(&app, &admin, "Listing portal").await;
    let first = json!({"name": "周先生", "phone": "13600136000", "external_id": "a"});
    let first = expect_json(app.post_json("/api/v1/customers", Some(&partner), &first).await, 201).await;
    let second = json!({"name": "周先生", "phone": "+86 136-0013-6000", "external_id": "b"});
    let second = expect_json(app.post_json("/api/v1/customers", Some(&partner), &second).await, 201).await;
    assert_eq!(second["possible_duplicates"], json!([{"id": first["id"]}]));
    assert!(second.get("owner_id").is_none());
    // Staff pushing the same number learn of the lead and its owner (none yet).
    let staff_push = json!({"name": "周先生", "phone": "136 0013 6000"});
    let staff_push = expect_json(app.post_json("/api/v1/customers", Some(&s.a1), &staff_push).await, 201).await;
    assert_eq!(staff_push["possible_duplicates"].as_array().map(Vec::len), Some(2));
    assert!(staff_push["possible_duplicates"][0].get("owner_id").is_some());
}

#[tokio::test]
async fn a_partner_cannot_list_a_leads_follow_ups_or_needs_and_its_export_leaves_staff_columns_empty() {
    let app = spawn_app().await;
    let s = staff(&app).await;
    let admin = app.admin_token().await;
    let partner = partner_token(&app, &admin, "Listing portal").await;
    let customer = worked_lead(&app, &s, &partner).await;
    for list in ["follow-ups", "needs"] {
        let path = format!("/api/v1/customers/{customer}/{list}");
        assert_problem(app.get(&path, Some(&partner)).await, 403, "forbidden").await;
        expect_json(app.get(&path, Some(&s.a1)).await, 200).await;
    }
    let partners = export(&app, &partner).await;
    let row = partners.lines().nth(1).expect("a row");
    assert!(row.contains("portal-7781"), "{row}");
    assert!(!row.contains(&s.org.consultant_a1.to_string()), "{row}");
    assert!(!row.contains(&s.org.team_a.to_string()), "{row}");
    let staffs = export(&app, &s.director).await;
    assert!(staffs.contains(&s.org.consultant_a1.to_string()), "{staffs}");
}

async fn export(app: &TestApp, token: &str) -> String {
    let response = app.get("/api/v1/customers/export", Some(token)).await;
    assert_eq!(response.status(), 200);
    response.text().await.expect("csv")
}
