//! Bonuses by ranking (绩效奖金：根据业绩排名，按比例发放月度/季度奖金): the
//! director versions the rules that share a pool by rank and sets pools per
//! month or quarter for the department or a team; a pool is computed on
//! demand and by the period-end job with the Sales Star's ranking, each
//! line explained, and published once to the consultants it pays.
//!
//! This month's sales are written straight to the database: a1 sells 2
//! units for 200 million fen, a2 one for 300 million, b1 one for 100
//! million, b2 (team B) nothing, so under the default Sales Star weights
//! a1 scores 0.6, a2 0.5, b1 0.3, and b2 is not eligible (no unit sold).

use std::time::Duration;

use chrono::{Datelike, Utc};
use entities::{timers, timers::TimerState};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use serde_json::{Value, json};
use tests::{
    AppOptions, TestApp, assert_invalid, assert_problem,
    client::expect_json,
    eventually,
    org::{Org, PASSWORD, create_user, list, org, reads_chinese},
    records::{customer, deal},
    spawn_app, spawn_app_with,
};
use uuid::Uuid;

/// The organisation, b2 and the tokens the tests use.
struct Bonus {
    org: Org,
    b2: Uuid,
    director: String,
    manager: String,
    a1: String,
    b2_token: String,
}

/// This month in the business time zone, `2026-11`.
fn this_month(app: &TestApp) -> String {
    let today = Utc::now().with_timezone(&app.settings.timezone).date_naive();
    format!("{:04}-{:02}", today.year(), today.month())
}

async fn sales(app: &TestApp) -> Bonus {
    let o = org(app).await;
    let b2 = create_user(app, "b2@example.com", "consultant", Some(o.team_b)).await;
    let now = Utc::now().to_rfc3339();
    for (consultant, team, prices) in [
        (o.consultant_a1, o.team_a, vec![100_000_000, 100_000_000]),
        (o.consultant_a2, o.team_a, vec![300_000_000]),
        (o.consultant_b, o.team_b, vec![100_000_000]),
    ] {
        let c = customer(app, consultant, team, &now).await;
        for price in prices {
            deal(app, (consultant, team, c), price, &now, "subscribed").await;
        }
    }
    Bonus {
        b2,
        director: app.token("director@example.com", PASSWORD).await,
        manager: app.token("manager.a@example.com", PASSWORD).await,
        a1: app.token("a1@example.com", PASSWORD).await,
        b2_token: app.token("b2@example.com", PASSWORD).await,
        org: o,
    }
}

async fn new_pool(app: &TestApp, token: &str, body: &Value) -> Value {
    expect_json(app.post_json("/api/v1/bonus-pools", Some(token), body).await, 201).await
}

fn department(period: &str, fen: i64) -> Value {
    json!({"period": period, "scope": "department", "pool_fen": fen})
}

fn team(period: &str, team: Uuid, fen: i64) -> Value {
    json!({"period": period, "scope": "team", "team_id": team, "pool_fen": fen})
}

fn path(pool: &Value, tail: &str) -> String {
    format!("/api/v1/bonus-pools/{}{tail}", pool["id"].as_str().expect("id"))
}

async fn compute(app: &TestApp, token: &str, pool: &Value) -> reqwest::Response {
    app.post_json(&path(pool, "/computations"), Some(token), &json!({}))
        .await
}

async fn publish(app: &TestApp, token: &str, pool: &Value) -> reqwest::Response {
    app.post_json(&path(pool, "/publication"), Some(token), &json!({}))
        .await
}

fn lines(pool: &Value) -> &Vec<Value> {
    pool["lines"].as_array().expect("lines")
}

fn line(pool: &Value, user: Uuid) -> &Value {
    lines(pool)
        .iter()
        .find(|l| l["user_id"] == user.to_string())
        .unwrap_or_else(|| panic!("no line for {user} in {pool}"))
}

/// Half to the best rank, half shared by ranks 2 and 3.
async fn halves(app: &TestApp, director: &str) {
    let body = json!({"shares": [{"up_to_rank": 1, "share_permille": 500}, {"up_to_rank": 3, "share_permille": 500}]});
    let rules = expect_json(app.put_json("/api/v1/bonus-rules", Some(director), &body).await, 200).await;
    assert_eq!(rules["version"], 2, "{rules}");
}

#[tokio::test]
async fn a_pool_is_shared_by_rank_and_its_amounts_add_up_exactly_to_the_pool() {
    let app = spawn_app().await;
    let s = sales(&app).await;
    halves(&app, &s.director).await;
    let month = this_month(&app);
    let pool = new_pool(&app, &s.director, &department(&month, 1_000_001)).await;
    assert_eq!(
        (pool["status"].as_str(), pool["scope"].as_str()),
        (Some("open"), Some("department"))
    );

    let computed = expect_json(compute(&app, &s.director, &pool).await, 200).await;
    assert_eq!(computed["status"], "computed");
    assert_eq!(
        (
            computed["rules_version"].clone(),
            computed["award_rules_version"].clone()
        ),
        (json!(2), json!(1))
    );
    let o = &s.org;
    let order: Vec<&str> = lines(&computed).iter().filter_map(|l| l["user_id"].as_str()).collect();
    let expected = [o.consultant_a1, o.consultant_a2, o.consultant_b, s.b2].map(|u| u.to_string());
    assert_eq!(order, expected.iter().map(String::as_str).collect::<Vec<_>>());
    let got: Vec<(Value, Value, Value, Value, Value)> = lines(&computed)
        .iter()
        .map(|l| {
            (
                l["rank"].clone(),
                l["basis"].clone(),
                l["band"].clone(),
                l["share_permille"].clone(),
                l["amount_fen"].clone(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (json!(1), json!("band"), json!(1), json!(500.0), json!(500_001)),
            (json!(2), json!("band"), json!(2), json!(250.0), json!(250_000)),
            (json!(3), json!("band"), json!(2), json!(250.0), json!(250_000)),
            (json!(null), json!("none"), json!(null), json!(0.0), json!(0)),
        ]
    );
    // The odd fen went to the largest fraction; nothing is lost to rounding.
    let sum: i64 = lines(&computed).iter().filter_map(|l| l["amount_fen"].as_i64()).sum();
    assert_eq!(
        (sum, computed["paid_fen"].as_i64(), computed["unpaid_fen"].as_i64()),
        (1_000_001, Some(1_000_001), Some(0))
    );

    // Every line explains itself: figures, normalised figures, score.
    let a1 = line(&computed, o.consultant_a1);
    assert_eq!(
        (
            a1["figures"]["units_sold"].clone(),
            a1["figures"]["amount_sold_fen"].clone()
        ),
        (json!(2), json!(200_000_000))
    );
    assert_eq!(a1["normalised"]["units_sold"], 1.0);
    assert_eq!(
        (
            a1["score"].clone(),
            a1["eligible"].clone(),
            a1["ineligible_reason"].clone()
        ),
        (json!(0.6), json!(true), json!(null))
    );
    assert_eq!(line(&computed, o.consultant_b)["score"], 0.3);
    let basis = &computed["basis"];
    assert_eq!(
        (basis["period"].as_str(), basis["rules_version"].as_i64()),
        (Some(month.as_str()), Some(2))
    );
    assert_eq!(basis["shares"][0], json!({"up_to_rank": 1, "share_permille": 500}));
    assert_eq!(basis["weights"]["units_sold"], 0.4);
    assert_eq!(basis["eligibility"]["min_units_sold"], 1);
    assert_eq!(
        basis["maxima"],
        json!({"units_sold": 2, "amount_sold_fen": 300_000_000, "new_leads": 1})
    );
    assert!(basis["from"].is_string() && basis["to"].is_string(), "{basis}");

    // Not eligible: nothing, and why, in the reader's language.
    let b2 = line(&computed, s.b2);
    assert_eq!(
        (b2["eligible"].clone(), b2["amount_fen"].clone()),
        (json!(false), json!(0))
    );
    assert_eq!(b2["ineligible_reason"], "sold 0 units, fewer than 1");
    assert_eq!(
        b2["unmet"],
        json!([{"condition": "min_units_sold", "sold": 0, "min": 1}])
    );
    reads_chinese(&app, o.director).await;
    let read = expect_json(app.get(&path(&pool, ""), Some(&s.director)).await, 200).await;
    assert_eq!(line(&read, s.b2)["ineligible_reason"], "售出 0 套，少于 1 套");

    // Created and computed, audited.
    let admin = app.admin_token().await;
    let audit = list(
        &app,
        &format!(
            "/api/v1/audit-log?entity=bonus_pool&entity_id={}",
            pool["id"].as_str().expect("id")
        ),
        &admin,
    )
    .await;
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    assert_eq!(actions, ["create", "compute"]);
}

#[tokio::test]
async fn a_team_pool_ranks_its_team_only_and_a_second_pool_of_a_period_and_scope_is_a_conflict() {
    let app = spawn_app().await;
    let s = sales(&app).await;
    let month = this_month(&app);
    let o = &s.org;
    let pool = new_pool(&app, &s.director, &team(&month, o.team_a, 1_000_000)).await;
    let computed = expect_json(compute(&app, &s.director, &pool).await, 200).await;
    let ranks: Vec<(String, Value)> = lines(&computed)
        .iter()
        .map(|l| (l["user_id"].as_str().unwrap_or_default().to_owned(), l["rank"].clone()))
        .collect();
    assert_eq!(
        ranks,
        [
            (o.consultant_a1.to_string(), json!(1)),
            (o.consultant_a2.to_string(), json!(2))
        ]
    );
    // Default rules: 400 ‰ to rank 1, 300 ‰ to ranks 2–3, 300 ‰ to the rest;
    // nobody holds rank 3 or the rest, so the held shares take the pool.
    let amounts: Vec<i64> = lines(&computed)
        .iter()
        .filter_map(|l| l["amount_fen"].as_i64())
        .collect();
    assert_eq!(amounts, [571_429, 428_571]);
    assert_eq!(computed["unpaid_fen"], 0);

    let again = app
        .post_json("/api/v1/bonus-pools", Some(&s.director), &team(&month, o.team_a, 5))
        .await;
    assert_problem(again, 409, "conflict").await;
    // Another scope of the same period, or another period, is a pool of its own.
    new_pool(&app, &s.director, &team(&month, o.team_b, 5)).await;
    new_pool(&app, &s.director, &department(&month, 5)).await;
    new_pool(&app, &s.director, &team("2026-Q4", o.team_a, 5)).await;
    let pools = list(&app, &format!("/api/v1/bonus-pools?period={month}"), &s.director).await;
    assert_eq!(pools["items"].as_array().map(Vec::len), Some(3), "{pools}");
    assert!(pools["items"][0]["lines"].is_null());
}

#[tokio::test]
async fn a_pool_is_published_once_then_frozen_and_each_consultant_is_told_their_rank_and_amount() {
    let app = spawn_app().await;
    let s = sales(&app).await;
    reads_chinese(&app, s.b2).await;
    let pool = new_pool(&app, &s.director, &department(&this_month(&app), 1_000_000)).await;
    let early = assert_problem(publish(&app, &s.director, &pool).await, 409, "conflict").await;
    assert_eq!(
        early["detail"],
        "the pool has not been computed yet: compute it before publishing"
    );

    let computed = expect_json(compute(&app, &s.director, &pool).await, 200).await;
    let published = expect_json(publish(&app, &s.director, &pool).await, 200).await;
    assert_eq!(published["status"], "published");
    assert_eq!(published["published_by"], s.org.director.to_string());
    assert_eq!(lines(&published), lines(&computed), "publishing changes no line");
    assert_problem(publish(&app, &s.director, &pool).await, 409, "conflict").await;
    assert_problem(compute(&app, &s.director, &pool).await, 409, "conflict").await;
    let frozen = expect_json(app.get(&path(&pool, ""), Some(&s.director)).await, 200).await;
    assert_eq!(frozen["computed_at"], published["computed_at"]);

    let a1_amount = line(&computed, s.org.consultant_a1)["amount_fen"]
        .as_i64()
        .expect("amount");
    // Default rules: rank 1's 400 ‰ of the 700 ‰ held (nobody ranks after 3).
    assert_eq!(a1_amount, 571_428);
    let notices = list(&app, "/api/v1/notifications?kind=bonus_published", &s.a1).await;
    let titles: Vec<&str> = notices["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|n| n["title"].as_str())
        .collect();
    assert_eq!(titles, [format!("Bonus for {}: rank 1, ¥5,714.28", this_month(&app))]);
    let notices = list(&app, "/api/v1/notifications?kind=bonus_published", &s.b2_token).await;
    let notice = &notices["items"][0];
    assert_eq!(notice["title"], format!("{} 绩效奖金：未参与排名", this_month(&app)));
    assert_eq!(notice["body"], "原因：售出 0 套，少于 1 套");
    assert_eq!(notice["subject_id"], pool["id"]);

    let admin = app.admin_token().await;
    let audit = list(
        &app,
        &format!(
            "/api/v1/audit-log?entity=bonus_pool&entity_id={}&action=publish",
            pool["id"].as_str().expect("id")
        ),
        &admin,
    )
    .await;
    assert_eq!(audit["items"].as_array().map(Vec::len), Some(1), "{audit}");
}

#[tokio::test]
async fn a_consultant_reads_only_their_own_line_of_published_pools_and_a_manager_only_their_teams_pools() {
    let app = spawn_app().await;
    let s = sales(&app).await;
    let month = this_month(&app);
    let o = &s.org;
    let pool = new_pool(&app, &s.director, &department(&month, 1_000_000)).await;
    expect_json(compute(&app, &s.director, &pool).await, 200).await;
    // Not published: not the consultants' yet.
    assert_problem(app.get(&path(&pool, ""), Some(&s.a1)).await, 404, "not_found").await;
    let none = list(&app, "/api/v1/bonus-pools", &s.a1).await;
    assert_eq!(none["items"], json!([]));

    expect_json(publish(&app, &s.director, &pool).await, 200).await;
    let own = expect_json(app.get(&path(&pool, ""), Some(&s.a1)).await, 200).await;
    assert_eq!(lines(&own).len(), 1, "{own}");
    assert_eq!(lines(&own)[0]["user_id"], o.consultant_a1.to_string());
    assert_eq!(lines(&own)[0]["rank"], 1);
    let mine = list(&app, "/api/v1/bonus-pools", &s.a1).await;
    assert_eq!(mine["items"].as_array().map(Vec::len), Some(1));

    let team_a = new_pool(&app, &s.director, &team(&month, o.team_a, 100)).await;
    let team_b = new_pool(&app, &s.director, &team(&month, o.team_b, 100)).await;
    expect_json(compute(&app, &s.director, &team_a).await, 200).await;
    let theirs = expect_json(app.get(&path(&team_a, ""), Some(&s.manager)).await, 200).await;
    assert_eq!(lines(&theirs).len(), 2);
    assert_problem(app.get(&path(&team_b, ""), Some(&s.manager)).await, 404, "not_found").await;
    let pools = list(&app, "/api/v1/bonus-pools", &s.manager).await;
    let ids: Vec<&str> = pools["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|p| p["id"].as_str())
        .collect();
    assert_eq!(ids, [team_a["id"].as_str().expect("id")]);

    // Only the director manages pools.
    assert_problem(compute(&app, &s.manager, &team_a).await, 403, "forbidden").await;
    assert_problem(publish(&app, &s.a1, &pool).await, 403, "forbidden").await;
    let refused = app
        .post_json("/api/v1/bonus-pools", Some(&s.manager), &team(&month, o.team_a, 1))
        .await;
    assert_problem(refused, 403, "forbidden").await;
}

#[tokio::test]
async fn the_period_end_job_computes_the_pools_of_the_month_just_ended_once() {
    let app = spawn_app_with(AppOptions {
        customise: tests::quick_timers,
        ..AppOptions::default()
    })
    .await;
    let s = sales(&app).await;
    let month = this_month(&app);
    let open = new_pool(&app, &s.director, &team(&month, s.org.team_a, 1_000)).await;
    // A second team's pool of the same month, computed by the same run from the same figures.
    let other = new_pool(&app, &s.director, &team(&month, s.org.team_b, 500)).await;
    let done = new_pool(&app, &s.director, &department(&month, 1_000)).await;
    let computed = expect_json(compute(&app, &s.director, &done).await, 200).await;
    expect_json(publish(&app, &s.director, &done).await, 200).await;

    // This month's run waits for the month's end; the month ends a second from now.
    let key = format!("periodic:bonuses:{month}");
    let find = || async {
        timers::Entity::find()
            .filter(timers::Column::DedupeKey.eq(&key))
            .one(&app.db)
            .await
            .expect("timer")
    };
    eventually(Duration::from_secs(10), "the month's bonus run scheduled", || async {
        find().await.filter(|t| t.state == TimerState::Pending)
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
        .expect("move the month's end");
    let fired = eventually(Duration::from_secs(10), "the month's bonus run", || async {
        find().await.filter(|t| t.state == TimerState::Fired)
    })
    .await;
    assert_eq!(fired.outcome.as_deref(), Some("ran"));

    let pool = expect_json(app.get(&path(&open, ""), Some(&s.director)).await, 200).await;
    assert_eq!(pool["status"], "computed");
    assert_eq!(pool["computed_by"], Value::Null, "computed by the job");
    let amounts: Vec<i64> = lines(&pool).iter().filter_map(|l| l["amount_fen"].as_i64()).collect();
    assert_eq!(amounts.iter().sum::<i64>(), 1_000);
    let other = expect_json(app.get(&path(&other, ""), Some(&s.director)).await, 200).await;
    assert_eq!(other["status"], "computed");
    // A published pool stays as it was.
    let frozen = expect_json(app.get(&path(&done, ""), Some(&s.director)).await, 200).await;
    assert_eq!(
        (frozen["status"].as_str(), &frozen["computed_at"]),
        (Some("published"), &computed["computed_at"])
    );
    // The next month's run is scheduled.
    let next = timers::Entity::find()
        .filter(timers::Column::DedupeKey.like("periodic:bonuses:%"))
        .filter(timers::Column::State.eq(TimerState::Pending))
        .all(&app.db)
        .await
        .expect("timers");
    assert_eq!(next.len(), 1);
    assert_ne!(next[0].dedupe_key, key);
}

#[tokio::test]
async fn rules_and_pools_that_break_a_rule_are_refused_field_by_field_and_change_nothing() {
    let app = spawn_app().await;
    let s = sales(&app).await;
    let before = expect_json(app.get("/api/v1/bonus-rules", Some(&s.a1)).await, 200).await;
    assert_eq!(before["version"], 1);
    assert_eq!(before["rest_permille"], 300);

    let body = json!({"shares": [{"up_to_rank": 2, "share_permille": 600}, {"up_to_rank": 2, "share_permille": 300},
                                 {"up_to_rank": 5, "share_permille": -1}], "rest_permille": 200});
    let response = app.put_json("/api/v1/bonus-rules", Some(&s.director), &body).await;
    let problem = assert_invalid(
        response,
        &["/shares/1/up_to_rank", "/shares/2/share_permille", "/shares"],
    )
    .await;
    assert_eq!(
        problem["errors"][2]["detail"],
        "the bands and the rest add up to 1100 per mille, more than 1000"
    );
    let after = expect_json(app.get("/api/v1/bonus-rules", Some(&s.director)).await, 200).await;
    assert_eq!(after, before);
    reads_chinese(&app, s.org.director).await;
    let response = app
        .put_json(
            "/api/v1/bonus-rules",
            Some(&s.director),
            &json!({"shares": [], "rest_permille": 1001}),
        )
        .await;
    let problem = assert_invalid(response, &["/rest_permille"]).await;
    assert_eq!(problem["errors"][0]["detail"], "必须在 0 到 1000（‰）之间");
    let manager = app
        .put_json(
            "/api/v1/bonus-rules",
            Some(&s.manager),
            &json!({"shares": [], "rest_permille": 0}),
        )
        .await;
    assert_problem(manager, 403, "forbidden").await;

    for (body, pointers) in [
        (
            json!({"period": "2026", "scope": "department", "pool_fen": 100}),
            vec!["/period"],
        ),
        (
            json!({"period": "2026-11", "scope": "region", "pool_fen": 0}),
            vec!["/scope", "/pool_fen"],
        ),
        (
            json!({"period": "2026-Q4", "scope": "team", "pool_fen": 100}),
            vec!["/team_id"],
        ),
        (
            json!({"period": "2026-Q4", "scope": "department", "team_id": s.org.team_a, "pool_fen": 100}),
            vec!["/team_id"],
        ),
        (
            json!({"period": "2026-Q4", "scope": "team", "team_id": Uuid::now_v7(), "pool_fen": 100}),
            vec!["/team_id"],
        ),
    ] {
        assert_invalid(
            app.post_json("/api/v1/bonus-pools", Some(&s.director), &body).await,
            &pointers,
        )
        .await;
    }
    let pools = list(&app, "/api/v1/bonus-pools", &s.director).await;
    assert_eq!(pools["items"], json!([]));
}
