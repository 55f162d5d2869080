//! SLA deadlines: each fires within 2 s of its due time with its effect
//! (reminder, breach, manager's notification, timeline, escalation), and
//! not at all when the work was done in time. Policy durations are seconds.

use std::time::Duration;

use serde_json::{Value, json};
use tests::{
    TestApp,
    client::expect_json,
    eventually,
    org::{PASSWORD, org},
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

async fn new_customer(app: &TestApp, token: &str, name: &str) -> Uuid {
    let body = json!({"name": name, "channel": "website"});
    let created = expect_json(app.post_json("/api/v1/customers", Some(token), &body).await, 201).await;
    Uuid::parse_str(created["id"].as_str().expect("id")).expect("uuid")
}

async fn fired(app: &TestApp, subject: Uuid, kind: &str, phase: &str) -> entities::timers::Model {
    eventually(Duration::from_secs(15), &format!("{kind} {phase} fired"), || async {
        timers_of(app, subject)
            .await
            .into_iter()
            .find(|t| t.kind == kind && t.phase == phase && t.state == "fired")
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
    let list = expect_json(app.get(path, Some(token)).await, 200).await;
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|n| n["kind"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn lead_deadlines_fire_within_two_seconds_and_not_when_the_work_was_done_in_time() {
    let app = quick_app().await;
    let org = org(&app).await;
    let admin = app.admin_token().await;
    set_policy(
        &app,
        &admin,
        "first_response",
        json!({"duration_secs": 2, "warning_percent": 50}),
    )
    .await;
    set_policy(
        &app,
        &admin,
        "needs_assessment",
        json!({"duration_secs": 3, "warning_percent": 0}),
    )
    .await;
    set_policy(&app, &admin, "follow_up", json!({"duration_secs": 60})).await;
    let a1 = app.token("a1@example.com", PASSWORD).await;
    let manager = app.token("manager.a@example.com", PASSWORD).await;

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
    tokio::time::sleep(Duration::from_millis(500)).await;

    // The customer served in time: its lead deadlines completed, never fired.
    for timer in timers_of(&app, on_time).await {
        if timer.kind == "first_response" || timer.kind == "needs_assessment" {
            assert_eq!(timer.state, "completed", "{} {}", timer.kind, timer.phase);
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
    let app = quick_app().await;
    let org = org(&app).await;
    let admin = app.admin_token().await;
    set_policy(
        &app,
        &admin,
        "complaint_resolution",
        json!({"duration_secs": 2, "warning_percent": 50}),
    )
    .await;
    let a1 = app.token("a1@example.com", PASSWORD).await;
    let manager = app.token("manager.a@example.com", PASSWORD).await;
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
    let resolved_id = Uuid::parse_str(resolved["id"].as_str().expect("id")).expect("uuid");
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert!(
        timers_of(&app, resolved_id)
            .await
            .iter()
            .all(|t| t.state == "completed"),
        "the resolved complaint's timers completed without firing"
    );
}
