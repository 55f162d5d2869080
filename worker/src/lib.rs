//! The workers: a handler for every queue of the registry ([`jobs`]), the
//! timer pump ([`pump`]), the writer of the queues' throughput
//! ([`throughput`]), and [`Workers`], which runs them until a shutdown
//! signal lets in-flight jobs finish. Queues themselves are the `queue` crate's.

pub mod jobs;
pub mod pump;
pub mod throughput;

use std::{future::Future, time::Duration};

use domain::Settings;
use queue::QueueClient;
use sea_orm::DatabaseConnection;
use tokio::sync::watch;

pub use jobs::{Job, JobContext, JobError, WebhookSender};

/// All workers of one process, ready to run.
#[derive(Debug)]
pub struct Workers {
    queue: QueueClient,
    ctx: JobContext,
    shutdown_timeout: Duration,
}

impl Workers {
    /// Prepares a worker for every job type on the configured queue
    /// backend; fails on webhook TLS settings that cannot be used.
    pub fn build(settings: &Settings, db: DatabaseConnection, queue: QueueClient) -> Result<Self, WorkersError> {
        let ctx = JobContext {
            db,
            settings: settings.clone(),
            instance: instance_name(),
            webhooks: WebhookSender::new(settings).map_err(WorkersError)?,
            throughput: Default::default(),
            queue: queue.clone(),
        };
        Ok(Self {
            queue,
            ctx,
            shutdown_timeout: Duration::from_secs(settings.shutdown_timeout_secs),
        })
    }

    /// The unique name of this replica; worker names are `<queue>@<instance>`.
    pub fn instance(&self) -> &str {
        &self.ctx.instance
    }

    /// Runs until `shutdown` resolves, then stops fetching, lets running
    /// jobs finish (at most the shutdown timeout) and returns.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), WorkersError> {
        tracing::info!(instance = %self.ctx.instance, "workers started");
        let (stop, stopped) = watch::channel(false);
        let mut workers = jobs::spawn_all(&self.queue, &self.ctx, &stopped);
        workers.push(tokio::spawn(pump::run(
            self.queue.clone(),
            self.ctx.clone(),
            stopped.clone(),
        )));
        let flusher = tokio::spawn(throughput::run(self.ctx.clone(), stopped.clone()));
        shutdown.await;
        tracing::info!("workers stopping: finishing in-flight jobs");
        let _ = stop.send(true);
        let drained = tokio::time::timeout(self.shutdown_timeout, futures::future::join_all(workers)).await;
        // The jobs that finished while draining are counted too.
        let _ = flusher.await;
        throughput::flush(&self.ctx).await;
        match drained {
            Ok(_) => {
                tracing::info!("workers stopped");
                Ok(())
            }
            Err(_) => Err(WorkersError(format!(
                "jobs still running after the shutdown timeout of {:?}; the queue will hand them to another worker",
                self.shutdown_timeout
            ))),
        }
    }
}

/// Installs the process-wide TLS crypto provider, rustls with ring (sqlx
/// builds it already); reqwest is built without a default one, so call this
/// before building any HTTP client.
pub fn install_crypto() {
    // An error only means a provider is already installed.
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// The workers ended with an error.
#[derive(Debug, thiserror::Error)]
#[error("workers failed: {0}")]
pub struct WorkersError(String);

/// `<host>-<pid>-<random>`: unique per replica even on one host, so that the
/// queue can tell a restarted worker from the one that died.
fn instance_name() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "host".to_owned());
    let suffix: u32 = rand::random::<u32>() % 0x10000;
    format!("{host}-{}-{suffix:04x}", std::process::id())
}
