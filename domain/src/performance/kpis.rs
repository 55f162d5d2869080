//! Performance figures (绩效考核) for a calendar month in the business time
//! zone, each computed by one SQL aggregation over the sales record and
//! limited to the people and teams in the caller's scope:
//!
//! - consultants: units and amount sold (deals subscribed in the month and
//!   not cancelled), new leads, post-handover visits and the share rated 4
//!   or 5 (satisfaction rate), complaints received and the complaint rate
//!   (complaints ÷ the consultant's open customers in the month);
//! - teams: the same sums, target achievement (units and amount sold from
//!   the start of the target's period to the end of the month, against the
//!   quarterly target, or the annual one when no quarterly target is set),
//!   training coverage (members who attended a training held in the month ÷
//!   members), exam pass rate (passed ÷ examined), and the average time to
//!   resolve the complaints resolved in the month.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use entities::{teams, users};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QueryResult, Select, Statement,
    Value,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    access::actor::Actor,
    access::permissions::Scope,
    outbox::sla::SlaKind,
    performance::targets::{self, TargetLevel, TargetView},
    platform::calendar::{Month, Period},
    platform::error::DomainError,
    platform::money,
    platform::text::Msg,
};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ConsultantFigures {
    pub user_id: Uuid,
    pub name: String,
    pub team_id: Option<Uuid>,
    pub units_sold: i64,
    pub amount_sold_fen: i64,
    pub new_leads: i64,
    pub visits: i64,
    pub good_visits: i64,
    pub satisfaction_rate: Option<f64>,
    pub complaints: i64,
    pub open_customers: i64,
    pub complaint_rate: Option<f64>,
    /// Per kind of deadline falling due in the period: how many, how many missed.
    pub sla: Vec<SlaCompliance>,
}

/// SLA compliance of one kind of deadline over a period.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SlaCompliance {
    pub kind: String,
    /// Deadlines due in the period that were met or missed (not those still running).
    pub deadlines: i64,
    pub breached: i64,
    /// (deadlines − breached) ÷ deadlines; null without deadlines.
    pub compliance: Option<f64>,
}

/// The compliance over every kind of `items`: deadlines met ÷ deadlines,
/// rounded as each kind's; none without deadlines.
pub fn overall_compliance(items: &[SlaCompliance]) -> Option<f64> {
    let deadlines: i64 = items.iter().map(|s| s.deadlines).sum();
    let breached: i64 = items.iter().map(|s| s.breached).sum();
    rate(deadlines - breached, deadlines)
}

/// The deadline kinds whose compliance the figures report.
pub(crate) const SLA_KINDS: [SlaKind; 5] = [
    SlaKind::FirstResponse,
    SlaKind::NeedsAssessment,
    SlaKind::FollowUp,
    SlaKind::Visit,
    SlaKind::ComplaintResolution,
];

/// Whom figures are grouped by: a consultant or a team. The same sums serve
/// both, only the column holding the key differs from table to table.
#[derive(Debug, Clone, Copy)]
pub(crate) enum GroupBy {
    Consultant,
    Team,
}

impl GroupBy {
    /// The key's column in `customers`: a consultant is the customer's owner.
    pub(crate) fn customers(self) -> &'static str {
        match self {
            Self::Consultant => "owner_id",
            Self::Team => "team_id",
        }
    }

    /// The key's column in `deals`, `visits`, `complaints` and `sla_breaches`.
    pub(crate) fn records(self) -> &'static str {
        match self {
            Self::Consultant => "consultant_id",
            Self::Team => "team_id",
        }
    }
}

/// SLA compliance per kind over `[from, to)` for the consultants or teams
/// `ids`, in one query: the deadlines due in the period that were met or
/// missed (timers, counted for the customer's owner or team) beside the
/// breaches recorded for them (counted for the consultant or team the breach
/// names), summed per key and kind.
async fn sla_compliance(
    db: &impl ConnectionTrait,
    by: GroupBy,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, Vec<SlaCompliance>>, DomainError> {
    let (customers, records) = (by.customers(), by.records());
    let sql = format!(
        "SELECT {{key}} AS k, x.kind AS kind, CAST(SUM(x.due) AS BIGINT) AS a, CAST(SUM(x.missed) AS BIGINT) AS b \
         FROM (SELECT c.{customers} AS k, t.kind AS kind, 1 AS due, 0 AS missed FROM timers t \
         JOIN customers c ON c.id = t.customer_id WHERE t.phase = 'deadline' \
         AND t.state IN ('fired', 'completed') AND t.due_at >= ? AND t.due_at < ? \
         UNION ALL SELECT {records}, kind, 0, 1 FROM sla_breaches WHERE due_at >= ? AND due_at < ?) x \
         WHERE {{key}} IN ({{ids}}) GROUP BY {{key}}, x.kind"
    );
    let values = [range(from, to), range(from, to)].concat();
    let mut counts: HashMap<(Uuid, String), (i64, i64)> = HashMap::new();
    for row in rows(db, "x.k", &sql, values, ids).await? {
        let key: Uuid = row.try_get("", "k")?;
        let kind: String = row.try_get("", "kind")?;
        let due: Option<i64> = row.try_get("", "a")?;
        let missed: Option<i64> = row.try_get("", "b")?;
        counts.insert((key, kind), (due.unwrap_or(0), missed.unwrap_or(0)));
    }
    Ok(ids
        .iter()
        .map(|id| {
            let per_kind = SLA_KINDS
                .iter()
                .map(|kind| {
                    let kind = kind.to_string();
                    let (deadlines, missed) = counts.get(&(*id, kind.clone())).copied().unwrap_or((0, 0));
                    let missed = missed.min(deadlines);
                    SlaCompliance {
                        kind,
                        deadlines,
                        breached: missed,
                        compliance: rate(deadlines - missed, deadlines),
                    }
                })
                .collect();
            (*id, per_kind)
        })
        .collect())
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TargetProgress {
    /// `2026-Q4` or `2026`.
    pub period: String,
    pub units: i64,
    pub amount_fen: i64,
    pub units_to_date: i64,
    pub amount_to_date_fen: i64,
    pub units_rate: Option<f64>,
    pub amount_rate: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TeamFigures {
    pub team_id: Uuid,
    pub name: String,
    pub region_id: Uuid,
    pub members: i64,
    pub units_sold: i64,
    pub amount_sold_fen: i64,
    pub new_leads: i64,
    pub visits: i64,
    pub good_visits: i64,
    pub satisfaction_rate: Option<f64>,
    pub complaints: i64,
    pub complaint_rate: Option<f64>,
    pub target: Option<TargetProgress>,
    pub trained_members: i64,
    pub training_coverage: Option<f64>,
    pub examined: i64,
    pub passed: i64,
    pub exam_pass_rate: Option<f64>,
    pub complaints_resolved: i64,
    pub average_resolution_hours: Option<f64>,
    pub sla: Vec<SlaCompliance>,
}

fn rate(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| ((part as f64 / whole as f64) * 10_000.0).round() / 10_000.0)
}

/// Runs a query written with `?` placeholders, `{key}` for the column it
/// groups by and `{ids}` for the list of keys (bound after `values`).
pub(crate) async fn rows(
    db: &impl ConnectionTrait,
    key: &str,
    template: &str,
    mut values: Vec<Value>,
    ids: &[Uuid],
) -> Result<Vec<QueryResult>, DomainError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let marks = vec!["?"; ids.len()].join(", ");
    let sql = template.replace("{key}", key).replace("{ids}", &marks);
    values.extend(ids.iter().map(|id| Value::from(*id)));
    run(db, sql, values).await
}

/// Runs `sql` written with `?` placeholders, numbered for PostgreSQL.
async fn run(db: &impl ConnectionTrait, sql: String, values: Vec<Value>) -> Result<Vec<QueryResult>, DomainError> {
    let backend = db.get_database_backend();
    let sql = match backend {
        DbBackend::Postgres => {
            let mut n = 0;
            sql.chars()
                .map(|c| {
                    if c == '?' {
                        n += 1;
                        format!("${n}")
                    } else {
                        c.to_string()
                    }
                })
                .collect()
        }
        _ => sql,
    };
    Ok(db
        .query_all_raw(Statement::from_sql_and_values(backend, sql, values))
        .await?)
}

/// Runs an aggregation (see [`rows`]) whose rows are a key and two integers.
pub(crate) async fn grouped(
    db: &impl ConnectionTrait,
    key: &str,
    template: &str,
    values: Vec<Value>,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, (i64, i64)>, DomainError> {
    let mut out = HashMap::new();
    for row in rows(db, key, template, values, ids).await? {
        let key: Uuid = row.try_get("", "k")?;
        let a: Option<i64> = row.try_get("", "a")?;
        let b: Option<i64> = row.try_get("", "b")?;
        out.insert(key, (a.unwrap_or(0), b.unwrap_or(0)));
    }
    Ok(out)
}

/// The pair of `m` for `id`; zeros if the aggregation found no rows for it.
pub(crate) fn get(m: &HashMap<Uuid, (i64, i64)>, id: &Uuid) -> (i64, i64) {
    m.get(id).copied().unwrap_or((0, 0))
}

pub(crate) fn range(from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Value> {
    vec![Value::from(from), Value::from(to)]
}

/// Seconds between two timestamp columns, in the backend's dialect.
fn seconds_between(db: &impl ConnectionTrait, from: &str, to: &str) -> String {
    match db.get_database_backend() {
        DbBackend::Postgres => format!("EXTRACT(EPOCH FROM ({to} - {from}))"),
        _ => format!("((julianday({to}) - julianday({from})) * 86400)"),
    }
}

/// The figures of every consultant in the caller's scope (optionally one team's) for `month`.
pub async fn consultants(
    db: &impl ConnectionTrait,
    actor: &Actor,
    scope: Scope,
    month: Month,
    tz: Tz,
    team: Option<Uuid>,
) -> Result<Vec<ConsultantFigures>, DomainError> {
    consultants_over(db, actor, scope, Period::Month(month), tz, team).await
}

/// As [`consultants`], over any period (a quarter on the director's dashboard).
pub async fn consultants_over(
    db: &impl ConnectionTrait,
    actor: &Actor,
    scope: Scope,
    period: Period,
    tz: Tz,
    team: Option<Uuid>,
) -> Result<Vec<ConsultantFigures>, DomainError> {
    let mut query = consultant_accounts();
    query = match scope {
        Scope::All => query,
        Scope::Team => query.filter(users::Column::TeamId.is_in(actor.team_ids.clone())),
        Scope::Own => query.filter(users::Column::Id.eq(actor.id)),
    };
    if let Some(team) = team {
        query = query.filter(users::Column::TeamId.eq(team));
    }
    consultant_figures(db, query, period.start(tz), period.end(tz)).await
}

/// The figures of every active consultant over `[from, to)`, whoever asks: for
/// department-wide rankings such as the quarterly Sales Star.
pub async fn all_consultants_between(
    db: &impl ConnectionTrait,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<ConsultantFigures>, DomainError> {
    consultant_figures(db, consultant_accounts(), from, to).await
}

/// Active accounts holding the consultant role, by name.
pub(crate) fn consultant_accounts() -> Select<users::Entity> {
    users::Entity::find()
        .filter(users::Column::Status.eq(users::UserStatus::Active))
        .filter(users::Column::Id.in_subquery(crate::access::roles::holders("consultant")))
        .order_by_asc(users::Column::Name)
}

/// The figures over `[from, to)` of the consultants `people` selects.
async fn consultant_figures(
    db: &impl ConnectionTrait,
    people: Select<users::Entity>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<ConsultantFigures>, DomainError> {
    let people = people.all(db).await?;
    let ids: Vec<Uuid> = people.iter().map(|u| u.id).collect();
    let mut shared = shared_figures(db, GroupBy::Consultant, from, to, &ids).await?;
    Ok(people
        .into_iter()
        .map(|u| {
            let s = shared.remove(&u.id).unwrap_or_default();
            ConsultantFigures {
                user_id: u.id,
                name: u.name,
                team_id: u.team_id,
                units_sold: s.units_sold,
                amount_sold_fen: s.amount_sold_fen,
                new_leads: s.new_leads,
                visits: s.visits,
                good_visits: s.good_visits,
                satisfaction_rate: s.satisfaction_rate(),
                complaints: s.complaints,
                open_customers: s.open_customers,
                complaint_rate: s.complaint_rate(),
                sla: s.sla,
            }
        })
        .collect())
}

/// What consultants and teams are both measured on, for one of them.
#[derive(Debug, Default)]
pub(crate) struct Shared {
    pub(crate) units_sold: i64,
    pub(crate) amount_sold_fen: i64,
    pub(crate) new_leads: i64,
    visits: i64,
    good_visits: i64,
    complaints: i64,
    open_customers: i64,
    pub(crate) sla: Vec<SlaCompliance>,
}

impl Shared {
    fn satisfaction_rate(&self) -> Option<f64> {
        rate(self.good_visits, self.visits)
    }

    /// Complaints ÷ open customers.
    fn complaint_rate(&self) -> Option<f64> {
        rate(self.complaints, self.open_customers)
    }
}

/// Units and amount sold over `[from, to)` per consultant or team (`key`):
/// deals subscribed then and not cancelled. The amount is summed in parts
/// ([`money::SUM_PARTS`]) so that no price, however absurd, can make the
/// sum fail; it saturates instead ([`money::join_sum`]).
pub(crate) async fn sold(
    db: &impl ConnectionTrait,
    key: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, (i64, i64)>, DomainError> {
    let sql = format!(
        "SELECT {{key}} AS k, {SOLD} AND {{key}} IN ({{ids}}) GROUP BY {{key}}",
        SOLD = sold_sql()
    );
    let mut out = HashMap::new();
    for row in rows(db, key, &sql, range(from, to), ids).await? {
        let key: Uuid = row.try_get("", "k")?;
        out.insert(key, sold_row(&row)?);
    }
    Ok(out)
}

/// The columns and filter of every sum of sales: units (`a`) and the amount
/// in parts (`hi`, `lo`) of the deals subscribed in `[?, ?)` and not cancelled.
fn sold_sql() -> String {
    format!(
        "COUNT(*) AS a, {} FROM deals WHERE subscribed_at >= ? AND subscribed_at < ? AND stage <> 'cancelled'",
        money::SUM_PARTS.replace("{amount}", "agreed_price_fen")
    )
}

fn sold_row(row: &QueryResult) -> Result<(i64, i64), DomainError> {
    let units: Option<i64> = row.try_get("", "a")?;
    let (hi, lo): (Option<i64>, Option<i64>) = (row.try_get("", "hi")?, row.try_get("", "lo")?);
    Ok((units.unwrap_or(0), money::join_sum(hi.unwrap_or(0), lo.unwrap_or(0))))
}

/// Units and amount the whole department sold over `[from, to)`.
async fn sold_by_all(
    db: &impl ConnectionTrait,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<(i64, i64), DomainError> {
    let rows = run(db, format!("SELECT {}", sold_sql()), range(from, to)).await?;
    rows.first().map_or(Ok((0, 0)), sold_row)
}

/// What one target's subject sold in its period, against the target (目标完成率).
#[derive(Debug, Clone, Serialize)]
pub struct Achievement {
    pub target: TargetView,
    /// Deals subscribed in the period and not cancelled, one unit each (成交套数).
    pub units_sold: i64,
    /// Their agreed prices (成交金额).
    pub amount_sold_fen: i64,
    /// units_sold ÷ target units in thousandths, rounded down; null for a target of 0.
    pub units_permille: Option<i64>,
    pub amount_permille: Option<i64>,
}

/// `part` ÷ `whole` in thousandths, rounded down; `None` without a whole.
pub fn permille(part: i64, whole: i64) -> Option<i64> {
    (whole > 0).then(|| i64::try_from(i128::from(part) * 1000 / i128::from(whole)).unwrap_or(i64::MAX))
}

/// The achievement of every target of `period` within the caller's reach
/// (`kpis:read`: the director every target, a manager their teams' and their
/// consultants', a consultant their own), optionally of one level: what the
/// department, a region (its teams' deals), a team or a consultant sold from
/// the period's first instant to its end in the business time zone.
pub async fn achievements(
    db: &impl ConnectionTrait,
    actor: &Actor,
    scope: Scope,
    period: Period,
    level: Option<TargetLevel>,
    tz: Tz,
) -> Result<Vec<Achievement>, DomainError> {
    use entities::targets::Column as C;
    let mut query = entities::targets::Entity::find()
        .filter(targets::reach(actor, scope))
        .filter(C::Period.eq(period.to_string()));
    if let Some(level) = level {
        query = query.filter(C::Level.eq(level));
    }
    let mut list = query.order_by_asc(C::Subject).all(db).await?;
    list.sort_by_key(|t| t.level as u8);
    let (from, to) = (period.start(tz), period.end(tz));
    let ids = |level: TargetLevel, id: fn(&entities::targets::Model) -> Option<Uuid>| -> Vec<Uuid> {
        list.iter().filter(|t| t.level == level).filter_map(id).collect()
    };
    let regions = ids(TargetLevel::Region, |t| t.region_id);
    let region_teams: Vec<(Uuid, Uuid)> = if regions.is_empty() {
        Vec::new()
    } else {
        teams::Entity::find()
            .filter(teams::Column::RegionId.is_in(regions))
            .all(db)
            .await?
            .into_iter()
            .map(|t| (t.id, t.region_id))
            .collect()
    };
    let mut team_ids = ids(TargetLevel::Team, |t| t.team_id);
    team_ids.extend(region_teams.iter().map(|(team, _)| *team));
    let by_team = sold(db, "team_id", from, to, &team_ids).await?;
    let by_consultant = sold(
        db,
        "consultant_id",
        from,
        to,
        &ids(TargetLevel::Consultant, |t| t.user_id),
    )
    .await?;
    let everyone = if list.iter().any(|t| t.level == TargetLevel::Department) {
        sold_by_all(db, from, to).await?
    } else {
        (0, 0)
    };
    Ok(list
        .into_iter()
        .map(|t| {
            let (units, amount) = match (t.level, t.region_id, t.team_id, t.user_id) {
                (TargetLevel::Department, ..) => everyone,
                (TargetLevel::Region, Some(region), ..) => region_teams
                    .iter()
                    .filter(|(_, r)| *r == region)
                    .map(|(team, _)| get(&by_team, team))
                    .fold((0i64, 0i64), |(u, a), (tu, ta)| (u + tu, a.saturating_add(ta))),
                (TargetLevel::Team, _, Some(team), _) => get(&by_team, &team),
                (TargetLevel::Consultant, _, _, Some(user)) => get(&by_consultant, &user),
                _ => (0, 0),
            };
            Achievement {
                units_permille: permille(units, i64::from(t.units)),
                amount_permille: permille(amount, t.amount_fen),
                units_sold: units,
                amount_sold_fen: amount,
                target: TargetView::from(t),
            }
        })
        .collect())
}

/// The shared figures over `[from, to)` of the consultants or teams `ids`, one per id.
pub(crate) async fn shared_figures(
    db: &impl ConnectionTrait,
    by: GroupBy,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, Shared>, DomainError> {
    let (records, customers) = (by.records(), by.customers());
    let sold = sold(db, records, from, to, ids).await?;
    let leads = grouped(
        db,
        customers,
        "SELECT {key} AS k, COUNT(*) AS a, CAST(0 AS BIGINT) AS b FROM customers \
         WHERE created_at >= ? AND created_at < ? AND merged_into_id IS NULL AND {key} IN ({ids}) GROUP BY {key}",
        range(from, to),
        ids,
    )
    .await?;
    let visits = grouped(
        db,
        records,
        "SELECT {key} AS k, COUNT(*) AS a, CAST(SUM(CASE WHEN satisfaction >= 4 THEN 1 ELSE 0 END) AS BIGINT) AS b \
         FROM visits WHERE visited_at >= ? AND visited_at < ? AND {key} IN ({ids}) GROUP BY {key}",
        range(from, to),
        ids,
    )
    .await?;
    let complaints = grouped(
        db,
        records,
        "SELECT {key} AS k, COUNT(*) AS a, CAST(0 AS BIGINT) AS b FROM complaints \
         WHERE received_at >= ? AND received_at < ? AND {key} IN ({ids}) GROUP BY {key}",
        range(from, to),
        ids,
    )
    .await?;
    let open = grouped(
        db,
        customers,
        "SELECT {key} AS k, COUNT(*) AS a, CAST(0 AS BIGINT) AS b FROM customers \
         WHERE created_at < ? AND (lost_at IS NULL OR lost_at >= ?) AND merged_into_id IS NULL \
         AND {key} IN ({ids}) GROUP BY {key}",
        vec![Value::from(to), Value::from(from)],
        ids,
    )
    .await?;
    let mut sla = sla_compliance(db, by, from, to, ids).await?;
    Ok(ids
        .iter()
        .map(|id| {
            let (units_sold, amount_sold_fen) = get(&sold, id);
            let (visits, good_visits) = get(&visits, id);
            let figures = Shared {
                units_sold,
                amount_sold_fen,
                new_leads: get(&leads, id).0,
                visits,
                good_visits,
                complaints: get(&complaints, id).0,
                open_customers: get(&open, id).0,
                sla: sla.remove(id).unwrap_or_default(),
            };
            (*id, figures)
        })
        .collect())
}

/// The teams whose totals a caller reads with `kpis:read` at `scope`: its
/// teams with `team`, every team with `all` (`None`). With `own` a caller
/// reads its own row only (docs/workflows.md), never a team's totals: 403.
pub fn team_reach(actor: &Actor, scope: Scope) -> Result<Option<Vec<Uuid>>, DomainError> {
    match scope {
        Scope::All => Ok(None),
        Scope::Team => Ok(Some(actor.team_ids.clone())),
        Scope::Own => Err(DomainError::Forbidden(Msg::KpiTeamsNeedScope)),
    }
}

/// The figures of every team in the caller's scope for `month`.
pub async fn teams(
    db: &impl ConnectionTrait,
    actor: &Actor,
    scope: Scope,
    month: Month,
    tz: Tz,
) -> Result<Vec<TeamFigures>, DomainError> {
    teams_over(db, actor, scope, Period::Month(month), tz).await
}

/// As [`teams`], over a month or a quarter: target progress is against the
/// quarter's target (else the year's), sold from its start to the period's end.
pub async fn teams_over(
    db: &impl ConnectionTrait,
    actor: &Actor,
    scope: Scope,
    period: Period,
    tz: Tz,
) -> Result<Vec<TeamFigures>, DomainError> {
    let (from, to) = (period.start(tz), period.end(tz));
    let mut query = teams::Entity::find().order_by_asc(teams::Column::Name);
    if let Some(ids) = team_reach(actor, scope)? {
        query = query.filter(teams::Column::Id.is_in(ids));
    }
    let list = query.all(db).await?;
    let ids: Vec<Uuid> = list.iter().map(|t| t.id).collect();
    let mut shared = shared_figures(db, GroupBy::Team, from, to, &ids).await?;
    let resolution = format!(
        "SELECT {{key}} AS k, COUNT(*) AS a, CAST(COALESCE(SUM({}), 0) AS BIGINT) AS b FROM complaints \
         WHERE resolved_at >= ? AND resolved_at < ? AND {{key}} IN ({{ids}}) GROUP BY {{key}}",
        seconds_between(db, "received_at", "resolved_at")
    );
    let resolved = grouped(db, "team_id", &resolution, range(from, to), &ids).await?;
    let members = grouped(
        db,
        "team_id",
        "SELECT {key} AS k, COUNT(*) AS a, CAST(0 AS BIGINT) AS b FROM users \
         WHERE status = 'active' AND {key} IN ({ids}) GROUP BY {key}",
        Vec::new(),
        &ids,
    )
    .await?;
    let trained = grouped(
        db,
        "u.team_id",
        "SELECT {key} AS k, COUNT(DISTINCT a.user_id) AS a, CAST(0 AS BIGINT) AS b \
         FROM training_attendees a JOIN trainings t ON t.id = a.training_id JOIN users u ON u.id = a.user_id \
         WHERE a.attended = TRUE AND t.held_at >= ? AND t.held_at < ? AND u.status = 'active' \
         AND {key} IN ({ids}) GROUP BY {key}",
        range(from, to),
        &ids,
    )
    .await?;
    let exams = grouped(
        db,
        "u.team_id",
        "SELECT {key} AS k, CAST(SUM(CASE WHEN a.exam_passed IS NULL THEN 0 ELSE 1 END) AS BIGINT) AS a, \
         CAST(SUM(CASE WHEN a.exam_passed = TRUE THEN 1 ELSE 0 END) AS BIGINT) AS b \
         FROM training_attendees a JOIN trainings t ON t.id = a.training_id JOIN users u ON u.id = a.user_id \
         WHERE t.held_at >= ? AND t.held_at < ? AND {key} IN ({ids}) GROUP BY {key}",
        range(from, to),
        &ids,
    )
    .await?;
    let quarter_of = match period {
        Period::Month(m) => Some(m.quarter()),
        Period::Quarter(q) => Some(q),
        Period::Year(_) => None,
    };
    let quarter = quarter_of.map(|q| q.to_string()).unwrap_or_default();
    let year = period.year().to_string();
    let targets = entities::targets::Entity::find()
        .filter(entities::targets::Column::TeamId.is_in(ids.clone()))
        .filter(entities::targets::Column::Period.is_in([quarter.clone(), year.clone()]))
        .all(db)
        .await?;
    let quarter_start = quarter_of.map_or(from, |q| q.start(tz));
    let year_start = period.year().start(tz);
    let quarter_to_date = sold(db, "team_id", quarter_start, to, &ids).await?;
    let year_to_date = sold(db, "team_id", year_start, to, &ids).await?;
    Ok(list
        .into_iter()
        .map(|t| {
            let s = shared.remove(&t.id).unwrap_or_default();
            let members = get(&members, &t.id).0;
            let trained = get(&trained, &t.id).0;
            let (examined, passed) = get(&exams, &t.id);
            let (resolved, seconds) = get(&resolved, &t.id);
            let team_target = |period: &str| targets.iter().find(|x| x.team_id == Some(t.id) && x.period == period);
            let target = team_target(&quarter)
                .map(|x| (x, get(&quarter_to_date, &t.id)))
                .or_else(|| team_target(&year).map(|x| (x, get(&year_to_date, &t.id))))
                .map(|(x, (units_to_date, amount_to_date))| TargetProgress {
                    period: x.period.clone(),
                    units: i64::from(x.units),
                    amount_fen: x.amount_fen,
                    units_to_date,
                    amount_to_date_fen: amount_to_date,
                    units_rate: rate(units_to_date, i64::from(x.units)),
                    amount_rate: rate(amount_to_date, x.amount_fen),
                });
            TeamFigures {
                team_id: t.id,
                name: t.name,
                region_id: t.region_id,
                members,
                units_sold: s.units_sold,
                amount_sold_fen: s.amount_sold_fen,
                new_leads: s.new_leads,
                visits: s.visits,
                good_visits: s.good_visits,
                satisfaction_rate: s.satisfaction_rate(),
                complaints: s.complaints,
                complaint_rate: s.complaint_rate(),
                target,
                trained_members: trained,
                training_coverage: rate(trained, members),
                examined,
                passed,
                exam_pass_rate: rate(passed, examined),
                complaints_resolved: resolved,
                average_resolution_hours: (resolved > 0)
                    .then(|| ((seconds as f64 / resolved as f64 / 3600.0) * 100.0).round() / 100.0),
                sla: s.sla,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_overall_compliance_weighs_every_deadline_alike() {
        let kind = |deadlines, breached| SlaCompliance {
            kind: "first_response".to_owned(),
            deadlines,
            breached,
            compliance: rate(deadlines - breached, deadlines),
        };
        assert_eq!(overall_compliance(&[kind(2, 1), kind(1, 0)]), Some(0.6667));
        assert_eq!(overall_compliance(&[kind(0, 0)]), None);
        assert_eq!(overall_compliance(&[]), None);
    }

    #[test]
    fn rates_are_rounded_and_undefined_without_a_base() {
        assert_eq!(rate(1, 3), Some(0.3333));
        assert_eq!(rate(0, 0), None);
    }

    #[test]
    fn permille_rounds_down_and_needs_a_whole() {
        for (part, whole, expected) in [
            (1, 3, Some(333)),
            (2, 3, Some(666)),
            (3, 3, Some(1000)),
            (5, 4, Some(1250)),
            (0, 7, Some(0)),
            (1, 0, None),
            (i64::MAX, 1, Some(i64::MAX)),
        ] {
            assert_eq!(permille(part, whole), expected, "{part}/{whole}");
        }
    }
}
