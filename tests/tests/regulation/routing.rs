//! Lead routing rules: leads go, as they arrive, to a named consultant or a
//! team's round-robin by the director's ordered rules; the default rule
//! takes the rest; the timeline names the rule and its version; only the
//! director edits them, with If-Match, and every change is audited.

use reqwest::Method;
use sea_orm::EntityTrait;
use serde_json::{Value, json};
use tests::{
    TestApp, assert_invalid, assert_problem,
    client::expect_json,
    customers::import,
    org::{Org, PASSWORD, list, org, partner},
    spawn_app,
};
use uuid::Uuid;

fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_owned()
}

/// A rule made by the director; its body.
async fn rule(app: &TestApp, director: &str, body: Value) -> Value {
    expect_json(app.post_json("/api/v1/routing-rules", Some(director), &body).await, 201).await
}

/// Rules made by the director, in this order; their bodies.
async fn rules(app: &TestApp, director: &str, bodies: Vec<Value>) -> Vec<Value> {
    let mut made = Vec::new();
    for body in bodies {
        made.push(rule(app, director, body).await);
    }
    made
}

/// `method path` with `If-Match: etag` and a JSON body, as `token`.
async fn if_match(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: &str,
    etag: &str,
    body: Option<Value>,
) -> reqwest::Response {
    let mut request = app
        .client
        .request(method, app.url(path))
        .bearer_auth(token)
        .header("If-Match", etag);
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.expect("request")
}

/// The `ETag` of `path` as `token` reads it.
async fn etag(app: &TestApp, path: &str, token: &str) -> String {
    let response = app.get(path, Some(token)).await;
    let etag = response.headers()["etag"].to_str().expect("ascii").to_owned();
    expect_json(response, 200).await;
    etag
}

/// A lead pushed by the partner; its body as answered.
async fn push(app: &TestApp, partner: &str, external_id: &str, extra: Value) -> Value {
    let mut body = json!({"name": format!("lead {external_id}"), "external_id": external_id});
    if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
        body.extend(extra.clone());
    }
    let answer = expect_json(app.post_json("/api/v1/customers", Some(partner), &body).await, 201).await;
    // The partner is not told who got its lead; the routing is read from the record.
    assert!(
        answer.get("owner_id").is_none() && answer.get("team_id").is_none(),
        "{answer}"
    );
    let id = Uuid::parse_str(answer["id"].as_str().expect("id")).expect("uuid");
    let routed = entities::customers::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .expect("read the lead")
        .expect("the lead");
    json!({"id": id, "owner_id": routed.owner_id, "team_id": routed.team_id,
           "project_of_interest": answer["project_of_interest"]})
}

/// The timeline entry of the lead's assignment, read by the director.
async fn assignment_entry(app: &TestApp, director: &str, customer: &str) -> Value {
    let timeline = list(app, &format!("/api/v1/customers/{customer}/timeline"), director).await;
    timeline["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|e| e["kind"] == "assigned")
        .cloned()
        .unwrap_or_else(|| panic!("no assignment in {timeline}"))
}

struct Setup {
    app: TestApp,
    org: Org,
    director: String,
    partner: String,
    partner_id: String,
}

async fn setup() -> Setup {
    let app = spawn_app().await;
    let org = org(&app).await;
    let admin = app.admin_token().await;
    let (partner, partner_id) = partner(&app, &admin, "Portal", &["customers:read", "customers:write"]).await;
    let director = app.token("director@example.com", PASSWORD).await;
    Setup {
        app,
        org,
        director,
        partner,
        partner_id,
    }
}

#[tokio::test]
async fn a_partners_leads_go_to_its_teams_round_robin_in_turn_and_the_timeline_names_the_rule_and_version() {
    let Setup {
        app,
        org,
        director,
        partner,
        partner_id,
    } = setup().await;
    let made = rule(
        &app,
        &director,
        json!({"name": "Portal to team A", "source_client_id": partner_id, "team_id": org.team_a}),
    )
    .await;
    assert_eq!(made["version"], 1);
    let mut owners = Vec::new();
    for n in 0..3 {
        let lead = push(&app, &partner, &format!("P-{n}"), json!({})).await;
        assert_eq!(lead["team_id"], org.team_a.to_string(), "{lead}");
        owners.push(lead["owner_id"].as_str().expect("routed").to_owned());
    }
    let (a1, a2) = (org.consultant_a1.to_string(), org.consultant_a2.to_string());
    let first = owners[0].clone();
    let second = if first == a1 { a2.clone() } else { a1.clone() };
    assert_eq!(owners, [first.clone(), second, first]);

    let lead = list(&app, "/api/v1/customers?external_id=P-0", &partner).await["items"][0].clone();
    let entry = assignment_entry(&app, &director, &id(&lead)).await;
    assert_eq!(entry["data"]["strategy"], "round_robin");
    assert_eq!(entry["data"]["routing_rule"]["id"], made["id"]);
    assert_eq!(entry["data"]["routing_rule"]["name"], "Portal to team A");
    assert_eq!(entry["data"]["routing_rule"]["version"], 1);
    assert!(
        entry["actor_user_id"].is_null() && entry["actor_client_id"].is_null(),
        "{entry}"
    );
    // The lead's first-response deadline runs, as for any lead that arrives.
    let timers = list(
        &app,
        &format!("/api/v1/timers?customer_id={}", id(&lead)),
        &app.admin_token().await,
    )
    .await;
    assert!(
        timers["items"]
            .as_array()
            .expect("items")
            .iter()
            .any(|t| t["kind"] == "first_response"),
        "{timers}"
    );
}

#[tokio::test]
async fn rules_by_channel_key_account_and_project_route_by_priority_and_the_default_team_takes_the_rest() {
    let Setup {
        app,
        org,
        director,
        partner,
        ..
    } = setup().await;
    let b1 = org.consultant_b.to_string();
    let made = rules(
        &app,
        &director,
        vec![
            json!({"name": "Key accounts to b1", "priority": 20, "key_account": true,
                   "consultant_id": org.consultant_b}),
            json!({"name": "Partner platform to a1", "priority": 10, "channel": "partner_platform",
                   "consultant_id": org.consultant_a1}),
            json!({"name": "Riverside to a2", "priority": 30, "project": "Riverside",
                   "consultant_id": org.consultant_a2}),
            json!({"name": "Everything else to team B", "fallback": true, "team_id": org.team_b}),
        ],
    )
    .await;

    // A key account from the partner platform: the channel rule comes first.
    let lead = push(&app, &partner, "K-1", json!({"key_account": true})).await;
    assert_eq!(lead["owner_id"], org.consultant_a1.to_string());
    // A website lead asking about Riverside: only the project rule matches.
    let lead = push(
        &app,
        &partner,
        "R-1",
        json!({"channel": "website", "project_of_interest": "Riverside"}),
    )
    .await;
    assert_eq!(lead["owner_id"], org.consultant_a2.to_string());
    assert_eq!(lead["project_of_interest"], "Riverside");
    // A website lead about nothing in particular: the default team.
    let lead = push(&app, &partner, "W-1", json!({"channel": "website"})).await;
    assert_eq!(lead["owner_id"], b1);
    let entry = assignment_entry(&app, &director, &id(&lead)).await;
    assert_eq!(entry["data"]["routing_rule"]["fallback"], true);

    // The director moves the key-account rule first: key accounts now go to b1.
    let path = format!("/api/v1/routing-rules/{}", id(&made[0]));
    let tag = etag(&app, &path, &director).await;
    let body = Some(json!({"priority": 5}));
    let moved = expect_json(if_match(&app, Method::PATCH, &path, &director, &tag, body).await, 200).await;
    assert_eq!(moved["version"], 2);
    let order: Vec<String> = list(&app, "/api/v1/routing-rules", &director).await["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|r| r["name"].as_str().expect("name").to_owned())
        .collect();
    assert_eq!(
        order,
        [
            "Key accounts to b1",
            "Partner platform to a1",
            "Riverside to a2",
            "Everything else to team B"
        ]
    );
    let lead = push(&app, &partner, "K-2", json!({"key_account": true})).await;
    assert_eq!(lead["owner_id"], b1);
    let entry = assignment_entry(&app, &director, &id(&lead)).await;
    assert_eq!(entry["data"]["strategy"], "named");
    assert_eq!(entry["data"]["routing_rule"]["version"], 2);
}

#[tokio::test]
async fn without_rules_a_partners_lead_waits_unassigned_and_staff_leads_keep_their_recorder() {
    let Setup {
        app,
        org,
        director,
        partner,
        ..
    } = setup().await;
    let lead = push(&app, &partner, "U-1", json!({})).await;
    assert!(lead["owner_id"].is_null(), "{lead}");
    rule(
        &app,
        &director,
        json!({"name": "Everything to team B", "fallback": true, "team_id": org.team_b}),
    )
    .await;
    let a1 = app.token("a1@example.com", PASSWORD).await;
    let body = json!({"name": "walk-in", "channel": "store_walk_in"});
    let own = expect_json(app.post_json("/api/v1/customers", Some(&a1), &body).await, 201).await;
    assert_eq!(own["owner_id"], org.consultant_a1.to_string());
}

#[tokio::test]
async fn two_leads_arriving_at_once_go_to_different_consultants_of_the_team() {
    let Setup {
        app,
        org,
        director,
        partner,
        ..
    } = setup().await;
    rule(
        &app,
        &director,
        json!({"name": "Partners to team A", "channel": "partner_platform", "team_id": org.team_a}),
    )
    .await;
    for round in 0..3 {
        let (first, second) = (format!("C-{round}-x"), format!("C-{round}-y"));
        let (x, y) = tokio::join!(
            push(&app, &partner, &first, json!({})),
            push(&app, &partner, &second, json!({})),
        );
        assert!(x["owner_id"].is_string() && y["owner_id"].is_string(), "{x} {y}");
        assert_ne!(x["owner_id"], y["owner_id"], "round {round}");
    }
}

#[tokio::test]
async fn a_partners_csv_import_is_routed_row_by_row() {
    let Setup {
        app,
        org,
        director,
        partner,
        partner_id,
    } = setup().await;
    rules(
        &app,
        &director,
        vec![
            json!({"name": "Pudong to b1", "priority": 1, "district": "Pudong", "consultant_id": org.consultant_b}),
            json!({"name": "Portal to team A", "source_client_id": partner_id, "team_id": org.team_a}),
        ],
    )
    .await;
    let csv = "name,external_id,district_of_interest\nOne,I-1,Pudong\nTwo,I-2,\nThree,I-3,\n";
    let report = expect_json(import(&app, &partner, csv).await, 200).await;
    assert_eq!(report["created"], 3, "{report}");
    let owner = |n: usize| {
        let id = report["results"][n]["customer_id"].as_str().expect("id").to_owned();
        let (app, director) = (&app, &director);
        async move { list(app, &format!("/api/v1/customers/{id}"), director).await["owner_id"].clone() }
    };
    assert_eq!(owner(0).await, org.consultant_b.to_string());
    let (two, three) = (owner(1).await, owner(2).await);
    let team_a = [org.consultant_a1.to_string(), org.consultant_a2.to_string()];
    assert!(team_a.iter().any(|a| two == *a) && team_a.iter().any(|a| three == *a));
    assert_ne!(two, three);
}

#[tokio::test]
async fn a_consultant_may_neither_read_nor_change_the_routing_rules() {
    let Setup { app, org, director, .. } = setup().await;
    let made = rule(
        &app,
        &director,
        json!({"name": "Website to a1", "channel": "website", "consultant_id": org.consultant_a1}),
    )
    .await;
    let a1 = app.token("a1@example.com", PASSWORD).await;
    let path = format!("/api/v1/routing-rules/{}", id(&made));
    assert_problem(app.get("/api/v1/routing-rules", Some(&a1)).await, 403, "forbidden").await;
    let body = json!({"name": "Mine", "channel": "website", "consultant_id": org.consultant_a1});
    assert_problem(
        app.post_json("/api/v1/routing-rules", Some(&a1), &body).await,
        403,
        "forbidden",
    )
    .await;
    assert_problem(
        app.patch_json(&path, Some(&a1), &json!({"priority": 1})).await,
        403,
        "forbidden",
    )
    .await;
    assert_problem(app.delete(&path, Some(&a1)).await, 403, "forbidden").await;
    let manager = app.token("manager.a@example.com", PASSWORD).await;
    expect_json(app.get(&path, Some(&manager)).await, 200).await;
    assert_problem(
        app.patch_json(&path, Some(&manager), &json!({"priority": 1})).await,
        403,
        "forbidden",
    )
    .await;
}

#[tokio::test]
async fn a_stale_if_match_is_refused_and_every_change_of_a_rule_is_audited() {
    let Setup { app, org, director, .. } = setup().await;
    let made = rule(
        &app,
        &director,
        json!({"name": "Website to a1", "channel": "website", "consultant_id": org.consultant_a1}),
    )
    .await;
    let path = format!("/api/v1/routing-rules/{}", id(&made));
    let old = etag(&app, &path, &director).await;
    let change = Some(json!({"consultant_id": null, "team_id": org.team_a}));
    let changed = expect_json(if_match(&app, Method::PATCH, &path, &director, &old, change).await, 200).await;
    assert_eq!(
        (changed["version"].clone(), changed["team_id"].clone()),
        (json!(2), json!(org.team_a))
    );
    let stale = Some(json!({"priority": 1}));
    let refused = if_match(&app, Method::PATCH, &path, &director, &old, stale).await;
    assert_problem(refused, 412, "precondition_failed").await;
    let refused = if_match(&app, Method::DELETE, &path, &director, &old, None).await;
    assert_problem(refused, 412, "precondition_failed").await;
    assert_eq!(list(&app, &path, &director).await["version"], 2);

    // A rule breaking the rules is refused: no condition, a second default.
    let bare = json!({"name": "Nothing", "team_id": org.team_a});
    assert_invalid(
        app.post_json("/api/v1/routing-rules", Some(&director), &bare).await,
        &["/channel"],
    )
    .await;
    let default = json!({"name": "Default", "fallback": true, "team_id": org.team_b});
    rule(&app, &director, default.clone()).await;
    assert_problem(
        app.post_json("/api/v1/routing-rules", Some(&director), &default).await,
        409,
        "routing_fallback_exists",
    )
    .await;

    assert_eq!(app.delete(&path, Some(&director)).await.status().as_u16(), 204);
    let log = list(&app, "/api/v1/audit-log?entity=routing_rule", &app.admin_token().await).await;
    let mut actions: Vec<String> = log["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|e| e["entity_id"] == made["id"])
        .map(|e| e["action"].as_str().expect("action").to_owned())
        .collect();
    actions.sort();
    assert_eq!(actions, ["create", "delete", "update"], "{log}");
}
