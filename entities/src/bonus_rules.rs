//! Bonus rules: the shares of a bonus pool by rank; every change is a new version.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "bonus_rules")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub version: i32,
    /// The bands of ranks and their shares in ‰, a JSON array of `{up_to_rank, share_permille}`.
    pub shares: Json,
    /// The share (‰) the eligible consultants ranked after the last band split in proportion to their score.
    pub rest_permille: i32,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
