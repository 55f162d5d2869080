//! SLA policies (`/api/v1/sla-policies`, administrators change them; every
//! change is a new version used by timers started after it), SLA breaches
//! (`/api/v1/sla-breaches`, within the caller's scope) and the timers
//! behind them (`/api/v1/timers`, for operations).

use actix_web::{HttpResponse, http::header, web};
use chrono::{DateTime, Utc};
use domain::{
    outbox::sla::{BreachFilter, BreachView, Policy, PolicyInput},
    outbox::timers::{TimerFilter, TimerView},
    platform::page::PageRequest,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::{
    auth::{Authorized, perm},
    error::{ApiError, Problem},
    extract::{ApiJson, IfMatch},
    state::AppState,
    vocab,
};

/// One version of the policy of a kind of deadline.
#[derive(Debug, Serialize, ToSchema)]
pub struct SlaPolicy {
    #[schema(value_type = vocab::SlaKind)]
    pub kind: String,
    pub version: i32,
    /// How long the work may take; for `inspection`, how long before the planned handover the task is created.
    pub duration_secs: i64,
    /// The reminder, in percent of the duration (0: none).
    pub warning_percent: i32,
    /// A breach notifies the team's manager.
    pub notify_manager: bool,
    /// A missed first response hands the lead to the team's next consultant.
    pub reassign: bool,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

impl From<Policy> for SlaPolicy {
    fn from(p: Policy) -> Self {
        Self {
            kind: p.kind.to_string(),
            version: p.version,
            duration_secs: p.duration_secs,
            warning_percent: p.warning_percent,
            notify_manager: p.notify_manager,
            reassign: p.reassign,
            created_by: p.created_by,
            created_at: p.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SlaPolicyList {
    pub items: Vec<SlaPolicy>,
}

/// Only the fields given change; the result is the next version.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"duration_secs": 43200, "warning_percent": 75, "notify_manager": true}))]
pub struct SlaPolicyBody {
    pub duration_secs: Option<i64>,
    pub warning_percent: Option<i32>,
    pub notify_manager: Option<bool>,
    pub reassign: Option<bool>,
}

/// The policy in force for every kind of deadline.
#[utoipa::path(get, path = "/api/v1/sla-policies", tag = "sla", operation_id = "list_sla_policies",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The current version of every policy", body = SlaPolicyList),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks sla_policies:read", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_sla_policies(
    _caller: Authorized<perm::SlaPoliciesRead>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let items = domain::outbox::sla::all_current(&state.db).await?;
    Ok(HttpResponse::Ok().json(SlaPolicyList {
        items: items.into_iter().map(SlaPolicy::from).collect(),
    }))
}

/// Every version of one kind's policy, newest first; `ETag` names the current one.
#[utoipa::path(get, path = "/api/v1/sla-policies/{kind}", tag = "sla", operation_id = "get_sla_policy",
    security(("bearer" = [])),
    params(("kind" = vocab::SlaKind, Path, description = "The kind of deadline")),
    responses(
        (status = 200, description = "The versions, newest first", body = SlaPolicyList),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks sla_policies:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such kind", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_sla_policy(
    _caller: Authorized<perm::SlaPoliciesRead>,
    state: web::Data<AppState>,
    kind: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let versions = domain::outbox::sla::history(&state.db, &kind).await?;
    let mut response = HttpResponse::Ok();
    if let Some(current) = versions.first() {
        response.insert_header((header::ETAG, domain::platform::version::etag_of(current)?));
    }
    Ok(response.json(SlaPolicyList {
        items: versions.into_iter().map(SlaPolicy::from).collect(),
    }))
}

/// Change a policy: writes its next version, which timers started from now
/// on use; running timers keep the version they started with.
#[utoipa::path(put, path = "/api/v1/sla-policies/{kind}", tag = "sla", operation_id = "update_sla_policy",
    security(("bearer" = [])),
    params(
        ("kind" = vocab::SlaKind, Path, description = "The kind of deadline"),
        ("If-Match" = Option<String>, Header, description = "Apply only if the current version still has this ETag"),
    ),
    request_body = SlaPolicyBody,
    responses(
        (status = 200, description = "The new version", body = SlaPolicy),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks sla_policies:write on all records", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such kind", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names an older version", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_sla_policy(
    caller: Authorized<perm::SlaPoliciesWrite>,
    state: web::Data<AppState>,
    kind: web::Path<String>,
    if_match: IfMatch,
    ApiJson(body): ApiJson<SlaPolicyBody>,
) -> Result<HttpResponse, ApiError> {
    caller.require_all_records()?;
    let input = PolicyInput {
        duration_secs: body.duration_secs,
        warning_percent: body.warning_percent,
        notify_manager: body.notify_manager,
        reassign: body.reassign,
    };
    let policy = domain::outbox::sla::update(&state.db, &caller.audit(), &kind, input, if_match.as_deref()).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, domain::platform::version::etag_of(&policy)?))
        .json(SlaPolicy::from(policy)))
}

/// A missed deadline.
#[derive(Debug, Serialize, ToSchema)]
pub struct SlaBreach {
    pub id: Uuid,
    #[schema(value_type = vocab::SlaKind)]
    pub kind: String,
    pub timer_id: Uuid,
    pub customer_id: Option<Uuid>,
    /// The customer, deal or complaint the deadline was about.
    pub subject_id: Option<Uuid>,
    pub consultant_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    pub due_at: DateTime<Utc>,
    pub breached_at: DateTime<Utc>,
    /// The policy version the deadline was set under.
    pub policy_version: Option<i32>,
}

impl From<BreachView> for SlaBreach {
    fn from(b: BreachView) -> Self {
        Self {
            id: b.id,
            kind: b.kind.to_string(),
            timer_id: b.timer_id,
            customer_id: b.customer_id,
            subject_id: b.subject_id,
            consultant_id: b.consultant_id,
            team_id: b.team_id,
            due_at: b.due_at,
            breached_at: b.breached_at,
            policy_version: b.policy_version,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SlaBreachList {
    pub items: Vec<SlaBreach>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BreachQuery {
    pub limit: Option<u64>,
    pub cursor: Option<String>,
    pub kind: Option<String>,
    pub team_id: Option<Uuid>,
    pub consultant_id: Option<Uuid>,
    /// Deadlines from this instant (inclusive).
    #[serde(default, deserialize_with = "crate::extract::in_window")]
    pub from: Option<DateTime<Utc>>,
    /// Deadlines before this instant.
    #[serde(default, deserialize_with = "crate::extract::in_window")]
    pub to: Option<DateTime<Utc>>,
}

/// Missed deadlines within the caller's scope (own: as consultant; team; all).
#[utoipa::path(get, path = "/api/v1/sla-breaches", tag = "sla", operation_id = "list_sla_breaches",
    security(("bearer" = [])),
    params(BreachQuery),
    responses(
        (status = 200, description = "A page of breaches", body = SlaBreachList),
        (status = 400, description = "Malformed query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks sla_breaches:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown kind, limit out of range or a foreign cursor", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_sla_breaches(
    caller: Authorized<perm::SlaBreachesRead>,
    state: web::Data<AppState>,
    query: crate::extract::ApiQuery<BreachQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let page = PageRequest::new(q.limit, q.cursor.as_deref())?;
    let filter = BreachFilter {
        kind: q.kind,
        team_id: q.team_id,
        consultant_id: q.consultant_id,
        from: q.from,
        to: q.to,
    };
    let page = domain::outbox::sla::breaches(&state.db, &caller.actor, caller.scope, filter, page).await?;
    Ok(super::respond::page(page, |items, next_cursor| SlaBreachList {
        items,
        next_cursor,
    }))
}

/// A durable timer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Timer {
    pub id: Uuid,
    /// first_response, needs_assessment, follow_up, inspection, visit, complaint_resolution, webhook_delivery, periodic, probe.
    pub kind: String,
    /// warning, deadline, task, attempt, run.
    pub phase: String,
    pub subject_id: Option<Uuid>,
    pub customer_id: Option<Uuid>,
    pub due_at: DateTime<Utc>,
    pub policy_version: Option<i32>,
    #[schema(value_type = vocab::TimerState)]
    pub state: String,
    /// How many times the pump queued it.
    pub attempts: i32,
    pub queued_at: Option<DateTime<Utc>>,
    pub fired_at: Option<DateTime<Utc>>,
    /// The worker replica that fired it.
    pub fired_by: Option<String>,
    /// What firing did: reminded, breached, task_created, satisfied, ran, …
    pub outcome: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<TimerView> for Timer {
    fn from(t: TimerView) -> Self {
        Self {
            id: t.id,
            kind: t.kind,
            phase: t.phase,
            subject_id: t.subject_id,
            customer_id: t.customer_id,
            due_at: t.due_at,
            policy_version: t.policy_version,
            state: t.state.to_string(),
            attempts: t.attempts,
            queued_at: t.queued_at,
            fired_at: t.fired_at,
            fired_by: t.fired_by,
            outcome: t.outcome,
            created_at: t.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TimerList {
    pub items: Vec<Timer>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TimerQuery {
    pub limit: Option<u64>,
    pub cursor: Option<String>,
    pub kind: Option<String>,
    /// pending, queued, fired, completed, cancelled.
    pub state: Option<String>,
    pub subject_id: Option<Uuid>,
    pub customer_id: Option<Uuid>,
    #[serde(default, deserialize_with = "crate::extract::in_window")]
    pub due_before: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "crate::extract::in_window")]
    pub due_after: Option<DateTime<Utc>>,
}

/// Durable timers, for operations (queues:read).
#[utoipa::path(get, path = "/api/v1/timers", tag = "operations", operation_id = "list_timers",
    security(("bearer" = [])),
    params(TimerQuery),
    responses(
        (status = 200, description = "A page of timers, oldest first", body = TimerList),
        (status = 400, description = "Malformed query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks queues:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "limit out of range or a foreign cursor", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_timers(
    _caller: Authorized<perm::QueuesRead>,
    state: web::Data<AppState>,
    query: crate::extract::ApiQuery<TimerQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let page = PageRequest::new(q.limit, q.cursor.as_deref())?;
    let filter = TimerFilter {
        kind: q.kind,
        state: q.state,
        subject_id: q.subject_id,
        customer_id: q.customer_id,
        due_before: q.due_before,
        due_after: q.due_after,
    };
    let page = domain::outbox::timers::list(&state.db, filter, page).await?;
    Ok(super::respond::page(page, |items, next_cursor| TimerList {
        items,
        next_cursor,
    }))
}
