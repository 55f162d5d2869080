//! Runs a due timer by its kind: SLA deadlines, periodic runs and probes.
//! (Webhook deliveries need HTTP and run in the worker.)

use sea_orm::{ConnectionTrait, TransactionTrait};
use uuid::Uuid;

use crate::{error::DomainError, sla, timers};

/// A timer kind that only proves the timer path end to end.
pub const PROBE: &str = "probe";

/// Fires timer `id`; the outcome, or `None` if it was no longer open.
pub async fn fire(
    db: &(impl ConnectionTrait + TransactionTrait),
    id: Uuid,
    instance: &str,
    tz: chrono_tz::Tz,
) -> Result<Option<&'static str>, DomainError> {
    let Some(timer) = timers::get(db, id).await? else {
        return Ok(None);
    };
    match timer.kind.as_str() {
        PROBE => Ok(timers::finish(db, id, instance, "fired").await?.then_some("fired")),
        crate::periodic::KIND => crate::periodic::fire(db, id, instance, tz).await,
        crate::awards::TIMER_KIND => {
            // Computing is idempotent (a published run stays as it is), so
            // the timer is finished only once the run is computed.
            let run = timer.subject_id.unwrap_or_default();
            match crate::awards::compute_run(db, run, tz).await {
                Ok(_) | Err(DomainError::NotFound(_)) => {}
                Err(DomainError::Database(e)) => return Err(DomainError::Database(e)),
                Err(e) => tracing::warn!(run = %run, error = %e, "award run failed"),
            }
            Ok(timers::finish(db, id, instance, "computed").await?.then_some("computed"))
        }
        kind if sla::KINDS.contains(&kind) => sla::fire(db, id, instance).await,
        other => Err(DomainError::Internal(format!("timer {id} has unknown kind {other}"))),
    }
}
