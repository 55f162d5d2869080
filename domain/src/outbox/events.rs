//! Business events for partners (`customer.created`, `customer.assigned`,
//! `lead.sla_breached`, `deal.stage_changed`, `handover.completed`,
//! `visit.overdue`, `award.published`, …). Emitted in the transaction of the
//! change they report; each subscribed webhook gets a delivery, so an event
//! is never announced for a change that rolled back.

use chrono::Utc;
use entities::{webhook_deliveries, webhooks};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
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
    let mut query = webhooks::Entity::find().filter(webhooks::Column::Active.eq(true));
    if let Some(client) = event.client_id {
        query = query.filter(webhooks::Column::ClientId.eq(client));
    }
    let subscribers = query.all(db).await?;
    let event_id = Uuid::now_v7();
    let now = Utc::now();
    for webhook in subscribers
        .into_iter()
        .filter(|w| crate::platform::db::strings(&w.events).iter().any(|e| e == event.name))
    {
        let delivery = webhook_deliveries::ActiveModel {
            id: Set(Uuid::now_v7()),
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
