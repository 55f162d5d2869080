//! A training's attendees are within the writer's reach: a manager adds
//! the users of its teams, not another team's.

use serde_json::json;
use tests::{
    assert_problem,
    client::expect_json,
    org::{PASSWORD, org},
    spawn_app,
};

#[tokio::test]
async fn a_manager_cannot_add_another_teams_user_to_a_training() {
    let app = spawn_app().await;
    let org = org(&app).await;
    let manager = app.token("manager.a@example.com", PASSWORD).await;
    let director = app.token("director@example.com", PASSWORD).await;

    let body = json!({"title": "谈判技巧", "team_id": org.team_a, "held_at": "2026-11-20T14:00:00+08:00",
                      "attendee_ids": [org.consultant_a1, org.consultant_b]});
    let problem = assert_problem(
        app.post_json("/api/v1/trainings", Some(&manager), &body).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(
        problem["errors"],
        json!([{"pointer": "/attendee_ids/1", "detail": "no such user within your reach"}])
    );

    let body = json!({"title": "谈判技巧", "team_id": org.team_a, "held_at": "2026-11-20T14:00:00+08:00",
                      "attendee_ids": [org.consultant_a1]});
    let training = expect_json(app.post_json("/api/v1/trainings", Some(&manager), &body).await, 201).await;
    let path = format!("/api/v1/trainings/{}", training["id"].as_str().expect("id"));
    let outsider = format!("{path}/attendees/{}", org.consultant_b);
    assert_problem(
        app.put_json(&outsider, Some(&manager), &json!({"attended": true}))
            .await,
        404,
        "not_found",
    )
    .await;
    let read = expect_json(app.get(&path, Some(&manager)).await, 200).await;
    assert_eq!(read["attendees"].as_array().expect("attendees").len(), 1);

    // Team members still join, and the director reaches everyone.
    let member = format!("{path}/attendees/{}", org.consultant_a2);
    expect_json(
        app.put_json(&member, Some(&manager), &json!({"attended": true})).await,
        201,
    )
    .await;
    expect_json(
        app.put_json(&outsider, Some(&director), &json!({"attended": true}))
            .await,
        201,
    )
    .await;
}
