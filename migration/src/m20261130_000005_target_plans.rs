//! Targets at every level and for months (销售目标分解, 月度销售计划): a
//! target's level (department, region, team, consultant) and the consultant
//! of a consultant's target. Existing targets keep their meaning: a region's
//! where a region is named, a team's otherwise. Managers may write their
//! teams' consultants' monthly targets (`targets:write` at `team`).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const GRANTS: &[(&str, &str, &str)] = &[("manager", "targets:write", "team")];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite alters one column per statement.
        for column in [
            ColumnDef::new(Targets::Level)
                .string_len(16)
                .not_null()
                .default("team")
                .to_owned(),
            ColumnDef::new(Targets::UserId).uuid().null().to_owned(),
        ] {
            manager
                .alter_table(Table::alter().table(Targets::Table).add_column(column).to_owned())
                .await?;
        }
        manager
            .exec_stmt(
                Query::update()
                    .table(Targets::Table)
                    .value(Targets::Level, "region")
                    .and_where(Expr::col(Targets::RegionId).is_not_null())
                    .to_owned(),
            )
            .await?;
        crate::create_index(
            manager,
            "idx_targets_level_period",
            Targets::Table,
            &[Targets::Level, Targets::Period],
        )
        .await?;
        crate::seed_grants(manager, GRANTS).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .exec_stmt(
                Query::delete()
                    .from_table(Alias::new("role_permissions"))
                    .and_where(Expr::col(Alias::new("permission")).eq("targets:write"))
                    .and_where(Expr::col(Alias::new("scope")).eq("team"))
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("idx_targets_level_period")
                    .table(Targets::Table)
                    .to_owned(),
            )
            .await?;
        for column in [Targets::UserId, Targets::Level] {
            manager
                .alter_table(Table::alter().table(Targets::Table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Targets {
    Table,
    Level,
    UserId,
    RegionId,
    Period,
}
