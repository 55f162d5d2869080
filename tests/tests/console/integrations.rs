//! The console's integration pages: API clients (a secret shown once),
//! webhooks and their delivery log, SLA policies, and the audit log; each
//! change read back through the REST API and found in the audit log with
//! the signed-in user as actor.

use chrono::{DateTime, Utc};
use entities::{
    timers, webhook_attempts,
    webhook_deliveries::{self, DeliveryStatus},
};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::{Value, json};
use tests::{
    ADMIN_EMAIL, ADMIN_PASSWORD, AppOptions, TestApp,
    client::expect_json,
    console::{Console, location},
    org::{PASSWORD, create_role, create_user, list, my_id, org},
    spawn_app, spawn_app_with,
};
use uuid::Uuid;

/// The text of the first `<code class="secret">` of a page.
fn secret_of(html: &str) -> Option<String> {
    let at = html.find("<code class=\"secret\">")? + "<code class=\"secret\">".len();
    html[at..].split('<').next().map(str::to_owned)
}

async fn token_of(app: &TestApp, client_id: &str, secret: &str) -> reqwest::Response {
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", client_id),
        ("client_secret", secret),
    ];
    app.client
        .post(app.url("/api/v1/auth/token"))
        .form(&form)
        .send()
        .await
        .expect("token request")
}

/// The audit entries of `query`, newest first.
async fn audit(app: &TestApp, admin: &str, query: &str) -> Vec<Value> {
    let log = list(app, &format!("/api/v1/audit-log?sort=-created_at&{query}"), admin).await;
    log["items"].as_array().expect("items").clone()
}

#[tokio::test]
async fn an_api_client_created_in_the_console_shows_its_secret_once_and_the_secret_gets_a_token() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let admin_id = my_id(&app, &admin).await;
    let console = Console::sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;

    let created = console
        .post(
            "/console/api-clients",
            &[
                ("name", "Anjuke listings"),
                ("rate_limit_per_minute", "120"),
                ("scope", "customers:read"),
                ("scope", "customers:write"),
            ],
        )
        .await;
    assert_eq!(created.status().as_u16(), 200);
    assert_eq!(
        created.headers().get("cache-control").and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
    let html = created.text().await.expect("page");
    assert!(html.contains("只显示这一次"), "the warning: {html}");
    let secret = secret_of(&html).expect("the secret is on the page");
    assert!(secret.len() >= 32, "{secret}");

    let clients = list(&app, "/api/v1/api-clients", &admin).await;
    let client = clients["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|c| c["name"] == "Anjuke listings")
        .expect("the client is there")
        .clone();
    assert_eq!(client["rate_limit_per_minute"], 120);
    assert_eq!(client["scopes"], json!(["customers:read", "customers:write"]));
    let client_id = client["client_id"].as_str().expect("client_id");
    assert!(html.contains(client_id), "the page names the client: {html}");

    // A second look: the client's page and the list, without the secret.
    let (status, again) = console
        .page(&format!("/console/api-clients/{}", client["id"].as_str().expect("id")))
        .await;
    assert_eq!(status, 200);
    assert!(
        again.contains("Anjuke listings") && again.contains(client_id),
        "{again}"
    );
    assert!(!again.contains(&secret), "never shown again");
    let (_, listing) = console.page("/console/api-clients").await;
    assert!(
        listing.contains("Anjuke listings") && listing.contains("customers:write"),
        "{listing}"
    );
    assert!(!listing.contains(&secret));

    let token = token_of(&app, client_id, &secret).await;
    expect_json(token, 200).await;

    let entries = audit(&app, &admin, "entity=api_client&action=create").await;
    assert_eq!(entries[0]["entity_id"], client["id"]);
    assert_eq!(entries[0]["actor_user_id"].as_str(), Some(admin_id.as_str()));
    assert!(!entries[0].to_string().contains(&secret), "no secret in the log");
}

#[tokio::test]
async fn rotating_a_secret_in_the_console_stops_the_old_one_and_disabling_stops_the_client() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let admin_id = my_id(&app, &admin).await;
    let body = json!({"name": "Fang", "scopes": ["customers:read"]});
    let client = expect_json(app.post_json("/api/v1/api-clients", Some(&admin), &body).await, 201).await;
    let (id, client_id) = (
        client["id"].as_str().expect("id"),
        client["client_id"].as_str().expect("client_id"),
    );
    let old = client["client_secret"].as_str().expect("secret");
    let console = Console::sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;

    let (_, page) = console.page(&format!("/console/api-clients/{id}")).await;
    assert!(
        page.contains("data-confirm=\"更换“Fang”的密钥？"),
        "rotation asks first: {page}"
    );
    let rotated = console.post(&format!("/console/api-clients/{id}/secret"), &[]).await;
    assert_eq!(rotated.status().as_u16(), 200);
    let html = rotated.text().await.expect("page");
    let new = secret_of(&html).expect("the new secret, once");
    assert_ne!(new, old);

    assert_eq!(token_of(&app, client_id, old).await.status().as_u16(), 401);
    expect_json(token_of(&app, client_id, &new).await, 200).await;
    let entries = audit(
        &app,
        &admin,
        &format!("entity=api_client&entity_id={id}&action=rotate_secret"),
    )
    .await;
    assert_eq!(entries[0]["actor_user_id"].as_str(), Some(admin_id.as_str()));

    let disabled = console
        .post(&format!("/console/api-clients/{id}/status"), &[("status", "disabled")])
        .await;
    assert_eq!(disabled.status().as_u16(), 303);
    assert_eq!(location(&disabled), format!("/console/api-clients/{id}"));
    let read = expect_json(app.get(&format!("/api/v1/api-clients/{id}"), Some(&admin)).await, 200).await;
    assert_eq!(read["status"], "disabled");
    assert_eq!(token_of(&app, client_id, &new).await.status().as_u16(), 401);
    let (_, page) = console.page(&format!("/console/api-clients/{id}")).await;
    assert!(page.contains("接口客户端已停用。"), "the flash: {page}");
    assert!(!page.contains(&new), "the secret is not shown again");
}

#[tokio::test]
async fn an_sla_policy_changed_in_the_console_is_a_new_version_in_the_api_audited_with_the_user() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let admin_id = my_id(&app, &admin).await;
    let before = list(&app, "/api/v1/sla-policies/first_response", &admin).await;
    let version = before["items"][0]["version"].as_i64().expect("version");
    let console = Console::sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;

    let (status, policies) = console.page("/console/sla-policies").await;
    assert_eq!(status, 200);
    assert!(
        policies.contains("首次响应") && policies.contains("需求分析"),
        "{policies}"
    );

    let saved = console
        .post(
            "/console/sla-policies/first_response",
            &[
                ("amount", "12"),
                ("unit", "hours"),
                ("warning_percent", "50"),
                ("notify_manager", "on"),
            ],
        )
        .await;
    assert_eq!(saved.status().as_u16(), 303);
    assert_eq!(location(&saved), "/console/sla-policies/first_response");

    let after = list(&app, "/api/v1/sla-policies/first_response", &admin).await;
    let current = &after["items"][0];
    assert_eq!(current["version"].as_i64(), Some(version + 1));
    assert_eq!(current["duration_secs"], 43_200);
    assert_eq!(current["warning_percent"], 50);
    assert_eq!(current["notify_manager"], true);
    assert_eq!(current["reassign"], false, "an unticked box turns it off");
    assert_eq!(current["created_by"].as_str(), Some(admin_id.as_str()));

    let (_, page) = console.page("/console/sla-policies/first_response").await;
    let saved_as = format!("已保存为第 {} 版。", version + 1);
    assert!(page.contains(&saved_as), "the flash: {page}");
    assert!(page.contains("12 小时") && page.contains("时长的 50%"), "{page}");

    let entries = audit(&app, &admin, "entity=sla_policy&entity_id=first_response").await;
    assert_eq!(entries[0]["action"], "update");
    assert_eq!(entries[0]["actor_user_id"].as_str(), Some(admin_id.as_str()));
    assert_eq!(entries[0]["changes"]["duration_secs"]["after"], 43_200);

    // A form read before someone else's change is refused, not applied over it.
    let stale = console
        .post(
            "/console/sla-policies/first_response",
            &[
                ("etag", "\"read-before-the-change\""),
                ("amount", "2"),
                ("unit", "days"),
                ("warning_percent", "50"),
            ],
        )
        .await;
    assert_eq!(stale.status().as_u16(), 412);

    // A value the API refuses is refused here too, and nothing is written.
    let refused = console
        .post(
            "/console/sla-policies/first_response",
            &[("amount", "12"), ("unit", "hours"), ("warning_percent", "120")],
        )
        .await;
    assert_eq!(refused.status().as_u16(), 422);
    let unchanged = list(&app, "/api/v1/sla-policies/first_response", &admin).await;
    assert_eq!(unchanged["items"][0]["version"].as_i64(), Some(version + 1));
}

#[tokio::test]
async fn the_award_rules_page_shows_the_rules_and_a_change_is_the_next_version() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let before = expect_json(app.get("/api/v1/award-rules", Some(&admin)).await, 200).await;
    let version = before["version"].as_i64().expect("version");
    let console = Console::sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let (status, page) = console.page("/console/award-rules").await;
    assert_eq!(status, 200);
    assert!(page.contains(&format!("现行规则：第 {version} 版")), "{page}");

    let saved = console
        .post(
            "/console/award-rules",
            &[
                ("w_units_sold", "0.5"),
                ("w_amount_sold", "0.3"),
                ("w_satisfaction_rate", "0.2"),
                ("w_complaint_rate", "-0.2"),
                ("w_new_leads", "0.1"),
                ("min_units_sold", "2"),
                ("max_complaint_rate", ""),
                ("min_tenure_days", "90"),
                ("tier_first", "1"),
                ("tier_last", "1"),
                ("tier_share", "60"),
                ("tier_first", "2"),
                ("tier_last", "5"),
                ("tier_share", "40"),
                ("tier_first", ""),
                ("tier_last", ""),
                ("tier_share", ""),
                ("bonus_pool_yuan", "50,000"),
            ],
        )
        .await;
    assert_eq!(saved.status().as_u16(), 303);
    let after = expect_json(app.get("/api/v1/award-rules", Some(&admin)).await, 200).await;
    assert_eq!(after["version"].as_i64(), Some(version + 1));
    assert_eq!(after["weights"]["complaint_rate"], -0.2);
    assert_eq!(
        after["eligibility"],
        json!({"min_units_sold": 2, "max_complaint_rate": null, "min_tenure_days": 90})
    );
    assert_eq!(
        after["tiers"],
        json!([{"ranks": [1, 1], "share_percent": 60}, {"ranks": [2, 5], "share_percent": 40}])
    );
    assert_eq!(after["bonus_pool_fen"], 5_000_000);
    let (_, page) = console.page("/console/award-rules").await;
    assert!(page.contains("¥50,000.00") && page.contains("第 2–5 名"), "{page}");
}

#[tokio::test]
async fn the_audit_page_filters_by_actor_and_shows_what_a_change_changed() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let li = create_user(&app, "li.lei@example.com", "consultant", None).await;
    let wang = create_user(&app, "wang@example.com", "consultant", None).await;
    create_user(&app, "ops@example.com", "admin", None).await;
    let ops = app.token("ops@example.com", PASSWORD).await;
    let renamed = app
        .patch_json(&format!("/api/v1/users/{li}"), Some(&admin), &json!({"name": "Li Na"}))
        .await;
    expect_json(renamed, 200).await;
    let other = app
        .patch_json(
            &format!("/api/v1/users/{wang}"),
            Some(&ops),
            &json!({"name": "Wang Wu"}),
        )
        .await;
    expect_json(other, 200).await;
    let console = Console::sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;

    let (status, page) = console
        .page("/console/audit?actor=admin%40example.com&entity=user&action=update")
        .await;
    assert_eq!(status, 200);
    assert!(page.contains("<details>"), "entries open to their changes: {page}");
    assert!(
        page.contains("<td class=\"before\">li.lei</td>") && page.contains("<td class=\"after\">Li Na</td>"),
        "before and after of the name: {page}"
    );
    assert!(
        !page.contains("Wang Wu"),
        "another actor's change is filtered out: {page}"
    );
    assert!(!page.contains("<code>email</code>"), "only the changed fields: {page}");
    assert!(page.contains(&li.to_string()), "the entity's id: {page}");

    let (_, theirs) = console.page("/console/audit?actor=ops%40example.com").await;
    assert!(theirs.contains("Wang Wu") && !theirs.contains("Li Na"), "{theirs}");

    // Days in the business time zone: today holds the changes, tomorrow nothing.
    let today = Utc::now().with_timezone(&chrono_tz::Asia::Shanghai).date_naive();
    let tomorrow = today.succ_opt().expect("tomorrow");
    let (_, on_today) = console
        .page(&format!("/console/audit?entity=user&from={today}&to={today}"))
        .await;
    assert!(on_today.contains("Li Na"), "{on_today}");
    let (_, later) = console
        .page(&format!("/console/audit?entity=user&from={tomorrow}"))
        .await;
    assert!(
        later.contains("没有符合条件的记录") && !later.contains("Li Na"),
        "{later}"
    );
    let (status, _) = console.page("/console/audit?from=30.11.2026").await;
    assert_eq!(status, 422, "a date that is not one is refused");

    let (_, nobody) = console.page("/console/audit?actor=nobody%40example.com").await;
    assert!(nobody.contains("没有使用此电子邮箱的用户"), "{nobody}");

    console
        .post("/console/language", &[("locale", "en"), ("back", "/console")])
        .await;
    let (_, english) = console
        .page("/console/audit?actor=admin%40example.com&entity=user")
        .await;
    assert!(
        english.contains("Before") && english.contains("After") && english.contains("Li Na"),
        "{english}"
    );
}

#[tokio::test]
async fn the_delivery_log_explains_failures_in_chinese_and_english_and_redelivery_schedules_them_again() {
    // No workers: a delivery scheduled again stays pending to be read back.
    let app = spawn_app_with(AppOptions {
        workers: false,
        ..AppOptions::default()
    })
    .await;
    let admin = app.admin_token().await;
    let admin_id = my_id(&app, &admin).await;
    let body = json!({"name": "Leju", "scopes": ["customers:read"]});
    let client = expect_json(app.post_json("/api/v1/api-clients", Some(&admin), &body).await, 201).await;
    let client_row = client["id"].as_str().expect("id");
    let console = Console::sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;

    // Subscribing in the console shows the signing secret once.
    let created = console
        .post(
            "/console/webhooks",
            &[
                ("client_id", client_row),
                ("url", "http://127.0.0.1:9/hook"),
                ("event", "customer.created"),
                ("event", "deal.stage_changed"),
            ],
        )
        .await;
    assert_eq!(created.status().as_u16(), 200);
    let html = created.text().await.expect("page");
    let secret = secret_of(&html).expect("the signing secret, once");
    let hooks = list(&app, "/api/v1/webhooks", &admin).await;
    let hook = hooks["items"][0].clone();
    assert_eq!(hook["url"], "http://127.0.0.1:9/hook");
    assert_eq!(hook["events"], json!(["customer.created", "deal.stage_changed"]));
    let hook_id = hook["id"].as_str().expect("id").parse::<Uuid>().expect("uuid");

    let rejected = delivery(&app, hook_id, client_row, DeliveryStatus::Failed, "rejected", Some(500)).await;
    let timed_out = delivery(&app, hook_id, client_row, DeliveryStatus::Dead, "timeout", None).await;

    let page_path = format!("/console/webhooks/{hook_id}");
    let (status, zh) = console.page(&page_path).await;
    assert_eq!(status, 200);
    assert!(!zh.contains(&secret), "the secret is not shown again");
    assert!(zh.contains("接收方返回状态 500"), "{zh}");
    assert!(zh.contains("接收方 10 秒内未应答"), "{zh}");
    let (_, dead) = console.page(&format!("{page_path}?status=dead")).await;
    assert!(
        dead.contains("接收方 10 秒内未应答") && !dead.contains("接收方返回状态 500"),
        "{dead}"
    );

    console
        .post("/console/language", &[("locale", "en"), ("back", "/console")])
        .await;
    let (_, en) = console.page(&page_path).await;
    assert!(en.contains("the receiver answered 500"), "{en}");
    assert!(en.contains("the receiver did not answer within 10 s"), "{en}");

    // One delivery again, then a selection.
    let again = console
        .post(&format!("{page_path}/deliveries/{rejected}/redeliver"), &[])
        .await;
    assert_eq!(again.status().as_u16(), 303);
    assert_eq!(location(&again), page_path);
    let read = delivery_of(&app, &admin, hook_id, rejected).await;
    assert_eq!(read["status"], "pending");
    assert!(read["next_attempt_at"].is_string(), "{read}");

    let selected = console
        .post(
            &format!("{page_path}/redeliver"),
            &[("delivery", &timed_out.to_string())],
        )
        .await;
    assert_eq!(selected.status().as_u16(), 303);
    assert_eq!(delivery_of(&app, &admin, hook_id, timed_out).await["status"], "pending");
    let (_, after) = console.page(&page_path).await;
    assert!(after.contains("1 deliveries scheduled again."), "the flash: {after}");

    let entries = audit(&app, &admin, "entity=webhook_delivery&action=redeliver").await;
    assert_eq!(entries.len(), 2);
    assert!(
        entries
            .iter()
            .all(|e| e["actor_user_id"].as_str() == Some(admin_id.as_str()))
    );

    // Disabling the subscription, read back through the API.
    let off = console
        .post(&format!("{page_path}/active"), &[("active", "false")])
        .await;
    assert_eq!(off.status().as_u16(), 303);
    let read = expect_json(app.get(&format!("/api/v1/webhooks/{hook_id}"), Some(&admin)).await, 200).await;
    assert_eq!(read["active"], false);
}

/// A delivery of `webhook` that failed with `code`, written straight to the database.
async fn delivery(
    app: &TestApp,
    webhook: Uuid,
    client: &str,
    status: DeliveryStatus,
    code: &str,
    http: Option<i32>,
) -> Uuid {
    let now = Utc::now();
    webhook_deliveries::ActiveModel {
        id: Set(Uuid::now_v7()),
        webhook_id: Set(webhook),
        client_id: Set(client.parse().expect("client id")),
        event_id: Set(Uuid::now_v7()),
        event: Set("customer.created".to_owned()),
        payload: Set(json!({"customer_id": Uuid::now_v7()})),
        status: Set(status),
        attempts: Set(3),
        last_status_code: Set(http),
        last_error_code: Set(Some(code.to_owned())),
        last_error: Set(None),
        next_attempt_at: Set(None),
        delivered_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&app.db)
    .await
    .expect("delivery")
    .id
}

async fn delivery_of(app: &TestApp, admin: &str, webhook: Uuid, id: Uuid) -> Value {
    let path = format!("/api/v1/webhooks/{webhook}/deliveries/{id}");
    expect_json(app.get(&path, Some(admin)).await, 200).await
}

#[tokio::test]
async fn a_manager_without_these_permissions_gets_the_403_page_and_no_links() {
    let app = spawn_app().await;
    org(&app).await;
    let admin = Console::sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let (_, home) = admin.page("/console").await;
    for link in [
        "/console/api-clients",
        "/console/webhooks",
        "/console/sla-policies",
        "/console/award-rules",
        "/console/audit",
    ] {
        assert!(
            home.contains(&format!("href=\"{link}\"")),
            "{link} for the administrator"
        );
    }

    let manager = Console::sign_in(&app, "manager.a@example.com", PASSWORD).await;
    let refused = manager.get("/console/api-clients").await;
    assert_eq!(refused.status().as_u16(), 403);
    let html = refused.text().await.expect("page");
    assert!(
        html.contains("api_clients:read"),
        "the page says what is missing: {html}"
    );
    assert!(!html.contains("href=\"/console/api-clients\""), "no link: {html}");
    assert!(!html.contains("href=\"/console/audit\""), "no link: {html}");
    let (status, _) = manager.page("/console/audit").await;
    assert_eq!(status, 403);
    let forged = manager.post("/console/api-clients", &[("name", "Sneaky")]).await;
    assert_eq!(forged.status().as_u16(), 403);
    let clients = list(&app, "/api/v1/api-clients", &app.admin_token().await).await;
    assert_eq!(clients["items"], json!([]), "nothing was created");
}

/// A subscription of a new partner to `url`, made through the API; its id and secret.
async fn subscription(app: &TestApp, admin: &str, url: &str) -> (Uuid, String, String) {
    let body = json!({"name": "Leju", "scopes": ["customers:read"]});
    let client = expect_json(app.post_json("/api/v1/api-clients", Some(admin), &body).await, 201).await;
    let client_row = client["id"].as_str().expect("id").to_owned();
    let body = json!({"url": url, "events": ["customer.created"], "client_id": client_row});
    let hook = expect_json(app.post_json("/api/v1/webhooks", Some(admin), &body).await, 201).await;
    let id = hook["id"].as_str().expect("id").parse().expect("uuid");
    let secret = hook["secret"].as_str().expect("the secret, once").to_owned();
    (id, secret, client_row)
}

/// A user holding only `webhooks:read`, signed in to the console.
async fn webhook_reader(app: &TestApp, admin: &str) -> Console {
    let role = json!({"name": "webhook_reader", "grants": [{"permission": "webhooks:read", "scope": "all"}]});
    expect_json(app.post_json("/api/v1/roles", Some(admin), &role).await, 201).await;
    let user = create_user(app, "hooks.reader@example.com", "consultant", None).await;
    let roles = json!({"roles": ["webhook_reader"]});
    expect_json(
        app.put_json(&format!("/api/v1/users/{user}/roles"), Some(admin), &roles)
            .await,
        200,
    )
    .await;
    Console::sign_in(app, "hooks.reader@example.com", PASSWORD).await
}

#[tokio::test]
async fn a_rotated_signing_secret_is_shown_once_and_signs_the_next_attempt_and_a_deleted_subscription_is_gone() {
    // No workers: the attempt is begun here, as the worker would.
    let app = spawn_app_with(AppOptions {
        workers: false,
        ..AppOptions::default()
    })
    .await;
    let admin = app.admin_token().await;
    let admin_id = my_id(&app, &admin).await;
    let (hook, old, client_row) = subscription(&app, &admin, "http://127.0.0.1:9/hook").await;
    let failed = delivery(&app, hook, &client_row, DeliveryStatus::Failed, "rejected", Some(500)).await;
    let console = Console::sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let page_path = format!("/console/webhooks/{hook}");

    // Someone who may only read sees neither button, and a forged post is refused.
    let reader = webhook_reader(&app, &admin).await;
    let (status, read_only) = reader.page(&page_path).await;
    assert_eq!(status, 200, "{read_only}");
    assert!(
        !read_only.contains(&format!("{page_path}/secret")) && !read_only.contains(&format!("{page_path}/delete")),
        "no rotate or delete without webhooks:write: {read_only}"
    );
    assert_eq!(
        reader.post(&format!("{page_path}/secret"), &[]).await.status().as_u16(),
        403
    );
    assert_eq!(
        reader.post(&format!("{page_path}/delete"), &[]).await.status().as_u16(),
        403
    );

    let (_, page) = console.page(&page_path).await;
    assert!(
        page.contains("data-confirm=\"更换此订阅的签名密钥？"),
        "rotation asks first: {page}"
    );
    assert!(
        page.contains("data-confirm=\"删除此订阅及其全部投递记录？"),
        "deletion asks first: {page}"
    );
    let forged = console
        .post_raw(&format!("{page_path}/secret"), &[("csrf", "forged")])
        .await;
    assert_eq!(forged.status().as_u16(), 403, "no rotation without the CSRF token");

    let rotated = console.post(&format!("{page_path}/secret"), &[]).await;
    assert_eq!(rotated.status().as_u16(), 200);
    assert_eq!(
        rotated.headers().get("cache-control").and_then(|v| v.to_str().ok()),
        Some("no-store")
    );
    let html = rotated.text().await.expect("page");
    assert!(html.contains("已更换签名密钥"), "the notice: {html}");
    let new = secret_of(&html).expect("the new secret, once");
    assert_ne!(new, old);
    let (_, again) = console.page(&page_path).await;
    assert!(!again.contains(&new), "the secret is not shown again");

    // The next attempt is signed with the new secret, never the old one.
    let resent = console
        .post(&format!("{page_path}/deliveries/{failed}/redeliver"), &[])
        .await;
    assert_eq!(resent.status().as_u16(), 303);
    let timer = timers::Entity::find()
        .filter(timers::Column::SubjectId.eq(failed))
        .filter(timers::Column::State.eq(timers::TimerState::Pending))
        .one(&app.db)
        .await
        .expect("query")
        .expect("the attempt is scheduled");
    let attempt = domain::outbox::webhooks::deliveries::begin_attempt(&app.db, timer.id, "test", 1)
        .await
        .expect("attempt")
        .expect("something to send");
    assert_eq!(attempt.secret, new);
    assert_ne!(attempt.secret, old);

    let entries = audit(
        &app,
        &admin,
        &format!("entity=webhook&entity_id={hook}&action=rotate_secret"),
    )
    .await;
    assert_eq!(entries[0]["actor_user_id"].as_str(), Some(admin_id.as_str()));
    assert!(!entries[0].to_string().contains(&new), "no secret in the log");

    let deleted = console.post(&format!("{page_path}/delete"), &[]).await;
    assert_eq!(deleted.status().as_u16(), 303);
    assert_eq!(location(&deleted), "/console/webhooks");
    let (_, listing) = console.page("/console/webhooks").await;
    assert!(listing.contains("订阅已删除。"), "the flash: {listing}");
    assert!(!listing.contains(&page_path), "gone from the list: {listing}");
    let gone = app.get(&format!("/api/v1/webhooks/{hook}"), Some(&admin)).await;
    assert_eq!(gone.status().as_u16(), 404);
    let (status, _) = console.page(&page_path).await;
    assert_eq!(status, 404);
    let entries = audit(&app, &admin, &format!("entity=webhook&entity_id={hook}&action=delete")).await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["actor_user_id"].as_str(), Some(admin_id.as_str()));
}

#[tokio::test]
async fn a_deliverys_page_lists_every_attempt_in_beijing_time_in_the_readers_language_and_sends_it_again() {
    let app = spawn_app_with(AppOptions {
        workers: false,
        ..AppOptions::default()
    })
    .await;
    let admin = app.admin_token().await;
    let (hook, _, client_row) = subscription(&app, &admin, "http://127.0.0.1:9/hook").await;
    let id = delivery(&app, hook, &client_row, DeliveryStatus::Failed, "rejected", Some(503)).await;
    // 2026-11-30 01:02:03 UTC is 09:02:03 in Beijing.
    let first: DateTime<Utc> = "2026-11-30T01:02:03Z".parse().expect("instant");
    attempt(&app, id, 1, first, None, Some("timeout"), None, 10_000).await;
    attempt(
        &app,
        id,
        2,
        first + chrono::Duration::minutes(1),
        Some(503),
        Some("rejected"),
        Some("Service Unavailable: try later"),
        1_234,
    )
    .await;
    let console = Console::sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let page_path = format!("/console/webhooks/{hook}/deliveries/{id}");

    let (_, log) = console.page(&format!("/console/webhooks/{hook}")).await;
    assert!(
        log.contains(&format!("href=\"{page_path}\"")),
        "the log links the delivery: {log}"
    );

    let (status, zh) = console.page(&page_path).await;
    assert_eq!(status, 200, "{zh}");
    let rows = &zh[zh.find("<tbody>").expect("the attempts")..];
    assert!(rows.contains("2026年11月30日 09:02:03"), "Beijing time: {rows}");
    assert!(rows.contains("2026年11月30日 09:03:03"), "{rows}");
    assert!(rows.contains("接收方 10 秒内未应答"), "{rows}");
    assert!(rows.contains("接收方返回状态 503"), "{rows}");
    assert!(rows.contains("1,234 毫秒") && rows.contains("10,000 毫秒"), "{rows}");
    assert!(
        rows.contains("Service Unavailable: try later"),
        "the answer's start: {rows}"
    );
    assert!(
        rows.find("09:02:03").expect("first") < rows.find("09:03:03").expect("second"),
        "oldest first"
    );

    console
        .post("/console/language", &[("locale", "en"), ("back", "/console")])
        .await;
    let (_, en) = console.page(&page_path).await;
    assert!(en.contains("the receiver did not answer within 10 s"), "{en}");
    assert!(
        en.contains("the receiver answered 503") && en.contains("1,234 ms"),
        "{en}"
    );

    let again = console.post(&format!("{page_path}/redeliver?back=delivery"), &[]).await;
    assert_eq!(again.status().as_u16(), 303);
    assert_eq!(location(&again), page_path);
    assert_eq!(delivery_of(&app, &admin, hook, id).await["status"], "pending");
    let (_, after) = console.page(&page_path).await;
    assert!(after.contains("1 deliveries scheduled again."), "the flash: {after}");

    let other = Uuid::now_v7();
    let (status, _) = console
        .page(&format!("/console/webhooks/{hook}/deliveries/{other}"))
        .await;
    assert_eq!(status, 404);
}

/// An attempt of delivery `delivery`, written straight to the database.
#[allow(clippy::too_many_arguments)]
async fn attempt(
    app: &TestApp,
    delivery: Uuid,
    number: i32,
    at: DateTime<Utc>,
    status: Option<i32>,
    code: Option<&str>,
    response: Option<&str>,
    duration_ms: i32,
) {
    webhook_attempts::ActiveModel {
        id: Set(Uuid::now_v7()),
        delivery_id: Set(delivery),
        attempt: Set(number),
        attempted_at: Set(at),
        status_code: Set(status),
        error_code: Set(code.map(str::to_owned)),
        error: Set(None),
        response: Set(response.map(str::to_owned)),
        duration_ms: Set(duration_ms),
    }
    .insert(&app.db)
    .await
    .expect("attempt");
}

#[tokio::test]
async fn an_api_clients_name_permissions_and_rate_limit_are_changed_on_its_page() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let admin_id = my_id(&app, &admin).await;
    let body = json!({"name": "Fang", "scopes": ["customers:read"], "rate_limit_per_minute": 600});
    let client = expect_json(app.post_json("/api/v1/api-clients", Some(&admin), &body).await, 201).await;
    let (id, client_id, secret) = (
        client["id"].as_str().expect("id"),
        client["client_id"].as_str().expect("client_id"),
        client["client_secret"].as_str().expect("secret"),
    );
    let token = expect_json(token_of(&app, client_id, secret).await, 200).await;
    let token = token["access_token"].as_str().expect("token").to_owned();
    assert_eq!(app.get("/api/v1/customers", Some(&token)).await.status().as_u16(), 200);
    let console = Console::sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;

    let (_, page) = console.page(&format!("/console/api-clients/{id}")).await;
    assert!(
        page.contains("name=\"scope\" value=\"customers:read\" checked"),
        "the form shows what the client holds: {page}"
    );
    let saved = console
        .post(
            &format!("/console/api-clients/{id}"),
            &[
                ("name", "Fang listings"),
                ("rate_limit_per_minute", "30"),
                ("scope", "kpis:read"),
            ],
        )
        .await;
    assert_eq!(saved.status().as_u16(), 303);
    assert_eq!(location(&saved), format!("/console/api-clients/{id}"));
    let read = expect_json(app.get(&format!("/api/v1/api-clients/{id}"), Some(&admin)).await, 200).await;
    assert_eq!(read["name"], "Fang listings");
    assert_eq!(read["scopes"], json!(["kpis:read"]));
    assert_eq!(read["rate_limit_per_minute"], 30);
    assert_eq!(
        app.get("/api/v1/customers", Some(&token)).await.status().as_u16(),
        403,
        "the client's next request has the new permissions"
    );
    let (_, page) = console.page(&format!("/console/api-clients/{id}")).await;
    assert!(page.contains("已保存接口客户端。"), "the flash: {page}");
    let entries = audit(&app, &admin, &format!("entity=api_client&entity_id={id}&action=update")).await;
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["actor_user_id"].as_str(), Some(admin_id.as_str()));

    let refused = console
        .post(
            &format!("/console/api-clients/{id}"),
            &[("name", "Fang"), ("rate_limit_per_minute", "0")],
        )
        .await;
    assert_eq!(refused.status().as_u16(), 422);
    let read = expect_json(app.get(&format!("/api/v1/api-clients/{id}"), Some(&admin)).await, 200).await;
    assert_eq!(read["rate_limit_per_minute"], 30, "a refused change changes nothing");
}

#[tokio::test]
async fn without_api_clients_write_the_edit_form_is_hidden_and_a_forged_edit_is_refused() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let body = json!({"name": "Fang", "scopes": ["customers:read"]});
    let client = expect_json(app.post_json("/api/v1/api-clients", Some(&admin), &body).await, 201).await;
    let id = client["id"].as_str().expect("id");
    create_role(&app, "integrations_reader", &[("api_clients:read", "all")]).await;
    create_user(&app, "reader@example.com", "integrations_reader", None).await;
    let reader = Console::sign_in(&app, "reader@example.com", PASSWORD).await;

    let (status, page) = reader.page(&format!("/console/api-clients/{id}")).await;
    assert_eq!(status, 200);
    assert!(page.contains("Fang") && !page.contains("id=\"edit-name\""), "{page}");
    let forged = reader
        .post(
            &format!("/console/api-clients/{id}"),
            &[("name", "Sneaky"), ("scope", "users:write")],
        )
        .await;
    assert_eq!(forged.status().as_u16(), 403);
    let read = expect_json(app.get(&format!("/api/v1/api-clients/{id}"), Some(&admin)).await, 200).await;
    assert_eq!(
        (read["name"].clone(), read["scopes"].clone()),
        (json!("Fang"), json!(["customers:read"]))
    );
}

/// The `last_used_at` of client `id`, read from the database.
async fn last_used(app: &TestApp, id: Uuid) -> Option<chrono::DateTime<Utc>> {
    use sea_orm::EntityTrait;
    entities::api_clients::Entity::find_by_id(id)
        .one(&app.db)
        .await
        .expect("read")
        .expect("the client")
        .last_used_at
}

#[tokio::test]
async fn an_api_clients_last_use_is_written_when_it_gets_a_token_at_most_once_a_minute_and_shown() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let body = json!({"name": "Fang", "scopes": ["customers:read"]});
    let client = expect_json(app.post_json("/api/v1/api-clients", Some(&admin), &body).await, 201).await;
    let id: Uuid = client["id"].as_str().expect("id").parse().expect("uuid");
    let (client_id, secret) = (
        client["client_id"].as_str().expect("client_id"),
        client["client_secret"].as_str().expect("secret"),
    );
    let console = Console::sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let (_, listing) = console.page("/console/api-clients").await;
    assert!(listing.contains("从未使用"), "{listing}");
    assert!(
        !listing.contains("不记录最近使用时间"),
        "the old notice is gone: {listing}"
    );

    expect_json(token_of(&app, client_id, secret).await, 200).await;
    let first = last_used(&app, id).await.expect("written on the first token");
    assert!((Utc::now() - first).num_seconds() < 60, "{first}");
    let token = expect_json(token_of(&app, client_id, secret).await, 200).await;
    let token = token["access_token"].as_str().expect("token");
    assert_eq!(app.get("/api/v1/customers", Some(token)).await.status().as_u16(), 200);
    assert_eq!(
        last_used(&app, id).await,
        Some(first),
        "not written again within the minute, nor by an API request"
    );
    assert_eq!(token_of(&app, client_id, "wrong").await.status().as_u16(), 401);
    assert_eq!(last_used(&app, id).await, Some(first), "a refused secret is no use");

    let shown = first
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .format("%Y年%-m月%-d日 %H:%M:%S")
        .to_string();
    let (_, page) = console.page(&format!("/console/api-clients/{id}")).await;
    assert!(
        page.contains(&shown),
        "the client's page, in the business time zone: {shown} in {page}"
    );
    let (_, listing) = console.page("/console/api-clients").await;
    assert!(listing.contains(&shown) && !listing.contains("从未使用"), "{listing}");

    let stale = Utc::now() - chrono::TimeDelta::minutes(2);
    {
        use sea_orm::{ActiveModelTrait, Set};
        let row = entities::api_clients::ActiveModel {
            id: Set(id),
            last_used_at: Set(Some(stale)),
            ..Default::default()
        };
        row.update(&app.db).await.expect("age the last use");
    }
    expect_json(token_of(&app, client_id, secret).await, 200).await;
    let again = last_used(&app, id).await.expect("written again");
    assert!(again > stale + chrono::TimeDelta::minutes(1), "{again} after {stale}");
}
