//! Partner webhooks: subscriptions, and one delivery per event and
//! subscription, sent and retried by the worker. (Deliveries are not
//! recorded yet.)

use crate::{error::DomainError, events::Event};

/// Creates a delivery of `event` for every active subscription to it.
pub async fn enqueue(_db: &impl sea_orm::ConnectionTrait, _event: &Event) -> Result<(), DomainError> {
    Ok(())
}
