//! Approvals (审批重大销售政策及市场推广方案): managers and customer
//! managers submit sales policies and marketing plans, the director
//! approves or rejects them with a comment within a deadline the timer
//! engine watches; each change is audited, notified and announced.

use std::time::Duration;

use entities::timers::TimerState;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use tests::{
    AppOptions, TestApp, assert_invalid, assert_problem,
    client::expect_json,
    eventually,
    org::{PASSWORD, create_user, ids, list, notifications, org, partner, values},
    spawn_app_with,
};
use uuid::Uuid;

/// An app whose timer pump looks often, so deadlines seconds away fire promptly.
async fn quick_app() -> TestApp {
    spawn_app_with(AppOptions {
        customise: tests::quick_timers,
        ..AppOptions::default()
    })
    .await
}

/// The tokens of team A's manager and of the director.
async fn manager_and_director(app: &TestApp) -> (String, String) {
    (
        app.token("manager.a@example.com", PASSWORD).await,
        app.token("director@example.com", PASSWORD).await,
    )
}

fn plan(title: &str) -> Value {
    json!({"kind": "marketing_plan", "title": title, "period_start": "2027-03-01", "period_end": "2027-04-30",
           "budget_fen": 120_000_000, "content": "线上投放与户外展销结合",
           "attachments": ["https://files.example.com/spring-plan.pdf"]})
}

async fn submit(app: &TestApp, token: &str, body: &Value) -> Value {
    expect_json(app.post_json("/api/v1/approvals", Some(token), body).await, 201).await
}

fn id_of(approval: &Value) -> &str {
    approval["id"].as_str().expect("id")
}

/// `POST path` with a body and `If-Match: etag`.
async fn post_if_match(app: &TestApp, path: &str, token: &str, etag: &str, body: &Value) -> reqwest::Response {
    app.client
        .post(app.url(path))
        .bearer_auth(token)
        .header("if-match", etag)
        .json(body)
        .send()
        .await
        .expect("request")
}

async fn decide(app: &TestApp, token: &str, approval: &Value, body: &Value) -> reqwest::Response {
    let path = format!("/api/v1/approvals/{}/decision", id_of(approval));
    app.post_json(&path, Some(token), body).await
}

async fn withdraw(app: &TestApp, token: &str, approval: &Value) -> reqwest::Response {
    let path = format!("/api/v1/approvals/{}/withdrawal", id_of(approval));
    app.post_json(&path, Some(token), &json!({})).await
}

async fn timers_of(app: &TestApp, subject: &str) -> Vec<entities::timers::Model> {
    let subject = Uuid::parse_str(subject).expect("uuid");
    entities::timers::Entity::find()
        .filter(entities::timers::Column::SubjectId.eq(subject))
        .all(&app.db)
        .await
        .expect("timers")
}

#[tokio::test]
async fn an_approved_plan_notifies_the_director_and_the_submitter_and_is_audited_and_announced() {
    let app = quick_app().await;
    let org = org(&app).await;
    let admin = app.admin_token().await;
    let (manager, director) = manager_and_director(&app).await;
    let (partner, _) = partner(&app, &admin, "Portal", &["webhooks:read", "webhooks:write"]).await;
    let events = ["approval.submitted", "approval.decided"];
    let body = json!({"url": "https://hooks.partner.example/approvals", "events": events});
    let webhook = expect_json(app.post_json("/api/v1/webhooks", Some(&partner), &body).await, 201).await;

    let approval = submit(&app, &manager, &plan("春季开盘推广方案")).await;
    assert_eq!(approval["status"], "submitted");
    assert_eq!(approval["submitter_id"], org.manager_a.to_string());
    assert_eq!(approval["team_id"], org.team_a.to_string());
    assert_eq!(
        approval["attachments"],
        json!(["https://files.example.com/spring-plan.pdf"])
    );
    let submitted: chrono::DateTime<chrono::Utc> = approval["submitted_at"].as_str().expect("t").parse().expect("t");
    let due: chrono::DateTime<chrono::Utc> = approval["due_at"].as_str().expect("t").parse().expect("t");
    assert_eq!(due - submitted, chrono::Duration::days(3), "the regulation's 3 days");
    let deadline = timers_of(&app, id_of(&approval)).await;
    assert!(
        deadline
            .iter()
            .any(|t| t.kind == "approval_decision" && t.phase == "deadline"),
        "{deadline:?}"
    );

    // The director hears of it, in English with the budget in yuan.
    let requested = notifications(&app, &director, "approval_requested").await;
    assert_eq!(requested.len(), 1, "{requested:?}");
    assert_eq!(requested[0]["subject_id"], approval["id"]);
    let text = format!("{} {}", requested[0]["title"], requested[0]["body"]);
    assert!(
        text.contains("marketing plan") && text.contains("¥1,200,000.00"),
        "{text}"
    );
    assert!(notifications(&app, &manager, "approval_requested").await.is_empty());

    // Approved with a comment, against the version read.
    let path = format!("/api/v1/approvals/{}", id_of(&approval));
    let read = app.get(&path, Some(&director)).await;
    let etag = read.headers()["etag"].to_str().expect("etag").to_owned();
    let decision = json!({"decision": "approved", "comment": "同意，注意控制户外成本"});
    let stale = post_if_match(&app, &format!("{path}/decision"), &director, "\"stale\"", &decision).await;
    assert_problem(stale, 412, "precondition_failed").await;
    let decided = post_if_match(&app, &format!("{path}/decision"), &director, &etag, &decision).await;
    let decided = expect_json(decided, 200).await;
    assert_eq!(decided["status"], "approved");
    assert_eq!(decided["decided_by"], org.director.to_string());
    assert_eq!(decided["decision_comment"], "同意，注意控制户外成本");
    let again = decide(
        &app,
        &director,
        &approval,
        &json!({"decision": "rejected", "comment": "不"}),
    )
    .await;
    assert_problem(again, 409, "illegal_transition").await;

    // The submitter hears the decision with the comment.
    let heard = notifications(&app, &manager, "approval_decided").await;
    assert_eq!(heard.len(), 1, "{heard:?}");
    assert!(
        heard[0]["title"].as_str().expect("title").starts_with("Approved"),
        "{heard:?}"
    );
    assert!(heard[0]["body"].as_str().expect("body").contains("同意"), "{heard:?}");

    // The deadline ended with the decision.
    for timer in timers_of(&app, id_of(&approval)).await {
        assert_eq!(timer.state, TimerState::Completed, "{} {}", timer.kind, timer.phase);
    }

    // Audited, and announced to the subscriber.
    let audit = list(
        &app,
        &format!("/api/v1/audit-log?entity=approval&entity_id={}", id_of(&approval)),
        &admin,
    )
    .await;
    assert_eq!(values(&audit, "action"), ["create", "approve"]);
    let deliveries_path = format!("/api/v1/webhooks/{}/deliveries", webhook["id"].as_str().expect("id"));
    let deliveries = list(&app, &deliveries_path, &partner).await;
    let mut announced = values(&deliveries, "event");
    announced.sort();
    assert_eq!(announced, ["approval.decided", "approval.submitted"]);
}

#[tokio::test]
async fn a_rejection_needs_a_comment_and_a_rejected_request_is_resubmitted_as_a_new_one() {
    let app = quick_app().await;
    org(&app).await;
    let (manager, director) = manager_and_director(&app).await;
    let approval = submit(&app, &manager, &plan("双十一优惠政策")).await;

    let bare = decide(&app, &director, &approval, &json!({"decision": "rejected"})).await;
    assert_invalid(bare, &["/comment"]).await;
    let blank = decide(
        &app,
        &director,
        &approval,
        &json!({"decision": "rejected", "comment": "  "}),
    )
    .await;
    assert_invalid(blank, &["/comment"]).await;
    let unknown = decide(&app, &director, &approval, &json!({"decision": "maybe"})).await;
    assert_invalid(unknown, &["/decision"]).await;

    let rejected = decide(
        &app,
        &director,
        &approval,
        &json!({"decision": "rejected", "comment": "预算过高"}),
    )
    .await;
    let rejected = expect_json(rejected, 200).await;
    assert_eq!(rejected["status"], "rejected");
    let heard = notifications(&app, &manager, "approval_decided").await;
    assert!(
        heard[0]["title"].as_str().expect("title").starts_with("Rejected"),
        "{heard:?}"
    );

    let mut again = plan("双十一优惠政策（修订）");
    again["resubmission_of"] = approval["id"].clone();
    let resubmitted = submit(&app, &manager, &again).await;
    assert_eq!(resubmitted["resubmission_of"], approval["id"]);
    assert_eq!(resubmitted["status"], "submitted");
    // Only a rejected request can be resubmitted.
    again["resubmission_of"] = resubmitted["id"].clone();
    let response = app.post_json("/api/v1/approvals", Some(&manager), &again).await;
    assert_invalid(response, &["/resubmission_of"]).await;
}

#[tokio::test]
async fn requests_are_validated_field_by_field() {
    let app = quick_app().await;
    org(&app).await;
    let (manager, _) = manager_and_director(&app).await;
    let body = json!({"kind": "discount", "title": "", "period_start": "2027-03-01", "period_end": "2027-02-01",
                      "budget_fen": -1, "content": "x",
                      "attachments": ["http://files.example.com/a.pdf", "https://files.example.com/b.pdf"]});
    let response = app.post_json("/api/v1/approvals", Some(&manager), &body).await;
    assert_invalid(
        response,
        &["/kind", "/title", "/period_end", "/budget_fen", "/attachments/0"],
    )
    .await;
    let mut many = plan("链接太多");
    many["attachments"] = json!(vec!["https://files.example.com/a.pdf"; 11]);
    let response = app.post_json("/api/v1/approvals", Some(&manager), &many).await;
    assert_invalid(response, &["/attachments"]).await;
    let mut huge = plan("预算过大");
    huge["budget_fen"] = json!(1_000_000_000_001_i64);
    let response = app.post_json("/api/v1/approvals", Some(&manager), &huge).await;
    assert_invalid(response, &["/budget_fen"]).await;
}

#[tokio::test]
async fn a_consultant_cannot_submit_a_manager_cannot_decide_and_each_submitter_reads_their_own() {
    let app = quick_app().await;
    let org = org(&app).await;
    let (manager, director) = manager_and_director(&app).await;
    create_user(&app, "cm@example.com", "customer_manager", None).await;
    let customer_manager = app.token("cm@example.com", PASSWORD).await;
    let consultant = app.token("a1@example.com", PASSWORD).await;

    let response = app
        .post_json("/api/v1/approvals", Some(&consultant), &plan("顾问方案"))
        .await;
    assert_problem(response, 403, "forbidden").await;
    let mut policy = plan("老带新奖励政策");
    policy["kind"] = json!("sales_policy");
    let by_manager = submit(&app, &manager, &policy).await;
    let by_customer_manager = submit(&app, &customer_manager, &plan("客户答谢会")).await;

    let response = decide(&app, &manager, &by_manager, &json!({"decision": "approved"})).await;
    assert_problem(response, 403, "forbidden").await;
    let response = decide(&app, &customer_manager, &by_manager, &json!({"decision": "approved"})).await;
    assert_problem(response, 403, "forbidden").await;

    // Each reads their own; the director reads all and filters them.
    let mine = list(&app, "/api/v1/approvals", &customer_manager).await;
    assert_eq!(ids(&mine), [id_of(&by_customer_manager)]);
    let path = format!("/api/v1/approvals/{}", id_of(&by_manager));
    assert_problem(app.get(&path, Some(&customer_manager)).await, 404, "not_found").await;
    let all = list(&app, "/api/v1/approvals", &director).await;
    assert_eq!(ids(&all).len(), 2);
    let policies = list(&app, "/api/v1/approvals?kind=sales_policy", &director).await;
    assert_eq!(ids(&policies), [id_of(&by_manager)]);
    let of_manager = list(
        &app,
        &format!("/api/v1/approvals?submitter_id={}&status=submitted", org.manager_a),
        &director,
    )
    .await;
    assert_eq!(ids(&of_manager), [id_of(&by_manager)]);
    let response = app.get("/api/v1/approvals?status=draft", Some(&director)).await;
    assert_invalid(response, &["/status"]).await;
}

#[tokio::test]
async fn the_director_is_reminded_before_the_decision_deadline_and_the_request_is_marked_overdue_after() {
    let app = quick_app().await;
    org(&app).await;
    let admin = app.admin_token().await;
    let policy = json!({"duration_secs": 2, "warning_percent": 50});
    let response = app
        .put_json("/api/v1/sla-policies/approval_decision", Some(&admin), &policy)
        .await;
    expect_json(response, 200).await;
    let (manager, director) = manager_and_director(&app).await;
    let approval = submit(&app, &manager, &plan("年终冲刺政策")).await;

    let fired = eventually(Duration::from_secs(15), "both phases fired", || async {
        let timers = timers_of(&app, id_of(&approval)).await;
        let done = timers.iter().filter(|t| t.state == TimerState::Fired).count() == 2;
        done.then_some(timers)
    })
    .await;
    let outcome = |phase: &str| {
        fired
            .iter()
            .find(|t| t.phase == phase)
            .and_then(|t| t.outcome.clone())
            .unwrap_or_default()
    };
    assert_eq!(outcome("warning"), "reminded");
    assert_eq!(outcome("deadline"), "overdue");
    let reminded = notifications(&app, &director, "approval_reminder").await;
    assert_eq!(reminded.len(), 1, "{reminded:?}");
    assert!(reminded[0]["title"].as_str().expect("title").contains("年终冲刺政策"));
    let overdue = notifications(&app, &director, "approval_overdue").await;
    assert_eq!(overdue.len(), 1, "{overdue:?}");
    let path = format!("/api/v1/approvals/{}", id_of(&approval));
    let now = expect_json(app.get(&path, Some(&manager)).await, 200).await;
    assert!(now["overdue_at"].is_string(), "{now}");
    assert_eq!(now["status"], "submitted", "overdue still waits for the decision");
    let audit = list(
        &app,
        &format!("/api/v1/audit-log?entity=approval&entity_id={}", id_of(&approval)),
        &admin,
    )
    .await;
    assert_eq!(values(&audit, "action"), ["create", "overdue"]);

    // Running the deadline again (a redelivered job) has no second effect.
    let deadline = fired.iter().find(|t| t.phase == "deadline").expect("deadline");
    let again = domain::engine::dispatch::fire(&app.db, deadline.id, "test", chrono_tz::Asia::Shanghai).await;
    assert!(matches!(again, Ok(None)), "{again:?}");
    assert_eq!(notifications(&app, &director, "approval_overdue").await.len(), 1);
}

#[tokio::test]
async fn withdrawing_a_request_cancels_its_deadline_and_ends_it() {
    let app = quick_app().await;
    org(&app).await;
    let (manager, director) = manager_and_director(&app).await;
    let approval = submit(&app, &manager, &plan("撤回的方案")).await;

    let response = withdraw(&app, &director, &approval).await;
    assert_problem(response, 403, "forbidden").await;
    let withdrawn = expect_json(withdraw(&app, &manager, &approval).await, 200).await;
    assert_eq!(withdrawn["status"], "withdrawn");
    assert!(withdrawn["withdrawn_at"].is_string());
    let timers = timers_of(&app, id_of(&approval)).await;
    assert!(!timers.is_empty());
    for timer in timers {
        assert_eq!(timer.state, TimerState::Cancelled, "{} {}", timer.kind, timer.phase);
    }
    let response = decide(&app, &director, &approval, &json!({"decision": "approved"})).await;
    let problem = assert_problem(response, 409, "illegal_transition").await;
    assert_eq!(problem["allowed"], json!([]), "{problem}");
    assert_problem(withdraw(&app, &manager, &approval).await, 409, "illegal_transition").await;
}
