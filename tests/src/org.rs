//! A small organisation for tests that need staff: two teams, a manager and
//! two consultants in team A, a consultant in team B, and a director; and
//! helpers for reading lists.

use crate::{TestApp, client::expect_json};
use chrono::Utc;
use domain::{Secret, access::audit::AuditContext, access::users::NewUser};
use entities::{regions, teams};
use sea_orm::{ActiveModelTrait, Set};
use serde_json::{Value, json};
use uuid::Uuid;

pub const PASSWORD: &str = "staff-password-1";

/// A small organisation: two teams, a manager and two consultants in team
/// A, a consultant in team B, and a director.
#[derive(Debug)]
pub struct Org {
    pub team_a: Uuid,
    pub team_b: Uuid,
    pub manager_a: Uuid,
    pub consultant_a1: Uuid,
    pub consultant_a2: Uuid,
    pub consultant_b: Uuid,
    pub director: Uuid,
}

pub async fn create_team(app: &TestApp, region: Uuid, name: &str, manager: Option<Uuid>) -> Uuid {
    let now = Utc::now();
    teams::ActiveModel {
        id: Set(Uuid::now_v7()),
        region_id: Set(region),
        name: Set(name.to_owned()),
        manager_id: Set(manager),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&app.db)
    .await
    .expect("team")
    .id
}

pub async fn create_user(app: &TestApp, email: &str, role: &str, team_id: Option<Uuid>) -> Uuid {
    let new = NewUser {
        email: email.to_owned(),
        name: email.split('@').next().unwrap_or(email).to_owned(),
        password: Secret::new(PASSWORD),
        roles: vec![role.to_owned()],
        team_id,
        phone: None,
        locale: "en".to_owned(),
    };
    domain::access::users::create(&app.db, &AuditContext::default(), new)
        .await
        .expect("user")
        .id
}

/// A custom role `name` granting each of `grants` (permission, scope), made
/// by the service itself (no actor).
pub async fn create_role(app: &TestApp, name: &str, grants: &[(&str, &str)]) -> Uuid {
    use domain::access::roles::{self, Grant, RoleInput};
    let input = RoleInput {
        name: Some(name.to_owned()),
        description: None,
        grants: Some(
            grants
                .iter()
                .map(|(permission, scope)| Grant {
                    permission: (*permission).to_owned(),
                    scope: scope.parse().expect("a scope"),
                })
                .collect(),
        ),
    };
    roles::create(&app.db, &AuditContext::default(), input)
        .await
        .expect("role")
        .id
}

/// Switches `user` to reading Chinese (the users made here read English),
/// through the API as the administrator.
pub async fn reads_chinese(app: &TestApp, user: Uuid) {
    let admin = app.admin_token().await;
    let body = json!({"locale": "zh-CN"});
    let response = app
        .patch_json(&format!("/api/v1/users/{user}"), Some(&admin), &body)
        .await;
    expect_json(response, 200).await;
}

pub async fn org(app: &TestApp) -> Org {
    let now = Utc::now();
    let region = regions::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set("East".to_owned()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&app.db)
    .await
    .expect("region")
    .id;
    let team_b = create_team(app, region, "B", None).await;
    let team_a = create_team(app, region, "A", None).await;
    let manager_a = create_user(app, "manager.a@example.com", "manager", Some(team_a)).await;
    teams::ActiveModel {
        id: Set(team_a),
        manager_id: Set(Some(manager_a)),
        ..Default::default()
    }
    .update(&app.db)
    .await
    .expect("manager of team A");
    Org {
        team_a,
        team_b,
        manager_a,
        consultant_a1: create_user(app, "a1@example.com", "consultant", Some(team_a)).await,
        consultant_a2: create_user(app, "a2@example.com", "consultant", Some(team_a)).await,
        consultant_b: create_user(app, "b1@example.com", "consultant", Some(team_b)).await,
        director: create_user(app, "director@example.com", "director", None).await,
    }
}

/// The caller's notifications of `kind` (`sla_breach`, `approval_requested`, …).
pub async fn notifications(app: &TestApp, token: &str, kind: &str) -> Vec<Value> {
    let all = list(app, "/api/v1/notifications", token).await;
    all["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|n| n["kind"] == kind)
        .cloned()
        .collect()
}

/// Every item of the list `path` (with a query string), following
/// `next_cursor` page by page, with the number of pages it took.
pub async fn read_pages(app: &TestApp, path: &str, token: &str) -> (Vec<Value>, usize) {
    let (mut all, mut pages) = (Vec::new(), 0);
    let mut cursor: Option<String> = None;
    loop {
        let url = match &cursor {
            Some(cursor) => format!("{path}&cursor={cursor}"),
            None => path.to_owned(),
        };
        let page = expect_json(app.get(&url, Some(token)).await, 200).await;
        pages += 1;
        all.extend(page["items"].as_array().expect("items").iter().cloned());
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return (all, pages),
        }
    }
}

/// The ids in a list response.
pub fn ids(list: &Value) -> Vec<String> {
    values(list, "id")
}

/// The text field `key` of each item of a list response, in order (an
/// audit log's actions, a timeline's kinds).
pub fn values(list: &Value, key: &str) -> Vec<String> {
    list["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i[key].as_str().map(str::to_owned))
        .collect()
}

/// The row of a report whose `key` is `id`.
pub fn row<'a>(report: &'a Value, key: &str, id: impl std::fmt::Display) -> &'a Value {
    let id = id.to_string();
    report["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|r| r[key] == id.as_str())
        .unwrap_or_else(|| panic!("no row for {id} in {report}"))
}

pub async fn list(app: &TestApp, path: &str, token: &str) -> Value {
    expect_json(app.get(path, Some(token)).await, 200).await
}

/// The user id of the token's holder, as `/api/v1/me` names it.
pub async fn my_id(app: &TestApp, token: &str) -> String {
    list(app, "/api/v1/me", token).await["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

/// A token of a new partner API client that may read and push leads.
pub async fn partner_token(app: &TestApp, admin: &str, name: &str) -> String {
    partner(app, admin, name, &["customers:read", "customers:write"])
        .await
        .0
}

/// A token of a new partner API client with `scopes`, and the client's row id.
pub async fn partner(app: &TestApp, admin: &str, name: &str, scopes: &[&str]) -> (String, String) {
    let body = json!({"name": name, "scopes": scopes});
    let client = expect_json(app.post_json("/api/v1/api-clients", Some(admin), &body).await, 201).await;
    (
        client_token(app, &client).await,
        client["id"].as_str().expect("id").to_owned(),
    )
}

/// A token of the API client just created (`client`, with its secret).
pub async fn client_token(app: &TestApp, client: &Value) -> String {
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", client["client_id"].as_str().expect("client_id")),
        ("client_secret", client["client_secret"].as_str().expect("secret")),
    ];
    let response = app
        .client
        .post(app.url("/api/v1/auth/token"))
        .form(&form)
        .send()
        .await
        .expect("request");
    expect_json(response, 200).await["access_token"]
        .as_str()
        .expect("token")
        .to_owned()
}

/// A unit on sale, written straight to the database (for tests of other resources).
pub async fn create_unit(app: &TestApp, number: &str) -> Uuid {
    let now = Utc::now();
    entities::units::ActiveModel {
        id: Set(Uuid::now_v7()),
        project: Set("Riverside".to_owned()),
        building: Set("3".to_owned()),
        number: Set(number.to_owned()),
        layout: Set("3室2厅".to_owned()),
        area_sqm_centi: Set(10_250),
        list_price_fen: Set(420_000_000),
        status: Set(entities::units::UnitStatus::Available),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&app.db)
    .await
    .expect("unit")
    .id
}
