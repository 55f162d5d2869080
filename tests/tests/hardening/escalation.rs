//! Privilege escalation through `roles:write` and `users:write`: a caller
//! grants and assigns only what it holds itself, never changes a role it
//! holds, and leaves built-in grants and the `admin` role to administrators.

use serde_json::{Value, json};
use tests::{
    TestApp, assert_problem,
    client::expect_json,
    org::{PASSWORD, create_user, list, my_id, org},
    spawn_app,
};

/// A custom role created by the administrator; its id.
async fn new_role(app: &TestApp, admin: &str, name: &str, grants: Value) -> String {
    let body = json!({"name": name, "description": "test role", "grants": grants});
    let role = expect_json(app.post_json("/api/v1/roles", Some(admin), &body).await, 201).await;
    role["id"].as_str().expect("id").to_owned()
}

/// The role named `name`, as listed.
async fn role_named(app: &TestApp, token: &str, name: &str) -> Value {
    let roles = list(app, "/api/v1/roles", token).await;
    roles["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|r| r["name"] == name)
        .cloned()
        .unwrap_or_else(|| panic!("role {name} missing"))
}

fn role_path(role: &Value) -> String {
    format!("/api/v1/roles/{}", role["id"].as_str().expect("id"))
}

/// The attacker of the issue: roles:read, roles:write and users:read only.
async fn roles_writer(app: &TestApp, admin: &str) -> String {
    new_role(
        app,
        admin,
        "role_keeper",
        json!([{"permission": "roles:read", "scope": "all"},
               {"permission": "roles:write", "scope": "all"},
               {"permission": "users:read", "scope": "team"}]),
    )
    .await;
    create_user(app, "keeper@example.com", "role_keeper", None).await;
    app.token("keeper@example.com", PASSWORD).await
}

/// A caller who manages accounts everywhere but not roles.
async fn accounts_writer(app: &TestApp, admin: &str) -> (uuid::Uuid, String) {
    new_role(
        app,
        admin,
        "account_keeper",
        json!([{"permission": "users:read", "scope": "all"},
               {"permission": "users:write", "scope": "all"}]),
    )
    .await;
    let id = create_user(app, "accounts@example.com", "account_keeper", None).await;
    (id, app.token("accounts@example.com", PASSWORD).await)
}

async fn detail(response: reqwest::Response) -> String {
    let problem = assert_problem(response, 403, "forbidden").await;
    problem["detail"].as_str().expect("detail").to_owned()
}

#[tokio::test]
async fn the_escalation_of_the_issue_is_refused_step_by_step_and_changes_nothing() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let keeper = roles_writer(&app, &admin).await;
    let roles_before = list(&app, "/api/v1/roles", &admin).await;

    // 1. A new role granting users:write on all records.
    let body = json!({"name": "escalator", "grants": [{"permission": "users:write", "scope": "all"}]});
    let refused = detail(app.post_json("/api/v1/roles", Some(&keeper), &body).await).await;
    assert!(refused.contains("users:write"), "{refused}");

    // 2. Its own role widened the same way.
    let own = role_named(&app, &admin, "role_keeper").await;
    let mut widened = own["grants"].as_array().expect("grants").clone();
    widened.push(json!({"permission": "users:write", "scope": "all"}));
    let refused = detail(
        app.patch_json(&role_path(&own), Some(&keeper), &json!({"grants": widened}))
            .await,
    )
    .await;
    assert!(refused.contains("role_keeper"), "{refused}");

    // 3. The admin role stripped down to roles:read.
    let admin_role = role_named(&app, &admin, "admin").await;
    let strip = json!({"grants": [{"permission": "roles:read", "scope": "all"}]});
    let refused = detail(app.patch_json(&role_path(&admin_role), Some(&keeper), &strip).await).await;
    assert!(refused.contains("administrator"), "{refused}");

    assert_eq!(
        list(&app, "/api/v1/roles", &admin).await,
        roles_before,
        "nothing changed"
    );
    let me = list(&app, "/api/v1/me", &keeper).await;
    assert!(
        !me["permissions"]
            .as_array()
            .expect("permissions")
            .iter()
            .any(|p| p["permission"] == "users:write"),
        "{me}"
    );
}

#[tokio::test]
async fn a_roles_writer_grants_no_permission_it_lacks_and_no_scope_wider_than_its_own() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let keeper = roles_writer(&app, &admin).await;
    let lacking = json!({"name": "lacking", "grants": [{"permission": "kpis:read", "scope": "own"}]});
    let refused = detail(app.post_json("/api/v1/roles", Some(&keeper), &lacking).await).await;
    assert!(refused.contains("kpis:read"), "{refused}");
    let wider = json!({"name": "wider", "grants": [{"permission": "users:read", "scope": "all"}]});
    let refused = detail(app.post_json("/api/v1/roles", Some(&keeper), &wider).await).await;
    assert!(refused.contains("users:read") && refused.contains("team"), "{refused}");

    // A role it does not hold cannot be widened either.
    let narrow = json!({"name": "narrow", "grants": [{"permission": "users:read", "scope": "own"}]});
    let created = expect_json(app.post_json("/api/v1/roles", Some(&keeper), &narrow).await, 201).await;
    let path = role_path(&created);
    let widen = json!({"grants": [{"permission": "users:read", "scope": "all"}]});
    assert_problem(app.patch_json(&path, Some(&keeper), &widen).await, 403, "forbidden").await;
    assert_eq!(
        list(&app, &path, &admin).await["grants"],
        json!([{"permission": "users:read", "scope": "own"}])
    );
}

#[tokio::test]
async fn a_roles_writer_cannot_rename_describe_or_delete_a_role_it_holds() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let keeper = roles_writer(&app, &admin).await;
    let own = role_named(&app, &admin, "role_keeper").await;
    let path = role_path(&own);
    for body in [json!({"name": "renamed"}), json!({"description": "mine now"})] {
        assert_problem(app.patch_json(&path, Some(&keeper), &body).await, 403, "forbidden").await;
    }
    assert_problem(app.delete(&path, Some(&keeper)).await, 403, "forbidden").await;
    assert_eq!(list(&app, &path, &admin).await, own);
}

#[tokio::test]
async fn only_an_administrator_changes_built_in_grants_and_the_admin_role() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let keeper = roles_writer(&app, &admin).await;
    let consultant = role_named(&app, &admin, "consultant").await;
    let narrower = json!({"grants": [{"permission": "users:read", "scope": "own"}]});
    let refused = detail(app.patch_json(&role_path(&consultant), Some(&keeper), &narrower).await).await;
    assert!(refused.contains("built-in"), "{refused}");
    let admin_role = role_named(&app, &admin, "admin").await;
    let describe = json!({"description": "nobody special"});
    assert_problem(
        app.patch_json(&role_path(&admin_role), Some(&keeper), &describe).await,
        403,
        "forbidden",
    )
    .await;
    assert_eq!(role_named(&app, &admin, "consultant").await, consultant);
    assert_eq!(role_named(&app, &admin, "admin").await, admin_role);
}

#[tokio::test]
async fn no_one_assigns_or_removes_a_role_wider_than_their_own() {
    let app = spawn_app().await;
    let org = org(&app).await;
    let admin = app.admin_token().await;
    let (me, accounts) = accounts_writer(&app, &admin).await;
    let admin_id = my_id(&app, &admin).await;
    let put_roles = |user: String, roles: Value| {
        let (app, accounts) = (&app, accounts.clone());
        async move {
            app.put_json(
                &format!("/api/v1/users/{user}/roles"),
                Some(&accounts),
                &json!({ "roles": roles }),
            )
            .await
        }
    };
    let refused = detail(put_roles(me.to_string(), json!(["account_keeper", "admin"])).await).await;
    assert!(refused.contains("admin"), "{refused}");
    let refused = detail(put_roles(org.consultant_a1.to_string(), json!(["director"])).await).await;
    assert!(refused.contains("director"), "{refused}");
    // Removing the admin role from the administrator is as wide as giving it.
    assert_problem(
        put_roles(admin_id.clone(), json!(["account_keeper"])).await,
        403,
        "forbidden",
    )
    .await;
    // Nor through a new account.
    let new_admin =
        json!({"email": "mole@example.com", "name": "Mole", "password": "mole-password-1", "roles": ["admin"]});
    assert_problem(
        app.post_json("/api/v1/users", Some(&accounts), &new_admin).await,
        403,
        "forbidden",
    )
    .await;

    let roles_of = |user: String| {
        let (app, admin) = (&app, admin.clone());
        async move { list(app, &format!("/api/v1/users/{user}"), &admin).await["roles"].clone() }
    };
    assert_eq!(roles_of(me.to_string()).await, json!(["account_keeper"]));
    assert_eq!(roles_of(org.consultant_a1.to_string()).await, json!(["consultant"]));
    assert_eq!(roles_of(admin_id).await, json!(["admin"]));
    let users = list(&app, "/api/v1/users?q=mole", &admin).await;
    assert_eq!(users["items"], json!([]), "no account was created");
}

#[tokio::test]
async fn administrators_regrant_built_in_roles_and_delegates_manage_narrower_roles() {
    let app = spawn_app().await;
    let org = org(&app).await;
    let admin = app.admin_token().await;

    // The administrator re-grants a built-in role, even with a permission
    // the admin role itself does not carry.
    let consultant = role_named(&app, &admin, "consultant").await;
    let mut grants = consultant["grants"].as_array().expect("grants").clone();
    grants.push(json!({"permission": "targets:read", "scope": "own"}));
    let changed = expect_json(
        app.patch_json(&role_path(&consultant), Some(&admin), &json!({"grants": grants}))
            .await,
        200,
    )
    .await;
    assert!(
        changed["grants"]
            .as_array()
            .expect("grants")
            .contains(&json!({"permission": "targets:read", "scope": "own"}))
    );
    let admin_role = role_named(&app, &admin, "admin").await;
    let described = json!({"description": "Runs the system"});
    expect_json(
        app.patch_json(&role_path(&admin_role), Some(&admin), &described).await,
        200,
    )
    .await;

    // A roles writer creates, changes and deletes roles within its own grants.
    let keeper = roles_writer(&app, &admin).await;
    let equal = json!({"name": "team_reader", "grants": [{"permission": "users:read", "scope": "team"},
                                                           {"permission": "roles:read", "scope": "all"}]});
    let created = expect_json(app.post_json("/api/v1/roles", Some(&keeper), &equal).await, 201).await;
    let path = role_path(&created);
    let narrower = json!({"grants": [{"permission": "users:read", "scope": "own"}], "description": "Reads itself"});
    let changed = expect_json(app.patch_json(&path, Some(&keeper), &narrower).await, 200).await;
    assert_eq!(changed["grants"], json!([{"permission": "users:read", "scope": "own"}]));

    // An accounts writer assigns and removes it: it holds users:read on all records.
    let (_, accounts) = accounts_writer(&app, &admin).await;
    let path_roles = format!("/api/v1/users/{}/roles", org.consultant_a1);
    let assigned = expect_json(
        app.put_json(
            &path_roles,
            Some(&accounts),
            &json!({"roles": ["consultant", "team_reader"]}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(assigned["roles"], json!(["consultant", "team_reader"]));
    let removed = expect_json(
        app.put_json(&path_roles, Some(&admin), &json!({"roles": ["consultant"]}))
            .await,
        200,
    )
    .await;
    assert_eq!(removed["roles"], json!(["consultant"]));
    assert_eq!(app.delete(&path, Some(&keeper)).await.status(), 204);
}
