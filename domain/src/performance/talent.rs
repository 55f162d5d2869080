//! The talent list (表现优异者优先晋升或参与高端培训): consultants ranked in
//! the top places of the published Sales Star runs in enough of the last
//! published quarters, with the advanced trainings of that window they
//! attended and those they have not. Advanced trainings are offered to the
//! list first ([`super::trainings::candidates`]). Published rankings are read
//! by everyone holding `awards:read`, so the list is not narrowed by scope.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use entities::{award_runs, award_runs::RunStatus, training_attendees, trainings, users};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::platform::{
    calendar::Quarter,
    error::{DomainError, FieldError},
    text::Msg,
};

/// The list's parameters; `None` takes the default.
#[derive(Debug, Clone, Copy, Default)]
pub struct TalentParams {
    /// Ranks 1 to `top` count (1–20, default 3).
    pub top: Option<i64>,
    /// The last this many published quarters (1–12, default 4).
    pub quarters: Option<i64>,
    /// In the top places at least this often (1 to `quarters`, default 2).
    pub times: Option<i64>,
}

pub const DEFAULT_TOP: i64 = 3;
pub const MAX_TOP: i64 = 20;
pub const DEFAULT_QUARTERS: i64 = 4;
pub const MAX_QUARTERS: i64 = 12;
pub const DEFAULT_TIMES: i64 = 2;

/// A quarter in which a consultant ranked in the top places.
#[derive(Debug, Clone, Serialize)]
pub struct Placing {
    pub period: String,
    pub rank: i64,
}

/// An advanced training of the window or to come.
#[derive(Debug, Clone, Serialize)]
pub struct AdvancedTraining {
    pub id: Uuid,
    pub title: String,
    pub held_at: DateTime<Utc>,
    /// On its attendee list (not yet marked as having attended).
    pub enrolled: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct TalentEntry {
    pub user_id: Uuid,
    pub name: String,
    pub team_id: Option<Uuid>,
    pub times_in_top: usize,
    pub best_rank: i64,
    /// The quarters and ranks that put them on the list, latest first.
    pub placings: Vec<Placing>,
    /// Advanced trainings of the window they attended.
    pub advanced_attended: Vec<AdvancedTraining>,
    /// Advanced trainings of the window or to come they have not attended.
    pub advanced_not_attended: Vec<AdvancedTraining>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TalentList {
    pub top: i64,
    pub quarters: i64,
    pub times: i64,
    /// The published quarters looked at, latest first.
    pub periods: Vec<String>,
    pub entries: Vec<TalentEntry>,
}

/// What a published run's results hold that the list needs.
#[derive(Deserialize)]
struct Stored {
    standings: Vec<StoredStanding>,
}

#[derive(Deserialize)]
struct StoredStanding {
    user_id: Uuid,
    rank: Option<i64>,
}

fn checked(params: TalentParams) -> Result<(i64, i64, i64), DomainError> {
    let top = params.top.unwrap_or(DEFAULT_TOP);
    let quarters = params.quarters.unwrap_or(DEFAULT_QUARTERS);
    let mut errors = Vec::new();
    if !(1..=MAX_TOP).contains(&top) {
        errors.push(FieldError::new(
            "/top",
            Msg::Between {
                min: 1,
                max: MAX_TOP as u64,
            },
        ));
    }
    if !(1..=MAX_QUARTERS).contains(&quarters) {
        errors.push(FieldError::new(
            "/quarters",
            Msg::Between {
                min: 1,
                max: MAX_QUARTERS as u64,
            },
        ));
    }
    let times = params.times.unwrap_or(DEFAULT_TIMES.min(quarters.max(1)));
    let most = quarters.clamp(1, MAX_QUARTERS);
    if !(1..=most).contains(&times) {
        errors.push(FieldError::new(
            "/times",
            Msg::TalentTimesWithinQuarters { quarters: most as u64 },
        ));
    }
    if errors.is_empty() {
        Ok((top, quarters, times))
    } else {
        Err(DomainError::Validation(errors))
    }
}

/// The talent list under `params` (see the module).
pub async fn list(db: &impl ConnectionTrait, params: TalentParams, tz: Tz) -> Result<TalentList, DomainError> {
    let (top, quarters, times) = checked(params)?;
    // The latest published run of each quarter, for the last `quarters` quarters.
    let runs = award_runs::Entity::find()
        .filter(award_runs::Column::Status.eq(RunStatus::Published))
        .order_by_desc(award_runs::Column::Period)
        .order_by_desc(award_runs::Column::PublishedAt)
        .order_by_desc(award_runs::Column::Id)
        .all(db)
        .await?;
    let mut latest: Vec<award_runs::Model> = Vec::new();
    for run in runs {
        if latest.last().is_some_and(|l| l.period == run.period) {
            continue;
        }
        if latest.len() as i64 == quarters {
            break;
        }
        latest.push(run);
    }
    let periods: Vec<String> = latest.iter().map(|r| r.period.clone()).collect();
    let mut placings: BTreeMap<Uuid, Vec<Placing>> = BTreeMap::new();
    for run in &latest {
        let Some(stored) = run
            .results
            .clone()
            .and_then(|r| serde_json::from_value::<Stored>(r).ok())
        else {
            continue;
        };
        for s in stored.standings {
            if let Some(rank) = s.rank.filter(|r| (1..=top).contains(r)) {
                placings.entry(s.user_id).or_default().push(Placing {
                    period: run.period.clone(),
                    rank,
                });
            }
        }
    }
    placings.retain(|_, p| p.len() as i64 >= times);
    let ids: Vec<Uuid> = placings.keys().copied().collect();
    let people = users::Entity::find()
        .filter(users::Column::Id.is_in(ids.clone()))
        .all(db)
        .await?;
    // Advanced trainings held from the start of the earliest quarter looked at, or to come.
    let since = periods
        .last()
        .and_then(|p| p.parse::<Quarter>().ok())
        .map_or_else(Utc::now, |q| q.start(tz));
    let advanced = trainings::Entity::find()
        .filter(trainings::Column::Advanced.eq(true))
        .filter(trainings::Column::HeldAt.gte(since))
        .order_by_asc(trainings::Column::HeldAt)
        .order_by_asc(trainings::Column::Id)
        .all(db)
        .await?;
    let attendance = training_attendees::Entity::find()
        .filter(training_attendees::Column::TrainingId.is_in(advanced.iter().map(|t| t.id).collect::<Vec<_>>()))
        .filter(training_attendees::Column::UserId.is_in(ids))
        .all(db)
        .await?;
    let mut entries: Vec<TalentEntry> = placings
        .into_iter()
        .filter_map(|(user_id, placings)| {
            let user = people.iter().find(|u| u.id == user_id)?;
            let mut entry = TalentEntry {
                user_id,
                name: user.name.clone(),
                team_id: user.team_id,
                times_in_top: placings.len(),
                best_rank: placings.iter().map(|p| p.rank).min().unwrap_or(i64::MAX),
                placings,
                advanced_attended: Vec::new(),
                advanced_not_attended: Vec::new(),
            };
            for t in &advanced {
                let row = attendance
                    .iter()
                    .find(|a| a.training_id == t.id && a.user_id == user_id);
                let item = AdvancedTraining {
                    id: t.id,
                    title: t.title.clone(),
                    held_at: t.held_at,
                    enrolled: row.is_some(),
                };
                if row.is_some_and(|a| a.attended) {
                    entry.advanced_attended.push(item);
                } else {
                    entry.advanced_not_attended.push(item);
                }
            }
            Some(entry)
        })
        .collect();
    entries.sort_by(|a, b| {
        b.times_in_top
            .cmp(&a.times_in_top)
            .then(a.best_rank.cmp(&b.best_rank))
            .then(a.name.cmp(&b.name))
            .then(a.user_id.cmp(&b.user_id))
    });
    Ok(TalentList {
        top,
        quarters,
        times,
        periods,
        entries,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(top: Option<i64>, quarters: Option<i64>, times: Option<i64>) -> TalentParams {
        TalentParams { top, quarters, times }
    }

    #[test]
    fn the_defaults_are_the_top_three_twice_in_four_quarters() {
        assert_eq!(checked(TalentParams::default()).ok(), Some((3, 4, 2)));
        assert_eq!(checked(params(None, Some(1), None)).ok(), Some((3, 1, 1)));
    }

    #[test]
    fn each_bad_parameter_is_named() {
        let Err(DomainError::Validation(errors)) = checked(params(Some(0), Some(13), Some(0))) else {
            panic!("refused");
        };
        let pointers: Vec<&str> = errors.iter().map(|e| e.pointer.as_str()).collect();
        assert_eq!(pointers, ["/top", "/quarters", "/times"]);
        assert!(checked(params(None, Some(2), Some(3))).is_err());
    }
}
