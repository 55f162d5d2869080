//! Customers made through the API as a member of staff would, and what
//! their timelines show, for tests of the records that hang off them.

use reqwest::Response;
use serde_json::json;

use crate::{
    TestApp,
    client::expect_json,
    org::{list, values},
};

/// A walk-in customer recorded by the caller (who owns it); its id.
pub async fn new_customer(app: &TestApp, token: &str, name: &str) -> String {
    let body = json!({"name": name, "phone": "13800138000", "channel": "store_walk_in"});
    expect_json(app.post_json("/api/v1/customers", Some(token), &body).await, 201).await["id"]
        .as_str()
        .expect("id")
        .to_owned()
}

/// The kinds of a customer's timeline entries as the caller reads them, in order.
pub async fn timeline_kinds(app: &TestApp, token: &str, customer: &str) -> Vec<String> {
    values(
        &list(app, &format!("/api/v1/customers/{customer}/timeline"), token).await,
        "kind",
    )
}

/// `POST /api/v1/customers/import` with this CSV, as the caller.
pub async fn import(app: &TestApp, token: &str, csv: impl Into<reqwest::Body>) -> Response {
    app.client
        .post(app.url("/api/v1/customers/import"))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(csv)
        .send()
        .await
        .expect("request")
}

/// Asserts that every customer's next due item, as the database keeps it,
/// is what the agenda's rules compute from the timers and the records.
pub async fn assert_next_due_kept(db: &sea_orm::DatabaseConnection) {
    use sea_orm::EntityTrait;
    let customers = entities::customers::Entity::find()
        .all(db)
        .await
        .expect("read the customers");
    let ids: Vec<uuid::Uuid> = customers.iter().map(|c| c.id).collect();
    let computed = domain::outbox::agenda::next_due(db, &ids)
        .await
        .expect("compute the next due items");
    for customer in &customers {
        assert_eq!(
            domain::outbox::agenda::kept_next_due(customer),
            computed.get(&customer.id).copied(),
            "the next due item kept on {} ({}, {:?})",
            customer.name,
            customer.id,
            customer.status
        );
    }
}
