//! People and access in the console: users (create, disable, reset
//! password), teams and regions, the role × permission matrix with custom
//! roles edited after a preview, and the evaluation of a user's access —
//! each change read back through the REST API and its audit log.

use serde_json::{Value, json};
use tests::{
    ADMIN_EMAIL, ADMIN_PASSWORD, TestApp,
    client::expect_json,
    console::{Console, location},
    org::{PASSWORD, create_role, create_user, list, my_id, org},
    spawn_app,
};

async fn admin(app: &TestApp) -> (Console, String, String) {
    let console = Console::sign_in(app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let token = app.admin_token().await;
    let id = my_id(app, &token).await;
    (console, token, id)
}

/// The audit entries of `entity` `id` with `action`.
async fn audited(app: &TestApp, token: &str, entity: &str, id: &str, action: &str) -> Vec<Value> {
    let path = format!("/api/v1/audit-log?entity={entity}&entity_id={id}&action={action}");
    list(app, &path, token).await["items"]
        .as_array()
        .expect("items")
        .clone()
}

/// The text of the first element after `marker` (up to the next `<`).
fn text_after<'a>(html: &'a str, marker: &str) -> &'a str {
    let at = html.find(marker).unwrap_or_else(|| panic!("{marker} in {html}")) + marker.len();
    let rest = &html[at..];
    let start = rest.find('>').expect("tag end") + 1;
    rest[start..].split('<').next().expect("text")
}

/// The row of permission `permission` on a page.
fn row<'a>(html: &'a str, permission: &str) -> &'a str {
    let marker = format!("data-permission=\"{permission}\"");
    let at = html.find(&marker).unwrap_or_else(|| panic!("{marker} in {html}"));
    let rest = &html[at..];
    &rest[..rest.find("</tr>").expect("row end")]
}

/// Gained, lost and re-scoped counts of `permission` in a preview.
fn counts(html: &str, permission: &str) -> (String, String, String) {
    let row = row(html, permission);
    (
        text_after(row, "class=\"num gain\"").to_owned(),
        text_after(row, "class=\"num lose\"").to_owned(),
        text_after(row, "class=\"num rescope\"").to_owned(),
    )
}

async fn user_by_email(app: &TestApp, token: &str, email: &str) -> Value {
    let found = list(app, &format!("/api/v1/users?q={email}"), token).await;
    found["items"][0].clone()
}

#[tokio::test]
async fn an_administrator_creates_a_user_in_the_console_who_can_then_get_an_api_token() {
    let app = spawn_app().await;
    let (console, token, admin_id) = admin(&app).await;
    let created = console
        .post(
            "/console/users",
            &[
                ("name", "Li Na"),
                ("email", "li.na@example.com"),
                ("roles", "consultant"),
                ("roles", "support"),
                ("team", ""),
                ("locale", "en"),
                ("password", ""),
            ],
        )
        .await;
    assert_eq!(created.status().as_u16(), 200);
    assert_eq!(
        created.headers().get("cache-control").and_then(|v| v.to_str().ok()),
        Some("no-store"),
        "a page with a password is not kept"
    );
    let html = created.text().await.expect("page");
    let password = text_after(&html, "id=\"new-password\"").to_owned();
    assert_eq!(password.len(), 20, "a generated password is shown once: {html}");

    let user_token = app.token("li.na@example.com", &password).await;
    assert_eq!(my_id(&app, &user_token).await.len(), 36);
    let user = user_by_email(&app, &token, "li.na@example.com").await;
    assert_eq!(user["roles"], json!(["consultant", "support"]));
    assert_eq!(user["locale"], "en");
    let entries = audited(&app, &token, "user", user["id"].as_str().expect("id"), "create").await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["actor_user_id"], admin_id.as_str());

    // The password is not shown again: the user's page has no trace of it.
    let (_, page) = console
        .page(&format!("/console/users/{}", user["id"].as_str().expect("id")))
        .await;
    assert!(
        page.contains("li.na@example.com") && !page.contains(&password),
        "{page}"
    );
}

#[tokio::test]
async fn disabling_a_user_in_the_console_ends_its_api_access_and_is_audited_with_the_administrator_as_actor() {
    let app = spawn_app().await;
    let (console, token, admin_id) = admin(&app).await;
    let user = create_user(&app, "wang@example.com", "consultant", None).await;
    let user_token = app.token("wang@example.com", PASSWORD).await;
    assert_eq!(
        app.get("/api/v1/customers", Some(&user_token)).await.status().as_u16(),
        200
    );

    let (_, page) = console.page(&format!("/console/users/{user}")).await;
    assert!(
        page.contains(&format!("action=\"/console/users/{user}/status\"")),
        "{page}"
    );
    let disabled = console
        .post(&format!("/console/users/{user}/status"), &[("status", "disabled")])
        .await;
    assert_eq!(disabled.status().as_u16(), 303);
    assert_eq!(location(&disabled), format!("/console/users/{user}"));

    let refused = app.get("/api/v1/customers", Some(&user_token)).await.status().as_u16();
    assert!(refused == 401 || refused == 403, "{refused}");
    let read_back = list(&app, &format!("/api/v1/users/{user}"), &token).await;
    assert_eq!(read_back["status"], "disabled");
    let entries = audited(&app, &token, "user", &user.to_string(), "update").await;
    let last = entries.last().expect("an update entry");
    assert_eq!(last["actor_user_id"], admin_id.as_str());
    assert_eq!(last["changes"]["status"]["after"], "disabled");

    let (_, page) = console.page(&format!("/console/users/{user}")).await;
    assert!(
        page.contains("已停用用户") && page.contains("已停用"),
        "flash and status: {page}"
    );
}

#[tokio::test]
async fn resetting_a_password_shows_a_new_one_once_and_ends_the_users_sessions() {
    let app = spawn_app().await;
    let (console, _, _) = admin(&app).await;
    let user = create_user(&app, "ops@example.com", "admin", None).await;
    let theirs = Console::sign_in(&app, "ops@example.com", PASSWORD).await;
    let refresh = app
        .post_json(
            "/api/v1/auth/token",
            None,
            &json!({"grant_type": "password", "email": "ops@example.com", "password": PASSWORD}),
        )
        .await;
    let refresh = expect_json(refresh, 200).await["refresh_token"]
        .as_str()
        .expect("refresh token")
        .to_owned();

    let reset = console.post(&format!("/console/users/{user}/password"), &[]).await;
    assert_eq!(reset.status().as_u16(), 200);
    let html = reset.text().await.expect("page");
    let password = text_after(&html, "id=\"new-password\"").to_owned();

    assert_eq!(
        theirs.get("/console").await.status().as_u16(),
        303,
        "their session ended"
    );
    let refreshed = app
        .post_json(
            "/api/v1/auth/token",
            None,
            &json!({"grant_type": "refresh_token", "refresh_token": refresh}),
        )
        .await;
    assert!(refreshed.status().is_client_error(), "the refresh token is revoked");
    app.token("ops@example.com", &password).await;
}

#[tokio::test]
async fn editing_a_custom_roles_permission_in_the_console_changes_what_the_api_allows() {
    let app = spawn_app().await;
    let (console, token, admin_id) = admin(&app).await;
    let created = console
        .post("/console/roles", &[("name", "auditor"), ("description", "Reads leads")])
        .await;
    assert_eq!(created.status().as_u16(), 303);
    assert_eq!(location(&created), "/console/roles/auditor");
    create_user(&app, "zhao@example.com", "auditor", None).await;
    let user_token = app.token("zhao@example.com", PASSWORD).await;
    assert_eq!(
        app.get("/api/v1/customers", Some(&user_token)).await.status().as_u16(),
        403
    );

    let (_, page) = console.page("/console/roles/auditor").await;
    assert!(page.contains("name=\"grant.customers:read\""), "{page}");
    let saved = console
        .post("/console/roles/auditor", &[("grant.customers:read", "own")])
        .await;
    assert_eq!(saved.status().as_u16(), 303);
    assert_eq!(
        app.get("/api/v1/customers", Some(&user_token)).await.status().as_u16(),
        200
    );

    let roles = list(&app, "/api/v1/roles", &token).await;
    let role = roles["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|r| r["name"] == "auditor")
        .expect("the role")
        .clone();
    assert_eq!(
        role["grants"],
        json!([{"permission": "customers:read", "scope": "own"}])
    );
    let entries = audited(&app, &token, "role", role["id"].as_str().expect("id"), "update").await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["actor_user_id"], admin_id.as_str());

    let (_, matrix) = console.page("/console/roles").await;
    assert!(
        row(&matrix, "customers:read").contains("本人"),
        "the matrix shows the grant"
    );

    console
        .post("/console/roles/auditor", &[("grant.customers:read", "")])
        .await;
    assert_eq!(
        app.get("/api/v1/customers", Some(&user_token)).await.status().as_u16(),
        403
    );
}

#[tokio::test]
async fn the_preview_counts_users_gaining_losing_and_changing_scope_and_saves_nothing() {
    let app = spawn_app().await;
    let (console, token, _) = admin(&app).await;
    console.post("/console/roles", &[("name", "analyst")]).await;
    console
        .post("/console/roles/analyst", &[("grant.kpis:read", "own")])
        .await;
    // Only the analyst role: loses kpis:read, gains customers:read.
    create_user(&app, "only@example.com", "analyst", None).await;
    // Also a consultant (kpis:read own, customers:read own): keeps kpis:read,
    // and customers:read goes from own to team.
    let both = create_user(&app, "both@example.com", "analyst", None).await;
    let roles = app
        .put_json(
            &format!("/api/v1/users/{both}/roles"),
            Some(&token),
            &json!({"roles": ["analyst", "consultant"]}),
        )
        .await;
    expect_json(roles, 200).await;
    // A disabled holder counts for nothing.
    let gone = create_user(&app, "gone@example.com", "analyst", None).await;
    let disabled = app
        .patch_json(
            &format!("/api/v1/users/{gone}"),
            Some(&token),
            &json!({"status": "disabled"}),
        )
        .await;
    expect_json(disabled, 200).await;

    let preview = console
        .post(
            "/console/roles/analyst/preview",
            &[("grant.kpis:read", ""), ("grant.customers:read", "team")],
        )
        .await;
    assert_eq!(preview.status().as_u16(), 200);
    let html = preview.text().await.expect("page");
    assert!(html.contains("该角色有 2 名启用的用户"), "{html}");
    assert_eq!(counts(&html, "kpis:read"), ("0".into(), "1".into(), "0".into()));
    assert_eq!(counts(&html, "customers:read"), ("1".into(), "0".into(), "1".into()));
    assert!(
        html.contains("<option value=\"team\" selected>"),
        "the form keeps what was chosen"
    );

    let roles = list(&app, "/api/v1/roles", &token).await;
    let role = roles["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|r| r["name"] == "analyst")
        .expect("the role")
        .clone();
    assert_eq!(
        role["grants"],
        json!([{"permission": "kpis:read", "scope": "own"}]),
        "a preview saves nothing"
    );
}

#[tokio::test]
async fn built_in_roles_cannot_be_edited_in_the_console() {
    let app = spawn_app().await;
    let (console, token, _) = admin(&app).await;
    let (status, page) = console.page("/console/roles/consultant").await;
    assert_eq!(status, 200);
    assert!(!page.contains("name=\"grant."), "no form: {page}");
    assert!(page.contains("内置角色"), "{page}");

    let before = list(&app, "/api/v1/roles", &token).await;
    for path in ["/console/roles/consultant", "/console/roles/consultant/preview"] {
        let forged = console.post(path, &[("grant.users:write", "all")]).await;
        assert_eq!(forged.status().as_u16(), 403, "{path}");
        let html = forged.text().await.expect("page");
        assert!(html.contains("只读"), "the refusal says why: {html}");
    }
    assert_eq!(list(&app, "/api/v1/roles", &token).await, before, "nothing changed");
}

#[tokio::test]
async fn evaluate_access_lists_each_permission_with_the_granting_role() {
    let app = spawn_app().await;
    let (console, token, _) = admin(&app).await;
    let user = create_user(&app, "sun@example.com", "consultant", None).await;
    let roles = app
        .put_json(
            &format!("/api/v1/users/{user}/roles"),
            Some(&token),
            &json!({"roles": ["consultant", "customer_manager"]}),
        )
        .await;
    expect_json(roles, 200).await;

    let (_, user_page) = console.page(&format!("/console/users/{user}")).await;
    assert!(
        user_page.contains(&format!("/console/roles/evaluate?user={user}")),
        "linked"
    );
    let (status, html) = console.page(&format!("/console/roles/evaluate?user={user}")).await;
    assert_eq!(status, 200);
    let customers = row(&html, "customers:read");
    assert!(
        customers.contains("本人") && customers.contains(">consultant<"),
        "{customers}"
    );
    let users_read = row(&html, "users:read");
    assert!(
        users_read.contains("全部") && users_read.contains(">customer_manager<") && users_read.contains(">consultant<"),
        "the widest scope, and every granting role: {users_read}"
    );
    assert!(row(&html, "roles:write").contains("未持有"));

    let (_, search) = console.page("/console/roles/evaluate?q=sun%40example").await;
    assert!(
        search.contains(&format!("/console/roles/evaluate?user={user}")),
        "{search}"
    );
    assert!(!html.contains("此用户已停用"), "an active user: {html}");

    // A disabled user's roles still show, with the warning that none applies.
    let disabled = console
        .post(&format!("/console/users/{user}/status"), &[("status", "disabled")])
        .await;
    assert_eq!(disabled.status().as_u16(), 303);
    let (_, html) = console.page(&format!("/console/roles/evaluate?user={user}")).await;
    assert!(html.contains("此用户已停用"), "{html}");
    assert!(row(&html, "customers:read").contains(">consultant<"));
}

#[tokio::test]
async fn teams_and_regions_are_created_and_a_teams_manager_changed_in_the_console() {
    let app = spawn_app().await;
    let (console, token, _) = admin(&app).await;
    let org = org(&app).await;
    let (_, page) = console.page("/console/teams").await;
    assert!(page.contains("East") && page.contains("manager.a"), "{page}");

    console.post("/console/teams/regions", &[("name", "West")]).await;
    let regions = list(&app, "/api/v1/regions", &token).await;
    let west = regions["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|r| r["name"] == "West")
        .expect("West created")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let manager = org.manager_a.to_string();
    let created = console
        .post(
            "/console/teams/new",
            &[("name", "C"), ("region", west.as_str()), ("manager", manager.as_str())],
        )
        .await;
    assert_eq!(created.status().as_u16(), 303);
    let changed = console
        .post(
            &format!("/console/teams/{}", org.team_b),
            &[("region", west.as_str()), ("manager", manager.as_str())],
        )
        .await;
    assert_eq!(changed.status().as_u16(), 303);
    let team_b = list(&app, &format!("/api/v1/teams/{}", org.team_b), &token).await;
    assert_eq!(team_b["region_id"], west.as_str());
    assert_eq!(team_b["manager_id"], manager.as_str());
    let teams = list(&app, "/api/v1/teams", &token).await;
    assert!(
        teams["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|t| t["name"] == "C")
    );
}

#[tokio::test]
async fn a_consultant_gets_the_403_page_on_users_and_sees_no_users_link() {
    let app = spawn_app().await;
    create_user(&app, "qian@example.com", "consultant", None).await;
    let console = Console::sign_in(&app, "qian@example.com", PASSWORD).await;
    let (_, home) = console.page("/console").await;
    assert!(!home.contains("href=\"/console/users\""), "{home}");
    let (status, page) = console.page("/console/users").await;
    assert_eq!(status, 403);
    assert!(page.contains("users:read") && page.contains("<html"), "{page}");
    let forged = console
        .post("/console/users", &[("name", "X"), ("email", "x@example.com")])
        .await;
    assert_eq!(forged.status().as_u16(), 403);
    assert_eq!(console.page("/console/roles").await.0, 403);

    let (admin, _, _) = admin(&app).await;
    let (_, home) = admin.page("/console").await;
    assert!(home.contains("href=\"/console/users\"") && home.contains("href=\"/console/roles\""));
}

#[tokio::test]
async fn the_users_page_lists_and_filters_accounts_in_chinese_and_in_english() {
    let app = spawn_app().await;
    let (console, _, _) = admin(&app).await;
    org(&app).await;
    let (status, zh) = console.page("/console/users").await;
    assert_eq!(status, 200);
    for words in [
        "姓名",
        "暂停接收线索",
        "新建用户",
        "a1@example.com",
        "director@example.com",
    ] {
        assert!(zh.contains(words), "{words}: {zh}");
    }
    let (_, found) = console.page("/console/users?q=a1%40&status=active").await;
    assert!(
        found.contains("a1@example.com") && !found.contains("b1@example.com"),
        "{found}"
    );
    let (_, managers) = console.page("/console/users?role=manager").await;
    assert!(managers.contains("manager.a@example.com") && !managers.contains("a2@example.com"));
    let (_, none) = console.page("/console/users?q=nobody-at-all").await;
    assert!(none.contains("没有符合条件的用户"), "an empty state: {none}");

    console
        .post("/console/language", &[("locale", "en"), ("back", "/console/users")])
        .await;
    let (_, en) = console.page("/console/users").await;
    for words in ["Name", "Lead intake paused", "Create user", "a1@example.com"] {
        assert!(en.contains(words), "{words}: {en}");
    }
    assert!(!en.contains("暂停接收线索"));
}

#[tokio::test]
async fn without_users_write_the_buttons_are_hidden_and_a_forged_post_is_refused_but_intake_can_be_paused() {
    use sea_orm::EntityTrait;
    let app = spawn_app().await;
    let org = org(&app).await;
    let console = Console::sign_in(&app, "director@example.com", PASSWORD).await;
    let (status, list_page) = console.page("/console/users").await;
    assert_eq!(status, 200, "a director reads every account");
    assert!(list_page.contains("b1@example.com") && !list_page.contains("method=\"post\" action=\"/console/users\""));
    let user = org.consultant_a1;
    let (_, page) = console.page(&format!("/console/users/{user}")).await;
    assert!(!page.contains("/status\"") && !page.contains("/password\""), "{page}");
    assert!(!page.contains("name=\"name\""), "no edit form: {page}");

    let forged = console
        .post(&format!("/console/users/{user}/status"), &[("status", "disabled")])
        .await;
    assert_eq!(forged.status().as_u16(), 403);
    let row = entities::users::Entity::find_by_id(user)
        .one(&app.db)
        .await
        .expect("read")
        .expect("user");
    assert_eq!(row.status, entities::users::UserStatus::Active, "nothing changed");

    // customers:assign (the API's permission for it) pauses lead intake.
    assert!(
        page.contains(&format!("action=\"/console/users/{user}/intake\"")),
        "{page}"
    );
    let paused = console
        .post(&format!("/console/users/{user}/intake"), &[("paused", "true")])
        .await;
    assert_eq!(paused.status().as_u16(), 303);
    let row = entities::users::Entity::find_by_id(user)
        .one(&app.db)
        .await
        .expect("read")
        .expect("user");
    assert!(row.lead_intake_paused);
    let token = app.admin_token().await;
    let entries = audited(&app, &token, "user", &user.to_string(), "update").await;
    assert_eq!(
        entries.last().expect("audited")["actor_user_id"],
        org.director.to_string().as_str()
    );
}

#[tokio::test]
async fn a_manager_reads_only_the_accounts_of_their_team() {
    let app = spawn_app().await;
    org(&app).await;
    let console = Console::sign_in(&app, "manager.a@example.com", PASSWORD).await;
    let (status, page) = console.page("/console/users").await;
    assert_eq!(status, 200);
    assert!(
        page.contains("a1@example.com") && page.contains("a2@example.com"),
        "{page}"
    );
    assert!(
        !page.contains("b1@example.com") && !page.contains("director@example.com"),
        "{page}"
    );
}

#[tokio::test]
async fn an_administrator_changes_a_users_name_team_language_and_roles_on_the_users_page() {
    let app = spawn_app().await;
    let (console, token, admin_id) = admin(&app).await;
    let org = org(&app).await;
    let user = org.consultant_a1;
    let team_b = org.team_b.to_string();
    let saved = console
        .post(
            &format!("/console/users/{user}"),
            &[
                ("name", "Zhou Yi"),
                ("locale", "zh-CN"),
                ("team", team_b.as_str()),
                ("roles", "consultant"),
                ("roles", "support"),
            ],
        )
        .await;
    assert_eq!(saved.status().as_u16(), 303);
    let read_back = list(&app, &format!("/api/v1/users/{user}"), &token).await;
    assert_eq!(read_back["name"], "Zhou Yi");
    assert_eq!(read_back["locale"], "zh-CN");
    assert_eq!(read_back["team_id"], team_b.as_str());
    assert_eq!(read_back["roles"], json!(["consultant", "support"]));
    for action in ["update", "set_roles"] {
        let entries = audited(&app, &token, "user", &user.to_string(), action).await;
        assert_eq!(
            entries.last().expect(action)["actor_user_id"],
            admin_id.as_str(),
            "{action}"
        );
    }

    // A typed password is used as it is and not shown back.
    let created = console
        .post(
            "/console/users",
            &[
                ("name", "Wu"),
                ("email", "wu@example.com"),
                ("locale", "en"),
                ("password", "typed-password-1"),
            ],
        )
        .await;
    assert_eq!(created.status().as_u16(), 200);
    let html = created.text().await.expect("page");
    assert!(
        !html.contains("typed-password-1") && !html.contains("id=\"new-password\""),
        "{html}"
    );
    app.token("wu@example.com", "typed-password-1").await;
}

#[tokio::test]
async fn the_users_list_pages_by_fifty_keeping_its_filters() {
    use sea_orm::{ActiveModelTrait, Set};
    let app = spawn_app().await;
    let (console, _, _) = admin(&app).await;
    let now = chrono::Utc::now();
    for i in 0..55 {
        entities::users::ActiveModel {
            id: Set(uuid::Uuid::now_v7()),
            email: Set(format!("bulk{i:02}@example.com")),
            name: Set(format!("Bulk {i:02}")),
            phone: Set(None),
            team_id: Set(None),
            locale: Set("en".to_owned()),
            status: Set(entities::users::UserStatus::Active),
            password_hash: Set("not-a-hash".to_owned()),
            lead_intake_paused: Set(false),
            last_lead_assigned_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&app.db)
        .await
        .expect("user");
    }
    let rows = |html: &str| html.matches("href=\"/console/users/").count();
    let (_, first) = console.page("/console/users?q=bulk").await;
    assert_eq!(rows(&first), 50, "{first}");
    let at = first
        .find("href=\"/console/users?q=bulk&amp;cursor=")
        .expect("a next link keeping the search");
    let href = first[at + 6..].split('"').next().expect("href").replace("&amp;", "&");
    let (status, second) = console.page(&href).await;
    assert_eq!(status, 200);
    assert_eq!(rows(&second), 5, "{second}");
    assert!(second.contains("bulk54@example.com") && !second.contains("bulk00@example.com"));
    assert!(!second.contains("rel=\"next\""), "the last page");
}

/// The id of the item of `path`'s list named `name`, if any.
async fn id_named(app: &TestApp, token: &str, path: &str, name: &str) -> Option<String> {
    list(app, path, token).await["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|item| item["name"] == name)
        .map(|item| item["id"].as_str().expect("id").to_owned())
}

#[tokio::test]
async fn regions_and_teams_are_renamed_and_deleted_in_the_console_and_audited() {
    let app = spawn_app().await;
    let (console, token, admin_id) = admin(&app).await;
    org(&app).await;
    console.post("/console/teams/regions", &[("name", "West")]).await;
    let west = id_named(&app, &token, "/api/v1/regions", "West").await.expect("West");

    let renamed = console
        .post(&format!("/console/teams/regions/{west}"), &[("name", "Southwest")])
        .await;
    assert_eq!(renamed.status().as_u16(), 303);
    assert_eq!(location(&renamed), "/console/teams");
    let region = list(&app, &format!("/api/v1/regions/{west}"), &token).await;
    assert_eq!(region["name"], "Southwest");
    let (_, page) = console.page("/console/teams").await;
    assert!(page.contains("已重命名区域。"), "the flash: {page}");
    assert!(
        page.contains("data-confirm=\"删除区域“Southwest”？"),
        "deleting asks first: {page}"
    );

    console
        .post(
            "/console/teams/new",
            &[("name", "C"), ("region", west.as_str()), ("manager", "")],
        )
        .await;
    let team = id_named(&app, &token, "/api/v1/teams", "C").await.expect("C");
    let (_, page) = console.page("/console/teams").await;
    assert!(
        page.contains("data-confirm=\"删除团队“C”？它有 0 名成员"),
        "deleting a team asks first, with its member count: {page}"
    );
    let renamed = console
        .post(
            &format!("/console/teams/{team}"),
            &[("name", "Coast"), ("region", west.as_str()), ("manager", "")],
        )
        .await;
    assert_eq!(renamed.status().as_u16(), 303);
    let read = list(&app, &format!("/api/v1/teams/{team}"), &token).await;
    assert_eq!(
        (read["name"].as_str(), read["region_id"].as_str()),
        (Some("Coast"), Some(west.as_str()))
    );

    let deleted = console.post(&format!("/console/teams/{team}/delete"), &[]).await;
    assert_eq!(deleted.status().as_u16(), 303);
    assert_eq!(
        app.get(&format!("/api/v1/teams/{team}"), Some(&token))
            .await
            .status()
            .as_u16(),
        404
    );
    let deleted = console
        .post(&format!("/console/teams/regions/{west}/delete"), &[])
        .await;
    assert_eq!(deleted.status().as_u16(), 303);
    assert_eq!(
        app.get(&format!("/api/v1/regions/{west}"), Some(&token))
            .await
            .status()
            .as_u16(),
        404
    );
    let (_, page) = console.page("/console/teams").await;
    assert!(page.contains("已删除区域。") && !page.contains("Southwest"), "{page}");

    for (entity, id, action) in [
        ("region", &west, "update"),
        ("region", &west, "delete"),
        ("team", &team, "update"),
        ("team", &team, "delete"),
    ] {
        let entries = audited(&app, &token, entity, id, action).await;
        assert_eq!(entries.len(), 1, "{entity} {action}");
        assert_eq!(entries[0]["actor_user_id"], admin_id.as_str(), "{entity} {action}");
    }
}

#[tokio::test]
async fn a_region_with_teams_and_a_team_with_members_are_not_deleted_and_the_page_says_why() {
    let app = spawn_app().await;
    let (console, token, _) = admin(&app).await;
    let org = org(&app).await;
    let team_a = list(&app, &format!("/api/v1/teams/{}", org.team_a), &token).await;
    let region = team_a["region_id"].as_str().expect("region").to_owned();

    let refused = console
        .post(&format!("/console/teams/regions/{region}/delete"), &[])
        .await;
    assert_eq!(refused.status().as_u16(), 409);
    let html = refused.text().await.expect("page");
    assert!(html.contains("该区域不为空"), "the domain's reason, in Chinese: {html}");
    let refused = console
        .post(&format!("/console/teams/{}/delete", org.team_a), &[])
        .await;
    assert_eq!(refused.status().as_u16(), 409);
    let html = refused.text().await.expect("page");
    assert!(html.contains("该团队不为空"), "the domain's reason, in Chinese: {html}");

    expect_json(app.get(&format!("/api/v1/regions/{region}"), Some(&token)).await, 200).await;
    expect_json(
        app.get(&format!("/api/v1/teams/{}", org.team_a), Some(&token)).await,
        200,
    )
    .await;
}

#[tokio::test]
async fn without_regions_and_teams_write_the_rename_and_delete_forms_are_hidden_and_a_forged_post_is_refused() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let org = org(&app).await;
    create_role(&app, "org_reader", &[("regions:read", "all"), ("teams:read", "all")]).await;
    create_user(&app, "reader@example.com", "org_reader", None).await;
    let reader = Console::sign_in(&app, "reader@example.com", PASSWORD).await;
    let team_a = list(&app, &format!("/api/v1/teams/{}", org.team_a), &token).await;
    let region = team_a["region_id"].as_str().expect("region").to_owned();

    let (status, page) = reader.page("/console/teams").await;
    assert_eq!(status, 200);
    assert!(page.contains("East"), "{page}");
    assert!(!page.contains("/delete\""), "no delete buttons: {page}");
    assert!(
        !page.contains(&format!("action=\"/console/teams/regions/{region}\"")),
        "no rename: {page}"
    );
    let before = (
        list(&app, "/api/v1/regions", &token).await,
        list(&app, "/api/v1/teams", &token).await,
    );
    for (path, fields) in [
        (format!("/console/teams/regions/{region}"), vec![("name", "Renamed")]),
        (format!("/console/teams/regions/{region}/delete"), vec![]),
        (format!("/console/teams/{}", org.team_b), vec![("name", "Renamed")]),
        (format!("/console/teams/{}/delete", org.team_b), vec![]),
    ] {
        let forged = reader.post(&path, &fields).await;
        assert_eq!(forged.status().as_u16(), 403, "{path}");
    }
    let after = (
        list(&app, "/api/v1/regions", &token).await,
        list(&app, "/api/v1/teams", &token).await,
    );
    assert_eq!(after, before, "nothing changed");
}

#[tokio::test]
async fn a_custom_role_is_renamed_and_deleted_in_the_console_the_confirmation_counting_its_active_holders() {
    let app = spawn_app().await;
    let (console, token, admin_id) = admin(&app).await;
    console.post("/console/roles", &[("name", "analyst")]).await;
    let first = create_user(&app, "one@example.com", "analyst", None).await;
    create_user(&app, "two@example.com", "analyst", None).await;
    let gone = create_user(&app, "gone@example.com", "analyst", None).await;
    let disabled = app
        .patch_json(
            &format!("/api/v1/users/{gone}"),
            Some(&token),
            &json!({"status": "disabled"}),
        )
        .await;
    expect_json(disabled, 200).await;

    let (_, page) = console.page("/console/roles/analyst").await;
    assert!(page.contains("2 名启用的用户持有该角色。"), "{page}");
    assert!(
        page.contains("data-confirm=\"删除角色 analyst？2 名启用的用户将失去它授予的权限。"),
        "deleting asks first, with the count: {page}"
    );

    let renamed = console
        .post("/console/roles/analyst/rename", &[("name", "market_analyst")])
        .await;
    assert_eq!(renamed.status().as_u16(), 303);
    assert_eq!(location(&renamed), "/console/roles/market_analyst");
    let role = id_named(&app, &token, "/api/v1/roles", "market_analyst")
        .await
        .expect("renamed");
    assert_eq!(id_named(&app, &token, "/api/v1/roles", "analyst").await, None);
    let user = list(&app, &format!("/api/v1/users/{first}"), &token).await;
    assert_eq!(user["roles"], json!(["market_analyst"]));
    let (_, page) = console.page("/console/roles/market_analyst").await;
    assert!(page.contains("已重命名角色。"), "the flash: {page}");

    console.post("/console/roles", &[("name", "taken")]).await;
    let clash = console
        .post("/console/roles/market_analyst/rename", &[("name", "taken")])
        .await;
    assert_eq!(clash.status().as_u16(), 409);
    assert!(clash.text().await.expect("page").contains("已存在同名角色"));

    let deleted = console.post("/console/roles/market_analyst/delete", &[]).await;
    assert_eq!(deleted.status().as_u16(), 303);
    assert_eq!(location(&deleted), "/console/roles");
    assert_eq!(id_named(&app, &token, "/api/v1/roles", "market_analyst").await, None);
    let user = list(&app, &format!("/api/v1/users/{first}"), &token).await;
    assert_eq!(user["roles"], json!([]), "the holders lose it");
    let (_, matrix) = console.page("/console/roles").await;
    assert!(matrix.contains("已删除角色 market_analyst。"), "the flash: {matrix}");

    for action in ["update", "delete"] {
        let entries = audited(&app, &token, "role", &role, action).await;
        assert_eq!(entries.len(), 1, "{action}");
        assert_eq!(entries[0]["actor_user_id"], admin_id.as_str(), "{action}");
    }
}

#[tokio::test]
async fn built_in_roles_cannot_be_renamed_or_deleted_and_without_roles_write_nothing_is_offered() {
    let app = spawn_app().await;
    let (console, token, _) = admin(&app).await;
    let (_, page) = console.page("/console/roles/consultant").await;
    assert!(
        !page.contains("/console/roles/consultant/rename") && !page.contains("/console/roles/consultant/delete"),
        "a built-in role offers neither: {page}"
    );
    let before = list(&app, "/api/v1/roles", &token).await;
    let refused = console
        .post("/console/roles/consultant/rename", &[("name", "seller")])
        .await;
    assert_eq!(refused.status().as_u16(), 409);
    let html = refused.text().await.expect("page");
    assert!(
        html.contains("内置角色 consultant 不能改名"),
        "the domain's reason: {html}"
    );
    let refused = console.post("/console/roles/consultant/delete", &[]).await;
    assert_eq!(refused.status().as_u16(), 409);
    let html = refused.text().await.expect("page");
    assert!(
        html.contains("内置角色 consultant 不能删除"),
        "the domain's reason: {html}"
    );
    assert_eq!(list(&app, "/api/v1/roles", &token).await, before, "nothing changed");

    create_role(&app, "observer", &[("roles:read", "all")]).await;
    create_role(&app, "helper", &[]).await;
    create_user(&app, "observer@example.com", "observer", None).await;
    let observer = Console::sign_in(&app, "observer@example.com", PASSWORD).await;
    let (status, page) = observer.page("/console/roles/helper").await;
    assert_eq!(status, 200);
    assert!(
        !page.contains("/console/roles/helper/rename") && !page.contains("/console/roles/helper/delete"),
        "{page}"
    );
    let forged = observer
        .post("/console/roles/helper/rename", &[("name", "x_helper")])
        .await;
    assert_eq!(forged.status().as_u16(), 403);
    let forged = observer.post("/console/roles/helper/delete", &[]).await;
    assert_eq!(forged.status().as_u16(), 403);
    assert!(id_named(&app, &token, "/api/v1/roles", "helper").await.is_some());
}
