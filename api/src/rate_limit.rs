//! Per-client request budgets: a fixed one-minute window per API client,
//! kept in this process. With several API replicas each keeps its own
//! window, so a client can reach its limit once per replica.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

use domain::platform::text::Msg;
use uuid::Uuid;

use crate::error::ApiError;

const WINDOW: Duration = Duration::from_secs(60);

#[derive(Debug, Default)]
pub struct RateLimits {
    windows: Mutex<HashMap<Uuid, (Instant, u32)>>,
}

impl RateLimits {
    /// Counts one request of `client`; 429 with `Retry-After` beyond `limit` a minute.
    pub fn check(&self, client: Uuid, limit: u32) -> Result<(), ApiError> {
        let now = Instant::now();
        let mut windows = self
            .windows
            .lock()
            .map_err(|_| ApiError::Internal("rate limit lock poisoned".to_owned()))?;
        if windows.len() > 10_000 {
            windows.retain(|_, (start, _)| now.duration_since(*start) < WINDOW);
        }
        let (start, count) = windows.entry(client).or_insert((now, 0));
        if now.duration_since(*start) >= WINDOW {
            *start = now;
            *count = 0;
        }
        if *count >= limit {
            let retry_after = WINDOW.saturating_sub(now.duration_since(*start)).as_secs().max(1);
            return Err(ApiError::RateLimited {
                retry_after,
                detail: Msg::ClientRateLimit { limit },
            });
        }
        *count += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_request_after_the_budget_is_refused_with_a_retry_time() {
        let limits = RateLimits::default();
        let client = Uuid::now_v7();
        for _ in 0..3 {
            assert!(limits.check(client, 3).is_ok());
        }
        match limits.check(client, 3) {
            Err(ApiError::RateLimited { retry_after, .. }) => assert!((1..=60).contains(&retry_after)),
            other => panic!("expected 429, got {other:?}"),
        }
        assert!(limits.check(Uuid::now_v7(), 3).is_ok(), "budgets are per client");
    }
}
