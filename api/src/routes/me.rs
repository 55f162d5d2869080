//! `GET /api/v1/me`: who the token belongs to (a staff user or a partner
//! API client) and what it may do.

use actix_web::web::{self, Json};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use domain::{access::actor::ActorKind, access::permissions::Scope};

use crate::{
    auth::Authenticated,
    error::{ApiError, Problem},
    routes::roles::GrantBody,
    state::AppState,
};

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    /// `user` (staff) or `client` (a partner API client).
    #[schema(example = "user")]
    pub kind: &'static str,
    /// The user's id, or the API client's id.
    pub id: Uuid,
    /// Staff only.
    pub email: Option<String>,
    /// The user's name, or the API client's name.
    pub name: String,
    /// Staff only: `zh-CN` or `en`.
    pub locale: Option<String>,
    pub team_id: Option<Uuid>,
    /// The caller's own team and the teams it manages: what scope `team` reaches.
    pub team_ids: Vec<Uuid>,
    /// Names of the roles the account holds.
    pub roles: Vec<String>,
    /// Every permission the caller holds, with the widest scope it holds it in.
    pub permissions: Vec<GrantBody>,
}

/// The caller's account, roles and effective permissions.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", operation_id = "get_me",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller", body = Me),
        (status = 401, description = "Missing, invalid or expired token, or a disabled account", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_me(state: web::Data<AppState>, Authenticated(actor): Authenticated) -> Result<Json<Me>, ApiError> {
    let permissions = actor
        .grants
        .iter()
        .map(|(permission, scope)| GrantBody::new(permission, scope))
        .collect();
    let me = match actor.kind {
        ActorKind::User => {
            let user = domain::access::users::get(&state.db, &actor, Scope::Own, actor.id).await?;
            Me {
                kind: "user",
                id: user.id,
                email: Some(user.email),
                name: user.name,
                locale: Some(user.locale),
                team_id: user.team_id,
                team_ids: actor.team_ids,
                roles: user.roles,
                permissions,
            }
        }
        ActorKind::Client => Me {
            kind: "client",
            id: actor.id,
            email: None,
            name: actor.name,
            locale: None,
            team_id: None,
            team_ids: Vec::new(),
            roles: actor.roles,
            permissions,
        },
    };
    Ok(Json(me))
}
