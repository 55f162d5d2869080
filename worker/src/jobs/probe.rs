//! The handler of `estateflow.system.probe` (`queue::probe`): marks the
//! probe running while it holds it, then handled by this replica, once.

use queue::probe::{MAX_HOLD_MS, Probe, ProbeStatus, RUNNING};

use super::{Job, JobContext, JobError};

impl Job for Probe {
    async fn run(self, ctx: &JobContext) -> Result<(), JobError> {
        if self.fail {
            return Err(JobError::Permanent(format!("probe {} asked to fail", self.id)));
        }
        if self.flaky {
            return Err(JobError::Transient(format!("probe {} asked to fail for now", self.id)));
        }
        let key = Self::effect_key(self.id);
        let Some(state) = domain::platform::system::get(&ctx.db, &key).await? else {
            tracing::warn!(probe = %self.id, "probe was never registered; nothing to do");
            return Ok(());
        };
        // Handled already (a redelivery): the effect stands.
        if let ProbeStatus::Handled(_) = ProbeStatus::decode(&state) {
            return Ok(());
        }
        let mut from = state;
        if self.hold_ms > 0 {
            let running = format!("{RUNNING}{}", ctx.instance);
            domain::platform::system::compare_and_set(&ctx.db, &key, &from, &running).await?;
            tokio::time::sleep(std::time::Duration::from_millis(self.hold_ms.min(MAX_HOLD_MS))).await;
            from = running;
        }
        let first = domain::platform::system::compare_and_set(&ctx.db, &key, &from, &ctx.instance).await?;
        tracing::info!(probe = %self.id, first, "probe handled");
        Ok(())
    }
}
