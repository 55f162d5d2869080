use serde_json::json;
use tests::{assert_invalid, assert_problem, client::expect_json, spawn_app};

use crate::list;

#[tokio::test]
async fn the_catalog_and_the_seeded_roles_are_readable() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let catalog = list(&app, "/api/v1/permissions", &admin).await;
    let names: Vec<&str> = catalog
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|p| p["name"].as_str())
        .collect();
    assert!(
        names.contains(&"users:read") && names.contains(&"roles:write"),
        "{names:?}"
    );
    let roles = list(&app, "/api/v1/roles", &admin).await;
    let role_names: Vec<&str> = roles["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|r| r["name"].as_str())
        .collect();
    for seeded in [
        "admin",
        "consultant",
        "customer_manager",
        "director",
        "manager",
        "partner",
        "support",
    ] {
        assert!(role_names.contains(&seeded), "{seeded} missing");
    }
}

#[tokio::test]
async fn a_role_is_created_changed_and_deleted() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let body =
        json!({"name": "team_lead", "description": "Leads", "grants": [{"permission": "users:read", "scope": "team"}]});
    let response = app.post_json("/api/v1/roles", Some(&admin), &body).await;
    let location = response.headers()["location"].to_str().expect("ascii").to_owned();
    let created = expect_json(response, 201).await;
    assert_eq!(
        created["grants"],
        json!([{"permission": "users:read", "scope": "team"}])
    );
    assert_eq!(created["builtin"], false);

    let duplicate = app.post_json("/api/v1/roles", Some(&admin), &body).await;
    assert_problem(duplicate, 409, "conflict").await;

    let changed = app
        .patch_json(
            &location,
            Some(&admin),
            &json!({"grants": [{"permission": "users:read", "scope": "all"}]}),
        )
        .await;
    assert_eq!(expect_json(changed, 200).await["grants"][0]["scope"], "all");
    let deleted = app.delete(&location, Some(&admin)).await;
    assert_eq!(deleted.status(), 204);
    assert_problem(app.get(&location, Some(&admin)).await, 404, "not_found").await;
}

#[tokio::test]
async fn invalid_roles_are_422_with_a_pointer_per_field() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let body = json!({"name": "Bad Name", "grants": [{"permission": "everything:all", "scope": "all"}]});
    // The bootstrap administrator reads Chinese, an administrator whose
    // locale is English reads English.
    tests::org::create_user(&app, "admin.en@example.com", "admin", None).await;
    let admin_en = app.token("admin.en@example.com", tests::org::PASSWORD).await;
    for (token, details) in [
        (
            &admin,
            [
                "必须是 2 到 64 个 a-z、0-9 或 _ 字符，并以字母开头",
                "权限 \"everything:all\" 不存在；请查看 GET /api/v1/permissions",
            ],
        ),
        (
            &admin_en,
            [
                "must be 2 to 64 of a-z, 0-9 and _, starting with a letter",
                "unknown permission \"everything:all\"; see GET /api/v1/permissions",
            ],
        ),
    ] {
        let problem = assert_invalid(
            app.post_json("/api/v1/roles", Some(token), &body).await,
            &["/name", "/grants/0/permission"],
        )
        .await;
        assert_eq!(problem["errors"][0]["detail"], details[0], "{problem}");
        assert_eq!(problem["errors"][1]["detail"], details[1], "{problem}");
    }
    let bad_scope = json!({"name": "ok_name", "grants": [{"permission": "users:read", "scope": "galaxy"}]});
    assert_problem(
        app.post_json("/api/v1/roles", Some(&admin), &bad_scope).await,
        422,
        "validation_failed",
    )
    .await;
    let roles = list(&app, "/api/v1/roles", &admin).await;
    assert_eq!(
        roles["items"].as_array().expect("items").len(),
        7,
        "nothing was created"
    );
}

#[tokio::test]
async fn the_last_administrator_cannot_be_removed_disabled_or_stripped() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let me = list(&app, "/api/v1/me", &admin).await;
    let admin_id = me["id"].as_str().expect("id").to_owned();
    let roles = list(&app, "/api/v1/roles", &admin).await;
    let admin_role = roles["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|r| r["name"] == "admin")
        .expect("admin")
        .clone();
    let admin_role_path = format!("/api/v1/roles/{}", admin_role["id"].as_str().expect("id"));

    let disable = app
        .patch_json(
            &format!("/api/v1/users/{admin_id}"),
            Some(&admin),
            &json!({"status": "disabled"}),
        )
        .await;
    assert_problem(disable, 409, "last_administrator").await;
    let strip_roles = app
        .put_json(
            &format!("/api/v1/users/{admin_id}/roles"),
            Some(&admin),
            &json!({"roles": ["director"]}),
        )
        .await;
    assert_problem(strip_roles, 409, "last_administrator").await;
    let strip_grants = app
        .patch_json(&admin_role_path, Some(&admin), &json!({"grants": []}))
        .await;
    assert_problem(strip_grants, 409, "last_administrator").await;
    let delete = app.delete(&admin_role_path, Some(&admin)).await;
    assert_problem(delete, 409, "builtin_role").await;
    let rename = app
        .patch_json(&admin_role_path, Some(&admin), &json!({"name": "root"}))
        .await;
    assert_problem(rename, 409, "builtin_role").await;

    // Nothing changed: the administrator still works.
    let after = list(&app, "/api/v1/me", &admin).await;
    assert_eq!(after["roles"], json!(["admin"]));
    assert_eq!(
        list(&app, &admin_role_path, &admin).await["grants"],
        admin_role["grants"]
    );

    // With a second administrator, the first may step down.
    let second = app
        .post_json(
            "/api/v1/users",
            Some(&admin),
            &json!({"email": "admin2@example.com", "name": "Second", "password": "second-password-1", "roles": ["admin"]}),
        )
        .await;
    expect_json(second, 201).await;
    let step_down = app
        .put_json(
            &format!("/api/v1/users/{admin_id}/roles"),
            Some(&admin),
            &json!({"roles": ["director"]}),
        )
        .await;
    assert_eq!(expect_json(step_down, 200).await["roles"], json!(["director"]));
}
