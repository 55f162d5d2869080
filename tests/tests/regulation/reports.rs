//! The reports the roles need (每日/周汇报业绩情况, 分析客户流失原因): a
//! team's daily and weekly report with sales against the month's target and
//! SLA compliance, the managers' digests written from it, and the customer
//! manager's churn analysis by reason, channel, stage and consultant.

use std::time::Duration;

use chrono::{NaiveDate, Utc};
use entities::{customers, deals, follow_ups, sla_breaches, timers};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set, sea_query::Expr};
use serde_json::{Value, json};
use tests::{
    AppOptions, TestApp, assert_invalid, assert_problem,
    client::expect_json,
    eventually,
    org::{Org, PASSWORD, create_user, list, org, reads_chinese},
    records::{at, customer, deal},
    spawn_app, spawn_app_with,
};
use uuid::Uuid;

/// A deal as [`deal`] makes it, contracted at `contracted`.
async fn contracted_deal(app: &TestApp, who: (Uuid, Uuid, Uuid), price: i64, subscribed: &str, contracted: &str) {
    deal(app, who, price, subscribed, "contracted").await;
    deals::Entity::update_many()
        .col_expr(deals::Column::ContractedAt, Expr::value(at(contracted)))
        .filter(deals::Column::CustomerId.eq(who.2))
        .exec(&app.db)
        .await
        .expect("contracted");
}

async fn follow_up(app: &TestApp, author: Uuid, customer: Uuid, occurred: &str) {
    follow_ups::ActiveModel {
        id: Set(Uuid::now_v7()),
        customer_id: Set(customer),
        author_id: Set(Some(author)),
        kind: Set(follow_ups::FollowUpKind::Call),
        occurred_at: Set(at(occurred)),
        reached: Set(true),
        notes: Set(None),
        next_step: Set(None),
        next_follow_up_at: Set(None),
        created_at: Set(at(occurred)),
    }
    .insert(&app.db)
    .await
    .expect("follow-up");
}

/// A first-response deadline of `customer` due at `due`: met, or missed
/// (then with its breach, named for `consultant` in `team`).
async fn first_response_deadline(
    app: &TestApp,
    customer: Uuid,
    (consultant, team): (Uuid, Uuid),
    due: &str,
    missed: bool,
) {
    let id = Uuid::now_v7();
    timers::ActiveModel {
        id: Set(id),
        kind: Set("first_response".to_owned()),
        phase: Set("deadline".to_owned()),
        dedupe_key: Set(format!("test:{id}")),
        subject_id: Set(None),
        customer_id: Set(Some(customer)),
        due_at: Set(at(due)),
        policy_version: Set(Some(1)),
        state: Set(if missed {
            timers::TimerState::Fired
        } else {
            timers::TimerState::Completed
        }),
        attempts: Set(0),
        queued_at: Set(None),
        fired_at: Set(None),
        fired_by: Set(None),
        outcome: Set(None),
        created_at: Set(at(due)),
    }
    .insert(&app.db)
    .await
    .expect("timer");
    if missed {
        sla_breaches::ActiveModel {
            id: Set(Uuid::now_v7()),
            kind: Set(entities::sla_policies::SlaKind::FirstResponse),
            timer_id: Set(id),
            customer_id: Set(Some(customer)),
            subject_id: Set(None),
            consultant_id: Set(Some(consultant)),
            team_id: Set(Some(team)),
            due_at: Set(at(due)),
            breached_at: Set(at(due)),
            policy_version: Set(Some(1)),
        }
        .insert(&app.db)
        .await
        .expect("breach");
    }
}

/// Stamps the customer's first response.
async fn first_reached(app: &TestApp, customer: Uuid, when: &str) {
    customers::Entity::update_many()
        .col_expr(customers::Column::FirstResponseAt, Expr::value(at(when)))
        .filter(customers::Column::Id.eq(customer))
        .exec(&app.db)
        .await
        .expect("first response");
}

/// Team A's month of November 2026: 10 units and ¥5,000,000 for the team,
/// split by its manager: 4 units and ¥2,000,000 to consultant a1.
async fn november_targets(app: &TestApp, org: &Org) {
    let director = app.token("director@example.com", PASSWORD).await;
    let manager = app.token("manager.a@example.com", PASSWORD).await;
    let body =
        json!({"period": "2026-11", "level": "team", "team_id": org.team_a, "units": 10, "amount_fen": 500_000_000});
    let team = expect_json(app.post_json("/api/v1/targets", Some(&director), &body).await, 201).await;
    let split = format!("/api/v1/targets/{}/split", team["id"].as_str().expect("id"));
    let parts = json!({"parts": [{"user_id": org.consultant_a1, "units": 4, "amount_fen": 200_000_000}]});
    expect_json(app.post_json(&split, Some(&manager), &parts).await, 200).await;
}

fn report_path(team: Uuid, query: &str) -> String {
    format!("/api/v1/teams/{team}/report?{query}")
}

fn consultant(report: &Value, id: Uuid) -> &Value {
    report["consultants"]
        .as_array()
        .expect("consultants")
        .iter()
        .find(|c| c["user_id"] == id.to_string())
        .unwrap_or_else(|| panic!("no row for {id} in {report}"))
}

fn sla<'a>(figures: &'a Value, kind: &str) -> &'a Value {
    figures["sla"]
        .as_array()
        .expect("sla")
        .iter()
        .find(|s| s["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} in {figures}"))
}

#[tokio::test]
async fn a_weekly_report_counts_each_consultants_sales_against_the_months_target_and_the_missed_deadlines() {
    let app = spawn_app().await;
    let org = org(&app).await;
    let (a1, a2, team) = (org.consultant_a1, org.consultant_a2, org.team_a);
    november_targets(&app, &org).await;
    // The week of Monday 16 to Sunday 22 November 2026, Beijing time.
    let c1 = customer(&app, a1, team, "2026-11-17T10:00:00+08:00").await;
    let c2 = customer(&app, a2, team, "2026-11-16T09:00:00+08:00").await;
    let earlier = customer(&app, a1, team, "2026-11-02T10:00:00+08:00").await;
    let later = customer(&app, a1, team, "2026-11-23T00:30:00+08:00").await;
    let cancelled = customer(&app, a2, team, "2026-11-18T10:00:00+08:00").await;
    deal(
        &app,
        (a1, team, c1),
        123_456_700,
        "2026-11-22T23:30:00+08:00",
        "subscribed",
    )
    .await;
    contracted_deal(
        &app,
        (a2, team, c2),
        50_000_000,
        "2026-11-16T09:30:00+08:00",
        "2026-11-18T15:00:00+08:00",
    )
    .await;
    deal(
        &app,
        (a1, team, earlier),
        20_000_000,
        "2026-11-03T12:00:00+08:00",
        "subscribed",
    )
    .await;
    deal(
        &app,
        (a1, team, later),
        70_000_000,
        "2026-11-23T00:40:00+08:00",
        "subscribed",
    )
    .await;
    deal(
        &app,
        (a2, team, cancelled),
        90_000_000,
        "2026-11-18T11:00:00+08:00",
        "cancelled",
    )
    .await;
    follow_up(&app, a1, c1, "2026-11-17T11:00:00+08:00").await;
    follow_up(&app, a1, c1, "2026-11-20T11:00:00+08:00").await;
    follow_up(&app, a1, c1, "2026-11-24T11:00:00+08:00").await;
    first_reached(&app, c1, "2026-11-17T11:00:00+08:00").await;
    first_reached(&app, c2, "2026-11-18T09:00:00+08:00").await;
    first_response_deadline(&app, c1, (a1, team), "2026-11-18T10:00:00+08:00", false).await;
    first_response_deadline(&app, c2, (a2, team), "2026-11-17T09:00:00+08:00", true).await;

    let manager = app.token("manager.a@example.com", PASSWORD).await;
    let week = list(&app, &report_path(team, "period=week&date=2026-11-19"), &manager).await;
    assert_eq!(
        (&week["period"], &week["first_day"], &week["last_day"]),
        (&json!("week"), &json!("2026-11-16"), &json!("2026-11-22"))
    );
    assert_eq!(week["from"], "2026-11-15T16:00:00Z", "{week}");
    let total = &week["total"];
    assert_eq!(
        total["new_leads"], 3,
        "c1, c2 and the cancelled deal's customer: {total}"
    );
    assert_eq!(total["follow_ups"], 2);
    assert_eq!(
        (&total["first_responses_on_time"], &total["first_responses_late"]),
        (&json!(1), &json!(1))
    );
    assert_eq!(
        (&total["deals_subscribed"], &total["deals_contracted"]),
        (&json!(2), &json!(1))
    );
    assert_eq!(total["units_sold"], 2);
    assert_eq!(total["amount_sold_fen"], 173_456_700);
    assert_eq!(
        total["target"],
        json!({"period": "2026-11", "units": 10, "amount_fen": 500_000_000, "units_to_date": 3,
               "amount_to_date_fen": 193_456_700, "units_permille": 300, "amount_permille": 386})
    );
    assert_eq!(
        sla(total, "first_response"),
        &json!({"kind": "first_response", "deadlines": 2, "met": 1, "breached": 1, "rate_permille": 500})
    );
    assert_eq!(sla(total, "follow_up")["rate_permille"], Value::Null);

    let first = &consultant(&week, a1)["figures"];
    assert_eq!(
        (&first["units_sold"], &first["amount_sold_fen"]),
        (&json!(1), &json!(123_456_700))
    );
    assert_eq!(first["follow_ups"], 2);
    assert_eq!(
        first["target"],
        json!({"period": "2026-11", "units": 4, "amount_fen": 200_000_000, "units_to_date": 2,
               "amount_to_date_fen": 143_456_700, "units_permille": 500, "amount_permille": 717})
    );
    assert_eq!(sla(first, "first_response")["rate_permille"], 1000);
    let second = &consultant(&week, a2)["figures"];
    assert_eq!(
        (&second["deals_contracted"], &second["first_responses_late"]),
        (&json!(1), &json!(1))
    );
    assert_eq!(second["target"], Value::Null, "a2 has no target of its own");
    assert_eq!(sla(second, "first_response")["breached"], 1);
    assert_eq!(
        week["consultants"].as_array().map(Vec::len),
        Some(2),
        "team A's consultants only"
    );
}

#[tokio::test]
async fn a_deal_at_half_past_eleven_on_sunday_night_in_beijing_counts_in_that_day_and_week_not_the_next() {
    let app = spawn_app().await;
    let org = org(&app).await;
    let (a1, team) = (org.consultant_a1, org.team_a);
    let late = customer(&app, a1, team, "2026-11-20T10:00:00+08:00").await;
    let monday = customer(&app, a1, team, "2026-11-20T10:00:00+08:00").await;
    // Sunday 22 November 23:30 in Beijing is 15:30 UTC, a Sunday in UTC too;
    // Monday 00:10 in Beijing is still Sunday in UTC.
    deal(
        &app,
        (a1, team, late),
        100_000_000,
        "2026-11-22T23:30:00+08:00",
        "subscribed",
    )
    .await;
    deal(
        &app,
        (a1, team, monday),
        7_000_000,
        "2026-11-23T00:10:00+08:00",
        "subscribed",
    )
    .await;
    let director = app.token("director@example.com", PASSWORD).await;
    let sold = |report: &Value| {
        (
            report["total"]["units_sold"].clone(),
            report["total"]["amount_sold_fen"].clone(),
        )
    };
    for (query, units, amount) in [
        ("period=week&date=2026-11-16", 1, 100_000_000),
        ("period=week&date=2026-11-22", 1, 100_000_000),
        ("period=day&date=2026-11-22", 1, 100_000_000),
        ("date=2026-11-22", 1, 100_000_000),
        ("period=day&date=2026-11-23", 1, 7_000_000),
        ("period=week&date=2026-11-23", 1, 7_000_000),
        ("period=day&date=2026-11-21", 0, 0),
    ] {
        let report = list(&app, &report_path(team, query), &director).await;
        assert_eq!(sold(&report), (json!(units), json!(amount)), "{query}: {report}");
    }
    // Without a date: today in Beijing.
    let today = Utc::now().with_timezone(&chrono_tz::Asia::Shanghai).date_naive();
    let report = list(&app, &report_path(team, "period=day"), &director).await;
    assert_eq!(report["date"], today.to_string());
    assert_eq!(report["timezone"], "Asia/Shanghai");
}

#[tokio::test]
async fn reports_are_read_within_reach_and_refused_to_consultants() {
    let app = spawn_app().await;
    let org = org(&app).await;
    let consultant = app.token("a1@example.com", PASSWORD).await;
    let manager = app.token("manager.a@example.com", PASSWORD).await;
    let director = app.token("director@example.com", PASSWORD).await;
    let admin = app.admin_token().await;
    create_user(&app, "cm@example.com", "customer_manager", None).await;
    let customer_manager = app.token("cm@example.com", PASSWORD).await;

    let own = report_path(org.team_a, "period=week");
    let other = report_path(org.team_b, "period=week");
    expect_json(app.get(&own, Some(&manager)).await, 200).await;
    assert_problem(app.get(&other, Some(&manager)).await, 404, "not_found").await;
    for token in [&director, &admin] {
        expect_json(app.get(&other, Some(token)).await, 200).await;
    }
    for token in [&consultant, &customer_manager] {
        assert_problem(app.get(&own, Some(token)).await, 403, "forbidden").await;
    }
    let csv = format!("/api/v1/teams/{}/report.csv?period=week", org.team_b);
    assert_problem(app.get(&csv, Some(&manager)).await, 404, "not_found").await;
    let missing = report_path(Uuid::now_v7(), "period=day");
    assert_problem(app.get(&missing, Some(&director)).await, 404, "not_found").await;

    let churn = "/api/v1/reports/churn";
    assert_problem(app.get(churn, Some(&consultant)).await, 403, "forbidden").await;
    for token in [&customer_manager, &director, &manager] {
        expect_json(app.get(churn, Some(token)).await, 200).await;
    }
    let foreign = format!("{churn}?team_id={}", org.team_b);
    assert_invalid(app.get(&foreign, Some(&manager)).await, &["/team_id"]).await;
    expect_json(app.get(&foreign, Some(&customer_manager)).await, 200).await;
}

#[tokio::test]
async fn a_bad_period_or_date_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let org = org(&app).await;
    let director = app.token("director@example.com", PASSWORD).await;
    let bad_period = report_path(org.team_a, "period=month");
    let problem = assert_invalid(app.get(&bad_period, Some(&director)).await, &["/period"]).await;
    assert!(
        problem["errors"][0]["detail"]
            .as_str()
            .is_some_and(|d| d.contains("day")),
        "{problem}"
    );
    for query in ["date=2026-13-01", "date=yesterday", "period=week&date=2026-11-31"] {
        assert_problem(
            app.get(&report_path(org.team_a, query), Some(&director)).await,
            400,
            "invalid_query",
        )
        .await;
    }
    assert_invalid(
        app.get(&report_path(org.team_a, "date=1800-01-01"), Some(&director))
            .await,
        &["/date"],
    )
    .await;
    let not_a_team = "/api/v1/teams/not-a-team/report";
    assert_problem(app.get(not_a_team, Some(&director)).await, 400, "invalid_path").await;
    let backwards = "/api/v1/reports/churn?from=2026-11-20&to=2026-11-10";
    assert_invalid(app.get(backwards, Some(&director)).await, &["/to"]).await;
    let bad = "/api/v1/reports/churn?from=20261110";
    assert_problem(app.get(bad, Some(&director)).await, 400, "invalid_query").await;
}

#[tokio::test]
async fn the_report_reads_as_csv_with_headers_in_the_readers_language() {
    let app = spawn_app().await;
    let org = org(&app).await;
    let (a1, team) = (org.consultant_a1, org.team_a);
    let c = customer(&app, a1, team, "2026-11-20T10:00:00+08:00").await;
    deal(
        &app,
        (a1, team, c),
        123_456_700,
        "2026-11-22T23:30:00+08:00",
        "subscribed",
    )
    .await;
    let manager = app.token("manager.a@example.com", PASSWORD).await;
    let path = format!("/api/v1/teams/{team}/report.csv?period=week&date=2026-11-22");
    let read = async |token: &str| {
        let response = app.get(&path, Some(token)).await;
        assert_eq!(response.status(), 200);
        let kind = response.headers()["content-type"].to_str().expect("type").to_owned();
        assert!(kind.starts_with("text/csv"), "{kind}");
        response.text().await.expect("body")
    };
    let english = read(&manager).await;
    let lines: Vec<&str> = english.lines().collect();
    assert!(lines[0].starts_with("name,user_id,new_leads,follow_ups,"), "{english}");
    assert!(
        lines[0].contains("first response met,first response breached"),
        "{english}"
    );
    assert_eq!(lines.len(), 4, "header, a1, a2, the total: {english}");
    let a1_line = lines.iter().find(|l| l.contains(&a1.to_string())).expect("a1's line");
    assert!(a1_line.contains(",1,123456700,"), "{a1_line}");
    assert!(lines[3].starts_with("team total,,"), "{english}");
    reads_chinese(&app, org.manager_a).await;
    let manager = app.token("manager.a@example.com", PASSWORD).await;
    let chinese = read(&manager).await;
    assert!(chinese.starts_with("姓名,用户编号,新增线索,跟进次数,"), "{chinese}");
    assert!(chinese.contains("首次响应按时,首次响应逾期"), "{chinese}");
    assert!(
        chinese.lines().last().is_some_and(|l| l.starts_with("团队合计,,")),
        "{chinese}"
    );
}

/// Marks a customer lost through the API with `reason`.
async fn lose(app: &TestApp, token: &str, customer: &str, reason: &str) {
    let body = json!({"status": "lost", "reason": reason});
    let path = format!("/api/v1/customers/{customer}/status");
    expect_json(app.post_json(&path, Some(token), &body).await, 200).await;
}

async fn new_lead(app: &TestApp, token: &str, name: &str, channel: &str) -> String {
    let body = json!({"name": name, "channel": channel});
    expect_json(app.post_json("/api/v1/customers", Some(token), &body).await, 201).await["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

fn group<'a>(report: &'a Value, list: &str, key: &str, value: &Value) -> &'a Value {
    report[list]
        .as_array()
        .expect(list)
        .iter()
        .find(|g| &g[key] == value)
        .unwrap_or_else(|| panic!("no {key} {value} in {list}: {report}"))
}

#[tokio::test]
async fn churn_groups_the_lost_by_reason_channel_stage_and_consultant_within_reach() {
    let app = spawn_app().await;
    let org = org(&app).await;
    let a1 = app.token("a1@example.com", PASSWORD).await;
    let a2 = app.token("a2@example.com", PASSWORD).await;
    let b1 = app.token("b1@example.com", PASSWORD).await;
    create_user(&app, "cm@example.com", "customer_manager", None).await;
    let cm_id = tests::org::my_id(&app, &app.token("cm@example.com", PASSWORD).await).await;
    reads_chinese(&app, cm_id.parse().expect("uuid")).await;
    let customer_manager = app.token("cm@example.com", PASSWORD).await;

    let x = new_lead(&app, &a1, "流失甲", "website").await;
    let y = new_lead(&app, &a1, "流失乙", "store_walk_in").await;
    let z = new_lead(&app, &a2, "流失丙", "website").await;
    let w = new_lead(&app, &b1, "流失丁", "social_media").await;
    new_lead(&app, &a1, "还在跟进", "website").await;
    // Y was reached first: lost from `contacted`.
    let reached = json!({"kind": "call", "reached": true});
    expect_json(
        app.post_json(&format!("/api/v1/customers/{y}/follow-ups"), Some(&a1), &reached)
            .await,
        201,
    )
    .await;
    lose(&app, &a1, &x, "价格太高").await;
    lose(&app, &a1, &y, "价格太高").await;
    lose(&app, &a2, &z, "moved to another city").await;
    lose(&app, &b1, &w, "价格太高").await;
    // One lost before the stage was kept (straight in the database).
    let now = Utc::now();
    customers::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set("旧流失".to_owned()),
        channel: Set(customers::Channel::Website),
        status: Set(customers::CustomerStatus::Lost),
        lost_reason: Set(Some("moved to another city".to_owned())),
        lost_at: Set(Some(now)),
        key_account: Set(false),
        owner_id: Set(Some(org.consultant_a2)),
        team_id: Set(Some(org.team_a)),
        created_at: Set(now - chrono::Duration::days(400)),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .expect("old lost customer");

    // The customer manager reads everyone's, in Chinese.
    let all = list(&app, "/api/v1/reports/churn", &customer_manager).await;
    assert_eq!((&all["lost"], &all["created"]), (&json!(5), &json!(5)), "{all}");
    assert_eq!(all["loss_rate_permille"], 1000);
    let price = group(&all, "by_reason", "reason", &json!("价格太高"));
    assert_eq!(
        (&price["lost"], &price["share_permille"], &price["label"]),
        (&json!(3), &json!(600), &json!("价格太高"))
    );
    assert_eq!(all["by_reason"][0]["reason"], "价格太高", "most lost first");
    assert_eq!(
        group(&all, "by_reason", "reason", &json!("moved to another city"))["lost"],
        2
    );
    let new = group(&all, "by_stage", "stage", &json!("new"));
    assert_eq!((&new["lost"], &new["label"]), (&json!(3), &json!("新线索")));
    let contacted = group(&all, "by_stage", "stage", &json!("contacted"));
    assert_eq!(
        (&contacted["lost"], &contacted["share_permille"]),
        (&json!(1), &json!(200))
    );
    let unknown = group(&all, "by_stage", "stage", &Value::Null);
    assert_eq!(unknown["lost"], 1, "{all}");
    let website = group(&all, "by_channel", "channel", &json!("website"));
    assert_eq!(
        (
            &website["lost"],
            &website["created"],
            &website["loss_rate_permille"],
            &website["label"]
        ),
        (&json!(3), &json!(3), &json!(1000), &json!("官网"))
    );
    let walk_in = group(&all, "by_channel", "channel", &json!("store_walk_in"));
    assert_eq!((&walk_in["lost"], &walk_in["created"]), (&json!(1), &json!(1)));
    assert_eq!(all["by_channel"].as_array().map(Vec::len), Some(6), "every channel");
    let first = group(&all, "by_consultant", "consultant_id", &json!(org.consultant_a1));
    assert_eq!(
        (
            &first["lost"],
            &first["created"],
            &first["loss_rate_permille"],
            &first["label"]
        ),
        (&json!(2), &json!(3), &json!(666), &json!("a1"))
    );
    let second = group(&all, "by_consultant", "consultant_id", &json!(org.consultant_a2));
    assert_eq!(
        (&second["lost"], &second["created"], &second["loss_rate_permille"]),
        (&json!(2), &json!(1), &json!(2000))
    );

    // Team A's manager reads team A's only, in English; a team filter narrows.
    let manager = app.token("manager.a@example.com", PASSWORD).await;
    let team = list(&app, "/api/v1/reports/churn", &manager).await;
    assert_eq!(team["lost"], 4, "{team}");
    assert_eq!(group(&team, "by_stage", "stage", &json!("new"))["label"], "new lead");
    assert_eq!(
        group(&team, "by_stage", "stage", &Value::Null)["label"],
        "not recorded (lost before the stage was kept)"
    );
    assert!(
        team["by_consultant"]
            .as_array()
            .expect("consultants")
            .iter()
            .all(|g| g["consultant_id"] != org.consultant_b.to_string()),
        "{team}"
    );
    let only_b = list(
        &app,
        &format!("/api/v1/reports/churn?team_id={}", org.team_b),
        &customer_manager,
    )
    .await;
    assert_eq!(only_b["lost"], 1);
    // Outside the span nothing is lost.
    let before = list(
        &app,
        "/api/v1/reports/churn?from=2020-01-01&to=2020-12-31",
        &customer_manager,
    )
    .await;
    assert_eq!((&before["lost"], &before["by_reason"]), (&json!(0), &json!([])));
    // Reopening a customer takes it out of the churn.
    let reopen = json!({"status": "active"});
    expect_json(
        app.post_json(&format!("/api/v1/customers/{y}/status"), Some(&a1), &reopen)
            .await,
        200,
    )
    .await;
    let after = list(&app, "/api/v1/reports/churn", &customer_manager).await;
    assert_eq!(after["lost"], 4);
}

/// An app whose timer pump looks often, so that a digest moved a second ahead runs promptly.
async fn quick_app() -> TestApp {
    spawn_app_with(AppOptions {
        customise: tests::quick_timers,
        ..AppOptions::default()
    })
    .await
}

#[tokio::test]
async fn the_daily_digest_carries_the_reports_figures_with_the_amount_in_yuan_in_each_managers_language() {
    let app = quick_app().await;
    let org = org(&app).await;
    let tz = app.settings.timezone;
    let manager_b = create_user(&app, "manager.b@example.com", "manager", Some(org.team_b)).await;
    entities::teams::ActiveModel {
        id: Set(org.team_b),
        manager_id: Set(Some(manager_b)),
        ..Default::default()
    }
    .update(&app.db)
    .await
    .expect("manager of team B");
    reads_chinese(&app, manager_b).await;
    let now = Utc::now().to_rfc3339();
    let ca = customer(&app, org.consultant_a1, org.team_a, &now).await;
    deal(
        &app,
        (org.consultant_a1, org.team_a, ca),
        123_456_700,
        &now,
        "subscribed",
    )
    .await;
    let cb = customer(&app, org.consultant_b, org.team_b, &now).await;
    deal(
        &app,
        (org.consultant_b, org.team_b, cb),
        123_456_700,
        &now,
        "subscribed",
    )
    .await;

    let today: NaiveDate = Utc::now().with_timezone(&tz).date_naive();
    let key = format!("periodic:digest_daily:{today}");
    eventually(Duration::from_secs(10), "today's digest scheduled", || async {
        timers::Entity::find()
            .filter(timers::Column::DedupeKey.eq(&key))
            .one(&app.db)
            .await
            .expect("timer")
    })
    .await;
    timers::Entity::update_many()
        .col_expr(
            timers::Column::DueAt,
            Expr::value(Utc::now() + chrono::Duration::seconds(1)),
        )
        .filter(timers::Column::DedupeKey.eq(&key))
        .exec(&app.db)
        .await
        .expect("move the day's end");

    // The workers ran yesterday's digest at start-up; today's is the one moved.
    let label = today.to_string();
    let digest = async |email: &str| {
        let token = app.token(email, PASSWORD).await;
        eventually(Duration::from_secs(10), &format!("{email}'s digest"), || async {
            let all = list(&app, "/api/v1/notifications", &token).await;
            all["items"]
                .as_array()
                .expect("items")
                .iter()
                .find(|n| n["kind"] == "digest_daily" && n["title"].as_str().is_some_and(|t| t.contains(&label)))
                .cloned()
        })
        .await
    };
    let english = digest("manager.a@example.com").await;
    assert_eq!(
        english["title"],
        format!("A digest {today}: 1 units sold for ¥1,234,567.00"),
        "{english}"
    );
    let body = english["body"].as_str().expect("body");
    assert!(body.contains("1 deals subscribed, 0 contracted"), "{body}");
    assert!(
        body.contains(&format!("no team target set for {}", &today.to_string()[..7])),
        "{body}"
    );
    let chinese = digest("manager.b@example.com").await;
    assert_eq!(
        chinese["title"],
        format!("B {today} 简报：成交 1 套，123.46万元"),
        "{chinese}"
    );
    let body = chinese["body"].as_str().expect("body");
    assert!(body.contains("认购 1 笔，签约 0 笔"), "{body}");
    assert!(body.starts_with("统计时段："), "{body}");
    // The report says the same.
    let director = app.token("director@example.com", PASSWORD).await;
    let report = list(&app, &report_path(org.team_a, &format!("date={today}")), &director).await;
    assert_eq!(report["total"]["amount_sold_fen"], 123_456_700);
}

#[tokio::test]
async fn the_demo_shows_each_teams_report_and_this_weeks_churn() {
    let app = spawn_app().await;
    domain::demo::load(&app.db, app.settings.timezone)
        .await
        .expect("demo")
        .expect("loaded");
    let customer_manager = app
        .token("customer.manager@demo.estateflow.local", domain::demo::DEMO_PASSWORD)
        .await;
    let churn = list(&app, "/api/v1/reports/churn", &customer_manager).await;
    assert!(churn["lost"].as_i64().is_some_and(|n| n >= 6), "{churn}");
    for stage in ["new", "contacted"] {
        let from = group(&churn, "by_stage", "stage", &json!(stage));
        assert!(from["lost"].as_i64().is_some_and(|n| n >= 3), "{churn}");
    }
    assert_eq!(group(&churn, "by_stage", "stage", &json!("new"))["label"], "新线索");
    let manager = app
        .token("manager.pudong@demo.estateflow.local", domain::demo::DEMO_PASSWORD)
        .await;
    let me = list(&app, "/api/v1/me", &manager).await;
    let team = me["team_id"].as_str().expect("the manager's team").to_owned();
    let week = list(&app, &format!("/api/v1/teams/{team}/report?period=week"), &manager).await;
    assert_eq!(week["consultants"].as_array().map(Vec::len), Some(2), "{week}");
    assert_eq!(week["total"]["sla"].as_array().map(Vec::len), Some(5), "{week}");
}
