//! Partner webhooks: subscriptions (which events go to which URL), the
//! destinations a delivery may reach, the signature, and the deliveries
//! with their attempts, sent and retried by the worker through durable
//! timers. Deliveries are created by [`super::events::emit`].

pub mod deliveries;
pub mod destinations;
pub mod signing;
pub mod subscriptions;

use entities::webhooks;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::platform::text::Msg;
use crate::{
    access::{actor::Actor, permissions::Scope},
    platform::error::DomainError,
};

/// Subscriptions within the caller's reach: a partner's own, or all for administrators.
pub(crate) fn reachable(actor: &Actor, scope: Scope) -> sea_orm::Select<webhooks::Entity> {
    webhooks::Entity::find().filter(actor.reach(scope, webhooks::Column::ClientId, None::<webhooks::Column>))
}

pub(crate) async fn find(
    db: &impl ConnectionTrait,
    actor: &Actor,
    scope: Scope,
    id: Uuid,
) -> Result<webhooks::Model, DomainError> {
    reachable(actor, scope)
        .filter(webhooks::Column::Id.eq(id))
        .one(db)
        .await?
        .ok_or(DomainError::NotFound(Msg::NounWebhook))
}
