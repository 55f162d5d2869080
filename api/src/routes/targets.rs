//! Sales targets (`/api/v1/targets`): the director sets yearly, quarterly
//! and monthly targets (units and amount in fen) for the department,
//! regions and teams and splits them down (`/split`); a manager splits their
//! team's month to its consultants (the monthly plan). Each split is checked
//! against its target (`/plan`): under-allocation is reported,
//! over-allocation refused (`target_over_allocated`). Managers read their
//! teams' and consultants' targets. Setting, changing and deleting one
//! target need `targets:write` on all records.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use domain::{
    performance::targets::{Allocation, Balance, NewTarget, Part, Plan, TargetChange, TargetFilter, TargetView},
    platform::page::PageRequest,
};
use sea_orm::ActiveEnum;
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
#[schema(example = json!({"id": "0193a0c4-7d1e-7a51-9a43-3e0d5c1f2a10", "period": "2026-Q1", "level": "team", "region_id": null,
    "team_id": "0193a0c4-2222-7000-8000-000000000002", "user_id": null, "units": 24, "amount_fen": 7200000000i64,
    "set_by": "0193a0c4-4444-7000-8000-000000000004", "created_at": "2025-12-20T08:00:00Z", "updated_at": "2025-12-20T08:00:00Z"}))]
pub struct Target {
    pub id: Uuid,
    /// A year (`2026`), a quarter (`2026-Q1` … `2026-Q4`) or a month (`2026-11`).
    pub period: String,
    /// Whose target: the department's, a region's, a team's or a consultant's.
    #[schema(value_type = vocab::TargetLevel)]
    pub level: String,
    /// The region of a region's target.
    pub region_id: Option<Uuid>,
    /// The team of a team's target, and the consultant's team of a consultant's.
    pub team_id: Option<Uuid>,
    /// The consultant of a consultant's target.
    pub user_id: Option<Uuid>,
    /// Units to sell (成交套数).
    pub units: i32,
    /// Amount to sell (成交金额), in fen.
    pub amount_fen: i64,
    /// Who set it.
    pub set_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<TargetView> for Target {
    fn from(v: TargetView) -> Self {
        Self {
            id: v.id,
            period: v.period,
            level: v.level.to_value(),
            region_id: v.region_id,
            team_id: v.team_id,
            user_id: v.user_id,
            units: v.units,
            amount_fen: v.amount_fen,
            set_by: v.set_by,
            created_at: v.created_at,
            updated_at: v.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TargetList {
    pub items: Vec<Target>,
    pub next_cursor: Option<String>,
}

/// A target for the department (`level: department`, naming nothing else),
/// a region (`region_id`), a team (`team_id`) or a consultant (`user_id`).
/// Without `level`, it is a consultant's with `user_id`, else a region's or
/// a team's by which one is named. Amounts are whole fen.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"period": "2026-Q1", "team_id": "0193a0c4-2222-7000-8000-000000000002", "units": 24, "amount_fen": 7200000000i64}))]
pub struct NewTargetBody {
    /// `2026`, `2026-Q1` or `2026-11`.
    pub period: String,
    #[schema(value_type = Option<vocab::TargetLevel>)]
    pub level: Option<String>,
    pub region_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    pub user_id: Option<Uuid>,
    pub units: i64,
    /// In fen, from 0 to 1000000000000 (¥10,000,000,000).
    #[schema(minimum = 0, maximum = 1000000000000i64)]
    pub amount_fen: i64,
}

/// New figures; only those given change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"units": 30}))]
pub struct TargetPatch {
    pub units: Option<i64>,
    /// In fen, from 0 to 1000000000000 (¥10,000,000,000).
    #[schema(minimum = 0, maximum = 1000000000000i64)]
    pub amount_fen: Option<i64>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TargetQuery {
    pub limit: Option<u64>,
    pub cursor: Option<String>,
    /// `created_at` (oldest first, the default) or `-created_at` (newest first).
    pub sort: Option<String>,
    /// Exactly this period (`2026`, `2026-Q1` or `2026-11`).
    pub period: Option<String>,
    /// The year, its quarters and its months.
    pub year: Option<String>,
    /// Targets of this level only.
    #[param(value_type = Option<vocab::TargetLevel>)]
    pub level: Option<String>,
    pub region_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    /// A consultant's targets.
    pub user_id: Option<Uuid>,
}

/// Set a target for a period and the department, a region, a team or a
/// consultant. A second target for the same period and subject is refused
/// (`target_exists`): change that one. So is one that would leave a target
/// over-allocated: its parts, or it and its siblings, adding up to more
/// than their target (`target_over_allocated`).
#[utoipa::path(post, path = "/api/v1/targets", tag = "targets", operation_id = "create_target",
    security(("bearer" = [])),
    request_body = NewTargetBody,
    responses(
        (status = 201, description = "Set; `Location` names it", body = Target),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks targets:write on all records", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "This period and subject have a target already (`target_exists`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad period or level, negative or non-integer figures, ids that do not fit the level, unknown region, team or consultant (`validation_failed`); or the target would leave its parent or itself over-allocated (`target_over_allocated`)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_target(
    caller: Authorized<perm::TargetsWrite>,
    state: web::Data<AppState>,
    ApiJson(body): ApiJson<NewTargetBody>,
) -> Result<HttpResponse, ApiError> {
    caller.require_all_records()?;
    let input = NewTarget {
        period: body.period,
        level: body.level,
        region_id: body.region_id,
        team_id: body.team_id,
        user_id: body.user_id,
        units: body.units,
        amount_fen: body.amount_fen,
    };
    let target = domain::performance::targets::create(&state.db, &caller.audit(), &caller.actor, input).await?;
    super::respond::created::<Target, _>(format!("/api/v1/targets/{}", target.id), target)
}

/// Targets within the caller's reach.
#[utoipa::path(get, path = "/api/v1/targets", tag = "targets", operation_id = "list_targets",
    security(("bearer" = [])),
    params(TargetQuery),
    responses(
        (status = 200, description = "A page of targets, oldest first (newest first with `sort=-created_at`)", body = TargetList),
        (status = 400, description = "Malformed query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks targets:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad period, year or level, limit out of range, a foreign cursor or an unknown sort", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_targets(
    caller: Authorized<perm::TargetsRead>,
    state: web::Data<AppState>,
    query: crate::extract::ApiQuery<TargetQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let page = PageRequest::new_sorted(q.limit, q.cursor.as_deref(), q.sort.as_deref())?;
    let filter = TargetFilter {
        period: q.period,
        year: q.year,
        region_id: q.region_id,
        team_id: q.team_id,
        user_id: q.user_id,
        level: q.level,
    };
    let page = domain::performance::targets::list(&state.db, &caller.actor, caller.scope, filter, page).await?;
    Ok(super::respond::page(page, |items, next_cursor| TargetList {
        items,
        next_cursor,
    }))
}

/// One target; outside the caller's reach it is 404.
#[utoipa::path(get, path = "/api/v1/targets/{id}", tag = "targets", operation_id = "get_target",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Target id")),
    responses(
        (status = 200, description = "The target; `ETag` names its version", body = Target),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks targets:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such target within the caller's reach", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_target(
    caller: Authorized<perm::TargetsRead>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let target = domain::performance::targets::get(&state.db, &caller.actor, caller.scope, id.into_inner()).await?;
    super::respond::tagged::<Target, _>(target)
}

/// Change a target's units or amount.
#[utoipa::path(patch, path = "/api/v1/targets/{id}", tag = "targets", operation_id = "update_target",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Target id"),
        ("If-Match" = Option<String>, Header, description = "Apply only if the target still has this ETag"),
    ),
    request_body = TargetPatch,
    responses(
        (status = 200, description = "Changed; `ETag` names the new version", body = Target),
        (status = 400, description = "Malformed JSON or bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks targets:write on all records", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such target", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names an older version", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Negative or non-integer figures (`validation_failed`), or figures that would leave the target or its parent over-allocated (`target_over_allocated`)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_target(
    caller: Authorized<perm::TargetsWrite>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    ApiJson(body): ApiJson<TargetPatch>,
) -> Result<HttpResponse, ApiError> {
    caller.require_all_records()?;
    let change = TargetChange {
        units: body.units,
        amount_fen: body.amount_fen,
    };
    let target =
        domain::performance::targets::update(&state.db, &caller.audit(), id.into_inner(), change, if_match.as_deref())
            .await?;
    super::respond::tagged::<Target, _>(target)
}

/// Delete a target.
#[utoipa::path(delete, path = "/api/v1/targets/{id}", tag = "targets", operation_id = "delete_target",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Target id"),
        ("If-Match" = Option<String>, Header, description = "Delete only if the target still has this ETag"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks targets:write on all records", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such target", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names an older version", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete_target(
    caller: Authorized<perm::TargetsWrite>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    caller.require_all_records()?;
    domain::performance::targets::delete(&state.db, &caller.audit(), id.into_inner(), if_match.as_deref()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// One figure of a target against the sum of its parts.
#[derive(Debug, Serialize, ToSchema)]
pub struct TargetBalance {
    /// The target's figure.
    pub parent: i64,
    /// The sum of its parts.
    pub allocated: i64,
    /// allocated − parent: above zero over-allocated, below zero still to split.
    pub difference: i64,
    #[schema(value_type = vocab::AllocationStatus)]
    pub status: String,
}

fn status_name<T: Serialize>(status: T) -> String {
    serde_json::to_value(status)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

impl From<Balance> for TargetBalance {
    fn from(b: Balance) -> Self {
        Self {
            parent: b.parent,
            allocated: b.allocated,
            difference: b.difference,
            status: status_name(b.status),
        }
    }
}

/// A target split one way, and how its parts add up against it.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"by": "subjects", "parts": [], "units": {"parent": 100, "allocated": 80, "difference": -20, "status": "under"},
    "amount_fen": {"parent": 30000000000i64, "allocated": 30000000000i64, "difference": 0, "status": "exact"}, "status": "under"}))]
pub struct TargetAllocation {
    /// `subjects`: the regions, teams or consultants of the level below in
    /// the same period; `periods`: the target's quarters or months.
    #[schema(value_type = vocab::TargetBreakdown)]
    pub by: String,
    pub parts: Vec<Target>,
    pub units: TargetBalance,
    pub amount_fen: TargetBalance,
    /// `over` if either figure is over, `exact` if both are, else `under`.
    #[schema(value_type = vocab::AllocationStatus)]
    pub status: String,
}

impl From<Allocation> for TargetAllocation {
    fn from(a: Allocation) -> Self {
        Self {
            by: status_name(a.by),
            parts: a.parts.into_iter().map(Target::from).collect(),
            units: a.units.into(),
            amount_fen: a.amount_fen.into(),
            status: status_name(a.status),
        }
    }
}

/// A target and both its splits (销售目标分解).
#[derive(Debug, Serialize, ToSchema)]
pub struct TargetPlan {
    pub target: Target,
    /// Into the level below in the same period; null for a consultant's target.
    pub subjects: Option<TargetAllocation>,
    /// Into its quarters (a year) or months (a quarter); null for a month.
    pub periods: Option<TargetAllocation>,
}

impl From<Plan> for TargetPlan {
    fn from(p: Plan) -> Self {
        Self {
            target: p.target.into(),
            subjects: p.subjects.map(Into::into),
            periods: p.periods.map(Into::into),
        }
    }
}

/// One part of a split: exactly one of `region_id` (of a department's
/// target), `team_id` (of a region's), `user_id` (a consultant of a team's)
/// or `period` (a quarter of a year's, a month of a quarter's), and its
/// figures.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SplitPart {
    pub region_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    pub user_id: Option<Uuid>,
    pub period: Option<String>,
    pub units: i64,
    /// In fen, from 0 to 1000000000000 (¥10,000,000,000).
    #[schema(minimum = 0, maximum = 1000000000000i64)]
    pub amount_fen: i64,
}

/// The parts to set; parts set before and not named stay.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"parts": [
    {"team_id": "0193a0c4-2222-7000-8000-000000000002", "units": 60, "amount_fen": 18000000000i64},
    {"team_id": "0193a0c4-2222-7000-8000-000000000003", "units": 30, "amount_fen": 9000000000i64}]}))]
pub struct SplitBody {
    pub parts: Vec<SplitPart>,
}

/// A target and how it splits: into the subjects of the level below in the
/// same period and into its shorter periods, each with the sum of its parts
/// against the target (allocated, parent, difference, `over`/`under`/`exact`).
#[utoipa::path(get, path = "/api/v1/targets/{id}/plan", tag = "targets", operation_id = "get_target_plan",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Target id")),
    responses(
        (status = 200, description = "The target and its splits", body = TargetPlan),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks targets:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such target within the caller's reach", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_target_plan(
    caller: Authorized<perm::TargetsRead>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let plan = domain::performance::targets::plan(&state.db, &caller.actor, caller.scope, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(TargetPlan::from(plan)))
}

/// Split a target (销售目标分解): set the targets of its parts, creating or
/// changing each, in one step. The director splits the department's year or
/// quarter into regions, a region's into teams, and any year into quarters
/// or quarter into months; a manager splits their team's month into its
/// consultants (the monthly plan, 月度销售计划). Parts adding up to less
/// than the target are accepted and reported as `under`; to more, refused
/// with `target_over_allocated` and nothing written.
#[utoipa::path(post, path = "/api/v1/targets/{id}/split", tag = "targets", operation_id = "create_target_split",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Target id")),
    request_body = SplitBody,
    responses(
        (status = 200, description = "Split; how the parts now add up against the target", body = TargetAllocation),
        (status = 400, description = "Malformed JSON or bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks targets:write, or holds it for its teams only and the target is not a month's", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such target within the caller's reach for splitting (a manager: their teams' targets)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Two parts were created at once by another request (`target_exists`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No parts, a part naming none or several, of the wrong kind or twice, an unknown or foreign region, team, consultant or period, bad figures (`validation_failed`); parts adding up to more than the target (`target_over_allocated`)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_target_split(
    caller: Authorized<perm::TargetsWrite>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    ApiJson(body): ApiJson<SplitBody>,
) -> Result<HttpResponse, ApiError> {
    let parts = body
        .parts
        .into_iter()
        .map(|p| Part {
            region_id: p.region_id,
            team_id: p.team_id,
            user_id: p.user_id,
            period: p.period,
            units: p.units,
            amount_fen: p.amount_fen,
        })
        .collect();
    let split = domain::performance::targets::split(
        &state.db,
        &caller.audit(),
        &caller.actor,
        caller.scope,
        id.into_inner(),
        parts,
    )
    .await?;
    Ok(HttpResponse::Ok().json(TargetAllocation::from(split)))
}
