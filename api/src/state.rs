//! The one application state shared by all handlers.

use domain::Settings;
use queue::QueueClient;
use sea_orm::DatabaseConnection;

use crate::{auth::TokenKeys, metrics::HttpMetrics, rate_limit::RateLimits};

#[derive(Debug)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub queue: QueueClient,
    pub settings: Settings,
    pub tokens: TokenKeys,
    pub metrics: HttpMetrics,
    pub rate_limits: RateLimits,
    /// The callers loaded so far, reused while the access epoch stands.
    pub callers: domain::access::actor::Callers,
    /// The console's queue counts, shared by its open tabs.
    pub console_queues: crate::console::queues::SnapshotCache,
}
