//! Webhook deliveries: one per event and subscription, sent and retried by
//! the worker through durable timers. Each attempt claims its timer and, in
//! the same transaction, schedules the next one as a guard, so a worker
//! dying mid-request still leads to a retry. A success cancels the guard; a
//! failure moves it to the backoff after the attempt, until 3 days after the
//! event, when the delivery is `dead`.

use chrono::{DateTime, Duration, Utc};
use entities::{
    timers as timer_rows, webhook_attempts, webhook_deliveries, webhook_deliveries::DeliveryStatus, webhooks,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionSession,
    TransactionTrait, sea_query::Expr,
};
use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::platform::text::{Msg, Reader};
use crate::{
    access::actor::Actor,
    access::audit::{self, AuditContext},
    access::permissions::Scope,
    outbox::timers::{self, NewTimer},
    platform::error::DomainError,
    platform::page::{Page, PageRequest},
};

/// The timer kind of delivery attempts.
pub const TIMER_KIND: &str = "webhook_delivery";

/// How long a delivery is retried after its event.
pub const RETRY_WINDOW: Duration = Duration::days(3);
/// Longest pause between two attempts.
pub const MAX_BACKOFF_SECS: i64 = 6 * 3600;
/// Longest a receiver may take to answer.
pub const REQUEST_TIMEOUT_SECS: i64 = 10;
/// Most bytes of a receiver's answer kept in the delivery log.
pub const MAX_RESPONSE_BYTES: usize = 2048;

/// Pause after failed attempt `attempt` (1-based): `base × 2^(attempt-1)`, at most 6 hours.
pub fn backoff(base_secs: u64, attempt: i32) -> Duration {
    let exponent = u32::try_from(attempt.saturating_sub(1)).unwrap_or(0).min(20);
    let secs = i64::try_from(base_secs)
        .unwrap_or(MAX_BACKOFF_SECS)
        .saturating_mul(1i64 << exponent);
    Duration::seconds(secs.min(MAX_BACKOFF_SECS))
}

pub(crate) fn attempt_key(delivery: Uuid, attempt: i32) -> String {
    format!("{TIMER_KIND}:attempt:{delivery}:{attempt}")
}

/// Why an attempt failed, as a stable code; the sentence a person reads is
/// written from it in their language when read, with the technical cause
/// (a library's words) beside it as it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// Not sent: the URL is malformed or names a private address.
    NotSent,
    /// No connection could be made (name resolution, refused, TLS).
    NoConnection,
    /// No answer within the request timeout.
    Timeout,
    /// The answer began but could not be read to its end.
    AnswerUnreadable,
    /// The receiver answered with a status outside 2xx.
    Rejected,
    /// The subscription is inactive or deleted: not sent, and given up.
    Inactive,
}

impl Failure {
    pub const ALL: [Self; 6] = [
        Self::NotSent,
        Self::NoConnection,
        Self::Timeout,
        Self::AnswerUnreadable,
        Self::Rejected,
        Self::Inactive,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Self::NotSent => "not_sent",
            Self::NoConnection => "no_connection",
            Self::Timeout => "timeout",
            Self::AnswerUnreadable => "answer_unreadable",
            Self::Rejected => "rejected",
            Self::Inactive => "inactive",
        }
    }

    fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.code() == code)
    }

    /// The sentence for a person: the failure with its status or cause.
    fn message(self, status: Option<i32>, cause: Option<&str>) -> Msg {
        let cause = cause.unwrap_or_default().to_owned();
        match self {
            Self::NotSent => Msg::DeliveryNotSent { cause },
            Self::NoConnection => Msg::DeliveryNoConnection { cause },
            Self::Timeout => Msg::DeliveryTimeout {
                secs: REQUEST_TIMEOUT_SECS,
            },
            Self::AnswerUnreadable => Msg::DeliveryAnswerUnreadable { cause },
            Self::Rejected => Msg::DeliveryRejected {
                status: status.unwrap_or_default(),
            },
            Self::Inactive => Msg::DeliveryInactive,
        }
    }
}

/// A stored failure read by `reader`: its code, and the sentence (a failure
/// stored before codes were kept is shown as it was stored).
fn read_failure(
    code: Option<&str>,
    status: Option<i32>,
    cause: Option<String>,
    reader: &Reader,
) -> (Option<String>, Option<String>) {
    match code.and_then(Failure::from_code) {
        Some(failure) => (
            Some(failure.code().to_owned()),
            Some(failure.message(status, cause.as_deref()).render(reader)),
        ),
        None => (None, cause),
    }
}

/// One delivery as the API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct DeliveryView {
    pub id: Uuid,
    pub webhook_id: Uuid,
    pub event_id: Uuid,
    pub event: String,
    pub payload: Value,
    pub status: String,
    pub attempts: i32,
    pub last_status_code: Option<i32>,
    /// Why the last attempt failed, as a stable code.
    pub last_error_code: Option<String>,
    /// The same in a sentence, in the language of whoever it was read for.
    pub last_error: Option<String>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl DeliveryView {
    /// The delivery as `reader` reads it.
    pub fn read(m: webhook_deliveries::Model, reader: &Reader) -> Self {
        let (last_error_code, last_error) =
            read_failure(m.last_error_code.as_deref(), m.last_status_code, m.last_error, reader);
        Self {
            id: m.id,
            webhook_id: m.webhook_id,
            event_id: m.event_id,
            event: m.event,
            payload: m.payload,
            status: m.status.to_string(),
            attempts: m.attempts,
            last_status_code: m.last_status_code,
            last_error_code,
            last_error,
            next_attempt_at: m.next_attempt_at,
            delivered_at: m.delivered_at,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

/// One attempt of a delivery: what the receiver answered.
#[derive(Debug, Clone, Serialize)]
pub struct AttemptView {
    pub attempt: i32,
    pub attempted_at: DateTime<Utc>,
    pub status_code: Option<i32>,
    /// Why the attempt failed, as a stable code.
    pub error_code: Option<String>,
    /// The same in a sentence, in the reader's language.
    pub error: Option<String>,
    /// The start of the answer's body (at most 2 KB).
    pub response: Option<String>,
    pub duration_ms: i32,
}

impl AttemptView {
    /// The attempt as `reader` reads it.
    pub fn read(m: webhook_attempts::Model, reader: &Reader) -> Self {
        let (error_code, error) = read_failure(m.error_code.as_deref(), m.status_code, m.error, reader);
        Self {
            attempt: m.attempt,
            attempted_at: m.attempted_at,
            status_code: m.status_code,
            error_code,
            error,
            response: m.response,
            duration_ms: m.duration_ms,
        }
    }
}

/// A delivery with its log of attempts, oldest first.
#[derive(Debug, Clone, Serialize)]
pub struct DeliveryDetail {
    pub delivery: DeliveryView,
    pub attempts: Vec<AttemptView>,
}

/// The deliveries of a subscription in the caller's reach, optionally of one status.
pub async fn list_deliveries(
    db: &impl ConnectionTrait,
    actor: &Actor,
    scope: Scope,
    webhook_id: Uuid,
    status: Option<String>,
    page: PageRequest,
    reader: &Reader,
) -> Result<Page<DeliveryView>, DomainError> {
    let status = status
        .map(|s| crate::platform::input::variant::<DeliveryStatus>(&s, "/status"))
        .transpose()?;
    super::find(db, actor, scope, webhook_id).await?;
    let mut query = webhook_deliveries::Entity::find().filter(webhook_deliveries::Column::WebhookId.eq(webhook_id));
    if let Some(status) = status {
        query = query.filter(webhook_deliveries::Column::Status.eq(status));
    }
    Ok(page
        .fetch(db, query, webhook_deliveries::Column::Id, |d| d.id)
        .await?
        .map(|d| DeliveryView::read(d, reader)))
}

async fn find_delivery(
    db: &impl ConnectionTrait,
    actor: &Actor,
    scope: Scope,
    webhook_id: Uuid,
    id: Uuid,
) -> Result<webhook_deliveries::Model, DomainError> {
    super::find(db, actor, scope, webhook_id).await?;
    webhook_deliveries::Entity::find_by_id(id)
        .filter(webhook_deliveries::Column::WebhookId.eq(webhook_id))
        .one(db)
        .await?
        .ok_or(DomainError::NotFound(Msg::NounWebhookDelivery))
}

/// One delivery with its attempts.
pub async fn get_delivery(
    db: &impl ConnectionTrait,
    actor: &Actor,
    scope: Scope,
    webhook_id: Uuid,
    id: Uuid,
    reader: &Reader,
) -> Result<DeliveryDetail, DomainError> {
    let delivery = find_delivery(db, actor, scope, webhook_id, id).await?;
    let attempts = webhook_attempts::Entity::find()
        .filter(webhook_attempts::Column::DeliveryId.eq(id))
        .order_by_asc(webhook_attempts::Column::Attempt)
        .all(db)
        .await?;
    Ok(DeliveryDetail {
        delivery: DeliveryView::read(delivery, reader),
        attempts: attempts.into_iter().map(|a| AttemptView::read(a, reader)).collect(),
    })
}

/// Sends a delivery again now, whatever its status; it then retries as a new one would.
pub async fn redeliver(
    db: &impl TransactionTrait,
    ctx: &AuditContext,
    actor: &Actor,
    scope: Scope,
    webhook_id: Uuid,
    id: Uuid,
    reader: &Reader,
) -> Result<DeliveryView, DomainError> {
    let txn = crate::platform::db::begin_write(db).await?;
    let delivery = find_delivery(&txn, actor, scope, webhook_id, id).await?;
    let now = Utc::now();
    timers::schedule(
        &txn,
        NewTimer {
            kind: TIMER_KIND,
            phase: "attempt",
            dedupe_key: format!("{TIMER_KIND}:redeliver:{id}:{}", Uuid::now_v7()),
            subject_id: Some(id),
            customer_id: customer_of(&delivery.payload),
            due_at: now,
            policy_version: None,
        },
    )
    .await?;
    let mut active: webhook_deliveries::ActiveModel = delivery.into();
    active.status = Set(DeliveryStatus::Pending);
    active.next_attempt_at = Set(Some(now));
    active.updated_at = Set(now);
    let view = DeliveryView::read(active.update(&txn).await?, reader);
    let after = json!({"event_id": view.event_id, "event": view.event});
    audit::record(&txn, ctx, "redeliver", "webhook_delivery", id, None, Some(&after)).await?;
    txn.commit().await?;
    Ok(view)
}

pub(crate) fn customer_of(payload: &Value) -> Option<Uuid> {
    payload
        .get("customer_id")
        .and_then(Value::as_str)
        .and_then(|s| Uuid::parse_str(s).ok())
}

/// What the worker sends for one attempt.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub delivery_id: Uuid,
    /// 1-based number of this attempt.
    pub number: i32,
    pub event: String,
    pub url: String,
    pub secret: String,
    /// The JSON body: `{"id", "event", "created_at", "data"}`.
    pub body: String,
    pub started_at: DateTime<Utc>,
}

/// Claims the attempt timer `timer_id` and prepares the attempt: what
/// [`begin_attempts`] does for one.
pub async fn begin_attempt(
    db: &(impl ConnectionTrait + TransactionTrait),
    timer_id: Uuid,
    instance: &str,
    retry_base_secs: u64,
) -> Result<Option<Attempt>, DomainError> {
    Ok(begin_attempts(db, &[timer_id], instance, retry_base_secs)
        .await?
        .into_iter()
        .next())
}

/// Claims the attempt timers `timer_ids` still open and prepares their
/// attempts, in one transaction; nothing is sent for a timer that fired
/// already or whose delivery is gone, nor for a delivery whose
/// subscription is inactive or deleted (that is recorded, and the delivery
/// is `dead`). For each attempt the next one is scheduled as a guard, due
/// after the request's timeout and the backoff, unless that is beyond the
/// retry window. Two timers of one delivery in a batch (a redelivery beside
/// a retry) make one attempt.
pub async fn begin_attempts(
    db: &(impl ConnectionTrait + TransactionTrait),
    timer_ids: &[Uuid],
    instance: &str,
    retry_base_secs: u64,
) -> Result<Vec<Attempt>, DomainError> {
    let txn = crate::platform::db::begin_write(db).await?;
    let taken = timers::finish_many(&txn, timer_ids, instance, Some("attempted")).await?;
    let mut customers = std::collections::HashMap::new();
    for timer in &taken {
        if let Some(delivery) = timer.subject_id {
            customers.insert(delivery, timer.customer_id);
        }
    }
    if customers.is_empty() {
        txn.commit().await?;
        return Ok(Vec::new());
    }
    let deliveries = webhook_deliveries::Entity::update_many()
        .col_expr(
            webhook_deliveries::Column::Attempts,
            sea_orm::sea_query::ExprTrait::add(Expr::col(webhook_deliveries::Column::Attempts), 1),
        )
        .filter(webhook_deliveries::Column::Id.is_in(customers.keys().copied()))
        .exec_with_returning(&txn)
        .await?;
    let hooks: std::collections::HashMap<Uuid, webhooks::Model> = webhooks::Entity::find()
        .filter(webhooks::Column::Id.is_in(deliveries.iter().map(|d| d.webhook_id)))
        .filter(webhooks::Column::Active.eq(true))
        .all(&txn)
        .await?
        .into_iter()
        .map(|w| (w.id, w))
        .collect();
    let now = Utc::now();
    let (mut attempts, mut guards, mut given_up) = (Vec::new(), Vec::new(), Vec::new());
    for delivery in deliveries {
        let Some(webhook) = hooks.get(&delivery.webhook_id) else {
            given_up.push((delivery.id, delivery.attempts));
            continue;
        };
        let number = delivery.attempts;
        let guard_due = now + Duration::seconds(REQUEST_TIMEOUT_SECS) + backoff(retry_base_secs, number);
        if guard_due <= delivery.created_at + RETRY_WINDOW {
            guards.push(NewTimer {
                kind: TIMER_KIND,
                phase: "attempt",
                dedupe_key: attempt_key(delivery.id, number + 1),
                subject_id: Some(delivery.id),
                customer_id: customers.get(&delivery.id).copied().flatten(),
                due_at: guard_due,
                policy_version: None,
            });
        }
        let body = json!({"id": delivery.event_id, "event": delivery.event, "created_at": delivery.created_at,
                          "data": delivery.payload});
        attempts.push(Attempt {
            delivery_id: delivery.id,
            number,
            event: delivery.event,
            url: webhook.url.clone(),
            secret: webhook.secret.clone(),
            body: body.to_string(),
            started_at: now,
        });
    }
    if !given_up.is_empty() {
        let inactive = Outcome::failed(Failure::Inactive, None);
        let rows = given_up
            .iter()
            .map(|&(delivery, number)| attempt_row(delivery, number, now, &inactive))
            .collect();
        crate::platform::db::insert_all(&txn, rows).await?;
        settle(
            &txn,
            given_up.iter().map(|(id, _)| *id).collect(),
            &Settled::of(&inactive, DeliveryStatus::Dead, None, now),
        )
        .await?;
    }
    timers::schedule_many(&txn, guards).await?;
    txn.commit().await?;
    Ok(attempts)
}

/// What the receiver did with one attempt.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// The HTTP status, if an answer came.
    pub status_code: Option<i32>,
    /// Why the attempt failed, if it did.
    pub failure: Option<Failure>,
    /// The technical cause beside the failure (a library's words).
    pub error: Option<String>,
    /// The start of the answer's body.
    pub response: Option<String>,
    pub duration_ms: i32,
}

impl Outcome {
    /// An attempt that got no answer, for `failure` and its technical `cause`.
    pub fn failed(failure: Failure, cause: Option<String>) -> Self {
        Self {
            failure: Some(failure),
            error: cause,
            ..Self::default()
        }
    }

    pub fn succeeded(&self) -> bool {
        self.status_code.is_some_and(|c| (200..300).contains(&c))
    }
}

fn attempt_row(delivery_id: Uuid, number: i32, at: DateTime<Utc>, outcome: &Outcome) -> webhook_attempts::ActiveModel {
    webhook_attempts::ActiveModel {
        id: Set(Uuid::now_v7()),
        delivery_id: Set(delivery_id),
        attempt: Set(number),
        attempted_at: Set(at),
        status_code: Set(outcome.status_code),
        error_code: Set(outcome.failure.map(|f| f.code().to_owned())),
        error: Set(outcome.error.clone()),
        response: Set(outcome.response.as_deref().map(|r| truncate(r, MAX_RESPONSE_BYTES))),
        duration_ms: Set(outcome.duration_ms),
    }
}

/// What a delivery says after an attempt: every column an attempt sets.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Settled {
    status: DeliveryStatus,
    last_status_code: Option<i32>,
    last_error_code: Option<String>,
    last_error: Option<String>,
    next_attempt_at: Option<DateTime<Utc>>,
    delivered_at: Option<DateTime<Utc>>,
}

impl Settled {
    fn of(
        outcome: &Outcome,
        status: DeliveryStatus,
        next_attempt_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Self {
        Self {
            status,
            last_status_code: outcome.status_code,
            last_error_code: outcome.failure.map(|f| f.code().to_owned()),
            last_error: outcome.error.clone(),
            next_attempt_at,
            delivered_at: (status == DeliveryStatus::Succeeded).then_some(now),
        }
    }
}

/// Writes `settled` on the deliveries `ids` (a delivery's earlier success
/// time stays unless this attempt succeeded).
async fn settle(db: &impl ConnectionTrait, ids: Vec<Uuid>, settled: &Settled) -> Result<(), DomainError> {
    use webhook_deliveries::Column as C;
    let mut update = webhook_deliveries::Entity::update_many()
        .col_expr(C::Status, Expr::value(settled.status))
        .col_expr(C::LastStatusCode, Expr::value(settled.last_status_code))
        .col_expr(C::LastErrorCode, Expr::value(settled.last_error_code.clone()))
        .col_expr(C::LastError, Expr::value(settled.last_error.clone()))
        .col_expr(C::NextAttemptAt, Expr::value(settled.next_attempt_at))
        .col_expr(C::UpdatedAt, Expr::value(Utc::now()));
    if let Some(at) = settled.delivered_at {
        update = update.col_expr(C::DeliveredAt, Expr::value(at));
    }
    update.filter(C::Id.is_in(ids)).exec(db).await?;
    Ok(())
}

/// At most `max` bytes of `text`, cut at a character boundary.
fn truncate(text: &str, max: usize) -> String {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].to_owned()
}

/// Records the outcome of `attempt`: what [`record_attempts`] does for one.
pub async fn record_attempt(
    db: &impl TransactionTrait,
    attempt: &Attempt,
    outcome: Outcome,
    retry_base_secs: u64,
) -> Result<DeliveryStatus, DomainError> {
    let statuses = record_attempts(db, vec![(attempt, outcome)], retry_base_secs).await?;
    Ok(statuses.into_iter().next().unwrap_or(DeliveryStatus::Dead))
}

/// Records the outcomes of attempts in one transaction: their log rows,
/// the deliveries' statuses; on success the pending guard is cancelled, on
/// failure it is moved to the backoff after now (or, beyond the retry
/// window, the delivery is `dead`). Returns each delivery's status, in order.
pub async fn record_attempts(
    db: &impl TransactionTrait,
    outcomes: Vec<(&Attempt, Outcome)>,
    retry_base_secs: u64,
) -> Result<Vec<DeliveryStatus>, DomainError> {
    use std::collections::{HashMap, HashSet};
    if outcomes.is_empty() {
        return Ok(Vec::new());
    }
    let txn = crate::platform::db::begin_write(db).await?;
    let now = Utc::now();
    let rows = outcomes
        .iter()
        .map(|(attempt, outcome)| attempt_row(attempt.delivery_id, attempt.number, attempt.started_at, outcome))
        .collect();
    crate::platform::db::insert_all(&txn, rows).await?;
    let succeeded: Vec<Uuid> = outcomes
        .iter()
        .filter(|(_, outcome)| outcome.succeeded())
        .map(|(attempt, _)| attempt.delivery_id)
        .collect();
    timers::close_many(&txn, &succeeded, &[TIMER_KIND], timers::TimerState::Completed).await?;
    // A failed attempt's guard (the next attempt) moves to the backoff
    // after now, if it is still pending.
    let retries: Vec<Option<(String, DateTime<Utc>)>> = outcomes
        .iter()
        .map(|(attempt, outcome)| {
            (!outcome.succeeded()).then(|| {
                let guard = attempt_key(attempt.delivery_id, attempt.number + 1);
                (guard, now + backoff(retry_base_secs, attempt.number))
            })
        })
        .collect();
    let mut by_due: HashMap<DateTime<Utc>, Vec<String>> = HashMap::new();
    for (guard, due) in retries.iter().flatten() {
        by_due.entry(*due).or_default().push(guard.clone());
    }
    let mut moved = HashSet::new();
    for (due, guards) in by_due {
        let rows = timer_rows::Entity::update_many()
            .col_expr(timer_rows::Column::DueAt, Expr::value(due))
            .filter(timer_rows::Column::DedupeKey.is_in(guards))
            .filter(timer_rows::Column::State.eq(timers::TimerState::Pending))
            .exec_with_returning(&txn)
            .await?;
        moved.extend(rows.into_iter().map(|t| t.dedupe_key));
    }
    let mut groups: HashMap<Settled, Vec<Uuid>> = HashMap::new();
    let mut statuses = Vec::with_capacity(outcomes.len());
    for ((attempt, outcome), retry) in outcomes.iter().zip(&retries) {
        let settled = match retry {
            None => Settled::of(outcome, DeliveryStatus::Succeeded, None, now),
            Some((guard, due)) if moved.contains(guard) => {
                Settled::of(outcome, DeliveryStatus::Failed, Some(*due), now)
            }
            Some(_) => Settled::of(outcome, DeliveryStatus::Dead, None, now),
        };
        statuses.push(settled.status);
        groups.entry(settled).or_default().push(attempt.delivery_id);
    }
    for (settled, ids) in groups {
        settle(&txn, ids, &settled).await?;
    }
    txn.commit().await?;
    Ok(statuses)
}

/// Removes every delivery of a subscription with its attempts, and cancels
/// their pending attempts (the subscription is being deleted).
pub(super) async fn discard_all(txn: &impl ConnectionTrait, webhook: Uuid) -> Result<(), DomainError> {
    let deliveries: Vec<Uuid> = webhook_deliveries::Entity::find()
        .filter(webhook_deliveries::Column::WebhookId.eq(webhook))
        .all(txn)
        .await?
        .into_iter()
        .map(|d| d.id)
        .collect();
    for chunk in deliveries.chunks(500) {
        webhook_attempts::Entity::delete_many()
            .filter(webhook_attempts::Column::DeliveryId.is_in(chunk.iter().copied()))
            .exec(txn)
            .await?;
        timer_rows::Entity::update_many()
            .col_expr(timer_rows::Column::State, Expr::value(timers::TimerState::Cancelled))
            .filter(timer_rows::Column::Kind.eq(TIMER_KIND))
            .filter(timer_rows::Column::SubjectId.is_in(chunk.iter().copied()))
            .filter(timer_rows::Column::State.is_in(timers::OPEN))
            .exec(txn)
            .await?;
    }
    webhook_deliveries::Entity::delete_many()
        .filter(webhook_deliveries::Column::WebhookId.eq(webhook))
        .exec(txn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_the_base_up_to_six_hours() {
        let secs = |n| backoff(30, n).num_seconds();
        assert_eq!([secs(1), secs(2), secs(3), secs(4)], [30, 60, 120, 240]);
        assert_eq!(secs(10), 15_360);
        assert_eq!(secs(11), MAX_BACKOFF_SECS);
        assert_eq!(secs(500), MAX_BACKOFF_SECS);
        assert_eq!(backoff(1, 1).num_seconds(), 1);
    }

    #[test]
    fn responses_are_cut_at_a_character_boundary() {
        assert_eq!(truncate("héllo", 2), "h");
        assert_eq!(truncate("abc", 10), "abc");
    }
}
