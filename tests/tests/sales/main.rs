//! Tests of the sales record: customers through their whole life, deals
//! and their stages, after-sales, complaints, targets, trainings, customer
//! events, figures and bulk import and export.

mod after_sales;
mod awards;
mod bulk;
mod complaints;
mod customer_events;
mod customers;
mod deals;
mod kpis;
mod life;
mod next_due;
mod sorting;
mod targets;
mod trainings;
mod units;

use entities::{customers as customer_rows, timeline_entries};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};
use tests::{TestApp, client::expect_json};
use uuid::Uuid;

pub use tests::{
    customers::new_customer,
    org::{Org, PASSWORD, create_user, ids, list, org},
};

/// Staff tokens of the test organisation.
#[derive(Debug)]
pub struct Staff {
    pub org: Org,
    pub a1: String,
    pub a2: String,
    pub b1: String,
    pub manager: String,
    pub director: String,
}

pub async fn staff(app: &TestApp) -> Staff {
    let org = org(app).await;
    Staff {
        org,
        a1: app.token("a1@example.com", PASSWORD).await,
        a2: app.token("a2@example.com", PASSWORD).await,
        b1: app.token("b1@example.com", PASSWORD).await,
        manager: app.token("manager.a@example.com", PASSWORD).await,
        director: app.token("director@example.com", PASSWORD).await,
    }
}

/// A unit added by `token` (who needs units:write); its id.
pub async fn new_unit(app: &TestApp, token: &str, number: &str) -> String {
    let body = json!({"project": "滨江花园", "building": "3", "number": number, "layout": "3室2厅",
                      "area_sqm": "89.50", "list_price_fen": 356_000_000});
    id_of(&expect_json(app.post_json("/api/v1/units", Some(token), &body).await, 201).await)
}

/// A deal in `negotiating`.
pub async fn new_deal(app: &TestApp, token: &str, customer: &str, unit: &str, payment: &str) -> Value {
    let body = json!({"customer_id": customer, "unit_id": unit, "agreed_price_fen": 350_000_000,
                      "payment_method": payment, "planned_handover_on": "2027-06-30"});
    expect_json(app.post_json("/api/v1/deals", Some(token), &body).await, 201).await
}

pub fn id_of(value: &Value) -> String {
    value["id"].as_str().expect("id").to_owned()
}

pub async fn move_deal(app: &TestApp, token: &str, deal: &str, to: &str) -> reqwest::Response {
    let path = format!("/api/v1/deals/{deal}/transitions");
    app.post_json(&path, Some(token), &json!({"to": to})).await
}

/// Moves the deal through `stages`, each move expected to succeed; the deal
/// after the last. The loan and title-transfer paperwork a move needs is
/// recorded first (`tests::paperwork`).
pub async fn advance(app: &TestApp, token: &str, deal: &str, stages: &[&str]) -> Value {
    let mut last = Value::Null;
    for stage in stages {
        tests::paperwork::prepare_move(app, token, deal, stage).await;
        last = expect_json(move_deal(app, token, deal, stage).await, 200).await;
        assert_eq!(last["stage"], *stage);
    }
    last
}

/// Ticks every item of the handover checklist.
pub async fn complete_checklist(app: &TestApp, token: &str, deal: &str) {
    let checklist = expect_json(
        app.get(&format!("/api/v1/deals/{deal}/handover-checklist"), Some(token))
            .await,
        200,
    )
    .await;
    for item in checklist["items"].as_array().expect("items") {
        let path = format!(
            "/api/v1/deals/{deal}/handover-checklist/{}",
            item["item"].as_str().expect("item")
        );
        expect_json(app.put_json(&path, Some(token), &json!({"done": true})).await, 200).await;
    }
}

pub async fn get_json(app: &TestApp, path: &str, token: &str) -> Value {
    expect_json(app.get(path, Some(token)).await, 200).await
}

pub async fn patch_if_match(app: &TestApp, path: &str, token: &str, etag: &str, body: &Value) -> reqwest::Response {
    app.client
        .patch(app.url(path))
        .bearer_auth(token)
        .header("if-match", etag)
        .json(body)
        .send()
        .await
        .expect("request")
}

pub async fn customer_status(app: &TestApp, customer: &str) -> String {
    let id = Uuid::parse_str(customer).expect("uuid");
    customer_rows::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .expect("query")
        .expect("customer")
        .status
        .to_string()
}

/// The kinds of a customer's timeline entries, in order.
pub async fn timeline(app: &TestApp, customer: &str) -> Vec<timeline_entries::Model> {
    let id = Uuid::parse_str(customer).expect("uuid");
    timeline_entries::Entity::find()
        .filter(timeline_entries::Column::CustomerId.eq(id))
        .order_by_asc(timeline_entries::Column::OccurredAt)
        .order_by_asc(timeline_entries::Column::Id)
        .all(&app.db)
        .await
        .expect("timeline")
}

pub async fn timeline_kinds(app: &TestApp, customer: &str) -> Vec<String> {
    timeline(app, customer)
        .await
        .into_iter()
        .map(|e| e.kind.to_string())
        .collect()
}
