//! Organisation (regions, teams, users), roles and the service's own
//! key/value settings. The regulation's roles are seeded here so that
//! `admin create-user --role R` works on a fresh database.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The built-in roles of the regulation (domain.md), name and description.
const BUILTIN_ROLES: [(&str, &str); 7] = [
    (
        "admin",
        "System administrator (系统管理员): users, roles, API clients, policies, queues",
    ),
    (
        "director",
        "Sales director (销售总监): targets, policies, sees everything",
    ),
    ("manager", "Sales manager (销售经理): runs one regional team"),
    (
        "consultant",
        "Sales consultant (销售顾问): own customers from lead to after-sales",
    ),
    (
        "customer_manager",
        "Customer manager (客户经理): customer files, key accounts, events",
    ),
    (
        "support",
        "Support staff (支持人员): loan, transfer and handover paperwork",
    ),
    (
        "partner",
        "Integration partner (合作平台): pushes leads, reads their progress",
    ),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SystemSettings::Table)
                    .col(string_len(SystemSettings::Key, 100).primary_key())
                    .col(text(SystemSettings::Value))
                    .col(timestamp_with_time_zone(SystemSettings::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Regions::Table)
                    .col(pk_uuid(Regions::Id))
                    .col(string_len_uniq(Regions::Name, 200))
                    .col(timestamp_with_time_zone(Regions::CreatedAt))
                    .col(timestamp_with_time_zone(Regions::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .col(pk_uuid(Users::Id))
                    .col(string_len_uniq(Users::Email, 320))
                    .col(string_len(Users::Name, 200))
                    .col(string_len_null(Users::Phone, 32))
                    .col(uuid_null(Users::TeamId))
                    .col(string_len(Users::Locale, 8))
                    .col(string_len(Users::Status, 16))
                    .col(text(Users::PasswordHash))
                    .col(timestamp_with_time_zone(Users::CreatedAt))
                    .col(timestamp_with_time_zone(Users::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Teams::Table)
                    .col(pk_uuid(Teams::Id))
                    .col(uuid(Teams::RegionId))
                    .col(string_len(Teams::Name, 200))
                    .col(uuid_null(Teams::ManagerId))
                    .col(timestamp_with_time_zone(Teams::CreatedAt))
                    .col(timestamp_with_time_zone(Teams::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Teams::Table, Teams::RegionId)
                            .to(Regions::Table, Regions::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Teams::Table, Teams::ManagerId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .index(Index::create().unique().col(Teams::RegionId).col(Teams::Name))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_users_team_id")
                    .table(Users::Table)
                    .col(Users::TeamId)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Roles::Table)
                    .col(pk_uuid(Roles::Id))
                    .col(string_len_uniq(Roles::Name, 64))
                    .col(text(Roles::Description))
                    .col(boolean(Roles::Builtin))
                    .col(timestamp_with_time_zone(Roles::CreatedAt))
                    .col(timestamp_with_time_zone(Roles::UpdatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(UserRoles::Table)
                    .col(uuid(UserRoles::UserId))
                    .col(uuid(UserRoles::RoleId))
                    .col(timestamp_with_time_zone(UserRoles::CreatedAt))
                    .primary_key(Index::create().col(UserRoles::UserId).col(UserRoles::RoleId))
                    .foreign_key(
                        ForeignKey::create()
                            .from(UserRoles::Table, UserRoles::UserId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(UserRoles::Table, UserRoles::RoleId)
                            .to(Roles::Table, Roles::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;

        let now = chrono::Utc::now();
        let mut insert = Query::insert()
            .into_table(Roles::Table)
            .columns([
                Roles::Id,
                Roles::Name,
                Roles::Description,
                Roles::Builtin,
                Roles::CreatedAt,
                Roles::UpdatedAt,
            ])
            .to_owned();
        for (name, description) in BUILTIN_ROLES {
            insert.values_panic([
                uuid::Uuid::new_v4().into(),
                name.into(),
                description.into(),
                true.into(),
                now.into(),
                now.into(),
            ]);
        }
        manager.exec_stmt(insert).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            UserRoles::Table.into_iden(),
            Roles::Table.into_iden(),
            Teams::Table.into_iden(),
            Users::Table.into_iden(),
            Regions::Table.into_iden(),
            SystemSettings::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum SystemSettings {
    Table,
    Key,
    Value,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Regions {
    Table,
    Id,
    Name,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Teams {
    Table,
    Id,
    RegionId,
    Name,
    ManagerId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Email,
    Name,
    Phone,
    TeamId,
    Locale,
    Status,
    PasswordHash,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Roles {
    Table,
    Id,
    Name,
    Description,
    Builtin,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum UserRoles {
    Table,
    UserId,
    RoleId,
    CreatedAt,
}
