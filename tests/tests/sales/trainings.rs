//! Trainings: attendance and exam results, who sees which training, and
//! what managers may write.

use serde_json::{Value, json};
use tests::{
    TestApp, assert_problem,
    client::expect_json,
    org::{PASSWORD, create_user, ids, list, org, values},
    spawn_app,
};
use uuid::Uuid;

use crate::patch_if_match;

async fn new_training(app: &TestApp, token: &str, team: Uuid, attendees: &[Uuid], held_at: &str) -> Value {
    let body = json!({"title": "谈判技巧", "topic": "异议处理", "team_id": team, "held_at": held_at,
                      "trainer": "张经理", "attendee_ids": attendees});
    expect_json(app.post_json("/api/v1/trainings", Some(token), &body).await, 201).await
}

#[tokio::test]
async fn training_attendance_and_exam_results_round_trip() {
    let app = spawn_app().await;
    let org = org(&app).await;
    let manager = app.token("manager.a@example.com", PASSWORD).await;
    let training = new_training(
        &app,
        &manager,
        org.team_a,
        &[org.consultant_a1, org.consultant_a2],
        "2026-11-20T14:00:00+08:00",
    )
    .await;
    assert_eq!(training["held_at"], "2026-11-20T06:00:00Z");
    assert_eq!(training["attendees"].as_array().expect("attendees").len(), 2);
    let id = training["id"].as_str().expect("id").to_owned();
    let path = format!("/api/v1/trainings/{id}");

    let a1 = format!("{path}/attendees/{}", org.consultant_a1);
    let mark = json!({"attended": true, "exam_passed": true});
    let marked = expect_json(app.put_json(&a1, Some(&manager), &mark).await, 200).await;
    assert_eq!(
        (marked["attended"].as_bool(), marked["exam_passed"].as_bool()),
        (Some(true), Some(true))
    );
    let a2 = format!("{path}/attendees/{}", org.consultant_a2);
    let mark = json!({"attended": true, "exam_passed": false});
    expect_json(app.put_json(&a2, Some(&manager), &mark).await, 200).await;
    let latecomer = create_user(&app, "a3@example.com", "consultant", Some(org.team_a)).await;
    let a3 = format!("{path}/attendees/{latecomer}");
    let added = expect_json(app.put_json(&a3, Some(&manager), &json!({"attended": true})).await, 201).await;
    assert_eq!(added["exam_passed"], Value::Null);

    let read = expect_json(app.get(&path, Some(&manager)).await, 200).await;
    let attendees = read["attendees"].as_array().expect("attendees");
    assert_eq!(attendees.len(), 3);
    let of = |user: Uuid| {
        attendees
            .iter()
            .find(|a| a["user_id"] == user.to_string())
            .cloned()
            .expect("attendee")
    };
    assert_eq!(of(org.consultant_a1)["exam_passed"], true);
    assert_eq!(of(org.consultant_a2)["exam_passed"], false);
    assert_eq!(of(org.consultant_a2)["attended"], true);
    assert_eq!(of(latecomer)["exam_passed"], Value::Null);

    // An exam result without attendance makes no sense.
    let problem = assert_problem(
        app.put_json(&a3, Some(&manager), &json!({"attended": false, "exam_passed": true}))
            .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["pointer"], "/exam_passed");
    assert_eq!(app.delete(&a3, Some(&manager)).await.status().as_u16(), 204);
    assert_problem(app.delete(&a3, Some(&manager)).await, 404, "not_found").await;
    let read = expect_json(app.get(&path, Some(&manager)).await, 200).await;
    assert_eq!(read["attendees"].as_array().expect("attendees").len(), 2);
    let log = list(&app, "/api/v1/audit-log?entity=training", &app.admin_token().await).await;
    let actions = values(&log, "action");
    assert_eq!(actions.len(), 5, "create, two updates, add and remove: {actions:?}");
    assert_problem(
        app.put_json(
            &format!("{path}/attendees/{}", Uuid::now_v7()),
            Some(&manager),
            &json!({"attended": true}),
        )
        .await,
        404,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn a_consultant_sees_only_the_trainings_they_attend_and_a_manager_those_of_their_team() {
    let app = spawn_app().await;
    let org = org(&app).await;
    let manager = app.token("manager.a@example.com", PASSWORD).await;
    let director = app.token("director@example.com", PASSWORD).await;
    let a1 = app.token("a1@example.com", PASSWORD).await;
    let b1 = app.token("b1@example.com", PASSWORD).await;
    let for_a1 = new_training(
        &app,
        &manager,
        org.team_a,
        &[org.consultant_a1],
        "2026-11-02T10:00:00+08:00",
    )
    .await;
    let for_a2 = new_training(
        &app,
        &manager,
        org.team_a,
        &[org.consultant_a2],
        "2026-11-03T10:00:00+08:00",
    )
    .await;
    let for_b = new_training(
        &app,
        &director,
        org.team_b,
        &[org.consultant_b],
        "2026-11-04T10:00:00+08:00",
    )
    .await;
    let (id_a1, id_a2, id_b) = (
        for_a1["id"].as_str().expect("id").to_owned(),
        for_a2["id"].as_str().expect("id").to_owned(),
        for_b["id"].as_str().expect("id").to_owned(),
    );

    assert_eq!(ids(&list(&app, "/api/v1/trainings", &a1).await), vec![id_a1.clone()]);
    expect_json(app.get(&format!("/api/v1/trainings/{id_a1}"), Some(&a1)).await, 200).await;
    assert_problem(
        app.get(&format!("/api/v1/trainings/{id_a2}"), Some(&a1)).await,
        404,
        "not_found",
    )
    .await;
    assert_eq!(ids(&list(&app, "/api/v1/trainings", &b1).await), vec![id_b.clone()]);
    assert_eq!(
        ids(&list(&app, "/api/v1/trainings", &manager).await),
        vec![id_a1.clone(), id_a2.clone()]
    );
    assert_eq!(
        ids(&list(&app, "/api/v1/trainings", &director).await),
        vec![id_a1.clone(), id_a2.clone(), id_b.clone()]
    );
    let window = list(
        &app,
        "/api/v1/trainings?from=2026-11-03T00:00:00Z&to=2026-11-04T00:00:00Z",
        &director,
    )
    .await;
    assert_eq!(ids(&window), vec![id_a2.clone()]);
    let team_b = list(&app, &format!("/api/v1/trainings?team_id={}", org.team_b), &director).await;
    assert_eq!(ids(&team_b), vec![id_b.clone()]);

    // Consultants do not write trainings; a manager writes only its team's.
    let body = json!({"title": "x", "held_at": "2026-11-02T10:00:00+08:00", "team_id": org.team_a});
    assert_problem(
        app.post_json("/api/v1/trainings", Some(&a1), &body).await,
        403,
        "forbidden",
    )
    .await;
    let body = json!({"title": "x", "held_at": "2026-11-02T10:00:00+08:00", "team_id": org.team_b});
    let problem = assert_problem(
        app.post_json("/api/v1/trainings", Some(&manager), &body).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["pointer"], "/team_id");
    assert_problem(
        app.patch_json(
            &format!("/api/v1/trainings/{id_b}"),
            Some(&manager),
            &json!({"title": "taken"}),
        )
        .await,
        404,
        "not_found",
    )
    .await;
    let body = json!({"title": "x", "held_at": "2026-11-02T10:00:00+08:00", "team_id": org.team_a,
                      "attendee_ids": [Uuid::now_v7()]});
    let problem = assert_problem(
        app.post_json("/api/v1/trainings", Some(&manager), &body).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["pointer"], "/attendee_ids/0");
}

#[tokio::test]
async fn attendance_is_refused_before_a_training_is_held_and_a_stale_if_match_changes_nothing() {
    let app = spawn_app().await;
    let org = org(&app).await;
    let manager = app.token("manager.a@example.com", PASSWORD).await;
    let planned = new_training(
        &app,
        &manager,
        org.team_a,
        &[org.consultant_a1],
        "2099-03-01T09:00:00+08:00",
    )
    .await;
    let path = format!("/api/v1/trainings/{}", planned["id"].as_str().expect("id"));
    let attendee = format!("{path}/attendees/{}", org.consultant_a1);
    let problem = assert_problem(
        app.put_json(&attendee, Some(&manager), &json!({"attended": true}))
            .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["pointer"], "/attended");

    let response = app.get(&path, Some(&manager)).await;
    let etag = response.headers()["etag"].to_str().expect("ascii").to_owned();
    expect_json(response, 200).await;
    let renamed = expect_json(
        app.patch_json(
            &path,
            Some(&manager),
            &json!({"title": "谈判技巧（二）", "trainer": null}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(renamed["trainer"], Value::Null);
    let stale = patch_if_match(&app, &path, &manager, &etag, &json!({"title": "overwritten"})).await;
    assert_problem(stale, 412, "precondition_failed").await;
    assert_eq!(
        expect_json(app.get(&path, Some(&manager)).await, 200).await["title"],
        "谈判技巧（二）"
    );
    assert_problem(
        app.patch_json(&path, Some(&manager), &json!({"held_at": "tomorrow"}))
            .await,
        422,
        "validation_failed",
    )
    .await;
}
