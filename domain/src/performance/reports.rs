//! The sales manager's daily and weekly report (监控团队销售进度，每日/周汇报业绩情况):
//! for one team and one day or week (Monday to Sunday) in the business time
//! zone, per active consultant of the team and for the team as a whole —
//! new leads, follow-ups recorded, first responses on time and late, deals
//! subscribed and contracted, units and amount sold (the monthly KPIs'
//! definitions: the sums of `performance::kpis` over the report's span),
//! the month's target with what was sold from the month's start to the end
//! of the span, and SLA compliance per kind of deadline. The managers'
//! daily and weekly digests are written from the same report ([`digest`]),
//! so the notification and the endpoint never disagree.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use entities::{targets, teams, users};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use uuid::Uuid;

use crate::{
    access::actor::Actor,
    access::permissions::Scope,
    outbox::sla,
    performance::kpis::{self, GroupBy, SlaCompliance, permille},
    performance::targets::TargetLevel,
    platform::calendar::{Month, start_of_day},
    platform::error::{DomainError, FieldError},
    platform::text::{Amount, At, Lines, Msg, Percent, Reader},
};

/// The span a report covers: a day, or the week (Monday to Sunday) holding the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportPeriod {
    Day,
    Week,
}

impl ReportPeriod {
    pub const ALL: [ReportPeriod; 2] = [ReportPeriod::Day, ReportPeriod::Week];

    pub const fn as_str(self) -> &'static str {
        match self {
            ReportPeriod::Day => "day",
            ReportPeriod::Week => "week",
        }
    }

    /// `day` or `week`; anything else is the rule at `/period`.
    pub fn parse(text: &str) -> Result<Self, FieldError> {
        Self::ALL.into_iter().find(|p| p.as_str() == text).ok_or_else(|| {
            let values = Self::ALL.iter().map(|p| p.as_str().to_owned()).collect();
            FieldError::new("/period", Msg::OneOf { values })
        })
    }
}

/// The instants a report covers in the business time zone, and the month
/// whose target it reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub period: ReportPeriod,
    /// The day asked for.
    pub date: NaiveDate,
    /// The span's first and last day (a week's Monday and Sunday).
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    /// Local midnight of the first day and of the day after the last.
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// The month of `date`: its target, against what was sold from
    /// `month_from` (its first instant) to `month_to` (the end of the span,
    /// or of the month when that comes first).
    pub month: Month,
    pub month_from: DateTime<Utc>,
    pub month_to: DateTime<Utc>,
}

impl Window {
    pub fn new(period: ReportPeriod, date: NaiveDate, tz: Tz) -> Self {
        let (first_day, days) = match period {
            ReportPeriod::Day => (date, 1),
            ReportPeriod::Week => (
                date - Duration::days(i64::from(date.weekday().num_days_from_monday())),
                7,
            ),
        };
        let next = first_day + Duration::days(days);
        let to = start_of_day(next, tz);
        let month = Month::of_day(date);
        Self {
            period,
            date,
            first_day,
            last_day: next - Duration::days(1),
            from: start_of_day(first_day, tz),
            to,
            month,
            month_from: month.start(tz),
            month_to: to.min(month.end(tz)),
        }
    }
}

/// One row of a report: a consultant's figures or the team's.
#[derive(Debug, Clone, Serialize)]
pub struct Figures {
    /// Customers created in the span (a consultant's: those they own; the team's: the team's).
    pub new_leads: i64,
    /// Follow-ups that took place in the span (a consultant's: those they recorded; the team's: on its customers).
    pub follow_ups: i64,
    /// Customers first reached in the span without, and with, a missed first-response deadline.
    pub first_responses_on_time: i64,
    pub first_responses_late: i64,
    /// Deals subscribed in the span and not cancelled.
    pub deals_subscribed: i64,
    /// Deals contracted in the span and not cancelled.
    pub deals_contracted: i64,
    /// One unit per deal subscribed (成交套数), as in the monthly figures.
    pub units_sold: i64,
    /// Their agreed prices (成交金额).
    pub amount_sold_fen: i64,
    /// The month's target, if one is set, and the month to date against it.
    pub target: Option<MonthTarget>,
    /// Per kind of deadline falling due in the span.
    pub sla: Vec<SlaFigures>,
}

/// A month's target and what was sold against it to the end of the span.
#[derive(Debug, Clone, Serialize)]
pub struct MonthTarget {
    /// `YYYY-MM`.
    pub period: String,
    pub units: i64,
    pub amount_fen: i64,
    pub units_to_date: i64,
    pub amount_to_date_fen: i64,
    /// units_to_date ÷ units in thousandths, rounded down; none for a target of 0.
    pub units_permille: Option<i64>,
    pub amount_permille: Option<i64>,
}

/// How one kind of deadline went in the span.
#[derive(Debug, Clone, Serialize)]
pub struct SlaFigures {
    pub kind: String,
    /// Deadlines due in the span that were met or missed.
    pub deadlines: i64,
    pub met: i64,
    pub breached: i64,
    /// met ÷ deadlines in thousandths, rounded down; none without deadlines.
    pub rate_permille: Option<i64>,
}

impl From<SlaCompliance> for SlaFigures {
    fn from(c: SlaCompliance) -> Self {
        let met = c.deadlines - c.breached;
        Self {
            kind: c.kind,
            deadlines: c.deadlines,
            met,
            breached: c.breached,
            rate_permille: permille(met, c.deadlines),
        }
    }
}

/// One consultant's row.
#[derive(Debug, Clone, Serialize)]
pub struct ConsultantReport {
    pub user_id: Uuid,
    pub name: String,
    pub figures: Figures,
}

/// A team's report for a day or a week.
#[derive(Debug, Clone)]
pub struct TeamReport {
    pub team_id: Uuid,
    pub name: String,
    pub window: Window,
    /// The team as a whole (its records, whoever in it made them).
    pub total: Figures,
    /// The team's active consultants, by name.
    pub consultants: Vec<ConsultantReport>,
}

/// What a caller asks for: `day` (default) or `week`, and a day (default today).
#[derive(Debug, Clone, Default)]
pub struct ReportRequest {
    pub period: Option<String>,
    pub date: Option<NaiveDate>,
}

/// The report of a team the caller reaches with `reports:read`: its own
/// teams (scope `team`; another team is 404 like one that does not exist)
/// or every team (`all`); with scope `own` a team's report is 403.
pub async fn team(
    db: &impl ConnectionTrait,
    actor: &Actor,
    scope: Scope,
    team_id: Uuid,
    request: ReportRequest,
    tz: Tz,
) -> Result<TeamReport, DomainError> {
    if scope == Scope::Own {
        return Err(DomainError::Forbidden(Msg::ReportNeedsTeamScope));
    }
    let period = match request.period.as_deref() {
        Some(text) => ReportPeriod::parse(text).map_err(DomainError::from)?,
        None => ReportPeriod::Day,
    };
    let date = request
        .date
        .unwrap_or_else(|| Utc::now().with_timezone(&tz).date_naive());
    if scope == Scope::Team && !actor.team_ids.contains(&team_id) {
        return Err(DomainError::NotFound(Msg::NounTeam));
    }
    let team = teams::Entity::find_by_id(team_id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound(Msg::NounTeam))?;
    of_team(db, &team, Window::new(period, date, tz)).await
}

/// The report of `team` over `window`, whoever asks (the digests).
pub async fn of_team(
    db: &impl ConnectionTrait,
    team: &teams::Model,
    window: Window,
) -> Result<TeamReport, DomainError> {
    let people = kpis::consultant_accounts()
        .filter(users::Column::TeamId.eq(team.id))
        .all(db)
        .await?;
    let ids: Vec<Uuid> = people.iter().map(|u| u.id).collect();
    let rows = figures(db, GroupBy::Consultant, &window, &ids).await?;
    let total = figures(db, GroupBy::Team, &window, &[team.id])
        .await?
        .pop()
        .ok_or_else(|| DomainError::Internal(format!("no figures for team {}", team.id)))?;
    Ok(TeamReport {
        team_id: team.id,
        name: team.name.clone(),
        window,
        total,
        consultants: people
            .into_iter()
            .zip(rows)
            .map(|(u, figures)| ConsultantReport {
                user_id: u.id,
                name: u.name,
                figures,
            })
            .collect(),
    })
}

/// The figures of the consultants or teams `ids` over `window`, in the order of `ids`.
async fn figures(
    db: &impl ConnectionTrait,
    by: GroupBy,
    window: &Window,
    ids: &[Uuid],
) -> Result<Vec<Figures>, DomainError> {
    let (from, to) = (window.from, window.to);
    let mut shared = kpis::shared_figures(db, by, from, to, ids).await?;
    let author = match by {
        GroupBy::Consultant => "f.author_id",
        GroupBy::Team => "c.team_id",
    };
    let follow_ups = kpis::grouped(
        db,
        author,
        "SELECT {key} AS k, COUNT(*) AS a, CAST(0 AS BIGINT) AS b FROM follow_ups f \
         JOIN customers c ON c.id = f.customer_id \
         WHERE f.occurred_at >= ? AND f.occurred_at < ? AND {key} IN ({ids}) GROUP BY {key}",
        kpis::range(from, to),
        ids,
    )
    .await?;
    let first_responses = kpis::grouped(
        db,
        &format!("c.{}", by.customers()),
        "SELECT {key} AS k, COUNT(*) AS a, CAST(SUM(CASE WHEN EXISTS (SELECT 1 FROM sla_breaches s \
         WHERE s.customer_id = c.id AND s.kind = 'first_response') THEN 1 ELSE 0 END) AS BIGINT) AS b \
         FROM customers c WHERE c.first_response_at >= ? AND c.first_response_at < ? \
         AND c.merged_into_id IS NULL AND {key} IN ({ids}) GROUP BY {key}",
        kpis::range(from, to),
        ids,
    )
    .await?;
    let contracted = kpis::grouped(
        db,
        by.records(),
        "SELECT {key} AS k, COUNT(*) AS a, CAST(0 AS BIGINT) AS b FROM deals \
         WHERE contracted_at >= ? AND contracted_at < ? AND stage <> 'cancelled' AND {key} IN ({ids}) GROUP BY {key}",
        kpis::range(from, to),
        ids,
    )
    .await?;
    let to_date = kpis::sold(db, by.records(), window.month_from, window.month_to, ids).await?;
    let (level, subject) = match by {
        GroupBy::Consultant => (TargetLevel::Consultant, targets::Column::UserId),
        GroupBy::Team => (TargetLevel::Team, targets::Column::TeamId),
    };
    let month_targets = if ids.is_empty() {
        Vec::new()
    } else {
        targets::Entity::find()
            .filter(targets::Column::Level.eq(level))
            .filter(targets::Column::Period.eq(window.month.to_string()))
            .filter(subject.is_in(ids.to_vec()))
            .all(db)
            .await?
    };
    let target_of = |id: &Uuid| {
        month_targets.iter().find(|t| match by {
            GroupBy::Consultant => t.user_id == Some(*id),
            GroupBy::Team => t.team_id == Some(*id),
        })
    };
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let s = shared
            .remove(id)
            .ok_or_else(|| DomainError::Internal(format!("no shared figures for {id}")))?;
        let (reached, late) = kpis::get(&first_responses, id);
        let target = target_of(id).map(|t| {
            let (units_to_date, amount_to_date_fen) = kpis::get(&to_date, id);
            MonthTarget {
                period: t.period.clone(),
                units: i64::from(t.units),
                amount_fen: t.amount_fen,
                units_to_date,
                amount_to_date_fen,
                units_permille: permille(units_to_date, i64::from(t.units)),
                amount_permille: permille(amount_to_date_fen, t.amount_fen),
            }
        });
        out.push(Figures {
            new_leads: s.new_leads,
            follow_ups: kpis::get(&follow_ups, id).0,
            first_responses_on_time: reached - late,
            first_responses_late: late,
            deals_subscribed: s.units_sold,
            deals_contracted: kpis::get(&contracted, id).0,
            units_sold: s.units_sold,
            amount_sold_fen: s.amount_sold_fen,
            target,
            sla: s.sla.into_iter().map(SlaFigures::from).collect(),
        });
    }
    Ok(out)
}

/// The texts of a manager's digest of `report`, titled with `label` (the
/// day or ISO week): the sales in the title, the other figures one per
/// line in the body — money in yuan, instants in the business time zone.
pub fn digest(report: &TeamReport, label: &str) -> (Msg, Msg) {
    let f = &report.total;
    let title = Msg::DigestTitle {
        team: report.name.clone(),
        label: label.to_owned(),
        units: f.units_sold,
        amount: Amount(f.amount_sold_fen),
    };
    let mut lines = vec![
        Msg::DigestLeads {
            leads: f.new_leads,
            follow_ups: f.follow_ups,
            on_time: f.first_responses_on_time,
            late: f.first_responses_late,
        },
        Msg::DigestDeals {
            subscribed: f.deals_subscribed,
            contracted: f.deals_contracted,
        },
    ];
    match &f.target {
        Some(t) => {
            lines.push(Msg::DigestTargetUnits {
                month: t.period.clone(),
                sold: t.units_to_date,
                target: t.units,
                rate: Percent(t.units_permille),
            });
            lines.push(Msg::DigestTargetAmount {
                sold: Amount(t.amount_to_date_fen),
                target: Amount(t.amount_fen),
                rate: Percent(t.amount_permille),
            });
        }
        None => lines.push(Msg::DigestNoTarget {
            month: report.window.month.to_string(),
        }),
    }
    let (deadlines, breached) = f.sla.iter().fold((0, 0), |(d, b), s| (d + s.deadlines, b + s.breached));
    lines.push(Msg::DigestSla {
        met: deadlines - breached,
        breached,
        rate: Percent(permille(deadlines - breached, deadlines)),
    });
    let body = Msg::DigestBody {
        from: At(report.window.from),
        to: At(report.window.to),
        lines: Lines(lines),
    };
    (title, body)
}

/// The columns of a report's CSV, before the two of each kind of deadline.
const COLUMNS: [Msg; 16] = [
    Msg::ReportColumnName,
    Msg::ReportColumnUserId,
    Msg::ReportColumnNewLeads,
    Msg::ReportColumnFollowUps,
    Msg::ReportColumnFirstResponsesOnTime,
    Msg::ReportColumnFirstResponsesLate,
    Msg::ReportColumnDealsSubscribed,
    Msg::ReportColumnDealsContracted,
    Msg::ReportColumnUnitsSold,
    Msg::ReportColumnAmountSoldFen,
    Msg::ReportColumnTargetUnits,
    Msg::ReportColumnTargetAmountFen,
    Msg::ReportColumnUnitsToDate,
    Msg::ReportColumnAmountToDateFen,
    Msg::ReportColumnUnitsPermille,
    Msg::ReportColumnAmountPermille,
];

/// The report as CSV for `reader`: a header line in the reader's language,
/// one line per consultant, then the team's total. Figures are the JSON
/// report's, as machine values (fen, thousandths); a month without a
/// target leaves its cells empty.
pub fn to_csv(report: &TeamReport, reader: &Reader) -> Result<Vec<u8>, DomainError> {
    let fail = |e: csv::Error| DomainError::Internal(format!("writing CSV: {e}"));
    let mut writer = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = COLUMNS.iter().map(|c| c.render(reader)).collect();
    for kind in kpis::SLA_KINDS {
        let what = || Box::new(sla::what(kind));
        header.push(Msg::ReportColumnSlaMet { what: what() }.render(reader));
        header.push(Msg::ReportColumnSlaBreached { what: what() }.render(reader));
    }
    writer.write_record(&header).map_err(fail)?;
    let total = Msg::ReportTeamTotal.render(reader);
    let rows = report
        .consultants
        .iter()
        .map(|c| (crate::sales::csv::defuse(&c.name), c.user_id.to_string(), &c.figures))
        .chain(std::iter::once((total, String::new(), &report.total)));
    for (name, user, f) in rows {
        let number = |n: i64| n.to_string();
        let maybe = |n: Option<i64>| n.map(number).unwrap_or_default();
        let t = f.target.as_ref();
        let mut line = vec![
            name,
            user,
            number(f.new_leads),
            number(f.follow_ups),
            number(f.first_responses_on_time),
            number(f.first_responses_late),
            number(f.deals_subscribed),
            number(f.deals_contracted),
            number(f.units_sold),
            number(f.amount_sold_fen),
            maybe(t.map(|t| t.units)),
            maybe(t.map(|t| t.amount_fen)),
            maybe(t.map(|t| t.units_to_date)),
            maybe(t.map(|t| t.amount_to_date_fen)),
            maybe(t.and_then(|t| t.units_permille)),
            maybe(t.and_then(|t| t.amount_permille)),
        ];
        for s in &f.sla {
            line.push(number(s.met));
            line.push(number(s.breached));
        }
        writer.write_record(&line).map_err(fail)?;
    }
    writer
        .into_inner()
        .map_err(|e| DomainError::Internal(format!("writing CSV: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("a day")
    }

    #[test]
    fn a_week_runs_monday_to_sunday_in_the_business_time_zone() {
        let tz = chrono_tz::Asia::Shanghai;
        // Wednesday 2 December 2026.
        let w = Window::new(ReportPeriod::Week, day(2026, 12, 2), tz);
        assert_eq!((w.first_day, w.last_day), (day(2026, 11, 30), day(2026, 12, 6)));
        assert_eq!(w.from.to_rfc3339(), "2026-11-29T16:00:00+00:00");
        assert_eq!(w.to.to_rfc3339(), "2026-12-06T16:00:00+00:00");
        // The month is the day's; its to-date part ends with the span.
        assert_eq!(w.month.to_string(), "2026-12");
        assert_eq!(w.month_from.to_rfc3339(), "2026-11-30T16:00:00+00:00");
        assert_eq!(w.month_to, w.to);
        // A week asked for by its Monday in November counts November to the month's end.
        let w = Window::new(ReportPeriod::Week, day(2026, 11, 30), tz);
        assert_eq!(w.month.to_string(), "2026-11");
        assert_eq!(w.month_to.to_rfc3339(), "2026-11-30T16:00:00+00:00");
        let d = Window::new(ReportPeriod::Day, day(2026, 11, 29), tz);
        assert_eq!((d.first_day, d.last_day), (day(2026, 11, 29), day(2026, 11, 29)));
        assert_eq!(d.from.to_rfc3339(), "2026-11-28T16:00:00+00:00");
        assert_eq!(d.to.to_rfc3339(), "2026-11-29T16:00:00+00:00");
    }

    #[test]
    fn a_period_is_a_day_or_a_week() {
        assert_eq!(ReportPeriod::parse("week").ok(), Some(ReportPeriod::Week));
        assert_eq!(ReportPeriod::parse("day").ok(), Some(ReportPeriod::Day));
        assert!(ReportPeriod::parse("month").is_err());
    }
}
