//! Customer events (客户活动): open days and themed events that the
//! customer manager organises, the customers invited to them and whether
//! they came. Inviting and attending are written on the customer's
//! timeline. Events are department-wide: `team` and `all` read every event,
//! `own` only the events the caller organised.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entities::{customer_events, customers, event_invitations};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set, TransactionSession,
    TransactionTrait,
    sea_query::{Condition, Expr, Func},
};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crate::platform::text::Msg;
use crate::{
    access::actor::{Actor, ActorKind},
    access::audit::{self, AuditContext},
    access::permissions::Scope,
    access::record::{self, Record},
    platform::error::{DomainError, FieldError},
    platform::input,
    platform::page::{Page, PageRequest},
    platform::version,
    sales::timeline,
};

/// Kinds of events: open day (开放日) or themed event (主题活动), stored and
/// named as `entities` spells them.
pub use entities::customer_events::CustomerEventKind as Kind;

#[derive(Debug, Clone, Serialize)]
pub struct EventView {
    pub id: Uuid,
    pub title: String,
    pub kind: String,
    pub starts_at: DateTime<Utc>,
    pub location: Option<String>,
    pub created_by: Option<Uuid>,
    pub invited_count: u64,
    pub attended_count: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl EventView {
    fn of(m: customer_events::Model, invited_count: u64, attended_count: u64) -> Self {
        Self {
            id: m.id,
            title: m.title,
            kind: m.kind.to_string(),
            starts_at: m.starts_at,
            location: m.location,
            created_by: m.created_by,
            invited_count,
            attended_count,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct InvitationView {
    pub event_id: Uuid,
    pub customer_id: Uuid,
    pub attended: bool,
    pub invited_by: Option<Uuid>,
    pub invited_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<event_invitations::Model> for InvitationView {
    fn from(m: event_invitations::Model) -> Self {
        Self {
            event_id: m.event_id,
            customer_id: m.customer_id,
            attended: m.attended,
            invited_by: m.invited_by,
            invited_at: m.invited_at,
            updated_at: m.updated_at,
        }
    }
}

impl Record for EventView {
    type Entity = customer_events::Entity;
    const NAME: Msg = Msg::NounCustomerEvent;
    const AUDITED: &'static str = "customer_event";
    fn audit_json(&self) -> serde_json::Value {
        json!({"title": self.title, "kind": self.kind, "starts_at": self.starts_at, "location": self.location})
    }
}

/// The events a caller reaches with `scope`.
pub fn reach(actor: &Actor, scope: Scope) -> Condition {
    use customer_events::Column as C;
    match (actor.kind, scope) {
        (ActorKind::Client, _) => Condition::all().add(C::Id.is_null()),
        (_, Scope::All | Scope::Team) => Condition::all(),
        (_, Scope::Own) => Condition::all().add(C::CreatedBy.eq(actor.id)),
    }
}

/// An event's fields, for a new one or a change (only those given change).
#[derive(Debug, Clone, Default)]
pub struct EventInput {
    pub title: Option<String>,
    pub kind: Option<String>,
    pub starts_at: Option<DateTime<Utc>>,
    pub location: Option<Option<String>>,
}

/// The kind `input` names, if any, after every rule it breaks is in `errors`.
fn check(input: &EventInput, creating: bool, errors: &mut Vec<FieldError>) -> Option<Kind> {
    match &input.title {
        Some(t) if t.trim().is_empty() || t.chars().count() > 200 => {
            errors.push(FieldError::new("/title", Msg::OneToChars { max: 200 }));
        }
        None if creating => errors.push(FieldError::new("/title", Msg::Required)),
        _ => {}
    }
    let kind = input::optional(input.kind.as_deref(), |k| input::variant(k, "/kind"), errors);
    if creating && input.kind.is_none() {
        errors.push(FieldError::new("/kind", Msg::Required));
    }
    if creating && input.starts_at.is_none() {
        errors.push(FieldError::new("/starts_at", Msg::Required));
    }
    if input.location.as_ref().is_some_and(|l| {
        l.as_ref()
            .is_some_and(|l| l.trim().is_empty() || l.chars().count() > 200)
    }) {
        errors.push(FieldError::new("/location", Msg::OneToChars { max: 200 }));
    }
    kind
}

/// Invited and attended counts of `events`, in two queries whatever their number.
async fn counts(db: &impl ConnectionTrait, events: &[Uuid]) -> Result<HashMap<Uuid, (u64, u64)>, DomainError> {
    use event_invitations::Column as I;
    let mut counts: HashMap<Uuid, (u64, u64)> = HashMap::new();
    if events.is_empty() {
        return Ok(counts);
    }
    for attended_only in [false, true] {
        let mut query = event_invitations::Entity::find()
            .select_only()
            .column(I::EventId)
            .column_as(Expr::expr(Func::count(Expr::col(I::CustomerId))), "n")
            .filter(I::EventId.is_in(events.to_vec()))
            .group_by(I::EventId);
        if attended_only {
            query = query.filter(I::Attended.eq(true));
        }
        let rows: Vec<(Uuid, i64)> = query.into_tuple().all(db).await?;
        for (event, n) in rows {
            let entry = counts.entry(event).or_default();
            let n = u64::try_from(n).unwrap_or(0);
            if attended_only {
                entry.1 = n;
            } else {
                entry.0 = n;
            }
        }
    }
    Ok(counts)
}

async fn view(db: &impl ConnectionTrait, event: customer_events::Model) -> Result<EventView, DomainError> {
    let (invited, attended) = counts(db, &[event.id]).await?.remove(&event.id).unwrap_or_default();
    Ok(EventView::of(event, invited, attended))
}

pub async fn create(
    db: &(impl ConnectionTrait + TransactionTrait),
    ctx: &AuditContext,
    actor: &Actor,
    input: EventInput,
) -> Result<EventView, DomainError> {
    let mut errors = Vec::new();
    let kind = check(&input, true, &mut errors);
    let (Some(kind), true) = (kind, errors.is_empty()) else {
        return Err(DomainError::Validation(errors));
    };
    let now = Utc::now();
    let txn = crate::platform::db::begin_write(db).await?;
    let event = customer_events::ActiveModel {
        id: Set(Uuid::now_v7()),
        title: Set(input.title.unwrap_or_default().trim().to_owned()),
        kind: Set(kind),
        starts_at: Set(input.starts_at.unwrap_or(now)),
        location: Set(input.location.flatten().map(|l| l.trim().to_owned())),
        created_by: Set(actor.user_id()),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let view = EventView::of(event, 0, 0);
    record::commit_created(txn, ctx, &view, view.id).await?;
    Ok(view)
}

/// What to look for among events.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    pub kind: Option<String>,
    /// Starting at or after.
    pub from: Option<DateTime<Utc>>,
    /// Starting before.
    pub to: Option<DateTime<Utc>>,
}

pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    scope: Scope,
    filter: EventFilter,
    page: PageRequest,
) -> Result<Page<EventView>, DomainError> {
    use customer_events::Column as C;
    let kind = filter
        .kind
        .as_deref()
        .map(|k| input::variant::<Kind>(k, "/kind"))
        .transpose()?;
    let mut query = customer_events::Entity::find().filter(reach(actor, scope));
    if let Some(kind) = kind {
        query = query.filter(C::Kind.eq(kind));
    }
    if let Some(from) = filter.from {
        query = query.filter(C::StartsAt.gte(from));
    }
    if let Some(to) = filter.to {
        query = query.filter(C::StartsAt.lt(to));
    }
    let page = page.fetch(db, query, C::Id, |e| e.id).await?;
    let ids: Vec<Uuid> = page.items.iter().map(|e| e.id).collect();
    let counts = counts(db, &ids).await?;
    Ok(page.map(|event| {
        let (invited, attended) = counts.get(&event.id).copied().unwrap_or_default();
        EventView::of(event, invited, attended)
    }))
}

async fn find(
    db: &impl ConnectionTrait,
    actor: &Actor,
    scope: Scope,
    id: Uuid,
) -> Result<customer_events::Model, DomainError> {
    record::find::<EventView>(db, reach(actor, scope), id).await
}

/// One event with its counts, within the caller's reach.
pub async fn get(db: &impl ConnectionTrait, actor: &Actor, scope: Scope, id: Uuid) -> Result<EventView, DomainError> {
    let event = find(db, actor, scope, id).await?;
    view(db, event).await
}

pub async fn update(
    db: &(impl ConnectionTrait + TransactionTrait),
    ctx: &AuditContext,
    actor: &Actor,
    scope: Scope,
    id: Uuid,
    input: EventInput,
    if_match: Option<&str>,
) -> Result<EventView, DomainError> {
    let mut errors = Vec::new();
    let kind = check(&input, false, &mut errors);
    if !errors.is_empty() {
        return Err(DomainError::Validation(errors));
    }
    let txn = crate::platform::db::begin_write(db).await?;
    let event = find(&txn, actor, scope, id).await?;
    let before = view(&txn, event.clone()).await?;
    version::check(if_match, &before)?;
    if let Some(starts_at) = input.starts_at
        && starts_at > Utc::now()
        && before.attended_count > 0
    {
        return Err(DomainError::invalid("/starts_at", Msg::StartsAtAttended));
    }
    let mut active: customer_events::ActiveModel = event.into();
    if let Some(title) = input.title {
        active.title = Set(title.trim().to_owned());
    }
    if let Some(kind) = kind {
        active.kind = Set(kind);
    }
    if let Some(starts_at) = input.starts_at {
        active.starts_at = Set(starts_at);
    }
    if let Some(location) = input.location {
        active.location = Set(location.map(|l| l.trim().to_owned()));
    }
    active.updated_at = Set(Utc::now());
    let after = EventView::of(active.update(&txn).await?, before.invited_count, before.attended_count);
    record::commit_changed(txn, ctx, "update", id, &before, &after).await?;
    Ok(after)
}

/// A new invitation, or the one the customer already had.
#[derive(Debug, Clone)]
pub enum Invited {
    New(InvitationView),
    Existing(InvitationView),
}

async fn find_invitation(
    db: &impl ConnectionTrait,
    event_id: Uuid,
    customer_id: Uuid,
) -> Result<Option<event_invitations::Model>, DomainError> {
    use event_invitations::Column as I;
    Ok(event_invitations::Entity::find()
        .filter(I::EventId.eq(event_id))
        .filter(I::CustomerId.eq(customer_id))
        .one(db)
        .await?)
}

/// Invites a customer the caller can read (`customers_scope`, its
/// `customers:read` scope, if any) to an event; inviting again returns the
/// existing invitation.
pub async fn invite(
    db: &(impl ConnectionTrait + TransactionTrait),
    ctx: &AuditContext,
    actor: &Actor,
    scope: Scope,
    customers_scope: Option<Scope>,
    event_id: Uuid,
    customer_id: Uuid,
) -> Result<Invited, DomainError> {
    let txn = crate::platform::db::begin_write(db).await?;
    let event = find(&txn, actor, scope, event_id).await?;
    let customer = match customers_scope {
        None => None,
        Some(s) => {
            customers::Entity::find_by_id(customer_id)
                .filter(crate::sales::customers::reach(actor, s))
                .one(&txn)
                .await?
        }
    };
    if customer.is_none() {
        return Err(DomainError::invalid("/customer_id", Msg::NoSuchCustomerInReach));
    }
    if let Some(existing) = find_invitation(&txn, event_id, customer_id).await? {
        return Ok(Invited::Existing(existing.into()));
    }
    let now = Utc::now();
    let invitation = event_invitations::ActiveModel {
        event_id: Set(event_id),
        customer_id: Set(customer_id),
        attended: Set(false),
        invited_by: Set(actor.user_id()),
        invited_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await;
    let invitation = match invitation {
        Ok(invitation) => InvitationView::from(invitation),
        // Invited at the same moment by someone else: theirs stands.
        Err(e) if matches!(DomainError::from(e.clone()), DomainError::Conflict(_)) => {
            drop(txn);
            let existing = find_invitation(db, event_id, customer_id).await?;
            return existing.map(|i| Invited::Existing(i.into())).ok_or_else(|| e.into());
        }
        Err(e) => return Err(e.into()),
    };
    timeline::record(
        &txn,
        Some(actor),
        timeline::Event {
            customer_id,
            kind: timeline::Kind::EventInvited,
            occurred_at: now,
            subject_id: Some(event_id),
            data: json!({"title": event.title, "kind": event.kind, "starts_at": event.starts_at}),
        },
    )
    .await?;
    let after = json!({"invitation": {"customer_id": customer_id, "attended": false}});
    audit::record(&txn, ctx, "invite", "customer_event", event_id, None, Some(&after)).await?;
    txn.commit().await?;
    Ok(Invited::New(invitation))
}

/// The invitations of an event within the caller's reach, by customer.
pub async fn invitations(
    db: &impl ConnectionTrait,
    actor: &Actor,
    scope: Scope,
    event_id: Uuid,
    page: PageRequest,
) -> Result<Page<InvitationView>, DomainError> {
    use event_invitations::Column as I;
    find(db, actor, scope, event_id).await?;
    let query = event_invitations::Entity::find().filter(I::EventId.eq(event_id));
    Ok(page
        .fetch(db, query, I::CustomerId, |i| i.customer_id)
        .await?
        .map(InvitationView::from))
}

/// One invitation of an event within the caller's reach.
pub async fn invitation(
    db: &impl ConnectionTrait,
    actor: &Actor,
    scope: Scope,
    event_id: Uuid,
    customer_id: Uuid,
) -> Result<InvitationView, DomainError> {
    find(db, actor, scope, event_id).await?;
    find_invitation(db, event_id, customer_id)
        .await?
        .map(Into::into)
        .ok_or(DomainError::NotFound(Msg::NounInvitation))
}

/// Records whether an invited customer came. Attendance is recorded only
/// once the event has started; coming is written on the customer's timeline.
pub async fn set_attended(
    db: &(impl ConnectionTrait + TransactionTrait),
    ctx: &AuditContext,
    actor: &Actor,
    scope: Scope,
    event_id: Uuid,
    customer_id: Uuid,
    attended: bool,
) -> Result<InvitationView, DomainError> {
    let txn = crate::platform::db::begin_write(db).await?;
    let event = find(&txn, actor, scope, event_id).await?;
    let row = find_invitation(&txn, event_id, customer_id)
        .await?
        .ok_or(DomainError::NotFound(Msg::NounInvitation))?;
    if attended && event.starts_at > Utc::now() {
        return Err(DomainError::invalid("/attended", Msg::EventNotStarted));
    }
    let was = row.attended;
    let mut active: event_invitations::ActiveModel = row.into();
    active.attended = Set(attended);
    active.updated_at = Set(Utc::now());
    let after = InvitationView::from(active.update(&txn).await?);
    if attended && !was {
        timeline::record(
            &txn,
            Some(actor),
            timeline::Event {
                customer_id,
                kind: timeline::Kind::EventAttended,
                occurred_at: event.starts_at,
                subject_id: Some(event_id),
                data: json!({"title": event.title, "kind": event.kind}),
            },
        )
        .await?;
    }
    if attended != was {
        audit::record(
            &txn,
            ctx,
            "record_attendance",
            "customer_event",
            event_id,
            Some(&json!({"invitation": {"customer_id": customer_id, "attended": was}})),
            Some(&json!({"invitation": {"customer_id": customer_id, "attended": attended}})),
        )
        .await?;
    }
    txn.commit().await?;
    Ok(after)
}
