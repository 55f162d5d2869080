//! The quarterly Sales Star (销售之星). (Being built: the ranking and its
//! runs; until then a scheduled run is claimed and left empty.)

use sea_orm::ConnectionTrait;
use uuid::Uuid;

use crate::error::DomainError;

/// Claims the scheduled run of `period`; `None` if it exists already.
pub async fn claim_scheduled_run(_db: &impl ConnectionTrait, _period: &str) -> Result<Option<Uuid>, DomainError> {
    Ok(None)
}

/// Computes and publishes run `id`.
pub async fn compute_run(
    _db: &(impl ConnectionTrait + sea_orm::TransactionTrait),
    _id: Uuid,
    _tz: chrono_tz::Tz,
) -> Result<(), DomainError> {
    Ok(())
}
