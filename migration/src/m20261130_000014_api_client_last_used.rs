//! When an API client last got a token: a nullable `last_used_at` on
//! `api_clients`, written at most once a minute per client when a token is
//! issued (never on every API request), shown in the console.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut column = ColumnDef::new(ApiClients::LastUsedAt)
            .timestamp_with_time_zone()
            .null()
            .to_owned();
        manager
            .alter_table(
                Table::alter()
                    .table(ApiClients::Table)
                    .add_column(&mut column)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(ApiClients::Table)
                    .drop_column(ApiClients::LastUsedAt)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum ApiClients {
    Table,
    LastUsedAt,
}
