//! Queue throughput: jobs processed and failed per queue and minute, summed
//! over every worker replica (each adds its own counts with an upsert), so
//! that the console's charts survive restarts and show the whole service.
//! Rows older than a week are pruned by the workers.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(QueueThroughput::Table)
                    .col(string_len(QueueThroughput::Queue, 100))
                    .col(timestamp_with_time_zone(QueueThroughput::Minute))
                    .col(big_integer(QueueThroughput::Processed))
                    .col(big_integer(QueueThroughput::Failed))
                    .primary_key(Index::create().col(QueueThroughput::Queue).col(QueueThroughput::Minute))
                    .to_owned(),
            )
            .await?;
        crate::create_index(
            manager,
            "idx_queue_throughput_minute",
            QueueThroughput::Table,
            &[QueueThroughput::Minute],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(QueueThroughput::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden, Clone, Copy)]
enum QueueThroughput {
    Table,
    Queue,
    Minute,
    Processed,
    Failed,
}
