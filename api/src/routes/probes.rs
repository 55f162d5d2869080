//! Queue probes (admin): push a probe job and watch it being handled, to
//! check the whole path API → queue → worker → database in a deployment.
//! `POST` answers 202 with the link to poll, as all background work does.

use std::time::Duration;

use actix_web::{HttpResponse, http::header, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use worker::jobs::{PROBE_MAX_HOLD_MS, PROBE_QUEUED, PROBE_RUNNING, Probe};

use crate::{
    auth::{Authorized, perm},
    error::{ApiError, Problem},
    extract::OptionalJson,
    state::AppState,
};

/// Longest `wait_ms` accepted.
pub const MAX_WAIT_MS: u64 = 10_000;

#[derive(Debug, Serialize, ToSchema)]
pub struct QueueProbe {
    pub id: Uuid,
    /// `queued`, then `running` while a worker holds it (with `hold_ms`), then `handled`.
    pub status: &'static str,
    /// The worker replica that handled it.
    pub handled_by: Option<String>,
    /// Where to poll.
    pub href: String,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewQueueProbe {
    /// Keep the worker busy this many milliseconds (0 to 60000) before
    /// recording the probe, to watch draining and recovery.
    #[serde(default)]
    pub hold_ms: u64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProbeQuery {
    /// Wait up to this many milliseconds (at most 10000) for the probe to be handled; default 0.
    pub wait_ms: Option<u64>,
}

fn href(id: Uuid) -> String {
    format!("/api/v1/admin/queue-probes/{id}")
}

/// Push a probe job onto the queue.
#[utoipa::path(post, path = "/api/v1/admin/queue-probes", tag = "operations", operation_id = "create_queue_probe",
    security(("bearer" = [])),
    request_body(content = Option<NewQueueProbe>, content_type = "application/json", description = "Optional; an empty body means `{}`"),
    responses(
        (status = 202, description = "Queued; poll the Location", body = QueueProbe),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks queues:write", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "hold_ms out of range or unknown fields", body = Problem, content_type = "application/problem+json"),
        (status = 503, description = "The queue is unavailable", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_queue_probe(
    _caller: Authorized<perm::QueuesWrite>,
    state: web::Data<AppState>,
    OptionalJson(body): OptionalJson<NewQueueProbe>,
) -> Result<HttpResponse, ApiError> {
    let hold_ms = body.hold_ms;
    if hold_ms > PROBE_MAX_HOLD_MS {
        return Err(ApiError::Validation(vec![domain::FieldError::new(
            "/hold_ms",
            format!("must be at most {PROBE_MAX_HOLD_MS}"),
        )]));
    }
    let id = Uuid::now_v7();
    domain::platform::system::insert_if_absent(&state.db, &Probe::effect_key(id), PROBE_QUEUED).await?;
    state
        .queue
        .push(Probe {
            id,
            hold_ms,
            fail: false,
        })
        .await
        .map_err(|e| {
            tracing::warn!(error = %e, "queue probe could not be queued");
            ApiError::Unavailable(vec!["queue"])
        })?;
    Ok(HttpResponse::Accepted()
        .insert_header((header::LOCATION, href(id)))
        .json(QueueProbe {
            id,
            status: "queued",
            handled_by: None,
            href: href(id),
        }))
}

/// Whether a probe has been handled; optionally wait for it.
#[utoipa::path(get, path = "/api/v1/admin/queue-probes/{id}", tag = "operations", operation_id = "get_queue_probe",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Probe id"), ProbeQuery),
    responses(
        (status = 200, description = "The probe", body = QueueProbe),
        (status = 400, description = "Bad id or query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks queues:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such probe", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "wait_ms out of range", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_queue_probe(
    _caller: Authorized<perm::QueuesWrite>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: crate::extract::ApiQuery<ProbeQuery>,
) -> Result<HttpResponse, ApiError> {
    let wait_ms = query.wait_ms.unwrap_or(0);
    if wait_ms > MAX_WAIT_MS {
        return Err(ApiError::Validation(vec![domain::FieldError::new(
            "/wait_ms",
            format!("must be at most {MAX_WAIT_MS}"),
        )]));
    }
    let id = id.into_inner();
    let deadline = tokio::time::Instant::now() + Duration::from_millis(wait_ms);
    loop {
        let value = domain::platform::system::get(&state.db, &Probe::effect_key(id))
            .await?
            .ok_or(ApiError::NotFound("queue probe"))?;
        let (status, handled_by) = if value == PROBE_QUEUED {
            ("queued", None)
        } else if value.starts_with(PROBE_RUNNING) {
            ("running", None)
        } else {
            ("handled", Some(value))
        };
        if handled_by.is_some() || tokio::time::Instant::now() >= deadline {
            return Ok(HttpResponse::Ok().json(QueueProbe {
                id,
                status,
                handled_by,
                href: href(id),
            }));
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
