//! Phone keys in E.164 form, and the deadline a notification is about.
//!
//! A customer's `phone_key` is now the E.164 form of its number
//! (`+8613800138000`), however it was written, so that duplicates and
//! searches match across `138-0013-8000`, `+86 138 0013 8000` and
//! `13800138000`; the keys on file are recomputed with the domain's own
//! parser (compiled here from its source). A number on file that does not
//! parse keeps the key it had. Notifications gain `due_at`: the deadline a
//! reminder, task or breach is about, as a machine field.

use sea_orm_migration::prelude::*;

#[allow(dead_code)]
#[path = "../../domain/src/platform/phone.rs"]
mod phone;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Notifications::Table)
                    .add_column(ColumnDef::new(Notifications::DueAt).timestamp_with_time_zone().null())
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        let select = Query::select()
            .columns([Customers::Id, Customers::Phone])
            .from(Customers::Table)
            .and_where(Expr::col(Customers::Phone).is_not_null())
            .to_owned();
        for row in db.query_all(&select).await? {
            let id: uuid::Uuid = row.try_get("", "id")?;
            let written: String = row.try_get("", "phone")?;
            let Ok(parsed) = phone::Phone::parse(&written) else {
                continue;
            };
            let update = Query::update()
                .table(Customers::Table)
                .value(Customers::PhoneKey, parsed.key())
                .and_where(Expr::col(Customers::Id).eq(id))
                .to_owned();
            manager.exec_stmt(update).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Notifications::Table)
                    .drop_column(Notifications::DueAt)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Customers {
    Table,
    Id,
    Phone,
    PhoneKey,
}

#[derive(DeriveIden)]
enum Notifications {
    Table,
    DueAt,
}
