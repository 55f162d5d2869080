//! Idempotent POSTs. The first request with a given key (per caller)
//! reserves it; its answer is stored and replayed to any retry within 24
//! hours. The same key with a different request is refused, and a key whose
//! first request is still running answers "in progress". Server errors are
//! not stored, so the request may be retried.

use chrono::{Duration, Utc};
use entities::idempotency_keys;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, sea_query::Expr};
use uuid::Uuid;

use crate::{platform::credentials, platform::error::DomainError};

/// How long an answer is replayed.
pub const RETENTION_HOURS: i64 = 24;

/// The stored first answer.
#[derive(Debug, Clone)]
pub struct Stored {
    pub status: u16,
    pub body: String,
    pub content_type: Option<String>,
    pub location: Option<String>,
}

/// What to do with a request carrying a key.
#[derive(Debug)]
pub enum Begin {
    /// First use: run the request, then `complete` or `abandon` this reservation.
    Proceed(Uuid),
    Replay(Stored),
    /// The key was used with a different request.
    Mismatch,
    /// The first request with this key has not finished.
    InProgress,
}

/// The fingerprint of a request: method, path with query, and body.
pub fn fingerprint(method: &str, path: &str, body: &[u8]) -> String {
    let mut material = Vec::with_capacity(method.len() + path.len() + body.len() + 2);
    material.extend_from_slice(method.as_bytes());
    material.push(b' ');
    material.extend_from_slice(path.as_bytes());
    material.push(b'\n');
    material.extend_from_slice(body);
    credentials::digest(&String::from_utf8_lossy(&material))
}

pub async fn begin(
    db: &impl ConnectionTrait,
    principal: &str,
    key: &str,
    fingerprint: &str,
) -> Result<Begin, DomainError> {
    let expired_before = Utc::now() - Duration::hours(RETENTION_HOURS);
    idempotency_keys::Entity::delete_many()
        .filter(idempotency_keys::Column::Principal.eq(principal))
        .filter(idempotency_keys::Column::Key.eq(key))
        .filter(idempotency_keys::Column::CreatedAt.lt(expired_before))
        .exec(db)
        .await?;
    let id = Uuid::now_v7();
    let reserved = idempotency_keys::ActiveModel {
        id: Set(id),
        principal: Set(principal.to_owned()),
        key: Set(key.to_owned()),
        fingerprint: Set(fingerprint.to_owned()),
        status: Set(None),
        body: Set(None),
        content_type: Set(None),
        location: Set(None),
        created_at: Set(Utc::now()),
    }
    .insert(db)
    .await;
    match reserved.map_err(DomainError::from) {
        Ok(_) => Ok(Begin::Proceed(id)),
        Err(DomainError::Conflict(_)) => {
            let Some(existing) = idempotency_keys::Entity::find()
                .filter(idempotency_keys::Column::Principal.eq(principal))
                .filter(idempotency_keys::Column::Key.eq(key))
                .one(db)
                .await?
            else {
                // Abandoned between our insert and this read: the caller may retry.
                return Ok(Begin::InProgress);
            };
            if existing.fingerprint != fingerprint {
                return Ok(Begin::Mismatch);
            }
            match (existing.status, existing.body) {
                (Some(status), Some(body)) => Ok(Begin::Replay(Stored {
                    status: u16::try_from(status).unwrap_or(200),
                    body,
                    content_type: existing.content_type,
                    location: existing.location,
                })),
                _ => Ok(Begin::InProgress),
            }
        }
        Err(e) => Err(e),
    }
}

/// Stores the answer of a reserved request.
pub async fn complete(db: &impl ConnectionTrait, id: Uuid, answer: Stored) -> Result<(), DomainError> {
    idempotency_keys::Entity::update_many()
        .col_expr(idempotency_keys::Column::Status, Expr::value(i32::from(answer.status)))
        .col_expr(idempotency_keys::Column::Body, Expr::value(answer.body))
        .col_expr(idempotency_keys::Column::ContentType, Expr::value(answer.content_type))
        .col_expr(idempotency_keys::Column::Location, Expr::value(answer.location))
        .filter(idempotency_keys::Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// Releases a reservation whose request failed on our side, so a retry runs it.
pub async fn abandon(db: &impl ConnectionTrait, id: Uuid) -> Result<(), DomainError> {
    idempotency_keys::Entity::delete_by_id(id).exec(db).await?;
    Ok(())
}
