//! Approvals (`/api/v1/approvals`): sales policies and marketing plans that
//! managers and customer managers submit and the sales director approves or
//! rejects (审批重大销售政策及市场推广方案). Lookups outside the caller's
//! reach are 404.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, NaiveDate, Utc};
use domain::{
    platform::page::PageRequest,
    sales::approvals::{ApprovalFilter, ApprovalView, Decision, NewApproval},
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

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a0c4-7d1e-7a51-9a43-3e0d5c1f2a10", "kind": "marketing_plan",
    "title": "春季开盘推广方案", "period_start": "2027-03-01", "period_end": "2027-04-30", "budget_fen": 120000000,
    "content": "线上投放与户外展销结合……", "attachments": ["https://files.example.com/spring-plan.pdf"],
    "status": "approved", "submitter_id": "0193a0c4-1111-7000-8000-000000000001",
    "team_id": "0193a0c4-2222-7000-8000-000000000002", "resubmission_of": null,
    "submitted_at": "2026-11-20T09:30:00Z", "due_at": "2026-11-23T09:30:00Z", "overdue_at": null,
    "decided_by": "0193a0c4-3333-7000-8000-000000000003", "decided_at": "2026-11-21T10:00:00Z",
    "decision_comment": "同意，注意控制户外成本", "withdrawn_at": null,
    "created_at": "2026-11-20T09:30:00Z", "updated_at": "2026-11-21T10:00:00Z"}))]
pub struct Approval {
    pub id: Uuid,
    #[schema(value_type = vocab::ApprovalKind)]
    pub kind: String,
    pub title: String,
    pub period_start: NaiveDate,
    pub period_end: NaiveDate,
    /// The budget in fen (1/100 yuan).
    pub budget_fen: i64,
    pub content: String,
    /// Links (https) to the attachments.
    pub attachments: Vec<String>,
    #[schema(value_type = vocab::ApprovalStatus)]
    pub status: String,
    pub submitter_id: Uuid,
    /// The submitter's team when submitted.
    pub team_id: Option<Uuid>,
    /// The rejected request this one resubmits.
    pub resubmission_of: Option<Uuid>,
    pub submitted_at: DateTime<Utc>,
    /// When the decision is due (the `approval_decision` SLA policy).
    pub due_at: DateTime<Utc>,
    /// When the deadline passed undecided.
    pub overdue_at: Option<DateTime<Utc>>,
    pub decided_by: Option<Uuid>,
    pub decided_at: Option<DateTime<Utc>>,
    pub decision_comment: Option<String>,
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<ApprovalView> for Approval {
    fn from(v: ApprovalView) -> Self {
        Self {
            id: v.id,
            kind: v.kind.to_string(),
            title: v.title,
            period_start: v.period_start,
            period_end: v.period_end,
            budget_fen: v.budget_fen,
            content: v.content,
            attachments: v.attachments,
            status: v.status.to_string(),
            submitter_id: v.submitter_id,
            team_id: v.team_id,
            resubmission_of: v.resubmission_of,
            submitted_at: v.submitted_at,
            due_at: v.due_at,
            overdue_at: v.overdue_at,
            decided_by: v.decided_by,
            decided_at: v.decided_at,
            decision_comment: v.decision_comment,
            withdrawn_at: v.withdrawn_at,
            created_at: v.created_at,
            updated_at: v.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ApprovalList {
    pub items: Vec<Approval>,
    pub next_cursor: Option<String>,
}

/// A sales policy or marketing plan submitted for the director's decision.
/// To resubmit a rejected request, name it in `resubmission_of`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "marketing_plan", "title": "春季开盘推广方案", "period_start": "2027-03-01",
    "period_end": "2027-04-30", "budget_fen": 120000000, "content": "线上投放与户外展销结合……",
    "attachments": ["https://files.example.com/spring-plan.pdf"]}))]
pub struct NewApprovalBody {
    #[schema(value_type = vocab::ApprovalKind)]
    pub kind: String,
    pub title: String,
    #[serde(deserialize_with = "crate::extract::in_window")]
    pub period_start: NaiveDate,
    #[serde(deserialize_with = "crate::extract::in_window")]
    pub period_end: NaiveDate,
    /// The budget in fen, from 0 to 1000000000000.
    #[schema(minimum = 0, maximum = 1000000000000i64)]
    pub budget_fen: i64,
    pub content: String,
    /// Up to 10 https links to the attachments.
    #[serde(default)]
    pub attachments: Vec<String>,
    pub resubmission_of: Option<Uuid>,
}

/// The director's decision; a rejection needs a `comment`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"decision": "approved", "comment": "同意，注意控制户外成本"}))]
pub struct DecisionBody {
    #[schema(value_type = vocab::ApprovalDecision)]
    pub decision: String,
    pub comment: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ApprovalQuery {
    pub limit: Option<u64>,
    pub cursor: Option<String>,
    /// `created_at` (oldest first, the default) or `-created_at` (newest first).
    pub sort: Option<String>,
    #[param(value_type = Option<vocab::ApprovalStatus>)]
    pub status: Option<String>,
    #[param(value_type = Option<vocab::ApprovalKind>)]
    pub kind: Option<String>,
    pub submitter_id: Option<Uuid>,
}

/// Submit a sales policy or marketing plan for approval. The decision
/// deadline starts (the `approval_decision` SLA policy) and the directors
/// are notified.
#[utoipa::path(post, path = "/api/v1/approvals", tag = "approvals", operation_id = "create_approval",
    security(("bearer" = [])),
    request_body = NewApprovalBody,
    responses(
        (status = 201, description = "Submitted; `Location` names it", body = Approval),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks approvals:write, or not a staff account", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields: unknown kind, empty title or text, a period ending before it starts, a budget out of range, a link that is not https, too many links, or `resubmission_of` not naming a rejected request of the caller's", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_approval(
    caller: Authorized<perm::ApprovalsWrite>,
    state: web::Data<AppState>,
    ApiJson(body): ApiJson<NewApprovalBody>,
) -> Result<HttpResponse, ApiError> {
    let input = NewApproval {
        kind: body.kind,
        title: body.title,
        period_start: body.period_start,
        period_end: body.period_end,
        budget_fen: body.budget_fen,
        content: body.content,
        attachments: body.attachments,
        resubmission_of: body.resubmission_of,
    };
    let tz = state.settings.timezone;
    let approval = domain::sales::approvals::submit(&state.db, &caller.audit(), &caller.actor, tz, input).await?;
    super::respond::created::<Approval, _>(format!("/api/v1/approvals/{}", approval.id), approval)
}

/// Approval requests within the caller's reach.
#[utoipa::path(get, path = "/api/v1/approvals", tag = "approvals", operation_id = "list_approvals",
    security(("bearer" = [])),
    params(ApprovalQuery),
    responses(
        (status = 200, description = "A page of requests, oldest first (newest first with `sort=-created_at`)", body = ApprovalList),
        (status = 400, description = "Malformed query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks approvals:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown status or kind, limit out of range, a foreign cursor or an unknown sort", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_approvals(
    caller: Authorized<perm::ApprovalsRead>,
    state: web::Data<AppState>,
    query: crate::extract::ApiQuery<ApprovalQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let page = PageRequest::new_sorted(q.limit, q.cursor.as_deref(), q.sort.as_deref())?;
    let filter = ApprovalFilter {
        status: q.status,
        kind: q.kind,
        submitter_id: q.submitter_id,
    };
    let page = domain::sales::approvals::list(&state.db, &caller.actor, caller.scope, filter, page).await?;
    Ok(super::respond::page(page, |items, next_cursor| ApprovalList {
        items,
        next_cursor,
    }))
}

/// One approval request; outside the caller's reach it is 404.
#[utoipa::path(get, path = "/api/v1/approvals/{id}", tag = "approvals", operation_id = "get_approval",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Approval request id")),
    responses(
        (status = 200, description = "The request; `ETag` names its version", body = Approval),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks approvals:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request within the caller's reach", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_approval(
    caller: Authorized<perm::ApprovalsRead>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let approval = domain::sales::approvals::get(&state.db, &caller.actor, caller.scope, id.into_inner()).await?;
    super::respond::tagged::<Approval, _>(approval)
}

/// Approve or reject a submitted request (the director). The deadline ends,
/// the submitter is notified.
#[utoipa::path(post, path = "/api/v1/approvals/{id}/decision", tag = "approvals", operation_id = "create_approval_decision",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Approval request id"),
        ("If-Match" = Option<String>, Header, description = "Decide only if the request still has this ETag"),
    ),
    request_body = DecisionBody,
    responses(
        (status = 200, description = "Decided; the request as it is now, `ETag` names its version", body = Approval),
        (status = 400, description = "Malformed JSON or bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks approvals:decide", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request within the caller's reach", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already decided or withdrawn (`illegal_transition`)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names an older version", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown decision, a rejection without a comment, or a comment too long", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_approval_decision(
    caller: Authorized<perm::ApprovalsDecide>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    ApiJson(body): ApiJson<DecisionBody>,
) -> Result<HttpResponse, ApiError> {
    let decision = Decision {
        decision: body.decision,
        comment: body.comment,
    };
    let (db, audit, actor, tz) = (&state.db, caller.audit(), &caller.actor, state.settings.timezone);
    let id = id.into_inner();
    let approval =
        domain::sales::approvals::decide(db, &audit, actor, caller.scope, tz, id, decision, if_match.as_deref())
            .await?;
    super::respond::tagged::<Approval, _>(approval)
}

/// Withdraw a request still waiting for its decision (its submitter). The
/// deadline is cancelled.
#[utoipa::path(post, path = "/api/v1/approvals/{id}/withdrawal", tag = "approvals", operation_id = "create_approval_withdrawal",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Approval request id"),
        ("If-Match" = Option<String>, Header, description = "Withdraw only if the request still has this ETag"),
    ),
    responses(
        (status = 200, description = "Withdrawn; the request as it is now, `ETag` names its version", body = Approval),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks approvals:write, or not the request's submitter", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such request within the caller's reach", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already decided or withdrawn (`illegal_transition`)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names an older version", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_approval_withdrawal(
    caller: Authorized<perm::ApprovalsWrite>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    let (db, audit, actor) = (&state.db, caller.audit(), &caller.actor);
    let approval =
        domain::sales::approvals::withdraw(db, &audit, actor, caller.scope, id.into_inner(), if_match.as_deref())
            .await?;
    super::respond::tagged::<Approval, _>(approval)
}
