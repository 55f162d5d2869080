//! Business rules and the services that apply them through sea-orm. Both the
//! HTTP API and the workers call into this crate, so a rule is written once.
//!
//! The modules are grouped by subdomain; a group uses only the groups listed
//! before it (docs/architecture.md draws the layering):
//! `platform` → `access` → `outbox` → `sales` → `after_sales` →
//! `performance` → `engine` → `demo`.

pub mod access;
pub mod after_sales;
pub mod demo;
pub mod engine;
pub mod outbox;
pub mod performance;
pub mod platform;
pub mod sales;

#[cfg(test)]
mod layering;

/// Applies every pending migration, then writes the database objects
/// derived from this build's rules (`outbox::agenda::keep_next_due`).
pub async fn migrate(db: &sea_orm::DatabaseConnection) -> Result<(), DomainError> {
    platform::db::migrate(db).await?;
    outbox::agenda::keep_next_due(db).await
}

pub use platform::{
    error::{DomainError, FieldError},
    secret::Secret,
    settings::Settings,
};
