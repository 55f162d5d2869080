//! Units: the stock for sale, its filters, and what staff may change.

use serde_json::json;
use tests::{assert_problem, client::expect_json, spawn_app};

use crate::{get_json, id_of, ids, new_unit, patch_if_match, staff};

#[tokio::test]
async fn a_manager_adds_units_that_everyone_finds_by_status_project_layout_and_price() {
    let app = spawn_app().await;
    let staff = staff(&app).await;
    let body = json!({"project": "滨江花园", "building": "3", "number": "1502", "layout": "3室2厅",
                      "area_sqm": "89.5", "list_price_fen": 356_000_000});
    let response = app.post_json("/api/v1/units", Some(&staff.manager), &body).await;
    let location = response.headers()["location"].to_str().expect("ascii").to_owned();
    let unit = expect_json(response, 201).await;
    assert_eq!(location, format!("/api/v1/units/{}", unit["id"].as_str().expect("id")));
    assert_eq!(unit["area_sqm"], "89.50");
    assert_eq!(unit["list_price_fen"], 356_000_000);
    assert_eq!(unit["status"], "available");
    let small = json!({"project": "湖畔雅苑", "building": "1", "number": "0301", "layout": "2室1厅",
                       "area_sqm": "60.25", "list_price_fen": 180_000_000, "status": "reserved"});
    let small = expect_json(app.post_json("/api/v1/units", Some(&staff.director), &small).await, 201).await;

    let response = app.get(&location, Some(&staff.a1)).await;
    assert!(response.headers().get("etag").is_some());
    assert_eq!(expect_json(response, 200).await, unit);
    let all = ids(&get_json(&app, "/api/v1/units", &staff.a1).await);
    assert_eq!(all, [id_of(&unit), id_of(&small)]);
    for (query, expected) in [
        ("status=reserved", vec![id_of(&small)]),
        ("status=available", vec![id_of(&unit)]),
        ("project=%E6%BB%A8%E6%B1%9F%E8%8A%B1%E5%9B%AD", vec![id_of(&unit)]),
        ("layout=2%E5%AE%A41%E5%8E%85", vec![id_of(&small)]),
        ("building=3", vec![id_of(&unit)]),
        ("min_list_price_fen=200000000", vec![id_of(&unit)]),
        ("max_list_price_fen=200000000", vec![id_of(&small)]),
        (
            "min_list_price_fen=100000000&max_list_price_fen=400000000",
            vec![id_of(&unit), id_of(&small)],
        ),
        ("status=sold", vec![]),
    ] {
        let page = get_json(&app, &format!("/api/v1/units?{query}"), &staff.a2).await;
        assert_eq!(ids(&page), expected, "{query}");
    }
    let first = get_json(&app, "/api/v1/units?limit=1", &staff.a1).await;
    assert_eq!(ids(&first), [id_of(&unit)]);
    let cursor = first["next_cursor"].as_str().expect("cursor");
    let second = get_json(&app, &format!("/api/v1/units?limit=1&cursor={cursor}"), &staff.a1).await;
    assert_eq!(ids(&second), [id_of(&small)]);
    assert_problem(
        app.get("/api/v1/units?status=gone", Some(&staff.a1)).await,
        422,
        "validation_failed",
    )
    .await;
    assert_problem(
        app.get("/api/v1/units?min_list_price_fen=cheap", Some(&staff.a1)).await,
        400,
        "invalid_query",
    )
    .await;
}

#[tokio::test]
async fn the_same_project_building_and_number_twice_is_a_conflict() {
    let app = spawn_app().await;
    let staff = staff(&app).await;
    new_unit(&app, &staff.manager, "1502").await;
    let again = json!({"project": "滨江花园", "building": "3", "number": "1502", "layout": "2室1厅",
                       "area_sqm": "70", "list_price_fen": 1});
    assert_problem(
        app.post_json("/api/v1/units", Some(&staff.manager), &again).await,
        409,
        "conflict",
    )
    .await;
    assert_eq!(ids(&get_json(&app, "/api/v1/units", &staff.manager).await).len(), 1);
}

#[tokio::test]
async fn bad_unit_fields_are_refused_with_a_pointer_and_nothing_is_created() {
    let app = spawn_app().await;
    let staff = staff(&app).await;
    let valid = json!({"project": "滨江花园", "building": "3", "number": "1502", "layout": "3室2厅",
                       "area_sqm": "89.50", "list_price_fen": 356_000_000});
    for (field, value, pointer) in [
        ("area_sqm", json!("89.505"), "/area_sqm"),
        ("area_sqm", json!("-3"), "/area_sqm"),
        ("area_sqm", json!("0"), "/area_sqm"),
        ("area_sqm", json!(89.5), "/area_sqm"),
        ("list_price_fen", json!(0), "/list_price_fen"),
        ("list_price_fen", json!(-100), "/list_price_fen"),
        ("list_price_fen", json!(1.5), "/list_price_fen"),
        ("list_price_fen", json!("100"), "/list_price_fen"),
        ("status", json!("sold"), "/status"),
        ("project", json!(""), "/project"),
        ("colour", json!("red"), ""),
    ] {
        let mut body = valid.clone();
        body[field] = value.clone();
        let problem = assert_problem(
            app.post_json("/api/v1/units", Some(&staff.manager), &body).await,
            422,
            "validation_failed",
        )
        .await;
        let pointer_found = problem["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .any(|e| e["pointer"].as_str().is_some_and(|p| p.starts_with(pointer)));
        assert!(pointer_found, "{field}={value}: {problem}");
    }
    let mut missing = valid.clone();
    missing.as_object_mut().expect("object").remove("area_sqm");
    assert_problem(
        app.post_json("/api/v1/units", Some(&staff.manager), &missing).await,
        422,
        "validation_failed",
    )
    .await;
    assert!(ids(&get_json(&app, "/api/v1/units", &staff.manager).await).is_empty());
}

#[tokio::test]
async fn a_consultant_reads_units_but_may_not_add_or_change_them() {
    let app = spawn_app().await;
    let staff = staff(&app).await;
    let unit = new_unit(&app, &staff.manager, "1502").await;
    let body = json!({"project": "p", "building": "b", "number": "n", "layout": "l", "area_sqm": "1",
                      "list_price_fen": 1});
    assert_problem(
        app.post_json("/api/v1/units", Some(&staff.a1), &body).await,
        403,
        "forbidden",
    )
    .await;
    let path = format!("/api/v1/units/{unit}");
    assert_problem(
        app.patch_json(&path, Some(&staff.a1), &json!({"list_price_fen": 1}))
            .await,
        403,
        "forbidden",
    )
    .await;
    assert_eq!(get_json(&app, &path, &staff.a1).await["list_price_fen"], 356_000_000);
    assert_problem(
        app.get("/api/v1/units/not-a-uuid", Some(&staff.a1)).await,
        400,
        "invalid_path",
    )
    .await;
    let unknown = format!("/api/v1/units/{}", uuid::Uuid::now_v7());
    assert_problem(app.get(&unknown, Some(&staff.a1)).await, 404, "not_found").await;
}

#[tokio::test]
async fn a_unit_changes_with_the_current_etag_only_and_its_status_only_between_available_and_reserved() {
    let app = spawn_app().await;
    let staff = staff(&app).await;
    let unit = new_unit(&app, &staff.manager, "1502").await;
    let path = format!("/api/v1/units/{unit}");
    let response = app.get(&path, Some(&staff.manager)).await;
    let etag = response.headers()["etag"].to_str().expect("ascii").to_owned();
    let change = json!({"list_price_fen": 349_000_000, "status": "reserved", "area_sqm": "90", "layout": "3室1厅"});
    let response = patch_if_match(&app, &path, &staff.manager, &etag, &change).await;
    let new_etag = response.headers()["etag"].to_str().expect("ascii").to_owned();
    let changed = expect_json(response, 200).await;
    assert_ne!(new_etag, etag);
    assert_eq!(changed["status"], "reserved");
    assert_eq!(changed["area_sqm"], "90.00");
    assert_eq!(changed["layout"], "3室1厅");

    let stale = json!({"list_price_fen": 1});
    assert_problem(
        patch_if_match(&app, &path, &staff.manager, &etag, &stale).await,
        412,
        "precondition_failed",
    )
    .await;
    for body in [
        json!({"status": "sold"}),
        json!({"status": "subscribed"}),
        json!({"number": "1503"}),
        json!({"list_price_fen": -1}),
    ] {
        assert_problem(
            app.patch_json(&path, Some(&staff.manager), &body).await,
            422,
            "validation_failed",
        )
        .await;
    }
    let now = get_json(&app, &path, &staff.manager).await;
    assert_eq!(now, changed);
}
