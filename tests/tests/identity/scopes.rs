use serde_json::json;
use tests::{assert_problem, client::expect_json, spawn_app};

use crate::{PASSWORD, ids, list, org};

#[tokio::test]
async fn a_consultant_sees_only_their_own_account_a_manager_their_team_and_the_director_everyone() {
    let app = spawn_app().await;
    let org = org(&app).await;
    let a1 = app.token("a1@example.com", PASSWORD).await;
    let manager = app.token("manager.a@example.com", PASSWORD).await;
    let director = app.token("director@example.com", PASSWORD).await;

    assert_eq!(
        ids(&list(&app, "/api/v1/users", &a1).await),
        [org.consultant_a1.to_string()]
    );
    assert_problem(
        app.get(&format!("/api/v1/users/{}", org.consultant_a2), Some(&a1))
            .await,
        404,
        "not_found",
    )
    .await;
    assert_eq!(
        app.get(&format!("/api/v1/users/{}", org.consultant_a1), Some(&a1))
            .await
            .status(),
        200
    );

    let mut team = ids(&list(&app, "/api/v1/users", &manager).await);
    team.sort();
    let mut expected = [org.manager_a, org.consultant_a1, org.consultant_a2]
        .map(|id| id.to_string())
        .to_vec();
    expected.sort();
    assert_eq!(team, expected);
    assert_eq!(
        app.get(&format!("/api/v1/users/{}", org.consultant_a2), Some(&manager))
            .await
            .status(),
        200
    );
    assert_problem(
        app.get(&format!("/api/v1/users/{}", org.consultant_b), Some(&manager))
            .await,
        404,
        "not_found",
    )
    .await;

    let everyone = ids(&list(&app, "/api/v1/users?limit=100", &director).await);
    for id in [org.consultant_a1, org.consultant_b, org.manager_a, org.director] {
        assert!(everyone.contains(&id.to_string()), "director misses {id}");
    }
    assert_eq!(
        app.get(&format!("/api/v1/users/{}", org.consultant_b), Some(&director))
            .await
            .status(),
        200
    );
    // Filters narrow within the scope, never widen it.
    let team_b = ids(&list(&app, &format!("/api/v1/users?team_id={}", org.team_b), &manager).await);
    assert!(team_b.is_empty(), "{team_b:?}");
}

#[tokio::test]
async fn a_consultant_calling_an_admin_endpoint_gets_403_with_a_code() {
    let app = spawn_app().await;
    org(&app).await;
    let a1 = app.token("a1@example.com", PASSWORD).await;
    let body = assert_problem(app.get("/api/v1/audit-log", Some(&a1)).await, 403, "forbidden").await;
    assert!(
        body["detail"].as_str().unwrap_or_default().contains("audit_log:read"),
        "{body}"
    );
    assert_problem(
        app.post_json("/api/v1/roles", Some(&a1), &json!({"name": "x"})).await,
        403,
        "forbidden",
    )
    .await;
    assert_problem(
        app.post_json("/api/v1/users", Some(&a1), &json!({})).await,
        403,
        "forbidden",
    )
    .await;
    assert_problem(app.get("/api/v1/permissions", Some(&a1)).await, 403, "forbidden").await;
    // Authentication is decided before the body is judged.
    let malformed = app.post_raw("/api/v1/roles", "application/json", "{not json").await;
    assert_problem(malformed, 401, "unauthorized").await;
}

#[tokio::test]
async fn a_permission_revoked_from_a_role_stops_working_on_the_next_request() {
    let app = spawn_app().await;
    org(&app).await;
    let admin = app.admin_token().await;
    let manager = app.token("manager.a@example.com", PASSWORD).await;
    assert_eq!(app.get("/api/v1/users", Some(&manager)).await.status(), 200);

    let roles = list(&app, "/api/v1/roles", &admin).await;
    let role = roles["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|r| r["name"] == "manager")
        .expect("manager role");
    let path = format!("/api/v1/roles/{}", role["id"].as_str().expect("id"));
    let grants = json!({"grants": [{"permission": "teams:read", "scope": "team"}]});
    expect_json(app.patch_json(&path, Some(&admin), &grants).await, 200).await;
    assert_problem(app.get("/api/v1/users", Some(&manager)).await, 403, "forbidden").await;
}

#[tokio::test]
async fn disabling_a_user_takes_effect_on_their_next_request() {
    let app = spawn_app().await;
    let org = org(&app).await;
    let admin = app.admin_token().await;
    let a1 = app.token("a1@example.com", PASSWORD).await;
    assert_eq!(app.get("/api/v1/me", Some(&a1)).await.status(), 200);
    let response = app
        .patch_json(
            &format!("/api/v1/users/{}", org.consultant_a1),
            Some(&admin),
            &json!({"status": "disabled"}),
        )
        .await;
    assert_eq!(expect_json(response, 200).await["status"], "disabled");
    assert_problem(app.get("/api/v1/me", Some(&a1)).await, 401, "unauthorized").await;
}

#[tokio::test]
async fn me_lists_the_effective_permissions_with_their_widest_scope() {
    let app = spawn_app().await;
    let org = org(&app).await;
    let manager = app.token("manager.a@example.com", PASSWORD).await;
    let me = list(&app, "/api/v1/me", &manager).await;
    assert!(
        me["permissions"]
            .as_array()
            .expect("permissions")
            .contains(&json!({"permission": "users:read", "scope": "team"})),
        "{me}"
    );
    assert_eq!(me["team_ids"], json!([org.team_a]));
}

#[tokio::test]
async fn a_manager_with_team_write_access_cannot_move_or_disable_users_or_reach_other_teams() {
    let app = spawn_app().await;
    let org = org(&app).await;
    let admin = app.admin_token().await;
    // Give managers users:write on their team.
    let roles = list(&app, "/api/v1/roles", &admin).await;
    let role = roles["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|r| r["name"] == "manager")
        .expect("manager");
    let grants = json!({"grants": [{"permission": "users:read", "scope": "team"}, {"permission": "users:write", "scope": "team"}]});
    let patch = |path: String, token: String, body: serde_json::Value| {
        let app = &app;
        async move { app.patch_json(&path, Some(&token), &body).await }
    };
    expect_json(
        patch(
            format!("/api/v1/roles/{}", role["id"].as_str().expect("id")),
            admin.clone(),
            grants,
        )
        .await,
        200,
    )
    .await;
    let manager = app.token("manager.a@example.com", PASSWORD).await;

    let renamed = patch(
        format!("/api/v1/users/{}", org.consultant_a1),
        manager.clone(),
        json!({"name": "Li Na"}),
    )
    .await;
    assert_eq!(expect_json(renamed, 200).await["name"], "Li Na");
    for body in [json!({"status": "disabled"}), json!({"team_id": org.team_b})] {
        let response = patch(format!("/api/v1/users/{}", org.consultant_a1), manager.clone(), body).await;
        assert_problem(response, 422, "validation_failed").await;
    }
    let outside = patch(
        format!("/api/v1/users/{}", org.consultant_b),
        manager.clone(),
        json!({"name": "x"}),
    )
    .await;
    assert_problem(outside, 404, "not_found").await;
    let roles = app
        .put_json(
            &format!("/api/v1/users/{}/roles", org.consultant_a1),
            Some(&manager),
            &json!({"roles": ["admin"]}),
        )
        .await;
    assert_problem(roles, 403, "forbidden").await;
    let unknown_field = patch(
        format!("/api/v1/users/{}", org.consultant_a1),
        manager,
        json!({"password_hash": "x"}),
    )
    .await;
    assert_problem(unknown_field, 422, "validation_failed").await;
}

#[tokio::test]
async fn users_are_listed_a_page_at_a_time() {
    let app = spawn_app().await;
    org(&app).await;
    let admin = app.admin_token().await;
    let mut seen = Vec::new();
    let mut path = "/api/v1/users?limit=3".to_owned();
    loop {
        let page = list(&app, &path, &admin).await;
        let page_ids = ids(&page);
        assert!(page_ids.len() <= 3);
        seen.extend(page_ids);
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/users?limit=3&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen.len(), 6, "admin + 5 staff: {seen:?}");
    let mut unique = seen.clone();
    unique.dedup();
    assert_eq!(unique, seen, "no duplicates across pages");
    for bad in [
        "/api/v1/users?limit=0",
        "/api/v1/users?limit=101",
        "/api/v1/users?cursor=nonsense",
    ] {
        assert_problem(app.get(bad, Some(&admin)).await, 422, "validation_failed").await;
    }
    assert_problem(
        app.get("/api/v1/users?limit=many", Some(&admin)).await,
        400,
        "invalid_query",
    )
    .await;
}

#[tokio::test]
async fn access_changed_in_sql_behind_the_services_back_counts_on_the_very_next_request() {
    use entities::{role_permissions, roles, teams, users};
    use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

    let app = spawn_app().await;
    let org = org(&app).await;
    let manager = app.token("manager.a@example.com", PASSWORD).await;
    let customer_b = tests::records::customer(&app, org.consultant_b, org.team_b, "2026-11-01T00:00:00Z").await;
    let path = format!("/api/v1/customers/{customer_b}");
    let manage_b = async |manager: Option<uuid::Uuid>| {
        teams::ActiveModel {
            id: Set(org.team_b),
            manager_id: Set(manager),
            ..Default::default()
        }
        .update(&app.db)
        .await
        .expect("team b");
    };
    // The caller is loaded once and kept from then on.
    assert_problem(app.get(&path, Some(&manager)).await, 404, "not_found").await;
    manage_b(Some(org.manager_a)).await;
    assert_eq!(app.get(&path, Some(&manager)).await.status(), 200);
    assert_eq!(app.get(&path, Some(&manager)).await.status(), 200);
    // The kept caller still manages team B; the database says otherwise.
    manage_b(None).await;
    assert_problem(app.get(&path, Some(&manager)).await, 404, "not_found").await;

    manage_b(Some(org.manager_a)).await;
    assert_eq!(app.get(&path, Some(&manager)).await.status(), 200);
    let role = roles::Entity::find()
        .filter(roles::Column::Name.eq("manager"))
        .one(&app.db)
        .await
        .expect("roles")
        .expect("manager role");
    role_permissions::Entity::delete_many()
        .filter(role_permissions::Column::RoleId.eq(role.id))
        .filter(role_permissions::Column::Permission.eq("customers:read"))
        .exec(&app.db)
        .await
        .expect("revoke");
    assert_problem(app.get(&path, Some(&manager)).await, 403, "forbidden").await;

    users::ActiveModel {
        id: Set(org.manager_a),
        status: Set(users::UserStatus::Disabled),
        ..Default::default()
    }
    .update(&app.db)
    .await
    .expect("disable");
    assert_problem(app.get(&path, Some(&manager)).await, 401, "unauthorized").await;
    assert_problem(app.get("/api/v1/me", Some(&manager)).await, 401, "unauthorized").await;
}
