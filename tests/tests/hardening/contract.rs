//! The OpenAPI document says what the server does: the statuses any body
//! may get, the bounds of paging, the values of every closed vocabulary;
//! and the server refuses what the document does not allow.

use sea_orm::Iterable;
use serde_json::{Value, json};
use tests::{TestApp, assert_problem, client::expect_json, org::PASSWORD, org::org, spawn_app};

async fn document(app: &TestApp) -> Value {
    expect_json(app.get("/api/v1/openapi.json", None).await, 200).await
}

/// Every operation of the document: (method, path, operation).
fn operations(doc: &Value) -> Vec<(String, String, Value)> {
    let mut all = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("path item") {
            all.push((method.clone(), path.clone(), operation.clone()));
        }
    }
    all
}

/// The enum of a schema, following one `$ref` (and the non-null branch of a `oneOf`).
fn enum_of(doc: &Value, schema: &Value) -> Vec<String> {
    let schema = schema["oneOf"]
        .as_array()
        .and_then(|branches| branches.iter().find(|b| b["type"] != "null"))
        .unwrap_or(schema);
    let schema = match schema["$ref"].as_str() {
        Some(reference) => {
            let name = reference.rsplit('/').next().expect("schema name");
            &doc["components"]["schemas"][name]
        }
        None => schema,
    };
    schema["enum"]
        .as_array()
        .unwrap_or_else(|| panic!("no enum in {schema}"))
        .iter()
        .map(|v| v.as_str().expect("string value").to_owned())
        .collect()
}

#[tokio::test]
async fn every_operation_that_takes_a_body_documents_the_statuses_the_body_extractor_answers() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    let mut missing = Vec::new();
    let mut with_body = 0;
    for (method, path, operation) in operations(&doc) {
        if operation.get("requestBody").is_none() {
            continue;
        }
        with_body += 1;
        for status in ["400", "413", "415", "422"] {
            if operation["responses"].get(status).is_none() {
                missing.push(format!("{method} {path}: {status}"));
            }
        }
    }
    assert!(with_body >= 47, "only {with_body} operations take a body");
    assert!(missing.is_empty(), "undocumented: {missing:#?}");
}

#[tokio::test]
async fn every_list_documents_the_bounds_of_limit_and_the_values_of_sort() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    let mut wrong = Vec::new();
    for (method, path, operation) in operations(&doc) {
        for parameter in operation["parameters"].as_array().into_iter().flatten() {
            let schema = &parameter["schema"];
            match parameter["name"].as_str() {
                Some("limit") if schema["minimum"] != 1 || !schema["maximum"].is_u64() => {
                    wrong.push(format!("{method} {path}: limit {schema}"));
                }
                // Empty is accepted as the default, as forms send empty fields.
                Some("sort") if schema["enum"] != json!(["created_at", "-created_at", ""]) => {
                    wrong.push(format!("{method} {path}: sort {schema}"));
                }
                _ => {}
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    let users = &doc["paths"]["/api/v1/users"]["get"]["parameters"];
    let limit = users
        .as_array()
        .expect("parameters")
        .iter()
        .find(|p| p["name"] == "limit")
        .expect("limit");
    assert_eq!(limit["schema"]["maximum"], 100);
}

#[tokio::test]
async fn enumerated_fields_list_the_values_the_server_checks_against() {
    let app = spawn_app().await;
    let doc = document(&app).await;
    let schemas = &doc["components"]["schemas"];
    let field = |schema: &str, field: &str| enum_of(&doc, &schemas[schema]["properties"][field]);
    let strings = |values: &[&str]| values.iter().map(|v| v.to_string()).collect::<Vec<_>>();
    assert_eq!(field("User", "status"), strings(&["active", "disabled"]));
    assert_eq!(
        field("NewCustomerBody", "channel"),
        domain::sales::customers::Channel::iter()
            .map(|c| c.to_string())
            .collect::<Vec<_>>()
    );
    assert_eq!(field("StatusBody", "status"), domain::sales::customer_status::names());
    assert_eq!(
        field("NewComplaintBody", "severity"),
        entities::complaints::Severity::iter()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
    );
    assert_eq!(field("GrantBody", "scope"), strings(&["own", "team", "all"]));
    assert_eq!(field("TransitionBody", "to")[0], "negotiating");
    assert_eq!(
        field("UnitPatch", "status"),
        domain::sales::units::manual_statuses()
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
    );
    assert_eq!(field("TokenRequest", "grant_type"), strings(api::auth::GRANT_TYPES));
    let lead_intake = &doc["paths"]["/api/v1/users/{id}/lead-intake"]["put"]["responses"];
    assert!(lead_intake.get("422").is_some(), "PUT lead-intake lacks 422");
}

#[tokio::test]
async fn a_json_array_is_not_a_body_even_where_the_body_may_be_left_out() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let path = "/api/v1/admin/queues/estateflow.system.probe/job-retries";
    let response = app.post_json(path, Some(&admin), &json!([null, null])).await;
    let problem = assert_problem(response, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["detail"], "必须是对象");
}

#[tokio::test]
async fn a_customer_filter_on_a_status_or_channel_that_does_not_exist_is_refused() {
    let app = spawn_app().await;
    org(&app).await;
    let director = app.token("director@example.com", PASSWORD).await;
    for path in [
        "/api/v1/customers?status=AAA",
        "/api/v1/customers?channel=fax",
        "/api/v1/customers/export?status=AAA",
    ] {
        let problem = assert_problem(app.get(path, Some(&director)).await, 422, "validation_failed").await;
        assert!(
            problem["errors"][0]["detail"]
                .as_str()
                .is_some_and(|d| d.starts_with("must be one of")),
            "{path}: {problem}"
        );
    }
    let known = app
        .get("/api/v1/customers?status=new&channel=website", Some(&director))
        .await;
    assert_eq!(known.status(), 200);
}

#[tokio::test]
async fn a_secret_in_a_request_body_is_text_not_a_number() {
    let app = spawn_app().await;
    let revoke = app.post_json("/api/v1/auth/revoke", None, &json!({"token": 5})).await;
    assert_problem(revoke, 422, "validation_failed").await;
    let body = json!({"grant_type": "password", "email": tests::ADMIN_EMAIL, "password": 1234567890});
    let sign_in = app.post_json("/api/v1/auth/token", None, &body).await;
    assert_problem(sign_in, 422, "validation_failed").await;
}
