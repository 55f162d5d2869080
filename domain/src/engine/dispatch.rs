//! Runs a due timer by its kind: SLA deadlines, approval decision
//! deadlines, periodic runs and probes.
//! (Webhook deliveries need HTTP and run in the worker.)

use entities::timers as timer_rows;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, TransactionTrait, sea_query::Expr};
use uuid::Uuid;

use crate::{outbox::sla, outbox::timers, platform::error::DomainError};

/// A timer kind that only proves the timer path end to end.
pub const PROBE: &str = "probe";

/// A timer that fired: what kind, what it did, how late.
#[derive(Debug, Clone)]
pub struct Fired {
    pub kind: String,
    pub outcome: &'static str,
    /// Fire time minus due time.
    pub lag: chrono::Duration,
}

/// Fires timer `id`; what it did, or `None` if it was no longer open.
pub async fn fire(
    db: &(impl ConnectionTrait + TransactionTrait),
    id: Uuid,
    instance: &str,
    tz: chrono_tz::Tz,
) -> Result<Option<Fired>, DomainError> {
    let Some(timer) = timers::get(db, id).await? else {
        return Ok(None);
    };
    let outcome = run(db, &timer, instance, tz).await?;
    Ok(outcome.map(|outcome| Fired {
        kind: timer.kind.clone(),
        outcome,
        lag: chrono::Utc::now() - timer.due_at,
    }))
}

async fn run(
    db: &(impl ConnectionTrait + TransactionTrait),
    timer: &timer_rows::Model,
    instance: &str,
    tz: chrono_tz::Tz,
) -> Result<Option<&'static str>, DomainError> {
    let id = timer.id;
    match timer.kind.as_str() {
        PROBE => Ok(timers::finish(db, id, instance, "fired").await?.then_some("fired")),
        crate::engine::periodic::KIND => crate::engine::periodic::fire(db, id, instance, tz).await,
        crate::performance::awards::runs::TIMER_KIND => {
            // Computing is idempotent (a published run stays as it is), so
            // the timer is finished only once the run is computed.
            let run = timers::subject_of(timer)?;
            match crate::performance::awards::runs::compute_run(db, run, tz).await {
                Ok(_) | Err(DomainError::NotFound(_)) => {}
                Err(DomainError::Database(e)) => return Err(DomainError::Database(e)),
                Err(e) => tracing::warn!(run = %run, error = %e, "award run failed"),
            }
            Ok(timers::finish(db, id, instance, "computed")
                .await?
                .then_some("computed"))
        }
        crate::sales::approvals::TIMER_KIND => super::approvals::fire(db, id, instance, tz).await,
        kind if kind.parse::<sla::SlaKind>().is_ok() => super::deadlines::fire(db, id, instance, tz).await,
        other => Err(DomainError::Internal(format!("timer {id} has unknown kind {other}"))),
    }
}

/// Fires several timers claimed together: probes (which do nothing but
/// fire) in one statement, SLA deadlines in one transaction
/// ([`super::deadlines::fire_many`]), every other timer on its own. If the
/// deadlines' batch fails, each of them is tried alone, so one bad timer
/// does not hold back the rest. The first error is returned after every
/// timer had its turn.
pub async fn fire_all(
    db: &(impl ConnectionTrait + TransactionTrait),
    ids: &[Uuid],
    instance: &str,
    tz: chrono_tz::Tz,
) -> Result<Vec<Fired>, DomainError> {
    use timer_rows::Column as C;
    timer_rows::Entity::update_many()
        .col_expr(C::State, Expr::value(timers::TimerState::Fired))
        .col_expr(C::FiredAt, Expr::value(chrono::Utc::now()))
        .col_expr(C::FiredBy, Expr::value(instance))
        .col_expr(C::Outcome, Expr::value("fired"))
        .filter(C::Id.is_in(ids.iter().copied()))
        .filter(C::Kind.eq(PROBE))
        .filter(C::State.is_in(timers::OPEN))
        .exec(db)
        .await?;
    let others: Vec<(Uuid, String)> = timer_rows::Entity::find()
        .select_only()
        .column(C::Id)
        .column(C::Kind)
        .filter(C::Id.is_in(ids.iter().copied()))
        .filter(C::Kind.ne(PROBE))
        .filter(C::State.is_in(timers::OPEN))
        .into_tuple()
        .all(db)
        .await?;
    let (mut deadlines, mut alone) = (Vec::new(), Vec::new());
    for (id, kind) in others {
        if super::deadlines::fires(&kind) {
            deadlines.push(id);
        } else {
            alone.push(id);
        }
    }
    let mut fired = Vec::new();
    if !deadlines.is_empty() {
        match super::deadlines::fire_many(db, &deadlines, instance, tz).await {
            Ok(done) => {
                let now = chrono::Utc::now();
                fired.extend(done.into_iter().map(|(timer, outcome)| Fired {
                    lag: now - timer.due_at,
                    kind: timer.kind,
                    outcome,
                }));
            }
            Err(e) => {
                tracing::warn!(timers = deadlines.len(), error = %e, "a batch of deadlines failed; each is tried alone");
                alone.extend(deadlines);
            }
        }
    }
    let mut failure = None;
    for id in &alone {
        match fire(db, *id, instance, tz).await {
            Ok(Some(f)) => fired.push(f),
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(timer = %id, error = %e, "timer failed");
                failure.get_or_insert(e);
            }
        }
    }
    failure.map_or(Ok(fired), Err)
}
