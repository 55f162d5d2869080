//! Periodic runs: the monthly KPI snapshot, each manager's daily and weekly
//! digests and the quarterly Sales Star run at the start of their period
//! (business time zone), once, and schedule the next period's. Waiting for a real midnight is not
//! possible in a test, so the test moves the next period's due time to a
//! second from now, as the deadline tests shorten their policies.

use std::time::Duration;

use chrono::{Datelike, NaiveDate, TimeZone, Utc};
use entities::{award_runs, kpi_snapshots, notifications, timers, timers::TimerState};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, sea_query::Expr};
use serde_json::json;
use tests::{
    client::expect_json,
    eventually,
    org::{PASSWORD, org},
};

use crate::{lag, quick_app};

/// `periodic:<job>:<label>`, the key of a period's run.
fn key(job: &str, label: &str) -> String {
    format!("periodic:{job}:{label}")
}

async fn timer(app: &tests::TestApp, key: &str) -> Option<timers::Model> {
    timers::Entity::find()
        .filter(timers::Column::DedupeKey.eq(key))
        .one(&app.db)
        .await
        .expect("timer")
}

#[tokio::test]
async fn the_kpi_snapshot_digests_and_sales_star_run_at_their_period_start_once_and_schedule_the_next() {
    let app = quick_app().await;
    let org = org(&app).await;
    let tz = app.settings.timezone;
    let consultant = app.token("a1@example.com", PASSWORD).await;
    let body = json!({"name": "今天的客户", "channel": "website"});
    expect_json(app.post_json("/api/v1/customers", Some(&consultant), &body).await, 201).await;

    let today = Utc::now().with_timezone(&tz).date_naive();
    let midnight = |day: NaiveDate| {
        tz.from_local_datetime(&day.and_hms_opt(0, 0, 0).expect("midnight"))
            .earliest()
            .expect("local midnight")
            .with_timezone(&Utc)
    };
    let month = format!("{:04}-{:02}", today.year(), today.month());
    let week = format!("{}-W{:02}", today.iso_week().year(), today.iso_week().week());
    let next_month = NaiveDate::from_ymd_opt(today.year() + i32::from(today.month() == 12), today.month() % 12 + 1, 1)
        .expect("first of next month");
    let quarter = format!("{}-Q{}", today.year(), today.month0() / 3 + 1);
    let first_of = |year: i32, month: u32| NaiveDate::from_ymd_opt(year, month, 1).expect("first of a month");
    let next_quarter = match today.month0() / 3 {
        3 => first_of(today.year() + 1, 1),
        q => first_of(today.year(), q * 3 + 4),
    };
    let next_monday = today + chrono::Days::new(u64::from(7 - today.weekday().num_days_from_monday()));
    let tomorrow = today + chrono::Days::new(1);
    // The runs of the periods in progress wait for their start, scheduled
    // by the runs of the periods just ended, which the workers ran at start-up.
    let pending = [
        (key("kpi_snapshot", &month), midnight(next_month)),
        (key("digest_daily", &today.to_string()), midnight(tomorrow)),
        (key("digest_weekly", &week), midnight(next_monday)),
        (key("sales_star", &quarter), midnight(next_quarter)),
    ];
    for (key, start) in &pending {
        let timer = eventually(Duration::from_secs(10), &format!("{key} scheduled"), || async {
            timer(&app, key).await
        })
        .await;
        assert_eq!((timer.state, timer.due_at), (TimerState::Pending, *start), "{key}");
    }

    // The periods start a second from now.
    let start = Utc::now() + chrono::Duration::seconds(1);
    let keys: Vec<&String> = pending.iter().map(|(key, _)| key).collect();
    timers::Entity::update_many()
        .col_expr(timers::Column::DueAt, Expr::value(start))
        .filter(timers::Column::DedupeKey.is_in(keys.clone()))
        .exec(&app.db)
        .await
        .expect("move the period starts");
    for key in &keys {
        let fired = eventually(Duration::from_secs(10), &format!("{key} ran"), || async {
            timer(&app, key).await.filter(|t| t.state == TimerState::Fired)
        })
        .await;
        let lag = lag(&fired);
        assert!(
            lag >= chrono::Duration::zero() && lag <= chrono::Duration::seconds(2),
            "{key} ran {lag} after its start"
        );
        assert_eq!(fired.outcome.as_deref(), Some("ran"));
    }

    // The month's figures are kept, once.
    let snapshots = kpi_snapshots::Entity::find()
        .filter(kpi_snapshots::Column::Month.eq(&month))
        .all(&app.db)
        .await
        .expect("snapshots");
    assert_eq!(snapshots.len(), 1);
    let consultants = snapshots[0].consultants.to_string();
    assert!(consultants.contains(&org.consultant_a1.to_string()), "{consultants}");
    // Read back within each caller's scope, and frozen: a lead recorded
    // after the snapshot changes the live figures only.
    expect_json(app.post_json("/api/v1/customers", Some(&consultant), &body).await, 201).await;
    let snapshot = format!("/api/v1/kpis/consultants?month={month}&snapshot=true");
    let own = expect_json(app.get(&snapshot, Some(&consultant)).await, 200).await;
    assert!(own["taken_at"].is_string(), "{own}");
    assert_eq!(own["items"].as_array().map(Vec::len), Some(1), "{own}");
    assert_eq!(own["items"][0]["user_id"], org.consultant_a1.to_string());
    assert_eq!(own["items"][0]["new_leads"], 1);
    let live = format!("/api/v1/kpis/consultants?month={month}");
    let live = expect_json(app.get(&live, Some(&consultant)).await, 200).await;
    assert_eq!(
        (live["items"][0]["new_leads"].clone(), live["taken_at"].clone()),
        (json!(2), json!(null))
    );
    let manager = app.token("manager.a@example.com", PASSWORD).await;
    let team = expect_json(app.get(&snapshot, Some(&manager)).await, 200).await;
    let mut people: Vec<&str> = team["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["user_id"].as_str())
        .collect();
    people.sort_unstable();
    let mut expected = [org.consultant_a1.to_string(), org.consultant_a2.to_string()];
    expected.sort_unstable();
    assert_eq!(people, expected, "team A's consultants only");
    let teams = format!("/api/v1/kpis/teams?month={month}&snapshot=true");
    let teams = expect_json(app.get(&teams, Some(&manager)).await, 200).await;
    assert_eq!(teams["items"].as_array().map(Vec::len), Some(1), "{teams}");
    assert_eq!(teams["items"][0]["team_id"], org.team_a.to_string());
    let director = app.token("director@example.com", PASSWORD).await;
    let everyone = expect_json(app.get(&snapshot, Some(&director)).await, 200).await;
    assert_eq!(everyone["items"].as_array().map(Vec::len), Some(3), "{everyone}");
    let never = app
        .get("/api/v1/kpis/teams?month=2020-01&snapshot=true", Some(&director))
        .await;
    assert_eq!(expect_json(never, 404).await["code"], "not_found");

    // This quarter's Sales Star: one scheduled run, computed and published.
    let run = eventually(Duration::from_secs(10), "the quarter's award published", || async {
        let runs = award_runs::Entity::find()
            .filter(award_runs::Column::Period.eq(&quarter))
            .all(&app.db)
            .await
            .expect("runs");
        (runs.len() == 1 && runs[0].status == award_runs::RunStatus::Published).then(|| runs[0].clone())
    })
    .await;
    assert_eq!(run.trigger, award_runs::RunTrigger::Scheduled);

    // The manager got today's and this week's digest (the team's report:
    // no sales yet), counting the new lead.
    let list = expect_json(app.get("/api/v1/notifications", Some(&manager)).await, 200).await;
    let digests: Vec<(&str, &str)> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|n| n["kind"] == "digest_daily" || n["kind"] == "digest_weekly")
        .filter_map(|n| Some((n["title"].as_str()?, n["body"].as_str()?)))
        .collect();
    for label in [today.to_string(), week.clone()] {
        let title = format!("A digest {label}: 0 units sold for ¥0.00");
        let body = digests.iter().find(|(t, _)| *t == title).map(|(_, b)| *b);
        let body = body.unwrap_or_else(|| panic!("{title} not in {digests:?}"));
        assert!(body.contains("1 new leads, 0 follow-ups"), "{body}");
    }
    let digests = notifications::Entity::find()
        .filter(notifications::Column::UserId.eq(org.manager_a))
        .filter(notifications::Column::Title.contains(today.to_string()))
        .count(&app.db)
        .await
        .expect("count");
    assert_eq!(digests, 1, "one daily digest for today");

    // Each run scheduled its next period's, at that period's local midnight.
    let day_after = tomorrow + chrono::Days::new(1);
    let month_after = NaiveDate::from_ymd_opt(
        next_month.year() + i32::from(next_month.month() == 12),
        next_month.month() % 12 + 1,
        1,
    )
    .expect("first of the month after");
    let next_week = format!(
        "{}-W{:02}",
        next_monday.iso_week().year(),
        next_monday.iso_week().week()
    );
    for (key, start) in [
        (
            key(
                "kpi_snapshot",
                &format!("{:04}-{:02}", next_month.year(), next_month.month()),
            ),
            midnight(month_after),
        ),
        (key("digest_daily", &tomorrow.to_string()), midnight(day_after)),
        (
            key("digest_weekly", &next_week),
            midnight(next_monday + chrono::Days::new(7)),
        ),
    ] {
        let timer = timer(&app, &key).await.unwrap_or_else(|| panic!("{key} scheduled"));
        assert_eq!((timer.state, timer.due_at), (TimerState::Pending, start), "{key}");
    }
}
