//! The timer pump: every interval it claims due timers in bounded batches
//! and queues their jobs, by lane: deadlines [`TIMERS_PER_JOB`] to a job,
//! webhook delivery attempts [`ATTEMPTS_PER_JOB`], periodic runs one
//! each, every lane's jobs of a
//! round in one push per [`queue::client::PUSH_CHUNK`]. While a lane
//! (deadlines, webhook deliveries, periodic runs) has `timer_max_backlog`
//! jobs waiting in its queue it claims nothing more of that lane
//! (back-pressure), so a burst of due timers drains at the workers' pace
//! and never floods the queue, and a slow lane does not hold back the
//! others. The backlog is read from the queue itself, not from the claimed
//! rows: a queue that lost its jobs (Redis flushed) shows room at once, and
//! the claim then takes the timers whose jobs were lost back first. A push
//! that fails puts its timers back. Every replica runs a pump; the database
//! hands each due row to one.

use std::time::Duration;

use chrono::Utc;
use domain::outbox::timers::{self, Claimed, Lane};
use queue::{
    Payload, Queue, QueueClient,
    jobs::{ATTEMPTS_PER_JOB, PeriodicRun, SlaTimer, TIMERS_PER_JOB, WebhookDelivery},
};
use tokio::sync::watch;
use uuid::Uuid;

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

/// The queue a lane's jobs go to.
fn queue_of(lane: Lane) -> Queue {
    match lane {
        Lane::Deadlines => SlaTimer::QUEUE,
        Lane::Webhooks => WebhookDelivery::QUEUE,
        Lane::Periodic => PeriodicRun::QUEUE,
    }
}

/// One round; true if some lane claimed a full batch (more may be due).
async fn pump_once(queue: &QueueClient, ctx: &JobContext) -> Result<bool, Box<dyn std::error::Error + Send + Sync>> {
    let settings = &ctx.settings;
    let requeue = chrono::Duration::seconds(settings.timer_requeue_secs as i64);
    let mut busy = false;
    for lane in Lane::ALL {
        let waiting = queue.waiting(queue_of(lane)).await?;
        let room = settings
            .timer_max_backlog
            .saturating_sub(waiting)
            .saturating_mul(lane.timers_per_job() as u64)
            .min(settings.timer_pump_batch);
        if room == 0 {
            continue;
        }
        let claimed = timers::claim_due(&ctx.db, lane, Utc::now(), room, requeue).await?;
        let ids: Vec<Uuid> = claimed.iter().map(|t: &Claimed| t.id).collect();
        let failed = match lane {
            Lane::Deadlines => {
                let jobs = ids.chunks(TIMERS_PER_JOB).map(|chunk| SlaTimer {
                    timer_ids: chunk.to_vec(),
                });
                push(queue, jobs.collect(), &ids, TIMERS_PER_JOB).await
            }
            Lane::Webhooks => {
                let jobs = ids.chunks(ATTEMPTS_PER_JOB).map(|chunk| WebhookDelivery {
                    timer_ids: chunk.to_vec(),
                });
                push(queue, jobs.collect(), &ids, ATTEMPTS_PER_JOB).await
            }
            Lane::Periodic => {
                let jobs = ids.iter().map(|&timer_id| PeriodicRun { timer_id });
                push(queue, jobs.collect(), &ids, 1).await
            }
        };
        if !failed.is_empty() {
            timers::release(&ctx.db, failed).await?;
        }
        busy |= claimed.len() as u64 == room && failed.is_empty();
    }
    Ok(busy)
}

/// Queues `jobs`, made of `ids` `per_job` to a job in order; returns the
/// timers whose jobs could not be queued.
async fn push<'a, P: Payload>(queue: &QueueClient, jobs: Vec<P>, ids: &'a [Uuid], per_job: usize) -> &'a [Uuid] {
    match queue.push_all(jobs).await {
        Ok(()) => &[],
        Err((queued, e)) => {
            let failed = &ids[(queued * per_job).min(ids.len())..];
            tracing::warn!(timers = failed.len(), error = %e, "could not queue due timers; they go back");
            failed
        }
    }
}
