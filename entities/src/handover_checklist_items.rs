//! The handover checklist of a deal, one row per item ticked or unticked.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "handover_checklist_items")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub deal_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub item: ChecklistItem,
    pub done: bool,
    pub note: Option<String>,
    pub updated_by: Option<Uuid>,
    pub updated_at: DateTimeUtc,
}

/// The documents and steps that must all be done before a handover, in
/// the order the checklist shows them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, serde::Serialize, serde::Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(48))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum ChecklistItem {
    PropertyCertificate,
    MaintenanceManual,
    QualityGuarantee,
    UsageInstructions,
    Keys,
    MeterReadings,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
