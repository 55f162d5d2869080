//! Trainings (培训) and who attended them, with their exam (考核) results,
//! from which the manager's training coverage and pass rate are figured.
//! Staff read trainings through their `trainings:read` scope: `own` is the
//! trainings they attend, `team` adds those of their teams or attended by
//! their teams' members, `all` every one. A manager writes trainings of its
//! teams, the director any.

use chrono::{DateTime, Utc};
use entities::{training_attendees, trainings, users};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionSession,
    TransactionTrait,
    sea_query::{Condition, Query},
};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crate::platform::text::Msg;
use crate::{
    access::actor::{Actor, ActorKind},
    access::audit::{self, AuditContext},
    access::permissions::Scope,
    access::record::{self, Record},
    platform::error::{DomainError, FieldError},
    platform::page::{Page, PageRequest},
    platform::version,
};

/// At most this many attendees are named when a training is created.
pub const MAX_ATTENDEES: usize = 500;

#[derive(Debug, Clone, Serialize)]
pub struct AttendeeView {
    pub user_id: Uuid,
    pub attended: bool,
    /// `None` until the exam result is known (or if there was no exam).
    pub exam_passed: Option<bool>,
    pub updated_at: DateTime<Utc>,
}

impl From<training_attendees::Model> for AttendeeView {
    fn from(m: training_attendees::Model) -> Self {
        Self {
            user_id: m.user_id,
            attended: m.attended,
            exam_passed: m.exam_passed,
            updated_at: m.updated_at,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct TrainingView {
    pub id: Uuid,
    pub title: String,
    pub topic: Option<String>,
    pub team_id: Option<Uuid>,
    pub held_at: DateTime<Utc>,
    pub trainer: Option<String>,
    /// An advanced training (高端培训), offered first to the talent list.
    pub advanced: bool,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Filled for a single training, empty in lists.
    pub attendees: Vec<AttendeeView>,
}

impl From<trainings::Model> for TrainingView {
    fn from(m: trainings::Model) -> Self {
        Self {
            id: m.id,
            title: m.title,
            topic: m.topic,
            team_id: m.team_id,
            held_at: m.held_at,
            trainer: m.trainer,
            advanced: m.advanced,
            created_by: m.created_by,
            created_at: m.created_at,
            updated_at: m.updated_at,
            attendees: Vec::new(),
        }
    }
}

impl Record for TrainingView {
    type Entity = trainings::Entity;
    const NAME: Msg = Msg::NounTraining;
    const AUDITED: &'static str = "training";
    fn audit_json(&self) -> serde_json::Value {
        json!({"title": self.title, "topic": self.topic, "team_id": self.team_id, "held_at": self.held_at, "trainer": self.trainer, "advanced": self.advanced})
    }
}

fn nothing() -> Condition {
    Condition::all().add(trainings::Column::Id.is_null())
}

fn attended_by(users: impl sea_orm::sea_query::IntoCondition) -> Condition {
    use training_attendees::Column as A;
    Condition::all().add(
        trainings::Column::Id.in_subquery(
            Query::select()
                .column(A::TrainingId)
                .from(training_attendees::Entity)
                .cond_where(users)
                .to_owned(),
        ),
    )
}

/// The trainings a caller reads with `scope`.
pub fn read_reach(actor: &Actor, scope: Scope) -> Condition {
    use training_attendees::Column as A;
    if actor.kind == ActorKind::Client {
        return nothing();
    }
    let own = attended_by(A::UserId.eq(actor.id));
    match scope {
        Scope::All => Condition::all(),
        Scope::Own => own,
        Scope::Team if actor.team_ids.is_empty() => own,
        Scope::Team => {
            let members = Query::select()
                .column(users::Column::Id)
                .from(users::Entity)
                .and_where(users::Column::TeamId.is_in(actor.team_ids.clone()))
                .to_owned();
            Condition::any()
                .add(own)
                .add(trainings::Column::TeamId.is_in(actor.team_ids.clone()))
                .add(attended_by(A::UserId.in_subquery(members)))
        }
    }
}

/// The trainings a caller changes with `scope`: its teams' (or those it created) with `team`.
pub fn write_reach(actor: &Actor, scope: Scope) -> Condition {
    use trainings::Column as C;
    if actor.kind == ActorKind::Client {
        return nothing();
    }
    match scope {
        Scope::All => Condition::all(),
        Scope::Team if !actor.team_ids.is_empty() => Condition::any()
            .add(C::CreatedBy.eq(actor.id))
            .add(C::TeamId.is_in(actor.team_ids.clone())),
        _ => Condition::all().add(C::CreatedBy.eq(actor.id)),
    }
}

/// The users a caller puts on a training's attendance with `trainings:write`
/// at `scope`: itself with `own`, its teams' members with `team`, anyone with
/// `all` (the same reach as for reading accounts).
pub(crate) fn attendee_reach(actor: &Actor, scope: Scope) -> Condition {
    actor.reach(scope, users::Column::Id, Some(users::Column::TeamId))
}

/// A training's own fields, for a new one or a change (only those given change).
#[derive(Debug, Clone, Default)]
pub struct TrainingInput {
    pub title: Option<String>,
    pub topic: Option<Option<String>>,
    pub trainer: Option<Option<String>>,
    pub held_at: Option<DateTime<Utc>>,
    /// Whether it is an advanced training (new ones default to not).
    pub advanced: Option<bool>,
    /// New trainings only.
    pub team_id: Option<Uuid>,
    /// New trainings only: the users it is for.
    pub attendee_ids: Vec<Uuid>,
}

fn check(input: &TrainingInput, creating: bool, errors: &mut Vec<FieldError>) {
    match &input.title {
        Some(t) if t.trim().is_empty() || t.chars().count() > 200 => {
            errors.push(FieldError::new("/title", Msg::OneToChars { max: 200 }));
        }
        None if creating => errors.push(FieldError::new("/title", Msg::Required)),
        _ => {}
    }
    if input
        .topic
        .as_ref()
        .is_some_and(|t| t.as_ref().is_some_and(|t| t.chars().count() > 4000))
    {
        errors.push(FieldError::new("/topic", Msg::AtMostChars { max: 4000 }));
    }
    if input.trainer.as_ref().is_some_and(|t| {
        t.as_ref()
            .is_some_and(|t| t.trim().is_empty() || t.chars().count() > 200)
    }) {
        errors.push(FieldError::new("/trainer", Msg::OneToChars { max: 200 }));
    }
    if creating && input.held_at.is_none() {
        errors.push(FieldError::new("/held_at", Msg::Required));
    }
}

/// Plans or records a training for its attendees. With scope `team` the
/// training must be for one of the caller's teams.
pub async fn create(
    db: &(impl ConnectionTrait + TransactionTrait),
    ctx: &AuditContext,
    actor: &Actor,
    scope: Scope,
    input: TrainingInput,
) -> Result<TrainingView, DomainError> {
    let mut errors = Vec::new();
    check(&input, true, &mut errors);
    if scope != Scope::All {
        match input.team_id {
            None => errors.push(FieldError::new("/team_id", Msg::TeamRequiredOfYours)),
            Some(team) if !actor.team_ids.contains(&team) => {
                errors.push(FieldError::new("/team_id", Msg::NotOneOfYourTeams));
            }
            Some(_) => {}
        }
    }
    let mut attendee_ids = input.attendee_ids.clone();
    attendee_ids.sort_unstable();
    attendee_ids.dedup();
    if attendee_ids.len() > MAX_ATTENDEES {
        errors.push(FieldError::new(
            "/attendee_ids",
            Msg::AtMostUsers { max: MAX_ATTENDEES },
        ));
    }
    let txn = crate::platform::db::begin_write(db).await?;
    if let Some(team) = input.team_id
        && scope == Scope::All
        && entities::teams::Entity::find_by_id(team).one(&txn).await?.is_none()
    {
        errors.push(FieldError::new("/team_id", Msg::NoSuchTeam));
    }
    if !attendee_ids.is_empty() && attendee_ids.len() <= MAX_ATTENDEES {
        let known: Vec<Uuid> = users::Entity::find()
            .filter(users::Column::Id.is_in(attendee_ids.clone()))
            .filter(attendee_reach(actor, scope))
            .all(&txn)
            .await?
            .into_iter()
            .map(|u| u.id)
            .collect();
        for (i, id) in input.attendee_ids.iter().enumerate() {
            if !known.contains(id) {
                errors.push(FieldError::new(format!("/attendee_ids/{i}"), Msg::NoUserInReach));
            }
        }
    }
    if !errors.is_empty() {
        return Err(DomainError::Validation(errors));
    }
    let now = Utc::now();
    let training = trainings::ActiveModel {
        id: Set(Uuid::now_v7()),
        title: Set(input.title.unwrap_or_default().trim().to_owned()),
        topic: Set(input.topic.flatten()),
        team_id: Set(input.team_id),
        held_at: Set(input.held_at.unwrap_or(now)),
        trainer: Set(input.trainer.flatten().map(|t| t.trim().to_owned())),
        advanced: Set(input.advanced.unwrap_or(false)),
        created_by: Set(actor.user_id()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let mut view = TrainingView::from(training);
    for user in attendee_ids {
        let attendee = training_attendees::ActiveModel {
            training_id: Set(view.id),
            user_id: Set(user),
            attended: Set(false),
            exam_passed: Set(None),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await?;
        view.attendees.push(attendee.into());
    }
    let mut after = view.audit_json();
    after["attendee_ids"] = json!(view.attendees.iter().map(|a| a.user_id).collect::<Vec<_>>());
    audit::record(&txn, ctx, "create", "training", view.id, None, Some(&after)).await?;
    txn.commit().await?;
    Ok(view)
}

/// What to look for among trainings.
#[derive(Debug, Clone, Default)]
pub struct TrainingFilter {
    pub team_id: Option<Uuid>,
    /// Held at or after.
    pub from: Option<DateTime<Utc>>,
    /// Held before.
    pub to: Option<DateTime<Utc>>,
    /// Only advanced trainings (`true`) or only the others (`false`).
    pub advanced: Option<bool>,
}

/// Trainings within the caller's reach (without their attendees).
pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    scope: Scope,
    filter: TrainingFilter,
    page: PageRequest,
) -> Result<Page<TrainingView>, DomainError> {
    use trainings::Column as C;
    if let (Some(from), Some(to)) = (filter.from, filter.to)
        && to < from
    {
        return Err(DomainError::invalid("/to", Msg::NotBeforeFrom));
    }
    let mut query = trainings::Entity::find().filter(read_reach(actor, scope));
    if let Some(team) = filter.team_id {
        query = query.filter(C::TeamId.eq(team));
    }
    if let Some(from) = filter.from {
        query = query.filter(C::HeldAt.gte(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(C::HeldAt.lt(to));
    }
    if let Some(advanced) = filter.advanced {
        query = query.filter(C::Advanced.eq(advanced));
    }
    Ok(page.fetch(db, query, C::Id, |t| t.id).await?.map(TrainingView::from))
}

async fn with_attendees(db: &impl ConnectionTrait, training: trainings::Model) -> Result<TrainingView, DomainError> {
    let mut view = TrainingView::from(training);
    view.attendees = training_attendees::Entity::find()
        .filter(training_attendees::Column::TrainingId.eq(view.id))
        .order_by_asc(training_attendees::Column::UserId)
        .all(db)
        .await?
        .into_iter()
        .map(AttendeeView::from)
        .collect();
    Ok(view)
}

/// One training with its attendees, within the caller's reach.
pub async fn get(
    db: &impl ConnectionTrait,
    actor: &Actor,
    scope: Scope,
    id: Uuid,
) -> Result<TrainingView, DomainError> {
    let training = record::find::<TrainingView>(db, read_reach(actor, scope), id).await?;
    with_attendees(db, training).await
}

/// Changes title, topic, trainer or time of a training.
pub async fn update(
    db: &(impl ConnectionTrait + TransactionTrait),
    ctx: &AuditContext,
    actor: &Actor,
    scope: Scope,
    id: Uuid,
    input: TrainingInput,
    if_match: Option<&str>,
) -> Result<TrainingView, DomainError> {
    let mut errors = Vec::new();
    check(&input, false, &mut errors);
    if input.team_id.is_some() {
        errors.push(FieldError::new("/team_id", Msg::CannotBeChanged));
    }
    if !errors.is_empty() {
        return Err(DomainError::Validation(errors));
    }
    let txn = crate::platform::db::begin_write(db).await?;
    let training = record::find::<TrainingView>(&txn, write_reach(actor, scope), id).await?;
    let before = with_attendees(&txn, training.clone()).await?;
    version::check(if_match, &before)?;
    if let Some(held_at) = input.held_at
        && held_at > Utc::now()
        && before.attendees.iter().any(|a| a.attended || a.exam_passed.is_some())
    {
        return Err(DomainError::invalid("/held_at", Msg::AttendanceRecordedNotFuture));
    }
    let mut active: trainings::ActiveModel = training.into();
    if let Some(title) = input.title {
        active.title = Set(title.trim().to_owned());
    }
    if let Some(topic) = input.topic {
        active.topic = Set(topic);
    }
    if let Some(trainer) = input.trainer {
        active.trainer = Set(trainer.map(|t| t.trim().to_owned()));
    }
    if let Some(held_at) = input.held_at {
        active.held_at = Set(held_at);
    }
    if let Some(advanced) = input.advanced {
        active.advanced = Set(advanced);
    }
    active.updated_at = Set(Utc::now());
    let mut after = TrainingView::from(active.update(&txn).await?);
    after.attendees = before.attendees.clone();
    record::commit_changed(txn, ctx, "update", id, &before, &after).await?;
    Ok(after)
}

/// An attendee as the training's audit entries show it.
fn attendee_json(m: &training_attendees::Model) -> serde_json::Value {
    json!({"attendee": {"user_id": m.user_id, "attended": m.attended, "exam_passed": m.exam_passed}})
}

/// Whether an attendee came and passed the exam.
#[derive(Debug, Clone, Copy)]
pub struct Mark {
    pub attended: bool,
    /// `None`: no result (yet).
    pub exam_passed: Option<bool>,
}

/// An attendee added, or an existing one changed.
#[derive(Debug, Clone)]
pub enum Attendance {
    Added(AttendeeView),
    Changed(AttendeeView),
}

/// Adds `user_id` to a training or changes whether they attended and passed.
/// Attendance and exam results are only recorded once the training has been held.
/// A user outside the caller's reach is "not found", as everywhere.
pub async fn set_attendee(
    db: &(impl ConnectionTrait + TransactionTrait),
    ctx: &AuditContext,
    actor: &Actor,
    scope: Scope,
    training_id: Uuid,
    user_id: Uuid,
    mark: Mark,
) -> Result<Attendance, DomainError> {
    use training_attendees::Column as A;
    let Mark { attended, exam_passed } = mark;
    let txn = crate::platform::db::begin_write(db).await?;
    let training = record::find::<TrainingView>(&txn, write_reach(actor, scope), training_id).await?;
    if users::Entity::find_by_id(user_id)
        .filter(attendee_reach(actor, scope))
        .one(&txn)
        .await?
        .is_none()
    {
        return Err(DomainError::NotFound(Msg::NounUser));
    }
    let now = Utc::now();
    if training.held_at > now {
        let mut errors = Vec::new();
        if attended {
            errors.push(FieldError::new("/attended", Msg::TrainingNotHeldYet));
        }
        if exam_passed.is_some() {
            errors.push(FieldError::new("/exam_passed", Msg::TrainingNotHeldYet));
        }
        if !errors.is_empty() {
            return Err(DomainError::Validation(errors));
        }
    }
    if exam_passed.is_some() && !attended {
        return Err(DomainError::invalid("/exam_passed", Msg::ExamOnlyIfAttended));
    }
    let existing = training_attendees::Entity::find()
        .filter(A::TrainingId.eq(training_id))
        .filter(A::UserId.eq(user_id))
        .one(&txn)
        .await?;
    let result = match existing {
        None => {
            let added = training_attendees::ActiveModel {
                training_id: Set(training_id),
                user_id: Set(user_id),
                attended: Set(attended),
                exam_passed: Set(exam_passed),
                updated_at: Set(now),
            }
            .insert(&txn)
            .await?;
            let after = attendee_json(&added);
            audit::record(&txn, ctx, "add_attendee", "training", training_id, None, Some(&after)).await?;
            Attendance::Added(added.into())
        }
        Some(row) => {
            let before = attendee_json(&row);
            let mut active: training_attendees::ActiveModel = row.into();
            active.attended = Set(attended);
            active.exam_passed = Set(exam_passed);
            active.updated_at = Set(now);
            let changed = active.update(&txn).await?;
            let after = attendee_json(&changed);
            audit::record(
                &txn,
                ctx,
                "update_attendee",
                "training",
                training_id,
                Some(&before),
                Some(&after),
            )
            .await?;
            Attendance::Changed(changed.into())
        }
    };
    txn.commit().await?;
    Ok(result)
}

/// Takes `user_id` off a training.
pub async fn remove_attendee(
    db: &(impl ConnectionTrait + TransactionTrait),
    ctx: &AuditContext,
    actor: &Actor,
    scope: Scope,
    training_id: Uuid,
    user_id: Uuid,
) -> Result<(), DomainError> {
    use training_attendees::Column as A;
    let txn = crate::platform::db::begin_write(db).await?;
    record::find::<TrainingView>(&txn, write_reach(actor, scope), training_id).await?;
    let row = training_attendees::Entity::find()
        .filter(A::TrainingId.eq(training_id))
        .filter(A::UserId.eq(user_id))
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound(Msg::NounAttendee))?;
    let before = attendee_json(&row);
    training_attendees::Entity::delete_many()
        .filter(A::TrainingId.eq(training_id))
        .filter(A::UserId.eq(user_id))
        .exec(&txn)
        .await?;
    audit::record(
        &txn,
        ctx,
        "remove_attendee",
        "training",
        training_id,
        Some(&before),
        None,
    )
    .await?;
    txn.commit().await?;
    Ok(())
}

/// A consultant an advanced training may be offered to.
#[derive(Debug, Clone, Serialize)]
pub struct Candidate {
    pub user_id: Uuid,
    pub name: String,
    pub team_id: Option<Uuid>,
    /// On the talent list (with its default parameters): offered first.
    pub on_talent_list: bool,
    /// How many of the talent list's quarters they ranked in its top places; 0 when not on it.
    pub times_in_top: usize,
    /// Their best rank in those quarters.
    pub best_rank: Option<i64>,
}

/// Whom an advanced training is offered to (表现优异者优先参与高端培训): the
/// talent list's members first, in its order, then the other active
/// consultants within the caller's reach by name; those already on the
/// training are left out. A training that is not advanced is refused (409).
pub async fn candidates(
    db: &impl ConnectionTrait,
    actor: &Actor,
    scope: Scope,
    training_id: Uuid,
    tz: chrono_tz::Tz,
) -> Result<Vec<Candidate>, DomainError> {
    let training = record::find::<TrainingView>(db, write_reach(actor, scope), training_id).await?;
    if !training.advanced {
        return Err(DomainError::Conflict(Msg::TrainingNotAdvanced));
    }
    let on_it: Vec<Uuid> = training_attendees::Entity::find()
        .filter(training_attendees::Column::TrainingId.eq(training_id))
        .all(db)
        .await?
        .into_iter()
        .map(|a| a.user_id)
        .collect();
    let consultants = users::Entity::find()
        .filter(users::Column::Id.in_subquery(crate::access::roles::holders("consultant")))
        .filter(users::Column::Status.eq(users::UserStatus::Active))
        .filter(attendee_reach(actor, scope))
        .order_by_asc(users::Column::Name)
        .order_by_asc(users::Column::Id)
        .all(db)
        .await?;
    let talent = super::talent::list(db, super::talent::TalentParams::default(), tz).await?;
    let mut out: Vec<Candidate> = talent
        .entries
        .iter()
        .filter_map(|e| {
            let user = consultants.iter().find(|u| u.id == e.user_id)?;
            Some(Candidate {
                user_id: user.id,
                name: user.name.clone(),
                team_id: user.team_id,
                on_talent_list: true,
                times_in_top: e.times_in_top,
                best_rank: Some(e.best_rank),
            })
        })
        .collect();
    for user in &consultants {
        if !out.iter().any(|c| c.user_id == user.id) {
            out.push(Candidate {
                user_id: user.id,
                name: user.name.clone(),
                team_id: user.team_id,
                on_talent_list: false,
                times_in_top: 0,
                best_rank: None,
            });
        }
    }
    out.retain(|c| !on_it.contains(&c.user_id));
    Ok(out)
}
