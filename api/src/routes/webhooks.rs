//! Partner webhooks (`/api/v1/webhooks`): a partner manages its own
//! subscriptions and reads their delivery log; administrators reach all.
//! The signing secret is in the answer to creation and rotation only.

use actix_web::{HttpResponse, http::header, web};
use chrono::{DateTime, Utc};
use domain::{
    outbox::webhooks::{
        deliveries::{AttemptView, DeliveryDetail, DeliveryView},
        destinations::Destinations,
        subscriptions::{WebhookInput, WebhookView},
    },
    platform::page::PageRequest,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::{
    auth::{Authorized, perm},
    error::{ApiError, Problem},
    extract::{ApiJson, IfMatch},
    language::Reading,
    state::AppState,
    vocab,
};

#[derive(Debug, Serialize, ToSchema)]
pub struct Webhook {
    pub id: Uuid,
    /// The partner API client (row id) the subscription belongs to.
    pub client_id: Uuid,
    #[schema(example = "https://partner.example.com/estateflow/hooks")]
    pub url: String,
    #[schema(example = json!(["customer.created", "deal.stage_changed"]))]
    pub events: Vec<String>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<WebhookView> for Webhook {
    fn from(v: WebhookView) -> Self {
        Self {
            id: v.id,
            client_id: v.client_id,
            url: v.url,
            events: v.events,
            active: v.active,
            created_at: v.created_at,
            updated_at: v.updated_at,
        }
    }
}

/// A subscription with its signing secret: shown once, store it now.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookWithSecret {
    #[serde(flatten)]
    pub webhook: Webhook,
    /// Key of the HMAC-SHA256 in `X-EstateFlow-Signature`.
    #[schema(example = "whsec_5f2b9c0e4d7a81f3c6b2e9d0a4f7c1b8e3d6a9f2c5b8e1d4a7f0c3b6e9d2a5f8")]
    pub secret: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookList {
    pub items: Vec<Webhook>,
    pub next_cursor: Option<String>,
}

/// A new subscription.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"url": "https://partner.example.com/estateflow/hooks", "events": ["customer.created", "customer.assigned"]}))]
pub struct NewWebhookBody {
    /// http or https, at most 2000 characters, on a public address (see
    /// `ESTATEFLOW_WEBHOOK_ALLOW_PRIVATE_NETWORKS`).
    pub url: String,
    /// Events from the catalog (see docs/api/webhooks.md).
    pub events: Vec<String>,
    /// Default true.
    pub active: Option<bool>,
    /// Administrators only, and required for them: the partner API client (row id) to subscribe.
    pub client_id: Option<Uuid>,
}

/// Only the fields given change.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"active": false}))]
pub struct WebhookPatch {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    pub active: Option<bool>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WebhookQuery {
    pub limit: Option<u64>,
    pub cursor: Option<String>,
    /// `created_at` (oldest first, the default) or `-created_at` (newest first).
    pub sort: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeliveryQuery {
    pub limit: Option<u64>,
    pub cursor: Option<String>,
    /// `created_at` (oldest first, the default) or `-created_at` (newest first).
    pub sort: Option<String>,
    /// `pending`, `succeeded`, `failed` (retrying) or `dead`.
    #[param(value_type = Option<vocab::DeliveryStatus>)]
    pub status: Option<String>,
}

/// One event for one subscription.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "019ac5d2-7c1e-7b3a-9f00-2b6c1d0e4f11", "webhook_id": "019ac5d0-11aa-7c3d-8e00-5a4b3c2d1e0f",
    "event_id": "019ac5d2-7c1d-7e2f-a100-9d8c7b6a5f4e", "event": "customer.created",
    "payload": {"customer_id": "019ac5d2-7c10-7000-8000-000000000001", "external_id": "lead-20261127-0042", "status": "new"},
    "status": "succeeded", "attempts": 3, "last_status_code": 200, "last_error_code": null, "last_error": null, "next_attempt_at": null,
    "delivered_at": "2026-11-27T08:00:31Z", "created_at": "2026-11-27T08:00:00Z", "updated_at": "2026-11-27T08:00:31Z"}))]
pub struct WebhookDelivery {
    pub id: Uuid,
    pub webhook_id: Uuid,
    /// The same for every subscription and every attempt: deduplicate on it.
    pub event_id: Uuid,
    pub event: String,
    /// The event's `data`.
    pub payload: Value,
    /// `pending`, `succeeded`, `failed` (another attempt is scheduled) or `dead` (given up).
    #[schema(value_type = vocab::DeliveryStatus)]
    pub status: String,
    pub attempts: i32,
    pub last_status_code: Option<i32>,
    /// Why the last attempt failed, as a stable code; `null` after a success.
    #[schema(value_type = Option<vocab::DeliveryFailure>)]
    pub last_error_code: Option<String>,
    /// The same in a sentence in the reader's language, with the technical cause.
    pub last_error: Option<String>,
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<DeliveryView> for WebhookDelivery {
    fn from(v: DeliveryView) -> Self {
        Self {
            id: v.id,
            webhook_id: v.webhook_id,
            event_id: v.event_id,
            event: v.event,
            payload: v.payload,
            status: v.status,
            attempts: v.attempts,
            last_status_code: v.last_status_code,
            last_error_code: v.last_error_code,
            last_error: v.last_error,
            next_attempt_at: v.next_attempt_at,
            delivered_at: v.delivered_at,
            created_at: v.created_at,
            updated_at: v.updated_at,
        }
    }
}

/// One attempt: what the receiver answered.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookAttempt {
    pub attempt: i32,
    pub attempted_at: DateTime<Utc>,
    /// The HTTP status, if the receiver answered.
    #[schema(example = 500)]
    pub status_code: Option<i32>,
    /// Why the attempt failed, as a stable code.
    #[schema(value_type = Option<vocab::DeliveryFailure>)]
    pub error_code: Option<String>,
    /// The same in a sentence in the reader's language (status, connection error, timeout).
    pub error: Option<String>,
    /// The start of the answer's body (at most 2 KB).
    pub response: Option<String>,
    pub duration_ms: i32,
}

impl From<AttemptView> for WebhookAttempt {
    fn from(v: AttemptView) -> Self {
        Self {
            attempt: v.attempt,
            attempted_at: v.attempted_at,
            status_code: v.status_code,
            error_code: v.error_code,
            error: v.error,
            response: v.response,
            duration_ms: v.duration_ms,
        }
    }
}

/// A delivery with its log of attempts, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookDeliveryDetail {
    #[serde(flatten)]
    pub delivery: WebhookDelivery,
    pub attempt_log: Vec<WebhookAttempt>,
}

impl From<DeliveryDetail> for WebhookDeliveryDetail {
    fn from(d: DeliveryDetail) -> Self {
        Self {
            delivery: d.delivery.into(),
            attempt_log: d.attempts.into_iter().map(WebhookAttempt::from).collect(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookDeliveryList {
    pub items: Vec<WebhookDelivery>,
    pub next_cursor: Option<String>,
}

/// Subscriptions within the caller's reach (a partner's own).
#[utoipa::path(get, path = "/api/v1/webhooks", tag = "webhooks", operation_id = "list_webhooks",
    security(("bearer" = [])),
    params(WebhookQuery),
    responses(
        (status = 200, description = "A page of subscriptions, without their secrets", body = WebhookList),
        (status = 400, description = "Malformed query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks webhooks:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "limit out of range, a foreign cursor or an unknown sort", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_webhooks(
    caller: Authorized<perm::WebhooksRead>,
    state: web::Data<AppState>,
    query: crate::extract::ApiQuery<WebhookQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let page = PageRequest::new_sorted(q.limit, q.cursor.as_deref(), q.sort.as_deref())?;
    let page = domain::outbox::webhooks::subscriptions::list(&state.db, &caller.actor, caller.scope, page).await?;
    Ok(super::respond::page(page, |items, next_cursor| WebhookList {
        items,
        next_cursor,
    }))
}

/// Subscribe to events; the answer holds the signing secret, once.
#[utoipa::path(post, path = "/api/v1/webhooks", tag = "webhooks", operation_id = "create_webhook",
    security(("bearer" = [])),
    request_body = NewWebhookBody,
    responses(
        (status = 201, description = "Subscribed", body = WebhookWithSecret),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks webhooks:write", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad URL, unknown events, or a client_id the caller may not name", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_webhook(
    caller: Authorized<perm::WebhooksWrite>,
    state: web::Data<AppState>,
    ApiJson(body): ApiJson<NewWebhookBody>,
) -> Result<HttpResponse, ApiError> {
    let input = WebhookInput {
        url: Some(body.url),
        events: Some(body.events),
        active: body.active,
        client_id: body.client_id,
        destinations: Destinations::of(&state.settings),
    };
    let (webhook, secret) =
        domain::outbox::webhooks::subscriptions::create(&state.db, &caller.audit(), &caller.actor, caller.scope, input)
            .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/webhooks/{}", webhook.id)))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header(super::respond::etag(&webhook)?)
        .json(WebhookWithSecret {
            webhook: webhook.into(),
            secret,
        }))
}

/// One subscription, without its secret.
#[utoipa::path(get, path = "/api/v1/webhooks/{id}", tag = "webhooks", operation_id = "get_webhook",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Webhook id")),
    responses(
        (status = 200, description = "The subscription; `ETag` names its version", body = Webhook),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks webhooks:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription within the caller's reach", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_webhook(
    caller: Authorized<perm::WebhooksRead>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let webhook =
        domain::outbox::webhooks::subscriptions::get(&state.db, &caller.actor, caller.scope, id.into_inner()).await?;
    super::respond::tagged::<Webhook, _>(webhook)
}

/// Change a subscription's URL or events, or pause and resume it (`active`).
#[utoipa::path(patch, path = "/api/v1/webhooks/{id}", tag = "webhooks", operation_id = "update_webhook",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Webhook id"),
        ("If-Match" = Option<String>, Header, description = "Apply only if the subscription still has this ETag"),
    ),
    request_body = WebhookPatch,
    responses(
        (status = 200, description = "Changed; `ETag` names the new version", body = Webhook),
        (status = 400, description = "Malformed JSON or bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks webhooks:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription within the caller's reach", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names an older version", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad URL or unknown events", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_webhook(
    caller: Authorized<perm::WebhooksWrite>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    ApiJson(body): ApiJson<WebhookPatch>,
) -> Result<HttpResponse, ApiError> {
    let input = WebhookInput {
        url: body.url,
        events: body.events,
        active: body.active,
        client_id: None,
        destinations: Destinations::of(&state.settings),
    };
    let (actor, scope, audit) = (&caller.actor, caller.scope, caller.audit());
    let webhook = domain::outbox::webhooks::subscriptions::update(
        &state.db,
        &audit,
        actor,
        scope,
        id.into_inner(),
        input,
        if_match.as_deref(),
    )
    .await?;
    super::respond::tagged::<Webhook, _>(webhook)
}

/// Delete a subscription with its delivery log; pending attempts are dropped.
#[utoipa::path(delete, path = "/api/v1/webhooks/{id}", tag = "webhooks", operation_id = "delete_webhook",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Webhook id")),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks webhooks:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription within the caller's reach", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn delete_webhook(
    caller: Authorized<perm::WebhooksWrite>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    domain::outbox::webhooks::subscriptions::delete(
        &state.db,
        &caller.audit(),
        &caller.actor,
        caller.scope,
        id.into_inner(),
    )
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Replace the signing secret; deliveries sent from now on use the new one.
#[utoipa::path(post, path = "/api/v1/webhooks/{id}/secret", tag = "webhooks", operation_id = "create_webhook_secret",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Webhook id")),
    responses(
        (status = 200, description = "The subscription with its new secret, shown once", body = WebhookWithSecret),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks webhooks:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription within the caller's reach", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_webhook_secret(
    caller: Authorized<perm::WebhooksWrite>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let (actor, scope, audit) = (&caller.actor, caller.scope, caller.audit());
    let (webhook, secret) =
        domain::outbox::webhooks::subscriptions::rotate_secret(&state.db, &audit, actor, scope, id.into_inner())
            .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(WebhookWithSecret {
            webhook: webhook.into(),
            secret,
        }))
}

/// The deliveries of a subscription, optionally of one status.
#[utoipa::path(get, path = "/api/v1/webhooks/{id}/deliveries", tag = "webhooks", operation_id = "list_webhook_deliveries",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Webhook id"), DeliveryQuery),
    responses(
        (status = 200, description = "A page of deliveries", body = WebhookDeliveryList),
        (status = 400, description = "Malformed query or bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks webhooks:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription within the caller's reach", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown status, limit out of range, a foreign cursor or an unknown sort", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_webhook_deliveries(
    caller: Authorized<perm::WebhooksRead>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: crate::extract::ApiQuery<DeliveryQuery>,
    Reading(reader): Reading,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let page = PageRequest::new_sorted(q.limit, q.cursor.as_deref(), q.sort.as_deref())?;
    let (actor, scope) = (&caller.actor, caller.scope);
    let page = domain::outbox::webhooks::deliveries::list_deliveries(
        &state.db,
        actor,
        scope,
        id.into_inner(),
        q.status,
        page,
        &reader,
    )
    .await?;
    Ok(super::respond::page(page, |items, next_cursor| WebhookDeliveryList {
        items,
        next_cursor,
    }))
}

/// One delivery with its log of attempts.
#[utoipa::path(get, path = "/api/v1/webhooks/{id}/deliveries/{delivery_id}", tag = "webhooks", operation_id = "get_webhook_delivery",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Webhook id"), ("delivery_id" = Uuid, Path, description = "Delivery id")),
    responses(
        (status = 200, description = "The delivery and its attempts, oldest first", body = WebhookDeliveryDetail),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks webhooks:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription or delivery within the caller's reach", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_webhook_delivery(
    caller: Authorized<perm::WebhooksRead>,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
    Reading(reader): Reading,
) -> Result<HttpResponse, ApiError> {
    let (webhook_id, id) = path.into_inner();
    let detail = domain::outbox::webhooks::deliveries::get_delivery(
        &state.db,
        &caller.actor,
        caller.scope,
        webhook_id,
        id,
        &reader,
    )
    .await?;
    Ok(HttpResponse::Ok().json(WebhookDeliveryDetail::from(detail)))
}

/// Send a delivery again now, whatever its status; poll the delivery for the result.
#[utoipa::path(post, path = "/api/v1/webhooks/{id}/deliveries/{delivery_id}/redeliver", tag = "webhooks",
    operation_id = "create_webhook_redelivery",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Webhook id"), ("delivery_id" = Uuid, Path, description = "Delivery id")),
    responses(
        (status = 202, description = "An attempt is scheduled now; `Location` is the delivery to poll", body = WebhookDelivery),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks webhooks:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such subscription or delivery within the caller's reach", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_webhook_redelivery(
    caller: Authorized<perm::WebhooksWrite>,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
    Reading(reader): Reading,
) -> Result<HttpResponse, ApiError> {
    let (webhook_id, id) = path.into_inner();
    let (actor, scope, audit) = (&caller.actor, caller.scope, caller.audit());
    let delivery =
        domain::outbox::webhooks::deliveries::redeliver(&state.db, &audit, actor, scope, webhook_id, id, &reader)
            .await?;
    Ok(HttpResponse::Accepted()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/webhooks/{webhook_id}/deliveries/{id}"),
        ))
        .json(WebhookDelivery::from(delivery)))
}
