//! Identity: what each role may do (permission and scope), refresh-token
//! families, partner API clients, failed sign-ins for throttling, and the
//! append-only audit log. The built-in roles get the regulation's grants.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Grants of the built-in roles at this migration: role, permission, scope.
/// Later migrations add grants for the permissions they introduce.
const GRANTS: &[(&str, &str, &str)] = &[
    ("admin", "users:read", "all"),
    ("admin", "users:write", "all"),
    ("admin", "roles:read", "all"),
    ("admin", "roles:write", "all"),
    ("admin", "regions:read", "all"),
    ("admin", "regions:write", "all"),
    ("admin", "teams:read", "all"),
    ("admin", "teams:write", "all"),
    ("admin", "api_clients:read", "all"),
    ("admin", "api_clients:write", "all"),
    ("admin", "audit_log:read", "all"),
    ("admin", "queues:read", "all"),
    ("admin", "queues:write", "all"),
    ("director", "users:read", "all"),
    ("director", "roles:read", "all"),
    ("director", "regions:read", "all"),
    ("director", "regions:write", "all"),
    ("director", "teams:read", "all"),
    ("director", "teams:write", "all"),
    ("manager", "users:read", "team"),
    ("manager", "regions:read", "all"),
    ("manager", "teams:read", "team"),
    ("consultant", "users:read", "own"),
    ("consultant", "teams:read", "team"),
    ("customer_manager", "users:read", "all"),
    ("customer_manager", "teams:read", "all"),
    ("support", "users:read", "own"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RolePermissions::Table)
                    .col(uuid(RolePermissions::RoleId))
                    .col(string_len(RolePermissions::Permission, 64))
                    .col(string_len(RolePermissions::Scope, 8))
                    .primary_key(
                        Index::create()
                            .col(RolePermissions::RoleId)
                            .col(RolePermissions::Permission),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(RolePermissions::Table, RolePermissions::RoleId)
                            .to(Roles::Table, Roles::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ApiClients::Table)
                    .col(pk_uuid(ApiClients::Id))
                    .col(string_len_uniq(ApiClients::ClientId, 64))
                    .col(string_len(ApiClients::Name, 200))
                    .col(string_len(ApiClients::SecretHash, 64))
                    .col(json(ApiClients::Scopes))
                    .col(integer(ApiClients::RateLimitPerMinute))
                    .col(string_len(ApiClients::Status, 16))
                    .col(uuid_null(ApiClients::CreatedBy))
                    .col(timestamp_with_time_zone(ApiClients::SecretRotatedAt))
                    .col(timestamp_with_time_zone(ApiClients::CreatedAt))
                    .col(timestamp_with_time_zone(ApiClients::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(RefreshTokens::Table)
                    .col(pk_uuid(RefreshTokens::Id))
                    .col(uuid(RefreshTokens::FamilyId))
                    .col(uuid(RefreshTokens::UserId))
                    .col(string_len_uniq(RefreshTokens::TokenHash, 64))
                    .col(timestamp_with_time_zone(RefreshTokens::CreatedAt))
                    .col(timestamp_with_time_zone(RefreshTokens::ExpiresAt))
                    .col(timestamp_with_time_zone_null(RefreshTokens::UsedAt))
                    .col(timestamp_with_time_zone_null(RefreshTokens::RevokedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(RefreshTokens::Table, RefreshTokens::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_refresh_tokens_family")
                    .table(RefreshTokens::Table)
                    .col(RefreshTokens::FamilyId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(LoginFailures::Table)
                    .col(pk_uuid(LoginFailures::Id))
                    .col(string_len(LoginFailures::Email, 320))
                    .col(string_len(LoginFailures::Address, 64))
                    .col(timestamp_with_time_zone(LoginFailures::OccurredAt))
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_login_failures_email", LoginFailures::Email),
            ("idx_login_failures_address", LoginFailures::Address),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(LoginFailures::Table)
                        .col(column)
                        .col(LoginFailures::OccurredAt)
                        .to_owned(),
                )
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .col(pk_uuid(AuditLog::Id))
                    .col(timestamp_with_time_zone(AuditLog::OccurredAt))
                    .col(uuid_null(AuditLog::ActorUserId))
                    .col(uuid_null(AuditLog::ActorClientId))
                    .col(string_len(AuditLog::Action, 64))
                    .col(string_len(AuditLog::Entity, 64))
                    .col(string_len(AuditLog::EntityId, 64))
                    .col(json(AuditLog::Changes))
                    .col(string_len_null(AuditLog::RequestId, 128))
                    .col(string_len_null(AuditLog::Address, 64))
                    .to_owned(),
            )
            .await?;
        for (name, columns) in [
            ("idx_audit_log_entity", vec![AuditLog::Entity, AuditLog::EntityId]),
            ("idx_audit_log_actor_user", vec![AuditLog::ActorUserId]),
            ("idx_audit_log_occurred_at", vec![AuditLog::OccurredAt]),
        ] {
            let mut index = Index::create().name(name).table(AuditLog::Table).to_owned();
            for column in columns {
                index.col(column);
            }
            manager.create_index(index).await?;
        }

        // Grants of the built-in roles, looked up by name.
        crate::seed_grants(manager, GRANTS).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            AuditLog::Table.into_iden(),
            LoginFailures::Table.into_iden(),
            RefreshTokens::Table.into_iden(),
            ApiClients::Table.into_iden(),
            RolePermissions::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Roles {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum RolePermissions {
    Table,
    RoleId,
    Permission,
    Scope,
}

#[derive(DeriveIden)]
enum ApiClients {
    Table,
    Id,
    ClientId,
    Name,
    SecretHash,
    Scopes,
    RateLimitPerMinute,
    Status,
    CreatedBy,
    SecretRotatedAt,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum RefreshTokens {
    Table,
    Id,
    FamilyId,
    UserId,
    TokenHash,
    CreatedAt,
    ExpiresAt,
    UsedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum LoginFailures {
    Table,
    Id,
    Email,
    Address,
    OccurredAt,
}

#[derive(DeriveIden)]
enum AuditLog {
    Table,
    Id,
    OccurredAt,
    ActorUserId,
    ActorClientId,
    Action,
    Entity,
    EntityId,
    Changes,
    RequestId,
    Address,
}
