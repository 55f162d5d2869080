//! The handlers of the jobs the timer pump queues: each job carries only
//! timer ids, and the handler fires the timer through the domain, which
//! re-checks the record and records the effect once.

use queue::jobs::{PeriodicRun, SlaTimer, WebhookDelivery};
use uuid::Uuid;

use super::{Job, JobContext, JobError};

async fn fire(ctx: &JobContext, timer_id: Uuid) -> Result<(), JobError> {
    let fired = domain::engine::dispatch::fire(&ctx.db, timer_id, &ctx.instance, ctx.settings.timezone).await?;
    if let Some(fired) = &fired {
        observe(fired);
    }
    tracing::debug!(timer = %timer_id, ?fired, "timer fired");
    Ok(())
}

fn observe(fired: &domain::engine::dispatch::Fired) {
    let lag = fired.lag.num_milliseconds() as f64 / 1000.0;
    queue::metrics::observe_timer(&fired.kind, fired.outcome, lag);
}

impl Job for SlaTimer {
    async fn run(self, ctx: &JobContext) -> Result<(), JobError> {
        // Every timer gets its turn; a transient failure of one retries the
        // job, whose timers already fired are then skipped.
        let (db, tz) = (&ctx.db, ctx.settings.timezone);
        for fired in domain::engine::dispatch::fire_all(db, &self.timer_ids, &ctx.instance, tz).await? {
            observe(&fired);
        }
        Ok(())
    }
}

impl Job for PeriodicRun {
    async fn run(self, ctx: &JobContext) -> Result<(), JobError> {
        fire(ctx, self.timer_id).await
    }
}

impl Job for WebhookDelivery {
    async fn run(self, ctx: &JobContext) -> Result<(), JobError> {
        super::webhook::deliver(ctx, &self.timer_ids).await
    }
}
