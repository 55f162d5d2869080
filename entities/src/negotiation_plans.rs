//! Negotiation plans (预设客户异议及应对方案): per deal, the objections the
//! consultant expects with the answer prepared for each, the lowest price
//! they may concede to and notes. Every change raises `version`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "negotiation_plans")]
pub struct Model {
    /// One plan per deal.
    #[sea_orm(primary_key, auto_increment = false)]
    pub deal_id: Uuid,
    /// A JSON array of `{objection, answer}`.
    pub objections: Json,
    /// The lowest price the consultant may concede to, in fen.
    pub concession_floor_fen: Option<i64>,
    pub notes: Option<String>,
    pub version: i32,
    pub updated_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
