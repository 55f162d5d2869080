//! What happens when an SLA timer falls due: the record is re-checked
//! ("still no first response?"), and the reminder, the task or the breach
//! is recorded exactly once — with the manager's notification, the
//! customer's timeline, the partner's webhook, a complaint's escalation and,
//! if the policy says so, the lead's reassignment.
//!
//! Timers claimed together fire together: one transaction takes the batch
//! (only the timers still open), reads the records they watch with one
//! query per table and writes every effect with multi-row inserts, so a
//! burst of deadlines costs a few round trips per batch, not a dozen per
//! timer.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use entities::{
    complaints, customers, customers::CustomerStatus, deals, deals::DealStage, sla_breaches, sla_policies, teams,
    timers as timer_rows, visits,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set, TransactionSession, TransactionTrait,
    sea_query::Expr,
};
use serde_json::json;
use uuid::Uuid;

use crate::{
    outbox::{
        events::{self, Event},
        notifications::{self, Notice},
        sla::{Policy, SlaKind, is_worked, start},
        timers,
    },
    platform::error::DomainError,
    platform::text::{At, Msg},
    sales::{assignment, timeline},
};

/// Who answers for the work a timer watches: the consultant and the team.
#[derive(Debug, Clone, Copy, Default)]
struct Owners {
    consultant: Option<Uuid>,
    team: Option<Uuid>,
    customer: Option<Uuid>,
    /// The partner client of the customer, for its webhooks.
    client: Option<Uuid>,
}

/// The records a batch of timers watches, read with one query per table.
#[derive(Debug)]
struct Records {
    customers: HashMap<Uuid, customers::Model>,
    deals: HashMap<Uuid, deals::Model>,
    complaints: HashMap<Uuid, complaints::Model>,
    /// Deals with a satisfaction visit recorded.
    visited: HashSet<Uuid>,
}

impl Records {
    async fn load(db: &impl ConnectionTrait, batch: &[(SlaKind, timer_rows::Model)]) -> Result<Self, DomainError> {
        let (mut customer_ids, mut deal_ids, mut complaint_ids) = (HashSet::new(), HashSet::new(), HashSet::new());
        for (kind, timer) in batch {
            let subject = timers::subject_of(timer)?;
            match kind {
                SlaKind::Inspection | SlaKind::Visit => deal_ids.insert(subject),
                SlaKind::ComplaintResolution => complaint_ids.insert(subject),
                _ => customer_ids.insert(subject),
            };
        }
        let deals = by_id::<deals::Entity>(db, deals::Column::Id, &deal_ids, |d| d.id).await?;
        customer_ids.extend(deals.values().map(|d| d.customer_id));
        let visited = if deal_ids.is_empty() {
            HashSet::new()
        } else {
            visits::Entity::find()
                .select_only()
                .column(visits::Column::DealId)
                .filter(visits::Column::DealId.is_in(deal_ids))
                .distinct()
                .into_tuple::<Uuid>()
                .all(db)
                .await?
                .into_iter()
                .collect()
        };
        let records = Self {
            customers: by_id::<customers::Entity>(db, customers::Column::Id, &customer_ids, |c| c.id).await?,
            deals,
            complaints: by_id::<complaints::Entity>(db, complaints::Column::Id, &complaint_ids, |c| c.id).await?,
            visited,
        };
        Ok(records)
    }

    /// What the record says when a timer falls due: whether the work is
    /// done (or moot: the record is gone), and who answers for it.
    fn check(&self, kind: SlaKind, timer: &timer_rows::Model) -> Result<(bool, Owners), DomainError> {
        let subject = timers::subject_of(timer)?;
        let customer_of = |c: &customers::Model| Owners {
            consultant: c.owner_id,
            team: c.team_id,
            customer: Some(c.id),
            client: c.source_client_id,
        };
        Ok(match kind {
            SlaKind::FirstResponse | SlaKind::NeedsAssessment | SlaKind::FollowUp => {
                let Some(c) = self.customers.get(&subject) else {
                    return Ok((true, Owners::default()));
                };
                let done = c.merged_into_id.is_some()
                    || match kind {
                        SlaKind::FirstResponse => c.first_response_at.is_some() || c.status == CustomerStatus::Lost,
                        SlaKind::NeedsAssessment => c.needs_assessed_at.is_some() || c.status == CustomerStatus::Lost,
                        _ => !is_worked(c.status),
                    };
                (done, customer_of(c))
            }
            SlaKind::KeyAccountRevisit => {
                let Some(c) = self.customers.get(&subject) else {
                    return Ok((true, Owners::default()));
                };
                // The customer manager answering for the account, else its consultant.
                let owners = Owners {
                    consultant: c.account_manager_id.or(c.owner_id),
                    ..customer_of(c)
                };
                (!crate::outbox::sla::revisits_apply(c), owners)
            }
            SlaKind::Inspection | SlaKind::Visit => {
                let Some(d) = self.deals.get(&subject) else {
                    return Ok((true, Owners::default()));
                };
                let owners = Owners {
                    consultant: Some(d.consultant_id),
                    team: d.team_id,
                    customer: Some(d.customer_id),
                    client: self.customers.get(&d.customer_id).and_then(|c| c.source_client_id),
                };
                let done = if kind == SlaKind::Inspection {
                    matches!(
                        d.stage,
                        DealStage::HandedOver | DealStage::Closed | DealStage::Cancelled
                    )
                } else {
                    d.stage == DealStage::Cancelled || (timer.phase != "task" && self.visited.contains(&d.id))
                };
                (done, owners)
            }
            SlaKind::ComplaintResolution => {
                let Some(c) = self.complaints.get(&subject) else {
                    return Ok((true, Owners::default()));
                };
                let owners = Owners {
                    consultant: c.consultant_id,
                    team: c.team_id,
                    customer: Some(c.customer_id),
                    client: None,
                };
                (c.status == complaints::ComplaintStatus::Resolved, owners)
            }
            SlaKind::ApprovalDecision => {
                return Err(DomainError::Internal(format!(
                    "approval deadline {} belongs to engine::approvals",
                    timer.id
                )));
            }
        })
    }
}

/// The rows of `E` whose `column` is one of `ids`, by `id_of`; no query for no ids.
async fn by_id<E: EntityTrait>(
    db: &impl ConnectionTrait,
    column: E::Column,
    ids: &HashSet<Uuid>,
    id_of: fn(&E::Model) -> Uuid,
) -> Result<HashMap<Uuid, E::Model>, DomainError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = E::find().filter(column.is_in(ids.iter().copied())).all(db).await?;
    Ok(rows.into_iter().map(|row| (id_of(&row), row)).collect())
}

/// What a deadline of this kind watches, as its notifications name it.
fn describe(kind: SlaKind) -> Box<Msg> {
    Box::new(crate::outbox::sla::what(kind))
}

/// What firing a timer did.
pub type Outcome = &'static str;

/// Whether timers of `kind` fire here (every SLA kind but the approval
/// decision, which `engine::approvals` runs).
pub fn fires(kind: &str) -> bool {
    kind.parse::<SlaKind>().is_ok_and(|k| k != SlaKind::ApprovalDecision)
}

/// Runs one due SLA timer (see [`fire_many`]): its outcome, or `None` if
/// the timer was no longer open.
pub async fn fire(
    db: &(impl ConnectionTrait + TransactionTrait),
    timer_id: Uuid,
    instance: &str,
    tz: chrono_tz::Tz,
) -> Result<Option<Outcome>, DomainError> {
    Ok(fire_many(db, &[timer_id], instance, tz)
        .await?
        .into_iter()
        .next()
        .map(|(_, outcome)| outcome))
}

/// One timer of a batch, checked: what it does and for whom.
#[derive(Debug)]
struct Firing {
    kind: SlaKind,
    timer: timer_rows::Model,
    owners: Owners,
    outcome: Outcome,
}

impl Firing {
    fn subject_type(&self) -> &'static str {
        match self.kind {
            SlaKind::Inspection | SlaKind::Visit => "deal",
            SlaKind::ComplaintResolution => "complaint",
            SlaKind::ApprovalDecision => "approval",
            SlaKind::FirstResponse | SlaKind::NeedsAssessment | SlaKind::FollowUp | SlaKind::KeyAccountRevisit => {
                "customer"
            }
        }
    }

    /// A notification of this timer to `user`, naming the deadline `due`.
    fn notice(&self, user: Uuid, kind: notifications::Kind, title: Msg, due: DateTime<Utc>, tag: &str) -> Notice {
        Notice {
            user_id: user,
            kind,
            title,
            body: Some(Msg::NoticeDue {
                what: describe(self.kind),
                due: At(due),
            }),
            subject_type: Some(self.subject_type()),
            subject_id: self.timer.subject_id,
            due_at: Some(due),
            dedupe_key: format!("timer:{}:{tag}", self.timer.id),
        }
    }
}

/// Runs the due SLA timers `ids` in one transaction: each still open is
/// taken, its record re-checked and its reminder, task or breach recorded
/// once, or nothing if the work was done; notifications read instants in
/// the business time zone `tz`. Returns the timers that fired, with their
/// outcomes; a timer no longer open (another worker fired it, or the work
/// ended it) is left out. An error rolls the whole batch back.
pub async fn fire_many(
    db: &(impl ConnectionTrait + TransactionTrait),
    ids: &[Uuid],
    instance: &str,
    tz: chrono_tz::Tz,
) -> Result<Vec<(timer_rows::Model, Outcome)>, DomainError> {
    use timer_rows::Column as C;
    let txn = crate::platform::db::begin_write(db).await?;
    // The outcome is known once the records are read.
    let taken = timers::finish_many(&txn, ids, instance, None).await?;
    if taken.is_empty() {
        return Ok(Vec::new());
    }
    let mut batch = Vec::with_capacity(taken.len());
    for timer in taken {
        let kind: SlaKind = timer
            .kind
            .parse()
            .map_err(|_| DomainError::Internal(format!("timer {} has unknown SLA kind {}", timer.id, timer.kind)))?;
        batch.push((kind, timer));
    }
    let records = Records::load(&txn, &batch).await?;
    let mut firings = Vec::with_capacity(batch.len());
    for (kind, timer) in batch {
        let (done, owners) = records.check(kind, &timer)?;
        let outcome = match (done, timer.phase.as_str()) {
            (true, _) => "satisfied",
            (false, "task") => "task_created",
            (false, "warning") => "reminded",
            (false, _) => "breached",
        };
        firings.push(Firing {
            kind,
            timer,
            owners,
            outcome,
        });
    }
    for outcome in ["satisfied", "task_created", "reminded", "breached"] {
        let ids: Vec<Uuid> = firings
            .iter()
            .filter(|f| f.outcome == outcome)
            .map(|f| f.timer.id)
            .collect();
        if !ids.is_empty() {
            timer_rows::Entity::update_many()
                .col_expr(C::Outcome, Expr::value(outcome))
                .filter(C::Id.is_in(ids))
                .exec(&txn)
                .await?;
        }
    }
    let mut notices = Vec::new();
    for firing in firings.iter().filter(|f| f.outcome != "breached") {
        let Some(consultant) = firing.owners.consultant else {
            continue;
        };
        let what = describe(firing.kind);
        match firing.outcome {
            "task_created" => {
                let kind_name = if firing.kind == SlaKind::Inspection {
                    notifications::Kind::InspectionTask
                } else {
                    notifications::Kind::VisitTask
                };
                // A task falls due when the work may start; what it names is the deadline.
                let due = crate::outbox::sla::deadline_of_task(&txn, firing.kind, &firing.timer).await?;
                notices.push(firing.notice(consultant, kind_name, Msg::NoticeTask { what }, due, "task"));
            }
            "reminded" => {
                let title = Msg::NoticeReminder { what };
                let due = firing.timer.due_at;
                notices.push(firing.notice(consultant, notifications::Kind::SlaReminder, title, due, "reminder"));
            }
            _ => {}
        }
    }
    let breached: Vec<&Firing> = firings.iter().filter(|f| f.outcome == "breached").collect();
    notices.extend(breaches(&txn, &breached).await?);
    notifications::notify(&txn, tz, notices).await?;
    txn.commit().await?;
    Ok(firings.into_iter().map(|f| (f.timer, f.outcome)).collect())
}

/// Records missed deadlines: the breaches, the customers' timelines, the
/// partners' webhooks, complaints' escalations and, where the policy says
/// so, the leads' reassignment; returns the notifications to send (the
/// managers', where the policy asks for them, and a missed revisit's owner).
async fn breaches(db: &impl ConnectionTrait, breached: &[&Firing]) -> Result<Vec<Notice>, DomainError> {
    if breached.is_empty() {
        return Ok(Vec::new());
    }
    let now = Utc::now();
    let policies: HashMap<(SlaKind, i32), Policy> = sla_policies::Entity::find()
        .filter(sla_policies::Column::Kind.is_in(breached.iter().map(|f| f.kind)))
        .all(db)
        .await?
        .into_iter()
        .map(|p| ((p.kind, p.version), Policy::from(p)))
        .collect();
    let managers: HashMap<Uuid, Uuid> = teams::Entity::find()
        .filter(teams::Column::Id.is_in(breached.iter().filter_map(|f| f.owners.team)))
        .all(db)
        .await?
        .into_iter()
        .filter_map(|t| t.manager_id.map(|m| (t.id, m)))
        .collect();
    let (mut rows, mut entries, mut events, mut notices) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut reassign = Vec::new();
    for firing in breached {
        let (kind, timer, owners) = (firing.kind, &firing.timer, firing.owners);
        // Every SLA timer is scheduled under a policy version (`outbox::sla`).
        let version = timer
            .policy_version
            .ok_or_else(|| DomainError::Internal(format!("{} timer {} has no policy version", timer.kind, timer.id)))?;
        rows.push(sla_breaches::ActiveModel {
            id: Set(Uuid::now_v7()),
            kind: Set(kind),
            timer_id: Set(timer.id),
            customer_id: Set(owners.customer),
            subject_id: Set(timer.subject_id),
            consultant_id: Set(owners.consultant),
            team_id: Set(owners.team),
            due_at: Set(timer.due_at),
            breached_at: Set(now),
            policy_version: Set(Some(version)),
        });
        let policy = policies.get(&(kind, version));
        let manager = owners.team.and_then(|team| managers.get(&team).copied());
        let told = manager.filter(|_| policy.is_none_or(|p| p.notify_manager));
        if let Some(manager) = told {
            let title = Msg::NoticeBreach { what: describe(kind) };
            notices.push(firing.notice(manager, notifications::Kind::SlaBreach, title, timer.due_at, "breach"));
        }
        // A missed revisit is told to the one who answers for it as well:
        // a customer manager has no team manager above the account.
        if kind == SlaKind::KeyAccountRevisit
            && let Some(owner) = owners.consultant
            && told != Some(owner)
        {
            let title = Msg::NoticeBreach { what: describe(kind) };
            notices.push(firing.notice(
                owner,
                notifications::Kind::SlaBreach,
                title,
                timer.due_at,
                "breach-owner",
            ));
        }
        if kind == SlaKind::ComplaintResolution
            && let Some(manager) = manager
        {
            // Escalation: the manager handles an overdue complaint.
            complaints::Entity::update_many()
                .col_expr(complaints::Column::HandlerId, Expr::value(manager))
                .filter(complaints::Column::Id.eq(timers::subject_of(timer)?))
                .exec(db)
                .await?;
        }
        if let Some(customer) = owners.customer {
            let data = json!({"kind": kind, "due_at": timer.due_at, "timer_id": timer.id});
            entries.push(timeline::entry(
                None,
                timeline::Event {
                    customer_id: customer,
                    kind: timeline::Kind::SlaBreached,
                    occurred_at: now,
                    subject_id: timer.subject_id,
                    data,
                },
            ));
        }
        let event = match kind {
            SlaKind::Visit => Some("visit.overdue"),
            SlaKind::FirstResponse | SlaKind::NeedsAssessment | SlaKind::FollowUp => Some("lead.sla_breached"),
            // Which customers are key accounts is the department's business, not a partner's.
            SlaKind::Inspection
            | SlaKind::ComplaintResolution
            | SlaKind::ApprovalDecision
            | SlaKind::KeyAccountRevisit => None,
        };
        if let (Some(name), Some(client)) = (event, owners.client) {
            let payload = json!({"kind": kind, "customer_id": owners.customer, "subject_id": timer.subject_id,
                                 "due_at": timer.due_at, "breached_at": now});
            events.push(Event {
                name,
                client_id: Some(client),
                subject_id: owners.customer,
                payload,
            });
        }
        if kind == SlaKind::FirstResponse
            && policy.is_some_and(|p| p.reassign)
            && let Some(customer) = owners.customer
        {
            reassign.push((customer, owners.team));
        }
    }
    crate::platform::db::insert_all(db, rows).await?;
    crate::platform::db::insert_all(db, entries).await?;
    events::emit_many(db, events).await?;
    for (customer, team) in reassign {
        // The same hand-over as a manager's round-robin reassignment, by the
        // service itself. No one to take the lead is an outcome, not a
        // failure: the breach stands and the lead stays with its owner.
        match assignment::reassign_in_turn(db, customer, "first response missed").await? {
            Some(_) => start(db, SlaKind::FirstResponse, customer, Some(customer), now).await?,
            None => tracing::warn!(
                customer = %customer,
                team = ?team,
                "first response missed under a reassign policy, but no consultant is available: the lead stays"
            ),
        }
    }
    Ok(notices)
}
