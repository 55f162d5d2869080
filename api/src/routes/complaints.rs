//! Complaints (`/api/v1/complaints`): received on a customer, routed to the
//! team's manager when major, resolved or reopened. Lookups outside the
//! caller's reach are 404.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, FixedOffset, Utc};
use domain::{
    after_sales::complaints::{ComplaintChange, ComplaintFilter, ComplaintView, NewComplaint},
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

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a0c4-7d1e-7a51-9a43-3e0d5c1f2a10", "customer_id": "0193a0c4-6b2a-7c11-8f00-1a2b3c4d5e6f",
    "deal_id": null, "consultant_id": "0193a0c4-1111-7000-8000-000000000001", "team_id": "0193a0c4-2222-7000-8000-000000000002",
    "handler_id": "0193a0c4-3333-7000-8000-000000000003", "severity": "major", "summary": "交房延期未通知",
    "status": "open", "received_at": "2026-11-20T09:30:00Z", "resolved_at": null, "resolution": null,
    "created_at": "2026-11-20T09:31:00Z", "updated_at": "2026-11-20T09:31:00Z"}))]
pub struct Complaint {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub deal_id: Option<Uuid>,
    /// The customer's consultant when the complaint was received.
    pub consultant_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    /// Who handles it: the team's manager for a major complaint.
    pub handler_id: Option<Uuid>,
    #[schema(value_type = vocab::ComplaintSeverity)]
    pub severity: String,
    pub summary: String,
    #[schema(value_type = vocab::ComplaintStatus)]
    pub status: String,
    pub received_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolution: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<ComplaintView> for Complaint {
    fn from(v: ComplaintView) -> Self {
        Self {
            id: v.id,
            customer_id: v.customer_id,
            deal_id: v.deal_id,
            consultant_id: v.consultant_id,
            team_id: v.team_id,
            handler_id: v.handler_id,
            severity: v.severity,
            summary: v.summary,
            status: v.status,
            received_at: v.received_at,
            resolved_at: v.resolved_at,
            resolution: v.resolution,
            created_at: v.created_at,
            updated_at: v.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ComplaintList {
    pub items: Vec<Complaint>,
    pub next_cursor: Option<String>,
}

/// A complaint received from a customer; `received_at` (RFC 3339 with offset) defaults to now.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"customer_id": "0193a0c4-6b2a-7c11-8f00-1a2b3c4d5e6f", "severity": "major",
    "summary": "交房延期未通知", "received_at": "2026-11-20T17:30:00+08:00"}))]
pub struct NewComplaintBody {
    pub customer_id: Uuid,
    pub deal_id: Option<Uuid>,
    #[schema(value_type = vocab::ComplaintSeverity)]
    pub severity: String,
    pub summary: String,
    #[serde(default, deserialize_with = "crate::extract::in_window")]
    pub received_at: Option<DateTime<FixedOffset>>,
}

/// Resolve (`status: resolved` with a `resolution`, `resolved_at` defaulting to now) or reopen (`status: open`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "resolved", "resolution": "已书面致歉并补偿物业费", "resolved_at": "2026-11-22T10:00:00+08:00"}))]
pub struct ComplaintPatch {
    #[schema(value_type = vocab::ComplaintStatus)]
    pub status: String,
    pub resolution: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::in_window")]
    pub resolved_at: Option<DateTime<FixedOffset>>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ComplaintQuery {
    pub limit: Option<u64>,
    pub cursor: Option<String>,
    /// `created_at` (oldest first, the default) or `-created_at` (newest first).
    pub sort: Option<String>,
    #[param(value_type = Option<vocab::ComplaintStatus>)]
    pub status: Option<String>,
    #[param(value_type = Option<vocab::ComplaintSeverity>)]
    pub severity: Option<String>,
    pub customer_id: Option<Uuid>,
    pub consultant_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
}

/// Record a complaint on a customer within the caller's reach. A major one
/// is handled by the manager of the customer's team.
#[utoipa::path(post, path = "/api/v1/complaints", tag = "complaints", operation_id = "create_complaint",
    security(("bearer" = [])),
    request_body = NewComplaintBody,
    responses(
        (status = 201, description = "Received; `Location` names it", body = Complaint),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks complaints:write", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, a time in the future, or a customer outside the caller's reach", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_complaint(
    caller: Authorized<perm::ComplaintsWrite>,
    state: web::Data<AppState>,
    ApiJson(body): ApiJson<NewComplaintBody>,
) -> Result<HttpResponse, ApiError> {
    let input = NewComplaint {
        customer_id: body.customer_id,
        deal_id: body.deal_id,
        severity: body.severity,
        summary: body.summary,
        received_at: body.received_at.map(|t| t.with_timezone(&Utc)),
    };
    let complaint =
        domain::after_sales::complaints::create(&state.db, &caller.audit(), &caller.actor, caller.scope, input).await?;
    super::respond::created::<Complaint, _>(format!("/api/v1/complaints/{}", complaint.id), complaint)
}

/// Complaints within the caller's reach.
#[utoipa::path(get, path = "/api/v1/complaints", tag = "complaints", operation_id = "list_complaints",
    security(("bearer" = [])),
    params(ComplaintQuery),
    responses(
        (status = 200, description = "A page of complaints, oldest first (newest first with `sort=-created_at`)", body = ComplaintList),
        (status = 400, description = "Malformed query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks complaints:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown status or severity, limit out of range, a foreign cursor or an unknown sort", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_complaints(
    caller: Authorized<perm::ComplaintsRead>,
    state: web::Data<AppState>,
    query: crate::extract::ApiQuery<ComplaintQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let page = PageRequest::new_sorted(q.limit, q.cursor.as_deref(), q.sort.as_deref())?;
    let filter = ComplaintFilter {
        status: q.status,
        severity: q.severity,
        customer_id: q.customer_id,
        consultant_id: q.consultant_id,
        team_id: q.team_id,
    };
    let page = domain::after_sales::complaints::list(&state.db, &caller.actor, caller.scope, filter, page).await?;
    Ok(super::respond::page(page, |items, next_cursor| ComplaintList {
        items,
        next_cursor,
    }))
}

/// One complaint; outside the caller's reach it is 404.
#[utoipa::path(get, path = "/api/v1/complaints/{id}", tag = "complaints", operation_id = "get_complaint",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Complaint id")),
    responses(
        (status = 200, description = "The complaint; `ETag` names its version", body = Complaint),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks complaints:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such complaint within the caller's reach", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_complaint(
    caller: Authorized<perm::ComplaintsRead>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let complaint =
        domain::after_sales::complaints::get(&state.db, &caller.actor, caller.scope, id.into_inner()).await?;
    super::respond::tagged::<Complaint, _>(complaint)
}

/// Resolve a complaint (with its resolution) or reopen it.
#[utoipa::path(patch, path = "/api/v1/complaints/{id}", tag = "complaints", operation_id = "update_complaint",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Complaint id"),
        ("If-Match" = Option<String>, Header, description = "Apply only if the complaint still has this ETag"),
    ),
    request_body = ComplaintPatch,
    responses(
        (status = 200, description = "Changed; `ETag` names the new version", body = Complaint),
        (status = 400, description = "Malformed JSON or bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks complaints:write, or resolving a complaint that has a handler without being that handler or a manager of its team", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such complaint within the caller's reach", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already in that status (`illegal_transition`)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names an older version", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No resolution, a resolution time before receipt or in the future", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_complaint(
    caller: Authorized<perm::ComplaintsWrite>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    ApiJson(body): ApiJson<ComplaintPatch>,
) -> Result<HttpResponse, ApiError> {
    let change = ComplaintChange {
        status: body.status,
        resolution: body.resolution,
        resolved_at: body.resolved_at.map(|t| t.with_timezone(&Utc)),
    };
    let complaint = domain::after_sales::complaints::update(
        &state.db,
        &caller.audit(),
        &caller.actor,
        caller.scope,
        id.into_inner(),
        change,
        if_match.as_deref(),
    )
    .await?;
    super::respond::tagged::<Complaint, _>(complaint)
}
