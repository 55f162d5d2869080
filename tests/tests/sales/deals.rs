//! Deals: the stage machine behind the API, the unit race, scopes, bad
//! input, preconditions and idempotent creation.

use entities::timeline_entries::TimelineKind;
use serde_json::{Value, json};
use tests::{TestApp, assert_problem, client::expect_json, org::values, spawn_app};

use crate::{
    PASSWORD, advance, complete_checklist, create_user, customer_status, get_json, id_of, ids, move_deal, new_customer,
    new_deal, new_unit, patch_if_match, staff, timeline, timeline_kinds,
};

async fn unit_status(app: &TestApp, token: &str, unit: &str) -> Value {
    get_json(app, &format!("/api/v1/units/{unit}"), token).await["status"].clone()
}

#[tokio::test]
async fn a_mortgaged_deal_goes_through_every_stage_and_the_unit_and_customer_follow() {
    let app = spawn_app().await;
    let staff = staff(&app).await;
    let customer = new_customer(&app, &staff.a1, "王先生").await;
    let unit = new_unit(&app, &staff.manager, "1502").await;
    let deal = new_deal(&app, &staff.a1, &customer, &unit, "mortgage").await;
    let id = id_of(&deal);
    assert_eq!(deal["stage"], "negotiating");
    assert_eq!(deal["consultant_id"], staff.org.consultant_a1.to_string());
    assert_eq!(deal["team_id"], staff.org.team_a.to_string());
    assert_eq!(deal["next_stages"], json!(["subscribed", "cancelled"]));
    assert_eq!(customer_status(&app, &customer).await, "negotiating");
    assert_eq!(unit_status(&app, &staff.a1, &unit).await, "available");

    let steps = [
        ("subscribed", "subscribed", "subscribed"),
        ("contracted", "sold", "contracted"),
        ("loan_processing", "sold", "contracted"),
        ("title_transfer", "sold", "contracted"),
        ("handover_ready", "sold", "contracted"),
        ("handed_over", "sold", "handed_over"),
        ("closed", "sold", "handed_over"),
    ];
    for (stage, unit_now, customer_now) in steps {
        if stage == "handed_over" {
            complete_checklist(&app, &staff.a1, &id).await;
        }
        let moved = advance(&app, &staff.a1, &id, &[stage]).await;
        assert_eq!(unit_status(&app, &staff.a1, &unit).await, unit_now, "{stage}");
        assert_eq!(customer_status(&app, &customer).await, customer_now, "{stage}");
        if stage == "closed" {
            for stamp in ["subscribed_at", "contracted_at", "handed_over_at", "closed_at"] {
                assert!(moved[stamp].is_string(), "{stamp}: {moved}");
            }
            assert!(moved["cancelled_at"].is_null());
            assert_eq!(moved["next_stages"], json!([]));
        }
    }
    let entries = timeline(&app, &customer).await;
    let deal_entries: Vec<_> = entries
        .iter()
        .filter(|e| matches!(e.kind, TimelineKind::DealCreated | TimelineKind::DealStageChanged))
        .collect();
    assert_eq!(deal_entries.len(), 8);
    assert_eq!(deal_entries[0].kind, TimelineKind::DealCreated);
    let moves: Vec<(String, String)> = deal_entries[1..]
        .iter()
        .map(|e| {
            assert_eq!(e.data["deal_id"], id.as_str());
            assert_eq!(e.data["unit_id"], unit.as_str());
            assert_eq!(e.data["agreed_price_fen"], 350_000_000);
            (
                e.data["from"].as_str().unwrap_or("").to_owned(),
                e.data["to"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect();
    assert_eq!(moves[0], ("negotiating".to_owned(), "subscribed".to_owned()));
    assert_eq!(moves[6], ("handed_over".to_owned(), "closed".to_owned()));
    let admin = app.admin_token().await;
    // The creation and the seven moves; the loan and the title transfer the
    // moves needed are audited on the deal too.
    let log = get_json(&app, &format!("/api/v1/audit-log?entity=deal&entity_id={id}"), &admin).await;
    let actions = values(&log, "action");
    assert_eq!(actions.iter().filter(|a| *a == "transition").count(), 7, "{actions:?}");
    assert_eq!(actions.iter().filter(|a| *a == "create").count(), 1, "{actions:?}");
    assert_eq!(actions.len(), 10, "{actions:?}");
    let path = format!("/api/v1/audit-log?entity=customer&entity_id={customer}&action=update");
    let log = get_json(&app, &path, &admin).await;
    let statuses: Vec<&str> = log["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|e| e["changes"]["status"]["after"].as_str())
        .collect();
    assert_eq!(statuses, ["negotiating", "subscribed", "contracted", "handed_over"]);
}

#[tokio::test]
async fn a_full_payment_skips_the_loan_stage_and_may_not_enter_it() {
    let app = spawn_app().await;
    let staff = staff(&app).await;
    let customer = new_customer(&app, &staff.a1, "李女士").await;
    let unit = new_unit(&app, &staff.manager, "0801").await;
    let id = id_of(&new_deal(&app, &staff.a1, &customer, &unit, "full").await);
    let contracted = advance(&app, &staff.a1, &id, &["subscribed", "contracted"]).await;
    assert_eq!(contracted["next_stages"], json!(["title_transfer", "cancelled"]));
    let problem = assert_problem(
        move_deal(&app, &staff.a1, &id, "loan_processing").await,
        409,
        "illegal_transition",
    )
    .await;
    assert_eq!(problem["allowed"], json!(["title_transfer", "cancelled"]));
    advance(&app, &staff.a1, &id, &["title_transfer", "handover_ready"]).await;
    complete_checklist(&app, &staff.a1, &id).await;
    let done = advance(&app, &staff.a1, &id, &["handed_over", "closed"]).await;
    assert_eq!(done["stage"], "closed");
    assert_eq!(customer_status(&app, &customer).await, "handed_over");
}

#[tokio::test]
async fn illegal_moves_are_409_with_the_allowed_moves_and_leave_the_deal_unchanged() {
    let app = spawn_app().await;
    let staff = staff(&app).await;
    let customer = new_customer(&app, &staff.a1, "王先生").await;
    let unit = new_unit(&app, &staff.manager, "1502").await;
    let id = id_of(&new_deal(&app, &staff.a1, &customer, &unit, "mortgage").await);
    let path = format!("/api/v1/deals/{id}");
    let before = get_json(&app, &path, &staff.a1).await;
    for (to, allowed) in [
        ("contracted", json!(["subscribed", "cancelled"])),
        ("handed_over", json!(["subscribed", "cancelled"])),
        ("negotiating", json!(["subscribed", "cancelled"])),
    ] {
        let problem = assert_problem(move_deal(&app, &staff.a1, &id, to).await, 409, "illegal_transition").await;
        assert_eq!(problem["allowed"], allowed, "{to}");
    }
    assert_eq!(get_json(&app, &path, &staff.a1).await, before);
    assert_eq!(unit_status(&app, &staff.a1, &unit).await, "available");

    advance(&app, &staff.a1, &id, &["subscribed"]).await;
    let subscribed = get_json(&app, &path, &staff.a1).await;
    let problem = assert_problem(
        move_deal(&app, &staff.a1, &id, "title_transfer").await,
        409,
        "illegal_transition",
    )
    .await;
    assert_eq!(problem["allowed"], json!(["contracted", "cancelled"]));
    assert_eq!(get_json(&app, &path, &staff.a1).await, subscribed);
    assert_eq!(unit_status(&app, &staff.a1, &unit).await, "subscribed");
    let moves = timeline_kinds(&app, &customer)
        .await
        .iter()
        .filter(|k| *k == "deal_stage_changed")
        .count();
    assert_eq!(moves, 1);

    // A finished deal allows nothing.
    let cancel = json!({"to": "cancelled", "reason": "客户资金不足"});
    expect_json(
        app.post_json(&format!("{path}/transitions"), Some(&staff.a1), &cancel)
            .await,
        200,
    )
    .await;
    let problem = assert_problem(
        move_deal(&app, &staff.a1, &id, "subscribed").await,
        409,
        "illegal_transition",
    )
    .await;
    assert_eq!(problem["allowed"], json!([]));
}

#[tokio::test]
async fn of_two_deals_racing_for_one_unit_exactly_one_subscribes() {
    let app = spawn_app().await;
    let staff = staff(&app).await;
    let first_customer = new_customer(&app, &staff.a1, "王先生").await;
    let second_customer = new_customer(&app, &staff.a1, "李女士").await;
    for round in 0..4 {
        let unit = new_unit(&app, &staff.manager, &format!("race-{round}")).await;
        let first = id_of(&new_deal(&app, &staff.a1, &first_customer, &unit, "full").await);
        let second = id_of(&new_deal(&app, &staff.a1, &second_customer, &unit, "mortgage").await);
        let (a, b) = tokio::join!(
            move_deal(&app, &staff.a1, &first, "subscribed"),
            move_deal(&app, &staff.a1, &second, "subscribed")
        );
        let mut statuses = [a.status().as_u16(), b.status().as_u16()];
        let (winner, loser, lost) = if statuses[0] == 200 {
            (first, second, b)
        } else {
            (second, first, a)
        };
        statuses.sort_unstable();
        assert_eq!(statuses, [200, 409], "round {round}");
        assert_problem(lost, 409, "unit_unavailable").await;
        assert_eq!(unit_status(&app, &staff.a1, &unit).await, "subscribed");
        let deal = |id: String| format!("/api/v1/deals/{id}");
        assert_eq!(get_json(&app, &deal(winner), &staff.a1).await["stage"], "subscribed");
        let lost_deal = get_json(&app, &deal(loser), &staff.a1).await;
        assert_eq!(lost_deal["stage"], "negotiating");
        assert!(lost_deal["subscribed_at"].is_null());
        // The losing deal is cancelled so that its customer is free for the next round.
        let cancel = json!({"to": "cancelled", "reason": "房源已被认购"});
        let path = format!("/api/v1/deals/{}/transitions", id_of(&lost_deal));
        expect_json(app.post_json(&path, Some(&staff.a1), &cancel).await, 200).await;
        assert_eq!(unit_status(&app, &staff.a1, &unit).await, "subscribed", "round {round}");
    }
}

#[tokio::test]
async fn cancelling_a_subscribed_deal_needs_a_reason_releases_the_unit_and_frees_the_customer() {
    let app = spawn_app().await;
    let staff = staff(&app).await;
    let customer = new_customer(&app, &staff.a1, "王先生").await;
    let unit = new_unit(&app, &staff.manager, "1502").await;
    let id = id_of(&new_deal(&app, &staff.a1, &customer, &unit, "mortgage").await);
    advance(&app, &staff.a1, &id, &["subscribed", "contracted"]).await;
    assert_eq!(unit_status(&app, &staff.a1, &unit).await, "sold");
    assert_eq!(customer_status(&app, &customer).await, "contracted");

    // The unit is the deal's: nobody releases it by hand.
    let problem = assert_problem(
        app.patch_json(
            &format!("/api/v1/units/{unit}"),
            Some(&staff.manager),
            &json!({"status": "available"}),
        )
        .await,
        409,
        "unit_unavailable",
    )
    .await;
    assert!(
        problem["detail"].as_str().is_some_and(|d| d.contains("sold")),
        "{problem}"
    );

    let path = format!("/api/v1/deals/{id}/transitions");
    let problem = assert_problem(
        app.post_json(&path, Some(&staff.a1), &json!({"to": "cancelled"})).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["pointer"], "/reason");
    let cancelled = expect_json(
        app.post_json(
            &path,
            Some(&staff.a1),
            &json!({"to": "cancelled", "reason": "贷款未获批"}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(cancelled["stage"], "cancelled");
    assert_eq!(cancelled["cancel_reason"], "贷款未获批");
    assert!(cancelled["cancelled_at"].is_string());
    assert_eq!(unit_status(&app, &staff.a1, &unit).await, "available");
    assert_eq!(customer_status(&app, &customer).await, "active");

    // Another customer can now take the unit; the first stays active while a live deal of theirs goes on.
    let other = new_customer(&app, &staff.a1, "李女士").await;
    let next = id_of(&new_deal(&app, &staff.a1, &other, &unit, "full").await);
    advance(&app, &staff.a1, &next, &["subscribed"]).await;
    assert_eq!(unit_status(&app, &staff.a1, &unit).await, "subscribed");
    let second_unit = new_unit(&app, &staff.manager, "1503").await;
    let again = id_of(&new_deal(&app, &staff.a1, &customer, &second_unit, "full").await);
    advance(&app, &staff.a1, &again, &["subscribed"]).await;
    let third_unit = new_unit(&app, &staff.manager, "1504").await;
    let spare = id_of(&new_deal(&app, &staff.a1, &customer, &third_unit, "full").await);
    let cancel = json!({"to": "cancelled", "reason": "只买一套"});
    expect_json(
        app.post_json(&format!("/api/v1/deals/{spare}/transitions"), Some(&staff.a1), &cancel)
            .await,
        200,
    )
    .await;
    assert_eq!(customer_status(&app, &customer).await, "subscribed");
    // A negotiating deal never held its unit: cancelling it leaves the unit alone.
    assert_eq!(unit_status(&app, &staff.a1, &third_unit).await, "available");
}

#[tokio::test]
async fn a_deal_changes_with_the_current_etag_only_and_not_once_finished() {
    let app = spawn_app().await;
    let staff = staff(&app).await;
    let customer = new_customer(&app, &staff.a1, "王先生").await;
    let unit = new_unit(&app, &staff.manager, "1502").await;
    let id = id_of(&new_deal(&app, &staff.a1, &customer, &unit, "mortgage").await);
    let support = create_user(&app, "support@example.com", "support", None).await;
    let path = format!("/api/v1/deals/{id}");
    let response = app.get(&path, Some(&staff.a1)).await;
    let etag = response.headers()["etag"].to_str().expect("ascii").to_owned();
    let change = json!({"agreed_price_fen": 348_000_000, "payment_method": "provident_fund",
                        "planned_handover_on": "2027-09-30", "support_id": support});
    let response = patch_if_match(&app, &path, &staff.a1, &etag, &change).await;
    assert_ne!(response.headers()["etag"].to_str().expect("ascii"), etag);
    let changed = expect_json(response, 200).await;
    assert_eq!(changed["agreed_price_fen"], 348_000_000);
    assert_eq!(changed["payment_method"], "provident_fund");
    assert_eq!(changed["planned_handover_on"], "2027-09-30");
    assert_eq!(changed["support_id"], support.to_string());

    let stale = json!({"agreed_price_fen": 1});
    assert_problem(
        patch_if_match(&app, &path, &staff.a1, &etag, &stale).await,
        412,
        "precondition_failed",
    )
    .await;
    assert_eq!(get_json(&app, &path, &staff.a1).await, changed);

    // Support is on the deal now: the support user sees it, and loses it when support is removed.
    let support_token = app.token("support@example.com", PASSWORD).await;
    assert_eq!(get_json(&app, &path, &support_token).await["id"], id.as_str());
    expect_json(
        app.patch_json(&path, Some(&staff.a1), &json!({"support_id": null}))
            .await,
        200,
    )
    .await;
    assert_problem(app.get(&path, Some(&support_token)).await, 404, "not_found").await;

    let cancel = json!({"to": "cancelled", "reason": "客户放弃"});
    expect_json(
        app.post_json(&format!("{path}/transitions"), Some(&staff.a1), &cancel)
            .await,
        200,
    )
    .await;
    assert_problem(app.patch_json(&path, Some(&staff.a1), &stale).await, 409, "conflict").await;
}

#[tokio::test]
async fn a_consultant_cannot_see_another_consultants_deal_while_the_manager_and_director_can() {
    let app = spawn_app().await;
    let staff = staff(&app).await;
    let customer = new_customer(&app, &staff.a2, "王先生").await;
    let unit = new_unit(&app, &staff.manager, "1502").await;
    let id = id_of(&new_deal(&app, &staff.a2, &customer, &unit, "full").await);
    let path = format!("/api/v1/deals/{id}");

    for other in [&staff.a1, &staff.b1] {
        assert_problem(app.get(&path, Some(other)).await, 404, "not_found").await;
        assert!(ids(&get_json(&app, "/api/v1/deals", other).await).is_empty());
        assert_problem(move_deal(&app, other, &id, "subscribed").await, 404, "not_found").await;
        assert_problem(
            app.patch_json(&path, Some(other), &json!({"agreed_price_fen": 1}))
                .await,
            404,
            "not_found",
        )
        .await;
        assert_problem(app.get(&format!("{path}/visits"), Some(other)).await, 404, "not_found").await;
    }
    assert_eq!(get_json(&app, &path, &staff.manager).await["id"], id.as_str());
    assert_eq!(
        ids(&get_json(&app, "/api/v1/deals", &staff.manager).await),
        std::slice::from_ref(&id)
    );
    assert_eq!(get_json(&app, &path, &staff.director).await["id"], id.as_str());
    assert_eq!(
        ids(&get_json(&app, "/api/v1/deals?stage=negotiating", &staff.director).await),
        std::slice::from_ref(&id)
    );
    assert!(ids(&get_json(&app, "/api/v1/deals?stage=closed", &staff.director).await).is_empty());
    let by_team = format!(
        "/api/v1/deals?team_id={}&consultant_id={}",
        staff.org.team_a, staff.org.consultant_a2
    );
    assert_eq!(
        ids(&get_json(&app, &by_team, &staff.director).await),
        std::slice::from_ref(&id)
    );
    let by_customer = format!("/api/v1/deals?customer_id={customer}&unit_id={unit}");
    assert_eq!(
        ids(&get_json(&app, &by_customer, &staff.a2).await),
        std::slice::from_ref(&id)
    );
    // The manager works the team's deals; the director only reads them.
    advance(&app, &staff.manager, &id, &["subscribed"]).await;
    assert_problem(
        move_deal(&app, &staff.director, &id, "contracted").await,
        403,
        "forbidden",
    )
    .await;
    assert_eq!(get_json(&app, &path, &staff.a2).await["stage"], "subscribed");
}

#[tokio::test]
async fn a_deal_for_a_customer_outside_the_callers_reach_is_refused_on_customer_id() {
    let app = spawn_app().await;
    let staff = staff(&app).await;
    let customer = new_customer(&app, &staff.a2, "王先生").await;
    let unit = new_unit(&app, &staff.manager, "1502").await;
    let body = json!({"customer_id": customer, "unit_id": unit, "agreed_price_fen": 1,
                      "payment_method": "full", "planned_handover_on": "2027-06-30"});
    let problem = assert_problem(
        app.post_json("/api/v1/deals", Some(&staff.a1), &body).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["pointer"], "/customer_id");
    // A manager may not hand the team's customer to another team's consultant.
    let mut body = body;
    body["consultant_id"] = json!(staff.org.consultant_b);
    let problem = assert_problem(
        app.post_json("/api/v1/deals", Some(&staff.manager), &body).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["pointer"], "/consultant_id");
    assert!(ids(&get_json(&app, "/api/v1/deals", &staff.director).await).is_empty());
}

#[tokio::test]
async fn bad_deal_input_is_refused_with_a_documented_code_and_nothing_is_created() {
    let app = spawn_app().await;
    let staff = staff(&app).await;
    let customer = new_customer(&app, &staff.a1, "王先生").await;
    let unit = new_unit(&app, &staff.manager, "1502").await;
    let valid = json!({"customer_id": customer, "unit_id": unit, "agreed_price_fen": 350_000_000,
                       "payment_method": "mortgage", "planned_handover_on": "2027-06-30"});
    let cases = [
        ("customer_id", json!("not-a-uuid"), "/customer_id"),
        ("unit_id", json!(42), "/unit_id"),
        ("unit_id", json!(uuid::Uuid::now_v7()), "/unit_id"),
        ("support_id", json!(uuid::Uuid::now_v7()), "/support_id"),
        ("planned_handover_on", json!("30/06/2027"), "/planned_handover_on"),
        ("planned_handover_on", json!("2027-02-30"), "/planned_handover_on"),
        ("agreed_price_fen", json!(-1), "/agreed_price_fen"),
        ("agreed_price_fen", json!(0), "/agreed_price_fen"),
        ("agreed_price_fen", json!(3.5), "/agreed_price_fen"),
        ("agreed_price_fen", json!("350000000"), "/agreed_price_fen"),
        ("payment_method", json!("cash"), "/payment_method"),
        ("stage", json!("subscribed"), ""),
    ];
    for (field, value, pointer) in cases {
        let mut body = valid.clone();
        body[field] = value.clone();
        let problem = assert_problem(
            app.post_json("/api/v1/deals", Some(&staff.a1), &body).await,
            422,
            "validation_failed",
        )
        .await;
        let found = problem["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .any(|e| e["pointer"].as_str().is_some_and(|p| p.starts_with(pointer)));
        assert!(found, "{field}={value}: {problem}");
    }
    let mut missing = valid.clone();
    missing.as_object_mut().expect("object").remove("agreed_price_fen");
    assert_problem(
        app.post_json("/api/v1/deals", Some(&staff.a1), &missing).await,
        422,
        "validation_failed",
    )
    .await;
    let malformed = app
        .client
        .post(app.url("/api/v1/deals"))
        .bearer_auth(&staff.a1)
        .header("content-type", "application/json")
        .body("{\"customer_id\":")
        .send()
        .await
        .expect("request");
    assert_problem(malformed, 400, "malformed_json").await;
    assert!(ids(&get_json(&app, "/api/v1/deals", &staff.a1).await).is_empty());
    assert_eq!(customer_status(&app, &customer).await, "new");

    // Transitions: an unknown stage, a time in the future, a bad time, an unknown field.
    let id = id_of(&new_deal(&app, &staff.a1, &customer, &unit, "mortgage").await);
    let path = format!("/api/v1/deals/{id}/transitions");
    let future = (chrono::Utc::now() + chrono::Duration::days(1)).to_rfc3339();
    for (body, pointer) in [
        (json!({"to": "signed"}), "/to"),
        (json!({"to": 3}), "/to"),
        (json!({"to": "subscribed", "at": future}), "/at"),
        (json!({"to": "subscribed", "at": "yesterday"}), "/at"),
        (json!({"to": "subscribed", "force": true}), ""),
    ] {
        let problem = assert_problem(
            app.post_json(&path, Some(&staff.a1), &body).await,
            422,
            "validation_failed",
        )
        .await;
        assert!(
            problem["errors"][0]["pointer"]
                .as_str()
                .is_some_and(|p| p.starts_with(pointer)),
            "{problem}"
        );
    }
    assert_problem(
        move_deal(&app, &staff.a1, "nope", "subscribed").await,
        400,
        "invalid_path",
    )
    .await;
    assert_problem(
        app.get("/api/v1/deals?stage=signed", Some(&staff.a1)).await,
        422,
        "validation_failed",
    )
    .await;
    assert_problem(
        app.get("/api/v1/deals?customer_id=x", Some(&staff.a1)).await,
        400,
        "invalid_query",
    )
    .await;
    assert_eq!(
        get_json(&app, &format!("/api/v1/deals/{id}"), &staff.a1).await["stage"],
        "negotiating"
    );
    assert_eq!(unit_status(&app, &staff.a1, &unit).await, "available");

    // A move may not be dated before the previous one.
    advance(&app, &staff.a1, &id, &["subscribed"]).await;
    let yesterday = (chrono::Utc::now() - chrono::Duration::days(1)).to_rfc3339();
    let backdated = json!({"to": "contracted", "at": yesterday});
    let problem = assert_problem(
        app.post_json(&path, Some(&staff.a1), &backdated).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["pointer"], "/at");
    assert_eq!(
        get_json(&app, &format!("/api/v1/deals/{id}"), &staff.a1).await["stage"],
        "subscribed"
    );
}

#[tokio::test]
async fn retrying_a_deal_creation_with_the_same_idempotency_key_returns_the_same_deal() {
    let app = spawn_app().await;
    let staff = staff(&app).await;
    let customer = new_customer(&app, &staff.a1, "王先生").await;
    let unit = new_unit(&app, &staff.manager, "1502").await;
    let body = json!({"customer_id": customer, "unit_id": unit, "agreed_price_fen": 350_000_000,
                      "payment_method": "full", "planned_handover_on": "2027-06-30"});
    let post = || async {
        app.client
            .post(app.url("/api/v1/deals"))
            .bearer_auth(&staff.a1)
            .header("idempotency-key", "deal-wang-1502")
            .json(&body)
            .send()
            .await
            .expect("request")
    };
    let first = expect_json(post().await, 201).await;
    let retry = post().await;
    assert_eq!(retry.headers()["idempotency-replayed"], "true");
    assert_eq!(expect_json(retry, 201).await, first);
    assert_eq!(ids(&get_json(&app, "/api/v1/deals", &staff.a1).await), [id_of(&first)]);
    let created = timeline_kinds(&app, &customer)
        .await
        .iter()
        .filter(|k| *k == "deal_created")
        .count();
    assert_eq!(created, 1);
}

#[tokio::test]
async fn support_staff_work_the_deals_they_support_and_no_others() {
    let app = spawn_app().await;
    let staff = staff(&app).await;
    let support = create_user(&app, "support@example.com", "support", None).await;
    let support_token = app.token("support@example.com", PASSWORD).await;
    let customer = new_customer(&app, &staff.a1, "王先生").await;
    let unit = new_unit(&app, &staff.manager, "1502").await;
    let body = json!({"customer_id": customer, "unit_id": unit, "agreed_price_fen": 350_000_000,
                      "payment_method": "mortgage", "planned_handover_on": "2027-06-30", "support_id": support});
    let supported = id_of(&expect_json(app.post_json("/api/v1/deals", Some(&staff.a1), &body).await, 201).await);
    let other_unit = new_unit(&app, &staff.manager, "1503").await;
    let other = id_of(&new_deal(&app, &staff.a1, &customer, &other_unit, "full").await);

    assert_eq!(
        ids(&get_json(&app, "/api/v1/deals", &support_token).await),
        std::slice::from_ref(&supported)
    );
    assert_problem(
        app.get(&format!("/api/v1/deals/{other}"), Some(&support_token)).await,
        404,
        "not_found",
    )
    .await;
    advance(
        &app,
        &support_token,
        &supported,
        &["subscribed", "contracted", "loan_processing"],
    )
    .await;
    // Support cannot open deals for customers it does not reach.
    let problem = assert_problem(
        app.post_json("/api/v1/deals", Some(&support_token), &body).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["pointer"], "/customer_id");
}
