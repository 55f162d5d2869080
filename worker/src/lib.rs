//! The workers: every job type registered in one place ([`jobs`]), the queue
//! connection for either deployment mode ([`queue`]), and [`Workers`], which
//! runs them until a shutdown signal lets in-flight jobs finish.

pub mod jobs;
pub mod queue;

use std::{future::Future, time::Duration};

use apalis::prelude::Monitor;
use domain::Settings;
use sea_orm::DatabaseConnection;

pub use jobs::{Job, JobContext, JobError};
pub use queue::{QueueClient, QueueError};

/// All workers of one process, ready to run.
#[derive(Debug)]
pub struct Workers {
    monitor: Monitor,
    instance: String,
    shutdown_timeout: Duration,
}

impl Workers {
    /// Registers a worker for every job type on the configured queue backend.
    pub fn build(settings: &Settings, db: DatabaseConnection, queue: QueueClient) -> Self {
        let instance = instance_name();
        let ctx = JobContext {
            db,
            settings: settings.clone(),
            instance: instance.clone(),
        };
        let monitor = jobs::register_all(Monitor::new(), &queue, &ctx, settings);
        Self {
            monitor,
            instance,
            shutdown_timeout: Duration::from_secs(settings.shutdown_timeout_secs),
        }
    }

    /// The unique name of this replica; worker names are `<queue>@<instance>`.
    pub fn instance(&self) -> &str {
        &self.instance
    }

    /// Runs until `shutdown` resolves, then stops fetching, lets running
    /// jobs finish (at most the shutdown timeout) and returns.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), WorkersError> {
        tracing::info!(instance = %self.instance, "workers started");
        let result = self
            .monitor
            .with_terminator(tokio::time::sleep(self.shutdown_timeout))
            .run_with_signal(async move {
                shutdown.await;
                tracing::info!("workers stopping: finishing in-flight jobs");
                Ok(())
            })
            .await;
        tracing::info!("workers stopped");
        result.map_err(|e| WorkersError(e.to_string()))
    }
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
