//! Negotiation and after-sales details (谈判准备：熟悉产品卖点及市场竞品；
//! 预设客户异议及应对方案; 办理贷款及过户手续): a brief of selling points and
//! competitors per project, a negotiation plan per deal, and the loan and
//! title-transfer details on the deal; the `projects:*` grants.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Grants of the built-in roles: role, permission, scope. Every staff role
/// reads the briefs (consultants present them, support staff answer buyers
/// too); those who run the sales write them. Partners get neither.
const GRANTS: &[(&str, &str, &str)] = &[
    ("admin", "projects:read", "all"),
    ("director", "projects:read", "all"),
    ("director", "projects:write", "all"),
    ("manager", "projects:read", "all"),
    ("manager", "projects:write", "all"),
    ("consultant", "projects:read", "all"),
    ("customer_manager", "projects:read", "all"),
    ("customer_manager", "projects:write", "all"),
    ("support", "projects:read", "all"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(ProjectBriefs::Table)
                    .col(pk_uuid(ProjectBriefs::Id))
                    .col(string_len(ProjectBriefs::Project, 120))
                    .col(json(ProjectBriefs::SellingPoints))
                    .col(json(ProjectBriefs::Competitors))
                    .col(integer(ProjectBriefs::Version))
                    .col(uuid_null(ProjectBriefs::UpdatedBy))
                    .col(timestamp_with_time_zone(ProjectBriefs::CreatedAt))
                    .col(timestamp_with_time_zone(ProjectBriefs::UpdatedAt))
                    .index(Index::create().unique().col(ProjectBriefs::Project))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(NegotiationPlans::Table)
                    .col(pk_uuid(NegotiationPlans::DealId))
                    .col(json(NegotiationPlans::Objections))
                    .col(big_integer_null(NegotiationPlans::ConcessionFloorFen))
                    .col(text_null(NegotiationPlans::Notes))
                    .col(integer(NegotiationPlans::Version))
                    .col(uuid_null(NegotiationPlans::UpdatedBy))
                    .col(timestamp_with_time_zone(NegotiationPlans::CreatedAt))
                    .col(timestamp_with_time_zone(NegotiationPlans::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        // One column per statement: SQLite alters a table one column at a time.
        let columns = [
            ColumnDef::new(Deals::LoanBank).string_len(100).null().to_owned(),
            ColumnDef::new(Deals::LoanAmountFen).big_integer().null().to_owned(),
            ColumnDef::new(Deals::LoanApprovedOn).date().null().to_owned(),
            ColumnDef::new(Deals::LoanStatus).string_len(16).null().to_owned(),
            ColumnDef::new(Deals::TitleCertificateNumber)
                .string_len(64)
                .null()
                .to_owned(),
            ColumnDef::new(Deals::TitleTransferredOn).date().null().to_owned(),
        ];
        for mut column in columns {
            manager
                .alter_table(Table::alter().table(Deals::Table).add_column(&mut column).to_owned())
                .await?;
        }
        crate::seed_grants(manager, GRANTS).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let grants = Query::delete()
            .from_table(Alias::new("role_permissions"))
            .and_where(Expr::col(Alias::new("permission")).like("projects:%"))
            .to_owned();
        manager.exec_stmt(grants).await?;
        for column in [
            Deals::LoanBank,
            Deals::LoanAmountFen,
            Deals::LoanApprovedOn,
            Deals::LoanStatus,
            Deals::TitleCertificateNumber,
            Deals::TitleTransferredOn,
        ] {
            manager
                .alter_table(Table::alter().table(Deals::Table).drop_column(column).to_owned())
                .await?;
        }
        manager
            .drop_table(Table::drop().table(NegotiationPlans::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(ProjectBriefs::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum ProjectBriefs {
    Table,
    Id,
    Project,
    SellingPoints,
    Competitors,
    Version,
    UpdatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum NegotiationPlans {
    Table,
    DealId,
    Objections,
    ConcessionFloorFen,
    Notes,
    Version,
    UpdatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum Deals {
    Table,
    LoanBank,
    LoanAmountFen,
    LoanApprovedOn,
    LoanStatus,
    TitleCertificateNumber,
    TitleTransferredOn,
}
