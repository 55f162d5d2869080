//! Who is calling: a staff user or a partner API client, with what it may
//! do (grants with scopes) and which teams count as "its team". Loaded
//! once (on PostgreSQL in one round trip) and kept in [`Callers`] while the
//! access epoch it was loaded at is current: every change to accounts,
//! roles, grants, team managers or clients moves the epoch on in its own
//! transaction (triggers), and each request reads the epoch (one
//! primary-key lookup), so disabling an account, removing a role or
//! revoking a grant takes effect on the next request, on every replica.

use std::{collections::HashMap, sync::Mutex};

use entities::{access_epoch, role_permissions, roles, teams, user_roles, users};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QuerySelect, RelationTrait, Statement,
    sea_query::{Condition, Expr, Query},
};
use uuid::Uuid;

use crate::{
    access::permissions::{Grants, Scope},
    platform::{error::DomainError, text::Locale},
};

/// Kind of caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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

/// The callers loaded so far, each with the access epoch it was loaded at.
#[derive(Debug, Default)]
pub struct Callers {
    loaded: Mutex<HashMap<(ActorKind, Uuid), (i64, Actor)>>,
}

/// The most callers kept; past it the cache starts again empty (a
/// department has hundreds of accounts and a few partner clients).
const MAX_CALLERS: usize = 10_000;

impl Callers {
    /// The active user or client `id` as a caller, or `None` if it is gone
    /// or disabled: the one kept, if the access epoch has not moved since
    /// it was loaded, else loaded again.
    pub async fn load(
        &self,
        db: &impl ConnectionTrait,
        kind: ActorKind,
        id: Uuid,
    ) -> Result<Option<Actor>, DomainError> {
        // Read before any load: a change committed in between makes the
        // kept caller look older than it is (loaded again next time), never newer.
        let epoch = access_epoch::Entity::find_by_id(1i16).one(db).await?.map(|e| e.version);
        if let Some(epoch) = epoch
            && let Some((at, actor)) = self.lock().get(&(kind, id))
            && *at == epoch
        {
            return Ok(Some(actor.clone()));
        }
        let actor = match kind {
            ActorKind::User => load_user(db, id).await?,
            ActorKind::Client => load_client(db, id).await?,
        };
        let mut loaded = self.lock();
        if loaded.len() >= MAX_CALLERS {
            loaded.clear();
        }
        match (&actor, epoch) {
            (Some(actor), Some(epoch)) => loaded.insert((kind, id), (epoch, actor.clone())),
            // Gone, or no epoch to keep it by (its row deleted by hand): nothing kept.
            _ => loaded.remove(&(kind, id)),
        };
        Ok(actor)
    }

    /// The caller kept for `kind` `id`, and the access epoch it was loaded
    /// at, without checking that epoch: for a read whose one statement
    /// also reads [`epoch`] and is answered only if the two agree.
    pub fn kept(&self, kind: ActorKind, id: Uuid) -> Option<(i64, Actor)> {
        self.lock().get(&(kind, id)).cloned()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<(ActorKind, Uuid), (i64, Actor)>> {
        // A panic elsewhere while holding it leaves the map whole: each entry is one insert.
        self.loaded.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The name under which a statement reads [`epoch`].
pub const EPOCH: &str = "access_epoch";

/// The current access epoch, as a column of any statement: a caller kept
/// at that epoch is as it would be loaded now, in the statement's snapshot.
pub fn epoch() -> Expr {
    Expr::SubQuery(
        None,
        Box::new(
            Query::select()
                .column(access_epoch::Column::Version)
                .from(access_epoch::Entity)
                .and_where(access_epoch::Column::Id.eq(1i16))
                .to_owned()
                .into(),
        ),
    )
}

/// The active user `user_id` as a caller, or `None` if it is gone or disabled.
/// On PostgreSQL in one statement (one round trip per request); elsewhere
/// (SQLite, in the same process) a query per part.
pub async fn load_user(db: &impl ConnectionTrait, user_id: Uuid) -> Result<Option<Actor>, DomainError> {
    if db.get_database_backend() == DbBackend::Postgres {
        return load_user_at_once(db, user_id).await;
    }
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
    let managed: Vec<Uuid> = teams::Entity::find()
        .select_only()
        .column(teams::Column::Id)
        .filter(teams::Column::ManagerId.eq(user.id))
        .into_tuple()
        .all(db)
        .await?;
    Ok(Some(user_actor(
        user.id,
        user.email,
        &user.locale,
        user.team_id,
        role_names,
        grant_rows,
        managed,
    )))
}

/// [`load_user`] on PostgreSQL: the user with its roles, grants and the
/// teams it manages aggregated in subqueries. The separator is the ASCII
/// unit separator, which no role name, permission or scope contains.
async fn load_user_at_once(db: &impl ConnectionTrait, user_id: Uuid) -> Result<Option<Actor>, DomainError> {
    const SQL: &str = "SELECT u.email, u.locale, u.team_id, \
        (SELECT string_agg(r.name, chr(31)) FROM roles r JOIN user_roles ur ON ur.role_id = r.id \
          WHERE ur.user_id = u.id) AS roles, \
        (SELECT string_agg(rp.permission || ' ' || rp.scope, chr(31)) FROM role_permissions rp \
          JOIN user_roles ur ON ur.role_id = rp.role_id WHERE ur.user_id = u.id) AS grants, \
        (SELECT string_agg(t.id::text, chr(31)) FROM teams t WHERE t.manager_id = u.id) AS managed \
        FROM users u WHERE u.id = $1 AND u.status = 'active'";
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            SQL,
            [user_id.into()],
        ))
        .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let list = |column: &str| -> Result<Vec<String>, DomainError> {
        let joined: Option<String> = row.try_get("", column)?;
        Ok(joined
            .map(|j| j.split('\u{1f}').map(str::to_owned).collect())
            .unwrap_or_default())
    };
    let mut grants = Vec::new();
    for pair in list("grants")? {
        let (permission, scope) = pair
            .rsplit_once(' ')
            .ok_or_else(|| DomainError::Internal(format!("grant without scope: {pair}")))?;
        let scope: Scope = scope.parse().map_err(DomainError::Internal)?;
        grants.push((permission.to_owned(), scope));
    }
    let managed = list("managed")?
        .iter()
        .map(|id| id.parse::<Uuid>())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| DomainError::Internal(format!("team id: {e}")))?;
    let email: String = row.try_get("", "email")?;
    let locale: String = row.try_get("", "locale")?;
    let team: Option<Uuid> = row.try_get("", "team_id")?;
    Ok(Some(user_actor(
        user_id,
        email,
        &locale,
        team,
        list("roles")?,
        grants,
        managed,
    )))
}

/// A user caller from its parts: "its team" is the one it belongs to and
/// every team it manages.
fn user_actor(
    id: Uuid,
    email: String,
    locale: &str,
    team: Option<Uuid>,
    roles: Vec<String>,
    grants: Vec<(String, Scope)>,
    mut team_ids: Vec<Uuid>,
) -> Actor {
    team_ids.extend(team);
    team_ids.sort_unstable();
    team_ids.dedup();
    Actor {
        kind: ActorKind::User,
        id,
        name: email,
        team_ids,
        roles,
        grants: Grants::from_pairs(grants),
        rate_limit_per_minute: None,
        locale: Locale::from_tag(locale),
    }
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
