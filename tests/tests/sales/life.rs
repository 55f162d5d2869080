//! The whole life of one customer through the API, from a partner's lead to
//! the post-handover visit and a complaint, with the timeline and the
//! month's figures showing exactly what happened.

use chrono::Utc;
use serde_json::json;
use tests::{
    assert_problem,
    client::expect_json,
    org::{partner_token, row, values},
    spawn_app,
};

use crate::{advance, complete_checklist, get_json, id_of, new_deal, new_unit, staff};

#[tokio::test]
async fn a_lead_goes_from_partner_push_to_post_handover_visit_and_the_timeline_and_kpis_show_exactly_that() {
    let app = spawn_app().await;
    let s = staff(&app).await;
    let (a1_id, team_a) = (s.org.consultant_a1.to_string(), s.org.team_a.to_string());
    let admin = app.admin_token().await;
    let partner = partner_token(&app, &admin, "Listing portal").await;
    let tz = chrono_tz::Asia::Shanghai;
    let month = domain::platform::calendar::Month::of(Utc::now(), tz);
    let quarter = month.quarter().to_string();

    // The director sets the team's target for the quarter.
    let target = json!({"period": quarter, "team_id": team_a, "units": 4, "amount_fen": 1_400_000_000i64});
    expect_json(app.post_json("/api/v1/targets", Some(&s.director), &target).await, 201).await;

    // A partner pushes the lead; the director hands it to team A's next consultant.
    let lead = json!({"name": "周先生", "phone": "13600136000", "external_id": "portal-7781"});
    let customer = id_of(&expect_json(app.post_json("/api/v1/customers", Some(&partner), &lead).await, 201).await);
    let path = format!("/api/v1/customers/{customer}");
    let assigned = expect_json(
        app.post_json(
            &format!("{path}/assignment"),
            Some(&s.director),
            &json!({"team_id": team_a, "reason": "portal lead"}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(assigned["owner_id"], a1_id);

    // First contact, then the needs with a recommended unit.
    expect_json(
        app.post_json(
            &format!("{path}/follow-ups"),
            Some(&s.a1),
            &json!({"kind": "call", "notes": "sent brochure"}),
        )
        .await,
        201,
    )
    .await;
    let unit = new_unit(&app, &s.manager, "1801").await;
    let needs = json!({"budget_min_fen": 300_000_000i64, "budget_max_fen": 380_000_000i64, "layout": "3室2厅",
                       "purpose": "own_use", "recommendations": [{"unit_id": unit, "reaction": "interested"}]});
    expect_json(app.post_json(&format!("{path}/needs"), Some(&s.a1), &needs).await, 201).await;
    assert_eq!(get_json(&app, &path, &s.a1).await["status"], "needs_assessed");

    // The deal: negotiating → … → handover_ready.
    let deal = id_of(&new_deal(&app, &s.a1, &customer, &unit, "mortgage").await);
    advance(
        &app,
        &s.a1,
        &deal,
        &[
            "subscribed",
            "contracted",
            "loan_processing",
            "title_transfer",
            "handover_ready",
        ],
    )
    .await;
    assert_eq!(
        get_json(&app, &format!("/api/v1/units/{unit}"), &s.a1).await["status"],
        "sold"
    );

    // Inspection finds a problem: no handover until it is rectified.
    let issue = expect_json(
        app.post_json(
            &format!("/api/v1/deals/{deal}/inspection-issues"),
            Some(&s.a1),
            &json!({"description": "Cracked bathroom tile", "location": "bathroom"}),
        )
        .await,
        201,
    )
    .await;
    complete_checklist(&app, &s.a1, &deal).await;
    let handover = format!("/api/v1/deals/{deal}/handover");
    let receipt = json!({"recipient": "周先生", "notes": "two key sets"});
    assert_problem(
        app.post_json(&handover, Some(&s.a1), &receipt).await,
        409,
        "open_inspection_issues",
    )
    .await;
    expect_json(
        app.patch_json(
            &format!("/api/v1/deals/{deal}/inspection-issues/{}", id_of(&issue)),
            Some(&s.a1),
            &json!({"status": "resolved", "resolution": "tile replaced by property management"}),
        )
        .await,
        200,
    )
    .await;
    expect_json(app.post_json(&handover, Some(&s.a1), &receipt).await, 201).await;

    // The visit after handover, and a complaint the manager resolves.
    expect_json(
        app.post_json(
            &format!("/api/v1/deals/{deal}/visits"),
            Some(&s.a1),
            &json!({"satisfaction": 5, "feedback": "very happy"}),
        )
        .await,
        201,
    )
    .await;
    let complaint = expect_json(
        app.post_json(
            "/api/v1/complaints",
            Some(&s.a1),
            &json!({"customer_id": customer, "deal_id": deal, "severity": "minor", "summary": "parking card late"}),
        )
        .await,
        201,
    )
    .await;
    expect_json(
        app.patch_json(
            &format!("/api/v1/complaints/{}", id_of(&complaint)),
            Some(&s.manager),
            &json!({"status": "resolved", "resolution": "card delivered"}),
        )
        .await,
        200,
    )
    .await;

    // A training for the team, attended and passed by a1.
    let training = json!({"title": "Handover etiquette", "team_id": team_a,
                          // Half an hour ago, but in this month of the business
                          // time zone (just after its midnight, not the last).
                          "held_at": (Utc::now() - chrono::Duration::minutes(30)).max(month.start(tz)).to_rfc3339(),
                          "attendee_ids": [a1_id]});
    let training = expect_json(
        app.post_json("/api/v1/trainings", Some(&s.manager), &training).await,
        201,
    )
    .await;
    expect_json(
        app.put_json(
            &format!("/api/v1/trainings/{}/attendees/{a1_id}", id_of(&training)),
            Some(&s.manager),
            &json!({"attended": true, "exam_passed": true}),
        )
        .await,
        200,
    )
    .await;

    // The partner follows its lead to the end.
    let progress = get_json(&app, &path, &partner).await;
    assert_eq!(progress["status"], "handed_over");
    assert!(progress["first_response_at"].is_string() && progress["needs_assessed_at"].is_string());
    let timeline = get_json(&app, &format!("{path}/timeline"), &partner).await;
    assert_eq!(
        values(&timeline, "kind"),
        [
            "created",
            "assigned",
            "follow_up",
            "needs_assessed",
            "deal_created",
            "deal_stage_changed",
            "deal_stage_changed",
            "deal_stage_changed",
            "deal_stage_changed",
            "deal_stage_changed",
            "deal_stage_changed",
            "handover_completed",
            "visit",
        ]
    );
    // Inspection issues and complaints are the sales team's business: staff see them.
    let staff_timeline = get_json(&app, &format!("{path}/timeline"), &s.manager).await;
    let staff_kinds = values(&staff_timeline, "kind");
    for kind in ["inspection_issue", "complaint_received", "complaint_resolved"] {
        assert!(staff_kinds.iter().any(|k| k == kind), "{staff_kinds:?}");
    }
    let issue_states: Vec<&str> = staff_timeline["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|e| e["kind"] == "inspection_issue")
        .filter_map(|e| e["data"]["status"].as_str())
        .collect();
    assert_eq!(issue_states, ["open", "resolved"]);
    let stages: Vec<&str> = timeline["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|e| e["kind"] == "deal_stage_changed")
        .filter_map(|e| e["data"]["to"].as_str())
        .collect();
    assert_eq!(
        stages,
        [
            "subscribed",
            "contracted",
            "loan_processing",
            "title_transfer",
            "handover_ready",
            "handed_over"
        ]
    );

    // The month's figures hold exactly this customer.
    let consultants = get_json(&app, &format!("/api/v1/kpis/consultants?month={month}"), &s.manager).await;
    let a1 = row(&consultants, "user_id", &a1_id);
    assert_eq!(a1["units_sold"], 1);
    assert_eq!(a1["amount_sold_fen"], 350_000_000);
    assert_eq!(a1["new_leads"], 1);
    assert_eq!((a1["visits"].as_i64(), a1["good_visits"].as_i64()), (Some(1), Some(1)));
    assert_eq!(a1["satisfaction_rate"], 1.0);
    assert_eq!(
        (a1["complaints"].as_i64(), a1["open_customers"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(a1["complaint_rate"], 1.0);
    let a2 = row(&consultants, "user_id", s.org.consultant_a2);
    assert_eq!(
        (a2["units_sold"].as_i64(), a2["new_leads"].as_i64()),
        (Some(0), Some(0))
    );

    let teams = get_json(&app, &format!("/api/v1/kpis/teams?month={month}"), &s.manager).await;
    let team = row(&teams, "team_id", &team_a);
    assert_eq!(team["units_sold"], 1);
    assert_eq!(team["amount_sold_fen"], 350_000_000);
    assert_eq!(team["target"]["period"], quarter);
    assert_eq!(team["target"]["units_rate"], 0.25);
    assert_eq!(team["target"]["amount_rate"], 0.25);
    assert_eq!(
        (team["members"].as_i64(), team["trained_members"].as_i64()),
        (Some(3), Some(1))
    );
    assert_eq!(team["training_coverage"], 0.3333);
    assert_eq!(team["exam_pass_rate"], 1.0);
    assert_eq!(team["complaints_resolved"], 1);
    assert!(team["average_resolution_hours"].as_f64().is_some_and(|h| h < 0.1));

    // Through the whole life, the next due item kept on the customer
    // followed every deadline, deal stage, visit and complaint.
    tests::customers::assert_next_due_kept(&app.db).await;
}
