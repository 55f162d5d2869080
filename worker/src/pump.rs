//! The timer pump: every interval it claims due timers in bounded batches
//! and queues a job for each, by kind. While the queue holds
//! `timer_max_backlog` claimed timers it claims nothing more
//! (back-pressure), so a burst of due timers drains at the workers' pace
//! and never floods the queue. A push that fails puts its timers back.
//! Every replica runs a pump; the database hands each due row to one.

use std::time::Duration;

use chrono::Utc;
use domain::outbox::timers::Claimed;
use queue::{
    QueueClient, QueueError,
    jobs::{PeriodicRun, SlaTimer, TIMERS_PER_JOB, WebhookDelivery},
};
use tokio::sync::watch;

use crate::jobs::JobContext;

/// How often the periodic runs of the latest periods are ensured.
const ENSURE_EVERY: Duration = Duration::from_secs(60);

/// Runs until `stop` turns true.
pub async fn run(queue: QueueClient, ctx: JobContext, mut stop: watch::Receiver<bool>) {
    let interval = Duration::from_millis(ctx.settings.timer_pump_interval_ms);
    let mut last_ensure: Option<std::time::Instant> = None;
    loop {
        if last_ensure.is_none_or(|at| at.elapsed() >= ENSURE_EVERY) {
            match domain::engine::periodic::ensure(&ctx.db, Utc::now(), ctx.settings.timezone).await {
                Ok(()) => last_ensure = Some(std::time::Instant::now()),
                Err(e) => tracing::warn!(error = %e, "could not ensure periodic runs"),
            }
        }
        let busy = match pump_once(&queue, &ctx).await {
            Ok(full) => full,
            Err(e) => {
                tracing::warn!(error = %e, "timer pump failed; retrying");
                false
            }
        };
        if busy {
            tokio::task::yield_now().await;
            if *stop.borrow() {
                return;
            }
            continue;
        }
        tokio::select! {
            () = tokio::time::sleep(interval) => {}
            _ = stop.wait_for(|stopped| *stopped) => return,
        }
    }
}

/// One round; true if it claimed a full batch (more may be due).
async fn pump_once(queue: &QueueClient, ctx: &JobContext) -> Result<bool, domain::DomainError> {
    let settings = &ctx.settings;
    let backlog = domain::outbox::timers::queued_count(&ctx.db).await?;
    if backlog >= settings.timer_max_backlog {
        return Ok(false);
    }
    let room = (settings.timer_max_backlog - backlog).min(settings.timer_pump_batch);
    let requeue = chrono::Duration::seconds(settings.timer_requeue_secs as i64);
    let claimed = domain::outbox::timers::claim_due(&ctx.db, Utc::now(), room, requeue).await?;
    let mut failed = Vec::new();
    let (sla, other): (Vec<&Claimed>, Vec<&Claimed>) = claimed
        .iter()
        .partition(|t| !matches!(t.kind.as_str(), "webhook_delivery" | "periodic"));
    for chunk in sla.chunks(TIMERS_PER_JOB) {
        let timer_ids: Vec<_> = chunk.iter().map(|t| t.id).collect();
        if let Err(e) = queue
            .push(SlaTimer {
                timer_ids: timer_ids.clone(),
            })
            .await
        {
            tracing::warn!(timers = timer_ids.len(), error = %e, "could not queue due timers; they go back");
            failed.extend(timer_ids);
        }
    }
    for timer in other {
        if let Err(e) = push(queue, timer).await {
            tracing::warn!(timer = %timer.id, error = %e, "could not queue a due timer; it goes back");
            failed.push(timer.id);
        }
    }
    if !failed.is_empty() {
        domain::outbox::timers::release(&ctx.db, &failed).await?;
    }
    Ok(claimed.len() as u64 == room && failed.is_empty())
}

async fn push(queue: &QueueClient, timer: &Claimed) -> Result<(), QueueError> {
    let timer_id = timer.id;
    match timer.kind.as_str() {
        "webhook_delivery" => queue.push(WebhookDelivery { timer_id }).await,
        _ => queue.push(PeriodicRun { timer_id }).await,
    }
}
