//! The performance dashboard (`/console/dashboard`) of the director and the
//! managers: for a month or a quarter, each team's and each consultant's
//! figures against their targets (the API's KPI functions, within the
//! viewer's `kpis:read` scope: a manager sees their team, a consultant
//! their own line), bar charts of amount sold against target, the quarter's
//! Sales Star ranking as the awards API explains it, and the leads still
//! waiting for a first response by how long they have waited. Every table
//! downloads as CSV with its header in the reader's language.

use std::collections::HashMap;

use actix_web::{
    HttpResponse,
    web::{self, ServiceConfig},
};
use chrono::Utc;
use domain::{
    DomainError,
    access::permissions::Scope,
    performance::{
        awards::{
            ranking::ineligible_reason,
            runs::{self, RunResults},
        },
        kpis::{self, ConsultantFigures, TeamFigures},
        lead_ages::{LeadAges, OwnerTally},
        targets::TargetLevel,
    },
    platform::{
        calendar::{Month, Period, Quarter},
        page::PageRequest,
        text::Msg,
    },
};
use maud::{Markup, html};
use serde::Deserialize;
use uuid::Uuid;

use super::{
    chart,
    error::ConsoleError,
    layout::{self, Nav},
    session::Viewer,
    table::{Cell, Table},
    ui,
};
use crate::{auth::perm, state::AppState};

/// The dashboard's routes, inside `/console`.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(web::resource("/dashboard").get(dashboard))
        .service(web::resource("/dashboard.csv").get(dashboard_csv));
}

/// The period asked for, in the URL: `period=month&month=2026-11` or
/// `period=quarter&quarter=2026-Q4`; this month by default.
#[derive(Debug, Default, Deserialize)]
pub struct DashboardQuery {
    period: Option<String>,
    month: Option<String>,
    quarter: Option<String>,
    /// The table a CSV download is of: `teams`, `consultants`, `star` or `unanswered`.
    table: Option<String>,
}

impl DashboardQuery {
    /// The period asked for; `this_month` (or its quarter) when none is given.
    fn period(&self, this_month: Month) -> Result<Period, DomainError> {
        let given = |v: &Option<String>| v.as_deref().map(str::trim).filter(|v| !v.is_empty()).map(str::to_owned);
        match self.period.as_deref().unwrap_or("month") {
            "quarter" => match given(&self.quarter) {
                Some(q) => q
                    .parse::<Quarter>()
                    .map(Period::Quarter)
                    .map_err(|e| DomainError::invalid("/quarter", e)),
                None => Ok(Period::Quarter(this_month.quarter())),
            },
            "month" => match given(&self.month) {
                Some(m) => m
                    .parse::<Month>()
                    .map(Period::Month)
                    .map_err(|e| DomainError::invalid("/month", e)),
                None => Ok(Period::Month(this_month)),
            },
            _ => Err(DomainError::invalid(
                "/period",
                Msg::OneOf {
                    values: vec!["month".to_owned(), "quarter".to_owned()],
                },
            )),
        }
    }

    /// The URL parameters naming `period` (links to the CSV downloads).
    fn pairs(period: Period) -> Vec<(&'static str, String)> {
        match period {
            Period::Quarter(q) => vec![("period", "quarter".to_owned()), ("quarter", q.to_string())],
            other => vec![("period", "month".to_owned()), ("month", other.to_string())],
        }
    }
}

/// The quarter a period belongs to (the Sales Star's).
fn quarter_of(period: Period) -> Quarter {
    match period {
        Period::Month(m) => m.quarter(),
        Period::Quarter(q) => q,
        Period::Year(y) => Quarter::of_day(y.first_day()),
    }
}

/// Everything the page shows, read once for the page and for each CSV.
struct Figures {
    period: Period,
    /// `None`: the viewer's scope is their own (no team totals).
    teams: Option<Vec<TeamFigures>>,
    consultants: Vec<ConsultantFigures>,
    /// Consultants' targets of the period: (units, amount in fen, units ‰, amount ‰).
    consultant_targets: HashMap<Uuid, (i64, i64, Option<i64>, Option<i64>)>,
    team_names: HashMap<Uuid, String>,
}

async fn figures(state: &AppState, viewer: &Viewer, scope: Scope, period: Period) -> Result<Figures, ConsoleError> {
    let (db, actor, tz) = (&state.db, &viewer.actor, state.settings.timezone);
    let teams = match scope {
        Scope::Own => None,
        Scope::Team | Scope::All => Some(kpis::teams_over(db, actor, scope, period, tz).await?),
    };
    let consultants = kpis::consultants_over(db, actor, scope, period, tz, None).await?;
    let consultant_targets = kpis::achievements(db, actor, scope, period, Some(TargetLevel::Consultant), tz)
        .await?
        .into_iter()
        .filter_map(|a| {
            let user = a.target.user_id?;
            Some((
                user,
                (
                    i64::from(a.target.units),
                    a.target.amount_fen,
                    a.units_permille,
                    a.amount_permille,
                ),
            ))
        })
        .collect();
    let team_names = super::ui::team_names(state, viewer).await?;
    Ok(Figures {
        period,
        teams,
        consultants,
        consultant_targets,
        team_names,
    })
}

fn permille_rate(permille: Option<i64>) -> Option<f64> {
    permille.map(|p| p as f64 / 1000.0)
}

fn teams_table(viewer: &Viewer, teams: &[TeamFigures]) -> Table {
    let t = |m: Msg| viewer.t(m);
    let header = vec![
        t(Msg::UiDashColTeam),
        t(Msg::UiDashColUnits),
        t(Msg::UiDashColAmount),
        t(Msg::UiDashColTargetPeriod),
        t(Msg::UiDashColTargetUnits),
        t(Msg::UiDashColUnitsToDate),
        t(Msg::UiDashColUnitsRate),
        t(Msg::UiDashColTargetAmount),
        t(Msg::UiDashColAmountToDate),
        t(Msg::UiDashColAmountRate),
        t(Msg::UiDashColNewLeads),
        t(Msg::UiDashColSatisfaction),
        t(Msg::UiDashColComplaintRate),
        t(Msg::UiDashColSla),
        t(Msg::UiDashColTrainingCoverage),
        t(Msg::UiDashColPassRate),
        t(Msg::UiDashColResolutionHours),
    ];
    let rows = teams
        .iter()
        .map(|f| {
            let target = f.target.as_ref();
            let or_blank = |cell: Option<Cell>| cell.unwrap_or_else(Cell::blank);
            vec![
                Cell::text(&f.name),
                Cell::count(f.units_sold),
                Cell::money(f.amount_sold_fen),
                target.map_or_else(Cell::blank, |x| Cell::text(&x.period)),
                or_blank(target.map(|x| Cell::count(x.units))),
                or_blank(target.map(|x| Cell::count(x.units_to_date))),
                or_blank(target.map(|x| Cell::rate(x.units_rate))),
                or_blank(target.map(|x| Cell::money(x.amount_fen))),
                or_blank(target.map(|x| Cell::money(x.amount_to_date_fen))),
                or_blank(target.map(|x| Cell::rate(x.amount_rate))),
                Cell::count(f.new_leads),
                Cell::rate(f.satisfaction_rate),
                Cell::rate(f.complaint_rate),
                Cell::rate(kpis::overall_compliance(&f.sla)),
                Cell::rate(f.training_coverage),
                Cell::rate(f.exam_pass_rate),
                Cell::number(f.average_resolution_hours, 1),
            ]
        })
        .collect();
    Table { header, rows }
}

fn consultants_table(viewer: &Viewer, figures: &Figures) -> Table {
    let t = |m: Msg| viewer.t(m);
    let header = vec![
        t(Msg::UiDashColConsultant),
        t(Msg::UiDashColTeam),
        t(Msg::UiDashColUnits),
        t(Msg::UiDashColAmount),
        t(Msg::UiDashColTargetUnits),
        t(Msg::UiDashColUnitsRate),
        t(Msg::UiDashColTargetAmount),
        t(Msg::UiDashColAmountRate),
        t(Msg::UiDashColNewLeads),
        t(Msg::UiDashColSatisfaction),
        t(Msg::UiDashColComplaintRate),
        t(Msg::UiDashColSla),
    ];
    let rows = figures
        .consultants
        .iter()
        .map(|f| {
            let target = figures.consultant_targets.get(&f.user_id);
            let team = f
                .team_id
                .and_then(|id| figures.team_names.get(&id).cloned())
                .unwrap_or_default();
            let or_blank = |cell: Option<Cell>| cell.unwrap_or_else(Cell::blank);
            vec![
                Cell::text(&f.name),
                Cell::text(team),
                Cell::count(f.units_sold),
                Cell::money(f.amount_sold_fen),
                or_blank(target.map(|x| Cell::count(x.0))),
                or_blank(target.map(|x| Cell::rate(permille_rate(x.2)))),
                or_blank(target.map(|x| Cell::money(x.1))),
                or_blank(target.map(|x| Cell::rate(permille_rate(x.3)))),
                Cell::count(f.new_leads),
                Cell::rate(f.satisfaction_rate),
                Cell::rate(f.complaint_rate),
                Cell::rate(kpis::overall_compliance(&f.sla)),
            ]
        })
        .collect();
    Table { header, rows }
}

/// Fen as 万元 for the charts' scale.
fn wan(fen: i64) -> f64 {
    fen as f64 / 1_000_000.0
}

/// An amount the charts hold in 万元, as its reader writes it: `7,923.99万元`,
/// or in English `¥79.24M`.
fn wan_label(viewer: &Viewer, v: f64) -> String {
    match viewer.reader.locale {
        domain::platform::text::Locale::ZhCn => {
            // Hundredths of 万元 are 10,000 fen: the catalogue's own form.
            domain::platform::text::wan_yuan((v * 1_000_000.0).round() as i64)
        }
        domain::platform::text::Locale::En => format!("¥{:.2}M", v / 100.0),
    }
}

fn teams_chart(viewer: &Viewer, period: Period, teams: &[TeamFigures]) -> Markup {
    let rows: Vec<(String, f64, Option<f64>)> = teams
        .iter()
        .map(|f| match &f.target {
            Some(t) => (f.name.clone(), wan(t.amount_to_date_fen), Some(wan(t.amount_fen))),
            None => (f.name.clone(), wan(f.amount_sold_fen), None),
        })
        .collect();
    let title = viewer.t(Msg::UiDashChartTeams {
        period: period.to_string(),
    });
    let keys = (viewer.t(Msg::UiDashColAmountToDate), viewer.t(Msg::UiDashChartTarget));
    chart::pairs(&title, (&keys.0, &keys.1), &rows, |v| wan_label(viewer, v))
}

fn consultants_chart(viewer: &Viewer, figures: &Figures) -> Markup {
    let rows: Vec<(String, f64, Option<f64>)> = figures
        .consultants
        .iter()
        .map(|f| {
            let target = figures.consultant_targets.get(&f.user_id).map(|t| wan(t.1));
            (f.name.clone(), wan(f.amount_sold_fen), target)
        })
        .collect();
    let title = viewer.t(Msg::UiDashChartConsultants {
        period: figures.period.to_string(),
    });
    let keys = (viewer.t(Msg::UiDashChartSold), viewer.t(Msg::UiDashChartTarget));
    chart::pairs(&title, (&keys.0, &keys.1), &rows, |v| wan_label(viewer, v))
}

/// The latest published Sales Star run of `quarter`, else of the quarter before.
async fn star_results(state: &AppState, quarter: Quarter) -> Result<Option<RunResults>, ConsoleError> {
    for q in [quarter, quarter.previous()] {
        let page = PageRequest::new(Some(100), None)?;
        let list = runs::list_runs(&state.db, Some(&q.to_string()), page).await?;
        let published = list.items.into_iter().rev().find(|r| r.status == "published");
        if let Some(results) = published.and_then(|r| r.results) {
            let parsed = serde_json::from_value::<RunResults>(results)
                .map_err(|e| DomainError::Internal(format!("award run results: {e}")))?;
            return Ok(Some(parsed));
        }
    }
    Ok(None)
}

/// The ranking as the awards API explains it. Teams are left out: the
/// ranking is the department's, the teams' figures stay in their scope.
fn star_table(viewer: &Viewer, results: &RunResults) -> Table {
    let t = |m: Msg| viewer.t(m);
    let header = vec![
        t(Msg::UiDashColRank),
        t(Msg::UiDashColConsultant),
        t(Msg::UiDashColUnits),
        t(Msg::UiDashColAmount),
        t(Msg::UiDashColNewLeads),
        t(Msg::UiDashColSatisfaction),
        t(Msg::UiDashColComplaintRate),
        t(Msg::UiDashColScore),
        t(Msg::UiDashColEligible),
        t(Msg::UiDashColBonus),
        t(Msg::UiDashColReason),
    ];
    let rows = results
        .ranking
        .standings
        .iter()
        .map(|s| {
            let reason = if s.unmet.is_empty() {
                s.ineligible_reason.clone()
            } else {
                ineligible_reason(&s.unmet, &viewer.reader)
            };
            vec![
                s.rank.map_or_else(Cell::blank, Cell::count),
                Cell::text(&s.name),
                Cell::count(s.figures.units_sold),
                Cell::money(s.figures.amount_sold_fen),
                Cell::count(s.figures.new_leads),
                Cell::rate(s.figures.satisfaction_rate),
                Cell::rate(s.figures.complaint_rate),
                Cell::number(Some(s.score), 4),
                Cell::text(t(if s.eligible { Msg::UiYes } else { Msg::UiNo })),
                Cell::money(s.bonus_fen),
                Cell::text(reason.unwrap_or_default()),
            ]
        })
        .collect();
    Table { header, rows }
}

/// How the score is made, with the run's weights.
fn star_formula(viewer: &Viewer, results: &RunResults) -> String {
    let w = &results.weights;
    let formula = [
        (Msg::UiDashColUnits, w.units_sold),
        (Msg::UiDashColAmount, w.amount_sold),
        (Msg::UiDashColSatisfaction, w.satisfaction_rate),
        (Msg::UiDashColComplaintRate, w.complaint_rate),
        (Msg::UiDashColNewLeads, w.new_leads),
    ]
    .into_iter()
    .map(|(name, weight)| format!("{} × {weight}", viewer.t(name)))
    .collect::<Vec<_>>()
    .join(" + ");
    viewer.t(Msg::UiDashStarScore { formula })
}

/// The most leads the board reads (the longest waiting).
const UNANSWERED_LIMIT: u64 = 500;

struct Board {
    /// The age groups of the first-response policy in force.
    ages: LeadAges,
    /// Per consultant (unassigned leads under that name): a count per age group.
    rows: Vec<OwnerTally>,
    /// Each lead with the index of its age group.
    leads: Vec<(domain::sales::customers::Unanswered, usize)>,
    full: bool,
}

async fn board(state: &AppState, viewer: &Viewer, scope: Scope) -> Result<Board, ConsoleError> {
    let ages = LeadAges::current(&state.db).await?;
    let leads = domain::sales::customers::unanswered(&state.db, &viewer.actor, scope, UNANSWERED_LIMIT).await?;
    let full = leads.len() as u64 >= UNANSWERED_LIMIT;
    let now = Utc::now();
    let unassigned = viewer.t(Msg::UiDashUnassigned);
    let mut rows = ages.tally(
        leads.iter().map(|l| {
            (
                l.owner_id,
                l.owner_name.as_deref().unwrap_or(&unassigned),
                l.waiting_since,
            )
        }),
        now,
    );
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    let leads = leads
        .into_iter()
        .map(|lead| {
            let age = ages.of(lead.waiting_since, now);
            (lead, age)
        })
        .collect();
    Ok(Board {
        ages,
        rows,
        leads,
        full,
    })
}

fn board_table(viewer: &Viewer, board: &Board) -> Table {
    let mut header = vec![viewer.t(Msg::UiDashColConsultant)];
    header.extend(board.ages.buckets().iter().map(|a| viewer.t(a.label())));
    let rows = board
        .rows
        .iter()
        .map(|r| {
            let mut row = vec![Cell::text(&r.name)];
            row.extend(r.counts.iter().map(|n| Cell::count(*n)));
            row
        })
        .collect();
    Table { header, rows }
}

fn csv_link(period: Period, table: &str) -> String {
    let mut pairs = DashboardQuery::pairs(period);
    pairs.push(("table", table.to_owned()));
    let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    format!("/console/dashboard.csv{}", ui::query(&borrowed))
}

fn download(viewer: &Viewer, period: Period, table: &str) -> Markup {
    html! {
        p.toolbar { a href=(csv_link(period, table)) download { (viewer.t(Msg::UiDownloadCsv)) } }
    }
}

fn period_form(viewer: &Viewer, period: Period, this_month: Month) -> Markup {
    let (is_quarter, month, quarter) = match period {
        Period::Quarter(q) => (true, this_month.to_string(), q.to_string()),
        other => (false, other.to_string(), quarter_of(other).to_string()),
    };
    html! {
        form.filters method="get" action="/console/dashboard" {
            label for="period" {
                (viewer.t(Msg::UiDashPeriod))
                select #period name="period" {
                    option value="month" selected[!is_quarter] { (viewer.t(Msg::UiDashByMonth)) }
                    option value="quarter" selected[is_quarter] { (viewer.t(Msg::UiDashByQuarter)) }
                }
            }
            label for="month" {
                (viewer.t(Msg::UiDashMonth))
                input #month type="month" name="month" value=(month) pattern="[0-9]{4}-[0-9]{2}";
            }
            label for="quarter" {
                (viewer.t(Msg::UiDashQuarter))
                input #quarter type="text" name="quarter" value=(quarter) pattern="[0-9]{4}-Q[1-4]" size="8";
            }
            button type="submit" { (viewer.t(Msg::UiDashShow)) }
        }
    }
}

async fn dashboard(
    viewer: Viewer,
    state: web::Data<AppState>,
    query: web::Query<DashboardQuery>,
) -> Result<HttpResponse, ConsoleError> {
    let scope = viewer.require::<perm::KpisRead>()?;
    let this_month = Month::of(Utc::now(), state.settings.timezone);
    let period = query.period(this_month)?;
    let figures = figures(&state, &viewer, scope, period).await?;
    let label = period.to_string();
    let customers = viewer.scope(<perm::CustomersRead as crate::auth::Permission>::NAME);
    let star = match viewer.scope(<perm::AwardsRead as crate::auth::Permission>::NAME) {
        Some(_) => Some(star_results(&state, quarter_of(period)).await?),
        None => None,
    };
    let board = match customers {
        Some(scope) => Some(board(&state, &viewer, scope).await?),
        None => None,
    };
    let body = html! {
        (period_form(&viewer, period, this_month))
        @match &figures.teams {
            Some(teams) => {
                h2 { (viewer.t(Msg::UiDashTeams { period: label.clone() })) }
                @if teams.is_empty() {
                    p.empty { (viewer.t(Msg::UiDashNoTeams)) }
                } @else {
                    (teams_chart(&viewer, period, teams))
                    (teams_table(&viewer, teams).html())
                    (download(&viewer, period, "teams"))
                }
            }
            None => { p.muted { (viewer.t(Msg::UiDashOwnOnly)) } }
        }
        h2 { (viewer.t(Msg::UiDashConsultants { period: label.clone() })) }
        @if figures.consultants.is_empty() {
            p.empty { (viewer.t(Msg::UiDashNoConsultants)) }
        } @else {
            (consultants_chart(&viewer, &figures))
            (consultants_table(&viewer, &figures).html())
            (download(&viewer, period, "consultants"))
        }
        @if let Some(star) = &star {
            h2 { (viewer.t(Msg::UiDashStar)) }
            @match star {
                Some(results) => {
                    p { (viewer.t(Msg::UiDashStarOf { period: results.period.clone(), version: results.rules_version })) }
                    p.muted { (star_formula(&viewer, results)) }
                    (star_table(&viewer, results).html())
                    (download(&viewer, period, "star"))
                }
                None => { p.empty { (viewer.t(Msg::UiDashStarNone { period: quarter_of(period).to_string() })) } }
            }
        }
        @if let Some(board) = &board {
            h2 #unanswered { (viewer.t(Msg::UiDashUnanswered)) }
            p.muted { (viewer.t(board.ages.intro())) }
            @if board.leads.is_empty() {
                p.empty { (viewer.t(Msg::UiDashNoUnanswered)) }
            } @else {
                (board_table(&viewer, board).html())
                (download(&viewer, period, "unanswered"))
                @if board.full {
                    p.muted { (viewer.t(Msg::UiDashLongestOnly { count: UNANSWERED_LIMIT })) }
                }
                div.table-wrap {
                    table.leads {
                        thead { tr {
                            th scope="col" { (viewer.t(Msg::UiDashColCustomer)) }
                            th scope="col" { (viewer.t(Msg::UiDashColConsultant)) }
                            th scope="col" { (viewer.t(Msg::UiDashColWaiting)) }
                            th scope="col" { (viewer.t(Msg::UiCustColState)) }
                        } }
                        tbody {
                            @for (lead, age) in &board.leads {
                                @let age = board.ages.buckets()[*age];
                                tr data-age=(age.key()) {
                                    td { a href={ "/console/customers/" (lead.customer_id) } { (lead.name) } }
                                    td { (lead.owner_name.clone().unwrap_or_else(|| viewer.t(Msg::UiDashUnassigned))) }
                                    td { (ui::time(&viewer, lead.waiting_since)) }
                                    td {
                                        @if age.overdue() {
                                            span.badge.bad { (viewer.t(age.label())) }
                                        } @else {
                                            span.badge { (viewer.t(age.label())) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    let title = viewer.t(Msg::UiDashTitle);
    Ok(super::html_page(layout::page(
        &viewer,
        Some(Nav::Dashboard),
        &title,
        body,
    )))
}

async fn dashboard_csv(
    viewer: Viewer,
    state: web::Data<AppState>,
    query: web::Query<DashboardQuery>,
) -> Result<HttpResponse, ConsoleError> {
    let scope = viewer.require::<perm::KpisRead>()?;
    let period = query.period(Month::of(Utc::now(), state.settings.timezone))?;
    let which = query.table.as_deref().unwrap_or("teams");
    let file = |name: &str| format!("{name}-{period}.csv");
    match which {
        "teams" => {
            let figures = figures(&state, &viewer, scope, period).await?;
            let teams = figures.teams.ok_or(DomainError::Forbidden(Msg::KpiTeamsNeedScope))?;
            teams_table(&viewer, &teams).csv(&file("teams"))
        }
        "consultants" => {
            let figures = figures(&state, &viewer, scope, period).await?;
            consultants_table(&viewer, &figures).csv(&file("consultants"))
        }
        "star" => {
            viewer.require::<perm::AwardsRead>()?;
            let results = star_results(&state, quarter_of(period))
                .await?
                .ok_or(DomainError::NotFound(Msg::NounAwardRun))?;
            // The ranking is the quarter's, whatever month was picked.
            star_table(&viewer, &results).csv(&format!("sales-star-{}.csv", quarter_of(period)))
        }
        "unanswered" => {
            let customers = viewer.require::<perm::CustomersRead>()?;
            let board = board(&state, &viewer, customers).await?;
            board_table(&viewer, &board).csv(&file("unanswered-leads"))
        }
        _ => Err(DomainError::invalid(
            "/table",
            Msg::OneOf {
                values: ["teams", "consultants", "star", "unanswered"]
                    .iter()
                    .map(|s| (*s).to_owned())
                    .collect(),
            },
        )
        .into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_month_or_a_quarter_is_read_from_the_url() {
        let this_month: Month = "2026-11".parse().expect("a month");
        let q = DashboardQuery {
            period: Some("quarter".to_owned()),
            quarter: Some("2026-Q3".to_owned()),
            ..Default::default()
        };
        assert_eq!(
            q.period(this_month).ok().map(|p| p.to_string()),
            Some("2026-Q3".to_owned())
        );
        let m = DashboardQuery {
            month: Some("2026-10".to_owned()),
            ..Default::default()
        };
        assert_eq!(
            m.period(this_month).ok().map(|p| p.to_string()),
            Some("2026-10".to_owned())
        );
        let none = DashboardQuery {
            period: Some("quarter".to_owned()),
            ..Default::default()
        };
        assert_eq!(
            none.period(this_month).ok().map(|p| p.to_string()),
            Some("2026-Q4".to_owned())
        );
        let bad = DashboardQuery {
            period: Some("week".to_owned()),
            ..Default::default()
        };
        assert!(bad.period(this_month).is_err());
    }
}
