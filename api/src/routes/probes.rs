//! Queue probes (admin): push a probe job and watch it being handled, to
//! check the whole path API → queue → worker → database in a deployment.
//! `POST` answers 202 with the link to poll, as all background work does.

use actix_web::{HttpResponse, http::header, web};
use queue::probe::{self, ProbeError, ProbeStatus};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::{
    auth::{Authorized, perm},
    error::{ApiError, Problem},
    extract::OptionalJson,
    state::AppState,
};
use domain::platform::text::Msg;

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

impl QueueProbe {
    fn new(id: Uuid, status: ProbeStatus) -> Self {
        let name = status.as_str();
        Self {
            id,
            status: name,
            handled_by: match status {
                ProbeStatus::Handled(by) => Some(by),
                ProbeStatus::Queued | ProbeStatus::Running => None,
            },
            href: href(id),
        }
    }
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
    let id = probe::push(&state.db, &state.queue, body.hold_ms)
        .await
        .map_err(|e| match e {
            ProbeError::Domain(e) => ApiError::from(e),
            ProbeError::Queue(e) => {
                tracing::warn!(error = %e, "queue probe could not be queued");
                ApiError::Unavailable(vec!["queue"])
            }
        })?;
    Ok(HttpResponse::Accepted()
        .insert_header((header::LOCATION, href(id)))
        .json(QueueProbe::new(id, ProbeStatus::Queued)))
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
    let id = id.into_inner();
    let status = probe::status(&state.db, id, query.wait_ms.unwrap_or(0))
        .await?
        .ok_or(ApiError::NotFound(Msg::NounQueueProbe))?;
    Ok(HttpResponse::Ok().json(QueueProbe::new(id, status)))
}
