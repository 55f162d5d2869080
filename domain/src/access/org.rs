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

use crate::platform::text::Msg;
use crate::{
    access::actor::Actor,
    access::audit::AuditContext,
    access::permissions::Scope,
    access::record::{self, Record},
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

impl Record for RegionView {
    type Entity = regions::Entity;
    const NAME: Msg = Msg::NounRegion;
    const AUDITED: &'static str = "region";
    fn audit_json(&self) -> serde_json::Value {
        json!({"name": self.name})
    }
}

impl Record for TeamView {
    type Entity = teams::Entity;
    const NAME: Msg = Msg::NounTeam;
    const AUDITED: &'static str = "team";
    fn audit_json(&self) -> serde_json::Value {
        json!({"region_id": self.region_id, "name": self.name, "manager_id": self.manager_id})
    }
}

fn check_name(name: Option<&str>, required: bool, errors: &mut Vec<FieldError>) {
    match name {
        Some(n) if n.trim().is_empty() || n.chars().count() > 200 => {
            errors.push(FieldError::new("/name", Msg::CharsBetween { min: 1, max: 200 }));
        }
        None if required => errors.push(FieldError::new("/name", Msg::Required)),
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

/// The row `id` of a region or a team as it is now, if `if_match` (when
/// given) still names the version of its view `R`.
async fn current<R>(
    txn: &impl ConnectionTrait,
    id: Uuid,
    if_match: Option<&str>,
) -> Result<<R::Entity as EntityTrait>::Model, DomainError>
where
    R: Record + From<<R::Entity as EntityTrait>::Model>,
    Uuid: Into<<<R::Entity as EntityTrait>::PrimaryKey as PrimaryKeyTrait>::ValueType>,
{
    let row = record::find_by_id::<R>(txn, id).await?;
    version::check(if_match, &R::from(row.clone()))?;
    Ok(row)
}

/// Audits the creation (no `before`) or change of a region or team into
/// `saved` and commits.
async fn commit_saved<R: Record>(
    txn: impl TransactionSession + ConnectionTrait,
    ctx: &AuditContext,
    id: Uuid,
    before: Option<R>,
    saved: R,
) -> Result<R, DomainError> {
    match before {
        None => record::commit_created(txn, ctx, &saved, id).await?,
        Some(before) => record::commit_changed(txn, ctx, "update", id, &before, &saved).await?,
    }
    Ok(saved)
}

/// Deletes the region or team `id` (if `if_match`, when given, still names
/// its version) unless rows of `H` still name it in `holder`, audits it with
/// what it was and commits.
async fn delete_empty<R, H>(
    db: &impl TransactionTrait,
    ctx: &AuditContext,
    id: Uuid,
    if_match: Option<&str>,
    holder: H::Column,
) -> Result<(), DomainError>
where
    R: Record + From<<R::Entity as EntityTrait>::Model>,
    H: EntityTrait,
    H::Model: Sync,
    Uuid: Into<<<R::Entity as EntityTrait>::PrimaryKey as PrimaryKeyTrait>::ValueType>,
{
    let txn = crate::platform::db::begin_write(db).await?;
    let before = R::from(current::<R>(&txn, id, if_match).await?);
    if H::find().filter(holder.eq(id)).count(&txn).await? > 0 {
        return Err(not_empty(R::NAME));
    }
    R::Entity::delete_by_id(id).exec(&txn).await?;
    record::commit_deleted(txn, ctx, id, &before).await
}

fn not_empty(what: Msg) -> DomainError {
    DomainError::Rule {
        code: "not_empty",
        detail: Msg::NotEmpty { what: Box::new(what) },
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
    record::find_by_id::<RegionView>(db, id).await.map(Into::into)
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
            let region = current::<RegionView>(&txn, id, if_match).await?;
            let before = RegionView::from(region.clone());
            let mut active: regions::ActiveModel = region.into();
            if let Some(name) = name {
                active.name = Set(name.trim().to_owned());
            }
            active.updated_at = Set(now);
            (Some(before), active.update(&txn).await?)
        }
    };
    commit_saved(txn, ctx, saved.id, before, saved.into()).await
}

/// Deletes a region without teams; with `if_match`, only if it still has that ETag.
pub async fn delete_region(
    db: &impl TransactionTrait,
    ctx: &AuditContext,
    id: Uuid,
    if_match: Option<&str>,
) -> Result<(), DomainError> {
    delete_empty::<RegionView, teams::Entity>(db, ctx, id, if_match, teams::Column::RegionId).await
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

/// How many accounts belong to each of the teams `ids` (one query); a team
/// without members is absent.
pub async fn member_counts(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = Uuid>,
) -> Result<std::collections::HashMap<Uuid, u64>, DomainError> {
    use sea_orm::{
        QuerySelect,
        sea_query::{Expr, ExprTrait},
    };
    let rows: Vec<(Option<Uuid>, i64)> = users::Entity::find()
        .select_only()
        .column(users::Column::TeamId)
        .column_as(Expr::col(users::Column::Id).count(), "members")
        .filter(users::Column::TeamId.is_in(ids))
        .group_by(users::Column::TeamId)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(team, n)| Some((team?, u64::try_from(n).ok()?)))
        .collect())
}

pub async fn get_team(
    db: &impl ConnectionTrait,
    actor: &Actor,
    scope: Scope,
    id: Uuid,
) -> Result<TeamView, DomainError> {
    record::find::<TeamView>(db, team_reach(actor, scope), id)
        .await
        .map(Into::into)
}

/// Fields of a new team or a change to one; `manager_id: Some(None)` removes the manager.
#[derive(Debug, Clone, Default)]
pub struct TeamInput {
    pub region_id: Option<Uuid>,
    pub name: Option<String>,
    pub manager_id: Option<Option<Uuid>>,
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
            errors.push(FieldError::new(
                "/region_id",
                Msg::NoSuch {
                    what: Box::new(Msg::NounRegion),
                },
            ));
        }
        None if id.is_none() => errors.push(FieldError::new("/region_id", Msg::Required)),
        _ => {}
    }
    if let Some(Some(manager)) = input.manager_id
        && users::Entity::find_by_id(manager).one(&txn).await?.is_none()
    {
        errors.push(FieldError::new(
            "/manager_id",
            Msg::NoSuch {
                what: Box::new(Msg::NounUser),
            },
        ));
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
            let team = current::<TeamView>(&txn, id, if_match).await?;
            let before = TeamView::from(team.clone());
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
    commit_saved(txn, ctx, saved.id, before, saved.into()).await
}

/// Deletes a team without members; with `if_match`, only if it still has that ETag.
pub async fn delete_team(
    db: &impl TransactionTrait,
    ctx: &AuditContext,
    id: Uuid,
    if_match: Option<&str>,
) -> Result<(), DomainError> {
    delete_empty::<TeamView, users::Entity>(db, ctx, id, if_match, users::Column::TeamId).await
}
