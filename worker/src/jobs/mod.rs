//! The job handlers and their workers, one per queue of the registry
//! (`queue::jobs`). Handlers are idempotent: they re-check the state when
//! they run, and a row that has gone is a warning, not a failure.

mod probe;
mod timers;
mod webhook;

use std::{
    future::Future,
    sync::Arc,
    time::{Duration, Instant},
};

use apalis::prelude::{AbortError, Attempt, BackendExt, BoxDynError, Data, TaskId, WorkerBuilder, WorkerError};
use apalis_redis::RedisStorage;
use apalis_sqlite::SqliteStorage;
use domain::platform::throughput::Tally;
use queue::{
    Payload, Queue, QueueClient, inspect,
    jobs::{PeriodicRun, SlaTimer, WebhookDelivery},
    probe::Probe,
};
use sea_orm::DatabaseConnection;
use tokio::{sync::watch, task::JoinHandle};

pub use webhook::Sender as WebhookSender;

/// What every handler may use.
#[derive(Debug, Clone)]
pub struct JobContext {
    pub db: DatabaseConnection,
    pub settings: domain::Settings,
    /// This replica's name, recorded with effects for tracing.
    pub instance: String,
    /// Sends webhook deliveries.
    pub webhooks: WebhookSender,
    /// Jobs processed and failed per queue and minute, not yet written
    /// (`crate::throughput` writes them).
    pub throughput: Arc<Tally>,
    /// The queue the jobs come from, to hold back a failing job's retry.
    pub queue: QueueClient,
}

/// The handler of a payload.
pub trait Job: Payload {
    fn run(self, ctx: &JobContext) -> impl Future<Output = Result<(), JobError>> + Send;
}

/// Why a job did not complete.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// Retrying cannot help (bad payload, broken invariant): give up.
    #[error("permanent failure: {0}")]
    Permanent(String),
    /// May succeed later (database or network hiccup): retry.
    #[error("transient failure: {0}")]
    Transient(String),
}

impl From<domain::DomainError> for JobError {
    fn from(err: domain::DomainError) -> Self {
        match err {
            domain::DomainError::Database(e) => Self::Transient(e.to_string()),
            other => Self::Permanent(other.to_string()),
        }
    }
}

/// Longest wait to hold back a failing job's retry.
const DEFER_WAIT: Duration = Duration::from_secs(1);

/// How long a job failing for now waits before its attempt `attempt`
/// (1 for the first) is followed by another: as many seconds as attempts
/// made, the schedule apalis-redis keeps, on both backends.
fn retry_delay(attempt: usize) -> Duration {
    Duration::from_secs(u64::try_from(attempt.max(1)).unwrap_or(u64::MAX))
}

async fn handle<J: Job>(job: J, ctx: Data<JobContext>, id: TaskId, attempt: Attempt) -> Result<(), BoxDynError> {
    let started = Instant::now();
    // Each job runs as a task of its own, on any of the runtime's threads:
    // apalis polls all of a queue's jobs within the one task that fetches
    // them, which kept a worker's jobs on one thread at a time.
    let context = JobContext::clone(&ctx);
    let result = match tokio::spawn(async move { job.run(&context).await }).await {
        Ok(result) => result,
        Err(ended) => Err(JobError::Transient(format!("the job's task ended: {ended}"))),
    };
    let failure = match &result {
        Ok(()) => None,
        Err(JobError::Permanent(_)) => Some("permanent"),
        Err(JobError::Transient(_)) => Some("transient"),
    };
    queue::metrics::observe(J::QUEUE.name(), started.elapsed().as_secs_f64(), failure);
    ctx.throughput
        .record(J::QUEUE.name(), failure.is_some(), chrono::Utc::now());
    match result {
        Ok(()) => Ok(()),
        Err(JobError::Permanent(reason)) => {
            tracing::error!(queue = J::QUEUE.name(), %reason, "job failed permanently");
            Err(Box::new(AbortError::new(JobError::Permanent(reason))))
        }
        Err(err @ JobError::Transient(_)) => {
            let delay = retry_delay(attempt.current());
            tracing::warn!(queue = J::QUEUE.name(), error = %err, attempt = attempt.current(), retry_in_s = delay.as_secs(), "job failed, will retry");
            // Bounded: when the database is locked (the failure may be just
            // that), the retry comes at once rather than holding up the
            // worker, or a shutdown, for another busy timeout.
            match tokio::time::timeout(DEFER_WAIT, ctx.queue.defer_retry(&id.to_string(), delay)).await {
                Ok(Ok(())) => {}
                Ok(Err(e)) => {
                    tracing::warn!(queue = J::QUEUE.name(), error = %e, "could not hold back the retry; it comes at once");
                }
                Err(_) => {
                    tracing::warn!(
                        queue = J::QUEUE.name(),
                        "holding back the retry took too long; it comes at once"
                    );
                }
            }
            Err(Box::new(err))
        }
    }
}

/// Starts a supervised worker for every queue of the registry.
pub fn spawn_all(queue: &QueueClient, ctx: &JobContext, stop: &watch::Receiver<bool>) -> Vec<JoinHandle<()>> {
    Queue::ALL
        .iter()
        .map(|&of| {
            let worker = worker_of(of);
            debug_assert_eq!(worker.queue, of, "a queue served by another payload's handler");
            (worker.spawn)(queue, ctx, stop)
        })
        .collect()
}

/// How a queue's worker is started.
struct Worker {
    /// The queue it serves: its payload's.
    queue: Queue,
    spawn: fn(&QueueClient, &JobContext, &watch::Receiver<bool>) -> JoinHandle<()>,
}

impl Worker {
    fn of<J: Job>() -> Self {
        Self {
            queue: J::QUEUE,
            spawn: spawn::<J>,
        }
    }
}

/// The worker of each queue: a match over the registry, so a queue without
/// a handler does not compile.
fn worker_of(queue: Queue) -> Worker {
    match queue {
        Queue::Probe => Worker::of::<Probe>(),
        Queue::Sla => Worker::of::<SlaTimer>(),
        Queue::Periodic => Worker::of::<PeriodicRun>(),
        Queue::Webhooks => Worker::of::<WebhookDelivery>(),
    }
}

/// Runs the worker of `J` until `stop` turns true. A worker whose queue
/// fails (Redis or the database gone) ends with an error in apalis; it is
/// rebuilt here after a pause that grows from 1 s to 30 s, so an outage
/// delays jobs but never stops them. While operators pause the queue the
/// worker is stopped (its jobs in flight finish, then it records that it
/// stands still) and it starts again on resume; the flag is read every
/// [`PAUSE_CHECK`].
fn spawn<J: Job>(queue: &QueueClient, ctx: &JobContext, stop: &watch::Receiver<bool>) -> JoinHandle<()> {
    let (queue, ctx, mut stop) = (queue.clone(), ctx.clone(), stop.clone());
    tokio::spawn(async move {
        let mut pause = MIN_RESTART_PAUSE;
        // apalis refuses a worker name seen within its heartbeat threshold,
        // so every run after the first has a name of its own.
        let mut run = 0_u32;
        loop {
            if !wait_while_paused::<J>(&ctx, &mut stop).await {
                return;
            }
            let name = match run {
                0 => format!("{}@{}", J::QUEUE.name(), ctx.instance),
                n => format!("{}@{}.{n}", J::QUEUE.name(), ctx.instance),
            };
            run += 1;
            let started = Instant::now();
            let until = stopped_or_paused::<J>(ctx.db.clone(), stop.clone());
            let result = run_worker::<J>(&queue, &ctx, name, until).await;
            if *stop.borrow() {
                return;
            }
            if paused::<J>(&ctx.db).await {
                tracing::info!(queue = J::QUEUE.name(), "queue paused; worker stopped");
                continue;
            }
            if started.elapsed() > MAX_RESTART_PAUSE * 2 {
                pause = MIN_RESTART_PAUSE;
            }
            tracing::warn!(queue = J::QUEUE.name(), error = ?result.err(), pause_s = pause.as_secs(), "worker stopped; restarting");
            tokio::select! {
                () = tokio::time::sleep(pause) => {}
                _ = stop.wait_for(|stopped| *stopped) => return,
            }
            pause = (pause * 2).min(MAX_RESTART_PAUSE);
        }
    })
}

/// Jobs a worker takes per fetch (apalis' default is 10), so that a burst
/// keeps many jobs in flight; measured on the burst benchmark: 100,000
/// deadlines 18 s → 16 s (docs/benchmarks.md).
const FETCH_BATCH: usize = 50;

/// How often a worker reads its queue's pause flag.
const PAUSE_CHECK: Duration = Duration::from_secs(1);

/// Whether `J`'s queue is paused; an unreadable flag is logged and read as
/// not paused, so that a database hiccup does not stop the work.
async fn paused<J: Job>(db: &DatabaseConnection) -> bool {
    inspect::is_paused(db, J::QUEUE.name()).await.unwrap_or_else(|e| {
        tracing::warn!(queue = J::QUEUE.name(), error = %e, "pause flag unreadable; assuming not paused");
        false
    })
}

/// Waits until `J`'s queue is not paused; false when `stop` came first.
/// While it waits the worker has stopped, and it records so
/// ([`inspect::set_worker_stopped`]) until it runs again or `stop` comes.
async fn wait_while_paused<J: Job>(ctx: &JobContext, stop: &mut watch::Receiver<bool>) -> bool {
    let mut acknowledged = false;
    let resumed = loop {
        if *stop.borrow() {
            break false;
        }
        if !paused::<J>(&ctx.db).await {
            break true;
        }
        if !acknowledged {
            acknowledged = acknowledge::<J>(ctx, true).await;
        }
        tokio::select! {
            () = tokio::time::sleep(PAUSE_CHECK) => {}
            _ = stop.wait_for(|stopped| *stopped) => break false,
        }
    };
    if acknowledged {
        acknowledge::<J>(ctx, false).await;
    }
    resumed
}

/// Records whether `J`'s worker stands still for a pause; returns whether
/// the record was written (a failure is logged and tried again later).
async fn acknowledge<J: Job>(ctx: &JobContext, stopped: bool) -> bool {
    match inspect::set_worker_stopped(&ctx.db, J::QUEUE.name(), &ctx.instance, stopped).await {
        Ok(()) => true,
        Err(e) => {
            tracing::warn!(queue = J::QUEUE.name(), stopped, error = %e, "pause acknowledgement not recorded");
            false
        }
    }
}

/// Resolves when `stop` turns true or `J`'s queue is paused.
async fn stopped_or_paused<J: Job>(db: DatabaseConnection, mut stop: watch::Receiver<bool>) {
    let paused = async {
        loop {
            tokio::time::sleep(PAUSE_CHECK).await;
            if paused::<J>(&db).await {
                return;
            }
        }
    };
    tokio::select! {
        () = paused => {}
        _ = stop.wait_for(|stopped| *stopped) => {}
    }
}

const MIN_RESTART_PAUSE: Duration = Duration::from_secs(1);
const MAX_RESTART_PAUSE: Duration = Duration::from_secs(30);

/// One run of `J`'s worker under `name` until it fails or `until`
/// resolves; then it fetches nothing more and returns once its jobs in
/// flight are done.
async fn run_worker<J: Job>(
    queue: &QueueClient,
    ctx: &JobContext,
    name: String,
    until: impl Future<Output = ()> + Send + 'static,
) -> Result<(), WorkerError> {
    let queue_name = queue.queue_name(J::QUEUE);
    let poll = Duration::from_millis(ctx.settings.queue_poll_interval_ms);
    let heartbeat = Duration::from_secs(ctx.settings.worker_heartbeat_secs);
    let stopped = async move {
        until.await;
        Ok::<(), WorkerError>(())
    };
    // The two storages and their settings are types with no trait in common
    // for these calls, so one macro spells the worker for both.
    macro_rules! run_on {
        ($config:ty, $storage:expr) => {{
            let config = <$config>::default()
                .queue(&queue_name)
                .batch_size(FETCH_BATCH)
                .heartbeat_interval(heartbeat)
                .missed_heartbeats(inspect::MISSED_HEARTBEATS);
            WorkerBuilder::new(name)
                .backend($storage.with_config(config).poll_with_interval(poll))
                .data(ctx.clone())
                .build(handle::<J>)
                .run_until(stopped)
                .await
        }};
    }
    match queue {
        QueueClient::Sqlite(pool) => run_on!(apalis_sqlite::Config, SqliteStorage::<J>::new(pool)),
        QueueClient::Redis { conn, .. } => run_on!(apalis_redis::Config, RedisStorage::<J>::new(conn.clone())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failing_job_waits_as_many_seconds_as_it_has_made_attempts() {
        assert_eq!(retry_delay(0), Duration::from_secs(1));
        assert_eq!(retry_delay(1), Duration::from_secs(1));
        assert_eq!(retry_delay(5), Duration::from_secs(5));
    }

    #[test]
    fn every_queue_is_served_by_the_handler_of_its_own_payload() {
        for &queue in Queue::ALL {
            assert_eq!(worker_of(queue).queue, queue);
        }
    }
}
