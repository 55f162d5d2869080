//! Staff accounts (`/api/v1/users`): lists and lookups are limited to the
//! caller's `users:read` scope in the query itself (outside it: 404);
//! changes need `users:write`, and only on all records may they move a user
//! between teams, disable one or change roles.

use actix_web::{HttpResponse, http::header, web};
use chrono::{DateTime, Utc};
use domain::{
    Secret,
    access::permissions::Scope,
    access::users::{NewUser, UserChanges, UserFilter, UserView},
    platform::page::PageRequest,
};
use entities::users::UserStatus;
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
pub struct User {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub phone: Option<String>,
    pub team_id: Option<Uuid>,
    /// `zh-CN` or `en`.
    #[schema(value_type = vocab::Locale)]
    pub locale: String,
    #[schema(value_type = vocab::UserStatus)]
    pub status: UserStatus,
    pub roles: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<UserView> for User {
    fn from(v: UserView) -> Self {
        Self {
            id: v.id,
            email: v.email,
            name: v.name,
            phone: v.phone,
            team_id: v.team_id,
            locale: v.locale,
            status: v.status,
            roles: v.roles,
            created_at: v.created_at,
            updated_at: v.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserList {
    pub items: Vec<User>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UserQuery {
    /// 1 to 100, default 50.
    pub limit: Option<u64>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// `created_at` (oldest first, the default) or `-created_at` (newest first).
    pub sort: Option<String>,
    pub team_id: Option<Uuid>,
    #[param(value_type = Option<vocab::UserStatus>)]
    pub status: Option<UserStatus>,
    /// Holders of this role.
    pub role: Option<String>,
    /// Part of the name or e-mail.
    pub q: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"email": "li.na@example.com", "name": "李娜 Li Na", "password": "a-long-password", "roles": ["consultant"], "team_id": null, "locale": "zh-CN"}))]
pub struct NewUserBody {
    pub email: String,
    pub name: String,
    /// At least 10 characters; stored as an argon2id hash only.
    #[schema(value_type = String, format = Password)]
    #[serde(deserialize_with = "crate::extract::secret_text::required")]
    pub password: Secret,
    #[serde(default)]
    pub roles: Vec<String>,
    pub team_id: Option<Uuid>,
    pub phone: Option<String>,
    /// `zh-CN` (default) or `en`.
    #[schema(value_type = Option<vocab::Locale>)]
    pub locale: Option<String>,
}

/// Only the fields given change; `null` clears `phone` or `team_id`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "李娜", "phone": "+86 138 0000 0000"}))]
pub struct UserPatch {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::present")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    #[schema(value_type = Option<vocab::Locale>)]
    pub locale: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::present")]
    #[schema(value_type = Option<Uuid>)]
    pub team_id: Option<Option<Uuid>>,
    #[schema(value_type = Option<vocab::UserStatus>)]
    pub status: Option<UserStatus>,
}

#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserRoles {
    /// Role names; replaces the user's roles as a whole.
    #[schema(example = json!(["consultant"]))]
    pub roles: Vec<String>,
}

fn user_location(id: Uuid) -> (header::HeaderName, String) {
    (header::LOCATION, format!("/api/v1/users/{id}"))
}

/// Staff accounts within the caller's scope.
#[utoipa::path(get, path = "/api/v1/users", tag = "organisation", operation_id = "list_users",
    security(("bearer" = [])),
    params(UserQuery),
    responses(
        (status = 200, description = "A page of users, oldest first (newest first with `sort=-created_at`)", body = UserList),
        (status = 400, description = "Malformed query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks users:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "limit out of range, a foreign cursor or an unknown sort", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_users(
    caller: Authorized<perm::UsersRead>,
    state: web::Data<AppState>,
    query: crate::extract::ApiQuery<UserQuery>,
) -> Result<HttpResponse, ApiError> {
    let query = query.into_inner();
    let page = PageRequest::new_sorted(query.limit, query.cursor.as_deref(), query.sort.as_deref())?;
    let filter = UserFilter {
        team_id: query.team_id,
        status: query.status,
        role: query.role,
        q: query.q,
    };
    let page = domain::access::users::list(&state.db, &caller.actor, caller.scope, filter, page).await?;
    Ok(super::respond::page(page, |items, next_cursor| UserList {
        items,
        next_cursor,
    }))
}

/// One staff account; outside the caller's scope it is 404.
#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "organisation", operation_id = "get_user",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "User id")),
    responses(
        (status = 200, description = "The user", body = User),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks users:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user within the caller's scope", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_user(
    caller: Authorized<perm::UsersRead>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let user = domain::access::users::get(&state.db, &caller.actor, caller.scope, id.into_inner()).await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, domain::platform::version::etag_of(&user)?))
        .json(User::from(user)))
}

/// Create a staff account.
#[utoipa::path(post, path = "/api/v1/users", tag = "organisation", operation_id = "create_user",
    security(("bearer" = [])),
    request_body = NewUserBody,
    responses(
        (status = 201, description = "Created", body = User),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks users:write on all records, or a role grants more than the caller holds", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The e-mail is taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, unknown role or team", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_user(
    caller: Authorized<perm::UsersWrite>,
    state: web::Data<AppState>,
    ApiJson(body): ApiJson<NewUserBody>,
) -> Result<HttpResponse, ApiError> {
    caller.require_all_records()?;
    let new = NewUser {
        email: body.email,
        name: body.name,
        password: body.password,
        roles: body.roles,
        team_id: body.team_id,
        phone: body.phone,
        locale: body.locale.unwrap_or_else(|| "zh-CN".to_owned()),
    };
    let user = domain::access::users::create(&state.db, &caller.audit(), new).await?;
    let view = domain::access::users::get(&state.db, &caller.actor, Scope::All, user.id).await?;
    Ok(HttpResponse::Created()
        .insert_header(user_location(user.id))
        .json(User::from(view)))
}

/// Change a staff account.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "organisation", operation_id = "update_user",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "User id"),
        ("If-Match" = Option<String>, Header, description = "Apply only if the user still has this ETag"),
    ),
    request_body = UserPatch,
    responses(
        (status = 200, description = "Changed", body = User),
        (status = 400, description = "Malformed JSON or bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks users:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user within the caller's scope", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`last_administrator`: disabling the last administrator", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names an older version", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or fields the caller may not change", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_user(
    caller: Authorized<perm::UsersWrite>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    ApiJson(body): ApiJson<UserPatch>,
) -> Result<HttpResponse, ApiError> {
    let changes = UserChanges {
        name: body.name,
        phone: body.phone,
        locale: body.locale,
        team_id: body.team_id,
        status: body.status,
    };
    let user = domain::access::users::update(
        &state.db,
        &caller.audit(),
        &caller.actor,
        caller.scope,
        id.into_inner(),
        changes,
        if_match.as_deref(),
    )
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::ETAG, domain::platform::version::etag_of(&user)?))
        .json(User::from(user)))
}

/// Replace a staff account's roles (only roles no wider than the caller's
/// own grants are added or removed, unless the caller is an administrator).
#[utoipa::path(put, path = "/api/v1/users/{id}/roles", tag = "organisation", operation_id = "update_user_roles",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "User id")),
    request_body = UserRoles,
    responses(
        (status = 200, description = "The user with its new roles", body = User),
        (status = 400, description = "Malformed JSON or bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks users:write on all records, or an added or removed role grants more than the caller holds", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such user", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`last_administrator`", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown role", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_user_roles(
    caller: Authorized<perm::UsersWrite>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    ApiJson(body): ApiJson<UserRoles>,
) -> Result<HttpResponse, ApiError> {
    caller.require_all_records()?;
    let user = domain::access::users::set_roles(&state.db, &caller.audit(), id.into_inner(), body.roles).await?;
    Ok(HttpResponse::Ok().json(User::from(user)))
}
