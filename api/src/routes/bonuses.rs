//! Bonuses by ranking (`/api/v1/bonus-rules`, `/api/v1/bonus-pools`):
//! the director versions the rules that share a pool by rank and sets a
//! pool per month or quarter for the department or a team; a pool is
//! computed on demand (and by the period-end job), each line explained,
//! and published once. Consultants read their own line of published pools,
//! managers their teams' pools; lookups outside the caller's reach are 404.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use domain::{
    performance::bonuses::{
        pools::{LineView, NewPool, PoolFilter, PoolView},
        rules::{BonusRules, RankShare, RulesInput},
    },
    platform::page::PageRequest,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::{
    auth::{Authorized, perm},
    error::{ApiError, Problem},
    extract::{ApiJson, IfMatch},
    language::Reading,
    state::AppState,
    vocab,
};

/// The ranks after the previous band up to `up_to_rank` (inclusive) share `share_permille` of the pool equally.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BonusRankShare {
    /// The last rank of the band; each band's is above the previous one's.
    #[schema(minimum = 1)]
    pub up_to_rank: i64,
    /// The band's share of the pool in ‰ (0 to 1000).
    #[schema(minimum = 0, maximum = 1000)]
    pub share_permille: i64,
}

/// One version of the bonus rules.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"version": 1, "shares": [{"up_to_rank": 1, "share_permille": 400},
    {"up_to_rank": 3, "share_permille": 300}], "rest_permille": 300, "created_by": null,
    "created_at": "2026-11-30T08:00:00Z"}))]
pub struct BonusRulesDoc {
    /// 1 for the defaults, one more for each change.
    pub version: i32,
    /// The bands of ranks, best first.
    pub shares: Vec<BonusRankShare>,
    /// The share (‰) the eligible consultants ranked after the last band split in proportion to their score.
    pub rest_permille: i64,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

impl From<BonusRules> for BonusRulesDoc {
    fn from(r: BonusRules) -> Self {
        Self {
            version: r.version,
            shares: r
                .shares
                .into_iter()
                .map(|s| BonusRankShare {
                    up_to_rank: s.up_to_rank,
                    share_permille: s.share_permille,
                })
                .collect(),
            rest_permille: r.rest_permille,
            created_by: r.created_by,
            created_at: r.created_at,
        }
    }
}

/// The rules to apply from now on (the next version). The bands and the
/// rest add up to at most 1000 ‰; what they leave is not paid.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"shares": [{"up_to_rank": 1, "share_permille": 500},
    {"up_to_rank": 3, "share_permille": 300}], "rest_permille": 200}))]
pub struct BonusRulesBody {
    /// Up to 50 bands, best first.
    pub shares: Vec<BonusRankShare>,
    #[serde(default)]
    #[schema(minimum = 0, maximum = 1000)]
    pub rest_permille: i64,
}

/// One consultant's line of a computed pool, with what put it there.
#[derive(Debug, Serialize, ToSchema)]
pub struct BonusLine {
    pub user_id: Uuid,
    pub name: String,
    pub team_id: Option<Uuid>,
    /// 1 is the best; null when not eligible.
    pub rank: Option<i64>,
    pub eligible: bool,
    /// Why not eligible (every unmet condition) in the reader's language; null when eligible.
    pub ineligible_reason: Option<String>,
    /// The unmet conditions themselves (`condition` and the figures that decided it).
    #[schema(value_type = Vec<Object>)]
    pub unmet: serde_json::Value,
    /// Σ weight × normalised figure (the Sales Star's weights), to 6 decimals.
    pub score: f64,
    /// The period's figures: units, amount in fen, new leads, visits, satisfaction and complaint rates, tenure.
    #[schema(value_type = Object)]
    pub figures: serde_json::Value,
    /// Each figure on the scale the weights apply to.
    #[schema(value_type = Object)]
    pub normalised: serde_json::Value,
    #[schema(value_type = vocab::ShareBasis)]
    pub basis: String,
    /// Position (from 1) of the rank band in the rules; null for the rest and the ineligible.
    pub band: Option<i64>,
    /// The consultant's share of the pool in ‰, to 3 decimals.
    pub share_permille: f64,
    pub amount_fen: i64,
}

impl BonusLine {
    fn of(l: LineView) -> Self {
        let json = |v: serde_json::Result<serde_json::Value>| v.unwrap_or(serde_json::Value::Null);
        Self {
            user_id: l.user_id,
            name: l.name,
            team_id: l.team_id,
            rank: l.rank,
            eligible: l.eligible,
            ineligible_reason: l.ineligible_reason,
            unmet: json(serde_json::to_value(&l.unmet)),
            score: l.score,
            figures: json(serde_json::to_value(&l.figures)),
            normalised: json(serde_json::to_value(l.normalised)),
            basis: l.basis.to_string(),
            band: l.band,
            share_permille: l.share_permille,
            amount_fen: l.amount_fen,
        }
    }
}

/// A bonus pool of a month or quarter for the department or a team.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a0c4-7d1e-7a51-9a43-3e0d5c1f2a10", "period": "2026-10", "scope": "team",
    "team_id": "0193a0c4-2222-7000-8000-000000000002", "pool_fen": 1_000_000, "status": "published",
    "rules_version": 1, "award_rules_version": 1,
    "basis": {"period": "2026-10", "timezone": "Asia/Shanghai", "from": "2026-09-30T16:00:00Z",
        "to": "2026-10-31T16:00:00Z", "rules_version": 1,
        "shares": [{"up_to_rank": 1, "share_permille": 400}, {"up_to_rank": 3, "share_permille": 300}],
        "rest_permille": 300, "award_rules_version": 1,
        "weights": {"units_sold": 0.4, "amount_sold": 0.3, "satisfaction_rate": 0.2, "complaint_rate": -0.1, "new_leads": 0.0},
        "eligibility": {"min_units_sold": 1, "max_complaint_rate": 0.5, "min_tenure_days": null},
        "maxima": {"units_sold": 2, "amount_sold_fen": 600_000_000, "new_leads": 3}, "entrants": 2},
    "paid_fen": 1_000_000, "unpaid_fen": 0, "computed_at": "2026-11-01T00:00:05Z", "computed_by": null,
    "published_at": "2026-11-02T02:00:00Z", "published_by": "0193a0c4-3333-7000-8000-000000000003",
    "created_by": "0193a0c4-3333-7000-8000-000000000003", "created_at": "2026-10-05T02:00:00Z",
    "updated_at": "2026-11-02T02:00:00Z", "href": "/api/v1/bonus-pools/0193a0c4-7d1e-7a51-9a43-3e0d5c1f2a10",
    "lines": [{"user_id": "0193a0c4-1111-7000-8000-000000000001", "name": "Li Na",
        "team_id": "0193a0c4-2222-7000-8000-000000000002", "rank": 1, "eligible": true, "ineligible_reason": null,
        "unmet": [], "score": 0.9,
        "figures": {"units_sold": 2, "amount_sold_fen": 600_000_000, "new_leads": 3, "visits": 1, "good_visits": 1,
            "satisfaction_rate": 1.0, "complaints": 0, "open_customers": 4, "complaint_rate": 0.0, "tenure_days": 400},
        "normalised": {"units_sold": 1.0, "amount_sold": 1.0, "satisfaction_rate": 1.0, "complaint_rate": 0.0, "new_leads": 1.0},
        "basis": "band", "band": 1, "share_permille": 571.429, "amount_fen": 571_429}]}))]
pub struct BonusPool {
    pub id: Uuid,
    /// `2026-11` or `2026-Q4`.
    pub period: String,
    #[schema(value_type = vocab::BonusScope)]
    pub scope: String,
    /// The team of a team pool.
    pub team_id: Option<Uuid>,
    pub pool_fen: i64,
    #[schema(value_type = vocab::BonusPoolStatus)]
    pub status: String,
    /// The bonus rules version of the last computation.
    pub rules_version: Option<i32>,
    /// The Sales Star rules version (weights, eligibility) of the last computation.
    pub award_rules_version: Option<i32>,
    /// What the last computation applied: the period's bounds and time zone, both rules, the maxima
    /// the counts were divided by, the number of consultants ranked.
    #[schema(value_type = Option<Object>)]
    pub basis: Option<serde_json::Value>,
    /// What the lines add up to; with `unpaid_fen`, exactly `pool_fen` once computed.
    pub paid_fen: i64,
    /// What the rules keep unpaid (shares under 1000 ‰, or nobody eligible).
    pub unpaid_fen: i64,
    pub computed_at: Option<DateTime<Utc>>,
    /// Who computed it last; null for the period-end job.
    pub computed_by: Option<Uuid>,
    pub published_at: Option<DateTime<Utc>>,
    pub published_by: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub href: String,
    /// When one pool is read: its lines, eligible consultants by rank, then the others by name
    /// (with scope `own`, the caller's line only). Left out of lists.
    pub lines: Option<Vec<BonusLine>>,
}

fn href(id: Uuid) -> String {
    format!("/api/v1/bonus-pools/{id}")
}

impl From<PoolView> for BonusPool {
    fn from(p: PoolView) -> Self {
        Self {
            id: p.id,
            period: p.period,
            scope: p.scope.to_string(),
            team_id: p.team_id,
            pool_fen: p.pool_fen,
            status: p.status.to_string(),
            rules_version: p.rules_version,
            award_rules_version: p.award_rules_version,
            basis: p.basis,
            paid_fen: p.paid_fen,
            unpaid_fen: p.unpaid_fen,
            computed_at: p.computed_at,
            computed_by: p.computed_by,
            published_at: p.published_at,
            published_by: p.published_by,
            created_by: p.created_by,
            created_at: p.created_at,
            updated_at: p.updated_at,
            href: href(p.id),
            lines: p.lines.map(|lines| lines.into_iter().map(BonusLine::of).collect()),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BonusPoolList {
    pub items: Vec<BonusPool>,
    pub next_cursor: Option<String>,
}

/// A pool to set: one per period and scope.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"period": "2026-11", "scope": "team", "team_id": "0193a0c4-2222-7000-8000-000000000002",
    "pool_fen": 5_000_000}))]
pub struct NewBonusPoolBody {
    /// A month (`2026-11`) or a quarter (`2026-Q4`).
    pub period: String,
    #[schema(value_type = vocab::BonusScope)]
    pub scope: String,
    /// The team of a `team` pool; none for the department.
    pub team_id: Option<Uuid>,
    /// The money to share in fen, from 1 to 1000000000000.
    #[schema(minimum = 1, maximum = 1000000000000i64)]
    pub pool_fen: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BonusPoolQuery {
    pub limit: Option<u64>,
    pub cursor: Option<String>,
    /// `created_at` (oldest first, the default) or `-created_at` (newest first).
    pub sort: Option<String>,
    /// Only pools of this month or quarter.
    pub period: Option<String>,
    #[param(value_type = Option<vocab::BonusScope>)]
    pub scope: Option<String>,
    pub team_id: Option<Uuid>,
    #[param(value_type = Option<vocab::BonusPoolStatus>)]
    pub status: Option<String>,
}

/// The bonus rules in force (the latest version).
#[utoipa::path(get, path = "/api/v1/bonus-rules", tag = "bonuses", operation_id = "get_bonus_rules",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The current rules; `ETag` names this version", body = BonusRulesDoc),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks bonuses:read", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_bonus_rules(
    _caller: Authorized<perm::BonusesRead>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let rules = domain::performance::bonuses::rules::current_rules(&state.db).await?;
    super::respond::tagged::<BonusRulesDoc, _>(rules)
}

/// Replace the bonus rules: creates the next version. Pools computed before
/// keep the version they used.
#[utoipa::path(put, path = "/api/v1/bonus-rules", tag = "bonuses", operation_id = "update_bonus_rules",
    security(("bearer" = [])),
    params(("If-Match" = Option<String>, Header, description = "Apply only if the current rules still have this ETag")),
    request_body = BonusRulesBody,
    responses(
        (status = 200, description = "The new version; `ETag` names it", body = BonusRulesDoc),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks bonuses:manage on all records", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names an older version", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Ranks that do not increase, a share outside 0 to 1000 ‰, shares adding up to more than 1000 ‰, more than 50 bands", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_bonus_rules(
    caller: Authorized<perm::BonusesManage>,
    state: web::Data<AppState>,
    if_match: IfMatch,
    ApiJson(body): ApiJson<BonusRulesBody>,
) -> Result<HttpResponse, ApiError> {
    caller.require_all_records()?;
    let input = RulesInput {
        shares: body
            .shares
            .into_iter()
            .map(|s| RankShare {
                up_to_rank: s.up_to_rank,
                share_permille: s.share_permille,
            })
            .collect(),
        rest_permille: body.rest_permille,
    };
    let rules =
        domain::performance::bonuses::rules::set_rules(&state.db, &caller.audit(), input, if_match.as_deref()).await?;
    super::respond::tagged::<BonusRulesDoc, _>(rules)
}

/// Set the bonus pool of a month or quarter for the department or a team.
#[utoipa::path(post, path = "/api/v1/bonus-pools", tag = "bonuses", operation_id = "create_bonus_pool",
    security(("bearer" = [])),
    request_body = NewBonusPoolBody,
    responses(
        (status = 201, description = "Set; `Location` names it", body = BonusPool),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks bonuses:manage on all records", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "There is a pool of this period and scope already", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A period that is not a month or quarter, an unknown scope, a team pool without a team (or a department pool with one), no such team, an amount out of range", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_bonus_pool(
    caller: Authorized<perm::BonusesManage>,
    state: web::Data<AppState>,
    ApiJson(body): ApiJson<NewBonusPoolBody>,
) -> Result<HttpResponse, ApiError> {
    caller.require_all_records()?;
    let input = NewPool {
        period: body.period,
        scope: body.scope,
        team_id: body.team_id,
        pool_fen: body.pool_fen,
    };
    let pool = domain::performance::bonuses::pools::create(&state.db, &caller.audit(), input).await?;
    super::respond::created::<BonusPool, _>(href(pool.id), pool)
}

/// Bonus pools within the caller's reach, without their lines.
#[utoipa::path(get, path = "/api/v1/bonus-pools", tag = "bonuses", operation_id = "list_bonus_pools",
    security(("bearer" = [])),
    params(BonusPoolQuery),
    responses(
        (status = 200, description = "A page of pools, oldest first (newest first with `sort=-created_at`)", body = BonusPoolList),
        (status = 400, description = "Malformed query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks bonuses:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad period, scope or status, limit out of range, a foreign cursor or an unknown sort", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_bonus_pools(
    caller: Authorized<perm::BonusesRead>,
    state: web::Data<AppState>,
    query: crate::extract::ApiQuery<BonusPoolQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let page = PageRequest::new_sorted(q.limit, q.cursor.as_deref(), q.sort.as_deref())?;
    let filter = PoolFilter {
        period: q.period,
        scope: q.scope,
        team_id: q.team_id,
        status: q.status,
    };
    let page = domain::performance::bonuses::pools::list(&state.db, &caller.actor, caller.scope, filter, page).await?;
    Ok(super::respond::page(page, |items, next_cursor| BonusPoolList {
        items,
        next_cursor,
    }))
}

/// One bonus pool with its explained lines (with scope `own`, the
/// caller's line only); outside the caller's reach it is 404.
#[utoipa::path(get, path = "/api/v1/bonus-pools/{id}", tag = "bonuses", operation_id = "get_bonus_pool",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Bonus pool id")),
    responses(
        (status = 200, description = "The pool and its lines", body = BonusPool),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks bonuses:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such pool within the caller's reach", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_bonus_pool(
    caller: Authorized<perm::BonusesRead>,
    Reading(reader): Reading,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    read(&state, &caller.actor, caller.scope, id.into_inner(), &reader).await
}

/// 200 with pool `id` and its lines as the caller reads them (the answer
/// of a read and of each step a pool takes).
async fn read(
    state: &AppState,
    actor: &domain::access::actor::Actor,
    scope: domain::access::permissions::Scope,
    id: Uuid,
    reader: &domain::platform::text::Reader,
) -> Result<HttpResponse, ApiError> {
    let pool = domain::performance::bonuses::pools::get(&state.db, actor, scope, id, reader).await?;
    Ok(HttpResponse::Ok().json(BonusPool::from(pool)))
}

/// Compute a pool now with the period's figures so far and the rules in
/// force, replacing any earlier computation; allowed until it is published.
#[utoipa::path(post, path = "/api/v1/bonus-pools/{id}/computations", tag = "bonuses", operation_id = "create_bonus_pool_computation",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Bonus pool id")),
    responses(
        (status = 200, description = "Computed; the pool and its lines", body = BonusPool),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks bonuses:manage on all records", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such pool", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Published already: its results are frozen", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_bonus_pool_computation(
    caller: Authorized<perm::BonusesManage>,
    Reading(reader): Reading,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.require_all_records()?;
    let (tz, id) = (state.settings.timezone, id.into_inner());
    domain::performance::bonuses::pools::compute(&state.db, &caller.audit(), id, tz).await?;
    read(&state, &caller.actor, caller.scope, id, &reader).await
}

/// Publish a computed pool, once: its results are frozen and each of its
/// consultants is notified of their rank and amount.
#[utoipa::path(post, path = "/api/v1/bonus-pools/{id}/publication", tag = "bonuses", operation_id = "create_bonus_pool_publication",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Bonus pool id")),
    responses(
        (status = 200, description = "Published; the pool and its lines", body = BonusPool),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks bonuses:manage on all records", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such pool", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Published already, or not computed yet", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_bonus_pool_publication(
    caller: Authorized<perm::BonusesManage>,
    Reading(reader): Reading,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.require_all_records()?;
    let (tz, id) = (state.settings.timezone, id.into_inner());
    domain::performance::bonuses::pools::publish(&state.db, &caller.audit(), id, tz).await?;
    read(&state, &caller.actor, caller.scope, id, &reader).await
}
