//! Queue throughput: how many jobs each queue processed and how many of
//! them failed, per minute. Every worker process counts in memory
//! ([`Tally`]) where its jobs finish and adds its counts to the
//! `queue_throughput` table now and then ([`flush`]) with an upsert, so the
//! table holds the sum over all replicas and survives restarts; [`prune`]
//! drops rows older than [`KEPT`]. [`per_minute`] reads the figures back,
//! a point for every minute.

use std::{collections::HashMap, sync::Mutex};

use chrono::{DateTime, Duration, Utc};
use entities::queue_throughput;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set,
    sea_query::{Alias, Expr, ExprTrait, OnConflict},
};

use crate::platform::error::DomainError;

/// How long rows are kept.
pub const KEPT: Duration = Duration::days(7);

/// The start of the minute of `at`.
pub fn minute_of(at: DateTime<Utc>) -> DateTime<Utc> {
    let seconds = at.timestamp();
    DateTime::from_timestamp(seconds - seconds.rem_euclid(60), 0).unwrap_or(at)
}

/// Processed and failed jobs of one queue in one minute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Minute {
    pub minute: DateTime<Utc>,
    /// Handler runs that ended, failed ones included.
    pub processed: u64,
    /// Of those, the runs that failed.
    pub failed: u64,
}

type Counts = HashMap<(String, DateTime<Utc>), (i64, i64)>;

/// The counts of one process not yet added to the table.
#[derive(Debug, Default)]
pub struct Tally {
    counts: Mutex<Counts>,
}

impl Tally {
    /// Counts one finished run of a job of `queue` at `at`.
    pub fn record(&self, queue: &str, failed: bool, at: DateTime<Utc>) {
        let mut counts = self.counts.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        let entry = counts.entry((queue.to_owned(), minute_of(at))).or_default();
        entry.0 += 1;
        entry.1 += i64::from(failed);
    }

    fn take(&self) -> Counts {
        std::mem::take(&mut *self.counts.lock().unwrap_or_else(std::sync::PoisonError::into_inner))
    }

    /// Puts back counts a flush could not write, to be written next time.
    fn restore(&self, unwritten: Counts) {
        let mut counts = self.counts.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        for (key, (processed, failed)) in unwritten {
            let entry = counts.entry(key).or_default();
            entry.0 += processed;
            entry.1 += failed;
        }
    }
}

/// Adds the counts of `tally` to the table (one upsert: rows of other
/// replicas are added to, not replaced); on failure they stay in the tally.
pub async fn flush(db: &impl ConnectionTrait, tally: &Tally) -> Result<(), DomainError> {
    let counts = tally.take();
    if counts.is_empty() {
        return Ok(());
    }
    let rows = counts
        .iter()
        .map(|((queue, minute), (processed, failed))| queue_throughput::ActiveModel {
            queue: Set(queue.clone()),
            minute: Set(*minute),
            processed: Set(*processed),
            failed: Set(*failed),
        })
        .collect::<Vec<_>>();
    let added = |column: queue_throughput::Column| {
        Expr::col((queue_throughput::Entity, column)).add(Expr::col((Alias::new("excluded"), column)))
    };
    let written = queue_throughput::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::columns([queue_throughput::Column::Queue, queue_throughput::Column::Minute])
                .value(
                    queue_throughput::Column::Processed,
                    added(queue_throughput::Column::Processed),
                )
                .value(
                    queue_throughput::Column::Failed,
                    added(queue_throughput::Column::Failed),
                )
                .to_owned(),
        )
        .exec_without_returning(db)
        .await;
    if let Err(error) = written {
        tally.restore(counts);
        return Err(error.into());
    }
    Ok(())
}

/// Removes the rows of minutes before `now - KEPT`; returns how many.
pub async fn prune(db: &impl ConnectionTrait, now: DateTime<Utc>) -> Result<u64, DomainError> {
    let result = queue_throughput::Entity::delete_many()
        .filter(queue_throughput::Column::Minute.lt(minute_of(now - KEPT)))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}

/// The last `minutes` minutes of `queue` up to the one of `now`, oldest
/// first, one point per minute (zero where nothing finished).
pub async fn per_minute(
    db: &impl ConnectionTrait,
    queue: &str,
    minutes: u32,
    now: DateTime<Utc>,
) -> Result<Vec<Minute>, DomainError> {
    let minutes = i64::from(Ord::max(minutes, 1));
    let last = minute_of(now);
    let first = last - Duration::minutes(minutes - 1);
    let rows = queue_throughput::Entity::find()
        .filter(queue_throughput::Column::Queue.eq(queue))
        .filter(queue_throughput::Column::Minute.gte(first))
        .filter(queue_throughput::Column::Minute.lte(last))
        .order_by_asc(queue_throughput::Column::Minute)
        .all(db)
        .await?;
    let found: HashMap<DateTime<Utc>, (i64, i64)> = rows
        .into_iter()
        .map(|row| (row.minute, (row.processed, row.failed)))
        .collect();
    Ok((0..minutes)
        .map(|i| {
            let minute = first + Duration::minutes(i);
            let (processed, failed) = found.get(&minute).copied().unwrap_or_default();
            Minute {
                minute,
                processed: u64::try_from(processed).unwrap_or_default(),
                failed: u64::try_from(failed).unwrap_or_default(),
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().expect("instant")
    }

    #[test]
    fn an_instant_counts_in_the_minute_it_falls_in() {
        assert_eq!(minute_of(at("2026-11-30T10:13:59Z")), at("2026-11-30T10:13:00Z"));
        assert_eq!(minute_of(at("2026-11-30T10:13:00Z")), at("2026-11-30T10:13:00Z"));
    }

    #[test]
    fn a_tally_sums_runs_per_queue_and_minute_and_keeps_what_was_not_written() {
        let tally = Tally::default();
        tally.record("a", false, at("2026-11-30T10:13:01Z"));
        tally.record("a", true, at("2026-11-30T10:13:59Z"));
        tally.record("a", false, at("2026-11-30T10:14:00Z"));
        tally.record("b", false, at("2026-11-30T10:13:30Z"));
        let taken = tally.take();
        assert_eq!(taken[&("a".to_owned(), at("2026-11-30T10:13:00Z"))], (2, 1));
        assert_eq!(taken[&("a".to_owned(), at("2026-11-30T10:14:00Z"))], (1, 0));
        assert_eq!(taken.len(), 3);
        assert!(tally.take().is_empty());
        tally.record("b", true, at("2026-11-30T10:13:40Z"));
        tally.restore(taken);
        assert_eq!(tally.take()[&("b".to_owned(), at("2026-11-30T10:13:00Z"))], (2, 1));
    }
}
