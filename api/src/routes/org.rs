//! Regions (`/api/v1/regions`) and teams (`/api/v1/teams`). Anyone with
//! `regions:read` sees every region; `teams:read` reaches every team with
//! scope `all`, else the caller's own team and the teams it manages.
//! Changes need the `:write` permission on all records.

use actix_web::{HttpResponse, http::header, web};
use chrono::{DateTime, Utc};
use domain::access::org::{RegionView, TeamInput, TeamView};
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
pub struct Region {
    pub id: Uuid,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<RegionView> for Region {
    fn from(v: RegionView) -> Self {
        Self {
            id: v.id,
            name: v.name,
            created_at: v.created_at,
            updated_at: v.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RegionList {
    pub items: Vec<Region>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "华东区 East China"}))]
pub struct RegionBody {
    pub name: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Team {
    pub id: Uuid,
    pub region_id: Uuid,
    pub name: String,
    pub manager_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<TeamView> for Team {
    fn from(v: TeamView) -> Self {
        Self {
            id: v.id,
            region_id: v.region_id,
            name: v.name,
            manager_id: v.manager_id,
            created_at: v.created_at,
            updated_at: v.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TeamList {
    pub items: Vec<Team>,
}

/// A new team, or a change to one; `manager_id: null` removes the manager.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"region_id": "0192f1c4-7d1e-7a51-9a43-3e0d5c1f2a10", "name": "浦东一组 Pudong 1", "manager_id": null}))]
pub struct TeamBody {
    pub region_id: Option<Uuid>,
    pub name: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::present")]
    #[schema(value_type = Option<Uuid>)]
    pub manager_id: Option<Option<Uuid>>,
}

impl From<TeamBody> for TeamInput {
    fn from(b: TeamBody) -> Self {
        TeamInput {
            region_id: b.region_id,
            name: b.name,
            manager_id: b.manager_id,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TeamQuery {
    pub region_id: Option<Uuid>,
}

/// Every region.
#[utoipa::path(get, path = "/api/v1/regions", tag = "organisation", operation_id = "list_regions",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Regions by name", body = RegionList),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks regions:read", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_regions(
    _caller: Authorized<perm::RegionsRead>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let items = domain::access::org::list_regions(&state.db)
        .await?
        .into_iter()
        .map(Region::from)
        .collect();
    Ok(HttpResponse::Ok().json(RegionList { items }))
}

/// One region.
#[utoipa::path(get, path = "/api/v1/regions/{id}", tag = "organisation", operation_id = "get_region",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Region id")),
    responses(
        (status = 200, description = "The region; `ETag` names its version", body = Region),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks regions:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such region", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_region(
    _caller: Authorized<perm::RegionsRead>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let region = domain::access::org::get_region(&state.db, id.into_inner()).await?;
    super::respond::tagged::<Region, _>(region)
}

/// Create a region.
#[utoipa::path(post, path = "/api/v1/regions", tag = "organisation", operation_id = "create_region",
    security(("bearer" = [])),
    request_body = RegionBody,
    responses(
        (status = 201, description = "Created", body = Region),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks regions:write on all records", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The name is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid name", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_region(
    caller: Authorized<perm::RegionsWrite>,
    state: web::Data<AppState>,
    ApiJson(body): ApiJson<RegionBody>,
) -> Result<HttpResponse, ApiError> {
    caller.require_all_records()?;
    let region = domain::access::org::save_region(&state.db, &caller.audit(), None, body.name, None).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/regions/{}", region.id)))
        .json(Region::from(region)))
}

/// Rename a region.
#[utoipa::path(patch, path = "/api/v1/regions/{id}", tag = "organisation", operation_id = "update_region",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Region id"),
        ("If-Match" = Option<String>, Header, description = "Apply only if the region still has this ETag"),
    ),
    request_body = RegionBody,
    responses(
        (status = 200, description = "Changed; `ETag` names the new version", body = Region),
        (status = 400, description = "Malformed JSON or bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks regions:write on all records", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such region", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The name is taken", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names an older version", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid name", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_region(
    caller: Authorized<perm::RegionsWrite>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    ApiJson(body): ApiJson<RegionBody>,
) -> Result<HttpResponse, ApiError> {
    caller.require_all_records()?;
    let (db, audit, id) = (&state.db, caller.audit(), Some(id.into_inner()));
    let region = domain::access::org::save_region(db, &audit, id, body.name, if_match.as_deref()).await?;
    super::respond::tagged::<Region, _>(region)
}

/// Delete a region without teams.
#[utoipa::path(delete, path = "/api/v1/regions/{id}", tag = "organisation", operation_id = "delete_region",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Region id"),
        ("If-Match" = Option<String>, Header, description = "Delete only if the region still has this ETag"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks regions:write on all records", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such region", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`not_empty`: the region has teams", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names an older version", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete_region(
    caller: Authorized<perm::RegionsWrite>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    caller.require_all_records()?;
    domain::access::org::delete_region(&state.db, &caller.audit(), id.into_inner(), if_match.as_deref()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Teams within the caller's scope.
#[utoipa::path(get, path = "/api/v1/teams", tag = "organisation", operation_id = "list_teams",
    security(("bearer" = [])),
    params(TeamQuery),
    responses(
        (status = 200, description = "Teams by name", body = TeamList),
        (status = 400, description = "Malformed query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks teams:read", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_teams(
    caller: Authorized<perm::TeamsRead>,
    state: web::Data<AppState>,
    query: crate::extract::ApiQuery<TeamQuery>,
) -> Result<HttpResponse, ApiError> {
    let items = domain::access::org::list_teams(&state.db, &caller.actor, caller.scope, query.region_id)
        .await?
        .into_iter()
        .map(Team::from)
        .collect();
    Ok(HttpResponse::Ok().json(TeamList { items }))
}

/// One team; outside the caller's scope it is 404.
#[utoipa::path(get, path = "/api/v1/teams/{id}", tag = "organisation", operation_id = "get_team",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Team id")),
    responses(
        (status = 200, description = "The team; `ETag` names its version", body = Team),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks teams:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such team within the caller's scope", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_team(
    caller: Authorized<perm::TeamsRead>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let team = domain::access::org::get_team(&state.db, &caller.actor, caller.scope, id.into_inner()).await?;
    super::respond::tagged::<Team, _>(team)
}

/// Create a team.
#[utoipa::path(post, path = "/api/v1/teams", tag = "organisation", operation_id = "create_team",
    security(("bearer" = [])),
    request_body = TeamBody,
    responses(
        (status = 201, description = "Created", body = Team),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks teams:write on all records", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The region has a team of this name", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, unknown region or manager", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_team(
    caller: Authorized<perm::TeamsWrite>,
    state: web::Data<AppState>,
    ApiJson(body): ApiJson<TeamBody>,
) -> Result<HttpResponse, ApiError> {
    caller.require_all_records()?;
    let team = domain::access::org::save_team(&state.db, &caller.audit(), None, body.into(), None).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/teams/{}", team.id)))
        .json(Team::from(team)))
}

/// Change a team: name, region, manager.
#[utoipa::path(patch, path = "/api/v1/teams/{id}", tag = "organisation", operation_id = "update_team",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Team id"),
        ("If-Match" = Option<String>, Header, description = "Apply only if the team still has this ETag"),
    ),
    request_body = TeamBody,
    responses(
        (status = 200, description = "Changed; `ETag` names the new version", body = Team),
        (status = 400, description = "Malformed JSON or bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks teams:write on all records", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such team", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The region has a team of this name", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names an older version", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, unknown region or manager", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_team(
    caller: Authorized<perm::TeamsWrite>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    ApiJson(body): ApiJson<TeamBody>,
) -> Result<HttpResponse, ApiError> {
    caller.require_all_records()?;
    let (db, audit, id) = (&state.db, caller.audit(), Some(id.into_inner()));
    let team = domain::access::org::save_team(db, &audit, id, body.into(), if_match.as_deref()).await?;
    super::respond::tagged::<Team, _>(team)
}

/// Delete a team without members.
#[utoipa::path(delete, path = "/api/v1/teams/{id}", tag = "organisation", operation_id = "delete_team",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Team id"),
        ("If-Match" = Option<String>, Header, description = "Delete only if the team still has this ETag"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks teams:write on all records", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such team", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`not_empty`: the team has members", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names an older version", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete_team(
    caller: Authorized<perm::TeamsWrite>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    caller.require_all_records()?;
    domain::access::org::delete_team(&state.db, &caller.audit(), id.into_inner(), if_match.as_deref()).await?;
    Ok(HttpResponse::NoContent().finish())
}
