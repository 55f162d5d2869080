//! Sign-in sessions: refresh tokens and failed-sign-in throttling.
//!
//! A password sign-in starts a family of refresh tokens. Each refresh
//! spends its token and issues the next one in the family; a spent token
//! presented again means it was copied, so the whole family is revoked and
//! the thief and the victim both have to sign in again (RFC 6819 §5.2.2.3).

use chrono::{Duration, Utc};
use entities::{login_failures, refresh_tokens};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    Set, TransactionSession, TransactionTrait, sea_query::Expr,
};
use uuid::Uuid;

use crate::{
    platform::credentials, platform::error::DomainError, platform::secret::Secret, platform::settings::Settings,
};

/// Letters and digits in a refresh token (~285 bits).
const REFRESH_TOKEN_LEN: usize = 48;

/// Starts a new family for `user_id`; returns the refresh token to hand out.
async fn start(db: &impl ConnectionTrait, settings: &Settings, user_id: Uuid) -> Result<String, DomainError> {
    issue(db, settings, user_id, Uuid::now_v7()).await
}

async fn issue(
    db: &impl ConnectionTrait,
    settings: &Settings,
    user_id: Uuid,
    family_id: Uuid,
) -> Result<String, DomainError> {
    let token = credentials::generate(REFRESH_TOKEN_LEN);
    let now = Utc::now();
    let ttl = i64::try_from(settings.refresh_token_ttl_secs).unwrap_or(i64::MAX / 2);
    refresh_tokens::ActiveModel {
        id: Set(Uuid::now_v7()),
        family_id: Set(family_id),
        user_id: Set(user_id),
        token_hash: Set(credentials::digest(&token)),
        created_at: Set(now),
        expires_at: Set(now + Duration::seconds(ttl)),
        used_at: Set(None),
        revoked_at: Set(None),
    }
    .insert(db)
    .await?;
    Ok(token)
}

/// Why a refresh token was refused; the caller sees `invalid_grant` for all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    Unknown,
    Expired,
    Revoked,
    /// A spent token came back: its family is now revoked.
    Reused,
    /// The account is disabled or gone.
    AccountInactive,
}

/// The outcome of a password sign-in.
#[derive(Debug)]
pub enum SignIn {
    /// Signed in: the user and the first refresh token of a new family.
    Signed { user_id: Uuid, refresh_token: String },
    /// Too many recent failures for the account or the address.
    Throttled { retry_after: u64 },
    /// Wrong e-mail or password, or a disabled account (recorded as a failure).
    Refused,
}

/// Signs a user in with e-mail and password from `address`, throttling
/// repeated failures per account and per address.
pub async fn sign_in(
    db: &(impl ConnectionTrait + TransactionTrait),
    settings: &Settings,
    email: &str,
    password: &Secret,
    address: &str,
) -> Result<SignIn, DomainError> {
    Ok(match check_password(db, settings, email, password, address).await? {
        Checked::Valid(user_id) => SignIn::Signed {
            user_id,
            refresh_token: start(db, settings, user_id).await?,
        },
        Checked::Throttled { retry_after } => SignIn::Throttled { retry_after },
        Checked::Refused => SignIn::Refused,
    })
}

/// The outcome of checking a password, before any session starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checked {
    /// The e-mail and password of this active user.
    Valid(Uuid),
    /// Too many recent failures for the account or the address.
    Throttled { retry_after: u64 },
    /// Wrong e-mail or password, or a disabled account (recorded as a failure).
    Refused,
}

/// Checks e-mail and password from `address` under the sign-in throttle:
/// what every sign-in (token or console) goes through.
pub async fn check_password(
    db: &(impl ConnectionTrait + TransactionTrait),
    settings: &Settings,
    email: &str,
    password: &Secret,
    address: &str,
) -> Result<Checked, DomainError> {
    let email = email.trim().to_lowercase();
    if let Some(retry_after) = admit_attempt(db, settings, &email, address).await? {
        return Ok(Checked::Throttled { retry_after });
    }
    let Some(actor) = crate::access::users::authenticate(db, &email, password).await? else {
        // The admitted attempt stays recorded: it is now a failure.
        return Ok(Checked::Refused);
    };
    clear_failures(db, &email).await?;
    Ok(Checked::Valid(actor.id))
}

/// Counts the window's attempts and, if both limits allow another, records
/// this one, before its password is checked; returns the seconds to wait
/// otherwise.
///
/// Count and record happen in one short transaction that holds the table's
/// write lock (`LOCK TABLE` on PostgreSQL; `BEGIN IMMEDIATE` on SQLite), so
/// concurrent attempts, from any number of API replicas, are admitted one
/// after the other and at most the limit ever reach the (slow) password
/// check. The first ones of a burst are admitted, not none of them. An
/// admitted attempt counts as a failure until it succeeds (which clears the
/// account's failures). A throttled attempt is not recorded, so retrying
/// while locked out does not move the end of the window.
async fn admit_attempt(
    db: &impl TransactionTrait,
    settings: &Settings,
    email: &str,
    address: &str,
) -> Result<Option<u64>, DomainError> {
    let txn = crate::platform::db::begin_write(db).await?;
    if txn.get_database_backend() == DbBackend::Postgres {
        // Conflicts with itself and with inserts and deletes, not with reads.
        txn.execute_unprepared("LOCK TABLE login_failures IN SHARE ROW EXCLUSIVE MODE")
            .await?;
    }
    if let Some(retry_after) = throttled_for(&txn, settings, email, address).await? {
        txn.rollback().await?;
        return Ok(Some(retry_after));
    }
    record_attempt(&txn, email, address).await?;
    txn.commit().await?;
    Ok(None)
}

/// Spends `token` and returns its user and the next token of the family.
pub async fn refresh(
    db: &impl TransactionTrait,
    settings: &Settings,
    token: &str,
) -> Result<Result<(Uuid, String), Refused>, DomainError> {
    let txn = crate::platform::db::begin_write(db).await?;
    let Some(row) = refresh_tokens::Entity::find()
        .filter(refresh_tokens::Column::TokenHash.eq(credentials::digest(token)))
        .one(&txn)
        .await?
    else {
        return Ok(Err(Refused::Unknown));
    };
    if row.revoked_at.is_some() {
        return Ok(Err(Refused::Revoked));
    }
    let now = Utc::now();
    if row.used_at.is_some() {
        revoke_family(&txn, row.family_id).await?;
        txn.commit().await?;
        return Ok(Err(Refused::Reused));
    }
    if row.expires_at <= now {
        return Ok(Err(Refused::Expired));
    }
    // The account may have been disabled since the token was issued.
    if crate::access::actor::load_user(&txn, row.user_id).await?.is_none() {
        return Ok(Err(Refused::AccountInactive));
    }
    // Spend it; of two concurrent uses, only one finds it unspent.
    let spent = refresh_tokens::Entity::update_many()
        .col_expr(refresh_tokens::Column::UsedAt, Expr::value(now))
        .filter(refresh_tokens::Column::Id.eq(row.id))
        .filter(refresh_tokens::Column::UsedAt.is_null())
        .exec(&txn)
        .await?;
    if spent.rows_affected != 1 {
        revoke_family(&txn, row.family_id).await?;
        txn.commit().await?;
        return Ok(Err(Refused::Reused));
    }
    let next = issue(&txn, settings, row.user_id, row.family_id).await?;
    txn.commit().await?;
    Ok(Ok((row.user_id, next)))
}

/// Revokes the family of `token` (sign-out). Unknown tokens are ignored, as
/// RFC 7009 asks, so the answer reveals nothing.
pub async fn revoke(db: &impl ConnectionTrait, token: &str) -> Result<(), DomainError> {
    let row = refresh_tokens::Entity::find()
        .filter(refresh_tokens::Column::TokenHash.eq(credentials::digest(token)))
        .one(db)
        .await?;
    if let Some(row) = row {
        revoke_family(db, row.family_id).await?;
    }
    Ok(())
}

async fn revoke_family(db: &impl ConnectionTrait, family_id: Uuid) -> Result<(), DomainError> {
    refresh_tokens::Entity::update_many()
        .col_expr(refresh_tokens::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(refresh_tokens::Column::FamilyId.eq(family_id))
        .filter(refresh_tokens::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Seconds until another sign-in may be tried for this account and address,
/// or `None` if it may be tried now.
async fn throttled_for(
    db: &impl ConnectionTrait,
    settings: &Settings,
    email: &str,
    address: &str,
) -> Result<Option<u64>, DomainError> {
    let window = Duration::seconds(i64::try_from(settings.login_failure_window_secs).unwrap_or(900));
    let since = Utc::now() - window;
    let mut wait = None;
    for (column, value, limit) in [
        (
            login_failures::Column::Email,
            email,
            settings.login_max_failures_per_account,
        ),
        (
            login_failures::Column::Address,
            address,
            settings.login_max_failures_per_address,
        ),
    ] {
        let recent = login_failures::Entity::find()
            .filter(column.eq(value))
            .filter(login_failures::Column::OccurredAt.gt(since));
        if recent.clone().count(db).await? < limit {
            continue;
        }
        // Free again when the oldest failure that keeps the count at the limit leaves the window.
        let failures = recent.order_by_desc(login_failures::Column::OccurredAt).all(db).await?;
        let limit_index = usize::try_from(limit.max(1) - 1).unwrap_or(0);
        if let Some(blocking) = failures.get(limit_index) {
            let free_at = blocking.occurred_at + window;
            let seconds = (free_at - Utc::now()).num_seconds().max(1) as u64;
            wait = Some(wait.map_or(seconds, |w: u64| w.max(seconds)));
        }
    }
    Ok(wait)
}

/// Records an admitted sign-in attempt; it counts as a failure unless it
/// succeeds.
async fn record_attempt(db: &impl ConnectionTrait, email: &str, address: &str) -> Result<(), DomainError> {
    login_failures::ActiveModel {
        id: Set(Uuid::now_v7()),
        email: Set(email.chars().take(320).collect()),
        address: Set(address.chars().take(64).collect()),
        occurred_at: Set(Utc::now()),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// A successful sign-in clears the account's failures.
async fn clear_failures(db: &impl ConnectionTrait, email: &str) -> Result<(), DomainError> {
    login_failures::Entity::delete_many()
        .filter(login_failures::Column::Email.eq(email))
        .exec(db)
        .await?;
    Ok(())
}
