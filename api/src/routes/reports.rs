//! The reports the roles need: a team's daily or weekly report for its
//! manager (`GET /api/v1/teams/{id}/report`, also as CSV; 每日/周汇报业绩情况)
//! and the customer manager's churn analysis (`GET /api/v1/reports/churn`;
//! 分析客户流失原因). Figures come from `domain::performance::reports` and
//! `::churn`; how each is defined: docs/workflows.md.

use actix_web::{HttpResponse, http::header, web};
use chrono::{DateTime, NaiveDate, Utc};
use domain::{
    performance::churn::{self, ChurnRequest, Group},
    performance::reports::{self, ConsultantReport, Figures, ReportRequest, TeamReport},
    platform::text::Reader,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::{
    auth::{Authorized, perm},
    error::{ApiError, Problem},
    language::Reading,
    state::AppState,
    vocab,
};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// `day` (default) or `week` (Monday to Sunday).
    #[param(value_type = Option<vocab::ReportPeriod>)]
    pub period: Option<String>,
    /// A day of the span (`YYYY-MM-DD`); today in the business time zone if absent.
    #[serde(default, deserialize_with = "crate::extract::in_window")]
    pub date: Option<NaiveDate>,
}

impl ReportQuery {
    fn request(self) -> ReportRequest {
        ReportRequest {
            period: self.period,
            date: self.date,
        }
    }
}

/// The month's target and what was sold from the month's start to the end of the span.
#[derive(Debug, Serialize, ToSchema)]
pub struct MonthTargetBody {
    /// `YYYY-MM`: the month of `date`.
    pub period: String,
    pub units: i64,
    pub amount_fen: i64,
    /// Units sold from the month's first instant to the end of the span (or of the month, if sooner).
    pub units_to_date: i64,
    pub amount_to_date_fen: i64,
    /// units_to_date ÷ units in thousandths, rounded down (`750` = 75 %); null for a target of 0.
    pub units_permille: Option<i64>,
    pub amount_permille: Option<i64>,
}

/// How one kind of deadline went in the span.
#[derive(Debug, Serialize, ToSchema)]
pub struct SlaReportBody {
    #[schema(value_type = vocab::SlaKind)]
    pub kind: String,
    /// Deadlines due in the span that were met or missed (not those still running).
    pub deadlines: i64,
    pub met: i64,
    pub breached: i64,
    /// met ÷ deadlines in thousandths, rounded down; null without deadlines.
    pub rate_permille: Option<i64>,
}

/// The figures of a consultant or of the team over the span.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportFiguresBody {
    /// Customers created in the span (a consultant's: those they own).
    pub new_leads: i64,
    /// Follow-ups that took place in the span (a consultant's: recorded by them; the team's: on its customers).
    pub follow_ups: i64,
    /// Customers first reached in the span with no first-response breach.
    pub first_responses_on_time: i64,
    /// Customers first reached in the span after their first-response deadline was breached.
    pub first_responses_late: i64,
    /// Deals subscribed in the span and not cancelled.
    pub deals_subscribed: i64,
    /// Deals contracted in the span and not cancelled.
    pub deals_contracted: i64,
    /// One unit per deal subscribed (成交套数), as in `/kpis`.
    pub units_sold: i64,
    /// Their agreed prices, in fen (成交金额).
    pub amount_sold_fen: i64,
    /// Null when no target is set for the month.
    pub target: Option<MonthTargetBody>,
    /// Per kind of deadline due in the span.
    pub sla: Vec<SlaReportBody>,
}

impl From<Figures> for ReportFiguresBody {
    fn from(f: Figures) -> Self {
        Self {
            new_leads: f.new_leads,
            follow_ups: f.follow_ups,
            first_responses_on_time: f.first_responses_on_time,
            first_responses_late: f.first_responses_late,
            deals_subscribed: f.deals_subscribed,
            deals_contracted: f.deals_contracted,
            units_sold: f.units_sold,
            amount_sold_fen: f.amount_sold_fen,
            target: f.target.map(|t| MonthTargetBody {
                period: t.period,
                units: t.units,
                amount_fen: t.amount_fen,
                units_to_date: t.units_to_date,
                amount_to_date_fen: t.amount_to_date_fen,
                units_permille: t.units_permille,
                amount_permille: t.amount_permille,
            }),
            sla: f
                .sla
                .into_iter()
                .map(|s| SlaReportBody {
                    kind: s.kind,
                    deadlines: s.deadlines,
                    met: s.met,
                    breached: s.breached,
                    rate_permille: s.rate_permille,
                })
                .collect(),
        }
    }
}

/// One consultant's row.
#[derive(Debug, Serialize, ToSchema)]
pub struct ConsultantReportBody {
    pub user_id: Uuid,
    pub name: String,
    pub figures: ReportFiguresBody,
}

impl From<ConsultantReport> for ConsultantReportBody {
    fn from(c: ConsultantReport) -> Self {
        Self {
            user_id: c.user_id,
            name: c.name,
            figures: c.figures.into(),
        }
    }
}

/// A team's report for a day or a week.
#[derive(Debug, Serialize, ToSchema)]
pub struct TeamReportBody {
    pub team_id: Uuid,
    pub name: String,
    #[schema(value_type = vocab::ReportPeriod)]
    pub period: String,
    /// The day asked for.
    pub date: NaiveDate,
    /// The span's first and last day (a week: Monday and Sunday).
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    /// IANA time zone the days are counted in.
    pub timezone: String,
    /// Local midnight of the first day, and of the day after the last.
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// The team as a whole.
    pub total: ReportFiguresBody,
    /// The team's active consultants, by name.
    pub consultants: Vec<ConsultantReportBody>,
}

impl TeamReportBody {
    fn of(report: TeamReport, reader: &Reader) -> Self {
        let w = report.window;
        Self {
            team_id: report.team_id,
            name: report.name,
            period: w.period.as_str().to_owned(),
            date: w.date,
            first_day: w.first_day,
            last_day: w.last_day,
            timezone: reader.tz.name().to_owned(),
            from: w.from,
            to: w.to,
            total: report.total.into(),
            consultants: report.consultants.into_iter().map(Into::into).collect(),
        }
    }
}

/// The report both forms of `/teams/{id}/report` answer with.
async fn team_report(
    caller: &Authorized<perm::ReportsRead>,
    state: &AppState,
    team: Uuid,
    query: ReportQuery,
) -> Result<TeamReport, ApiError> {
    let tz = state.settings.timezone;
    Ok(reports::team(&state.db, &caller.actor, caller.scope, team, query.request(), tz).await?)
}

/// A team's daily or weekly report (每日/周汇报业绩情况): per active
/// consultant and for the team, new leads, follow-ups, first responses on
/// time and late, deals subscribed and contracted, units and amount sold,
/// the month's target with the month to date, and SLA compliance per kind
/// of deadline. A manager reads its teams (another team is 404), the
/// director and administrators every team; `reports:read` with scope
/// `own` is 403.
#[utoipa::path(get, path = "/api/v1/teams/{id}/report", tag = "figures", operation_id = "get_team_report",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Team id"), ReportQuery),
    responses(
        (status = 200, description = "The team's report", body = TeamReportBody),
        (status = 400, description = "Malformed query (a `date` that is not YYYY-MM-DD) or bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks reports:read, or holds it with scope own only", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such team within the caller's reach", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`period` is not day or week, or `date` is outside 1900–2200", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_team_report(
    caller: Authorized<perm::ReportsRead>,
    Reading(reader): Reading,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: crate::extract::ApiQuery<ReportQuery>,
) -> Result<HttpResponse, ApiError> {
    let report = team_report(&caller, &state, id.into_inner(), query.into_inner()).await?;
    Ok(HttpResponse::Ok().json(TeamReportBody::of(report, &reader)))
}

/// The same report as CSV: a header line in the reader's language, one line
/// per consultant, then the team's total (money in fen, rates in thousandths).
#[utoipa::path(get, path = "/api/v1/teams/{id}/report.csv", tag = "figures", operation_id = "get_team_report_csv",
    security(("bearer" = [])),
    params(("id" = Uuid, Path, description = "Team id"), ReportQuery),
    responses(
        (status = 200, description = "CSV, one line per consultant and the team's total after the header", body = String, content_type = "text/csv"),
        (status = 400, description = "Malformed query (a `date` that is not YYYY-MM-DD) or bad id", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks reports:read, or holds it with scope own only", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such team within the caller's reach", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`period` is not day or week, or `date` is outside 1900–2200", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_team_report_csv(
    caller: Authorized<perm::ReportsRead>,
    Reading(reader): Reading,
    state: web::Data<AppState>,
    id: web::Path<Uuid>,
    query: crate::extract::ApiQuery<ReportQuery>,
) -> Result<HttpResponse, ApiError> {
    let report = team_report(&caller, &state, id.into_inner(), query.into_inner()).await?;
    let file = format!(
        "attachment; filename=\"team-report-{}-{}.csv\"",
        report.window.period.as_str(),
        report.window.first_day
    );
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((header::CONTENT_DISPOSITION, file))
        .body(reports::to_csv(&report, &reader)?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChurnQuery {
    /// First day (`YYYY-MM-DD`); the first of `to`'s month if absent.
    #[serde(default, deserialize_with = "crate::extract::in_window")]
    pub from: Option<NaiveDate>,
    /// Last day, included; today in the business time zone if absent.
    #[serde(default, deserialize_with = "crate::extract::in_window")]
    pub to: Option<NaiveDate>,
    /// Customers of one team only.
    pub team_id: Option<Uuid>,
}

/// Lost customers with one reason as recorded (free text, as written).
#[derive(Debug, Serialize, ToSchema)]
pub struct ChurnReasonBody {
    /// The reason as recorded; null when none was.
    pub reason: Option<String>,
    /// The reason, or "no reason given" in the reader's language.
    pub label: String,
    pub lost: i64,
    /// lost ÷ all lost in the span, in thousandths rounded down.
    pub share_permille: Option<i64>,
}

/// Lost customers from one stage: the status they had before `lost`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChurnStageBody {
    /// Null for customers lost before the stage was kept (see docs/workflows.md).
    #[schema(value_type = Option<vocab::CustomerStatus>)]
    pub stage: Option<String>,
    /// The stage in the reader's language.
    pub label: String,
    pub lost: i64,
    pub share_permille: Option<i64>,
}

/// Lost customers of one channel, against the channel's new customers.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChurnChannelBody {
    #[schema(value_type = vocab::Channel)]
    pub channel: String,
    /// The channel in the reader's language.
    pub label: String,
    pub lost: i64,
    pub share_permille: Option<i64>,
    /// Customers of the channel created in the span.
    pub created: i64,
    /// lost ÷ created in thousandths, rounded down (above 1000 when more were lost than came in); null without any created.
    pub loss_rate_permille: Option<i64>,
}

/// Lost customers of one consultant, against the consultant's new customers.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChurnConsultantBody {
    /// The customers' owner; null for customers without one.
    pub consultant_id: Option<Uuid>,
    /// The consultant's name, or "no consultant" in the reader's language.
    pub label: String,
    pub lost: i64,
    pub share_permille: Option<i64>,
    pub created: i64,
    pub loss_rate_permille: Option<i64>,
}

/// The churn analysis of a span of days.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChurnReportBody {
    pub from: NaiveDate,
    /// Included.
    pub to: NaiveDate,
    /// IANA time zone the days are counted in.
    pub timezone: String,
    /// Local midnight of `from`, and of the day after `to`.
    pub from_at: DateTime<Utc>,
    pub to_at: DateTime<Utc>,
    pub team_id: Option<Uuid>,
    /// Customers lost in the span (status `lost`, `lost_at` in the span) within the caller's reach.
    pub lost: i64,
    /// Customers created in the span within the caller's reach.
    pub created: i64,
    pub loss_rate_permille: Option<i64>,
    /// Most lost first.
    pub by_reason: Vec<ChurnReasonBody>,
    /// Every channel, most lost first.
    pub by_channel: Vec<ChurnChannelBody>,
    pub by_stage: Vec<ChurnStageBody>,
    /// Consultants who lost or gained customers in the span, most lost first.
    pub by_consultant: Vec<ChurnConsultantBody>,
}

/// The parts of a group every body carries: label, lost, share, created, rate.
fn parts<K>(g: Group<K>, reader: &Reader) -> (Option<K>, String, i64, Option<i64>, i64, Option<i64>) {
    let label = g.label.render(reader);
    (
        g.key,
        label,
        g.lost,
        g.share_permille,
        g.created.unwrap_or(0),
        g.loss_rate_permille,
    )
}

/// The churn analysis (分析客户流失原因): the customers lost from `from` to
/// `to` (days in the business time zone, both included; by default this
/// month to date) by reason, channel, stage and consultant, with counts,
/// shares and, for channels and consultants, the loss rate against the
/// customers created in the span. The customer manager and the director
/// read every customer, a manager its teams', within `churn:read`.
#[utoipa::path(get, path = "/api/v1/reports/churn", tag = "figures", operation_id = "get_churn_report",
    security(("bearer" = [])),
    params(ChurnQuery),
    responses(
        (status = 200, description = "The churn analysis", body = ChurnReportBody),
        (status = 400, description = "Malformed query (a date that is not YYYY-MM-DD, a bad team id)", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Not authenticated", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Lacks churn:read", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "`to` before `from`, a date outside 1900–2200, or a `team_id` that is not a team within reach", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn get_churn_report(
    caller: Authorized<perm::ChurnRead>,
    Reading(reader): Reading,
    state: web::Data<AppState>,
    query: crate::extract::ApiQuery<ChurnQuery>,
) -> Result<HttpResponse, ApiError> {
    let q = query.into_inner();
    let request = ChurnRequest {
        from: q.from,
        to: q.to,
        team_id: q.team_id,
    };
    let tz = state.settings.timezone;
    let c = churn::analyse(&state.db, &caller.actor, caller.scope, request, tz).await?;
    let reader = &reader;
    Ok(HttpResponse::Ok().json(ChurnReportBody {
        from: c.first_day,
        to: c.last_day,
        timezone: tz.name().to_owned(),
        from_at: c.from,
        to_at: c.to,
        team_id: c.team_id,
        lost: c.lost,
        created: c.created,
        loss_rate_permille: c.loss_rate_permille,
        by_reason: c
            .by_reason
            .into_iter()
            .map(|g| {
                let (reason, label, lost, share_permille, ..) = parts(g, reader);
                ChurnReasonBody {
                    reason,
                    label,
                    lost,
                    share_permille,
                }
            })
            .collect(),
        by_channel: c
            .by_channel
            .into_iter()
            .filter_map(|g| {
                let (channel, label, lost, share_permille, created, loss_rate_permille) = parts(g, reader);
                Some(ChurnChannelBody {
                    channel: channel?.to_string(),
                    label,
                    lost,
                    share_permille,
                    created,
                    loss_rate_permille,
                })
            })
            .collect(),
        by_stage: c
            .by_stage
            .into_iter()
            .map(|g| {
                let (stage, label, lost, share_permille, ..) = parts(g, reader);
                ChurnStageBody {
                    stage: stage.map(|s| s.to_string()),
                    label,
                    lost,
                    share_permille,
                }
            })
            .collect(),
        by_consultant: c
            .by_consultant
            .into_iter()
            .map(|g| {
                let (consultant_id, label, lost, share_permille, created, loss_rate_permille) = parts(g, reader);
                ChurnConsultantBody {
                    consultant_id,
                    label,
                    lost,
                    share_permille,
                    created,
                    loss_rate_permille,
                }
            })
            .collect(),
    }))
}
