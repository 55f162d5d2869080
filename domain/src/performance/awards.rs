//! The quarterly Sales Star (销售之星): a ranking of every consultant on the
//! quarter's figures, under versioned rules an administrator sets (weights,
//! eligibility, bonus tiers and pool). A run ranks one quarter with the rules
//! current when it is computed and stores everything needed to explain the
//! result: the rules version, each person's figures, normalised values,
//! score, eligibility, rank, tier and bonus. The ranking itself is the pure
//! function [`rank`]; runs are requested on demand ([`request_run`]) or
//! claimed once per quarter by the scheduler ([`claim_scheduled_run`]) and
//! then computed by a worker ([`compute_run`]).

use std::cmp::Ordering;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use entities::{
    award_rules, award_runs,
    award_runs::{RunStatus, RunTrigger},
    users,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionSession,
    TransactionTrait, sea_query::Expr,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::{
    access::actor::Actor,
    access::audit::{self, AuditContext},
    performance::kpis::{self, ConsultantFigures},
    platform::calendar::Quarter,
    platform::error::{DomainError, FieldError},
    platform::money::{self, Floor},
    platform::page::{Page, PageRequest},
};

/// Weight of each figure in the score; usually the complaint rate's is negative.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Weights {
    pub units_sold: f64,
    pub amount_sold: f64,
    pub satisfaction_rate: f64,
    pub complaint_rate: f64,
    pub new_leads: f64,
}

/// Who may rank; a condition left out does not apply.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Eligibility {
    /// At least this many units sold in the quarter.
    #[serde(default)]
    pub min_units_sold: Option<i64>,
    /// At most this complaint rate (a consultant without open customers has none).
    #[serde(default)]
    pub max_complaint_rate: Option<f64>,
    /// At least this many days between the account's creation and the end of the quarter.
    #[serde(default)]
    pub min_tenure_days: Option<i64>,
}

/// Ranks `ranks[0]` to `ranks[1]` (inclusive) share `share_percent` of the pool.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tier {
    pub ranks: Vec<i64>,
    pub share_percent: i64,
}

impl Tier {
    fn contains(&self, rank: i64) -> bool {
        matches!(self.ranks.as_slice(), [first, last] if (*first..=*last).contains(&rank))
    }
}

/// One version of the rules.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rules {
    pub version: i32,
    pub weights: Weights,
    pub eligibility: Eligibility,
    pub tiers: Vec<Tier>,
    pub bonus_pool_fen: i64,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

impl TryFrom<award_rules::Model> for Rules {
    type Error = DomainError;

    fn try_from(m: award_rules::Model) -> Result<Self, DomainError> {
        let broken = |what: &str, e: serde_json::Error| {
            DomainError::Internal(format!("award rules version {} have unreadable {what}: {e}", m.version))
        };
        Ok(Self {
            version: m.version,
            weights: serde_json::from_value(m.weights.clone()).map_err(|e| broken("weights", e))?,
            eligibility: serde_json::from_value(m.eligibility.clone()).map_err(|e| broken("eligibility", e))?,
            tiers: serde_json::from_value(m.tiers.clone()).map_err(|e| broken("tiers", e))?,
            bonus_pool_fen: m.bonus_pool_fen,
            created_by: m.created_by,
            created_at: m.created_at,
        })
    }
}

/// New rules, as sent; checked by [`set_rules`].
#[derive(Debug, Clone, PartialEq)]
pub struct RulesInput {
    pub weights: Weights,
    pub eligibility: Eligibility,
    pub tiers: Vec<Tier>,
    pub bonus_pool_fen: i64,
}

fn check_rules(input: &RulesInput) -> Vec<FieldError> {
    let mut errors = Vec::new();
    let w = &input.weights;
    for (name, value) in [
        ("units_sold", w.units_sold),
        ("amount_sold", w.amount_sold),
        ("satisfaction_rate", w.satisfaction_rate),
        ("complaint_rate", w.complaint_rate),
        ("new_leads", w.new_leads),
    ] {
        if !value.is_finite() || !(-1.0..=1.0).contains(&value) {
            errors.push(FieldError::new(
                format!("/weights/{name}"),
                "must be a number from -1 to 1",
            ));
        }
    }
    let e = &input.eligibility;
    if e.min_units_sold.is_some_and(|n| n < 0) {
        errors.push(FieldError::new(
            "/eligibility/min_units_sold",
            "must be a whole number of at least 0",
        ));
    }
    if e.max_complaint_rate
        .is_some_and(|r| !r.is_finite() || !(0.0..=1.0).contains(&r))
    {
        errors.push(FieldError::new(
            "/eligibility/max_complaint_rate",
            "must be a rate from 0 to 1",
        ));
    }
    if e.min_tenure_days.is_some_and(|d| d < 0) {
        errors.push(FieldError::new(
            "/eligibility/min_tenure_days",
            "must be a whole number of days of at least 0",
        ));
    }
    let mut ranges: Vec<(i64, i64, usize)> = Vec::new();
    let mut total: i64 = 0;
    for (i, tier) in input.tiers.iter().enumerate() {
        match tier.ranks.as_slice() {
            [first, last] if *first >= 1 && first <= last => ranges.push((*first, *last, i)),
            _ => errors.push(FieldError::new(
                format!("/tiers/{i}/ranks"),
                "must be [first, last] with 1 ≤ first ≤ last",
            )),
        }
        if !(0..=100).contains(&tier.share_percent) {
            errors.push(FieldError::new(
                format!("/tiers/{i}/share_percent"),
                "must be a whole percentage from 0 to 100",
            ));
        } else {
            total += tier.share_percent;
        }
    }
    ranges.sort_unstable();
    let mut reached = 0;
    for (first, last, i) in ranges {
        if first <= reached {
            errors.push(FieldError::new(
                format!("/tiers/{i}/ranks"),
                "overlaps the ranks of another tier",
            ));
        }
        reached = reached.max(last);
    }
    if total > 100 {
        errors.push(FieldError::new(
            "/tiers",
            "the shares must add up to at most 100 percent",
        ));
    }
    money::check(input.bonus_pool_fen, Floor::Zero, "/bonus_pool_fen", &mut errors);
    errors
}

async fn latest_rules(db: &impl ConnectionTrait) -> Result<award_rules::Model, DomainError> {
    award_rules::Entity::find()
        .order_by_desc(award_rules::Column::Version)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("award rules"))
}

/// The rules in force: the latest version.
pub async fn current_rules(db: &impl ConnectionTrait) -> Result<Rules, DomainError> {
    latest_rules(db).await?.try_into()
}

fn rules_json(r: &Rules) -> serde_json::Value {
    json!({"version": r.version, "weights": r.weights, "eligibility": r.eligibility, "tiers": r.tiers,
           "bonus_pool_fen": r.bonus_pool_fen})
}

/// Sets new rules as the next version (earlier versions stay, for the runs
/// that used them). With `if_match`, only if the current version still has
/// that ETag. The caller holds `award_rules:write` on all records.
pub async fn set_rules(
    db: &(impl ConnectionTrait + TransactionTrait),
    ctx: &AuditContext,
    input: RulesInput,
    if_match: Option<&str>,
) -> Result<Rules, DomainError> {
    let errors = check_rules(&input);
    if !errors.is_empty() {
        return Err(DomainError::Validation(errors));
    }
    let txn = crate::platform::db::begin_write(db).await?;
    let before = Rules::try_from(latest_rules(&txn).await?)?;
    crate::platform::version::check_if_match(if_match, &crate::platform::version::etag_of(&before)?)?;
    let to_json = |v: serde_json::Result<serde_json::Value>| v.map_err(|e| DomainError::Internal(e.to_string()));
    let inserted = award_rules::ActiveModel {
        id: Set(Uuid::now_v7()),
        version: Set(before.version + 1),
        weights: Set(to_json(serde_json::to_value(input.weights))?),
        eligibility: Set(to_json(serde_json::to_value(input.eligibility))?),
        tiers: Set(to_json(serde_json::to_value(&input.tiers))?),
        bonus_pool_fen: Set(input.bonus_pool_fen),
        created_by: Set(ctx.actor_user_id),
        created_at: Set(Utc::now()),
    }
    .insert(&txn)
    .await?;
    let id = inserted.id;
    let after = Rules::try_from(inserted)?;
    audit::record(
        &txn,
        ctx,
        "create",
        "award_rules",
        id,
        Some(&rules_json(&before)),
        Some(&rules_json(&after)),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

/// One consultant's figures for the quarter, as the ranking reads them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    pub units_sold: i64,
    pub amount_sold_fen: i64,
    pub new_leads: i64,
    pub visits: i64,
    pub good_visits: i64,
    /// Good visits ÷ visits; none without visits.
    pub satisfaction_rate: Option<f64>,
    pub complaints: i64,
    pub open_customers: i64,
    /// Complaints ÷ open customers; none without open customers.
    pub complaint_rate: Option<f64>,
    /// Days from the account's creation to the end of the quarter.
    pub tenure_days: i64,
}

/// A consultant entering the ranking.
#[derive(Debug, Clone, PartialEq)]
pub struct Entrant {
    pub user_id: Uuid,
    pub name: String,
    pub team_id: Option<Uuid>,
    pub figures: Figures,
}

/// Each figure on the scale the weights apply to.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Normalised {
    pub units_sold: f64,
    pub amount_sold: f64,
    pub satisfaction_rate: f64,
    pub complaint_rate: f64,
    pub new_leads: f64,
}

/// One consultant's place in a run, with everything that put them there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Standing {
    pub user_id: Uuid,
    pub name: String,
    pub team_id: Option<Uuid>,
    pub figures: Figures,
    pub normalised: Normalised,
    /// Σ weight × normalised value, rounded to 6 decimals.
    pub score: f64,
    pub eligible: bool,
    /// Why not eligible (every unmet condition); none when eligible.
    pub ineligible_reason: Option<String>,
    /// 1 = the Sales Star; none when not eligible.
    pub rank: Option<i64>,
    /// Position (from 1) of the tier in the rules' list; none outside every tier.
    pub tier: Option<i64>,
    pub bonus_fen: i64,
}

/// The maxima among eligible consultants that counts are divided by.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Maxima {
    pub units_sold: i64,
    pub amount_sold_fen: i64,
    pub new_leads: i64,
}

/// The outcome of [`rank`]: eligible consultants by rank, then the others by name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ranking {
    pub maxima: Maxima,
    pub standings: Vec<Standing>,
    /// The part of the pool that no one was paid (shares below 100 %, tiers nobody reached).
    pub unpaid_fen: i64,
}

const SCORE_SCALE: f64 = 1_000_000.0;

fn ratio(value: i64, max: i64) -> f64 {
    if max > 0 { value as f64 / max as f64 } else { 0.0 }
}

fn ineligible_reason(f: &Figures, e: &Eligibility) -> Option<String> {
    let mut reasons = Vec::new();
    if let Some(min) = e.min_units_sold
        && f.units_sold < min
    {
        reasons.push(format!("sold {} units, fewer than {min}", f.units_sold));
    }
    if let Some(max) = e.max_complaint_rate
        && let Some(rate) = f.complaint_rate
        && rate > max
    {
        reasons.push(format!("complaint rate {rate} above {max}"));
    }
    if let Some(min) = e.min_tenure_days
        && f.tenure_days < min
    {
        reasons.push(format!("{} days of tenure, fewer than {min}", f.tenure_days));
    }
    (!reasons.is_empty()).then(|| reasons.join("; "))
}

/// Ranks the quarter's consultants under `rules`. Pure, and the same input
/// always gives the same output:
///
/// - eligible: every condition of `rules.eligibility` holds;
/// - counts (units, amount, new leads) are divided by the largest among the
///   eligible consultants (0 when that is 0); rates are used as they are,
///   a missing rate as 0;
/// - score = Σ weight × normalised value, rounded to 6 decimals;
/// - ties: higher score, then higher amount, then more units, then the lower
///   user id; so ranks are 1, 2, 3 … with no two alike;
/// - each tier's bonus is `pool × share_percent ÷ 100` (whole fen, rounded
///   down), split equally among the consultants holding its ranks; the fen
///   left over from the split go to the best rank of the tier.
pub fn rank(entrants: &[Entrant], rules: &Rules) -> Ranking {
    let reasons: Vec<Option<String>> = entrants
        .iter()
        .map(|e| ineligible_reason(&e.figures, &rules.eligibility))
        .collect();
    let eligible = || {
        entrants
            .iter()
            .zip(&reasons)
            .filter(|(_, r)| r.is_none())
            .map(|(e, _)| e)
    };
    let maxima = Maxima {
        units_sold: eligible().map(|e| e.figures.units_sold).max().unwrap_or(0),
        amount_sold_fen: eligible().map(|e| e.figures.amount_sold_fen).max().unwrap_or(0),
        new_leads: eligible().map(|e| e.figures.new_leads).max().unwrap_or(0),
    };
    let w = &rules.weights;
    let mut standings: Vec<Standing> = entrants
        .iter()
        .zip(reasons)
        .map(|(e, reason)| {
            let f = &e.figures;
            let n = Normalised {
                units_sold: ratio(f.units_sold, maxima.units_sold),
                amount_sold: ratio(f.amount_sold_fen, maxima.amount_sold_fen),
                satisfaction_rate: f.satisfaction_rate.unwrap_or(0.0),
                complaint_rate: f.complaint_rate.unwrap_or(0.0),
                new_leads: ratio(f.new_leads, maxima.new_leads),
            };
            let raw = w.units_sold * n.units_sold
                + w.amount_sold * n.amount_sold
                + w.satisfaction_rate * n.satisfaction_rate
                + w.complaint_rate * n.complaint_rate
                + w.new_leads * n.new_leads;
            Standing {
                user_id: e.user_id,
                name: e.name.clone(),
                team_id: e.team_id,
                figures: f.clone(),
                normalised: n,
                score: (raw * SCORE_SCALE).round() / SCORE_SCALE,
                eligible: reason.is_none(),
                ineligible_reason: reason,
                rank: None,
                tier: None,
                bonus_fen: 0,
            }
        })
        .collect();
    standings.sort_by(|a, b| {
        b.eligible.cmp(&a.eligible).then_with(|| {
            if a.eligible {
                better(a, b)
            } else {
                a.name.cmp(&b.name).then(a.user_id.cmp(&b.user_id))
            }
        })
    });
    let mut paid: i128 = 0;
    for (rank, s) in (1..).zip(standings.iter_mut().filter(|s| s.eligible)) {
        s.rank = Some(rank);
    }
    let pool = i128::from(rules.bonus_pool_fen.max(0));
    for (i, tier) in rules.tiers.iter().enumerate() {
        let holders: Vec<usize> = standings
            .iter()
            .enumerate()
            .filter(|(_, s)| s.rank.is_some_and(|r| tier.contains(r)))
            .map(|(at, _)| at)
            .collect();
        let Some(&best) = holders.first() else {
            continue;
        };
        let tier_pool = pool * i128::from(tier.share_percent.clamp(0, 100)) / 100;
        let count = holders.len() as i128;
        let each = tier_pool / count;
        for &at in &holders {
            standings[at].tier = Some(i as i64 + 1);
            standings[at].bonus_fen = i64::try_from(each).unwrap_or(0);
        }
        standings[best].bonus_fen += i64::try_from(tier_pool - each * count).unwrap_or(0);
        paid += tier_pool;
    }
    Ranking {
        maxima,
        standings,
        unpaid_fen: i64::try_from(pool - paid).unwrap_or(0),
    }
}

/// Whether `a` ranks before `b`: higher score, higher amount, more units, lower user id.
fn better(a: &Standing, b: &Standing) -> Ordering {
    let score = |s: &Standing| (s.score * SCORE_SCALE).round() as i64;
    score(b)
        .cmp(&score(a))
        .then(b.figures.amount_sold_fen.cmp(&a.figures.amount_sold_fen))
        .then(b.figures.units_sold.cmp(&a.figures.units_sold))
        .then(a.user_id.cmp(&b.user_id))
}

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

    pub fn message(self) -> &'static str {
        match self {
            Self::RecordUnavailable => {
                "the sales record could not be read at the time; the run is computed again automatically"
            }
            Self::ComputationFailed => {
                "the ranking could not be computed; request a new run of the quarter, and if it fails again \
                 ask an administrator to look for this run's id in the service logs"
            }
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
    period.parse().map_err(|e: String| DomainError::invalid("/period", e))
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
    let (from, to) = (period.start(tz), period.end(tz));
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
        .map_err(|e: String| DomainError::Internal(format!("award run {}: {e}", run.id)))?;
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
        Err(gone @ DomainError::NotFound("award run")) => Err(gone),
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
        .ok_or(DomainError::NotFound("award run"))?;
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
        .ok_or(DomainError::NotFound("award run"))?;
    txn.commit().await?;
    Ok(run.into())
}

/// One run, with its results once published. Every member of staff with `awards:read` sees every run.
pub async fn get_run(db: &impl ConnectionTrait, id: Uuid) -> Result<RunView, DomainError> {
    award_runs::Entity::find_by_id(id)
        .one(db)
        .await?
        .map(Into::into)
        .ok_or(DomainError::NotFound("award run"))
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

    fn rules(weights: Weights, eligibility: Eligibility, tiers: &[(i64, i64, i64)], pool: i64) -> Rules {
        Rules {
            version: 1,
            weights,
            eligibility,
            tiers: tiers
                .iter()
                .map(|&(a, b, share)| Tier {
                    ranks: vec![a, b],
                    share_percent: share,
                })
                .collect(),
            bonus_pool_fen: pool,
            created_by: None,
            created_at: Utc::now(),
        }
    }

    fn person(id: u128, units: i64, amount: i64) -> Entrant {
        Entrant {
            user_id: Uuid::from_u128(id),
            name: format!("p{id}"),
            team_id: None,
            figures: Figures {
                units_sold: units,
                amount_sold_fen: amount,
                new_leads: 0,
                visits: 0,
                good_visits: 0,
                satisfaction_rate: None,
                complaints: 0,
                open_customers: 0,
                complaint_rate: None,
                tenure_days: 365,
            },
        }
    }

    const UNITS_ONLY: Weights = Weights {
        units_sold: 1.0,
        amount_sold: 0.0,
        satisfaction_rate: 0.0,
        complaint_rate: 0.0,
        new_leads: 0.0,
    };

    fn order(r: &Ranking) -> Vec<(u128, Option<i64>)> {
        r.standings.iter().map(|s| (s.user_id.as_u128(), s.rank)).collect()
    }

    #[test]
    fn ties_are_broken_by_amount_then_units_then_the_lower_user_id() {
        let amount_only = Weights {
            units_sold: 0.0,
            amount_sold: 0.0,
            satisfaction_rate: 0.0,
            complaint_rate: 0.0,
            new_leads: 0.0,
        };
        for (case, entrants, expected) in [
            (
                "higher score first",
                vec![person(1, 1, 100), person(2, 3, 100), person(3, 2, 100)],
                vec![2, 3, 1],
            ),
            (
                "equal scores: higher amount",
                vec![person(1, 2, 100), person(2, 2, 300), person(3, 2, 200)],
                vec![2, 3, 1],
            ),
            (
                "equal scores and amounts: more units",
                vec![person(1, 1, 100), person(2, 3, 100), person(3, 2, 100)],
                vec![2, 3, 1],
            ),
            (
                "all equal: lower user id",
                vec![person(3, 2, 100), person(1, 2, 100), person(2, 2, 100)],
                vec![1, 2, 3],
            ),
        ] {
            let weights = if case == "equal scores and amounts: more units" {
                amount_only
            } else {
                UNITS_ONLY
            };
            let r = rank(&entrants, &rules(weights, Eligibility::default(), &[], 0));
            let got: Vec<u128> = r.standings.iter().map(|s| s.user_id.as_u128()).collect();
            assert_eq!(got, expected, "{case}");
            let ranks: Vec<Option<i64>> = r.standings.iter().map(|s| s.rank).collect();
            assert_eq!(ranks, [Some(1), Some(2), Some(3)], "{case}");
        }
    }

    #[test]
    fn scores_weigh_counts_against_the_eligible_maximum_and_rates_as_they_are() {
        let weights = Weights {
            units_sold: 0.4,
            amount_sold: 0.3,
            satisfaction_rate: 0.2,
            complaint_rate: -0.1,
            new_leads: 0.1,
        };
        let mut a = person(1, 4, 800);
        a.figures.satisfaction_rate = Some(0.5);
        a.figures.complaint_rate = Some(0.25);
        a.figures.new_leads = 10;
        let mut b = person(2, 2, 1000);
        b.figures.new_leads = 5;
        // Not eligible: the 9 units must not become the maximum.
        let c = Entrant {
            figures: Figures {
                tenure_days: 10,
                ..person(3, 9, 9000).figures
            },
            ..person(3, 0, 0)
        };
        let eligibility = Eligibility {
            min_tenure_days: Some(90),
            ..Eligibility::default()
        };
        let r = rank(&[a, b, c], &rules(weights, eligibility, &[], 0));
        assert_eq!(
            r.maxima,
            Maxima {
                units_sold: 4,
                amount_sold_fen: 1000,
                new_leads: 10
            }
        );
        // a: 0.4×1 + 0.3×0.8 + 0.2×0.5 − 0.1×0.25 + 0.1×1 = 0.815
        // b: 0.4×0.5 + 0.3×1 + 0 − 0 + 0.1×0.5 = 0.55
        let scores: Vec<(u128, f64)> = r.standings.iter().map(|s| (s.user_id.as_u128(), s.score)).collect();
        assert_eq!(scores, [(1, 0.815), (2, 0.55), (3, 3.6)]);
        assert_eq!(r.standings[0].normalised.amount_sold, 0.8);
        assert_eq!(order(&r), [(1, Some(1)), (2, Some(2)), (3, None)]);
    }

    #[test]
    fn ineligible_consultants_are_listed_with_every_reason_and_no_rank() {
        let eligibility = Eligibility {
            min_units_sold: Some(2),
            max_complaint_rate: Some(0.3),
            min_tenure_days: Some(30),
        };
        let mut bad = person(1, 1, 100);
        bad.figures.complaint_rate = Some(0.5);
        bad.figures.tenure_days = 20;
        let mut no_base = person(2, 2, 100);
        no_base.figures.complaint_rate = None;
        let mut edge = person(3, 2, 100);
        edge.figures.complaint_rate = Some(0.3);
        edge.figures.tenure_days = 30;
        let r = rank(
            &[bad, no_base, edge],
            &rules(UNITS_ONLY, eligibility, &[(1, 1, 100)], 1000),
        );
        assert_eq!(order(&r), [(2, Some(1)), (3, Some(2)), (1, None)]);
        let bad = &r.standings[2];
        assert!(!bad.eligible);
        assert_eq!(
            bad.ineligible_reason.as_deref(),
            Some("sold 1 units, fewer than 2; complaint rate 0.5 above 0.3; 20 days of tenure, fewer than 30")
        );
        assert_eq!((bad.tier, bad.bonus_fen), (None, 0));
    }

    #[test]
    fn tiers_split_their_share_equally_and_give_the_odd_fen_to_the_best_rank() {
        let people: Vec<Entrant> = (1..=5).map(|i| person(i, 10 - i as i64, 100)).collect();
        for (case, tiers, pool, bonuses, unpaid) in [
            (
                "seeded tiers",
                vec![(1, 1, 50), (2, 3, 25)],
                3_000_000,
                vec![1_500_000, 375_000, 375_000, 0, 0],
                750_000,
            ),
            (
                "odd fen to the best rank",
                vec![(1, 3, 100)],
                100,
                vec![34, 33, 33, 0, 0],
                0,
            ),
            (
                "share rounds down",
                vec![(1, 1, 33), (2, 2, 33)],
                10,
                vec![3, 3, 0, 0, 0],
                4,
            ),
            (
                "tier beyond the field pays nothing",
                vec![(1, 1, 60), (6, 9, 40)],
                1000,
                vec![600, 0, 0, 0, 0],
                400,
            ),
            (
                "a tier partly filled splits among its holders",
                vec![(4, 7, 30)],
                1004,
                vec![0, 0, 0, 151, 150],
                703,
            ),
        ] {
            let r = rank(&people, &rules(UNITS_ONLY, Eligibility::default(), &tiers, pool));
            let got: Vec<i64> = r.standings.iter().map(|s| s.bonus_fen).collect();
            assert_eq!(got, bonuses, "{case}");
            assert_eq!(r.unpaid_fen, unpaid, "{case}");
            assert_eq!(got.iter().sum::<i64>() + r.unpaid_fen, pool, "{case}");
        }
        let r = rank(
            &people,
            &rules(UNITS_ONLY, Eligibility::default(), &[(1, 1, 50), (2, 3, 25)], 10),
        );
        let tiers: Vec<Option<i64>> = r.standings.iter().map(|s| s.tier).collect();
        assert_eq!(tiers, [Some(1), Some(2), Some(2), None, None]);
    }

    #[test]
    fn ranking_nobody_gives_an_empty_ranking() {
        let r = rank(&[], &rules(UNITS_ONLY, Eligibility::default(), &[(1, 1, 50)], 100));
        assert!(r.standings.is_empty());
        assert_eq!((r.maxima, r.unpaid_fen), (Maxima::default(), 100));
    }

    fn input(tiers: &[(Vec<i64>, i64)]) -> RulesInput {
        RulesInput {
            weights: UNITS_ONLY,
            eligibility: Eligibility::default(),
            tiers: tiers
                .iter()
                .map(|(ranks, share)| Tier {
                    ranks: ranks.clone(),
                    share_percent: *share,
                })
                .collect(),
            bonus_pool_fen: 0,
        }
    }

    fn pointers(input: &RulesInput) -> Vec<String> {
        check_rules(input).into_iter().map(|e| e.pointer).collect()
    }

    #[test]
    fn rules_are_checked_field_by_field() {
        assert!(pointers(&input(&[(vec![1, 1], 50), (vec![2, 3], 25)])).is_empty());
        assert!(pointers(&input(&[(vec![2, 3], 50), (vec![1, 1], 50)])).is_empty());
        for (case, tiers, expected) in [
            (
                "overlap",
                vec![(vec![1, 2], 50), (vec![2, 3], 25)],
                vec!["/tiers/1/ranks"],
            ),
            (
                "inside a wide tier",
                vec![(vec![1, 10], 50), (vec![2, 3], 5), (vec![5, 6], 5)],
                vec!["/tiers/1/ranks", "/tiers/2/ranks"],
            ),
            ("reversed", vec![(vec![3, 2], 50)], vec!["/tiers/0/ranks"]),
            ("rank zero", vec![(vec![0, 2], 50)], vec!["/tiers/0/ranks"]),
            ("one rank", vec![(vec![1], 50)], vec!["/tiers/0/ranks"]),
            ("over 100", vec![(vec![1, 1], 60), (vec![2, 2], 41)], vec!["/tiers"]),
            ("negative share", vec![(vec![1, 1], -1)], vec!["/tiers/0/share_percent"]),
        ] {
            assert_eq!(pointers(&input(&tiers)), expected, "{case}");
        }
        let mut bad = input(&[]);
        bad.weights.units_sold = 1.5;
        bad.weights.complaint_rate = f64::NAN;
        bad.eligibility = Eligibility {
            min_units_sold: Some(-1),
            max_complaint_rate: Some(1.2),
            min_tenure_days: Some(-3),
        };
        bad.bonus_pool_fen = -1;
        assert_eq!(
            pointers(&bad),
            [
                "/weights/units_sold",
                "/weights/complaint_rate",
                "/eligibility/min_units_sold",
                "/eligibility/max_complaint_rate",
                "/eligibility/min_tenure_days",
                "/bonus_pool_fen"
            ]
        );
    }

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
            ("no rules", DomainError::NotFound("award rules"), "computation_failed"),
        ] {
            let failure = RunFailure::of(&error);
            assert_eq!(failure.code(), code, "{case}");
            // Stored as its code, read back as the same failure.
            assert_eq!(RunFailure::from_stored(failure.code()), failure, "{case}");
            assert!(!failure.message().contains(raw), "{case}");
        }
        // Raw text stored before codes were kept is not shown.
        let legacy = RunFailure::from_stored("error returned from database: integer overflow");
        assert_eq!(legacy, RunFailure::ComputationFailed);
        assert_eq!(serde_json::to_value(legacy).expect("json"), json!("computation_failed"));
    }
}
