//! `GET /api/v1/audit-log`: the append-only record of every write.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use domain::{access::audit::AuditFilter, platform::page::PageRequest};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::{
    auth::{Authorized, perm},
    error::{ApiError, Problem},
    state::AppState,
};

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntry {
    pub id: Uuid,
    pub occurred_at: DateTime<Utc>,
    /// The user who made the change; both actors absent: the service itself.
    pub actor_user_id: Option<Uuid>,
    /// The API client that made the change.
    pub actor_client_id: Option<Uuid>,
    #[schema(example = "update")]
    pub action: String,
    #[schema(example = "user")]
    pub entity: String,
    pub entity_id: String,
    /// `{field: {before, after}}` for each changed field; secrets show as `[redacted]`.
    #[schema(value_type = Object)]
    pub changes: serde_json::Value,
    pub request_id: Option<String>,
    pub address: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryList {
    pub items: Vec<AuditEntry>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    pub limit: Option<u64>,
    pub cursor: Option<String>,
    /// `created_at` (oldest first, the default) or `-created_at` (newest first).
    pub sort: Option<String>,
    /// e.g. `user`, `role`.
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    pub actor_user_id: Option<Uuid>,
    pub actor_client_id: Option<Uuid>,
    /// e.g. `create`, `update`, `delete`, `set_roles`.
    pub action: Option<String>,
    /// From this time on (RFC 3339).
    #[serde(default, deserialize_with = "crate::extract::in_window")]
    pub since: Option<DateTime<Utc>>,
    /// Before this time (RFC 3339).
    #[serde(default, deserialize_with = "crate::extract::in_window")]
    pub until: Option<DateTime<Utc>>,
}

/// Audit entries, oldest first, filtered.
#[utoipa::path(get, path = "/api/v1/audit-log", tag = "access", operation_id = "list_audit_log",
    security(("bearer" = [])),
    params(AuditQuery),
    responses(
        (status = 200, description = "A page of entries, oldest first (newest first with `sort=-created_at`)", body = AuditEntryList),
        (status = 400, description = "Malformed query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks audit_log:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "limit out of range, a foreign cursor or an unknown sort", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_audit_log(
    _caller: Authorized<perm::AuditLogRead>,
    state: web::Data<AppState>,
    query: crate::extract::ApiQuery<AuditQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let page = PageRequest::new_sorted(q.limit, q.cursor.as_deref(), q.sort.as_deref())?;
    let filter = AuditFilter {
        entity: q.entity,
        entity_id: q.entity_id,
        actor_user_id: q.actor_user_id,
        actor_client_id: q.actor_client_id,
        action: q.action,
        since: q.since,
        until: q.until,
    };
    let page = domain::access::audit::list(&state.db, filter, page).await?;
    let items = page
        .items
        .into_iter()
        .map(|e| AuditEntry {
            id: e.id,
            occurred_at: e.occurred_at,
            actor_user_id: e.actor_user_id,
            actor_client_id: e.actor_client_id,
            action: e.action,
            entity: e.entity,
            entity_id: e.entity_id,
            changes: e.changes,
            request_id: e.request_id,
            address: e.address,
        })
        .collect();
    Ok(HttpResponse::Ok().json(AuditEntryList {
        items,
        next_cursor: page.next_cursor,
    }))
}
