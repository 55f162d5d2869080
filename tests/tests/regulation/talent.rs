//! Career development (表现优异者优先晋升或参与高端培训): trainings marked
//! advanced, the talent list drawn from the published Sales Star runs of the
//! last quarters, and advanced trainings offered to that list first. The
//! published runs are written straight to the database (as the worker
//! publishes them), so that each quarter's ranks are exactly known.

use chrono::{Duration, Utc};
use entities::{award_runs, award_runs::RunStatus, award_runs::RunTrigger};
use sea_orm::{ActiveModelTrait, Set};
use serde_json::{Value, json};
use tests::{
    TestApp, assert_problem,
    client::expect_json,
    org::{Org, PASSWORD, org},
    spawn_app,
};
use uuid::Uuid;

/// A run of `period` with `status`, published `hours` from now, ranking
/// `ranks`. Runs published an hour ahead come after the scheduled run of the
/// last quarter that the test server's timer engine may publish meanwhile.
async fn run(app: &TestApp, period: &str, status: RunStatus, hours: i64, ranks: &[(Uuid, Option<i64>)]) {
    let published_at = Utc::now() + Duration::hours(hours);
    let standings: Vec<Value> = ranks
        .iter()
        .map(|(user, rank)| json!({"user_id": user, "name": "n", "team_id": null, "rank": rank}))
        .collect();
    award_runs::ActiveModel {
        id: Set(Uuid::now_v7()),
        period: Set(period.to_owned()),
        trigger: Set(RunTrigger::Manual),
        scheduled_key: Set(None),
        status: Set(status),
        rules_version: Set(Some(1)),
        results: Set(Some(json!({"period": period, "standings": standings}))),
        error: Set(None),
        requested_by: Set(None),
        created_at: Set(published_at),
        published_at: Set(Some(published_at)),
    }
    .insert(&app.db)
    .await
    .expect("run");
}

/// 2026-Q2: a1 first, a2 second, b fourth (an earlier run of Q2, put right
/// since, had b first). 2026-Q3: a2 second, b third, a1 fifth. A Q4 run is
/// still queued.
async fn two_quarters(app: &TestApp, o: &Org) {
    let (a1, a2, b) = (o.consultant_a1, o.consultant_a2, o.consultant_b);
    run(
        app,
        "2026-Q2",
        RunStatus::Published,
        -24,
        &[(b, Some(1)), (a1, Some(2))],
    )
    .await;
    run(
        app,
        "2026-Q2",
        RunStatus::Published,
        1,
        &[(a1, Some(1)), (a2, Some(2)), (b, Some(4))],
    )
    .await;
    run(
        app,
        "2026-Q3",
        RunStatus::Published,
        1,
        &[(a2, Some(2)), (b, Some(3)), (a1, Some(5)), (o.manager_a, None)],
    )
    .await;
    run(app, "2026-Q4", RunStatus::Queued, 2, &[(b, Some(1))]).await;
}

async fn talent(app: &TestApp, token: &str, query: &str) -> Value {
    expect_json(app.get(&format!("/api/v1/talent{query}"), Some(token)).await, 200).await
}

fn members(list: &Value) -> Vec<String> {
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|m| m["user_id"].as_str().expect("id").to_owned())
        .collect()
}

fn ids(users: &[Uuid]) -> Vec<String> {
    users.iter().map(Uuid::to_string).collect()
}

async fn training(app: &TestApp, token: &str, body: Value) -> String {
    let created = expect_json(app.post_json("/api/v1/trainings", Some(token), &body).await, 201).await;
    created["id"].as_str().expect("id").to_owned()
}

#[tokio::test]
async fn the_talent_list_names_the_consultants_often_in_the_top_places_with_the_ranks_that_put_them_there() {
    let app = spawn_app().await;
    let o = org(&app).await;
    two_quarters(&app, &o).await;
    let director = app.token("director@example.com", PASSWORD).await;
    let (a1, a2, b) = (o.consultant_a1, o.consultant_a2, o.consultant_b);

    let list = talent(&app, &director, "").await;
    assert_eq!(
        (list["top"].clone(), list["quarters"].clone(), list["times"].clone()),
        (json!(3), json!(4), json!(2))
    );
    assert_eq!(list["periods"], json!(["2026-Q3", "2026-Q2"]));
    assert_eq!(members(&list), ids(&[a2]), "{list}");
    let member = &list["items"][0];
    assert_eq!(member["name"], "a2");
    assert_eq!(member["team_id"], o.team_a.to_string());
    assert_eq!(member["times_in_top"], 2);
    assert_eq!(member["best_rank"], 2);
    assert_eq!(
        member["placings"],
        json!([{"period": "2026-Q3", "rank": 2}, {"period": "2026-Q2", "rank": 2}])
    );

    // Once is enough: most often first, then the best rank.
    assert_eq!(members(&talent(&app, &director, "?times=1").await), ids(&[a2, a1, b]));
    // The top five: a1 twice (best 1), a2 twice (best 2), b twice (best 3).
    assert_eq!(members(&talent(&app, &director, "?top=5").await), ids(&[a1, a2, b]));
    // The last quarter alone.
    let last = talent(&app, &director, "?quarters=1&times=1").await;
    assert_eq!(last["periods"], json!(["2026-Q3"]));
    assert_eq!(members(&last), ids(&[a2, b]));

    // A consultant reads it too, as they read the published runs.
    let consultant = app.token("b1@example.com", PASSWORD).await;
    assert_eq!(members(&talent(&app, &consultant, "").await), ids(&[a2]));
}

#[tokio::test]
async fn the_talent_list_shows_the_advanced_trainings_of_its_quarters_attended_and_not() {
    let app = spawn_app().await;
    let o = org(&app).await;
    two_quarters(&app, &o).await;
    let director = app.token("director@example.com", PASSWORD).await;
    let a2 = o.consultant_a2.to_string();
    let held = training(
        &app,
        &director,
        json!({"title": "Luxury homes", "advanced": true, "held_at": "2026-08-01T06:00:00Z", "attendee_ids": [a2]}),
    )
    .await;
    let response = app
        .put_json(
            &format!("/api/v1/trainings/{held}/attendees/{a2}"),
            Some(&director),
            &json!({"attended": true}),
        )
        .await;
    expect_json(response, 200).await;
    let soon = (Utc::now() + Duration::days(30)).to_rfc3339();
    let upcoming = training(
        &app,
        &director,
        json!({"title": "Negotiation for villas", "advanced": true, "held_at": soon}),
    )
    .await;
    training(
        &app,
        &director,
        json!({"title": "Mortgage rules", "held_at": "2026-08-02T06:00:00Z"}),
    )
    .await;
    training(
        &app,
        &director,
        json!({"title": "Old advanced", "advanced": true, "held_at": "2026-03-01T06:00:00Z"}),
    )
    .await;

    let list = talent(&app, &director, "").await;
    let member = &list["items"][0];
    let titles = |key: &str| -> Vec<String> {
        member[key]
            .as_array()
            .expect(key)
            .iter()
            .map(|t| t["title"].as_str().expect("title").to_owned())
            .collect()
    };
    assert_eq!(titles("advanced_attended"), ["Luxury homes"], "{list}");
    assert_eq!(titles("advanced_not_attended"), ["Negotiation for villas"], "{list}");
    assert_eq!(member["advanced_attended"][0]["id"], held);
    assert_eq!(member["advanced_not_attended"][0]["id"], upcoming);
    assert_eq!(member["advanced_not_attended"][0]["enrolled"], false);
}

#[tokio::test]
async fn bad_talent_list_parameters_are_refused_with_a_pointer_to_each() {
    let app = spawn_app().await;
    org(&app).await;
    let director = app.token("director@example.com", PASSWORD).await;
    for (query, pointers) in [
        ("?top=0", vec!["/top"]),
        ("?top=21", vec!["/top"]),
        ("?quarters=0", vec!["/quarters"]),
        ("?quarters=13", vec!["/quarters"]),
        ("?quarters=4&times=5", vec!["/times"]),
        ("?times=0", vec!["/times"]),
        ("?top=99&quarters=2&times=3", vec!["/top", "/times"]),
    ] {
        let problem = assert_problem(
            app.get(&format!("/api/v1/talent{query}"), Some(&director)).await,
            422,
            "validation_failed",
        )
        .await;
        let got: Vec<&str> = problem["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .map(|e| e["pointer"].as_str().expect("pointer"))
            .collect();
        assert_eq!(got, pointers, "{query}");
    }
    // The edges are accepted.
    let list = talent(&app, &director, "?top=20&quarters=12&times=12").await;
    assert_eq!(
        (list["top"].clone(), list["quarters"].clone(), list["times"].clone()),
        (json!(20), json!(12), json!(12))
    );
}

#[tokio::test]
async fn a_training_marked_advanced_keeps_the_mark_and_lists_filter_by_it() {
    let app = spawn_app().await;
    org(&app).await;
    let director = app.token("director@example.com", PASSWORD).await;
    let plain = training(
        &app,
        &director,
        json!({"title": "Basics", "held_at": "2026-08-02T06:00:00Z"}),
    )
    .await;
    let advanced = training(
        &app,
        &director,
        json!({"title": "Luxury homes", "advanced": true, "held_at": "2026-08-03T06:00:00Z"}),
    )
    .await;
    let read = |id: String| {
        let app = &app;
        let director = director.clone();
        async move { expect_json(app.get(&format!("/api/v1/trainings/{id}"), Some(&director)).await, 200).await }
    };
    assert_eq!(read(plain.clone()).await["advanced"], false);
    assert_eq!(read(advanced.clone()).await["advanced"], true);
    let only = |flag: &str| {
        let app = &app;
        let director = director.clone();
        let path = format!("/api/v1/trainings?advanced={flag}");
        async move {
            let list = expect_json(app.get(&path, Some(&director)).await, 200).await;
            list["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|t| t["id"].as_str().expect("id").to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(only("true").await, std::slice::from_ref(&advanced));
    assert_eq!(only("false").await, std::slice::from_ref(&plain));

    let changed = expect_json(
        app.patch_json(
            &format!("/api/v1/trainings/{plain}"),
            Some(&director),
            &json!({"advanced": true}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(changed["advanced"], true);
    assert_eq!(read(plain.clone()).await["advanced"], true);
    assert_eq!(only("true").await, [plain, advanced]);
}

#[tokio::test]
async fn an_advanced_training_is_offered_to_the_talent_list_first_and_only_an_advanced_one() {
    let app = spawn_app().await;
    let o = org(&app).await;
    two_quarters(&app, &o).await;
    let director = app.token("director@example.com", PASSWORD).await;
    let soon = (Utc::now() + Duration::days(30)).to_rfc3339();
    let advanced = training(
        &app,
        &director,
        json!({"title": "Luxury homes", "advanced": true, "held_at": soon, "team_id": o.team_a,
            "attendee_ids": [o.consultant_a1]}),
    )
    .await;
    let path = format!("/api/v1/trainings/{advanced}/candidates");
    let offered = expect_json(app.get(&path, Some(&director)).await, 200).await;
    // a2 is on the talent list; a1 is already on the training; b is not on the list.
    let got: Vec<(String, bool)> = offered["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|c| {
            (
                c["user_id"].as_str().expect("id").to_owned(),
                c["on_talent_list"].as_bool().expect("flag"),
            )
        })
        .collect();
    assert_eq!(
        got,
        [(o.consultant_a2.to_string(), true), (o.consultant_b.to_string(), false)],
        "{offered}"
    );
    assert_eq!(offered["items"][0]["times_in_top"], 2);
    assert_eq!(offered["items"][0]["best_rank"], 2);

    // Team A's manager offers it to team A only.
    let manager = app.token("manager.a@example.com", PASSWORD).await;
    let offered = expect_json(app.get(&path, Some(&manager)).await, 200).await;
    assert_eq!(offered["items"].as_array().expect("items").len(), 1, "{offered}");
    assert_eq!(offered["items"][0]["user_id"], o.consultant_a2.to_string());

    let plain = training(&app, &director, json!({"title": "Basics", "held_at": soon})).await;
    let problem = assert_problem(
        app.get(&format!("/api/v1/trainings/{plain}/candidates"), Some(&director))
            .await,
        409,
        "conflict",
    )
    .await;
    assert!(
        problem["detail"]
            .as_str()
            .is_some_and(|d| d.contains("advanced") || d.contains("高端")),
        "{problem}"
    );
}

#[tokio::test]
async fn the_demo_has_an_advanced_training_offered_to_its_consultants_and_sales_star_runs_for_the_talent_list() {
    let app = spawn_app().await;
    domain::demo::load(&app.db, app.settings.timezone)
        .await
        .expect("demo")
        .expect("loaded");
    let director = app
        .token("director@demo.estateflow.local", domain::demo::DEMO_PASSWORD)
        .await;
    let advanced = expect_json(app.get("/api/v1/trainings?advanced=true", Some(&director)).await, 200).await;
    let first = advanced["items"][0]["id"]
        .as_str()
        .expect("an advanced training")
        .to_owned();
    let offered = expect_json(
        app.get(&format!("/api/v1/trainings/{first}/candidates"), Some(&director))
            .await,
        200,
    )
    .await;
    assert!(!offered["items"].as_array().expect("items").is_empty(), "{offered}");
    let list = talent(&app, &director, "?times=1").await;
    assert_eq!(list["periods"].as_array().expect("periods").len(), 2, "{list}");
    assert!(!list["items"].as_array().expect("items").is_empty(), "{list}");
}
