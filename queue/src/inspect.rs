//! Queue inspection and operator actions over apalis' own storage: counts by
//! state, job listings with search, retry / delete / run-now (one job or all
//! matching a filter), pause and resume, and the registered workers. apalis'
//! listing APIs do not work on Redis, so this reads the key layout of
//! apalis-redis 1.0 and the `Jobs`/`Workers` tables of apalis-sqlite 1.0
//! directly; both backends answer the same way.
//!
//! States: `scheduled` (waiting for its time, including a failed job waiting
//! for its retry), `pending` (due, waiting for a worker), `running` (taken by
//! a worker), `done`, and `dead` (aborted, or out of attempts).

use std::{
    collections::HashMap,
    fmt,
    str::FromStr,
    time::{Duration, SystemTime},
};

use domain::platform::page::{OffsetRequest, Page};
use redis::{AsyncCommands, Script};
use sea_orm::{
    DatabaseConnection,
    sqlx::{self, Row, SqlitePool},
};
use serde::Serialize;

use crate::{QueueClient, QueueError, jobs::Queue};

/// At most this many jobs are scanned by one listing or changed by one bulk action.
pub const MAX_BULK: usize = 10_000;

/// Heartbeats a worker may miss before it counts as gone and its jobs are
/// handed to another (the workers' setting, and what the console shows).
pub const MISSED_HEARTBEATS: usize = 3;

/// The largest page of a job listing (other lists stop at 100).
pub const MAX_PAGE_LIMIT: u64 = 500;

/// The page of a job listing a client asks for, under the rules of every
/// list (`domain::platform::page`) with [`MAX_PAGE_LIMIT`].
pub fn jobs_page(limit: Option<u64>, cursor: Option<&str>) -> Result<OffsetRequest, domain::DomainError> {
    OffsetRequest::new(limit, cursor, MAX_PAGE_LIMIT)
}

/// Where a job is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    Scheduled,
    Pending,
    Running,
    Done,
    Dead,
}

impl JobState {
    pub const ALL: [JobState; 5] = [
        JobState::Scheduled,
        JobState::Pending,
        JobState::Running,
        JobState::Done,
        JobState::Dead,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Scheduled => "scheduled",
            Self::Pending => "pending",
            Self::Running => "running",
            Self::Done => "done",
            Self::Dead => "dead",
        }
    }
}

impl fmt::Display for JobState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for JobState {
    type Err = ();

    fn from_str(s: &str) -> Result<Self, ()> {
        Self::ALL.into_iter().find(|state| state.as_str() == s).ok_or(())
    }
}

/// Jobs of one queue by state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct QueueCounts {
    pub scheduled: u64,
    pub pending: u64,
    pub running: u64,
    pub done: u64,
    pub dead: u64,
}

impl QueueCounts {
    pub fn get(&self, state: JobState) -> u64 {
        match state {
            JobState::Scheduled => self.scheduled,
            JobState::Pending => self.pending,
            JobState::Running => self.running,
            JobState::Done => self.done,
            JobState::Dead => self.dead,
        }
    }
}

/// The jobs of a queue that failed and wait for another attempt: a part of
/// its scheduled and pending jobs (neither backend keeps them as a state of
/// their own), counted apart so operators see failures being retried.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Retrying {
    pub count: u64,
    /// Counted among the first [`MAX_BULK`] scheduled and the first
    /// [`MAX_BULK`] pending jobs only (Redis, with more waiting than that).
    pub partial: bool,
}

/// One job as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct JobInfo {
    pub id: String,
    pub state: JobState,
    /// The job's JSON payload (a string when it is not JSON).
    pub payload: serde_json::Value,
    pub attempts: Option<i64>,
    /// When a scheduled job becomes due (Unix seconds).
    pub run_at: Option<i64>,
    /// When the last attempt ended (Unix seconds).
    pub done_at: Option<i64>,
    /// The last attempt's result or error as apalis recorded it.
    pub last_result: Option<String>,
    /// The worker holding a running job.
    pub worker: Option<String>,
}

/// A worker registered with the queue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkerInfo {
    pub name: String,
    pub queue: String,
    /// Its last heartbeat (Unix seconds).
    pub last_heartbeat: i64,
}

/// What an operator does to jobs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobAction {
    /// A dead job: run it again now, with its attempts reset.
    Retry,
    /// A scheduled job: make it due now.
    RunNow,
    /// Any job not running: remove it with its data.
    Delete,
}

impl JobAction {
    /// Whether the action applies to jobs in `state`.
    pub fn applies_to(self, state: JobState) -> bool {
        match self {
            Self::Retry => state == JobState::Dead,
            Self::RunNow => state == JobState::Scheduled,
            Self::Delete => state != JobState::Running,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum InspectError {
    #[error("no such queue")]
    UnknownQueue,
    #[error("no such job")]
    UnknownJob,
    #[error("the job is not in a state this action applies to")]
    WrongState,
    #[error(transparent)]
    Queue(#[from] QueueError),
    #[error("pause flag: {0}")]
    Database(#[from] domain::DomainError),
}

impl From<redis::RedisError> for InspectError {
    fn from(err: redis::RedisError) -> Self {
        Self::Queue(QueueError::Redis(err))
    }
}

impl From<sqlx::Error> for InspectError {
    fn from(err: sqlx::Error) -> Self {
        Self::Queue(QueueError::Setup(err.to_string()))
    }
}

/// The queue named `queue`, if it is one of ours.
pub fn known_queue(queue: &str) -> Result<&'static str, InspectError> {
    Queue::named(queue).map(Queue::name).ok_or(InspectError::UnknownQueue)
}

fn now() -> i64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or_default()
}

fn matches(q: Option<&str>, id: &str, payload: &str) -> bool {
    q.is_none_or(|q| {
        let q = q.to_lowercase();
        id.to_lowercase().contains(&q) || payload.to_lowercase().contains(&q)
    })
}

fn payload_value(raw: &[u8]) -> serde_json::Value {
    serde_json::from_slice(raw).unwrap_or_else(|_| serde_json::Value::String(String::from_utf8_lossy(raw).into_owned()))
}

// ---------------------------------------------------------------- pause flag

fn pause_key(queue: &str) -> String {
    format!("queue_paused:{queue}")
}

const PAUSED: &str = "paused";
const ACTIVE: &str = "active";

/// Whether operators paused `queue`. Kept in the database, which every
/// worker replica reads.
pub async fn is_paused(db: &DatabaseConnection, queue: &str) -> Result<bool, domain::DomainError> {
    Ok(domain::platform::system::get(db, &pause_key(queue)).await?.as_deref() == Some(PAUSED))
}

/// Pauses or resumes `queue`; returns whether the flag changed.
pub async fn set_paused(db: &DatabaseConnection, queue: &str, paused: bool) -> Result<bool, domain::DomainError> {
    let key = pause_key(queue);
    domain::platform::system::insert_if_absent(db, &key, ACTIVE).await?;
    let (from, to) = if paused { (ACTIVE, PAUSED) } else { (PAUSED, ACTIVE) };
    domain::platform::system::compare_and_set(db, &key, from, to).await
}

fn stopped_key(queue: &str, instance: &str) -> String {
    format!("queue_stopped:{queue}@{instance}")
}

const STOPPED: &str = "stopped";

/// Records whether the worker of `queue` on the replica `instance` stands
/// still because the queue is paused: it fetches nothing and its jobs in
/// flight have finished. Kept beside the pause flag under
/// `queue_stopped:<queue>@<instance>` (the worker's name), with the time it
/// stopped, so that operators (and tests) see which replicas have obeyed a
/// pause; the entry goes when the worker runs again or its replica shuts
/// down.
pub async fn set_worker_stopped(
    db: &DatabaseConnection,
    queue: &str,
    instance: &str,
    stopped: bool,
) -> Result<(), domain::DomainError> {
    let key = stopped_key(queue, instance);
    if stopped {
        domain::platform::system::put(db, &key, STOPPED).await
    } else {
        domain::platform::system::remove(db, &key).await
    }
}

/// Whether the worker of `queue` on the replica `instance` has acknowledged
/// a pause (see [`set_worker_stopped`]).
pub async fn is_worker_stopped(
    db: &DatabaseConnection,
    queue: &str,
    instance: &str,
) -> Result<bool, domain::DomainError> {
    Ok(domain::platform::system::get(db, &stopped_key(queue, instance))
        .await?
        .as_deref()
        == Some(STOPPED))
}

// ---------------------------------------------------------------- SQLite

/// The SQL condition of each state over apalis-sqlite's `Jobs` (`?now` is `$now`).
fn sqlite_condition(state: JobState) -> &'static str {
    match state {
        JobState::Scheduled => {
            "((status = 'Pending' OR (status = 'Failed' AND attempts < max_attempts)) AND run_at > $now)"
        }
        JobState::Pending => {
            "((status = 'Pending' OR (status = 'Failed' AND attempts < max_attempts)) AND run_at <= $now)"
        }
        JobState::Running => "(status IN ('Queued', 'Running'))",
        JobState::Done => "(status = 'Done')",
        JobState::Dead => "(status = 'Killed' OR (status = 'Failed' AND attempts >= max_attempts))",
    }
}

/// `template` with the state's condition: built only from the constant
/// fragments here, every value is a bind parameter.
fn sqlite_sql(template: &str, state: JobState) -> sqlx::AssertSqlSafe<String> {
    sqlx::AssertSqlSafe(template.replace("$cond", sqlite_condition(state)).replace("$now", "?2"))
}

/// Search by id or payload; the pattern comes from `domain::platform::input::like_contains`.
const SQLITE_SEARCH: &str = "(?3 IS NULL OR id LIKE ?3 ESCAPE '\\' OR CAST(job AS TEXT) LIKE ?3 ESCAPE '\\')";

async fn sqlite_counts(pool: &SqlitePool, queue: &str) -> Result<QueueCounts, InspectError> {
    let mut counts = QueueCounts::default();
    for state in JobState::ALL {
        let sql = sqlite_sql("SELECT COUNT(*) FROM Jobs WHERE job_type = ?1 AND $cond", state);
        let n: i64 = sqlx::query_scalar(sql).bind(queue).bind(now()).fetch_one(pool).await?;
        let n = u64::try_from(n).unwrap_or_default();
        match state {
            JobState::Scheduled => counts.scheduled = n,
            JobState::Pending => counts.pending = n,
            JobState::Running => counts.running = n,
            JobState::Done => counts.done = n,
            JobState::Dead => counts.dead = n,
        }
    }
    Ok(counts)
}

async fn sqlite_retrying(pool: &SqlitePool, queue: &str) -> Result<Retrying, InspectError> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM Jobs WHERE job_type = ?1 AND status = 'Failed' AND attempts < max_attempts",
    )
    .bind(queue)
    .fetch_one(pool)
    .await?;
    Ok(Retrying {
        count: u64::try_from(n).unwrap_or_default(),
        partial: false,
    })
}

async fn sqlite_list(
    pool: &SqlitePool,
    queue: &str,
    state: JobState,
    q: Option<&str>,
    limit: usize,
    offset: usize,
) -> Result<Vec<JobInfo>, InspectError> {
    let sql = sqlite_sql(
        &format!(
            "SELECT id, job, attempts, run_at, done_at, last_result, lock_by FROM Jobs \
             WHERE job_type = ?1 AND $cond AND {SQLITE_SEARCH} ORDER BY run_at, id LIMIT ?4 OFFSET ?5"
        ),
        state,
    );
    let rows = sqlx::query(sql)
        .bind(queue)
        .bind(now())
        .bind(q.map(domain::platform::input::like_contains))
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .bind(i64::try_from(offset).unwrap_or(i64::MAX))
        .fetch_all(pool)
        .await?;
    rows.into_iter()
        .map(|row| {
            let raw: Vec<u8> = row.try_get("job")?;
            Ok(JobInfo {
                id: row.try_get("id")?,
                state,
                payload: payload_value(&raw),
                attempts: row.try_get("attempts")?,
                run_at: (state == JobState::Scheduled)
                    .then(|| row.try_get("run_at"))
                    .transpose()?,
                done_at: row.try_get("done_at")?,
                last_result: row.try_get("last_result")?,
                worker: if state == JobState::Running {
                    row.try_get("lock_by")?
                } else {
                    None
                },
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(InspectError::from)
}

fn sqlite_action_sql(action: JobAction, state: JobState) -> sqlx::AssertSqlSafe<String> {
    let set = match action {
        JobAction::Retry => {
            "UPDATE Jobs SET status = 'Pending', attempts = 0, run_at = ?2, done_at = NULL, lock_by = NULL, \
             lock_at = NULL"
        }
        JobAction::RunNow => "UPDATE Jobs SET run_at = ?2",
        JobAction::Delete => "DELETE FROM Jobs",
    };
    sqlite_sql(&format!("{set} WHERE job_type = ?1 AND $cond"), state)
}

async fn sqlite_job_action(pool: &SqlitePool, queue: &str, id: &str, action: JobAction) -> Result<(), InspectError> {
    // Read, then write: take the write lock first, or a writer committing
    // in between makes SQLite refuse the upgrade ("database is locked").
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let exists: Option<i64> = sqlx::query_scalar("SELECT 1 FROM Jobs WHERE job_type = ?1 AND id = ?2")
        .bind(queue)
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
    if exists.is_none() {
        return Err(InspectError::UnknownJob);
    }
    let mut affected = 0;
    for state in JobState::ALL.into_iter().filter(|s| action.applies_to(*s)) {
        let sql = sqlx::AssertSqlSafe(format!("{} AND id = ?3", sqlite_action_sql(action, state).0));
        affected += sqlx::query(sql)
            .bind(queue)
            .bind(now())
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
    }
    tx.commit().await?;
    if affected == 0 {
        return Err(InspectError::WrongState);
    }
    Ok(())
}

async fn sqlite_bulk_action(
    pool: &SqlitePool,
    queue: &str,
    state: JobState,
    q: Option<&str>,
    action: JobAction,
) -> Result<u64, InspectError> {
    let select = sqlite_sql(
        &format!("SELECT id FROM Jobs WHERE job_type = ?1 AND $cond AND {SQLITE_SEARCH} ORDER BY run_at, id LIMIT ?4"),
        state,
    );
    let sql = sqlx::AssertSqlSafe(format!(
        "{} AND id IN ({})",
        sqlite_action_sql(action, state).0,
        select.0
    ));
    let result = sqlx::query(sql)
        .bind(queue)
        .bind(now())
        .bind(q.map(domain::platform::input::like_contains))
        .bind(i64::try_from(MAX_BULK).unwrap_or(i64::MAX))
        .execute(pool)
        .await?;
    Ok(result.rows_affected())
}

async fn sqlite_workers(pool: &SqlitePool, queue: &str) -> Result<Vec<WorkerInfo>, InspectError> {
    let rows = sqlx::query("SELECT id, last_seen FROM Workers WHERE worker_type = ?1 ORDER BY last_seen DESC, id")
        .bind(queue)
        .fetch_all(pool)
        .await?;
    rows.into_iter()
        .map(|row| {
            Ok(WorkerInfo {
                name: row.try_get("id")?,
                queue: queue.to_owned(),
                last_heartbeat: row.try_get("last_seen")?,
            })
        })
        .collect::<Result<_, sqlx::Error>>()
        .map_err(InspectError::from)
}

// ---------------------------------------------------------------- Redis

/// The keys of one queue in apalis-redis 1.0 (see its `Config`): `active` is
/// the list of jobs fetched next, `scheduled` a sorted set by due time
/// (every push lands here; due ones count as pending), `done` and
/// `dead` sets, `inflight:<worker>` the set a worker holds, `workers` a
/// sorted set of worker names by last heartbeat, `data` the payloads by id
/// and `meta:<id>` a hash of attempts, status and result per job.
struct Keys(String);

impl Keys {
    fn key(&self, suffix: &str) -> String {
        format!("{}:{suffix}", self.0)
    }
    fn active(&self) -> String {
        self.key("active")
    }
    fn scheduled(&self) -> String {
        self.key("scheduled")
    }
    fn done(&self) -> String {
        self.key("done")
    }
    fn dead(&self) -> String {
        self.key("dead")
    }
    fn workers(&self) -> String {
        self.key("workers")
    }
    fn inflight(&self, worker: &str) -> String {
        self.key(&format!("inflight:{worker}"))
    }
    fn data(&self) -> String {
        self.key("data")
    }
    fn meta(&self) -> String {
        self.key("meta")
    }
    fn signal(&self) -> String {
        self.key("signal")
    }
}

/// A script moving one job to the active list (`KEYS[2]`) and waking the
/// workers (`KEYS[4]`) once `take` (Lua) has removed it from where it was,
/// after running `then` (Lua): 1 when it moved, 0 when it was not there.
macro_rules! redis_make_pending {
    (take: $take:literal, then: $then:literal) => {
        concat!(
            "\nif ",
            $take,
            " == 1 then\n",
            $then,
            "    redis.call('rpush', KEYS[2], ARGV[1])
    redis.call('del', KEYS[4])
    redis.call('lpush', KEYS[4], 1)
    return 1
end
return 0"
        )
    };
}

/// Moves a dead job back to the active list with its attempts reset.
const REDIS_RETRY: &str = redis_make_pending!(
    take: "redis.call('srem', KEYS[1], ARGV[1])",
    then: "    redis.call('hset', KEYS[3] .. ':' .. ARGV[1], 'status', 'Pending', 'attempts', 0)\n"
);

/// Moves a scheduled job to the active list.
const REDIS_RUN_NOW: &str = redis_make_pending!(take: "redis.call('zrem', KEYS[1], ARGV[1])", then: "");

/// Removes a job that is not running, with its payload and metadata.
const REDIS_DELETE: &str = r"
local n = redis.call('lrem', KEYS[1], 0, ARGV[1]) + redis.call('zrem', KEYS[2], ARGV[1])
    + redis.call('srem', KEYS[3], ARGV[1]) + redis.call('srem', KEYS[4], ARGV[1])
if n > 0 then
    redis.call('hdel', KEYS[5], ARGV[1])
    redis.call('del', KEYS[6] .. ':' .. ARGV[1])
end
return n";

/// Counts the jobs among the first `ARGV[2]` of the scheduled set
/// (`KEYS[1]`) and of the active list (`KEYS[2]`) whose metadata
/// (`KEYS[3]:<id>`) says they failed: apalis-redis puts a failed job with
/// attempts left back in the scheduled set. Answers the count and 1 when
/// either held more than it read.
const REDIS_RETRYING: &str = r"
local most = tonumber(ARGV[1])
local n = 0
local function tally(ids)
    for _, id in ipairs(ids) do
        if redis.call('hget', KEYS[3] .. ':' .. id, 'status') == 'Failed' then
            n = n + 1
        end
    end
end
tally(redis.call('zrange', KEYS[1], 0, most - 1))
tally(redis.call('lrange', KEYS[2], 0, most - 1))
local partial = 0
if redis.call('zcard', KEYS[1]) > most or redis.call('llen', KEYS[2]) > most then
    partial = 1
end
return {n, partial}";

async fn redis_retrying(conn: &mut redis::aio::ConnectionManager, keys: &Keys) -> Result<Retrying, InspectError> {
    let (count, partial): (u64, i64) = Script::new(REDIS_RETRYING)
        .key(keys.scheduled())
        .key(keys.active())
        .key(keys.meta())
        .arg(MAX_BULK)
        .invoke_async(conn)
        .await?;
    Ok(Retrying {
        count,
        partial: partial == 1,
    })
}

async fn redis_workers_of(
    conn: &mut redis::aio::ConnectionManager,
    keys: &Keys,
) -> Result<Vec<(String, i64)>, InspectError> {
    Ok(conn.zrange_withscores(keys.workers(), 0, -1).await?)
}

async fn redis_counts(conn: &mut redis::aio::ConnectionManager, keys: &Keys) -> Result<QueueCounts, InspectError> {
    // apalis-redis pushes every job into the scheduled set (due now at the
    // earliest) and moves due ones to the active list when it fetches.
    let now = now();
    let (active, due, scheduled, done, dead): (u64, u64, u64, u64, u64) = redis::pipe()
        .llen(keys.active())
        .zcount(keys.scheduled(), "-inf", now)
        .zcount(keys.scheduled(), format!("({now}"), "+inf")
        .scard(keys.done())
        .scard(keys.dead())
        .query_async(conn)
        .await?;
    let pending = active + due;
    let mut running = 0;
    for (worker, _) in redis_workers_of(conn, keys).await? {
        let n: u64 = conn.scard(keys.inflight(&worker)).await?;
        running += n;
    }
    Ok(QueueCounts {
        scheduled,
        pending,
        running,
        done,
        dead,
    })
}

/// Up to [`MAX_BULK`] ids of a state, in a stable order, with the due time
/// (scheduled) or the worker (running).
async fn redis_ids(
    conn: &mut redis::aio::ConnectionManager,
    keys: &Keys,
    state: JobState,
) -> Result<Vec<(String, Option<i64>, Option<String>)>, InspectError> {
    let last = isize::try_from(MAX_BULK).unwrap_or(isize::MAX) - 1;
    let ids = match state {
        JobState::Pending => {
            let mut ids: Vec<String> = conn.lrange(keys.active(), 0, last).await?;
            let due: Vec<String> = conn
                .zrangebyscore_limit(
                    keys.scheduled(),
                    "-inf",
                    now(),
                    0,
                    isize::try_from(MAX_BULK).unwrap_or(isize::MAX),
                )
                .await?;
            ids.extend(due);
            ids.truncate(MAX_BULK);
            ids.into_iter().map(|id| (id, None, None)).collect()
        }
        JobState::Scheduled => {
            let ids: Vec<(String, i64)> = conn
                .zrangebyscore_limit_withscores(
                    keys.scheduled(),
                    format!("({}", now()),
                    "+inf",
                    0,
                    isize::try_from(MAX_BULK).unwrap_or(isize::MAX),
                )
                .await?;
            ids.into_iter().map(|(id, at)| (id, Some(at), None)).collect()
        }
        JobState::Done | JobState::Dead => {
            let key = if state == JobState::Done {
                keys.done()
            } else {
                keys.dead()
            };
            let mut ids: Vec<String> = Vec::new();
            let mut cursor: u64 = 0;
            loop {
                let (next, batch): (u64, Vec<String>) = redis::cmd("SSCAN")
                    .arg(&key)
                    .arg(cursor)
                    .arg("COUNT")
                    .arg(1000)
                    .query_async(conn)
                    .await?;
                ids.extend(batch);
                cursor = next;
                if cursor == 0 || ids.len() >= MAX_BULK {
                    break;
                }
            }
            ids.sort();
            ids.dedup();
            ids.truncate(MAX_BULK);
            ids.into_iter().map(|id| (id, None, None)).collect()
        }
        JobState::Running => {
            let mut ids = Vec::new();
            for (worker, _) in redis_workers_of(conn, keys).await? {
                let mut held: Vec<String> = conn.smembers(keys.inflight(&worker)).await?;
                held.sort();
                ids.extend(held.into_iter().map(|id| (id, None, Some(worker.clone()))));
            }
            ids.truncate(MAX_BULK);
            ids
        }
    };
    Ok(ids)
}

/// The ids of `state` matching `q`, with their payloads.
async fn redis_matching(
    conn: &mut redis::aio::ConnectionManager,
    keys: &Keys,
    state: JobState,
    q: Option<&str>,
) -> Result<Vec<(String, Option<i64>, Option<String>, Vec<u8>)>, InspectError> {
    let ids = redis_ids(conn, keys, state).await?;
    let mut found = Vec::new();
    for chunk in ids.chunks(500) {
        let names: Vec<&str> = chunk.iter().map(|(id, _, _)| id.as_str()).collect();
        let payloads: Vec<Option<Vec<u8>>> = redis::cmd("HMGET")
            .arg(keys.data())
            .arg(&names)
            .query_async(conn)
            .await?;
        for ((id, at, worker), payload) in chunk.iter().zip(payloads) {
            let payload = payload.unwrap_or_default();
            if matches(q, id, &String::from_utf8_lossy(&payload)) {
                found.push((id.clone(), *at, worker.clone(), payload));
            }
        }
    }
    Ok(found)
}

async fn redis_list(
    conn: &mut redis::aio::ConnectionManager,
    keys: &Keys,
    state: JobState,
    q: Option<&str>,
    limit: usize,
    offset: usize,
) -> Result<Vec<JobInfo>, InspectError> {
    let found = redis_matching(conn, keys, state, q).await?;
    let mut jobs = Vec::new();
    for (id, run_at, worker, payload) in found.into_iter().skip(offset).take(limit) {
        let meta: HashMap<String, String> = conn.hgetall(format!("{}:{id}", keys.meta())).await?;
        jobs.push(JobInfo {
            state,
            payload: payload_value(&payload),
            attempts: meta.get("attempts").and_then(|a| a.parse().ok()),
            run_at,
            done_at: meta.get("done_at").and_then(|a| a.parse().ok()),
            last_result: meta.get("result").cloned(),
            worker,
            id,
        });
    }
    Ok(jobs)
}

async fn redis_apply(
    conn: &mut redis::aio::ConnectionManager,
    keys: &Keys,
    id: &str,
    action: JobAction,
) -> Result<bool, InspectError> {
    let (script, key_list) = match action {
        JobAction::Retry => (
            REDIS_RETRY,
            vec![keys.dead(), keys.active(), keys.meta(), keys.signal()],
        ),
        JobAction::RunNow => (
            REDIS_RUN_NOW,
            vec![keys.scheduled(), keys.active(), keys.meta(), keys.signal()],
        ),
        JobAction::Delete => (
            REDIS_DELETE,
            vec![
                keys.active(),
                keys.scheduled(),
                keys.done(),
                keys.dead(),
                keys.data(),
                keys.meta(),
            ],
        ),
    };
    let script = Script::new(script);
    let mut invocation = script.prepare_invoke();
    for key in key_list {
        invocation.key(key);
    }
    let changed: i64 = invocation.arg(id).invoke_async(conn).await?;
    Ok(changed > 0)
}

// ---------------------------------------------------------------- the API

impl QueueClient {
    fn keys(&self, queue: &str) -> Keys {
        match self {
            Self::Sqlite(_) => Keys(queue.to_owned()),
            Self::Redis { namespace, .. } => Keys(format!("{namespace}:{queue}")),
        }
    }

    /// How many jobs of `queue` wait to be taken by a worker (due, not
    /// fetched): what the timer pump holds its lanes to. One round trip.
    pub async fn waiting(&self, queue: Queue) -> Result<u64, InspectError> {
        let name = queue.name();
        match self {
            Self::Sqlite(pool) => {
                let sql = sqlite_sql(
                    "SELECT COUNT(*) FROM Jobs WHERE job_type = ?1 AND $cond",
                    JobState::Pending,
                );
                let n: i64 = sqlx::query_scalar(sql).bind(name).bind(now()).fetch_one(pool).await?;
                Ok(u64::try_from(n).unwrap_or_default())
            }
            Self::Redis { conn, .. } => {
                let keys = self.keys(name);
                let (active, due): (u64, u64) = redis::pipe()
                    .llen(keys.active())
                    .zcount(keys.scheduled(), "-inf", now())
                    .query_async(&mut conn.clone())
                    .await?;
                Ok(active + due)
            }
        }
    }

    /// The jobs of `queue` (one of [`Queue::ALL`]) by state.
    pub async fn counts(&self, queue: &str) -> Result<QueueCounts, InspectError> {
        let queue = known_queue(queue)?;
        match self {
            Self::Sqlite(pool) => sqlite_counts(pool, queue).await,
            Self::Redis { conn, .. } => redis_counts(&mut conn.clone(), &self.keys(queue)).await,
        }
    }

    /// Holds back the next attempt of job `id`, which is failing for now,
    /// by `delay`: call it from the handler before it answers the failure.
    /// apalis-redis schedules a failed job's next attempt itself (the n-th
    /// failure waits n seconds); apalis-sqlite leaves a failed job due at
    /// once and its worker takes it again without waiting for the poll, so
    /// every attempt would be spent within a second. Here the job's due
    /// time moves; the acknowledgement that follows leaves it as it is.
    pub async fn defer_retry(&self, id: &str, delay: Duration) -> Result<(), InspectError> {
        match self {
            Self::Sqlite(pool) => {
                let due = now().saturating_add(i64::try_from(delay.as_secs()).unwrap_or(i64::MAX));
                sqlx::query("UPDATE Jobs SET run_at = ?2 WHERE id = ?1")
                    .bind(id)
                    .bind(due)
                    .execute(pool)
                    .await?;
                Ok(())
            }
            Self::Redis { .. } => Ok(()),
        }
    }

    /// The jobs of `queue` that failed and wait for another attempt (see
    /// [`Retrying`]).
    pub async fn retrying(&self, queue: &str) -> Result<Retrying, InspectError> {
        let queue = known_queue(queue)?;
        match self {
            Self::Sqlite(pool) => sqlite_retrying(pool, queue).await,
            Self::Redis { conn, .. } => redis_retrying(&mut conn.clone(), &self.keys(queue)).await,
        }
    }

    /// A page of the jobs of `queue` in `state` whose id or payload contains
    /// `q` (case-insensitive), oldest first (see [`jobs_page`]). The Redis
    /// backend searches the first [`MAX_BULK`] jobs of the state.
    pub async fn list_jobs(
        &self,
        queue: &str,
        state: JobState,
        q: Option<&str>,
        page: OffsetRequest,
    ) -> Result<Page<JobInfo>, InspectError> {
        let queue = known_queue(queue)?;
        // One more than asked tells whether there is a next page.
        let limit = usize::try_from(page.limit + 1).unwrap_or(usize::MAX);
        let offset = usize::try_from(page.offset).unwrap_or(usize::MAX);
        let jobs = match self {
            Self::Sqlite(pool) => sqlite_list(pool, queue, state, q, limit, offset).await,
            Self::Redis { conn, .. } => redis_list(&mut conn.clone(), &self.keys(queue), state, q, limit, offset).await,
        }?;
        Ok(page.cut(jobs))
    }

    /// How many jobs of `queue` in `state` match `q` (what a bulk action
    /// with that filter would take, before its [`MAX_BULK`] bound).
    pub async fn count_matching(&self, queue: &str, state: JobState, q: Option<&str>) -> Result<u64, InspectError> {
        let queue = known_queue(queue)?;
        match (self, q) {
            (_, None) => Ok(self.counts(queue).await?.get(state)),
            (Self::Sqlite(pool), Some(_)) => {
                let sql = sqlite_sql(
                    &format!("SELECT COUNT(*) FROM Jobs WHERE job_type = ?1 AND $cond AND {SQLITE_SEARCH}"),
                    state,
                );
                let n: i64 = sqlx::query_scalar(sql)
                    .bind(queue)
                    .bind(now())
                    .bind(q.map(domain::platform::input::like_contains))
                    .fetch_one(pool)
                    .await?;
                Ok(u64::try_from(n).unwrap_or_default())
            }
            (Self::Redis { conn, .. }, Some(_)) => {
                let found = redis_matching(&mut conn.clone(), &self.keys(queue), state, q).await?;
                Ok(found.len() as u64)
            }
        }
    }

    /// The job `id` of `queue` in whichever state it is, if it is there.
    pub async fn find_job(&self, queue: &str, id: &str) -> Result<Option<JobInfo>, InspectError> {
        let queue = known_queue(queue)?;
        let page = OffsetRequest {
            limit: MAX_PAGE_LIMIT,
            offset: 0,
        };
        for state in JobState::ALL {
            let found = self.list_jobs(queue, state, Some(id), page).await?;
            if let Some(job) = found.items.into_iter().find(|job| job.id == id) {
                return Ok(Some(job));
            }
        }
        Ok(None)
    }

    /// Applies `action` to one job. [`InspectError::WrongState`] when the
    /// job exists but is not in a state the action applies to.
    pub async fn job_action(&self, queue: &str, id: &str, action: JobAction) -> Result<(), InspectError> {
        let queue = known_queue(queue)?;
        match self {
            Self::Sqlite(pool) => sqlite_job_action(pool, queue, id, action).await,
            Self::Redis { conn, .. } => {
                let (mut conn, keys) = (conn.clone(), self.keys(queue));
                if redis_apply(&mut conn, &keys, id, action).await? {
                    return Ok(());
                }
                let exists: bool = conn.hexists(keys.data(), id).await?;
                Err(if exists {
                    InspectError::WrongState
                } else {
                    InspectError::UnknownJob
                })
            }
        }
    }

    /// Applies `action` to at most [`MAX_BULK`] jobs of `queue` in `state`
    /// matching `q`; returns how many it changed.
    pub async fn bulk_action(
        &self,
        queue: &str,
        state: JobState,
        q: Option<&str>,
        action: JobAction,
    ) -> Result<u64, InspectError> {
        let queue = known_queue(queue)?;
        if !action.applies_to(state) {
            return Err(InspectError::WrongState);
        }
        match self {
            Self::Sqlite(pool) => sqlite_bulk_action(pool, queue, state, q, action).await,
            Self::Redis { conn, .. } => {
                let (mut conn, keys) = (conn.clone(), self.keys(queue));
                let mut affected = 0;
                for (id, ..) in redis_matching(&mut conn, &keys, state, q).await? {
                    if redis_apply(&mut conn, &keys, &id, action).await? {
                        affected += 1;
                    }
                }
                Ok(affected)
            }
        }
    }

    /// The workers registered on every queue, most recent heartbeat first.
    pub async fn workers(&self) -> Result<Vec<WorkerInfo>, InspectError> {
        let mut all = Vec::new();
        for queue in Queue::ALL.iter().map(|q| q.name()) {
            match self {
                Self::Sqlite(pool) => all.extend(sqlite_workers(pool, queue).await?),
                Self::Redis { conn, .. } => {
                    let registered = redis_workers_of(&mut conn.clone(), &self.keys(queue)).await?;
                    all.extend(registered.into_iter().map(|(name, last_heartbeat)| WorkerInfo {
                        name,
                        queue: queue.to_owned(),
                        last_heartbeat,
                    }));
                }
            }
        }
        all.sort_by(|a, b| {
            b.last_heartbeat
                .cmp(&a.last_heartbeat)
                .then_with(|| a.name.cmp(&b.name))
        });
        Ok(all)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_parse_from_their_names_only() {
        for state in JobState::ALL {
            assert_eq!(state.as_str().parse::<JobState>(), Ok(state));
        }
        assert_eq!("Dead".parse::<JobState>(), Err(()));
        assert_eq!("failed".parse::<JobState>(), Err(()));
    }

    #[test]
    fn actions_apply_to_the_states_an_operator_can_change() {
        let cases = [
            (JobAction::Retry, [false, false, false, false, true]),
            (JobAction::RunNow, [true, false, false, false, false]),
            (JobAction::Delete, [true, true, false, true, true]),
        ];
        for (action, expected) in cases {
            let actual = JobState::ALL.map(|state| action.applies_to(state));
            assert_eq!(actual, expected, "{action:?}");
        }
    }

    #[test]
    fn search_matches_the_id_or_the_payload_ignoring_case() {
        assert!(matches(None, "01ABC", "{}"));
        assert!(matches(Some("abc"), "01ABC", "{}"));
        assert!(matches(Some("HOLD_MS"), "01ABC", r#"{"hold_ms":0}"#));
        assert!(!matches(Some("fail"), "01ABC", r#"{"hold_ms":0}"#));
    }

    #[test]
    fn only_our_queues_are_known() {
        assert_eq!(
            known_queue("estateflow.system.probe").ok(),
            Some("estateflow.system.probe")
        );
        assert!(matches!(known_queue("estateflow"), Err(InspectError::UnknownQueue)));
    }
}
