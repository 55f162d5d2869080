//! Customer feedback (客户意见): what a customer said about the product,
//! the service, property management or prices, recorded by staff with a
//! category and routed to the department concerned (反馈至相关部门).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "feedback")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub customer_id: Uuid,
    pub category: FeedbackCategory,
    pub source: FeedbackSource,
    pub text: String,
    /// The department it was routed to (its code), as the route said when recorded.
    pub department: String,
    pub department_zh: String,
    pub department_en: String,
    /// The version of the routing table that routed it.
    pub route_version: i32,
    pub status: FeedbackStatus,
    /// The customer's consultant and team when recorded (for scoped reading).
    pub consultant_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    pub recorded_by: Option<Uuid>,
    /// The post-handover visit it came with, if any.
    pub visit_id: Option<Uuid>,
    pub resolution: Option<String>,
    pub resolved_by: Option<Uuid>,
    pub resolved_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

/// What the feedback is about; each category has one route.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, serde::Serialize, serde::Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum FeedbackCategory {
    /// 产品: layout, design, materials, build quality of the units.
    Product,
    /// 服务: the sales and after-sales service.
    Service,
    /// 物业管理: property management, maintenance, the estate.
    PropertyManagement,
    /// 价格: prices, discounts, payment terms.
    Pricing,
    /// 其他.
    Other,
}

/// Where the feedback was heard.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, serde::Serialize, serde::Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum FeedbackSource {
    Visit,
    Call,
    Event,
    Other,
}

/// Whether the department has answered it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, serde::Serialize, serde::Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum FeedbackStatus {
    Open,
    Resolved,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
