//! Post-handover visits (交房后回访) with the customer's satisfaction, 1 to 5.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "visits")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub deal_id: Uuid,
    pub customer_id: Uuid,
    pub consultant_id: Uuid,
    pub team_id: Option<Uuid>,
    pub visited_at: DateTimeUtc,
    pub satisfaction: i16,
    pub feedback: Option<String>,
    pub recorded_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
