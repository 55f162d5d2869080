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
    /// The loan (贷款) of a mortgage or provident-fund purchase: its bank…
    pub loan_bank: Option<String>,
    /// …the amount lent, in fen…
    pub loan_amount_fen: Option<i64>,
    /// …the day the bank approved it…
    pub loan_approved_on: Option<Date>,
    /// …and where the application stands (`domain::sales::loan_states`).
    pub loan_status: Option<LoanStatus>,
    /// The title transfer (过户): the new property certificate's number…
    pub title_certificate_number: Option<String>,
    /// …and the day the title passed.
    pub title_transferred_on: Option<Date>,
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

/// Where a deal's loan application stands; the moves between them are
/// `domain::sales::loan_states`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, serde::Serialize, serde::Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum LoanStatus {
    Applied,
    Approved,
    Rejected,
    Disbursed,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
