//! Customer events: invitations (once per customer), attendance, counts,
//! who may organise them, and the customer's timeline.

use entities::{event_invitations, timeline_entries};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use tests::{
    TestApp, assert_problem,
    client::expect_json,
    customers::new_customer,
    org::{PASSWORD, create_user, ids, list, org},
    spawn_app,
};
use uuid::Uuid;

use crate::patch_if_match;

async fn new_event(app: &TestApp, token: &str, starts_at: &str) -> Value {
    let body = json!({"title": "样板间开放日", "kind": "open_day", "starts_at": starts_at, "location": "售楼处"});
    expect_json(app.post_json("/api/v1/customer-events", Some(token), &body).await, 201).await
}

async fn customer_manager(app: &TestApp) -> String {
    create_user(app, "cm@example.com", "customer_manager", None).await;
    app.token("cm@example.com", PASSWORD).await
}

async fn timeline_count(app: &TestApp, customer: &str, kind: &str) -> u64 {
    timeline_entries::Entity::find()
        .filter(timeline_entries::Column::CustomerId.eq(Uuid::parse_str(customer).expect("uuid")))
        .filter(timeline_entries::Column::Kind.eq(kind))
        .count(&app.db)
        .await
        .expect("count")
}

#[tokio::test]
async fn inviting_a_customer_twice_yields_one_invitation_and_attendance_is_counted_and_on_the_timeline() {
    let app = spawn_app().await;
    org(&app).await;
    let cm = customer_manager(&app).await;
    let a1 = app.token("a1@example.com", PASSWORD).await;
    let customer = new_customer(&app, &a1, "周女士").await;
    let event = new_event(&app, &cm, "2026-11-15T10:00:00+08:00").await;
    let id = event["id"].as_str().expect("id").to_owned();
    assert_eq!(
        (event["invited_count"].as_u64(), event["attended_count"].as_u64()),
        (Some(0), Some(0))
    );
    let invitations = format!("/api/v1/customer-events/{id}/invitations");

    let first = app
        .post_json(&invitations, Some(&cm), &json!({"customer_id": customer}))
        .await;
    let location = first.headers()["location"].to_str().expect("ascii").to_owned();
    assert_eq!(location, format!("{invitations}/{customer}"));
    let first = expect_json(first, 201).await;
    assert_eq!(first["attended"], false);
    let second = expect_json(
        app.post_json(&invitations, Some(&cm), &json!({"customer_id": customer}))
            .await,
        200,
    )
    .await;
    assert_eq!(second, first);
    let listed = list(&app, &invitations, &cm).await;
    assert_eq!(listed["items"].as_array().expect("items").len(), 1);
    assert_eq!(
        event_invitations::Entity::find().count(&app.db).await.expect("count"),
        1
    );
    assert_eq!(timeline_count(&app, &customer, "event_invited").await, 1);

    let attended = expect_json(
        app.put_json(&location, Some(&cm), &json!({"attended": true})).await,
        200,
    )
    .await;
    assert_eq!(attended["attended"], true);
    expect_json(
        app.put_json(&location, Some(&cm), &json!({"attended": true})).await,
        200,
    )
    .await;
    let read = expect_json(app.get(&location, Some(&a1)).await, 200).await;
    assert_eq!(read["attended"], true);
    let event = expect_json(app.get(&format!("/api/v1/customer-events/{id}"), Some(&a1)).await, 200).await;
    assert_eq!(
        (event["invited_count"].as_u64(), event["attended_count"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(timeline_count(&app, &customer, "event_attended").await, 1);
    let other = new_event(&app, &cm, "2026-11-16T10:00:00+08:00").await;
    let listed = list(&app, "/api/v1/customer-events", &a1).await;
    let counts: Vec<(Value, Value)> = listed["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| (e["invited_count"].clone(), e["attended_count"].clone()))
        .collect();
    assert_eq!(counts, [(json!(1), json!(1)), (json!(0), json!(0))]);
    assert_eq!(ids(&listed), [id.clone(), other["id"].as_str().expect("id").to_owned()]);
    let log = list(
        &app,
        "/api/v1/audit-log?entity=customer_event",
        &app.admin_token().await,
    )
    .await;
    assert_eq!(
        log["items"].as_array().expect("items").len(),
        4,
        "two creations, one invitation, attendance once: {log}"
    );
}

#[tokio::test]
async fn only_the_customer_manager_organises_events_which_all_sales_staff_read() {
    let app = spawn_app().await;
    org(&app).await;
    let cm = customer_manager(&app).await;
    let a1 = app.token("a1@example.com", PASSWORD).await;
    let manager = app.token("manager.a@example.com", PASSWORD).await;
    let body = json!({"title": "亲子主题活动", "kind": "themed", "starts_at": "2026-12-05T10:00:00+08:00"});
    assert_problem(
        app.post_json("/api/v1/customer-events", Some(&a1), &body).await,
        403,
        "forbidden",
    )
    .await;
    assert_problem(
        app.post_json("/api/v1/customer-events", Some(&manager), &body).await,
        403,
        "forbidden",
    )
    .await;
    let response = app.post_json("/api/v1/customer-events", Some(&cm), &body).await;
    let location = response.headers()["location"].to_str().expect("ascii").to_owned();
    let event = expect_json(response, 201).await;
    let id = event["id"].as_str().expect("id").to_owned();
    assert_eq!(ids(&list(&app, "/api/v1/customer-events", &a1).await), vec![id.clone()]);
    assert_eq!(
        ids(&list(&app, "/api/v1/customer-events?kind=themed", &manager).await),
        vec![id.clone()]
    );
    assert!(ids(&list(&app, "/api/v1/customer-events?kind=open_day", &manager).await).is_empty());
    assert_problem(
        app.get("/api/v1/customer-events?kind=party", Some(&manager)).await,
        422,
        "validation_failed",
    )
    .await;

    for body in [
        json!({"title": "x", "kind": "party", "starts_at": "2026-12-05T10:00:00+08:00"}),
        json!({"title": "", "kind": "themed", "starts_at": "2026-12-05T10:00:00+08:00"}),
        json!({"title": "x", "kind": "themed", "starts_at": "2026-12-05T10:00:00"}),
        json!({"title": "x", "kind": "themed"}),
    ] {
        assert_problem(
            app.post_json("/api/v1/customer-events", Some(&cm), &body).await,
            422,
            "validation_failed",
        )
        .await;
    }

    // ETag and If-Match.
    let response = app.get(&location, Some(&cm)).await;
    let etag = response.headers()["etag"].to_str().expect("ascii").to_owned();
    expect_json(response, 200).await;
    let moved = expect_json(
        app.patch_json(&location, Some(&cm), &json!({"starts_at": "2026-12-06T10:00:00+08:00"}))
            .await,
        200,
    )
    .await;
    assert_eq!(moved["starts_at"], "2026-12-06T02:00:00Z");
    let stale = patch_if_match(&app, &location, &cm, &etag, &json!({"title": "overwritten"})).await;
    assert_problem(stale, 412, "precondition_failed").await;
    assert_eq!(
        expect_json(app.get(&location, Some(&cm)).await, 200).await["title"],
        "亲子主题活动"
    );
}

#[tokio::test]
async fn attendance_before_an_event_starts_and_invitations_of_unknown_customers_are_refused() {
    let app = spawn_app().await;
    org(&app).await;
    let cm = customer_manager(&app).await;
    let a1 = app.token("a1@example.com", PASSWORD).await;
    let customer = new_customer(&app, &a1, "吴先生").await;
    let event = new_event(&app, &cm, "2099-05-01T10:00:00+08:00").await;
    let invitations = format!(
        "/api/v1/customer-events/{}/invitations",
        event["id"].as_str().expect("id")
    );
    let problem = assert_problem(
        app.post_json(&invitations, Some(&cm), &json!({"customer_id": Uuid::now_v7()}))
            .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["pointer"], "/customer_id");
    expect_json(
        app.post_json(&invitations, Some(&cm), &json!({"customer_id": customer}))
            .await,
        201,
    )
    .await;
    let problem = assert_problem(
        app.put_json(
            &format!("{invitations}/{customer}"),
            Some(&cm),
            &json!({"attended": true}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["pointer"], "/attended");
    assert_problem(
        app.put_json(
            &format!("{invitations}/{}", Uuid::now_v7()),
            Some(&cm),
            &json!({"attended": false}),
        )
        .await,
        404,
        "not_found",
    )
    .await;
    assert_eq!(timeline_count(&app, &customer, "event_attended").await, 0);
    assert_problem(
        app.get(&format!("/api/v1/customer-events/{}", Uuid::now_v7()), Some(&cm))
            .await,
        404,
        "not_found",
    )
    .await;
}
