//! One consultant's line of a computed bonus pool: rank, share, amount and
//! the figures that put them there.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "bonus_lines")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub pool_id: Uuid,
    /// Order within the pool: eligible by rank, then the others by name.
    pub position: i32,
    pub user_id: Uuid,
    pub team_id: Option<Uuid>,
    pub rank: Option<i64>,
    pub eligible: bool,
    pub score: f64,
    pub basis: ShareBasis,
    /// Position (from 1) of the rank band in the rules; null outside every band.
    pub band: Option<i64>,
    /// The consultant's share of the pool in ‰.
    pub share_permille: f64,
    pub amount_fen: i64,
    /// Name, figures, normalised values and unmet conditions, as the ranking gave them.
    pub explanation: Json,
}

/// What a line's share comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, serde::Serialize, serde::Deserialize)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))", rename_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum ShareBasis {
    /// A band of ranks, shared equally.
    Band,
    /// The rest, shared in proportion to score.
    Rest,
    /// Nothing: not eligible.
    None,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
