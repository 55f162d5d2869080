//! Indexes that make the plans of the lists obvious, with or without the
//! planner's statistics (right after a bulk import): customer lists walk
//! the live customers (not merged) in id order, filtered by a leading
//! status, owner or team, and stop at the page's end; the dashboard counts
//! each consultant's and team's new and open customers from the owner and
//! team indexes alone (they carry `created_at` and `lost_at`); the timers
//! page counts open timers by kind from the index alone.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Partial indexes over live customers: (name, leading column if any,
/// whether `created_at` and `lost_at` follow the id).
const LIVE_CUSTOMERS: [(&str, Option<Customers>, bool); 4] = [
    ("idx_customers_live_id", None, false),
    ("idx_customers_live_status", Some(Customers::Status), false),
    ("idx_customers_live_owner", Some(Customers::OwnerId), true),
    ("idx_customers_live_team", Some(Customers::TeamId), true),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, leading, dates) in LIVE_CUSTOMERS {
            let mut columns: Vec<Customers> = leading.into_iter().chain([Customers::Id]).collect();
            if dates {
                columns.extend([Customers::CreatedAt, Customers::LostAt]);
            }
            let live = Expr::col(Customers::MergedIntoId).is_null();
            crate::create_partial_index(manager, name, Customers::Table, &columns, Some(live)).await?;
        }
        crate::create_index(
            manager,
            "idx_timers_state_kind",
            Timers::Table,
            &[Timers::State, Timers::Kind, Timers::DueAt],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_timers_state_kind")
                    .table(Timers::Table)
                    .to_owned(),
            )
            .await?;
        for (name, _, _) in LIVE_CUSTOMERS {
            manager
                .drop_index(Index::drop().name(name).table(Customers::Table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Customers {
    Table,
    Id,
    Status,
    OwnerId,
    TeamId,
    CreatedAt,
    LostAt,
    MergedIntoId,
}

#[derive(DeriveIden, Clone, Copy)]
enum Timers {
    Table,
    State,
    Kind,
    DueAt,
}
