//! Console sessions: the administrators', operators' and managers' browser
//! sign-ins, kept server-side (a cookie carries only an opaque id, stored
//! here as SHA-256), each with its CSRF secret, idle and absolute expiry,
//! the language chosen on its pages and the one flash message waiting to be
//! shown.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ConsoleSessions::Table)
                    .col(pk_uuid(ConsoleSessions::Id))
                    .col(uuid(ConsoleSessions::UserId))
                    .col(string_len_uniq(ConsoleSessions::TokenHash, 64))
                    .col(string_len(ConsoleSessions::CsrfToken, 64))
                    .col(string_len_null(ConsoleSessions::Locale, 8))
                    .col(text_null(ConsoleSessions::Flash))
                    .col(timestamp_with_time_zone(ConsoleSessions::CreatedAt))
                    .col(timestamp_with_time_zone(ConsoleSessions::LastSeenAt))
                    .col(timestamp_with_time_zone(ConsoleSessions::ExpiresAt))
                    .col(timestamp_with_time_zone_null(ConsoleSessions::EndedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(ConsoleSessions::Table, ConsoleSessions::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_console_sessions_user")
                    .table(ConsoleSessions::Table)
                    .col(ConsoleSessions::UserId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ConsoleSessions::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum ConsoleSessions {
    Table,
    Id,
    UserId,
    TokenHash,
    CsrfToken,
    Locale,
    Flash,
    CreatedAt,
    LastSeenAt,
    ExpiresAt,
    EndedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Users {
    Table,
    Id,
}
