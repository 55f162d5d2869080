//! `GET /api/v1/me`: who the token belongs to.

use actix_web::web::Json;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    auth::Authenticated,
    error::{ApiError, Problem},
};

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub locale: String,
    pub team_id: Option<Uuid>,
    /// Names of the roles the account holds.
    pub roles: Vec<String>,
}

/// The caller's account and roles.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", operation_id = "get_me",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller", body = Me),
        (status = 401, description = "Missing, invalid or expired token, or a disabled account", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_me(Authenticated(principal): Authenticated) -> Result<Json<Me>, ApiError> {
    let user = principal.user;
    Ok(Json(Me {
        id: user.id,
        email: user.email,
        name: user.name,
        locale: user.locale,
        team_id: user.team_id,
        roles: principal.roles,
    }))
}
