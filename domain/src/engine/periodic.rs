//! Periodic work in the business time zone: the monthly KPI snapshot, each
//! manager's daily and weekly digest, the quarterly Sales Star and the
//! month's (and quarter's) bonus pools. Each
//! period's run is a timer keyed by (job, period), so N workers produce one
//! run; the timer of the period that began last is ensured whenever the
//! pump starts and every minute, so a period missed while everything was
//! down runs when the workers return. A run schedules the next period's.

use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, Utc};
use chrono_tz::Tz;
use entities::teams;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, TransactionSession, TransactionTrait};
use uuid::Uuid;

use crate::{
    outbox::notifications::{self, Notice},
    outbox::timers::{self, NewTimer},
    performance::reports::{self, ReportPeriod, Window},
    platform::calendar::{Month, Quarter, start_of_day},
    platform::error::DomainError,
};

/// The timer kind of periodic runs (the outbox names it: its pump gives them a lane).
pub const KIND: &str = crate::outbox::timers::PERIODIC_KIND;

/// The periodic jobs.
pub const JOBS: &[Job] = &[
    Job::KpiSnapshot,
    Job::DigestDaily,
    Job::DigestWeekly,
    Job::SalesStar,
    Job::Bonuses,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    /// At the start of a month: the previous month's figures, kept.
    KpiSnapshot,
    /// At midnight: yesterday's digest for each manager.
    DigestDaily,
    /// Monday at midnight: last week's digest for each manager.
    DigestWeekly,
    /// At the start of a quarter: the previous quarter's Sales Star.
    SalesStar,
    /// At the start of a month: the bonus pools of the previous month, and
    /// of the previous quarter when one ended with it.
    Bonuses,
}

impl Job {
    pub fn name(self) -> &'static str {
        match self {
            Job::KpiSnapshot => "kpi_snapshot",
            Job::DigestDaily => "digest_daily",
            Job::DigestWeekly => "digest_weekly",
            Job::SalesStar => "sales_star",
            Job::Bonuses => "bonuses",
        }
    }

    /// The job named `name` (`kpi_snapshot`, `digest_daily`, …).
    pub fn from_name(name: &str) -> Option<Self> {
        JOBS.iter().copied().find(|j| j.name() == name)
    }

    /// The start of the period in progress at `now` (local midnight) and
    /// the label of the period the run at that start covers (the one just ended).
    pub fn latest(self, now: DateTime<Utc>, tz: Tz) -> (DateTime<Utc>, String) {
        let today = now.with_timezone(&tz).date_naive();
        let start = match self {
            Job::KpiSnapshot | Job::Bonuses => Month::of_day(today).first_day(),
            Job::DigestDaily => today,
            Job::DigestWeekly => today - Duration::days(i64::from(today.weekday().num_days_from_monday())),
            Job::SalesStar => Quarter::of_day(today).first_day(),
        };
        (start_of_day(start, tz), self.label(start))
    }

    /// The start at which the run of the period `label` happens: the day
    /// after that period ends (the inverse of [`Job::label`]).
    fn start_after(self, label: &str) -> Option<NaiveDate> {
        let first_day = match self {
            Job::KpiSnapshot | Job::Bonuses => label.parse::<Month>().ok()?.first_day(),
            Job::DigestDaily => NaiveDate::parse_from_str(label, "%Y-%m-%d").ok()?,
            Job::DigestWeekly => {
                let (year, week) = label.split_once("-W")?;
                NaiveDate::from_isoywd_opt(year.parse().ok()?, week.parse().ok()?, chrono::Weekday::Mon)?
            }
            Job::SalesStar => label.parse::<Quarter>().ok()?.first_day(),
        };
        Some(self.next(first_day))
    }

    /// The start after `start`.
    fn next(self, start: NaiveDate) -> NaiveDate {
        match self {
            Job::KpiSnapshot | Job::Bonuses => months_after(start, 1),
            Job::DigestDaily => start + Duration::days(1),
            Job::DigestWeekly => start + Duration::days(7),
            Job::SalesStar => months_after(start, 3),
        }
    }

    /// The label of the period that ends at `start`.
    fn label(self, start: NaiveDate) -> String {
        let before = start - Duration::days(1);
        match self {
            Job::KpiSnapshot | Job::Bonuses => Month::of_day(before).to_string(),
            Job::DigestDaily => before.to_string(),
            Job::DigestWeekly => {
                let week = before.iso_week();
                format!("{}-W{:02}", week.year(), week.week())
            }
            Job::SalesStar => Quarter::of_day(before).to_string(),
        }
    }
}

fn months_after(day: NaiveDate, months: u32) -> NaiveDate {
    day.checked_add_months(Months::new(months)).unwrap_or(day)
}

fn months_before(day: NaiveDate, months: u32) -> NaiveDate {
    day.checked_sub_months(Months::new(months)).unwrap_or(day)
}

fn timer(job: Job, due_at: DateTime<Utc>, label: &str) -> NewTimer {
    NewTimer {
        kind: KIND,
        phase: "run",
        dedupe_key: format!("{KIND}:{}:{label}", job.name()),
        subject_id: None,
        customer_id: None,
        due_at,
        policy_version: None,
    }
}

/// Makes sure the run of the period that began last exists for every job.
pub async fn ensure(db: &impl ConnectionTrait, now: DateTime<Utc>, tz: Tz) -> Result<(), DomainError> {
    for job in JOBS {
        let (start, label) = job.latest(now, tz);
        timers::schedule(db, timer(*job, start, &label)).await?;
    }
    Ok(())
}

/// Runs one periodic timer, once, and schedules the next period's.
pub async fn fire(
    db: &(impl ConnectionTrait + TransactionTrait),
    id: Uuid,
    instance: &str,
    tz: Tz,
) -> Result<Option<&'static str>, DomainError> {
    let txn = crate::platform::db::begin_write(db).await?;
    let Some(timer) = timers::get(&txn, id).await? else {
        return Ok(None);
    };
    // The key names the period; the due time only says when to run it.
    let mut parts = timer.dedupe_key.splitn(3, ':').skip(1);
    let parsed = parts
        .next()
        .and_then(Job::from_name)
        .and_then(|job| parts.next().map(|label| (job, label)))
        .and_then(|(job, label)| job.start_after(label).map(|start| (job, label, start)));
    let Some((job, label, start)) = parsed else {
        return Err(DomainError::Internal(format!("periodic timer {id} has a bad key")));
    };
    if !timers::finish(&txn, id, instance, "ran").await? {
        return Ok(None);
    }
    timers::schedule(&txn, timer_for(job, job.next(start), tz)).await?;
    run(&txn, job, label, start, tz).await?;
    txn.commit().await?;
    Ok(Some("ran"))
}

/// The work of `job` for the period `label`, which ends at `start`: what
/// the scheduled run does, and what "run now" repeats. Running it again
/// doubles nothing: a month's snapshot once taken stays, digests are keyed
/// by period and manager, the quarter's scheduled Sales Star run is claimed
/// once, and unpublished bonus pools are computed again with the figures
/// of now (published ones stay).
async fn run(
    txn: &(impl ConnectionTrait + TransactionTrait),
    job: Job,
    label: &str,
    start: NaiveDate,
    tz: Tz,
) -> Result<(), DomainError> {
    let first_day = previous_start(job, start);
    match job {
        Job::KpiSnapshot => {
            let month = label
                .parse()
                .map_err(|e: crate::platform::text::Msg| DomainError::Internal(e.to_string()))?;
            crate::performance::snapshots::take(txn, month, tz).await?;
        }
        Job::DigestDaily => {
            let window = Window::new(ReportPeriod::Day, first_day, tz);
            digest(txn, notifications::Kind::DigestDaily, label, window, tz).await?;
        }
        Job::DigestWeekly => {
            let window = Window::new(ReportPeriod::Week, first_day, tz);
            digest(txn, notifications::Kind::DigestWeekly, label, window, tz).await?;
        }
        Job::SalesStar => {
            let quarter = label
                .parse()
                .map_err(|e: crate::platform::text::Msg| DomainError::Internal(e.to_string()))?;
            // One scheduled run per quarter, whoever claims it first; a
            // timer of its own computes it.
            if let Some(run) = crate::performance::awards::runs::claim_scheduled_run(txn, quarter).await? {
                crate::performance::awards::runs::schedule_computation(txn, run.id).await?;
            }
        }
        Job::Bonuses => {
            let month = label
                .parse()
                .map_err(|e: crate::platform::text::Msg| DomainError::Internal(e.to_string()))?;
            // This timer fires once per month, so each pool is computed
            // once by it (on-demand computations come and go beside it).
            crate::performance::bonuses::pools::compute_period_end(txn, month, tz).await?;
        }
    }
    Ok(())
}

/// A periodic job as operations see it: its last run and its next.
#[derive(Debug, Clone)]
pub struct Schedule {
    pub job: Job,
    /// The period, when and by whom the last run happened.
    pub last: Option<LastRun>,
    /// When the next run is due (its timer, pending or queued).
    pub next_due_at: Option<DateTime<Utc>>,
    /// The period the next run covers.
    pub next_label: Option<String>,
}

#[derive(Debug, Clone)]
pub struct LastRun {
    pub label: String,
    pub fired_at: Option<DateTime<Utc>>,
    pub fired_by: Option<String>,
}

/// Every periodic job's last and next run, read from its timers (two
/// queries per job, each one row; periodic timers have no subject, so the
/// `(subject_id, kind)` index finds them among millions of deadlines).
pub async fn schedules(db: &impl ConnectionTrait) -> Result<Vec<Schedule>, DomainError> {
    use entities::timers::{Column as C, Entity as Timers, TimerState};
    use sea_orm::QueryOrder;
    let mut out = Vec::with_capacity(JOBS.len());
    for job in JOBS {
        let prefix = format!("{KIND}:{}:", job.name());
        let label_of = |key: &str| key.strip_prefix(&prefix).unwrap_or(key).to_owned();
        let last = Timers::find()
            .filter(C::SubjectId.is_null())
            .filter(C::Kind.eq(KIND))
            .filter(C::DedupeKey.starts_with(&prefix))
            .filter(C::State.eq(TimerState::Fired))
            .order_by_desc(C::DueAt)
            .one(db)
            .await?;
        let next = Timers::find()
            .filter(C::SubjectId.is_null())
            .filter(C::Kind.eq(KIND))
            .filter(C::DedupeKey.starts_with(&prefix))
            .filter(C::State.is_in(timers::OPEN))
            .order_by_asc(C::DueAt)
            .one(db)
            .await?;
        out.push(Schedule {
            job: *job,
            last: last.map(|t| LastRun {
                label: label_of(&t.dedupe_key),
                fired_at: t.fired_at,
                fired_by: t.fired_by,
            }),
            next_due_at: next.as_ref().map(|t| t.due_at),
            next_label: next.map(|t| label_of(&t.dedupe_key)),
        });
    }
    Ok(out)
}

/// Runs `job` now for the period that ended last (the one its latest
/// scheduled run covered), leaving its schedule as it is; returns that
/// period's label. See [`run`] for why a second run doubles nothing.
pub async fn run_now(
    db: &(impl ConnectionTrait + TransactionTrait),
    job: Job,
    now: DateTime<Utc>,
    tz: Tz,
    ctx: &crate::access::audit::AuditContext,
) -> Result<String, DomainError> {
    let (_, label) = job.latest(now, tz);
    let start = job
        .start_after(&label)
        .ok_or_else(|| DomainError::Internal(format!("periodic job {} has no period {label}", job.name())))?;
    let txn = crate::platform::db::begin_write(db).await?;
    run(&txn, job, &label, start, tz).await?;
    let after = serde_json::json!({"job": job.name(), "period": label});
    crate::access::audit::record(&txn, ctx, "run_now", "periodic_job", job.name(), None, Some(&after)).await?;
    txn.commit().await?;
    Ok(label)
}

fn timer_for(job: Job, start: NaiveDate, tz: Tz) -> NewTimer {
    timer(job, start_of_day(start, tz), &job.label(start))
}

/// The start of the period that ends at `start`.
fn previous_start(job: Job, start: NaiveDate) -> NaiveDate {
    match job {
        Job::KpiSnapshot | Job::Bonuses => months_before(start, 1),
        Job::DigestDaily => start - Duration::days(1),
        Job::DigestWeekly => start - Duration::days(7),
        Job::SalesStar => months_before(start, 3),
    }
}

/// Each manager's digest of the day or week that ended: their team's
/// report (`performance::reports`, the figures of `GET /teams/{id}/report`)
/// in the manager's language.
async fn digest(
    db: &impl ConnectionTrait,
    kind: notifications::Kind,
    label: &str,
    window: Window,
    tz: Tz,
) -> Result<(), DomainError> {
    let mut notices = Vec::new();
    for team in teams::Entity::find()
        .filter(teams::Column::ManagerId.is_not_null())
        .all(db)
        .await?
    {
        let Some(manager) = team.manager_id else { continue };
        let report = reports::of_team(db, &team, window).await?;
        let (title, body) = reports::digest(&report, label);
        notices.push(Notice {
            user_id: manager,
            kind,
            title,
            body: Some(body),
            subject_type: Some("team"),
            subject_id: Some(team.id),
            due_at: None,
            dedupe_key: format!("{kind}:{label}:{manager}:{}", team.id),
        });
    }
    notifications::notify(db, tz, notices).await
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn first_of(year: i32, month: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, 1).expect("a first day")
    }

    #[test]
    fn each_job_finds_the_period_that_began_last_in_the_business_time_zone() {
        let tz = chrono_tz::Asia::Shanghai;
        // 00:30 on Thursday 1 October 2026 in Shanghai.
        let now = Utc.with_ymd_and_hms(2026, 9, 30, 16, 30, 0).single().expect("time");
        let (start, label) = Job::SalesStar.latest(now, tz);
        assert_eq!(
            (start.to_rfc3339().as_str(), label.as_str()),
            ("2026-09-30T16:00:00+00:00", "2026-Q3")
        );
        assert_eq!(Job::KpiSnapshot.latest(now, tz).1, "2026-09");
        assert_eq!(Job::DigestDaily.latest(now, tz).1, "2026-09-30");
        let (monday, week) = Job::DigestWeekly.latest(now, tz);
        assert_eq!(
            (monday.to_rfc3339().as_str(), week.as_str()),
            ("2026-09-27T16:00:00+00:00", "2026-W39")
        );
    }

    #[test]
    fn a_label_names_the_start_its_run_happens_at() {
        for start in [
            first_of(2027, 1),
            first_of(2026, 4),
            NaiveDate::from_ymd_opt(2026, 3, 1).expect("day"),
        ] {
            for job in JOBS {
                // Digests start on any day (weekly: a Monday); the others on the first of a period.
                let start = match job {
                    Job::DigestWeekly => start - Duration::days(i64::from(start.weekday().num_days_from_monday())),
                    Job::SalesStar => first_of(start.year(), (start.month() - 1) / 3 * 3 + 1),
                    _ => start,
                };
                assert_eq!(job.start_after(&job.label(start)), Some(start), "{job:?} {start}");
            }
        }
        assert_eq!(Job::SalesStar.start_after("2026-Q5"), None);
        assert_eq!(Job::DigestWeekly.start_after("2026-W60"), None);
        assert_eq!(Job::KpiSnapshot.start_after("2026-13"), None);
    }

    #[test]
    fn the_next_period_follows_across_years() {
        let december = first_of(2026, 10);
        assert_eq!(Job::SalesStar.next(december), first_of(2027, 1));
        assert_eq!(Job::SalesStar.label(first_of(2027, 1)), "2026-Q4");
        assert_eq!(Job::KpiSnapshot.next(first_of(2026, 12)), first_of(2027, 1));
        assert_eq!(previous_start(Job::KpiSnapshot, first_of(2027, 1)), first_of(2026, 12));
        assert_eq!(previous_start(Job::SalesStar, first_of(2027, 1)), first_of(2026, 10));
    }
}
