//! Bonuses by ranking (绩效奖金：根据业绩排名，按比例发放月度/季度奖金):
//! the versioned bonus rules (shares of a pool by rank, version 1 seeded
//! with the defaults), the pools of a month or quarter for the department
//! or a team, each computed pool's lines (one per consultant ranked), and
//! the `bonuses:*` grants.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Grants of the built-in roles: role, permission, scope.
const GRANTS: &[(&str, &str, &str)] = &[
    ("admin", "bonuses:read", "all"),
    ("admin", "bonuses:manage", "all"),
    ("director", "bonuses:read", "all"),
    ("director", "bonuses:manage", "all"),
    ("manager", "bonuses:read", "team"),
    ("consultant", "bonuses:read", "own"),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(BonusRules::Table)
                    .col(pk_uuid(BonusRules::Id))
                    .col(integer(BonusRules::Version))
                    .col(json(BonusRules::Shares))
                    .col(integer(BonusRules::RestPermille))
                    .col(uuid_null(BonusRules::CreatedBy))
                    .col(timestamp_with_time_zone(BonusRules::CreatedAt))
                    .index(Index::create().unique().col(BonusRules::Version))
                    .to_owned(),
            )
            .await?;
        // The defaults: the best rank 40 %, ranks 2 and 3 share 30 %, the
        // other eligible consultants share 30 % in proportion to their score.
        let rules = Query::insert()
            .into_table(BonusRules::Table)
            .columns([
                BonusRules::Id,
                BonusRules::Version,
                BonusRules::Shares,
                BonusRules::RestPermille,
                BonusRules::CreatedAt,
            ])
            .values_panic([
                uuid::Uuid::now_v7().into(),
                1.into(),
                serde_json::json!([{"up_to_rank": 1, "share_permille": 400}, {"up_to_rank": 3, "share_permille": 300}])
                    .into(),
                300.into(),
                chrono::Utc::now().into(),
            ])
            .to_owned();
        manager.exec_stmt(rules).await?;
        manager
            .create_table(
                Table::create()
                    .table(BonusPools::Table)
                    .col(pk_uuid(BonusPools::Id))
                    .col(string_len(BonusPools::Period, 8))
                    .col(string_len(BonusPools::Scope, 16))
                    .col(uuid_null(BonusPools::TeamId))
                    .col(string_len(BonusPools::ScopeKey, 40))
                    .col(big_integer(BonusPools::PoolFen))
                    .col(string_len(BonusPools::Status, 16))
                    .col(integer_null(BonusPools::RulesVersion))
                    .col(integer_null(BonusPools::AwardRulesVersion))
                    .col(json_null(BonusPools::Basis))
                    .col(big_integer(BonusPools::PaidFen))
                    .col(big_integer(BonusPools::UnpaidFen))
                    .col(timestamp_with_time_zone_null(BonusPools::ComputedAt))
                    .col(uuid_null(BonusPools::ComputedBy))
                    .col(timestamp_with_time_zone_null(BonusPools::PublishedAt))
                    .col(uuid_null(BonusPools::PublishedBy))
                    .col(uuid_null(BonusPools::CreatedBy))
                    .col(timestamp_with_time_zone(BonusPools::CreatedAt))
                    .col(timestamp_with_time_zone(BonusPools::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_bonus_pools_period_scope")
                    .table(BonusPools::Table)
                    .col(BonusPools::Period)
                    .col(BonusPools::ScopeKey)
                    .unique()
                    .to_owned(),
            )
            .await?;
        crate::create_index(
            manager,
            "idx_bonus_pools_team",
            BonusPools::Table,
            &[BonusPools::TeamId],
        )
        .await?;
        manager
            .create_table(
                Table::create()
                    .table(BonusLines::Table)
                    .col(pk_uuid(BonusLines::Id))
                    .col(uuid(BonusLines::PoolId))
                    .col(integer(BonusLines::Position))
                    .col(uuid(BonusLines::UserId))
                    .col(uuid_null(BonusLines::TeamId))
                    .col(big_integer_null(BonusLines::Rank))
                    .col(boolean(BonusLines::Eligible))
                    .col(double(BonusLines::Score))
                    .col(string_len(BonusLines::Basis, 16))
                    .col(big_integer_null(BonusLines::Band))
                    .col(double(BonusLines::SharePermille))
                    .col(big_integer(BonusLines::AmountFen))
                    .col(json(BonusLines::Explanation))
                    .to_owned(),
            )
            .await?;
        crate::create_index(
            manager,
            "idx_bonus_lines_pool",
            BonusLines::Table,
            &[BonusLines::PoolId, BonusLines::Position],
        )
        .await?;
        crate::create_index(
            manager,
            "idx_bonus_lines_user",
            BonusLines::Table,
            &[BonusLines::UserId],
        )
        .await?;
        crate::seed_grants(manager, GRANTS).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let grants = Query::delete()
            .from_table(Alias::new("role_permissions"))
            .and_where(Expr::col(Alias::new("permission")).like("bonuses:%"))
            .to_owned();
        manager.exec_stmt(grants).await?;
        manager
            .drop_table(Table::drop().table(BonusLines::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(BonusPools::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(BonusRules::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum BonusRules {
    Table,
    Id,
    Version,
    Shares,
    RestPermille,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum BonusPools {
    Table,
    Id,
    Period,
    Scope,
    TeamId,
    ScopeKey,
    PoolFen,
    Status,
    RulesVersion,
    AwardRulesVersion,
    Basis,
    PaidFen,
    UnpaidFen,
    ComputedAt,
    ComputedBy,
    PublishedAt,
    PublishedBy,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden, Clone, Copy)]
enum BonusLines {
    Table,
    Id,
    PoolId,
    Position,
    UserId,
    TeamId,
    Rank,
    Eligible,
    Score,
    Basis,
    Band,
    SharePermille,
    AmountFen,
    Explanation,
}
