//! Customers (客户), from lead to handed-over buyer.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "customers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub wechat_id: Option<String>,
    pub channel: Channel,
    pub status: CustomerStatus,
    pub lost_reason: Option<String>,
    pub key_account: bool,
    /// The customer manager who keeps the key account's file and revisits
    /// it (客户经理); none: its consultant does.
    pub account_manager_id: Option<Uuid>,
    /// The consultant who owns the customer.
    pub owner_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    /// The partner API client that pushed the lead.
    pub source_client_id: Option<Uuid>,
    /// The partner's own id for the lead, unique per partner.
    pub external_id: Option<String>,
    pub created_by: Option<Uuid>,
    /// The phone's digits, for spotting possible duplicates.
    pub phone_key: Option<String>,
    pub assigned_at: Option<DateTimeUtc>,
    /// When a follow-up first reached the customer (初次接触).
    pub first_response_at: Option<DateTimeUtc>,
    /// When the needs were first assessed (需求分析).
    pub needs_assessed_at: Option<DateTimeUtc>,
    pub last_follow_up_at: Option<DateTimeUtc>,
    pub lost_at: Option<DateTimeUtc>,
    /// The status the customer had when it was lost (for churn by stage);
    /// none before it was recorded, unless the timeline had it.
    pub lost_from_status: Option<CustomerStatus>,
    /// Set when this record was merged into another; it is then hidden from lists.
    pub merged_into_id: Option<Uuid>,
    /// The project the lead asked about, as the partner or staff named it (for routing).
    pub project_of_interest: Option<String>,
    /// The district the lead asked about (for routing).
    pub district_of_interest: Option<String>,
    /// When the customer's next agenda item is due, and its timer kind:
    /// kept by the database (`domain::outbox::agenda`), never written by
    /// the service.
    pub next_due_at: Option<DateTimeUtc>,
    pub next_due_kind: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// A customer's place in the sales workflow, from lead to buyer in the
/// order a sale moves through them; `lost` stands apart. The moves between
/// them are `domain::sales::customer_status`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, serde::Serialize, serde::Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum CustomerStatus {
    New,
    Contacted,
    NeedsAssessed,
    Active,
    Negotiating,
    Subscribed,
    Contracted,
    HandedOver,
    Lost,
}

/// Where a lead came from (渠道).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, serde::Serialize, serde::Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Website,
    SocialMedia,
    PartnerPlatform,
    StoreWalkIn,
    OutdoorExhibition,
    CrossIndustry,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
