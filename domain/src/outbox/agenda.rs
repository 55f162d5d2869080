//! A consultant's day (每日记录客户跟进情况): the work each person must do,
//! by due time — first responses, needs assessments, weekly follow-ups,
//! inspection tasks, post-handover visits, complaints and key-account
//! revisits.
//!
//! An item is a deadline the timer engine keeps (a `deadline` timer, or the
//! inspection's `task` timer) that is still pending, or that fired as a
//! breach or a task while its record still needs the work (a first
//! response missed yesterday stays on today's agenda, overdue, until the
//! consultant responds). So the due time on the agenda is the due time of
//! the reminder and of the breach: the two cannot disagree. Only the latest
//! timer of a kind on a record counts (a reassigned lead's new deadline, a
//! restarted weekly follow-up). Whose item it is, and whether the caller
//! reaches it, is read from the record (the customer's owner, the deal's
//! consultant, the complaint's handler), in SQL.
//!
//! A customer's next due time and kind (`next_due_at`, `next_due_kind`) are
//! the earliest of these items on the customer. They are kept on the
//! customer, by the database: triggers on the tables the rules read
//! (timers, customers, deals, visits, complaints) compute them again for
//! the customer a change touches, in the changing transaction, with a
//! query written from the same rules as the agenda ([`keep_next_due`]).
//! So no service has to remember to, a change made by SQL by hand counts
//! too, and a list sorted by next due time walks an index.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entities::{
    complaints, complaints::ComplaintStatus, customers, customers::CustomerStatus, deals, deals::DealStage, teams,
    timers, timers::TimerState, users, visits,
};
use sea_orm::{
    ActiveEnum, ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, EntityTrait,
    QueryFilter, QueryOrder, QuerySelect, Statement, TransactionTrait,
    sea_query::{Alias, Condition, Expr, ExprTrait, Func, IntoTableRef, Order, Query, SelectStatement, UnionType},
};
use serde::Serialize;
use uuid::Uuid;

use crate::{
    access::actor::Actor,
    access::permissions::Scope,
    outbox::sla::SlaKind,
    platform::{
        db::inline,
        error::DomainError,
        page::{OffsetRequest, Page},
        text::{At, Msg},
    },
};

/// What an agenda item asks for. New kinds join here with the timer kind
/// that keeps their due time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AgendaKind {
    /// 初次接触: respond to a new lead.
    FirstResponse,
    /// 需求分析: assess the needs and recommend units.
    NeedsAssessment,
    /// 跟进回访: the weekly follow-up of a customer being worked.
    FollowUp,
    /// 交房前检查: inspect the unit before the planned handover.
    Inspection,
    /// 交房后回访: visit the customer within 30 days of handover.
    Visit,
    /// 投诉: resolve a complaint one handles.
    Complaint,
    /// 客户回访: revisit a key account one answers for (its customer
    /// manager, else its consultant).
    KeyAccountRevisit,
}

impl AgendaKind {
    pub const ALL: [AgendaKind; 7] = [
        AgendaKind::FirstResponse,
        AgendaKind::NeedsAssessment,
        AgendaKind::FollowUp,
        AgendaKind::Inspection,
        AgendaKind::Visit,
        AgendaKind::Complaint,
        AgendaKind::KeyAccountRevisit,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AgendaKind::FirstResponse => "first_response",
            AgendaKind::NeedsAssessment => "needs_assessment",
            AgendaKind::FollowUp => "follow_up",
            AgendaKind::Inspection => "inspection",
            AgendaKind::Visit => "visit",
            AgendaKind::Complaint => "complaint",
            AgendaKind::KeyAccountRevisit => "key_account_revisit",
        }
    }

    /// The timer kind whose due time this item shows (and whose words name it).
    pub fn timer(self) -> SlaKind {
        match self {
            AgendaKind::FirstResponse => SlaKind::FirstResponse,
            AgendaKind::NeedsAssessment => SlaKind::NeedsAssessment,
            AgendaKind::FollowUp => SlaKind::FollowUp,
            AgendaKind::Inspection => SlaKind::Inspection,
            AgendaKind::Visit => SlaKind::Visit,
            AgendaKind::Complaint => SlaKind::ComplaintResolution,
            AgendaKind::KeyAccountRevisit => SlaKind::KeyAccountRevisit,
        }
    }

    /// The phase of that timer: the inspection is a task, the rest deadlines.
    pub fn phase(self) -> &'static str {
        match self {
            AgendaKind::Inspection => "task",
            _ => "deadline",
        }
    }

    fn of_timer(kind: &str) -> Option<AgendaKind> {
        AgendaKind::ALL.into_iter().find(|k| k.timer().as_str() == kind)
    }

    /// The kind of an item read back from its timer's kind column.
    fn read(kind: &str) -> Result<AgendaKind, DomainError> {
        AgendaKind::of_timer(kind)
            .ok_or_else(|| DomainError::Internal(format!("an agenda item of unknown timer kind {kind}")))
    }

    /// The kind a client names (`first_response`, …), for `/pointer`.
    pub fn parse(text: &str, pointer: &str) -> Result<AgendaKind, DomainError> {
        AgendaKind::ALL.into_iter().find(|k| k.as_str() == text).ok_or_else(|| {
            let values = AgendaKind::ALL.iter().map(|k| k.as_str().to_owned()).collect();
            DomainError::invalid(pointer, Msg::OneOf { values })
        })
    }

    /// The item's title: what to do, for whom, by when.
    fn title(self, customer: String, due: DateTime<Utc>) -> Msg {
        let due = At(due);
        match self {
            AgendaKind::FirstResponse => Msg::AgendaFirstResponse { customer, due },
            AgendaKind::NeedsAssessment => Msg::AgendaNeedsAssessment { customer, due },
            AgendaKind::FollowUp => Msg::AgendaFollowUp { customer, due },
            AgendaKind::Inspection => Msg::AgendaInspection { customer, due },
            AgendaKind::Visit => Msg::AgendaVisit { customer, due },
            AgendaKind::Complaint => Msg::AgendaComplaint { customer, due },
            AgendaKind::KeyAccountRevisit => Msg::AgendaKeyAccountRevisit { customer, due },
        }
    }
}

impl std::fmt::Display for AgendaKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One thing to do.
#[derive(Debug, Clone)]
pub struct AgendaItem {
    pub kind: AgendaKind,
    pub due_at: DateTime<Utc>,
    pub overdue: bool,
    pub customer_id: Uuid,
    pub customer_name: String,
    /// The deal of an inspection or a visit.
    pub deal_id: Option<Uuid>,
    /// The complaint to resolve.
    pub complaint_id: Option<Uuid>,
    /// Whose item it is: the customer's owner, the deal's consultant, the complaint's handler.
    pub consultant_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    /// What to do, for whom, by when; "overdue:" first when it is.
    pub title: Msg,
}

/// Whose items to read. Each narrows the records in SQL.
#[derive(Debug, Clone)]
enum Whose {
    /// The items this person answers for.
    Person(Uuid),
    /// The items this person answers for on the records of these teams.
    Member(Uuid, Vec<Uuid>),
    /// The items of a team's records.
    Team(Uuid),
    /// The items on customers meeting this condition (on `customers`).
    Customers(Condition),
}

/// The columns every branch of the items query yields, in this order.
const COLUMNS: [&str; 7] = [
    "kind",
    "due_at",
    "customer_id",
    "customer_name",
    "record_id",
    "consultant_id",
    "team_id",
];

/// The timer columns [`standing`] reads.
const STANDING_COLUMNS: [&str; 2] = ["state", "outcome"];

/// A timer (the row `timer` names: the table, or a trigger's `new` or
/// `old`) that still stands for work: open, or fired as a breach or a task.
fn standing(timer: &str) -> Condition {
    use timers::Column as T;
    let col = |c: T| Expr::col((Alias::new(timer), c));
    let state = |s: TimerState| s.to_value();
    Condition::any()
        .add(col(T::State).is_in([state(TimerState::Pending), state(TimerState::Queued)]))
        .add(
            Condition::all()
                .add(col(T::State).eq(state(TimerState::Fired)))
                .add(col(T::Outcome).is_in(["breached", "task_created"])),
        )
}

/// No later timer of the same kind and phase on the same record.
fn latest() -> Expr {
    let later = Alias::new("later");
    let t = |c: timers::Column| Expr::col((timers::Entity, c));
    let l = |c: &str| Expr::col((later.clone(), Alias::new(c)));
    Expr::not_exists(
        Query::select()
            .expr(Expr::value(1))
            .from_as(timers::Entity, later.clone())
            .and_where(l("subject_id").eq(t(timers::Column::SubjectId)))
            .and_where(l("kind").eq(t(timers::Column::Kind)))
            .and_where(l("phase").eq(t(timers::Column::Phase)))
            .and_where(l("created_at").gt(t(timers::Column::CreatedAt)))
            .to_owned(),
    )
}

/// The timers of an item's kind (its timer's kind and phase) a branch
/// selects, when the record also meets a condition (the item is still to do).
type Rule = (AgendaKind, Condition);

/// One branch of the items query: timers meeting one of `rules` on records
/// of `record` (its id column `record_id`), joined to their customer by
/// `join`, with whose item it is and its team.
///
/// The plan is the same with or without the planner's statistics (right
/// after a bulk import): the records come first, and each record's timers
/// are read through `idx_timers_subject` (subject, kind). `CROSS JOIN`
/// keeps SQLite from starting at the timers (it took "state is open" on
/// `idx_timers_due` for selective and read every open timer; PostgreSQL
/// reorders it like any join), and the rules' kinds are repeated as a
/// plain `kind IN (…)` so that PostgreSQL finds
/// the subject and kind in that index rather than intersecting it with
/// every open timer (seconds per customer at 500,000 customers).
#[allow(clippy::too_many_arguments, reason = "one branch of one query, each part named")]
fn branch(
    rules: Vec<Rule>,
    record: impl IntoTableRef,
    record_id: Expr,
    join: impl FnOnce(&mut SelectStatement),
    consultant: Expr,
    team: Expr,
    whose: &Whose,
    due_before: Option<DateTime<Utc>>,
) -> SelectStatement {
    use timers::Column as T;
    let kinds: Vec<&str> = rules.iter().map(|(kind, _)| kind.timer().as_str()).collect();
    let rules = rules.into_iter().fold(Condition::any(), |any, (kind, when)| {
        any.add(
            Condition::all()
                .add(T::Kind.eq(kind.timer().as_str()))
                .add(T::Phase.eq(kind.phase()))
                .add(when),
        )
    });
    let mut select = Query::select();
    select
        .expr_as(Expr::col((timers::Entity, T::Kind)), Alias::new(COLUMNS[0]))
        .expr_as(Expr::col((timers::Entity, T::DueAt)), Alias::new(COLUMNS[1]))
        .expr_as(
            Expr::col((customers::Entity, customers::Column::Id)),
            Alias::new(COLUMNS[2]),
        )
        .expr_as(
            Expr::col((customers::Entity, customers::Column::Name)),
            Alias::new(COLUMNS[3]),
        )
        .expr_as(Expr::col((timers::Entity, T::SubjectId)), Alias::new(COLUMNS[4]))
        .expr_as(consultant.clone(), Alias::new(COLUMNS[5]))
        .expr_as(team.clone(), Alias::new(COLUMNS[6]))
        .from(record)
        .cross_join(timers::Entity)
        .and_where(Expr::col((timers::Entity, T::SubjectId)).eq(record_id));
    join(&mut select);
    select
        .cond_where(rules)
        .and_where(T::Kind.is_in(kinds))
        .cond_where(standing("timers"))
        .and_where(latest())
        .and_where(customers::Column::MergedIntoId.is_null());
    match whose {
        Whose::Person(id) => {
            select.and_where(consultant.eq(*id));
        }
        Whose::Member(id, teams) => {
            select
                .and_where(consultant.eq(*id))
                .and_where(team.is_in(teams.iter().copied()));
        }
        Whose::Team(id) => {
            select.and_where(team.eq(*id));
        }
        Whose::Customers(condition) => {
            select.cond_where(condition.clone());
        }
    }
    if let Some(before) = due_before {
        select.and_where(T::DueAt.lt(before));
    }
    select
}

/// Every item `whose` selects, as one `UNION ALL`.
fn items(whose: &Whose, due_before: Option<DateTime<Utc>>) -> SelectStatement {
    let not_lost = customers::Column::Status.ne(CustomerStatus::Lost);
    let lead = vec![
        (
            AgendaKind::FirstResponse,
            Condition::all()
                .add(customers::Column::FirstResponseAt.is_null())
                .add(not_lost.clone()),
        ),
        (
            AgendaKind::NeedsAssessment,
            Condition::all()
                .add(customers::Column::NeedsAssessedAt.is_null())
                .add(not_lost),
        ),
        (
            AgendaKind::FollowUp,
            Condition::all()
                .add(customers::Column::Status.is_not_in([CustomerStatus::Lost, CustomerStatus::HandedOver])),
        ),
    ];
    let on_customer = branch(
        lead,
        customers::Entity,
        Expr::col((customers::Entity, customers::Column::Id)),
        |_| {},
        Expr::col((customers::Entity, customers::Column::OwnerId)),
        Expr::col((customers::Entity, customers::Column::TeamId)),
        whose,
        due_before,
    );
    let no_visit = Expr::not_exists(
        Query::select()
            .expr(Expr::value(1))
            .from(visits::Entity)
            .and_where(Expr::col((visits::Entity, visits::Column::DealId)).equals((deals::Entity, deals::Column::Id)))
            .to_owned(),
    );
    let after_sale = vec![
        (
            AgendaKind::Inspection,
            Condition::all().add(deals::Column::Stage.is_not_in([
                DealStage::HandedOver,
                DealStage::Closed,
                DealStage::Cancelled,
            ])),
        ),
        (
            AgendaKind::Visit,
            Condition::all()
                .add(deals::Column::Stage.ne(DealStage::Cancelled))
                .add(no_visit),
        ),
    ];
    let on_deal = branch(
        after_sale,
        deals::Entity,
        Expr::col((deals::Entity, deals::Column::Id)),
        |s| {
            s.inner_join(
                customers::Entity,
                Expr::col((customers::Entity, customers::Column::Id))
                    .equals((deals::Entity, deals::Column::CustomerId)),
            );
        },
        Expr::col((deals::Entity, deals::Column::ConsultantId)),
        Expr::col((deals::Entity, deals::Column::TeamId)),
        whose,
        due_before,
    );
    let complaint = vec![(
        AgendaKind::Complaint,
        Condition::all().add(complaints::Column::Status.ne(ComplaintStatus::Resolved)),
    )];
    let handler = Func::coalesce([
        Expr::col((complaints::Entity, complaints::Column::HandlerId)),
        Expr::col((complaints::Entity, complaints::Column::ConsultantId)),
    ]);
    let mut all = branch(
        complaint,
        complaints::Entity,
        Expr::col((complaints::Entity, complaints::Column::Id)),
        |s| {
            s.inner_join(
                customers::Entity,
                Expr::col((customers::Entity, customers::Column::Id))
                    .equals((complaints::Entity, complaints::Column::CustomerId)),
            );
        },
        handler.into(),
        Expr::col((complaints::Entity, complaints::Column::TeamId)),
        whose,
        due_before,
    );
    let revisit = vec![(
        AgendaKind::KeyAccountRevisit,
        Condition::all()
            .add(customers::Column::KeyAccount.eq(true))
            .add(customers::Column::Status.ne(CustomerStatus::Lost)),
    )];
    let on_key_account = branch(
        revisit,
        customers::Entity,
        Expr::col((customers::Entity, customers::Column::Id)),
        |_| {},
        Func::coalesce([
            Expr::col((customers::Entity, customers::Column::AccountManagerId)),
            Expr::col((customers::Entity, customers::Column::OwnerId)),
        ])
        .into(),
        Expr::col((customers::Entity, customers::Column::TeamId)),
        whose,
        due_before,
    );
    all.union(UnionType::All, on_customer)
        .union(UnionType::All, on_deal)
        .union(UnionType::All, on_key_account);
    all
}

/// A row of the items query.
struct Row {
    kind: AgendaKind,
    due_at: DateTime<Utc>,
    customer_id: Uuid,
    customer_name: String,
    record_id: Option<Uuid>,
    consultant_id: Option<Uuid>,
    team_id: Option<Uuid>,
}

/// Runs `query` (the items, possibly ordered and cut) and reads its rows.
async fn read(db: &impl ConnectionTrait, query: &SelectStatement) -> Result<Vec<Row>, DomainError> {
    let backend = db.get_database_backend();
    let rows = db.query_all_raw(backend.build(query)).await?;
    rows.into_iter()
        .map(|row| {
            Ok(Row {
                kind: AgendaKind::read(&row.try_get::<String>("", COLUMNS[0])?)?,
                due_at: row.try_get("", COLUMNS[1])?,
                customer_id: row.try_get("", COLUMNS[2])?,
                customer_name: row.try_get("", COLUMNS[3])?,
                record_id: row.try_get("", COLUMNS[4])?,
                consultant_id: row.try_get("", COLUMNS[5])?,
                team_id: row.try_get("", COLUMNS[6])?,
            })
        })
        .collect()
}

impl Row {
    fn item(self, now: DateTime<Utc>) -> AgendaItem {
        let overdue = self.due_at < now;
        let title = self.kind.title(self.customer_name.clone(), self.due_at);
        let title = if overdue {
            Msg::AgendaOverdue { title: Box::new(title) }
        } else {
            title
        };
        let record = |kinds: &[AgendaKind]| self.record_id.filter(|_| kinds.contains(&self.kind));
        AgendaItem {
            kind: self.kind,
            due_at: self.due_at,
            overdue,
            customer_id: self.customer_id,
            deal_id: record(&[AgendaKind::Inspection, AgendaKind::Visit]),
            complaint_id: record(&[AgendaKind::Complaint]),
            customer_name: self.customer_name,
            consultant_id: self.consultant_id,
            team_id: self.team_id,
            title,
        }
    }
}

/// The most an agenda page holds.
pub const MAX_LIMIT: u64 = 100;

/// One page of `whose` items, overdue first and then by due time (one
/// order: an overdue item is due before any other), ties by kind and record.
async fn page(
    db: &impl ConnectionTrait,
    whose: Whose,
    due_before: Option<DateTime<Utc>>,
    page: OffsetRequest,
) -> Result<Page<AgendaItem>, DomainError> {
    let all = Alias::new("items");
    let mut query = Query::select();
    query
        .columns(COLUMNS.map(|c| (all.clone(), Alias::new(c))))
        .from_subquery(items(&whose, due_before), all.clone())
        .order_by((all.clone(), Alias::new("due_at")), Order::Asc)
        .order_by((all.clone(), Alias::new("kind")), Order::Asc)
        .order_by((all.clone(), Alias::new("record_id")), Order::Asc)
        .limit(page.limit + 1)
        .offset(page.offset);
    let now = Utc::now();
    let rows = read(db, &query).await?;
    Ok(page.cut(rows.into_iter().map(|r| r.item(now)).collect()))
}

/// What a caller asks of an agenda.
#[derive(Debug, Clone, Copy)]
pub struct AgendaRequest {
    /// Only items due before this instant (e.g. the end of today).
    pub due_before: Option<DateTime<Utc>>,
    pub page: OffsetRequest,
}

/// The caller's own agenda: the items it answers for.
pub async fn mine(
    db: &impl ConnectionTrait,
    actor: &Actor,
    request: AgendaRequest,
) -> Result<Page<AgendaItem>, DomainError> {
    page(db, Whose::Person(actor.id), request.due_before, request.page).await
}

/// One person's agenda as the caller reaches it with its `customers:read`
/// scope: `own` reads only its own (another's is 403); `team` the members
/// of its teams, their items on those teams' records; `all` anyone's. A
/// person outside the caller's reach is "not found", as on the users list.
pub async fn of_consultant(
    db: &impl ConnectionTrait,
    actor: &Actor,
    scope: Scope,
    consultant: Uuid,
    request: AgendaRequest,
) -> Result<Page<AgendaItem>, DomainError> {
    if consultant == actor.id {
        return mine(db, actor, request).await;
    }
    let whose = match scope {
        Scope::Own => return Err(DomainError::Forbidden(Msg::AgendaOfOwnOnly)),
        Scope::Team => Whose::Member(consultant, actor.team_ids.clone()),
        Scope::All => Whose::Person(consultant),
    };
    crate::access::users::get(db, actor, scope, consultant).await?;
    page(db, whose, request.due_before, request.page).await
}

/// A consultant and the items of one page of a team's agenda that are theirs.
#[derive(Debug, Clone)]
pub struct ConsultantAgenda {
    pub consultant_id: Option<Uuid>,
    pub name: Option<String>,
    pub items: Vec<AgendaItem>,
}

/// A team's agenda, one page of it grouped by consultant.
#[derive(Debug, Clone)]
pub struct TeamAgenda {
    pub team_id: Uuid,
    /// The team's active members first (each, even with nothing due), by
    /// their earliest item on the page, then anyone else the team's records
    /// name (a manager handling a complaint).
    pub consultants: Vec<ConsultantAgenda>,
    pub next_cursor: Option<String>,
}

/// The agenda of a team the caller reaches with its `customers:read`
/// scope: `team` reaches its own teams, `all` every team; `own` reads only
/// its own agenda (403).
pub async fn team(
    db: &impl ConnectionTrait,
    actor: &Actor,
    scope: Scope,
    team_id: Uuid,
    request: AgendaRequest,
) -> Result<TeamAgenda, DomainError> {
    match scope {
        Scope::Own => return Err(DomainError::Forbidden(Msg::AgendaOfOwnOnly)),
        Scope::Team if !actor.team_ids.contains(&team_id) => return Err(DomainError::NotFound(Msg::NounTeam)),
        Scope::Team | Scope::All => {}
    }
    if teams::Entity::find_by_id(team_id).one(db).await?.is_none() {
        return Err(DomainError::NotFound(Msg::NounTeam));
    }
    let items = page(db, Whose::Team(team_id), request.due_before, request.page).await?;
    let members: Vec<(Uuid, String)> = users::Entity::find()
        .select_only()
        .column(users::Column::Id)
        .column(users::Column::Name)
        .filter(users::Column::TeamId.eq(team_id))
        .filter(users::Column::Status.eq(users::UserStatus::Active))
        .into_tuple()
        .all(db)
        .await?;
    let mut groups: Vec<ConsultantAgenda> = Vec::new();
    for item in items.items {
        match groups.iter_mut().find(|g| g.consultant_id == item.consultant_id) {
            Some(group) => group.items.push(item),
            None => groups.push(ConsultantAgenda {
                consultant_id: item.consultant_id,
                name: None,
                items: vec![item],
            }),
        }
    }
    for (id, _) in &members {
        if !groups.iter().any(|g| g.consultant_id == Some(*id)) {
            groups.push(ConsultantAgenda {
                consultant_id: Some(*id),
                name: None,
                items: Vec::new(),
            });
        }
    }
    let mut names: HashMap<Uuid, String> = members.into_iter().collect();
    let others: Vec<Uuid> = groups
        .iter()
        .filter_map(|g| g.consultant_id)
        .filter(|id| !names.contains_key(id))
        .collect();
    if !others.is_empty() {
        let found: Vec<(Uuid, String)> = users::Entity::find()
            .select_only()
            .column(users::Column::Id)
            .column(users::Column::Name)
            .filter(users::Column::Id.is_in(others))
            .into_tuple()
            .all(db)
            .await?;
        names.extend(found);
    }
    for group in &mut groups {
        group.name = group.consultant_id.and_then(|id| names.get(&id).cloned());
    }
    Ok(TeamAgenda {
        team_id,
        consultants: groups,
        next_cursor: items.next_cursor,
    })
}

/// What is due next on a customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NextDue {
    pub at: DateTime<Utc>,
    pub kind: AgendaKind,
}

/// The next due item of each of `customers` that has one, computed from
/// the rules (what the database keeps on each customer, [`kept_next_due`]).
pub async fn next_due(db: &impl ConnectionTrait, customers: &[Uuid]) -> Result<HashMap<Uuid, NextDue>, DomainError> {
    if customers.is_empty() {
        return Ok(HashMap::new());
    }
    let whose = Whose::Customers(Condition::all().add(customers::Column::Id.is_in(customers.iter().copied())));
    let mut out: HashMap<Uuid, NextDue> = HashMap::new();
    for row in read(db, &items(&whose, None)).await? {
        let next = NextDue {
            at: row.due_at,
            kind: row.kind,
        };
        out.entry(row.customer_id)
            .and_modify(|n| {
                if (next.at, next.kind.timer().as_str()) < (n.at, n.kind.timer().as_str()) {
                    *n = next;
                }
            })
            .or_insert(next);
    }
    Ok(out)
}

/// The next due item kept on a customer (its `next_due_at` and `next_due_kind`).
pub fn kept_next_due(customer: &customers::Model) -> Option<NextDue> {
    let kind = AgendaKind::of_timer(customer.next_due_kind.as_deref()?)?;
    Some(NextDue {
        at: customer.next_due_at?,
        kind,
    })
}

/// Whether a customer's next due item is of `kind`.
pub fn next_due_is(kind: AgendaKind) -> sea_orm::sea_query::SimpleExpr {
    customers::Column::NextDueKind.eq(kind.timer().as_str())
}

/// The name under which [`keep_next_due`] records its definition.
const KEEPER: &str = "customers.next_due";

/// A `SELECT due_at, kind` of the next due item of the customer `of` (an
/// SQL expression: a variable, a trigger's `NEW.customer_id`), as
/// [`next_due`] picks it; no row when nothing is due.
fn next_of(backend: DbBackend, of: &str) -> String {
    let all = Alias::new("items");
    let whose = Whose::Customers(
        Condition::all().add(Expr::col((customers::Entity, customers::Column::Id)).eq(Expr::cust(of.to_owned()))),
    );
    let mut query = Query::select();
    query
        .columns(["due_at", "kind"].map(|c| (all.clone(), Alias::new(c))))
        .from_subquery(items(&whose, None), all.clone())
        .order_by((all.clone(), Alias::new("due_at")), Order::Asc)
        .order_by((all, Alias::new("kind")), Order::Asc)
        .limit(1);
    inline(backend, &query)
}

/// `condition` as SQL on its own.
fn sql_of(backend: DbBackend, condition: Condition) -> String {
    let mut query = Query::select();
    query.expr(Expr::cust("1")).cond_where(condition);
    let sql = inline(backend, &query);
    sql.split_once(" WHERE ").map_or(sql.clone(), |(_, w)| w.to_owned())
}

/// A table whose changes can move a customer's next due item.
struct Watched {
    table: &'static str,
    /// The customer a row (`{row}`: `NEW` or `OLD`) is on.
    customer: &'static str,
    /// The columns the agenda's rules read; a change to another is no change.
    columns: &'static [&'static str],
    /// Whether a new row can move it by itself (a new timer does; a new
    /// deal or complaint has none until its timer follows).
    insert: bool,
}

const WATCHED: [Watched; 5] = [
    Watched {
        table: "timers",
        customer: "{row}.customer_id",
        columns: &[
            "state",
            "outcome",
            "due_at",
            "customer_id",
            "subject_id",
            "kind",
            "phase",
            "created_at",
        ],
        insert: true,
    },
    Watched {
        table: "customers",
        customer: "{row}.id",
        columns: &[
            "first_response_at",
            "needs_assessed_at",
            "status",
            "key_account",
            "merged_into_id",
        ],
        insert: false,
    },
    Watched {
        table: "deals",
        customer: "{row}.customer_id",
        columns: &["stage", "customer_id"],
        insert: false,
    },
    Watched {
        table: "complaints",
        customer: "{row}.customer_id",
        columns: &["status", "customer_id"],
        insert: false,
    },
    Watched {
        table: "visits",
        customer: "(SELECT deals.customer_id FROM deals WHERE deals.id = {row}.deal_id)",
        columns: &["deal_id"],
        insert: true,
    },
];

impl Watched {
    fn customer(&self, row: &str) -> String {
        self.customer.replace("{row}", row)
    }

    /// The condition under which a row's change can move a next due item
    /// (`None`: any change of the watched columns). Timers: only the
    /// agenda's kinds, and only when it starts or stops standing for work,
    /// or moves (a deadline claimed by the pump and fired as a breach
    /// stands all along: no work at all in a burst of breaches).
    fn when(&self, backend: DbBackend, event: &str) -> Option<String> {
        // `event`: `insert`, `update` or `delete`, as `events` names them.
        if self.table != "timers" {
            return None;
        }
        let agenda = |row: &str| {
            let any = AgendaKind::ALL
                .iter()
                .map(|k| {
                    format!(
                        "({row}.kind = '{}' AND {row}.phase = '{}')",
                        k.timer().as_str(),
                        k.phase()
                    )
                })
                .collect::<Vec<_>>()
                .join(" OR ");
            format!("({any})")
        };
        match event {
            "insert" => Some(agenda("NEW")),
            "delete" => Some(agenda("OLD")),
            _ => {
                let distinct = if backend == DbBackend::Postgres {
                    "IS DISTINCT FROM"
                } else {
                    "IS NOT"
                };
                let standing = |row: &str| sql_of(backend, standing(&row.to_lowercase()));
                let mut changed = vec![format!("({}) {distinct} ({})", standing("OLD"), standing("NEW"))];
                // The other columns the rules read, each moving the item by itself.
                changed.extend(
                    self.columns
                        .iter()
                        .filter(|c| !STANDING_COLUMNS.contains(c))
                        .map(|c| format!("OLD.{c} {distinct} NEW.{c}")),
                );
                Some(format!(
                    "({} OR {}) AND ({})",
                    agenda("OLD"),
                    agenda("NEW"),
                    changed.join(" OR ")
                ))
            }
        }
    }

    /// The events to watch: `INSERT`, `UPDATE OF …`, `DELETE`.
    fn events(&self) -> Vec<(&'static str, String)> {
        let mut events = Vec::new();
        if self.insert {
            events.push(("insert", "INSERT".to_owned()));
        }
        events.push(("update", format!("UPDATE OF {}", self.columns.join(", "))));
        events.push(("delete", "DELETE".to_owned()));
        events
    }
}

/// The statements that make the database keep every customer's next due
/// item: PostgreSQL, a function computing one customer's (the row locked
/// first, then read afresh, so that two transactions changing the same
/// customer end with the later one seeing both) and a trigger per table
/// and event calling it; SQLite (one writer), the update in each
/// trigger's body.
fn definition(backend: DbBackend) -> Vec<String> {
    let mut statements = Vec::new();
    let postgres = backend == DbBackend::Postgres;
    if postgres {
        statements.push(format!(
            "CREATE OR REPLACE FUNCTION next_due_refresh(of_customer uuid) RETURNS void LANGUAGE plpgsql AS $body$
DECLARE found_at timestamptz; found_kind text;
BEGIN
    IF of_customer IS NULL THEN RETURN; END IF;
    PERFORM 1 FROM customers WHERE id = of_customer FOR UPDATE;
    SELECT n.due_at, n.kind INTO found_at, found_kind FROM ({}) AS n;
    UPDATE customers SET next_due_at = found_at, next_due_kind = found_kind
        WHERE id = of_customer
        AND (next_due_at IS DISTINCT FROM found_at OR next_due_kind IS DISTINCT FROM found_kind);
END $body$",
            next_of(backend, "of_customer")
        ));
    }
    // One customer's item computed again; on SQLite, only `unless` the
    // other row names the same customer (PostgreSQL's functions ask that first).
    let refresh = |of: String, unless: Option<String>| {
        if postgres {
            format!("PERFORM next_due_refresh({of});")
        } else {
            let unless = unless
                .map(|other| format!(" AND {of} IS NOT {other}"))
                .unwrap_or_default();
            format!(
                "UPDATE customers SET (next_due_at, next_due_kind) = ({}) WHERE id = {of}{unless};",
                next_of(backend, &of)
            )
        }
    };
    for watched in &WATCHED {
        let table = watched.table;
        if postgres {
            statements.push(format!(
                "CREATE OR REPLACE FUNCTION next_due_on_{table}() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    IF TG_OP <> 'INSERT' THEN {old} END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND {new_customer} IS DISTINCT FROM {old_customer}) THEN {new} END IF;
    RETURN NULL;
END $body$",
                old = refresh(watched.customer("OLD"), None),
                new = refresh(watched.customer("NEW"), None),
                new_customer = watched.customer("NEW"),
                old_customer = watched.customer("OLD"),
            ));
        }
        for (name, event) in watched.events() {
            let trigger = format!("next_due_{table}_{name}");
            statements.push(if postgres {
                format!("DROP TRIGGER IF EXISTS {trigger} ON {table}")
            } else {
                format!("DROP TRIGGER IF EXISTS {trigger}")
            });
            let when = watched
                .when(backend, name)
                .map(|w| format!(" WHEN ({w})"))
                .unwrap_or_default();
            statements.push(if postgres {
                format!("CREATE TRIGGER {trigger} AFTER {event} ON {table} FOR EACH ROW{when} EXECUTE FUNCTION next_due_on_{table}()")
            } else {
                let body = match name {
                    "insert" => refresh(watched.customer("NEW"), None),
                    "delete" => refresh(watched.customer("OLD"), None),
                    _ => format!(
                        "{} {}",
                        refresh(watched.customer("OLD"), Some(watched.customer("NEW"))),
                        refresh(watched.customer("NEW"), None)
                    ),
                };
                format!("CREATE TRIGGER {trigger} AFTER {event} ON {table} FOR EACH ROW{when} BEGIN {body} END")
            });
        }
    }
    statements
}

/// Makes the database keep every customer's next due item, as the rules
/// of this build read it: when the triggers in force were written from
/// other rules (or none are), writes them again and computes every
/// customer's item afresh. Runs with every migration (`domain::migrate`).
pub async fn keep_next_due(db: &DatabaseConnection) -> Result<(), DomainError> {
    use entities::derived_objects as D;
    let backend = db.get_database_backend();
    let statements = definition(backend);
    let text = statements.join(";\n");
    let kept = D::Entity::find_by_id(KEEPER.to_owned()).one(db).await?;
    if kept.is_some_and(|k| k.definition == text) && triggers_in_place(db).await? == triggers(&statements) {
        return Ok(());
    }
    let txn = db.begin().await?;
    if backend == DbBackend::Postgres {
        // Not a notice per trigger that was not there to drop.
        txn.execute_unprepared("SET LOCAL client_min_messages = warning")
            .await?;
    }
    for statement in &statements {
        txn.execute_unprepared(statement).await?;
    }
    D::Entity::delete_by_id(KEEPER.to_owned()).exec(&txn).await?;
    D::ActiveModel {
        name: sea_orm::Set(KEEPER.to_owned()),
        definition: sea_orm::Set(text),
    }
    .insert(&txn)
    .await?;
    txn.commit().await?;
    refresh_every_next_due(db).await
}

/// How many triggers `statements` create.
fn triggers(statements: &[String]) -> i64 {
    statements.iter().filter(|s| s.starts_with("CREATE TRIGGER")).count() as i64
}

/// How many of the next due triggers the database has (one dropped by
/// hand is written again by the next migration).
async fn triggers_in_place(db: &DatabaseConnection) -> Result<i64, DomainError> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => "SELECT COUNT(*) AS n FROM pg_trigger WHERE tgname LIKE 'next\\_due\\_%'",
        _ => {
            "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'next\\_due\\_%' ESCAPE '\\'"
        }
    };
    let row = db.query_one_raw(Statement::from_string(backend, sql)).await?;
    Ok(row.map(|r| r.try_get::<i64>("", "n")).transpose()?.unwrap_or(0))
}

/// Stops keeping next due items, for a bulk load (the benchmarks' seeder):
/// the triggers go, and the next [`keep_next_due`] writes them again and
/// computes every customer's item.
pub async fn suspend_next_due(db: &DatabaseConnection) -> Result<(), DomainError> {
    let backend = db.get_database_backend();
    for statement in definition(backend).iter().filter(|s| s.starts_with("DROP TRIGGER")) {
        db.execute_unprepared(statement).await?;
    }
    entities::derived_objects::Entity::delete_by_id(KEEPER.to_owned())
        .exec(db)
        .await?;
    Ok(())
}

/// Computes every customer's next due item, a few thousand customers per statement.
async fn refresh_every_next_due(db: &DatabaseConnection) -> Result<(), DomainError> {
    const BATCH: u64 = 5_000;
    let backend = db.get_database_backend();
    let (first, last) = match backend {
        DbBackend::Postgres => ("$1", "$2"),
        _ => ("?", "?"),
    };
    let update = format!(
        "UPDATE customers AS kept SET (next_due_at, next_due_kind) = ({}) WHERE kept.id >= {first} AND kept.id <= {last}",
        next_of(backend, "kept.id"),
    );
    let mut after: Option<Uuid> = None;
    loop {
        let mut ids = customers::Entity::find()
            .select_only()
            .column(customers::Column::Id)
            .order_by_asc(customers::Column::Id)
            .limit(BATCH);
        if let Some(after) = after {
            ids = ids.filter(customers::Column::Id.gt(after));
        }
        let ids: Vec<Uuid> = ids.into_tuple().all(db).await?;
        let (Some(first), Some(last)) = (ids.first(), ids.last()) else {
            return Ok(());
        };
        db.execute_raw(Statement::from_sql_and_values(
            backend,
            &update,
            [(*first).into(), (*last).into()],
        ))
        .await?;
        after = Some(*last);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_reads_back_from_its_timer_and_its_spelling() {
        for kind in AgendaKind::ALL {
            assert_eq!(AgendaKind::of_timer(kind.timer().as_str()), Some(kind));
            assert_eq!(AgendaKind::parse(kind.as_str(), "/kind").ok(), Some(kind));
            assert_eq!(serde_json::to_value(kind).ok(), Some(serde_json::json!(kind.as_str())));
        }
        assert!(AgendaKind::parse("lunch", "/kind").is_err());
    }
}
