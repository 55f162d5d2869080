//! The jobs the timer pump queues: one per queue family, each carrying
//! only the timer's id. The handler fires the timer through the domain,
//! which re-checks the record and records the effect once.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Job, JobContext, JobError};

/// SLA deadlines, reminders, tasks and probe timers, a few per job (the
/// pump groups timers claimed together, so a burst costs fewer queue round
/// trips); each timer fires on its own.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SlaTimer {
    pub timer_ids: Vec<Uuid>,
}

/// Most timers in one `SlaTimer` job.
pub const TIMERS_PER_JOB: usize = 50;

/// Periodic runs: KPI snapshot, digests, Sales Star.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PeriodicRun {
    pub timer_id: Uuid,
}

/// One attempt at a webhook delivery.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WebhookDelivery {
    pub timer_id: Uuid,
}

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
    crate::metrics::observe_timer(&fired.kind, fired.outcome, lag);
}

impl Job for SlaTimer {
    const QUEUE: &'static str = "estateflow.sla";

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
    const QUEUE: &'static str = "estateflow.periodic";

    async fn run(self, ctx: &JobContext) -> Result<(), JobError> {
        fire(ctx, self.timer_id).await
    }
}

impl Job for WebhookDelivery {
    const QUEUE: &'static str = "estateflow.webhooks";

    async fn run(self, ctx: &JobContext) -> Result<(), JobError> {
        super::webhook::deliver(ctx, self.timer_id).await
    }
}
