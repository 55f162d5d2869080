//! The operations pages beside the queues: timers by kind and due time,
//! periodic runs with "run now", the SLA-breach heat map within the
//! viewer's scope, and system health.

use chrono::{Duration, Utc};
use domain::outbox::timers::{self, NewTimer};
use entities::{sla_breaches, sla_policies::SlaKind};
use sea_orm::{ActiveModelTrait, Set};
use tests::{
    ADMIN_EMAIL, ADMIN_PASSWORD, AppOptions,
    console::{Console, location},
    org::{PASSWORD, list, org},
    spawn_app, spawn_app_with,
};
use uuid::Uuid;

fn deadline(kind: &str, customer: Uuid, due_in: Duration) -> NewTimer {
    NewTimer {
        kind: match kind {
            "first_response" => "first_response",
            _ => "follow_up",
        },
        phase: "due",
        dedupe_key: format!("test:{kind}:{customer}"),
        subject_id: Some(customer),
        customer_id: Some(customer),
        due_at: Utc::now() + due_in,
        policy_version: Some(3),
    }
}

#[tokio::test]
async fn the_timers_page_counts_open_timers_by_kind_and_lists_the_overdue_with_their_customer() {
    // No workers: the timers stay where the test puts them.
    let app = spawn_app_with(AppOptions {
        workers: false,
        ..AppOptions::default()
    })
    .await;
    let (late, soon) = (Uuid::now_v7(), Uuid::now_v7());
    timers::schedule(&app.db, deadline("first_response", late, Duration::minutes(-90)))
        .await
        .expect("an overdue deadline");
    timers::schedule(&app.db, deadline("follow_up", soon, Duration::minutes(20)))
        .await
        .expect("a deadline within the hour");

    let console = Console::sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let (status, page) = console.page("/console/timers").await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("首次响应"), "kinds by their Chinese names: {page}");
    assert!(
        page.contains(&late.to_string()),
        "the overdue one names its customer: {page}"
    );
    assert!(
        !page.contains(&format!("/console/customers/{late}")),
        "no link to a customer page for a viewer without customers:read"
    );
    assert!(
        !page.contains(&soon.to_string()),
        "the default view is the overdue: {page}"
    );
    assert!(page.contains("策略版本"), "{page}");

    let (_, next_hour) = console.page("/console/timers?view=next_hour").await;
    assert!(next_hour.contains(&soon.to_string()) && !next_hour.contains(&late.to_string()));
    let (_, first_responses) = console.page("/console/timers?view=open&kind=follow_up").await;
    assert!(first_responses.contains(&soon.to_string()) && !first_responses.contains(&late.to_string()));
}

#[tokio::test]
async fn running_a_periodic_job_now_is_audited_with_the_operator_as_actor() {
    let app = spawn_app().await;
    let console = Console::sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let (status, page) = console.page("/console/periodic").await;
    assert_eq!(status, 200, "{page}");
    for job in ["kpi_snapshot", "digest_daily", "digest_weekly", "sales_star", "bonuses"] {
        assert!(page.contains(job), "{job} listed: {page}");
    }
    assert!(page.contains("data-confirm"), "run now asks first: {page}");

    let ran = console.post("/console/periodic/kpi_snapshot/run", &[]).await;
    assert_eq!(ran.status().as_u16(), 303);
    assert_eq!(location(&ran), "/console/periodic");
    let (_, after) = console.page("/console/periodic").await;
    assert!(after.contains("已为"), "a flash message says what ran: {after}");

    let admin = app.admin_token().await;
    let entries = list(&app, "/api/v1/audit-log?entity=periodic_job", &admin).await;
    let entry = &entries["items"][0];
    assert_eq!(entry["action"], "run_now", "{entries}");
    assert_eq!(entry["entity_id"], "kpi_snapshot");
    assert!(entry["actor_user_id"].is_string(), "{entry}");

    let unknown = console.post("/console/periodic/no_such_job/run", &[]).await;
    assert_eq!(unknown.status().as_u16(), 404);
}

async fn breach(app: &tests::TestApp, kind: SlaKind, team: Uuid, consultant: Uuid) {
    let now = Utc::now();
    sla_breaches::ActiveModel {
        id: Set(Uuid::now_v7()),
        kind: Set(kind),
        timer_id: Set(Uuid::now_v7()),
        customer_id: Set(Some(Uuid::now_v7())),
        subject_id: Set(None),
        consultant_id: Set(Some(consultant)),
        team_id: Set(Some(team)),
        due_at: Set(now - Duration::days(2)),
        breached_at: Set(now - Duration::days(2)),
        policy_version: Set(Some(1)),
    }
    .insert(&app.db)
    .await
    .expect("breach");
}

/// The number in the heat map's row `team` (its first cells) as text.
fn row_of<'a>(page: &'a str, team: &str) -> &'a str {
    let start = page
        .find(&format!("<th scope=\"row\">{team}</th>"))
        .expect("the team's row");
    let end = page[start..].find("</tr>").expect("row end");
    &page[start..start + end]
}

#[tokio::test]
async fn the_breach_heat_map_counts_by_team_and_kind_within_the_viewers_scope() {
    let app = spawn_app().await;
    let org = org(&app).await;
    for _ in 0..3 {
        breach(&app, SlaKind::FirstResponse, org.team_a, org.consultant_a1).await;
    }
    breach(&app, SlaKind::FollowUp, org.team_a, org.consultant_a2).await;
    breach(&app, SlaKind::FirstResponse, org.team_b, org.consultant_b).await;

    let director = Console::sign_in(&app, "director@example.com", PASSWORD).await;
    let (status, page) = director.page("/console/sla-breaches").await;
    assert_eq!(status, 200, "{page}");
    let a = row_of(&page, "A");
    assert!(
        a.contains(">3</a>") && a.contains(">1</a>") && a.contains(">4</td>"),
        "{a}"
    );
    assert!(row_of(&page, "B").contains(">1</td>"));

    let manager = Console::sign_in(&app, "manager.a@example.com", PASSWORD).await;
    let (_, team_only) = manager.page("/console/sla-breaches").await;
    assert!(team_only.contains("<th scope=\"row\">A</th>"));
    assert!(
        !team_only.contains("<th scope=\"row\">B</th>"),
        "another team's breaches stay hidden: {team_only}"
    );
}

#[tokio::test]
async fn system_health_shows_the_database_queue_and_migrations_up() {
    let app = spawn_app().await;
    let console = Console::sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    console
        .post("/console/language", &[("locale", "en"), ("back", "/console")])
        .await;
    let (status, page) = console.page("/console/health").await;
    assert_eq!(status, 200, "{page}");
    assert!(!page.contains("badge bad"), "everything up: {page}");
    let total = migration::SOURCES.len() - 1; // one source is a module the migrations share
    assert!(
        page.contains(&format!("{total} of {total} applied, latest: m2026")),
        "{page}"
    );
}

#[tokio::test]
async fn a_consultant_neither_sees_nor_opens_the_operations_pages() {
    let app = spawn_app().await;
    org(&app).await;
    let consultant = Console::sign_in(&app, "a1@example.com", PASSWORD).await;
    let (_, home) = consultant.page("/console").await;
    assert!(
        !home.contains("/console/timers") && !home.contains("/console/health"),
        "{home}"
    );
    for path in ["/console/timers", "/console/periodic", "/console/health"] {
        let (status, page) = consultant.page(path).await;
        assert_eq!(status, 403, "{path}: {page}");
        assert!(page.contains("queues:read"), "the refusal names the permission: {page}");
    }
    let forged = consultant.post("/console/periodic/kpi_snapshot/run", &[]).await;
    assert_eq!(forged.status().as_u16(), 403);
}
