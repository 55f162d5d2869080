//! Regions and teams. A region holds teams; a team has at most one manager
//! and its consultants (users whose `team_id` is the team). Deleting a
//! region that still has teams, or a team that still has members, is
//! refused with `not_empty`.

use chrono::{DateTime, Utc};
use entities::{regions, teams, users};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, PrimaryKeyTrait, QueryFilter,
    QueryOrder, Set, TransactionSession, TransactionTrait,
};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crate::{
    access::actor::Actor,
    access::audit::{self, AuditContext},
    access::permissions::Scope,
    platform::error::{DomainError, FieldError},
    platform::version,
};

#[derive(Debug, Clone, Serialize)]
pub struct RegionView {
    pub id: Uuid,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<regions::Model> for RegionView {
    fn from(m: regions::Model) -> Self {
        Self {
            id: m.id,
            name: m.name,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct TeamView {
    pub id: Uuid,
    pub region_id: Uuid,
    pub name: String,
    pub manager_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<teams::Model> for TeamView {
    fn from(m: teams::Model) -> Self {
        Self {
            id: m.id,
            region_id: m.region_id,
            name: m.name,
            manager_id: m.manager_id,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

fn check_name(name: Option<&str>, required: bool, errors: &mut Vec<FieldError>) {
    match name {
        Some(n) if n.trim().is_empty() || n.chars().count() > 200 => {
            errors.push(FieldError::new("/name", "must be 1 to 200 characters"));
        }
        None if required => errors.push(FieldError::new("/name", "is required")),
        _ => {}
    }
}

fn done(errors: Vec<FieldError>) -> Result<(), DomainError> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(DomainError::Validation(errors))
    }
}

/// The row `id` of `E` (a region or a team) as it is now, if `if_match`
/// (when given) still names the version of its view `V`.
async fn current<E, V>(
    txn: &impl ConnectionTrait,
    what: &'static str,
    id: Uuid,
    if_match: Option<&str>,
) -> Result<E::Model, DomainError>
where
    E: EntityTrait,
    V: From<E::Model> + Serialize,
    Uuid: Into<<E::PrimaryKey as PrimaryKeyTrait>::ValueType>,
{
    let row = E::find_by_id(id).one(txn).await?.ok_or(DomainError::NotFound(what))?;
    version::check_if_match(if_match, &version::etag_of(&V::from(row.clone()))?)?;
    Ok(row)
}

/// Audits the creation (no `before`) or change of a region or team and commits.
async fn commit_saved<T: TransactionSession + ConnectionTrait>(
    txn: T,
    ctx: &AuditContext,
    what: &str,
    id: Uuid,
    before: Option<serde_json::Value>,
    after: serde_json::Value,
) -> Result<(), DomainError> {
    let action = if before.is_some() { "update" } else { "create" };
    audit::record(&txn, ctx, action, what, id, before.as_ref(), Some(&after)).await?;
    txn.commit().await?;
    Ok(())
}

/// Deletes the row `id` of `E` (a region or a team) unless it still holds
/// `held` rows, audits it with what it was and commits.
async fn commit_deleted<E, T>(
    txn: T,
    ctx: &AuditContext,
    what: &str,
    id: Uuid,
    held: u64,
    before: serde_json::Value,
) -> Result<(), DomainError>
where
    E: EntityTrait,
    T: TransactionSession + ConnectionTrait,
    Uuid: Into<<E::PrimaryKey as PrimaryKeyTrait>::ValueType>,
{
    if held > 0 {
        return Err(not_empty(what));
    }
    E::delete_by_id(id).exec(&txn).await?;
    audit::record(&txn, ctx, "delete", what, id, Some(&before), None).await?;
    txn.commit().await?;
    Ok(())
}

fn not_empty(what: &str) -> DomainError {
    DomainError::Rule {
        code: "not_empty",
        detail: format!("the {what} is not empty; move or remove what it holds first"),
    }
}

pub async fn list_regions(db: &impl ConnectionTrait) -> Result<Vec<RegionView>, DomainError> {
    Ok(regions::Entity::find()
        .order_by_asc(regions::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

pub async fn get_region(db: &impl ConnectionTrait, id: Uuid) -> Result<RegionView, DomainError> {
    regions::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(Into::into)
        .ok_or(DomainError::NotFound("region"))
}

/// Creates a region, or renames one when `id` is given (with `if_match`,
/// only if the region still has that ETag).
pub async fn save_region(
    db: &impl TransactionTrait,
    ctx: &AuditContext,
    id: Option<Uuid>,
    name: Option<String>,
    if_match: Option<&str>,
) -> Result<RegionView, DomainError> {
    let mut errors = Vec::new();
    check_name(name.as_deref(), id.is_none(), &mut errors);
    done(errors)?;
    let txn = crate::platform::db::begin_write(db).await?;
    let now = Utc::now();
    let (before, saved) = match id {
        None => {
            let model = regions::ActiveModel {
                id: Set(Uuid::now_v7()),
                name: Set(name.unwrap_or_default().trim().to_owned()),
                created_at: Set(now),
                updated_at: Set(now),
            };
            (None, model.insert(&txn).await?)
        }
        Some(id) => {
            let region = current::<regions::Entity, RegionView>(&txn, "region", id, if_match).await?;
            let before = json!({"name": region.name});
            let mut active: regions::ActiveModel = region.into();
            if let Some(name) = name {
                active.name = Set(name.trim().to_owned());
            }
            active.updated_at = Set(now);
            (Some(before), active.update(&txn).await?)
        }
    };
    let after = json!({"name": saved.name});
    commit_saved(txn, ctx, "region", saved.id, before, after).await?;
    Ok(saved.into())
}

/// Deletes a region without teams; with `if_match`, only if it still has that ETag.
pub async fn delete_region(
    db: &impl TransactionTrait,
    ctx: &AuditContext,
    id: Uuid,
    if_match: Option<&str>,
) -> Result<(), DomainError> {
    let txn = crate::platform::db::begin_write(db).await?;
    let region = current::<regions::Entity, RegionView>(&txn, "region", id, if_match).await?;
    let held = teams::Entity::find()
        .filter(teams::Column::RegionId.eq(id))
        .count(&txn)
        .await?;
    commit_deleted::<regions::Entity, _>(txn, ctx, "region", id, held, json!({"name": region.name})).await
}

/// Teams the caller reaches: with scope `all` every team, otherwise its own
/// team and the teams it manages.
fn team_reach(actor: &Actor, scope: Scope) -> sea_orm::sea_query::Condition {
    match scope {
        Scope::All => sea_orm::sea_query::Condition::all(),
        Scope::Team | Scope::Own => {
            sea_orm::sea_query::Condition::all().add(teams::Column::Id.is_in(actor.team_ids.clone()))
        }
    }
}

pub async fn list_teams(
    db: &impl ConnectionTrait,
    actor: &Actor,
    scope: Scope,
    region_id: Option<Uuid>,
) -> Result<Vec<TeamView>, DomainError> {
    let mut query = teams::Entity::find().filter(team_reach(actor, scope));
    if let Some(region) = region_id {
        query = query.filter(teams::Column::RegionId.eq(region));
    }
    Ok(query
        .order_by_asc(teams::Column::Name)
        .all(db)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}

pub async fn get_team(
    db: &impl ConnectionTrait,
    actor: &Actor,
    scope: Scope,
    id: Uuid,
) -> Result<TeamView, DomainError> {
    teams::Entity::find_by_id(id)
        .filter(team_reach(actor, scope))
        .one(db)
        .await?
        .map(Into::into)
        .ok_or(DomainError::NotFound("team"))
}

/// Fields of a new team or a change to one; `manager_id: Some(None)` removes the manager.
#[derive(Debug, Clone, Default)]
pub struct TeamInput {
    pub region_id: Option<Uuid>,
    pub name: Option<String>,
    pub manager_id: Option<Option<Uuid>>,
}

fn team_json(team: &teams::Model) -> serde_json::Value {
    json!({"region_id": team.region_id, "name": team.name, "manager_id": team.manager_id})
}

/// Creates a team, or changes one when `id` is given (with `if_match`, only
/// if the team still has that ETag).
pub async fn save_team(
    db: &impl TransactionTrait,
    ctx: &AuditContext,
    id: Option<Uuid>,
    input: TeamInput,
    if_match: Option<&str>,
) -> Result<TeamView, DomainError> {
    let txn = crate::platform::db::begin_write(db).await?;
    let mut errors = Vec::new();
    check_name(input.name.as_deref(), id.is_none(), &mut errors);
    match input.region_id {
        Some(region) if regions::Entity::find_by_id(region).one(&txn).await?.is_none() => {
            errors.push(FieldError::new("/region_id", "no such region"));
        }
        None if id.is_none() => errors.push(FieldError::new("/region_id", "is required")),
        _ => {}
    }
    if let Some(Some(manager)) = input.manager_id
        && users::Entity::find_by_id(manager).one(&txn).await?.is_none()
    {
        errors.push(FieldError::new("/manager_id", "no such user"));
    }
    done(errors)?;
    let now = Utc::now();
    let (before, saved) = match id {
        None => {
            let model = teams::ActiveModel {
                id: Set(Uuid::now_v7()),
                region_id: Set(input.region_id.unwrap_or_default()),
                name: Set(input.name.unwrap_or_default().trim().to_owned()),
                manager_id: Set(input.manager_id.flatten()),
                created_at: Set(now),
                updated_at: Set(now),
            };
            (None, model.insert(&txn).await?)
        }
        Some(id) => {
            let team = current::<teams::Entity, TeamView>(&txn, "team", id, if_match).await?;
            let before = team_json(&team);
            let mut active: teams::ActiveModel = team.into();
            if let Some(region) = input.region_id {
                active.region_id = Set(region);
            }
            if let Some(name) = input.name {
                active.name = Set(name.trim().to_owned());
            }
            if let Some(manager) = input.manager_id {
                active.manager_id = Set(manager);
            }
            active.updated_at = Set(now);
            (Some(before), active.update(&txn).await?)
        }
    };
    commit_saved(txn, ctx, "team", saved.id, before, team_json(&saved)).await?;
    Ok(saved.into())
}

/// Deletes a team without members; with `if_match`, only if it still has that ETag.
pub async fn delete_team(
    db: &impl TransactionTrait,
    ctx: &AuditContext,
    id: Uuid,
    if_match: Option<&str>,
) -> Result<(), DomainError> {
    let txn = crate::platform::db::begin_write(db).await?;
    let team = current::<teams::Entity, TeamView>(&txn, "team", id, if_match).await?;
    let held = users::Entity::find()
        .filter(users::Column::TeamId.eq(id))
        .count(&txn)
        .await?;
    commit_deleted::<teams::Entity, _>(txn, ctx, "team", id, held, team_json(&team)).await
}
