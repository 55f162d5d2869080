use serde_json::json;
use tests::{client::expect_json, spawn_app};

use crate::{list, my_id, values};

#[tokio::test]
async fn every_write_leaves_one_audit_entry_with_its_actor_and_diff_and_no_secrets() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let admin_id = my_id(&app, &admin).await;

    let created = app
        .post_json(
            "/api/v1/users",
            Some(&admin),
            &json!({"email": "li.na@example.com", "name": "Li", "password": "li-na-password-1", "roles": ["consultant"]}),
        )
        .await;
    let user = expect_json(created, 201).await;
    let user_id = user["id"].as_str().expect("id").to_owned();
    let renamed = app
        .client
        .patch(app.url(&format!("/api/v1/users/{user_id}")))
        .header("x-request-id", "rename-42")
        .bearer_auth(&admin)
        .json(&json!({"name": "Li Na", "phone": "13800000000"}))
        .send()
        .await
        .expect("request");
    expect_json(renamed, 200).await;
    let roles = app
        .put_json(
            &format!("/api/v1/users/{user_id}/roles"),
            Some(&admin),
            &json!({"roles": ["consultant", "support"]}),
        )
        .await;
    expect_json(roles, 200).await;

    let log = list(
        &app,
        &format!("/api/v1/audit-log?entity=user&entity_id={user_id}"),
        &admin,
    )
    .await;
    let entries = log["items"].as_array().expect("items");
    assert_eq!(values(&log, "action"), ["create", "update", "set_roles"]);
    for entry in entries {
        assert_eq!(entry["actor_user_id"], admin_id.as_str(), "{entry}");
        assert!(entry["address"].is_string(), "{entry}");
    }
    assert_eq!(entries[1]["request_id"], "rename-42");
    assert_eq!(
        entries[1]["changes"],
        json!({"name": {"before": "Li", "after": "Li Na"}, "phone": {"before": null, "after": "13800000000"}})
    );
    assert_eq!(
        entries[2]["changes"]["roles"]["after"],
        json!(["consultant", "support"])
    );
    let text = log.to_string();
    assert!(
        !text.contains("li-na-password-1") && !text.contains("argon2"),
        "secrets in the log: {text}"
    );

    let by_actor = list(
        &app,
        &format!("/api/v1/audit-log?actor_user_id={admin_id}&action=update"),
        &admin,
    )
    .await;
    assert_eq!(by_actor["items"].as_array().expect("items").len(), 1);
}

#[tokio::test]
async fn a_refused_write_leaves_no_audit_entry() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let admin_id = my_id(&app, &admin).await;
    let refused = app
        .patch_json(
            &format!("/api/v1/users/{admin_id}"),
            Some(&admin),
            &json!({"status": "disabled"}),
        )
        .await;
    assert_eq!(refused.status(), 409);
    let log = list(
        &app,
        &format!("/api/v1/audit-log?entity=user&entity_id={admin_id}&action=update"),
        &admin,
    )
    .await;
    assert_eq!(log["items"], json!([]));
}

#[tokio::test]
async fn concurrent_changes_all_succeed_and_are_each_audited() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let mut ids = Vec::new();
    for i in 0..8 {
        let body =
            json!({"email": format!("c{i}@example.com"), "name": format!("C{i}"), "password": "concurrent-pass-1"});
        ids.push(
            expect_json(app.post_json("/api/v1/users", Some(&admin), &body).await, 201).await["id"]
                .as_str()
                .expect("id")
                .to_owned(),
        );
    }
    // Read-then-write transactions racing each other (and the queue's own writes).
    let changes = ids
        .iter()
        .flat_map(|id| (0..3).map(move |round| (id.clone(), round)))
        .map(|(id, round)| {
            let (app, admin) = (&app, &admin);
            async move {
                app.patch_json(
                    &format!("/api/v1/users/{id}"),
                    Some(admin),
                    &json!({"name": format!("Round {round}")}),
                )
                .await
                .status()
                .as_u16()
            }
        });
    let statuses = futures::future::join_all(changes).await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    let log = list(&app, "/api/v1/audit-log?entity=user&action=update&limit=100", &admin).await;
    assert_eq!(log["items"].as_array().expect("items").len(), 24);
}
