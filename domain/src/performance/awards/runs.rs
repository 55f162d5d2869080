//! Award runs: requested on demand or claimed once per quarter by the
//! scheduler, computed by a worker with the rules current then, and
//! published once with everything needed to explain the result.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use entities::{
    award_runs,
    award_runs::{RunStatus, RunTrigger},
    users,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, TransactionSession,
    TransactionTrait, sea_query::Expr,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::{
    ranking::{Entrant, Figures, Ranking, ineligible_reason, rank},
    rules::{Eligibility, Tier, Weights, current_rules},
};
use crate::platform::text::{Msg, Reader};
use crate::{
    access::actor::Actor,
    access::audit::{self, AuditContext},
    performance::kpis::{self, ConsultantFigures},
    platform::calendar::Quarter,
    platform::error::DomainError,
    platform::page::{Page, PageRequest},
};

/// What a published run stores: enough to explain and reproduce it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunResults {
    pub period: String,
    pub timezone: String,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub rules_version: i32,
    pub weights: Weights,
    pub eligibility: Eligibility,
    pub tiers: Vec<Tier>,
    pub bonus_pool_fen: i64,
    #[serde(flatten)]
    pub ranking: Ranking,
}

impl RunResults {
    /// Stored results as `reader` reads them: each ineligible consultant's
    /// reason in their language. Results kept before the unmet conditions
    /// were stored (or not of this shape) are left as they are.
    pub fn localised(results: serde_json::Value, reader: &Reader) -> serde_json::Value {
        let Ok(mut parsed) = serde_json::from_value::<RunResults>(results.clone()) else {
            return results;
        };
        if parsed.ranking.standings.iter().all(|s| s.unmet.is_empty()) {
            return results;
        }
        for s in &mut parsed.ranking.standings {
            if !s.unmet.is_empty() {
                s.ineligible_reason = ineligible_reason(&s.unmet, reader);
            }
        }
        serde_json::to_value(&parsed).unwrap_or(results)
    }
}

/// Why a run failed, as callers are told: a stable code (kept in the run's
/// `error` column) and a message in their terms. The cause itself, which
/// may be database or library text, goes to the logs with the run's id and
/// never to callers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunFailure {
    /// The database could not be read or written; the worker tries again.
    RecordUnavailable,
    /// Anything else; also every run failed before codes were kept.
    ComputationFailed,
}

impl RunFailure {
    /// What made `error` fail a run.
    pub fn of(error: &DomainError) -> Self {
        match error {
            DomainError::Database(_) => Self::RecordUnavailable,
            _ => Self::ComputationFailed,
        }
    }

    /// The failure a run's stored `error` names; text stored before codes
    /// were kept (a raw cause) reads as [`Self::ComputationFailed`], so it
    /// is never shown.
    pub fn from_stored(stored: &str) -> Self {
        match stored {
            "record_unavailable" => Self::RecordUnavailable,
            _ => Self::ComputationFailed,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::RecordUnavailable => "record_unavailable",
            Self::ComputationFailed => "computation_failed",
        }
    }

    pub fn message(self) -> Msg {
        match self {
            Self::RecordUnavailable => Msg::RunRecordUnavailable,
            Self::ComputationFailed => Msg::RunComputationFailed,
        }
    }
}

/// A run as the API shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunView {
    pub id: Uuid,
    pub period: String,
    pub trigger: String,
    pub status: String,
    pub rules_version: Option<i32>,
    pub results: Option<serde_json::Value>,
    /// Why it failed, when it did.
    pub error: Option<RunFailure>,
    pub requested_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
}

impl From<award_runs::Model> for RunView {
    fn from(m: award_runs::Model) -> Self {
        Self {
            id: m.id,
            period: m.period,
            trigger: m.trigger.to_string(),
            status: m.status.to_string(),
            rules_version: m.rules_version,
            results: m.results,
            error: m.error.as_deref().map(RunFailure::from_stored),
            requested_by: m.requested_by,
            created_at: m.created_at,
            published_at: m.published_at,
        }
    }
}

fn parse_period(period: &str) -> Result<Quarter, DomainError> {
    period.parse().map_err(|e| DomainError::invalid("/period", e))
}

fn queued_run(period: Quarter, trigger: RunTrigger, requested_by: Option<Uuid>) -> award_runs::ActiveModel {
    award_runs::ActiveModel {
        id: Set(Uuid::now_v7()),
        period: Set(period.to_string()),
        trigger: Set(trigger),
        scheduled_key: Set((trigger == RunTrigger::Scheduled).then(|| period.to_string())),
        status: Set(RunStatus::Queued),
        rules_version: Set(None),
        results: Set(None),
        error: Set(None),
        requested_by: Set(requested_by),
        created_at: Set(Utc::now()),
        published_at: Set(None),
    }
}

/// Requests a run for `period` (`2026-Q3`) on demand; it stays `queued`
/// until [`compute_run`] computes it. The caller holds `awards:write`.
pub async fn request_run(
    db: &(impl ConnectionTrait + TransactionTrait),
    ctx: &AuditContext,
    actor: &Actor,
    period: &str,
) -> Result<RunView, DomainError> {
    let period = parse_period(period)?;
    let txn = crate::platform::db::begin_write(db).await?;
    let run = RunView::from(
        queued_run(period, RunTrigger::Manual, actor.user_id())
            .insert(&txn)
            .await?,
    );
    let after = json!({"period": run.period, "trigger": run.trigger, "status": run.status});
    audit::record(&txn, ctx, "create", "award_run", run.id, None, Some(&after)).await?;
    schedule_computation(&txn, run.id).await?;
    txn.commit().await?;
    Ok(run)
}

/// Requests the run of `period` and computes it at once (the demo's past quarters).
pub async fn run_at_once(
    db: &(impl ConnectionTrait + TransactionTrait),
    period: Quarter,
    tz: Tz,
) -> Result<RunView, DomainError> {
    let run = queued_run(period, RunTrigger::Manual, None).insert(db).await?;
    compute_run(db, run.id, tz).await
}

/// The timer kind that computes a run.
pub const TIMER_KIND: &str = "award_run";

/// Has a worker compute run `id` now, through a durable timer: a crash
/// before the run is published leads to another attempt.
pub async fn schedule_computation(db: &impl ConnectionTrait, id: Uuid) -> Result<(), DomainError> {
    let timer = crate::outbox::timers::NewTimer {
        kind: TIMER_KIND,
        phase: "run",
        dedupe_key: format!("{TIMER_KIND}:{id}"),
        subject_id: Some(id),
        customer_id: None,
        due_at: Utc::now(),
        policy_version: None,
    };
    crate::outbox::timers::schedule(db, timer).await
}

/// Creates the scheduled run of `period`, unless it exists: of any number
/// of schedulers claiming the same quarter, exactly one gets `Some(run)`
/// (the unique `scheduled_key` decides) and the others `None`.
pub async fn claim_scheduled_run(
    db: &(impl ConnectionTrait + TransactionTrait),
    period: Quarter,
) -> Result<Option<RunView>, DomainError> {
    let key = period.to_string();
    let existing = award_runs::Entity::find()
        .filter(award_runs::Column::ScheduledKey.eq(&key))
        .one(db)
        .await?;
    if existing.is_some() {
        return Ok(None);
    }
    let txn = crate::platform::db::begin_write(db).await?;
    let run = match queued_run(period, RunTrigger::Scheduled, None).insert(&txn).await {
        Ok(run) => RunView::from(run),
        Err(e) => {
            return match DomainError::from(e) {
                DomainError::Conflict(_) => Ok(None),
                other => Err(other),
            };
        }
    };
    let after = json!({"period": run.period, "trigger": run.trigger, "status": run.status});
    let system = AuditContext::default();
    audit::record(&txn, &system, "create", "award_run", run.id, None, Some(&after)).await?;
    match txn.commit().await {
        Ok(()) => Ok(Some(run)),
        Err(e) => match DomainError::from(e) {
            DomainError::Conflict(_) => Ok(None),
            other => Err(other),
        },
    }
}

/// The entrants of a quarter: every active consultant with the quarter's figures.
async fn entrants(db: &impl ConnectionTrait, period: Quarter, tz: Tz) -> Result<Vec<Entrant>, DomainError> {
    entrants_between(db, period.start(tz), period.end(tz)).await
}

/// Every active consultant with their figures from `from` to `to` (and
/// tenure to `to`): the entrants of any ranking (the Sales Star's quarter,
/// a bonus pool's month or quarter).
pub(crate) async fn entrants_between(
    db: &impl ConnectionTrait,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<Entrant>, DomainError> {
    let figures = kpis::all_consultants_between(db, from, to).await?;
    let ids: Vec<Uuid> = figures.iter().map(|f| f.user_id).collect();
    let joined: std::collections::HashMap<Uuid, DateTime<Utc>> = users::Entity::find()
        .filter(users::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|u| (u.id, u.created_at))
        .collect();
    Ok(figures
        .into_iter()
        .map(|f: ConsultantFigures| {
            let tenure_days = joined.get(&f.user_id).map_or(0, |at| (to - *at).num_days().max(0));
            Entrant {
                user_id: f.user_id,
                name: f.name,
                team_id: f.team_id,
                figures: Figures {
                    units_sold: f.units_sold,
                    amount_sold_fen: f.amount_sold_fen,
                    new_leads: f.new_leads,
                    visits: f.visits,
                    good_visits: f.good_visits,
                    satisfaction_rate: f.satisfaction_rate,
                    complaints: f.complaints,
                    open_customers: f.open_customers,
                    complaint_rate: f.complaint_rate,
                    tenure_days,
                },
            }
        })
        .collect())
}

async fn results_of(
    db: &impl ConnectionTrait,
    run: &award_runs::Model,
    tz: Tz,
) -> Result<(i32, serde_json::Value), DomainError> {
    let period: Quarter = run
        .period
        .parse()
        .map_err(|e| DomainError::Internal(format!("award run {}: {e}", run.id)))?;
    let rules = current_rules(db).await?;
    let ranking = rank(&entrants(db, period, tz).await?, &rules);
    let results = RunResults {
        period: period.to_string(),
        timezone: tz.name().to_owned(),
        from: period.start(tz),
        to: period.end(tz),
        rules_version: rules.version,
        weights: rules.weights,
        eligibility: rules.eligibility,
        tiers: rules.tiers,
        bonus_pool_fen: rules.bonus_pool_fen,
        ranking,
    };
    let json = serde_json::to_value(&results).map_err(|e| DomainError::Internal(e.to_string()))?;
    Ok((rules.version, json))
}

/// Computes run `run_id` with the rules current now and the figures of its
/// quarter in business time zone `tz`, stores the results and publishes it.
/// Idempotent: a published run is returned as it is. A run that has gone
/// is `NotFound`. When the computation fails the run is stored as `failed`
/// with the [`RunFailure`] callers see, the cause is logged with the run's
/// id, and the error is returned; computing it again retries.
pub async fn compute_run(
    db: &(impl ConnectionTrait + TransactionTrait),
    run_id: Uuid,
    tz: Tz,
) -> Result<RunView, DomainError> {
    match publish(db, run_id, tz).await {
        Ok(run) => Ok(run),
        Err(gone @ DomainError::NotFound(Msg::NounAwardRun)) => Err(gone),
        Err(error) => {
            let failure = RunFailure::of(&error);
            tracing::warn!(run_id = %run_id, failure = failure.code(), error = %error, "award run failed");
            award_runs::Entity::update_many()
                .col_expr(award_runs::Column::Status, Expr::value(RunStatus::Failed))
                .col_expr(award_runs::Column::Error, Expr::value(failure.code()))
                .filter(award_runs::Column::Id.eq(run_id))
                .filter(award_runs::Column::Status.ne(RunStatus::Published))
                .exec(db)
                .await?;
            Err(error)
        }
    }
}

async fn publish(db: &(impl ConnectionTrait + TransactionTrait), run_id: Uuid, tz: Tz) -> Result<RunView, DomainError> {
    let txn = crate::platform::db::begin_write(db).await?;
    let run = award_runs::Entity::find_by_id(run_id)
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound(Msg::NounAwardRun))?;
    if run.status == RunStatus::Published {
        return Ok(run.into());
    }
    let (version, results) = results_of(&txn, &run, tz).await?;
    let published = award_runs::Entity::update_many()
        .col_expr(award_runs::Column::Status, Expr::value(RunStatus::Published))
        .col_expr(award_runs::Column::RulesVersion, Expr::value(version))
        .col_expr(award_runs::Column::Results, Expr::value(results))
        .col_expr(award_runs::Column::Error, Expr::value(Option::<String>::None))
        .col_expr(award_runs::Column::PublishedAt, Expr::value(Utc::now()))
        .filter(award_runs::Column::Id.eq(run_id))
        .filter(award_runs::Column::Status.ne(RunStatus::Published))
        .exec(&txn)
        .await?;
    if published.rows_affected == 1 {
        let event = crate::outbox::events::Event {
            name: "award.published",
            client_id: None,
            subject_id: Some(run_id),
            payload: json!({"run_id": run_id}),
        };
        crate::outbox::events::emit(&txn, event).await?;
    }
    let run = award_runs::Entity::find_by_id(run_id)
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound(Msg::NounAwardRun))?;
    txn.commit().await?;
    Ok(run.into())
}

/// One run, with its results once published. Every member of staff with `awards:read` sees every run.
pub async fn get_run(db: &impl ConnectionTrait, id: Uuid) -> Result<RunView, DomainError> {
    award_runs::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(Into::into)
        .ok_or(DomainError::NotFound(Msg::NounAwardRun))
}

/// Runs, oldest first, optionally of one quarter.
pub async fn list_runs(
    db: &impl ConnectionTrait,
    period: Option<&str>,
    page: PageRequest,
) -> Result<Page<RunView>, DomainError> {
    let mut query = award_runs::Entity::find();
    if let Some(period) = period {
        query = query.filter(award_runs::Column::Period.eq(parse_period(period)?.to_string()));
    }
    Ok(page
        .fetch(db, query, award_runs::Column::Id, |r| r.id)
        .await?
        .map(RunView::from))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_run_tells_callers_a_code_and_a_message_and_never_the_cause() {
        let raw = "integer overflow";
        for (case, error, code) in [
            (
                "database",
                DomainError::Database(sea_orm::DbErr::Custom(raw.to_owned())),
                "record_unavailable",
            ),
            ("internal", DomainError::Internal(raw.to_owned()), "computation_failed"),
            (
                "no rules",
                DomainError::NotFound(Msg::NounAwardRules),
                "computation_failed",
            ),
        ] {
            let failure = RunFailure::of(&error);
            assert_eq!(failure.code(), code, "{case}");
            // Stored as its code, read back as the same failure.
            assert_eq!(RunFailure::from_stored(failure.code()), failure, "{case}");
            assert!(!failure.message().to_string().contains(raw), "{case}");
        }
        // Raw text stored before codes were kept is not shown.
        let legacy = RunFailure::from_stored("error returned from database: integer overflow");
        assert_eq!(legacy, RunFailure::ComputationFailed);
        assert_eq!(serde_json::to_value(legacy).expect("json"), json!("computation_failed"));
    }
}
