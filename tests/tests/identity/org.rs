use serde_json::json;
use tests::{assert_invalid, assert_problem, client::expect_json, spawn_app};

use crate::{PASSWORD, ids, list, org, values};

#[tokio::test]
async fn a_director_builds_regions_and_teams_and_every_change_is_audited() {
    let app = spawn_app().await;
    let org = org(&app).await;
    let director = app.token("director@example.com", PASSWORD).await;

    let region = expect_json(
        app.post_json("/api/v1/regions", Some(&director), &json!({"name": "华南区 South"}))
            .await,
        201,
    )
    .await;
    let region_id = region["id"].as_str().expect("id").to_owned();
    assert_problem(
        app.post_json("/api/v1/regions", Some(&director), &json!({"name": "华南区 South"}))
            .await,
        409,
        "conflict",
    )
    .await;

    let body = json!({"region_id": region_id, "name": "深圳一组", "manager_id": org.director});
    let team = expect_json(app.post_json("/api/v1/teams", Some(&director), &body).await, 201).await;
    let team_id = team["id"].as_str().expect("id").to_owned();
    assert_problem(
        app.post_json("/api/v1/teams", Some(&director), &body).await,
        409,
        "conflict",
    )
    .await;
    let bad = json!({"region_id": uuid::Uuid::new_v4(), "name": "", "manager_id": uuid::Uuid::new_v4()});
    assert_invalid(
        app.post_json("/api/v1/teams", Some(&director), &bad).await,
        &["/name", "/region_id", "/manager_id"],
    )
    .await;

    let cleared = app
        .patch_json(
            &format!("/api/v1/teams/{team_id}"),
            Some(&director),
            &json!({"manager_id": null}),
        )
        .await;
    assert_eq!(expect_json(cleared, 200).await["manager_id"], json!(null));

    let refused = app
        .delete(&format!("/api/v1/regions/{region_id}"), Some(&director))
        .await;
    assert_problem(refused, 409, "not_empty").await;
    let occupied = app
        .delete(&format!("/api/v1/teams/{}", org.team_a), Some(&director))
        .await;
    assert_problem(occupied, 409, "not_empty").await;
    let removed = app.delete(&format!("/api/v1/teams/{team_id}"), Some(&director)).await;
    assert_eq!(removed.status(), 204);
    let removed = app
        .delete(&format!("/api/v1/regions/{region_id}"), Some(&director))
        .await;
    assert_eq!(removed.status(), 204);

    let admin = app.admin_token().await;
    let log = list(
        &app,
        &format!("/api/v1/audit-log?entity=team&entity_id={team_id}"),
        &admin,
    )
    .await;
    assert_eq!(values(&log, "action"), ["create", "update", "delete"]);
    assert_eq!(
        log["items"][1]["changes"],
        json!({"manager_id": {"before": org.director, "after": null}})
    );
}

#[tokio::test]
async fn managers_and_consultants_see_only_their_teams_and_cannot_change_them() {
    let app = spawn_app().await;
    let org = org(&app).await;
    let manager = app.token("manager.a@example.com", PASSWORD).await;
    let consultant = app.token("b1@example.com", PASSWORD).await;
    assert_eq!(
        ids(&list(&app, "/api/v1/teams", &manager).await),
        [org.team_a.to_string()]
    );
    assert_eq!(
        ids(&list(&app, "/api/v1/teams", &consultant).await),
        [org.team_b.to_string()]
    );
    assert_problem(
        app.get(&format!("/api/v1/teams/{}", org.team_b), Some(&manager)).await,
        404,
        "not_found",
    )
    .await;
    assert_eq!(
        list(&app, "/api/v1/regions", &manager).await["items"]
            .as_array()
            .expect("items")
            .len(),
        1
    );
    assert_problem(app.get("/api/v1/regions", Some(&consultant)).await, 403, "forbidden").await;
    let rename = app
        .patch_json(
            &format!("/api/v1/teams/{}", org.team_a),
            Some(&manager),
            &json!({"name": "x"}),
        )
        .await;
    assert_problem(rename, 403, "forbidden").await;
}
