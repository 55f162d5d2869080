//! Operations pages beside the queues: the timers (open ones by kind, the
//! overdue and those due within the hour, each with the record it belongs
//! to), the periodic runs (last and next run, "run now"), the heat map of
//! SLA breaches by team and deadline kind, and system health.

use std::{collections::BTreeMap, time::Instant};

use actix_web::{HttpResponse, web};
use chrono::{Duration, Utc};
use domain::{
    engine::periodic::{self, Job},
    outbox::{
        sla::{self, BreachFilter, SlaKind},
        timers::{self, DueWindow, TimerState},
    },
    platform::{page::PageRequest, text::Msg},
};
use maud::{Markup, html};
use serde::Deserialize;
use uuid::Uuid;

use super::{
    done,
    error::ConsoleError,
    html_page,
    layout::{self, Nav},
    session::{Submitted, Viewer},
    ui,
};
use crate::{auth::perm, state::AppState};

/// Most timers one page lists (the counts above it say how many there are).
const TIMER_ROWS: u64 = 200;

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/timers").get(timers_page))
        .service(web::resource("/periodic").get(periodic_page))
        .service(web::resource("/periodic/{job}/run").post(run_now))
        .service(web::resource("/sla-breaches").get(breaches_page))
        .service(web::resource("/health").get(health_page));
}

#[derive(Debug, Deserialize)]
struct TimersQuery {
    view: Option<String>,
    kind: Option<String>,
}

async fn timers_page(
    viewer: Viewer,
    state: web::Data<AppState>,
    query: web::Query<TimersQuery>,
) -> Result<HttpResponse, ConsoleError> {
    viewer.require::<perm::QueuesRead>()?;
    let now = Utc::now();
    let (window, view) = match query.view.as_deref() {
        Some("next_hour") => (DueWindow::NextHour, "next_hour"),
        Some("open") => (DueWindow::Open, "open"),
        _ => (DueWindow::Overdue, "overdue"),
    };
    let kind = query.kind.as_deref().filter(|k| !k.is_empty());
    let by_kind = timers::open_by_kind(&state.db, now).await?;
    let rows = timers::open_due(&state.db, now, window, kind, TIMER_ROWS).await?;
    let t = |m: Msg| viewer.t(m);
    let link = |view: &str, kind: &str| format!("/console/timers{}", ui::query(&[("view", view), ("kind", kind)]));
    let customers = viewer.scope("customers:read").is_some();
    let body = html! {
        h2 { (t(Msg::UiOpsTimersByKind)) }
        @if by_kind.is_empty() {
            p.empty { (t(Msg::UiOpsNoTimers)) }
        } @else {
            div.table-wrap { table {
                thead { tr {
                    th scope="col" { (t(Msg::UiOpsKind)) }
                    th.num scope="col" { (t(Msg::UiOpsOverdue)) }
                    th.num scope="col" { (t(Msg::UiOpsNextHour)) }
                    th.num scope="col" { (t(Msg::UiOpsLater)) }
                } }
                tbody {
                    @for row in &by_kind {
                        tr {
                            th scope="row" { (t(ui::timer_kind(&row.kind))) " " code.muted { (row.kind) } }
                            td.num { a href=(link("overdue", &row.kind)) { (ui::count(row.overdue)) } }
                            td.num { a href=(link("next_hour", &row.kind)) { (ui::count(row.next_hour)) } }
                            td.num { a href=(link("open", &row.kind)) { (ui::count(row.later)) } }
                        }
                    }
                }
            } }
        }
        form.filters method="get" action="/console/timers" {
            label { (t(Msg::UiFilter))
                select name="view" {
                    @for (value, label) in [("overdue", Msg::UiOpsOverdue), ("next_hour", Msg::UiOpsNextHour), ("open", Msg::UiOpsAllOpen)] {
                        option value=(value) selected[value == view] { (t(label)) }
                    }
                }
            }
            label { (t(Msg::UiOpsKind))
                select name="kind" {
                    option value="" { (t(Msg::UiOpsAnyKind)) }
                    @for row in &by_kind {
                        option value=(row.kind) selected[Some(row.kind.as_str()) == kind] { (t(ui::timer_kind(&row.kind))) }
                    }
                }
            }
            button type="submit" { (t(Msg::UiFilter)) }
        }
        @if rows.is_empty() {
            p.empty { (t(Msg::UiOpsNoTimers)) }
        } @else {
            p.muted { (t(Msg::UiOpsShowingFirst { shown: TIMER_ROWS })) }
            div.table-wrap { table {
                thead { tr {
                    th scope="col" { (t(Msg::UiOpsKind)) }
                    th scope="col" { (t(Msg::UiOpsPhase)) }
                    th scope="col" { (t(Msg::UiOpsDueAt)) }
                    th scope="col" { (t(Msg::UiOpsState)) }
                    th.num scope="col" { (t(Msg::UiOpsAttempts)) }
                    th scope="col" { (t(Msg::UiOpsRecord)) }
                    th.num scope="col" { (t(Msg::UiOpsPolicyVersion)) }
                } }
                tbody {
                    @for timer in &rows {
                        tr {
                            td { (t(ui::timer_kind(&timer.kind))) }
                            td { code { (timer.phase) } }
                            td {
                                (ui::time(&viewer, timer.due_at))
                                @if timer.due_at < now { " " span.badge.bad { (t(Msg::UiOpsOverdue)) } }
                            }
                            td { (t(match timer.state { TimerState::Queued => Msg::UiOpsTimerQueued, _ => Msg::UiOpsTimerPending })) }
                            td.num { (timer.attempts) }
                            td { (record(timer.customer_id, timer.subject_id, customers)) }
                            td.num { @if let Some(v) = timer.policy_version { (v) } }
                        }
                    }
                }
            } }
        }
    };
    Ok(html_page(layout::page(
        &viewer,
        Some(Nav::Timers),
        &t(Msg::UiNavTimers),
        body,
    )))
}

/// The record a timer or breach belongs to: its customer's page when the
/// viewer may read customers, else the ids.
fn record(customer: Option<Uuid>, subject: Option<Uuid>, link: bool) -> Markup {
    html! {
        @if let Some(customer) = customer {
            @if link {
                a href={ "/console/customers/" (customer) } { code { (customer) } }
            } @else {
                code { (customer) }
            }
        } @else if let Some(subject) = subject {
            code { (subject) }
        }
    }
}

fn job_name(job: Job) -> Msg {
    match job {
        Job::KpiSnapshot => Msg::UiOpsJobKpiSnapshot,
        Job::DigestDaily => Msg::UiOpsJobDigestDaily,
        Job::DigestWeekly => Msg::UiOpsJobDigestWeekly,
        Job::SalesStar => Msg::UiOpsJobSalesStar,
        Job::Bonuses => Msg::UiOpsJobBonuses,
    }
}

async fn periodic_page(viewer: Viewer, state: web::Data<AppState>) -> Result<HttpResponse, ConsoleError> {
    viewer.require::<perm::QueuesRead>()?;
    let schedules = periodic::schedules(&state.db).await?;
    let can_run = viewer.scope("queues:write").is_some();
    let now = Utc::now();
    let tz = state.settings.timezone;
    let t = |m: Msg| viewer.t(m);
    let body = html! {
        p.muted { (t(Msg::UiOpsPeriodicIntro)) }
        div.table-wrap { table {
            thead { tr {
                th scope="col" { (t(Msg::UiOpsJob)) }
                th scope="col" { (t(Msg::UiOpsLastRun)) }
                th scope="col" { (t(Msg::UiOpsRanBy)) }
                th scope="col" { (t(Msg::UiOpsNextRun)) }
                @if can_run { th scope="col" { (t(Msg::UiActions)) } }
            } }
            tbody {
                @for schedule in &schedules {
                    @let name = t(job_name(schedule.job));
                    tr {
                        th scope="row" { (name) " " code.muted { (schedule.job.name()) } }
                        td {
                            @match &schedule.last {
                                Some(last) => {
                                    (last.label) " · "
                                    @if let Some(at) = last.fired_at { (ui::time(&viewer, at)) }
                                }
                                None => span.muted { (t(Msg::UiOpsNever)) },
                            }
                        }
                        td { @if let Some(by) = schedule.last.as_ref().and_then(|l| l.fired_by.as_deref()) { code { (by) } } }
                        td {
                            @if let Some(label) = &schedule.next_label { (label) " · " }
                            @if let Some(at) = schedule.next_due_at { (ui::time(&viewer, at)) }
                        }
                        @if can_run {
                            td {
                                @let (_, period) = schedule.job.latest(now, tz);
                                @let confirm = t(Msg::UiOpsRunNowConfirm { job: name.clone(), period });
                                (ui::action_button(&viewer, &format!("/console/periodic/{}/run", schedule.job.name()),
                                    &t(Msg::UiOpsRunNow), Some(&confirm), ""))
                            }
                        }
                    }
                }
            }
        } }
    };
    Ok(html_page(layout::page(
        &viewer,
        Some(Nav::Periodic),
        &t(Msg::UiNavPeriodic),
        body,
    )))
}

async fn run_now(
    state: web::Data<AppState>,
    path: web::Path<String>,
    submitted: Submitted<serde::de::IgnoredAny>,
) -> Result<HttpResponse, ConsoleError> {
    let viewer = &submitted.viewer;
    viewer.require::<perm::QueuesWrite>()?;
    let job = Job::from_name(&path).ok_or(crate::error::ApiError::NotFound(Msg::UiNotFound))?;
    let period = periodic::run_now(&state.db, job, Utc::now(), state.settings.timezone, &viewer.audit()).await?;
    let message = Msg::UiOpsRanNow {
        job: viewer.t(job_name(job)),
        period,
    };
    done(&state, viewer, message, "/console/periodic").await
}

#[derive(Debug, Deserialize)]
struct BreachesQuery {
    weeks: Option<u32>,
    team: Option<Uuid>,
    kind: Option<String>,
}

/// Colour steps of the heat map: none, then quarters of the largest count.
fn heat(n: u64, max: u64) -> &'static str {
    match (n, max) {
        (0, _) | (_, 0) => "h0",
        _ if n * 4 <= max => "h1",
        _ if n * 2 <= max => "h2",
        _ if n * 4 <= max * 3 => "h3",
        _ => "h4",
    }
}

async fn breaches_page(
    viewer: Viewer,
    state: web::Data<AppState>,
    query: web::Query<BreachesQuery>,
) -> Result<HttpResponse, ConsoleError> {
    let scope = viewer.require::<perm::SlaBreachesRead>()?;
    let weeks = query.weeks.unwrap_or(8).clamp(1, 52);
    let to = Utc::now();
    let from = to - Duration::weeks(i64::from(weeks));
    let counts = sla::breach_counts(&state.db, &viewer.actor, scope, from, to).await?;
    let filter = BreachFilter {
        kind: query.kind.clone().filter(|k| !k.is_empty()),
        team_id: query.team,
        from: Some(from),
        to: Some(to),
        ..BreachFilter::default()
    };
    let recent = sla::breaches(
        &state.db,
        &viewer.actor,
        scope,
        filter,
        PageRequest::new_sorted(Some(50), None, Some("-created_at"))?,
    )
    .await?;
    // Rows: teams with breaches, by name; columns: the kinds that occur.
    let names = ui::team_names(&state, &viewer).await?;
    let mut kinds: Vec<SlaKind> = counts.iter().map(|(_, kind, _)| *kind).collect();
    kinds.sort_by_key(|k| k.as_str());
    kinds.dedup();
    let mut grid: BTreeMap<(String, Option<Uuid>), BTreeMap<&'static str, u64>> = BTreeMap::new();
    for (team, kind, n) in &counts {
        let name = team
            .and_then(|id| names.get(&id).cloned())
            .unwrap_or_else(|| viewer.t(Msg::UiOpsNoTeam));
        *grid.entry((name, *team)).or_default().entry(kind.as_str()).or_default() += n;
    }
    let max = counts.iter().map(|(.., n)| *n).max().unwrap_or(0);
    let t = |m: Msg| viewer.t(m);
    let customers = viewer.scope("customers:read").is_some();
    let body = html! {
        form.filters method="get" action="/console/sla-breaches" {
            label { (t(Msg::UiOpsWeeks))
                select name="weeks" {
                    @for w in [4u32, 8, 12, 26] { option value=(w) selected[w == weeks] { (w) } }
                }
            }
            button type="submit" { (t(Msg::UiFilter)) }
        }
        h2 { (t(Msg::UiOpsBreachesHeat { weeks })) }
        @if grid.is_empty() {
            p.empty { (t(Msg::UiOpsNoBreaches)) }
        } @else {
            div.table-wrap { table.heat {
                thead { tr {
                    th scope="col" { (t(Msg::UiOpsTeam)) }
                    @for kind in &kinds { th.num scope="col" { (t(sla::what(*kind))) } }
                    th.num scope="col" { (t(Msg::UiOpsTotal)) }
                } }
                tbody {
                    @for ((name, team), cells) in &grid {
                        tr {
                            th scope="row" { (name) }
                            @for kind in &kinds {
                                @let n = cells.get(kind.as_str()).copied().unwrap_or(0);
                                td class={ "num " (heat(n, max)) } {
                                    @if n > 0 {
                                        a href={ "/console/sla-breaches" (ui::query(&[("weeks", &weeks.to_string()),
                                            ("team", &team.map(|t| t.to_string()).unwrap_or_default()), ("kind", kind.as_str())])) } { (ui::count(n)) }
                                    } @else { "0" }
                                }
                            }
                            td.num { (ui::count(cells.values().sum())) }
                        }
                    }
                }
            } }
        }
        h2 { (t(Msg::UiOpsRecentBreaches)) }
        @if recent.items.is_empty() {
            p.empty { (t(Msg::UiOpsNoBreaches)) }
        } @else {
            div.table-wrap { table {
                thead { tr {
                    th scope="col" { (t(Msg::UiOpsKind)) }
                    th scope="col" { (t(Msg::UiOpsTeam)) }
                    th scope="col" { (t(Msg::UiOpsDueAt)) }
                    th scope="col" { (t(Msg::UiOpsBreachedAt)) }
                    th scope="col" { (t(Msg::UiOpsRecord)) }
                    th.num scope="col" { (t(Msg::UiOpsPolicyVersion)) }
                } }
                tbody {
                    @for breach in &recent.items {
                        tr {
                            td { (t(sla::what(breach.kind))) }
                            td { @if let Some(name) = breach.team_id.and_then(|id| names.get(&id)) { (name) } }
                            td { (ui::time(&viewer, breach.due_at)) }
                            td { (ui::time(&viewer, breach.breached_at)) }
                            td { (record(breach.customer_id, breach.subject_id, customers)) }
                            td.num { @if let Some(v) = breach.policy_version { (v) } }
                        }
                    }
                }
            } }
        }
    };
    Ok(html_page(layout::page(
        &viewer,
        Some(Nav::SlaBreaches),
        &t(Msg::UiNavSlaBreaches),
        body,
    )))
}

async fn health_page(viewer: Viewer, state: web::Data<AppState>) -> Result<HttpResponse, ConsoleError> {
    viewer.require::<perm::QueuesRead>()?;
    let timeout = std::time::Duration::from_millis(state.settings.readiness_timeout_ms);
    let started = Instant::now();
    let database = tokio::time::timeout(timeout, domain::platform::db::server_version(&state.db)).await;
    let database_ms = elapsed_ms(started);
    let started = Instant::now();
    let queue = state.queue.ping(timeout).await;
    let queue_ms = elapsed_ms(started);
    let migrations = domain::platform::db::migration_status(&state.db)
        .await
        .map_err(domain::DomainError::from)?;
    let applied = migrations.iter().filter(|(_, done)| *done).count() as u64;
    let last = migrations
        .iter()
        .rev()
        .find(|(_, done)| *done)
        .map(|(name, _)| name.clone())
        .unwrap_or_default();
    let lanes = timers::queued_by_lane(&state.db).await?;
    let queued: u64 = lanes.values().sum();
    // Full: some lane's pump has stopped claiming (back-pressure).
    let full = lanes
        .iter()
        .any(|(lane, n)| lane.jobs(*n) >= state.settings.timer_max_backlog);
    let production = state.settings.redis_url.is_some();
    let t = |m: Msg| viewer.t(m);
    let status = |up: bool| {
        html! { @if up { span.badge.good { (t(Msg::UiOpsUp)) } } @else { span.badge.bad { (t(Msg::UiOpsDown)) } } }
    };
    let mode = t(if production {
        Msg::UiOpsModeProduction
    } else {
        Msg::UiOpsModeEmbedded
    });
    let body = html! {
        div.table-wrap { table {
            thead { tr {
                th scope="col" { (t(Msg::UiOpsHealthComponent)) }
                th scope="col" { (t(Msg::UiOpsHealthStatus)) }
                th scope="col" { (t(Msg::UiOpsHealthDetail)) }
            } }
            tbody {
                tr {
                    th scope="row" { (t(Msg::UiOpsHealthService)) }
                    td { (status(true)) }
                    td { (t(Msg::UiOpsVersion { version: env!("CARGO_PKG_VERSION").to_owned(), mode })) }
                }
                tr {
                    th scope="row" { (t(Msg::UiOpsHealthDatabase)) }
                    td { (status(matches!(database, Ok(Ok(_))))) }
                    td {
                        @if let Ok(Ok(version)) = &database { code { (version) } " · " }
                        (t(Msg::UiOpsAnsweredIn { ms: database_ms }))
                    }
                }
                tr {
                    th scope="row" { (t(Msg::UiOpsHealthQueue)) }
                    td { (status(queue.is_ok())) }
                    td {
                        code { @if production { "Redis (apalis-redis)" } @else { "SQLite (apalis-sqlite)" } }
                        " · " (t(Msg::UiOpsAnsweredIn { ms: queue_ms }))
                    }
                }
                tr {
                    th scope="row" { (t(Msg::UiOpsHealthMigrations)) }
                    td { (status(applied == migrations.len() as u64)) }
                    td { (t(Msg::UiOpsMigrationsApplied { applied, total: migrations.len() as u64, last })) }
                }
                tr {
                    th scope="row" { (t(Msg::UiOpsHealthTimers)) }
                    td { (status(!full)) }
                    td { (t(Msg::UiOpsQueuedTimers { n: queued })) }
                }
            }
        } }
    };
    Ok(html_page(layout::page(
        &viewer,
        Some(Nav::Health),
        &t(Msg::UiNavHealth),
        body,
    )))
}

fn elapsed_ms(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)
}
