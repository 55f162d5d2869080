//! Console sessions: a browser's sign-in to the admin console, kept in the
//! database. The cookie carries a random id whose SHA-256 is stored; each
//! session has its own CSRF secret, ends after `console_idle_timeout_secs`
//! without a request or `console_session_ttl_secs` after sign-in, and ends
//! at once on sign-out. The user behind it is loaded afresh on every
//! request (as for tokens), so disabling the account or revoking a role
//! takes effect on the next page.

use chrono::{DateTime, Duration, Utc};
use entities::console_sessions as sessions;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, sea_query::Expr};
use uuid::Uuid;

use crate::{
    access::audit::{self, AuditContext},
    platform::{credentials, error::DomainError, settings::Settings, text::Locale},
};

/// The audit log's name for a console session (sign-in, sign-out).
const AUDIT_ENTITY: &str = "console_session";

/// Letters and digits in a session id and in a CSRF secret (~285 bits).
const SECRET_LEN: usize = 48;
/// A session's last request is recorded at most this often (one write per
/// minute of activity, not one per page).
const TOUCH_EVERY_SECS: i64 = 60;

/// A live console session.
#[derive(Debug, Clone)]
pub struct Session {
    pub id: Uuid,
    pub user_id: Uuid,
    /// What every state-changing request of this session must carry.
    pub csrf_token: String,
    /// The language chosen on the console's pages, if any.
    pub locale: Option<Locale>,
    /// The message the page shows once, taken from the session as it loads.
    pub flash: Option<String>,
    pub expires_at: DateTime<Utc>,
}

/// Sessions ended or expired this long ago are deleted (the audit log
/// keeps each sign-in and sign-out).
const KEEP_ENDED_DAYS: i64 = 7;

/// Starts a session for `user_id` (signed in through `ctx`'s request,
/// recorded in the audit log); returns the cookie's value and the session.
/// Sessions long over are deleted on the way (a small table: one row per
/// sign-in).
pub async fn start(
    db: &impl ConnectionTrait,
    settings: &Settings,
    user_id: Uuid,
    locale: Option<Locale>,
    ctx: &AuditContext,
) -> Result<(String, Session), DomainError> {
    let token = credentials::generate(SECRET_LEN);
    let now = Utc::now();
    let long_ago = now - Duration::days(KEEP_ENDED_DAYS);
    sessions::Entity::delete_many()
        .filter(
            sea_orm::Condition::any()
                .add(sessions::Column::ExpiresAt.lt(long_ago))
                .add(sessions::Column::EndedAt.lt(long_ago)),
        )
        .exec(db)
        .await?;
    let ttl = i64::try_from(settings.console_session_ttl_secs).unwrap_or(i64::MAX / 2);
    let row = sessions::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(user_id),
        token_hash: Set(credentials::digest(&token)),
        csrf_token: Set(credentials::generate(SECRET_LEN)),
        locale: Set(locale.map(|l| l.tag().to_owned())),
        flash: Set(None),
        created_at: Set(now),
        last_seen_at: Set(now),
        expires_at: Set(now + Duration::seconds(ttl)),
        ended_at: Set(None),
    }
    .insert(db)
    .await?;
    let ctx = AuditContext {
        actor_user_id: Some(user_id),
        ..ctx.clone()
    };
    audit::record(db, &ctx, "sign_in", AUDIT_ENTITY, row.id, None, None).await?;
    Ok((token, session_of(row)))
}

/// The live session the cookie value `token` names, recording this request
/// as its last; `None` if it is unknown, ended, idle too long or past its
/// absolute expiry. A waiting flash message is handed over and cleared.
pub async fn resume(
    db: &impl ConnectionTrait,
    settings: &Settings,
    token: &str,
) -> Result<Option<Session>, DomainError> {
    let now = Utc::now();
    let idle = i64::try_from(settings.console_idle_timeout_secs).unwrap_or(i64::MAX / 2);
    let Some(row) = sessions::Entity::find()
        .filter(sessions::Column::TokenHash.eq(credentials::digest(token)))
        .filter(sessions::Column::EndedAt.is_null())
        .filter(sessions::Column::ExpiresAt.gt(now))
        .filter(sessions::Column::LastSeenAt.gt(now - Duration::seconds(idle)))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    if row.flash.is_some() || now - row.last_seen_at >= Duration::seconds(TOUCH_EVERY_SECS) {
        sessions::Entity::update_many()
            .col_expr(sessions::Column::LastSeenAt, Expr::value(now))
            .col_expr(sessions::Column::Flash, Expr::value(Option::<String>::None))
            .filter(sessions::Column::Id.eq(row.id))
            .exec(db)
            .await?;
    }
    Ok(Some(session_of(row)))
}

/// Ends the session (sign-out); an ended session stays ended.
pub async fn end(db: &impl ConnectionTrait, id: Uuid) -> Result<(), DomainError> {
    sessions::Entity::update_many()
        .col_expr(sessions::Column::EndedAt, Expr::value(Utc::now()))
        .filter(sessions::Column::Id.eq(id))
        .filter(sessions::Column::EndedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Signs out: ends the session and records it in the audit log.
pub async fn sign_out(db: &impl ConnectionTrait, id: Uuid, ctx: &AuditContext) -> Result<(), DomainError> {
    end(db, id).await?;
    audit::record(db, ctx, "sign_out", AUDIT_ENTITY, id, None, None).await
}

/// Ends every session of `user_id` (its password was reset).
pub async fn end_all_of(db: &impl ConnectionTrait, user_id: Uuid) -> Result<(), DomainError> {
    sessions::Entity::update_many()
        .col_expr(sessions::Column::EndedAt, Expr::value(Utc::now()))
        .filter(sessions::Column::UserId.eq(user_id))
        .filter(sessions::Column::EndedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Chooses the language of the session's pages.
pub async fn set_locale(db: &impl ConnectionTrait, id: Uuid, locale: Locale) -> Result<(), DomainError> {
    sessions::Entity::update_many()
        .col_expr(sessions::Column::Locale, Expr::value(locale.tag()))
        .filter(sessions::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Leaves `message` for the session's next page (the answer to an action).
pub async fn flash(db: &impl ConnectionTrait, id: Uuid, message: &str) -> Result<(), DomainError> {
    sessions::Entity::update_many()
        .col_expr(sessions::Column::Flash, Expr::value(message))
        .filter(sessions::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Whether `offered` is the session's CSRF secret (compared in constant time).
pub fn csrf_matches(session: &Session, offered: &str) -> bool {
    credentials::same_digest(&session.csrf_token, offered)
}

fn session_of(row: sessions::Model) -> Session {
    Session {
        id: row.id,
        user_id: row.user_id,
        csrf_token: row.csrf_token,
        locale: row.locale.as_deref().and_then(Locale::from_tag),
        flash: row.flash,
        expires_at: row.expires_at,
    }
}
