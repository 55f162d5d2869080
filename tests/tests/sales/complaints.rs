//! Complaints: routing of major complaints to the manager, who sees what,
//! resolving and reopening, preconditions and the timeline.

use entities::{complaints, timeline_entries};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use tests::{
    TestApp, assert_problem,
    client::expect_json,
    customers::new_customer,
    org::{PASSWORD, ids, list, org, reads_chinese},
    spawn_app,
};
use uuid::Uuid;

async fn complain(app: &TestApp, token: &str, customer: &str, severity: &str) -> Value {
    let body = json!({"customer_id": customer, "severity": severity, "summary": "交房延期未通知",
                      "received_at": "2026-11-01T09:30:00+08:00"});
    expect_json(app.post_json("/api/v1/complaints", Some(token), &body).await, 201).await
}

/// The kinds of the customer's timeline entries in the order they were
/// recorded, without the deadline breaches the workers add on their own
/// time (these complaints were received weeks ago, so their resolution
/// deadline has passed).
async fn timeline_kinds(app: &TestApp, customer: &str) -> Vec<String> {
    let customer = Uuid::parse_str(customer).expect("uuid");
    let mut entries = timeline_entries::Entity::find()
        .filter(timeline_entries::Column::CustomerId.eq(customer))
        .all(&app.db)
        .await
        .expect("timeline");
    entries.sort_by_key(|e| e.id);
    entries
        .into_iter()
        .filter(|e| e.kind != timeline_entries::TimelineKind::SlaBreached)
        .map(|e| e.kind.to_string())
        .collect()
}

#[tokio::test]
async fn a_major_complaint_goes_to_the_teams_manager_who_sees_it_while_another_teams_consultant_gets_404() {
    let app = spawn_app().await;
    let org = org(&app).await;
    let a1 = app.token("a1@example.com", PASSWORD).await;
    let a2 = app.token("a2@example.com", PASSWORD).await;
    let b1 = app.token("b1@example.com", PASSWORD).await;
    let manager = app.token("manager.a@example.com", PASSWORD).await;
    let director = app.token("director@example.com", PASSWORD).await;
    let customer = new_customer(&app, &a1, "王先生").await;

    let body = json!({"customer_id": customer, "severity": "major", "summary": "交房延期未通知",
                      "received_at": "2026-11-01T09:30:00+08:00"});
    let response = app.post_json("/api/v1/complaints", Some(&a1), &body).await;
    let location = response.headers()["location"].to_str().expect("ascii").to_owned();
    let complaint = expect_json(response, 201).await;
    let id = complaint["id"].as_str().expect("id").to_owned();
    assert_eq!(location, format!("/api/v1/complaints/{id}"));
    assert_eq!(complaint["handler_id"], org.manager_a.to_string());
    assert_eq!(complaint["consultant_id"], org.consultant_a1.to_string());
    assert_eq!(complaint["team_id"], org.team_a.to_string());
    assert_eq!(complaint["status"], "open");
    assert_eq!(complaint["received_at"], "2026-11-01T01:30:00Z");

    let seen = expect_json(app.get(&location, Some(&manager)).await, 200).await;
    assert_eq!(seen["id"], id.as_str());
    assert_eq!(ids(&list(&app, "/api/v1/complaints", &manager).await), vec![id.clone()]);
    assert_eq!(
        ids(&list(&app, "/api/v1/complaints", &director).await),
        vec![id.clone()]
    );
    assert_eq!(ids(&list(&app, "/api/v1/complaints", &a1).await), vec![id.clone()]);

    assert_problem(app.get(&location, Some(&b1)).await, 404, "not_found").await;
    assert!(ids(&list(&app, "/api/v1/complaints", &b1).await).is_empty());
    // A colleague in the same team with own scope does not see it either.
    assert_problem(app.get(&location, Some(&a2)).await, 404, "not_found").await;
    assert_problem(
        app.patch_json(&location, Some(&b1), &json!({"status": "resolved", "resolution": "x"}))
            .await,
        404,
        "not_found",
    )
    .await;

    let minor = complain(&app, &a1, &customer, "minor").await;
    assert_eq!(minor["handler_id"], Value::Null);
    let majors = list(&app, "/api/v1/complaints?severity=major&status=open", &manager).await;
    assert_eq!(ids(&majors), vec![id.clone()]);
    let filtered = list(&app, &format!("/api/v1/complaints?team_id={}", org.team_b), &director).await;
    assert!(ids(&filtered).is_empty());

    assert_eq!(
        timeline_kinds(&app, &customer).await,
        [
            "created",
            "assigned",
            "complaint_received",
            "complaint_routed",
            "complaint_received"
        ]
    );
}

#[tokio::test]
async fn a_complaint_about_a_customer_outside_the_callers_reach_or_from_the_future_is_refused() {
    let app = spawn_app().await;
    org(&app).await;
    let a1 = app.token("a1@example.com", PASSWORD).await;
    let b1 = app.token("b1@example.com", PASSWORD).await;
    let director = app.token("director@example.com", PASSWORD).await;
    let customer = new_customer(&app, &a1, "李女士").await;

    let body = json!({"customer_id": customer, "severity": "minor", "summary": "态度差"});
    let problem = assert_problem(
        app.post_json("/api/v1/complaints", Some(&b1), &body).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["pointer"], "/customer_id");

    let body = json!({"customer_id": customer, "severity": "minor", "summary": "态度差",
                      "received_at": "2099-01-01T00:00:00+08:00"});
    let problem = assert_problem(
        app.post_json("/api/v1/complaints", Some(&a1), &body).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["pointer"], "/received_at");

    for body in [
        json!({"customer_id": customer, "severity": "huge", "summary": "x"}),
        json!({"customer_id": customer, "severity": "minor", "summary": "  "}),
        json!({"customer_id": customer, "severity": "minor", "summary": "x", "received_at": "2026-11-01 09:30"}),
        json!({"customer_id": customer, "severity": "minor", "summary": "x", "status": "resolved"}),
    ] {
        assert_problem(
            app.post_json("/api/v1/complaints", Some(&a1), &body).await,
            422,
            "validation_failed",
        )
        .await;
    }
    // The director reads complaints but does not record them.
    let body = json!({"customer_id": customer, "severity": "minor", "summary": "x"});
    assert_problem(
        app.post_json("/api/v1/complaints", Some(&director), &body).await,
        403,
        "forbidden",
    )
    .await;
    assert_eq!(complaints::Entity::find().count(&app.db).await.expect("count"), 0);
}

#[tokio::test]
async fn resolving_needs_a_resolution_and_a_time_not_before_the_complaint_was_received() {
    let app = spawn_app().await;
    org(&app).await;
    let a1 = app.token("a1@example.com", PASSWORD).await;
    let manager = app.token("manager.a@example.com", PASSWORD).await;
    let customer = new_customer(&app, &a1, "赵先生").await;
    let complaint = complain(&app, &a1, &customer, "major").await;
    let path = format!("/api/v1/complaints/{}", complaint["id"].as_str().expect("id"));

    let problem = assert_problem(
        app.patch_json(&path, Some(&manager), &json!({"status": "resolved"}))
            .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["pointer"], "/resolution");
    let early = json!({"status": "resolved", "resolution": "已致歉", "resolved_at": "2026-10-31T09:30:00+08:00"});
    let problem = assert_problem(
        app.patch_json(&path, Some(&manager), &early).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["pointer"], "/resolved_at");
    let future = json!({"status": "resolved", "resolution": "已致歉", "resolved_at": "2099-01-01T00:00:00Z"});
    assert_problem(
        app.patch_json(&path, Some(&manager), &future).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(
        expect_json(app.get(&path, Some(&manager)).await, 200).await["status"],
        "open"
    );

    let resolve = json!({"status": "resolved", "resolution": "已书面致歉", "resolved_at": "2026-11-03T09:30:00+08:00"});
    let resolved = expect_json(app.patch_json(&path, Some(&manager), &resolve).await, 200).await;
    assert_eq!(resolved["status"], "resolved");
    assert_eq!(resolved["resolution"], "已书面致歉");
    assert_eq!(resolved["resolved_at"], "2026-11-03T01:30:00Z");
    assert_problem(
        app.patch_json(&path, Some(&manager), &resolve).await,
        409,
        "illegal_transition",
    )
    .await;
    let resolved_list = list(&app, "/api/v1/complaints?status=resolved", &manager).await;
    assert_eq!(ids(&resolved_list).len(), 1);

    let reopened = expect_json(app.patch_json(&path, Some(&a1), &json!({"status": "open"})).await, 200).await;
    assert_eq!(reopened["status"], "open");
    assert_eq!(reopened["resolution"], Value::Null);
    assert_eq!(reopened["resolved_at"], Value::Null);

    let kinds = timeline_kinds(&app, &customer).await;
    assert!(kinds.contains(&"complaint_resolved".to_owned()), "{kinds:?}");
    assert_eq!(kinds.iter().filter(|k| *k == "complaint_resolved").count(), 1);
    let log = list(&app, "/api/v1/audit-log?entity=complaint", &app.admin_token().await).await;
    assert_eq!(
        log["items"].as_array().expect("items").len(),
        3,
        "create, resolve, reopen"
    );
}

#[tokio::test]
async fn a_stale_if_match_on_a_complaint_is_refused_with_412_and_nothing_changes() {
    let app = spawn_app().await;
    org(&app).await;
    let a1 = app.token("a1@example.com", PASSWORD).await;
    let customer = new_customer(&app, &a1, "钱女士").await;
    let complaint = complain(&app, &a1, &customer, "minor").await;
    let path = format!("/api/v1/complaints/{}", complaint["id"].as_str().expect("id"));
    let response = app.get(&path, Some(&a1)).await;
    let etag = response.headers()["etag"].to_str().expect("ascii").to_owned();
    expect_json(response, 200).await;

    let resolve = json!({"status": "resolved", "resolution": "已退还定金"});
    let response = app
        .client
        .patch(app.url(&path))
        .bearer_auth(&a1)
        .header("if-match", &etag)
        .json(&resolve)
        .send()
        .await
        .expect("request");
    let new_etag = response.headers()["etag"].to_str().expect("ascii").to_owned();
    assert_ne!(new_etag, etag);
    expect_json(response, 200).await;

    let response = app
        .client
        .patch(app.url(&path))
        .bearer_auth(&a1)
        .header("if-match", &etag)
        .json(&json!({"status": "open"}))
        .send()
        .await
        .expect("request");
    assert_problem(response, 412, "precondition_failed").await;
    let now = app.get(&path, Some(&a1)).await;
    assert_eq!(now.headers()["etag"].to_str().expect("ascii"), new_etag);
    assert_eq!(expect_json(now, 200).await["status"], "resolved");
}

#[tokio::test]
async fn a_retried_complaint_post_with_the_same_idempotency_key_returns_the_same_complaint() {
    let app = spawn_app().await;
    org(&app).await;
    let a1 = app.token("a1@example.com", PASSWORD).await;
    let customer = new_customer(&app, &a1, "孙先生").await;
    let body = json!({"customer_id": customer, "severity": "major", "summary": "车位纠纷"});
    let mut answers = Vec::new();
    for _ in 0..2 {
        let response = app
            .client
            .post(app.url("/api/v1/complaints"))
            .bearer_auth(&a1)
            .header("idempotency-key", "complaint-retry-1")
            .json(&body)
            .send()
            .await
            .expect("request");
        answers.push(expect_json(response, 201).await);
    }
    assert_eq!(answers[0], answers[1]);
    assert_eq!(complaints::Entity::find().count(&app.db).await.expect("count"), 1);
    assert_eq!(
        timeline_kinds(&app, &customer).await.len(),
        4,
        "created and assigned, then received and routed, once"
    );
}

/// A complaint problem reads in the caller's language: English for the
/// consultant, Chinese for their manager who reads zh-CN.
#[tokio::test]
async fn a_complaint_problem_reads_in_the_callers_language() {
    let app = spawn_app().await;
    let org = org(&app).await;
    reads_chinese(&app, org.manager_a).await;
    let a1 = app.token("a1@example.com", PASSWORD).await;
    let manager = app.token("manager.a@example.com", PASSWORD).await;
    let customer = new_customer(&app, &a1, "李女士").await;
    let body = json!({"customer_id": customer, "severity": "minor", "summary": " "});
    for (token, detail) in [
        (&a1, "must be 1 to 4000 characters"),
        (&manager, "长度必须为 1 到 4000 个字符"),
    ] {
        let problem = assert_problem(
            app.post_json("/api/v1/complaints", Some(token), &body).await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(problem["errors"], json!([{"pointer": "/summary", "detail": detail}]));
    }
}
