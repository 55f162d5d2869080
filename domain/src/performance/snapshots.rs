//! Monthly KPI snapshots: the month's figures as they stood when it ended,
//! taken once by the periodic run at the start of the next month and kept
//! one row per consultant and team, so that later corrections to the record
//! do not change what was reported. Read within the caller's `kpis:read`
//! scope, filtered in SQL like the live figures.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use entities::{kpi_snapshot_rows as rows, kpi_snapshots};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::de::DeserializeOwned;
use serde_json::json;
use uuid::Uuid;

use crate::{
    access::actor::Actor,
    access::permissions::Scope,
    performance::kpis::{self, ConsultantFigures, TeamFigures},
    platform::calendar::Month,
    platform::error::DomainError,
};

const CONSULTANT: &str = "consultant";
const TEAM: &str = "team";

/// Keeps `month`'s figures of every consultant and team; a month already
/// taken stays as it was.
pub async fn take(db: &impl ConnectionTrait, month: Month, tz: Tz) -> Result<(), DomainError> {
    let label = month.to_string();
    let actor = Actor::system();
    let consultants = kpis::consultants(db, &actor, Scope::All, month, tz, None).await?;
    let teams = kpis::teams(db, &actor, Scope::All, month, tz).await?;
    let now = Utc::now();
    let header = kpi_snapshots::ActiveModel {
        id: Set(Uuid::now_v7()),
        month: Set(label.clone()),
        consultants: Set(json!(consultants)),
        teams: Set(json!(teams)),
        created_at: Set(now),
    };
    let taken = kpi_snapshots::Entity::insert(header)
        .on_conflict_do_nothing_on([kpi_snapshots::Column::Month])
        .exec_without_returning(db)
        .await?;
    if !matches!(taken, sea_orm::TryInsertResult::Inserted(n) if n > 0) {
        return Ok(());
    }
    let row = |subject: &str, id: Uuid, team: Option<Uuid>, name: &str, figures| rows::ActiveModel {
        id: Set(Uuid::now_v7()),
        month: Set(label.clone()),
        subject: Set(subject.to_owned()),
        subject_id: Set(id),
        team_id: Set(team),
        name: Set(name.to_owned()),
        figures: Set(figures),
        taken_at: Set(now),
    };
    let mut all: Vec<rows::ActiveModel> = consultants
        .iter()
        .map(|c| row(CONSULTANT, c.user_id, c.team_id, &c.name, json!(c)))
        .collect();
    all.extend(
        teams
            .iter()
            .map(|t| row(TEAM, t.team_id, Some(t.team_id), &t.name, json!(t))),
    );
    // Bounded batches: every backend has a limit on bound parameters.
    for batch in all.chunks(500) {
        rows::Entity::insert_many(batch.to_vec())
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// The consultants of `month`'s snapshot in the caller's scope (own row,
/// their teams', or all), optionally of one team; `None` when the month
/// has not been taken.
pub async fn consultants(
    db: &impl ConnectionTrait,
    actor: &Actor,
    scope: Scope,
    month: Month,
    team: Option<Uuid>,
) -> Result<Option<(DateTime<Utc>, Vec<ConsultantFigures>)>, DomainError> {
    let mut query = rows::Entity::find().filter(rows::Column::Subject.eq(CONSULTANT));
    query = match scope {
        Scope::All => query,
        Scope::Team => query.filter(rows::Column::TeamId.is_in(actor.team_ids.clone())),
        Scope::Own => query.filter(rows::Column::SubjectId.eq(actor.id)),
    };
    if let Some(team) = team {
        query = query.filter(rows::Column::TeamId.eq(team));
    }
    read(db, month, query).await
}

/// The teams of `month`'s snapshot in the caller's scope (their teams, or
/// all); `None` when the month has not been taken.
pub async fn teams(
    db: &impl ConnectionTrait,
    actor: &Actor,
    scope: Scope,
    month: Month,
) -> Result<Option<(DateTime<Utc>, Vec<TeamFigures>)>, DomainError> {
    let mut query = rows::Entity::find().filter(rows::Column::Subject.eq(TEAM));
    if let Some(ids) = kpis::team_reach(actor, scope)? {
        query = query.filter(rows::Column::SubjectId.is_in(ids));
    }
    read(db, month, query).await
}

async fn read<T: DeserializeOwned>(
    db: &impl ConnectionTrait,
    month: Month,
    query: sea_orm::Select<rows::Entity>,
) -> Result<Option<(DateTime<Utc>, Vec<T>)>, DomainError> {
    let label = month.to_string();
    let Some(header) = kpi_snapshots::Entity::find()
        .filter(kpi_snapshots::Column::Month.eq(&label))
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let found = query
        .filter(rows::Column::Month.eq(&label))
        .order_by_asc(rows::Column::Name)
        .order_by_asc(rows::Column::SubjectId)
        .all(db)
        .await?;
    let figures = found
        .into_iter()
        .map(|row| serde_json::from_value(row.figures))
        .collect::<Result<Vec<T>, _>>()
        .map_err(|e| DomainError::Internal(format!("a KPI snapshot row of {label} is unreadable: {e}")))?;
    Ok(Some((header.created_at, figures)))
}
