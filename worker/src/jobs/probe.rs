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

impl Job for Probe {
    const QUEUE: &'static str = "estateflow.system.probe";

    async fn run(self, ctx: &JobContext) -> Result<(), JobError> {
        if self.hold_ms > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(self.hold_ms.min(MAX_HOLD_MS))).await;
        }
        let key = Self::effect_key(self.id);
        let first = domain::system::compare_and_set(&ctx.db, &key, QUEUED, &ctx.instance).await?;
        if !first && domain::system::get(&ctx.db, &key).await?.is_none() {
            tracing::warn!(probe = %self.id, "probe was never registered; nothing to do");
        }
        tracing::info!(probe = %self.id, first, "probe handled");
        Ok(())
    }
}
