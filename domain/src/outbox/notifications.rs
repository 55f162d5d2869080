//! Each user's notifications: reminders before a deadline, breaches for the
//! manager, tasks (inspection, visit) and digests. A notification is written
//! in its recipient's language, its instants in the business time zone, and
//! carries a dedupe key, so a job that runs twice notifies once.

use std::collections::HashMap;

use crate::platform::text::{Locale, Msg, Reader};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use entities::{notifications, users};

/// What a notification is about, stored and named as `entities` spells it.
pub use entities::notifications::NotificationKind as Kind;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set, sea_query::Expr};
use serde::Serialize;
use uuid::Uuid;

use crate::{
    platform::error::DomainError,
    platform::page::{Page, PageRequest},
};

/// A notification to send; its texts are rendered for the recipient.
#[derive(Debug, Clone)]
pub struct Notice {
    pub user_id: Uuid,
    pub kind: Kind,
    pub title: Msg,
    pub body: Option<Msg>,
    pub subject_type: Option<&'static str>,
    pub subject_id: Option<Uuid>,
    /// The deadline it is about, if any (a reminder, a task, a breach).
    pub due_at: Option<DateTime<Utc>>,
    /// Unique per notification; notifying twice with one key notifies once.
    pub dedupe_key: String,
}

/// Writes the notices, each in its recipient's language (`users.locale`,
/// zh-CN if it is none of ours) with instants in the business time zone
/// `tz`. The recipients' languages are read in one query.
pub async fn notify(db: &impl ConnectionTrait, tz: Tz, notices: Vec<Notice>) -> Result<(), DomainError> {
    if notices.is_empty() {
        return Ok(());
    }
    let recipients: HashMap<Uuid, String> = users::Entity::find()
        .select_only()
        .column(users::Column::Id)
        .column(users::Column::Locale)
        .filter(users::Column::Id.is_in(notices.iter().map(|n| n.user_id)))
        .into_tuple::<(Uuid, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let now = Utc::now();
    let rows = notices.into_iter().map(|notice| {
        let locale = recipients
            .get(&notice.user_id)
            .and_then(|tag| Locale::from_tag(tag))
            .unwrap_or_default();
        let reader = Reader::new(locale, tz);
        notifications::ActiveModel {
            id: Set(Uuid::now_v7()),
            user_id: Set(notice.user_id),
            kind: Set(notice.kind),
            title: Set(notice.title.render(&reader)),
            body: Set(notice.body.map(|body| body.render(&reader))),
            subject_type: Set(notice.subject_type.map(str::to_owned)),
            subject_id: Set(notice.subject_id),
            due_at: Set(notice.due_at),
            dedupe_key: Set(notice.dedupe_key),
            created_at: Set(now),
            read_at: Set(None),
        }
    });
    notifications::Entity::insert_many(rows)
        .on_conflict_do_nothing_on([notifications::Column::DedupeKey])
        .exec(db)
        .await?;
    Ok(())
}

#[derive(Debug, Clone, Serialize)]
pub struct NotificationView {
    pub id: Uuid,
    pub kind: String,
    pub title: String,
    pub body: Option<String>,
    pub subject_type: Option<String>,
    pub subject_id: Option<Uuid>,
    pub due_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub read_at: Option<DateTime<Utc>>,
}

impl From<notifications::Model> for NotificationView {
    fn from(m: notifications::Model) -> Self {
        Self {
            id: m.id,
            kind: m.kind.to_string(),
            title: m.title,
            body: m.body,
            subject_type: m.subject_type,
            subject_id: m.subject_id,
            due_at: m.due_at,
            created_at: m.created_at,
            read_at: m.read_at,
        }
    }
}

/// A user's notifications, oldest first; only unread ones if asked.
pub async fn list(
    db: &impl ConnectionTrait,
    user_id: Uuid,
    kind: Option<String>,
    unread_only: bool,
    page: PageRequest,
) -> Result<Page<NotificationView>, DomainError> {
    use notifications::Column as C;
    let mut query = notifications::Entity::find().filter(C::UserId.eq(user_id));
    if let Some(kind) = kind {
        query = query.filter(C::Kind.eq(kind));
    }
    if unread_only {
        query = query.filter(C::ReadAt.is_null());
    }
    Ok(page
        .fetch(db, query, C::Id, |n| n.id)
        .await?
        .map(NotificationView::from))
}

/// Marks one of the user's notifications read (again: no change).
pub async fn mark_read(db: &impl ConnectionTrait, user_id: Uuid, id: Uuid) -> Result<NotificationView, DomainError> {
    use notifications::Column as C;
    notifications::Entity::update_many()
        .col_expr(C::ReadAt, Expr::value(Utc::now()))
        .filter(C::Id.eq(id))
        .filter(C::UserId.eq(user_id))
        .filter(C::ReadAt.is_null())
        .exec(db)
        .await?;
    notifications::Entity::find_by_id(id)
        .filter(C::UserId.eq(user_id))
        .one(db)
        .await?
        .map(NotificationView::from)
        .ok_or(DomainError::NotFound(Msg::NounNotification))
}
