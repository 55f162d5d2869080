//! Sales targets (销售目标) and their split (分解): the director sets annual
//! and quarterly targets, in units and amount (integer fen), for the
//! department, and splits them down to regions and teams; a manager splits
//! the team's month down to its consultants (the team's monthly plan,
//! 月度销售计划). A period (year, quarter, month) and a subject (department,
//! region, team, consultant) have one target; setting it again is refused
//! with `target_exists` (change the existing one instead).
//!
//! A target splits two ways: into the subjects of the level below in the
//! same period (department → regions → teams → consultants), and into its
//! own periods (year → quarters → months). Each split is checked against its
//! target: parts that add up to less are accepted and reported (`under`),
//! parts that add up to more are refused, whichever write would cause it
//! (`target_over_allocated`, 422). Managers read their teams' targets and
//! their consultants', the director every one.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
pub use entities::targets::TargetLevel;
use entities::{regions, targets, teams, users};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Set,
    TransactionSession, TransactionTrait, sea_query::Condition,
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
    platform::input,
    platform::money::{self, Floor},
    platform::page::{Page, PageRequest},
    platform::text::Amount,
    platform::version,
};

#[derive(Debug, Clone, Serialize)]
pub struct TargetView {
    pub id: Uuid,
    pub period: String,
    pub level: TargetLevel,
    pub region_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    pub user_id: Option<Uuid>,
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
            level: m.level,
            region_id: m.region_id,
            team_id: m.team_id,
            user_id: m.user_id,
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
        json!({"period": self.period, "level": self.level, "region_id": self.region_id, "team_id": self.team_id,
               "user_id": self.user_id, "units": self.units, "amount_fen": self.amount_fen})
    }
}

/// The targets a caller reads with `scope`: its teams' (and their
/// consultants') with `team`, every one with `all`, and with `own` the
/// caller's own consultant targets.
pub fn reach(actor: &Actor, scope: Scope) -> Condition {
    use targets::Column as C;
    match scope {
        Scope::All => Condition::all(),
        Scope::Team if !actor.team_ids.is_empty() => Condition::all().add(C::TeamId.is_in(actor.team_ids.clone())),
        Scope::Own => Condition::all().add(C::UserId.eq(actor.id)),
        Scope::Team => Condition::all().add(C::Id.is_null()),
    }
}

/// The targets a caller may split with `targets:write` at `scope`: every
/// one with `all`; its teams' with `team` (a manager, who splits only a
/// team's month: checked on the target found); none with `own`.
fn split_reach(actor: &Actor, scope: Scope) -> Condition {
    use targets::Column as C;
    match scope {
        Scope::All => Condition::all(),
        Scope::Team if !actor.team_ids.is_empty() => Condition::all()
            .add(C::TeamId.is_in(actor.team_ids.clone()))
            .add(C::Level.eq(TargetLevel::Team)),
        _ => Condition::all().add(C::Id.is_null()),
    }
}

/// A new target. Units and amount are taken wide so that out-of-range values are refused, not wrapped.
#[derive(Debug, Clone)]
pub struct NewTarget {
    pub period: String,
    /// `department`, `region`, `team` or `consultant`; when absent, a
    /// consultant's with `user_id`, else a region's or a team's by which of
    /// the two is named.
    pub level: Option<String>,
    pub region_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    pub user_id: Option<Uuid>,
    pub units: i64,
    pub amount_fen: i64,
}

fn check_figures(units: Option<i64>, amount_fen: Option<i64>, at: &str, errors: &mut Vec<FieldError>) {
    if units.is_some_and(|u| !(0..=i64::from(i32::MAX)).contains(&u)) {
        errors.push(FieldError::new(format!("{at}/units"), Msg::WholeAtLeastZero));
    }
    money::check_optional(amount_fen, Floor::Zero, &format!("{at}/amount_fen"), errors);
}

/// Units as stored, once [`check_figures`] passed them.
fn stored_units(units: i64) -> i32 {
    i32::try_from(units).unwrap_or(i32::MAX)
}

/// Whose target: the level and the ids that name its subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Subject {
    level: TargetLevel,
    region_id: Option<Uuid>,
    team_id: Option<Uuid>,
    user_id: Option<Uuid>,
}

impl Subject {
    const DEPARTMENT: Self = Self {
        level: TargetLevel::Department,
        region_id: None,
        team_id: None,
        user_id: None,
    };

    fn region(region: Uuid) -> Self {
        Self {
            level: TargetLevel::Region,
            region_id: Some(region),
            ..Self::DEPARTMENT
        }
    }

    fn team(team: Uuid) -> Self {
        Self {
            level: TargetLevel::Team,
            team_id: Some(team),
            ..Self::DEPARTMENT
        }
    }

    fn consultant(user: Uuid, team: Uuid) -> Self {
        Self {
            level: TargetLevel::Consultant,
            team_id: Some(team),
            user_id: Some(user),
            ..Self::DEPARTMENT
        }
    }

    fn of(target: &targets::Model) -> Self {
        Self {
            level: target.level,
            region_id: target.region_id,
            team_id: target.team_id,
            user_id: target.user_id,
        }
    }

    /// What kind of subject it is, as a noun; `None` for the department.
    fn noun(&self) -> Option<Msg> {
        match self.level {
            TargetLevel::Department => None,
            TargetLevel::Region => Some(Msg::NounRegion),
            TargetLevel::Team => Some(Msg::NounTeam),
            TargetLevel::Consultant => Some(Msg::NounConsultant),
        }
    }

    /// The subject by its kind alone ("this team"), for a caller who named it.
    fn this(&self) -> Msg {
        self.noun().map_or(Msg::SubjectTheDepartment, |what| Msg::SubjectThis {
            what: Box::new(what),
        })
    }

    /// The subject by its name ("team East 1"), for a target the caller may not have named.
    async fn named(&self, db: &impl ConnectionTrait) -> Result<Msg, DomainError> {
        let named = match (self.region_id, self.team_id, self.user_id) {
            (_, _, Some(user)) => users::Entity::find_by_id(user)
                .one(db)
                .await?
                .map(|u| Msg::SubjectConsultant { name: u.name }),
            (_, Some(team), None) => teams::Entity::find_by_id(team)
                .one(db)
                .await?
                .map(|t| Msg::SubjectTeam { name: t.name }),
            (Some(region), None, None) => regions::Entity::find_by_id(region)
                .one(db)
                .await?
                .map(|r| Msg::SubjectRegion { name: r.name }),
            (None, None, None) => None,
        };
        Ok(named.unwrap_or_else(|| self.this()))
    }

    /// The stored key that makes a period's target unique.
    fn key(&self) -> String {
        match (self.level, self.region_id, self.team_id, self.user_id) {
            (TargetLevel::Region, Some(region), _, _) => format!("region:{region}"),
            (TargetLevel::Team, _, Some(team), _) => format!("team:{team}"),
            (TargetLevel::Consultant, _, _, Some(user)) => format!("consultant:{user}"),
            _ => "department".to_owned(),
        }
    }
}

/// The active consultant `user` and their team, if they have one.
async fn consultant_team(db: &impl ConnectionTrait, user: Uuid) -> Result<Option<Uuid>, DomainError> {
    Ok(users::Entity::find_by_id(user)
        .filter(users::Column::Status.eq(users::UserStatus::Active))
        .filter(users::Column::Id.in_subquery(crate::access::roles::holders("consultant")))
        .one(db)
        .await?
        .and_then(|u| u.team_id))
}

/// The subject a new target names, checked; its rules broken go to `errors`.
async fn subject_of(
    db: &impl ConnectionTrait,
    input: &NewTarget,
    errors: &mut Vec<FieldError>,
) -> Result<Option<Subject>, DomainError> {
    let level = input::optional(input.level.as_deref(), |l| input::variant(l, "/level"), errors);
    if input.level.is_some() && level.is_none() {
        return Ok(None);
    }
    let (region, team, user) = (input.region_id, input.team_id, input.user_id);
    let level = match level {
        Some(level) => level,
        None if user.is_some() => TargetLevel::Consultant,
        None => match (region, team) {
            (Some(_), None) => TargetLevel::Region,
            (None, Some(_)) => TargetLevel::Team,
            _ => {
                errors.push(FieldError::new("/team_id", Msg::RegionOrTeam));
                return Ok(None);
            }
        },
    };
    let subject = match (level, region, team, user) {
        (TargetLevel::Department, None, None, None) => Some(Subject::DEPARTMENT),
        (TargetLevel::Department, ..) => {
            errors.push(FieldError::new("/level", Msg::DepartmentNamesNoSubject));
            None
        }
        (TargetLevel::Region, Some(region), None, None) => {
            if regions::Entity::find_by_id(region).one(db).await?.is_none() {
                errors.push(FieldError::new("/region_id", Msg::NoSuchRegion));
            }
            Some(Subject::region(region))
        }
        (TargetLevel::Region, ..) => {
            errors.push(FieldError::new("/region_id", Msg::RegionTargetNamesRegionOnly));
            None
        }
        (TargetLevel::Team, None, Some(team), None) => {
            if teams::Entity::find_by_id(team).one(db).await?.is_none() {
                errors.push(FieldError::new("/team_id", Msg::NoSuchTeam));
            }
            Some(Subject::team(team))
        }
        (TargetLevel::Team, ..) => {
            errors.push(FieldError::new("/team_id", Msg::TeamTargetNamesTeamOnly));
            None
        }
        (TargetLevel::Consultant, None, team, Some(user)) => match consultant_team(db, user).await? {
            Some(of) if team.is_none_or(|t| t == of) => Some(Subject::consultant(user, of)),
            Some(_) => {
                errors.push(FieldError::new("/user_id", Msg::NoSuchConsultantInTeam));
                None
            }
            None => {
                errors.push(FieldError::new("/user_id", Msg::NotAConsultantWithTeam));
                None
            }
        },
        (TargetLevel::Consultant, ..) => {
            errors.push(FieldError::new("/user_id", Msg::ConsultantTargetNeedsUser));
            None
        }
    };
    Ok(subject)
}

fn exists(period: &str, subject: &Subject) -> DomainError {
    DomainError::Rule {
        code: "target_exists",
        detail: Msg::TargetExists {
            subject: Box::new(subject.this()),
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
        errors.push(FieldError::new("/period", Msg::YearQuarterOrMonth));
    }
    check_figures(Some(input.units), Some(input.amount_fen), "", &mut errors);
    let txn = crate::platform::db::begin_write(db).await?;
    let subject = subject_of(&txn, &input, &mut errors).await?;
    let (Ok(period), Some(subject), true) = (period, subject, errors.is_empty()) else {
        return Err(DomainError::Validation(errors));
    };
    let key = subject.key();
    let existing = targets::Entity::find()
        .filter(C::Period.eq(period.to_string()))
        .filter(C::Subject.eq(&key))
        .one(&txn)
        .await?;
    if existing.is_some() {
        return Err(exists(&period.to_string(), &subject));
    }
    let inserted = insert(&txn, actor, period, subject, (input.units, input.amount_fen)).await?;
    refuse_over_allocation(&txn, std::slice::from_ref(&inserted)).await?;
    let view = TargetView::from(inserted);
    record::commit_created(txn, ctx, &view, view.id).await?;
    Ok(view)
}

/// Inserts the target of `subject` for `period` with figures checked before.
async fn insert(
    db: &impl ConnectionTrait,
    actor: &Actor,
    period: Period,
    subject: Subject,
    (units, amount_fen): (i64, i64),
) -> Result<targets::Model, DomainError> {
    let (period, key) = (period.to_string(), subject.key());
    let now = Utc::now();
    targets::ActiveModel {
        id: Set(Uuid::now_v7()),
        period: Set(period.clone()),
        level: Set(subject.level),
        region_id: Set(subject.region_id),
        team_id: Set(subject.team_id),
        user_id: Set(subject.user_id),
        subject: Set(key.clone()),
        units: Set(stored_units(units)),
        amount_fen: Set(amount_fen),
        set_by: Set(actor.user_id()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await
    .map_err(DomainError::from)
    .map_err(|e| match e {
        DomainError::Conflict(_) => exists(&period, &subject),
        other => other,
    })
}

/// What to look for among targets.
#[derive(Debug, Clone, Default)]
pub struct TargetFilter {
    pub period: Option<String>,
    /// The year, its quarters and its months.
    pub year: Option<String>,
    pub region_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    pub user_id: Option<Uuid>,
    /// `department`, `region`, `team` or `consultant`.
    pub level: Option<String>,
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
        errors.push(FieldError::new("/period", Msg::YearQuarterOrMonth));
    }
    let year = filter.year.as_deref().map(str::parse::<Year>);
    if matches!(year, Some(Err(_))) {
        errors.push(FieldError::new("/year", Msg::YearSuchAs));
    }
    let level: Option<TargetLevel> =
        input::optional(filter.level.as_deref(), |l| input::variant(l, "/level"), &mut errors);
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
                .add(C::Period.like(format!("{year}-%"))),
        );
    }
    if let Some(level) = level {
        query = query.filter(C::Level.eq(level));
    }
    if let Some(user) = filter.user_id {
        query = query.filter(C::UserId.eq(user));
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

/// Changes a target's figures (caller holds `targets:write` on all records);
/// refused when its parts would then add up to more than it, or it and its
/// siblings to more than its parent.
pub async fn update(
    db: &(impl ConnectionTrait + TransactionTrait),
    ctx: &AuditContext,
    id: Uuid,
    change: TargetChange,
    if_match: Option<&str>,
) -> Result<TargetView, DomainError> {
    let mut errors = Vec::new();
    check_figures(change.units, change.amount_fen, "", &mut errors);
    if !errors.is_empty() {
        return Err(DomainError::Validation(errors));
    }
    let txn = crate::platform::db::begin_write(db).await?;
    let target = record::find_by_id::<TargetView>(&txn, id).await?;
    let before = TargetView::from(target.clone());
    version::check(if_match, &before)?;
    let mut active: targets::ActiveModel = target.into();
    if let Some(units) = change.units {
        active.units = Set(stored_units(units));
    }
    if let Some(amount) = change.amount_fen {
        active.amount_fen = Set(amount);
    }
    active.updated_at = Set(Utc::now());
    let updated = active.update(&txn).await?;
    refuse_over_allocation(&txn, std::slice::from_ref(&updated)).await?;
    let after = TargetView::from(updated);
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

/// How a target splits: into the subjects of the level below it in the same
/// period, or into its own shorter periods.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Breakdown {
    Subjects,
    Periods,
}

impl Breakdown {
    pub const ALL: [Self; 2] = [Self::Subjects, Self::Periods];
}

/// Where the parts of a target stand against it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AllocationStatus {
    /// The parts add up to more than the target (refused on every write).
    Over,
    /// To less: some of the target is not yet split (accepted, reported).
    Under,
    Exact,
}

impl AllocationStatus {
    pub const ALL: [Self; 3] = [Self::Over, Self::Under, Self::Exact];
}

/// One figure of a target against the sum of its parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Balance {
    /// The target's figure.
    pub parent: i64,
    /// The sum of its parts.
    pub allocated: i64,
    /// allocated − parent: above zero over-allocated, below zero still to split.
    pub difference: i64,
    pub status: AllocationStatus,
}

impl Balance {
    fn new(parent: i64, allocated: i64) -> Self {
        let status = match allocated.cmp(&parent) {
            std::cmp::Ordering::Greater => AllocationStatus::Over,
            std::cmp::Ordering::Less => AllocationStatus::Under,
            std::cmp::Ordering::Equal => AllocationStatus::Exact,
        };
        Self {
            parent,
            allocated,
            difference: allocated.saturating_sub(parent),
            status,
        }
    }
}

/// A target's split one way: its parts and how they add up.
#[derive(Debug, Clone, Serialize)]
pub struct Allocation {
    pub by: Breakdown,
    pub parts: Vec<TargetView>,
    pub units: Balance,
    pub amount_fen: Balance,
    /// `over` if either figure is over, `exact` if both are, else `under`.
    pub status: AllocationStatus,
}

impl Allocation {
    fn new(parent: &targets::Model, by: Breakdown, parts: Vec<targets::Model>) -> Self {
        let units = parts.iter().map(|p| i64::from(p.units)).fold(0i64, i64::saturating_add);
        let amount = parts.iter().map(|p| p.amount_fen).fold(0i64, i64::saturating_add);
        let units = Balance::new(i64::from(parent.units), units);
        let amount_fen = Balance::new(parent.amount_fen, amount);
        let status = match (units.status, amount_fen.status) {
            (AllocationStatus::Over, _) | (_, AllocationStatus::Over) => AllocationStatus::Over,
            (AllocationStatus::Exact, AllocationStatus::Exact) => AllocationStatus::Exact,
            _ => AllocationStatus::Under,
        };
        Self {
            by,
            parts: parts.into_iter().map(TargetView::from).collect(),
            units,
            amount_fen,
            status,
        }
    }
}

/// A target and its two splits, each null where the target cannot split that way
/// (a consultant's into subjects, a month into periods).
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    pub target: TargetView,
    pub subjects: Option<Allocation>,
    pub periods: Option<Allocation>,
}

/// The parts of `target` split `by`, or `None` where it does not split that way.
async fn parts_of(
    db: &impl ConnectionTrait,
    target: &targets::Model,
    by: Breakdown,
) -> Result<Option<Vec<targets::Model>>, DomainError> {
    use targets::Column as C;
    let query = match by {
        Breakdown::Subjects => {
            let same_period = targets::Entity::find().filter(C::Period.eq(&target.period));
            match (target.level, target.region_id, target.team_id) {
                (TargetLevel::Department, ..) => same_period.filter(C::Level.eq(TargetLevel::Region)),
                (TargetLevel::Region, Some(region), _) => same_period.filter(C::Level.eq(TargetLevel::Team)).filter(
                    C::TeamId.in_subquery(
                        teams::Entity::find()
                            .select_only()
                            .column(teams::Column::Id)
                            .filter(teams::Column::RegionId.eq(region))
                            .into_query(),
                    ),
                ),
                (TargetLevel::Team, _, Some(team)) => same_period
                    .filter(C::Level.eq(TargetLevel::Consultant))
                    .filter(C::TeamId.eq(team)),
                _ => return Ok(None),
            }
        }
        Breakdown::Periods => {
            let periods: Vec<String> = match target.period.parse::<Period>() {
                Ok(period) => period.parts().iter().map(ToString::to_string).collect(),
                Err(_) => Vec::new(),
            };
            if periods.is_empty() {
                return Ok(None);
            }
            targets::Entity::find()
                .filter(C::Subject.eq(&target.subject))
                .filter(C::Period.is_in(periods))
        }
    };
    Ok(Some(
        query.order_by_asc(C::Period).order_by_asc(C::Subject).all(db).await?,
    ))
}

/// `target`'s split `by`, or `None` where it does not split that way.
async fn allocation(
    db: &impl ConnectionTrait,
    target: &targets::Model,
    by: Breakdown,
) -> Result<Option<Allocation>, DomainError> {
    Ok(parts_of(db, target, by)
        .await?
        .map(|parts| Allocation::new(target, by, parts)))
}

/// The targets `target` is a part of: its subject's parent in the same
/// period (a consultant's team, a team's region, a region's department) and
/// its own longer period (a month's quarter, a quarter's year), where set.
async fn parents_of(db: &impl ConnectionTrait, target: &targets::Model) -> Result<Vec<targets::Model>, DomainError> {
    use targets::Column as C;
    let above = match (target.level, target.team_id) {
        (TargetLevel::Department, _) => None,
        (TargetLevel::Region, _) => Some(Subject::DEPARTMENT.key()),
        (TargetLevel::Team, Some(team)) => teams::Entity::find_by_id(team)
            .one(db)
            .await?
            .map(|t| Subject::region(t.region_id).key()),
        (TargetLevel::Consultant, Some(team)) => Some(Subject::team(team).key()),
        (_, None) => None,
    };
    let longer = target.period.parse::<Period>().ok().and_then(Period::parent);
    let mut wanted = Condition::any();
    if let Some(key) = above {
        wanted = wanted.add(
            Condition::all()
                .add(C::Period.eq(&target.period))
                .add(C::Subject.eq(key)),
        );
    }
    if let Some(period) = longer {
        wanted = wanted.add(
            Condition::all()
                .add(C::Period.eq(period.to_string()))
                .add(C::Subject.eq(&target.subject)),
        );
    }
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    Ok(targets::Entity::find().filter(wanted).all(db).await?)
}

/// Refuses (`target_over_allocated`) when any of `written`, or any target
/// they are a part of, now has parts adding up to more than it.
async fn refuse_over_allocation(db: &impl ConnectionTrait, written: &[targets::Model]) -> Result<(), DomainError> {
    let mut seen = HashSet::new();
    let mut checked = Vec::new();
    for target in written {
        for t in std::iter::once(target.clone()).chain(parents_of(db, target).await?) {
            if seen.insert(t.id) {
                checked.push(t);
            }
        }
    }
    for target in &checked {
        for by in [Breakdown::Subjects, Breakdown::Periods] {
            let Some(split) = allocation(db, target, by).await? else {
                continue;
            };
            if split.status == AllocationStatus::Over {
                return Err(DomainError::Refused {
                    code: "target_over_allocated",
                    detail: Msg::TargetOverAllocated {
                        subject: Box::new(Subject::of(target).named(db).await?),
                        period: target.period.clone(),
                        units: split.units.difference.max(0),
                        amount: Amount(split.amount_fen.difference.max(0)),
                    },
                });
            }
        }
    }
    Ok(())
}

/// A target within the caller's reach and both its splits.
pub async fn plan(db: &impl ConnectionTrait, actor: &Actor, scope: Scope, id: Uuid) -> Result<Plan, DomainError> {
    let target = record::find::<TargetView>(db, reach(actor, scope), id).await?;
    let subjects = allocation(db, &target, Breakdown::Subjects).await?;
    let periods = allocation(db, &target, Breakdown::Periods).await?;
    Ok(Plan {
        target: target.into(),
        subjects,
        periods,
    })
}

/// One part of a split: exactly one of the region, team or consultant of the
/// level below, or one of the target's shorter periods, and its figures.
#[derive(Debug, Clone, Default)]
pub struct Part {
    pub region_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    pub user_id: Option<Uuid>,
    pub period: Option<String>,
    pub units: i64,
    pub amount_fen: i64,
}

/// What a part names, before it is checked against the target it splits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum PartKey {
    Region(Uuid),
    Team(Uuid),
    User(Uuid),
    Period(Period),
}

impl PartKey {
    fn kind(self) -> u8 {
        match self {
            Self::Region(_) => 0,
            Self::Team(_) => 1,
            Self::User(_) => 2,
            Self::Period(_) => 3,
        }
    }
}

/// The part `i` as the subject and period of the target it sets, checked
/// against `parent`; the rules it breaks go to `errors`.
async fn part_target(
    db: &impl ConnectionTrait,
    parent: &targets::Model,
    parent_period: Period,
    i: usize,
    key: PartKey,
    errors: &mut Vec<FieldError>,
) -> Result<Option<(Period, Subject)>, DomainError> {
    let at = format!("/parts/{i}");
    let this = Subject {
        level: parent.level,
        region_id: parent.region_id,
        team_id: parent.team_id,
        user_id: parent.user_id,
    };
    let wrong_kind = match parent.level {
        TargetLevel::Department => Msg::PartsOfDepartment,
        TargetLevel::Region => Msg::PartsOfRegion,
        TargetLevel::Team => Msg::PartsOfTeam,
        TargetLevel::Consultant => Msg::PartsOfConsultant,
    };
    let found = match (key, parent.level) {
        (PartKey::Period(period), _) => {
            if parent_period.parts().contains(&period) {
                Some((period, this))
            } else {
                errors.push(FieldError::new(
                    format!("{at}/period"),
                    Msg::PeriodNotAPart {
                        parent: parent.period.clone(),
                    },
                ));
                None
            }
        }
        (PartKey::Region(region), TargetLevel::Department) => {
            if regions::Entity::find_by_id(region).one(db).await?.is_none() {
                errors.push(FieldError::new(format!("{at}/region_id"), Msg::NoSuchRegion));
            }
            Some((parent_period, Subject::region(region)))
        }
        (PartKey::Team(team), TargetLevel::Region) => match teams::Entity::find_by_id(team).one(db).await? {
            Some(t) if Some(t.region_id) == parent.region_id => Some((parent_period, Subject::team(team))),
            Some(_) => {
                errors.push(FieldError::new(format!("{at}/team_id"), Msg::TeamOfAnotherRegion));
                None
            }
            None => {
                errors.push(FieldError::new(format!("{at}/team_id"), Msg::NoSuchTeam));
                None
            }
        },
        (PartKey::User(user), TargetLevel::Team) => match consultant_team(db, user).await? {
            Some(team) if Some(team) == parent.team_id => Some((parent_period, Subject::consultant(user, team))),
            _ => {
                errors.push(FieldError::new(format!("{at}/user_id"), Msg::NoSuchConsultantInTeam));
                None
            }
        },
        _ => {
            errors.push(FieldError::new(at, wrong_kind));
            None
        }
    };
    Ok(found)
}

/// Splits target `id` into `parts` (销售目标分解, and a team's month into its
/// consultants: the monthly plan): sets each part's target, creating it or
/// changing its figures, in one transaction, and answers how the split now
/// adds up (parts set before and not named stay and count). Parts adding up
/// to less than the target are accepted (`under`); to more, refused with
/// `target_over_allocated` and nothing written. With `targets:write` on all
/// records any target splits; at `team` (a manager) only a month's target of
/// the caller's teams, into its consultants; other teams' targets are not found.
pub async fn split(
    db: &(impl ConnectionTrait + TransactionTrait),
    ctx: &AuditContext,
    actor: &Actor,
    scope: Scope,
    id: Uuid,
    parts: Vec<Part>,
) -> Result<Allocation, DomainError> {
    use targets::Column as C;
    let txn = crate::platform::db::begin_write(db).await?;
    let parent = record::find::<TargetView>(&txn, split_reach(actor, scope), id).await?;
    let parent_period: Period = parent
        .period
        .parse()
        .map_err(|_| DomainError::Internal(format!("target {id} has the period {:?}", parent.period)))?;
    if scope != Scope::All && !matches!(parent_period, Period::Month(_)) {
        return Err(DomainError::Forbidden(Msg::ManagerSplitsTeamMonths));
    }
    let mut errors = Vec::new();
    if parts.is_empty() {
        errors.push(FieldError::new("/parts", Msg::PartsAtLeastOne));
    }
    let mut keys = Vec::new();
    for (i, part) in parts.iter().enumerate() {
        check_figures(
            Some(part.units),
            Some(part.amount_fen),
            &format!("/parts/{i}"),
            &mut errors,
        );
        let period = part.period.as_deref().map(str::parse::<Period>);
        let key = match (part.region_id, part.team_id, part.user_id, period) {
            (Some(r), None, None, None) => Some(PartKey::Region(r)),
            (None, Some(t), None, None) => Some(PartKey::Team(t)),
            (None, None, Some(u), None) => Some(PartKey::User(u)),
            (None, None, None, Some(Ok(p))) => Some(PartKey::Period(p)),
            (None, None, None, Some(Err(_))) => {
                errors.push(FieldError::new(format!("/parts/{i}/period"), Msg::YearQuarterOrMonth));
                None
            }
            _ => {
                errors.push(FieldError::new(format!("/parts/{i}"), Msg::OnePartKey));
                None
            }
        };
        keys.push(key);
    }
    let first_kind = keys.iter().flatten().next().map(|k| k.kind());
    let mut targets_set = Vec::new();
    let mut named = HashSet::new();
    for (i, key) in keys.into_iter().enumerate() {
        let Some(key) = key else { continue };
        if Some(key.kind()) != first_kind {
            errors.push(FieldError::new(format!("/parts/{i}"), Msg::PartsOneKind));
            continue;
        }
        if !named.insert(key) {
            errors.push(FieldError::new(format!("/parts/{i}"), Msg::PartTwice));
            continue;
        }
        if let Some(found) = part_target(&txn, &parent, parent_period, i, key, &mut errors).await? {
            targets_set.push((found, (parts[i].units, parts[i].amount_fen)));
        }
    }
    if !errors.is_empty() {
        return Err(DomainError::Validation(errors));
    }
    let by = match first_kind {
        Some(3) => Breakdown::Periods,
        _ => Breakdown::Subjects,
    };
    let mut written = Vec::new();
    for ((period, subject), (units, amount_fen)) in targets_set {
        let existing = targets::Entity::find()
            .filter(C::Period.eq(period.to_string()))
            .filter(C::Subject.eq(subject.key()))
            .one(&txn)
            .await?;
        let model = match existing {
            Some(before) => {
                let before_view = TargetView::from(before.clone());
                let mut active: targets::ActiveModel = before.into();
                active.units = Set(stored_units(units));
                active.amount_fen = Set(amount_fen);
                active.set_by = Set(actor.user_id());
                active.updated_at = Set(Utc::now());
                let after = active.update(&txn).await?;
                let after_view = TargetView::from(after.clone());
                crate::access::audit::record(
                    &txn,
                    ctx,
                    "split",
                    TargetView::AUDITED,
                    after.id,
                    Some(&before_view.audit_json()),
                    Some(&after_view.audit_json()),
                )
                .await?;
                after
            }
            None => {
                let created = insert(&txn, actor, period, subject, (units, amount_fen)).await?;
                let view = TargetView::from(created.clone());
                crate::access::audit::record(
                    &txn,
                    ctx,
                    "create",
                    TargetView::AUDITED,
                    created.id,
                    None,
                    Some(&view.audit_json()),
                )
                .await?;
                created
            }
        };
        written.push(model);
    }
    refuse_over_allocation(&txn, &written).await?;
    let split = allocation(&txn, &parent, by)
        .await?
        .ok_or_else(|| DomainError::Internal(format!("target {id} has no {by:?} split")))?;
    txn.commit().await?;
    Ok(split)
}
