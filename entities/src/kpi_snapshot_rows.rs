//! One consultant's or team's figures in a monthly KPI snapshot.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "kpi_snapshot_rows")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// `YYYY-MM`.
    pub month: String,
    /// `consultant` or `team`.
    pub subject: String,
    /// The consultant's user id or the team's id.
    pub subject_id: Uuid,
    /// The consultant's team then, or the team itself.
    pub team_id: Option<Uuid>,
    pub name: String,
    pub figures: Json,
    pub taken_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
