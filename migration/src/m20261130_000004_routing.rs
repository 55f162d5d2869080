//! Lead routing: the director's ordered rules that send a lead, as it
//! arrives, to a named consultant or to a team's round-robin, and the
//! project and district of interest a lead may carry for them to match.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Grants of the built-in roles for routing rules: role, permission, scope.
const GRANTS: &[(&str, &str, &str)] = &[
    ("admin", "routing_rules:read", "all"),
    ("admin", "routing_rules:write", "all"),
    ("director", "routing_rules:read", "all"),
    ("director", "routing_rules:write", "all"),
    ("manager", "routing_rules:read", "all"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RoutingRules::Table)
                    .col(pk_uuid(RoutingRules::Id))
                    .col(string_len(RoutingRules::Name, 120))
                    .col(integer(RoutingRules::Priority))
                    .col(integer(RoutingRules::Version))
                    .col(boolean(RoutingRules::Enabled))
                    .col(boolean(RoutingRules::Fallback))
                    .col(string_len_null(RoutingRules::Channel, 32))
                    .col(uuid_null(RoutingRules::SourceClientId))
                    .col(string_len_null(RoutingRules::Project, 120))
                    .col(string_len_null(RoutingRules::District, 120))
                    .col(boolean_null(RoutingRules::KeyAccount))
                    .col(uuid_null(RoutingRules::ConsultantId))
                    .col(uuid_null(RoutingRules::TeamId))
                    .col(uuid_null(RoutingRules::CreatedBy))
                    .col(timestamp_with_time_zone(RoutingRules::CreatedAt))
                    .col(timestamp_with_time_zone(RoutingRules::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        crate::create_index(
            manager,
            "idx_routing_rules_priority",
            RoutingRules::Table,
            &[RoutingRules::Priority],
        )
        .await?;
        for column in [Customers::ProjectOfInterest, Customers::DistrictOfInterest] {
            let mut column = ColumnDef::new(column).string_len(120).null().to_owned();
            manager
                .alter_table(
                    Table::alter()
                        .table(Customers::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        crate::seed_grants(manager, GRANTS).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let delete = Query::delete()
            .from_table(Alias::new("role_permissions"))
            .and_where(Expr::col(Alias::new("permission")).like("routing_rules:%"))
            .to_owned();
        manager.exec_stmt(delete).await?;
        for column in [Customers::ProjectOfInterest, Customers::DistrictOfInterest] {
            manager
                .alter_table(Table::alter().table(Customers::Table).drop_column(column).to_owned())
                .await?;
        }
        manager
            .drop_table(Table::drop().table(RoutingRules::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum RoutingRules {
    Table,
    Id,
    Name,
    Priority,
    Version,
    Enabled,
    Fallback,
    Channel,
    SourceClientId,
    Project,
    District,
    KeyAccount,
    ConsultantId,
    TeamId,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Customers {
    Table,
    ProjectOfInterest,
    DistrictOfInterest,
}
