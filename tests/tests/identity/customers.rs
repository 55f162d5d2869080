//! The identity acceptance points that are phrased with customers.

use serde_json::{Value, json};
use tests::{TestApp, assert_problem, client::expect_json, spawn_app};

use crate::{PASSWORD, ids, list, org};
use tests::{customers::new_customer, org::partner_token};

#[tokio::test]
async fn a_consultant_cannot_touch_another_consultants_customer_but_the_manager_and_director_can_read_it() {
    let app = spawn_app().await;
    org(&app).await;
    let a1 = app.token("a1@example.com", PASSWORD).await;
    let a2 = app.token("a2@example.com", PASSWORD).await;
    let manager = app.token("manager.a@example.com", PASSWORD).await;
    let director = app.token("director@example.com", PASSWORD).await;
    let customer = new_customer(&app, &a2, "王先生").await;
    let path = format!("/api/v1/customers/{customer}");

    assert_problem(app.get(&path, Some(&a1)).await, 404, "not_found").await;
    assert!(ids(&list(&app, "/api/v1/customers", &a1).await).is_empty());
    assert_problem(
        app.patch_json(&path, Some(&a1), &json!({"name": "taken"})).await,
        404,
        "not_found",
    )
    .await;
    assert_problem(app.delete(&path, Some(&a1)).await, 404, "not_found").await;

    assert_eq!(
        expect_json(app.get(&path, Some(&manager)).await, 200).await["name"],
        "王先生"
    );
    assert_eq!(
        ids(&list(&app, "/api/v1/customers", &manager).await),
        std::slice::from_ref(&customer)
    );
    assert_eq!(
        expect_json(app.get(&path, Some(&director)).await, 200).await["name"],
        "王先生"
    );
    // The owner still has it, untouched.
    assert_eq!(
        expect_json(app.get(&path, Some(&a2)).await, 200).await["name"],
        "王先生"
    );
    // The director reads but may not change.
    assert_problem(
        app.patch_json(&path, Some(&director), &json!({"name": "x"})).await,
        403,
        "forbidden",
    )
    .await;
}

#[tokio::test]
async fn a_consultant_cannot_give_a_customer_to_someone_else_or_set_protected_fields() {
    let app = spawn_app().await;
    let org = org(&app).await;
    let a1 = app.token("a1@example.com", PASSWORD).await;
    let body = json!({"name": "李女士", "owner_id": org.consultant_b});
    let problem = assert_problem(
        app.post_json("/api/v1/customers", Some(&a1), &body).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["pointer"], "/owner_id");
    for field in [
        json!({"name": "x", "status": "handed_over"}),
        json!({"name": "x", "team_id": org.team_b}),
    ] {
        assert_problem(
            app.post_json("/api/v1/customers", Some(&a1), &field).await,
            422,
            "validation_failed",
        )
        .await;
    }
    let customer = new_customer(&app, &a1, "李女士").await;
    let path = format!("/api/v1/customers/{customer}");
    let problem = assert_problem(
        app.patch_json(&path, Some(&a1), &json!({"owner_id": org.consultant_a1}))
            .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["pointer"], "/owner_id");
    let created = expect_json(app.get(&path, Some(&a1)).await, 200).await;
    assert_eq!(created["owner_id"], org.consultant_a1.to_string());
    assert_eq!(created["team_id"], org.team_a.to_string());
    assert_eq!(created["status"], "new");
}

async fn push(app: &TestApp, token: &str, external_id: &str, name: &str) -> reqwest::Response {
    let body = json!({"name": name, "phone": "13900139000", "external_id": external_id});
    app.post_json("/api/v1/customers", Some(token), &body).await
}

#[tokio::test]
async fn a_partner_client_reads_the_leads_it_pushed_and_nothing_else() {
    let app = spawn_app().await;
    org(&app).await;
    let admin = app.admin_token().await;
    let portal = partner_token(&app, &admin, "Listing portal").await;
    let agency = partner_token(&app, &admin, "Partner agency").await;
    let a1 = app.token("a1@example.com", PASSWORD).await;
    let walk_in = new_customer(&app, &a1, "门店客户").await;

    let lead: Value = expect_json(push(&app, &portal, "L-1", "张先生").await, 201).await;
    assert_eq!(lead["channel"], "partner_platform");
    assert_eq!(lead["external_id"], "L-1");
    let other: Value = expect_json(push(&app, &agency, "L-1", "赵女士").await, 201).await;

    let me = list(&app, "/api/v1/me", &portal).await;
    assert_eq!(
        (me["kind"].as_str(), me["name"].as_str()),
        (Some("client"), Some("Listing portal"))
    );
    assert_eq!(
        me["permissions"],
        json!([{"permission": "customers:read", "scope": "own"}, {"permission": "customers:write", "scope": "own"}])
    );
    let mine = list(&app, "/api/v1/customers", &portal).await;
    assert_eq!(ids(&mine), [lead["id"].as_str().expect("id").to_owned()]);
    assert_eq!(
        expect_json(
            app.get(
                &format!("/api/v1/customers/{}", lead["id"].as_str().expect("id")),
                Some(&portal)
            )
            .await,
            200
        )
        .await["name"],
        "张先生"
    );
    for foreign in [other["id"].as_str().expect("id").to_owned(), walk_in] {
        assert_problem(
            app.get(&format!("/api/v1/customers/{foreign}"), Some(&portal)).await,
            404,
            "not_found",
        )
        .await;
    }
    // A partner cannot delete, not even its own lead.
    let own = format!("/api/v1/customers/{}", lead["id"].as_str().expect("id"));
    assert_problem(app.delete(&own, Some(&portal)).await, 403, "forbidden").await;
}

#[tokio::test]
async fn the_same_lead_pushed_twice_by_a_partner_is_one_lead() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let portal = partner_token(&app, &admin, "Listing portal").await;
    let first = expect_json(push(&app, &portal, "L-42", "张先生").await, 201).await;
    let again = push(&app, &portal, "L-42", "张先生 (resent)").await;
    let second = expect_json(again, 200).await;
    assert_eq!(second["id"], first["id"]);
    assert_eq!(second["name"], "张先生", "the first push stands");
    assert_eq!(
        list(&app, "/api/v1/customers?external_id=L-42", &portal).await["items"]
            .as_array()
            .expect("items")
            .len(),
        1
    );
    let log = list(
        &app,
        &format!(
            "/api/v1/audit-log?entity=customer&entity_id={}",
            first["id"].as_str().expect("id")
        ),
        &admin,
    )
    .await;
    let entries = log["items"].as_array().expect("items");
    assert_eq!(entries.len(), 1, "one creation: {log}");
    assert!(
        entries[0]["actor_client_id"].is_string() && entries[0]["actor_user_id"].is_null(),
        "{log}"
    );
}

#[tokio::test]
async fn a_change_based_on_a_stale_version_is_412_and_changes_nothing() {
    let app = spawn_app().await;
    org(&app).await;
    let a1 = app.token("a1@example.com", PASSWORD).await;
    let id = new_customer(&app, &a1, "周先生").await;
    let path = format!("/api/v1/customers/{id}");
    let read = app.get(&path, Some(&a1)).await;
    let first_etag = read.headers()["etag"].to_str().expect("ascii").to_owned();

    let patch = |etag: String, body: Value| {
        let (app, path, a1) = (&app, &path, &a1);
        async move {
            app.client
                .patch(app.url(path))
                .bearer_auth(a1)
                .header("if-match", etag)
                .json(&body)
                .send()
                .await
                .expect("request")
        }
    };
    let changed = patch(first_etag.clone(), json!({"name": "周先生 (VIP)"})).await;
    let second_etag = changed.headers()["etag"].to_str().expect("ascii").to_owned();
    assert_ne!(second_etag, first_etag);
    expect_json(changed, 200).await;

    // Someone else still holds the first version.
    assert_problem(
        patch(first_etag.clone(), json!({"name": "overwritten"})).await,
        412,
        "precondition_failed",
    )
    .await;
    let stale_delete = app
        .client
        .delete(app.url(&path))
        .bearer_auth(&a1)
        .header("if-match", first_etag)
        .send()
        .await;
    assert_problem(stale_delete.expect("request"), 412, "precondition_failed").await;
    let now = app.get(&path, Some(&a1)).await;
    assert_eq!(now.headers()["etag"].to_str().expect("ascii"), second_etag);
    assert_eq!(expect_json(now, 200).await["name"], "周先生 (VIP)");
    // Without If-Match the change applies (last writer wins, by choice of the client).
    expect_json(
        app.patch_json(&path, Some(&a1), &json!({"key_account": true})).await,
        200,
    )
    .await;
}
