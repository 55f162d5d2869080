//! Targets: only the director sets them, one per period and subject, with
//! periods and integer figures checked; managers read their teams'.

use entities::{targets, teams};
use sea_orm::{EntityTrait, PaginatorTrait};
use serde_json::json;
use tests::{
    assert_problem,
    client::expect_json,
    org::{PASSWORD, ids, list, org, reads_chinese},
    spawn_app,
};

use crate::patch_if_match;

#[tokio::test]
async fn a_consultant_or_manager_cannot_set_targets_while_the_director_can_and_managers_read_their_teams() {
    let app = spawn_app().await;
    let org = org(&app).await;
    let a1 = app.token("a1@example.com", PASSWORD).await;
    let manager = app.token("manager.a@example.com", PASSWORD).await;
    let director = app.token("director@example.com", PASSWORD).await;
    let body = json!({"period": "2026-Q1", "team_id": org.team_a, "units": 24, "amount_fen": 7_200_000_000i64});
    assert_problem(
        app.post_json("/api/v1/targets", Some(&a1), &body).await,
        403,
        "forbidden",
    )
    .await;
    assert_problem(
        app.post_json("/api/v1/targets", Some(&manager), &body).await,
        403,
        "forbidden",
    )
    .await;

    let response = app.post_json("/api/v1/targets", Some(&director), &body).await;
    let location = response.headers()["location"].to_str().expect("ascii").to_owned();
    let team_a = expect_json(response, 201).await;
    assert_eq!(team_a["period"], "2026-Q1");
    assert_eq!(team_a["units"], 24);
    assert_eq!(team_a["amount_fen"], 7_200_000_000i64);
    assert_eq!(team_a["team_id"], org.team_a.to_string());
    assert_eq!(team_a["set_by"], org.director.to_string());
    let id_a = team_a["id"].as_str().expect("id").to_owned();
    assert_eq!(location, format!("/api/v1/targets/{id_a}"));
    let body = json!({"period": "2026-Q1", "team_id": org.team_b, "units": 10, "amount_fen": 0});
    let team_b = expect_json(app.post_json("/api/v1/targets", Some(&director), &body).await, 201).await;
    let id_b = team_b["id"].as_str().expect("id").to_owned();
    let body = json!({"period": "2026", "team_id": org.team_a, "units": 100, "amount_fen": 30_000_000_000i64});
    let annual = expect_json(app.post_json("/api/v1/targets", Some(&director), &body).await, 201).await;
    let id_annual = annual["id"].as_str().expect("id").to_owned();
    let body = json!({"period": "2027", "team_id": org.team_a, "units": 1, "amount_fen": 1});
    expect_json(app.post_json("/api/v1/targets", Some(&director), &body).await, 201).await;

    let first = list(&app, "/api/v1/targets?limit=3", &director).await;
    assert_eq!(ids(&first).len(), 3);
    let cursor = first["next_cursor"].as_str().expect("a next page");
    let rest = list(&app, &format!("/api/v1/targets?limit=3&cursor={cursor}"), &director).await;
    assert_eq!(ids(&rest).len(), 1);
    assert_eq!(rest["next_cursor"], serde_json::Value::Null);
    assert_eq!(
        ids(&list(&app, "/api/v1/targets?year=2026", &director).await),
        vec![id_a.clone(), id_b.clone(), id_annual.clone()]
    );
    assert_eq!(
        ids(&list(&app, "/api/v1/targets?period=2026-Q1", &director).await),
        vec![id_a.clone(), id_b.clone()]
    );
    let mine = list(&app, "/api/v1/targets?year=2026", &manager).await;
    assert_eq!(ids(&mine), vec![id_a.clone(), id_annual]);
    expect_json(app.get(&location, Some(&manager)).await, 200).await;
    assert_problem(
        app.get(&format!("/api/v1/targets/{id_b}"), Some(&manager)).await,
        404,
        "not_found",
    )
    .await;
    assert_problem(app.get("/api/v1/targets", Some(&a1)).await, 403, "forbidden").await;

    // Changing and deleting are the director's too.
    assert_problem(
        app.patch_json(&location, Some(&manager), &json!({"units": 30})).await,
        403,
        "forbidden",
    )
    .await;
    let changed = expect_json(
        app.patch_json(&location, Some(&director), &json!({"units": 30})).await,
        200,
    )
    .await;
    assert_eq!(changed["units"], 30);
    assert_eq!(changed["amount_fen"], 7_200_000_000i64);
    assert_problem(app.delete(&location, Some(&manager)).await, 403, "forbidden").await;
    assert_eq!(app.delete(&location, Some(&director)).await.status().as_u16(), 204);
    assert_problem(app.get(&location, Some(&director)).await, 404, "not_found").await;
}

#[tokio::test]
async fn the_same_period_and_subject_twice_is_refused_with_target_exists() {
    let app = spawn_app().await;
    let org = org(&app).await;
    let director = app.token("director@example.com", PASSWORD).await;
    let body = json!({"period": "2026-Q2", "team_id": org.team_a, "units": 5, "amount_fen": 100});
    expect_json(app.post_json("/api/v1/targets", Some(&director), &body).await, 201).await;
    let again = json!({"period": "2026-Q2", "team_id": org.team_a, "units": 9, "amount_fen": 900});
    let problem = assert_problem(
        app.post_json("/api/v1/targets", Some(&director), &again).await,
        409,
        "target_exists",
    )
    .await;
    let detail = problem["detail"].as_str().expect("detail");
    assert!(
        detail.starts_with("this team already has a target for 2026-Q2"),
        "{detail}"
    );
    let region = teams::Entity::find_by_id(org.team_a)
        .one(&app.db)
        .await
        .expect("query")
        .expect("team")
        .region_id
        .to_string();
    let regional = json!({"period": "2026-Q2", "region_id": region, "units": 5, "amount_fen": 100});
    let created = expect_json(app.post_json("/api/v1/targets", Some(&director), &regional).await, 201).await;
    assert_eq!(created["region_id"], region.as_str());
    assert_problem(
        app.post_json("/api/v1/targets", Some(&director), &regional).await,
        409,
        "target_exists",
    )
    .await;
    assert_eq!(targets::Entity::find().count(&app.db).await.expect("count"), 2);
}

#[tokio::test]
async fn bad_periods_subjects_and_amounts_are_refused_and_nothing_is_written() {
    let app = spawn_app().await;
    let org = org(&app).await;
    let director = app.token("director@example.com", PASSWORD).await;
    for period in ["2026-Q5", "26", "2026-13", "2026-Q0", "", "2026-q1", "１２３４"] {
        let body = json!({"period": period, "team_id": org.team_a, "units": 1, "amount_fen": 1});
        let problem = assert_problem(
            app.post_json("/api/v1/targets", Some(&director), &body).await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(problem["errors"][0]["pointer"], "/period", "{period}");
    }
    for (body, pointer) in [
        (
            json!({"period": "2026", "team_id": org.team_a, "units": 1, "amount_fen": -1}),
            "/amount_fen",
        ),
        (
            json!({"period": "2026", "team_id": org.team_a, "units": 1, "amount_fen": 1.5}),
            "/amount_fen",
        ),
        (
            json!({"period": "2026", "team_id": org.team_a, "units": 1, "amount_fen": "100"}),
            "/amount_fen",
        ),
        (
            json!({"period": "2026", "team_id": org.team_a, "units": -1, "amount_fen": 1}),
            "/units",
        ),
        (
            json!({"period": "2026", "team_id": org.team_a, "units": 2.5, "amount_fen": 1}),
            "/units",
        ),
        (
            json!({"period": "2026", "team_id": org.team_a, "units": 3_000_000_000i64, "amount_fen": 1}),
            "/units",
        ),
        (
            json!({"period": "2026", "team_id": org.team_a, "units": 1}),
            "/amount_fen",
        ),
        (json!({"period": "2026", "units": 1, "amount_fen": 1}), "/team_id"),
        (
            json!({"period": "2026", "team_id": org.team_a, "region_id": org.team_b, "units": 1, "amount_fen": 1}),
            "/team_id",
        ),
        (
            json!({"period": "2026", "team_id": uuid::Uuid::now_v7(), "units": 1, "amount_fen": 1}),
            "/team_id",
        ),
        (
            json!({"period": "2026", "region_id": org.team_a, "units": 1, "amount_fen": 1}),
            "/region_id",
        ),
    ] {
        let problem = assert_problem(
            app.post_json("/api/v1/targets", Some(&director), &body).await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(problem["errors"][0]["pointer"], pointer, "{body}");
    }
    assert_eq!(targets::Entity::find().count(&app.db).await.expect("count"), 0);
    assert_problem(
        app.get("/api/v1/targets?period=2026-Q5", Some(&director)).await,
        422,
        "validation_failed",
    )
    .await;

    let body = json!({"period": "2026-Q3", "team_id": org.team_a, "units": 1, "amount_fen": 1});
    let target = expect_json(app.post_json("/api/v1/targets", Some(&director), &body).await, 201).await;
    let path = format!("/api/v1/targets/{}", target["id"].as_str().expect("id"));
    for patch in [
        json!({"amount_fen": -5}),
        json!({"amount_fen": 2.5}),
        json!({"units": "3"}),
    ] {
        assert_problem(
            app.patch_json(&path, Some(&director), &patch).await,
            422,
            "validation_failed",
        )
        .await;
    }
    let now = expect_json(app.get(&path, Some(&director)).await, 200).await;
    assert_eq!((now["units"].as_i64(), now["amount_fen"].as_i64()), (Some(1), Some(1)));
}

#[tokio::test]
async fn a_stale_if_match_on_a_target_is_refused_with_412_and_nothing_changes() {
    let app = spawn_app().await;
    let org = org(&app).await;
    let director = app.token("director@example.com", PASSWORD).await;
    let body = json!({"period": "2026-Q4", "team_id": org.team_b, "units": 3, "amount_fen": 300});
    let target = expect_json(app.post_json("/api/v1/targets", Some(&director), &body).await, 201).await;
    let path = format!("/api/v1/targets/{}", target["id"].as_str().expect("id"));
    let response = app.get(&path, Some(&director)).await;
    let etag = response.headers()["etag"].to_str().expect("ascii").to_owned();
    expect_json(app.patch_json(&path, Some(&director), &json!({"units": 4})).await, 200).await;
    let stale = patch_if_match(&app, &path, &director, &etag, &json!({"units": 99})).await;
    assert_problem(stale, 412, "precondition_failed").await;
    let stale_delete = app
        .client
        .delete(app.url(&path))
        .bearer_auth(&director)
        .header("if-match", &etag)
        .send()
        .await
        .expect("request");
    assert_problem(stale_delete, 412, "precondition_failed").await;
    assert_eq!(
        expect_json(app.get(&path, Some(&director)).await, 200).await["units"],
        4
    );
}

/// A target problem reads in the caller's language: English for the
/// director, Chinese for a manager who reads zh-CN.
#[tokio::test]
async fn a_target_problem_reads_in_the_callers_language() {
    let app = spawn_app().await;
    let org = org(&app).await;
    reads_chinese(&app, org.manager_a).await;
    let director = app.token("director@example.com", PASSWORD).await;
    let manager = app.token("manager.a@example.com", PASSWORD).await;
    for (token, detail) in [
        (&director, "must be a year such as 2026"),
        (&manager, "必须是年份，例如 2026"),
    ] {
        let problem = assert_problem(
            app.get("/api/v1/targets?year=next", Some(token)).await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(problem["errors"], json!([{"pointer": "/year", "detail": detail}]));
    }
}
