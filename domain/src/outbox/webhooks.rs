//! Partner webhooks: subscriptions, and one delivery per event and
//! subscription, sent and retried by the worker through durable timers.
//! A delivery is created in the transaction of the change it reports; each
//! attempt claims its timer and, in the same transaction, schedules the next
//! one as a guard, so a worker dying mid-request still leads to a retry. A
//! success cancels the guard; a failure moves it to the backoff after the
//! attempt, until 3 days after the event, when the delivery is `dead`.

use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};
use entities::{
    timers as timer_rows, webhook_attempts, webhook_deliveries, webhook_deliveries::DeliveryStatus, webhooks,
};
use hmac::{Hmac, Mac};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionSession,
    TransactionTrait, sea_query::Expr,
};
use serde::Serialize;
use serde_json::{Value, json};
use sha2::Sha256;
use uuid::Uuid;

use crate::{
    access::actor::Actor,
    access::audit::{self, AuditContext},
    access::permissions::Scope,
    outbox::events::Event,
    outbox::timers::{self, NewTimer},
    platform::error::{DomainError, FieldError},
    platform::page::{Page, PageRequest},
    platform::version,
};

/// Every event a partner may subscribe to.
pub const EVENTS: &[&str] = &[
    "customer.created",
    "customer.assigned",
    "lead.sla_breached",
    "deal.stage_changed",
    "handover.completed",
    "visit.overdue",
    "award.published",
];

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
/// Longest URL accepted.
pub const MAX_URL_LEN: usize = 2000;

/// A subscription as the API shows it: never with its secret.
#[derive(Debug, Clone, Serialize)]
pub struct WebhookView {
    pub id: Uuid,
    pub client_id: Uuid,
    pub url: String,
    pub events: Vec<String>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<webhooks::Model> for WebhookView {
    fn from(m: webhooks::Model) -> Self {
        Self {
            id: m.id,
            client_id: m.client_id,
            url: m.url,
            events: events_of(&m.events),
            active: m.active,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

fn events_of(value: &Value) -> Vec<String> {
    crate::access::api_clients::scopes_of(value)
}

fn audit_json(view: &WebhookView) -> Value {
    json!({"client_id": view.client_id, "url": view.url, "events": view.events, "active": view.active})
}

/// Which receivers deliveries may reach.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Destinations {
    /// Public internet addresses only (the default): never loopback,
    /// private, link-local (cloud metadata), shared or other special-purpose
    /// addresses, so a subscription cannot make the service call inside its
    /// own network.
    #[default]
    Public,
    /// Any address: development, or receivers inside a private network
    /// (`ESTATEFLOW_WEBHOOK_ALLOW_PRIVATE_NETWORKS=true`).
    Any,
}

impl Destinations {
    pub fn of(settings: &crate::Settings) -> Self {
        if settings.webhook_allow_private_networks {
            Self::Any
        } else {
            Self::Public
        }
    }

    /// Whether a receiver at `ip` may be called.
    pub fn permits(self, ip: IpAddr) -> bool {
        self == Self::Any || is_public(ip)
    }

    /// Why `url`'s host may not be called, judged by its name or literal
    /// address; names are resolved and judged again when a delivery is sent.
    pub fn refuses(self, url: &url::Url) -> Option<String> {
        if self == Self::Any {
            return None;
        }
        let private = match url.host()? {
            url::Host::Ipv4(ip) => !is_public(IpAddr::V4(ip)),
            url::Host::Ipv6(ip) => !is_public(IpAddr::V6(ip)),
            url::Host::Domain(name) => {
                let name = name.trim_end_matches('.').to_ascii_lowercase();
                name == "localhost" || name.ends_with(".localhost")
            }
        };
        private.then(|| PRIVATE_DESTINATION.to_owned())
    }
}

/// Why a receiver on a private or special-purpose address is refused.
pub const PRIVATE_DESTINATION: &str = "points to a private or special-purpose address; receivers must be on \
     the public internet unless ESTATEFLOW_WEBHOOK_ALLOW_PRIVATE_NETWORKS is set";

/// Whether `ip` is an ordinary public internet address.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, _] = v4.octets();
            let special = v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.is_unspecified()
                || v4.is_multicast()
                || a == 0
                || (a == 100 && (64..128).contains(&b)) // shared address space, RFC 6598
                || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
                || (a == 198 && (b == 18 || b == 19)) // benchmarking
                || a >= 240; // reserved
            !special
        }
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public(IpAddr::V4(v4)),
            None => {
                let [first, second, ..] = v6.segments();
                let special = v6.is_loopback()
                    || v6.is_unspecified()
                    || v6.is_multicast()
                    || v6.is_unique_local()
                    || v6.is_unicast_link_local()
                    || (first == 0x2001 && second == 0x0db8) // documentation
                    || (first == 0x0064 && second == 0xff9b); // NAT64, may lead anywhere
                !special
            }
        },
    }
}

/// A new subscription or a change to one; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct WebhookInput {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    pub active: Option<bool>,
    /// The partner the subscription is for: administrators only, required for them.
    pub client_id: Option<Uuid>,
    /// Where the deployment lets the URL point.
    pub destinations: Destinations,
}

fn check(input: &WebhookInput, creating: bool) -> Vec<FieldError> {
    let mut errors = Vec::new();
    match &input.url {
        Some(url) => {
            if let Err(detail) = check_url(url, input.destinations) {
                errors.push(FieldError::new("/url", detail));
            }
        }
        None if creating => errors.push(FieldError::new("/url", "is required")),
        None => {}
    }
    match &input.events {
        Some(events) if events.is_empty() => errors.push(FieldError::new("/events", "name at least one event")),
        Some(events) => {
            for (i, event) in events.iter().enumerate() {
                if !EVENTS.contains(&event.as_str()) {
                    errors.push(FieldError::new(
                        format!("/events/{i}"),
                        format!("unknown event {event:?}: use one of {}", EVENTS.join(", ")),
                    ));
                }
            }
        }
        None if creating => errors.push(FieldError::new("/events", "is required")),
        None => {}
    }
    errors
}

/// An absolute http(s) URL with a host the destinations permit, no
/// credentials, at most 2000 characters.
fn check_url(raw: &str, destinations: Destinations) -> Result<(), String> {
    if raw.len() > MAX_URL_LEN {
        return Err(format!("must be at most {MAX_URL_LEN} characters"));
    }
    let url = url::Url::parse(raw).map_err(|e| format!("is not a URL: {e}"))?;
    if url.scheme() != "http" && url.scheme() != "https" {
        return Err("must be an http or https URL".to_owned());
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err("must name a host".to_owned());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not carry credentials; verify the signature instead".to_owned());
    }
    destinations.refuses(&url).map_or(Ok(()), Err)
}

/// A new signing secret: `whsec_` and 32 random bytes in hex.
fn new_secret() -> String {
    let bytes: [u8; 32] = rand::random();
    format!("whsec_{}", hex(&bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `X-EstateFlow-Signature` of `body` sent at `timestamp` (Unix seconds):
/// `t=<timestamp>,v1=<hex HMAC-SHA256 of "<timestamp>.<body>" keyed with the secret>`.
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => return format!("t={timestamp},v1="),
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    format!("t={timestamp},v1={}", hex(&mac.finalize().into_bytes()))
}

/// Pause after failed attempt `attempt` (1-based): `base × 2^(attempt-1)`, at most 6 hours.
pub fn backoff(base_secs: u64, attempt: i32) -> Duration {
    let exponent = u32::try_from(attempt.saturating_sub(1)).unwrap_or(0).min(20);
    let secs = i64::try_from(base_secs)
        .unwrap_or(MAX_BACKOFF_SECS)
        .saturating_mul(1i64 << exponent);
    Duration::seconds(secs.min(MAX_BACKOFF_SECS))
}

fn attempt_key(delivery: Uuid, attempt: i32) -> String {
    format!("{TIMER_KIND}:attempt:{delivery}:{attempt}")
}

/// Subscriptions within the caller's reach: a partner's own, or all for administrators.
fn reachable(actor: &Actor, scope: Scope) -> sea_orm::Select<webhooks::Entity> {
    webhooks::Entity::find().filter(actor.reach(scope, webhooks::Column::ClientId, None::<webhooks::Column>))
}

async fn find(
    db: &impl ConnectionTrait,
    actor: &Actor,
    scope: Scope,
    id: Uuid,
) -> Result<webhooks::Model, DomainError> {
    reachable(actor, scope)
        .filter(webhooks::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("webhook"))
}

/// Subscribes a partner; returns the subscription and its signing secret (shown only now).
pub async fn create(
    db: &impl TransactionTrait,
    ctx: &AuditContext,
    actor: &Actor,
    scope: Scope,
    input: WebhookInput,
) -> Result<(WebhookView, String), DomainError> {
    let mut errors = check(&input, true);
    let client_id = match (scope, input.client_id, actor.client_id()) {
        (Scope::All, Some(client), _) => Some(client),
        (Scope::All, None, Some(own)) => Some(own),
        (Scope::All, None, None) => {
            errors.push(FieldError::new("/client_id", "name the API client to subscribe"));
            None
        }
        (_, Some(client), _) if Some(client) != actor.client_id() => {
            errors.push(FieldError::new("/client_id", "a partner subscribes only itself"));
            None
        }
        (_, _, own) => own,
    };
    let txn = crate::platform::db::begin_write(db).await?;
    if let Some(client) = client_id
        && entities::api_clients::Entity::find_by_id(client)
            .one(&txn)
            .await?
            .is_none()
    {
        errors.push(FieldError::new("/client_id", "no such API client"));
    }
    let Some(client_id) = client_id.filter(|_| errors.is_empty()) else {
        if errors.is_empty() {
            errors.push(FieldError::new("/client_id", "only API clients have subscriptions"));
        }
        return Err(DomainError::Validation(errors));
    };
    let secret = new_secret();
    let now = Utc::now();
    let row = webhooks::ActiveModel {
        id: Set(Uuid::now_v7()),
        client_id: Set(client_id),
        url: Set(input.url.unwrap_or_default()),
        events: Set(json!(dedup(input.events.unwrap_or_default()))),
        secret: Set(secret.clone()),
        active: Set(input.active.unwrap_or(true)),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let view = WebhookView::from(row);
    audit::record(&txn, ctx, "create", "webhook", view.id, None, Some(&audit_json(&view))).await?;
    txn.commit().await?;
    Ok((view, secret))
}

fn dedup(mut events: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    events.retain(|e| seen.insert(e.clone()));
    events
}

/// Subscriptions within the caller's reach, a page at a time.
pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    scope: Scope,
    page: PageRequest,
) -> Result<Page<WebhookView>, DomainError> {
    let query = reachable(actor, scope);
    Ok(page
        .fetch(db, query, webhooks::Column::Id, |w| w.id)
        .await?
        .map(WebhookView::from))
}

pub async fn get(db: &impl ConnectionTrait, actor: &Actor, scope: Scope, id: Uuid) -> Result<WebhookView, DomainError> {
    find(db, actor, scope, id).await.map(WebhookView::from)
}

/// Changes a subscription's URL, events or `active`; with `if_match`, only if it still has that ETag.
pub async fn update(
    db: &impl TransactionTrait,
    ctx: &AuditContext,
    actor: &Actor,
    scope: Scope,
    id: Uuid,
    input: WebhookInput,
    if_match: Option<&str>,
) -> Result<WebhookView, DomainError> {
    let mut errors = check(&input, false);
    if input.client_id.is_some() {
        errors.push(FieldError::new(
            "/client_id",
            "a subscription cannot move to another client",
        ));
    }
    if !errors.is_empty() {
        return Err(DomainError::Validation(errors));
    }
    let txn = crate::platform::db::begin_write(db).await?;
    let row = find(&txn, actor, scope, id).await?;
    let before = WebhookView::from(row.clone());
    version::check_if_match(if_match, &version::etag_of(&before))?;
    let mut active: webhooks::ActiveModel = row.into();
    if let Some(url) = input.url {
        active.url = Set(url);
    }
    if let Some(events) = input.events {
        active.events = Set(json!(dedup(events)));
    }
    if let Some(on) = input.active {
        active.active = Set(on);
    }
    active.updated_at = Set(Utc::now());
    let after = WebhookView::from(active.update(&txn).await?);
    let (old, new) = (audit_json(&before), audit_json(&after));
    audit::record(&txn, ctx, "update", "webhook", id, Some(&old), Some(&new)).await?;
    txn.commit().await?;
    Ok(after)
}

/// Deletes a subscription with its deliveries and their log; pending attempts then find nothing to send.
pub async fn delete(
    db: &impl TransactionTrait,
    ctx: &AuditContext,
    actor: &Actor,
    scope: Scope,
    id: Uuid,
) -> Result<(), DomainError> {
    let txn = crate::platform::db::begin_write(db).await?;
    let row = find(&txn, actor, scope, id).await?;
    let before = WebhookView::from(row);
    let deliveries: Vec<Uuid> = webhook_deliveries::Entity::find()
        .filter(webhook_deliveries::Column::WebhookId.eq(id))
        .all(&txn)
        .await?
        .into_iter()
        .map(|d| d.id)
        .collect();
    for chunk in deliveries.chunks(500) {
        webhook_attempts::Entity::delete_many()
            .filter(webhook_attempts::Column::DeliveryId.is_in(chunk.iter().copied()))
            .exec(&txn)
            .await?;
        timer_rows::Entity::update_many()
            .col_expr(timer_rows::Column::State, Expr::value(timers::CANCELLED))
            .filter(timer_rows::Column::Kind.eq(TIMER_KIND))
            .filter(timer_rows::Column::SubjectId.is_in(chunk.iter().copied()))
            .filter(timer_rows::Column::State.is_in([timers::PENDING, timers::QUEUED]))
            .exec(&txn)
            .await?;
    }
    webhook_deliveries::Entity::delete_many()
        .filter(webhook_deliveries::Column::WebhookId.eq(id))
        .exec(&txn)
        .await?;
    webhooks::Entity::delete_by_id(id).exec(&txn).await?;
    audit::record(&txn, ctx, "delete", "webhook", id, Some(&audit_json(&before)), None).await?;
    txn.commit().await?;
    Ok(())
}

/// Replaces the signing secret; deliveries sent from now on use the new one.
pub async fn rotate_secret(
    db: &impl TransactionTrait,
    ctx: &AuditContext,
    actor: &Actor,
    scope: Scope,
    id: Uuid,
) -> Result<(WebhookView, String), DomainError> {
    let txn = crate::platform::db::begin_write(db).await?;
    let row = find(&txn, actor, scope, id).await?;
    let secret = new_secret();
    let mut active: webhooks::ActiveModel = row.into();
    active.secret = Set(secret.clone());
    active.updated_at = Set(Utc::now());
    let view = WebhookView::from(active.update(&txn).await?);
    let marker = json!({"secret": "rotated"});
    audit::record(&txn, ctx, "rotate_secret", "webhook", id, None, Some(&marker)).await?;
    txn.commit().await?;
    Ok((view, secret))
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
    pub last_error: Option<String>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<webhook_deliveries::Model> for DeliveryView {
    fn from(m: webhook_deliveries::Model) -> Self {
        Self {
            id: m.id,
            webhook_id: m.webhook_id,
            event_id: m.event_id,
            event: m.event,
            payload: m.payload,
            status: m.status.to_string(),
            attempts: m.attempts,
            last_status_code: m.last_status_code,
            last_error: m.last_error,
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
    pub error: Option<String>,
    /// The start of the answer's body (at most 2 KB).
    pub response: Option<String>,
    pub duration_ms: i32,
}

impl From<webhook_attempts::Model> for AttemptView {
    fn from(m: webhook_attempts::Model) -> Self {
        Self {
            attempt: m.attempt,
            attempted_at: m.attempted_at,
            status_code: m.status_code,
            error: m.error,
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
) -> Result<Page<DeliveryView>, DomainError> {
    let status = status
        .map(|s| crate::platform::input::variant::<DeliveryStatus>(&s, "/status"))
        .transpose()
        .map_err(|rule| DomainError::Validation(vec![rule]))?;
    find(db, actor, scope, webhook_id).await?;
    let mut query = webhook_deliveries::Entity::find().filter(webhook_deliveries::Column::WebhookId.eq(webhook_id));
    if let Some(status) = status {
        query = query.filter(webhook_deliveries::Column::Status.eq(status));
    }
    Ok(page
        .fetch(db, query, webhook_deliveries::Column::Id, |d| d.id)
        .await?
        .map(DeliveryView::from))
}

async fn find_delivery(
    db: &impl ConnectionTrait,
    actor: &Actor,
    scope: Scope,
    webhook_id: Uuid,
    id: Uuid,
) -> Result<webhook_deliveries::Model, DomainError> {
    find(db, actor, scope, webhook_id).await?;
    webhook_deliveries::Entity::find_by_id(id)
        .filter(webhook_deliveries::Column::WebhookId.eq(webhook_id))
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("webhook delivery"))
}

/// One delivery with its attempts.
pub async fn get_delivery(
    db: &impl ConnectionTrait,
    actor: &Actor,
    scope: Scope,
    webhook_id: Uuid,
    id: Uuid,
) -> Result<DeliveryDetail, DomainError> {
    let delivery = find_delivery(db, actor, scope, webhook_id, id).await?;
    let attempts = webhook_attempts::Entity::find()
        .filter(webhook_attempts::Column::DeliveryId.eq(id))
        .order_by_asc(webhook_attempts::Column::Attempt)
        .all(db)
        .await?;
    Ok(DeliveryDetail {
        delivery: delivery.into(),
        attempts: attempts.into_iter().map(AttemptView::from).collect(),
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
    let view = DeliveryView::from(active.update(&txn).await?);
    let after = json!({"event_id": view.event_id, "event": view.event});
    audit::record(&txn, ctx, "redeliver", "webhook_delivery", id, None, Some(&after)).await?;
    txn.commit().await?;
    Ok(view)
}

fn customer_of(payload: &Value) -> Option<Uuid> {
    payload
        .get("customer_id")
        .and_then(Value::as_str)
        .and_then(|s| Uuid::parse_str(s).ok())
}

/// Creates a delivery of `event` for every active subscription to it: the
/// partner's own (`event.client_id`), or every subscriber for company-wide
/// events. Runs in the caller's transaction; each delivery's first attempt
/// is a timer due now.
pub async fn enqueue(db: &impl ConnectionTrait, event: &Event) -> Result<(), DomainError> {
    let mut query = webhooks::Entity::find().filter(webhooks::Column::Active.eq(true));
    if let Some(client) = event.client_id {
        query = query.filter(webhooks::Column::ClientId.eq(client));
    }
    let subscribers = query.all(db).await?;
    let event_id = Uuid::now_v7();
    let now = Utc::now();
    for webhook in subscribers
        .into_iter()
        .filter(|w| events_of(&w.events).iter().any(|e| e == event.name))
    {
        let delivery = webhook_deliveries::ActiveModel {
            id: Set(Uuid::now_v7()),
            webhook_id: Set(webhook.id),
            client_id: Set(webhook.client_id),
            event_id: Set(event_id),
            event: Set(event.name.to_owned()),
            payload: Set(event.payload.clone()),
            status: Set(DeliveryStatus::Pending),
            attempts: Set(0),
            last_status_code: Set(None),
            last_error: Set(None),
            next_attempt_at: Set(Some(now)),
            delivered_at: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(db)
        .await?;
        timers::schedule(
            db,
            NewTimer {
                kind: TIMER_KIND,
                phase: "attempt",
                dedupe_key: attempt_key(delivery.id, 1),
                subject_id: Some(delivery.id),
                customer_id: customer_of(&event.payload),
                due_at: now,
                policy_version: None,
            },
        )
        .await?;
    }
    Ok(())
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
        let outcome = Outcome {
            status_code: None,
            error: Some("the subscription is inactive or deleted".to_owned()),
            response: None,
            duration_ms: 0,
        };
        insert_attempt(&txn, delivery_id, number, now, &outcome).await?;
        let mut active: webhook_deliveries::ActiveModel = delivery.into();
        active.status = Set(DeliveryStatus::Dead);
        active.last_status_code = Set(None);
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
    /// Why the attempt failed without an answer (connection, timeout).
    pub error: Option<String>,
    /// The start of the answer's body.
    pub response: Option<String>,
    pub duration_ms: i32,
}

impl Outcome {
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
    active.last_error = Set(outcome.error.clone());
    active.updated_at = Set(now);
    let status = if outcome.succeeded() {
        timers::close(&txn, attempt.delivery_id, &[TIMER_KIND], timers::COMPLETED).await?;
        active.delivered_at = Set(Some(now));
        active.next_attempt_at = Set(None);
        DeliveryStatus::Succeeded
    } else {
        let due = now + backoff(retry_base_secs, attempt.number);
        let moved = timer_rows::Entity::update_many()
            .col_expr(timer_rows::Column::DueAt, Expr::value(due))
            .filter(timer_rows::Column::DedupeKey.eq(guard))
            .filter(timer_rows::Column::State.eq(timers::PENDING))
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
    fn the_signature_is_hmac_sha256_of_timestamp_dot_body() {
        // Computed with: printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac whsec_test
        assert_eq!(
            signature("whsec_test", 1_700_000_000, br#"{"a":1}"#),
            "t=1700000000,v1=38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789"
        );
    }

    #[test]
    fn urls_must_be_absolute_http_without_credentials() {
        assert!(check_url("https://partner.example.com/hooks", Destinations::Public).is_ok());
        assert!(check_url("http://127.0.0.1:8081/hook", Destinations::Any).is_ok());
        for bad in [
            "ftp://x.example/",
            "not a url",
            "https://user:pw@x.example/",
            "/relative",
        ] {
            assert!(check_url(bad, Destinations::Any).is_err(), "{bad}");
        }
        let long = format!("https://x.example/{}", "a".repeat(MAX_URL_LEN));
        assert!(check_url(&long, Destinations::Any).is_err());
    }

    #[test]
    fn public_destinations_refuse_private_and_special_addresses() {
        for private in [
            "http://127.0.0.1:8081/hook",
            "http://10.1.2.3/",
            "http://172.16.0.1/",
            "http://192.168.1.1/",
            "http://169.254.169.254/latest/meta-data",
            "http://100.64.0.1/",
            "http://0.0.0.0/",
            "http://[::1]/",
            "http://[fd00::1]/",
            "http://[fe80::1]/",
            "http://[::ffff:10.0.0.1]/",
            "http://localhost:8080/",
            "http://api.localhost/",
        ] {
            assert_eq!(
                check_url(private, Destinations::Public),
                Err(PRIVATE_DESTINATION.to_owned()),
                "{private}"
            );
            assert!(check_url(private, Destinations::Any).is_ok(), "{private}");
        }
        for public in [
            "https://203.0.114.7/",
            "https://[2606:4700::1111]/",
            "https://partner.example.com/",
        ] {
            assert!(check_url(public, Destinations::Public).is_ok(), "{public}");
        }
        assert!(is_public("8.8.8.8".parse().expect("ip")));
        assert!(!is_public("198.18.0.1".parse().expect("ip")));
        assert!(!is_public("64:ff9b::a00:1".parse().expect("ip")));
    }

    #[test]
    fn unknown_events_and_missing_fields_are_rejected() {
        let errors = check(
            &WebhookInput {
                url: Some("https://x.example/".into()),
                events: Some(vec!["customer.created".into(), "customer.exploded".into()]),
                ..Default::default()
            },
            true,
        );
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].pointer, "/events/1");
        assert_eq!(check(&WebhookInput::default(), true).len(), 2);
        assert!(check(&WebhookInput::default(), false).is_empty());
    }

    #[test]
    fn responses_are_cut_at_a_character_boundary() {
        assert_eq!(truncate("héllo", 2), "h");
        assert_eq!(truncate("abc", 10), "abc");
    }
}
