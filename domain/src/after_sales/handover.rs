//! After-sales of a deal (售后服务): the pre-handover inspection issues that
//! property management rectifies, the handover checklist, the handover
//! itself (which moves the deal to `handed_over` through the same rules as
//! any other move) and the post-handover visits with their satisfaction
//! rating. Everything is reached through the deal and its `deals:*` scope.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use entities::{
    handover_checklist_items, handover_checklist_items::ChecklistItem as Item, handovers, inspection_issues,
    inspection_issues::IssueStatus, visits,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, Iterable, QueryFilter, QueryOrder, Set,
    TransactionSession, TransactionTrait,
};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crate::platform::text::Msg;
use crate::{
    access::actor::Actor,
    access::audit::{self, AuditContext},
    access::permissions::Scope,
    platform::error::{DomainError, FieldError},
    sales::deal_stages::Stage,
    sales::deals::{self, DealView},
    sales::timeline,
};

fn text(value: Option<&str>, pointer: &str, max: usize, errors: &mut Vec<FieldError>) {
    if value.is_some_and(|v| v.trim().is_empty() || v.chars().count() > max) {
        errors.push(FieldError::new(pointer, Msg::OneToChars { max }));
    }
}

fn trimmed(value: Option<String>) -> Option<String> {
    value.map(|v| v.trim().to_owned())
}

fn refuse_final(deal: &entities::deals::Model) -> Result<(), DomainError> {
    if matches!(deal.stage, Stage::Closed | Stage::Cancelled) {
        return Err(DomainError::Conflict(Msg::DealIs {
            stage: deal.stage.to_string(),
        }));
    }
    Ok(())
}

#[derive(Debug, Clone, Serialize)]
pub struct IssueView {
    pub id: Uuid,
    pub deal_id: Uuid,
    pub description: String,
    pub location: Option<String>,
    pub status: String,
    pub resolution: Option<String>,
    pub reported_by: Option<Uuid>,
    pub reported_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub updated_at: DateTime<Utc>,
}

impl From<inspection_issues::Model> for IssueView {
    fn from(m: inspection_issues::Model) -> Self {
        Self {
            id: m.id,
            deal_id: m.deal_id,
            description: m.description,
            location: m.location,
            status: m.status.to_string(),
            resolution: m.resolution,
            reported_by: m.reported_by,
            reported_at: m.reported_at,
            resolved_at: m.resolved_at,
            updated_at: m.updated_at,
        }
    }
}

fn issue_json(v: &IssueView) -> serde_json::Value {
    json!({"deal_id": v.deal_id, "description": v.description, "location": v.location, "status": v.status,
           "resolution": v.resolution})
}

async fn issue_event(
    txn: &impl ConnectionTrait,
    actor: &Actor,
    deal: &entities::deals::Model,
    issue: &IssueView,
) -> Result<(), DomainError> {
    timeline::record(
        txn,
        Some(actor),
        timeline::Event {
            customer_id: deal.customer_id,
            kind: timeline::Kind::InspectionIssue,
            occurred_at: issue.updated_at,
            subject_id: Some(issue.id),
            data: json!({"deal_id": deal.id, "issue_id": issue.id, "status": issue.status,
                         "description": issue.description, "location": issue.location}),
        },
    )
    .await
}

/// Records a problem found in the pre-handover inspection.
pub async fn report_issue(
    db: &(impl ConnectionTrait + TransactionTrait),
    ctx: &AuditContext,
    actor: &Actor,
    scope: Scope,
    deal_id: Uuid,
    description: String,
    location: Option<String>,
) -> Result<IssueView, DomainError> {
    let mut errors = Vec::new();
    text(Some(&description), "/description", 4000, &mut errors);
    text(location.as_deref(), "/location", 120, &mut errors);
    if !errors.is_empty() {
        return Err(DomainError::Validation(errors));
    }
    let txn = crate::platform::db::begin_write(db).await?;
    let deal = deals::find(&txn, actor, scope, deal_id, true).await?;
    refuse_final(&deal)?;
    let now = Utc::now();
    let issue = IssueView::from(
        inspection_issues::ActiveModel {
            id: Set(Uuid::now_v7()),
            deal_id: Set(deal.id),
            description: Set(description.trim().to_owned()),
            location: Set(trimmed(location)),
            status: Set(IssueStatus::Open),
            resolution: Set(None),
            reported_by: Set(actor.user_id()),
            reported_at: Set(now),
            resolved_at: Set(None),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await?,
    );
    issue_event(&txn, actor, &deal, &issue).await?;
    audit::record(
        &txn,
        ctx,
        "create",
        "inspection_issue",
        issue.id,
        None,
        Some(&issue_json(&issue)),
    )
    .await?;
    txn.commit().await?;
    Ok(issue)
}

/// The inspection issues of a deal within reach, oldest first.
pub async fn list_issues(
    db: &impl ConnectionTrait,
    actor: &Actor,
    scope: Scope,
    deal_id: Uuid,
) -> Result<Vec<IssueView>, DomainError> {
    let deal = deals::find(db, actor, scope, deal_id, false).await?;
    Ok(inspection_issues::Entity::find()
        .filter(inspection_issues::Column::DealId.eq(deal.id))
        .order_by_asc(inspection_issues::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(IssueView::from)
        .collect())
}

/// A change of an inspection issue's status.
#[derive(Debug, Clone)]
pub struct IssuePatch {
    pub status: String,
    pub resolution: Option<String>,
}

/// Moves an issue along open → rectifying → resolved (or back); resolving
/// needs a resolution and stamps `resolved_at`.
pub async fn update_issue(
    db: &(impl ConnectionTrait + TransactionTrait),
    ctx: &AuditContext,
    actor: &Actor,
    scope: Scope,
    deal_id: Uuid,
    issue_id: Uuid,
    patch: IssuePatch,
) -> Result<IssueView, DomainError> {
    let IssuePatch { status, resolution } = patch;
    let mut errors = Vec::new();
    let status = crate::platform::input::variant::<IssueStatus>(&status, "/status")
        .map_err(|e| errors.push(e))
        .ok();
    text(resolution.as_deref(), "/resolution", 4000, &mut errors);
    if status == Some(IssueStatus::Resolved) && resolution.is_none() {
        errors.push(FieldError::new("/resolution", Msg::IssueResolutionRequired));
    }
    let (Some(status), true) = (status, errors.is_empty()) else {
        return Err(DomainError::Validation(errors));
    };
    let txn = crate::platform::db::begin_write(db).await?;
    let deal = deals::find(&txn, actor, scope, deal_id, true).await?;
    refuse_final(&deal)?;
    let issue = inspection_issues::Entity::find_by_id(issue_id)
        .filter(inspection_issues::Column::DealId.eq(deal.id))
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound(Msg::NounInspectionIssue))?;
    let was_resolved = issue.status == IssueStatus::Resolved;
    let before = IssueView::from(issue.clone());
    let now = Utc::now();
    let mut active: inspection_issues::ActiveModel = issue.into();
    if status == IssueStatus::Resolved {
        if !was_resolved {
            active.resolved_at = Set(Some(now));
        }
    } else {
        active.resolved_at = Set(None);
    }
    if resolution.is_some() {
        active.resolution = Set(trimmed(resolution));
    }
    active.status = Set(status);
    active.updated_at = Set(now);
    let after = IssueView::from(active.update(&txn).await?);
    issue_event(&txn, actor, &deal, &after).await?;
    audit::record(
        &txn,
        ctx,
        "update",
        "inspection_issue",
        after.id,
        Some(&issue_json(&before)),
        Some(&issue_json(&after)),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

/// One item of the handover checklist.
#[derive(Debug, Clone, Serialize)]
pub struct ChecklistItem {
    pub item: String,
    pub done: bool,
    pub note: Option<String>,
    pub updated_by: Option<Uuid>,
    pub updated_at: Option<DateTime<Utc>>,
}

fn item_of(item: Item, row: Option<&handover_checklist_items::Model>) -> ChecklistItem {
    ChecklistItem {
        item: item.to_string(),
        done: row.is_some_and(|r| r.done),
        note: row.and_then(|r| r.note.clone()),
        updated_by: row.and_then(|r| r.updated_by),
        updated_at: row.map(|r| r.updated_at),
    }
}

/// Every item of the checklist, in its fixed order, done or not.
pub async fn checklist(
    db: &impl ConnectionTrait,
    actor: &Actor,
    scope: Scope,
    deal_id: Uuid,
) -> Result<Vec<ChecklistItem>, DomainError> {
    let deal = deals::find(db, actor, scope, deal_id, false).await?;
    let rows = handover_checklist_items::Entity::find()
        .filter(handover_checklist_items::Column::DealId.eq(deal.id))
        .all(db)
        .await?;
    Ok(Item::iter()
        .map(|item| item_of(item, rows.iter().find(|r| r.item == item)))
        .collect())
}

/// A checklist item ticked or unticked, with an optional note.
#[derive(Debug, Clone)]
pub struct ChecklistChange {
    pub done: bool,
    pub note: Option<String>,
}

/// Ticks (or unticks) one checklist item; an item not on the list is 404.
pub async fn set_checklist_item(
    db: &(impl ConnectionTrait + TransactionTrait),
    ctx: &AuditContext,
    actor: &Actor,
    scope: Scope,
    deal_id: Uuid,
    item: &str,
    change: ChecklistChange,
) -> Result<ChecklistItem, DomainError> {
    let ChecklistChange { done, note } = change;
    let Ok(item) = item.parse::<Item>() else {
        return Err(DomainError::NotFound(Msg::NounChecklistItem));
    };
    let mut errors = Vec::new();
    text(note.as_deref(), "/note", 2000, &mut errors);
    if !errors.is_empty() {
        return Err(DomainError::Validation(errors));
    }
    let txn = crate::platform::db::begin_write(db).await?;
    let deal = deals::find(&txn, actor, scope, deal_id, true).await?;
    refuse_final(&deal)?;
    let existing = handover_checklist_items::Entity::find_by_id((deal.id, item))
        .one(&txn)
        .await?;
    let before = existing.as_ref().map(|r| json!({"done": r.done, "note": r.note}));
    let now = Utc::now();
    let row = match existing {
        Some(row) => {
            let mut active: handover_checklist_items::ActiveModel = row.into();
            active.done = Set(done);
            active.note = Set(trimmed(note));
            active.updated_by = Set(actor.user_id());
            active.updated_at = Set(now);
            active.update(&txn).await?
        }
        None => {
            handover_checklist_items::ActiveModel {
                deal_id: Set(deal.id),
                item: Set(item),
                done: Set(done),
                note: Set(trimmed(note)),
                updated_by: Set(actor.user_id()),
                updated_at: Set(now),
            }
            .insert(&txn)
            .await?
        }
    };
    let after = json!({"done": row.done, "note": row.note});
    audit::record(
        &txn,
        ctx,
        "update",
        "handover_checklist_item",
        format!("{}/{item}", deal.id),
        before.as_ref(),
        Some(&after),
    )
    .await?;
    txn.commit().await?;
    Ok(item_of(item, Some(&row)))
}

#[derive(Debug, Clone, Serialize)]
pub struct HandoverView {
    pub deal_id: Uuid,
    pub handed_over_at: DateTime<Utc>,
    pub recipient: String,
    pub notes: Option<String>,
    pub recorded_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

impl From<handovers::Model> for HandoverView {
    fn from(m: handovers::Model) -> Self {
        Self {
            deal_id: m.deal_id,
            handed_over_at: m.handed_over_at,
            recipient: m.recipient,
            notes: m.notes,
            recorded_by: m.recorded_by,
            created_at: m.created_at,
        }
    }
}

/// The handover of a deal to be recorded.
#[derive(Debug, Clone)]
pub struct NewHandover {
    pub recipient: String,
    pub notes: Option<String>,
    pub at: Option<DateTime<Utc>>,
}

/// Records the handover and moves the deal to `handed_over`, in one
/// transaction; refused like the move itself (open issues, incomplete
/// checklist, a deal not `handover_ready`). `tz`, the business time zone,
/// goes to the stage move.
pub async fn hand_over(
    db: &(impl ConnectionTrait + TransactionTrait),
    ctx: &AuditContext,
    actor: &Actor,
    scope: Scope,
    deal_id: Uuid,
    input: NewHandover,
    tz: Tz,
) -> Result<(HandoverView, DealView), DomainError> {
    let mut errors = Vec::new();
    text(Some(&input.recipient), "/recipient", 200, &mut errors);
    text(input.notes.as_deref(), "/notes", 4000, &mut errors);
    let at = crate::platform::input::reported_time(input.at, "/at", &mut errors);
    if !errors.is_empty() {
        return Err(DomainError::Validation(errors));
    }
    let txn = crate::platform::db::begin_write(db).await?;
    let deal = deals::find(&txn, actor, scope, deal_id, true).await?;
    let moved = deals::apply_move(&txn, ctx, actor, deal, Stage::HandedOver, at, None, tz).await?;
    let handover = HandoverView::from(
        handovers::ActiveModel {
            deal_id: Set(moved.id),
            handed_over_at: Set(at),
            recipient: Set(input.recipient.trim().to_owned()),
            notes: Set(trimmed(input.notes)),
            recorded_by: Set(actor.user_id()),
            created_at: Set(Utc::now()),
        }
        .insert(&txn)
        .await?,
    );
    timeline::record(
        &txn,
        Some(actor),
        timeline::Event {
            customer_id: moved.customer_id,
            kind: timeline::Kind::HandoverCompleted,
            occurred_at: at,
            subject_id: Some(moved.id),
            data: json!({"deal_id": moved.id, "unit_id": moved.unit_id, "recipient": handover.recipient}),
        },
    )
    .await?;
    audit::record(
        &txn,
        ctx,
        "create",
        "handover",
        moved.id,
        None,
        Some(&json!({"recipient": handover.recipient, "notes": handover.notes, "handed_over_at": at})),
    )
    .await?;
    txn.commit().await?;
    Ok((handover, moved.into()))
}

/// The recorded handover of a deal within reach.
pub async fn handover(
    db: &impl ConnectionTrait,
    actor: &Actor,
    scope: Scope,
    deal_id: Uuid,
) -> Result<HandoverView, DomainError> {
    let deal = deals::find(db, actor, scope, deal_id, false).await?;
    handovers::Entity::find_by_id(deal.id)
        .one(db)
        .await?
        .map(HandoverView::from)
        .ok_or(DomainError::NotFound(Msg::NounHandover))
}

#[derive(Debug, Clone, Serialize)]
pub struct VisitView {
    pub id: Uuid,
    pub deal_id: Uuid,
    pub customer_id: Uuid,
    pub consultant_id: Uuid,
    pub team_id: Option<Uuid>,
    pub visited_at: DateTime<Utc>,
    pub satisfaction: i16,
    pub feedback: Option<String>,
    pub recorded_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

impl From<visits::Model> for VisitView {
    fn from(m: visits::Model) -> Self {
        Self {
            id: m.id,
            deal_id: m.deal_id,
            customer_id: m.customer_id,
            consultant_id: m.consultant_id,
            team_id: m.team_id,
            visited_at: m.visited_at,
            satisfaction: m.satisfaction,
            feedback: m.feedback,
            recorded_by: m.recorded_by,
            created_at: m.created_at,
        }
    }
}

/// A post-handover visit to be recorded.
#[derive(Debug, Clone)]
pub struct NewVisit {
    pub visited_at: Option<DateTime<Utc>>,
    pub satisfaction: i64,
    pub feedback: Option<String>,
    /// With `feedback`: the category to record it under as customer
    /// feedback, routed to the department concerned (source `visit`).
    pub feedback_category: Option<String>,
}

/// Records a post-handover visit (回访) with its satisfaction rating (1–5);
/// only once the deal has been handed over. Its feedback, given a
/// category, is also recorded as customer feedback and routed.
#[allow(clippy::too_many_arguments)]
pub async fn record_visit(
    db: &(impl ConnectionTrait + TransactionTrait),
    ctx: &AuditContext,
    actor: &Actor,
    scope: Scope,
    tz: chrono_tz::Tz,
    deal_id: Uuid,
    input: NewVisit,
) -> Result<VisitView, DomainError> {
    let mut errors = Vec::new();
    let satisfaction = i16::try_from(input.satisfaction).ok().filter(|s| (1..=5).contains(s));
    if satisfaction.is_none() {
        errors.push(FieldError::new("/satisfaction", Msg::SatisfactionOneToFive));
    }
    text(input.feedback.as_deref(), "/feedback", 4000, &mut errors);
    let visited_at = crate::platform::input::reported_time(input.visited_at, "/visited_at", &mut errors);
    let feedback = match (&input.feedback_category, &input.feedback) {
        (None, _) => None,
        (Some(_), None) => {
            errors.push(FieldError::new("/feedback", Msg::Required));
            None
        }
        (Some(category), Some(text)) => {
            let new = crate::after_sales::feedback::NewFeedback {
                category: category.clone(),
                source: entities::feedback::FeedbackSource::Visit.to_string(),
                text: text.clone(),
            };
            crate::after_sales::feedback::check(&new, ["/feedback_category", "/feedback", "/feedback"], &mut errors)
        }
    };
    let (Some(satisfaction), true) = (satisfaction, errors.is_empty()) else {
        return Err(DomainError::Validation(errors));
    };
    let txn = crate::platform::db::begin_write(db).await?;
    let deal = deals::find(&txn, actor, scope, deal_id, true).await?;
    let Some(handed_over_at) = deal.handed_over_at.filter(|_| deal.stage != Stage::Cancelled) else {
        return Err(DomainError::Rule {
            code: "not_handed_over",
            detail: Msg::VisitBeforeHandover {
                stage: deal.stage.to_string(),
            },
        });
    };
    if visited_at < handed_over_at {
        return Err(DomainError::invalid("/visited_at", Msg::NotBeforeHandover));
    }
    let visit = VisitView::from(
        visits::ActiveModel {
            id: Set(Uuid::now_v7()),
            deal_id: Set(deal.id),
            customer_id: Set(deal.customer_id),
            consultant_id: Set(deal.consultant_id),
            team_id: Set(deal.team_id),
            visited_at: Set(visited_at),
            satisfaction: Set(satisfaction),
            feedback: Set(trimmed(input.feedback)),
            recorded_by: Set(actor.user_id()),
            created_at: Set(Utc::now()),
        }
        .insert(&txn)
        .await?,
    );
    crate::outbox::sla::on_visit(&txn, deal.id).await?;
    if let Some(feedback) = feedback {
        let customer = entities::customers::Entity::find_by_id(deal.customer_id)
            .one(&txn)
            .await?
            .ok_or(DomainError::NotFound(Msg::NounCustomer))?;
        crate::after_sales::feedback::record_in(&txn, ctx, actor, tz, &customer, feedback, Some(visit.id)).await?;
    }
    timeline::record(
        &txn,
        Some(actor),
        timeline::Event {
            customer_id: deal.customer_id,
            kind: timeline::Kind::Visit,
            occurred_at: visited_at,
            subject_id: Some(visit.id),
            data: json!({"deal_id": deal.id, "visit_id": visit.id, "satisfaction": satisfaction,
                         "feedback": visit.feedback}),
        },
    )
    .await?;
    audit::record(
        &txn,
        ctx,
        "create",
        "visit",
        visit.id,
        None,
        Some(
            &json!({"deal_id": deal.id, "satisfaction": satisfaction, "feedback": visit.feedback,
                     "visited_at": visited_at}),
        ),
    )
    .await?;
    txn.commit().await?;
    Ok(visit)
}

/// The visits of a deal within reach, oldest first.
pub async fn list_visits(
    db: &impl ConnectionTrait,
    actor: &Actor,
    scope: Scope,
    deal_id: Uuid,
) -> Result<Vec<VisitView>, DomainError> {
    let deal = deals::find(db, actor, scope, deal_id, false).await?;
    Ok(visits::Entity::find()
        .filter(visits::Column::DealId.eq(deal.id))
        .order_by_asc(visits::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(VisitView::from)
        .collect())
}
