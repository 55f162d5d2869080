//! Customer feedback (`/api/v1/customers/{id}/feedback`, `/api/v1/feedback`)
//! and its routing table (`/api/v1/feedback-routes`): what customers say
//! about the product, the service, property management or prices, routed
//! to the department concerned (收集客户对产品、服务的意见，反馈至相关部门).
//! Lookups outside the caller's reach are 404.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use domain::{
    after_sales::feedback::{FeedbackFilter, FeedbackView, NewFeedback, RouteInput, RouteView, RoutingTable},
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
#[schema(example = json!({"id": "0193a0c4-7d1e-7a51-9a43-3e0d5c1f2a10", "customer_id": "0193a0c4-1111-7000-8000-000000000001",
    "category": "property_management", "source": "visit", "text": "小区绿化维护不及时",
    "department": "property_management", "department_zh": "物业管理部", "department_en": "Property Management",
    "route_version": 1, "status": "open", "consultant_id": "0193a0c4-2222-7000-8000-000000000002",
    "team_id": "0193a0c4-3333-7000-8000-000000000003", "recorded_by": "0193a0c4-4444-7000-8000-000000000004",
    "visit_id": null, "recipient_ids": ["0193a0c4-5555-7000-8000-000000000005"], "resolution": null,
    "resolved_by": null, "resolved_at": null, "created_at": "2026-11-20T09:30:00Z", "updated_at": "2026-11-20T09:30:00Z"}))]
pub struct Feedback {
    pub id: Uuid,
    pub customer_id: Uuid,
    #[schema(value_type = vocab::FeedbackCategory)]
    pub category: String,
    #[schema(value_type = vocab::FeedbackSource)]
    pub source: String,
    pub text: String,
    /// The code of the department it was routed to (the route's when recorded).
    pub department: String,
    /// The department's name in Chinese and in English.
    pub department_zh: String,
    pub department_en: String,
    /// The version of the routing table that routed it.
    pub route_version: i32,
    #[schema(value_type = vocab::FeedbackStatus)]
    pub status: String,
    /// The customer's consultant and team when it was recorded.
    pub consultant_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    pub recorded_by: Option<Uuid>,
    /// The post-handover visit it came with.
    pub visit_id: Option<Uuid>,
    /// Who it was routed to (and notified).
    pub recipient_ids: Vec<Uuid>,
    pub resolution: Option<String>,
    pub resolved_by: Option<Uuid>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<FeedbackView> for Feedback {
    fn from(v: FeedbackView) -> Self {
        Self {
            id: v.id,
            customer_id: v.customer_id,
            category: v.category.to_string(),
            source: v.source.to_string(),
            text: v.text,
            department: v.department,
            department_zh: v.department_zh,
            department_en: v.department_en,
            route_version: v.route_version,
            status: v.status.to_string(),
            consultant_id: v.consultant_id,
            team_id: v.team_id,
            recorded_by: v.recorded_by,
            visit_id: v.visit_id,
            recipient_ids: v.recipient_ids,
            resolution: v.resolution,
            resolved_by: v.resolved_by,
            resolved_at: v.resolved_at,
            created_at: v.created_at,
            updated_at: v.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FeedbackList {
    pub items: Vec<Feedback>,
    pub next_cursor: Option<String>,
}

/// Feedback heard from a customer.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"category": "property_management", "source": "call", "text": "小区绿化维护不及时"}))]
pub struct NewFeedbackBody {
    #[schema(value_type = vocab::FeedbackCategory)]
    pub category: String,
    #[schema(value_type = vocab::FeedbackSource)]
    pub source: String,
    /// What the customer said, 1 to 4000 characters.
    pub text: String,
}

/// How the department answered it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"resolution": "已安排物业每周两次修剪绿化，并回电告知客户"}))]
pub struct ResolutionBody {
    /// 1 to 4000 characters.
    pub resolution: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedbackQuery {
    pub limit: Option<u64>,
    pub cursor: Option<String>,
    /// `created_at` (oldest first, the default) or `-created_at` (newest first).
    pub sort: Option<String>,
    #[param(value_type = Option<vocab::FeedbackCategory>)]
    pub category: Option<String>,
    /// A department's code (`property_management`, …).
    pub department: Option<String>,
    #[param(value_type = Option<vocab::FeedbackStatus>)]
    pub status: Option<String>,
    pub customer_id: Option<Uuid>,
    /// Recorded from this instant (inclusive).
    #[serde(default, deserialize_with = "crate::extract::in_window")]
    pub from: Option<DateTime<Utc>>,
    /// Recorded before this instant.
    #[serde(default, deserialize_with = "crate::extract::in_window")]
    pub to: Option<DateTime<Utc>>,
}

/// Record a customer's feedback. It is routed at once to the department
/// its category goes to (`/feedback-routes`), whose recipients are
/// notified in their language; the customer's timeline records it.
#[utoipa::path(post, path = "/api/v1/customers/{id}/feedback", tag = "feedback", operation_id = "create_feedback",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Customer id")),
    request_body = NewFeedbackBody,
    responses(
        (status = 201, description = "Recorded and routed; `Location` names it", body = Feedback),
        (status = 400, description = "Malformed JSON or bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks feedback:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such customer within the caller's reach", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`customer_merged`: the customer was merged into another", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown category or source, or a text empty or too long", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_feedback(
    caller: Authorized<perm::FeedbackWrite>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    ApiJson(body): ApiJson<NewFeedbackBody>,
) -> Result<HttpResponse, ApiError> {
    let input = NewFeedback {
        category: body.category,
        source: body.source,
        text: body.text,
    };
    let (db, audit, actor, tz) = (&state.db, caller.audit(), &caller.actor, state.settings.timezone);
    let feedback =
        domain::after_sales::feedback::create(db, &audit, actor, caller.scope, tz, id.into_inner(), input).await?;
    super::respond::created::<Feedback, _>(format!("/api/v1/feedback/{}", feedback.id), feedback)
}

/// Customer feedback within the caller's reach: as it reaches the
/// customers, what it recorded, and what was routed to it.
#[utoipa::path(get, path = "/api/v1/feedback", tag = "feedback", operation_id = "list_feedback",
    security(("bearer" = [])),
    params(FeedbackQuery),
    responses(
        (status = 200, description = "A page of feedback, oldest first (newest first with `sort=-created_at`)", body = FeedbackList),
        (status = 400, description = "Malformed query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks feedback:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown category or status, `to` before `from`, limit out of range, a foreign cursor or an unknown sort", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_feedback(
    caller: Authorized<perm::FeedbackRead>,
    state: web::Data<AppState>,
    query: crate::extract::ApiQuery<FeedbackQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let page = PageRequest::new_sorted(q.limit, q.cursor.as_deref(), q.sort.as_deref())?;
    let filter = FeedbackFilter {
        category: q.category,
        department: q.department,
        status: q.status,
        customer_id: q.customer_id,
        from: q.from,
        to: q.to,
    };
    let page = domain::after_sales::feedback::list(&state.db, &caller.actor, caller.scope, filter, page).await?;
    Ok(super::respond::page(page, |items, next_cursor| FeedbackList {
        items,
        next_cursor,
    }))
}

/// One piece of feedback; outside the caller's reach it is 404.
#[utoipa::path(get, path = "/api/v1/feedback/{id}", tag = "feedback", operation_id = "get_feedback",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Feedback id")),
    responses(
        (status = 200, description = "The feedback; `ETag` names its version", body = Feedback),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks feedback:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such feedback within the caller's reach", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_feedback(
    caller: Authorized<perm::FeedbackRead>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let feedback = domain::after_sales::feedback::get(&state.db, &caller.actor, caller.scope, id.into_inner()).await?;
    super::respond::tagged::<Feedback, _>(feedback)
}

/// Resolve open feedback with a note on how it was answered (open →
/// resolved), by whoever reaches it with `feedback:write` — its recipients
/// included.
#[utoipa::path(post, path = "/api/v1/feedback/{id}/resolution", tag = "feedback", operation_id = "create_feedback_resolution",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Feedback id"),
        ("If-Match" = Option<String>, Header, description = "Resolve only if the feedback still has this ETag"),
    ),
    request_body = ResolutionBody,
    responses(
        (status = 200, description = "Resolved; the feedback as it is now, `ETag` names its version", body = Feedback),
        (status = 400, description = "Malformed JSON or bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks feedback:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such feedback within the caller's reach", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already resolved (`illegal_transition`)", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names an older version", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A resolution empty or too long", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_feedback_resolution(
    caller: Authorized<perm::FeedbackWrite>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    ApiJson(body): ApiJson<ResolutionBody>,
) -> Result<HttpResponse, ApiError> {
    let (db, audit, actor, id) = (&state.db, caller.audit(), &caller.actor, id.into_inner());
    let feedback = domain::after_sales::feedback::resolve(
        db,
        &audit,
        actor,
        caller.scope,
        id,
        body.resolution,
        if_match.as_deref(),
    )
    .await?;
    super::respond::tagged::<Feedback, _>(feedback)
}

/// Where one category of feedback goes.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"category": "property_management", "department": "property_management",
    "department_zh": "物业管理部", "department_en": "Property Management", "recipient_role": "support",
    "recipient_user_ids": []}))]
pub struct FeedbackRoute {
    #[schema(value_type = vocab::FeedbackCategory)]
    pub category: String,
    /// The department's code: 1 to 64 lowercase letters, digits or underscores.
    pub department: String,
    /// Its name in Chinese and in English, 1 to 100 characters each.
    pub department_zh: String,
    pub department_en: String,
    /// The role whose active holders are told.
    #[serde(default)]
    pub recipient_role: Option<String>,
    /// Staff accounts told by name (up to 20). A route needs a role or at least one account.
    #[serde(default)]
    pub recipient_user_ids: Vec<Uuid>,
}

impl From<RouteView> for FeedbackRoute {
    fn from(v: RouteView) -> Self {
        Self {
            category: v.category.to_string(),
            department: v.department,
            department_zh: v.department_zh,
            department_en: v.department_en,
            recipient_role: v.recipient_role,
            recipient_user_ids: v.recipient_user_ids,
        }
    }
}

/// The routing table: one route per category.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedbackRoutes {
    /// Raised by one on every change.
    pub version: i32,
    pub routes: Vec<FeedbackRoute>,
    pub updated_by: Option<Uuid>,
    pub updated_at: DateTime<Utc>,
}

impl From<RoutingTable> for FeedbackRoutes {
    fn from(t: RoutingTable) -> Self {
        Self {
            version: t.version,
            routes: t.routes.into_iter().map(Into::into).collect(),
            updated_by: t.updated_by,
            updated_at: t.updated_at,
        }
    }
}

/// The whole routing table, every category once.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FeedbackRoutesBody {
    pub routes: Vec<FeedbackRoute>,
}

/// The feedback routing table: for each category, the department concerned and who hears of it.
#[utoipa::path(get, path = "/api/v1/feedback-routes", tag = "feedback", operation_id = "get_feedback_routes",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The table; `ETag` names its version", body = FeedbackRoutes),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks feedback:route", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_feedback_routes(
    _caller: Authorized<perm::FeedbackRoute>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let table = domain::after_sales::feedback::routing_table(&state.db).await?;
    super::respond::tagged::<FeedbackRoutes, _>(table)
}

/// Replace the routing table (the director or an administrator): every
/// category once. Feedback recorded before keeps the department it was
/// routed to.
#[utoipa::path(put, path = "/api/v1/feedback-routes", tag = "feedback", operation_id = "update_feedback_routes",
    security(("bearer" = [])),
    params(("If-Match" = Option<String>, Header, description = "Change only if the table still has this ETag")),
    request_body = FeedbackRoutesBody,
    responses(
        (status = 200, description = "The table as it is now; `ETag` names its version", body = FeedbackRoutes),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks feedback:route", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names an older version", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A category missing, unknown or named twice, a bad department code or name, a route without recipients, an unknown role or a user who is not active staff", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_feedback_routes(
    caller: Authorized<perm::FeedbackRoute>,
    state: web::Data<AppState>,
    if_match: IfMatch,
    ApiJson(body): ApiJson<FeedbackRoutesBody>,
) -> Result<HttpResponse, ApiError> {
    let routes = body
        .routes
        .into_iter()
        .map(|r| RouteInput {
            category: r.category,
            department: r.department,
            department_zh: r.department_zh,
            department_en: r.department_en,
            recipient_role: r.recipient_role,
            recipient_user_ids: r.recipient_user_ids,
        })
        .collect();
    let table =
        domain::after_sales::feedback::update_routes(&state.db, &caller.audit(), routes, if_match.as_deref()).await?;
    super::respond::tagged::<FeedbackRoutes, _>(table)
}
