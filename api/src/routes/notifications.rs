//! The caller's own notifications (`/api/v1/notifications`): reminders
//! before deadlines, breaches (managers), tasks and digests.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use domain::{outbox::notifications::NotificationView, platform::page::PageRequest, platform::text::Msg};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::{
    auth::Authenticated,
    error::{ApiError, Problem},
    state::AppState,
};

#[derive(Debug, Serialize, ToSchema)]
pub struct Notification {
    pub id: Uuid,
    /// sla_reminder, sla_breach, inspection_task, visit_task, digest_daily, digest_weekly.
    pub kind: String,
    pub title: String,
    pub body: Option<String>,
    /// customer, deal, complaint, team.
    pub subject_type: Option<String>,
    pub subject_id: Option<Uuid>,
    /// The deadline a reminder, task or breach is about (for a visit task:
    /// the end of the 30 days after handover, not the handover itself).
    pub due_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

impl From<NotificationView> for Notification {
    fn from(n: NotificationView) -> Self {
        Self {
            id: n.id,
            kind: n.kind,
            title: n.title,
            body: n.body,
            subject_type: n.subject_type,
            subject_id: n.subject_id,
            due_at: n.due_at,
            created_at: n.created_at,
            read_at: n.read_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationList {
    pub items: Vec<Notification>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NotificationQuery {
    pub limit: Option<u64>,
    pub cursor: Option<String>,
    pub kind: Option<String>,
    /// Only unread notifications.
    pub unread: Option<bool>,
}

fn staff_only(caller: &Authenticated) -> Result<uuid::Uuid, ApiError> {
    caller
        .0
        .user_id()
        .ok_or(ApiError::Forbidden(Msg::NotificationsForStaff))
}

/// The caller's notifications, oldest first.
#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications", operation_id = "list_notifications",
    security(("bearer" = [])),
    params(NotificationQuery),
    responses(
        (status = 200, description = "A page of the caller's notifications", body = NotificationList),
        (status = 400, description = "Malformed query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A partner client (notifications are for staff)", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "limit out of range or a foreign cursor", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_notifications(
    caller: Authenticated,
    state: web::Data<AppState>,
    query: crate::extract::ApiQuery<NotificationQuery>,
) -> Result<HttpResponse, ApiError> {
    let user = staff_only(&caller)?;
    let q = query.into_inner();
    let page = PageRequest::new(q.limit, q.cursor.as_deref())?;
    let page = domain::outbox::notifications::list(&state.db, user, q.kind, q.unread.unwrap_or(false), page).await?;
    Ok(super::respond::page(page, |items, next_cursor| NotificationList {
        items,
        next_cursor,
    }))
}

/// Mark one of the caller's notifications read (marking it again changes nothing).
#[utoipa::path(post, path = "/api/v1/notifications/{id}/read", tag = "notifications", operation_id = "create_notification_read",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Notification id")),
    responses(
        (status = 200, description = "Read", body = Notification),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A partner client", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such notification of the caller's", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_notification_read(
    caller: Authenticated,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let user = staff_only(&caller)?;
    let notification = domain::outbox::notifications::mark_read(&state.db, user, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(Notification::from(notification)))
}
