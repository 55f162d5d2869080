//! `estateflow.system.probe`: proves the queue end to end. A probe is
//! registered as queued when it is pushed; the handler marks it handled by
//! its replica, once, so operators (and the tests) can watch for the effect.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Job, JobContext, JobError};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Probe {
    pub id: Uuid,
    /// Keep the worker busy this long before recording the effect, to watch
    /// draining on shutdown and recovery after a crash.
    #[serde(default)]
    pub hold_ms: u64,
    /// Fail permanently instead, to exercise dead jobs and their retry.
    #[serde(default)]
    pub fail: bool,
}

/// Longest hold accepted.
pub const MAX_HOLD_MS: u64 = 60_000;

impl Probe {
    /// The key under which the probe is recorded in `system_settings`.
    pub fn effect_key(id: Uuid) -> String {
        format!("probe:{id}")
    }
}

/// The value of a probe that no worker has handled yet.
pub const QUEUED: &str = "";
/// The prefix of the value of a probe a worker is holding (`running:<instance>`).
pub const RUNNING: &str = "running:";

impl Job for Probe {
    const QUEUE: &'static str = "estateflow.system.probe";

    async fn run(self, ctx: &JobContext) -> Result<(), JobError> {
        if self.fail {
            return Err(JobError::Permanent(format!("probe {} asked to fail", self.id)));
        }
        let key = Self::effect_key(self.id);
        let Some(state) = domain::platform::system::get(&ctx.db, &key).await? else {
            tracing::warn!(probe = %self.id, "probe was never registered; nothing to do");
            return Ok(());
        };
        // Handled already (a redelivery): the effect stands.
        if !(state == QUEUED || state.starts_with(RUNNING)) {
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
