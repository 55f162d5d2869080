//! Opening the database and bringing its schema up to date.

use std::time::Duration;

use migration::{MigrationStatus, Migrator, MigratorTrait};
pub use sea_orm::DatabaseConnection;
use sea_orm::{
    ActiveModelTrait, ConnectOptions, ConnectionTrait, Database, DbBackend, DbErr, EntityTrait, SqliteTransactionMode,
    TransactionOptions, TransactionTrait, sqlx::sqlite::SqliteJournalMode,
};

use crate::platform::settings::Settings;

/// Opens a connection pool to the configured database. SQLite files are
/// created if missing and run in WAL mode so readers never block the writer.
pub async fn connect(settings: &Settings) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(settings.database_url.expose());
    options
        .max_connections(settings.database_max_connections)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(5))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(|opts| {
            opts.create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .busy_timeout(Duration::from_secs(10))
                .foreign_keys(true)
        });
    Database::connect(options).await
}

/// Starts a transaction that will write. On SQLite it takes the write lock
/// at once (`BEGIN IMMEDIATE`): a transaction that reads first and upgrades
/// later fails with "database is locked" whenever another connection (the
/// queue's, say) wrote in between, whatever the busy timeout. Elsewhere it is
/// an ordinary transaction.
pub async fn begin_write<C: TransactionTrait>(db: &C) -> Result<C::Transaction, DbErr> {
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..TransactionOptions::default()
    })
    .await
}

/// Rows per multi-row `INSERT`: far below both engines' limits on bound
/// values (PostgreSQL 65,535; SQLite 32,766) for tables of up to 60 columns.
const INSERT_CHUNK: usize = 500;

/// Inserts `rows` with multi-row `INSERT`s of at most [`INSERT_CHUNK`]
/// rows each, in the caller's transaction; nothing for no rows.
pub async fn insert_all<A>(db: &impl ConnectionTrait, rows: Vec<A>) -> Result<(), DbErr>
where
    A: ActiveModelTrait + Send,
{
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<A> = rows.by_ref().take(INSERT_CHUNK).collect();
        <A::Entity as EntityTrait>::insert_many(chunk)
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// Gathers PostgreSQL's planner statistics of `tables` (`ANALYZE`), for a
/// bulk write that grew them: until autovacuum gets there (a minute or
/// more), a table never analysed is planned with default guesses, which
/// rate `merged_into_id IS NULL` and `state IN (…)` as rare and pick a
/// plan that reads every open timer to show fifty customers. `ANALYZE`
/// samples a bounded number of rows, so it costs the same at any size.
/// SQLite's plans keep their shape without statistics (the agenda's
/// `CROSS JOIN` fixes its join order), so it is left alone there.
pub async fn refresh_statistics(db: &impl ConnectionTrait, tables: &[&str]) -> Result<(), DbErr> {
    if db.get_database_backend() != DbBackend::Postgres || tables.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = tables.iter().map(|t| format!("\"{}\"", t.replace('"', ""))).collect();
    db.execute_unprepared(&format!("ANALYZE {}", names.join(", "))).await?;
    Ok(())
}

/// Applies every pending migration.
pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}

/// Every known migration with whether it has been applied, in order.
pub async fn migration_status(db: &DatabaseConnection) -> Result<Vec<(String, bool)>, DbErr> {
    Ok(Migrator::get_migration_with_status(db)
        .await?
        .iter()
        .map(|m| (m.name().to_owned(), m.status() == MigrationStatus::Applied))
        .collect())
}

/// The strings of a JSON array column (an API client's scopes, a webhook's
/// events); anything else in it is ignored.
pub fn strings(value: &serde_json::Value) -> Vec<String> {
    value
        .as_array()
        .map(|a| a.iter().filter_map(|s| s.as_str().map(str::to_owned)).collect())
        .unwrap_or_default()
}

/// The database server's own version string (`PostgreSQL 16.4 …`, `SQLite 3.46.0`).
pub async fn server_version(db: &DatabaseConnection) -> Result<String, DbErr> {
    use sea_orm::{ConnectionTrait, Statement};
    let backend = db.get_database_backend();
    let sql = match backend {
        sea_orm::DbBackend::Sqlite => "SELECT 'SQLite ' || sqlite_version() AS v",
        _ => "SELECT version() AS v",
    };
    let row = db.query_one_raw(Statement::from_string(backend, sql)).await?;
    Ok(row.and_then(|r| r.try_get::<String>("", "v").ok()).unwrap_or_default())
}
