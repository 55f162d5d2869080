//! A consultant's day (每日记录客户跟进情况): `GET /me/agenda` lists what the
//! caller must do by due time, overdue first, with the timer engine's due
//! times and titles in the reader's language; a manager reads the team's
//! per consultant; customers carry their next due item and lists sort and
//! filter by it. SLA policy durations are seconds where time must pass.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use tests::{
    AppOptions, TestApp, assert_problem,
    client::expect_json,
    eventually,
    org::{Org, PASSWORD, org, reads_chinese},
    spawn_app_with,
};

/// An app whose timers fire quickly, its organisation and administrator.
async fn app() -> (TestApp, Org, String) {
    let app = spawn_app_with(AppOptions {
        customise: tests::quick_timers,
        ..AppOptions::default()
    })
    .await;
    let org = org(&app).await;
    let admin = app.admin_token().await;
    (app, org, admin)
}

async fn first_response_takes(app: &TestApp, admin: &str, secs: i64) {
    let body = json!({"duration_secs": secs, "warning_percent": 0});
    expect_json(
        app.put_json("/api/v1/sla-policies/first_response", Some(admin), &body)
            .await,
        200,
    )
    .await;
}

async fn token(app: &TestApp, who: &str) -> String {
    app.token(&format!("{who}@example.com"), PASSWORD).await
}

async fn new_customer(app: &TestApp, token: &str, name: &str) -> String {
    tests::customers::new_customer(app, token, name).await
}

async fn agenda(app: &TestApp, token: &str) -> Vec<Value> {
    let page = expect_json(app.get("/api/v1/me/agenda?limit=100", Some(token)).await, 200).await;
    page["items"].as_array().expect("items").clone()
}

fn due(item: &Value) -> DateTime<Utc> {
    item["due_at"].as_str().expect("due_at").parse().expect("instant")
}

/// The (kind, customer name) of each item, in order.
fn kinds_and_names(items: &[Value]) -> Vec<(String, String)> {
    items
        .iter()
        .map(|i| {
            (
                i["kind"].as_str().unwrap_or_default().to_owned(),
                i["customer"]["name"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(k, n)| ((*k).to_owned(), (*n).to_owned()))
        .collect()
}

fn assert_near(actual: DateTime<Utc>, expected: DateTime<Utc>) {
    let off = (actual - expected).num_seconds().abs();
    assert!(off <= 60, "due {actual}, expected about {expected}");
}

#[tokio::test]
async fn a_new_lead_is_a_first_response_due_in_24_hours_and_once_answered_a_needs_assessment() {
    let (app, org, _) = app().await;
    let a1 = token(&app, "a1").await;
    let before = Utc::now();
    let customer = new_customer(&app, &a1, "王先生").await;

    let items = agenda(&app, &a1).await;
    assert_eq!(
        kinds_and_names(&items),
        pairs(&[("first_response", "王先生"), ("needs_assessment", "王先生")])
    );
    let first = &items[0];
    assert_near(due(first), before + chrono::Duration::hours(24));
    assert_near(due(&items[1]), before + chrono::Duration::days(3));
    assert_eq!(first["overdue"], false);
    assert_eq!(first["customer"]["id"], customer.as_str());
    assert_eq!(first["consultant_id"], org.consultant_a1.to_string());
    assert_eq!(first["deal_id"], Value::Null);
    let title = first["title"].as_str().expect("title");
    assert!(title.starts_with("First contact with 王先生 by "), "{title}");

    let follow_up = json!({"kind": "call", "notes": "sent the brochure"});
    expect_json(
        app.post_json(
            &format!("/api/v1/customers/{customer}/follow-ups"),
            Some(&a1),
            &follow_up,
        )
        .await,
        201,
    )
    .await;
    let items = agenda(&app, &a1).await;
    assert_eq!(
        kinds_and_names(&items),
        pairs(&[("needs_assessment", "王先生"), ("follow_up", "王先生")])
    );
    assert_near(due(&items[1]), Utc::now() + chrono::Duration::days(7));

    // Someone else's agenda does not hold it.
    let a2 = token(&app, "a2").await;
    assert!(agenda(&app, &a2).await.is_empty());
}

#[tokio::test]
async fn an_overdue_item_comes_first_and_stays_after_its_breach_until_the_work_is_done() {
    let (app, _, admin) = app().await;
    let a1 = token(&app, "a1").await;
    let soon = new_customer(&app, &a1, "早到").await;
    first_response_takes(&app, &admin, 1).await;
    let late = new_customer(&app, &a1, "迟到").await;

    // The late lead's first response falls due in a second, and the engine records its breach.
    eventually(Duration::from_secs(15), "the breach", || async {
        let breaches = expect_json(app.get("/api/v1/sla-breaches", Some(&admin)).await, 200).await;
        let breached = breaches["items"]
            .as_array()
            .is_some_and(|b| b.iter().any(|b| b["customer_id"] == late.as_str()));
        breached.then_some(())
    })
    .await;
    let items = agenda(&app, &a1).await;
    assert_eq!(
        kinds_and_names(&items),
        pairs(&[
            ("first_response", "迟到"),
            ("first_response", "早到"),
            ("needs_assessment", "早到"),
            ("needs_assessment", "迟到"),
        ])
    );
    assert_eq!(items[0]["overdue"], true);
    assert!(items[1..].iter().all(|i| i["overdue"] == false), "{items:?}");
    let title = items[0]["title"].as_str().expect("title");
    assert!(title.starts_with("Overdue: First contact with 迟到 by "), "{title}");

    let follow_up = json!({"kind": "call"});
    expect_json(
        app.post_json(&format!("/api/v1/customers/{late}/follow-ups"), Some(&a1), &follow_up)
            .await,
        201,
    )
    .await;
    let items = agenda(&app, &a1).await;
    assert!(
        !items
            .iter()
            .any(|i| i["kind"] == "first_response" && i["customer"]["id"] == late.as_str()),
        "answered late, it leaves the agenda: {items:?}"
    );
    assert!(items.iter().all(|i| i["overdue"] == false), "{items:?}");
    assert!(items.iter().any(|i| i["customer"]["id"] == soon.as_str()));
}

#[tokio::test]
async fn a_complaint_is_on_the_agenda_of_whoever_handles_it() {
    let (app, org, _) = app().await;
    let (a1, manager) = (token(&app, "a1").await, token(&app, "manager.a").await);
    let customer = new_customer(&app, &a1, "投诉客户").await;
    let complain = |severity: &'static str| {
        let body = json!({"customer_id": customer, "severity": severity, "summary": "noise from the lift"});
        let (app, a1) = (&app, &a1);
        async move { expect_json(app.post_json("/api/v1/complaints", Some(a1), &body).await, 201).await }
    };
    let minor = complain("minor").await;
    let major = complain("major").await;

    let complaints = |items: Vec<Value>| -> Vec<String> {
        items
            .iter()
            .filter(|i| i["kind"] == "complaint")
            .map(|i| i["complaint_id"].as_str().unwrap_or_default().to_owned())
            .collect()
    };
    let mine = agenda(&app, &a1).await;
    assert_eq!(complaints(mine.clone()), [minor["id"].as_str().expect("id")]);
    let item = mine.iter().find(|i| i["kind"] == "complaint").expect("complaint item");
    assert_eq!(item["customer"]["id"], customer.as_str());
    assert_eq!(item["consultant_id"], org.consultant_a1.to_string());
    // The major one went to the manager, who handles it.
    assert_eq!(
        complaints(agenda(&app, &manager).await),
        [major["id"].as_str().expect("id")]
    );

    expect_json(
        app.patch_json(
            &format!("/api/v1/complaints/{}", minor["id"].as_str().expect("id")),
            Some(&a1),
            &json!({"status": "resolved", "resolution": "lift serviced"}),
        )
        .await,
        200,
    )
    .await;
    assert!(complaints(agenda(&app, &a1).await).is_empty());
}

#[tokio::test]
async fn a_manager_reads_each_consultants_items_in_the_team_and_a_consultant_cannot() {
    let (app, org, _) = app().await;
    let (a1, a2, b1) = (
        token(&app, "a1").await,
        token(&app, "a2").await,
        token(&app, "b1").await,
    );
    new_customer(&app, &a1, "甲").await;
    new_customer(&app, &a2, "乙").await;
    new_customer(&app, &b1, "丙").await;
    let manager = token(&app, "manager.a").await;

    let team = expect_json(
        app.get(&format!("/api/v1/teams/{}/agenda", org.team_a), Some(&manager))
            .await,
        200,
    )
    .await;
    assert_eq!(team["team_id"], org.team_a.to_string());
    let of = |consultant: uuid::Uuid| -> Vec<(String, String)> {
        let group = team["consultants"]
            .as_array()
            .expect("consultants")
            .iter()
            .find(|g| g["consultant_id"] == consultant.to_string())
            .unwrap_or_else(|| panic!("{consultant} in {team}"));
        kinds_and_names(group["items"].as_array().expect("items"))
    };
    assert_eq!(
        of(org.consultant_a1),
        pairs(&[("first_response", "甲"), ("needs_assessment", "甲")])
    );
    assert_eq!(
        of(org.consultant_a2),
        pairs(&[("first_response", "乙"), ("needs_assessment", "乙")])
    );
    assert!(of(org.manager_a).is_empty(), "every member is listed");
    assert!(
        !team.to_string().contains("丙"),
        "team B's lead is not team A's: {team}"
    );

    // Another team is out of the manager's reach; a consultant reads only their own.
    let other = format!("/api/v1/teams/{}/agenda", org.team_b);
    assert_problem(app.get(&other, Some(&manager)).await, 404, "not_found").await;
    let own = format!("/api/v1/teams/{}/agenda", org.team_a);
    assert_problem(app.get(&own, Some(&a1)).await, 403, "forbidden").await;
    assert_problem(app.get(&other, Some(&a1)).await, 403, "forbidden").await;

    let director = token(&app, "director").await;
    let b = expect_json(app.get(&other, Some(&director)).await, 200).await;
    assert!(b.to_string().contains("丙"), "{b}");
}

#[tokio::test]
async fn a_chinese_reader_reads_chinese_titles_in_beijing_time() {
    let (app, org, _) = app().await;
    reads_chinese(&app, org.consultant_a1).await;
    let a1 = token(&app, "a1").await;
    new_customer(&app, &a1, "王先生").await;

    let items = agenda(&app, &a1).await;
    let first = &items[0];
    let beijing = due(first).with_timezone(&chrono_tz::Asia::Shanghai);
    assert_eq!(
        first["title"],
        format!("首次联系王先生（{} 前）", beijing.format("%Y年%-m月%-d日 %H:%M"))
    );
    assert_eq!(first["kind"], "first_response", "machine fields stay neutral");
}

/// Every customer of `path` (with a query string) read `limit` at a time:
/// (name, next_due_at) in order, and the number of pages it took.
async fn read_all(app: &TestApp, path: &str, token: &str) -> (Vec<(String, Value)>, usize) {
    let (items, pages) = tests::org::read_pages(app, path, token).await;
    let rows = items
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap_or_default().to_owned(),
                c["next_due_at"].clone(),
            )
        })
        .collect();
    (rows, pages)
}

fn names(rows: &[(String, Value)]) -> Vec<&str> {
    rows.iter().map(|(n, _)| n.as_str()).collect()
}

#[tokio::test]
async fn customers_sort_by_their_next_due_time_across_pages_and_filter_by_it() {
    let (app, _, admin) = app().await;
    let a1 = token(&app, "a1").await;
    for (name, secs) in [("三", 3000), ("一", 1000), ("五", 5000), ("二", 2000), ("四", 4000)] {
        first_response_takes(&app, &admin, secs).await;
        new_customer(&app, &a1, name).await;
    }
    let lost = new_customer(&app, &a1, "无").await;
    let reason = json!({"status": "lost", "reason": "bought elsewhere"});
    expect_json(
        app.post_json(&format!("/api/v1/customers/{lost}/status"), Some(&a1), &reason)
            .await,
        200,
    )
    .await;

    let (soonest, pages) = read_all(&app, "/api/v1/customers?sort=next_due_at&limit=2", &a1).await;
    assert_eq!(pages, 3);
    assert_eq!(names(&soonest), ["一", "二", "三", "四", "五", "无"]);
    assert_eq!(soonest[5].1, Value::Null, "nothing due: last");
    let (latest, _) = read_all(&app, "/api/v1/customers?sort=-next_due_at&limit=4", &a1).await;
    assert_eq!(names(&latest), ["五", "四", "三", "二", "一", "无"]);

    let detail = expect_json(app.get(&format!("/api/v1/customers/{lost}"), Some(&a1)).await, 200).await;
    assert_eq!(
        (&detail["next_due_at"], &detail["next_due_kind"]),
        (&Value::Null, &Value::Null)
    );
    let list = expect_json(
        app.get("/api/v1/customers?sort=next_due_at&limit=1", Some(&a1)).await,
        200,
    )
    .await;
    assert_eq!(list["items"][0]["next_due_kind"], "first_response");

    let within = (Utc::now() + chrono::Duration::seconds(2500)).to_rfc3339();
    let within = within.replace('+', "%2B");
    let (soon, _) = read_all(&app, &format!("/api/v1/customers?due_before={within}&limit=10"), &a1).await;
    assert_eq!(names(&soon), ["一", "二"], "oldest first, as created");

    // A lead whose first response is due in a second becomes overdue.
    first_response_takes(&app, &admin, 1).await;
    new_customer(&app, &a1, "迟").await;
    let overdue = eventually(Duration::from_secs(15), "an overdue customer", || async {
        let (rows, _) = read_all(&app, "/api/v1/customers?overdue=true&limit=10", &a1).await;
        (!rows.is_empty()).then_some(rows)
    })
    .await;
    assert_eq!(names(&overdue), ["迟"]);
    let (not_overdue, _) = read_all(&app, "/api/v1/customers?overdue=false&limit=10", &a1).await;
    assert_eq!(names(&not_overdue).len(), 6);
    let (by_kind, _) = read_all(&app, "/api/v1/customers?next_due_kind=follow_up&limit=10", &a1).await;
    assert!(by_kind.is_empty());
    assert_problem(
        app.get("/api/v1/customers?next_due_kind=lunch", Some(&a1)).await,
        422,
        "validation_failed",
    )
    .await;
    assert_problem(
        app.get("/api/v1/customers?sort=next_due_at&cursor=c1.nope", Some(&a1))
            .await,
        422,
        "validation_failed",
    )
    .await;
}
