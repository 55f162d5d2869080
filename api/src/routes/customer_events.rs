//! Customer events (`/api/v1/customer-events`): open days and themed events,
//! the customers invited to them and whether they came. Inviting the same
//! customer again returns the existing invitation.

use actix_web::{HttpResponse, http::header, web};
use chrono::{DateTime, FixedOffset, Utc};
use domain::{
    platform::page::PageRequest,
    sales::customer_events::{EventFilter, EventInput, EventView, InvitationView, Invited},
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::{
    auth::{Authorized, perm},
    error::{ApiError, Problem},
    extract::{ApiJson, IfMatch},
    state::AppState,
    vocab,
};

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a0c4-7d1e-7a51-9a43-3e0d5c1f2a10", "title": "样板间开放日", "kind": "open_day",
    "starts_at": "2026-12-05T02:00:00Z", "location": "售楼处", "created_by": "0193a0c4-5555-7000-8000-000000000005",
    "invited_count": 12, "attended_count": 0, "created_at": "2026-11-20T08:00:00Z", "updated_at": "2026-11-20T08:00:00Z"}))]
pub struct CustomerEvent {
    pub id: Uuid,
    pub title: String,
    #[schema(value_type = vocab::CustomerEventKind)]
    pub kind: String,
    pub starts_at: DateTime<Utc>,
    pub location: Option<String>,
    pub created_by: Option<Uuid>,
    /// Customers invited.
    pub invited_count: u64,
    /// Invited customers who came.
    pub attended_count: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<EventView> for CustomerEvent {
    fn from(v: EventView) -> Self {
        Self {
            id: v.id,
            title: v.title,
            kind: v.kind,
            starts_at: v.starts_at,
            location: v.location,
            created_by: v.created_by,
            invited_count: v.invited_count,
            attended_count: v.attended_count,
            created_at: v.created_at,
            updated_at: v.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerEventList {
    pub items: Vec<CustomerEvent>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"event_id": "0193a0c4-7d1e-7a51-9a43-3e0d5c1f2a10", "customer_id": "0193a0c4-6b2a-7c11-8f00-1a2b3c4d5e6f",
    "attended": false, "invited_by": "0193a0c4-5555-7000-8000-000000000005", "invited_at": "2026-11-21T08:00:00Z",
    "updated_at": "2026-11-21T08:00:00Z"}))]
pub struct Invitation {
    pub event_id: Uuid,
    pub customer_id: Uuid,
    pub attended: bool,
    pub invited_by: Option<Uuid>,
    pub invited_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<InvitationView> for Invitation {
    fn from(v: InvitationView) -> Self {
        Self {
            event_id: v.event_id,
            customer_id: v.customer_id,
            attended: v.attended,
            invited_by: v.invited_by,
            invited_at: v.invited_at,
            updated_at: v.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationList {
    pub items: Vec<Invitation>,
    pub next_cursor: Option<String>,
}

/// A new event; `starts_at` is RFC 3339 with offset.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"title": "样板间开放日", "kind": "open_day", "starts_at": "2026-12-05T10:00:00+08:00", "location": "售楼处"}))]
pub struct NewCustomerEventBody {
    pub title: String,
    #[schema(value_type = vocab::CustomerEventKind)]
    pub kind: String,
    #[serde(deserialize_with = "crate::extract::in_window")]
    pub starts_at: DateTime<FixedOffset>,
    pub location: Option<String>,
}

/// Only the fields given change; `null` clears the location.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"starts_at": "2026-12-06T10:00:00+08:00"}))]
pub struct CustomerEventPatch {
    pub title: Option<String>,
    #[schema(value_type = Option<vocab::CustomerEventKind>)]
    pub kind: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::in_window")]
    pub starts_at: Option<DateTime<FixedOffset>>,
    #[serde(default, deserialize_with = "crate::extract::present")]
    #[schema(value_type = Option<String>)]
    pub location: Option<Option<String>>,
}

/// The customer to invite.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"customer_id": "0193a0c4-6b2a-7c11-8f00-1a2b3c4d5e6f"}))]
pub struct NewInvitationBody {
    pub customer_id: Uuid,
}

/// Whether the invited customer came.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"attended": true}))]
pub struct InvitationPatch {
    pub attended: bool,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CustomerEventQuery {
    pub limit: Option<u64>,
    pub cursor: Option<String>,
    /// `created_at` (oldest first, the default) or `-created_at` (newest first).
    pub sort: Option<String>,
    #[param(value_type = Option<vocab::CustomerEventKind>)]
    pub kind: Option<String>,
    /// Starting at or after (RFC 3339).
    #[serde(default, deserialize_with = "crate::extract::in_window")]
    pub from: Option<DateTime<FixedOffset>>,
    /// Starting before (RFC 3339).
    #[serde(default, deserialize_with = "crate::extract::in_window")]
    pub to: Option<DateTime<FixedOffset>>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InvitationQuery {
    pub limit: Option<u64>,
    pub cursor: Option<String>,
}

/// Plan an open day or a themed event.
#[utoipa::path(post, path = "/api/v1/customer-events", tag = "customer-events", operation_id = "create_customer_event",
    security(("bearer" = [])),
    request_body = NewCustomerEventBody,
    responses(
        (status = 201, description = "Created; `Location` names it", body = CustomerEvent),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks customer_events:write", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_customer_event(
    caller: Authorized<perm::CustomerEventsWrite>,
    state: web::Data<AppState>,
    ApiJson(body): ApiJson<NewCustomerEventBody>,
) -> Result<HttpResponse, ApiError> {
    let input = EventInput {
        title: Some(body.title),
        kind: Some(body.kind),
        starts_at: Some(body.starts_at.with_timezone(&Utc)),
        location: Some(body.location),
    };
    let event = domain::sales::customer_events::create(&state.db, &caller.audit(), &caller.actor, input).await?;
    super::respond::created::<CustomerEvent, _>(format!("/api/v1/customer-events/{}", event.id), event)
}

/// Events within the caller's reach, with their counts.
#[utoipa::path(get, path = "/api/v1/customer-events", tag = "customer-events", operation_id = "list_customer_events",
    security(("bearer" = [])),
    params(CustomerEventQuery),
    responses(
        (status = 200, description = "A page of events, oldest first (newest first with `sort=-created_at`)", body = CustomerEventList),
        (status = 400, description = "Malformed query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks customer_events:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Unknown kind, limit out of range, a foreign cursor or an unknown sort", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_customer_events(
    caller: Authorized<perm::CustomerEventsRead>,
    state: web::Data<AppState>,
    query: crate::extract::ApiQuery<CustomerEventQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let page = PageRequest::new_sorted(q.limit, q.cursor.as_deref(), q.sort.as_deref())?;
    let filter = EventFilter {
        kind: q.kind,
        from: q.from.map(|t| t.with_timezone(&Utc)),
        to: q.to.map(|t| t.with_timezone(&Utc)),
    };
    let page = domain::sales::customer_events::list(&state.db, &caller.actor, caller.scope, filter, page).await?;
    Ok(super::respond::page(page, |items, next_cursor| CustomerEventList {
        items,
        next_cursor,
    }))
}

/// One event with its invitation and attendance counts.
#[utoipa::path(get, path = "/api/v1/customer-events/{id}", tag = "customer-events", operation_id = "get_customer_event",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Event id")),
    responses(
        (status = 200, description = "The event; `ETag` names its version", body = CustomerEvent),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks customer_events:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such event within the caller's reach", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_customer_event(
    caller: Authorized<perm::CustomerEventsRead>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let event = domain::sales::customer_events::get(&state.db, &caller.actor, caller.scope, id.into_inner()).await?;
    super::respond::tagged::<CustomerEvent, _>(event)
}

/// Change an event's title, kind, time or location.
#[utoipa::path(patch, path = "/api/v1/customer-events/{id}", tag = "customer-events", operation_id = "update_customer_event",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Event id"),
        ("If-Match" = Option<String>, Header, description = "Apply only if the event still has this ETag"),
    ),
    request_body = CustomerEventPatch,
    responses(
        (status = 200, description = "Changed; `ETag` names the new version", body = CustomerEvent),
        (status = 400, description = "Malformed JSON or bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks customer_events:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such event within the caller's reach", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names an older version", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_customer_event(
    caller: Authorized<perm::CustomerEventsWrite>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    if_match: IfMatch,
    ApiJson(body): ApiJson<CustomerEventPatch>,
) -> Result<HttpResponse, ApiError> {
    let input = EventInput {
        title: body.title,
        kind: body.kind,
        starts_at: body.starts_at.map(|t| t.with_timezone(&Utc)),
        location: body.location,
    };
    let event = domain::sales::customer_events::update(
        &state.db,
        &caller.audit(),
        &caller.actor,
        caller.scope,
        id.into_inner(),
        input,
        if_match.as_deref(),
    )
    .await?;
    super::respond::tagged::<CustomerEvent, _>(event)
}

fn invitation_location(v: &InvitationView) -> (header::HeaderName, String) {
    (
        header::LOCATION,
        format!("/api/v1/customer-events/{}/invitations/{}", v.event_id, v.customer_id),
    )
}

/// Invite a customer the caller can read. Inviting again returns the
/// existing invitation (200) instead of a second one.
#[utoipa::path(post, path = "/api/v1/customer-events/{id}/invitations", tag = "customer-events", operation_id = "create_event_invitation",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Event id")),
    request_body = NewInvitationBody,
    responses(
        (status = 201, description = "Invited; `Location` names the invitation", body = Invitation),
        (status = 200, description = "Invited before: the existing invitation", body = Invitation),
        (status = 400, description = "Malformed JSON or bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks customer_events:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such event within the caller's reach", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "No such customer that the caller can read", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_event_invitation(
    caller: Authorized<perm::CustomerEventsWrite>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    ApiJson(body): ApiJson<NewInvitationBody>,
) -> Result<HttpResponse, ApiError> {
    let customers_scope = caller.actor.scope("customers:read");
    let (db, audit, actor) = (&state.db, caller.audit(), &caller.actor);
    let event_id = id.into_inner();
    match domain::sales::customer_events::invite(
        db,
        &audit,
        actor,
        caller.scope,
        customers_scope,
        event_id,
        body.customer_id,
    )
    .await?
    {
        Invited::New(i) => Ok(HttpResponse::Created()
            .insert_header(invitation_location(&i))
            .json(Invitation::from(i))),
        Invited::Existing(i) => Ok(HttpResponse::Ok()
            .insert_header(invitation_location(&i))
            .json(Invitation::from(i))),
    }
}

/// The customers invited to an event.
#[utoipa::path(get, path = "/api/v1/customer-events/{id}/invitations", tag = "customer-events", operation_id = "list_event_invitations",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Event id"), InvitationQuery),
    responses(
        (status = 200, description = "A page of invitations, by customer", body = InvitationList),
        (status = 400, description = "Malformed query or bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks customer_events:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such event within the caller's reach", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "limit out of range or a foreign cursor", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_event_invitations(
    caller: Authorized<perm::CustomerEventsRead>,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: crate::extract::ApiQuery<InvitationQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let page = PageRequest::new(q.limit, q.cursor.as_deref())?;
    let page =
        domain::sales::customer_events::invitations(&state.db, &caller.actor, caller.scope, id.into_inner(), page)
            .await?;
    Ok(super::respond::page(page, |items, next_cursor| InvitationList {
        items,
        next_cursor,
    }))
}

/// One invitation.
#[utoipa::path(get, path = "/api/v1/customer-events/{id}/invitations/{customer_id}", tag = "customer-events", operation_id = "get_event_invitation",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Event id"),
        ("customer_id" = Uuid, Path, description = "Customer id"),
    ),
    responses(
        (status = 200, description = "The invitation", body = Invitation),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks customer_events:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such event within the caller's reach, or the customer is not invited", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_event_invitation(
    caller: Authorized<perm::CustomerEventsRead>,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
) -> Result<HttpResponse, ApiError> {
    let (event_id, customer_id) = path.into_inner();
    let invitation =
        domain::sales::customer_events::invitation(&state.db, &caller.actor, caller.scope, event_id, customer_id)
            .await?;
    Ok(HttpResponse::Ok().json(Invitation::from(invitation)))
}

/// Record whether an invited customer came (only once the event has started).
#[utoipa::path(put, path = "/api/v1/customer-events/{id}/invitations/{customer_id}", tag = "customer-events", operation_id = "update_event_invitation",
    security(("bearer" = [])),
    params(
        ("id" = Uuid, Path, description = "Event id"),
        ("customer_id" = Uuid, Path, description = "Customer id"),
    ),
    request_body = InvitationPatch,
    responses(
        (status = 200, description = "Recorded", body = Invitation),
        (status = 400, description = "Malformed JSON or bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks customer_events:write", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such event within the caller's reach, or the customer is not invited", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Attendance before the event has started", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_event_invitation(
    caller: Authorized<perm::CustomerEventsWrite>,
    state: web::Data<AppState>,
    path: web::Path<(Uuid, Uuid)>,
    ApiJson(body): ApiJson<InvitationPatch>,
) -> Result<HttpResponse, ApiError> {
    let (event_id, customer_id) = path.into_inner();
    let (db, audit, actor) = (&state.db, caller.audit(), &caller.actor);
    let invitation = domain::sales::customer_events::set_attended(
        db,
        &audit,
        actor,
        caller.scope,
        event_id,
        customer_id,
        body.attended,
    )
    .await?;
    Ok(HttpResponse::Ok().json(Invitation::from(invitation)))
}
