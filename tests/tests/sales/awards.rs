//! The quarterly Sales Star: rules versioned by administrators, runs
//! requested by the director (202 and a link) and computed by calling the
//! domain's entry point directly (as the worker job will), each run showing
//! who ranked where on which figures. The quarter's sales record is written
//! straight to the database around the quarter's edges in Shanghai time.

use entities::award_runs;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use tests::{TestApp, assert_problem, client::expect_json, org, spawn_app};
use uuid::Uuid;

use crate::{
    Staff,
    kpis::{customer, deal, visit},
    staff,
};

/// 2026-Q3 in Shanghai: a1 sells 2 units for 500 million fen and develops
/// one lead, a2 sells 3 units for 300 million fen, b sells nothing.
async fn third_quarter(app: &TestApp, s: &Staff) {
    let o = &s.org;
    let c1 = customer(app, o.consultant_a1, o.team_a, "2026-07-01T02:00:00Z").await;
    let c2 = customer(app, o.consultant_a2, o.team_a, "2026-05-01T02:00:00Z").await;
    customer(app, o.consultant_b, o.team_b, "2026-05-01T02:00:00Z").await;
    let a1 = (o.consultant_a1, o.team_a, c1);
    deal(app, a1, 300_000_000, "2026-07-10T03:00:00Z", "contracted").await;
    // 23:30 on 30 September in Shanghai: still Q3.
    deal(app, a1, 200_000_000, "2026-09-30T15:30:00Z", "subscribed").await;
    // 00:30 on 1 October in Shanghai: Q4.
    deal(app, a1, 900_000_000, "2026-09-30T16:30:00Z", "subscribed").await;
    // 23:30 on 30 June UTC is 1 July in Shanghai: Q3.
    let a2 = (o.consultant_a2, o.team_a, c2);
    deal(app, a2, 100_000_000, "2026-06-30T16:30:00Z", "subscribed").await;
    deal(app, a2, 100_000_000, "2026-08-01T03:00:00Z", "subscribed").await;
    deal(app, a2, 100_000_000, "2026-09-01T03:00:00Z", "subscribed").await;
    deal(app, a2, 700_000_000, "2026-08-02T03:00:00Z", "cancelled").await;
    visit(app, a1, 5, "2026-08-10T02:00:00Z").await;
    visit(app, a1, 2, "2026-08-11T02:00:00Z").await;
}

async fn run_now(app: &TestApp, token: &str, body: &Value) -> (String, Value) {
    let response = app.post_json("/api/v1/awards/runs", Some(token), body).await;
    let location = response
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .map(str::to_owned)
        .expect("location");
    (location, expect_json(response, 202).await)
}

async fn compute(app: &TestApp, run: &Value) {
    let id = Uuid::parse_str(run["id"].as_str().expect("id")).expect("uuid");
    domain::performance::awards::runs::compute_run(&app.db, id, app.settings.timezone)
        .await
        .expect("computed");
}

fn standing(run: &Value, user: Uuid) -> &Value {
    run["results"]["standings"]
        .as_array()
        .expect("standings")
        .iter()
        .find(|s| s["user_id"] == user.to_string())
        .unwrap_or_else(|| panic!("no standing for {user} in {run}"))
}

#[tokio::test]
async fn the_director_runs_the_sales_star_and_the_published_run_explains_every_rank() {
    let app = spawn_app().await;
    let s = staff(&app).await;
    third_quarter(&app, &s).await;

    let (location, queued) = run_now(&app, &s.director, &json!({"period": "2026-Q3"})).await;
    assert_eq!(
        location,
        format!("/api/v1/awards/runs/{}", queued["id"].as_str().expect("id"))
    );
    assert_eq!(queued["href"], location);
    assert_eq!(
        (queued["status"].as_str(), queued["trigger"].as_str()),
        (Some("queued"), Some("manual"))
    );
    assert_eq!(queued["requested_by"], s.org.director.to_string());
    assert!(queued["results"].is_null());

    compute(&app, &queued).await;
    // Computing again changes nothing.
    let published = expect_json(app.get(&location, Some(&s.a1)).await, 200).await;
    compute(&app, &queued).await;
    assert_eq!(expect_json(app.get(&location, Some(&s.a1)).await, 200).await, published);

    assert_eq!(published["status"], "published");
    assert_eq!(published["rules_version"], 1);
    assert!(published["published_at"].is_string());
    let results = &published["results"];
    assert_eq!(results["rules_version"], 1);
    assert_eq!(results["from"], "2026-06-30T16:00:00Z");
    assert_eq!(results["to"], "2026-09-30T16:00:00Z");
    assert_eq!(
        results["maxima"],
        json!({"units_sold": 3, "amount_sold_fen": 500_000_000, "new_leads": 1})
    );
    let order: Vec<&str> = results["standings"]
        .as_array()
        .expect("standings")
        .iter()
        .map(|s| s["user_id"].as_str().expect("id"))
        .collect();
    let (a1_id, a2_id, b_id) = (
        s.org.consultant_a1.to_string(),
        s.org.consultant_a2.to_string(),
        s.org.consultant_b.to_string(),
    );
    assert_eq!(order, [a1_id.as_str(), a2_id.as_str(), b_id.as_str()]);

    // 0.4 × 2/3 + 0.3 × 1 + 0.2 × 0.5 − 0.1 × 0 = 0.666667
    let a1 = standing(&published, s.org.consultant_a1);
    assert_eq!(a1["figures"]["units_sold"], 2);
    assert_eq!(a1["figures"]["amount_sold_fen"], 500_000_000);
    assert_eq!(a1["figures"]["new_leads"], 1);
    assert_eq!(a1["figures"]["satisfaction_rate"], 0.5);
    assert_eq!(a1["figures"]["complaint_rate"], 0.0);
    assert_eq!(a1["normalised"]["amount_sold"], 1.0);
    assert_eq!(a1["score"], 0.666667);
    assert_eq!((a1["rank"].as_i64(), a1["tier"].as_i64()), (Some(1), Some(1)));
    assert_eq!(a1["bonus_fen"], 1_500_000);
    // 0.4 × 1 + 0.3 × 0.6 = 0.58; alone in the tier of ranks 2–3, the whole 25 %.
    let a2 = standing(&published, s.org.consultant_a2);
    assert_eq!(a2["figures"]["units_sold"], 3);
    assert_eq!(a2["figures"]["amount_sold_fen"], 300_000_000);
    assert!(a2["figures"]["satisfaction_rate"].is_null());
    assert_eq!(a2["normalised"]["amount_sold"], 0.6);
    assert_eq!(a2["score"], 0.58);
    assert_eq!((a2["rank"].as_i64(), a2["tier"].as_i64()), (Some(2), Some(2)));
    assert_eq!(a2["bonus_fen"], 750_000);
    let b = standing(&published, s.org.consultant_b);
    assert_eq!(b["eligible"], false);
    assert_eq!(b["ineligible_reason"], "sold 0 units, fewer than 1");
    assert_eq!(
        b["unmet"],
        json!([{"condition": "min_units_sold", "sold": 0, "min": 1}])
    );
    // A reader of Chinese reads the reason in Chinese; the figures are the same.
    org::reads_chinese(&app, s.org.consultant_a1).await;
    let in_chinese = expect_json(app.get(&location, Some(&s.a1)).await, 200).await;
    let b_zh = standing(&in_chinese, s.org.consultant_b);
    assert_eq!(b_zh["ineligible_reason"], "售出 0 套，少于 1 套");
    assert_eq!((&b_zh["unmet"], &b_zh["figures"]), (&b["unmet"], &b["figures"]));
    assert!(b["rank"].is_null());
    assert_eq!(b["bonus_fen"], 0);
    assert_eq!(results["unpaid_fen"], 750_000);

    // Besides this manual run, the workers claimed the scheduled run of the quarter just ended.
    let list = expect_json(app.get("/api/v1/awards/runs?period=2026-Q3", Some(&s.a2)).await, 200).await;
    let manual: Vec<&Value> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|r| r["trigger"] == "manual")
        .collect();
    assert_eq!(manual.len(), 1);
    assert_eq!(manual[0]["status"], "published");
    assert!(manual[0]["results"].is_null());
}

#[tokio::test]
async fn new_rules_are_a_new_version_that_later_runs_use_while_earlier_runs_keep_theirs() {
    let app = spawn_app().await;
    let s = staff(&app).await;
    third_quarter(&app, &s).await;
    let admin = app.admin_token().await;
    let (first_link, first) = run_now(&app, &s.director, &json!({"period": "2026-Q3"})).await;
    compute(&app, &first).await;

    let current = app.get("/api/v1/award-rules", Some(&s.manager)).await;
    let etag = current
        .headers()
        .get("etag")
        .and_then(|e| e.to_str().ok())
        .map(str::to_owned)
        .expect("etag");
    assert_eq!(expect_json(current, 200).await["version"], 1);
    let units_only = json!({
        "weights": {"units_sold": 1.0, "amount_sold": 0.0, "satisfaction_rate": 0.0, "complaint_rate": 0.0, "new_leads": 0.0},
        "eligibility": {},
        "tiers": [{"ranks": [1, 1], "share_percent": 100}],
        "bonus_pool_fen": 1001
    });
    let put = |token: String, etag: Option<String>| {
        let mut request = app
            .client
            .put(app.url("/api/v1/award-rules"))
            .bearer_auth(token)
            .json(&units_only);
        if let Some(etag) = etag {
            request = request.header("if-match", etag);
        }
        request.send()
    };
    let second = expect_json(put(admin.clone(), Some(etag.clone())).await.expect("put"), 200).await;
    assert_eq!(second["version"], 2);
    assert_eq!(second["bonus_pool_fen"], 1001);
    // The version read before is no longer current.
    assert_problem(
        put(admin.clone(), Some(etag)).await.expect("put"),
        412,
        "precondition_failed",
    )
    .await;
    let read = expect_json(app.get("/api/v1/award-rules", Some(&s.director)).await, 200).await;
    assert_eq!(read["version"], 2);

    let (second_link, run) = run_now(&app, &s.director, &json!({"period": "2026-Q3"})).await;
    compute(&app, &run).await;
    let second_run = expect_json(app.get(&second_link, Some(&s.director)).await, 200).await;
    assert_eq!(second_run["rules_version"], 2);
    let a2 = standing(&second_run, s.org.consultant_a2);
    assert_eq!(
        (a2["rank"].as_i64(), a2["score"].as_f64(), a2["bonus_fen"].as_i64()),
        (Some(1), Some(1.0), Some(1001))
    );
    // Without conditions, b ranks too, last with a score of 0.
    let b = standing(&second_run, s.org.consultant_b);
    assert_eq!((b["eligible"].as_bool(), b["rank"].as_i64()), (Some(true), Some(3)));

    let first_run = expect_json(app.get(&first_link, Some(&s.director)).await, 200).await;
    assert_eq!(first_run["rules_version"], 1);
    assert_eq!(standing(&first_run, s.org.consultant_a1)["rank"], 1);

    let audit = expect_json(app.get("/api/v1/audit-log?entity=award_rules", Some(&admin)).await, 200).await;
    assert_eq!(audit["items"].as_array().map(Vec::len), Some(1), "{audit}");
}

#[tokio::test]
async fn bad_rules_are_refused_with_a_pointer_to_each_bad_field() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let body = json!({
        "weights": {"units_sold": 1.5, "amount_sold": 0.3, "satisfaction_rate": 0.2, "complaint_rate": -0.1, "new_leads": 0.0},
        "eligibility": {"min_units_sold": -1, "max_complaint_rate": 2.0},
        "tiers": [{"ranks": [1, 2], "share_percent": 60}, {"ranks": [2, 3], "share_percent": 50}],
        "bonus_pool_fen": -5
    });
    let problem = assert_problem(
        app.put_json("/api/v1/award-rules", Some(&admin), &body).await,
        422,
        "validation_failed",
    )
    .await;
    let pointers: Vec<&str> = problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["pointer"].as_str().expect("pointer"))
        .collect();
    assert_eq!(
        pointers,
        [
            "/weights/units_sold",
            "/eligibility/min_units_sold",
            "/eligibility/max_complaint_rate",
            "/tiers/1/ranks",
            "/tiers",
            "/bonus_pool_fen"
        ]
    );
    let rules = expect_json(app.get("/api/v1/award-rules", Some(&admin)).await, 200).await;
    assert_eq!(rules["version"], 1);

    let problem = assert_problem(
        app.post_json("/api/v1/awards/runs", Some(&admin), &json!({"period": "2026-Q5"}))
            .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["pointer"], "/period");
}

#[tokio::test]
async fn a_consultant_cannot_change_the_rules_or_run_the_award_but_reads_published_runs() {
    let app = spawn_app().await;
    let s = staff(&app).await;
    let rules = expect_json(app.get("/api/v1/award-rules", Some(&s.director)).await, 200).await;
    let body = json!({"weights": rules["weights"], "eligibility": rules["eligibility"], "tiers": rules["tiers"],
                      "bonus_pool_fen": 1});
    for token in [&s.a1, &s.director] {
        assert_problem(
            app.put_json("/api/v1/award-rules", Some(token), &body).await,
            403,
            "forbidden",
        )
        .await;
    }
    assert_problem(app.get("/api/v1/award-rules", Some(&s.a1)).await, 403, "forbidden").await;
    assert_problem(
        app.post_json("/api/v1/awards/runs", Some(&s.a1), &json!({})).await,
        403,
        "forbidden",
    )
    .await;

    // Without a period, the previous quarter.
    let (link, run) = run_now(&app, &s.director, &json!({})).await;
    let expected = domain::platform::calendar::previous_quarter(chrono::Utc::now(), app.settings.timezone).to_string();
    assert_eq!(run["period"], expected);
    compute(&app, &run).await;
    let read = expect_json(app.get(&link, Some(&s.a1)).await, 200).await;
    assert_eq!(read["status"], "published");
    let missing = format!("/api/v1/awards/runs/{}", Uuid::now_v7());
    assert_problem(app.get(&missing, Some(&s.a1)).await, 404, "not_found").await;
}

#[tokio::test]
async fn claiming_the_scheduled_run_of_a_quarter_twice_yields_one_run() {
    let app = spawn_app().await;
    // Not the quarter just ended, whose scheduled run the test app's own workers claim.
    let period = "2026-Q1".parse().expect("quarter");
    let first = domain::performance::awards::runs::claim_scheduled_run(&app.db, period)
        .await
        .expect("claim");
    let second = domain::performance::awards::runs::claim_scheduled_run(&app.db, period)
        .await
        .expect("claim");
    let first = first.expect("the first claim creates the run");
    assert!(second.is_none());
    assert_eq!((first.trigger.as_str(), first.status.as_str()), ("scheduled", "queued"));
    let runs = award_runs::Entity::find()
        .filter(award_runs::Column::Period.eq("2026-Q1"))
        .count(&app.db)
        .await
        .expect("count");
    assert_eq!(runs, 1);
    // A manual run of the same quarter is still possible.
    let director = app.admin_token().await;
    run_now(&app, &director, &json!({"period": "2026-Q1"})).await;
    let next = domain::performance::awards::runs::claim_scheduled_run(&app.db, "2026-Q4".parse().expect("quarter"))
        .await
        .expect("claim");
    assert!(next.is_some());
}
