//! Negotiation plans (预设客户异议及应对方案): per deal, the objections the
//! consultant expects from the customer, each with the answer prepared, the
//! lowest price they may concede to, and notes. Read with the deal
//! (`deals:read` and its scope); written whole with `PUT` by the deal's
//! consultant (`deals:write` on their own deals) or their manager (`team`).
//! Support staff reach the deal for its paperwork but do not write its
//! plan. Each write raises `version`, is audited and leaves a timeline
//! entry (`negotiation_plan_updated`, which partners never see).

use chrono::{DateTime, Utc};
use entities::negotiation_plans;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set, TransactionTrait};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    access::actor::Actor,
    access::audit::AuditContext,
    access::permissions::Scope,
    access::record::{self, Record},
    platform::error::{DomainError, FieldError},
    platform::money::{self, Floor},
    platform::text::{Amount, Msg},
    platform::version,
    sales::deal_stages::StageRules,
    sales::deals,
    sales::project_briefs::{at_most, required_text},
    sales::timeline,
};

pub const MAX_OBJECTIONS: usize = 30;
pub const MAX_OBJECTION: usize = 500;
pub const MAX_ANSWER: usize = 2000;
pub const MAX_NOTES: usize = 4000;

/// An objection the customer is expected to raise, and the answer to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Objection {
    pub objection: String,
    pub answer: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct PlanView {
    pub deal_id: Uuid,
    pub objections: Vec<Objection>,
    pub concession_floor_fen: Option<i64>,
    pub notes: Option<String>,
    pub version: i32,
    pub updated_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl TryFrom<negotiation_plans::Model> for PlanView {
    type Error = DomainError;

    /// Fails only if the stored objections are not what this module wrote: a bug.
    fn try_from(m: negotiation_plans::Model) -> Result<Self, DomainError> {
        let objections = serde_json::from_value(m.objections)
            .map_err(|e| DomainError::Internal(format!("negotiation plan {}: stored objections: {e}", m.deal_id)))?;
        Ok(Self {
            deal_id: m.deal_id,
            objections,
            concession_floor_fen: m.concession_floor_fen,
            notes: m.notes,
            version: m.version,
            updated_by: m.updated_by,
            created_at: m.created_at,
            updated_at: m.updated_at,
        })
    }
}

impl Record for PlanView {
    type Entity = negotiation_plans::Entity;
    const NAME: Msg = Msg::NounNegotiationPlan;
    const AUDITED: &'static str = "negotiation_plan";
    fn audit_json(&self) -> Value {
        json!({"deal_id": self.deal_id, "objections": self.objections,
               "concession_floor_fen": self.concession_floor_fen, "notes": self.notes, "version": self.version})
    }
}

/// A plan as written: the whole of it.
#[derive(Debug, Clone, Default)]
pub struct PlanInput {
    pub objections: Vec<Objection>,
    pub concession_floor_fen: Option<i64>,
    pub notes: Option<String>,
}

/// The plan trimmed, or every rule it breaks that needs no deal.
fn check(input: PlanInput, errors: &mut Vec<FieldError>) -> PlanInput {
    at_most(input.objections.len(), MAX_OBJECTIONS, "/objections", errors);
    let objections = (input.objections.into_iter().enumerate())
        .map(|(i, o)| Objection {
            objection: required_text(
                &o.objection,
                format!("/objections/{i}/objection"),
                MAX_OBJECTION,
                errors,
            ),
            answer: required_text(&o.answer, format!("/objections/{i}/answer"), MAX_ANSWER, errors),
        })
        .collect();
    money::check_optional(
        input.concession_floor_fen,
        Floor::OneFen,
        "/concession_floor_fen",
        errors,
    );
    let notes = crate::platform::input::optional_text(input.notes, "/notes", MAX_NOTES, errors);
    PlanInput {
        objections,
        concession_floor_fen: input.concession_floor_fen,
        notes,
    }
}

/// The plan of a deal within the caller's reach (`deals:read`): 404 for a
/// deal outside it, or one without a plan yet.
pub async fn get(
    db: &impl ConnectionTrait,
    actor: &Actor,
    scope: Scope,
    deal_id: Uuid,
) -> Result<PlanView, DomainError> {
    let deal = deals::find(db, actor, scope, deal_id, false).await?;
    negotiation_plans::Entity::find_by_id(deal.id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound(PlanView::NAME))?
        .try_into()
}

/// Writes the plan of a deal within the caller's reach (`deals:write`)
/// whole, while the deal is neither closed nor cancelled: the first write
/// creates it at version 1, each later one raises the version; `if_match`
/// (optional) must name the version read.
pub async fn put(
    db: &(impl ConnectionTrait + TransactionTrait),
    ctx: &AuditContext,
    actor: &Actor,
    scope: Scope,
    deal_id: Uuid,
    input: PlanInput,
    if_match: Option<&str>,
) -> Result<PlanView, DomainError> {
    let mut errors = Vec::new();
    let input = check(input, &mut errors);
    let txn = crate::platform::db::begin_write(db).await?;
    let deal = deals::find(&txn, actor, scope, deal_id, true).await?;
    if scope == Scope::Own && deal.consultant_id != actor.id {
        return Err(DomainError::Forbidden(Msg::PlanByConsultant));
    }
    if input
        .concession_floor_fen
        .is_some_and(|floor| floor > deal.agreed_price_fen)
    {
        errors.push(FieldError::new(
            "/concession_floor_fen",
            Msg::NotAboveAgreedPrice {
                price: Amount(deal.agreed_price_fen),
            },
        ));
    }
    if !errors.is_empty() {
        return Err(DomainError::Validation(errors));
    }
    if deal.stage.is_final() {
        return Err(DomainError::Conflict(Msg::DealIs {
            stage: deal.stage.to_string(),
        }));
    }
    let now = Utc::now();
    let current = negotiation_plans::Entity::find_by_id(deal.id).one(&txn).await?;
    let before = current.clone().map(PlanView::try_from).transpose()?;
    match &before {
        Some(before) => version::check(if_match, before)?,
        // Any precondition names a version, and there is none yet.
        None if if_match.is_some() => return Err(DomainError::PreconditionFailed),
        None => {}
    }
    let objections = json!(input.objections);
    let written = match current {
        None => {
            negotiation_plans::ActiveModel {
                deal_id: Set(deal.id),
                objections: Set(objections),
                concession_floor_fen: Set(input.concession_floor_fen),
                notes: Set(input.notes),
                version: Set(1),
                updated_by: Set(actor.user_id()),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(&txn)
            .await?
        }
        Some(current) => {
            let version = current.version + 1;
            let mut active: negotiation_plans::ActiveModel = current.into();
            active.objections = Set(objections);
            active.concession_floor_fen = Set(input.concession_floor_fen);
            active.notes = Set(input.notes);
            active.version = Set(version);
            active.updated_by = Set(actor.user_id());
            active.updated_at = Set(now);
            active.update(&txn).await?
        }
    };
    let after = PlanView::try_from(written)?;
    timeline::record(
        &txn,
        Some(actor),
        timeline::Event {
            customer_id: deal.customer_id,
            kind: timeline::Kind::NegotiationPlanUpdated,
            occurred_at: now,
            subject_id: Some(deal.id),
            data: json!({"deal_id": deal.id, "version": after.version, "objections": after.objections.len()}),
        },
    )
    .await?;
    match before {
        None => record::commit_created(txn, ctx, &after, deal.id).await?,
        Some(before) => record::commit_changed(txn, ctx, "update", deal.id, &before, &after).await?,
    }
    Ok(after)
}
