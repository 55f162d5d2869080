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

/// Claims the attempt timer `timer_id` and prepares the attempt, or `None`
/// when there is nothing to send (the timer fired already, the delivery is
/// gone, the subscription is inactive or deleted: the last two are
/// recorded and the delivery is `dead`). In the same transaction the next
/// attempt is scheduled as a guard, due after the request's timeout and the
/// backoff, unless that is beyond the retry window.
pub async fn begin_attempt(
    db: &(impl ConnectionTrait + TransactionTrait),
    timer_id: Uuid,
    instance: &str,
    retry_base_secs: u64,
) -> Result<Option<Attempt>, DomainError> {
    let Some(timer) = timers::get(db, timer_id).await? else {
        return Ok(None);
    };
    let Some(delivery_id) = timer.subject_id else {
        return Ok(None);
    };
    let txn = crate::platform::db::begin_write(db).await?;
    if !timers::finish(&txn, timer_id, instance, "attempted").await? {
        return Ok(None);
    }
    webhook_deliveries::Entity::update_many()
        .col_expr(
            webhook_deliveries::Column::Attempts,
            sea_orm::sea_query::ExprTrait::add(Expr::col(webhook_deliveries::Column::Attempts), 1),
        )
        .filter(webhook_deliveries::Column::Id.eq(delivery_id))
        .exec(&txn)
        .await?;
    let Some(delivery) = webhook_deliveries::Entity::find_by_id(delivery_id).one(&txn).await? else {
        tracing::warn!(delivery = %delivery_id, "webhook delivery is gone");
        txn.commit().await?;
        return Ok(None);
    };
    let now = Utc::now();
    let number = delivery.attempts;
    let webhook = webhooks::Entity::find_by_id(delivery.webhook_id).one(&txn).await?;
    let Some(webhook) = webhook.filter(|w| w.active) else {
        let outcome = Outcome::failed(Failure::Inactive, None);
        insert_attempt(&txn, delivery_id, number, now, &outcome).await?;
        let mut active: webhook_deliveries::ActiveModel = delivery.into();
        active.status = Set(DeliveryStatus::Dead);
        active.last_status_code = Set(None);
        active.last_error_code = Set(outcome.failure.map(|f| f.code().to_owned()));
        active.last_error = Set(outcome.error);
        active.next_attempt_at = Set(None);
        active.updated_at = Set(now);
        active.update(&txn).await?;
        txn.commit().await?;
        return Ok(None);
    };
    let guard_due = now + Duration::seconds(REQUEST_TIMEOUT_SECS) + backoff(retry_base_secs, number);
    if guard_due <= delivery.created_at + RETRY_WINDOW {
        timers::schedule(
            &txn,
            NewTimer {
                kind: TIMER_KIND,
                phase: "attempt",
                dedupe_key: attempt_key(delivery_id, number + 1),
                subject_id: Some(delivery_id),
                customer_id: timer.customer_id,
                due_at: guard_due,
                policy_version: None,
            },
        )
        .await?;
    }
    let body = json!({"id": delivery.event_id, "event": delivery.event, "created_at": delivery.created_at,
                      "data": delivery.payload});
    txn.commit().await?;
    Ok(Some(Attempt {
        delivery_id,
        number,
        event: delivery.event,
        url: webhook.url,
        secret: webhook.secret,
        body: body.to_string(),
        started_at: now,
    }))
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

async fn insert_attempt(
    db: &impl ConnectionTrait,
    delivery_id: Uuid,
    number: i32,
    at: DateTime<Utc>,
    outcome: &Outcome,
) -> Result<(), DomainError> {
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
    .insert(db)
    .await?;
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

/// Records the outcome of `attempt` in one transaction: its log row, the
/// delivery's status; on success the pending guard is cancelled, on failure
/// it is moved to the backoff after now (or, beyond the retry window, the
/// delivery is `dead`).
pub async fn record_attempt(
    db: &impl TransactionTrait,
    attempt: &Attempt,
    outcome: Outcome,
    retry_base_secs: u64,
) -> Result<DeliveryStatus, DomainError> {
    let txn = crate::platform::db::begin_write(db).await?;
    let now = Utc::now();
    insert_attempt(&txn, attempt.delivery_id, attempt.number, attempt.started_at, &outcome).await?;
    let Some(delivery) = webhook_deliveries::Entity::find_by_id(attempt.delivery_id)
        .one(&txn)
        .await?
    else {
        txn.commit().await?;
        return Ok(DeliveryStatus::Dead);
    };
    let guard = attempt_key(attempt.delivery_id, attempt.number + 1);
    let mut active: webhook_deliveries::ActiveModel = delivery.into();
    active.last_status_code = Set(outcome.status_code);
    active.last_error_code = Set(outcome.failure.map(|f| f.code().to_owned()));
    active.last_error = Set(outcome.error.clone());
    active.updated_at = Set(now);
    let status = if outcome.succeeded() {
        timers::close(&txn, attempt.delivery_id, &[TIMER_KIND], timers::TimerState::Completed).await?;
        active.delivered_at = Set(Some(now));
        active.next_attempt_at = Set(None);
        DeliveryStatus::Succeeded
    } else {
        let due = now + backoff(retry_base_secs, attempt.number);
        let moved = timer_rows::Entity::update_many()
            .col_expr(timer_rows::Column::DueAt, Expr::value(due))
            .filter(timer_rows::Column::DedupeKey.eq(guard))
            .filter(timer_rows::Column::State.eq(timers::TimerState::Pending))
            .exec(&txn)
            .await?
            .rows_affected;
        if moved == 1 {
            active.next_attempt_at = Set(Some(due));
            DeliveryStatus::Failed
        } else {
            active.next_attempt_at = Set(None);
            DeliveryStatus::Dead
        }
    };
    active.status = Set(status);
    active.update(&txn).await?;
    txn.commit().await?;
    Ok(status)
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
