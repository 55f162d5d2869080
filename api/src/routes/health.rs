//! Liveness, readiness and metrics for load balancers and Prometheus.

use std::time::Duration;

use actix_web::{HttpResponse, web};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{error::ApiError, state::AppState};

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// Always `ok` when the process answers.
    pub status: &'static str,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Readiness {
    /// `ready` when every dependency answered.
    pub status: &'static str,
    /// `up` for each dependency that answered in time.
    pub database: &'static str,
    pub queue: &'static str,
}

/// The process is alive. Checks nothing else, so a slow database never gets
/// a healthy process restarted.
#[utoipa::path(get, path = "/healthz", tag = "health", operation_id = "get_healthz",
    responses((status = 200, description = "Alive", body = Health)))]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// The database and the queue both answer: route traffic here. 503 names
/// whichever does not.
#[utoipa::path(get, path = "/readyz", tag = "health", operation_id = "get_readyz",
    responses(
        (status = 200, description = "Ready", body = Readiness),
        (status = 503, description = "A dependency is unavailable", body = crate::error::Problem, content_type = "application/problem+json"),
    ))]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let timeout = Duration::from_millis(state.settings.readiness_timeout_ms);
    let (database, queue) = tokio::join!(
        tokio::time::timeout(timeout, state.db.ping()),
        state.queue.ping(timeout)
    );
    let database_up = matches!(database, Ok(Ok(())));
    let queue_up = queue.is_ok();
    let mut down = Vec::new();
    if !database_up {
        tracing::warn!(error = ?database, "readiness: database unavailable");
        down.push("database");
    }
    if !queue_up {
        tracing::warn!(error = ?queue.err(), "readiness: queue unavailable");
        down.push("queue");
    }
    if !down.is_empty() {
        return Err(ApiError::Unavailable(down));
    }
    Ok(HttpResponse::Ok().json(Readiness {
        status: "ready",
        database: "up",
        queue: "up",
    }))
}

/// Prometheus metrics in the text exposition format.
#[utoipa::path(get, path = "/metrics", tag = "health", operation_id = "get_metrics",
    responses((status = 200, description = "Prometheus text format", body = String, content_type = "text/plain")))]
pub async fn metrics(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    // A queue that does not answer leaves its depths out rather than failing the scrape.
    let mut counts = Vec::new();
    for name in queue::Queue::ALL.iter().map(|q| q.name()) {
        match state.queue.counts(name).await {
            Ok(c) => counts.push((name, c)),
            Err(e) => tracing::warn!(queue = name, error = %e, "metrics: queue depths unavailable"),
        }
    }
    let internal = |e: prometheus::Error| ApiError::Internal(e.to_string());
    let mut extra = crate::metrics::queue_depths(&counts).map_err(internal)?;
    extra.extend(queue::metrics::gather());
    let body = state.metrics.render(extra).map_err(internal)?;
    Ok(HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(body))
}
