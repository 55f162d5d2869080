//! Who works a lead: a named consultant, or the next one in turn among the
//! active, unpaused consultants of a team (round-robin: the one whose last
//! lead is oldest). Assignment and reassignment are separate actions, each
//! recorded on the customer's timeline with its reason. Every change of
//! hands, by staff or by the service itself (a missed first response under
//! a `reassign` policy, a routing rule on a lead's arrival), goes through
//! one hand-over.

use chrono::Utc;
use entities::{customers as customer_rows, teams, users};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set, TransactionSession,
    TransactionTrait,
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
    sales::customers::{self, CustomerView},
    sales::timeline,
};

/// To whom a lead goes: exactly one of the two.
#[derive(Debug, Clone, Default)]
pub struct AssignmentInput {
    /// A named consultant.
    pub consultant_id: Option<Uuid>,
    /// Round-robin among this team's active consultants.
    pub team_id: Option<Uuid>,
    pub reason: Option<String>,
}

/// Whether this is the first assignment of the lead or a change of hands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Assign,
    Reassign,
}

fn within(scope: Scope, actor: &Actor, team: Option<Uuid>) -> bool {
    match scope {
        Scope::All => true,
        Scope::Team => team.is_some_and(|t| actor.team_ids.contains(&t)),
        Scope::Own => false,
    }
}

/// Assigns (or reassigns) a lead. The caller's `customers:assign` scope
/// bounds both the customer and the consultant it goes to.
pub async fn assign(
    db: &(impl ConnectionTrait + TransactionTrait),
    ctx: &AuditContext,
    actor: &Actor,
    scope: Scope,
    id: Uuid,
    kind: Kind,
    input: AssignmentInput,
) -> Result<CustomerView, DomainError> {
    let mut errors = Vec::new();
    let reason = input.reason.map(|r| r.trim().to_owned());
    match (&input.consultant_id, &input.team_id) {
        (Some(_), Some(_)) | (None, None) => errors.push(FieldError::new("/consultant_id", Msg::ConsultantOrTeam)),
        _ => {}
    }
    match &reason {
        Some(r) if r.is_empty() || r.chars().count() > 500 => {
            errors.push(FieldError::new("/reason", Msg::OneToChars { max: 500 }));
        }
        None if kind == Kind::Reassign => errors.push(FieldError::new("/reason", Msg::RequiredToReassign)),
        _ => {}
    }
    if !errors.is_empty() {
        return Err(DomainError::Validation(errors));
    }
    let txn = crate::platform::db::begin_write(db).await?;
    let customer = customers::find(&txn, actor, scope, id).await?;
    if customer.merged_into_id.is_some() {
        return Err(DomainError::Rule {
            code: "customer_merged",
            detail: Msg::MergedAssignThatOne,
        });
    }
    match (kind, customer.owner_id) {
        (Kind::Assign, Some(_)) => {
            return Err(DomainError::Rule {
                code: "already_assigned",
                detail: Msg::AlreadyAssigned,
            });
        }
        (Kind::Reassign, None) => {
            return Err(DomainError::Rule {
                code: "not_assigned",
                detail: Msg::NotAssigned,
            });
        }
        _ => {}
    }
    let (consultant, strategy) = match (input.consultant_id, input.team_id) {
        (Some(consultant), _) => {
            let user = users::Entity::find_by_id(consultant)
                .one(&txn)
                .await?
                .filter(|u| u.status == users::UserStatus::Active)
                .ok_or_else(|| DomainError::invalid("/consultant_id", Msg::NoSuchActiveUser))?;
            if !within(scope, actor, user.team_id) {
                return Err(DomainError::invalid("/consultant_id", Msg::OutsideTeamsYouMayAssign));
            }
            if customer.owner_id == Some(user.id) {
                return Err(DomainError::invalid("/consultant_id", Msg::AlreadyOwnsCustomer));
            }
            (user, "named")
        }
        (None, team) => {
            let team = team.ok_or_else(|| DomainError::invalid("/team_id", Msg::Required))?;
            if !within(scope, actor, Some(team)) {
                return Err(DomainError::invalid("/team_id", Msg::OutsideTeamsYouMayAssign));
            }
            let next = next_in_turn(&txn, team, customer.owner_id)
                .await?
                .ok_or_else(|| DomainError::Rule {
                    code: "no_available_consultant",
                    detail: Msg::NoAvailableConsultant,
                })?;
            (next, "round_robin")
        }
    };
    let change = HandOver {
        kind,
        consultant,
        strategy,
        reason: reason.as_deref(),
        rule: None,
    };
    let after = hand_over(&txn, ctx, Some(actor), customer, change).await?;
    txn.commit().await?;
    Ok(after)
}

/// Reassigns a lead on the service's own authority (a missed first response
/// under a `reassign` policy): to the next consultant in turn of its team,
/// exactly as a manager's round-robin reassignment would, recorded as done
/// by the service (no user, no client). `Ok(None)` when there is no one to
/// take it — the lead has no team or owner, or the team has no other
/// active, unpaused consultant: the lead then stays where it is.
pub async fn reassign_in_turn(
    db: &impl ConnectionTrait,
    id: Uuid,
    reason: &str,
) -> Result<Option<CustomerView>, DomainError> {
    let customer = customer_rows::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(DomainError::NotFound(Msg::NounCustomer))?;
    let (Some(team), Some(_)) = (customer.team_id, customer.owner_id) else {
        return Ok(None);
    };
    if customer.merged_into_id.is_some() {
        return Ok(None);
    }
    let Some(consultant) = next_in_turn(db, team, customer.owner_id).await? else {
        return Ok(None);
    };
    let change = HandOver {
        kind: Kind::Reassign,
        consultant,
        strategy: "round_robin",
        reason: Some(reason),
        rule: None,
    };
    hand_over(db, &AuditContext::system(), None, customer, change)
        .await
        .map(Some)
}

/// Where a routing rule sends a lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A named consultant, if active.
    Consultant(Uuid),
    /// The next consultant in turn of the team, as a round-robin assignment.
    Team(Uuid),
}

/// Assigns a lead that has just arrived, inside the transaction that
/// created it, as a routing rule says (`rule` names it and its version on
/// the timeline and in the audit entry), on the service's own authority.
/// `Ok(None)` when the target can take no lead — the consultant is not
/// active, or the team has no active, unpaused consultant — so that the
/// next rule may; a lead that is already someone's is left alone.
pub(crate) async fn assign_by_rule(
    txn: &impl ConnectionTrait,
    ctx: &AuditContext,
    id: Uuid,
    target: Target,
    rule: serde_json::Value,
) -> Result<Option<CustomerView>, DomainError> {
    let customer = customer_rows::Entity::find_by_id(id)
        .one(txn)
        .await?
        .ok_or(DomainError::NotFound(Msg::NounCustomer))?;
    if customer.owner_id.is_some() || customer.merged_into_id.is_some() {
        return Ok(None);
    }
    let chosen = match target {
        Target::Consultant(consultant) => users::Entity::find_by_id(consultant)
            .one(txn)
            .await?
            .filter(|u| u.status == users::UserStatus::Active)
            .map(|u| (u, "named")),
        Target::Team(team) => match teams::Entity::find_by_id(team).one(txn).await? {
            None => None,
            Some(_) => next_in_turn(txn, team, None).await?.map(|u| (u, "round_robin")),
        },
    };
    let Some((consultant, strategy)) = chosen else {
        return Ok(None);
    };
    let change = HandOver {
        kind: Kind::Assign,
        consultant,
        strategy,
        reason: None,
        rule: Some(rule),
    };
    hand_over(txn, ctx, None, customer, change).await.map(Some)
}

/// A change of hands, decided: to whom, chosen how, and why.
struct HandOver<'a> {
    kind: Kind,
    consultant: users::Model,
    /// `named` or `round_robin`.
    strategy: &'static str,
    reason: Option<&'a str>,
    /// The routing rule that chose it (id, name, version), if one did.
    rule: Option<serde_json::Value>,
}

/// Hands `customer` to the chosen consultant inside the caller's
/// transaction — the one place where a lead changes hands: the customer's
/// owner and team, the consultant's turn in the rotation, the timeline
/// entry, the partner's `customer.assigned` event and the audit entry.
/// `by` is the caller, or `None` for the service itself.
async fn hand_over(
    txn: &impl ConnectionTrait,
    ctx: &AuditContext,
    by: Option<&Actor>,
    customer: customer_rows::Model,
    change: HandOver<'_>,
) -> Result<CustomerView, DomainError> {
    let HandOver {
        kind,
        consultant,
        strategy,
        reason,
        rule,
    } = change;
    let id = customer.id;
    let now = Utc::now();
    let before = CustomerView::from(customer.clone());
    let mut active: customer_rows::ActiveModel = customer.into();
    active.owner_id = Set(Some(consultant.id));
    active.team_id = Set(consultant.team_id);
    active.assigned_at = Set(Some(now));
    active.updated_at = Set(now);
    let after = CustomerView::from(active.update(txn).await?);
    let mut turn: users::ActiveModel = consultant.clone().into();
    turn.last_lead_assigned_at = Set(Some(now));
    turn.update(txn).await?;

    let (entry, action) = match kind {
        Kind::Assign => (timeline::Kind::Assigned, "assigned"),
        Kind::Reassign => (timeline::Kind::Reassigned, "reassigned"),
    };
    let mut data = json!({"consultant_id": consultant.id, "team_id": consultant.team_id, "strategy": strategy,
                          "reason": reason, "previous_owner_id": before.owner_id});
    if let Some(rule) = rule {
        data["routing_rule"] = rule;
    }
    let event = timeline::Event {
        customer_id: id,
        kind: entry,
        occurred_at: now,
        subject_id: Some(consultant.id),
        data: data.clone(),
    };
    timeline::record(txn, by, event).await?;
    if let Some(client) = after.source_client_id {
        let payload = json!({"customer_id": id, "consultant_id": consultant.id, "team_id": consultant.team_id,
                             "reassigned": kind == Kind::Reassign});
        let event = crate::outbox::events::Event {
            name: "customer.assigned",
            client_id: Some(client),
            subject_id: Some(id),
            payload,
        };
        crate::outbox::events::emit(txn, event).await?;
    }
    let before_json = json!({"owner_id": before.owner_id, "team_id": before.team_id});
    audit::record(txn, ctx, action, "customer", id, Some(&before_json), Some(&data)).await?;
    Ok(after)
}

/// The team's consultant whose turn it is: active, not paused, holding the
/// `consultant` role, and the longest without a new lead (never first; ties
/// by id); `None` if the team has no one (else than the current owner). The
/// team row is locked so that concurrent assignments take turns.
async fn next_in_turn(
    db: &impl ConnectionTrait,
    team: Uuid,
    current_owner: Option<Uuid>,
) -> Result<Option<users::Model>, DomainError> {
    teams::Entity::find_by_id(team)
        .lock_exclusive()
        .one(db)
        .await?
        .ok_or_else(|| DomainError::invalid("/team_id", Msg::NoSuchTeam))?;
    let mut candidates: Vec<users::Model> = users::Entity::find()
        .filter(users::Column::TeamId.eq(team))
        .filter(users::Column::Status.eq(users::UserStatus::Active))
        .filter(users::Column::LeadIntakePaused.eq(false))
        .filter(users::Column::Id.in_subquery(crate::access::roles::holders("consultant")))
        .all(db)
        .await?;
    candidates.retain(|u| Some(u.id) != current_owner);
    candidates.sort_by_key(|u| (u.last_lead_assigned_at, u.id));
    Ok(candidates.into_iter().next())
}

/// Whether a consultant takes round-robin leads.
#[derive(Debug, Clone, Serialize)]
pub struct LeadIntake {
    pub user_id: Uuid,
    pub paused: bool,
}

/// Pauses or resumes a consultant's round-robin leads (holidays, training).
pub async fn set_intake(
    db: &(impl ConnectionTrait + TransactionTrait),
    ctx: &AuditContext,
    actor: &Actor,
    scope: Scope,
    user_id: Uuid,
    paused: bool,
) -> Result<LeadIntake, DomainError> {
    let txn = crate::platform::db::begin_write(db).await?;
    let user = users::Entity::find_by_id(user_id)
        .one(&txn)
        .await?
        .filter(|u| u.id == actor.id || within(scope, actor, u.team_id))
        .ok_or(DomainError::NotFound(Msg::NounUser))?;
    let before = json!({"lead_intake_paused": user.lead_intake_paused});
    let mut active: users::ActiveModel = user.into();
    active.lead_intake_paused = Set(paused);
    active.updated_at = Set(Utc::now());
    active.update(&txn).await?;
    let after = json!({"lead_intake_paused": paused});
    audit::record(&txn, ctx, "update", "user", user_id, Some(&before), Some(&after)).await?;
    txn.commit().await?;
    Ok(LeadIntake { user_id, paused })
}
