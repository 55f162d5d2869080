//! Units (`/api/v1/units`): the stock of flats for sale. Everyone with
//! `units:read` sees every unit; `units:write` adds and changes them.
//! `subscribed` and `sold` are set only by deals.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use domain::{
    platform::page::PageRequest,
    sales::units::{UnitFilter, UnitInput, UnitView},
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
#[schema(example = json!({"id": "0192f1c4-7d1e-7a51-9a43-3e0d5c1f2a10", "project": "滨江花园", "building": "3",
    "number": "1502", "layout": "3室2厅", "area_sqm": "89.50", "list_price_fen": 356000000, "status": "available",
    "created_at": "2026-11-27T08:00:00Z", "updated_at": "2026-11-27T08:00:00Z"}))]
pub struct Unit {
    pub id: Uuid,
    pub project: String,
    pub building: String,
    pub number: String,
    /// E.g. "3室2厅" (3 bedrooms, 2 living rooms).
    pub layout: String,
    /// Floor area in square metres, a decimal string with two decimals.
    pub area_sqm: String,
    /// List price in fen (1/100 yuan).
    pub list_price_fen: i64,
    #[schema(value_type = vocab::UnitStatus)]
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<UnitView> for Unit {
    fn from(v: UnitView) -> Self {
        Self {
            id: v.id,
            project: v.project,
            building: v.building,
            number: v.number,
            layout: v.layout,
            area_sqm: v.area_sqm,
            list_price_fen: v.list_price_fen,
            status: v.status,
            created_at: v.created_at,
            updated_at: v.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitList {
    pub items: Vec<Unit>,
    pub next_cursor: Option<String>,
}

/// A new unit; project, building and number together are unique.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"project": "滨江花园", "building": "3", "number": "1502", "layout": "3室2厅",
    "area_sqm": "89.50", "list_price_fen": 356000000}))]
pub struct NewUnitBody {
    pub project: String,
    pub building: String,
    pub number: String,
    pub layout: String,
    /// Square metres as a decimal string with at most 2 decimals.
    pub area_sqm: String,
    /// In fen, from 1 to 1000000000000 (¥10,000,000,000).
    #[schema(minimum = 1, maximum = 1000000000000i64)]
    pub list_price_fen: i64,
    /// available (default) or reserved.
    #[schema(value_type = Option<vocab::ManualUnitStatus>)]
    pub status: Option<String>,
}

/// Only the fields given change; status only between available and reserved.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"list_price_fen": 349000000, "status": "reserved"}))]
pub struct UnitPatch {
    pub layout: Option<String>,
    pub area_sqm: Option<String>,
    /// In fen, from 1 to 1000000000000 (¥10,000,000,000).
    #[schema(minimum = 1, maximum = 1000000000000i64)]
    pub list_price_fen: Option<i64>,
    #[schema(value_type = Option<vocab::ManualUnitStatus>)]
    pub status: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnitQuery {
    pub limit: Option<u64>,
    pub cursor: Option<String>,
    /// `created_at` (oldest first, the default) or `-created_at` (newest first).
    pub sort: Option<String>,
    #[param(value_type = Option<vocab::UnitStatus>)]
    pub status: Option<String>,
    pub project: Option<String>,
    pub building: Option<String>,
    pub layout: Option<String>,
    /// Lowest list price in fen.
    pub min_list_price_fen: Option<i64>,
    /// Highest list price in fen.
    pub max_list_price_fen: Option<i64>,
}

/// Add a unit to the stock.
#[utoipa::path(post, path = "/api/v1/units", tag = "units", operation_id = "create_unit",
    security(("bearer" = [])),
    request_body = NewUnitBody,
    responses(
        (status = 201, description = "Created", body = Unit),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks units:write", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`conflict`: a unit with this project, building and number exists", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_unit(
    caller: Authorized<perm::UnitsWrite>,
    state: web::Data<AppState>,
    ApiJson(body): ApiJson<NewUnitBody>,
) -> Result<HttpResponse, ApiError> {
    let input = UnitInput {
        project: Some(body.project),
        building: Some(body.building),
        number: Some(body.number),
        layout: Some(body.layout),
        area_sqm: Some(body.area_sqm),
        list_price_fen: Some(body.list_price_fen),
        status: body.status,
    };
    let unit = domain::sales::units::create(&state.db, &caller.audit(), input).await?;
    super::respond::created::<Unit, _>(format!("/api/v1/units/{}", unit.id), unit)
}

/// Units, filtered.
#[utoipa::path(get, path = "/api/v1/units", tag = "units", operation_id = "list_units",
    security(("bearer" = [])),
    params(UnitQuery),
    responses(
        (status = 200, description = "A page of units, oldest first (newest first with `sort=-created_at`)", body = UnitList),
        (status = 400, description = "Malformed query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks units:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "limit out of range, a foreign cursor, an unknown status or sort", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_units(
    _caller: Authorized<perm::UnitsRead>,
    state: web::Data<AppState>,
    query: crate::extract::ApiQuery<UnitQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let page = PageRequest::new_sorted(q.limit, q.cursor.as_deref(), q.sort.as_deref())?;
    let filter = UnitFilter {
        status: q.status,
        project: q.project,
        building: q.building,
        layout: q.layout,
        min_list_price_fen: q.min_list_price_fen,
        max_list_price_fen: q.max_list_price_fen,
    };
    let page = domain::sales::units::list(&state.db, filter, page).await?;
    Ok(super::respond::page(page, |items, next_cursor| UnitList {
        items,
        next_cursor,
    }))
}

/// One unit.
#[utoipa::path(get, path = "/api/v1/units/{id}", tag = "units", operation_id = "get_unit",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Unit id")),
    responses(
        (status = 200, description = "The unit; `ETag` names its version", body = Unit),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks units:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such unit", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_unit(
    _caller: Authorized<perm::UnitsRead>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let unit = domain::sales::units::get(&state.db, id.into_inner()).await?;
    super::respond::tagged::<Unit, _>(unit)
}

/// Change a unit's layout, area, list price, or status between available and reserved.
#[utoipa::path(patch, path = "/api/v1/units/{id}", tag = "units", operation_id = "update_unit",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Unit id"),
        ("If-Match" = Option<String>, Header, description = "Apply only if the unit still has this ETag"),
    ),
    request_body = UnitPatch,
    responses(
        (status = 200, description = "Changed; `ETag` names the new version", body = Unit),
        (status = 400, description = "Malformed JSON or bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks units:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such unit", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`unit_unavailable`: the status of a subscribed or sold unit belongs to its deal", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names an older version", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_unit(
    caller: Authorized<perm::UnitsWrite>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    ApiJson(body): ApiJson<UnitPatch>,
) -> Result<HttpResponse, ApiError> {
    let input = UnitInput {
        layout: body.layout,
        area_sqm: body.area_sqm,
        list_price_fen: body.list_price_fen,
        status: body.status,
        ..UnitInput::default()
    };
    let unit =
        domain::sales::units::update(&state.db, &caller.audit(), id.into_inner(), input, if_match.as_deref()).await?;
    super::respond::tagged::<Unit, _>(unit)
}
