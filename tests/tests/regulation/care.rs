//! Key-account care (客户经理：建立并维护重点客户档案，定期进行客户回访;
//! 建立客户档案，定期维护长期关系) and customer feedback (收集客户对产品、
//! 服务的意见，反馈至相关部门): a key account is revisited on the cadence
//! of its SLA policy through the timer engine, by the customer manager who
//! answers for it (else its consultant); feedback is recorded with a
//! category and routed to the department concerned, whose recipients are
//! told in their language and resolve it.

use std::time::Duration;

use chrono::{DateTime, Utc};
use entities::timers::TimerState;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::{Value, json};
use tests::{
    AppOptions, TestApp, assert_invalid, assert_problem,
    client::expect_json,
    customers::{new_customer, timeline_kinds},
    eventually,
    org::{Org, PASSWORD, create_unit, create_user, list, notifications, org, reads_chinese, values},
    spawn_app_with,
};
use uuid::Uuid;

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

async fn token(app: &TestApp, who: &str) -> String {
    app.token(&format!("{who}@example.com"), PASSWORD).await
}

/// A customer manager (客户经理) and their token.
async fn customer_manager(app: &TestApp) -> (Uuid, String) {
    let id = create_user(app, "cm@example.com", "customer_manager", None).await;
    (id, token(app, "cm").await)
}

async fn mark(app: &TestApp, token: &str, customer: &str, key_account: bool) -> Value {
    let body = json!({"key_account": key_account});
    let path = format!("/api/v1/customers/{customer}");
    expect_json(app.patch_json(&path, Some(token), &body).await, 200).await
}

async fn revisit_timers(app: &TestApp, customer: &str) -> Vec<entities::timers::Model> {
    let subject = Uuid::parse_str(customer).expect("uuid");
    let mut timers = entities::timers::Entity::find()
        .filter(entities::timers::Column::SubjectId.eq(subject))
        .filter(entities::timers::Column::Kind.eq("key_account_revisit"))
        .filter(entities::timers::Column::Phase.eq("deadline"))
        .all(&app.db)
        .await
        .expect("timers");
    timers.sort_by_key(|t| t.created_at);
    timers
}

async fn agenda(app: &TestApp, token: &str) -> Vec<Value> {
    let page = expect_json(app.get("/api/v1/me/agenda?limit=100", Some(token)).await, 200).await;
    page["items"].as_array().expect("items").clone()
}

fn revisits(items: &[Value]) -> Vec<Value> {
    items
        .iter()
        .filter(|i| i["kind"] == "key_account_revisit")
        .cloned()
        .collect()
}

async fn follow_up(app: &TestApp, token: &str, customer: &str, body: &Value) {
    let path = format!("/api/v1/customers/{customer}/follow-ups");
    expect_json(app.post_json(&path, Some(token), body).await, 201).await;
}

fn instant(value: &Value) -> DateTime<Utc> {
    value.as_str().expect("instant").parse().expect("instant")
}

#[tokio::test]
async fn a_key_account_marked_by_the_customer_manager_is_theirs_to_revisit_every_30_days_on_their_agenda() {
    let (app, org, _) = app().await;
    let (cm, cm_token) = customer_manager(&app).await;
    let a1 = token(&app, "a1").await;
    let customer = new_customer(&app, &a1, "Mr Gao").await;
    assert!(
        revisit_timers(&app, &customer).await.is_empty(),
        "not a key account yet"
    );

    let marked = mark(&app, &cm_token, &customer, true).await;
    assert_eq!(marked["key_account"], true, "{marked}");
    assert_eq!(marked["account_manager_id"], cm.to_string());
    let timers = revisit_timers(&app, &customer).await;
    assert_eq!(timers.len(), 1, "{timers:?}");
    let cadence = timers[0].due_at - timers[0].created_at;
    assert!(
        (cadence - chrono::Duration::days(30)).num_seconds().abs() < 60,
        "the default cadence is 30 days: {cadence}"
    );
    // Marking again (or saving the customer) arms nothing more.
    mark(&app, &cm_token, &customer, true).await;
    assert_eq!(revisit_timers(&app, &customer).await.len(), 1);

    // The revisit is the customer manager's, not the consultant's.
    let mine = revisits(&agenda(&app, &cm_token).await);
    assert_eq!(mine.len(), 1, "{mine:?}");
    assert_eq!(mine[0]["customer"]["id"], customer.as_str());
    assert_eq!(mine[0]["consultant_id"], cm.to_string());
    assert_eq!(mine[0]["overdue"], false);
    assert_eq!(instant(&mine[0]["due_at"]), timers[0].due_at);
    assert!(
        mine[0]["title"]
            .as_str()
            .expect("title")
            .starts_with("Revisit key account Mr Gao by "),
        "{mine:?}"
    );
    assert!(revisits(&agenda(&app, &a1).await).is_empty());
    reads_chinese(&app, cm).await;
    let chinese = revisits(&agenda(&app, &cm_token).await);
    assert!(
        chinese[0]["title"]
            .as_str()
            .expect("title")
            .starts_with("回访重点客户Mr Gao（"),
        "{chinese:?}"
    );
    // The team's manager sees it on the team's agenda, under the customer manager.
    let manager = token(&app, "manager.a").await;
    let team = expect_json(
        app.get(&format!("/api/v1/teams/{}/agenda", org.team_a), Some(&manager))
            .await,
        200,
    )
    .await;
    let theirs = team["consultants"]
        .as_array()
        .expect("consultants")
        .iter()
        .find(|c| c["consultant_id"] == cm.to_string())
        .cloned()
        .expect("the customer manager's group");
    assert_eq!(theirs["items"][0]["kind"], "key_account_revisit", "{theirs}");
}

#[tokio::test]
async fn a_reached_revisit_meets_the_deadline_and_arms_the_next_counted_from_it() {
    let (app, _, _) = app().await;
    let (cm, cm_token) = customer_manager(&app).await;
    let a1 = token(&app, "a1").await;
    let customer = new_customer(&app, &a1, "Ms Lin").await;
    // Marked by the consultant: the consultant answers for it until a customer manager revisits.
    let marked = mark(&app, &a1, &customer, true).await;
    assert_eq!(marked["account_manager_id"], Value::Null);
    assert_eq!(revisits(&agenda(&app, &a1).await).len(), 1);

    // An unanswered call is not a revisit.
    let missed = json!({"kind": "revisit", "reached": false, "notes": "no answer"});
    follow_up(&app, &cm_token, &customer, &missed).await;
    assert_eq!(revisit_timers(&app, &customer).await.len(), 1);

    let at = Utc::now() - chrono::Duration::minutes(2);
    let reached = json!({"kind": "revisit", "reached": true, "occurred_at": at, "notes": "all well"});
    follow_up(&app, &cm_token, &customer, &reached).await;
    let timers = revisit_timers(&app, &customer).await;
    assert_eq!(timers.len(), 2, "{timers:?}");
    assert_eq!(timers[0].state, TimerState::Completed);
    assert_eq!(timers[1].state, TimerState::Pending);
    let next = timers[1].due_at - at;
    assert!((next - chrono::Duration::days(30)).num_seconds().abs() < 2, "{next}");
    // The customer manager who revisited it answers for it now.
    let read = expect_json(app.get(&format!("/api/v1/customers/{customer}"), Some(&a1)).await, 200).await;
    assert_eq!(read["account_manager_id"], cm.to_string());
    assert!(revisits(&agenda(&app, &a1).await).is_empty());
    let mine = revisits(&agenda(&app, &cm_token).await);
    assert_eq!(mine.len(), 1);
    assert_eq!(instant(&mine[0]["due_at"]), timers[1].due_at);
    assert!(
        timeline_kinds(&app, &a1, &customer)
            .await
            .contains(&"follow_up".to_owned())
    );
}

#[tokio::test]
async fn a_missed_revisit_is_a_breach_told_to_the_customer_manager_and_the_teams_manager_and_stays_overdue() {
    let (app, _, admin) = app().await;
    let policy = json!({"duration_secs": 2, "warning_percent": 50});
    let response = app
        .put_json("/api/v1/sla-policies/key_account_revisit", Some(&admin), &policy)
        .await;
    assert_eq!(expect_json(response, 200).await["version"], 2);
    let (cm, cm_token) = customer_manager(&app).await;
    reads_chinese(&app, cm).await;
    let a1 = token(&app, "a1").await;
    let customer = new_customer(&app, &a1, "Mr Qian").await;
    mark(&app, &cm_token, &customer, true).await;

    let customer_id = Uuid::parse_str(&customer).expect("uuid");
    let fired = eventually(Duration::from_secs(15), "reminder and breach fired", || async {
        let timers = entities::timers::Entity::find()
            .filter(entities::timers::Column::SubjectId.eq(customer_id))
            .filter(entities::timers::Column::Kind.eq("key_account_revisit"))
            .all(&app.db)
            .await
            .expect("timers");
        (timers.iter().filter(|t| t.state == TimerState::Fired).count() == 2).then_some(timers)
    })
    .await;
    let outcome = |phase: &str| fired.iter().find(|t| t.phase == phase).and_then(|t| t.outcome.clone());
    assert_eq!(outcome("warning").as_deref(), Some("reminded"));
    assert_eq!(outcome("deadline").as_deref(), Some("breached"));

    let reminded = notifications(&app, &cm_token, "sla_reminder").await;
    assert_eq!(reminded.len(), 1, "{reminded:?}");
    let told = notifications(&app, &cm_token, "sla_breach").await;
    assert_eq!(told.len(), 1, "{told:?}");
    assert!(
        told[0]["title"].as_str().expect("title").contains("重点客户回访"),
        "{told:?}"
    );
    let manager = token(&app, "manager.a").await;
    let managers = notifications(&app, &manager, "sla_breach").await;
    assert_eq!(managers.len(), 1, "{managers:?}");
    assert!(
        managers[0]["title"]
            .as_str()
            .expect("title")
            .contains("key-account revisit"),
        "{managers:?}"
    );
    let breaches = list(&app, "/api/v1/sla-breaches?kind=key_account_revisit", &admin).await;
    assert_eq!(values(&breaches, "customer_id"), [customer.as_str()]);
    assert_eq!(breaches["items"][0]["consultant_id"], cm.to_string());

    // Overdue on the agenda until revisited, and the customer's next item.
    let mine = revisits(&agenda(&app, &cm_token).await);
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["overdue"], true);
    assert!(
        mine[0]["title"].as_str().expect("title").starts_with("已逾期："),
        "{mine:?}"
    );
    let read = expect_json(app.get(&format!("/api/v1/customers/{customer}"), Some(&a1)).await, 200).await;
    assert_eq!(read["next_due_kind"], "key_account_revisit", "{read}");
    let listed = list(&app, "/api/v1/customers?next_due_kind=key_account_revisit", &a1).await;
    assert_eq!(values(&listed, "id"), [customer.as_str()]);

    // A redelivered job has no second effect.
    let deadline = fired.iter().find(|t| t.phase == "deadline").expect("deadline");
    let again = domain::engine::dispatch::fire(&app.db, deadline.id, "test", chrono_tz::Asia::Shanghai).await;
    assert!(matches!(again, Ok(None)), "{again:?}");
    assert_eq!(notifications(&app, &cm_token, "sla_breach").await.len(), 1);

    // Staff read the breach on the customer's timeline.
    let kinds = timeline_kinds(&app, &a1, &customer).await;
    assert!(kinds.contains(&"sla_breached".to_owned()), "{kinds:?}");
}

#[tokio::test]
async fn unmarking_or_losing_a_key_account_cancels_its_revisit_and_marking_again_rearms_it() {
    let (app, _, _) = app().await;
    let a1 = token(&app, "a1").await;
    let customer = new_customer(&app, &a1, "Mr Zhu").await;
    mark(&app, &a1, &customer, true).await;
    assert_eq!(revisits(&agenda(&app, &a1).await).len(), 1);

    mark(&app, &a1, &customer, false).await;
    let timers = revisit_timers(&app, &customer).await;
    assert_eq!(timers.len(), 1);
    assert_eq!(timers[0].state, TimerState::Cancelled);
    assert!(revisits(&agenda(&app, &a1).await).is_empty());

    mark(&app, &a1, &customer, true).await;
    let timers = revisit_timers(&app, &customer).await;
    assert_eq!(timers.len(), 2, "{timers:?}");
    assert_eq!(timers[1].state, TimerState::Pending);

    let lost = json!({"status": "lost", "reason": "bought elsewhere"});
    let path = format!("/api/v1/customers/{customer}/status");
    expect_json(app.post_json(&path, Some(&a1), &lost).await, 200).await;
    assert!(
        revisit_timers(&app, &customer)
            .await
            .iter()
            .all(|t| t.state != TimerState::Pending),
        "a lost customer is not revisited"
    );
    assert!(revisits(&agenda(&app, &a1).await).is_empty());
    // Reopened, the key account is revisited again.
    let reopen = json!({"status": "active"});
    expect_json(app.post_json(&path, Some(&a1), &reopen).await, 200).await;
    assert_eq!(revisits(&agenda(&app, &a1).await).len(), 1);
}

#[tokio::test]
async fn merging_a_key_account_into_a_plain_customer_moves_its_revisit_to_the_survivor() {
    let (app, _, _) = app().await;
    let a1 = token(&app, "a1").await;
    let manager = token(&app, "manager.a").await;
    let survivor = new_customer(&app, &a1, "Mr Gao").await;
    let duplicate = new_customer(&app, &a1, "Mr Gao (again)").await;
    mark(&app, &a1, &duplicate, true).await;
    assert!(
        revisit_timers(&app, &survivor).await.is_empty(),
        "a plain customer has no revisit"
    );
    assert_eq!(revisit_timers(&app, &duplicate).await.len(), 1);

    let merge = format!("/api/v1/customers/{survivor}/merge");
    let body = json!({"duplicate_id": duplicate});
    let merged = expect_json(app.post_json(&merge, Some(&manager), &body).await, 200).await;
    assert_eq!(merged["key_account"], true);
    let kept = revisit_timers(&app, &survivor).await;
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(kept[0].state, TimerState::Pending);
    let gone = revisit_timers(&app, &duplicate).await;
    assert!(gone.iter().all(|t| t.state != TimerState::Pending), "{gone:?}");
    assert_eq!(revisits(&agenda(&app, &a1).await).len(), 1);
}

#[tokio::test]
async fn a_key_account_created_or_imported_as_such_is_revisited_from_its_arrival() {
    let (app, _, _) = app().await;
    let a1 = token(&app, "a1").await;
    let body = json!({"name": "Mr Ye", "phone": "13900139001", "key_account": true});
    let created = expect_json(app.post_json("/api/v1/customers", Some(&a1), &body).await, 201).await;
    let id = created["id"].as_str().expect("id");
    assert_eq!(revisit_timers(&app, id).await.len(), 1);
    let csv = "name,phone,key_account\nMs Jin,13900139002,true\nMr Bai,13900139003,false\n";
    let report = expect_json(tests::customers::import(&app, &a1, csv).await, 200).await;
    let rows = report["results"].as_array().expect("results");
    let armed: Vec<usize> = {
        let mut out = Vec::new();
        for row in rows {
            let id = row["customer_id"].as_str().expect("id");
            out.push(revisit_timers(&app, id).await.len());
        }
        out
    };
    assert_eq!(armed, [1, 0], "{report}");
}

/// A support account that reads Chinese: the default route of property
/// management feedback goes to the support role.
async fn support(app: &TestApp) -> (Uuid, String) {
    let id = create_user(app, "support@example.com", "support", None).await;
    reads_chinese(app, id).await;
    (id, token(app, "support").await)
}

async fn record(app: &TestApp, token: &str, customer: &str, body: &Value) -> reqwest::Response {
    app.post_json(&format!("/api/v1/customers/{customer}/feedback"), Some(token), body)
        .await
}

#[tokio::test]
async fn feedback_is_routed_to_its_department_and_its_recipients_are_told_in_their_language() {
    let (app, org, _) = app().await;
    let (support_id, support_token) = support(&app).await;
    let a1 = token(&app, "a1").await;
    let customer = new_customer(&app, &a1, "Mr Tang").await;

    let body = json!({"category": "property_management", "source": "call", "text": "电梯经常停运"});
    let response = record(&app, &a1, &customer, &body).await;
    let location = response.headers()["location"].to_str().expect("location").to_owned();
    let feedback = expect_json(response, 201).await;
    assert_eq!(
        location,
        format!("/api/v1/feedback/{}", feedback["id"].as_str().expect("id"))
    );
    assert_eq!(feedback["department"], "property_management");
    assert_eq!(feedback["department_zh"], "物业管理部");
    assert_eq!(feedback["department_en"], "Property Management");
    assert_eq!(feedback["status"], "open");
    assert_eq!(feedback["route_version"], 1);
    assert_eq!(feedback["recipient_ids"], json!([support_id.to_string()]));
    assert_eq!(feedback["consultant_id"], org.consultant_a1.to_string());

    let told = notifications(&app, &support_token, "feedback_routed").await;
    assert_eq!(told.len(), 1, "{told:?}");
    assert_eq!(told[0]["title"], "客户意见转物业管理部：Mr Tang（物业管理）");
    assert_eq!(told[0]["body"], "意见内容：电梯经常停运");
    assert_eq!(told[0]["subject_id"], feedback["id"]);

    // Product feedback goes to the director (English).
    let body = json!({"category": "product", "source": "visit", "text": "Wants a bigger balcony"});
    expect_json(record(&app, &a1, &customer, &body).await, 201).await;
    let director = token(&app, "director").await;
    let told = notifications(&app, &director, "feedback_routed").await;
    assert_eq!(told.len(), 1, "{told:?}");
    assert_eq!(told[0]["title"], "Feedback for Product Development: Mr Tang (product)");
    assert!(notifications(&app, &support_token, "feedback_routed").await.len() == 1);

    let kinds = timeline_kinds(&app, &a1, &customer).await;
    assert_eq!(kinds.iter().filter(|k| *k == "feedback").count(), 2, "{kinds:?}");
}

#[tokio::test]
async fn feedback_is_refused_when_invalid_and_reached_only_within_the_callers_scope() {
    let (app, _, _) = app().await;
    let (_, support_token) = support(&app).await;
    let (a1, a2, b1) = (
        token(&app, "a1").await,
        token(&app, "a2").await,
        token(&app, "b1").await,
    );
    let manager = token(&app, "manager.a").await;
    let customer = new_customer(&app, &a1, "Mr He").await;

    let bad = json!({"category": "parking", "source": "fax", "text": "  "});
    assert_invalid(
        record(&app, &a1, &customer, &bad).await,
        &["/category", "/source", "/text"],
    )
    .await;
    let long = json!({"category": "other", "source": "other", "text": "x".repeat(4001)});
    assert_invalid(record(&app, &a1, &customer, &long).await, &["/text"]).await;
    assert!(
        list(&app, "/api/v1/feedback", &a1).await["items"]
            .as_array()
            .expect("items")
            .is_empty()
    );
    // Another consultant's customer is not within reach.
    let body = json!({"category": "service", "source": "call", "text": "Slow answers"});
    assert_problem(record(&app, &a2, &customer, &body).await, 404, "not_found").await;

    let service = expect_json(record(&app, &a1, &customer, &body).await, 201).await;
    let property = json!({"category": "property_management", "source": "visit", "text": "Leaking pipe"});
    let property = expect_json(record(&app, &a1, &customer, &property).await, 201).await;
    let ids_of = |list: &Value| values(list, "id");
    assert_eq!(ids_of(&list(&app, "/api/v1/feedback", &a1).await).len(), 2);
    assert_eq!(ids_of(&list(&app, "/api/v1/feedback", &manager).await).len(), 2);
    assert!(ids_of(&list(&app, "/api/v1/feedback", &a2).await).is_empty());
    assert!(ids_of(&list(&app, "/api/v1/feedback", &b1).await).is_empty());
    // The support desk reaches what was routed to it, and nothing else.
    let routed = list(&app, "/api/v1/feedback", &support_token).await;
    assert_eq!(ids_of(&routed), [property["id"].as_str().expect("id").to_owned()]);
    let path = format!("/api/v1/feedback/{}", service["id"].as_str().expect("id"));
    assert_problem(app.get(&path, Some(&support_token)).await, 404, "not_found").await;
    assert_problem(app.get(&path, Some(&b1)).await, 404, "not_found").await;
    expect_json(app.get(&path, Some(&manager)).await, 200).await;

    // Filters.
    let by = |query: &str| format!("/api/v1/feedback?{query}");
    let found = list(&app, &by("category=service"), &a1).await;
    assert_eq!(ids_of(&found), [service["id"].as_str().expect("id").to_owned()]);
    let found = list(&app, &by("department=property_management&status=open"), &a1).await;
    assert_eq!(ids_of(&found), [property["id"].as_str().expect("id").to_owned()]);
    assert!(ids_of(&list(&app, &by("status=resolved"), &a1).await).is_empty());
    let later = (Utc::now() + chrono::Duration::hours(1)).to_rfc3339();
    let found = list(&app, &by(&format!("from={}", urlencoding(&later))), &a1).await;
    assert!(ids_of(&found).is_empty(), "{found}");
    assert_invalid(app.get(&by("category=parking"), Some(&a1)).await, &["/category"]).await;
    assert_invalid(app.get(&by("status=closed"), Some(&a1)).await, &["/status"]).await;
}

fn urlencoding(text: &str) -> String {
    text.replace('+', "%2B").replace(':', "%3A")
}

#[tokio::test]
async fn feedback_is_resolved_once_with_a_note_by_whoever_reaches_it() {
    let (app, _, admin) = app().await;
    let (support_id, support_token) = support(&app).await;
    let (a1, b1) = (token(&app, "a1").await, token(&app, "b1").await);
    let customer = new_customer(&app, &a1, "Ms Wu").await;
    let body = json!({"category": "property_management", "source": "visit", "text": "Gate is broken"});
    let feedback = expect_json(record(&app, &a1, &customer, &body).await, 201).await;
    let path = format!("/api/v1/feedback/{}/resolution", feedback["id"].as_str().expect("id"));

    let empty = json!({"resolution": " "});
    assert_invalid(
        app.post_json(&path, Some(&support_token), &empty).await,
        &["/resolution"],
    )
    .await;
    let note = json!({"resolution": "Gate repaired on Monday"});
    assert_problem(app.post_json(&path, Some(&b1), &note).await, 404, "not_found").await;
    let resolved = expect_json(app.post_json(&path, Some(&support_token), &note).await, 200).await;
    assert_eq!(resolved["status"], "resolved");
    assert_eq!(resolved["resolution"], "Gate repaired on Monday");
    assert_eq!(resolved["resolved_by"], support_id.to_string());
    assert!(resolved["resolved_at"].is_string());
    assert_problem(
        app.post_json(&path, Some(&support_token), &note).await,
        409,
        "illegal_transition",
    )
    .await;
    let kinds = timeline_kinds(&app, &a1, &customer).await;
    assert!(kinds.contains(&"feedback_resolved".to_owned()), "{kinds:?}");
    let audit = list(
        &app,
        &format!(
            "/api/v1/audit-log?entity=feedback&entity_id={}",
            feedback["id"].as_str().expect("id")
        ),
        &admin,
    )
    .await;
    assert_eq!(values(&audit, "action"), ["create", "resolve"]);
}

/// The default routes, with `pricing` sent to `user` by name.
fn table_with_pricing_to(user: Uuid) -> Value {
    json!({"routes": [
        {"category": "product", "department": "product_development", "department_zh": "产品研发部",
         "department_en": "Product Development", "recipient_role": "director"},
        {"category": "service", "department": "customer_service", "department_zh": "客户服务部",
         "department_en": "Customer Service", "recipient_role": "customer_manager"},
        {"category": "property_management", "department": "property_management", "department_zh": "物业管理部",
         "department_en": "Property Management", "recipient_role": "support"},
        {"category": "pricing", "department": "finance", "department_zh": "财务部",
         "department_en": "Finance", "recipient_user_ids": [user]},
        {"category": "other", "department": "customer_service", "department_zh": "客户服务部",
         "department_en": "Customer Service", "recipient_role": "customer_manager"},
    ]})
}

#[tokio::test]
async fn the_director_changes_the_routing_table_and_new_feedback_follows_it() {
    let (app, org, admin) = app().await;
    let director = token(&app, "director").await;
    let a1 = token(&app, "a1").await;
    let routes = app.get("/api/v1/feedback-routes", Some(&director)).await;
    let etag = routes.headers()["etag"].to_str().expect("etag").to_owned();
    let table = expect_json(routes, 200).await;
    assert_eq!(table["version"], 1);
    assert_eq!(
        values(&json!({"items": table["routes"]}), "category"),
        ["product", "service", "property_management", "pricing", "other"]
    );
    assert_problem(app.get("/api/v1/feedback-routes", Some(&a1)).await, 403, "forbidden").await;
    let change = table_with_pricing_to(org.manager_a);
    assert_problem(
        app.put_json("/api/v1/feedback-routes", Some(&a1), &change).await,
        403,
        "forbidden",
    )
    .await;

    // Every category once, real roles and active staff, a department code.
    let mut missing = change.clone();
    missing["routes"].as_array_mut().expect("routes").pop();
    assert_invalid(
        app.put_json("/api/v1/feedback-routes", Some(&director), &missing).await,
        &["/routes"],
    )
    .await;
    let mut bad = change.clone();
    bad["routes"][0]["recipient_role"] = json!("astronaut");
    bad["routes"][1]["department"] = json!("Customer Service");
    bad["routes"][3]["recipient_user_ids"] = json!([Uuid::now_v7()]);
    bad["routes"][4]["recipient_role"] = Value::Null;
    assert_invalid(
        app.put_json("/api/v1/feedback-routes", Some(&director), &bad).await,
        &[
            "/routes/1/department",
            "/routes/4/recipient_user_ids",
            "/routes/0/recipient_role",
            "/routes/3/recipient_user_ids/0",
        ],
    )
    .await;

    let changed = app
        .client
        .put(app.url("/api/v1/feedback-routes"))
        .bearer_auth(&director)
        .header("if-match", &etag)
        .json(&change)
        .send()
        .await
        .expect("request");
    let changed = expect_json(changed, 200).await;
    assert_eq!(changed["version"], 2);
    assert_eq!(changed["routes"][3]["department"], "finance");
    let stale = app
        .client
        .put(app.url("/api/v1/feedback-routes"))
        .bearer_auth(&admin)
        .header("if-match", &etag)
        .json(&change)
        .send()
        .await
        .expect("request");
    assert_problem(stale, 412, "precondition_failed").await;

    let customer = new_customer(&app, &a1, "Mr Xu").await;
    let body = json!({"category": "pricing", "source": "call", "text": "Discount for a second unit?"});
    let feedback = expect_json(record(&app, &a1, &customer, &body).await, 201).await;
    assert_eq!(feedback["department"], "finance");
    assert_eq!(feedback["route_version"], 2);
    assert_eq!(feedback["recipient_ids"], json!([org.manager_a.to_string()]));
    let manager = token(&app, "manager.a").await;
    let told = notifications(&app, &manager, "feedback_routed").await;
    assert_eq!(told[0]["title"], "Feedback for Finance: Mr Xu (pricing)");
    let audit = list(&app, "/api/v1/audit-log?entity=feedback_routes", &admin).await;
    assert_eq!(values(&audit, "action"), ["update"]);
}

#[tokio::test]
async fn a_post_handover_visits_feedback_with_a_category_is_routed_as_customer_feedback() {
    let (app, org, _) = app().await;
    let (_, support_token) = support(&app).await;
    let a1 = token(&app, "a1").await;
    let customer = new_customer(&app, &a1, "Ms Lu").await;
    let handed_over = Utc::now() - chrono::Duration::days(2);
    let deal = entities::deals::ActiveModel {
        id: Set(Uuid::now_v7()),
        customer_id: Set(Uuid::parse_str(&customer).expect("uuid")),
        unit_id: Set(create_unit(&app, "8-801").await),
        consultant_id: Set(org.consultant_a1),
        team_id: Set(Some(org.team_a)),
        agreed_price_fen: Set(300_000_000),
        payment_method: Set(entities::deals::PaymentMethod::Full),
        stage: Set(entities::deals::DealStage::HandedOver),
        subscribed_at: Set(Some(handed_over - chrono::Duration::days(60))),
        handed_over_at: Set(Some(handed_over)),
        created_at: Set(handed_over - chrono::Duration::days(60)),
        updated_at: Set(handed_over),
        ..Default::default()
    }
    .insert(&app.db)
    .await
    .expect("deal");
    let path = format!("/api/v1/deals/{}/visits", deal.id);
    let no_text = json!({"satisfaction": 3, "feedback_category": "property_management"});
    assert_invalid(app.post_json(&path, Some(&a1), &no_text).await, &["/feedback"]).await;
    let unknown = json!({"satisfaction": 3, "feedback": "ok", "feedback_category": "weather"});
    assert_invalid(app.post_json(&path, Some(&a1), &unknown).await, &["/feedback_category"]).await;
    let body =
        json!({"satisfaction": 3, "feedback": "Water pressure is low", "feedback_category": "property_management"});
    let visit = expect_json(app.post_json(&path, Some(&a1), &body).await, 201).await;
    let routed = list(&app, "/api/v1/feedback", &support_token).await;
    assert_eq!(routed["items"].as_array().expect("items").len(), 1, "{routed}");
    assert_eq!(routed["items"][0]["source"], "visit");
    assert_eq!(routed["items"][0]["visit_id"], visit["id"]);
    assert_eq!(routed["items"][0]["text"], "Water pressure is low");
    // Without a category, a visit's feedback stays the visit's.
    let plain = json!({"satisfaction": 5, "feedback": "Very happy"});
    expect_json(app.post_json(&path, Some(&a1), &plain).await, 201).await;
    assert_eq!(
        list(&app, "/api/v1/feedback", &a1).await["items"]
            .as_array()
            .expect("items")
            .len(),
        1
    );
}
