//! Customers (leads): the record every deadline and figure hangs on. A lead
//! pushed by a partner carries the partner's own id for it, unique per
//! partner, so the same lead pushed twice is one lead.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Grants of the built-in roles for customers: role, permission, scope.
const GRANTS: &[(&str, &str, &str)] = &[
    ("director", "customers:read", "all"),
    ("manager", "customers:read", "team"),
    ("manager", "customers:write", "team"),
    ("consultant", "customers:read", "own"),
    ("consultant", "customers:write", "own"),
    ("consultant", "customers:delete", "own"),
    ("customer_manager", "customers:read", "all"),
    ("support", "customers:read", "own"),
    ("partner", "customers:read", "own"),
    ("partner", "customers:write", "own"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Customers::Table)
                    .col(pk_uuid(Customers::Id))
                    .col(string_len(Customers::Name, 200))
                    .col(string_len_null(Customers::Phone, 32))
                    .col(string_len_null(Customers::Email, 320))
                    .col(string_len_null(Customers::WechatId, 64))
                    .col(string_len(Customers::Channel, 32))
                    .col(string_len(Customers::Status, 32))
                    .col(text_null(Customers::LostReason))
                    .col(boolean(Customers::KeyAccount))
                    .col(uuid_null(Customers::OwnerId))
                    .col(uuid_null(Customers::TeamId))
                    .col(uuid_null(Customers::SourceClientId))
                    .col(string_len_null(Customers::ExternalId, 128))
                    .col(uuid_null(Customers::CreatedBy))
                    .col(timestamp_with_time_zone(Customers::CreatedAt))
                    .col(timestamp_with_time_zone(Customers::UpdatedAt))
                    .index(
                        Index::create()
                            .unique()
                            .col(Customers::SourceClientId)
                            .col(Customers::ExternalId),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            ("idx_customers_owner", Customers::OwnerId),
            ("idx_customers_team", Customers::TeamId),
            ("idx_customers_phone", Customers::Phone),
            ("idx_customers_status", Customers::Status),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Customers::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        crate::seed_grants(manager, GRANTS).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let delete = Query::delete()
            .from_table(RolePermissions::Table)
            .and_where(Expr::col(RolePermissions::Permission).like("customers:%"))
            .to_owned();
        manager.exec_stmt(delete).await?;
        manager
            .drop_table(Table::drop().table(Customers::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Customers {
    Table,
    Id,
    Name,
    Phone,
    Email,
    WechatId,
    Channel,
    Status,
    LostReason,
    KeyAccount,
    OwnerId,
    TeamId,
    SourceClientId,
    ExternalId,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum RolePermissions {
    Table,
    Permission,
}
