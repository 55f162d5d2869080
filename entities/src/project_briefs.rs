//! Project briefs (谈判准备：熟悉产品卖点及市场竞品): per project (the name
//! units carry), the selling points consultants present and notes on the
//! competing projects. Every change raises `version`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "project_briefs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The project's name, as units spell it (unique).
    pub project: String,
    /// Short texts, a JSON array of strings.
    pub selling_points: Json,
    /// A JSON array of `{competitor, notes, our_advantage}`.
    pub competitors: Json,
    pub version: i32,
    pub updated_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
