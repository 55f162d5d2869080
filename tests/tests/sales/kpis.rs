//! Monthly figures: each one computed in the business time zone (Asia/Shanghai
//! by default) and limited to the caller's scope. The sales record is
//! written straight to the database here, at chosen instants around the
//! month's edges; the whole-life test builds it through the API instead.

use chrono::Utc;
use entities::{complaints, targets, training_attendees, trainings, visits};
use sea_orm::{ActiveModelTrait, Set};
use serde_json::Value;
use tests::{
    TestApp, assert_problem,
    client::expect_json,
    org::{Org, PASSWORD, org, row},
    spawn_app,
};
use uuid::Uuid;

pub(crate) use tests::records::{at, customer, deal};

pub(crate) async fn visit(
    app: &TestApp,
    (consultant, team, customer): (Uuid, Uuid, Uuid),
    satisfaction: i16,
    when: &str,
) {
    visits::ActiveModel {
        id: Set(Uuid::now_v7()),
        deal_id: Set(Uuid::now_v7()),
        customer_id: Set(customer),
        consultant_id: Set(consultant),
        team_id: Set(Some(team)),
        visited_at: Set(at(when)),
        satisfaction: Set(satisfaction),
        created_at: Set(at(when)),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .expect("visit");
}

/// Team A's October 2026 (Shanghai time): what each figure must come to.
async fn october(app: &TestApp, org: &Org) {
    let (a1, a2, team) = (org.consultant_a1, org.consultant_a2, org.team_a);
    let c1 = customer(app, a1, team, "2026-10-05T02:00:00Z").await;
    // 23:30 on 31 October UTC is 1 November in Shanghai: November's lead.
    customer(app, a1, team, "2026-10-31T15:30:00Z").await;
    customer(app, a1, team, "2026-10-31T16:30:00Z").await;
    let c2 = customer(app, a2, team, "2026-09-10T02:00:00Z").await;
    let who = (a1, team, c1);
    deal(app, who, 300_000_000, "2026-10-12T03:00:00Z", "contracted").await;
    // 00:30 on 1 October in Shanghai.
    deal(app, who, 200_000_000, "2026-09-30T16:30:00Z", "subscribed").await;
    deal(app, who, 999_000_000, "2026-10-13T03:00:00Z", "cancelled").await;
    deal(app, who, 100_000_000, "2026-10-31T16:30:00Z", "subscribed").await;
    deal(app, (a2, team, c2), 150_000_000, "2026-10-20T03:00:00Z", "subscribed").await;
    for (satisfaction, when) in [
        (5, "2026-10-02T02:00:00Z"),
        (4, "2026-10-03T02:00:00Z"),
        (2, "2026-10-04T02:00:00Z"),
    ] {
        visit(app, who, satisfaction, when).await;
    }
    complaints::ActiveModel {
        id: Set(Uuid::now_v7()),
        customer_id: Set(c1),
        consultant_id: Set(Some(a1)),
        team_id: Set(Some(team)),
        severity: Set(complaints::Severity::Minor),
        summary: Set("late keys".to_owned()),
        status: Set(complaints::ComplaintStatus::Resolved),
        received_at: Set(at("2026-10-06T00:00:00Z")),
        resolved_at: Set(Some(at("2026-10-07T06:00:00Z"))),
        created_at: Set(at("2026-10-06T00:00:00Z")),
        updated_at: Set(at("2026-10-07T06:00:00Z")),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .expect("complaint");
    targets::ActiveModel {
        id: Set(Uuid::now_v7()),
        period: Set("2026-Q4".to_owned()),
        team_id: Set(Some(team)),
        subject: Set(format!("team:{team}")),
        units: Set(10),
        amount_fen: Set(2_000_000_000),
        created_at: Set(Utc::now()),
        updated_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .expect("target");
    let training = trainings::ActiveModel {
        id: Set(Uuid::now_v7()),
        title: Set("Mortgage rules 2026".to_owned()),
        team_id: Set(Some(team)),
        held_at: Set(at("2026-10-15T06:00:00Z")),
        created_at: Set(Utc::now()),
        updated_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .expect("training")
    .id;
    for (user, attended, passed) in [
        (a1, true, Some(true)),
        (a2, true, Some(false)),
        (org.manager_a, false, None),
    ] {
        training_attendees::ActiveModel {
            training_id: Set(training),
            user_id: Set(user),
            attended: Set(attended),
            exam_passed: Set(passed),
            updated_at: Set(Utc::now()),
        }
        .insert(&app.db)
        .await
        .expect("attendee");
    }
}

fn row_ids(report: &Value, key: &str) -> Vec<String> {
    let mut ids: Vec<String> = report["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|r| r[key].as_str().expect("id").to_owned())
        .collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn a_months_figures_count_what_happened_in_that_month_in_the_business_time_zone() {
    let app = spawn_app().await;
    let org = org(&app).await;
    october(&app, &org).await;
    let manager = app.token("manager.a@example.com", PASSWORD).await;

    let report = expect_json(
        app.get("/api/v1/kpis/consultants?month=2026-10", Some(&manager)).await,
        200,
    )
    .await;
    assert_eq!(report["timezone"], "Asia/Shanghai");
    assert_eq!(report["from"], "2026-09-30T16:00:00Z");
    let a1 = row(&report, "user_id", org.consultant_a1);
    assert_eq!(a1["units_sold"], 2);
    assert_eq!(a1["amount_sold_fen"], 500_000_000);
    assert_eq!(a1["new_leads"], 2);
    assert_eq!(a1["visits"], 3);
    assert_eq!(a1["good_visits"], 2);
    assert_eq!(a1["satisfaction_rate"], 0.6667);
    assert_eq!(a1["complaints"], 1);
    assert_eq!(a1["open_customers"], 2);
    assert_eq!(a1["complaint_rate"], 0.5);
    let a2 = row(&report, "user_id", org.consultant_a2);
    assert_eq!(a2["units_sold"], 1);
    assert!(a2["satisfaction_rate"].is_null());

    let teams = expect_json(app.get("/api/v1/kpis/teams?month=2026-10", Some(&manager)).await, 200).await;
    let team = row(&teams, "team_id", org.team_a);
    assert_eq!(team["units_sold"], 3);
    assert_eq!(team["amount_sold_fen"], 650_000_000);
    assert_eq!(team["members"], 3);
    assert_eq!(team["trained_members"], 2);
    assert_eq!(team["training_coverage"], 0.6667);
    assert_eq!(team["examined"], 2);
    assert_eq!(team["exam_pass_rate"], 0.5);
    assert_eq!(team["complaints_resolved"], 1);
    assert_eq!(team["average_resolution_hours"], 30.0);
    assert_eq!(team["target"]["period"], "2026-Q4");
    assert_eq!(team["target"]["units_to_date"], 3);
    assert_eq!(team["target"]["units_rate"], 0.3);
    assert_eq!(team["target"]["amount_rate"], 0.325);

    // November holds what fell on 1 November in Shanghai.
    let november = expect_json(
        app.get("/api/v1/kpis/consultants?month=2026-11", Some(&manager)).await,
        200,
    )
    .await;
    let a1 = row(&november, "user_id", org.consultant_a1);
    assert_eq!(
        (a1["units_sold"].as_i64(), a1["new_leads"].as_i64()),
        (Some(1), Some(1))
    );
}

#[tokio::test]
async fn figures_stay_within_the_callers_scope_and_a_bad_month_is_refused() {
    let app = spawn_app().await;
    let org = org(&app).await;
    october(&app, &org).await;
    let path = "/api/v1/kpis/consultants?month=2026-10";
    let a1 = app.token("a1@example.com", PASSWORD).await;
    let manager = app.token("manager.a@example.com", PASSWORD).await;
    let director = app.token("director@example.com", PASSWORD).await;
    let mut team_a = vec![org.consultant_a1.to_string(), org.consultant_a2.to_string()];
    team_a.sort();
    let mut everyone = [team_a.clone(), vec![org.consultant_b.to_string()]].concat();
    everyone.sort();
    let own = expect_json(app.get(path, Some(&a1)).await, 200).await;
    assert_eq!(row_ids(&own, "user_id"), [org.consultant_a1.to_string()]);
    assert_eq!(
        row_ids(&expect_json(app.get(path, Some(&manager)).await, 200).await, "user_id"),
        team_a
    );
    assert_eq!(
        row_ids(&expect_json(app.get(path, Some(&director)).await, 200).await, "user_id"),
        everyone
    );
    let teams = expect_json(app.get("/api/v1/kpis/teams?month=2026-10", Some(&manager)).await, 200).await;
    assert_eq!(row_ids(&teams, "team_id"), [org.team_a.to_string()]);

    for month in ["2026-13", "2026-1", "oct", ""] {
        let problem = assert_problem(
            app.get(&format!("/api/v1/kpis/teams?month={month}"), Some(&director))
                .await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(problem["errors"][0]["pointer"], "/month");
    }
    let admin = app.admin_token().await;
    assert_problem(app.get(path, Some(&admin)).await, 403, "forbidden").await;
}
