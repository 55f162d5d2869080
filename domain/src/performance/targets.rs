//! Sales targets (销售目标): the director sets annual and quarterly targets,
//! in units and amount (integer fen), for a region or a team. A period and a
//! subject have one target; setting it again is refused with
//! `target_exists` (change the existing one instead). Managers read their
//! teams' targets, the director every one.

use chrono::{DateTime, Utc};
use entities::{regions, targets, teams};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, TransactionTrait,
    sea_query::Condition,
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
    platform::calendar::{Period, Year},
    platform::error::{DomainError, FieldError},
    platform::money::{self, Floor},
    platform::page::{Page, PageRequest},
    platform::version,
};

#[derive(Debug, Clone, Serialize)]
pub struct TargetView {
    pub id: Uuid,
    pub period: String,
    pub region_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    pub units: i32,
    pub amount_fen: i64,
    pub set_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<targets::Model> for TargetView {
    fn from(m: targets::Model) -> Self {
        Self {
            id: m.id,
            period: m.period,
            region_id: m.region_id,
            team_id: m.team_id,
            units: m.units,
            amount_fen: m.amount_fen,
            set_by: m.set_by,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

impl Record for TargetView {
    type Entity = targets::Entity;
    const NAME: Msg = Msg::NounTarget;
    const AUDITED: &'static str = "target";
    fn audit_json(&self) -> serde_json::Value {
        json!({"period": self.period, "region_id": self.region_id, "team_id": self.team_id, "units": self.units,
               "amount_fen": self.amount_fen})
    }
}

/// The targets a caller reads with `scope`: its teams' with `team`, every one with `all`.
pub fn reach(actor: &Actor, scope: Scope) -> Condition {
    use targets::Column as C;
    match scope {
        Scope::All => Condition::all(),
        Scope::Team if !actor.team_ids.is_empty() => Condition::all().add(C::TeamId.is_in(actor.team_ids.clone())),
        // Targets are nobody's own: nothing.
        _ => Condition::all().add(C::Id.is_null()),
    }
}

/// A new target. Units and amount are taken wide so that out-of-range values are refused, not wrapped.
#[derive(Debug, Clone)]
pub struct NewTarget {
    pub period: String,
    pub region_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    pub units: i64,
    pub amount_fen: i64,
}

fn check_figures(units: Option<i64>, amount_fen: Option<i64>, errors: &mut Vec<FieldError>) {
    if units.is_some_and(|u| !(0..=i64::from(i32::MAX)).contains(&u)) {
        errors.push(FieldError::new("/units", Msg::WholeAtLeastZero));
    }
    money::check_optional(amount_fen, Floor::Zero, "/amount_fen", errors);
}

fn subject(region_id: Option<Uuid>, team_id: Option<Uuid>) -> String {
    match (team_id, region_id) {
        (Some(team), _) => format!("team:{team}"),
        (None, Some(region)) => format!("region:{region}"),
        (None, None) => String::new(),
    }
}

fn exists(period: &str, subject: &str) -> DomainError {
    DomainError::Rule {
        code: "target_exists",
        detail: Msg::TargetExists {
            subject: subject.to_owned(),
            period: period.to_owned(),
        },
    }
}

/// Sets a target. The caller must hold `targets:write` on all records (checked by the API).
pub async fn create(
    db: &(impl ConnectionTrait + TransactionTrait),
    ctx: &AuditContext,
    actor: &Actor,
    input: NewTarget,
) -> Result<TargetView, DomainError> {
    use targets::Column as C;
    let mut errors = Vec::new();
    let period = input.period.parse::<Period>();
    if period.is_err() {
        errors.push(FieldError::new("/period", Msg::YearOrQuarter));
    }
    check_figures(Some(input.units), Some(input.amount_fen), &mut errors);
    let txn = crate::platform::db::begin_write(db).await?;
    match (input.region_id, input.team_id) {
        (Some(_), Some(_)) | (None, None) => errors.push(FieldError::new("/team_id", Msg::RegionOrTeam)),
        (Some(region), None) => {
            if regions::Entity::find_by_id(region).one(&txn).await?.is_none() {
                errors.push(FieldError::new("/region_id", Msg::NoSuchRegion));
            }
        }
        (None, Some(team)) => {
            if teams::Entity::find_by_id(team).one(&txn).await?.is_none() {
                errors.push(FieldError::new("/team_id", Msg::NoSuchTeam));
            }
        }
    }
    let (Ok(period), true) = (period, errors.is_empty()) else {
        return Err(DomainError::Validation(errors));
    };
    let period = period.to_string();
    let subject = subject(input.region_id, input.team_id);
    let existing = targets::Entity::find()
        .filter(C::Period.eq(&period))
        .filter(C::Subject.eq(&subject))
        .one(&txn)
        .await?;
    if existing.is_some() {
        return Err(exists(&period, &subject));
    }
    let now = Utc::now();
    let inserted = targets::ActiveModel {
        id: Set(Uuid::now_v7()),
        period: Set(period.clone()),
        region_id: Set(input.region_id.filter(|_| input.team_id.is_none())),
        team_id: Set(input.team_id),
        subject: Set(subject.clone()),
        units: Set(i32::try_from(input.units).unwrap_or(i32::MAX)),
        amount_fen: Set(input.amount_fen),
        set_by: Set(actor.user_id()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await
    .map_err(DomainError::from)
    .map_err(|e| match e {
        DomainError::Conflict(_) => exists(&period, &subject),
        other => other,
    })?;
    let view = TargetView::from(inserted);
    record::commit_created(txn, ctx, &view, view.id).await?;
    Ok(view)
}

/// What to look for among targets.
#[derive(Debug, Clone, Default)]
pub struct TargetFilter {
    pub period: Option<String>,
    /// The year and its quarters.
    pub year: Option<String>,
    pub region_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
}

pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    scope: Scope,
    filter: TargetFilter,
    page: PageRequest,
) -> Result<Page<TargetView>, DomainError> {
    use targets::Column as C;
    let mut errors = Vec::new();
    let period = filter.period.as_deref().map(str::parse::<Period>);
    if matches!(period, Some(Err(_))) {
        errors.push(FieldError::new("/period", Msg::YearOrQuarter));
    }
    let year = filter.year.as_deref().map(str::parse::<Year>);
    if matches!(year, Some(Err(_))) {
        errors.push(FieldError::new("/year", Msg::YearSuchAs));
    }
    if !errors.is_empty() {
        return Err(DomainError::Validation(errors));
    }
    let mut query = targets::Entity::find().filter(reach(actor, scope));
    if let Some(Ok(period)) = period {
        query = query.filter(C::Period.eq(period.to_string()));
    }
    if let Some(Ok(year)) = year {
        query = query.filter(
            Condition::any()
                .add(C::Period.eq(year.to_string()))
                .add(C::Period.like(format!("{year}-Q%"))),
        );
    }
    if let Some(region) = filter.region_id {
        query = query.filter(C::RegionId.eq(region));
    }
    if let Some(team) = filter.team_id {
        query = query.filter(C::TeamId.eq(team));
    }
    Ok(page.fetch(db, query, C::Id, |t| t.id).await?.map(TargetView::from))
}

/// One target within the caller's reach; outside it, "not found".
pub async fn get(db: &impl ConnectionTrait, actor: &Actor, scope: Scope, id: Uuid) -> Result<TargetView, DomainError> {
    record::find::<TargetView>(db, reach(actor, scope), id)
        .await
        .map(Into::into)
}

/// New figures for a target; only those given change.
#[derive(Debug, Clone, Default)]
pub struct TargetChange {
    pub units: Option<i64>,
    pub amount_fen: Option<i64>,
}

/// Changes a target's figures (caller holds `targets:write` on all records).
pub async fn update(
    db: &(impl ConnectionTrait + TransactionTrait),
    ctx: &AuditContext,
    id: Uuid,
    change: TargetChange,
    if_match: Option<&str>,
) -> Result<TargetView, DomainError> {
    let mut errors = Vec::new();
    check_figures(change.units, change.amount_fen, &mut errors);
    if !errors.is_empty() {
        return Err(DomainError::Validation(errors));
    }
    let txn = crate::platform::db::begin_write(db).await?;
    let target = record::find_by_id::<TargetView>(&txn, id).await?;
    let before = TargetView::from(target.clone());
    version::check(if_match, &before)?;
    let mut active: targets::ActiveModel = target.into();
    if let Some(units) = change.units {
        active.units = Set(i32::try_from(units).unwrap_or(i32::MAX));
    }
    if let Some(amount) = change.amount_fen {
        active.amount_fen = Set(amount);
    }
    active.updated_at = Set(Utc::now());
    let after = TargetView::from(active.update(&txn).await?);
    record::commit_changed(txn, ctx, "update", id, &before, &after).await?;
    Ok(after)
}

/// Deletes a target (caller holds `targets:write` on all records).
pub async fn delete(
    db: &(impl ConnectionTrait + TransactionTrait),
    ctx: &AuditContext,
    id: Uuid,
    if_match: Option<&str>,
) -> Result<(), DomainError> {
    let txn = crate::platform::db::begin_write(db).await?;
    let target = record::find_by_id::<TargetView>(&txn, id).await?;
    let before = TargetView::from(target);
    version::check(if_match, &before)?;
    targets::Entity::delete_by_id(id).exec(&txn).await?;
    record::commit_deleted(txn, ctx, id, &before).await
}
