//! The service's own key/value settings: the generated JWT secret,
//! one-time markers such as "demo data loaded", and the queue pause flags
//! with the workers' acknowledgements (`queue::inspect`).

use chrono::Utc;
use entities::system_settings;
use rand::{Rng, distr::Alphanumeric};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set,
    sea_query::{Expr, OnConflict},
};

use crate::{platform::error::DomainError, platform::secret::Secret, platform::settings::Settings};

const JWT_SECRET_KEY: &str = "jwt_secret";

fn row(key: &str, value: &str) -> system_settings::ActiveModel {
    system_settings::ActiveModel {
        key: Set(key.to_owned()),
        value: Set(value.to_owned()),
        updated_at: Set(Utc::now()),
    }
}

pub async fn get(db: &impl ConnectionTrait, key: &str) -> Result<Option<String>, DomainError> {
    Ok(system_settings::Entity::find_by_id(key.to_owned())
        .one(db)
        .await?
        .map(|row| row.value))
}

/// Stores `value` under `key` unless the key exists; returns whether it was stored.
/// Safe against concurrent starts: exactly one writer wins.
pub async fn insert_if_absent(db: &impl ConnectionTrait, key: &str, value: &str) -> Result<bool, DomainError> {
    let inserted = system_settings::Entity::insert(row(key, value))
        .on_conflict(OnConflict::column(system_settings::Column::Key).do_nothing().to_owned())
        .exec_without_returning(db)
        .await?;
    Ok(inserted == 1)
}

/// Stores `value` under `key`, replacing what it held.
pub async fn put(db: &impl ConnectionTrait, key: &str, value: &str) -> Result<(), DomainError> {
    system_settings::Entity::insert(row(key, value))
        .on_conflict(
            OnConflict::column(system_settings::Column::Key)
                .update_columns([system_settings::Column::Value, system_settings::Column::UpdatedAt])
                .to_owned(),
        )
        .exec_without_returning(db)
        .await?;
    Ok(())
}

/// Removes `key`, if it is there.
pub async fn remove(db: &impl ConnectionTrait, key: &str) -> Result<(), DomainError> {
    system_settings::Entity::delete_by_id(key.to_owned()).exec(db).await?;
    Ok(())
}

/// Sets `key` to `new` if it holds `expected`; returns whether it did. At
/// most one of several concurrent callers succeeds.
pub async fn compare_and_set(
    db: &impl ConnectionTrait,
    key: &str,
    expected: &str,
    new: &str,
) -> Result<bool, DomainError> {
    let updated = system_settings::Entity::update_many()
        .col_expr(system_settings::Column::Value, Expr::value(new))
        .col_expr(system_settings::Column::UpdatedAt, Expr::value(Utc::now()))
        .filter(system_settings::Column::Key.eq(key))
        .filter(system_settings::Column::Value.eq(expected))
        .exec(db)
        .await?;
    Ok(updated.rows_affected == 1)
}

/// The key that signs access tokens: from the settings when given, else the
/// one generated on first start and kept in the database, so tokens survive
/// a restart of the embedded service.
pub async fn jwt_secret(db: &impl ConnectionTrait, settings: &Settings) -> Result<Secret, DomainError> {
    if let Some(secret) = &settings.jwt_secret {
        return Ok(secret.clone());
    }
    let generated: String = rand::rng()
        .sample_iter(&Alphanumeric)
        .take(64)
        .map(char::from)
        .collect();
    insert_if_absent(db, JWT_SECRET_KEY, &generated).await?;
    get(db, JWT_SECRET_KEY)
        .await?
        .map(Secret::new)
        .ok_or_else(|| DomainError::Internal("generated JWT secret was not stored".to_owned()))
}
