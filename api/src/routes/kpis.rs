//! Performance figures (`/api/v1/kpis/...`) for one month in the business
//! time zone, within the caller's `kpis:read` scope: a consultant sees their
//! own row, a manager their teams, the director everyone. How each figure
//! is defined: docs/workflows.md.

use actix_web::{HttpResponse, web};
use chrono::{DateTime, Utc};
use domain::{
    DomainError,
    performance::kpis::{ConsultantFigures, TargetProgress, TeamFigures},
    platform::calendar::{Month, Period, Quarter},
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::{
    auth::{Authorized, perm},
    error::{ApiError, Problem},
    state::AppState,
    vocab,
};
use domain::platform::text::Msg;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct KpiQuery {
    /// `YYYY-MM`; the current month in the business time zone if absent.
    pub month: Option<String>,
    /// Consultants of one team only.
    pub team_id: Option<Uuid>,
    /// `true`: the figures as they stood when the month ended (its KPI
    /// snapshot, taken at the start of the next month; 404 before that),
    /// not computed now from the record as it is.
    pub snapshot: Option<bool>,
}

/// One consultant's month.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsultantKpi {
    pub user_id: Uuid,
    pub name: String,
    pub team_id: Option<Uuid>,
    /// Deals subscribed (认购) in the month and not cancelled (成交套数).
    pub units_sold: i64,
    /// Their agreed prices, in fen (成交金额).
    pub amount_sold_fen: i64,
    /// Customers created in the month that the consultant owns (新增意向客户数).
    pub new_leads: i64,
    /// Post-handover visits in the month.
    pub visits: i64,
    /// Visits rated 4 or 5.
    pub good_visits: i64,
    /// good_visits ÷ visits (回访好评率); null without visits.
    pub satisfaction_rate: Option<f64>,
    /// Complaints received in the month.
    pub complaints: i64,
    /// Customers the consultant owned in the month and had not lost.
    pub open_customers: i64,
    /// complaints ÷ open_customers (投诉率); null without customers.
    pub complaint_rate: Option<f64>,
    /// SLA compliance per kind of deadline due in the month.
    pub sla: Vec<SlaKpi>,
}

/// How one kind of deadline went in the month.
#[derive(Debug, Serialize, ToSchema)]
pub struct SlaKpi {
    #[schema(value_type = vocab::SlaKind)]
    pub kind: String,
    /// Deadlines due in the month that were met or missed.
    pub deadlines: i64,
    pub breached: i64,
    /// (deadlines − breached) ÷ deadlines; null without deadlines.
    pub compliance: Option<f64>,
}

fn sla_of(items: Vec<domain::performance::kpis::SlaCompliance>) -> Vec<SlaKpi> {
    items
        .into_iter()
        .map(|c| SlaKpi {
            kind: c.kind,
            deadlines: c.deadlines,
            breached: c.breached,
            compliance: c.compliance,
        })
        .collect()
}

impl From<ConsultantFigures> for ConsultantKpi {
    fn from(f: ConsultantFigures) -> Self {
        Self {
            user_id: f.user_id,
            name: f.name,
            team_id: f.team_id,
            units_sold: f.units_sold,
            amount_sold_fen: f.amount_sold_fen,
            new_leads: f.new_leads,
            visits: f.visits,
            good_visits: f.good_visits,
            satisfaction_rate: f.satisfaction_rate,
            complaints: f.complaints,
            open_customers: f.open_customers,
            complaint_rate: f.complaint_rate,
            sla: sla_of(f.sla),
        }
    }
}

/// Progress against the director's target (目标完成率).
#[derive(Debug, Serialize, ToSchema)]
pub struct TargetKpi {
    /// The quarterly target (`2026-Q4`), or the annual one (`2026`) when no quarterly target is set.
    pub period: String,
    pub units: i64,
    pub amount_fen: i64,
    /// Units sold from the start of the period to the end of the month.
    pub units_to_date: i64,
    pub amount_to_date_fen: i64,
    pub units_rate: Option<f64>,
    pub amount_rate: Option<f64>,
}

impl From<TargetProgress> for TargetKpi {
    fn from(t: TargetProgress) -> Self {
        Self {
            period: t.period,
            units: t.units,
            amount_fen: t.amount_fen,
            units_to_date: t.units_to_date,
            amount_to_date_fen: t.amount_to_date_fen,
            units_rate: t.units_rate,
            amount_rate: t.amount_rate,
        }
    }
}

/// One team's month.
#[derive(Debug, Serialize, ToSchema)]
pub struct TeamKpi {
    pub team_id: Uuid,
    pub name: String,
    pub region_id: Uuid,
    /// Active staff of the team.
    pub members: i64,
    pub units_sold: i64,
    pub amount_sold_fen: i64,
    pub new_leads: i64,
    pub visits: i64,
    pub good_visits: i64,
    pub satisfaction_rate: Option<f64>,
    pub complaints: i64,
    pub complaint_rate: Option<f64>,
    /// Null when the director set no target for the quarter or year.
    pub target: Option<TargetKpi>,
    /// Members who attended a training held in the month.
    pub trained_members: i64,
    /// trained_members ÷ members (培训覆盖率).
    pub training_coverage: Option<f64>,
    /// Attendees of the month's trainings with an exam result.
    pub examined: i64,
    pub passed: i64,
    /// passed ÷ examined (考核通过率).
    pub exam_pass_rate: Option<f64>,
    /// Complaints resolved in the month.
    pub complaints_resolved: i64,
    /// Their average time from received to resolved, in hours (平均解决时长).
    pub average_resolution_hours: Option<f64>,
    /// SLA compliance per kind of deadline due in the month.
    pub sla: Vec<SlaKpi>,
}

impl From<TeamFigures> for TeamKpi {
    fn from(f: TeamFigures) -> Self {
        Self {
            team_id: f.team_id,
            name: f.name,
            region_id: f.region_id,
            members: f.members,
            units_sold: f.units_sold,
            amount_sold_fen: f.amount_sold_fen,
            new_leads: f.new_leads,
            visits: f.visits,
            good_visits: f.good_visits,
            satisfaction_rate: f.satisfaction_rate,
            complaints: f.complaints,
            complaint_rate: f.complaint_rate,
            target: f.target.map(TargetKpi::from),
            trained_members: f.trained_members,
            training_coverage: f.training_coverage,
            examined: f.examined,
            passed: f.passed,
            exam_pass_rate: f.exam_pass_rate,
            complaints_resolved: f.complaints_resolved,
            average_resolution_hours: f.average_resolution_hours,
            sla: sla_of(f.sla),
        }
    }
}

/// A month's figures: the month, the instants it spans in the business time zone, and one row each.
#[derive(Debug, Serialize, ToSchema)]
pub struct KpiReport<T> {
    /// `YYYY-MM`.
    pub month: String,
    /// IANA time zone the month is counted in.
    pub timezone: String,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// When the month's snapshot was taken, for `snapshot=true`; null for figures computed now.
    pub taken_at: Option<DateTime<Utc>>,
    pub items: Vec<T>,
}

fn month_of(query: &KpiQuery, state: &AppState) -> Result<Month, ApiError> {
    match &query.month {
        Some(m) => m.parse().map_err(|e: Msg| DomainError::invalid("/month", e).into()),
        None => Ok(Month::of(Utc::now(), state.settings.timezone)),
    }
}

fn report<T>(month: Month, state: &AppState, taken_at: Option<DateTime<Utc>>, items: Vec<T>) -> KpiReport<T> {
    let tz = state.settings.timezone;
    KpiReport {
        month: month.to_string(),
        timezone: tz.name().to_owned(),
        from: month.start(tz),
        to: month.end(tz),
        taken_at,
        items,
    }
}

/// The month's snapshot, or 404 `not_found` when it has not been taken.
fn taken<T>(snapshot: Option<(DateTime<Utc>, Vec<T>)>) -> Result<(Option<DateTime<Utc>>, Vec<T>), ApiError> {
    snapshot
        .map(|(at, rows)| (Some(at), rows))
        .ok_or_else(|| DomainError::NotFound(Msg::NounKpiSnapshot).into())
}

/// Each consultant's figures for a month (consultants in the caller's scope).
#[utoipa::path(get, path = "/api/v1/kpis/consultants", tag = "figures", operation_id = "list_consultant_kpis",
    security(("bearer" = [])),
    params(KpiQuery),
    responses(
        (status = 200, description = "One row per consultant", body = KpiReport<ConsultantKpi>),
        (status = 400, description = "Malformed query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks kpis:read", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`snapshot=true` and the month's snapshot has not been taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`month` is not YYYY-MM", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_consultant_kpis(
    caller: Authorized<perm::KpisRead>,
    state: web::Data<AppState>,
    query: crate::extract::ApiQuery<KpiQuery>,
) -> Result<HttpResponse, ApiError> {
    let month = month_of(&query, &state)?;
    let (db, actor, scope, tz) = (&state.db, &caller.actor, caller.scope, state.settings.timezone);
    let (taken_at, rows) = if query.snapshot == Some(true) {
        taken(domain::performance::snapshots::consultants(db, actor, scope, month, query.team_id).await?)?
    } else {
        (
            None,
            domain::performance::kpis::consultants(db, actor, scope, month, tz, query.team_id).await?,
        )
    };
    let items = rows.into_iter().map(ConsultantKpi::from).collect();
    Ok(HttpResponse::Ok().json(report(month, &state, taken_at, items)))
}

/// Each team's figures for a month (teams in the caller's scope; with scope
/// `own`, 403: a consultant reads its own row at `/kpis/consultants`).
#[utoipa::path(get, path = "/api/v1/kpis/teams", tag = "figures", operation_id = "list_team_kpis",
    security(("bearer" = [])),
    params(KpiQuery),
    responses(
        (status = 200, description = "One row per team", body = KpiReport<TeamKpi>),
        (status = 400, description = "Malformed query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks kpis:read, or holds it with scope own only (team totals need team or all)", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`snapshot=true` and the month's snapshot has not been taken", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`month` is not YYYY-MM", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_team_kpis(
    caller: Authorized<perm::KpisRead>,
    state: web::Data<AppState>,
    query: crate::extract::ApiQuery<KpiQuery>,
) -> Result<HttpResponse, ApiError> {
    let month = month_of(&query, &state)?;
    let (db, actor, scope, tz) = (&state.db, &caller.actor, caller.scope, state.settings.timezone);
    let (taken_at, rows) = if query.snapshot == Some(true) {
        taken(domain::performance::snapshots::teams(db, actor, scope, month).await?)?
    } else {
        (
            None,
            domain::performance::kpis::teams(db, actor, scope, month, tz).await?,
        )
    };
    let items = rows.into_iter().map(TeamKpi::from).collect();
    Ok(HttpResponse::Ok().json(report(month, &state, taken_at, items)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AchievementQuery {
    /// `2026`, `2026-Q3` or `2026-11`; the current quarter in the business time zone if absent.
    pub period: Option<String>,
    /// Targets of this level only.
    #[param(value_type = Option<vocab::TargetLevel>)]
    pub level: Option<String>,
}

/// One target's achievement (目标完成率) over its whole period.
#[derive(Debug, Serialize, ToSchema)]
pub struct TargetAchievement {
    pub target: crate::routes::targets::Target,
    /// Deals subscribed in the period and not cancelled by the target's
    /// subject (the department: all; a region: its teams'), one unit each (成交套数).
    pub units_sold: i64,
    /// Their agreed prices, in fen (成交金额).
    pub amount_sold_fen: i64,
    /// units_sold ÷ the target's units, in thousandths rounded down (`325` = 32.5 %); null for a target of 0.
    pub units_permille: Option<i64>,
    /// amount_sold_fen ÷ the target's amount, in thousandths rounded down; null for a target of 0.
    pub amount_permille: Option<i64>,
}

/// The achievements of a period's targets.
#[derive(Debug, Serialize, ToSchema)]
pub struct AchievementReport {
    /// The period: `2026`, `2026-Q3` or `2026-11`.
    pub period: String,
    /// IANA time zone the period is counted in.
    pub timezone: String,
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// Department first, then regions, teams and consultants.
    pub items: Vec<TargetAchievement>,
}

/// Target achievement for a year, quarter or month at every level: each
/// target of the period within the caller's `kpis:read` scope (the director
/// every one, a manager their teams' and their consultants', a consultant
/// their own) with what its subject sold in the period against it.
#[utoipa::path(get, path = "/api/v1/kpis/targets", tag = "figures", operation_id = "list_target_achievements",
    security(("bearer" = [])),
    params(AchievementQuery),
    responses(
        (status = 200, description = "One row per target of the period", body = AchievementReport),
        (status = 400, description = "Malformed query", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks kpis:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`period` is not a year, quarter or month, or `level` not a level", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_target_achievements(
    caller: Authorized<perm::KpisRead>,
    state: web::Data<AppState>,
    query: crate::extract::ApiQuery<AchievementQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let tz = state.settings.timezone;
    let mut errors = Vec::new();
    let period = match q.period.as_deref() {
        Some(p) => p
            .parse::<Period>()
            .map_err(|_| errors.push(domain::FieldError::new("/period", Msg::YearQuarterOrMonth)))
            .ok(),
        None => Some(Period::Quarter(Quarter::of(Utc::now(), tz))),
    };
    let level = domain::platform::input::optional(
        q.level.as_deref(),
        |l| domain::platform::input::variant(l, "/level"),
        &mut errors,
    );
    let (Some(period), true) = (period, errors.is_empty()) else {
        return Err(DomainError::Validation(errors).into());
    };
    let rows =
        domain::performance::kpis::achievements(&state.db, &caller.actor, caller.scope, period, level, tz).await?;
    let items = rows
        .into_iter()
        .map(|a| TargetAchievement {
            target: a.target.into(),
            units_sold: a.units_sold,
            amount_sold_fen: a.amount_sold_fen,
            units_permille: a.units_permille,
            amount_permille: a.amount_permille,
        })
        .collect();
    Ok(HttpResponse::Ok().json(AchievementReport {
        period: period.to_string(),
        timezone: tz.name().to_owned(),
        from: period.start(tz),
        to: period.end(tz),
        items,
    }))
}
