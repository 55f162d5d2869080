//! The access epoch: one number that every change to who may do what moves
//! on, in the transaction that makes the change. The API keeps the callers
//! it has loaded and reuses one only while the epoch it was loaded at is
//! still the current one (read per request with one primary-key lookup),
//! so a disabled account, a revoked grant or a moved team manager is
//! refused or narrowed on the very next request, on every replica, and
//! also when the change was made in SQL by hand.
//!
//! Triggers are the one thing sea-query cannot build, so this migration
//! writes them per engine: on PostgreSQL deferred constraint triggers (the
//! epoch row is locked only while the change commits, so two concurrent
//! administrators do not queue behind each other for their whole
//! transactions), on SQLite ordinary ones (it has one writer anyway). The
//! columns watched are those a caller is loaded from
//! (`domain::access::actor`): an account's status, e-mail, language and
//! team; its roles and their grants and names; the teams it manages; a
//! partner client's status, name, scopes and request budget.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// (table, the events that change a caller loaded from it).
const WATCHED: [(&str, &[&str]); 6] = [
    ("users", &["UPDATE OF status, email, locale, team_id", "DELETE"]),
    ("user_roles", &["INSERT", "UPDATE", "DELETE"]),
    ("role_permissions", &["INSERT", "UPDATE", "DELETE"]),
    ("roles", &["UPDATE OF name", "DELETE"]),
    ("teams", &["INSERT", "UPDATE OF manager_id", "DELETE"]),
    (
        "api_clients",
        &["UPDATE OF status, name, scopes, rate_limit_per_minute", "DELETE"],
    ),
];

const BUMP: &str = "UPDATE access_epoch SET version = version + 1 WHERE id = 1";

/// A trigger's name: `access_<table>_<first word of the event>`.
fn trigger(table: &str, event: &str) -> String {
    let verb = event.split_whitespace().next().unwrap_or(event).to_lowercase();
    format!("access_{table}_{verb}")
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AccessEpoch::Table)
                    .col(ColumnDef::new(AccessEpoch::Id).small_integer().not_null().primary_key())
                    .col(ColumnDef::new(AccessEpoch::Version).big_integer().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .exec_stmt(
                Query::insert()
                    .into_table(AccessEpoch::Table)
                    .columns([AccessEpoch::Id, AccessEpoch::Version])
                    .values_panic([1.into(), 1i64.into()])
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        let postgres = db.get_database_backend() == DbBackend::Postgres;
        if postgres {
            db.execute_unprepared(&format!(
                "CREATE FUNCTION access_changed() RETURNS trigger LANGUAGE plpgsql AS $$ \
                 BEGIN {BUMP}; RETURN NULL; END $$"
            ))
            .await?;
        }
        for (table, events) in WATCHED {
            for event in events {
                let name = trigger(table, event);
                let sql = if postgres {
                    format!(
                        "CREATE CONSTRAINT TRIGGER {name} AFTER {event} ON {table} \
                         DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION access_changed()"
                    )
                } else {
                    format!("CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN {BUMP}; END")
                };
                db.execute_unprepared(&sql).await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let postgres = db.get_database_backend() == DbBackend::Postgres;
        for (table, events) in WATCHED {
            for event in events {
                let name = trigger(table, event);
                let sql = if postgres {
                    format!("DROP TRIGGER {name} ON {table}")
                } else {
                    format!("DROP TRIGGER {name}")
                };
                db.execute_unprepared(&sql).await?;
            }
        }
        if postgres {
            db.execute_unprepared("DROP FUNCTION access_changed()").await?;
        }
        manager
            .drop_table(Table::drop().table(AccessEpoch::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum AccessEpoch {
    Table,
    Id,
    Version,
}
