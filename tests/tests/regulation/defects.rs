//! Smaller defects of issue 12, item 11: who may resolve a routed
//! complaint, the due time of the post-handover visit task, phone numbers
//! (parsed, normalised, searched, in forms and CSV rows alike) and the
//! scopes a new partner client starts with.

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};
use tests::{
    assert_invalid, assert_problem,
    client::expect_json,
    customers::import,
    eventually,
    org::{client_token, ids, list, partner},
    spawn_app,
};

use crate::privacy::{deal_through, get_json, id_of, staff};

#[tokio::test]
async fn only_the_handler_or_the_teams_manager_may_resolve_a_major_complaint_not_the_consultant() {
    let app = spawn_app().await;
    let s = staff(&app).await;
    let customer = json!({"name": "钱女士", "phone": "13900139000"});
    let customer = id_of(&expect_json(app.post_json("/api/v1/customers", Some(&s.a1), &customer).await, 201).await);
    let major = json!({"customer_id": customer, "severity": "major", "summary": "交房延期未通知"});
    let major = expect_json(app.post_json("/api/v1/complaints", Some(&s.a1), &major).await, 201).await;
    assert_eq!(major["handler_id"], s.org.manager_a.to_string());
    let path = format!("/api/v1/complaints/{}", id_of(&major));
    let resolve = json!({"status": "resolved", "resolution": "已书面致歉"});

    let problem = assert_problem(app.patch_json(&path, Some(&s.a1), &resolve).await, 403, "forbidden").await;
    assert_eq!(
        problem["detail"],
        "this complaint has a handler: only the handler or a manager of its team may resolve it"
    );
    assert_eq!(get_json(&app, &path, &s.a1).await["status"], "open");

    let resolved = expect_json(app.patch_json(&path, Some(&s.manager), &resolve).await, 200).await;
    assert_eq!(resolved["status"], "resolved");

    // A minor complaint has no handler: its consultant resolves it.
    let minor = json!({"customer_id": customer, "severity": "minor", "summary": "车位卡迟到"});
    let minor = expect_json(app.post_json("/api/v1/complaints", Some(&s.a1), &minor).await, 201).await;
    let path = format!("/api/v1/complaints/{}", id_of(&minor));
    expect_json(app.patch_json(&path, Some(&s.a1), &resolve).await, 200).await;
}

#[tokio::test]
async fn the_post_handover_visit_task_names_the_thirty_day_deadline_not_the_handover_instant() {
    let app = spawn_app().await;
    let s = staff(&app).await;
    let customer = json!({"name": "王先生", "phone": "13900139000"});
    let customer = id_of(&expect_json(app.post_json("/api/v1/customers", Some(&s.a1), &customer).await, 201).await);
    let stages = [
        "subscribed",
        "contracted",
        "title_transfer",
        "handover_ready",
        "handed_over",
    ];
    let deal = deal_through(&app, &s, &customer, "1502", &stages).await;
    let handed_over_at: DateTime<Utc> = get_json(&app, &format!("/api/v1/deals/{deal}"), &s.a1).await["handed_over_at"]
        .as_str()
        .expect("handed_over_at")
        .parse()
        .expect("instant");

    let task = eventually(std::time::Duration::from_secs(15), "the visit task", || async {
        let tasks = list(&app, "/api/v1/notifications?kind=visit_task", &s.a1).await;
        tasks["items"].as_array().and_then(|items| items.first().cloned())
    })
    .await;
    let due: DateTime<Utc> = task["due_at"].as_str().expect("due_at").parse().expect("instant");
    assert_eq!(due, handed_over_at + Duration::days(30), "{task}");
    let local = due
        .with_timezone(&app.settings.timezone)
        .format("%Y-%m-%d %H:%M")
        .to_string();
    let handover_local = handed_over_at
        .with_timezone(&app.settings.timezone)
        .format("%Y-%m-%d")
        .to_string();
    let body = task["body"].as_str().expect("body");
    assert!(body.contains(&local), "{body} names {local}");
    assert!(!body.contains(&handover_local), "{body} names the handover day");
}

#[tokio::test]
async fn a_phone_that_is_no_phone_number_is_refused_with_a_pointer_wherever_a_phone_is_given() {
    let app = spawn_app().await;
    let s = staff(&app).await;
    let admin = app.admin_token().await;
    let (partner, _) = partner(&app, &admin, "Listing portal", &["customers:read", "customers:write"]).await;
    for (token, body) in [
        (&s.a1, json!({"name": "王先生", "phone": "12345"})),
        (
            &partner,
            json!({"name": "王先生", "phone": "12345", "external_id": "p-1"}),
        ),
        (&s.a1, json!({"name": "王先生", "phone": "138-0013-800"})),
    ] {
        let problem = assert_invalid(
            app.post_json("/api/v1/customers", Some(token), &body).await,
            &["/phone"],
        )
        .await;
        assert!(
            problem["errors"][0]["detail"]
                .as_str()
                .is_some_and(|d| d.contains("11-digit mainland mobile") || d.contains("11 位手机号")),
            "{problem}"
        );
    }
    let fine = json!({"name": "王先生", "phone": " 138-0013-8000 "});
    let fine = expect_json(app.post_json("/api/v1/customers", Some(&s.a1), &fine).await, 201).await;
    assert_eq!(fine["phone"], "138-0013-8000");
    let path = format!("/api/v1/customers/{}", id_of(&fine));
    assert_invalid(
        app.patch_json(&path, Some(&s.a1), &json!({"phone": "12345"})).await,
        &["/phone"],
    )
    .await;
    assert_eq!(get_json(&app, &path, &s.a1).await["phone"], "138-0013-8000");
    let user = json!({"email": "new@example.com", "name": "新人", "password": "a long enough password",
                      "roles": ["consultant"], "phone": "12345"});
    assert_invalid(app.post_json("/api/v1/users", Some(&admin), &user).await, &["/phone"]).await;
    let me = format!("/api/v1/users/{}", s.org.consultant_a1);
    assert_invalid(
        app.patch_json(&me, Some(&admin), &json!({"phone": "12345"})).await,
        &["/phone"],
    )
    .await;
    expect_json(
        app.patch_json(&me, Some(&admin), &json!({"phone": "010-5555 6666 转 8001"}))
            .await,
        200,
    )
    .await;
}

#[tokio::test]
async fn a_search_by_phone_finds_the_customer_however_either_side_wrote_the_number() {
    let app = spawn_app().await;
    let s = staff(&app).await;
    let written = json!({"name": "王先生", "phone": "138-0013-8000"});
    let customer = id_of(&expect_json(app.post_json("/api/v1/customers", Some(&s.a1), &written).await, 201).await);
    let other = json!({"name": "李女士", "phone": "13900139000"});
    expect_json(app.post_json("/api/v1/customers", Some(&s.a1), &other).await, 201).await;
    for q in [
        "13800138000",
        "%2B8613800138000",
        "%2B86%20138%200013%208000",
        "008613800138000",
        "0013800",
    ] {
        let found = list(&app, &format!("/api/v1/customers?q={q}"), &s.a1).await;
        assert_eq!(ids(&found), std::slice::from_ref(&customer), "q={q}");
    }
    let nothing = list(&app, "/api/v1/customers?q=13800138001", &s.a1).await;
    assert!(ids(&nothing).is_empty());
}

#[tokio::test]
async fn a_csv_row_with_an_invalid_phone_is_reported_and_the_rows_go_through_the_same_rules_as_the_form() {
    let app = spawn_app().await;
    let s = staff(&app).await;
    let on_file = json!({"name": "王先生", "phone": "13800138000"});
    let on_file = id_of(&expect_json(app.post_json("/api/v1/customers", Some(&s.a1), &on_file).await, 201).await);
    let csv = "name,phone,wechat_id\n\
               bad phone,12345,\n\
               again,+86 138-0013-8000,\n\
               fine ,  139 0013 9000 , wx_1 \n";
    let report: Value = expect_json(import(&app, &s.a1, csv).await, 200).await;
    assert_eq!(
        (
            report["created"].as_u64(),
            report["duplicates"].as_u64(),
            report["invalid"].as_u64()
        ),
        (Some(1), Some(1), Some(1)),
        "{report}"
    );
    let rows = report["results"].as_array().expect("results");
    assert_eq!(rows[0]["status"], "invalid");
    let reason = rows[0]["reason"].as_str().expect("reason");
    assert!(
        reason.contains("phone") && reason.contains("11-digit mainland mobile"),
        "{reason}"
    );
    assert_eq!(rows[1]["status"], "duplicate");
    assert_eq!(rows[1]["customer_id"], on_file.as_str());
    let created = get_json(
        &app,
        &format!("/api/v1/customers/{}", rows[2]["customer_id"].as_str().expect("id")),
        &s.a1,
    )
    .await;
    assert_eq!(
        (
            created["name"].as_str(),
            created["phone"].as_str(),
            created["wechat_id"].as_str()
        ),
        (Some("fine"), Some("139 0013 9000"), Some("wx_1"))
    );
    let found = list(&app, "/api/v1/customers?q=13900139000", &s.a1).await;
    assert_eq!(ids(&found), [created["id"].as_str().expect("id").to_owned()]);
}

#[tokio::test]
async fn a_partner_client_created_without_scopes_holds_the_partner_roles_and_its_first_push_works() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let body = json!({"name": "Listing portal"});
    let client = expect_json(app.post_json("/api/v1/api-clients", Some(&admin), &body).await, 201).await;
    let mut scopes: Vec<&str> = client["scopes"]
        .as_array()
        .expect("scopes")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    scopes.sort_unstable();
    assert_eq!(scopes, ["customers:read", "customers:write"]);
    let token = client_token(&app, &client).await;
    let lead = json!({"name": "周先生", "phone": "13600136000", "external_id": "first"});
    let pushed = expect_json(app.post_json("/api/v1/customers", Some(&token), &lead).await, 201).await;
    assert_eq!(pushed["external_id"], "first");

    // Scopes named explicitly, even none, are what the client holds.
    let none = json!({"name": "Read nothing", "scopes": []});
    let none = expect_json(app.post_json("/api/v1/api-clients", Some(&admin), &none).await, 201).await;
    assert_eq!(none["scopes"], json!([]));
}
