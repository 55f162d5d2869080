//! Who is calling: a staff user or a partner API client, with what it may
//! do (grants with scopes) and which teams count as "its team". Loaded
//! fresh on every request, so that disabling an account, removing a role or
//! revoking a grant takes effect on the next request.

use entities::{role_permissions, roles, teams, user_roles, users};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, RelationTrait, sea_query::Condition,
};
use uuid::Uuid;

use crate::{
    access::permissions::{Grants, Scope},
    platform::{error::DomainError, text::Locale},
};

/// Kind of caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActorKind {
    User,
    Client,
}

/// The caller of one request.
#[derive(Debug, Clone)]
pub struct Actor {
    pub kind: ActorKind,
    /// The user's id, or the API client's row id.
    pub id: Uuid,
    /// The user's e-mail, or the client's name.
    pub name: String,
    /// The user's own team and the teams it manages.
    pub team_ids: Vec<Uuid>,
    pub roles: Vec<String>,
    pub grants: Grants,
    /// API clients' request budget per minute.
    pub rate_limit_per_minute: Option<u32>,
    /// The language a user reads; none for API clients (their requests'
    /// `Accept-Language` decides).
    pub locale: Option<Locale>,
}

impl Actor {
    /// The actor periodic runs read figures as: no one in particular, in no team.
    pub fn system() -> Actor {
        Actor {
            kind: ActorKind::User,
            id: Uuid::nil(),
            name: "system".to_owned(),
            team_ids: Vec::new(),
            roles: Vec::new(),
            grants: Grants::default(),
            rate_limit_per_minute: None,
            locale: None,
        }
    }

    /// The scope with which the caller holds `permission`, if at all.
    pub fn scope(&self, permission: &str) -> Option<Scope> {
        self.grants.scope(permission)
    }

    pub fn user_id(&self) -> Option<Uuid> {
        (self.kind == ActorKind::User).then_some(self.id)
    }

    pub fn client_id(&self) -> Option<Uuid> {
        (self.kind == ActorKind::Client).then_some(self.id)
    }

    /// A condition restricting rows to what `scope` lets this caller reach,
    /// given the column holding the owner and, if any, the one holding the team.
    pub fn reach<O: ColumnTrait, T: ColumnTrait>(&self, scope: Scope, owner: O, team: Option<T>) -> Condition {
        match scope {
            Scope::All => Condition::all(),
            Scope::Team => {
                let mut any = Condition::any().add(owner.eq(self.id));
                if let Some(team) = team
                    && !self.team_ids.is_empty()
                {
                    any = any.add(team.is_in(self.team_ids.clone()));
                }
                any
            }
            Scope::Own => Condition::all().add(owner.eq(self.id)),
        }
    }
}

/// The active user `user_id` as a caller, or `None` if it is gone or disabled.
pub async fn load_user(db: &impl ConnectionTrait, user_id: Uuid) -> Result<Option<Actor>, DomainError> {
    let Some(user) = users::Entity::find_by_id(user_id).one(db).await? else {
        return Ok(None);
    };
    if user.status != users::UserStatus::Active {
        return Ok(None);
    }
    let role_names: Vec<String> = roles::Entity::find()
        .inner_join(user_roles::Entity)
        .filter(user_roles::Column::UserId.eq(user.id))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.name)
        .collect();
    let grant_rows: Vec<(String, Scope)> = role_permissions::Entity::find()
        .select_only()
        .column(role_permissions::Column::Permission)
        .column(role_permissions::Column::Scope)
        .inner_join(roles::Entity)
        .join(sea_orm::JoinType::InnerJoin, roles::Relation::UserRoles.def())
        .filter(user_roles::Column::UserId.eq(user.id))
        .into_tuple()
        .all(db)
        .await?;
    let grants = Grants::from_pairs(grant_rows);
    let mut team_ids: Vec<Uuid> = teams::Entity::find()
        .select_only()
        .column(teams::Column::Id)
        .filter(teams::Column::ManagerId.eq(user.id))
        .into_tuple()
        .all(db)
        .await?;
    team_ids.extend(user.team_id);
    team_ids.sort_unstable();
    team_ids.dedup();
    Ok(Some(Actor {
        kind: ActorKind::User,
        id: user.id,
        name: user.email,
        team_ids,
        roles: role_names,
        grants,
        rate_limit_per_minute: None,
        locale: Locale::from_tag(&user.locale),
    }))
}

/// The active API client `id` as a caller: its scopes, each with scope `own`.
pub async fn load_client(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<Actor>, DomainError> {
    let Some(client) = entities::api_clients::Entity::find_by_id(id).one(db).await? else {
        return Ok(None);
    };
    if client.status != entities::api_clients::ApiClientStatus::Active {
        return Ok(None);
    }
    let grants = Grants::from_pairs(
        crate::platform::db::strings(&client.scopes)
            .into_iter()
            .map(|p| (p, Scope::Own)),
    );
    Ok(Some(Actor {
        kind: ActorKind::Client,
        id: client.id,
        name: client.name,
        team_ids: Vec::new(),
        roles: vec!["partner".to_owned()],
        grants,
        rate_limit_per_minute: Some(u32::try_from(client.rate_limit_per_minute.max(1)).unwrap_or(1)),
        locale: None,
    }))
}
