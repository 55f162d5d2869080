//! Writes this process's queue throughput (jobs processed and failed per
//! queue and minute, counted where jobs finish) to the database with every
//! worker heartbeat (and once more on a graceful stop), adding to what
//! other replicas wrote; drops rows older than a week now and then.

use std::time::Duration;

use chrono::Utc;
use domain::platform::throughput;
use tokio::sync::watch;

use crate::jobs::JobContext;

/// How often old rows are dropped.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);

/// Runs until `stop` turns true; the caller flushes once more after the
/// jobs in flight have finished.
pub async fn run(ctx: JobContext, mut stop: watch::Receiver<bool>) {
    let every = Duration::from_secs(ctx.settings.worker_heartbeat_secs.max(1));
    let mut last_prune: Option<std::time::Instant> = None;
    loop {
        tokio::select! {
            () = tokio::time::sleep(every) => {}
            _ = stop.wait_for(|stopped| *stopped) => return,
        }
        flush(&ctx).await;
        if last_prune.is_none_or(|at| at.elapsed() >= PRUNE_EVERY) {
            match throughput::prune(&ctx.db, Utc::now()).await {
                Ok(_) => last_prune = Some(std::time::Instant::now()),
                Err(e) => tracing::warn!(error = %e, "could not prune the queue throughput"),
            }
        }
    }
}

/// Writes the counts not yet written; a failure keeps them for the next time.
pub async fn flush(ctx: &JobContext) {
    if let Err(e) = throughput::flush(&ctx.db, &ctx.throughput).await {
        tracing::warn!(error = %e, "could not write the queue throughput; trying again later");
    }
}
