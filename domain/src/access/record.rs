//! The steps the services of every kind of record take alike, written once:
//! a row found by id within what the caller reaches (or "not found"), and
//! the audit entry of a creation, change or deletion written in the
//! transaction that then commits. The version a change was sent for is
//! checked with `platform::version::check`.

use sea_orm::{ConnectionTrait, EntityTrait, PrimaryKeyTrait, QueryFilter, TransactionSession, sea_query::Condition};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::platform::text::Msg;
use crate::{
    access::audit::{self, AuditContext},
    platform::error::DomainError,
};

/// A record as its service shows it (its view), with what the service and
/// the audit log call it.
pub trait Record: Serialize {
    /// The table behind it.
    type Entity: EntityTrait;
    /// What "not found" calls it ("customer event").
    const NAME: Msg;
    /// What its audit entries name as their entity ("customer_event").
    const AUDITED: &'static str;
    /// The fields its audit entries compare.
    fn audit_json(&self) -> Value;
}

/// The row `id` of `R`'s table if `within` (the caller's reach; `Condition::all()`
/// where there is none) holds it; otherwise "not found".
pub async fn find<R>(
    db: &impl ConnectionTrait,
    within: Condition,
    id: Uuid,
) -> Result<<R::Entity as EntityTrait>::Model, DomainError>
where
    R: Record,
    Uuid: Into<<<R::Entity as EntityTrait>::PrimaryKey as PrimaryKeyTrait>::ValueType>,
{
    R::Entity::find_by_id(id)
        .filter(within)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound(R::NAME))
}

/// The row `id` of `R`'s table, for callers who reach every row; otherwise "not found".
pub async fn find_by_id<R>(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<<R::Entity as EntityTrait>::Model, DomainError>
where
    R: Record,
    Uuid: Into<<<R::Entity as EntityTrait>::PrimaryKey as PrimaryKeyTrait>::ValueType>,
{
    find::<R>(db, Condition::all(), id).await
}

/// Audits the creation of `created` and commits.
pub async fn commit_created<R: Record>(
    txn: impl TransactionSession + ConnectionTrait,
    ctx: &AuditContext,
    created: &R,
    id: Uuid,
) -> Result<(), DomainError> {
    audit::record(&txn, ctx, "create", R::AUDITED, id, None, Some(&created.audit_json())).await?;
    Ok(txn.commit().await?)
}

/// Audits `action` (`update`, `resolve`, …) on record `id`, from `before`
/// to `after`, and commits.
pub async fn commit_changed<R: Record>(
    txn: impl TransactionSession + ConnectionTrait,
    ctx: &AuditContext,
    action: &str,
    id: Uuid,
    before: &R,
    after: &R,
) -> Result<(), DomainError> {
    let (before, after) = (before.audit_json(), after.audit_json());
    audit::record(&txn, ctx, action, R::AUDITED, id, Some(&before), Some(&after)).await?;
    Ok(txn.commit().await?)
}

/// Audits the deletion of record `id`, which was `before`, and commits.
pub async fn commit_deleted<R: Record>(
    txn: impl TransactionSession + ConnectionTrait,
    ctx: &AuditContext,
    id: Uuid,
    before: &R,
) -> Result<(), DomainError> {
    audit::record(&txn, ctx, "delete", R::AUDITED, id, Some(&before.audit_json()), None).await?;
    Ok(txn.commit().await?)
}
