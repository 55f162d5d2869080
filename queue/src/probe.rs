//! `estateflow.system.probe`: proves the queue end to end. [`push`]
//! registers a probe as queued and queues it; the worker's handler marks it
//! running while it holds it, then handled by its replica, once; [`status`]
//! reads where it stands, waiting for it if asked.

use std::time::Duration;

use domain::{DomainError, FieldError, platform::text::Msg};
use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{QueueClient, QueueError};

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
    /// Fail with a transient error every time instead (retried until its
    /// attempts run out), to exercise jobs waiting for a retry.
    #[serde(default)]
    pub flaky: bool,
}

/// Longest hold accepted.
pub const MAX_HOLD_MS: u64 = 60_000;

/// Longest wait for a probe to be handled.
pub const MAX_WAIT_MS: u64 = 10_000;

/// How often a wait reads the probe again.
const POLL: Duration = Duration::from_millis(50);

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

/// Where a probe stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProbeStatus {
    Queued,
    /// A worker holds it (`hold_ms`).
    Running,
    /// Handled by the named worker replica.
    Handled(String),
}

impl ProbeStatus {
    /// Reads the recorded value.
    pub fn decode(value: &str) -> Self {
        if value == QUEUED {
            Self::Queued
        } else if value.starts_with(RUNNING) {
            Self::Running
        } else {
            Self::Handled(value.to_owned())
        }
    }

    /// `queued`, `running` or `handled`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Handled(_) => "handled",
        }
    }
}

/// A probe could not be pushed.
#[derive(Debug, thiserror::Error)]
pub enum ProbeError {
    /// A bad argument, or the database.
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error(transparent)]
    Queue(#[from] QueueError),
}

/// Registers a probe as queued and queues it; `hold_ms` is at most [`MAX_HOLD_MS`].
pub async fn push(db: &DatabaseConnection, queue: &QueueClient, hold_ms: u64) -> Result<Uuid, ProbeError> {
    if hold_ms > MAX_HOLD_MS {
        return Err(too_large("/hold_ms", MAX_HOLD_MS).into());
    }
    let id = Uuid::now_v7();
    domain::platform::system::insert_if_absent(db, &Probe::effect_key(id), QUEUED).await?;
    queue
        .push(Probe {
            id,
            hold_ms,
            fail: false,
            flaky: false,
        })
        .await?;
    Ok(id)
}

/// Where probe `id` stands, waiting up to `wait_ms` (at most
/// [`MAX_WAIT_MS`]) for it to be handled; `None` when there is no such probe.
pub async fn status(db: &DatabaseConnection, id: Uuid, wait_ms: u64) -> Result<Option<ProbeStatus>, DomainError> {
    if wait_ms > MAX_WAIT_MS {
        return Err(too_large("/wait_ms", MAX_WAIT_MS));
    }
    let deadline = tokio::time::Instant::now() + Duration::from_millis(wait_ms);
    let mut waiting = false;
    loop {
        let Some(value) = domain::platform::system::get(db, &Probe::effect_key(id)).await? else {
            return Ok(None);
        };
        let status = ProbeStatus::decode(&value);
        if matches!(status, ProbeStatus::Handled(_)) || tokio::time::Instant::now() >= deadline {
            return Ok(Some(status));
        }
        if !waiting {
            // Shows that a long poll is in flight (a graceful stop lets it end).
            tracing::debug!(probe = %id, wait_ms, "waiting for the probe to be handled");
            waiting = true;
        }
        tokio::time::sleep(POLL).await;
    }
}

fn too_large(pointer: &str, max: u64) -> DomainError {
    DomainError::Validation(vec![FieldError::new(pointer, Msg::AtMost { max })])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_recorded_value_reads_as_queued_running_or_handled_by_its_replica() {
        let cases = [
            (QUEUED, ProbeStatus::Queued, "queued"),
            ("running:api-1-4711-x9f2", ProbeStatus::Running, "running"),
            (
                "api-1-4711-x9f2",
                ProbeStatus::Handled("api-1-4711-x9f2".to_owned()),
                "handled",
            ),
        ];
        for (value, status, name) in cases {
            assert_eq!(ProbeStatus::decode(value), status, "{value:?}");
            assert_eq!(status.as_str(), name);
        }
    }
}
