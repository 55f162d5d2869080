//! Units (房源) on sale. Area in hundredths of a square metre, price in fen.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "units")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub project: String,
    pub building: String,
    pub number: String,
    pub layout: String,
    pub area_sqm_centi: i32,
    pub list_price_fen: i64,
    pub status: UnitStatus,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// A unit's sales state: staff move it between `available` and `reserved`;
/// `subscribed` and `sold` follow the deal that takes it (`domain::sales::units`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, serde::Serialize, serde::Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum UnitStatus {
    Available,
    Reserved,
    Subscribed,
    Sold,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
