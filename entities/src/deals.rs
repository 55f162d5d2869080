//! Deals: one customer buying one unit, through the stage machine.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "deals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub customer_id: Uuid,
    pub unit_id: Uuid,
    pub consultant_id: Uuid,
    pub team_id: Option<Uuid>,
    pub support_id: Option<Uuid>,
    pub agreed_price_fen: i64,
    pub payment_method: PaymentMethod,
    pub planned_handover_on: Option<Date>,
    pub stage: DealStage,
    pub subscribed_at: Option<DateTimeUtc>,
    pub contracted_at: Option<DateTimeUtc>,
    pub handed_over_at: Option<DateTimeUtc>,
    pub closed_at: Option<DateTimeUtc>,
    pub cancelled_at: Option<DateTimeUtc>,
    pub cancel_reason: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// A deal's stage; the moves between them are `domain::sales::deal_stages`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, serde::Serialize, serde::Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(24))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum DealStage {
    Negotiating,
    Subscribed,
    Contracted,
    LoanProcessing,
    TitleTransfer,
    HandoverReady,
    HandedOver,
    Closed,
    Cancelled,
}

/// How the buyer pays; a full payment needs no loan stage
/// (`domain::sales::deal_stages`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, serde::Serialize, serde::Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    Full,
    Mortgage,
    ProvidentFund,
    Instalments,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
