//! A whole lead-to-visit flow read in each language: every notification the
//! staff receive and every problem they meet is Chinese for a zh-CN reader
//! and English for an en reader, while the stable codes and kinds are the
//! same in both. Policy durations are seconds, so each deadline fires.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use tests::{
    TestApp, assert_problem,
    client::expect_json,
    org::{Org, list},
};
use uuid::Uuid;

use crate::sla::{a1_and_manager, fired, under};

/// What the staff read in one flow: the texts, and the machine fields beside them.
struct Read {
    texts: Vec<String>,
    codes: Vec<String>,
    /// When the staff started reading this language: a notification written
    /// before (a digest of the day the app started) was for the reader they were.
    since: DateTime<Utc>,
}

impl Read {
    fn problem(&mut self, body: &Value) {
        self.codes.push(body["code"].as_str().expect("code").to_owned());
        self.texts.push(body["title"].as_str().expect("title").to_owned());
        self.texts.push(body["detail"].as_str().expect("detail").to_owned());
        for error in body["errors"].as_array().into_iter().flatten() {
            self.codes.push(error["pointer"].as_str().expect("pointer").to_owned());
            self.texts.push(error["detail"].as_str().expect("detail").to_owned());
        }
    }

    async fn notifications(&mut self, app: &TestApp, who: &str, token: &str) {
        let page = list(app, "/api/v1/notifications?limit=100", token).await;
        let items = page["items"].as_array().expect("items");
        let mut kinds: Vec<String> = Vec::new();
        for n in items {
            let created: DateTime<Utc> = n["created_at"].as_str().expect("created_at").parse().expect("time");
            // Digests follow the clock of the app's start, not the flow.
            if created < self.since || n["kind"].as_str().is_some_and(|k| k.starts_with("digest_")) {
                continue;
            }
            kinds.push(format!("{who}:{}", n["kind"].as_str().expect("kind")));
            self.texts.push(n["title"].as_str().expect("title").to_owned());
            if let Some(body) = n["body"].as_str() {
                self.texts.push(body.to_owned());
            }
        }
        kinds.sort();
        self.codes.extend(kinds);
    }
}

async fn reads(app: &TestApp, users: &[Uuid], locale: &str) {
    let admin = app.admin_token().await;
    for user in users {
        let path = format!("/api/v1/users/{user}");
        expect_json(
            app.patch_json(&path, Some(&admin), &json!({"locale": locale})).await,
            200,
        )
        .await;
    }
}

fn has_han(text: &str) -> bool {
    text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// A lead from arrival to the visit after handover, with every deadline
/// missed once and two mistakes made on the way, read by staff in `locale`.
async fn lead_to_visit(locale: &str) -> Read {
    let short = json!({"duration_secs": 2, "warning_percent": 50});
    let (app, org, _) = under(&[
        ("first_response", short.clone()),
        ("needs_assessment", short.clone()),
        ("visit", short.clone()),
        ("complaint_resolution", short),
    ])
    .await;
    let Org {
        consultant_a1,
        manager_a,
        director,
        ..
    } = org;
    reads(&app, &[consultant_a1, manager_a, director], locale).await;
    let (a1, manager) = a1_and_manager(&app).await;
    let mut read = Read {
        texts: Vec::new(),
        codes: Vec::new(),
        since: Utc::now(),
    };

    // A lead with a mistake first, then the lead; the first response comes late.
    let bad = json!({"name": "", "channel": "store_walk_in"});
    read.problem(
        &assert_problem(
            app.post_json("/api/v1/customers", Some(&a1), &bad).await,
            422,
            "validation_failed",
        )
        .await,
    );
    let lead = json!({"name": "Zhou Wei", "phone": "13600136000", "channel": "store_walk_in"});
    let customer = expect_json(app.post_json("/api/v1/customers", Some(&a1), &lead).await, 201).await;
    let customer = customer["id"].as_str().expect("id").to_owned();
    let customer_id = Uuid::parse_str(&customer).expect("uuid");
    fired(&app, customer_id, "first_response", "deadline").await;
    let path = format!("/api/v1/customers/{customer}");
    let call = json!({"kind": "call", "notes": "sent brochure"});
    expect_json(
        app.post_json(&format!("{path}/follow-ups"), Some(&a1), &call).await,
        201,
    )
    .await;

    // The needs, late too.
    fired(&app, customer_id, "needs_assessment", "deadline").await;
    let needs = json!({"budget_min_fen": 300_000_000i64, "budget_max_fen": 380_000_000i64, "purpose": "own_use"});
    expect_json(app.post_json(&format!("{path}/needs"), Some(&a1), &needs).await, 201).await;

    // The deal up to handover, refused while an inspection issue is open.
    let unit = json!({"project": "River View", "building": "8", "number": "801", "layout": "3BR",
                      "area_sqm": "96.00", "list_price_fen": 480_000_000});
    let unit = expect_json(app.post_json("/api/v1/units", Some(&manager), &unit).await, 201).await;
    let deal = json!({"customer_id": customer, "unit_id": unit["id"], "agreed_price_fen": 470_000_000,
                      "payment_method": "full", "planned_handover_on": "2027-01-31"});
    let deal = expect_json(app.post_json("/api/v1/deals", Some(&a1), &deal).await, 201).await;
    let deal = deal["id"].as_str().expect("id").to_owned();
    let transitions = format!("/api/v1/deals/{deal}/transitions");
    for to in ["subscribed", "contracted", "title_transfer"] {
        expect_json(app.post_json(&transitions, Some(&a1), &json!({"to": to})).await, 200).await;
    }
    // The title transfer is recorded before the deal moves on (办理过户手续).
    let ready = json!({"to": "handover_ready"});
    read.problem(
        &assert_problem(
            app.post_json(&transitions, Some(&a1), &ready).await,
            409,
            "title_not_transferred",
        )
        .await,
    );
    tests::paperwork::prepare_move(&app, &a1, &deal, "handover_ready").await;
    expect_json(app.post_json(&transitions, Some(&a1), &ready).await, 200).await;
    let checklist = list(&app, &format!("/api/v1/deals/{deal}/handover-checklist"), &a1).await;
    for item in checklist["items"].as_array().expect("items") {
        let item = item["item"].as_str().expect("item");
        let path = format!("/api/v1/deals/{deal}/handover-checklist/{item}");
        expect_json(app.put_json(&path, Some(&a1), &json!({"done": true})).await, 200).await;
    }
    let issues = format!("/api/v1/deals/{deal}/inspection-issues");
    let issue = json!({"description": "Cracked tile", "location": "bathroom"});
    let issue = expect_json(app.post_json(&issues, Some(&a1), &issue).await, 201).await;
    let handover = format!("/api/v1/deals/{deal}/handover");
    let receipt = json!({"recipient": "Zhou Wei"});
    read.problem(
        &assert_problem(
            app.post_json(&handover, Some(&a1), &receipt).await,
            409,
            "open_inspection_issues",
        )
        .await,
    );
    let fixed = json!({"status": "resolved", "resolution": "tile replaced"});
    let issue_path = format!("{issues}/{}", issue["id"].as_str().expect("id"));
    expect_json(app.patch_json(&issue_path, Some(&a1), &fixed).await, 200).await;
    expect_json(app.post_json(&handover, Some(&a1), &receipt).await, 201).await;

    // The visit after handover comes late; a complaint waits past its deadline.
    let deal_id = Uuid::parse_str(&deal).expect("uuid");
    fired(&app, deal_id, "visit", "deadline").await;
    let visit = json!({"satisfaction": 5});
    expect_json(
        app.post_json(&format!("/api/v1/deals/{deal}/visits"), Some(&a1), &visit)
            .await,
        201,
    )
    .await;
    let complaint =
        json!({"customer_id": customer, "deal_id": deal, "severity": "major", "summary": "parking card late"});
    let complaint = expect_json(app.post_json("/api/v1/complaints", Some(&a1), &complaint).await, 201).await;
    let complaint_id = Uuid::parse_str(complaint["id"].as_str().expect("id")).expect("uuid");
    fired(&app, complaint_id, "complaint_resolution", "deadline").await;

    read.notifications(&app, "consultant", &a1).await;
    read.notifications(&app, "manager", &manager).await;
    read
}

#[tokio::test]
async fn a_zh_cn_reader_reads_chinese_and_an_en_reader_english_through_a_whole_lead_to_visit_flow() {
    let (zh, en) = tokio::join!(lead_to_visit("zh-CN"), lead_to_visit("en"));

    // The flow produced reminders, breaches and tasks for both readers.
    for kind in ["consultant:sla_reminder", "consultant:visit_task", "manager:sla_breach"] {
        assert!(zh.codes.iter().any(|c| c == kind), "{kind} in {:?}", zh.codes);
    }
    assert!(zh.texts.len() >= 12, "{:?}", zh.texts);
    let chinese: Vec<&String> = zh.texts.iter().filter(|t| !has_han(t)).collect();
    assert!(
        chinese.is_empty(),
        "texts a zh-CN reader got without Chinese: {chinese:?}"
    );
    let english: Vec<&String> = en.texts.iter().filter(|t| has_han(t)).collect();
    assert!(english.is_empty(), "texts an en reader got with Chinese: {english:?}");
    // Codes, pointers and kinds do not depend on the reader.
    assert_eq!(zh.codes, en.codes);
    assert_eq!(zh.texts.len(), en.texts.len());
}
