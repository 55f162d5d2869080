//! SLA policies and the deadlines they start. Each kind of deadline has a
//! versioned policy (duration, warning point, what a breach does); changing
//! a policy makes a new version that applies to timers started after it,
//! and every timer records the version it used.
//!
//! The business services call the `on_*` functions in the transaction of
//! the change that starts or satisfies a deadline; [`fire`] runs when a
//! timer falls due, re-checks the record, and records the reminder, task or
//! breach exactly once.

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use entities::{customers::CustomerStatus, sla_breaches, sla_policies};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, Iterable, QueryFilter, QueryOrder, Set,
    TransactionSession, TransactionTrait,
};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crate::platform::text::Msg;
use crate::{
    access::audit::{self, AuditContext},
    outbox::timers::{self, NewTimer},
    platform::error::{DomainError, FieldError},
};

pub use entities::sla_policies::SlaKind;

/// What a deadline of this kind watches, as people read it (notifications, reports).
pub fn what(kind: SlaKind) -> Msg {
    match kind {
        SlaKind::FirstResponse => Msg::SlaFirstResponse,
        SlaKind::NeedsAssessment => Msg::SlaNeedsAssessment,
        SlaKind::FollowUp => Msg::SlaFollowUp,
        SlaKind::Inspection => Msg::SlaInspection,
        SlaKind::Visit => Msg::SlaVisit,
        SlaKind::ComplaintResolution => Msg::SlaComplaintResolution,
        SlaKind::ApprovalDecision => Msg::SlaApprovalDecision,
        SlaKind::KeyAccountRevisit => Msg::SlaKeyAccountRevisit,
    }
}

/// Deadlines on a customer that end when the customer is lost or merged.
const CUSTOMER_KINDS: [SlaKind; 3] = [SlaKind::FirstResponse, SlaKind::NeedsAssessment, SlaKind::FollowUp];

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Policy {
    pub kind: SlaKind,
    pub version: i32,
    /// How long the work may take (for `inspection`: how long before the
    /// planned handover the inspection task is created).
    pub duration_secs: i64,
    /// When the reminder comes, in percent of the duration; 0: no reminder.
    pub warning_percent: i32,
    /// A breach notifies the team's manager.
    pub notify_manager: bool,
    /// A breach of the first response hands the lead to the team's next consultant.
    pub reassign: bool,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

impl From<sla_policies::Model> for Policy {
    fn from(m: sla_policies::Model) -> Self {
        Self {
            kind: m.kind,
            version: m.version,
            duration_secs: m.duration_secs,
            warning_percent: m.warning_percent,
            notify_manager: m.notify_manager,
            reassign: m.reassign,
            created_by: m.created_by,
            created_at: m.created_at,
        }
    }
}

impl Policy {
    fn duration(&self) -> Duration {
        Duration::seconds(self.duration_secs)
    }

    fn warning_after(&self) -> Option<Duration> {
        (self.warning_percent > 0 && self.warning_percent < 100)
            .then(|| Duration::milliseconds(self.duration_secs * 10 * i64::from(self.warning_percent)))
    }
}

/// The policy in force for `kind`.
pub async fn current(db: &impl ConnectionTrait, kind: SlaKind) -> Result<Policy, DomainError> {
    sla_policies::Entity::find()
        .filter(sla_policies::Column::Kind.eq(kind))
        .order_by_desc(sla_policies::Column::Version)
        .one(db)
        .await?
        .map(Policy::from)
        .ok_or(DomainError::NotFound(Msg::NounSlaPolicy))
}

/// The policy in force for every kind.
pub async fn all_current(db: &impl ConnectionTrait) -> Result<Vec<Policy>, DomainError> {
    let mut out = Vec::new();
    for kind in SlaKind::iter() {
        out.push(current(db, kind).await?);
    }
    Ok(out)
}

/// Every version of one kind's policy, newest first.
pub async fn history(db: &impl ConnectionTrait, kind: &str) -> Result<Vec<Policy>, DomainError> {
    let Ok(kind) = kind.parse::<SlaKind>() else {
        return Err(DomainError::NotFound(Msg::NounSlaPolicy));
    };
    Ok(sla_policies::Entity::find()
        .filter(sla_policies::Column::Kind.eq(kind))
        .order_by_desc(sla_policies::Column::Version)
        .all(db)
        .await?
        .into_iter()
        .map(Policy::from)
        .collect())
}

/// A change to a policy; absent fields keep their value.
#[derive(Debug, Clone, Default)]
pub struct PolicyInput {
    pub duration_secs: Option<i64>,
    pub warning_percent: Option<i32>,
    pub notify_manager: Option<bool>,
    pub reassign: Option<bool>,
}

/// Writes the next version of `kind`'s policy; timers already started keep theirs.
pub async fn update(
    db: &(impl ConnectionTrait + TransactionTrait),
    ctx: &AuditContext,
    kind: &str,
    input: PolicyInput,
    if_match: Option<&str>,
) -> Result<Policy, DomainError> {
    let Ok(kind) = kind.parse::<SlaKind>() else {
        return Err(DomainError::NotFound(Msg::NounSlaPolicy));
    };
    let mut errors = Vec::new();
    if input.duration_secs.is_some_and(|d| !(1..=366 * 24 * 3600).contains(&d)) {
        errors.push(FieldError::new("/duration_secs", Msg::DurationOneSecondTo366Days));
    }
    if input.warning_percent.is_some_and(|w| !(0..=99).contains(&w)) {
        errors.push(FieldError::new("/warning_percent", Msg::WarningPercent));
    }
    if input.reassign == Some(true) && kind != SlaKind::FirstResponse {
        errors.push(FieldError::new("/reassign", Msg::OnlyFirstResponseReassigns));
    }
    if !errors.is_empty() {
        return Err(DomainError::Validation(errors));
    }
    let txn = crate::platform::db::begin_write(db).await?;
    let before = current(&txn, kind).await?;
    crate::platform::version::check(if_match, &before)?;
    let next = sla_policies::ActiveModel {
        id: Set(Uuid::now_v7()),
        kind: Set(kind),
        version: Set(before.version + 1),
        duration_secs: Set(input.duration_secs.unwrap_or(before.duration_secs)),
        warning_percent: Set(input.warning_percent.unwrap_or(before.warning_percent)),
        notify_manager: Set(input.notify_manager.unwrap_or(before.notify_manager)),
        reassign: Set(input.reassign.unwrap_or(before.reassign)),
        created_by: Set(ctx.actor_user_id),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    let after = Policy::from(next);
    let (b, a) = (json!(before), json!(after));
    audit::record(&txn, ctx, "update", "sla_policy", kind.as_str(), Some(&b), Some(&a)).await?;
    txn.commit().await?;
    Ok(after)
}

fn key(kind: &str, phase: &str, subject: Uuid, anchor: DateTime<Utc>) -> String {
    format!("{kind}:{phase}:{subject}:{}", anchor.timestamp_micros())
}

/// The reminder and the deadline of `kind` on `subject` under `policy`, counted from `anchor`.
fn timers_of(
    policy: &Policy,
    kind: SlaKind,
    subject: Uuid,
    customer: Option<Uuid>,
    anchor: DateTime<Utc>,
) -> Vec<NewTimer> {
    let timer = |phase: &'static str, due_at| NewTimer {
        kind: kind.as_str(),
        phase,
        dedupe_key: key(kind.as_str(), phase, subject, anchor),
        subject_id: Some(subject),
        customer_id: customer,
        due_at,
        policy_version: Some(policy.version),
    };
    let mut out: Vec<NewTimer> = policy
        .warning_after()
        .map(|after| timer("warning", anchor + after))
        .into_iter()
        .collect();
    out.push(timer("deadline", anchor + policy.duration()));
    out
}

/// Starts the reminder and the deadline of `kind` on `subject`, counted from `anchor`.
pub(crate) async fn start(
    db: &impl ConnectionTrait,
    kind: SlaKind,
    subject: Uuid,
    customer: Option<Uuid>,
    anchor: DateTime<Utc>,
) -> Result<(), DomainError> {
    let policy = current(db, kind).await?;
    timers::schedule_many(db, timers_of(&policy, kind, subject, customer, anchor)).await
}

/// A lead arrived: first response within 24 h, needs assessment within 3 days.
pub async fn on_lead_arrived(db: &impl ConnectionTrait, customer: Uuid, at: DateTime<Utc>) -> Result<(), DomainError> {
    on_leads_arrived(db, &[customer], at).await
}

/// Many leads arrived at once (an import).
pub async fn on_leads_arrived(
    db: &impl ConnectionTrait,
    customers: &[Uuid],
    at: DateTime<Utc>,
) -> Result<(), DomainError> {
    let first = current(db, SlaKind::FirstResponse).await?;
    let needs = current(db, SlaKind::NeedsAssessment).await?;
    let mut all = Vec::with_capacity(customers.len() * 4);
    for customer in customers {
        all.extend(timers_of(
            &first,
            SlaKind::FirstResponse,
            *customer,
            Some(*customer),
            at,
        ));
        all.extend(timers_of(
            &needs,
            SlaKind::NeedsAssessment,
            *customer,
            Some(*customer),
            at,
        ));
    }
    timers::schedule_many(db, all).await
}

/// A follow-up was recorded at `at`: a reached one answers the first
/// response; every one restarts the weekly follow-up clock of a customer
/// still being worked.
pub async fn on_follow_up(
    db: &impl ConnectionTrait,
    customer: Uuid,
    at: DateTime<Utc>,
    reached: bool,
    status: CustomerStatus,
) -> Result<(), DomainError> {
    if reached {
        timers::close(
            db,
            customer,
            &[SlaKind::FirstResponse.as_str()],
            timers::TimerState::Completed,
        )
        .await?;
    }
    timers::close(
        db,
        customer,
        &[SlaKind::FollowUp.as_str()],
        timers::TimerState::Completed,
    )
    .await?;
    if is_worked(status) {
        start(db, SlaKind::FollowUp, customer, Some(customer), at).await?;
    }
    Ok(())
}

/// Whether the weekly follow-up applies to a customer in `status`.
pub(crate) fn is_worked(status: CustomerStatus) -> bool {
    !matches!(status, CustomerStatus::Lost | CustomerStatus::HandedOver)
}

/// Whether a customer's key-account revisits run: marked a key account,
/// neither lost nor merged away (a handed-over buyer is revisited too: the
/// long-term relationship, 定期维护长期关系, starts there).
pub fn revisits_apply(customer: &entities::customers::Model) -> bool {
    customer.key_account && customer.merged_into_id.is_none() && customer.status != CustomerStatus::Lost
}

/// Brings a customer's key-account revisit deadline in line with its
/// record, after anything that may have changed whether revisits apply
/// (marking, unmarking, losing, reopening, merging): `applied` says whether
/// they applied before the change. Nothing is done when that did not change
/// (the common case: a lead that is no key account); otherwise a revisit
/// deadline counted from `at` when they now apply and none is open, none
/// when they no longer do. Starting twice at one instant starts once (the timer's key).
pub async fn on_key_account(
    db: &impl ConnectionTrait,
    applied: bool,
    customer: &entities::customers::Model,
    at: DateTime<Utc>,
) -> Result<(), DomainError> {
    if applied == revisits_apply(customer) {
        return Ok(());
    }
    let kind = [SlaKind::KeyAccountRevisit.as_str()];
    if !revisits_apply(customer) {
        timers::close(db, customer.id, &kind, timers::TimerState::Cancelled).await?;
        return Ok(());
    }
    let open = entities::timers::Entity::find()
        .filter(entities::timers::Column::SubjectId.eq(customer.id))
        .filter(entities::timers::Column::Kind.is_in(kind))
        .filter(entities::timers::Column::Phase.eq("deadline"))
        .filter(entities::timers::Column::State.is_in(timers::OPEN))
        .one(db)
        .await?;
    if open.is_none() {
        start(db, SlaKind::KeyAccountRevisit, customer.id, Some(customer.id), at).await?;
    }
    Ok(())
}

/// Key accounts marked all at once (an import): their revisits start at `at`.
pub async fn on_key_accounts_marked(
    db: &impl ConnectionTrait,
    customers: &[Uuid],
    at: DateTime<Utc>,
) -> Result<(), DomainError> {
    let policy = current(db, SlaKind::KeyAccountRevisit).await?;
    let all = customers
        .iter()
        .flat_map(|c| timers_of(&policy, SlaKind::KeyAccountRevisit, *c, Some(*c), at))
        .collect();
    timers::schedule_many(db, all).await
}

/// A key account was revisited at `at` (a reached follow-up of kind
/// `revisit`): this deadline is met and the next one counts from the visit.
pub async fn on_revisit(db: &impl ConnectionTrait, customer: Uuid, at: DateTime<Utc>) -> Result<(), DomainError> {
    timers::close(
        db,
        customer,
        &[SlaKind::KeyAccountRevisit.as_str()],
        timers::TimerState::Completed,
    )
    .await?;
    start(db, SlaKind::KeyAccountRevisit, customer, Some(customer), at).await
}

/// The needs were assessed.
pub async fn on_needs_assessed(db: &impl ConnectionTrait, customer: Uuid) -> Result<(), DomainError> {
    timers::close(
        db,
        customer,
        &[SlaKind::NeedsAssessment.as_str()],
        timers::TimerState::Completed,
    )
    .await?;
    Ok(())
}

/// The customer was lost, merged away or handed over: its lead deadlines end.
pub async fn on_customer_closed(db: &impl ConnectionTrait, customer: Uuid) -> Result<(), DomainError> {
    timers::close(
        db,
        customer,
        &CUSTOMER_KINDS.map(SlaKind::as_str),
        timers::TimerState::Cancelled,
    )
    .await?;
    Ok(())
}

/// A lost customer was reopened: the weekly follow-up starts again now.
pub async fn on_customer_reopened(db: &impl ConnectionTrait, customer: Uuid) -> Result<(), DomainError> {
    start(db, SlaKind::FollowUp, customer, Some(customer), Utc::now()).await
}

/// A deal was subscribed (or its planned handover date changed): the
/// pre-handover inspection task falls due the policy's duration before
/// the planned handover (midnight in the business time zone `tz`).
pub async fn on_handover_planned(
    db: &impl ConnectionTrait,
    deal: Uuid,
    customer: Uuid,
    planned: Option<chrono::NaiveDate>,
    tz: Tz,
) -> Result<(), DomainError> {
    timers::close(db, deal, &[SlaKind::Inspection.as_str()], timers::TimerState::Cancelled).await?;
    let Some(planned) = planned else {
        return Ok(());
    };
    let policy = current(db, SlaKind::Inspection).await?;
    let handover = crate::platform::calendar::start_of_day(planned, tz);
    let due_at = (handover - policy.duration()).max(Utc::now());
    let timer = NewTimer {
        kind: SlaKind::Inspection.as_str(),
        phase: "task",
        dedupe_key: format!("{}:task:{deal}:{planned}", SlaKind::Inspection),
        subject_id: Some(deal),
        customer_id: Some(customer),
        due_at,
        policy_version: Some(policy.version),
    };
    timers::schedule(db, timer).await
}

/// A deal was cancelled: its after-sales deadlines end.
pub async fn on_deal_cancelled(db: &impl ConnectionTrait, deal: Uuid) -> Result<(), DomainError> {
    timers::close(
        db,
        deal,
        &[SlaKind::Inspection.as_str(), SlaKind::Visit.as_str()],
        timers::TimerState::Cancelled,
    )
    .await?;
    Ok(())
}

/// The unit was handed over at `at`: the visit task now, a reminder, and
/// the 30-day deadline; the customer's lead deadlines end.
pub async fn on_handed_over(
    db: &impl ConnectionTrait,
    deal: Uuid,
    customer: Uuid,
    at: DateTime<Utc>,
) -> Result<(), DomainError> {
    timers::close(db, deal, &[SlaKind::Inspection.as_str()], timers::TimerState::Completed).await?;
    on_customer_closed(db, customer).await?;
    let policy = current(db, SlaKind::Visit).await?;
    let task = NewTimer {
        kind: SlaKind::Visit.as_str(),
        phase: "task",
        dedupe_key: key(SlaKind::Visit.as_str(), "task", deal, at),
        subject_id: Some(deal),
        customer_id: Some(customer),
        due_at: at,
        policy_version: Some(policy.version),
    };
    timers::schedule(db, task).await?;
    start(db, SlaKind::Visit, deal, Some(customer), at).await
}

/// The deadline a task timer names. A task falls due when the work may
/// start; the post-handover visit's task falls due at handover, and the
/// visit is due the policy's duration later (30 days by default), counted
/// under the policy version the task was set under. Other tasks name their
/// own instant.
pub async fn deadline_of_task(
    db: &impl ConnectionTrait,
    kind: SlaKind,
    task: &entities::timers::Model,
) -> Result<DateTime<Utc>, DomainError> {
    if kind != SlaKind::Visit {
        return Ok(task.due_at);
    }
    let versioned = match task.policy_version {
        Some(version) => sla_policies::Entity::find()
            .filter(sla_policies::Column::Kind.eq(kind))
            .filter(sla_policies::Column::Version.eq(version))
            .one(db)
            .await?
            .map(Policy::from),
        None => None,
    };
    let policy = match versioned {
        Some(policy) => policy,
        None => current(db, kind).await?,
    };
    Ok(task.due_at + policy.duration())
}

/// A post-handover visit was recorded.
pub async fn on_visit(db: &impl ConnectionTrait, deal: Uuid) -> Result<(), DomainError> {
    timers::close(db, deal, &[SlaKind::Visit.as_str()], timers::TimerState::Completed).await?;
    Ok(())
}

/// A complaint was received (or reopened) at `at`.
pub async fn on_complaint_received(
    db: &impl ConnectionTrait,
    complaint: Uuid,
    customer: Uuid,
    at: DateTime<Utc>,
) -> Result<(), DomainError> {
    start(db, SlaKind::ComplaintResolution, complaint, Some(customer), at).await
}

/// A complaint was resolved.
pub async fn on_complaint_resolved(db: &impl ConnectionTrait, complaint: Uuid) -> Result<(), DomainError> {
    timers::close(
        db,
        complaint,
        &[SlaKind::ComplaintResolution.as_str()],
        timers::TimerState::Completed,
    )
    .await?;
    Ok(())
}

/// A breach as the API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct BreachView {
    pub id: Uuid,
    pub kind: SlaKind,
    pub timer_id: Uuid,
    pub customer_id: Option<Uuid>,
    pub subject_id: Option<Uuid>,
    pub consultant_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    pub due_at: DateTime<Utc>,
    pub breached_at: DateTime<Utc>,
    pub policy_version: Option<i32>,
}

impl From<sla_breaches::Model> for BreachView {
    fn from(m: sla_breaches::Model) -> Self {
        Self {
            id: m.id,
            kind: m.kind,
            timer_id: m.timer_id,
            customer_id: m.customer_id,
            subject_id: m.subject_id,
            consultant_id: m.consultant_id,
            team_id: m.team_id,
            due_at: m.due_at,
            breached_at: m.breached_at,
            policy_version: m.policy_version,
        }
    }
}

/// What to look for among breaches.
#[derive(Debug, Clone, Default)]
pub struct BreachFilter {
    pub kind: Option<String>,
    pub team_id: Option<Uuid>,
    pub consultant_id: Option<Uuid>,
    /// Deadlines falling in [from, to).
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// Breaches within the caller's scope: own (as consultant), team, all.
pub async fn breaches(
    db: &impl ConnectionTrait,
    actor: &crate::access::actor::Actor,
    scope: crate::access::permissions::Scope,
    filter: BreachFilter,
    page: crate::platform::page::PageRequest,
) -> Result<crate::platform::page::Page<BreachView>, DomainError> {
    use sla_breaches::Column as C;
    let kind = filter
        .kind
        .as_deref()
        .map(|k| crate::platform::input::variant::<SlaKind>(k, "/kind"))
        .transpose()?;
    let mut query = sla_breaches::Entity::find().filter(actor.reach(scope, C::ConsultantId, Some(C::TeamId)));
    if let Some(kind) = kind {
        query = query.filter(C::Kind.eq(kind));
    }
    if let Some(team) = filter.team_id {
        query = query.filter(C::TeamId.eq(team));
    }
    if let Some(consultant) = filter.consultant_id {
        query = query.filter(C::ConsultantId.eq(consultant));
    }
    if let Some(from) = filter.from {
        query = query.filter(C::DueAt.gte(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(C::DueAt.lt(to));
    }
    Ok(page.fetch(db, query, C::Id, |b| b.id).await?.map(BreachView::from))
}

/// Breaches within the caller's scope whose deadline fell in
/// [`from`, `to`), counted by team and kind in one grouped query (a team of
/// `None`: the customer had no team then).
pub async fn breach_counts(
    db: &impl ConnectionTrait,
    actor: &crate::access::actor::Actor,
    scope: crate::access::permissions::Scope,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<(Option<Uuid>, SlaKind, u64)>, DomainError> {
    use sea_orm::{
        QuerySelect,
        sea_query::{Expr, Func},
    };
    use sla_breaches::Column as C;
    let rows: Vec<(Option<Uuid>, SlaKind, i64)> = sla_breaches::Entity::find()
        .select_only()
        .column(C::TeamId)
        .column(C::Kind)
        .column_as(Expr::expr(Func::count(Expr::col(C::Id))), "n")
        .filter(actor.reach(scope, C::ConsultantId, Some(C::TeamId)))
        .filter(C::DueAt.gte(from))
        .filter(C::DueAt.lt(to))
        .group_by(C::TeamId)
        .group_by(C::Kind)
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(team, kind, n)| (team, kind, u64::try_from(n).unwrap_or(0)))
        .collect())
}

#[cfg(test)]
mod tests {
    use sea_orm::{ActiveEnum, Iterable};

    use super::SlaKind;

    #[test]
    fn a_kinds_timer_name_is_its_stored_spelling() {
        for kind in SlaKind::iter() {
            assert_eq!(kind.as_str(), kind.to_value(), "{kind:?}");
        }
    }
}
