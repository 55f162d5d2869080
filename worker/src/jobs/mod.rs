//! Job types and their registration. A job is a small serde struct of ids
//! with a stable queue name (never a Rust type path, so renaming a type does
//! not orphan queued jobs). Handlers are idempotent: they re-check the state
//! when they run, and a row that has gone is a warning, not a failure.

mod probe;
mod timers;
mod webhook;

use std::{
    future::Future,
    time::{Duration, Instant},
};

use apalis::prelude::{AbortError, BackendExt, BoxDynError, Data, WorkerBuilder, WorkerError};
use apalis_redis::RedisStorage;
use apalis_sqlite::SqliteStorage;
use sea_orm::DatabaseConnection;
use serde::{Serialize, de::DeserializeOwned};
use tokio::{sync::watch, task::JoinHandle};

pub use probe::{MAX_HOLD_MS as PROBE_MAX_HOLD_MS, Probe, QUEUED as PROBE_QUEUED, RUNNING as PROBE_RUNNING};
pub use timers::{PeriodicRun, SlaTimer, TIMERS_PER_JOB, WebhookDelivery};
pub use webhook::Sender as WebhookSender;

use crate::{inspect, queue::QueueClient};

/// The stable names of every queue, for inspection and metrics. A new job
/// type adds its `Job::QUEUE` here.
pub const QUEUES: &[&str] = &[
    Probe::QUEUE,
    SlaTimer::QUEUE,
    PeriodicRun::QUEUE,
    WebhookDelivery::QUEUE,
];

/// What every handler may use.
#[derive(Debug, Clone)]
pub struct JobContext {
    pub db: DatabaseConnection,
    pub settings: domain::Settings,
    /// This replica's name, recorded with effects for tracing.
    pub instance: String,
    /// Sends webhook deliveries.
    pub webhooks: WebhookSender,
}

/// A unit of background work.
pub trait Job: Serialize + DeserializeOwned + Send + Sync + Unpin + 'static {
    /// The queue's stable name; part of the storage layout, never change it.
    const QUEUE: &'static str;

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

async fn handle<J: Job>(job: J, ctx: Data<JobContext>) -> Result<(), BoxDynError> {
    let started = Instant::now();
    let result = job.run(&ctx).await;
    let failure = match &result {
        Ok(()) => None,
        Err(JobError::Permanent(_)) => Some("permanent"),
        Err(JobError::Transient(_)) => Some("transient"),
    };
    crate::metrics::observe(J::QUEUE, started.elapsed().as_secs_f64(), failure);
    match result {
        Ok(()) => Ok(()),
        Err(JobError::Permanent(reason)) => {
            tracing::error!(queue = J::QUEUE, %reason, "job failed permanently");
            Err(Box::new(AbortError::new(JobError::Permanent(reason))))
        }
        Err(err @ JobError::Transient(_)) => {
            tracing::warn!(queue = J::QUEUE, error = %err, "job failed, will retry");
            Err(Box::new(err))
        }
    }
}

/// Starts a supervised worker for every job type. Adding a job type means
/// one line here.
pub fn spawn_all(queue: &QueueClient, ctx: &JobContext, stop: &watch::Receiver<bool>) -> Vec<JoinHandle<()>> {
    vec![
        spawn::<Probe>(queue, ctx, stop),
        spawn::<SlaTimer>(queue, ctx, stop),
        spawn::<PeriodicRun>(queue, ctx, stop),
        spawn::<WebhookDelivery>(queue, ctx, stop),
    ]
}

/// Runs the worker of `J` until `stop` turns true. A worker whose queue
/// fails (Redis or the database gone) ends with an error in apalis; it is
/// rebuilt here after a pause that grows from 1 s to 30 s, so an outage
/// delays jobs but never stops them. While operators pause the queue the
/// worker is stopped (its jobs in flight finish) and it starts again on
/// resume; the flag is read every [`PAUSE_CHECK`].
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
                0 => format!("{}@{}", J::QUEUE, ctx.instance),
                n => format!("{}@{}.{n}", J::QUEUE, ctx.instance),
            };
            run += 1;
            let started = Instant::now();
            let until = stopped_or_paused::<J>(ctx.db.clone(), stop.clone());
            let result = run_worker::<J>(&queue, &ctx, name, until).await;
            if *stop.borrow() {
                return;
            }
            if paused::<J>(&ctx).await {
                tracing::info!(queue = J::QUEUE, "queue paused; worker stopped");
                continue;
            }
            if started.elapsed() > MAX_RESTART_PAUSE * 2 {
                pause = MIN_RESTART_PAUSE;
            }
            tracing::warn!(queue = J::QUEUE, error = ?result.err(), pause_s = pause.as_secs(), "worker stopped; restarting");
            tokio::select! {
                () = tokio::time::sleep(pause) => {}
                _ = stop.wait_for(|stopped| *stopped) => return,
            }
            pause = (pause * 2).min(MAX_RESTART_PAUSE);
        }
    })
}

/// How often a worker reads its queue's pause flag.
const PAUSE_CHECK: Duration = Duration::from_secs(1);

async fn paused<J: Job>(ctx: &JobContext) -> bool {
    inspect::is_paused(&ctx.db, J::QUEUE).await.unwrap_or_else(|e| {
        tracing::warn!(queue = J::QUEUE, error = %e, "pause flag unreadable; assuming not paused");
        false
    })
}

/// Waits until `J`'s queue is not paused; false when `stop` came first.
async fn wait_while_paused<J: Job>(ctx: &JobContext, stop: &mut watch::Receiver<bool>) -> bool {
    loop {
        if *stop.borrow() {
            return false;
        }
        if !paused::<J>(ctx).await {
            return true;
        }
        tokio::select! {
            () = tokio::time::sleep(PAUSE_CHECK) => {}
            _ = stop.wait_for(|stopped| *stopped) => return false,
        }
    }
}

/// Resolves when `stop` turns true or `J`'s queue is paused.
async fn stopped_or_paused<J: Job>(db: DatabaseConnection, mut stop: watch::Receiver<bool>) {
    let paused = async {
        loop {
            tokio::time::sleep(PAUSE_CHECK).await;
            if inspect::is_paused(&db, J::QUEUE).await.unwrap_or(false) {
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
    let queue_name = queue.queue_name::<J>();
    let poll = Duration::from_millis(ctx.settings.queue_poll_interval_ms);
    let heartbeat = Duration::from_secs(ctx.settings.worker_heartbeat_secs);
    let stopped = async move {
        until.await;
        Ok::<(), WorkerError>(())
    };
    match queue {
        QueueClient::Sqlite(pool) => {
            let config = apalis_sqlite::Config::default()
                .queue(&queue_name)
                .heartbeat_interval(heartbeat)
                .missed_heartbeats(MISSED_HEARTBEATS);
            let storage = SqliteStorage::<J>::new(pool)
                .with_config(config)
                .poll_with_interval(poll);
            WorkerBuilder::new(name)
                .backend(storage)
                .data(ctx.clone())
                .build(handle::<J>)
                .run_until(stopped)
                .await
        }
        QueueClient::Redis { conn, .. } => {
            let config = apalis_redis::Config::default()
                .queue(&queue_name)
                .heartbeat_interval(heartbeat)
                .missed_heartbeats(MISSED_HEARTBEATS);
            let storage = RedisStorage::<J>::new(conn.clone())
                .with_config(config)
                .poll_with_interval(poll);
            WorkerBuilder::new(name)
                .backend(storage)
                .data(ctx.clone())
                .build(handle::<J>)
                .run_until(stopped)
                .await
        }
    }
}

/// Heartbeats a worker may miss before its jobs are handed to another.
const MISSED_HEARTBEATS: usize = 3;
