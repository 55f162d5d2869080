//! Needs assessments (需求分析) with the units recommended.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "needs_assessments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub customer_id: Uuid,
    pub author_id: Option<Uuid>,
    pub budget_min_fen: Option<i64>,
    pub budget_max_fen: Option<i64>,
    pub districts: Json,
    pub layout: Option<String>,
    pub area_min_sqm: Option<i32>,
    pub area_max_sqm: Option<i32>,
    pub purpose: Option<Purpose>,
    pub notes: Option<String>,
    pub recommendations: Json,
    pub assessed_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// What the customer buys for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, serde::Serialize, serde::Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    OwnUse,
    Investment,
    Both,
}

/// The customer's reaction to a recommended unit: no column of its own, but
/// the spelling of each element's `reaction` in the `recommendations` JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, serde::Serialize, serde::Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum Reaction {
    Pending,
    Interested,
    Neutral,
    Rejected,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
