//! Complaints (投诉): received on a customer, handled, resolved. A complaint
//! belongs to the customer's consultant and team; a major one is routed to
//! the team's manager, who then handles it. Staff reach complaints through
//! their `complaints:*` scope: `own` is the complaints they are the
//! consultant or the handler of, `team` adds their teams' complaints, `all`
//! every one. How long a complaint took to resolve feeds the manager's figures.

use chrono::{DateTime, Utc};
use entities::{
    complaints,
    complaints::{ComplaintStatus, Severity},
    customers, deals, teams,
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, TransactionTrait,
    sea_query::Condition,
};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crate::platform::text::Msg;
use crate::{
    access::actor::{Actor, ActorKind},
    access::audit::AuditContext,
    access::permissions::Scope,
    access::record::{self, Record},
    platform::error::{DomainError, FieldError},
    platform::page::{Page, PageRequest},
    platform::version,
    sales::timeline,
};

#[derive(Debug, Clone, Serialize)]
pub struct ComplaintView {
    pub id: Uuid,
    pub customer_id: Uuid,
    pub deal_id: Option<Uuid>,
    pub consultant_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    pub handler_id: Option<Uuid>,
    pub severity: String,
    pub summary: String,
    pub status: String,
    pub received_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub resolution: Option<String>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<complaints::Model> for ComplaintView {
    fn from(m: complaints::Model) -> Self {
        Self {
            id: m.id,
            customer_id: m.customer_id,
            deal_id: m.deal_id,
            consultant_id: m.consultant_id,
            team_id: m.team_id,
            handler_id: m.handler_id,
            severity: m.severity.to_string(),
            summary: m.summary,
            status: m.status.to_string(),
            received_at: m.received_at,
            resolved_at: m.resolved_at,
            resolution: m.resolution,
            created_by: m.created_by,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

impl Record for ComplaintView {
    type Entity = complaints::Entity;
    const NAME: Msg = Msg::NounComplaint;
    const AUDITED: &'static str = "complaint";
    fn audit_json(&self) -> serde_json::Value {
        json!({"customer_id": self.customer_id, "deal_id": self.deal_id, "consultant_id": self.consultant_id,
               "team_id": self.team_id, "handler_id": self.handler_id, "severity": self.severity, "summary": self.summary,
               "status": self.status, "received_at": self.received_at, "resolved_at": self.resolved_at,
               "resolution": self.resolution})
    }
}

/// The complaints a caller reaches with `scope`: as consultant or handler,
/// plus its teams' complaints with `team`.
pub fn reach(actor: &Actor, scope: Scope) -> Condition {
    use complaints::Column as C;
    if actor.kind == ActorKind::Client {
        // Partners push leads; complaints are the sales team's business.
        return Condition::all().add(C::Id.is_null());
    }
    let own = Condition::any()
        .add(C::ConsultantId.eq(actor.id))
        .add(C::HandlerId.eq(actor.id));
    match scope {
        Scope::All => Condition::all(),
        Scope::Own => own,
        Scope::Team if actor.team_ids.is_empty() => own,
        Scope::Team => own.add(C::TeamId.is_in(actor.team_ids.clone())),
    }
}

/// A complaint as received.
#[derive(Debug, Clone)]
pub struct NewComplaint {
    pub customer_id: Uuid,
    pub deal_id: Option<Uuid>,
    pub severity: String,
    pub summary: String,
    /// When the customer complained; now if not given.
    pub received_at: Option<DateTime<Utc>>,
}

fn check_summary(summary: &str, pointer: &str, errors: &mut Vec<FieldError>) {
    if summary.trim().is_empty() || summary.chars().count() > 4000 {
        errors.push(FieldError::new(pointer, Msg::OneToChars { max: 4000 }));
    }
}

/// Records a complaint on a customer within the caller's reach (by its
/// `complaints:write` scope); a major one is routed to the team's manager.
pub async fn create(
    db: &(impl ConnectionTrait + TransactionTrait),
    ctx: &AuditContext,
    actor: &Actor,
    scope: Scope,
    input: NewComplaint,
) -> Result<ComplaintView, DomainError> {
    let now = Utc::now();
    let mut errors = Vec::new();
    let severity = crate::platform::input::variant::<Severity>(&input.severity, "/severity")
        .map_err(|e| errors.push(e))
        .ok();
    check_summary(&input.summary, "/summary", &mut errors);
    crate::platform::input::reported_time(input.received_at, "/received_at", &mut errors);
    let txn = crate::platform::db::begin_write(db).await?;
    let customer = customers::Entity::find_by_id(input.customer_id)
        .filter(crate::sales::customers::reach(actor, scope))
        .one(&txn)
        .await?;
    let Some(customer) = customer else {
        errors.push(FieldError::new("/customer_id", Msg::NoCustomerInReach));
        return Err(DomainError::Validation(errors));
    };
    if let Some(deal_id) = input.deal_id {
        let deal = deals::Entity::find_by_id(deal_id).one(&txn).await?;
        if deal.is_none_or(|d| d.customer_id != customer.id) {
            errors.push(FieldError::new("/deal_id", Msg::NoDealOfCustomer));
        }
    }
    let (Some(severity), true) = (severity, errors.is_empty()) else {
        return Err(DomainError::Validation(errors));
    };
    let manager = match (severity, customer.team_id) {
        (Severity::Major, Some(team)) => teams::Entity::find_by_id(team)
            .one(&txn)
            .await?
            .and_then(|t| t.manager_id),
        _ => None,
    };
    let received_at = input.received_at.unwrap_or(now);
    let complaint = complaints::ActiveModel {
        id: Set(Uuid::now_v7()),
        customer_id: Set(customer.id),
        deal_id: Set(input.deal_id),
        consultant_id: Set(customer.owner_id),
        team_id: Set(customer.team_id),
        handler_id: Set(manager),
        severity: Set(severity),
        summary: Set(input.summary.trim().to_owned()),
        status: Set(ComplaintStatus::Open),
        received_at: Set(received_at),
        resolved_at: Set(None),
        resolution: Set(None),
        created_by: Set(actor.user_id()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let view = ComplaintView::from(complaint);
    crate::outbox::sla::on_complaint_received(&txn, view.id, view.customer_id, received_at).await?;
    timeline::record(
        &txn,
        Some(actor),
        timeline::Event {
            customer_id: view.customer_id,
            kind: timeline::Kind::ComplaintReceived,
            occurred_at: received_at,
            subject_id: Some(view.id),
            data: json!({"severity": view.severity, "summary": view.summary, "deal_id": view.deal_id}),
        },
    )
    .await?;
    if let Some(handler) = view.handler_id {
        timeline::record(
            &txn,
            Some(actor),
            timeline::Event {
                customer_id: view.customer_id,
                kind: timeline::Kind::ComplaintRouted,
                occurred_at: now,
                subject_id: Some(view.id),
                data: json!({"handler_id": handler, "team_id": view.team_id, "reason": "major complaint"}),
            },
        )
        .await?;
    }
    record::commit_created(txn, ctx, &view, view.id).await?;
    Ok(view)
}

/// What to look for among complaints.
#[derive(Debug, Clone, Default)]
pub struct ComplaintFilter {
    pub status: Option<String>,
    pub severity: Option<String>,
    pub customer_id: Option<Uuid>,
    pub consultant_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
}

pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    scope: Scope,
    filter: ComplaintFilter,
    page: PageRequest,
) -> Result<Page<ComplaintView>, DomainError> {
    use complaints::Column as C;
    let mut errors = Vec::new();
    let status = crate::platform::input::optional(
        filter.status.as_deref(),
        |s| crate::platform::input::variant::<ComplaintStatus>(s, "/status"),
        &mut errors,
    );
    let severity = crate::platform::input::optional(
        filter.severity.as_deref(),
        |s| crate::platform::input::variant::<Severity>(s, "/severity"),
        &mut errors,
    );
    if !errors.is_empty() {
        return Err(DomainError::Validation(errors));
    }
    let mut query = complaints::Entity::find().filter(reach(actor, scope));
    if let Some(status) = status {
        query = query.filter(C::Status.eq(status));
    }
    if let Some(severity) = severity {
        query = query.filter(C::Severity.eq(severity));
    }
    if let Some(customer) = filter.customer_id {
        query = query.filter(C::CustomerId.eq(customer));
    }
    if let Some(consultant) = filter.consultant_id {
        query = query.filter(C::ConsultantId.eq(consultant));
    }
    if let Some(team) = filter.team_id {
        query = query.filter(C::TeamId.eq(team));
    }
    Ok(page.fetch(db, query, C::Id, |c| c.id).await?.map(ComplaintView::from))
}

/// One complaint within the caller's reach; outside it, "not found".
pub async fn get(
    db: &impl ConnectionTrait,
    actor: &Actor,
    scope: Scope,
    id: Uuid,
) -> Result<ComplaintView, DomainError> {
    record::find::<ComplaintView>(db, reach(actor, scope), id)
        .await
        .map(Into::into)
}

/// Whether `actor` may resolve `complaint`. A complaint with a handler (a
/// major one routed to the team's manager, or one escalated when overdue)
/// is resolved by that handler or a manager of the complaint's team, not by
/// the consultant it was taken from; one without a handler by whoever
/// reaches it with `complaints:write`.
async fn may_resolve(
    db: &impl ConnectionTrait,
    actor: &Actor,
    complaint: &complaints::Model,
) -> Result<bool, DomainError> {
    let Some(handler) = complaint.handler_id else {
        return Ok(true);
    };
    if handler == actor.id {
        return Ok(true);
    }
    let Some(team) = complaint.team_id else {
        return Ok(false);
    };
    Ok(teams::Entity::find_by_id(team)
        .one(db)
        .await?
        .is_some_and(|t| t.manager_id == Some(actor.id)))
}

/// A change of a complaint's status: resolving it (with a resolution) or reopening it.
#[derive(Debug, Clone, Default)]
pub struct ComplaintChange {
    pub status: String,
    pub resolution: Option<String>,
    /// When it was resolved; now if not given.
    pub resolved_at: Option<DateTime<Utc>>,
}

/// Resolves or reopens a complaint.
pub async fn update(
    db: &(impl ConnectionTrait + TransactionTrait),
    ctx: &AuditContext,
    actor: &Actor,
    scope: Scope,
    id: Uuid,
    change: ComplaintChange,
    if_match: Option<&str>,
) -> Result<ComplaintView, DomainError> {
    let now = Utc::now();
    let mut errors = Vec::new();
    let to = crate::platform::input::variant::<ComplaintStatus>(&change.status, "/status");
    match to {
        Ok(ComplaintStatus::Resolved) => {
            match &change.resolution {
                None => errors.push(FieldError::new("/resolution", Msg::ComplaintResolutionRequired)),
                Some(r) => check_summary(r, "/resolution", &mut errors),
            }
            crate::platform::input::reported_time(change.resolved_at, "/resolved_at", &mut errors);
        }
        Ok(ComplaintStatus::Open) => {
            for (given, pointer) in [
                (change.resolution.is_some(), "/resolution"),
                (change.resolved_at.is_some(), "/resolved_at"),
            ] {
                if given {
                    errors.push(FieldError::new(pointer, Msg::OnlyForResolving));
                }
            }
        }
        Err(ref rule) => errors.push(rule.clone()),
    }
    let (Ok(to), true) = (to, errors.is_empty()) else {
        return Err(DomainError::Validation(errors));
    };
    let txn = crate::platform::db::begin_write(db).await?;
    let complaint = record::find::<ComplaintView>(&txn, reach(actor, scope), id).await?;
    let before = ComplaintView::from(complaint.clone());
    version::check(if_match, &before)?;
    if complaint.status == to {
        let other = match to {
            ComplaintStatus::Open => ComplaintStatus::Resolved,
            ComplaintStatus::Resolved => ComplaintStatus::Open,
        };
        return Err(DomainError::IllegalTransition {
            what: Box::new(Msg::NounComplaint),
            from: complaint.status.to_string(),
            to: to.to_string(),
            allowed: vec![other.to_string()],
        });
    }
    if to == ComplaintStatus::Resolved && !may_resolve(&txn, actor, &complaint).await? {
        return Err(DomainError::Forbidden(Msg::ComplaintResolvedByHandler));
    }
    let resolved_at = change.resolved_at.unwrap_or(now);
    if to == ComplaintStatus::Resolved && resolved_at < complaint.received_at {
        return Err(DomainError::invalid("/resolved_at", Msg::NotBeforeReceived));
    }
    let mut active: complaints::ActiveModel = complaint.into();
    active.status = Set(to);
    if to == ComplaintStatus::Resolved {
        active.resolution = Set(change.resolution.map(|r| r.trim().to_owned()));
        active.resolved_at = Set(Some(resolved_at));
    } else {
        active.resolution = Set(None);
        active.resolved_at = Set(None);
    }
    active.updated_at = Set(now);
    let after = ComplaintView::from(active.update(&txn).await?);
    if to == ComplaintStatus::Resolved {
        crate::outbox::sla::on_complaint_resolved(&txn, after.id).await?;
    } else {
        crate::outbox::sla::on_complaint_received(&txn, after.id, after.customer_id, now).await?;
    }
    let event = if to == ComplaintStatus::Resolved {
        timeline::Event {
            customer_id: after.customer_id,
            kind: timeline::Kind::ComplaintResolved,
            occurred_at: resolved_at,
            subject_id: Some(after.id),
            data: json!({"resolution": after.resolution,
                         "seconds_to_resolve": (resolved_at - after.received_at).num_seconds()}),
        }
    } else {
        timeline::Event {
            customer_id: after.customer_id,
            kind: timeline::Kind::ComplaintReopened,
            occurred_at: now,
            subject_id: Some(after.id),
            data: json!({"previous_resolution": before.resolution}),
        }
    };
    timeline::record(&txn, Some(actor), event).await?;
    let action = if to == ComplaintStatus::Resolved {
        "resolve"
    } else {
        "reopen"
    };
    record::commit_changed(txn, ctx, action, id, &before, &after).await?;
    Ok(after)
}
