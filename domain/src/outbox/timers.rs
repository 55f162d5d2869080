//! Durable timers: every deadline, reminder, retry and periodic run is a
//! row, written in the same transaction as the change that starts it and
//! completed or cancelled by the change that satisfies it. The pump claims
//! due rows in bounded batches (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so
//! several workers share the work without taking the same row) and hands
//! their ids to the queue; a handler finishes a timer once, with a
//! conditional update, so a redelivered job has no second effect. A timer
//! claimed but not finished within the requeue interval (its job lost with
//! a crashed worker or a flushed Redis) is claimed again.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use entities::timers;
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, Set, Statement, sea_query::Expr};
use serde::Serialize;
use uuid::Uuid;

use crate::platform::error::DomainError;

pub use entities::timers::TimerState;

/// The timer kind of periodic runs (`engine::periodic` schedules them).
pub const PERIODIC_KIND: &str = "periodic";

/// The states in which a timer may still fire.
pub const OPEN: [TimerState; 2] = [TimerState::Pending, TimerState::Queued];

/// A timer to start.
#[derive(Debug, Clone)]
pub struct NewTimer {
    /// `first_response`, `needs_assessment`, `follow_up`, `inspection`,
    /// `visit`, `complaint_resolution`, `webhook_delivery`, `periodic`, `probe`.
    pub kind: &'static str,
    /// `warning`, `deadline`, `task`, `attempt`, `run`.
    pub phase: &'static str,
    /// Unique per timer: starting the same timer twice starts it once.
    pub dedupe_key: String,
    pub subject_id: Option<Uuid>,
    pub customer_id: Option<Uuid>,
    pub due_at: DateTime<Utc>,
    pub policy_version: Option<i32>,
}

/// Starts a timer; one with the same `dedupe_key` already there is kept.
pub async fn schedule(db: &impl ConnectionTrait, timer: NewTimer) -> Result<(), DomainError> {
    schedule_many(db, vec![timer]).await
}

/// Starts many timers at once (bulk imports), keeping any already there.
pub async fn schedule_many(db: &impl ConnectionTrait, new: Vec<NewTimer>) -> Result<(), DomainError> {
    let now = Utc::now();
    let rows: Vec<timers::ActiveModel> = new
        .into_iter()
        .map(|timer| timers::ActiveModel {
            id: Set(Uuid::now_v7()),
            kind: Set(timer.kind.to_owned()),
            phase: Set(timer.phase.to_owned()),
            dedupe_key: Set(timer.dedupe_key),
            subject_id: Set(timer.subject_id),
            customer_id: Set(timer.customer_id),
            due_at: Set(timer.due_at),
            policy_version: Set(timer.policy_version),
            state: Set(TimerState::Pending),
            attempts: Set(0),
            queued_at: Set(None),
            fired_at: Set(None),
            fired_by: Set(None),
            outcome: Set(None),
            created_at: Set(now),
        })
        .collect();
    for chunk in rows.chunks(1000) {
        timers::Entity::insert_many(chunk.to_vec())
            .on_conflict_do_nothing_on([timers::Column::DedupeKey])
            .exec(db)
            .await?;
    }
    Ok(())
}

/// Ends the open timers of `kinds` on `subject` with `state` (completed or cancelled).
pub async fn close(
    db: &impl ConnectionTrait,
    subject: Uuid,
    kinds: &[&str],
    state: TimerState,
) -> Result<u64, DomainError> {
    close_many(db, &[subject], kinds, state).await
}

/// [`close`] for the timers of many subjects at once.
pub async fn close_many(
    db: &impl ConnectionTrait,
    subjects: &[Uuid],
    kinds: &[&str],
    state: TimerState,
) -> Result<u64, DomainError> {
    if subjects.is_empty() {
        return Ok(0);
    }
    let result = timers::Entity::update_many()
        .col_expr(timers::Column::State, Expr::value(state))
        .filter(timers::Column::SubjectId.is_in(subjects.iter().copied()))
        .filter(timers::Column::Kind.is_in(kinds.iter().copied()))
        .filter(timers::Column::State.is_in(OPEN))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// A timer claimed by the pump: its id and kind (which queue it goes to).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    pub id: Uuid,
    pub kind: String,
}

/// The queue a due timer goes to. Each lane has a backlog of its own, so
/// a flood in one (a hundred thousand webhook deliveries after a burst of
/// breaches) does not hold back the deadlines behind it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lane {
    /// SLA and approval deadlines, award runs, probes: every other kind.
    Deadlines,
    /// Webhook delivery attempts.
    Webhooks,
    /// Periodic runs.
    Periodic,
}

impl Lane {
    pub const ALL: [Lane; 3] = [Lane::Deadlines, Lane::Webhooks, Lane::Periodic];

    /// The lane of timers of `kind`.
    pub fn of(kind: &str) -> Lane {
        Lane::ALL
            .into_iter()
            .find(|lane| lane.kind() == Some(kind))
            .unwrap_or(Lane::Deadlines)
    }

    /// How many of the lane's timers one job carries: deadlines and
    /// delivery attempts go in groups (their bookkeeping written together),
    /// periodic runs one to a job.
    pub const fn timers_per_job(self) -> usize {
        match self {
            Lane::Deadlines | Lane::Webhooks => 50,
            Lane::Periodic => 1,
        }
    }

    /// The jobs that `timers` of the lane, claimed together, make.
    pub fn jobs(self, timers: u64) -> u64 {
        timers.div_ceil(self.timers_per_job() as u64)
    }

    /// The one kind of the lane's timers; `None` for deadlines, every other kind.
    fn kind(self) -> Option<&'static str> {
        match self {
            Lane::Webhooks => Some(crate::outbox::webhooks::deliveries::TIMER_KIND),
            Lane::Periodic => Some(PERIODIC_KIND),
            Lane::Deadlines => None,
        }
    }

    /// The lane's timers, as SQL.
    fn condition(self) -> String {
        match self.kind() {
            Some(kind) => format!("kind = '{kind}'"),
            None => {
                let others: Vec<String> = Lane::ALL
                    .iter()
                    .filter_map(|lane| lane.kind())
                    .map(|kind| format!("'{kind}'"))
                    .collect();
                format!("kind NOT IN ({})", others.join(", "))
            }
        }
    }
}

/// Claims up to `batch` due timers of `lane` (and those claimed longer
/// than `requeue_after` ago without firing), marking them queued, soonest
/// due first. Rows another pump holds are skipped, not waited for. Two
/// statements, each walking an index on (state, …, due_at) in order and
/// stopping at the batch: over `(pending AND due) OR (queued AND stale)`
/// the database would read and sort every due row to keep a batch.
pub async fn claim_due(
    db: &impl ConnectionTrait,
    lane: Lane,
    now: DateTime<Utc>,
    batch: u64,
    requeue_after: Duration,
) -> Result<Vec<Claimed>, DomainError> {
    let mut claimed = claim(db, lane, TimerState::Queued, now, now - requeue_after, batch).await?;
    let room = batch.saturating_sub(claimed.len() as u64);
    if room > 0 {
        claimed.extend(claim(db, lane, TimerState::Pending, now, now, room).await?);
    }
    Ok(claimed)
}

/// Claims up to `batch` timers of `lane` in `state` whose `due_at`
/// (pending) or `queued_at` (queued: a lost job's) is before `before`.
async fn claim(
    db: &impl ConnectionTrait,
    lane: Lane,
    state: TimerState,
    now: DateTime<Utc>,
    before: DateTime<Utc>,
    batch: u64,
) -> Result<Vec<Claimed>, DomainError> {
    let backend = db.get_database_backend();
    let (condition, state) = match state {
        TimerState::Queued => ("queued_at <", "queued"),
        _ => ("due_at <=", "pending"),
    };
    let (lock, p) = match backend {
        DbBackend::Postgres => (" FOR UPDATE SKIP LOCKED", ["$1", "$2", "$3"]),
        _ => ("", ["?1", "?2", "?3"]),
    };
    let sql = format!(
        "UPDATE timers SET state = 'queued', queued_at = {now}, attempts = attempts + 1 \
         WHERE id IN (SELECT id FROM timers WHERE state = '{state}' AND {kinds} AND {condition} {before} \
           ORDER BY due_at LIMIT {limit}{lock}) \
         RETURNING id, kind",
        kinds = lane.condition(),
        now = p[0],
        before = p[1],
        limit = p[2],
    );
    let values = vec![now.into(), before.into(), (batch as i64).into()];
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?;
    rows.into_iter()
        .map(|row| {
            Ok(Claimed {
                id: row.try_get("", "id")?,
                kind: row.try_get("", "kind")?,
            })
        })
        .collect()
}

/// Puts claimed timers back (their jobs could not be queued).
pub async fn release(db: &impl ConnectionTrait, ids: &[Uuid]) -> Result<(), DomainError> {
    timers::Entity::update_many()
        .col_expr(timers::Column::State, Expr::value(TimerState::Pending))
        .filter(timers::Column::Id.is_in(ids.iter().copied()))
        .filter(timers::Column::State.eq(TimerState::Queued))
        .exec(db)
        .await?;
    Ok(())
}

/// The backlog of each lane: its timers claimed and not yet fired.
pub async fn queued_by_lane(db: &impl ConnectionTrait) -> Result<HashMap<Lane, u64>, DomainError> {
    use sea_orm::QuerySelect;
    let rows: Vec<(String, i64)> = timers::Entity::find()
        .select_only()
        .column(timers::Column::Kind)
        .column_as(timers::Column::Id.count(), "n")
        .filter(timers::Column::State.eq(TimerState::Queued))
        .group_by(timers::Column::Kind)
        .into_tuple()
        .all(db)
        .await?;
    let mut lanes = HashMap::new();
    for (kind, n) in rows {
        *lanes.entry(Lane::of(&kind)).or_default() += u64::try_from(n).unwrap_or(0);
    }
    Ok(lanes)
}

/// A timer as a handler sees it.
pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<timers::Model>, DomainError> {
    Ok(timers::Entity::find_by_id(id).one(db).await?)
}

/// The record a timer watches. Every deadline and run is started with one,
/// so a timer without it is a bug to report, not a record to guess.
pub fn subject_of(timer: &timers::Model) -> Result<Uuid, DomainError> {
    timer
        .subject_id
        .ok_or_else(|| DomainError::Internal(format!("{} timer {} has no subject", timer.kind, timer.id)))
}

/// Whether a timer in this state may still fire.
pub fn is_open(state: TimerState) -> bool {
    OPEN.contains(&state)
}

/// Marks a timer fired by `instance` with `outcome`, unless it is no longer
/// open (fired by another worker, completed, cancelled). Call it in the
/// transaction that records the timer's effect: only the call that returns
/// true may commit that effect.
pub async fn finish(db: &impl ConnectionTrait, id: Uuid, instance: &str, outcome: &str) -> Result<bool, DomainError> {
    Ok(!finish_many(db, &[id], instance, Some(outcome)).await?.is_empty())
}

/// Marks the timers `ids` that are still open fired by `instance` (with
/// `outcome`, if known yet) and returns them; the others are left out.
/// The conditional update is what makes each timer's effect happen once: a
/// timer another transaction holds is waited for, and left out if that one
/// fired it.
pub async fn finish_many(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
    instance: &str,
    outcome: Option<&str>,
) -> Result<Vec<timers::Model>, DomainError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(timers::Entity::update_many()
        .col_expr(timers::Column::State, Expr::value(TimerState::Fired))
        .col_expr(timers::Column::FiredAt, Expr::value(Utc::now()))
        .col_expr(timers::Column::FiredBy, Expr::value(instance))
        .col_expr(timers::Column::Outcome, Expr::value(outcome.map(str::to_owned)))
        .filter(timers::Column::Id.is_in(ids.iter().copied()))
        .filter(timers::Column::State.is_in(OPEN))
        .exec_with_returning(db)
        .await?)
}

/// A timer as the API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct TimerView {
    pub id: Uuid,
    pub kind: String,
    pub phase: String,
    pub subject_id: Option<Uuid>,
    pub customer_id: Option<Uuid>,
    pub due_at: DateTime<Utc>,
    pub policy_version: Option<i32>,
    pub state: TimerState,
    pub attempts: i32,
    pub queued_at: Option<DateTime<Utc>>,
    pub fired_at: Option<DateTime<Utc>>,
    pub fired_by: Option<String>,
    pub outcome: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<timers::Model> for TimerView {
    fn from(m: timers::Model) -> Self {
        Self {
            id: m.id,
            kind: m.kind,
            phase: m.phase,
            subject_id: m.subject_id,
            customer_id: m.customer_id,
            due_at: m.due_at,
            policy_version: m.policy_version,
            state: m.state,
            attempts: m.attempts,
            queued_at: m.queued_at,
            fired_at: m.fired_at,
            fired_by: m.fired_by,
            outcome: m.outcome,
            created_at: m.created_at,
        }
    }
}

/// What to look for among timers.
#[derive(Debug, Clone, Default)]
pub struct TimerFilter {
    pub kind: Option<String>,
    pub state: Option<String>,
    pub subject_id: Option<Uuid>,
    pub customer_id: Option<Uuid>,
    pub due_before: Option<DateTime<Utc>>,
    pub due_after: Option<DateTime<Utc>>,
}

pub async fn list(
    db: &impl ConnectionTrait,
    filter: TimerFilter,
    page: crate::platform::page::PageRequest,
) -> Result<crate::platform::page::Page<TimerView>, DomainError> {
    use timers::Column as C;
    let mut query = timers::Entity::find();
    if let Some(kind) = filter.kind {
        query = query.filter(C::Kind.eq(kind));
    }
    if let Some(state) = filter.state {
        query = query.filter(C::State.eq(state));
    }
    if let Some(subject) = filter.subject_id {
        query = query.filter(C::SubjectId.eq(subject));
    }
    if let Some(customer) = filter.customer_id {
        query = query.filter(C::CustomerId.eq(customer));
    }
    if let Some(before) = filter.due_before {
        query = query.filter(C::DueAt.lt(before));
    }
    if let Some(after) = filter.due_after {
        query = query.filter(C::DueAt.gte(after));
    }
    Ok(page.fetch(db, query, C::Id, |t| t.id).await?.map(TimerView::from))
}

/// The open timers (pending or queued) of one kind, by how soon they fall due.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OpenByKind {
    pub kind: String,
    /// Due before `now` and not yet fired.
    pub overdue: u64,
    /// Due within the hour after `now`.
    pub next_hour: u64,
    /// Due later than that.
    pub later: u64,
}

/// Every kind's open timers counted by how soon they fall due, in one
/// grouped query; kinds in alphabetical order.
pub async fn open_by_kind(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<Vec<OpenByKind>, DomainError> {
    use sea_orm::{
        QueryOrder, QuerySelect,
        sea_query::{ExprTrait, Func},
    };
    use timers::Column as C;
    let hour = now + Duration::hours(1);
    // COUNT of a CASE without ELSE: a bigint on PostgreSQL (SUM would be numeric).
    let count_if = |condition: Expr| Expr::expr(Func::count(Expr::case(condition, Expr::val(1i64))));
    let rows: Vec<(String, i64, i64, i64)> = timers::Entity::find()
        .select_only()
        .column(C::Kind)
        .column_as(count_if(C::DueAt.lt(now)), "overdue")
        .column_as(count_if(C::DueAt.gte(now).and(C::DueAt.lt(hour))), "next_hour")
        .column_as(count_if(C::DueAt.gte(hour)), "later")
        .filter(C::State.is_in(OPEN))
        .group_by(C::Kind)
        .order_by_asc(C::Kind)
        .into_tuple()
        .all(db)
        .await?;
    let count = |n: i64| u64::try_from(n).unwrap_or(0);
    Ok(rows
        .into_iter()
        .map(|(kind, overdue, next_hour, later)| OpenByKind {
            kind,
            overdue: count(overdue),
            next_hour: count(next_hour),
            later: count(later),
        })
        .collect())
}

/// Which open timers to show by due time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueWindow {
    /// Due before now and not yet fired.
    Overdue,
    /// Due within the hour.
    NextHour,
    /// Every open timer.
    Open,
}

/// The first `limit` open timers in `window` (of `kind`, if given),
/// soonest due first. One read per open state, each walking
/// `idx_timers_due` (or `idx_timers_state_kind`) in order and stopping at
/// `limit`, merged here: over `state IN (…)` neither engine merges the two
/// index ranges, and both would sort every open timer to keep a page.
pub async fn open_due(
    db: &impl ConnectionTrait,
    now: DateTime<Utc>,
    window: DueWindow,
    kind: Option<&str>,
    limit: u64,
) -> Result<Vec<TimerView>, DomainError> {
    use sea_orm::{QueryOrder, QuerySelect};
    use timers::Column as C;
    let mut rows = Vec::new();
    for state in OPEN {
        let mut query = timers::Entity::find().filter(C::State.eq(state));
        query = match window {
            DueWindow::Overdue => query.filter(C::DueAt.lt(now)),
            DueWindow::NextHour => query
                .filter(C::DueAt.gte(now))
                .filter(C::DueAt.lt(now + Duration::hours(1))),
            DueWindow::Open => query,
        };
        if let Some(kind) = kind {
            query = query.filter(C::Kind.eq(kind));
        }
        rows.extend(
            query
                .order_by_asc(C::DueAt)
                .order_by_asc(C::Id)
                .limit(limit)
                .all(db)
                .await?,
        );
    }
    rows.sort_by_key(|t| (t.due_at, t.id));
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    Ok(rows.into_iter().map(TimerView::from).collect())
}

/// The deadlines still ahead of customer `customer` (the caller checks
/// reach): its open deadline and task timers, soonest first, each with the
/// policy version that set it. Reminders (`warning`) are left out: they
/// are steps towards a deadline, not deadlines.
pub async fn ahead_of_customer(db: &impl ConnectionTrait, customer: Uuid) -> Result<Vec<TimerView>, DomainError> {
    use sea_orm::QueryOrder;
    use timers::Column as C;
    Ok(timers::Entity::find()
        .filter(C::CustomerId.eq(customer))
        .filter(C::State.is_in(OPEN))
        .filter(C::Phase.is_in(["deadline", "task"]))
        .order_by_asc(C::DueAt)
        .order_by_asc(C::Id)
        .all(db)
        .await?
        .into_iter()
        .map(TimerView::from)
        .collect())
}
