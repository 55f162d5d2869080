//! Follow-ups (`/api/v1/customers/{id}/follow-ups`) and needs assessments
//! (`/api/v1/customers/{id}/needs`): the contacts and findings that stamp
//! the first-response and needs-assessed times the deadlines watch.

use actix_web::{HttpResponse, http::header, web};
use chrono::{DateTime, Utc};
use domain::{
    platform::page::PageRequest,
    sales::follow_ups::{FollowUpView, NewFollowUp},
    sales::needs::{NeedsView, NewNeeds, NewRecommendation},
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::{
    auth::{Authorized, perm},
    error::{ApiError, Problem},
    extract::ApiJson,
    state::AppState,
    vocab,
};

#[derive(Debug, Serialize, ToSchema)]
pub struct FollowUp {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub author_id: Option<Uuid>,
    #[schema(value_type = vocab::FollowUpKind)]
    pub kind: String,
    pub occurred_at: DateTime<Utc>,
    /// Whether the customer was reached; the first reached follow-up is the first response.
    pub reached: bool,
    pub notes: Option<String>,
    pub next_step: Option<String>,
    pub next_follow_up_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<FollowUpView> for FollowUp {
    fn from(v: FollowUpView) -> Self {
        Self {
            id: v.id,
            customer_id: v.customer_id,
            author_id: v.author_id,
            kind: v.kind,
            occurred_at: v.occurred_at,
            reached: v.reached,
            notes: v.notes,
            next_step: v.next_step,
            next_follow_up_at: v.next_follow_up_at,
            created_at: v.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FollowUpList {
    pub items: Vec<FollowUp>,
    pub next_cursor: Option<String>,
}

/// A contact with the customer. `occurred_at` defaults to now.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "call", "occurred_at": "2026-11-27T10:30:00+08:00", "reached": true,
    "notes": "Sent the brochure of Phase 2", "next_step": "Showing on Saturday",
    "next_follow_up_at": "2026-11-29T10:00:00+08:00"}))]
pub struct NewFollowUpBody {
    #[schema(value_type = vocab::FollowUpKind)]
    pub kind: String,
    #[serde(default, deserialize_with = "crate::extract::in_window")]
    pub occurred_at: Option<DateTime<Utc>>,
    /// Default true.
    pub reached: Option<bool>,
    pub notes: Option<String>,
    pub next_step: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::in_window")]
    pub next_follow_up_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    pub limit: Option<u64>,
    pub cursor: Option<String>,
    /// `created_at` (oldest first, the default) or `-created_at` (newest first).
    pub sort: Option<String>,
}

/// Record a contact with the customer. The first one that reaches the
/// customer stamps `first_response_at` and makes a new lead `contacted`.
#[utoipa::path(post, path = "/api/v1/customers/{id}/follow-ups", tag = "customers", operation_id = "create_follow_up",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Customer id")),
    request_body = NewFollowUpBody,
    responses(
        (status = 201, description = "Recorded", body = FollowUp),
        (status = 400, description = "Malformed JSON or bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks customers:write, or a partner client", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such customer within the caller's reach", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`customer_merged`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (unknown kind, time in the future or before the lead)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_follow_up(
    caller: Authorized<perm::CustomersWrite>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    ApiJson(body): ApiJson<NewFollowUpBody>,
) -> Result<HttpResponse, ApiError> {
    caller.require_staff()?;
    let id = id.into_inner();
    let input = NewFollowUp {
        kind: body.kind,
        occurred_at: body.occurred_at,
        reached: body.reached.unwrap_or(true),
        notes: body.notes,
        next_step: body.next_step,
        next_follow_up_at: body.next_follow_up_at,
    };
    let (db, audit, actor) = (&state.db, caller.audit(), &caller.actor);
    let follow_up = domain::sales::follow_ups::create(db, &audit, actor, caller.scope, id, input).await?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/customers/{id}/follow-ups/{}", follow_up.id),
        ))
        .json(FollowUp::from(follow_up)))
}

/// A customer's follow-ups, in the order they were recorded.
#[utoipa::path(get, path = "/api/v1/customers/{id}/follow-ups", tag = "customers", operation_id = "list_follow_ups",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Customer id"), PageQuery),
    responses(
        (status = 200, description = "A page of follow-ups, oldest first (newest first with `sort=-created_at`)", body = FollowUpList),
        (status = 400, description = "Bad id or query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks customers:read, or a partner client (staff notes; partners read the timeline)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such customer within the caller's reach", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "limit out of range, a foreign cursor or an unknown sort", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_follow_ups(
    caller: Authorized<perm::CustomersRead>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: crate::extract::ApiQuery<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.require_staff()?;
    let page = PageRequest::new_sorted(query.limit, query.cursor.as_deref(), query.sort.as_deref())?;
    let page = domain::sales::follow_ups::list(&state.db, &caller.actor, caller.scope, id.into_inner(), page).await?;
    Ok(super::respond::page(page, |items, next_cursor| FollowUpList {
        items,
        next_cursor,
    }))
}

/// A unit recommended to the customer, and the customer's reaction.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitRecommendation {
    pub unit_id: Uuid,
    #[schema(value_type = vocab::Reaction)]
    pub reaction: String,
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Needs {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub author_id: Option<Uuid>,
    /// Budget range in fen (分).
    pub budget_min_fen: Option<i64>,
    pub budget_max_fen: Option<i64>,
    pub districts: Vec<String>,
    /// For example 3室2厅.
    pub layout: Option<String>,
    /// Floor area range in square metres.
    pub area_min_sqm: Option<i32>,
    pub area_max_sqm: Option<i32>,
    #[schema(value_type = Option<vocab::Purpose>)]
    pub purpose: Option<String>,
    pub notes: Option<String>,
    pub recommendations: Vec<UnitRecommendation>,
    pub assessed_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

impl From<NeedsView> for Needs {
    fn from(v: NeedsView) -> Self {
        Self {
            id: v.id,
            customer_id: v.customer_id,
            author_id: v.author_id,
            budget_min_fen: v.budget_min_fen,
            budget_max_fen: v.budget_max_fen,
            districts: v.districts,
            layout: v.layout,
            area_min_sqm: v.area_min_sqm,
            area_max_sqm: v.area_max_sqm,
            purpose: v.purpose,
            notes: v.notes,
            recommendations: v
                .recommendations
                .into_iter()
                .map(|r| UnitRecommendation {
                    unit_id: r.unit_id,
                    reaction: r.reaction.to_string(),
                    note: r.note,
                })
                .collect(),
            assessed_at: v.assessed_at,
            created_at: v.created_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NeedsList {
    pub items: Vec<Needs>,
    pub next_cursor: Option<String>,
}

/// What the customer is looking for, and the units recommended.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"budget_min_fen": 300_000_000, "budget_max_fen": 450_000_000,
    "districts": ["浦东", "闵行"], "layout": "3室2厅", "area_min_sqm": 90, "area_max_sqm": 120,
    "purpose": "own_use", "recommendations": [{"unit_id": "0192f1c4-7d1e-7a51-9a43-3e0d5c1f2a10", "reaction": "interested"}]}))]
pub struct NewNeedsBody {
    /// In fen, from 0 to 1000000000000 (¥10,000,000,000).
    #[schema(minimum = 0, maximum = 1000000000000i64)]
    pub budget_min_fen: Option<i64>,
    /// In fen, from 0 to 1000000000000 (¥10,000,000,000); not below the minimum.
    #[schema(minimum = 0, maximum = 1000000000000i64)]
    pub budget_max_fen: Option<i64>,
    #[serde(default)]
    pub districts: Vec<String>,
    pub layout: Option<String>,
    pub area_min_sqm: Option<i32>,
    pub area_max_sqm: Option<i32>,
    #[schema(value_type = Option<vocab::Purpose>)]
    pub purpose: Option<String>,
    pub notes: Option<String>,
    #[serde(default)]
    pub recommendations: Vec<UnitRecommendation>,
    /// When the assessment was made; now if not given.
    #[serde(default, deserialize_with = "crate::extract::in_window")]
    pub assessed_at: Option<DateTime<Utc>>,
}

fn recommendation(r: UnitRecommendation) -> NewRecommendation {
    NewRecommendation {
        unit_id: r.unit_id,
        reaction: r.reaction,
        note: r.note,
    }
}

/// Record a needs assessment. The first one stamps `needs_assessed_at`
/// and moves a new or contacted customer to `needs_assessed`.
#[utoipa::path(post, path = "/api/v1/customers/{id}/needs", tag = "customers", operation_id = "create_needs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Customer id")),
    request_body = NewNeedsBody,
    responses(
        (status = 201, description = "Recorded", body = Needs),
        (status = 400, description = "Malformed JSON or bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks customers:write, or a partner client", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such customer within the caller's reach", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (ranges, unknown units, purpose, reaction)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_needs(
    caller: Authorized<perm::CustomersWrite>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    ApiJson(body): ApiJson<NewNeedsBody>,
) -> Result<HttpResponse, ApiError> {
    caller.require_staff()?;
    let id = id.into_inner();
    let input = NewNeeds {
        budget_min_fen: body.budget_min_fen,
        budget_max_fen: body.budget_max_fen,
        districts: body.districts,
        layout: body.layout,
        area_min_sqm: body.area_min_sqm,
        area_max_sqm: body.area_max_sqm,
        purpose: body.purpose,
        notes: body.notes,
        recommendations: body.recommendations.into_iter().map(recommendation).collect(),
        assessed_at: body.assessed_at,
    };
    let (db, audit, actor) = (&state.db, caller.audit(), &caller.actor);
    let needs = domain::sales::needs::create(db, &audit, actor, caller.scope, id, input).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/customers/{id}/needs/{}", needs.id)))
        .json(Needs::from(needs)))
}

/// A customer's needs assessments, oldest first.
#[utoipa::path(get, path = "/api/v1/customers/{id}/needs", tag = "customers", operation_id = "list_needs",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Customer id"), PageQuery),
    responses(
        (status = 200, description = "A page of assessments, oldest first (newest first with `sort=-created_at`)", body = NeedsList),
        (status = 400, description = "Bad id or query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks customers:read, or a partner client (budgets and staff findings; partners read the timeline)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such customer within the caller's reach", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "limit out of range, a foreign cursor or an unknown sort", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_needs(
    caller: Authorized<perm::CustomersRead>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: crate::extract::ApiQuery<PageQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.require_staff()?;
    let page = PageRequest::new_sorted(query.limit, query.cursor.as_deref(), query.sort.as_deref())?;
    let page = domain::sales::needs::list(&state.db, &caller.actor, caller.scope, id.into_inner(), page).await?;
    Ok(super::respond::page(page, |items, next_cursor| NeedsList {
        items,
        next_cursor,
    }))
}

/// The customer's reaction to a recommended unit.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reaction": "rejected", "note": "too noisy, faces the ring road"}))]
pub struct ReactionBody {
    #[schema(value_type = vocab::Reaction)]
    pub reaction: String,
    pub note: Option<String>,
}

/// Record how the customer took a recommended unit.
#[utoipa::path(put, path = "/api/v1/customers/{id}/needs/{needs_id}/recommendations/{unit_id}", tag = "customers",
    operation_id = "update_recommendation",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Customer id"),
        ("needs_id" = Uuid, Path, description = "Needs assessment id"),
        ("unit_id" = Uuid, Path, description = "The recommended unit"),
    ),
    request_body = ReactionBody,
    responses(
        (status = 200, description = "The assessment with the reaction", body = Needs),
        (status = 400, description = "Malformed JSON or bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks customers:write, or a partner client", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such customer, assessment or recommendation", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown reaction", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_recommendation(
    caller: Authorized<perm::CustomersWrite>,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid, Uuid)>,
    ApiJson(body): ApiJson<ReactionBody>,
) -> Result<HttpResponse, ApiError> {
    caller.require_staff()?;
    let ids = path.into_inner();
    let reaction = NewRecommendation {
        unit_id: ids.2,
        reaction: body.reaction,
        note: body.note,
    };
    let (db, audit, actor) = (&state.db, caller.audit(), &caller.actor);
    let needs = domain::sales::needs::react(db, &audit, actor, caller.scope, ids, reaction).await?;
    Ok(HttpResponse::Ok().json(Needs::from(needs)))
}
