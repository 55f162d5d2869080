//! What happens when an SLA timer falls due: the record is re-checked
//! ("still no first response?"), and the reminder, the task or the breach
//! is recorded exactly once — with the manager's notification, the
//! customer's timeline, the partner's webhook, a complaint's escalation and,
//! if the policy says so, the lead's reassignment.

use chrono::Utc;
use entities::{
    complaints, customers, customers::CustomerStatus, deals, deals::DealStage, sla_breaches, sla_policies, teams,
    timers as timer_rows, visits,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set, TransactionSession,
    TransactionTrait,
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

/// What the record says when a timer falls due: whether the work is done
/// (or moot), and who answers for it.
async fn check(
    db: &impl ConnectionTrait,
    kind: SlaKind,
    timer: &timer_rows::Model,
) -> Result<(bool, Owners), DomainError> {
    let subject = timers::subject_of(timer)?;
    let customer_of = |c: &customers::Model| Owners {
        consultant: c.owner_id,
        team: c.team_id,
        customer: Some(c.id),
        client: c.source_client_id,
    };
    Ok(match kind {
        SlaKind::FirstResponse | SlaKind::NeedsAssessment | SlaKind::FollowUp => {
            let Some(c) = customers::Entity::find_by_id(subject).one(db).await? else {
                return Ok((true, Owners::default()));
            };
            let done = c.merged_into_id.is_some()
                || match kind {
                    SlaKind::FirstResponse => c.first_response_at.is_some() || c.status == CustomerStatus::Lost,
                    SlaKind::NeedsAssessment => c.needs_assessed_at.is_some() || c.status == CustomerStatus::Lost,
                    _ => !is_worked(c.status),
                };
            (done, customer_of(&c))
        }
        SlaKind::KeyAccountRevisit => {
            let Some(c) = customers::Entity::find_by_id(subject).one(db).await? else {
                return Ok((true, Owners::default()));
            };
            // The customer manager answering for the account, else its consultant.
            let owners = Owners {
                consultant: c.account_manager_id.or(c.owner_id),
                ..customer_of(&c)
            };
            (!crate::outbox::sla::revisits_apply(&c), owners)
        }
        SlaKind::Inspection | SlaKind::Visit => {
            let Some(d) = deals::Entity::find_by_id(subject).one(db).await? else {
                return Ok((true, Owners::default()));
            };
            let client = customers::Entity::find_by_id(d.customer_id)
                .one(db)
                .await?
                .and_then(|c| c.source_client_id);
            let owners = Owners {
                consultant: Some(d.consultant_id),
                team: d.team_id,
                customer: Some(d.customer_id),
                client,
            };
            let done = if kind == SlaKind::Inspection {
                matches!(
                    d.stage,
                    DealStage::HandedOver | DealStage::Closed | DealStage::Cancelled
                )
            } else {
                d.stage == DealStage::Cancelled
                    || (timer.phase != "task"
                        && visits::Entity::find()
                            .filter(visits::Column::DealId.eq(d.id))
                            .count(db)
                            .await?
                            > 0)
            };
            (done, owners)
        }
        SlaKind::ComplaintResolution => {
            let Some(c) = complaints::Entity::find_by_id(subject).one(db).await? else {
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

async fn manager_of(db: &impl ConnectionTrait, team: Option<Uuid>) -> Result<Option<Uuid>, DomainError> {
    let Some(team) = team else {
        return Ok(None);
    };
    Ok(teams::Entity::find_by_id(team)
        .one(db)
        .await?
        .and_then(|t| t.manager_id))
}

/// What a deadline of this kind watches, as its notifications name it.
fn describe(kind: SlaKind) -> Box<Msg> {
    Box::new(crate::outbox::sla::what(kind))
}

/// What firing a timer did.
pub type Outcome = &'static str;

/// Runs a due SLA timer: records its reminder, task or breach once, or
/// nothing if the work was done; notifications read instants in the
/// business time zone `tz`. Returns the outcome, or `None` if the timer
/// was no longer open (another worker fired it, or the work ended it).
pub async fn fire(
    db: &(impl ConnectionTrait + TransactionTrait),
    timer_id: Uuid,
    instance: &str,
    tz: chrono_tz::Tz,
) -> Result<Option<Outcome>, DomainError> {
    let txn = crate::platform::db::begin_write(db).await?;
    let Some(timer) = timers::get(&txn, timer_id).await? else {
        return Ok(None);
    };
    if !timers::is_open(timer.state) {
        return Ok(None);
    }
    let kind: SlaKind = timer
        .kind
        .parse()
        .map_err(|_| DomainError::Internal(format!("timer {} has unknown SLA kind {}", timer.id, timer.kind)))?;
    let (done, owners) = check(&txn, kind, &timer).await?;
    let outcome = match (done, timer.phase.as_str()) {
        (true, _) => "satisfied",
        (false, "task") => "task_created",
        (false, "warning") => "reminded",
        (false, _) => "breached",
    };
    if !timers::finish(&txn, timer.id, instance, outcome).await? {
        return Ok(None);
    }
    let what = describe(kind);
    let subject_type = match kind {
        SlaKind::Inspection | SlaKind::Visit => "deal",
        SlaKind::ComplaintResolution => "complaint",
        SlaKind::ApprovalDecision => "approval",
        SlaKind::FirstResponse | SlaKind::NeedsAssessment | SlaKind::FollowUp | SlaKind::KeyAccountRevisit => {
            "customer"
        }
    };
    // A task falls due when the work may start; what it names is the deadline.
    let due = match timer.phase.as_str() {
        "task" => crate::outbox::sla::deadline_of_task(&txn, kind, &timer).await?,
        _ => timer.due_at,
    };
    let notice = |user: Uuid, notice_kind: notifications::Kind, title: Msg, tag: &str| Notice {
        user_id: user,
        kind: notice_kind,
        title,
        body: Some(Msg::NoticeDue {
            what: what.clone(),
            due: At(due),
        }),
        subject_type: Some(subject_type),
        subject_id: timer.subject_id,
        due_at: Some(due),
        dedupe_key: format!("timer:{}:{tag}", timer.id),
    };
    let mut notices = Vec::new();
    match outcome {
        "task_created" => {
            if let Some(consultant) = owners.consultant {
                let kind_name = if kind == SlaKind::Inspection {
                    notifications::Kind::InspectionTask
                } else {
                    notifications::Kind::VisitTask
                };
                let title = Msg::NoticeTask { what: what.clone() };
                notices.push(notice(consultant, kind_name, title, "task"));
            }
        }
        "reminded" => {
            if let Some(consultant) = owners.consultant {
                let title = Msg::NoticeReminder { what: what.clone() };
                notices.push(notice(consultant, notifications::Kind::SlaReminder, title, "reminder"));
            }
        }
        "breached" => {
            if let Some(breach_notice) = breach(&txn, kind, &timer, owners, &notice).await? {
                notices.push(breach_notice);
            }
            // A missed revisit is told to the one who answers for it as well:
            // a customer manager has no team manager above the account.
            if kind == SlaKind::KeyAccountRevisit
                && let Some(owner) = owners.consultant
                && notices.iter().all(|n| n.user_id != owner)
            {
                let title = Msg::NoticeBreach { what: what.clone() };
                notices.push(notice(owner, notifications::Kind::SlaBreach, title, "breach-owner"));
            }
        }
        _ => {}
    }
    notifications::notify(&txn, tz, notices).await?;
    txn.commit().await?;
    Ok(Some(outcome))
}

/// Records a missed deadline: the breach, the customer's timeline, the
/// partner's webhook and, if the policy says so, the lead's reassignment;
/// returns the manager's notification to send, if the policy asks for one.
async fn breach(
    db: &impl ConnectionTrait,
    kind: SlaKind,
    timer: &timer_rows::Model,
    owners: Owners,
    notice: &impl Fn(Uuid, notifications::Kind, Msg, &str) -> Notice,
) -> Result<Option<Notice>, DomainError> {
    // Every SLA timer is scheduled under a policy version (`outbox::sla`).
    let version = timer
        .policy_version
        .ok_or_else(|| DomainError::Internal(format!("{} timer {} has no policy version", timer.kind, timer.id)))?;
    let now = Utc::now();
    sla_breaches::ActiveModel {
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
    }
    .insert(db)
    .await?;
    let policy = sla_policies::Entity::find()
        .filter(sla_policies::Column::Kind.eq(kind))
        .filter(sla_policies::Column::Version.eq(version))
        .one(db)
        .await?
        .map(Policy::from);
    let notify_manager = policy.as_ref().is_none_or(|p| p.notify_manager);
    let escalate = kind == SlaKind::ComplaintResolution;
    let manager = if notify_manager || escalate {
        manager_of(db, owners.team).await?
    } else {
        None
    };
    let manager_notice = manager.filter(|_| notify_manager).map(|manager| {
        let title = Msg::NoticeBreach { what: describe(kind) };
        notice(manager, notifications::Kind::SlaBreach, title, "breach")
    });
    if escalate && let Some(manager) = manager {
        // Escalation: the manager handles an overdue complaint.
        complaints::Entity::update_many()
            .col_expr(complaints::Column::HandlerId, sea_orm::sea_query::Expr::value(manager))
            .filter(complaints::Column::Id.eq(timers::subject_of(timer)?))
            .exec(db)
            .await?;
    }
    if let Some(customer) = owners.customer {
        let data = json!({"kind": kind, "due_at": timer.due_at, "timer_id": timer.id});
        let event = timeline::Event {
            customer_id: customer,
            kind: timeline::Kind::SlaBreached,
            occurred_at: now,
            subject_id: timer.subject_id,
            data,
        };
        timeline::record(db, None, event).await?;
    }
    let event = match kind {
        SlaKind::Visit => Some("visit.overdue"),
        SlaKind::FirstResponse | SlaKind::NeedsAssessment | SlaKind::FollowUp => Some("lead.sla_breached"),
        // Which customers are key accounts is the department's business, not a partner's.
        SlaKind::Inspection | SlaKind::ComplaintResolution | SlaKind::ApprovalDecision | SlaKind::KeyAccountRevisit => {
            None
        }
    };
    if let (Some(name), Some(client)) = (event, owners.client) {
        let payload = json!({"kind": kind, "customer_id": owners.customer, "subject_id": timer.subject_id,
                             "due_at": timer.due_at, "breached_at": now});
        let event = Event {
            name,
            client_id: Some(client),
            subject_id: owners.customer,
            payload,
        };
        events::emit(db, event).await?;
    }
    if kind == SlaKind::FirstResponse
        && policy.is_some_and(|p| p.reassign)
        && let Some(customer) = owners.customer
    {
        // The same hand-over as a manager's round-robin reassignment, by the
        // service itself. No one to take the lead is an outcome, not a
        // failure: the breach stands and the lead stays with its owner.
        match assignment::reassign_in_turn(db, customer, "first response missed").await? {
            Some(_) => start(db, SlaKind::FirstResponse, customer, Some(customer), now).await?,
            None => tracing::warn!(
                customer = %customer,
                team = ?owners.team,
                "first response missed under a reassign policy, but no consultant is available: the lead stays"
            ),
        }
    }
    Ok(manager_notice)
}
