//! The customer timeline: one entry for every event on a customer
//! (created, assigned, follow-ups, needs, deal stages, after-sales,
//! complaints, merges), written in the same transaction as the change it
//! records, and read back in the order things happened.

use chrono::{DateTime, Utc};
use entities::timeline_entries;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionSession,
};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::{
    access::actor::Actor,
    access::audit::{self, AuditContext},
    platform::error::DomainError,
};

/// What happened, stored and named as `entities` spells it.
pub use entities::timeline_entries::TimelineKind as Kind;

/// One entry of a customer's timeline.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub id: Uuid,
    pub kind: String,
    pub occurred_at: DateTime<Utc>,
    pub actor_user_id: Option<Uuid>,
    pub actor_client_id: Option<Uuid>,
    /// The record the event is about (a follow-up, a deal, a complaint, …).
    pub subject_id: Option<Uuid>,
    pub data: Value,
}

/// What happened to a customer, to be recorded.
#[derive(Debug, Clone)]
pub struct Event {
    pub customer_id: Uuid,
    pub kind: Kind,
    pub occurred_at: DateTime<Utc>,
    pub subject_id: Option<Uuid>,
    pub data: Value,
}

/// The entry recording `event`, done by `actor` (`None` for the system
/// itself), to be inserted (one by one with [`record`], or in bulk).
pub(crate) fn entry(actor: Option<&Actor>, event: Event) -> timeline_entries::ActiveModel {
    timeline_entries::ActiveModel {
        id: Set(Uuid::now_v7()),
        customer_id: Set(event.customer_id),
        kind: Set(event.kind),
        occurred_at: Set(event.occurred_at),
        actor_user_id: Set(actor.and_then(Actor::user_id)),
        actor_client_id: Set(actor.and_then(Actor::client_id)),
        subject_id: Set(event.subject_id),
        data: Set(event.data),
    }
}

/// Records `event`, done by `actor` (`None` for the system itself).
pub async fn record(db: &impl ConnectionTrait, actor: Option<&Actor>, event: Event) -> Result<(), DomainError> {
    entry(actor, event).insert(db).await?;
    Ok(())
}

/// Records what was done with a customer as a record of its own (a
/// follow-up, a needs assessment): `event` in the timeline and the creation
/// of record `id`, named `audited` in the audit log, with the event's data;
/// then commits.
pub async fn commit_recorded(
    txn: impl TransactionSession + ConnectionTrait,
    ctx: &AuditContext,
    actor: &Actor,
    audited: &str,
    id: Uuid,
    event: Event,
) -> Result<(), DomainError> {
    let data = event.data.clone();
    record(&txn, Some(actor), event).await?;
    audit::record(&txn, ctx, "create", audited, id, None, Some(&data)).await?;
    Ok(txn.commit().await?)
}

/// Every entry of a customer's timeline, in the order things happened
/// (ties in the order they were recorded). The caller checks reach.
pub async fn of_customer(db: &impl ConnectionTrait, customer_id: Uuid) -> Result<Vec<Entry>, DomainError> {
    use timeline_entries::Column as C;
    Ok(timeline_entries::Entity::find()
        .filter(C::CustomerId.eq(customer_id))
        .order_by_asc(C::OccurredAt)
        .order_by_asc(C::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|m| Entry {
            id: m.id,
            kind: m.kind.to_string(),
            occurred_at: m.occurred_at,
            actor_user_id: m.actor_user_id,
            actor_client_id: m.actor_client_id,
            subject_id: m.subject_id,
            data: m.data,
        })
        .collect())
}

/// Moves every entry of `from` to `into` (a merge keeps all history).
pub async fn move_all(db: &impl ConnectionTrait, from: Uuid, into: Uuid) -> Result<(), DomainError> {
    use sea_orm::sea_query::Expr;
    timeline_entries::Entity::update_many()
        .col_expr(timeline_entries::Column::CustomerId, Expr::value(into))
        .filter(timeline_entries::Column::CustomerId.eq(from))
        .exec(db)
        .await?;
    Ok(())
}
