//! The quarterly Sales Star (`/api/v1/award-rules`, `/api/v1/awards/runs`):
//! administrators version the rules (weights, eligibility, bonus tiers and
//! pool); the director runs the ranking of a quarter on demand (202 and a
//! link to poll) besides the scheduled run at the start of each quarter;
//! all staff read the published runs with every person's figures and score.

use actix_web::{HttpResponse, http::header, web};
use chrono::{DateTime, Utc};
use domain::platform::text::Reader;
use domain::{
    performance::awards::{
        rules::{Eligibility, Rules, RulesInput, Tier, Weights},
        runs::{RunResults, RunView},
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

/// Weight of each figure in the score, from -1 to 1.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AwardWeights {
    /// Units sold ÷ the largest among eligible consultants.
    pub units_sold: f64,
    /// Amount sold ÷ the largest among eligible consultants.
    pub amount_sold: f64,
    /// Share of good post-handover visits (0 to 1).
    pub satisfaction_rate: f64,
    /// Complaints ÷ open customers (0 to 1); usually weighted negatively.
    pub complaint_rate: f64,
    /// New leads ÷ the largest among eligible consultants.
    pub new_leads: f64,
}

/// Conditions to rank; one left out (or null) does not apply.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AwardEligibility {
    /// At least this many units sold in the quarter.
    #[serde(default)]
    pub min_units_sold: Option<i64>,
    /// At most this complaint rate (0 to 1).
    #[serde(default)]
    pub max_complaint_rate: Option<f64>,
    /// At least this many days from the account's creation to the end of the quarter.
    #[serde(default)]
    pub min_tenure_days: Option<i64>,
}

/// Ranks `[first, last]` (inclusive) share `share_percent` of the bonus pool.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AwardTier {
    #[schema(example = json!([2, 3]))]
    pub ranks: Vec<i64>,
    /// Whole percent of the pool; the tiers add up to at most 100.
    pub share_percent: i64,
}

/// One version of the Sales Star rules.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"version": 1, "weights": {"units_sold": 0.4, "amount_sold": 0.3, "satisfaction_rate": 0.2,
    "complaint_rate": -0.1, "new_leads": 0.0}, "eligibility": {"min_units_sold": 1, "max_complaint_rate": 0.5,
    "min_tenure_days": null}, "tiers": [{"ranks": [1, 1], "share_percent": 50}, {"ranks": [2, 3], "share_percent": 25}],
    "bonus_pool_fen": 3_000_000, "created_by": null, "created_at": "2026-11-27T08:00:00Z"}))]
pub struct AwardRules {
    /// 1 for the regulation's defaults, one more for each change.
    pub version: i32,
    pub weights: AwardWeights,
    pub eligibility: AwardEligibility,
    pub tiers: Vec<AwardTier>,
    /// The quarter's bonus pool, in fen.
    pub bonus_pool_fen: i64,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

impl From<Rules> for AwardRules {
    fn from(r: Rules) -> Self {
        Self {
            version: r.version,
            weights: AwardWeights {
                units_sold: r.weights.units_sold,
                amount_sold: r.weights.amount_sold,
                satisfaction_rate: r.weights.satisfaction_rate,
                complaint_rate: r.weights.complaint_rate,
                new_leads: r.weights.new_leads,
            },
            eligibility: AwardEligibility {
                min_units_sold: r.eligibility.min_units_sold,
                max_complaint_rate: r.eligibility.max_complaint_rate,
                min_tenure_days: r.eligibility.min_tenure_days,
            },
            tiers: r
                .tiers
                .into_iter()
                .map(|t| AwardTier {
                    ranks: t.ranks,
                    share_percent: t.share_percent,
                })
                .collect(),
            bonus_pool_fen: r.bonus_pool_fen,
            created_by: r.created_by,
            created_at: r.created_at,
        }
    }
}

/// The rules to apply from now on (the next version).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"weights": {"units_sold": 0.5, "amount_sold": 0.3, "satisfaction_rate": 0.2,
    "complaint_rate": -0.2, "new_leads": 0.1}, "eligibility": {"min_units_sold": 2, "max_complaint_rate": 0.3,
    "min_tenure_days": 90}, "tiers": [{"ranks": [1, 1], "share_percent": 60}, {"ranks": [2, 5], "share_percent": 40}],
    "bonus_pool_fen": 5_000_000}))]
pub struct AwardRulesBody {
    pub weights: AwardWeights,
    #[serde(default)]
    pub eligibility: AwardEligibility,
    pub tiers: Vec<AwardTier>,
    /// The quarter's bonus pool in fen, from 0 to 1000000000000 (¥10,000,000,000).
    #[schema(minimum = 0, maximum = 1000000000000i64)]
    pub bonus_pool_fen: i64,
}

/// A Sales Star run: the ranking of one quarter.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"id": "0193a0c4-7d1e-7a51-9a43-3e0d5c1f2a10", "period": "2026-Q3", "trigger": "manual",
    "status": "published", "rules_version": 1, "error": null, "error_code": null,
    "requested_by": "0193a0c4-4444-7000-8000-000000000004", "created_at": "2026-10-01T01:00:00Z",
    "published_at": "2026-10-01T01:00:02Z", "href": "/api/v1/awards/runs/0193a0c4-7d1e-7a51-9a43-3e0d5c1f2a10",
    "results": {"period": "2026-Q3", "timezone": "Asia/Shanghai", "from": "2026-06-30T16:00:00Z",
        "to": "2026-09-30T16:00:00Z", "rules_version": 1,
        "weights": {"units_sold": 0.4, "amount_sold": 0.3, "satisfaction_rate": 0.2, "complaint_rate": -0.1, "new_leads": 0.0},
        "eligibility": {"min_units_sold": 1, "max_complaint_rate": 0.5, "min_tenure_days": null},
        "tiers": [{"ranks": [1, 1], "share_percent": 50}, {"ranks": [2, 3], "share_percent": 25}],
        "bonus_pool_fen": 3_000_000, "maxima": {"units_sold": 3, "amount_sold_fen": 900_000_000, "new_leads": 4},
        "unpaid_fen": 1_125_000,
        "standings": [{"user_id": "0193a0c4-1111-7000-8000-000000000001", "name": "Li Na",
            "team_id": "0193a0c4-2222-7000-8000-000000000002",
            "figures": {"units_sold": 3, "amount_sold_fen": 900_000_000, "new_leads": 4, "visits": 2, "good_visits": 2,
                "satisfaction_rate": 1.0, "complaints": 0, "open_customers": 5, "complaint_rate": 0.0, "tenure_days": 400},
            "normalised": {"units_sold": 1.0, "amount_sold": 1.0, "satisfaction_rate": 1.0, "complaint_rate": 0.0, "new_leads": 1.0},
            "score": 0.9, "eligible": true, "ineligible_reason": null, "rank": 1, "tier": 1, "bonus_fen": 1_500_000}]}}))]
pub struct AwardRun {
    pub id: Uuid,
    /// The quarter ranked, `2026-Q3`.
    pub period: String,
    /// `scheduled` (one per quarter, at its start) or `manual`.
    #[schema(value_type = vocab::AwardRunTrigger)]
    pub trigger: String,
    #[schema(value_type = vocab::AwardRunStatus)]
    pub status: String,
    /// The rules version the ranking used, once computed.
    pub rules_version: Option<i32>,
    /// Once published: the rules applied, the maxima counts were divided by, and one standing per consultant
    /// (figures, normalised values, score, eligibility with the reason, rank, tier, bonus in fen), eligible
    /// consultants by rank first. Left out of lists.
    #[schema(value_type = Option<Object>)]
    pub results: Option<serde_json::Value>,
    /// Why the computation failed, in words; null unless `failed`.
    #[schema(example = "the sales record could not be read at the time; the run is computed again automatically")]
    pub error: Option<String>,
    /// The failure's stable code; null unless `failed`. `record_unavailable`: the database could not be read,
    /// the run is computed again automatically; `computation_failed`: anything else, request a new run.
    #[schema(example = "record_unavailable")]
    pub error_code: Option<String>,
    /// Who asked for it; null for a scheduled run.
    pub requested_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub published_at: Option<DateTime<Utc>>,
    /// Where to poll it.
    pub href: String,
}

fn href(id: Uuid) -> String {
    format!("/api/v1/awards/runs/{id}")
}

impl AwardRun {
    /// The run as `reader` reads it (the failure's message in their language).
    fn of(r: RunView, reader: &Reader) -> Self {
        Self {
            id: r.id,
            period: r.period,
            trigger: r.trigger,
            status: r.status,
            rules_version: r.rules_version,
            results: r.results.map(|v| RunResults::localised(v, reader)),
            error: r.error.map(|f| f.message().render(reader)),
            error_code: r.error.map(|f| f.code().to_owned()),
            requested_by: r.requested_by,
            created_at: r.created_at,
            published_at: r.published_at,
            href: href(r.id),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AwardRunList {
    pub items: Vec<AwardRun>,
    pub next_cursor: Option<String>,
}

/// Which quarter to rank; by default the previous one in the business time zone.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"period": "2026-Q3"}))]
pub struct NewAwardRunBody {
    pub period: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AwardRunQuery {
    pub limit: Option<u64>,
    pub cursor: Option<String>,
    /// Only runs of this quarter (`2026-Q3`).
    pub period: Option<String>,
}

/// The Sales Star rules in force (the latest version).
#[utoipa::path(get, path = "/api/v1/award-rules", tag = "awards", operation_id = "get_award_rules",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The current rules; `ETag` names this version", body = AwardRules),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks award_rules:read", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_award_rules(
    _caller: Authorized<perm::AwardRulesRead>,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let rules = domain::performance::awards::rules::current_rules(&state.db).await?;
    super::respond::tagged::<AwardRules, _>(rules)
}

/// Replace the Sales Star rules: creates the next version. Runs computed
/// before keep the version they used.
#[utoipa::path(put, path = "/api/v1/award-rules", tag = "awards", operation_id = "update_award_rules",
    security(("bearer" = [])),
    params(("If-Match" = Option<String>, Header, description = "Apply only if the current rules still have this ETag")),
    request_body = AwardRulesBody,
    responses(
        (status = 200, description = "The new version; `ETag` names it", body = AwardRules),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks award_rules:write on all records", body = Problem, content_type = "application/problem+json"),
        (status = 412, description = "`If-Match` names an older version", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A weight outside -1 to 1, a bad eligibility condition, overlapping tiers, shares over 100 %, a negative pool", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn update_award_rules(
    caller: Authorized<perm::AwardRulesWrite>,
    state: web::Data<AppState>,
    if_match: IfMatch,
    ApiJson(body): ApiJson<AwardRulesBody>,
) -> Result<HttpResponse, ApiError> {
    caller.require_all_records()?;
    let w = body.weights;
    let e = body.eligibility;
    let input = RulesInput {
        weights: Weights {
            units_sold: w.units_sold,
            amount_sold: w.amount_sold,
            satisfaction_rate: w.satisfaction_rate,
            complaint_rate: w.complaint_rate,
            new_leads: w.new_leads,
        },
        eligibility: Eligibility {
            min_units_sold: e.min_units_sold,
            max_complaint_rate: e.max_complaint_rate,
            min_tenure_days: e.min_tenure_days,
        },
        tiers: body
            .tiers
            .into_iter()
            .map(|t| Tier {
                ranks: t.ranks,
                share_percent: t.share_percent,
            })
            .collect(),
        bonus_pool_fen: body.bonus_pool_fen,
    };
    let rules =
        domain::performance::awards::rules::set_rules(&state.db, &caller.audit(), input, if_match.as_deref()).await?;
    super::respond::tagged::<AwardRules, _>(rules)
}

/// Rank a quarter now. The run is queued and computed in the background
/// with the rules current then; poll the link until it is `published`.
#[utoipa::path(post, path = "/api/v1/awards/runs", tag = "awards", operation_id = "create_award_run",
    security(("bearer" = [])),
    request_body = NewAwardRunBody,
    responses(
        (status = 202, description = "Queued; `Location` names the run to poll", body = AwardRun),
        (status = 400, description = "Malformed JSON", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks awards:write on all records", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A period that is not a quarter (`2026-Q3`)", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_award_run(
    caller: Authorized<perm::AwardsWrite>,
    Reading(reader): Reading,
    state: web::Data<AppState>,
    ApiJson(body): ApiJson<NewAwardRunBody>,
) -> Result<HttpResponse, ApiError> {
    caller.require_all_records()?;
    let period = body.period.unwrap_or_else(|| {
        domain::platform::calendar::previous_quarter(Utc::now(), state.settings.timezone).to_string()
    });
    let run =
        domain::performance::awards::runs::request_run(&state.db, &caller.audit(), &caller.actor, &period).await?;
    Ok(HttpResponse::Accepted()
        .insert_header((header::LOCATION, href(run.id)))
        .json(AwardRun::of(run, &reader)))
}

/// Sales Star runs, oldest first, without their results.
#[utoipa::path(get, path = "/api/v1/awards/runs", tag = "awards", operation_id = "list_award_runs",
    security(("bearer" = [])),
    params(AwardRunQuery),
    responses(
        (status = 200, description = "A page of runs", body = AwardRunList),
        (status = 400, description = "Malformed query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks awards:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Bad period, limit out of range or a foreign cursor", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_award_runs(
    _caller: Authorized<perm::AwardsRead>,
    Reading(reader): Reading,
    state: web::Data<AppState>,
    query: crate::extract::ApiQuery<AwardRunQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let page = PageRequest::new(q.limit, q.cursor.as_deref())?;
    let page = domain::performance::awards::runs::list_runs(&state.db, q.period.as_deref(), page).await?;
    Ok(HttpResponse::Ok().json(AwardRunList {
        items: page
            .items
            .into_iter()
            .map(|r| AwardRun {
                results: None,
                ..AwardRun::of(r, &reader)
            })
            .collect(),
        next_cursor: page.next_cursor,
    }))
}

/// One Sales Star run with its full, explained results once published.
#[utoipa::path(get, path = "/api/v1/awards/runs/{id}", tag = "awards", operation_id = "get_award_run",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Run id")),
    responses(
        (status = 200, description = "The run", body = AwardRun),
        (status = 400, description = "Bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks awards:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such run", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_award_run(
    _caller: Authorized<perm::AwardsRead>,
    Reading(reader): Reading,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let run = domain::performance::awards::runs::get_run(&state.db, id.into_inner()).await?;
    Ok(HttpResponse::Ok().json(AwardRun::of(run, &reader)))
}
