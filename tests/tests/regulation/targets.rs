//! Targets as the regulation sets them (制定年度及季度销售目标，分解至各区域及团队;
//! 月度销售计划): the director splits the department's year and quarters down
//! to regions, teams and periods, a manager splits the team's month to its
//! consultants; each split is checked against its target (under reported,
//! over refused), and every level's achievement is counted in its period.

use entities::{regions, targets, teams};
use sea_orm::{ActiveModelTrait, EntityTrait, PaginatorTrait, Set};
use serde_json::{Value, json};
use tests::{
    TestApp, assert_problem,
    client::expect_json,
    org::{PASSWORD, create_user, list, org, values},
    records::{customer, deal},
    spawn_app,
};
use uuid::Uuid;

async fn region_of(app: &TestApp, team: Uuid) -> Uuid {
    teams::Entity::find_by_id(team)
        .one(&app.db)
        .await
        .expect("query")
        .expect("team")
        .region_id
}

async fn new_region(app: &TestApp, name: &str) -> Uuid {
    let now = chrono::Utc::now();
    regions::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(name.to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&app.db)
    .await
    .expect("region")
    .id
}

/// Sets a target as `token` and answers its id.
async fn set(app: &TestApp, token: &str, body: Value) -> String {
    let created = expect_json(app.post_json("/api/v1/targets", Some(token), &body).await, 201).await;
    created["id"].as_str().expect("id").to_owned()
}

fn split_path(id: &str) -> String {
    format!("/api/v1/targets/{id}/split")
}

async fn count(app: &TestApp) -> u64 {
    targets::Entity::find().count(&app.db).await.expect("count")
}

#[tokio::test]
async fn a_director_splits_the_year_into_regions_teams_and_quarters_and_sees_what_is_left_to_split() {
    let app = spawn_app().await;
    let org = org(&app).await;
    let director = app.token("director@example.com", PASSWORD).await;
    let manager = app.token("manager.a@example.com", PASSWORD).await;
    let east = region_of(&app, org.team_a).await;
    let west = new_region(&app, "West").await;
    let year = set(
        &app,
        &director,
        json!({"period": "2026", "level": "department", "units": 100, "amount_fen": 30_000_000_000i64}),
    )
    .await;

    let parts = json!({"parts": [{"region_id": east, "units": 60, "amount_fen": 18_000_000_000i64},
                                  {"region_id": west, "units": 20, "amount_fen": 6_000_000_000i64}]});
    let split = expect_json(app.post_json(&split_path(&year), Some(&director), &parts).await, 200).await;
    assert_eq!(split["by"], "subjects");
    assert_eq!(split["status"], "under");
    assert_eq!(
        split["units"],
        json!({"parent": 100, "allocated": 80, "difference": -20, "status": "under"})
    );
    assert_eq!(
        split["amount_fen"],
        json!({"parent": 30_000_000_000i64, "allocated": 24_000_000_000i64, "difference": -6_000_000_000i64, "status": "under"})
    );
    assert_eq!(values(&json!({"items": split["parts"]}), "level"), ["region", "region"]);

    // The plan reads the same, and the year's quarters are not split yet.
    let plan = expect_json(
        app.get(&format!("/api/v1/targets/{year}/plan"), Some(&director)).await,
        200,
    )
    .await;
    assert_eq!(plan["target"]["level"], "department");
    assert_eq!(plan["subjects"]["units"]["difference"], -20);
    assert_eq!(plan["subjects"]["status"], "under");
    assert_eq!(plan["periods"]["parts"], json!([]));
    assert_eq!(plan["periods"]["units"]["allocated"], 0);

    // The region's year into its two teams, exactly; the department's year into quarters.
    let east_year = split["parts"]
        .as_array()
        .expect("parts")
        .iter()
        .find(|p| p["region_id"] == east.to_string())
        .expect("east")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let teams = json!({"parts": [{"team_id": org.team_a, "units": 40, "amount_fen": 12_000_000_000i64},
                                  {"team_id": org.team_b, "units": 20, "amount_fen": 6_000_000_000i64}]});
    let split = expect_json(
        app.post_json(&split_path(&east_year), Some(&director), &teams).await,
        200,
    )
    .await;
    assert_eq!(split["status"], "exact");
    assert_eq!(split["units"]["difference"], 0);
    let quarters: Vec<Value> = (1..=4)
        .map(|q| json!({"period": format!("2026-Q{q}"), "units": 25, "amount_fen": 7_000_000_000i64}))
        .collect();
    let split = expect_json(
        app.post_json(&split_path(&year), Some(&director), &json!({"parts": quarters}))
            .await,
        200,
    )
    .await;
    assert_eq!(split["by"], "periods");
    assert_eq!(split["units"]["status"], "exact");
    assert_eq!(split["amount_fen"]["status"], "under");
    assert_eq!(split["status"], "under");
    assert_eq!(
        values(&json!({"items": split["parts"]}), "period"),
        ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    );

    // Splitting again changes the parts named and keeps the others.
    let again = json!({"parts": [{"region_id": west, "units": 40, "amount_fen": 12_000_000_000i64}]});
    let split = expect_json(app.post_json(&split_path(&year), Some(&director), &again).await, 200).await;
    assert_eq!(split["status"], "exact");
    assert_eq!(split["parts"].as_array().map(Vec::len), Some(2));

    // The team's year is in its manager's reach; the department's is not.
    let team_a_year = list(
        &app,
        &format!("/api/v1/targets?year=2026&team_id={}", org.team_a),
        &manager,
    )
    .await;
    assert_eq!(values(&team_a_year, "level"), ["team"]);
    assert_problem(
        app.get(&format!("/api/v1/targets/{year}/plan"), Some(&manager)).await,
        404,
        "not_found",
    )
    .await;
    // 4 quarters, 2 regions, 2 teams and the year.
    assert_eq!(count(&app).await, 9);
}

#[tokio::test]
async fn over_allocation_is_refused_with_target_over_allocated_whichever_write_causes_it_and_nothing_is_written() {
    let app = spawn_app().await;
    let org = org(&app).await;
    let director = app.token("director@example.com", PASSWORD).await;
    let east = region_of(&app, org.team_a).await;
    let year = set(
        &app,
        &director,
        json!({"period": "2026", "level": "department", "units": 100, "amount_fen": 1_000_000i64}),
    )
    .await;
    let over = json!({"parts": [{"region_id": east, "units": 101, "amount_fen": 1_000}]});
    let problem = assert_problem(
        app.post_json(&split_path(&year), Some(&director), &over).await,
        422,
        "target_over_allocated",
    )
    .await;
    let detail = problem["detail"].as_str().expect("detail");
    assert!(
        detail.contains("1 units") && detail.contains("target of the department"),
        "{detail}"
    );
    assert_eq!(count(&app).await, 1);
    // Over in amount alone is over too.
    let over = json!({"parts": [{"region_id": east, "units": 10, "amount_fen": 1_000_001}]});
    assert_problem(
        app.post_json(&split_path(&year), Some(&director), &over).await,
        422,
        "target_over_allocated",
    )
    .await;
    assert_eq!(count(&app).await, 1);

    let fits = json!({"parts": [{"region_id": east, "units": 60, "amount_fen": 600_000}]});
    expect_json(app.post_json(&split_path(&year), Some(&director), &fits).await, 200).await;
    // A period split that overshoots is refused as a whole, the fitting part too.
    let quarters = json!({"parts": [{"period": "2026-Q1", "units": 30, "amount_fen": 1},
                                     {"period": "2026-Q2", "units": 80, "amount_fen": 1}]});
    assert_problem(
        app.post_json(&split_path(&year), Some(&director), &quarters).await,
        422,
        "target_over_allocated",
    )
    .await;
    assert_eq!(count(&app).await, 2);
    // Lowering the year below its regions, or setting a sibling that overshoots, is refused the same way.
    assert_problem(
        app.patch_json(
            &format!("/api/v1/targets/{year}"),
            Some(&director),
            &json!({"units": 59}),
        )
        .await,
        422,
        "target_over_allocated",
    )
    .await;
    let west = new_region(&app, "West").await;
    assert_problem(
        app.post_json(
            "/api/v1/targets",
            Some(&director),
            &json!({"period": "2026", "region_id": west, "units": 41, "amount_fen": 1}),
        )
        .await,
        422,
        "target_over_allocated",
    )
    .await;
    let plan = expect_json(
        app.get(&format!("/api/v1/targets/{year}/plan"), Some(&director)).await,
        200,
    )
    .await;
    assert_eq!(plan["target"]["units"], 100);
    assert_eq!(plan["subjects"]["units"]["allocated"], 60);
    assert_eq!(count(&app).await, 2);

    // Parts of the wrong kind, twice, or of another period are refused field by field.
    for (parts, pointer) in [
        (
            json!([{"team_id": org.team_a, "units": 1, "amount_fen": 1}]),
            "/parts/0",
        ),
        (
            json!([{"region_id": east, "period": "2026-Q1", "units": 1, "amount_fen": 1}]),
            "/parts/0",
        ),
        (
            json!([{"period": "2026-Q1", "units": 1, "amount_fen": 1}, {"region_id": east, "units": 1, "amount_fen": 1}]),
            "/parts/1",
        ),
        (
            json!([{"period": "2026-Q1", "units": 1, "amount_fen": 1}, {"period": "2026-Q1", "units": 1, "amount_fen": 1}]),
            "/parts/1",
        ),
        (
            json!([{"period": "2027-Q1", "units": 1, "amount_fen": 1}]),
            "/parts/0/period",
        ),
        (
            json!([{"period": "2026-11", "units": 1, "amount_fen": 1}]),
            "/parts/0/period",
        ),
        (
            json!([{"region_id": Uuid::now_v7(), "units": 1, "amount_fen": 1}]),
            "/parts/0/region_id",
        ),
        (
            json!([{"region_id": east, "units": -1, "amount_fen": 1}]),
            "/parts/0/units",
        ),
        (json!([]), "/parts"),
    ] {
        let problem = assert_problem(
            app.post_json(&split_path(&year), Some(&director), &json!({"parts": parts}))
                .await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(problem["errors"][0]["pointer"], pointer, "{parts}");
    }
    assert_eq!(count(&app).await, 2);
}

#[tokio::test]
async fn a_manager_splits_the_teams_month_to_its_consultants_and_a_consultant_or_another_teams_manager_cannot() {
    let app = spawn_app().await;
    let org = org(&app).await;
    let director = app.token("director@example.com", PASSWORD).await;
    let manager = app.token("manager.a@example.com", PASSWORD).await;
    let a1 = app.token("a1@example.com", PASSWORD).await;
    create_user(&app, "manager.b@example.com", "manager", Some(org.team_b)).await;
    let manager_b = app.token("manager.b@example.com", PASSWORD).await;
    let month = set(
        &app,
        &director,
        json!({"period": "2026-11", "team_id": org.team_a, "units": 4, "amount_fen": 1_200_000_000i64}),
    )
    .await;
    let quarter = set(
        &app,
        &director,
        json!({"period": "2026-Q4", "team_id": org.team_a, "units": 12, "amount_fen": 3_600_000_000i64}),
    )
    .await;

    let plan = json!({"parts": [{"user_id": org.consultant_a1, "units": 2, "amount_fen": 600_000_000i64},
                                 {"user_id": org.consultant_a2, "units": 1, "amount_fen": 300_000_000i64}]});
    assert_problem(
        app.post_json(&split_path(&month), Some(&a1), &plan).await,
        403,
        "forbidden",
    )
    .await;
    assert_problem(
        app.post_json(&split_path(&month), Some(&manager_b), &plan).await,
        404,
        "not_found",
    )
    .await;
    assert_eq!(count(&app).await, 2);

    let split = expect_json(app.post_json(&split_path(&month), Some(&manager), &plan).await, 200).await;
    assert_eq!(split["status"], "under");
    assert_eq!(split["units"]["difference"], -1);
    assert_eq!(
        values(&json!({"items": split["parts"]}), "level"),
        ["consultant", "consultant"]
    );
    for part in split["parts"].as_array().expect("parts") {
        assert_eq!(part["team_id"], org.team_a.to_string());
        assert_eq!(part["period"], "2026-11");
    }
    let more = json!({"parts": [{"user_id": org.consultant_a2, "units": 3, "amount_fen": 300_000_000i64}]});
    let problem = assert_problem(
        app.post_json(&split_path(&month), Some(&manager), &more).await,
        422,
        "target_over_allocated",
    )
    .await;
    // The target over is named as people name it, not by its stored key.
    let detail = problem["detail"].as_str().expect("detail");
    assert!(detail.contains("target of team A exceed"), "{detail}");
    tests::org::reads_chinese(&app, org.manager_a).await;
    let problem = assert_problem(
        app.post_json(&split_path(&month), Some(&manager), &more).await,
        422,
        "target_over_allocated",
    )
    .await;
    let detail = problem["detail"].as_str().expect("detail");
    assert!(detail.starts_with("团队“A”的 2026-11 目标被超额分解"), "{detail}");

    // The manager splits only months, only to the team's consultants, and sets no target by itself.
    assert_problem(
        app.post_json(&split_path(&quarter), Some(&manager), &plan).await,
        403,
        "forbidden",
    )
    .await;
    let foreign = json!({"parts": [{"user_id": org.consultant_b, "units": 1, "amount_fen": 1}]});
    let problem = assert_problem(
        app.post_json(&split_path(&month), Some(&manager), &foreign).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["pointer"], "/parts/0/user_id");
    let direct = json!({"period": "2026-12", "user_id": org.consultant_a1, "units": 1, "amount_fen": 1});
    assert_problem(
        app.post_json("/api/v1/targets", Some(&manager), &direct).await,
        403,
        "forbidden",
    )
    .await;

    // The monthly plan reads back for the manager, not for the other team's.
    let plan = expect_json(
        app.get(&format!("/api/v1/targets/{month}/plan"), Some(&manager)).await,
        200,
    )
    .await;
    assert_eq!(
        plan["subjects"]["units"],
        json!({"parent": 4, "allocated": 3, "difference": -1, "status": "under"})
    );
    assert_eq!(plan["periods"], Value::Null);
    assert_problem(
        app.get(&format!("/api/v1/targets/{month}/plan"), Some(&manager_b))
            .await,
        404,
        "not_found",
    )
    .await;
    let consultants = list(&app, "/api/v1/targets?level=consultant&period=2026-11", &manager).await;
    let mut users = values(&consultants, "user_id");
    users.sort();
    let mut expected = vec![org.consultant_a1.to_string(), org.consultant_a2.to_string()];
    expected.sort();
    assert_eq!(users, expected);
    assert_eq!(count(&app).await, 4);
}

#[tokio::test]
async fn achievement_counts_each_levels_deals_in_its_year_quarter_or_month_in_thousandths() {
    let app = spawn_app().await;
    let org = org(&app).await;
    let director = app.token("director@example.com", PASSWORD).await;
    let manager = app.token("manager.a@example.com", PASSWORD).await;
    let a1 = app.token("a1@example.com", PASSWORD).await;
    let a2 = app.token("a2@example.com", PASSWORD).await;
    let east = region_of(&app, org.team_a).await;
    let (team_a, team_b) = (org.team_a, org.team_b);
    for body in [
        json!({"period": "2026", "level": "department", "units": 10, "amount_fen": 4_000_000_000i64}),
        json!({"period": "2026-Q4", "region_id": east, "units": 4, "amount_fen": 1_800_000_000i64}),
        json!({"period": "2026-Q4", "team_id": team_a, "units": 4, "amount_fen": 1_000_000_000i64}),
        json!({"period": "2026-11", "team_id": team_a, "units": 2, "amount_fen": 600_000_000i64}),
        json!({"period": "2026-11", "user_id": org.consultant_a1, "units": 1, "amount_fen": 400_000_000i64}),
        json!({"period": "2026-11", "user_id": org.consultant_a2, "units": 0, "amount_fen": 0}),
    ] {
        set(&app, &director, body).await;
    }
    let c1 = customer(&app, org.consultant_a1, team_a, "2026-09-01T02:00:00Z").await;
    let c2 = customer(&app, org.consultant_a2, team_a, "2026-09-01T02:00:00Z").await;
    let c3 = customer(&app, org.consultant_b, team_b, "2026-09-01T02:00:00Z").await;
    // 00:30 on 1 November in Shanghai: November's, and the fourth quarter's.
    deal(
        &app,
        (org.consultant_a1, team_a, c1),
        300_000_000,
        "2026-10-31T16:30:00Z",
        "contracted",
    )
    .await;
    deal(
        &app,
        (org.consultant_a1, team_a, c1),
        100_000_000,
        "2026-11-10T03:00:00Z",
        "cancelled",
    )
    .await;
    deal(
        &app,
        (org.consultant_a2, team_a, c2),
        200_000_000,
        "2026-10-20T03:00:00Z",
        "subscribed",
    )
    .await;
    deal(
        &app,
        (org.consultant_b, team_b, c3),
        400_000_000,
        "2026-11-15T03:00:00Z",
        "subscribed",
    )
    .await;
    // Last year's deal counts for no 2026 target.
    deal(
        &app,
        (org.consultant_b, team_b, c3),
        900_000_000,
        "2025-12-31T15:00:00Z",
        "subscribed",
    )
    .await;

    let figures = |report: &Value, level: &str, id: Option<Uuid>| -> (i64, i64, Value, Value) {
        let row = report["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|r| {
                r["target"]["level"] == level
                    && id.is_none_or(|id| {
                        [
                            &r["target"]["region_id"],
                            &r["target"]["team_id"],
                            &r["target"]["user_id"],
                        ]
                        .iter()
                        .any(|v| **v == id.to_string())
                    })
            })
            .unwrap_or_else(|| panic!("no {level} row in {report}"));
        (
            row["units_sold"].as_i64().expect("units"),
            row["amount_sold_fen"].as_i64().expect("amount"),
            row["units_permille"].clone(),
            row["amount_permille"].clone(),
        )
    };
    let year = expect_json(app.get("/api/v1/kpis/targets?period=2026", Some(&director)).await, 200).await;
    assert_eq!(year["period"], "2026");
    assert_eq!(year["from"], "2025-12-31T16:00:00Z");
    assert_eq!(
        figures(&year, "department", None),
        (3, 900_000_000, json!(300), json!(225))
    );
    let quarter = expect_json(
        app.get("/api/v1/kpis/targets?period=2026-Q4", Some(&director)).await,
        200,
    )
    .await;
    assert_eq!(
        figures(&quarter, "region", Some(east)),
        (3, 900_000_000, json!(750), json!(500))
    );
    assert_eq!(
        figures(&quarter, "team", Some(team_a)),
        (2, 500_000_000, json!(500), json!(500))
    );
    let month = expect_json(
        app.get("/api/v1/kpis/targets?period=2026-11", Some(&director)).await,
        200,
    )
    .await;
    assert_eq!(
        figures(&month, "team", Some(team_a)),
        (1, 300_000_000, json!(500), json!(500))
    );
    assert_eq!(
        figures(&month, "consultant", Some(org.consultant_a1)),
        (1, 300_000_000, json!(1000), json!(750))
    );
    // A target of nothing has no rate.
    assert_eq!(
        figures(&month, "consultant", Some(org.consultant_a2)),
        (0, 0, Value::Null, Value::Null)
    );

    // Each reads within their scope: the manager their team and its consultants, a consultant their own.
    let levels = |report: &Value| -> Vec<String> {
        report["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|r| r["target"]["level"].as_str().expect("level").to_owned())
            .collect()
    };
    assert_eq!(levels(&month), ["team", "consultant", "consultant"]);
    assert_eq!(levels(&year), ["department"]);
    let theirs = expect_json(
        app.get("/api/v1/kpis/targets?period=2026-11", Some(&manager)).await,
        200,
    )
    .await;
    assert_eq!(levels(&theirs), ["team", "consultant", "consultant"]);
    let own = expect_json(app.get("/api/v1/kpis/targets?period=2026-11", Some(&a1)).await, 200).await;
    assert_eq!(levels(&own), ["consultant"]);
    assert_eq!(figures(&own, "consultant", Some(org.consultant_a1)).2, json!(1000));
    let none = expect_json(app.get("/api/v1/kpis/targets?period=2026-Q4", Some(&a2)).await, 200).await;
    assert_eq!(levels(&none), Vec::<String>::new());
    let regions = expect_json(
        app.get("/api/v1/kpis/targets?period=2026-Q4&level=region", Some(&director))
            .await,
        200,
    )
    .await;
    assert_eq!(levels(&regions), ["region"]);
    for query in ["period=2026-Q5", "period=11", "level=city"] {
        assert_problem(
            app.get(&format!("/api/v1/kpis/targets?{query}"), Some(&director)).await,
            422,
            "validation_failed",
        )
        .await;
    }
}

#[tokio::test]
async fn the_demo_splits_its_year_quarters_and_months_down_and_shows_some_achievement() {
    let app = spawn_app().await;
    domain::demo::load(&app.db, app.settings.timezone)
        .await
        .expect("demo")
        .expect("loaded");
    let director = app
        .token("director@demo.estateflow.local", domain::demo::DEMO_PASSWORD)
        .await;
    let all = list(&app, "/api/v1/targets?level=department&limit=100", &director).await;
    let year = all["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|t| !t["period"].as_str().expect("period").contains('-'))
        .expect("the department's year")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let plan = expect_json(
        app.get(&format!("/api/v1/targets/{year}/plan"), Some(&director)).await,
        200,
    )
    .await;
    assert_eq!(plan["subjects"]["status"], "under", "{plan}");
    assert_eq!(plan["periods"]["status"], "exact", "{plan}");
    // The current quarter (the default) has targets at every level.
    let quarter = expect_json(app.get("/api/v1/kpis/targets", Some(&director)).await, 200).await;
    let mut levels = values(
        &json!({"items": quarter["items"].as_array().expect("items").iter().map(|r| r["target"].clone()).collect::<Vec<_>>()}),
        "level",
    );
    levels.dedup();
    assert_eq!(levels, ["department", "region", "team"], "{quarter}");
    // The demo's deals were subscribed a week ago and earlier: the year shows some achievement
    // (unless the year is only days old).
    let this_year = chrono::Datelike::year(&chrono::Utc::now());
    let year_report = expect_json(
        app.get(
            &format!("/api/v1/kpis/targets?period={this_year}&level=department"),
            Some(&director),
        )
        .await,
        200,
    )
    .await;
    let sold = year_report["items"][0]["units_sold"].as_i64().expect("units");
    if chrono::Datelike::ordinal(&chrono::Utc::now()) > 60 {
        assert!(sold > 0, "{year_report}");
        assert!(year_report["items"][0]["units_permille"].as_i64().expect("rate") > 0);
    }
    let manager = app
        .token("manager.pudong@demo.estateflow.local", domain::demo::DEMO_PASSWORD)
        .await;
    let team = list(&app, "/api/v1/targets?level=consultant", &manager).await;
    assert!(!values(&team, "id").is_empty(), "{team}");
}
