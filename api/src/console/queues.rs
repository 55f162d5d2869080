//! Queues (operations): the overview of every queue (jobs by state, paused
//! or not, throughput of the last three hours, the workers and the jobs
//! they hold), the jobs of one queue by state with search, paging and
//! bulk actions (for the ticked jobs or for everything the filter
//! matches), and one job's page. Counts and the jobs table are fragments
//! the console's script fetches again every few seconds; the counts are
//! taken at most once a second for every open tab together
//! ([`SnapshotCache`]). Reading needs `queues:read`, acting `queues:write`;
//! actions go through the same functions as the API, audited alike.

use std::{sync::Arc, time::Instant};

use actix_web::{HttpRequest, HttpResponse, web};
use chrono::{DateTime, Utc};
use domain::platform::{
    page::OffsetRequest,
    text::Msg,
    throughput::{self, Minute},
};
use maud::{Markup, html};
use queue::{
    Queue,
    inspect::{JobAction, JobInfo, JobState, QueueCounts, Retrying, WorkerInfo},
};
use serde::Deserialize;

use super::{
    chart::{self, Series},
    error::ConsoleError,
    layout::{self, Nav},
    session::{Submitted, Viewer},
    ui,
};
use crate::{
    auth::perm,
    error::ApiError,
    routes::queues::{apply_to_job, apply_to_jobs, inspect_error, pause_queue},
    state::AppState,
};

/// Jobs on one page of a queue's listing.
const PAGE_SIZE: u64 = 50;
/// Minutes of throughput the overview draws.
const CHART_MINUTES: u32 = 180;
/// How long the counts, pause flags and workers are reused.
const SNAPSHOT_TTL: std::time::Duration = std::time::Duration::from_secs(1);
/// Running jobs read per queue to show what each worker holds.
const HELD_SHOWN: u64 = 100;

/// The console's routes for queues.
pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/queues").get(overview))
        .service(web::resource("/queues/fragment").get(counts_fragment))
        .service(web::resource("/queues/workers").get(workers_fragment))
        .service(web::resource("/queues/{queue}").get(jobs_page))
        .service(web::resource("/queues/{queue}/fragment").get(jobs_fragment))
        .service(web::resource("/queues/{queue}/pause").post(pause))
        .service(web::resource("/queues/{queue}/resume").post(resume))
        .service(web::resource("/queues/{queue}/bulk").post(bulk))
        .service(web::resource("/queues/{queue}/jobs/{id}").get(job_page))
        .service(web::resource("/queues/{queue}/jobs/{id}/{action}").post(job_action));
}

// ---------------------------------------------------------------- snapshot

/// One queue as the overview shows it.
#[derive(Debug, Clone)]
struct QueueRow {
    name: &'static str,
    counts: QueueCounts,
    retrying: Retrying,
    paused: bool,
}

/// A worker with the ids of the jobs it runs.
#[derive(Debug, Clone)]
struct WorkerRow {
    info: WorkerInfo,
    holds: Vec<String>,
}

/// Counts, pause flags and workers, taken together.
#[derive(Debug)]
pub struct Snapshot {
    taken: Instant,
    queues: Vec<QueueRow>,
    workers: Vec<WorkerRow>,
}

/// The last [`Snapshot`], shared by every request of this process, so that
/// many open tabs refreshing every few seconds ask the queue at most once
/// a second; concurrent requests wait for one reading.
#[derive(Debug, Default)]
pub struct SnapshotCache(tokio::sync::Mutex<Option<Arc<Snapshot>>>);

impl SnapshotCache {
    async fn get(&self, state: &AppState) -> Result<Arc<Snapshot>, ApiError> {
        let mut slot = self.0.lock().await;
        if let Some(snapshot) = slot.as_ref()
            && snapshot.taken.elapsed() < SNAPSHOT_TTL
        {
            return Ok(snapshot.clone());
        }
        let snapshot = Arc::new(take_snapshot(state).await?);
        *slot = Some(snapshot.clone());
        Ok(snapshot)
    }

    /// Forgets the snapshot (after an action, so its answer shows the change).
    async fn clear(&self) {
        *self.0.lock().await = None;
    }
}

async fn take_snapshot(state: &AppState) -> Result<Snapshot, ApiError> {
    let mut queues = Vec::new();
    let mut held: Vec<JobInfo> = Vec::new();
    let running = OffsetRequest {
        limit: HELD_SHOWN,
        offset: 0,
    };
    for name in Queue::ALL.iter().map(|q| q.name()) {
        let counts = state.queue.counts(name).await.map_err(inspect_error)?;
        let paused = queue::inspect::is_paused(&state.db, name).await?;
        if counts.running > 0 {
            let page = state
                .queue
                .list_jobs(name, JobState::Running, None, running)
                .await
                .map_err(inspect_error)?;
            held.extend(page.items);
        }
        let retrying = state.queue.retrying(name).await.map_err(inspect_error)?;
        queues.push(QueueRow {
            name,
            counts,
            retrying,
            paused,
        });
    }
    let workers = state
        .queue
        .workers()
        .await
        .map_err(inspect_error)?
        .into_iter()
        .map(|info| {
            let holds = held
                .iter()
                .filter(|job| job.worker.as_deref() == Some(info.name.as_str()))
                .map(|job| job.id.clone())
                .collect();
            WorkerRow { info, holds }
        })
        .collect();
    Ok(Snapshot {
        taken: Instant::now(),
        queues,
        workers,
    })
}

// ---------------------------------------------------------------- overview

fn can_write(viewer: &Viewer) -> bool {
    viewer.scope("queues:write").is_some()
}

fn queue_href(name: &str, state: JobState, q: &str, page: u64) -> String {
    let page = if page > 1 { page.to_string() } else { String::new() };
    format!(
        "/console/queues/{name}{}",
        ui::query(&[("state", state.as_str()), ("q", q), ("page", &page)])
    )
}

fn state_label(state: JobState) -> Msg {
    match state {
        JobState::Pending => Msg::UiQueuesPending,
        JobState::Scheduled => Msg::UiQueuesScheduled,
        JobState::Running => Msg::UiQueuesRunning,
        JobState::Dead => Msg::UiQueuesDead,
        JobState::Done => Msg::UiQueuesDone,
    }
}

/// The states in the order operators read them.
const SHOWN_STATES: [JobState; 5] = [
    JobState::Pending,
    JobState::Scheduled,
    JobState::Running,
    JobState::Dead,
    JobState::Done,
];

fn pause_button(viewer: &Viewer, row: &QueueRow) -> Markup {
    if row.paused {
        ui::action_button(
            viewer,
            &format!("/console/queues/{}/resume", row.name),
            &viewer.t(Msg::UiQueuesResume),
            None,
            "",
        )
    } else {
        let confirm = viewer.t(Msg::UiQueuesConfirmPause {
            queue: row.name.to_owned(),
        });
        ui::action_button(
            viewer,
            &format!("/console/queues/{}/pause", row.name),
            &viewer.t(Msg::UiQueuesPause),
            Some(&confirm),
            "",
        )
    }
}

fn status_badge(viewer: &Viewer, paused: bool) -> Markup {
    html! {
        @if paused {
            span.badge.warn { (viewer.t(Msg::UiQueuesPausedBadge)) }
        } @else {
            span.badge.good { (viewer.t(Msg::UiQueuesActiveBadge)) }
        }
    }
}

fn counts_table(viewer: &Viewer, snapshot: &Snapshot) -> Markup {
    let write = can_write(viewer);
    html! {
        div.table-wrap {
            table #queue-counts {
                thead {
                    tr {
                        th scope="col" { (viewer.t(Msg::UiQueuesQueue)) }
                        th scope="col" { (viewer.t(Msg::UiQueuesStatus)) }
                        @for state in SHOWN_STATES {
                            th.num scope="col" { (viewer.t(state_label(state))) }
                            @if state == JobState::Scheduled {
                                th.num scope="col" { (viewer.t(Msg::UiQueuesRetrying)) }
                            }
                        }
                        @if write {
                            th scope="col" { (viewer.t(Msg::UiActions)) }
                        }
                    }
                }
                tbody {
                    @for row in &snapshot.queues {
                        tr data-queue=(row.name) {
                            th scope="row" { a href=(queue_href(row.name, JobState::Pending, "", 1)) { (row.name) } }
                            td { (status_badge(viewer, row.paused)) }
                            @for state in SHOWN_STATES {
                                td.num data-state=(state.as_str()) {
                                    a href=(queue_href(row.name, state, "", 1)) { (ui::count(row.counts.get(state))) }
                                }
                                @if state == JobState::Scheduled {
                                    (retrying_cell(viewer, row.retrying))
                                }
                            }
                            @if write {
                                td { (pause_button(viewer, row)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The retrying count; "n+" when only the first jobs were looked at.
fn retrying_cell(viewer: &Viewer, retrying: Retrying) -> Markup {
    html! {
        @if retrying.partial {
            td.num data-state="retrying" title=(viewer.t(Msg::UiQueuesRetryingPartial { most: queue::inspect::MAX_BULK as u64 })) {
                (ui::count(retrying.count)) "+"
            }
        } @else {
            td.num data-state="retrying" { (ui::count(retrying.count)) }
        }
    }
}

fn workers_table(viewer: &Viewer, state: &AppState, snapshot: &Snapshot) -> Markup {
    let now = Utc::now().timestamp();
    let limit = state
        .settings
        .worker_heartbeat_secs
        .saturating_mul(u64::try_from(queue::inspect::MISSED_HEARTBEATS).unwrap_or(u64::MAX));
    html! {
        @if snapshot.workers.is_empty() {
            p.empty { (viewer.t(Msg::UiQueuesNoWorkers)) }
        } @else {
            div.table-wrap {
                table #queue-workers {
                    thead {
                        tr {
                            th scope="col" { (viewer.t(Msg::UiQueuesWorker)) }
                            th scope="col" { (viewer.t(Msg::UiQueuesQueue)) }
                            th.num scope="col" { (viewer.t(Msg::UiQueuesLastHeartbeat)) }
                            th scope="col" { (viewer.t(Msg::UiQueuesStatus)) }
                            th scope="col" { (viewer.t(Msg::UiQueuesHolds)) }
                        }
                    }
                    tbody {
                        @for worker in &snapshot.workers {
                            @let age = u64::try_from(now - worker.info.last_heartbeat).unwrap_or_default();
                            tr {
                                td { code { (worker.info.name) } }
                                td { (worker.info.queue) }
                                td.num { (viewer.t(Msg::UiQueuesSecondsAgo { seconds: age })) }
                                td {
                                    @if age <= limit {
                                        span.badge.good { (viewer.t(Msg::UiQueuesAlive)) }
                                    } @else {
                                        span.badge.bad { (viewer.t(Msg::UiQueuesGone)) }
                                    }
                                }
                                td {
                                    @if worker.holds.is_empty() {
                                        span.muted { (viewer.t(Msg::UiNone)) }
                                    } @else {
                                        @for (i, id) in worker.holds.iter().enumerate() {
                                            @if i > 0 { " " }
                                            a href={ "/console/queues/" (worker.info.queue) "/jobs/" (id) } { code { (id) } }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A minute in the business time zone, `HH:MM`.
fn hh_mm(viewer: &Viewer, minute: DateTime<Utc>) -> String {
    minute.with_timezone(&viewer.reader.tz).format("%H:%M").to_string()
}

fn throughput_block(viewer: &Viewer, name: &str, minutes: &[Minute]) -> Markup {
    let labels: Vec<String> = minutes.iter().map(|m| hh_mm(viewer, m.minute)).collect();
    let series = [
        Series {
            label: viewer.t(Msg::UiQueuesProcessed),
            values: minutes.iter().map(|m| m.processed as f64).collect(),
        },
        Series {
            label: viewer.t(Msg::UiQueuesFailed),
            values: minutes.iter().map(|m| m.failed as f64).collect(),
        },
    ];
    let busy: Vec<&Minute> = minutes.iter().rev().filter(|m| m.processed > 0).collect();
    let title = viewer.t(Msg::UiQueuesThroughputOf { queue: name.to_owned() });
    html! {
        section.throughput data-queue=(name) {
            h3 { (name) }
            @if busy.is_empty() {
                p.empty { (viewer.t(Msg::UiQueuesNoThroughput)) }
            } @else {
                (chart::lines(&title, &labels, &series))
                details {
                    summary { (viewer.t(Msg::UiQueuesAsTable)) }
                    div.table-wrap {
                        table {
                            caption { (title) }
                            thead {
                                tr {
                                    th scope="col" { (viewer.t(Msg::UiQueuesMinute)) }
                                    th.num scope="col" { (viewer.t(Msg::UiQueuesProcessed)) }
                                    th.num scope="col" { (viewer.t(Msg::UiQueuesFailed)) }
                                }
                            }
                            tbody {
                                @for m in busy {
                                    tr {
                                        td { (ui::time(viewer, m.minute)) }
                                        td.num { (ui::count(m.processed)) }
                                        td.num { (ui::count(m.failed)) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

async fn overview(viewer: Viewer, state: web::Data<AppState>) -> Result<HttpResponse, ConsoleError> {
    viewer.require::<perm::QueuesRead>()?;
    let snapshot = state.console_queues.get(&state).await?;
    let now = Utc::now();
    let mut charts = Vec::new();
    for name in Queue::ALL.iter().map(|q| q.name()) {
        let minutes = throughput::per_minute(&state.db, name, CHART_MINUTES, now).await?;
        charts.push(throughput_block(&viewer, name, &minutes));
    }
    let body = html! {
        @if !can_write(&viewer) {
            p.muted { (viewer.t(Msg::UiQueuesReadOnly)) }
        }
        div #queue-counts-live data-refresh="/console/queues/fragment" data-interval="5" {
            (counts_table(&viewer, &snapshot))
        }
        p.muted { (viewer.t(Msg::UiQueuesRetryingNote)) }
        h2 { (viewer.t(Msg::UiQueuesThroughput)) }
        div.charts {
            @for chart in charts { (chart) }
        }
        h2 { (viewer.t(Msg::UiQueuesWorkers)) }
        div #queue-workers-live data-refresh="/console/queues/workers" data-interval="5" {
            (workers_table(&viewer, &state, &snapshot))
        }
    };
    let title = viewer.t(Msg::UiNavQueues);
    Ok(super::html_page(layout::page(&viewer, Some(Nav::Queues), &title, body)))
}

async fn counts_fragment(
    req: HttpRequest,
    viewer: Viewer,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ConsoleError> {
    viewer.require::<perm::QueuesRead>()?;
    let snapshot = state.console_queues.get(&state).await?;
    Ok(ui::fragment(&req, counts_table(&viewer, &snapshot)))
}

async fn workers_fragment(
    req: HttpRequest,
    viewer: Viewer,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ConsoleError> {
    viewer.require::<perm::QueuesRead>()?;
    let snapshot = state.console_queues.get(&state).await?;
    Ok(ui::fragment(&req, workers_table(&viewer, &state, &snapshot)))
}

// ---------------------------------------------------------------- jobs

#[derive(Debug, Deserialize)]
struct JobsQuery {
    state: Option<String>,
    q: Option<String>,
    page: Option<u64>,
}

/// The listing a query asks for: state (default pending), search, page from 1.
struct Listing {
    queue: &'static str,
    state: JobState,
    q: String,
    page: u64,
}

impl Listing {
    fn of(queue: &str, query: JobsQuery) -> Result<Self, ConsoleError> {
        let queue = queue::inspect::known_queue(queue).map_err(inspect_error)?;
        let state = parse_state(query.state.as_deref())?;
        Ok(Self {
            queue,
            state,
            q: query.q.unwrap_or_default().trim().to_owned(),
            page: query.page.unwrap_or(1).max(1),
        })
    }

    fn search(&self) -> Option<&str> {
        Some(self.q.as_str()).filter(|q| !q.is_empty())
    }

    fn href(&self, page: u64) -> String {
        queue_href(self.queue, self.state, &self.q, page)
    }

    fn fragment_href(&self) -> String {
        let page = if self.page > 1 {
            self.page.to_string()
        } else {
            String::new()
        };
        format!(
            "/console/queues/{}/fragment{}",
            self.queue,
            ui::query(&[("state", self.state.as_str()), ("q", &self.q), ("page", &page)])
        )
    }
}

fn parse_state(value: Option<&str>) -> Result<JobState, ConsoleError> {
    match value.filter(|v| !v.is_empty()) {
        None => Ok(JobState::Pending),
        Some(value) => value.parse().map_err(|()| {
            ConsoleError::from(ApiError::Validation(vec![domain::FieldError::new(
                "/state",
                Msg::OneOf {
                    values: JobState::ALL.iter().map(|s| s.as_str().to_owned()).collect(),
                },
            )]))
        }),
    }
}

/// The first characters of `text`, with an ellipsis when cut.
fn short(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        format!("{}…", text.chars().take(max).collect::<String>())
    }
}

fn instant(seconds: Option<i64>) -> Option<DateTime<Utc>> {
    seconds.and_then(|s| DateTime::from_timestamp(s, 0))
}

async fn jobs_table(viewer: &Viewer, state: &AppState, listing: &Listing) -> Result<Markup, ConsoleError> {
    let request = OffsetRequest {
        limit: PAGE_SIZE,
        offset: (listing.page - 1) * PAGE_SIZE,
    };
    let jobs = state
        .queue
        .list_jobs(listing.queue, listing.state, listing.search(), request)
        .await
        .map_err(inspect_error)?;
    let write = can_write(viewer);
    let when = match listing.state {
        JobState::Scheduled => Msg::UiQueuesRunAt,
        _ => Msg::UiQueuesDoneAt,
    };
    Ok(html! {
        @if jobs.items.is_empty() {
            p.empty { (viewer.t(Msg::UiQueuesNoJobs)) }
        } @else {
            div.table-wrap {
                table #queue-jobs {
                    thead {
                        tr {
                            @if write {
                                th scope="col" {
                                    label {
                                        input type="checkbox" data-select-all="id";
                                        span.sr-only { (viewer.t(Msg::UiSelectAll)) }
                                    }
                                }
                            }
                            th scope="col" { (viewer.t(Msg::UiQueuesJobId)) }
                            th scope="col" { (viewer.t(Msg::UiQueuesPayload)) }
                            th.num scope="col" { (viewer.t(Msg::UiQueuesAttempts)) }
                            th scope="col" { (viewer.t(when.clone())) }
                            th scope="col" { (viewer.t(Msg::UiQueuesWorker)) }
                            th scope="col" { (viewer.t(Msg::UiQueuesLastResult)) }
                        }
                    }
                    tbody {
                        @for job in &jobs.items {
                            @let at = if listing.state == JobState::Scheduled { instant(job.run_at) } else { instant(job.done_at) };
                            tr data-job=(job.id) {
                                @if write {
                                    td {
                                        label {
                                            input type="checkbox" name="id" value=(job.id);
                                            span.sr-only { (viewer.t(Msg::UiQueuesSelect { id: job.id.clone() })) }
                                        }
                                    }
                                }
                                td { a href={ "/console/queues/" (listing.queue) "/jobs/" (job.id) } { code { (job.id) } } }
                                td { code { (short(&job.payload.to_string(), 120)) } }
                                td.num { (job.attempts.map(|a| a.to_string()).unwrap_or_default()) }
                                td { @if let Some(at) = at { (ui::time(viewer, at)) } }
                                td { @if let Some(worker) = &job.worker { code { (worker) } } }
                                td { @if let Some(result) = &job.last_result { code { (short(result, 120)) } } }
                            }
                        }
                    }
                }
            }
            nav.pager aria-label=(viewer.t(Msg::UiQueuesPage { page: listing.page })) {
                @if listing.page > 1 {
                    a rel="prev" href=(listing.href(listing.page - 1)) { (viewer.t(Msg::UiPrevious)) }
                }
                span { (viewer.t(Msg::UiQueuesPage { page: listing.page })) }
                @if jobs.next_cursor.is_some() {
                    a rel="next" href=(listing.href(listing.page + 1)) { (viewer.t(Msg::UiNext)) }
                }
            }
        }
    })
}

/// An operator's action on jobs: what it does, its name in paths and
/// forms, its button's label and class.
type ActionButton = (JobAction, &'static str, Msg, &'static str);

fn every_action() -> [ActionButton; 3] {
    [
        (JobAction::Retry, "retry", Msg::UiQueuesRetry, "primary"),
        (JobAction::RunNow, "run-now", Msg::UiQueuesRunNow, "primary"),
        (JobAction::Delete, "delete", Msg::UiQueuesDelete, "danger"),
    ]
}

/// The actions that apply to jobs in `state`.
fn actions_for(state: JobState) -> Vec<ActionButton> {
    every_action()
        .into_iter()
        .filter(|(action, ..)| action.applies_to(state))
        .collect()
}

fn confirm(action: JobAction, count: String) -> Msg {
    match action {
        JobAction::Retry => Msg::UiQueuesConfirmRetry { count },
        JobAction::RunNow => Msg::UiQueuesConfirmRunNow { count },
        JobAction::Delete => Msg::UiQueuesConfirmDelete { count },
    }
}

async fn jobs_page(
    viewer: Viewer,
    state: web::Data<AppState>,
    queue: web::Path<String>,
    query: web::Query<JobsQuery>,
) -> Result<HttpResponse, ConsoleError> {
    viewer.require::<perm::QueuesRead>()?;
    let listing = Listing::of(&queue, query.into_inner())?;
    let snapshot = state.console_queues.get(&state).await?;
    let row = snapshot
        .queues
        .iter()
        .find(|row| row.name == listing.queue)
        .cloned()
        .ok_or(ApiError::NotFound(Msg::NounQueue))?;
    let table = jobs_table(&viewer, &state, &listing).await?;
    let write = can_write(&viewer);
    let matching = if write {
        state
            .queue
            .count_matching(listing.queue, listing.state, listing.search())
            .await
            .map_err(inspect_error)?
    } else {
        0
    };
    let actions = actions_for(listing.state);
    let body = html! {
        p { a href="/console/queues" { "← " (viewer.t(Msg::UiNavQueues)) } " " (status_badge(&viewer, row.paused)) " "
            @if write { (pause_button(&viewer, &row)) } }
        nav.tabs aria-label=(viewer.t(Msg::UiQueuesStatus)) {
            @for s in SHOWN_STATES {
                @let href = queue_href(listing.queue, s, &listing.q, 1);
                @let label = format!("{} {}", viewer.t(state_label(s)), ui::count(row.counts.get(s)));
                @if s == listing.state {
                    a href=(href) aria-current="page" { (label) }
                } @else {
                    a href=(href) { (label) }
                }
            }
        }
        form.filters method="get" action={ "/console/queues/" (listing.queue) } {
            input type="hidden" name="state" value=(listing.state.as_str());
            label for="q" { (viewer.t(Msg::UiQueuesSearch))
                input #q type="search" name="q" value=(listing.q);
            }
            button type="submit" { (viewer.t(Msg::UiSearch)) }
            @if !listing.q.is_empty() {
                a href=(queue_href(listing.queue, listing.state, "", 1)) { (viewer.t(Msg::UiReset)) }
            }
        }
        @if !write {
            p.muted { (viewer.t(Msg::UiQueuesReadOnly)) }
        }
        form #bulk method="post" action={ "/console/queues/" (listing.queue) "/bulk" } {
            (ui::csrf(&viewer))
            input type="hidden" name="state" value=(listing.state.as_str());
            input type="hidden" name="q" value=(listing.q);
            @if write && !actions.is_empty() {
                div.toolbar {
                    span { (viewer.t(Msg::UiQueuesSelected)) }
                    @for (action, value, label, class) in &actions {
                        button type="submit" name="do" value={ (value) ":selected" } class=(class)
                            data-confirm=(viewer.t(confirm(*action, "{n}".to_owned()))) { (viewer.t(label.clone())) }
                    }
                }
                @if matching > 0 {
                    div.toolbar {
                        span { (viewer.t(Msg::UiQueuesAllMatching { count: ui::count(matching) })) }
                        @for (action, value, label, class) in &actions {
                            button type="submit" name="do" value={ (value) ":filter" } class=(class)
                                data-confirm=(viewer.t(confirm(*action, ui::count(matching)))) { (viewer.t(label.clone())) }
                        }
                    }
                }
            }
            div #queue-jobs-live data-refresh=(listing.fragment_href()) data-interval="5" {
                (table)
            }
        }
    };
    let title = viewer.t(Msg::UiQueuesJobsOf {
        queue: listing.queue.to_owned(),
    });
    Ok(super::html_page(layout::page(&viewer, Some(Nav::Queues), &title, body)))
}

async fn jobs_fragment(
    req: HttpRequest,
    viewer: Viewer,
    state: web::Data<AppState>,
    queue: web::Path<String>,
    query: web::Query<JobsQuery>,
) -> Result<HttpResponse, ConsoleError> {
    viewer.require::<perm::QueuesRead>()?;
    let listing = Listing::of(&queue, query.into_inner())?;
    Ok(ui::fragment(&req, jobs_table(&viewer, &state, &listing).await?))
}

async fn job_page(
    viewer: Viewer,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ConsoleError> {
    viewer.require::<perm::QueuesRead>()?;
    let (queue, id) = path.into_inner();
    let queue = queue::inspect::known_queue(&queue).map_err(inspect_error)?;
    let job = state
        .queue
        .find_job(queue, &id)
        .await
        .map_err(inspect_error)?
        .ok_or(ApiError::NotFound(Msg::NounJob))?;
    let payload = serde_json::to_string_pretty(&job.payload).unwrap_or_else(|_| job.payload.to_string());
    let actions = actions_for(job.state);
    let body = html! {
        p { a href=(queue_href(queue, job.state, "", 1)) { "← " (viewer.t(Msg::UiQueuesBack)) } }
        dl.facts {
            dt { (viewer.t(Msg::UiQueuesQueue)) } dd { (queue) }
            dt { (viewer.t(Msg::UiQueuesStatus)) } dd data-state=(job.state.as_str()) { (viewer.t(state_label(job.state))) }
            dt { (viewer.t(Msg::UiQueuesAttempts)) } dd { (job.attempts.map(|a| a.to_string()).unwrap_or_else(|| viewer.t(Msg::UiNone))) }
            dt { (viewer.t(Msg::UiQueuesRunAt)) } dd { @if let Some(at) = instant(job.run_at) { (ui::time(&viewer, at)) } @else { (viewer.t(Msg::UiNone)) } }
            dt { (viewer.t(Msg::UiQueuesDoneAt)) } dd { @if let Some(at) = instant(job.done_at) { (ui::time(&viewer, at)) } @else { (viewer.t(Msg::UiNone)) } }
            dt { (viewer.t(Msg::UiQueuesWorker)) } dd { @if let Some(worker) = &job.worker { code { (worker) } } @else { (viewer.t(Msg::UiNone)) } }
        }
        h2 { (viewer.t(Msg::UiQueuesLastResult)) }
        @if let Some(result) = &job.last_result { pre { (result) } } @else { p.muted { (viewer.t(Msg::UiNone)) } }
        h2 { (viewer.t(Msg::UiQueuesPayload)) }
        pre { (payload) }
        @if can_write(&viewer) && !actions.is_empty() {
            div.toolbar {
                @for (action, value, label, class) in &actions {
                    (ui::action_button(&viewer, &format!("/console/queues/{queue}/jobs/{}/{value}", job.id),
                        &viewer.t(label.clone()), Some(&viewer.t(confirm(*action, ui::count(1)))), class))
                }
            }
        }
    };
    let title = viewer.t(Msg::UiQueuesJob { id: job.id.clone() });
    Ok(super::html_page(layout::page(&viewer, Some(Nav::Queues), &title, body)))
}

// ---------------------------------------------------------------- actions

fn action_named(name: &str) -> Option<JobAction> {
    every_action()
        .into_iter()
        .find(|(_, value, ..)| *value == name)
        .map(|(action, ..)| action)
}

fn done_message(action: JobAction, n: u64) -> Msg {
    let count = ui::count(n);
    match action {
        JobAction::Retry => Msg::UiQueuesRetried { count },
        JobAction::RunNow => Msg::UiQueuesRanNow { count },
        JobAction::Delete => Msg::UiQueuesDeleted { count },
    }
}

async fn set_paused(
    state: &AppState,
    submitted: &Submitted<serde::de::IgnoredAny>,
    queue: &str,
    paused: bool,
) -> Result<HttpResponse, ConsoleError> {
    let viewer = &submitted.viewer;
    viewer.require::<perm::QueuesWrite>()?;
    let (name, _) = pause_queue(state, &viewer.audit(), queue, paused).await?;
    state.console_queues.clear().await;
    let queue = name.to_owned();
    let message = if paused {
        Msg::UiQueuesPausedFlash { queue }
    } else {
        Msg::UiQueuesResumedFlash { queue }
    };
    super::done(state, viewer, message, "/console/queues").await
}

async fn pause(
    state: web::Data<AppState>,
    queue: web::Path<String>,
    submitted: Submitted<serde::de::IgnoredAny>,
) -> Result<HttpResponse, ConsoleError> {
    set_paused(&state, &submitted, &queue, true).await
}

async fn resume(
    state: web::Data<AppState>,
    queue: web::Path<String>,
    submitted: Submitted<serde::de::IgnoredAny>,
) -> Result<HttpResponse, ConsoleError> {
    set_paused(&state, &submitted, &queue, false).await
}

async fn job_action(
    state: web::Data<AppState>,
    path: web::Path<(String, String, String)>,
    submitted: Submitted<serde::de::IgnoredAny>,
) -> Result<HttpResponse, ConsoleError> {
    let viewer = &submitted.viewer;
    viewer.require::<perm::QueuesWrite>()?;
    let (queue, id, action) = path.into_inner();
    let action = action_named(&action).ok_or(ApiError::NotFound(Msg::UiNotFound))?;
    let queue = queue::inspect::known_queue(&queue).map_err(inspect_error)?;
    apply_to_job(&state, &viewer.audit(), queue, &id, action).await?;
    state.console_queues.clear().await;
    let back = match action {
        JobAction::Delete => queue_href(queue, JobState::Pending, "", 1),
        _ => format!("/console/queues/{queue}/jobs/{id}"),
    };
    super::done(&state, viewer, done_message(action, 1), &back).await
}

#[derive(Debug, Deserialize)]
struct BulkForm {
    /// `<action>:selected` or `<action>:filter`.
    #[serde(rename = "do")]
    what: String,
    state: Option<String>,
    q: Option<String>,
}

async fn bulk(
    state: web::Data<AppState>,
    queue: web::Path<String>,
    submitted: Submitted<BulkForm>,
) -> Result<HttpResponse, ConsoleError> {
    let viewer = &submitted.viewer;
    viewer.require::<perm::QueuesWrite>()?;
    let listing = Listing::of(
        &queue,
        JobsQuery {
            state: submitted.form.state.clone(),
            q: submitted.form.q.clone(),
            page: None,
        },
    )?;
    let (action, scope) = submitted.form.what.split_once(':').unwrap_or_default();
    let action = action_named(action).ok_or(ApiError::NotFound(Msg::UiNotFound))?;
    let back = listing.href(1);
    let changed = match scope {
        "filter" => {
            apply_to_jobs(
                &state,
                &viewer.audit(),
                listing.queue,
                listing.state,
                listing.search(),
                action,
            )
            .await?
        }
        "selected" => {
            let ids = submitted.all("id");
            if ids.is_empty() {
                return super::done(&state, viewer, Msg::UiQueuesNoneSelected, &back).await;
            }
            let mut changed = 0;
            for id in ids {
                // A job that moved on or went since the page was drawn is
                // left alone, as the API would refuse it.
                match apply_to_job(&state, &viewer.audit(), listing.queue, id, action).await {
                    Ok(()) => changed += 1,
                    Err(ApiError::Conflict(_) | ApiError::NotFound(_)) => {}
                    Err(other) => return Err(other.into()),
                }
            }
            changed
        }
        _ => return Err(ApiError::NotFound(Msg::UiNotFound).into()),
    };
    state.console_queues.clear().await;
    super::done(&state, viewer, done_message(action, changed), &back).await
}
