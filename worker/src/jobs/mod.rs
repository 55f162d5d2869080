//! Job types and their registration. A job is a small serde struct of ids
//! with a stable queue name (never a Rust type path, so renaming a type does
//! not orphan queued jobs). Handlers are idempotent: they re-check the state
//! when they run, and a row that has gone is a warning, not a failure.

mod probe;

use std::{future::Future, time::Duration};

use apalis::prelude::{AbortError, BackendExt, BoxDynError, Data, Monitor, WorkerBuilder};
use apalis_redis::RedisStorage;
use apalis_sqlite::SqliteStorage;
use domain::Settings;
use sea_orm::DatabaseConnection;
use serde::{Serialize, de::DeserializeOwned};

pub use probe::{MAX_HOLD_MS as PROBE_MAX_HOLD_MS, Probe, QUEUED as PROBE_QUEUED};

use crate::queue::QueueClient;

/// What every handler may use.
#[derive(Debug, Clone)]
pub struct JobContext {
    pub db: DatabaseConnection,
    pub settings: Settings,
    /// This replica's name, recorded with effects for tracing.
    pub instance: String,
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
    match job.run(&ctx).await {
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

/// Registers one worker per job type. Adding a job type means one line here.
pub fn register_all(monitor: Monitor, queue: &QueueClient, ctx: &JobContext, settings: &Settings) -> Monitor {
    register::<Probe>(monitor, queue, ctx, settings)
}

fn register<J: Job>(monitor: Monitor, queue: &QueueClient, ctx: &JobContext, settings: &Settings) -> Monitor {
    let name = format!("{}@{}", J::QUEUE, ctx.instance);
    let queue_name = queue.queue_name::<J>();
    let poll = Duration::from_millis(settings.queue_poll_interval_ms);
    let heartbeat = Duration::from_secs(settings.worker_heartbeat_secs);
    let ctx = ctx.clone();
    match queue.clone() {
        QueueClient::Sqlite(pool) => monitor.register(move |_restarts| {
            let config = apalis_sqlite::Config::default()
                .queue(&queue_name)
                .heartbeat_interval(heartbeat)
                .missed_heartbeats(3);
            let storage = SqliteStorage::<J>::new(&pool)
                .with_config(config)
                .poll_with_interval(poll);
            WorkerBuilder::new(name.clone())
                .backend(storage)
                .data(ctx.clone())
                .build(handle::<J>)
        }),
        QueueClient::Redis { conn, .. } => monitor.register(move |_restarts| {
            let config = apalis_redis::Config::default()
                .queue(&queue_name)
                .heartbeat_interval(heartbeat)
                .missed_heartbeats(3);
            let storage = RedisStorage::<J>::new(conn.clone())
                .with_config(config)
                .poll_with_interval(poll);
            WorkerBuilder::new(name.clone())
                .backend(storage)
                .data(ctx.clone())
                .build(handle::<J>)
        }),
    }
}
