//! Money: every amount a caller sends is bounded at ¥10,000,000,000
//! (1,000,000,000,000 fen), documented in the OpenAPI document; figures that
//! add amounts up stay available when a row written before that bound holds
//! an absurd price; and a failed Sales Star run tells callers what failed in
//! their terms, never in the database's.

use std::time::Duration;

use domain::platform::money::MAX_FEN;

use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use tests::{
    TestApp, assert_problem,
    client::expect_json,
    eventually,
    org::{PASSWORD, create_unit, org, reads_chinese, row},
    records, spawn_app,
};
use uuid::Uuid;

const CEILING_MESSAGE: &str = "must be at most 1000000000000 fen (¥10,000,000,000)";
/// The same, as the administrator (who reads Chinese) reads it.
const CEILING_MESSAGE_ZH: &str = "不能超过 1000000000000 分（¥10,000,000,000）";

/// Asserts a 422 naming exactly `pointer`, with the ceiling in the client's terms (English).
async fn refused_above_the_ceiling(response: reqwest::Response, pointer: &str) {
    refused_with(response, pointer, CEILING_MESSAGE).await;
}

async fn refused_with(response: reqwest::Response, pointer: &str, detail: &str) {
    let problem = assert_problem(response, 422, "validation_failed").await;
    assert_eq!(
        problem["errors"],
        json!([{"pointer": pointer, "detail": detail}]),
        "{problem}"
    );
}

#[tokio::test]
async fn an_amount_one_fen_above_the_ceiling_is_refused_with_its_pointer_and_the_ceiling_itself_is_accepted() {
    let app = spawn_app().await;
    let org = org(&app).await;
    let admin = app.admin_token().await;
    let director = app.token("director@example.com", PASSWORD).await;
    let a1 = app.token("a1@example.com", PASSWORD).await;
    let over = MAX_FEN + 1;

    // A unit's list price.
    let unit = |number: &str, price: i64| {
        json!({"project": "滨江花园", "building": "3", "number": number, "layout": "3室2厅",
               "area_sqm": "89.50", "list_price_fen": price})
    };
    refused_above_the_ceiling(
        app.post_json("/api/v1/units", Some(&director), &unit("1501", over))
            .await,
        "/list_price_fen",
    )
    .await;
    let created = expect_json(
        app.post_json("/api/v1/units", Some(&director), &unit("1502", MAX_FEN))
            .await,
        201,
    )
    .await;
    assert_eq!(created["list_price_fen"], MAX_FEN);
    let unit_path = format!("/api/v1/units/{}", created["id"].as_str().expect("id"));
    refused_above_the_ceiling(
        app.patch_json(&unit_path, Some(&director), &json!({"list_price_fen": over}))
            .await,
        "/list_price_fen",
    )
    .await;

    // A deal's agreed price, on creation and on change.
    let customer = json!({"name": "王先生", "phone": "13800138000", "channel": "store_walk_in"});
    let customer = expect_json(app.post_json("/api/v1/customers", Some(&a1), &customer).await, 201).await;
    let customer = customer["id"].as_str().expect("id").to_owned();
    let deal = |unit: Uuid, price: i64| {
        json!({"customer_id": customer, "unit_id": unit, "agreed_price_fen": price,
               "payment_method": "mortgage", "planned_handover_on": "2027-06-30"})
    };
    let unit_id = create_unit(&app, "2001").await;
    refused_above_the_ceiling(
        app.post_json("/api/v1/deals", Some(&a1), &deal(unit_id, over)).await,
        "/agreed_price_fen",
    )
    .await;
    let created = expect_json(
        app.post_json("/api/v1/deals", Some(&a1), &deal(unit_id, MAX_FEN)).await,
        201,
    )
    .await;
    assert_eq!(created["agreed_price_fen"], MAX_FEN);
    let deal_path = format!("/api/v1/deals/{}", created["id"].as_str().expect("id"));
    refused_above_the_ceiling(
        app.patch_json(&deal_path, Some(&a1), &json!({"agreed_price_fen": over}))
            .await,
        "/agreed_price_fen",
    )
    .await;

    // A target's amount, on creation and on change.
    let target =
        |period: &str, amount: i64| json!({"period": period, "team_id": org.team_a, "units": 1, "amount_fen": amount});
    refused_above_the_ceiling(
        app.post_json("/api/v1/targets", Some(&director), &target("2026-Q1", over))
            .await,
        "/amount_fen",
    )
    .await;
    let created = expect_json(
        app.post_json("/api/v1/targets", Some(&director), &target("2026-Q1", MAX_FEN))
            .await,
        201,
    )
    .await;
    assert_eq!(created["amount_fen"], MAX_FEN);
    let target_path = format!("/api/v1/targets/{}", created["id"].as_str().expect("id"));
    refused_above_the_ceiling(
        app.patch_json(&target_path, Some(&director), &json!({"amount_fen": over}))
            .await,
        "/amount_fen",
    )
    .await;

    // The Sales Star's bonus pool.
    let rules = |pool: i64| {
        json!({"weights": {"units_sold": 1.0, "amount_sold": 0.0, "satisfaction_rate": 0.0, "complaint_rate": 0.0,
                           "new_leads": 0.0},
               "tiers": [{"ranks": [1, 1], "share_percent": 100}], "bonus_pool_fen": pool})
    };
    refused_with(
        app.put_json("/api/v1/award-rules", Some(&admin), &rules(over)).await,
        "/bonus_pool_fen",
        CEILING_MESSAGE_ZH,
    )
    .await;
    let set = expect_json(
        app.put_json("/api/v1/award-rules", Some(&admin), &rules(MAX_FEN)).await,
        200,
    )
    .await;
    assert_eq!(set["bonus_pool_fen"], MAX_FEN);

    // A customer's budget.
    let needs_path = format!("/api/v1/customers/{customer}/needs");
    refused_above_the_ceiling(
        app.post_json(
            &needs_path,
            Some(&a1),
            &json!({"budget_min_fen": 0, "budget_max_fen": over}),
        )
        .await,
        "/budget_max_fen",
    )
    .await;
    let needs = expect_json(
        app.post_json(
            &needs_path,
            Some(&a1),
            &json!({"budget_min_fen": MAX_FEN, "budget_max_fen": MAX_FEN}),
        )
        .await,
        201,
    )
    .await;
    assert_eq!(needs["budget_max_fen"], MAX_FEN);
}

#[tokio::test]
async fn every_amount_in_a_request_body_documents_its_bounds_in_the_openapi_document() {
    let doc: Value = serde_json::from_str(&api::openapi::openapi_pretty_json().expect("document")).expect("valid JSON");
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    let mut bodies: Vec<String> = Vec::new();
    for item in doc["paths"].as_object().expect("paths").values() {
        for operation in item.as_object().expect("path item").values() {
            if let Some(reference) = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"].as_str()
            {
                bodies.push(reference.trim_start_matches("#/components/schemas/").to_owned());
            }
        }
    }
    let mut amounts = 0;
    for body in bodies {
        for (name, property) in schemas[&body]["properties"].as_object().into_iter().flatten() {
            if name.ends_with("_fen") {
                amounts += 1;
                assert_eq!(property["maximum"], json!(MAX_FEN), "{body}.{name}: {property}");
                assert!(
                    property["minimum"] == json!(0) || property["minimum"] == json!(1),
                    "{body}.{name}: {property}"
                );
            }
        }
    }
    // Deals, units (each created and changed), targets (both), the bonus pool, a budget's two ends.
    assert!(amounts >= 9, "{amounts} amounts found");
}

/// A deal subscribed at `subscribed` for `price`, written straight to the
/// database, as one written before prices were bounded would be.
async fn subscribed_deal(app: &TestApp, consultant: Uuid, team: Uuid, price: i64, subscribed: &str) {
    let customer = records::customer(app, consultant, team, subscribed).await;
    records::deal(app, (consultant, team, customer), price, subscribed, "subscribed").await;
}

/// Requests a run of `period` as the director and waits for the worker to
/// finish it (published or failed); the run.
async fn run_sales_star(app: &TestApp, period: &str) -> Value {
    let director = app.token("director@example.com", PASSWORD).await;
    let response = app
        .post_json("/api/v1/awards/runs", Some(&director), &json!({"period": period}))
        .await;
    let run = expect_json(response, 202).await;
    let href = run["href"].as_str().expect("href").to_owned();
    eventually(Duration::from_secs(30), "the run to finish", || {
        let (href, director) = (href.clone(), director.clone());
        async move {
            let run = expect_json(app.get(&href, Some(&director)).await, 200).await;
            (run["status"] != "queued").then_some(run)
        }
    })
    .await
}

#[tokio::test]
async fn a_price_written_before_the_ceiling_does_not_take_the_figures_or_the_sales_star_down() {
    let app = spawn_app().await;
    let org = org(&app).await;
    let director = app.token("director@example.com", PASSWORD).await;
    // October 2026 in Shanghai: an absurd price beside an ordinary one, and
    // an ordinary sale by a2 in the same team.
    subscribed_deal(&app, org.consultant_a1, org.team_a, i64::MAX, "2026-10-10T03:00:00Z").await;
    subscribed_deal(&app, org.consultant_a1, org.team_a, 350_000_000, "2026-10-11T03:00:00Z").await;
    subscribed_deal(&app, org.consultant_a2, org.team_a, 150_000_000, "2026-10-12T03:00:00Z").await;
    let target = json!({"period": "2026-Q4", "team_id": org.team_a, "units": 10, "amount_fen": 5_000_000_000i64});
    expect_json(app.post_json("/api/v1/targets", Some(&director), &target).await, 201).await;

    // The figures answer, and a sum too large for them shows the largest
    // value they hold; the other figures are exact.
    let consultants = expect_json(
        app.get("/api/v1/kpis/consultants?month=2026-10", Some(&director)).await,
        200,
    )
    .await;
    let a1 = row(&consultants, "user_id", org.consultant_a1);
    assert_eq!(
        (a1["units_sold"].as_i64(), a1["amount_sold_fen"].as_i64()),
        (Some(2), Some(i64::MAX))
    );
    let a2 = row(&consultants, "user_id", org.consultant_a2);
    assert_eq!(
        (a2["units_sold"].as_i64(), a2["amount_sold_fen"].as_i64()),
        (Some(1), Some(150_000_000))
    );
    let teams = expect_json(app.get("/api/v1/kpis/teams?month=2026-10", Some(&director)).await, 200).await;
    let team_a = row(&teams, "team_id", org.team_a);
    assert_eq!(
        (team_a["units_sold"].as_i64(), team_a["amount_sold_fen"].as_i64()),
        (Some(3), Some(i64::MAX))
    );
    assert_eq!(team_a["target"]["amount_to_date_fen"], i64::MAX);
    assert_eq!(team_a["target"]["units_to_date"], 3);

    // The quarter's Sales Star completes on the same figures.
    let run = run_sales_star(&app, "2026-Q4").await;
    assert_eq!(run["status"], "published", "{run}");
    let standings = run["results"]["standings"].as_array().expect("standings");
    let a1 = standings
        .iter()
        .find(|s| s["user_id"] == org.consultant_a1.to_string())
        .expect("a1's standing");
    assert_eq!(a1["figures"]["amount_sold_fen"], i64::MAX);
    assert_eq!(a1["rank"], 1);
}

#[tokio::test]
async fn a_failed_sales_star_run_says_what_failed_in_client_terms_and_not_in_database_text() {
    let app = spawn_app().await;
    let org = org(&app).await;
    // The figures cannot be read: a table they come from has gone.
    app.db
        .execute_unprepared("ALTER TABLE visits RENAME TO visits_gone")
        .await
        .expect("rename");

    let run = run_sales_star(&app, "2026-Q4").await;
    assert_eq!(run["status"], "failed", "{run}");
    assert_eq!(run["error_code"], "record_unavailable", "{run}");
    assert_eq!(
        run["error"],
        "the sales record could not be read at the time; the run is computed again automatically"
    );
    let director = app.token("director@example.com", PASSWORD).await;
    let listed = expect_json(app.get("/api/v1/awards/runs", Some(&director)).await, 200).await;
    let listed = listed["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|r| r["id"] == run["id"])
        .expect("the run in the list");
    assert_eq!(listed["error_code"], "record_unavailable", "{listed}");
    for shown in [&run, listed] {
        let text = shown.to_string();
        assert!(!text.contains("visits"), "the database's words leak: {text}");
    }
    // A reader of Chinese reads the same failure in Chinese.
    reads_chinese(&app, org.director).await;
    let href = run["href"].as_str().expect("href");
    let shown = expect_json(app.get(href, Some(&director)).await, 200).await;
    assert_eq!(shown["error"], "当时无法读取销售记录；系统会自动重新计算");
}
