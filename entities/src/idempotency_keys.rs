//! Stored first answers to POSTs sent with an `Idempotency-Key`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "idempotency_keys")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// `user:<id>`, `client:<id>` or `anonymous`: keys are per caller.
    pub principal: String,
    pub key: String,
    /// SHA-256 of method, path and body: a reused key with another request is refused.
    pub fingerprint: String,
    /// `None` while the first request is still running.
    pub status: Option<i32>,
    pub body: Option<String>,
    pub content_type: Option<String>,
    pub location: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
