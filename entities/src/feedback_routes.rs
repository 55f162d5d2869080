//! The feedback routing table: for each category of feedback, the
//! department concerned (its code and its name in Chinese and English) and
//! who hears of it (named users, holders of a role). One row per category;
//! every change of the table raises the version of all of its rows.

use sea_orm::entity::prelude::*;

use crate::feedback::FeedbackCategory;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "feedback_routes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub category: FeedbackCategory,
    pub department: String,
    pub department_zh: String,
    pub department_en: String,
    /// The built-in or custom role whose active holders are told, if any.
    pub recipient_role: Option<String>,
    /// Named recipients, a JSON array of user ids.
    pub recipient_user_ids: Json,
    pub version: i32,
    pub updated_by: Option<Uuid>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
