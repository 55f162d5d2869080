//! Leads: status workflow, duplicates and merging, assignment, follow-ups,
//! needs and the timeline.

use chrono::{Duration, Utc};
use serde_json::{Value, json};
use tests::{
    TestApp, assert_problem,
    client::expect_json,
    customers::timeline_kinds,
    org::{PASSWORD, ids, list, org, partner_token, values},
    spawn_app,
};

pub async fn new_customer(app: &TestApp, token: &str, name: &str, phone: &str) -> Value {
    let body = json!({"name": name, "phone": phone, "channel": "store_walk_in"});
    expect_json(app.post_json("/api/v1/customers", Some(token), &body).await, 201).await
}

pub fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_owned()
}

#[tokio::test]
async fn the_first_reached_follow_up_and_the_first_assessment_stamp_their_times_and_the_timeline_shows_each_step() {
    let app = spawn_app().await;
    org(&app).await;
    let a1 = app.token("a1@example.com", PASSWORD).await;
    let customer = id(&new_customer(&app, &a1, "王先生", "13800138000").await);
    let path = format!("/api/v1/customers/{customer}");

    let missed = json!({"kind": "call", "reached": false, "notes": "no answer"});
    expect_json(
        app.post_json(&format!("{path}/follow-ups"), Some(&a1), &missed).await,
        201,
    )
    .await;
    let after_missed = list(&app, &path, &a1).await;
    assert_eq!(after_missed["status"], "new");
    assert!(after_missed["first_response_at"].is_null());
    assert!(after_missed["last_follow_up_at"].is_string());

    let reached_at = Utc::now().to_rfc3339();
    let call = json!({"kind": "call", "occurred_at": reached_at, "notes": "sent the brochure",
                      "next_step": "showing", "next_follow_up_at": (Utc::now() + Duration::days(2)).to_rfc3339()});
    let follow_up = expect_json(
        app.post_json(&format!("{path}/follow-ups"), Some(&a1), &call).await,
        201,
    )
    .await;
    assert_eq!(follow_up["reached"], true);
    let contacted = list(&app, &path, &a1).await;
    assert_eq!(contacted["status"], "contacted");
    assert_eq!(
        chrono::DateTime::parse_from_rfc3339(contacted["first_response_at"].as_str().expect("stamp"))
            .expect("time")
            .timestamp(),
        chrono::DateTime::parse_from_rfc3339(&reached_at)
            .expect("time")
            .timestamp()
    );

    let unit = tests::org::create_unit(&app, "B3-1201").await;
    let needs = json!({"budget_min_fen": 300_000_000i64, "budget_max_fen": 450_000_000i64, "districts": ["浦东"],
                       "layout": "3室2厅", "area_min_sqm": 90, "area_max_sqm": 120, "purpose": "own_use",
                       "recommendations": [{"unit_id": unit, "reaction": "pending"}]});
    let assessment = expect_json(app.post_json(&format!("{path}/needs"), Some(&a1), &needs).await, 201).await;
    let assessed = list(&app, &path, &a1).await;
    assert_eq!(assessed["status"], "needs_assessed");
    assert!(assessed["needs_assessed_at"].is_string());
    let reaction = json!({"reaction": "interested", "note": "likes the view"});
    let reacted = expect_json(
        app.put_json(
            &format!("{path}/needs/{}/recommendations/{unit}", id(&assessment)),
            Some(&a1),
            &reaction,
        )
        .await,
        200,
    )
    .await;
    assert_eq!(reacted["recommendations"][0]["reaction"], "interested");

    assert_eq!(
        timeline_kinds(&app, &a1, &customer).await,
        ["created", "assigned", "follow_up", "follow_up", "needs_assessed"]
    );
    assert_eq!(ids(&list(&app, &format!("{path}/follow-ups"), &a1).await).len(), 2);
    assert_eq!(ids(&list(&app, &format!("{path}/needs"), &a1).await).len(), 1);
}

#[tokio::test]
async fn bad_follow_ups_and_assessments_are_refused_field_by_field_and_write_nothing() {
    let app = spawn_app().await;
    org(&app).await;
    let a1 = app.token("a1@example.com", PASSWORD).await;
    let customer = id(&new_customer(&app, &a1, "李女士", "13900000001").await);
    let path = format!("/api/v1/customers/{customer}");
    let future = (Utc::now() + Duration::hours(2)).to_rfc3339();
    let past = (Utc::now() - Duration::days(30)).to_rfc3339();
    for (body, pointer) in [
        (json!({"kind": "telepathy"}), "/kind"),
        (json!({"kind": "call", "occurred_at": future}), "/occurred_at"),
        (json!({"kind": "call", "occurred_at": past}), "/occurred_at"),
        (json!({"kind": "call", "occurred_at": "yesterday"}), "/occurred_at"),
        (json!({"kind": "call", "reached": "yes"}), "/reached"),
        (json!({"kind": "call", "mood": "happy"}), "/mood"),
        (
            json!({"kind": "call", "next_follow_up_at": (Utc::now() - Duration::hours(1)).to_rfc3339()}),
            "/next_follow_up_at",
        ),
    ] {
        let problem = assert_problem(
            app.post_json(&format!("{path}/follow-ups"), Some(&a1), &body).await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(problem["errors"][0]["pointer"], pointer, "{body}");
    }
    for (body, pointer) in [
        (json!({"budget_min_fen": 5, "budget_max_fen": 4}), "/budget_max_fen"),
        (json!({"budget_min_fen": -1}), "/budget_min_fen"),
        (json!({"budget_min_fen": 1.5}), "/budget_min_fen"),
        (json!({"budget_min_fen": "300万"}), "/budget_min_fen"),
        (json!({"purpose": "flip"}), "/purpose"),
        (
            json!({"recommendations": [{"unit_id": uuid::Uuid::now_v7(), "reaction": "pending"}]}),
            "/recommendations",
        ),
        (
            json!({"recommendations": [{"unit_id": "not-a-uuid", "reaction": "pending"}]}),
            "/recommendations/0/unit_id",
        ),
    ] {
        let problem = assert_problem(
            app.post_json(&format!("{path}/needs"), Some(&a1), &body).await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(problem["errors"][0]["pointer"], pointer, "{body}");
    }
    assert!(ids(&list(&app, &format!("{path}/follow-ups"), &a1).await).is_empty());
    assert!(ids(&list(&app, &format!("{path}/needs"), &a1).await).is_empty());
    let unchanged = list(&app, &path, &a1).await;
    assert_eq!(unchanged["status"], "new");
    assert!(unchanged["last_follow_up_at"].is_null());
    assert_eq!(timeline_kinds(&app, &a1, &customer).await, ["created", "assigned"]);

    let admin = app.admin_token().await;
    let partner = partner_token(&app, &admin, "Portal").await;
    let lead = expect_json(
        app.post_json(
            "/api/v1/customers",
            Some(&partner),
            &json!({"name": "张", "external_id": "P-1"}),
        )
        .await,
        201,
    )
    .await;
    assert_problem(
        app.post_json(
            &format!("/api/v1/customers/{}/follow-ups", id(&lead)),
            Some(&partner),
            &json!({"kind": "call"}),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
}

#[tokio::test]
async fn lost_needs_a_reason_and_illegal_status_moves_list_the_allowed_ones() {
    let app = spawn_app().await;
    org(&app).await;
    let a1 = app.token("a1@example.com", PASSWORD).await;
    let customer = new_customer(&app, &a1, "赵先生", "13900000002").await;
    let path = format!("/api/v1/customers/{}", id(&customer));
    let status = format!("{path}/status");

    let problem = assert_problem(
        app.post_json(&status, Some(&a1), &json!({"status": "lost"})).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["pointer"], "/reason");
    assert_problem(
        app.post_json(&status, Some(&a1), &json!({"status": "sold"})).await,
        422,
        "validation_failed",
    )
    .await;
    let problem = assert_problem(
        app.post_json(&status, Some(&a1), &json!({"status": "handed_over"}))
            .await,
        409,
        "illegal_transition",
    )
    .await;
    assert_eq!(problem["allowed"], json!(["lost"]));

    let lost = expect_json(
        app.post_json(
            &status,
            Some(&a1),
            &json!({"status": "lost", "reason": "bought elsewhere"}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(lost["status"], "lost");
    assert_eq!(lost["lost_reason"], "bought elsewhere");
    assert!(lost["lost_at"].is_string());
    let problem = assert_problem(
        app.post_json(&status, Some(&a1), &json!({"status": "lost", "reason": "again"}))
            .await,
        409,
        "illegal_transition",
    )
    .await;
    assert_eq!(problem["allowed"], json!(["active"]));

    // A stale version is refused and changes nothing.
    let stale = app
        .client
        .post(app.url(&status))
        .bearer_auth(&a1)
        .header("If-Match", "\"stale\"")
        .json(&json!({"status": "active"}))
        .send()
        .await
        .expect("request");
    assert_problem(stale, 412, "precondition_failed").await;
    assert_eq!(list(&app, &path, &a1).await["status"], "lost");

    let reopened = expect_json(
        app.post_json(&status, Some(&a1), &json!({"status": "active"})).await,
        200,
    )
    .await;
    assert_eq!(reopened["status"], "active");
    assert!(reopened["lost_reason"].is_null());
    assert_eq!(
        timeline_kinds(&app, &a1, &id(&customer)).await,
        ["created", "assigned", "status_changed", "status_changed"]
    );
}

#[tokio::test]
async fn a_phone_already_on_file_is_reported_and_merging_keeps_the_duplicates_history() {
    let app = spawn_app().await;
    let org = org(&app).await;
    let a1 = app.token("a1@example.com", PASSWORD).await;
    let a2 = app.token("a2@example.com", PASSWORD).await;
    let manager = app.token("manager.a@example.com", PASSWORD).await;
    let first = new_customer(&app, &a1, "孙先生", "13812345678").await;
    assert_eq!(first["possible_duplicates"], json!([]));
    let second = new_customer(&app, &a2, "孙先生 (WeChat)", "+86 138-1234-5678").await;
    assert_eq!(
        second["possible_duplicates"],
        json!([{"id": id(&first), "owner_id": org.consultant_a1}])
    );
    expect_json(
        app.post_json(
            &format!("/api/v1/customers/{}/follow-ups", id(&second)),
            Some(&a2),
            &json!({"kind": "wechat"}),
        )
        .await,
        201,
    )
    .await;

    // a2 cannot reach a1's customer, so cannot merge into it.
    assert_problem(
        app.post_json(
            &format!("/api/v1/customers/{}/merge", id(&first)),
            Some(&a2),
            &json!({"duplicate_id": id(&second)}),
        )
        .await,
        404,
        "not_found",
    )
    .await;
    let merge = format!("/api/v1/customers/{}/merge", id(&first));
    assert_problem(
        app.post_json(&merge, Some(&manager), &json!({"duplicate_id": id(&first)}))
            .await,
        422,
        "validation_failed",
    )
    .await;
    let merged = expect_json(
        app.post_json(&merge, Some(&manager), &json!({"duplicate_id": id(&second)}))
            .await,
        200,
    )
    .await;
    assert_eq!(merged["status"], "contacted");
    assert!(merged["first_response_at"].is_string());

    let tombstone = list(&app, &format!("/api/v1/customers/{}", id(&second)), &manager).await;
    assert_eq!(tombstone["merged_into_id"], id(&first));
    assert_eq!(ids(&list(&app, "/api/v1/customers", &manager).await), [id(&first)]);
    assert_eq!(
        ids(&list(&app, &format!("/api/v1/customers/{}/follow-ups", id(&first)), &a1).await).len(),
        1
    );
    let kinds = timeline_kinds(&app, &a1, &id(&first)).await;
    assert_eq!(kinds.iter().filter(|k| *k == "created").count(), 2);
    assert!(kinds.contains(&"follow_up".to_owned()) && kinds.last().map(String::as_str) == Some("merged"));
    // Merging again is refused: the duplicate is gone.
    assert_problem(
        app.post_json(&merge, Some(&manager), &json!({"duplicate_id": id(&second)}))
            .await,
        422,
        "validation_failed",
    )
    .await;
}

#[tokio::test]
async fn round_robin_takes_turns_among_active_consultants_and_skips_paused_ones() {
    let app = spawn_app().await;
    let org = org(&app).await;
    let admin = app.admin_token().await;
    let partner = partner_token(&app, &admin, "Portal").await;
    let director = app.token("director@example.com", PASSWORD).await;
    let manager = app.token("manager.a@example.com", PASSWORD).await;
    let mut leads = Vec::new();
    for n in 0..5 {
        let body = json!({"name": format!("lead {n}"), "external_id": format!("L-{n}")});
        leads.push(id(&expect_json(
            app.post_json("/api/v1/customers", Some(&partner), &body).await,
            201,
        )
        .await));
    }
    // A partner lead arrives unassigned: the manager of team A does not see it yet.
    assert_problem(
        app.post_json(
            &format!("/api/v1/customers/{}/assignment", leads[0]),
            Some(&manager),
            &json!({"team_id": org.team_a}),
        )
        .await,
        404,
        "not_found",
    )
    .await;

    let mut owners = Vec::new();
    for lead in &leads[..3] {
        let body = json!({"team_id": org.team_a, "reason": "partner lead"});
        let assigned = expect_json(
            app.post_json(&format!("/api/v1/customers/{lead}/assignment"), Some(&director), &body)
                .await,
            200,
        )
        .await;
        assert_eq!(assigned["team_id"], org.team_a.to_string());
        owners.push(assigned["owner_id"].as_str().expect("owner").to_owned());
    }
    let (a1, a2) = (org.consultant_a1.to_string(), org.consultant_a2.to_string());
    assert_eq!(owners, [a1.clone(), a2.clone(), a1.clone()]);

    // The manager pauses a2; round-robin now gives every lead to a1.
    let paused = expect_json(
        app.put_json(
            &format!("/api/v1/users/{}/lead-intake", org.consultant_a2),
            Some(&manager),
            &json!({"paused": true}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(paused["paused"], true);
    for lead in &leads[3..] {
        let assigned = expect_json(
            app.post_json(
                &format!("/api/v1/customers/{lead}/assignment"),
                Some(&director),
                &json!({"team_id": org.team_a}),
            )
            .await,
            200,
        )
        .await;
        assert_eq!(assigned["owner_id"], a1);
    }
    // A second assignment is refused; reassignment needs a reason and stays in the manager's teams.
    let again = format!("/api/v1/customers/{}/assignment", leads[0]);
    assert_problem(
        app.post_json(&again, Some(&manager), &json!({"consultant_id": org.consultant_a2}))
            .await,
        409,
        "already_assigned",
    )
    .await;
    let reassign = format!("/api/v1/customers/{}/reassignment", leads[0]);
    for (body, pointer) in [
        (json!({"consultant_id": org.consultant_a2}), "/reason"),
        (
            json!({"consultant_id": org.consultant_b, "reason": "x"}),
            "/consultant_id",
        ),
        (json!({"reason": "x"}), "/consultant_id"),
        (
            json!({"consultant_id": org.consultant_a2, "team_id": org.team_a, "reason": "x"}),
            "/consultant_id",
        ),
    ] {
        let problem = assert_problem(
            app.post_json(&reassign, Some(&manager), &body).await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(problem["errors"][0]["pointer"], pointer, "{body}");
    }
    let a1_token = app.token("a1@example.com", PASSWORD).await;
    assert_problem(
        app.post_json(
            &reassign,
            Some(&a1_token),
            &json!({"consultant_id": org.consultant_a2, "reason": "x"}),
        )
        .await,
        403,
        "forbidden",
    )
    .await;
    let moved = expect_json(
        app.post_json(
            &reassign,
            Some(&manager),
            &json!({"consultant_id": org.consultant_a2, "reason": "a1 on leave"}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(moved["owner_id"], a2);
    let timeline = list(&app, &format!("/api/v1/customers/{}/timeline", leads[0]), &manager).await;
    let entries = timeline["items"].as_array().expect("items");
    assert_eq!(values(&timeline, "kind"), ["created", "assigned", "reassigned"]);
    assert_eq!(entries[1]["data"]["strategy"], "round_robin");
    assert_eq!(entries[2]["data"]["reason"], "a1 on leave");
    assert_eq!(entries[2]["data"]["previous_owner_id"], a1);

    // Nobody left in team B's turn once its only consultant is paused.
    expect_json(
        app.put_json(
            &format!("/api/v1/users/{}/lead-intake", org.consultant_b),
            Some(&director),
            &json!({"paused": true}),
        )
        .await,
        200,
    )
    .await;
    let lead = id(&expect_json(
        app.post_json(
            "/api/v1/customers",
            Some(&partner),
            &json!({"name": "late", "external_id": "L-9"}),
        )
        .await,
        201,
    )
    .await);
    assert_problem(
        app.post_json(
            &format!("/api/v1/customers/{lead}/assignment"),
            Some(&director),
            &json!({"team_id": org.team_b}),
        )
        .await,
        409,
        "no_available_consultant",
    )
    .await;
}
