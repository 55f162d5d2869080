//! The handover checklist of a deal, one row per item ticked or unticked.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "handover_checklist_items")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub deal_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub item: String,
    pub done: bool,
    pub note: Option<String>,
    pub updated_by: Option<Uuid>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
