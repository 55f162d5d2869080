//! Business events for partners (`customer.created`, `customer.assigned`,
//! `lead.sla_breached`, `deal.stage_changed`, `handover.completed`,
//! `visit.overdue`, `award.published`, …). Emitted in the transaction of the
//! change they report; each subscribed webhook gets a delivery, so an event
//! is never announced for a change that rolled back.

use serde_json::Value;
use uuid::Uuid;

use crate::platform::error::DomainError;

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

/// Records `event` for delivery to its subscribers.
pub async fn emit(db: &impl sea_orm::ConnectionTrait, event: Event) -> Result<(), DomainError> {
    crate::outbox::webhooks::enqueue(db, &event).await
}
