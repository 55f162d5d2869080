//! The one application state shared by all handlers.

use domain::Settings;
use sea_orm::DatabaseConnection;
use worker::QueueClient;

use crate::{auth::TokenKeys, metrics::HttpMetrics};

#[derive(Debug)]
pub struct AppState {
    pub db: DatabaseConnection,
    pub queue: QueueClient,
    pub settings: Settings,
    pub tokens: TokenKeys,
    pub metrics: HttpMetrics,
}
