//! Follow-ups (跟进回访): every contact with a customer, recorded the same
//! day. The first one that reaches the customer stamps the first-response
//! time (初次接触) and makes a new lead `contacted`; every one moves the
//! last-follow-up time that the weekly follow-up deadline counts from.

use chrono::{DateTime, Utc};
use entities::{customers, follow_ups};
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, TransactionTrait};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crate::{
    access::actor::Actor,
    access::audit::AuditContext,
    access::permissions::Scope,
    platform::error::{DomainError, FieldError},
    platform::input::{CLOCK_SKEW, optional_text, reported_time},
    platform::page::{Page, PageRequest},
    platform::text::Msg,
    sales::customer_status::{Cause, Status},
    sales::customers::{advance, find},
    sales::timeline,
};

/// How the customer was contacted, stored and named as `entities` spells it.
pub use entities::follow_ups::FollowUpKind as Kind;

#[derive(Debug, Clone, Serialize)]
pub struct FollowUpView {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub author_id: Option<Uuid>,
    pub kind: String,
    pub occurred_at: DateTime<Utc>,
    pub reached: bool,
    pub notes: Option<String>,
    pub next_step: Option<String>,
    pub next_follow_up_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl From<follow_ups::Model> for FollowUpView {
    fn from(m: follow_ups::Model) -> Self {
        Self {
            id: m.id,
            customer_id: m.customer_id,
            author_id: m.author_id,
            kind: m.kind.to_string(),
            occurred_at: m.occurred_at,
            reached: m.reached,
            notes: m.notes,
            next_step: m.next_step,
            next_follow_up_at: m.next_follow_up_at,
            created_at: m.created_at,
        }
    }
}

#[derive(Debug, Clone)]
pub struct NewFollowUp {
    pub kind: String,
    /// When the contact happened; now if not given.
    pub occurred_at: Option<DateTime<Utc>>,
    /// Whether the customer was reached (an unanswered call is not a response).
    pub reached: bool,
    pub notes: Option<String>,
    pub next_step: Option<String>,
    pub next_follow_up_at: Option<DateTime<Utc>>,
}

pub async fn create(
    db: &(impl ConnectionTrait + TransactionTrait),
    ctx: &AuditContext,
    actor: &Actor,
    scope: Scope,
    customer_id: Uuid,
    input: NewFollowUp,
) -> Result<FollowUpView, DomainError> {
    let now = Utc::now();
    let mut errors = Vec::new();
    let occurred_at = reported_time(input.occurred_at, "/occurred_at", &mut errors);
    let kind = crate::platform::input::variant::<Kind>(&input.kind, "/kind")
        .map_err(|e| errors.push(e))
        .ok();
    let notes = optional_text(input.notes, "/notes", 4000, &mut errors);
    let next_step = optional_text(input.next_step, "/next_step", 500, &mut errors);
    if input.next_follow_up_at.is_some_and(|next| next <= occurred_at) {
        errors.push(FieldError::new("/next_follow_up_at", Msg::AfterOccurredAt));
    }
    let (Some(kind), true) = (kind, errors.is_empty()) else {
        return Err(DomainError::Validation(errors));
    };
    let txn = crate::platform::db::begin_write(db).await?;
    let customer = find(&txn, actor, scope, customer_id).await?;
    if occurred_at < customer.created_at - CLOCK_SKEW {
        return Err(DomainError::invalid("/occurred_at", Msg::BeforeCustomerRecorded));
    }
    if customer.merged_into_id.is_some() {
        return Err(DomainError::Rule {
            code: "customer_merged",
            detail: Msg::MergedRecordThere,
        });
    }
    let follow_up = follow_ups::ActiveModel {
        id: Set(Uuid::now_v7()),
        customer_id: Set(customer_id),
        author_id: Set(actor.user_id()),
        kind: Set(kind),
        occurred_at: Set(occurred_at),
        reached: Set(input.reached),
        notes: Set(notes),
        next_step: Set(next_step),
        next_follow_up_at: Set(input.next_follow_up_at),
        created_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let first_response = input.reached && customer.first_response_at.is_none_or(|at| occurred_at < at);
    let mut active: customers::ActiveModel = customer.clone().into();
    if first_response {
        active.first_response_at = Set(Some(occurred_at));
    }
    active.last_follow_up_at = Set(Some(
        customer.last_follow_up_at.map_or(occurred_at, |at| at.max(occurred_at)),
    ));
    // A reached revisit of a key account (定期进行客户回访) meets its
    // revisit deadline and starts the next; a customer manager who makes it
    // answers for the account from then on.
    let revisit = kind == Kind::Revisit && input.reached && crate::outbox::sla::revisits_apply(&customer);
    if revisit && let Some(manager) = crate::sales::customers::account_manager(actor) {
        active.account_manager_id = Set(Some(manager));
    }
    active.updated_at = Set(now);
    active.update(&txn).await?;
    if input.reached {
        advance(&txn, customer_id, Cause::Reached, Status::Contacted).await?;
    }
    crate::outbox::sla::on_follow_up(&txn, customer_id, occurred_at, input.reached, customer.status).await?;
    if revisit {
        crate::outbox::sla::on_revisit(&txn, customer_id, occurred_at).await?;
    }
    let view = FollowUpView::from(follow_up);
    let data = json!({"kind": view.kind, "reached": view.reached, "notes": view.notes, "next_step": view.next_step,
                      "first_response": first_response});
    let event = timeline::Event {
        customer_id,
        kind: timeline::Kind::FollowUp,
        occurred_at,
        subject_id: Some(view.id),
        data,
    };
    timeline::commit_recorded(txn, ctx, actor, "follow_up", view.id, event).await?;
    Ok(view)
}

/// A customer's follow-ups, oldest recorded first.
pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    scope: Scope,
    customer_id: Uuid,
    page: PageRequest,
) -> Result<Page<FollowUpView>, DomainError> {
    find(db, actor, scope, customer_id).await?;
    let query = follow_ups::Entity::find().filter(follow_ups::Column::CustomerId.eq(customer_id));
    Ok(page
        .fetch(db, query, follow_ups::Column::Id, |f| f.id)
        .await?
        .map(FollowUpView::from))
}
