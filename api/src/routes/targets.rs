//! Sales targets (`/api/v1/targets`): the director sets yearly and
//! quarterly targets (units and amount in fen) for regions and teams;
//! managers read their teams' targets. Changes need `targets:write` on all
//! records.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use domain::{
    performance::targets::{NewTarget, TargetChange, TargetFilter, TargetView},
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
};

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a0c4-7d1e-7a51-9a43-3e0d5c1f2a10", "period": "2026-Q1", "region_id": null,
    "team_id": "0193a0c4-2222-7000-8000-000000000002", "units": 24, "amount_fen": 7200000000i64,
    "set_by": "0193a0c4-4444-7000-8000-000000000004", "created_at": "2025-12-20T08:00:00Z", "updated_at": "2025-12-20T08:00:00Z"}))]
pub struct Target {
    pub id: Uuid,
    /// A year (`2026`) or a quarter (`2026-Q1` … `2026-Q4`).
    pub period: String,
    pub region_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
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
            region_id: v.region_id,
            team_id: v.team_id,
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

/// A target for exactly one of a region or a team. Amounts are whole fen.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"period": "2026-Q1", "team_id": "0193a0c4-2222-7000-8000-000000000002", "units": 24, "amount_fen": 7200000000i64}))]
pub struct NewTargetBody {
    pub period: String,
    pub region_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
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
    /// Exactly this period (`2026` or `2026-Q1`).
    pub period: Option<String>,
    /// The year and its quarters.
    pub year: Option<String>,
    pub region_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
}

/// Set a target for a period and a region or team. A second target for the
/// same period and subject is refused (`target_exists`): change that one.
#[utoipa::path(post, path = "/api/v1/targets", tag = "targets", operation_id = "create_target",
    security(("bearer" = [])),
    request_body = NewTargetBody,
    responses(
        (status = 201, description = "Set; `Location` names it", body = Target),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks targets:write on all records", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "This period and subject have a target already (`target_exists`)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad period, negative or non-integer figures, no or both of region and team, unknown region or team", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_target(
    caller: Authorized<perm::TargetsWrite>,
    state: web::Data<AppState>,
    ApiJson(body): ApiJson<NewTargetBody>,
) -> Result<HttpResponse, ApiError> {
    caller.require_all_records()?;
    let input = NewTarget {
        period: body.period,
        region_id: body.region_id,
        team_id: body.team_id,
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
        (status = 422, description = "Bad period or year, limit out of range, a foreign cursor or an unknown sort", body = Problem, content_type = "application/problem+json"),
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
        (status = 422, description = "Negative or non-integer figures", body = Problem, content_type = "application/problem+json"),
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
