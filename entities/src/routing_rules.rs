//! Lead routing rules: which arriving leads (by channel, partner, project,
//! district, key account) go to a named consultant or a team's round-robin,
//! in priority order; one `fallback` rule catches the rest. Every change
//! raises the version the customer's timeline names.

use sea_orm::entity::prelude::*;

use crate::customers::Channel;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "routing_rules")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    /// Lower first.
    pub priority: i32,
    pub version: i32,
    pub enabled: bool,
    /// The default rule: no conditions, tried after every other.
    pub fallback: bool,
    pub channel: Option<Channel>,
    pub source_client_id: Option<Uuid>,
    pub project: Option<String>,
    pub district: Option<String>,
    pub key_account: Option<bool>,
    pub consultant_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
