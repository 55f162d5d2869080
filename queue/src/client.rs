//! The connection to the job queue: apalis-sqlite inside the SQLite database
//! (embedded mode) or apalis-redis (production mode). Every Redis key starts
//! with the configured namespace, so deployments and test runs can share a
//! Redis without seeing each other's jobs.

use std::time::Duration;

use apalis_core::{backend::TaskSink, task::builder::TaskBuilder};
use apalis_redis::RedisStorage;
use apalis_sqlite::SqliteStorage;
use domain::{Settings, platform::settings::QueueBackend};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use sea_orm::{DatabaseConnection, DbBackend, sqlx::SqlitePool};

use crate::jobs::{Payload, Queue};

/// How long the first ping waits, and the pause between pings until Redis answers.
const FIRST_CONTACT_TIMEOUT: Duration = Duration::from_secs(5);
const FIRST_CONTACT_RETRY: Duration = Duration::from_secs(1);

/// Runs `$call` (a push of the `TaskSink` API) on `$client`'s storage of
/// payload `$job`, its queue named as the workers name it: the two storages
/// share no trait for building, so one macro spells it for both.
macro_rules! on_storage {
    ($client:expr, $job:ty, |$storage:ident| $call:expr) => {
        match $client {
            QueueClient::Sqlite(pool) => {
                let mut $storage = SqliteStorage::<$job>::new(pool)
                    .with_config(apalis_sqlite::Config::default().queue($client.queue_name(<$job>::QUEUE)));
                $call.await.map_err(|e| QueueError::Push(e.to_string()))
            }
            QueueClient::Redis { conn, .. } => {
                let mut $storage = RedisStorage::<$job>::new(conn.clone())
                    .with_config(apalis_redis::Config::default().queue($client.queue_name(<$job>::QUEUE)));
                $call.await.map_err(|e| QueueError::Push(e.to_string()))
            }
        }
    };
}

/// The most jobs [`QueueClient::push_all`] sends in one round trip.
pub const PUSH_CHUNK: usize = 500;

/// A handle on the queue, cheap to clone.
#[derive(Clone)]
pub enum QueueClient {
    Sqlite(SqlitePool),
    Redis { conn: ConnectionManager, namespace: String },
}

impl std::fmt::Debug for QueueClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Sqlite(_) => f.write_str("QueueClient::Sqlite"),
            Self::Redis { namespace, .. } => write!(f, "QueueClient::Redis({namespace})"),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    #[error("the SQLite queue needs a SQLite database (set ESTATEFLOW_REDIS_URL to queue on Redis)")]
    SqliteQueueWithoutSqlite,
    #[error("queue setup failed: {0}")]
    Setup(String),
    #[error("redis: {0}")]
    Redis(#[from] redis::RedisError),
    #[error("pushing a job failed: {0}")]
    Push(String),
    #[error("timed out")]
    Timeout,
}

impl QueueClient {
    /// Connects to the queue the settings choose. Redis need not be there
    /// yet: the connection is made in the background (and made again
    /// whenever Redis comes back), so a process starts, serves and reports
    /// not ready until it is; only a malformed URL fails here.
    pub async fn connect(settings: &Settings, db: &DatabaseConnection) -> Result<Self, QueueError> {
        match settings.queue_backend() {
            QueueBackend::Sqlite => match db.get_database_backend() {
                DbBackend::Sqlite => Ok(Self::Sqlite(db.get_sqlite_connection_pool().clone())),
                _ => Err(QueueError::SqliteQueueWithoutSqlite),
            },
            QueueBackend::Redis(url) => {
                let client = redis::Client::open(url.expose())?;
                let config = ConnectionManagerConfig::new()
                    .set_connection_timeout(Some(Duration::from_secs(2)))
                    .set_response_timeout(Some(Duration::from_secs(2)))
                    .set_number_of_retries(2);
                let conn = ConnectionManager::new_lazy_with_config(client, config)?;
                let queue = Self::Redis {
                    conn,
                    namespace: settings.redis_namespace.clone(),
                };
                tokio::spawn(queue.clone().first_contact());
                Ok(queue)
            }
        }
    }

    /// Makes the first connection at once rather than on the first job, and
    /// says in the log whether the queue is there or being waited for.
    async fn first_contact(self) {
        let mut waiting_since: Option<std::time::Instant> = None;
        loop {
            match self.ping(FIRST_CONTACT_TIMEOUT).await {
                Ok(()) => {
                    match waiting_since {
                        Some(since) => {
                            tracing::info!(waited_secs = since.elapsed().as_secs(), "connected to the queue; ready")
                        }
                        None => tracing::debug!("connected to the queue"),
                    }
                    return;
                }
                Err(error) => {
                    if waiting_since.is_none() {
                        tracing::warn!(
                            %error,
                            "the queue (Redis) is unreachable: serving, not ready (/readyz 503) until it answers"
                        );
                        waiting_since = Some(std::time::Instant::now());
                    }
                    tokio::time::sleep(FIRST_CONTACT_RETRY).await;
                }
            }
        }
    }

    /// Creates the queue's own tables (SQLite); nothing to do on Redis.
    pub async fn setup(&self) -> Result<(), QueueError> {
        match self {
            // Only the schema: apalis' `setup` would also turn off fsync.
            Self::Sqlite(pool) => SqliteStorage::<()>::migrations()
                .run(pool)
                .await
                .map_err(|e| QueueError::Setup(e.to_string())),
            Self::Redis { .. } => Ok(()),
        }
    }

    /// Checks that the queue answers, within `timeout`.
    pub async fn ping(&self, timeout: Duration) -> Result<(), QueueError> {
        let check = async {
            match self {
                Self::Sqlite(pool) => sea_orm::sqlx::query("SELECT 1")
                    .execute(pool)
                    .await
                    .map(|_| ())
                    .map_err(|e| QueueError::Setup(e.to_string())),
                Self::Redis { conn, .. } => {
                    let mut conn = conn.clone();
                    redis::cmd("PING")
                        .query_async::<String>(&mut conn)
                        .await
                        .map(|_| ())
                        .map_err(QueueError::from)
                }
            }
        };
        tokio::time::timeout(timeout, check)
            .await
            .map_err(|_| QueueError::Timeout)?
    }

    /// The full name of `queue` in the storage: its stable name, prefixed
    /// with the Redis namespace in production mode.
    pub fn queue_name(&self, queue: Queue) -> String {
        match self {
            Self::Sqlite(_) => queue.name().to_owned(),
            Self::Redis { namespace, .. } => format!("{namespace}:{}", queue.name()),
        }
    }

    /// Enqueues one job to run as soon as a worker is free.
    pub async fn push<J: Payload>(&self, job: J) -> Result<(), QueueError> {
        self.push_all(vec![job]).await.map_err(|(_, e)| e)
    }

    /// Enqueues `jobs` in one round trip per [`PUSH_CHUNK`] (one script
    /// call on Redis): a chunk is queued whole or not at all; on an error
    /// the chunks before it stay queued, and the count of them is returned
    /// with the error.
    pub async fn push_all<J: Payload>(&self, jobs: Vec<J>) -> Result<(), (usize, QueueError)> {
        let mut queued = 0;
        let mut jobs = jobs.into_iter().peekable();
        while jobs.peek().is_some() {
            let chunk: Vec<J> = jobs.by_ref().take(PUSH_CHUNK).collect();
            let n = chunk.len();
            on_storage!(self, J, |storage| storage.push_bulk(chunk)).map_err(|e| (queued, e))?;
            queued += n;
        }
        Ok(())
    }

    /// Enqueues one job to become due after `delay` (whole seconds).
    pub async fn push_after<J: Payload>(&self, job: J, delay: Duration) -> Result<(), QueueError> {
        let task = TaskBuilder::new(job).run_after(delay).build();
        on_storage!(self, J, |storage| storage.push_task(task))
    }
}
