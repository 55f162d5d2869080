//! `GET /api/v1/me`: who the token belongs to and what it may do.

use actix_web::web::{self, Json};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    auth::Authenticated,
    error::{ApiError, Problem},
    state::AppState,
};

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub locale: String,
    pub team_id: Option<Uuid>,
    /// The caller's own team and the teams it manages: what scope `team` reaches.
    pub team_ids: Vec<Uuid>,
    /// Names of the roles the account holds.
    pub roles: Vec<String>,
    /// Every permission the caller holds, with the widest scope it holds it in.
    pub permissions: Vec<crate::routes::roles::GrantBody>,
}

/// The caller's account, roles and effective permissions.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", operation_id = "get_me",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller", body = Me),
        (status = 401, description = "Missing, invalid or expired token, or a disabled account", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_me(state: web::Data<AppState>, Authenticated(actor): Authenticated) -> Result<Json<Me>, ApiError> {
    let user = domain::users::get(&state.db, &actor, domain::permissions::Scope::Own, actor.id).await?;
    Ok(Json(Me {
        id: user.id,
        email: user.email,
        name: user.name,
        locale: user.locale,
        team_id: user.team_id,
        team_ids: actor.team_ids.clone(),
        roles: user.roles,
        permissions: actor
            .grants
            .iter()
            .map(|(permission, scope)| crate::routes::roles::GrantBody::new(permission, scope))
            .collect(),
    }))
}
