//! A deal's `support_id` names support staff: an active user holding the
//! `support` role, not any account.

use serde_json::{Value, json};
use tests::{
    TestApp, assert_problem,
    client::expect_json,
    org::{PASSWORD, create_user, org},
    spawn_app,
};
use uuid::Uuid;

/// A new deal's body for a new customer of `token` and a new unit `number`.
async fn new_deal_body(app: &TestApp, token: &str, number: u32) -> Value {
    let customer = json!({"name": "王先生", "phone": format!("1380013800{number}"), "channel": "store_walk_in"});
    let customer = expect_json(app.post_json("/api/v1/customers", Some(token), &customer).await, 201).await;
    let unit = tests::org::create_unit(app, &format!("{number}01")).await;
    json!({"customer_id": customer["id"], "unit_id": unit, "agreed_price_fen": 350_000_000,
           "payment_method": "mortgage", "planned_handover_on": "2027-06-30"})
}

fn pointers(problem: &Value) -> Vec<&str> {
    problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["pointer"].as_str())
        .collect()
}

#[tokio::test]
async fn a_deals_support_must_be_an_active_user_with_the_support_role() {
    let app = spawn_app().await;
    let org = org(&app).await;
    let admin = app.admin_token().await;
    let a1 = app.token("a1@example.com", PASSWORD).await;
    let support = create_user(&app, "support@example.com", "support", None).await;
    let retired = create_user(&app, "retired@example.com", "support", None).await;
    expect_json(
        app.patch_json(
            &format!("/api/v1/users/{retired}"),
            Some(&admin),
            &json!({"status": "disabled"}),
        )
        .await,
        200,
    )
    .await;

    for (number, not_support) in (1..).zip([org.consultant_a2, org.director, retired, Uuid::now_v7()]) {
        let mut body = new_deal_body(&app, &a1, number).await;
        body["support_id"] = json!(not_support);
        let problem = assert_problem(
            app.post_json("/api/v1/deals", Some(&a1), &body).await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(pointers(&problem), ["/support_id"], "{problem}");
    }

    let mut body = new_deal_body(&app, &a1, 9).await;
    body["support_id"] = json!(support);
    let deal = expect_json(app.post_json("/api/v1/deals", Some(&a1), &body).await, 201).await;
    assert_eq!(deal["support_id"], json!(support));

    let path = format!("/api/v1/deals/{}", deal["id"].as_str().expect("id"));
    let problem = assert_problem(
        app.patch_json(&path, Some(&a1), &json!({"support_id": org.consultant_a2}))
            .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(pointers(&problem), ["/support_id"]);
    let unchanged = expect_json(app.get(&path, Some(&a1)).await, 200).await;
    assert_eq!(unchanged["support_id"], json!(support));
    let cleared = expect_json(
        app.patch_json(&path, Some(&a1), &json!({"support_id": null})).await,
        200,
    )
    .await;
    assert_eq!(cleared["support_id"], Value::Null);
}
