//! Business events for partners (`customer.created`, `customer.assigned`,
//! `lead.sla_breached`, `deal.stage_changed`, `handover.completed`,
//! `visit.overdue`, `award.published`, …). Emitted in the transaction of the
//! change they report; each subscribed webhook gets a delivery, so an event
//! is never announced for a change that rolled back.

use chrono::Utc;
use entities::{webhook_deliveries, webhooks};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde_json::Value;
use uuid::Uuid;

use crate::{
    outbox::{
        timers::{self, NewTimer},
        webhooks::deliveries::{TIMER_KIND, attempt_key, customer_of},
    },
    platform::error::DomainError,
};

/// One event.
#[derive(Debug, Clone)]
pub struct Event {
    pub name: &'static str,
    /// The partner client the event is about (the one that pushed the lead);
    /// `None` for company-wide events, which go to every subscriber.
    pub client_id: Option<Uuid>,
    /// The record the event is about.
    pub subject_id: Option<Uuid>,
    pub payload: Value,
}

/// Records `event` for delivery: a delivery for every active subscription
/// to it — the partner's own (`event.client_id`), or every subscriber for
/// company-wide events. Runs in the caller's transaction; each delivery's
/// first attempt is a timer due now.
pub async fn emit(db: &impl ConnectionTrait, event: Event) -> Result<(), DomainError> {
    emit_many(db, vec![event]).await
}

/// Records many events at once (a batch of breaches): the active
/// subscriptions are read once, the deliveries and their first attempts
/// written in bulk.
pub async fn emit_many(db: &impl ConnectionTrait, events: Vec<Event>) -> Result<(), DomainError> {
    if events.is_empty() {
        return Ok(());
    }
    let mut query = webhooks::Entity::find().filter(webhooks::Column::Active.eq(true));
    // Company-wide events go to every subscriber; a partner's only to its own.
    if events.iter().all(|e| e.client_id.is_some()) {
        query = query.filter(webhooks::Column::ClientId.is_in(events.iter().filter_map(|e| e.client_id)));
    }
    let subscribers = query.all(db).await?;
    if subscribers.is_empty() {
        return Ok(());
    }
    let now = Utc::now();
    let mut deliveries = Vec::new();
    let mut attempts = Vec::new();
    for event in events {
        let event_id = Uuid::now_v7();
        let subscribed = subscribers.iter().filter(|w| {
            event.client_id.is_none_or(|client| w.client_id == client)
                && crate::platform::db::strings(&w.events).iter().any(|e| e == event.name)
        });
        for webhook in subscribed {
            let id = Uuid::now_v7();
            deliveries.push(webhook_deliveries::ActiveModel {
                id: Set(id),
                webhook_id: Set(webhook.id),
                client_id: Set(webhook.client_id),
                event_id: Set(event_id),
                event: Set(event.name.to_owned()),
                payload: Set(event.payload.clone()),
                status: Set(entities::webhook_deliveries::DeliveryStatus::Pending),
                attempts: Set(0),
                last_status_code: Set(None),
                last_error_code: Set(None),
                last_error: Set(None),
                next_attempt_at: Set(Some(now)),
                delivered_at: Set(None),
                created_at: Set(now),
                updated_at: Set(now),
            });
            attempts.push(NewTimer {
                kind: TIMER_KIND,
                phase: "attempt",
                dedupe_key: attempt_key(id, 1),
                subject_id: Some(id),
                customer_id: customer_of(&event.payload),
                due_at: now,
                policy_version: None,
            });
        }
    }
    crate::platform::db::insert_all(db, deliveries).await?;
    timers::schedule_many(db, attempts).await
}
