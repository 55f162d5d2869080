//! Queue operations (admin): counts by state, jobs with search, retry /
//! delete / run-now of one job or of all matching a filter, pause and resume,
//! and the workers with their heartbeats. Reading needs `queues:read`,
//! acting `queues:write`; every action leaves one audit entry.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use queue::inspect::{self, InspectError, JobAction, JobInfo, JobState, QueueCounts};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::{IntoParams, ToSchema};

use crate::{
    auth::{Authorized, perm},
    error::{ApiError, Problem},
    extract::OptionalJson,
    state::AppState,
    vocab,
};
use domain::{access::audit::AuditContext, platform::text::Msg};

/// Jobs of one queue by state.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"scheduled": 2, "pending": 0, "running": 1, "done": 120, "dead": 3}))]
pub struct JobCounts {
    /// Waiting for their time, including failed jobs waiting for a retry.
    pub scheduled: u64,
    /// Due, waiting for a worker.
    pub pending: u64,
    /// Taken by a worker.
    pub running: u64,
    pub done: u64,
    /// Aborted or out of attempts; retry them by hand.
    pub dead: u64,
}

impl From<QueueCounts> for JobCounts {
    fn from(c: QueueCounts) -> Self {
        Self {
            scheduled: c.scheduled,
            pending: c.pending,
            running: c.running,
            done: c.done,
            dead: c.dead,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"name": "estateflow.system.probe", "paused": false,
    "counts": {"scheduled": 0, "pending": 1, "running": 0, "done": 12, "dead": 1}}))]
pub struct Queue {
    /// The queue's stable name.
    pub name: String,
    /// Paused queues are not fetched from; their jobs wait.
    pub paused: bool,
    pub counts: JobCounts,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QueueList {
    pub items: Vec<Queue>,
}

/// A job as the queue stores it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "01KB2Z6W3QF1J7E2M9X0B5C8VN", "state": "dead",
    "payload": {"id": "0199a1c2-7d3e-7f00-8a00-2b3c4d5e6f70", "hold_ms": 0, "fail": true},
    "attempts": 1, "run_at": null, "done_at": "2026-11-27T09:15:02Z",
    "last_result": "{\"Err\":\"permanent failure\"}", "worker": null}))]
pub struct Job {
    pub id: String,
    #[schema(value_type = vocab::JobState)]
    pub state: String,
    /// The job's arguments.
    pub payload: serde_json::Value,
    pub attempts: Option<i64>,
    /// When a scheduled job becomes due.
    pub run_at: Option<DateTime<Utc>>,
    /// When its last attempt ended.
    pub done_at: Option<DateTime<Utc>>,
    /// The last attempt's result or error, as the queue recorded it.
    pub last_result: Option<String>,
    /// The worker running it.
    pub worker: Option<String>,
}

fn time(seconds: Option<i64>) -> Option<DateTime<Utc>> {
    seconds.and_then(|s| DateTime::from_timestamp(s, 0))
}

impl From<JobInfo> for Job {
    fn from(j: JobInfo) -> Self {
        Self {
            id: j.id,
            state: j.state.as_str().to_owned(),
            payload: j.payload,
            attempts: j.attempts,
            run_at: time(j.run_at),
            done_at: time(j.done_at),
            last_result: j.last_result,
            worker: j.worker,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct JobList {
    pub items: Vec<Job>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct JobQuery {
    /// `scheduled`, `pending`, `running`, `done` or `dead`; default `pending`.
    #[param(value_type = Option<vocab::JobState>)]
    pub state: Option<String>,
    /// Case-insensitive text in the job id or payload.
    pub q: Option<String>,
    /// 1 to 500; default 50.
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// Which jobs a bulk action takes.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"state": "dead", "q": "0199a1c2"}))]
pub struct JobFilter {
    /// The state of the jobs: retry takes `dead` (the default), run-now
    /// `scheduled` (the default); deletion needs it (any but `running`).
    #[schema(value_type = Option<vocab::JobState>)]
    pub state: Option<String>,
    /// Case-insensitive text in the job id or payload.
    pub q: Option<String>,
}

/// How many jobs a bulk action changed (at most 10000 per call).
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"affected": 3}))]
pub struct BulkResult {
    pub affected: u64,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"name": "estateflow.system.probe", "paused": true, "changed": true}))]
pub struct QueuePauseState {
    pub name: String,
    pub paused: bool,
    /// False when the queue already was in that state.
    pub changed: bool,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"name": "estateflow.system.probe@api-1-4711-x9f2", "queue": "estateflow.system.probe",
    "last_heartbeat": "2026-11-27T09:15:02Z"}))]
pub struct Worker {
    /// `<queue>@<replica>`, with `.<n>` after a restart.
    pub name: String,
    pub queue: String,
    pub last_heartbeat: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WorkerList {
    pub items: Vec<Worker>,
}

/// The API's answer to a failed inspection or action.
pub fn inspect_error(err: InspectError) -> ApiError {
    match err {
        InspectError::UnknownQueue => ApiError::NotFound(Msg::NounQueue),
        InspectError::UnknownJob => ApiError::NotFound(Msg::NounJob),
        InspectError::WrongState => ApiError::Conflict(Msg::JobWrongState),
        InspectError::Database(e) => ApiError::from(e),
        InspectError::Queue(e) => {
            tracing::warn!(error = %e, "queue inspection failed");
            ApiError::Unavailable(vec!["queue"])
        }
    }
}

fn parse_state(value: Option<&str>, default: Option<JobState>) -> Result<JobState, ApiError> {
    let invalid = |detail: Msg| ApiError::Validation(vec![domain::FieldError::new("/state", detail)]);
    match value {
        Some(s) => s.parse().map_err(|()| {
            invalid(Msg::OneOf {
                values: ["scheduled", "pending", "running", "done", "dead"]
                    .map(str::to_owned)
                    .into(),
            })
        }),
        None => default.ok_or_else(|| invalid(Msg::Required)),
    }
}

async fn queue_of(state: &AppState, name: &str) -> Result<Queue, ApiError> {
    let counts = state.queue.counts(name).await.map_err(inspect_error)?;
    let paused = inspect::is_paused(&state.db, name).await?;
    Ok(Queue {
        name: name.to_owned(),
        paused,
        counts: counts.into(),
    })
}

/// Every queue with its jobs by state and whether it is paused.
#[utoipa::path(get, path = "/api/v1/admin/queues", tag = "operations", operation_id = "list_queues",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The queues", body = QueueList),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks queues:read", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The queue is unavailable", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_queues(
    _caller: Authorized<perm::QueuesRead>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let mut items = Vec::new();
    for name in queue::Queue::ALL.iter().map(|q| q.name()) {
        items.push(queue_of(&state, name).await?);
    }
    Ok(HttpResponse::Ok().json(QueueList { items }))
}

/// One queue with its jobs by state and whether it is paused.
#[utoipa::path(get, path = "/api/v1/admin/queues/{queue}", tag = "operations", operation_id = "get_queue",
    security(("bearer" = [])),
    params(("queue" = String, Path, description = "Queue name", example = "estateflow.system.probe")),
    responses(
        (status = 200, description = "The queue", body = Queue),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks queues:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such queue", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The queue is unavailable", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_queue(
    _caller: Authorized<perm::QueuesRead>,
    state: web::Data<AppState>,
    queue: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    Ok(HttpResponse::Ok().json(queue_of(&state, &queue).await?))
}

/// The jobs of a queue in one state, oldest first, optionally searched.
#[utoipa::path(get, path = "/api/v1/admin/queues/{queue}/jobs", tag = "operations", operation_id = "list_queue_jobs",
    security(("bearer" = [])),
    params(("queue" = String, Path, description = "Queue name", example = "estateflow.system.probe"), JobQuery),
    responses(
        (status = 200, description = "A page of jobs", body = JobList),
        (status = 400, description = "Malformed query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks queues:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such queue", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown state, limit out of range or a foreign cursor", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The queue is unavailable", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_queue_jobs(
    _caller: Authorized<perm::QueuesRead>,
    state: web::Data<AppState>,
    queue: web::Path<String>,
    query: crate::extract::ApiQuery<JobQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let job_state = parse_state(query.state.as_deref(), Some(JobState::Pending))?;
    let page = inspect::jobs_page(query.limit, query.cursor.as_deref())?;
    let q = query.q.as_deref().filter(|q| !q.is_empty());
    let jobs = state
        .queue
        .list_jobs(&queue, job_state, q, page)
        .await
        .map_err(inspect_error)?
        .map(Job::from);
    Ok(HttpResponse::Ok().json(JobList {
        items: jobs.items,
        next_cursor: jobs.next_cursor,
    }))
}

/// One job's action, audited; 204.
async fn act_on_job(
    caller: &Authorized<perm::QueuesWrite>,
    state: &AppState,
    (queue, id): (String, String),
    action: JobAction,
) -> Result<HttpResponse, ApiError> {
    apply_to_job(state, &caller.audit(), &queue, &id, action).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The audit actions of an operator's action on one job and on many.
fn audit_actions(action: JobAction) -> (&'static str, &'static str) {
    match action {
        JobAction::Retry => ("job.retry", "jobs.retry"),
        JobAction::RunNow => ("job.run_now", "jobs.run_now"),
        JobAction::Delete => ("job.delete", "jobs.delete"),
    }
}

/// Applies `action` to the job `id` of `queue` and records it in the audit
/// log with `audit`'s actor (the API's and the console's one way).
pub async fn apply_to_job(
    state: &AppState,
    audit: &AuditContext,
    queue: &str,
    id: &str,
    action: JobAction,
) -> Result<(), ApiError> {
    state.queue.job_action(queue, id, action).await.map_err(inspect_error)?;
    domain::access::audit::record(
        &state.db,
        audit,
        audit_actions(action).0,
        "job",
        id,
        None,
        Some(&json!({"queue": queue})),
    )
    .await?;
    Ok(())
}

/// Run a dead job again now, with its attempts reset.
#[utoipa::path(post, path = "/api/v1/admin/queues/{queue}/jobs/{job_id}/retry", tag = "operations",
    operation_id = "create_queue_job_retry",
    security(("bearer" = [])),
    params(
        ("queue" = String, Path, description = "Queue name", example = "estateflow.system.probe"),
        ("job_id" = String, Path, description = "Job id", example = "01KB2Z6W3QF1J7E2M9X0B5C8VN"),
    ),
    responses(
        (status = 204, description = "Pending again"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks queues:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such queue or job", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The job is not dead", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The queue is unavailable", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_queue_job_retry(
    caller: Authorized<perm::QueuesWrite>,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    act_on_job(&caller, &state, path.into_inner(), JobAction::Retry).await
}

/// Make a scheduled job (or a failed one waiting for its retry) due now.
#[utoipa::path(post, path = "/api/v1/admin/queues/{queue}/jobs/{job_id}/run-now", tag = "operations",
    operation_id = "create_queue_job_run",
    security(("bearer" = [])),
    params(
        ("queue" = String, Path, description = "Queue name", example = "estateflow.system.probe"),
        ("job_id" = String, Path, description = "Job id", example = "01KB2Z6W3QF1J7E2M9X0B5C8VN"),
    ),
    responses(
        (status = 204, description = "Pending now"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks queues:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such queue or job", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The job is not scheduled", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The queue is unavailable", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_queue_job_run(
    caller: Authorized<perm::QueuesWrite>,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    act_on_job(&caller, &state, path.into_inner(), JobAction::RunNow).await
}

/// Remove a job that is not running, with its payload.
#[utoipa::path(delete, path = "/api/v1/admin/queues/{queue}/jobs/{job_id}", tag = "operations",
    operation_id = "delete_queue_job",
    security(("bearer" = [])),
    params(
        ("queue" = String, Path, description = "Queue name", example = "estateflow.system.probe"),
        ("job_id" = String, Path, description = "Job id", example = "01KB2Z6W3QF1J7E2M9X0B5C8VN"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks queues:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such queue or job", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The job is running", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The queue is unavailable", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete_queue_job(
    caller: Authorized<perm::QueuesWrite>,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    act_on_job(&caller, &state, path.into_inner(), JobAction::Delete).await
}

/// What a bulk action does: the action and the state it applies to when
/// the filter names none.
struct Bulk(JobAction, Option<JobState>);

/// A bulk action on the jobs a filter selects, audited; 200 with how many.
async fn act_on_jobs(
    caller: &Authorized<perm::QueuesWrite>,
    state: &AppState,
    queue: &str,
    filter: JobFilter,
    Bulk(action, default): Bulk,
) -> Result<HttpResponse, ApiError> {
    let job_state = parse_state(filter.state.as_deref(), default)?;
    let q = filter.q.as_deref().filter(|q| !q.is_empty());
    let affected = apply_to_jobs(state, &caller.audit(), queue, job_state, q, action).await?;
    Ok(HttpResponse::Ok().json(BulkResult { affected }))
}

/// Applies `action` to the jobs of `queue` in `job_state` matching `q`
/// (at most 10000) and records it in the audit log with `audit`'s actor;
/// returns how many jobs it changed (the API's and the console's one way).
pub async fn apply_to_jobs(
    state: &AppState,
    audit: &AuditContext,
    queue: &str,
    job_state: JobState,
    q: Option<&str>,
    action: JobAction,
) -> Result<u64, ApiError> {
    if !action.applies_to(job_state) {
        return Err(ApiError::Validation(vec![domain::FieldError::new(
            "/state",
            Msg::ActionNotForState {
                state: job_state.to_string(),
            },
        )]));
    }
    let affected = state
        .queue
        .bulk_action(queue, job_state, q, action)
        .await
        .map_err(inspect_error)?;
    domain::access::audit::record(
        &state.db,
        audit,
        audit_actions(action).1,
        "queue",
        queue,
        None,
        Some(&json!({"state": job_state.as_str(), "q": q, "affected": affected})),
    )
    .await?;
    Ok(affected)
}

/// Run again every dead job matching the filter (at most 10000 per call).
#[utoipa::path(post, path = "/api/v1/admin/queues/{queue}/job-retries", tag = "operations",
    operation_id = "create_queue_job_retries",
    security(("bearer" = [])),
    params(("queue" = String, Path, description = "Queue name", example = "estateflow.system.probe")),
    request_body(content = Option<JobFilter>, content_type = "application/json", description = "Optional; `state` defaults to `dead`"),
    responses(
        (status = 200, description = "How many jobs are pending again", body = BulkResult),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks queues:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such queue", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown state or one retry does not apply to", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The queue is unavailable", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_queue_job_retries(
    caller: Authorized<perm::QueuesWrite>,
    state: web::Data<AppState>,
    queue: web::Path<String>,
    OptionalJson(filter): OptionalJson<JobFilter>,
) -> Result<HttpResponse, ApiError> {
    act_on_jobs(
        &caller,
        &state,
        &queue,
        filter,
        Bulk(JobAction::Retry, Some(JobState::Dead)),
    )
    .await
}

/// Make due now every scheduled job matching the filter (at most 10000 per call).
#[utoipa::path(post, path = "/api/v1/admin/queues/{queue}/job-runs", tag = "operations",
    operation_id = "create_queue_job_runs",
    security(("bearer" = [])),
    params(("queue" = String, Path, description = "Queue name", example = "estateflow.system.probe")),
    request_body(content = Option<JobFilter>, content_type = "application/json", description = "Optional; `state` defaults to `scheduled`"),
    responses(
        (status = 200, description = "How many jobs are pending now", body = BulkResult),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks queues:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such queue", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown state or one run-now does not apply to", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The queue is unavailable", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_queue_job_runs(
    caller: Authorized<perm::QueuesWrite>,
    state: web::Data<AppState>,
    queue: web::Path<String>,
    OptionalJson(filter): OptionalJson<JobFilter>,
) -> Result<HttpResponse, ApiError> {
    act_on_jobs(
        &caller,
        &state,
        &queue,
        filter,
        Bulk(JobAction::RunNow, Some(JobState::Scheduled)),
    )
    .await
}

/// Delete every job in a state (not `running`) matching the filter (at most 10000 per call).
#[utoipa::path(post, path = "/api/v1/admin/queues/{queue}/job-deletions", tag = "operations",
    operation_id = "create_queue_job_deletions",
    security(("bearer" = [])),
    params(("queue" = String, Path, description = "Queue name", example = "estateflow.system.probe")),
    request_body(content = JobFilter, content_type = "application/json", description = "`state` is required"),
    responses(
        (status = 200, description = "How many jobs were deleted", body = BulkResult),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks queues:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such queue", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Missing or unknown state, or `running`", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The queue is unavailable", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_queue_job_deletions(
    caller: Authorized<perm::QueuesWrite>,
    state: web::Data<AppState>,
    queue: web::Path<String>,
    OptionalJson(filter): OptionalJson<JobFilter>,
) -> Result<HttpResponse, ApiError> {
    act_on_jobs(&caller, &state, &queue, filter, Bulk(JobAction::Delete, None)).await
}

async fn set_paused(
    caller: &Authorized<perm::QueuesWrite>,
    state: &AppState,
    queue: &str,
    paused: bool,
) -> Result<HttpResponse, ApiError> {
    let (name, changed) = pause_queue(state, &caller.audit(), queue, paused).await?;
    Ok(HttpResponse::Ok().json(QueuePauseState {
        name: name.to_owned(),
        paused,
        changed,
    }))
}

/// Pauses or resumes `queue` and records it in the audit log with
/// `audit`'s actor; returns the queue's name and whether the flag changed
/// (the API's and the console's one way).
pub async fn pause_queue(
    state: &AppState,
    audit: &AuditContext,
    queue: &str,
    paused: bool,
) -> Result<(&'static str, bool), ApiError> {
    let name = inspect::known_queue(queue).map_err(inspect_error)?;
    let changed = inspect::set_paused(&state.db, name, paused).await?;
    domain::access::audit::record(
        &state.db,
        audit,
        if paused { "queue.pause" } else { "queue.resume" },
        "queue",
        name,
        Some(&json!({"paused": if changed { !paused } else { paused }})),
        Some(&json!({"paused": paused})),
    )
    .await?;
    Ok((name, changed))
}

/// Stop fetching from a queue on every worker replica (within about a
/// second); jobs already running finish.
#[utoipa::path(post, path = "/api/v1/admin/queues/{queue}/pause", tag = "operations", operation_id = "create_queue_pause",
    security(("bearer" = [])),
    params(("queue" = String, Path, description = "Queue name", example = "estateflow.system.probe")),
    responses(
        (status = 200, description = "Paused", body = QueuePauseState),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks queues:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such queue", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_queue_pause(
    caller: Authorized<perm::QueuesWrite>,
    state: web::Data<AppState>,
    queue: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    set_paused(&caller, &state, &queue, true).await
}

/// Let workers fetch from a paused queue again (within about a second).
#[utoipa::path(post, path = "/api/v1/admin/queues/{queue}/resume", tag = "operations", operation_id = "create_queue_resume",
    security(("bearer" = [])),
    params(("queue" = String, Path, description = "Queue name", example = "estateflow.system.probe")),
    responses(
        (status = 200, description = "Resumed", body = QueuePauseState),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks queues:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such queue", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_queue_resume(
    caller: Authorized<perm::QueuesWrite>,
    state: web::Data<AppState>,
    queue: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    set_paused(&caller, &state, &queue, false).await
}

/// The workers registered on every queue, most recent heartbeat first. A
/// worker whose heartbeat is older than a few intervals has gone; its jobs
/// are handed to another.
#[utoipa::path(get, path = "/api/v1/admin/workers", tag = "operations", operation_id = "list_workers",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The workers", body = WorkerList),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks queues:read", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The queue is unavailable", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_workers(
    _caller: Authorized<perm::QueuesRead>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let workers = state.queue.workers().await.map_err(inspect_error)?;
    // A heartbeat no clock can show is a corrupt registration: an error to
    // log, not a worker that last beat in 1970.
    let items = workers
        .into_iter()
        .map(|w| {
            let last_heartbeat = DateTime::from_timestamp(w.last_heartbeat, 0).ok_or_else(|| {
                ApiError::Internal(format!(
                    "worker {} has an impossible heartbeat {}",
                    w.name, w.last_heartbeat
                ))
            })?;
            Ok(Worker {
                last_heartbeat,
                name: w.name,
                queue: w.queue,
            })
        })
        .collect::<Result<_, ApiError>>()?;
    Ok(HttpResponse::Ok().json(WorkerList { items }))
}
