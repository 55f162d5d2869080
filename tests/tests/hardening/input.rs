//! Input at the edge: control characters refused in every text (body, form,
//! query, path, CSV), whole numbers written with a fraction accepted as
//! integers, messages in the client's terms, LIKE wildcards taken
//! literally, dates held to a sane window, malformed CSV rows reported.

use entities::{audit_log, customers};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::{Value, json};
use tests::{TestApp, assert_problem, client::expect_json, spawn_app};

use tests::{
    customers::import,
    org::{PASSWORD, create_unit, ids, list, org},
};

const TOKEN_PATH: &str = "/api/v1/auth/token";

/// The first field error of a 422: its pointer and detail.
async fn refused(response: reqwest::Response) -> (String, String) {
    let body = assert_problem(response, 422, "validation_failed").await;
    let error = &body["errors"][0];
    (
        error["pointer"].as_str().expect("pointer").to_owned(),
        error["detail"].as_str().expect("detail").to_owned(),
    )
}

/// Customers, and audit entries of someone's request: the workers' own
/// entries (a month's bonus pools or a quarter's Sales Star computed at
/// start, with no actor) may land at any moment of the test.
async fn rows_written(app: &TestApp) -> (u64, u64) {
    let customers = customers::Entity::find().count(&app.db).await.expect("count customers");
    let audit = audit_log::Entity::find()
        .filter(audit_log::Column::ActorUserId.is_not_null())
        .count(&app.db)
        .await
        .expect("count audit");
    (customers, audit)
}

#[tokio::test]
async fn a_nul_character_anywhere_in_a_request_is_a_422_with_a_pointer_and_writes_nothing() {
    let app = spawn_app().await;
    org(&app).await;
    let admin = app.admin_token().await;
    let a1 = app.token("a1@example.com", PASSWORD).await;
    let before = rows_written(&app).await;

    let customer = json!({"name": "王\u{0}先生", "phone": "13800138000"});
    let cases = [
        ("/api/v1/customers", &a1, customer, "/name"),
        (
            "/api/v1/roles",
            &admin,
            json!({"name": "auditor", "grants": [{"permission": "users:read\u{0}", "scope": "all"}]}),
            "/grants/0/permission",
        ),
        ("/api/v1/customers", &a1, json!({"name": "x", "no\u{0}te": "y"}), ""),
    ];
    for (path, token, body, pointer) in cases {
        let (at, detail) = refused(app.post_json(path, Some(token), &body).await).await;
        assert_eq!(at, pointer, "{body}");
        assert!(detail.contains("U+0000"), "{detail}");
    }

    // The token endpoint, before anyone signs in: JSON and form.
    let body = json!({"grant_type": "password", "email": "admin\u{0}@example.com", "password": "x"});
    assert_eq!(refused(app.post_json(TOKEN_PATH, None, &body).await).await.0, "/email");
    let form = "grant_type=password&email=admin%00%40example.com&password=x";
    let response = app
        .post_raw(TOKEN_PATH, "application/x-www-form-urlencoded", form)
        .await;
    assert_eq!(refused(response).await.0, "/email");

    // Query and path parameters.
    assert_eq!(
        refused(app.get("/api/v1/customers?q=%00", Some(&a1)).await).await.0,
        "/q"
    );
    let response = app.get("/api/v1/audit-log?entity=%07user", Some(&admin)).await;
    assert_eq!(refused(response).await.0, "/entity");
    let response = app.get("/api/v1/sla-policies/first%00response", Some(&admin)).await;
    assert_eq!(refused(response).await.0, "/kind");
    let response = app.get("/api/v1/admin/queues/estateflow%1B/jobs", Some(&admin)).await;
    assert_eq!(refused(response).await.0, "/queue");

    assert_eq!(rows_written(&app).await, before, "nothing written");

    // Tab, line feed and carriage return are text.
    let body = json!({"name": "王先生\r\n二行\t", "phone": "13800138000"});
    expect_json(app.post_json("/api/v1/customers", Some(&a1), &body).await, 201).await;
}

#[tokio::test]
async fn a_control_character_in_a_csv_cell_makes_only_that_row_invalid() {
    let app = spawn_app().await;
    org(&app).await;
    let a1 = app.token("a1@example.com", PASSWORD).await;
    let csv = "name,phone\nfine,13900139001\nbad\u{0},13900139002\nalso fine,13900139003\n";
    let report = expect_json(import(&app, &a1, csv.to_owned()).await, 200).await;
    assert_eq!(
        (report["created"].as_u64(), report["invalid"].as_u64()),
        (Some(2), Some(1)),
        "{report}"
    );
    let bad = &report["results"][1];
    assert_eq!(bad["row"], 2);
    assert_eq!(bad["status"], "invalid");
    assert!(
        bad["reason"]
            .as_str()
            .is_some_and(|r| r.starts_with("name must not contain control characters")),
        "{bad}"
    );
}

#[tokio::test]
async fn csv_rows_with_the_wrong_number_of_cells_or_an_open_quote_are_reported_invalid() {
    let app = spawn_app().await;
    org(&app).await;
    let a1 = app.token("a1@example.com", PASSWORD).await;
    let csv = "name,phone,email\n\
               one,13900139001,one@example.com\n\
               two,13900139002\n\
               three,13900139003,three@example.com,extra\n\
               \"four,13900139004,four@example.com\n\
               five,13900139005,five@example.com\n";
    let report = expect_json(import(&app, &a1, csv.to_owned()).await, 200).await;
    let results: Vec<(u64, &str, &str)> = report["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            (
                r["row"].as_u64().expect("row"),
                r["status"].as_str().expect("status"),
                r["reason"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        results,
        [
            (1, "created", ""),
            (2, "invalid", "has 2 cells but the header line has 3 columns"),
            (3, "invalid", "has 4 cells but the header line has 3 columns"),
            (4, "invalid", "has a quote that is not closed"),
            (5, "created", ""),
        ]
    );
    let names: Vec<String> = list(&app, "/api/v1/customers", &a1).await["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|c| c["name"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(
        names.contains(&"five".to_owned()),
        "the row after an open quote is read"
    );
}

#[tokio::test]
async fn an_integer_field_accepts_a_whole_number_written_with_a_fraction() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let path = "/api/v1/admin/queue-probes";
    let response = app.post_json(path, Some(&admin), &json!({"hold_ms": 1.0})).await;
    assert_eq!(
        response.status().as_u16(),
        202,
        "{}",
        response.text().await.unwrap_or_default()
    );
    for hold_ms in [json!(1.5), json!("1"), json!(1e300)] {
        let (pointer, detail) = refused(app.post_json(path, Some(&admin), &json!({ "hold_ms": hold_ms })).await).await;
        assert_eq!(
            (pointer.as_str(), detail.as_str()),
            ("/hold_ms", "必须是整数"),
            "{hold_ms}"
        );
    }
}

#[tokio::test]
async fn validation_messages_say_what_is_wrong_without_rust_type_names() {
    let app = spawn_app().await;
    org(&app).await;
    let a1 = app.token("a1@example.com", PASSWORD).await;
    let cases = [
        (json!(["x"]), "", "must be an object"),
        (json!({"phone": "13800138000"}), "/name", "is required"),
        (json!({"name": 42}), "/name", "must be a string"),
        (
            json!({"name": "x", "key_account": "yes"}),
            "/key_account",
            "must be true or false",
        ),
    ];
    for (body, pointer, detail) in cases {
        let refusal = refused(app.post_json("/api/v1/customers", Some(&a1), &body).await).await;
        assert_eq!(refusal, (pointer.to_owned(), detail.to_owned()), "{body}");
    }
    let (pointer, detail) = refused(
        app.post_json("/api/v1/customers", Some(&a1), &json!({"name": "x", "shoe_size": 42}))
            .await,
    )
    .await;
    assert_eq!(pointer, "/shoe_size");
    assert!(detail.starts_with("is not a known field; allowed: name,"), "{detail}");

    let problem = assert_problem(
        app.get("/api/v1/customers?limit=many", Some(&a1)).await,
        400,
        "invalid_query",
    )
    .await;
    assert_eq!(problem["detail"], "invalid query string: limit must be an integer");
    let problem = assert_problem(
        app.get("/api/v1/customers/not-a-uuid", Some(&a1)).await,
        400,
        "invalid_path",
    )
    .await;
    assert_eq!(problem["detail"], "invalid path parameter: id must be a UUID");
}

#[tokio::test]
async fn a_search_for_percent_or_underscore_matches_only_those_characters() {
    let app = spawn_app().await;
    org(&app).await;
    let a1 = app.token("a1@example.com", PASSWORD).await;
    let admin = app.admin_token().await;
    let mut created = Vec::new();
    for (name, phone) in [
        ("50% off", "13900139001"),
        ("a_b", "13900139002"),
        ("plain", "13900139003"),
    ] {
        let body = json!({"name": name, "phone": phone});
        let customer = expect_json(app.post_json("/api/v1/customers", Some(&a1), &body).await, 201).await;
        created.push(customer["id"].as_str().expect("id").to_owned());
    }
    assert_eq!(
        ids(&list(&app, "/api/v1/customers?q=%25", &a1).await),
        [created[0].clone()]
    );
    assert_eq!(
        ids(&list(&app, "/api/v1/customers?q=_", &a1).await),
        [created[1].clone()]
    );
    assert!(ids(&list(&app, "/api/v1/users?q=_", &admin).await).is_empty());
    assert!(ids(&list(&app, "/api/v1/users?q=%25", &admin).await).is_empty());
}

#[tokio::test]
async fn dates_outside_1900_to_2200_are_refused_with_a_pointer() {
    let app = spawn_app().await;
    let org = org(&app).await;
    let a1 = app.token("a1@example.com", PASSWORD).await;
    let admin = app.admin_token().await;
    let customer = json!({"name": "王先生", "phone": "13800138000"});
    let customer = expect_json(app.post_json("/api/v1/customers", Some(&a1), &customer).await, 201).await;
    let unit = create_unit(&app, "1201").await;
    let deal = |planned: &str| {
        json!({"customer_id": customer["id"], "unit_id": unit, "agreed_price_fen": 350_000_000,
               "payment_method": "mortgage", "planned_handover_on": planned})
    };
    for planned in ["0000-01-01", "1899-12-31", "2201-01-01"] {
        let (pointer, detail) = refused(app.post_json("/api/v1/deals", Some(&a1), &deal(planned)).await).await;
        assert_eq!(
            (pointer.as_str(), detail.as_str()),
            ("/planned_handover_on", "must be between 1900-01-01 and 2200-12-31"),
            "{planned}"
        );
    }
    let created: Value = expect_json(
        app.post_json("/api/v1/deals", Some(&a1), &deal("2027-06-30")).await,
        201,
    )
    .await;
    let id = created["id"].as_str().expect("id");
    let patch = json!({"planned_handover_on": "9999-12-31"});
    let (pointer, _) = refused(app.patch_json(&format!("/api/v1/deals/{id}"), Some(&a1), &patch).await).await;
    assert_eq!(pointer, "/planned_handover_on");
    let transition = json!({"to": "subscribed", "at": "0001-01-01T00:00:00Z"});
    let path = format!("/api/v1/deals/{id}/transitions");
    assert_eq!(
        refused(app.post_json(&path, Some(&a1), &transition).await).await.0,
        "/at"
    );
    let follow_up = json!({"kind": "call", "notes": "called", "occurred_at": "1000-01-01T00:00:00+08:00"});
    let path = format!("/api/v1/customers/{}/follow-ups", customer["id"].as_str().expect("id"));
    assert_eq!(
        refused(app.post_json(&path, Some(&a1), &follow_up).await).await.0,
        "/occurred_at"
    );
    let manager = app.token("manager.a@example.com", PASSWORD).await;
    let training = json!({"title": "Mortgages", "team_id": org.team_a, "held_at": "2500-01-01T09:00:00+08:00"});
    assert_eq!(
        refused(app.post_json("/api/v1/trainings", Some(&manager), &training).await)
            .await
            .0,
        "/held_at"
    );
    let response = app
        .get("/api/v1/audit-log?since=0001-01-01T00:00:00Z", Some(&admin))
        .await;
    assert_eq!(refused(response).await.0, "/since");
    let unchanged = expect_json(app.get(&format!("/api/v1/deals/{id}"), Some(&a1)).await, 200).await;
    assert_eq!(unchanged["stage"], "negotiating");
    assert_eq!(unchanged["planned_handover_on"], "2027-06-30");
}
