//! Needs assessments (需求分析): what the customer is looking for — budget,
//! districts, layout, floor area, purpose — and the units recommended with
//! the customer's reaction to each. The first assessment stamps the
//! needs-assessed time the 3-day deadline watches.

use chrono::{DateTime, Utc};
use entities::{
    customers, needs_assessments,
    needs_assessments::{Purpose, Reaction},
    units,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set, TransactionSession,
    TransactionTrait,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use crate::platform::text::Msg;
use crate::{
    access::actor::Actor,
    access::audit::{self, AuditContext},
    access::permissions::Scope,
    platform::error::{DomainError, FieldError},
    platform::input::{CLOCK_SKEW, optional, optional_text, reported_time, variant},
    platform::money::{self, Floor},
    platform::page::{Page, PageRequest},
    sales::customer_status::{Cause, Status},
    sales::customers::{advance, find},
    sales::timeline,
};

/// A unit recommended to the customer and how the customer took it, as
/// stored in the assessment's `recommendations`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Recommendation {
    pub unit_id: Uuid,
    pub reaction: Reaction,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A recommendation as a caller gives it, its reaction not yet read.
#[derive(Debug, Clone)]
pub struct NewRecommendation {
    pub unit_id: Uuid,
    pub reaction: String,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct NeedsView {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub author_id: Option<Uuid>,
    pub budget_min_fen: Option<i64>,
    pub budget_max_fen: Option<i64>,
    pub districts: Vec<String>,
    pub layout: Option<String>,
    pub area_min_sqm: Option<i32>,
    pub area_max_sqm: Option<i32>,
    pub purpose: Option<String>,
    pub notes: Option<String>,
    pub recommendations: Vec<Recommendation>,
    pub assessed_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

/// The stored JSON column `name` of needs assessment `id` as `T`: a column
/// that does not read back is corrupt data to report, never an empty list.
fn stored<T: serde::de::DeserializeOwned>(id: Uuid, name: &str, value: serde_json::Value) -> Result<T, DomainError> {
    serde_json::from_value(value)
        .map_err(|e| DomainError::Internal(format!("needs assessment {id}: stored {name} do not read back: {e}")))
}

impl TryFrom<needs_assessments::Model> for NeedsView {
    type Error = DomainError;

    fn try_from(m: needs_assessments::Model) -> Result<Self, DomainError> {
        Ok(Self {
            id: m.id,
            customer_id: m.customer_id,
            author_id: m.author_id,
            budget_min_fen: m.budget_min_fen,
            budget_max_fen: m.budget_max_fen,
            districts: stored(m.id, "districts", m.districts)?,
            layout: m.layout,
            area_min_sqm: m.area_min_sqm,
            area_max_sqm: m.area_max_sqm,
            purpose: m.purpose.map(|p| p.to_string()),
            notes: m.notes,
            recommendations: stored(m.id, "recommendations", m.recommendations)?,
            assessed_at: m.assessed_at,
            created_at: m.created_at,
        })
    }
}

#[derive(Debug, Clone, Default)]
pub struct NewNeeds {
    pub budget_min_fen: Option<i64>,
    pub budget_max_fen: Option<i64>,
    pub districts: Vec<String>,
    pub layout: Option<String>,
    pub area_min_sqm: Option<i32>,
    pub area_max_sqm: Option<i32>,
    pub purpose: Option<String>,
    pub notes: Option<String>,
    pub recommendations: Vec<NewRecommendation>,
    pub assessed_at: Option<DateTime<Utc>>,
}

/// Checks both ends of a range with `check` (a value, its pointer, the
/// errors), and that the minimum is not above the maximum.
fn check_range<T: PartialOrd + Copy>(
    min: Option<T>,
    max: Option<T>,
    pointer: &str,
    check: impl Fn(T, &str, &mut Vec<FieldError>),
    what: &str,
    errors: &mut Vec<FieldError>,
) {
    for (value, end) in [(min, "min"), (max, "max")] {
        if let Some(value) = value {
            check(value, &format!("/{pointer}_{end}{what}"), errors);
        }
    }
    if let (Some(min), Some(max)) = (min, max)
        && min > max
    {
        errors.push(FieldError::new(format!("/{pointer}_max{what}"), Msg::BelowMinimum));
    }
}

pub async fn create(
    db: &(impl ConnectionTrait + TransactionTrait),
    ctx: &AuditContext,
    actor: &Actor,
    scope: Scope,
    customer_id: Uuid,
    input: NewNeeds,
) -> Result<NeedsView, DomainError> {
    let now = Utc::now();
    let mut errors = Vec::new();
    let assessed_at = reported_time(input.assessed_at, "/assessed_at", &mut errors);
    let budget = |v: i64, at: &str, errors: &mut Vec<FieldError>| money::check(v, Floor::Zero, at, errors);
    check_range(
        input.budget_min_fen,
        input.budget_max_fen,
        "budget",
        budget,
        "_fen",
        &mut errors,
    );
    let area_ok = |v: i32, at: &str, errors: &mut Vec<FieldError>| {
        if !(1..=100_000).contains(&v) {
            errors.push(FieldError::new(at, Msg::OutOfRange));
        }
    };
    check_range(
        input.area_min_sqm,
        input.area_max_sqm,
        "area",
        area_ok,
        "_sqm",
        &mut errors,
    );
    if input.districts.len() > 20 {
        errors.push(FieldError::new("/districts", Msg::AtMostDistricts { max: 20 }));
    }
    for (i, d) in input.districts.iter().enumerate() {
        if d.trim().is_empty() || d.chars().count() > 40 {
            errors.push(FieldError::new(format!("/districts/{i}"), Msg::OneToChars { max: 40 }));
        }
    }
    let layout = optional_text(input.layout, "/layout", 40, &mut errors);
    let purpose = optional(
        input.purpose.as_deref(),
        |p| variant::<Purpose>(p, "/purpose"),
        &mut errors,
    );
    let notes = optional_text(input.notes, "/notes", 4000, &mut errors);
    if input.recommendations.len() > 50 {
        errors.push(FieldError::new("/recommendations", Msg::AtMostUnits { max: 50 }));
    }
    let mut recommendations = Vec::with_capacity(input.recommendations.len());
    for (i, r) in input.recommendations.iter().enumerate() {
        match variant::<Reaction>(&r.reaction, &format!("/recommendations/{i}/reaction")) {
            Ok(reaction) => recommendations.push(Recommendation {
                unit_id: r.unit_id,
                reaction,
                note: r.note.clone(),
            }),
            Err(rule) => errors.push(rule),
        }
        if r.note.as_ref().is_some_and(|n| n.chars().count() > 500) {
            errors.push(FieldError::new(
                format!("/recommendations/{i}/note"),
                Msg::AtMostChars { max: 500 },
            ));
        }
    }
    let unit_ids: Vec<Uuid> = input.recommendations.iter().map(|r| r.unit_id).collect();
    let known = units::Entity::find()
        .filter(units::Column::Id.is_in(unit_ids.clone()))
        .count(db)
        .await?;
    let mut distinct = unit_ids.clone();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() != unit_ids.len() {
        errors.push(FieldError::new("/recommendations", Msg::UnitTwice));
    } else if known != unit_ids.len() as u64 {
        errors.push(FieldError::new("/recommendations", Msg::UnknownUnit));
    }
    if !errors.is_empty() {
        return Err(DomainError::Validation(errors));
    }
    let txn = crate::platform::db::begin_write(db).await?;
    let customer = find(&txn, actor, scope, customer_id).await?;
    if assessed_at < customer.created_at - CLOCK_SKEW {
        return Err(DomainError::invalid("/assessed_at", Msg::BeforeCustomerRecorded));
    }
    let districts: Vec<String> = input.districts.into_iter().map(|d| d.trim().to_owned()).collect();
    let needs = needs_assessments::ActiveModel {
        id: Set(Uuid::now_v7()),
        customer_id: Set(customer_id),
        author_id: Set(actor.user_id()),
        budget_min_fen: Set(input.budget_min_fen),
        budget_max_fen: Set(input.budget_max_fen),
        districts: Set(json!(districts)),
        layout: Set(layout),
        area_min_sqm: Set(input.area_min_sqm),
        area_max_sqm: Set(input.area_max_sqm),
        purpose: Set(purpose),
        notes: Set(notes),
        recommendations: Set(json!(recommendations)),
        assessed_at: Set(assessed_at),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let first = customer.needs_assessed_at.is_none_or(|at| assessed_at < at);
    if first {
        let mut active: customers::ActiveModel = customer.into();
        active.needs_assessed_at = Set(Some(assessed_at));
        active.updated_at = Set(now);
        active.update(&txn).await?;
    }
    advance(&txn, customer_id, Cause::Assessed, Status::NeedsAssessed).await?;
    crate::outbox::sla::on_needs_assessed(&txn, customer_id).await?;
    let view = NeedsView::try_from(needs)?;
    let data = json!({"budget_min_fen": view.budget_min_fen, "budget_max_fen": view.budget_max_fen,
                      "districts": view.districts, "layout": view.layout, "purpose": view.purpose,
                      "recommended_units": view.recommendations.len()});
    let event = timeline::Event {
        customer_id,
        kind: timeline::Kind::NeedsAssessed,
        occurred_at: assessed_at,
        subject_id: Some(view.id),
        data,
    };
    timeline::commit_recorded(txn, ctx, actor, "needs_assessment", view.id, event).await?;
    Ok(view)
}

/// A customer's needs assessments, oldest first.
pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    scope: Scope,
    customer_id: Uuid,
    page: PageRequest,
) -> Result<Page<NeedsView>, DomainError> {
    find(db, actor, scope, customer_id).await?;
    let query = needs_assessments::Entity::find().filter(needs_assessments::Column::CustomerId.eq(customer_id));
    page.fetch(db, query, needs_assessments::Column::Id, |n| n.id)
        .await?
        .try_map(NeedsView::try_from)
}

/// Records the customer's reaction to one recommended unit.
pub async fn react(
    db: &(impl ConnectionTrait + TransactionTrait),
    ctx: &AuditContext,
    actor: &Actor,
    scope: Scope,
    (customer_id, needs_id, unit_id): (Uuid, Uuid, Uuid),
    reaction: NewRecommendation,
) -> Result<NeedsView, DomainError> {
    let NewRecommendation { reaction, note, .. } = reaction;
    let reaction = variant::<Reaction>(&reaction, "/reaction")?;
    let txn = crate::platform::db::begin_write(db).await?;
    find(&txn, actor, scope, customer_id).await?;
    let needs = needs_assessments::Entity::find_by_id(needs_id)
        .filter(needs_assessments::Column::CustomerId.eq(customer_id))
        .one(&txn)
        .await?
        .ok_or(DomainError::NotFound(Msg::NounNeedsAssessment))?;
    let mut view = NeedsView::try_from(needs.clone())?;
    let Some(entry) = view.recommendations.iter_mut().find(|r| r.unit_id == unit_id) else {
        return Err(DomainError::NotFound(Msg::NounRecommendation));
    };
    let before = json!(entry);
    entry.reaction = reaction;
    entry.note = note;
    let after = json!(entry);
    let mut active: needs_assessments::ActiveModel = needs.into();
    active.recommendations = Set(json!(view.recommendations));
    active.updated_at = Set(Utc::now());
    let view = NeedsView::try_from(active.update(&txn).await?)?;
    audit::record(
        &txn,
        ctx,
        "update",
        "needs_assessment",
        needs_id,
        Some(&before),
        Some(&after),
    )
    .await?;
    txn.commit().await?;
    Ok(view)
}
