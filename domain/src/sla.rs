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
use entities::{complaints, customers, deals, sla_breaches, sla_policies, teams, timers as timer_rows, visits};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
    TransactionSession, TransactionTrait,
};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crate::{
    audit::{self, AuditContext},
    error::{DomainError, FieldError},
    events::{self, Event},
    notifications::{self, Notice},
    timeline,
    timers::{self, NewTimer},
};

pub const FIRST_RESPONSE: &str = "first_response";
pub const NEEDS_ASSESSMENT: &str = "needs_assessment";
pub const FOLLOW_UP: &str = "follow_up";
pub const INSPECTION: &str = "inspection";
pub const VISIT: &str = "visit";
pub const COMPLAINT_RESOLUTION: &str = "complaint_resolution";

/// Every kind of deadline a policy governs.
pub const KINDS: &[&str] = &[
    FIRST_RESPONSE,
    NEEDS_ASSESSMENT,
    FOLLOW_UP,
    INSPECTION,
    VISIT,
    COMPLAINT_RESOLUTION,
];

/// Deadlines on a customer that end when the customer is lost or merged.
const CUSTOMER_KINDS: &[&str] = &[FIRST_RESPONSE, NEEDS_ASSESSMENT, FOLLOW_UP];

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Policy {
    pub kind: String,
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
pub async fn current(db: &impl ConnectionTrait, kind: &str) -> Result<Policy, DomainError> {
    sla_policies::Entity::find()
        .filter(sla_policies::Column::Kind.eq(kind))
        .order_by_desc(sla_policies::Column::Version)
        .one(db)
        .await?
        .map(Policy::from)
        .ok_or(DomainError::NotFound("SLA policy"))
}

/// The policy in force for every kind.
pub async fn all_current(db: &impl ConnectionTrait) -> Result<Vec<Policy>, DomainError> {
    let mut out = Vec::new();
    for kind in KINDS {
        out.push(current(db, kind).await?);
    }
    Ok(out)
}

/// Every version of one kind's policy, newest first.
pub async fn history(db: &impl ConnectionTrait, kind: &str) -> Result<Vec<Policy>, DomainError> {
    if !KINDS.contains(&kind) {
        return Err(DomainError::NotFound("SLA policy"));
    }
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
    if !KINDS.contains(&kind) {
        return Err(DomainError::NotFound("SLA policy"));
    }
    let mut errors = Vec::new();
    if input.duration_secs.is_some_and(|d| !(1..=366 * 24 * 3600).contains(&d)) {
        errors.push(FieldError::new(
            "/duration_secs",
            "must be between 1 second and 366 days",
        ));
    }
    if input.warning_percent.is_some_and(|w| !(0..=99).contains(&w)) {
        errors.push(FieldError::new(
            "/warning_percent",
            "must be between 0 (no reminder) and 99",
        ));
    }
    if input.reassign == Some(true) && kind != FIRST_RESPONSE {
        errors.push(FieldError::new(
            "/reassign",
            "only a missed first response reassigns the lead",
        ));
    }
    if !errors.is_empty() {
        return Err(DomainError::Validation(errors));
    }
    let txn = crate::db::begin_write(db).await?;
    let before = current(&txn, kind).await?;
    crate::version::check_if_match(if_match, &crate::version::etag_of(&before))?;
    let next = sla_policies::ActiveModel {
        id: Set(Uuid::now_v7()),
        kind: Set(kind.to_owned()),
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
    audit::record(&txn, ctx, "update", "sla_policy", kind, Some(&b), Some(&a)).await?;
    txn.commit().await?;
    Ok(after)
}

fn key(kind: &str, phase: &str, subject: Uuid, anchor: DateTime<Utc>) -> String {
    format!("{kind}:{phase}:{subject}:{}", anchor.timestamp_micros())
}

/// The reminder and the deadline of `kind` on `subject` under `policy`, counted from `anchor`.
fn timers_of(
    policy: &Policy,
    kind: &'static str,
    subject: Uuid,
    customer: Option<Uuid>,
    anchor: DateTime<Utc>,
) -> Vec<NewTimer> {
    let timer = |phase: &'static str, due_at| NewTimer {
        kind,
        phase,
        dedupe_key: key(kind, phase, subject, anchor),
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
async fn start(
    db: &impl ConnectionTrait,
    kind: &'static str,
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
    let first = current(db, FIRST_RESPONSE).await?;
    let needs = current(db, NEEDS_ASSESSMENT).await?;
    let mut all = Vec::with_capacity(customers.len() * 4);
    for customer in customers {
        all.extend(timers_of(&first, FIRST_RESPONSE, *customer, Some(*customer), at));
        all.extend(timers_of(&needs, NEEDS_ASSESSMENT, *customer, Some(*customer), at));
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
    status: &str,
) -> Result<(), DomainError> {
    if reached {
        timers::close(db, customer, &[FIRST_RESPONSE], timers::COMPLETED).await?;
    }
    timers::close(db, customer, &[FOLLOW_UP], timers::COMPLETED).await?;
    if is_worked(status) {
        start(db, FOLLOW_UP, customer, Some(customer), at).await?;
    }
    Ok(())
}

/// Whether the weekly follow-up applies to a customer in `status`.
fn is_worked(status: &str) -> bool {
    !matches!(status, "lost" | "handed_over")
}

/// The needs were assessed.
pub async fn on_needs_assessed(db: &impl ConnectionTrait, customer: Uuid) -> Result<(), DomainError> {
    timers::close(db, customer, &[NEEDS_ASSESSMENT], timers::COMPLETED).await?;
    Ok(())
}

/// The customer was lost, merged away or handed over: its lead deadlines end.
pub async fn on_customer_closed(db: &impl ConnectionTrait, customer: Uuid) -> Result<(), DomainError> {
    timers::close(db, customer, CUSTOMER_KINDS, timers::CANCELLED).await?;
    Ok(())
}

/// A lost customer was reopened: the weekly follow-up starts again now.
pub async fn on_customer_reopened(db: &impl ConnectionTrait, customer: Uuid) -> Result<(), DomainError> {
    start(db, FOLLOW_UP, customer, Some(customer), Utc::now()).await
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
    timers::close(db, deal, &[INSPECTION], timers::CANCELLED).await?;
    let Some(planned) = planned else {
        return Ok(());
    };
    let policy = current(db, INSPECTION).await?;
    let handover = crate::kpis::start_of_day(planned, tz);
    let due_at = (handover - policy.duration()).max(Utc::now());
    let timer = NewTimer {
        kind: INSPECTION,
        phase: "task",
        dedupe_key: format!("{INSPECTION}:task:{deal}:{planned}"),
        subject_id: Some(deal),
        customer_id: Some(customer),
        due_at,
        policy_version: Some(policy.version),
    };
    timers::schedule(db, timer).await
}

/// A deal was cancelled: its after-sales deadlines end.
pub async fn on_deal_cancelled(db: &impl ConnectionTrait, deal: Uuid) -> Result<(), DomainError> {
    timers::close(db, deal, &[INSPECTION, VISIT], timers::CANCELLED).await?;
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
    timers::close(db, deal, &[INSPECTION], timers::COMPLETED).await?;
    on_customer_closed(db, customer).await?;
    let policy = current(db, VISIT).await?;
    let task = NewTimer {
        kind: VISIT,
        phase: "task",
        dedupe_key: key(VISIT, "task", deal, at),
        subject_id: Some(deal),
        customer_id: Some(customer),
        due_at: at,
        policy_version: Some(policy.version),
    };
    timers::schedule(db, task).await?;
    start(db, VISIT, deal, Some(customer), at).await
}

/// A post-handover visit was recorded.
pub async fn on_visit(db: &impl ConnectionTrait, deal: Uuid) -> Result<(), DomainError> {
    timers::close(db, deal, &[VISIT], timers::COMPLETED).await?;
    Ok(())
}

/// A complaint was received (or reopened) at `at`.
pub async fn on_complaint_received(
    db: &impl ConnectionTrait,
    complaint: Uuid,
    customer: Uuid,
    at: DateTime<Utc>,
) -> Result<(), DomainError> {
    start(db, COMPLAINT_RESOLUTION, complaint, Some(customer), at).await
}

/// A complaint was resolved.
pub async fn on_complaint_resolved(db: &impl ConnectionTrait, complaint: Uuid) -> Result<(), DomainError> {
    timers::close(db, complaint, &[COMPLAINT_RESOLUTION], timers::COMPLETED).await?;
    Ok(())
}

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
async fn check(db: &impl ConnectionTrait, timer: &timer_rows::Model) -> Result<(bool, Owners), DomainError> {
    let subject = timer.subject_id.unwrap_or_default();
    let customer_of = |c: &customers::Model| Owners {
        consultant: c.owner_id,
        team: c.team_id,
        customer: Some(c.id),
        client: c.source_client_id,
    };
    Ok(match timer.kind.as_str() {
        FIRST_RESPONSE | NEEDS_ASSESSMENT | FOLLOW_UP => {
            let Some(c) = customers::Entity::find_by_id(subject).one(db).await? else {
                return Ok((true, Owners::default()));
            };
            let done = c.merged_into_id.is_some()
                || match timer.kind.as_str() {
                    FIRST_RESPONSE => c.first_response_at.is_some() || c.status == "lost",
                    NEEDS_ASSESSMENT => c.needs_assessed_at.is_some() || c.status == "lost",
                    _ => !is_worked(&c.status),
                };
            (done, customer_of(&c))
        }
        INSPECTION | VISIT => {
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
            let done = if timer.kind == INSPECTION {
                matches!(d.stage.as_str(), "handed_over" | "closed" | "cancelled")
            } else {
                d.stage == "cancelled"
                    || (timer.phase != "task"
                        && visits::Entity::find()
                            .filter(visits::Column::DealId.eq(d.id))
                            .count(db)
                            .await?
                            > 0)
            };
            (done, owners)
        }
        COMPLAINT_RESOLUTION => {
            let Some(c) = complaints::Entity::find_by_id(subject).one(db).await? else {
                return Ok((true, Owners::default()));
            };
            let owners = Owners {
                consultant: c.consultant_id,
                team: c.team_id,
                customer: Some(c.customer_id),
                client: None,
            };
            (c.status == "resolved", owners)
        }
        _ => (true, Owners::default()),
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

fn describe(kind: &str) -> &'static str {
    match kind {
        FIRST_RESPONSE => "first response (初次接触)",
        NEEDS_ASSESSMENT => "needs assessment (需求分析)",
        FOLLOW_UP => "weekly follow-up (跟进回访)",
        INSPECTION => "pre-handover inspection (交房前检查)",
        VISIT => "post-handover visit (交房后回访)",
        COMPLAINT_RESOLUTION => "complaint resolution (投诉处理)",
        _ => "deadline",
    }
}

/// What firing a timer did.
pub type Outcome = &'static str;

/// Runs a due SLA timer: records its reminder, task or breach once, or
/// nothing if the work was done. Returns the outcome, or `None` if the timer
/// was no longer open (another worker fired it, or the work ended it).
pub async fn fire(
    db: &(impl ConnectionTrait + TransactionTrait),
    timer_id: Uuid,
    instance: &str,
) -> Result<Option<Outcome>, DomainError> {
    let txn = crate::db::begin_write(db).await?;
    let Some(timer) = timers::get(&txn, timer_id).await? else {
        return Ok(None);
    };
    if !timers::is_open(&timer.state) {
        return Ok(None);
    }
    let (done, owners) = check(&txn, &timer).await?;
    let outcome = match (done, timer.phase.as_str()) {
        (true, _) => "satisfied",
        (false, "task") => "task_created",
        (false, "warning") => "reminded",
        (false, _) => "breached",
    };
    if !timers::finish(&txn, timer.id, instance, outcome).await? {
        return Ok(None);
    }
    let kind = timer.kind.as_str();
    let what = describe(kind);
    let due = timer.due_at.to_rfc3339();
    let subject_type = match kind {
        INSPECTION | VISIT => "deal",
        COMPLAINT_RESOLUTION => "complaint",
        _ => "customer",
    };
    let notice = |user: Uuid, notice_kind: &'static str, title: String, tag: &str| Notice {
        user_id: user,
        kind: notice_kind,
        title,
        body: Some(format!("{what}: due {due}")),
        subject_type: Some(subject_type),
        subject_id: timer.subject_id,
        dedupe_key: format!("timer:{}:{tag}", timer.id),
    };
    match outcome {
        "task_created" => {
            if let Some(consultant) = owners.consultant {
                let kind_name = if kind == INSPECTION {
                    "inspection_task"
                } else {
                    "visit_task"
                };
                notifications::notify(&txn, notice(consultant, kind_name, format!("Task: {what}"), "task")).await?;
            }
        }
        "reminded" => {
            if let Some(consultant) = owners.consultant {
                let title = format!("Reminder: {what} is due soon");
                notifications::notify(&txn, notice(consultant, "sla_reminder", title, "reminder")).await?;
            }
        }
        "breached" => {
            breach(
                &txn,
                &timer,
                owners,
                notice(Uuid::nil(), "sla_breach", String::new(), ""),
            )
            .await?
        }
        _ => {}
    }
    txn.commit().await?;
    Ok(Some(outcome))
}

/// Records a missed deadline: the breach, the manager's notification, the
/// customer's timeline, the partner's webhook and, if the policy says so,
/// the lead's reassignment.
async fn breach(
    db: &impl ConnectionTrait,
    timer: &timer_rows::Model,
    owners: Owners,
    template: Notice,
) -> Result<(), DomainError> {
    let now = Utc::now();
    let kind = timer.kind.as_str();
    sla_breaches::ActiveModel {
        id: Set(Uuid::now_v7()),
        kind: Set(timer.kind.clone()),
        timer_id: Set(timer.id),
        customer_id: Set(owners.customer),
        subject_id: Set(timer.subject_id),
        consultant_id: Set(owners.consultant),
        team_id: Set(owners.team),
        due_at: Set(timer.due_at),
        breached_at: Set(now),
        policy_version: Set(timer.policy_version),
    }
    .insert(db)
    .await?;
    let policy = sla_policies::Entity::find()
        .filter(sla_policies::Column::Kind.eq(kind))
        .filter(sla_policies::Column::Version.eq(timer.policy_version.unwrap_or(1)))
        .one(db)
        .await?
        .map(Policy::from);
    let what = describe(kind);
    if policy.as_ref().is_none_or(|p| p.notify_manager)
        && let Some(manager) = manager_of(db, owners.team).await?
    {
        let notice = Notice {
            user_id: manager,
            title: format!("SLA breach: {what} missed"),
            dedupe_key: format!("timer:{}:breach", timer.id),
            ..template.clone()
        };
        notifications::notify(db, notice).await?;
    }
    if kind == COMPLAINT_RESOLUTION
        && let Some(manager) = manager_of(db, owners.team).await?
    {
        // Escalation: the manager handles an overdue complaint.
        complaints::Entity::update_many()
            .col_expr(complaints::Column::HandlerId, sea_orm::sea_query::Expr::value(manager))
            .filter(complaints::Column::Id.eq(timer.subject_id.unwrap_or_default()))
            .exec(db)
            .await?;
    }
    if let Some(customer) = owners.customer {
        let data = json!({"kind": kind, "due_at": timer.due_at, "timer_id": timer.id});
        let event = timeline::Event {
            customer_id: customer,
            kind: "sla_breached",
            occurred_at: now,
            subject_id: timer.subject_id,
            data,
        };
        timeline::record(db, None, event).await?;
    }
    let event = match kind {
        VISIT => Some("visit.overdue"),
        FIRST_RESPONSE | NEEDS_ASSESSMENT | FOLLOW_UP => Some("lead.sla_breached"),
        _ => None,
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
    if kind == FIRST_RESPONSE
        && policy.is_some_and(|p| p.reassign)
        && let (Some(customer), Some(team)) = (owners.customer, owners.team)
        && let Ok(next) = crate::assignment::next_in_turn(db, team, owners.consultant).await
    {
        let mut row: customers::ActiveModel = customers::ActiveModel {
            id: Set(customer),
            ..Default::default()
        };
        row.owner_id = Set(Some(next.id));
        row.assigned_at = Set(Some(now));
        row.updated_at = Set(now);
        row.update(db).await?;
        let data = json!({"consultant_id": next.id, "team_id": team, "strategy": "round_robin",
                          "reason": "first response missed", "previous_owner_id": owners.consultant});
        let event = timeline::Event {
            customer_id: customer,
            kind: "reassigned",
            occurred_at: now,
            subject_id: Some(next.id),
            data,
        };
        timeline::record(db, None, event).await?;
        start(db, FIRST_RESPONSE, customer, Some(customer), now).await?;
    }
    Ok(())
}

/// A breach as the API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct BreachView {
    pub id: Uuid,
    pub kind: String,
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
    actor: &crate::actor::Actor,
    scope: crate::permissions::Scope,
    filter: BreachFilter,
    page: crate::page::PageRequest,
) -> Result<crate::page::Page<BreachView>, DomainError> {
    use sla_breaches::Column as C;
    if filter.kind.as_deref().is_some_and(|k| !KINDS.contains(&k)) {
        return Err(DomainError::invalid(
            "/kind",
            format!("must be one of {}", KINDS.join(", ")),
        ));
    }
    let mut query = sla_breaches::Entity::find().filter(actor.reach(scope, C::ConsultantId, Some(C::TeamId)));
    if let Some(kind) = filter.kind {
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
