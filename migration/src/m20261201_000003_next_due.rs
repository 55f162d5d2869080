//! Each customer's next due item kept on the customer (`next_due_at`, and
//! `next_due_kind`, the timer kind), so that a list sorted or filtered by
//! it walks an index instead of computing every customer's agenda first
//! (a team's list at 1,000,000 customers took about a second).
//!
//! The columns are written by triggers that `domain::outbox::agenda`
//! writes from the agenda's own rules every time the service migrates
//! (`derived_objects` keeps the definition in force, to rewrite them and
//! compute every customer again when the rules change); this migration
//! only makes room for them.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Partial indexes over live customers by next due time: (name, leading column if any).
const BY_NEXT_DUE: [(&str, Option<Customers>); 3] = [
    ("idx_customers_live_next_due", None),
    ("idx_customers_live_owner_next_due", Some(Customers::OwnerId)),
    ("idx_customers_live_team_next_due", Some(Customers::TeamId)),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Customers::Table)
                    .add_column(ColumnDef::new(Customers::NextDueAt).timestamp_with_time_zone().null())
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Customers::Table)
                    .add_column(ColumnDef::new(Customers::NextDueKind).string_len(32).null())
                    .to_owned(),
            )
            .await?;
        for (name, leading) in BY_NEXT_DUE {
            let columns: Vec<Customers> = leading
                .into_iter()
                .chain([Customers::NextDueAt, Customers::Id])
                .collect();
            let live = Expr::col(Customers::MergedIntoId).is_null();
            crate::create_partial_index(manager, name, Customers::Table, &columns, Some(live)).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(DerivedObjects::Table)
                    .col(
                        ColumnDef::new(DerivedObjects::Name)
                            .string_len(64)
                            .not_null()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(DerivedObjects::Definition).text().not_null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(DerivedObjects::Table).to_owned())
            .await?;
        for (name, _) in BY_NEXT_DUE {
            manager
                .drop_index(Index::drop().name(name).table(Customers::Table).to_owned())
                .await?;
        }
        for column in [Customers::NextDueAt, Customers::NextDueKind] {
            manager
                .alter_table(Table::alter().table(Customers::Table).drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum Customers {
    Table,
    Id,
    OwnerId,
    TeamId,
    MergedIntoId,
    NextDueAt,
    NextDueKind,
}

#[derive(DeriveIden, Clone, Copy)]
enum DerivedObjects {
    Table,
    Name,
    Definition,
}
