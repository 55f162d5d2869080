//! Roles, their grants, and the permission catalog (`/api/v1/roles`,
//! `/api/v1/permissions`). Built-in roles can be re-granted but not renamed
//! or deleted; no change may leave the service without an administrator.

use actix_web::{HttpResponse, http::header, web};
use domain::{
    access::permissions::{CATALOG, Scope},
    access::roles::{Grant, RoleInput, RoleView},
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    auth::{Authorized, perm},
    error::{ApiError, Problem},
    extract::{ApiJson, IfMatch},
    language::Reading,
    state::AppState,
    vocab,
};

/// One permission held with a scope.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantBody {
    /// A permission of the catalog, e.g. `users:read`.
    #[schema(example = "users:read")]
    pub permission: String,
    #[schema(value_type = vocab::GrantScope)]
    pub scope: Scope,
}

impl GrantBody {
    pub fn new(permission: &str, scope: Scope) -> Self {
        Self {
            permission: permission.to_owned(),
            scope,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PermissionEntry {
    #[schema(example = "users:read")]
    pub name: &'static str,
    /// What the permission allows, in the reader's language.
    pub description: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Role {
    pub id: Uuid,
    pub name: String,
    pub description: String,
    /// Built-in roles of the regulation: can be re-granted, not renamed or deleted.
    pub builtin: bool,
    pub grants: Vec<GrantBody>,
}

impl From<RoleView> for Role {
    fn from(view: RoleView) -> Self {
        Self {
            id: view.id,
            name: view.name,
            description: view.description,
            builtin: view.builtin,
            grants: view
                .grants
                .into_iter()
                .map(|g| GrantBody {
                    permission: g.permission,
                    scope: g.scope,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RoleList {
    pub items: Vec<Role>,
}

/// A new role, or a change to one (`PATCH`: only the fields given change;
/// `grants` replaces the role's grants as a whole).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "team_lead", "description": "Leads a team", "grants": [{"permission": "users:read", "scope": "team"}]}))]
pub struct RoleBody {
    pub name: Option<String>,
    pub description: Option<String>,
    pub grants: Option<Vec<GrantBody>>,
}

impl From<RoleBody> for RoleInput {
    fn from(body: RoleBody) -> Self {
        RoleInput {
            name: body.name,
            description: body.description,
            grants: body.grants.map(|grants| {
                grants
                    .into_iter()
                    .map(|g| Grant {
                        permission: g.permission,
                        scope: g.scope,
                    })
                    .collect()
            }),
        }
    }
}

/// The permission catalog.
#[utoipa::path(get, path = "/api/v1/permissions", tag = "access", operation_id = "list_permissions",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Every permission the service checks", body = Vec<PermissionEntry>),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks roles:read", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_permissions(_caller: Authorized<perm::RolesRead>, Reading(reader): Reading) -> HttpResponse {
    let entries: Vec<PermissionEntry> = CATALOG
        .iter()
        .map(|p| PermissionEntry {
            name: p.name,
            description: p.describe(reader.locale),
        })
        .collect();
    HttpResponse::Ok().json(entries)
}

/// Every role with its grants.
#[utoipa::path(get, path = "/api/v1/roles", tag = "access", operation_id = "list_roles",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Roles by name", body = RoleList),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks roles:read", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_roles(
    _caller: Authorized<perm::RolesRead>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let items = domain::access::roles::list(&state.db)
        .await?
        .into_iter()
        .map(Role::from)
        .collect();
    Ok(HttpResponse::Ok().json(RoleList { items }))
}

/// One role.
#[utoipa::path(get, path = "/api/v1/roles/{id}", tag = "access", operation_id = "get_role",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Role id")),
    responses(
        (status = 200, description = "The role; `ETag` names its version", body = Role),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks roles:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such role", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_role(
    _caller: Authorized<perm::RolesRead>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let role = domain::access::roles::get(&state.db, id.into_inner()).await?;
    super::respond::tagged::<Role, _>(role)
}

/// Create a role.
#[utoipa::path(post, path = "/api/v1/roles", tag = "access", operation_id = "create_role",
    security(("bearer" = [])),
    request_body = RoleBody,
    responses(
        (status = 201, description = "Created", body = Role),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks roles:write, or grants a permission or scope the caller does not hold", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "A role with this name exists", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid name, unknown permission or scope", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_role(
    caller: Authorized<perm::RolesWrite>,
    state: web::Data<AppState>,
    ApiJson(body): ApiJson<RoleBody>,
) -> Result<HttpResponse, ApiError> {
    let role = domain::access::roles::create(&state.db, &caller.audit(), body.into()).await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/roles/{}", role.id)))
        .json(Role::from(role)))
}

/// Change a role's name, description or grants.
#[utoipa::path(patch, path = "/api/v1/roles/{id}", tag = "access", operation_id = "update_role",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Role id"),
        ("If-Match" = Option<String>, Header, description = "Apply only if the role still has this ETag"),
    ),
    request_body = RoleBody,
    responses(
        (status = 200, description = "Changed; `ETag` names the new version", body = Role),
        (status = 400, description = "Malformed JSON or bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks roles:write, or the change is an administrator's (a role the caller holds, the admin role, built-in grants, a wider role or grant)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such role", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`builtin_role` (renaming a built-in role), `last_administrator`, or a duplicate name", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names an older version", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_role(
    caller: Authorized<perm::RolesWrite>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    ApiJson(body): ApiJson<RoleBody>,
) -> Result<HttpResponse, ApiError> {
    let (db, audit) = (&state.db, caller.audit());
    let role = domain::access::roles::update(db, &audit, id.into_inner(), body.into(), if_match.as_deref()).await?;
    super::respond::tagged::<Role, _>(role)
}

/// Delete a role (not a built-in one); its holders lose it.
#[utoipa::path(delete, path = "/api/v1/roles/{id}", tag = "access", operation_id = "delete_role",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Role id"),
        ("If-Match" = Option<String>, Header, description = "Delete only if the role still has this ETag"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks roles:write, or the role is the caller's own, the admin role, or wider than the caller", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such role", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`builtin_role` or `last_administrator`", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names an older version", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete_role(
    caller: Authorized<perm::RolesWrite>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
) -> Result<HttpResponse, ApiError> {
    domain::access::roles::delete(&state.db, &caller.audit(), id.into_inner(), if_match.as_deref()).await?;
    Ok(HttpResponse::NoContent().finish())
}
