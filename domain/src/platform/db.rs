//! Opening the database and bringing its schema up to date.

use std::time::Duration;

use migration::{MigrationStatus, Migrator, MigratorTrait};
pub use sea_orm::DatabaseConnection;
use sea_orm::{
    ActiveModelTrait, ConnectOptions, ConnectionTrait, Database, DbBackend, DbErr, EntityTrait, SqliteTransactionMode,
    Statement, TransactionOptions, TransactionTrait, sqlx::sqlite::SqliteJournalMode,
};

use crate::platform::settings::Settings;

/// A pooled connection idle this long is pinged before it is handed out
/// (one that the server, a proxy or a firewall dropped is replaced); one in
/// steady use is not, so a statement costs one round trip, not two.
const PING_AFTER_IDLE: Duration = Duration::from_secs(10);

/// The planner's cost of reading a page out of order, in this service's
/// PostgreSQL sessions: the server's default (4, for spinning disks)
/// rates a list's partial index on (status, id) dearer than walking the
/// primary key backwards and filtering, because status says nothing about
/// where a row lies; at 1,000,000 customers that filter read 2,600 rows
/// for a page of 20 (16 ms, 84 ms at p99 under load). 1.1 is the usual
/// value for SSDs and for data the cache holds.
const RANDOM_PAGE_COST: &str = "1.1";

/// Opens a connection pool to the configured database. SQLite files are
/// created if missing and run in WAL mode so readers never block the writer.
pub async fn connect(settings: &Settings) -> Result<DatabaseConnection, DbErr> {
    let mut options = ConnectOptions::new(settings.database_url.expose());
    options
        .max_connections(settings.database_max_connections)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(5))
        .test_before_acquire_if_idle_for(PING_AFTER_IDLE)
        .sqlx_logging(false)
        .map_sqlx_postgres_opts(|opts| opts.options([("random_page_cost", RANDOM_PAGE_COST)]))
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

/// Statements built once per shape and bound per use: a query built with
/// sea-query on every request (the agenda's next due item, say: four
/// branches, sixty values) costs more of the request than the database's
/// work. The builder is called once per shape and backend with stand-in
/// ids; each later use binds its own ids where the stand-ins are.
///
/// On PostgreSQL every other value is written into the SQL text, so the
/// ids are the statement's only parameters: the server then plans it once
/// per connection (a generic plan is as good as a custom one), where with
/// sixty parameters it planned it again on every execution.
static SHAPES: std::sync::LazyLock<std::sync::Mutex<std::collections::HashMap<String, Shape>>> =
    std::sync::LazyLock::new(Default::default);

/// A statement built with stand-in ids, and (PostgreSQL) which of the ids
/// its parameters are, in order.
#[derive(Clone)]
struct Shape {
    statement: Statement,
    parameters: Vec<usize>,
}

/// Stand-in ids: version nibble 0, which no id this service makes (v4, v7) has.
fn stand_in(i: usize) -> uuid::Uuid {
    uuid::Uuid::from_u128(0x5eed_0000_0000_0000_0000_0000_0000_0000 | i as u128)
}

/// `select` as SQL text with every value written into it (for a
/// statement built once, or a database object's definition).
pub fn inline(backend: DbBackend, select: &sea_orm::sea_query::SelectStatement) -> String {
    match backend {
        DbBackend::Postgres => select.to_string(sea_orm::sea_query::PostgresQueryBuilder),
        _ => select.to_string(sea_orm::sea_query::SqliteQueryBuilder),
    }
}

/// The statement `build` makes for `ids`, built once per `shape` and
/// backend: `build` must give the same SQL for any ids (a shape names
/// everything else that changes it, such as how many ids there are), and
/// bind as values the ids it uses (it need not use all).
pub fn shaped(
    backend: DbBackend,
    shape: &str,
    ids: &[uuid::Uuid],
    build: impl FnOnce(&[uuid::Uuid]) -> sea_orm::sea_query::SelectStatement,
) -> Statement {
    let key = format!("{backend:?} {shape}");
    let lock = || SHAPES.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    let cached = lock().get(&key).cloned();
    let Shape {
        mut statement,
        parameters,
    } = cached.unwrap_or_else(|| {
        let stand_ins: Vec<uuid::Uuid> = (0..ids.len()).map(stand_in).collect();
        let select = build(&stand_ins);
        let built = if backend == DbBackend::Postgres {
            let mut sql = inline(backend, &select);
            let mut parameters = Vec::new();
            for (i, id) in stand_ins.iter().enumerate() {
                let literal = format!("'{id}'");
                if sql.contains(&literal) {
                    parameters.push(i);
                    sql = sql.replace(&literal, &format!("${}", parameters.len()));
                }
            }
            Shape {
                statement: Statement::from_string(backend, sql),
                parameters,
            }
        } else {
            Shape {
                statement: backend.build(&select),
                parameters: Vec::new(),
            }
        };
        lock().insert(key, built.clone());
        built
    });
    if backend == DbBackend::Postgres {
        statement.values = Some(sea_orm::Values(parameters.iter().map(|&i| ids[i].into()).collect()));
    } else if let Some(values) = statement.values.as_mut() {
        for value in &mut values.0 {
            if let sea_orm::Value::Uuid(Some(id)) = value
                && let Some(i) = (0..ids.len()).find(|&i| *id == stand_in(i))
            {
                *id = ids[i];
            }
        }
    }
    statement
}
