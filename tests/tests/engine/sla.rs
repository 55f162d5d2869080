//! SLA deadlines: each fires within 2 s of its due time with its effect
//! (reminder, breach, manager's notification, timeline, escalation), and
//! not at all when the work was done in time. Policy durations are seconds.

use std::time::Duration;

use entities::timers::TimerState;
use serde_json::{Value, json};
use tests::{
    TestApp,
    client::expect_json,
    customers::timeline_kinds,
    eventually,
    org::{Org, PASSWORD, list, org, partner, partner_token, reads_chinese, values},
};
use uuid::Uuid;

use crate::{lag, quick_app, timers_of};

async fn set_policy(app: &TestApp, admin: &str, kind: &str, body: Value) {
    expect_json(
        app.put_json(&format!("/api/v1/sla-policies/{kind}"), Some(admin), &body)
            .await,
        200,
    )
    .await;
}

/// A quick app with its organisation under these SLA policies (kind and
/// body), and its administrator's token.
pub(crate) async fn under(policies: &[(&str, Value)]) -> (TestApp, Org, String) {
    let app = quick_app().await;
    let org = org(&app).await;
    let admin = app.admin_token().await;
    for (kind, body) in policies {
        set_policy(&app, &admin, kind, body.clone()).await;
    }
    (app, org, admin)
}

/// The tokens of consultant A1 and of team A's manager.
pub(crate) async fn a1_and_manager(app: &TestApp) -> (String, String) {
    (
        app.token("a1@example.com", PASSWORD).await,
        app.token("manager.a@example.com", PASSWORD).await,
    )
}

/// A lead recorded by the consultant `token` (who owns it).
async fn new_customer(app: &TestApp, token: &str, name: &str) -> Uuid {
    let id = tests::customers::new_customer(app, token, name).await;
    Uuid::parse_str(&id).expect("uuid")
}

pub(crate) async fn fired(app: &TestApp, subject: Uuid, kind: &str, phase: &str) -> entities::timers::Model {
    eventually(Duration::from_secs(15), &format!("{kind} {phase} fired"), || async {
        timers_of(app, subject)
            .await
            .into_iter()
            .find(|t| t.kind == kind && t.phase == phase && t.state == TimerState::Fired)
    })
    .await
}

fn assert_on_time(timer: &entities::timers::Model) {
    let lag = lag(timer);
    assert!(
        lag >= chrono::Duration::zero() && lag <= chrono::Duration::seconds(2),
        "{} {} fired {lag} after its due time",
        timer.kind,
        timer.phase
    );
}

async fn kinds_of(app: &TestApp, path: &str, token: &str) -> Vec<String> {
    values(&list(app, path, token).await, "kind")
}

#[tokio::test]
async fn lead_deadlines_fire_within_two_seconds_and_not_when_the_work_was_done_in_time() {
    let (app, org, _) = under(&[
        ("first_response", json!({"duration_secs": 2, "warning_percent": 50})),
        ("needs_assessment", json!({"duration_secs": 3, "warning_percent": 0})),
        ("follow_up", json!({"duration_secs": 60})),
    ])
    .await;
    let (a1, manager) = a1_and_manager(&app).await;

    let late = new_customer(&app, &a1, "无人跟进").await;
    let on_time = new_customer(&app, &a1, "及时跟进").await;
    let path = format!("/api/v1/customers/{on_time}");
    expect_json(
        app.post_json(&format!("{path}/follow-ups"), Some(&a1), &json!({"kind": "call"}))
            .await,
        201,
    )
    .await;
    expect_json(
        app.post_json(&format!("{path}/needs"), Some(&a1), &json!({"layout": "2室1厅"}))
            .await,
        201,
    )
    .await;

    let reminder = fired(&app, late, "first_response", "warning").await;
    assert_eq!(reminder.outcome.as_deref(), Some("reminded"));
    assert_eq!(reminder.policy_version, Some(2));
    assert_on_time(&reminder);
    let breach = fired(&app, late, "first_response", "deadline").await;
    assert_eq!(breach.outcome.as_deref(), Some("breached"));
    assert_on_time(&breach);
    let needs = fired(&app, late, "needs_assessment", "deadline").await;
    assert_on_time(&needs);

    // The customer served in time: its lead deadlines completed, never fired
    // (completed by the follow-up and the assessment themselves, they can
    // no longer fire; the late customer's fired at the same times).
    for timer in timers_of(&app, on_time).await {
        if timer.kind == "first_response" || timer.kind == "needs_assessment" {
            assert_eq!(timer.state, TimerState::Completed, "{} {}", timer.kind, timer.phase);
        }
    }
    let breaches = expect_json(app.get("/api/v1/sla-breaches", Some(&manager)).await, 200).await;
    let mut found: Vec<(String, String)> = breaches["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|b| {
            (
                b["kind"].as_str().unwrap_or("").to_owned(),
                b["customer_id"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    found.sort();
    assert_eq!(
        found,
        [
            ("first_response".to_owned(), late.to_string()),
            ("needs_assessment".to_owned(), late.to_string())
        ]
    );
    assert_eq!(breaches["items"][0]["consultant_id"], org.consultant_a1.to_string());
    // Another consultant sees none of a1's breaches.
    let a2 = app.token("a2@example.com", PASSWORD).await;
    let theirs = expect_json(app.get("/api/v1/sla-breaches", Some(&a2)).await, 200).await;
    assert_eq!(theirs["items"], json!([]));

    assert!(
        kinds_of(&app, "/api/v1/notifications?kind=sla_reminder", &a1)
            .await
            .len()
            == 1
    );
    assert_eq!(
        kinds_of(&app, "/api/v1/notifications?kind=sla_breach", &manager)
            .await
            .len(),
        2
    );
    let timeline = expect_json(
        app.get(&format!("/api/v1/customers/{late}/timeline"), Some(&a1)).await,
        200,
    )
    .await;
    let breached = timeline["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|e| e["kind"] == "sla_breached")
        .count();
    assert_eq!(breached, 2);
    // The month's figures: a1's first responses, one met and one missed.
    let month = domain::platform::calendar::Month::of(chrono::Utc::now(), app.settings.timezone);
    let figures = expect_json(
        app.get(&format!("/api/v1/kpis/consultants?month={month}"), Some(&manager))
            .await,
        200,
    )
    .await;
    let mine = figures["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|r| r["user_id"] == org.consultant_a1.to_string())
        .expect("a1's row");
    let first = mine["sla"]
        .as_array()
        .expect("sla")
        .iter()
        .find(|k| k["kind"] == "first_response")
        .expect("first_response");
    assert_eq!(
        (first["deadlines"].as_i64(), first["breached"].as_i64()),
        (Some(2), Some(1))
    );
    assert_eq!(first["compliance"], 0.5);
    // Every kind is reported, in the same order, for consultants and teams.
    let sla_of = |row: &Value| -> Vec<(String, Option<i64>, Option<i64>)> {
        row["sla"]
            .as_array()
            .expect("sla")
            .iter()
            .map(|k| {
                (
                    k["kind"].as_str().expect("kind").to_owned(),
                    k["deadlines"].as_i64(),
                    k["breached"].as_i64(),
                )
            })
            .collect()
    };
    let expected = |kind: &str, deadlines: i64, breached: i64| (kind.to_owned(), Some(deadlines), Some(breached));
    let lead_figures = vec![
        expected("first_response", 2, 1),
        expected("needs_assessment", 2, 1),
        expected("follow_up", 0, 0),
        expected("visit", 0, 0),
        expected("complaint_resolution", 0, 0),
    ];
    assert_eq!(sla_of(mine), lead_figures);
    let teams = expect_json(
        app.get(&format!("/api/v1/kpis/teams?month={month}"), Some(&manager))
            .await,
        200,
    )
    .await;
    let team = teams["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|r| r["team_id"] == org.team_a.to_string())
        .expect("team A's row");
    assert_eq!(sla_of(team), lead_figures);
    // The metrics count them (the registry is per process, so at least these).
    let metrics = app.get("/metrics", None).await.text().await.expect("metrics");
    assert!(
        metrics.contains("estateflow_sla_breaches_total{kind=\"first_response\"}"),
        "{metrics}"
    );
    assert!(metrics.contains("estateflow_timer_lag_seconds_bucket{kind=\"first_response\""));
    let on_time_timeline = expect_json(
        app.get(&format!("/api/v1/customers/{on_time}/timeline"), Some(&a1))
            .await,
        200,
    )
    .await;
    assert!(
        on_time_timeline["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|e| e["kind"] != "sla_breached")
    );
}

#[tokio::test]
async fn an_unresolved_complaint_is_escalated_to_the_manager_at_its_deadline_and_a_resolved_one_is_not() {
    let policy = json!({"duration_secs": 2, "warning_percent": 50});
    let (app, org, _) = under(&[("complaint_resolution", policy)]).await;
    let (a1, manager) = a1_and_manager(&app).await;
    let customer = new_customer(&app, &a1, "投诉客户").await;
    let complain = |summary: &'static str| {
        let body = json!({"customer_id": customer, "severity": "minor", "summary": summary});
        let (app, a1) = (&app, &a1);
        async move { expect_json(app.post_json("/api/v1/complaints", Some(a1), &body).await, 201).await }
    };
    let open = complain("noise from the lift").await;
    let resolved = complain("late parking card").await;
    expect_json(
        app.patch_json(
            &format!("/api/v1/complaints/{}", resolved["id"].as_str().expect("id")),
            Some(&a1),
            &json!({"status": "resolved", "resolution": "card delivered"}),
        )
        .await,
        200,
    )
    .await;
    let open_id = Uuid::parse_str(open["id"].as_str().expect("id")).expect("uuid");
    let deadline = fired(&app, open_id, "complaint_resolution", "deadline").await;
    assert_on_time(&deadline);
    let escalated = expect_json(
        app.get(&format!("/api/v1/complaints/{open_id}"), Some(&manager)).await,
        200,
    )
    .await;
    assert_eq!(escalated["handler_id"], org.manager_a.to_string());
    // The resolved one's clock ended with the resolution: by the time its
    // twin fired, it was completed, and a completed timer never fires.
    let resolved_id = Uuid::parse_str(resolved["id"].as_str().expect("id")).expect("uuid");
    assert!(
        timers_of(&app, resolved_id)
            .await
            .iter()
            .all(|t| t.state == TimerState::Completed),
        "the resolved complaint's timers completed without firing"
    );
}

#[tokio::test]
async fn the_weekly_follow_up_breaches_only_when_no_later_follow_up_came() {
    let (app, _, _) = under(&[("follow_up", json!({"duration_secs": 2, "warning_percent": 0}))]).await;
    let a1 = app.token("a1@example.com", PASSWORD).await;
    let quiet = new_customer(&app, &a1, "一次跟进").await;
    let busy = new_customer(&app, &a1, "持续跟进").await;
    let follow_up = |customer: Uuid| {
        let (app, a1) = (&app, &a1);
        async move {
            let path = format!("/api/v1/customers/{customer}/follow-ups");
            expect_json(app.post_json(&path, Some(a1), &json!({"kind": "wechat"})).await, 201).await
        }
    };
    follow_up(quiet).await;
    follow_up(busy).await;
    follow_up(busy).await;
    let breach = fired(&app, quiet, "follow_up", "deadline").await;
    assert_eq!(breach.outcome.as_deref(), Some("breached"));
    assert_on_time(&breach);
    // The busy customer's first clock was completed by the second follow-up.
    let busy_timers: Vec<_> = timers_of(&app, busy)
        .await
        .into_iter()
        .filter(|t| t.kind == "follow_up")
        .collect();
    assert_eq!(busy_timers.len(), 2);
    assert!(busy_timers.iter().any(|t| t.state == TimerState::Completed));
    let second = fired(&app, busy, "follow_up", "deadline").await;
    assert!(second.due_at > breach.due_at, "the later follow-up restarted the clock");
}

#[tokio::test]
async fn the_post_handover_visit_is_a_task_at_handover_then_a_reminder_then_a_breach_unless_a_visit_came() {
    let (app, _, _) = under(&[("visit", json!({"duration_secs": 2, "warning_percent": 50}))]).await;
    let (a1, manager) = a1_and_manager(&app).await;
    let mut deals = Vec::new();
    for number in ["801", "802"] {
        let customer = new_customer(&app, &a1, number).await;
        let unit = json!({"project": "江景", "building": "8", "number": number, "layout": "3室2厅",
                          "area_sqm": "96.00", "list_price_fen": 480_000_000});
        let unit = expect_json(app.post_json("/api/v1/units", Some(&manager), &unit).await, 201).await;
        let deal = json!({"customer_id": customer, "unit_id": unit["id"], "agreed_price_fen": 470_000_000,
                          "payment_method": "full", "planned_handover_on": "2027-01-31"});
        let deal = expect_json(app.post_json("/api/v1/deals", Some(&a1), &deal).await, 201).await;
        let id = deal["id"].as_str().expect("id").to_owned();
        for to in ["subscribed", "contracted", "title_transfer", "handover_ready"] {
            tests::paperwork::prepare_move(&app, &a1, &id, to).await;
            let path = format!("/api/v1/deals/{id}/transitions");
            expect_json(app.post_json(&path, Some(&a1), &json!({"to": to})).await, 200).await;
        }
        let checklist = expect_json(
            app.get(&format!("/api/v1/deals/{id}/handover-checklist"), Some(&a1))
                .await,
            200,
        )
        .await;
        for item in checklist["items"].as_array().expect("items") {
            let path = format!(
                "/api/v1/deals/{id}/handover-checklist/{}",
                item["item"].as_str().expect("item")
            );
            expect_json(app.put_json(&path, Some(&a1), &json!({"done": true})).await, 200).await;
        }
        let handover = json!({"recipient": "买方本人"});
        expect_json(
            app.post_json(&format!("/api/v1/deals/{id}/handover"), Some(&a1), &handover)
                .await,
            201,
        )
        .await;
        deals.push(Uuid::parse_str(&id).expect("uuid"));
    }
    // The second deal gets its visit in time.
    let visit = json!({"satisfaction": 4});
    expect_json(
        app.post_json(&format!("/api/v1/deals/{}/visits", deals[1]), Some(&a1), &visit)
            .await,
        201,
    )
    .await;

    let task = fired(&app, deals[0], "visit", "task").await;
    assert_eq!(task.outcome.as_deref(), Some("task_created"));
    let reminder = fired(&app, deals[0], "visit", "warning").await;
    assert_eq!(reminder.outcome.as_deref(), Some("reminded"));
    let breach = fired(&app, deals[0], "visit", "deadline").await;
    assert_eq!(breach.outcome.as_deref(), Some("breached"));
    for timer in [&task, &reminder, &breach] {
        assert_on_time(timer);
    }
    // The second deal's visit came before its task fired: one task only.
    assert_eq!(
        kinds_of(&app, "/api/v1/notifications?kind=visit_task", &a1).await.len(),
        1
    );
    // The visited deal's clock ended with the visit (a completed timer never
    // fires), while the other's deadline fired above.
    let visited = timers_of(&app, deals[1]).await;
    assert!(
        visited
            .iter()
            .filter(|t| t.kind == "visit")
            .all(|t| t.state == TimerState::Completed),
        "{visited:?}"
    );
    let breaches = expect_json(app.get("/api/v1/sla-breaches?kind=visit", Some(&manager)).await, 200).await;
    assert_eq!(breaches["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(breaches["items"][0]["subject_id"], deals[0].to_string());
}

#[tokio::test]
async fn the_inspection_task_falls_due_before_the_planned_handover_and_a_cancelled_deal_has_none() {
    let (app, _, admin) = under(&[]).await;
    let tz = app.settings.timezone;
    // Planned handover the day after tomorrow (local): the task is due 2 s from now.
    let now = chrono::Utc::now();
    let tomorrow = now.with_timezone(&tz).date_naive() + chrono::Duration::days(2);
    let midnight = chrono::TimeZone::from_local_datetime(&tz, &tomorrow.and_time(chrono::NaiveTime::MIN))
        .earliest()
        .expect("midnight")
        .with_timezone(&chrono::Utc);
    let ahead = (midnight - now).num_seconds() - 2;
    set_policy(&app, &admin, "inspection", json!({"duration_secs": ahead})).await;
    let (a1, manager) = a1_and_manager(&app).await;
    let mut deals = Vec::new();
    for number in ["1101", "1102"] {
        let customer = new_customer(&app, &a1, number).await;
        let unit = json!({"project": "江景", "building": "11", "number": number, "layout": "2室1厅",
                          "area_sqm": "78.00", "list_price_fen": 380_000_000});
        let unit = expect_json(app.post_json("/api/v1/units", Some(&manager), &unit).await, 201).await;
        let deal = json!({"customer_id": customer, "unit_id": unit["id"], "agreed_price_fen": 370_000_000,
                          "payment_method": "mortgage", "planned_handover_on": tomorrow.to_string()});
        let deal = expect_json(app.post_json("/api/v1/deals", Some(&a1), &deal).await, 201).await;
        let id = deal["id"].as_str().expect("id").to_owned();
        let path = format!("/api/v1/deals/{id}/transitions");
        expect_json(app.post_json(&path, Some(&a1), &json!({"to": "subscribed"})).await, 200).await;
        deals.push(Uuid::parse_str(&id).expect("uuid"));
    }
    let cancel = json!({"to": "cancelled", "reason": "loan refused"});
    let path = format!("/api/v1/deals/{}/transitions", deals[1]);
    expect_json(app.post_json(&path, Some(&a1), &cancel).await, 200).await;

    let task = fired(&app, deals[0], "inspection", "task").await;
    assert_eq!(task.outcome.as_deref(), Some("task_created"));
    assert_on_time(&task);
    assert_eq!(
        kinds_of(&app, "/api/v1/notifications?kind=inspection_task", &a1)
            .await
            .len(),
        1
    );
    let cancelled = timers_of(&app, deals[1]).await;
    assert!(
        cancelled.iter().all(|t| t.state == TimerState::Cancelled),
        "{cancelled:?}"
    );
}

/// Makes the open first-response deadline of `customer` due now.
async fn first_response_due_now(app: &TestApp, customer: Uuid) {
    use entities::timers;
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    let moved = timers::Entity::update_many()
        .col_expr(timers::Column::DueAt, Expr::value(chrono::Utc::now()))
        .filter(timers::Column::SubjectId.eq(customer))
        .filter(timers::Column::Kind.eq("first_response"))
        .filter(timers::Column::Phase.eq("deadline"))
        .filter(timers::Column::State.eq("pending"))
        .exec(&app.db)
        .await
        .expect("move the deadline");
    assert_eq!(moved.rows_affected, 1, "one open first-response deadline");
}

/// A partner's lead, pushed through the API and assigned by the director as `to` says.
async fn partner_lead(app: &TestApp, partner: &str, director: &str, external_id: &str, to: Value) -> Uuid {
    let body = json!({"name": "王先生", "phone": "13800138000", "external_id": external_id});
    let lead = expect_json(app.post_json("/api/v1/customers", Some(partner), &body).await, 201).await;
    let id = Uuid::parse_str(lead["id"].as_str().expect("id")).expect("uuid");
    let path = format!("/api/v1/customers/{id}/assignment");
    expect_json(app.post_json(&path, Some(director), &to).await, 200).await;
    id
}

/// An app with its organisation and admin token, where a missed first
/// response hands the lead over.
async fn under_a_reassign_policy() -> (TestApp, Org, String) {
    let policy = json!({"duration_secs": 3600, "warning_percent": 0, "reassign": true});
    under(&[("first_response", policy)]).await
}

/// A lead the partner pushed and the director gave `consultant`, whose first
/// response came due and was breached: its id and the customer as the
/// director then reads it.
async fn missed_first_response(app: &TestApp, partner: &str, director: &str, consultant: Uuid) -> (Uuid, Value) {
    let lead = partner_lead(
        app,
        partner,
        director,
        "late-lead",
        json!({"consultant_id": consultant}),
    )
    .await;
    first_response_due_now(app, lead).await;
    let breach = fired(app, lead, "first_response", "deadline").await;
    assert_eq!(breach.outcome.as_deref(), Some("breached"));
    let customer = expect_json(app.get(&format!("/api/v1/customers/{lead}"), Some(director)).await, 200).await;
    (lead, customer)
}

#[tokio::test]
async fn a_missed_first_response_under_a_reassign_policy_hands_the_lead_over_as_staff_reassignment_does() {
    let (app, org, admin) = under_a_reassign_policy().await;
    let scopes = ["customers:read", "customers:write", "webhooks:read", "webhooks:write"];
    let (partner, _) = partner(&app, &admin, "Portal", &scopes).await;
    // Nothing listens there: the delivery rows are what this test reads.
    let body = json!({"url": "http://127.0.0.1:9/hook", "events": ["customer.assigned"]});
    let webhook = expect_json(app.post_json("/api/v1/webhooks", Some(&partner), &body).await, 201).await;
    let director = app.token("director@example.com", PASSWORD).await;
    let (lead, customer) = missed_first_response(&app, &partner, &director, org.consultant_a1).await;
    // The lead is a2's: the next in turn of team A.
    assert_eq!(customer["owner_id"], org.consultant_a2.to_string(), "{customer}");
    // The timeline says so, recorded by no one in particular (the service).
    let timeline = expect_json(
        app.get(&format!("/api/v1/customers/{lead}/timeline"), Some(&director))
            .await,
        200,
    )
    .await;
    let reassigned: Vec<&Value> = timeline["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|e| e["kind"] == "reassigned")
        .collect();
    assert_eq!(reassigned.len(), 1, "{timeline}");
    assert_eq!(reassigned[0]["subject_id"], org.consultant_a2.to_string());
    assert_eq!(
        reassigned[0]["data"]["previous_owner_id"],
        org.consultant_a1.to_string()
    );
    assert_eq!(
        (&reassigned[0]["actor_user_id"], &reassigned[0]["actor_client_id"]),
        (&Value::Null, &Value::Null)
    );
    // The partner hears of it as of any reassignment.
    let path = format!("/api/v1/webhooks/{}/deliveries", webhook["id"].as_str().expect("id"));
    let deliveries = expect_json(app.get(&path, Some(&partner)).await, 200).await;
    let announced: Vec<&Value> = deliveries["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|d| d["event"] == "customer.assigned" && d["payload"]["reassigned"] == true)
        .collect();
    assert_eq!(announced.len(), 1, "{deliveries}");
    assert_eq!(announced[0]["payload"]["customer_id"], lead.to_string());
    assert_eq!(announced[0]["payload"]["consultant_id"], org.consultant_a2.to_string());
    // The audit log has it, by the service itself (neither a user nor a client).
    let audit = expect_json(
        app.get(
            &format!("/api/v1/audit-log?entity=customer&entity_id={lead}&action=reassigned"),
            Some(&admin),
        )
        .await,
        200,
    )
    .await;
    let entries = audit["items"].as_array().expect("items");
    assert_eq!(entries.len(), 1, "{audit}");
    assert_eq!(
        (&entries[0]["actor_user_id"], &entries[0]["actor_client_id"]),
        (&Value::Null, &Value::Null),
        "{audit}"
    );
    // a2 gets a first-response clock of its own.
    let restarted = timers_of(&app, lead)
        .await
        .into_iter()
        .filter(|t| t.kind == "first_response" && t.phase == "deadline" && t.state == TimerState::Pending)
        .count();
    assert_eq!(restarted, 1);
    // The rotation moved on: a2 just had a lead, so the next in turn is a1.
    let next = partner_lead(&app, &partner, &director, "next-lead", json!({"team_id": org.team_a})).await;
    let next = expect_json(
        app.get(&format!("/api/v1/customers/{next}"), Some(&director)).await,
        200,
    )
    .await;
    assert_eq!(next["owner_id"], org.consultant_a1.to_string(), "{next}");
}

#[tokio::test]
async fn a_missed_first_response_with_no_consultant_to_take_the_lead_is_a_breach_and_the_lead_stays() {
    let (app, org, admin) = under_a_reassign_policy().await;
    let partner = partner_token(&app, &admin, "Portal").await;
    // Team B has one consultant: no one else to take the lead.
    let director = app.token("director@example.com", PASSWORD).await;
    let (lead, customer) = missed_first_response(&app, &partner, &director, org.consultant_b).await;
    assert_eq!(customer["owner_id"], org.consultant_b.to_string(), "{customer}");
    let breaches = expect_json(app.get("/api/v1/sla-breaches", Some(&director)).await, 200).await;
    assert_eq!(breaches["items"].as_array().map(Vec::len), Some(1), "{breaches}");
    assert_eq!(breaches["items"][0]["customer_id"], lead.to_string());
    let kinds = timeline_kinds(&app, &director, &lead.to_string()).await;
    assert_eq!(kinds, ["created", "assigned", "sla_breached"]);
}

/// A deadline's notifications are written in each recipient's language,
/// their instants in the business time zone: the consultant reads English,
/// the manager (switched to zh-CN) Chinese.
#[tokio::test]
async fn each_recipient_reads_a_deadline_notification_in_their_language() {
    let (app, org, _) = under(&[("first_response", json!({"duration_secs": 2, "warning_percent": 50}))]).await;
    reads_chinese(&app, org.manager_a).await;
    let (a1, manager) = a1_and_manager(&app).await;
    let late = new_customer(&app, &a1, "无人跟进").await;
    let breach = fired(&app, late, "first_response", "deadline").await;
    let due = breach.due_at.with_timezone(&app.settings.timezone);

    let reminders = list(&app, "/api/v1/notifications?kind=sla_reminder", &a1).await;
    assert_eq!(reminders["items"][0]["title"], "Reminder: first response is due soon");
    let breaches = list(&app, "/api/v1/notifications?kind=sla_breach", &manager).await;
    assert_eq!(breaches["items"][0]["title"], "逾期：首次响应未在时限内完成");
    assert_eq!(
        breaches["items"][0]["body"],
        format!("首次响应：{} 到期", due.format("%Y年%-m月%-d日 %H:%M"))
    );
}
