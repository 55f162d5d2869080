//! Bonus pools: the director sets a pool for a month or quarter and the
//! department or one team; it is computed — on demand as often as wanted,
//! and once by the period-end job — and then published once, after which
//! it is frozen and every consultant of it is notified of their rank and
//! amount in their language.
//!
//! A computation ranks the consultants of the pool's scope on the period's
//! figures with the Sales Star's ranking ([`crate::performance::awards::ranking::rank`],
//! its current weights and eligibility), shares the pool under the current
//! bonus rules ([`super::shares::allocate`]) and stores what explains each
//! line: both rules versions, the period's bounds, each person's figures,
//! normalised values, score, unmet conditions, rank, band, share and amount.
//!
//! Reach (`bonuses:read`): `all` every pool; `team` the pools of the
//! caller's teams, every line; `own` the published pools the caller has a
//! line in, with that line only.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use entities::{
    bonus_lines,
    bonus_lines::ShareBasis,
    bonus_pools,
    bonus_pools::{BonusPoolStatus, BonusScope},
    teams,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
    sea_query::{Condition, Expr, Query},
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{
    rules::current_rules as current_bonus_rules,
    shares::{Ranked, allocate},
};
use crate::{
    access::actor::{Actor, ActorKind},
    access::audit::AuditContext,
    access::permissions::Scope,
    access::record::{self, Record},
    outbox::notifications::{self, Kind, Notice},
    performance::awards::{
        ranking::{Entrant, Figures, Normalised, Unmet, ineligible_reason, rank},
        rules::current_rules as current_award_rules,
        runs::entrants_between,
    },
    platform::calendar::{Month, Period},
    platform::error::{DomainError, FieldError},
    platform::money::{self, Floor},
    platform::page::{Page, PageRequest},
    platform::text::{Msg, Reader, Yuan},
};

/// The scope key of a department pool (a team pool's is the team's id).
const DEPARTMENT: &str = "department";

/// A consultant's line as a reader reads it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LineView {
    pub user_id: Uuid,
    pub name: String,
    pub team_id: Option<Uuid>,
    pub rank: Option<i64>,
    pub eligible: bool,
    /// Every unmet condition in the reader's words; none when eligible.
    pub ineligible_reason: Option<String>,
    pub unmet: Vec<Unmet>,
    pub score: f64,
    pub figures: Figures,
    pub normalised: Normalised,
    pub basis: ShareBasis,
    pub band: Option<i64>,
    pub share_permille: f64,
    pub amount_fen: i64,
}

/// What a line stores beyond its columns.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Explanation {
    name: String,
    figures: Figures,
    normalised: Normalised,
    unmet: Vec<Unmet>,
}

fn explanation(line: &bonus_lines::Model) -> Result<Explanation, DomainError> {
    serde_json::from_value(line.explanation.clone())
        .map_err(|e| DomainError::Internal(format!("bonus line {} has an unreadable explanation: {e}", line.id)))
}

impl LineView {
    fn of(line: bonus_lines::Model, reader: &Reader) -> Result<Self, DomainError> {
        let x = explanation(&line)?;
        Ok(Self {
            user_id: line.user_id,
            name: x.name,
            team_id: line.team_id,
            rank: line.rank,
            eligible: line.eligible,
            ineligible_reason: ineligible_reason(&x.unmet, reader),
            unmet: x.unmet,
            score: line.score,
            figures: x.figures,
            normalised: x.normalised,
            basis: line.basis,
            band: line.band,
            share_permille: line.share_permille,
            amount_fen: line.amount_fen,
        })
    }
}

/// A pool as the API shows it; `lines` only when one pool is read.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PoolView {
    pub id: Uuid,
    pub period: String,
    pub scope: BonusScope,
    pub team_id: Option<Uuid>,
    pub pool_fen: i64,
    pub status: BonusPoolStatus,
    pub rules_version: Option<i32>,
    pub award_rules_version: Option<i32>,
    pub basis: Option<Value>,
    pub paid_fen: i64,
    pub unpaid_fen: i64,
    pub computed_at: Option<DateTime<Utc>>,
    pub computed_by: Option<Uuid>,
    pub published_at: Option<DateTime<Utc>>,
    pub published_by: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub lines: Option<Vec<LineView>>,
}

impl From<bonus_pools::Model> for PoolView {
    fn from(m: bonus_pools::Model) -> Self {
        Self {
            id: m.id,
            period: m.period,
            scope: m.scope,
            team_id: m.team_id,
            pool_fen: m.pool_fen,
            status: m.status,
            rules_version: m.rules_version,
            award_rules_version: m.award_rules_version,
            basis: m.basis,
            paid_fen: m.paid_fen,
            unpaid_fen: m.unpaid_fen,
            computed_at: m.computed_at,
            computed_by: m.computed_by,
            published_at: m.published_at,
            published_by: m.published_by,
            created_by: m.created_by,
            created_at: m.created_at,
            updated_at: m.updated_at,
            lines: None,
        }
    }
}

impl Record for PoolView {
    type Entity = bonus_pools::Entity;
    const NAME: Msg = Msg::NounBonusPool;
    const AUDITED: &'static str = "bonus_pool";
    fn audit_json(&self) -> Value {
        json!({"period": self.period, "scope": self.scope, "team_id": self.team_id, "pool_fen": self.pool_fen,
               "status": self.status, "rules_version": self.rules_version,
               "award_rules_version": self.award_rules_version, "paid_fen": self.paid_fen,
               "unpaid_fen": self.unpaid_fen})
    }
}

/// The pools a caller reaches with `scope` (see the module). Partners reach none.
pub fn reach(actor: &Actor, scope: Scope) -> Condition {
    use bonus_pools::Column as C;
    let none = || Condition::all().add(C::Id.is_null());
    if actor.kind == ActorKind::Client {
        return none();
    }
    match scope {
        Scope::All => Condition::all(),
        Scope::Team if actor.team_ids.is_empty() => none(),
        Scope::Team => Condition::all().add(C::TeamId.is_in(actor.team_ids.clone())),
        Scope::Own => Condition::all().add(C::Status.eq(BonusPoolStatus::Published)).add(
            C::Id.in_subquery(
                Query::select()
                    .column(bonus_lines::Column::PoolId)
                    .from(bonus_lines::Entity)
                    .and_where(bonus_lines::Column::UserId.eq(actor.id))
                    .to_owned(),
            ),
        ),
    }
}

/// The period of a pool: a month or a quarter.
fn parse_period(text: &str) -> Result<Period, FieldError> {
    match text.parse::<Period>() {
        Ok(period @ (Period::Month(_) | Period::Quarter(_))) => Ok(period),
        _ => Err(FieldError::new(
            "/period",
            Msg::BonusPeriod {
                text: format!("{text:?}"),
            },
        )),
    }
}

/// A pool as the director sets it.
#[derive(Debug, Clone)]
pub struct NewPool {
    pub period: String,
    /// `department` or `team`.
    pub scope: String,
    /// The team of a team pool.
    pub team_id: Option<Uuid>,
    pub pool_fen: i64,
}

/// Sets the pool of a period and scope; a second one of the same period
/// and scope is a conflict. The caller holds `bonuses:manage` on all records.
pub async fn create(
    db: &(impl ConnectionTrait + TransactionTrait),
    ctx: &AuditContext,
    input: NewPool,
) -> Result<PoolView, DomainError> {
    let mut errors = Vec::new();
    let period = parse_period(&input.period).map_err(|e| errors.push(e)).ok();
    let scope = crate::platform::input::variant::<BonusScope>(&input.scope, "/scope")
        .map_err(|e| errors.push(e))
        .ok();
    money::check(input.pool_fen, Floor::OneFen, "/pool_fen", &mut errors);
    match (scope, input.team_id) {
        (Some(BonusScope::Team), None) => errors.push(FieldError::new("/team_id", Msg::Required)),
        (Some(BonusScope::Department), Some(_)) => errors.push(FieldError::new("/team_id", Msg::BonusDepartmentNoTeam)),
        _ => {}
    }
    let txn = crate::platform::db::begin_write(db).await?;
    if let (Some(BonusScope::Team), Some(team)) = (scope, input.team_id)
        && teams::Entity::find_by_id(team).one(&txn).await?.is_none()
    {
        errors.push(FieldError::new("/team_id", Msg::NoSuchTeam));
    }
    let (Some(period), Some(scope), true) = (period, scope, errors.is_empty()) else {
        return Err(DomainError::Validation(errors));
    };
    let key = input.team_id.map_or_else(|| DEPARTMENT.to_owned(), |t| t.to_string());
    let period = period.to_string();
    let taken = bonus_pools::Entity::find()
        .filter(bonus_pools::Column::Period.eq(&period))
        .filter(bonus_pools::Column::ScopeKey.eq(&key))
        .one(&txn)
        .await?;
    if taken.is_some() {
        return Err(DomainError::Conflict(Msg::BonusPoolExists { period }));
    }
    let now = Utc::now();
    let pool = bonus_pools::ActiveModel {
        id: Set(Uuid::now_v7()),
        period: Set(period),
        scope: Set(scope),
        team_id: Set(input.team_id),
        scope_key: Set(key),
        pool_fen: Set(input.pool_fen),
        status: Set(BonusPoolStatus::Open),
        rules_version: Set(None),
        award_rules_version: Set(None),
        basis: Set(None),
        paid_fen: Set(0),
        unpaid_fen: Set(0),
        computed_at: Set(None),
        computed_by: Set(None),
        published_at: Set(None),
        published_by: Set(None),
        created_by: Set(ctx.actor_user_id),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let view = PoolView::from(pool);
    record::commit_created(txn, ctx, &view, view.id).await?;
    Ok(view)
}

/// What to look for among pools.
#[derive(Debug, Clone, Default)]
pub struct PoolFilter {
    pub period: Option<String>,
    pub scope: Option<String>,
    pub team_id: Option<Uuid>,
    pub status: Option<String>,
}

/// Pools within the caller's reach, oldest first, without their lines.
pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    scope: Scope,
    filter: PoolFilter,
    page: PageRequest,
) -> Result<Page<PoolView>, DomainError> {
    use bonus_pools::Column as C;
    let mut errors = Vec::new();
    let period = crate::platform::input::optional(filter.period.as_deref(), parse_period, &mut errors);
    let kind = crate::platform::input::optional(
        filter.scope.as_deref(),
        |s| crate::platform::input::variant::<BonusScope>(s, "/scope"),
        &mut errors,
    );
    let status = crate::platform::input::optional(
        filter.status.as_deref(),
        |s| crate::platform::input::variant::<BonusPoolStatus>(s, "/status"),
        &mut errors,
    );
    if !errors.is_empty() {
        return Err(DomainError::Validation(errors));
    }
    let mut query = bonus_pools::Entity::find().filter(reach(actor, scope));
    if let Some(period) = period {
        query = query.filter(C::Period.eq(period.to_string()));
    }
    if let Some(kind) = kind {
        query = query.filter(C::Scope.eq(kind));
    }
    if let Some(team) = filter.team_id {
        query = query.filter(C::TeamId.eq(team));
    }
    if let Some(status) = status {
        query = query.filter(C::Status.eq(status));
    }
    Ok(page.fetch(db, query, C::Id, |p| p.id).await?.map(PoolView::from))
}

/// One pool within the caller's reach, with its lines as `reader` reads
/// them (with scope `own`, the caller's line only); outside it, "not found".
pub async fn get(
    db: &impl ConnectionTrait,
    actor: &Actor,
    scope: Scope,
    id: Uuid,
    reader: &Reader,
) -> Result<PoolView, DomainError> {
    let pool = record::find::<PoolView>(db, reach(actor, scope), id).await?;
    let mut query = bonus_lines::Entity::find()
        .filter(bonus_lines::Column::PoolId.eq(id))
        .order_by_asc(bonus_lines::Column::Position);
    if scope == Scope::Own {
        query = query.filter(bonus_lines::Column::UserId.eq(actor.id));
    }
    let lines = query
        .all(db)
        .await?
        .into_iter()
        .map(|l| LineView::of(l, reader))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(PoolView {
        lines: Some(lines),
        ..PoolView::from(pool)
    })
}

fn stored_period(pool: &bonus_pools::Model) -> Result<Period, DomainError> {
    parse_period(&pool.period).map_err(|_| DomainError::Internal(format!("bonus pool {} has a bad period", pool.id)))
}

/// Computes pool `id` with the figures of its period in business time zone
/// `tz` and the rules current now, replacing any earlier computation. A
/// published pool is frozen: a conflict. The caller holds `bonuses:manage`
/// on all records, or is the period-end job (`ctx` of the system).
pub async fn compute(
    db: &(impl ConnectionTrait + TransactionTrait),
    ctx: &AuditContext,
    id: Uuid,
    tz: Tz,
) -> Result<PoolView, DomainError> {
    compute_with(db, ctx, id, tz, &mut HashMap::new()).await
}

/// [`compute`], reading each period's figures once into `figures` (by
/// period): the period-end job computes the department's and every team's
/// pool of one period from one read.
async fn compute_with(
    db: &(impl ConnectionTrait + TransactionTrait),
    ctx: &AuditContext,
    id: Uuid,
    tz: Tz,
    figures: &mut HashMap<String, Vec<Entrant>>,
) -> Result<PoolView, DomainError> {
    let txn = crate::platform::db::begin_write(db).await?;
    let pool = record::find_by_id::<PoolView>(&txn, id).await?;
    if pool.status == BonusPoolStatus::Published {
        return Err(DomainError::Conflict(Msg::BonusPoolPublished));
    }
    let before = PoolView::from(pool.clone());
    let period = stored_period(&pool)?;
    let (from, to) = (period.start(tz), period.end(tz));
    let award = current_award_rules(&txn).await?;
    let bonus = current_bonus_rules(&txn).await?;
    let mut entrants = match figures.get(&pool.period) {
        Some(known) => known.clone(),
        None => {
            let read = entrants_between(&txn, from, to).await?;
            figures.insert(pool.period.clone(), read.clone());
            read
        }
    };
    if let Some(team) = pool.team_id {
        entrants.retain(|e| e.team_id == Some(team));
    }
    // The Sales Star's ranking, without its own tiers and pool.
    let ranking_rules = crate::performance::awards::rules::Rules {
        tiers: Vec::new(),
        bonus_pool_fen: 0,
        ..award.clone()
    };
    let ranking = rank(&entrants, &ranking_rules);
    let ranked: Vec<Ranked> = ranking
        .standings
        .iter()
        .filter_map(|s| s.rank.map(|rank| Ranked { rank, score: s.score }))
        .collect();
    let allocation = allocate(pool.pool_fen, &ranked, &bonus);
    let mut shares = allocation.shares.iter();
    let mut lines = Vec::with_capacity(ranking.standings.len());
    for (position, s) in (0..).zip(&ranking.standings) {
        // Eligible consultants come first, in rank order, as `ranked` does.
        let share = if s.rank.is_some() { shares.next().copied() } else { None };
        let x = Explanation {
            name: s.name.clone(),
            figures: s.figures.clone(),
            normalised: s.normalised,
            unmet: s.unmet.clone(),
        };
        lines.push(bonus_lines::ActiveModel {
            id: Set(Uuid::now_v7()),
            pool_id: Set(id),
            position: Set(position),
            user_id: Set(s.user_id),
            team_id: Set(s.team_id),
            rank: Set(s.rank),
            eligible: Set(s.eligible),
            score: Set(s.score),
            basis: Set(share.map_or(ShareBasis::None, |sh| sh.basis)),
            band: Set(share.and_then(|sh| sh.band)),
            share_permille: Set(share.map_or(0.0, |sh| sh.share_permille)),
            amount_fen: Set(share.map_or(0, |sh| sh.amount_fen)),
            explanation: Set(serde_json::to_value(&x).map_err(|e| DomainError::Internal(e.to_string()))?),
        });
    }
    bonus_lines::Entity::delete_many()
        .filter(bonus_lines::Column::PoolId.eq(id))
        .exec(&txn)
        .await?;
    if !lines.is_empty() {
        bonus_lines::Entity::insert_many(lines).exec(&txn).await?;
    }
    let basis = json!({
        "period": period.to_string(), "timezone": tz.name(), "from": from, "to": to,
        "rules_version": bonus.version, "shares": bonus.shares, "rest_permille": bonus.rest_permille,
        "award_rules_version": award.version, "weights": award.weights, "eligibility": award.eligibility,
        "maxima": ranking.maxima, "entrants": ranking.standings.len(),
    });
    let now = Utc::now();
    let mut active: bonus_pools::ActiveModel = pool.into();
    active.status = Set(BonusPoolStatus::Computed);
    active.rules_version = Set(Some(bonus.version));
    active.award_rules_version = Set(Some(award.version));
    active.basis = Set(Some(basis));
    active.paid_fen = Set(allocation.paid_fen);
    active.unpaid_fen = Set(allocation.unpaid_fen);
    active.computed_at = Set(Some(now));
    active.computed_by = Set(ctx.actor_user_id);
    active.updated_at = Set(now);
    let after = PoolView::from(active.update(&txn).await?);
    record::commit_changed(txn, ctx, "compute", id, &before, &after).await?;
    Ok(after)
}

/// Publishes computed pool `id` once: its lines are frozen and each
/// consultant of it is notified of their rank and amount (or why they were
/// not ranked). Not computed, or published already: a conflict.
pub async fn publish(
    db: &(impl ConnectionTrait + TransactionTrait),
    ctx: &AuditContext,
    id: Uuid,
    tz: Tz,
) -> Result<PoolView, DomainError> {
    use bonus_pools::Column as C;
    let txn = crate::platform::db::begin_write(db).await?;
    let pool = record::find_by_id::<PoolView>(&txn, id).await?;
    match pool.status {
        BonusPoolStatus::Published => return Err(DomainError::Conflict(Msg::BonusPoolPublished)),
        BonusPoolStatus::Open => return Err(DomainError::Conflict(Msg::BonusPoolNotComputed)),
        BonusPoolStatus::Computed => {}
    }
    let before = PoolView::from(pool);
    let now = Utc::now();
    let published = bonus_pools::Entity::update_many()
        .col_expr(C::Status, Expr::value(BonusPoolStatus::Published))
        .col_expr(C::PublishedAt, Expr::value(now))
        .col_expr(C::PublishedBy, Expr::value(ctx.actor_user_id))
        .col_expr(C::UpdatedAt, Expr::value(now))
        .filter(C::Id.eq(id))
        .filter(C::Status.eq(BonusPoolStatus::Computed))
        .exec(&txn)
        .await?;
    if published.rows_affected != 1 {
        return Err(DomainError::Conflict(Msg::BonusPoolPublished));
    }
    let after = PoolView::from(record::find_by_id::<PoolView>(&txn, id).await?);
    let lines = bonus_lines::Entity::find()
        .filter(bonus_lines::Column::PoolId.eq(id))
        .order_by_asc(bonus_lines::Column::Position)
        .all(&txn)
        .await?;
    let mut notices = Vec::with_capacity(lines.len());
    for line in &lines {
        let period = after.period.clone();
        let (title, body) = match line.rank {
            Some(rank) => (
                Msg::NoticeBonusPublished {
                    period,
                    rank,
                    amount: Yuan(line.amount_fen),
                },
                Msg::NoticeBonusShare {
                    score: line.score,
                    pool: Yuan(after.pool_fen),
                },
            ),
            None => (
                Msg::NoticeBonusNotRanked { period },
                Msg::NoticeBonusIneligible {
                    reasons: explanation(line)?.unmet.iter().map(Unmet::message).collect(),
                },
            ),
        };
        notices.push(Notice {
            user_id: line.user_id,
            kind: Kind::BonusPublished,
            title,
            body: Some(body),
            subject_type: Some("bonus_pool"),
            subject_id: Some(id),
            due_at: None,
            dedupe_key: format!("bonus:{id}:{}", line.user_id),
        });
    }
    notifications::notify(&txn, tz, notices).await?;
    record::commit_changed(txn, ctx, "publish", id, &before, &after).await?;
    Ok(after)
}

/// The period-end job: computes every pool of `month` (and, when the month
/// ends a quarter, of that quarter) not yet published, with the final
/// figures. Run once per month by `engine::periodic`.
pub async fn compute_period_end(
    db: &(impl ConnectionTrait + TransactionTrait),
    month: Month,
    tz: Tz,
) -> Result<usize, DomainError> {
    let mut periods = vec![month.to_string()];
    if month.number().is_multiple_of(3) {
        periods.push(month.quarter().to_string());
    }
    let pools = bonus_pools::Entity::find()
        .filter(bonus_pools::Column::Period.is_in(periods))
        .filter(bonus_pools::Column::Status.ne(BonusPoolStatus::Published))
        .order_by_asc(bonus_pools::Column::Id)
        .all(db)
        .await?;
    let system = AuditContext::system();
    let mut figures = HashMap::new();
    for pool in &pools {
        compute_with(db, &system, pool.id, tz, &mut figures).await?;
    }
    Ok(pools.len())
}
