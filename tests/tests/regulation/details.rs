//! Negotiation and after-sales details (issue 12, item 9): each project's
//! selling points and competitors (熟悉产品卖点及市场竞品), each deal's
//! negotiation plan (预设客户异议及应对方案), and the loan and title
//! transfer on the deal (办理贷款及过户手续), which the deal's stages need.

use chrono::{Duration, Utc};
use serde_json::{Value, json};
use tests::{
    TestApp, assert_invalid, assert_problem,
    client::expect_json,
    customers::{new_customer, timeline_kinds},
    org::{PASSWORD, create_user, partner_token, reads_chinese, values},
    paperwork::today,
    spawn_app,
};

use crate::privacy::{Staff, get_json, id_of, staff};

const PROJECT: &str = "滨江花园";
/// The project's name as a path segment.
const PROJECT_PATH: &str = "/api/v1/projects/%E6%BB%A8%E6%B1%9F%E8%8A%B1%E5%9B%AD/brief";
const PRICE: i64 = 351_234_500;

fn brief() -> Value {
    json!({"selling_points": ["地铁2号线步行5分钟", "一线江景"],
           "competitors": [{"competitor": "江畔豪庭", "notes": "相距1.5公里，均价低约8%", "our_advantage": "现房、品牌物业"}]})
}

async fn new_unit(app: &TestApp, s: &Staff, number: &str) -> String {
    let unit = json!({"project": PROJECT, "building": "3", "number": number, "layout": "3室2厅",
                      "area_sqm": "89.50", "list_price_fen": 356_000_000});
    id_of(&expect_json(app.post_json("/api/v1/units", Some(&s.manager), &unit).await, 201).await)
}

/// A deal of a1's for a new walk-in customer on a new unit, paid by
/// `payment`, moved to `stages` at the times given (`None`: now); (customer, deal).
async fn deal(
    app: &TestApp,
    s: &Staff,
    number: &str,
    payment: &str,
    stages: &[(&str, Option<chrono::DateTime<Utc>>)],
) -> (String, String) {
    let customer = new_customer(app, &s.a1, "王先生").await;
    let unit = new_unit(app, s, number).await;
    let body = json!({"customer_id": customer, "unit_id": unit, "agreed_price_fen": PRICE,
                      "payment_method": payment, "planned_handover_on": "2027-06-30"});
    let deal = id_of(&expect_json(app.post_json("/api/v1/deals", Some(&s.a1), &body).await, 201).await);
    for (stage, at) in stages {
        let path = format!("/api/v1/deals/{deal}/transitions");
        let body = match at {
            Some(at) => json!({"to": stage, "at": at}),
            None => json!({"to": stage}),
        };
        expect_json(app.post_json(&path, Some(&s.a1), &body).await, 200).await;
    }
    (customer, deal)
}

async fn put_if_match(app: &TestApp, path: &str, token: &str, etag: &str, body: &Value) -> reqwest::Response {
    app.client
        .put(app.url(path))
        .bearer_auth(token)
        .header("if-match", etag)
        .json(body)
        .send()
        .await
        .expect("request")
}

fn etag(response: &reqwest::Response) -> String {
    response.headers()["etag"].to_str().expect("etag").to_owned()
}

fn details_of(problem: &Value) -> Vec<String> {
    let errors = problem["errors"].as_array().expect("errors");
    errors
        .iter()
        .filter_map(|e| e["detail"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn a_project_brief_is_written_by_a_manager_read_by_every_staff_role_and_versioned() {
    let app = spawn_app().await;
    let s = staff(&app).await;
    // No unit carries the project yet: there is nothing to brief.
    assert_problem(
        app.put_json(PROJECT_PATH, Some(&s.manager), &brief()).await,
        404,
        "not_found",
    )
    .await;
    new_unit(&app, &s, "1502").await;
    assert_problem(app.get(PROJECT_PATH, Some(&s.a1)).await, 404, "not_found").await;

    let written = expect_json(app.put_json(PROJECT_PATH, Some(&s.manager), &brief()).await, 200).await;
    assert_eq!(written["project"], PROJECT);
    assert_eq!(written["version"], 1);
    assert_eq!(written["selling_points"], json!(["地铁2号线步行5分钟", "一线江景"]));
    assert_eq!(written["competitors"][0]["our_advantage"], "现房、品牌物业");
    assert_eq!(written["updated_by"], s.org.manager_a.to_string());

    // Consultants and support staff read it; a consultant does not write it.
    create_user(&app, "support@example.com", "support", None).await;
    let support = app.token("support@example.com", PASSWORD).await;
    for reader in [&s.a1, &support, &s.director] {
        assert_eq!(get_json(&app, PROJECT_PATH, reader).await, written);
    }
    assert_problem(
        app.put_json(PROJECT_PATH, Some(&s.a1), &brief()).await,
        403,
        "forbidden",
    )
    .await;

    // A change against the version read raises it; a stale one is refused.
    let read = app.get(PROJECT_PATH, Some(&s.a1)).await;
    let tag = etag(&read);
    let changed = json!({"selling_points": ["一线江景"], "competitors": []});
    let stale = put_if_match(&app, PROJECT_PATH, &s.director, "\"stale\"", &changed).await;
    assert_problem(stale, 412, "precondition_failed").await;
    let changed = expect_json(put_if_match(&app, PROJECT_PATH, &s.director, &tag, &changed).await, 200).await;
    assert_eq!(changed["version"], 2);
    assert_eq!(changed["competitors"], json!([]));
    assert_eq!(changed["updated_by"], s.org.director.to_string());

    let admin = app.admin_token().await;
    let log = get_json(&app, "/api/v1/audit-log?entity=project_brief", &admin).await;
    assert_eq!(values(&log, "action"), ["create", "update"]);
}

#[tokio::test]
async fn invalid_briefs_are_422_with_a_pointer_per_field_in_the_readers_language_and_change_nothing() {
    let app = spawn_app().await;
    let s = staff(&app).await;
    new_unit(&app, &s, "1502").await;
    let before = expect_json(app.put_json(PROJECT_PATH, Some(&s.manager), &brief()).await, 200).await;
    let points: Vec<String> = (0..31).map(|i| format!("卖点{i}")).collect();
    let bad =
        json!({"selling_points": points, "competitors": [{"competitor": " ", "our_advantage": "x".repeat(1001)}]});
    let problem = assert_invalid(
        app.put_json(PROJECT_PATH, Some(&s.manager), &bad).await,
        &[
            "/selling_points",
            "/competitors/0/competitor",
            "/competitors/0/our_advantage",
        ],
    )
    .await;
    assert_eq!(details_of(&problem)[0], "must have at most 30 items");
    reads_chinese(&app, s.org.manager_a).await;
    let problem = assert_invalid(
        app.put_json(PROJECT_PATH, Some(&s.manager), &bad).await,
        &[
            "/selling_points",
            "/competitors/0/competitor",
            "/competitors/0/our_advantage",
        ],
    )
    .await;
    assert_eq!(details_of(&problem)[0], "最多 30 项");
    assert_eq!(get_json(&app, PROJECT_PATH, &s.a1).await, before);
}

#[tokio::test]
async fn partners_read_no_brief_no_plan_and_no_paperwork_in_their_leads_timeline() {
    let app = spawn_app().await;
    let s = staff(&app).await;
    let admin = app.admin_token().await;
    let partner = partner_token(&app, &admin, "Listing portal").await;
    new_unit(&app, &s, "1502").await;
    expect_json(app.put_json(PROJECT_PATH, Some(&s.manager), &brief()).await, 200).await;
    assert_problem(app.get(PROJECT_PATH, Some(&partner)).await, 403, "forbidden").await;

    // A lead the partner pushed, sold by a1 with a plan, a loan and a transfer.
    let lead = json!({"name": "周先生", "phone": "13600136000", "external_id": "portal-7781"});
    let customer = id_of(&expect_json(app.post_json("/api/v1/customers", Some(&partner), &lead).await, 201).await);
    let assign = json!({"consultant_id": s.org.consultant_a1, "reason": "portal lead"});
    let path = format!("/api/v1/customers/{customer}/assignment");
    expect_json(app.post_json(&path, Some(&s.director), &assign).await, 200).await;
    let unit = new_unit(&app, &s, "1801").await;
    let body = json!({"customer_id": customer, "unit_id": unit, "agreed_price_fen": PRICE,
                      "payment_method": "mortgage", "planned_handover_on": "2027-06-30"});
    let deal = id_of(&expect_json(app.post_json("/api/v1/deals", Some(&s.a1), &body).await, 201).await);
    let plan = json!({"objections": [{"objection": "PRIVATE-OBJECTION", "answer": "PRIVATE-ANSWER"}]});
    let plan_path = format!("/api/v1/deals/{deal}/negotiation-plan");
    expect_json(app.put_json(&plan_path, Some(&s.a1), &plan).await, 200).await;
    for stage in [
        "subscribed",
        "contracted",
        "loan_processing",
        "title_transfer",
        "handover_ready",
    ] {
        tests::paperwork::prepare_move(&app, &s.a1, &deal, stage).await;
        let path = format!("/api/v1/deals/{deal}/transitions");
        expect_json(app.post_json(&path, Some(&s.a1), &json!({"to": stage})).await, 200).await;
    }
    assert_problem(app.get(&plan_path, Some(&partner)).await, 403, "forbidden").await;
    assert_problem(
        app.get(&format!("/api/v1/deals/{deal}"), Some(&partner)).await,
        403,
        "forbidden",
    )
    .await;

    let staff_kinds = timeline_kinds(&app, &s.a1, &customer).await;
    for kind in ["negotiation_plan_updated", "loan_updated", "title_transferred"] {
        assert!(staff_kinds.iter().any(|k| k == kind), "{kind} in {staff_kinds:?}");
    }
    let seen = get_json(&app, &format!("/api/v1/customers/{customer}/timeline"), &partner).await;
    let kinds = values(&seen, "kind");
    assert!(
        kinds
            .iter()
            .all(|k| k != "negotiation_plan_updated" && k != "loan_updated" && k != "title_transferred"),
        "{kinds:?}"
    );
    let text = seen.to_string();
    for private in ["PRIVATE", "中国建设银行", "不动产权", "amount_fen", "certificate"] {
        assert!(!text.contains(private), "{private} in {text}");
    }
}

#[tokio::test]
async fn a_negotiation_plan_is_written_by_the_deals_consultant_and_their_manager_only() {
    let app = spawn_app().await;
    let s = staff(&app).await;
    let (customer, deal) = deal(&app, &s, "1502", "mortgage", &[]).await;
    let path = format!("/api/v1/deals/{deal}/negotiation-plan");
    assert_problem(app.get(&path, Some(&s.a1)).await, 404, "not_found").await;

    let plan = json!({"objections": [{"objection": "价格比江畔豪庭贵", "answer": "现房交付、品牌物业"}],
                      "concession_floor_fen": PRICE - 5_000_000, "notes": "客户重视学区"});
    let written = expect_json(app.put_json(&path, Some(&s.a1), &plan).await, 200).await;
    assert_eq!(written["version"], 1);
    assert_eq!(written["objections"], plan["objections"]);
    assert_eq!(written["concession_floor_fen"], PRICE - 5_000_000);
    assert_eq!(written["updated_by"], s.org.consultant_a1.to_string());
    assert!(
        timeline_kinds(&app, &s.a1, &customer)
            .await
            .iter()
            .any(|k| k == "negotiation_plan_updated")
    );

    // Their manager changes it against the version read.
    let tag = etag(&app.get(&path, Some(&s.manager)).await);
    let revised = json!({"objections": [], "notes": "改为强调通勤"});
    let revised = expect_json(put_if_match(&app, &path, &s.manager, &tag, &revised).await, 200).await;
    assert_eq!(
        (revised["version"].clone(), revised["concession_floor_fen"].clone()),
        (json!(2), Value::Null)
    );
    assert_problem(
        put_if_match(&app, &path, &s.a1, &tag, &plan).await,
        412,
        "precondition_failed",
    )
    .await;

    // Another consultant does not reach the deal; the director reads but does
    // not write; support staff on the deal read it but do not write the plan.
    for other in ["a2@example.com", "b1@example.com"] {
        let token = app.token(other, PASSWORD).await;
        assert_problem(app.get(&path, Some(&token)).await, 404, "not_found").await;
        assert_problem(app.put_json(&path, Some(&token), &plan).await, 404, "not_found").await;
    }
    assert_eq!(get_json(&app, &path, &s.director).await, revised);
    assert_problem(app.put_json(&path, Some(&s.director), &plan).await, 403, "forbidden").await;
    let support = create_user(&app, "support@example.com", "support", None).await;
    let deal_path = format!("/api/v1/deals/{deal}");
    expect_json(
        app.patch_json(&deal_path, Some(&s.a1), &json!({"support_id": support}))
            .await,
        200,
    )
    .await;
    let support = app.token("support@example.com", PASSWORD).await;
    assert_eq!(get_json(&app, &path, &support).await, revised);
    let refused = assert_problem(app.put_json(&path, Some(&support), &plan).await, 403, "forbidden").await;
    assert_eq!(
        refused["detail"],
        "only the deal's consultant or their manager writes its negotiation plan"
    );

    let admin = app.admin_token().await;
    let log = get_json(
        &app,
        &format!("/api/v1/audit-log?entity=negotiation_plan&entity_id={deal}"),
        &admin,
    )
    .await;
    assert_eq!(values(&log, "action"), ["create", "update"]);
}

#[tokio::test]
async fn an_invalid_negotiation_plan_is_422_in_the_readers_language_and_changes_nothing() {
    let app = spawn_app().await;
    let s = staff(&app).await;
    let (_, deal) = deal(&app, &s, "1502", "full", &[]).await;
    let path = format!("/api/v1/deals/{deal}/negotiation-plan");
    let bad = json!({"objections": [{"objection": "", "answer": "现房"}], "concession_floor_fen": PRICE + 1});
    let pointers = ["/objections/0/objection", "/concession_floor_fen"];
    let problem = assert_invalid(app.put_json(&path, Some(&s.a1), &bad).await, &pointers).await;
    assert_eq!(
        details_of(&problem)[1],
        "must not exceed the agreed price of ¥3,512,345.00"
    );
    reads_chinese(&app, s.org.consultant_a1).await;
    let problem = assert_invalid(app.put_json(&path, Some(&s.a1), &bad).await, &pointers).await;
    assert_eq!(details_of(&problem)[1], "不能超过成交价 351.23万元");
    assert_problem(app.get(&path, Some(&s.a1)).await, 404, "not_found").await;
    // A cancelled deal's plan is final.
    let cancel = json!({"to": "cancelled", "reason": "bought elsewhere"});
    expect_json(
        app.post_json(&format!("/api/v1/deals/{deal}/transitions"), Some(&s.a1), &cancel)
            .await,
        200,
    )
    .await;
    let fine = json!({"objections": []});
    assert_problem(app.put_json(&path, Some(&s.a1), &fine).await, 409, "conflict").await;
}

#[tokio::test]
async fn a_loan_is_validated_against_the_deal_and_moves_as_the_bank_answers() {
    let app = spawn_app().await;
    let s = staff(&app).await;
    let subscribed_at = Utc::now() - Duration::days(5);
    let (customer, deal) = deal(&app, &s, "1502", "mortgage", &[("subscribed", Some(subscribed_at))]).await;
    let deal_path = format!("/api/v1/deals/{deal}");
    let path = format!("{deal_path}/loan");
    let before = get_json(&app, &deal_path, &s.a1).await;
    assert_eq!(before["loan"], Value::Null);

    let subscribed_on = subscribed_at.with_timezone(&app.settings.timezone).date_naive();
    let cases = [
        (
            json!({"bank": " ", "amount_fen": 0, "status": "pending"}),
            vec!["/bank", "/amount_fen", "/status"],
        ),
        (
            json!({"bank": "中国建设银行", "amount_fen": PRICE + 1, "status": "approved"}),
            vec!["/approved_on", "/amount_fen"],
        ),
        (
            json!({"bank": "中国建设银行", "amount_fen": 200_000_000, "approved_on": today(&app), "status": "applied"}),
            vec!["/approved_on"],
        ),
        (
            json!({"bank": "中国建设银行", "amount_fen": 200_000_000, "approved_on": subscribed_on - Duration::days(1),
                   "status": "approved"}),
            vec!["/approved_on"],
        ),
        (
            json!({"bank": "中国建设银行", "amount_fen": 200_000_000, "approved_on": today(&app) + Duration::days(2),
                   "status": "approved"}),
            vec!["/approved_on"],
        ),
    ];
    for (body, pointers) in &cases {
        assert_invalid(app.put_json(&path, Some(&s.a1), body).await, pointers).await;
    }
    assert_eq!(get_json(&app, &deal_path, &s.a1).await, before, "nothing changed");
    let problem = assert_invalid(app.put_json(&path, Some(&s.a1), &cases[3].0).await, &["/approved_on"]).await;
    assert_eq!(
        details_of(&problem),
        [format!("must not be before the subscription date, {subscribed_on}")]
    );
    reads_chinese(&app, s.org.consultant_a1).await;
    let problem = assert_invalid(
        app.put_json(&path, Some(&s.a1), &cases[1].0).await,
        &["/approved_on", "/amount_fen"],
    )
    .await;
    assert_eq!(
        details_of(&problem),
        [
            "贷款为已批准（approved）或已放款（disbursed）时必填",
            "不能超过成交价 351.23万元"
        ]
    );

    // Applied, approved, then a rejection is no longer possible; disbursed.
    let applied = json!({"bank": "中国建设银行", "amount_fen": 200_000_000, "status": "applied"});
    let applied = expect_json(app.put_json(&path, Some(&s.a1), &applied).await, 200).await;
    assert_eq!(
        applied["loan"],
        json!({"bank": "中国建设银行", "amount_fen": 200_000_000, "approved_on": null, "status": "applied"})
    );
    let approved =
        json!({"bank": "中国建设银行", "amount_fen": 210_000_000, "approved_on": today(&app), "status": "approved"});
    let approved = expect_json(app.put_json(&path, Some(&s.a1), &approved).await, 200).await;
    assert_eq!(approved["loan"]["status"], "approved");
    assert_eq!(get_json(&app, &deal_path, &s.manager).await["loan"], approved["loan"]);
    let rejected = json!({"bank": "中国建设银行", "amount_fen": 210_000_000, "status": "rejected"});
    let problem = assert_problem(
        app.put_json(&path, Some(&s.a1), &rejected).await,
        409,
        "illegal_transition",
    )
    .await;
    assert_eq!(problem["allowed"], json!(["approved", "disbursed"]));
    let disbursed =
        json!({"bank": "中国建设银行", "amount_fen": 210_000_000, "approved_on": today(&app), "status": "disbursed"});
    expect_json(app.put_json(&path, Some(&s.a1), &disbursed).await, 200).await;

    let kinds = timeline_kinds(&app, &s.a1, &customer).await;
    assert_eq!(kinds.iter().filter(|k| *k == "loan_updated").count(), 3, "{kinds:?}");
    let admin = app.admin_token().await;
    let log = get_json(
        &app,
        &format!("/api/v1/audit-log?entity=deal&entity_id={deal}&action=loan"),
        &admin,
    )
    .await;
    assert_eq!(log["items"].as_array().expect("items").len(), 3);
}

#[tokio::test]
async fn a_loan_is_refused_for_a_deal_paid_in_full_or_not_yet_subscribed() {
    let app = spawn_app().await;
    let s = staff(&app).await;
    let loan = json!({"bank": "招商银行", "amount_fen": 100_000_000, "status": "applied"});
    let (_, full) = deal(&app, &s, "1502", "full", &[("subscribed", None)]).await;
    let problem = assert_problem(
        app.put_json(&format!("/api/v1/deals/{full}/loan"), Some(&s.a1), &loan)
            .await,
        409,
        "loan_not_applicable",
    )
    .await;
    assert_eq!(
        problem["detail"],
        "a deal paid by full has no loan: only mortgage and provident_fund deals record a loan"
    );
    let (_, negotiating) = deal(&app, &s, "1503", "provident_fund", &[]).await;
    let path = format!("/api/v1/deals/{negotiating}/loan");
    assert_problem(app.put_json(&path, Some(&s.a1), &loan).await, 409, "conflict").await;
    assert_eq!(
        get_json(&app, &format!("/api/v1/deals/{full}"), &s.a1).await["loan"],
        Value::Null
    );
}

#[tokio::test]
async fn a_mortgage_deal_leaves_the_loan_stage_only_with_an_approved_loan_and_the_transfer_stage_only_with_the_certificate()
 {
    let app = spawn_app().await;
    let s = staff(&app).await;
    let contracted_at = Utc::now() - Duration::days(4);
    let stages = [
        ("subscribed", Some(contracted_at - Duration::days(1))),
        ("contracted", Some(contracted_at)),
        ("loan_processing", None),
    ];
    let (_, deal) = deal(&app, &s, "1502", "mortgage", &stages).await;
    // Support staff do the paperwork of the deals they work on.
    let support = create_user(&app, "support@example.com", "support", None).await;
    let deal_path = format!("/api/v1/deals/{deal}");
    expect_json(
        app.patch_json(&deal_path, Some(&s.a1), &json!({"support_id": support}))
            .await,
        200,
    )
    .await;
    let support = app.token("support@example.com", PASSWORD).await;
    let transitions = format!("{deal_path}/transitions");
    let to_transfer = json!({"to": "title_transfer"});

    let refused = assert_problem(
        app.post_json(&transitions, Some(&s.a1), &to_transfer).await,
        409,
        "loan_not_approved",
    )
    .await;
    assert!(
        refused["detail"]
            .as_str()
            .is_some_and(|d| d.starts_with("the loan is not approved")),
        "{refused}"
    );
    let transfer = json!({"certificate_number": "沪(2026)浦东新区不动产权第0123456号", "transferred_on": today(&app)});
    let early = app
        .put_json(&format!("{deal_path}/title-transfer"), Some(&support), &transfer)
        .await;
    assert_problem(early, 409, "conflict").await;
    let applied = json!({"bank": "中国建设银行", "amount_fen": 200_000_000, "status": "applied"});
    expect_json(
        app.put_json(&format!("{deal_path}/loan"), Some(&support), &applied)
            .await,
        200,
    )
    .await;
    assert_problem(
        app.post_json(&transitions, Some(&s.a1), &to_transfer).await,
        409,
        "loan_not_approved",
    )
    .await;
    let approved =
        json!({"bank": "中国建设银行", "amount_fen": 200_000_000, "approved_on": today(&app), "status": "approved"});
    expect_json(
        app.put_json(&format!("{deal_path}/loan"), Some(&support), &approved)
            .await,
        200,
    )
    .await;
    expect_json(app.post_json(&transitions, Some(&s.a1), &to_transfer).await, 200).await;

    // The transfer stage needs the new certificate, said in Chinese to a Chinese reader.
    let to_ready = json!({"to": "handover_ready"});
    reads_chinese(&app, s.org.consultant_a1).await;
    let refused = assert_problem(
        app.post_json(&transitions, Some(&s.a1), &to_ready).await,
        409,
        "title_not_transferred",
    )
    .await;
    assert!(
        refused["detail"]
            .as_str()
            .is_some_and(|d| d.starts_with("过户尚未完成")),
        "{refused}"
    );
    let contracted_on = contracted_at.with_timezone(&app.settings.timezone).date_naive();
    let before_contract = json!({"certificate_number": "沪(2026)浦东新区不动产权第0123456号",
                                 "transferred_on": contracted_on - Duration::days(1)});
    let path = format!("{deal_path}/title-transfer");
    let problem = assert_invalid(
        app.put_json(&path, Some(&s.a1), &before_contract).await,
        &["/transferred_on"],
    )
    .await;
    assert_eq!(details_of(&problem), [format!("不能早于签约日期 {contracted_on}")]);
    assert_eq!(get_json(&app, &deal_path, &s.a1).await["title_transfer"], Value::Null);
    let recorded = expect_json(app.put_json(&path, Some(&support), &transfer).await, 200).await;
    assert_eq!(recorded["title_transfer"], transfer);
    let ready = expect_json(app.post_json(&transitions, Some(&s.a1), &to_ready).await, 200).await;
    assert_eq!(ready["stage"], "handover_ready");
    assert_eq!(ready["loan"]["status"], "approved");
    assert_eq!(
        ready["title_transfer"]["certificate_number"],
        "沪(2026)浦东新区不动产权第0123456号"
    );
}

#[tokio::test]
async fn a_deal_waiting_for_its_loan_may_still_be_cancelled() {
    let app = spawn_app().await;
    let s = staff(&app).await;
    let stages = [("subscribed", None), ("contracted", None), ("loan_processing", None)];
    let (_, deal) = deal(&app, &s, "1502", "mortgage", &stages).await;
    let cancel = json!({"to": "cancelled", "reason": "loan refused by every bank"});
    let cancelled = expect_json(
        app.post_json(&format!("/api/v1/deals/{deal}/transitions"), Some(&s.a1), &cancel)
            .await,
        200,
    )
    .await;
    assert_eq!(cancelled["stage"], "cancelled");
}
