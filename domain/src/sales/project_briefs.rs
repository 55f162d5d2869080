//! Project briefs (谈判准备：熟悉产品卖点及市场竞品): for each project — the
//! name its units carry, there is no table of projects — the selling points
//! a consultant presents and notes on the competing projects nearby (their
//! distance and prices, and where ours is better). Every staff role reads
//! them (`projects:read`); the director, managers and the customer manager
//! write them (`projects:write`). Partners hold neither: a brief is the
//! sales team's own preparation.
//!
//! A brief is written whole with `PUT`: each write raises `version` (the
//! `ETag` names it; `If-Match` is optional) and is audited with what it was
//! before, so the history of a brief is the audit log's.

use chrono::{DateTime, Utc};
use entities::{project_briefs, units};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, TransactionTrait};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    access::actor::Actor,
    access::audit::AuditContext,
    access::record::{self, Record},
    platform::error::{DomainError, FieldError},
    platform::text::Msg,
    platform::version,
};

/// The most selling points and competitors a brief holds, and their lengths.
pub const MAX_SELLING_POINTS: usize = 30;
pub const MAX_SELLING_POINT: usize = 200;
pub const MAX_COMPETITORS: usize = 20;
pub const MAX_COMPETITOR_NAME: usize = 120;
pub const MAX_COMPETITOR_TEXT: usize = 1000;

/// A competing project, as the brief notes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Competitor {
    /// The competing project's name.
    pub competitor: String,
    /// Distance, prices and the like.
    pub notes: Option<String>,
    /// Where our project is better: what the consultant answers.
    pub our_advantage: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct BriefView {
    pub id: Uuid,
    pub project: String,
    pub selling_points: Vec<String>,
    pub competitors: Vec<Competitor>,
    pub version: i32,
    pub updated_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<project_briefs::Model> for BriefView {
    type Error = DomainError;

    /// Fails only if the stored competitors are not what this module wrote: a bug.
    fn try_from(m: project_briefs::Model) -> Result<Self, DomainError> {
        let competitors = serde_json::from_value(m.competitors)
            .map_err(|e| DomainError::Internal(format!("project brief {}: stored competitors: {e}", m.id)))?;
        Ok(Self {
            id: m.id,
            project: m.project,
            selling_points: crate::platform::db::strings(&m.selling_points),
            competitors,
            version: m.version,
            updated_by: m.updated_by,
            created_at: m.created_at,
            updated_at: m.updated_at,
        })
    }
}

impl Record for BriefView {
    type Entity = project_briefs::Entity;
    const NAME: Msg = Msg::NounProjectBrief;
    const AUDITED: &'static str = "project_brief";
    fn audit_json(&self) -> Value {
        json!({"project": self.project, "selling_points": self.selling_points, "competitors": self.competitors,
               "version": self.version})
    }
}

/// A brief as written: the whole of it.
#[derive(Debug, Clone, Default)]
pub struct BriefInput {
    pub selling_points: Vec<String>,
    pub competitors: Vec<Competitor>,
}

/// `text` trimmed, or an error at `pointer` unless it has 1 to `max` characters.
pub(crate) fn required_text(text: &str, pointer: String, max: usize, errors: &mut Vec<FieldError>) -> String {
    let text = text.trim();
    if text.is_empty() || text.chars().count() > max {
        errors.push(FieldError::new(pointer, Msg::OneToChars { max }));
    }
    text.to_owned()
}

/// An error at `pointer` if `items` are more than `max`.
pub(crate) fn at_most(items: usize, max: usize, pointer: &str, errors: &mut Vec<FieldError>) {
    if items > max {
        errors.push(FieldError::new(pointer, Msg::AtMostItems { max }));
    }
}

/// The brief trimmed, or every rule it breaks.
fn check(input: BriefInput) -> Result<BriefInput, DomainError> {
    let mut errors = Vec::new();
    at_most(
        input.selling_points.len(),
        MAX_SELLING_POINTS,
        "/selling_points",
        &mut errors,
    );
    at_most(input.competitors.len(), MAX_COMPETITORS, "/competitors", &mut errors);
    let selling_points = (input.selling_points.iter().enumerate())
        .map(|(i, point)| required_text(point, format!("/selling_points/{i}"), MAX_SELLING_POINT, &mut errors))
        .collect();
    let competitors = (input.competitors.into_iter().enumerate())
        .map(|(i, c)| Competitor {
            competitor: required_text(
                &c.competitor,
                format!("/competitors/{i}/competitor"),
                MAX_COMPETITOR_NAME,
                &mut errors,
            ),
            notes: crate::platform::input::optional_text(
                c.notes,
                &format!("/competitors/{i}/notes"),
                MAX_COMPETITOR_TEXT,
                &mut errors,
            ),
            our_advantage: required_text(
                &c.our_advantage,
                format!("/competitors/{i}/our_advantage"),
                MAX_COMPETITOR_TEXT,
                &mut errors,
            ),
        })
        .collect();
    if !errors.is_empty() {
        return Err(DomainError::Validation(errors));
    }
    Ok(BriefInput {
        selling_points,
        competitors,
    })
}

/// 404 unless some unit carries the project's name.
async fn check_project(db: &impl ConnectionTrait, project: &str) -> Result<(), DomainError> {
    let unit = units::Entity::find()
        .filter(units::Column::Project.eq(project))
        .one(db)
        .await?;
    unit.map(|_| ()).ok_or(DomainError::NotFound(Msg::NounProject))
}

async fn find(db: &impl ConnectionTrait, project: &str) -> Result<Option<project_briefs::Model>, DomainError> {
    Ok(project_briefs::Entity::find()
        .filter(project_briefs::Column::Project.eq(project))
        .one(db)
        .await?)
}

/// The brief of `project`: 404 for a project no unit carries, or one without a brief yet.
pub async fn get(db: &impl ConnectionTrait, project: &str) -> Result<BriefView, DomainError> {
    check_project(db, project).await?;
    find(db, project)
        .await?
        .ok_or(DomainError::NotFound(BriefView::NAME))?
        .try_into()
}

/// Writes the brief of `project` whole: the first write creates it at
/// version 1, each later one raises the version; `if_match` (optional)
/// must name the version read. Audited (`create`, `update`).
pub async fn put(
    db: &(impl ConnectionTrait + TransactionTrait),
    ctx: &AuditContext,
    actor: &Actor,
    project: &str,
    input: BriefInput,
    if_match: Option<&str>,
) -> Result<BriefView, DomainError> {
    let input = check(input)?;
    let txn = crate::platform::db::begin_write(db).await?;
    check_project(&txn, project).await?;
    let now = Utc::now();
    let (selling_points, competitors) = (json!(input.selling_points), json!(input.competitors));
    match find(&txn, project).await? {
        None => {
            // Any precondition names a version, and there is none yet.
            if if_match.is_some() {
                return Err(DomainError::PreconditionFailed);
            }
            let created = project_briefs::ActiveModel {
                id: Set(Uuid::now_v7()),
                project: Set(project.to_owned()),
                selling_points: Set(selling_points),
                competitors: Set(competitors),
                version: Set(1),
                updated_by: Set(actor.user_id()),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(&txn)
            .await?;
            let view = BriefView::try_from(created)?;
            record::commit_created(txn, ctx, &view, view.id).await?;
            Ok(view)
        }
        Some(current) => {
            let before = BriefView::try_from(current.clone())?;
            version::check(if_match, &before)?;
            let mut active: project_briefs::ActiveModel = current.into();
            active.selling_points = Set(selling_points);
            active.competitors = Set(competitors);
            active.version = Set(before.version + 1);
            active.updated_by = Set(actor.user_id());
            active.updated_at = Set(now);
            let after = BriefView::try_from(active.update(&txn).await?)?;
            record::commit_changed(txn, ctx, "update", after.id, &before, &after).await?;
            Ok(after)
        }
    }
}
