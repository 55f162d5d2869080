//! Jobs processed and failed per queue and minute, summed over every
//! worker replica (`domain::platform::throughput`).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "queue_throughput")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub queue: String,
    /// The start of the minute (UTC, seconds zero).
    #[sea_orm(primary_key, auto_increment = false)]
    pub minute: DateTimeUtc,
    /// Handler runs that ended in the minute, failed ones included.
    pub processed: i64,
    /// Of those, the runs that failed.
    pub failed: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
