//! Indexes for reading follow-ups by when they happened: a manager's
//! digest and the KPIs count a day's or a month's follow-ups per
//! consultant (author and time) and per team (time, then the customer's
//! team). Without them each count read every follow-up ever recorded
//! (10,000,000 at company scale: the daily digest took 90 s for 100 teams,
//! 19 s with these; docs/benchmarks.md).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const INDEXES: [(&str, &[FollowUps]); 2] = [
    ("idx_follow_ups_author", &[FollowUps::AuthorId, FollowUps::OccurredAt]),
    ("idx_follow_ups_occurred", &[FollowUps::OccurredAt]),
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, columns) in INDEXES {
            crate::create_index(manager, name, FollowUps::Table, columns).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, _) in INDEXES {
            manager
                .drop_index(Index::drop().name(name).table(FollowUps::Table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum FollowUps {
    Table,
    AuthorId,
    OccurredAt,
}
