//! Customers (leads). Staff see them through their `customers:*` scope:
//! `own` is the customers they own, `team` adds their teams' customers,
//! `all` every one. A partner client reaches only the leads it pushed. A
//! partner pushing a lead again with the same `external_id` gets the lead
//! it pushed before, unchanged.

use chrono::{DateTime, Utc};
use entities::{customers, users};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set, TransactionSession,
    TransactionTrait,
    sea_query::{Alias, Condition, Expr, ExprTrait, Func},
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
    outbox::agenda::{self, AgendaKind, NextDue},
    platform::error::{DomainError, FieldError},
    platform::input,
    platform::page::{KeyedRequest, Page, PageRequest},
    platform::phone::Phone,
    platform::version,
    sales::customer_status::{self, Cause, Status},
    sales::timeline,
};

/// Where leads come from (渠道), stored and named as `entities` spells them.
pub use entities::customers::Channel;

/// The channel of a new lead that names none: a partner's push or staff at
/// the sales office.
pub(crate) fn default_channel(is_client: bool) -> Channel {
    if is_client {
        Channel::PartnerPlatform
    } else {
        Channel::StoreWalkIn
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct CustomerView {
    pub id: Uuid,
    pub name: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub wechat_id: Option<String>,
    pub channel: String,
    pub status: String,
    pub lost_reason: Option<String>,
    pub key_account: bool,
    /// The customer manager answering for the key account's revisits.
    pub account_manager_id: Option<Uuid>,
    pub owner_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    pub source_client_id: Option<Uuid>,
    pub external_id: Option<String>,
    pub assigned_at: Option<DateTime<Utc>>,
    pub first_response_at: Option<DateTime<Utc>>,
    pub needs_assessed_at: Option<DateTime<Utc>>,
    pub last_follow_up_at: Option<DateTime<Utc>>,
    pub lost_at: Option<DateTime<Utc>>,
    pub merged_into_id: Option<Uuid>,
    pub project_of_interest: Option<String>,
    pub district_of_interest: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The earliest item on the customer's agenda, as the database keeps
    /// it (`outbox::agenda`); the list and the detail show it. Not part of the record's version: a
    /// deadline moving does not change what an `If-Match` guards.
    #[serde(skip)]
    pub next_due: Option<NextDue>,
}

impl From<customers::Model> for CustomerView {
    fn from(m: customers::Model) -> Self {
        let next_due = agenda::kept_next_due(&m);
        Self {
            id: m.id,
            name: m.name,
            phone: m.phone,
            email: m.email,
            wechat_id: m.wechat_id,
            channel: m.channel.to_string(),
            status: m.status.to_string(),
            lost_reason: m.lost_reason,
            key_account: m.key_account,
            account_manager_id: m.account_manager_id,
            owner_id: m.owner_id,
            team_id: m.team_id,
            source_client_id: m.source_client_id,
            external_id: m.external_id,
            assigned_at: m.assigned_at,
            first_response_at: m.first_response_at,
            needs_assessed_at: m.needs_assessed_at,
            last_follow_up_at: m.last_follow_up_at,
            lost_at: m.lost_at,
            merged_into_id: m.merged_into_id,
            project_of_interest: m.project_of_interest,
            district_of_interest: m.district_of_interest,
            created_at: m.created_at,
            updated_at: m.updated_at,
            next_due,
        }
    }
}

impl Record for CustomerView {
    type Entity = customers::Entity;
    const NAME: Msg = Msg::NounCustomer;
    const AUDITED: &'static str = "customer";
    fn audit_json(&self) -> serde_json::Value {
        json!({"name": self.name, "phone": self.phone, "email": self.email, "wechat_id": self.wechat_id, "channel": self.channel,
               "status": self.status, "key_account": self.key_account,
               "account_manager_id": self.account_manager_id, "owner_id": self.owner_id, "team_id": self.team_id,
               "external_id": self.external_id, "project_of_interest": self.project_of_interest,
               "district_of_interest": self.district_of_interest})
    }
}

/// The customers a caller reaches with `scope`.
pub fn reach(actor: &Actor, scope: Scope) -> Condition {
    use customers::Column as C;
    match actor.kind {
        ActorKind::Client => Condition::all().add(C::SourceClientId.eq(actor.id)),
        ActorKind::User => actor.reach(scope, C::OwnerId, Some(C::TeamId)),
    }
}

/// Contact fields of a new customer or a change to one.
#[derive(Debug, Clone, Default)]
pub struct CustomerInput {
    pub name: Option<String>,
    pub phone: Option<Option<String>>,
    pub email: Option<Option<String>>,
    pub wechat_id: Option<Option<String>>,
    pub key_account: Option<bool>,
    /// New customers only.
    pub channel: Option<String>,
    /// New customers from partners only: the partner's id for the lead.
    pub external_id: Option<String>,
    /// Staff with scope `team` (within their teams) or `all` only.
    pub owner_id: Option<Uuid>,
    /// New customers only: the project the lead asked about (routing rules match it).
    pub project_of_interest: Option<String>,
    /// New customers only: the district the lead asked about (routing rules match it).
    pub district_of_interest: Option<String>,
}

/// What [`check`] made of a customer's input: the channel it names and
/// the phone number parsed (`Some(None)` clears it), when they are valid.
#[derive(Debug, Clone, Default)]
pub(crate) struct Checked {
    pub channel: Option<Channel>,
    pub phone: Option<Option<Phone>>,
}

/// What `input` means, after every rule it breaks is in `errors`.
pub(crate) fn check(input: &CustomerInput, creating: bool, errors: &mut Vec<FieldError>) -> Checked {
    match &input.name {
        Some(n) if n.trim().is_empty() || n.chars().count() > 200 => {
            errors.push(FieldError::new("/name", Msg::OneToChars { max: 200 }));
        }
        None if creating => errors.push(FieldError::new("/name", Msg::Required)),
        _ => {}
    }
    let phone = input
        .phone
        .as_ref()
        .map(|phone| phone.as_deref().and_then(|p| input::phone(p, "/phone", errors)));
    if let Some(Some(email)) = &input.email
        && crate::access::users::normalise_email(email).is_none()
    {
        errors.push(FieldError::new("/email", Msg::CustomerEmail));
    }
    if input
        .wechat_id
        .as_ref()
        .is_some_and(|w| w.as_ref().is_some_and(|w| w.is_empty() || w.chars().count() > 64))
    {
        errors.push(FieldError::new("/wechat_id", Msg::OneToChars { max: 64 }));
    }
    let channel = input::optional(input.channel.as_deref(), |c| input::variant(c, "/channel"), errors);
    if input
        .external_id
        .as_ref()
        .is_some_and(|e| e.is_empty() || e.chars().count() > 128)
    {
        errors.push(FieldError::new("/external_id", Msg::OneToChars { max: 128 }));
    }
    for (value, pointer) in [
        (&input.project_of_interest, "/project_of_interest"),
        (&input.district_of_interest, "/district_of_interest"),
    ] {
        if value
            .as_ref()
            .is_some_and(|v| v.trim().is_empty() || v.chars().count() > 120)
        {
            errors.push(FieldError::new(pointer, Msg::OneToChars { max: 120 }));
        }
    }
    Checked { channel, phone }
}

/// The customer manager who answers for a key account that `actor` marks
/// or revisits: the actor, if it holds the built-in customer manager role.
pub(crate) fn account_manager(actor: &Actor) -> Option<Uuid> {
    actor
        .roles
        .iter()
        .any(|r| r == crate::access::roles::CUSTOMER_MANAGER_ROLE)
        .then_some(actor.id)
        .filter(|_| actor.kind == ActorKind::User)
}

/// Whether `actor`, holding `customers:*` with `scope`, may make `user` a customer's owner.
pub(crate) fn may_own(actor: &Actor, scope: Scope, user: &users::Model) -> bool {
    user.id == actor.id
        || scope == Scope::All
        || (scope == Scope::Team && user.team_id.is_some_and(|t| actor.team_ids.contains(&t)))
}

/// The consultant a new customer goes to, and their team.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Owner {
    pub id: Uuid,
    pub team_id: Option<Uuid>,
}

/// A new customer from `input` that passed [`check`] (what it made of it
/// is `checked`), with the timeline events of its arrival: the one place a
/// customer is made, for a partner's push, a consultant's form and a CSV
/// row alike (`imported`).
pub(crate) fn build(
    id: Uuid,
    input: CustomerInput,
    checked: Checked,
    actor: &Actor,
    owner: Option<Owner>,
    now: DateTime<Utc>,
    imported: bool,
) -> (customers::ActiveModel, Vec<timeline::Event>) {
    let is_client = actor.kind == ActorKind::Client;
    let channel = checked.channel.unwrap_or_else(|| default_channel(is_client));
    let phone = checked.phone.flatten();
    let event = |kind, data| timeline::Event {
        customer_id: id,
        kind,
        occurred_at: now,
        subject_id: None,
        data,
    };
    let mut created = json!({"channel": channel, "external_id": input.external_id});
    if imported {
        created["import"] = json!(true);
    }
    let mut events = vec![event(timeline::Kind::Created, created)];
    if let Some(owner) = owner {
        let reason = if imported {
            "imported"
        } else {
            "recorded by the consultant's side"
        };
        let assigned = json!({"consultant_id": owner.id, "team_id": owner.team_id, "strategy": "named",
                               "reason": reason});
        events.push(event(timeline::Kind::Assigned, assigned));
    }
    let model = customers::ActiveModel {
        id: Set(id),
        name: Set(input.name.unwrap_or_default().trim().to_owned()),
        phone_key: Set(phone.as_ref().map(|p| p.key().to_owned())),
        phone: Set(phone.map(|p| p.as_written().to_owned())),
        email: Set(input
            .email
            .flatten()
            .and_then(|e| crate::access::users::normalise_email(&e))),
        wechat_id: Set(input.wechat_id.flatten().map(|w| w.trim().to_owned())),
        channel: Set(channel),
        status: Set(Status::New),
        lost_reason: Set(None),
        key_account: Set(input.key_account.unwrap_or(false)),
        account_manager_id: Set(input
            .key_account
            .unwrap_or(false)
            .then(|| account_manager(actor))
            .flatten()),
        owner_id: Set(owner.map(|o| o.id)),
        team_id: Set(owner.and_then(|o| o.team_id)),
        source_client_id: Set(actor.client_id()),
        external_id: Set(input.external_id),
        created_by: Set(actor.user_id()),
        assigned_at: Set(owner.map(|_| now)),
        first_response_at: Set(None),
        needs_assessed_at: Set(None),
        last_follow_up_at: Set(None),
        lost_at: Set(None),
        lost_from_status: Set(None),
        merged_into_id: Set(None),
        project_of_interest: Set(input.project_of_interest.map(|v| v.trim().to_owned())),
        district_of_interest: Set(input.district_of_interest.map(|v| v.trim().to_owned())),
        next_due_at: sea_orm::NotSet,
        next_due_kind: sea_orm::NotSet,
        created_at: Set(now),
        updated_at: Set(now),
    };
    (model, events)
}

/// A new customer, or the one the partner pushed before under the same `external_id`.
#[derive(Debug, Clone)]
pub enum Created {
    /// Created; `possible_duplicates` are other customers with the same phone number.
    New {
        customer: CustomerView,
        possible_duplicates: Vec<Duplicate>,
    },
    Existing(CustomerView),
}

/// Another customer on file with the same phone number: its id and owner
/// only, so that a consultant learns of a colleague's customer without
/// reading it.
#[derive(Debug, Clone, Serialize)]
pub struct Duplicate {
    pub id: Uuid,
    pub owner_id: Option<Uuid>,
}

/// Customers (not merged away) with this phone key; a partner learns only of its own leads.
async fn same_phone(
    db: &impl ConnectionTrait,
    actor: &Actor,
    key: &str,
    except: Option<Uuid>,
) -> Result<Vec<Duplicate>, DomainError> {
    use customers::Column as C;
    let mut query = customers::Entity::find()
        .filter(C::PhoneKey.eq(key))
        .filter(C::MergedIntoId.is_null());
    if actor.kind == ActorKind::Client {
        query = query.filter(C::SourceClientId.eq(actor.id));
    }
    if let Some(id) = except {
        query = query.filter(C::Id.ne(id));
    }
    Ok(query
        .limit(20)
        .all(db)
        .await?
        .into_iter()
        .map(|c| Duplicate {
            id: c.id,
            owner_id: c.owner_id,
        })
        .collect())
}

pub async fn create(
    db: &(impl ConnectionTrait + TransactionTrait),
    ctx: &AuditContext,
    actor: &Actor,
    scope: Scope,
    input: CustomerInput,
) -> Result<Created, DomainError> {
    let mut errors = Vec::new();
    let checked = check(&input, true, &mut errors);
    let is_client = actor.kind == ActorKind::Client;
    if is_client && input.owner_id.is_some() {
        errors.push(FieldError::new("/owner_id", Msg::AssignedBySalesTeamNotPartners));
    }
    if !is_client && input.external_id.is_some() {
        errors.push(FieldError::new("/external_id", Msg::ForPartnerLeads));
    }
    let mut owner = None;
    if !is_client {
        let owner_id = input.owner_id.unwrap_or(actor.id);
        match users::Entity::find_by_id(owner_id).one(db).await? {
            None => errors.push(FieldError::new("/owner_id", Msg::NoSuchUser)),
            Some(user) => {
                if !may_own(actor, scope, &user) {
                    errors.push(FieldError::new("/owner_id", Msg::OutsideWhatYouMayAssign));
                }
                owner = Some(Owner {
                    id: user.id,
                    team_id: user.team_id,
                });
            }
        }
    }
    if !errors.is_empty() {
        return Err(DomainError::Validation(errors));
    }
    if is_client
        && let Some(external_id) = &input.external_id
        && let Some(existing) = find_pushed(db, actor.id, external_id).await?
    {
        return Ok(Created::Existing(existing.into()));
    }
    let now = Utc::now();
    let external_id = input.external_id.clone();
    let key = checked.phone.clone().flatten().map(|p| p.key().to_owned());
    let (model, events) = build(Uuid::now_v7(), input, checked, actor, owner, now, false);
    let txn = crate::platform::db::begin_write(db).await?;
    let customer = match model.insert(&txn).await {
        Ok(customer) => customer,
        // The same lead pushed twice at once: the other push won.
        Err(e) if is_client && matches!(DomainError::from(e.clone()), DomainError::Conflict(_)) => {
            drop(txn);
            let existing = find_pushed(db, actor.id, external_id.as_deref().unwrap_or_default()).await?;
            return existing.map(|c| Created::Existing(c.into())).ok_or_else(|| e.into());
        }
        Err(e) => return Err(e.into()),
    };
    crate::outbox::sla::on_key_account(&txn, false, &customer, now).await?;
    let view = CustomerView::from(customer);
    audit::record(&txn, ctx, "create", "customer", view.id, None, Some(&view.audit_json())).await?;
    for event in events {
        timeline::record(&txn, Some(actor), event).await?;
    }
    crate::outbox::sla::on_lead_arrived(&txn, view.id, now).await?;
    if let Some(client) = view.source_client_id {
        let payload = json!({"customer_id": view.id, "external_id": view.external_id, "status": view.status});
        let event = crate::outbox::events::Event {
            name: "customer.created",
            client_id: Some(client),
            subject_id: Some(view.id),
            payload,
        };
        crate::outbox::events::emit(&txn, event).await?;
    }
    // A lead that arrives without a consultant goes where the routing rules send it.
    let view = if view.owner_id.is_some() {
        view
    } else {
        let mut routed = crate::sales::routing::route(&txn, ctx, &[view.id]).await?;
        routed.remove(&view.id).unwrap_or(view)
    };
    let possible_duplicates = match &key {
        Some(key) => same_phone(&txn, actor, key, Some(view.id)).await?,
        None => Vec::new(),
    };
    txn.commit().await?;
    Ok(Created::New {
        customer: view,
        possible_duplicates,
    })
}

async fn find_pushed(
    db: &impl ConnectionTrait,
    client: Uuid,
    external_id: &str,
) -> Result<Option<customers::Model>, DomainError> {
    Ok(customers::Entity::find()
        .filter(customers::Column::SourceClientId.eq(client))
        .filter(customers::Column::ExternalId.eq(external_id))
        .one(db)
        .await?)
}

/// What to look for among customers.
#[derive(Debug, Clone, Default)]
pub struct CustomerFilter {
    pub status: Option<String>,
    pub channel: Option<String>,
    pub owner_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    pub external_id: Option<String>,
    /// Part of the name, phone or e-mail.
    pub q: Option<String>,
    /// Customers with an item due before this instant.
    pub due_before: Option<DateTime<Utc>>,
    /// Customers with (`true`) or without (`false`) an overdue item.
    pub overdue: Option<bool>,
    /// Customers whose next item is of this kind (`first_response`, …).
    pub next_due_kind: Option<String>,
}

/// The orders a customer list takes: by creation (ids), or by the next
/// due time (`next_due_at` soonest first, `-next_due_at` latest first,
/// customers with nothing due last).
pub const SORTS: [&str; 4] = ["created_at", "-created_at", "next_due_at", "-next_due_at"];

/// One page of customers in the order asked for.
#[derive(Debug, Clone, Copy)]
pub enum CustomerPage {
    Created(PageRequest),
    NextDue(KeyedRequest),
}

impl CustomerPage {
    /// Checks `limit`, `cursor` and `sort` (one of [`SORTS`]) as received from a client.
    pub fn new(limit: Option<u64>, cursor: Option<&str>, sort: Option<&str>) -> Result<Self, DomainError> {
        match sort.filter(|s| !s.is_empty()) {
            Some("next_due_at") => Ok(Self::NextDue(KeyedRequest::new(limit, cursor, false)?)),
            Some("-next_due_at") => Ok(Self::NextDue(KeyedRequest::new(limit, cursor, true)?)),
            None | Some("created_at" | "-created_at") => {
                Ok(Self::Created(PageRequest::new_sorted(limit, cursor, sort)?))
            }
            Some(_) => {
                let values = SORTS.iter().map(|s| (*s).to_owned()).collect();
                Err(DomainError::invalid("/sort", Msg::OneOf { values }))
            }
        }
    }
}

impl CustomerFilter {
    /// A filter on a status or channel that does not exist is a mistake, not an empty list.
    pub fn check(&self) -> Result<(), DomainError> {
        let mut errors = Vec::new();
        if let Some(Err(rule)) = self.status.as_deref().map(customer_status::parse) {
            errors.push(FieldError::new("/status", rule));
        }
        if let Some(Err(rule)) = self
            .channel
            .as_deref()
            .map(|c| input::variant::<Channel>(c, "/channel"))
        {
            errors.push(rule);
        }
        if let Some(Err(DomainError::Validation(rule))) = self
            .next_due_kind
            .as_deref()
            .map(|k| AgendaKind::parse(k, "/next_due_kind"))
        {
            errors.extend(rule);
        }
        if errors.is_empty() {
            Ok(())
        } else {
            Err(DomainError::Validation(errors))
        }
    }
}

/// Customers within reach, with their next due item (kept on each
/// customer, `outbox::agenda`, so sorting and filtering by it walk an index).
pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    scope: Scope,
    filter: CustomerFilter,
    page: CustomerPage,
) -> Result<Page<CustomerView>, DomainError> {
    use customers::Column as C;
    filter.check()?;
    let mut within = Condition::all().add(reach(actor, scope)).add(C::MergedIntoId.is_null());
    let status = filter.status.as_deref().map(customer_status::parse).transpose();
    if let Some(status) = status.map_err(|rule| DomainError::invalid("/status", rule))? {
        within = within.add(C::Status.eq(status));
    }
    if let Some(channel) = filter.channel {
        within = within.add(C::Channel.eq(channel));
    }
    if let Some(owner) = filter.owner_id {
        within = within.add(C::OwnerId.eq(owner));
    }
    if let Some(team) = filter.team_id {
        within = within.add(C::TeamId.eq(team));
    }
    if let Some(external_id) = filter.external_id {
        within = within.add(C::ExternalId.eq(external_id));
    }
    let mut query = customers::Entity::find().filter(within);
    if let Some(q) = filter.q.filter(|q| !q.trim().is_empty()) {
        let pattern = crate::platform::input::contains(&q.trim().to_lowercase());
        let mut any = Condition::any()
            .add(Expr::expr(Func::lower(Expr::col(C::Name))).like(pattern.clone()))
            .add(C::Phone.like(pattern.clone()))
            .add(C::Email.like(pattern));
        // A number matches however either side wrote it: whole by its key,
        // in part by its digits.
        if let Ok(phone) = Phone::parse(&q) {
            any = any.add(C::PhoneKey.eq(phone.key()));
        } else if q.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c)) {
            let digits: String = q.chars().filter(char::is_ascii_digit).collect();
            if digits.len() >= 4 {
                any = any.add(C::PhoneKey.like(crate::platform::input::contains(&digits)));
            }
        }
        query = query.filter(any);
    }
    let kind = filter
        .next_due_kind
        .as_deref()
        .map(|k| AgendaKind::parse(k, "/next_due_kind"))
        .transpose()?;
    let next = Expr::col((customers::Entity, C::NextDueAt));
    let now = Utc::now();
    if let Some(before) = filter.due_before {
        query = query.filter(next.clone().lt(before));
    }
    match filter.overdue {
        Some(true) => query = query.filter(next.clone().lt(now)),
        Some(false) => query = query.filter(Condition::any().add(next.clone().is_null()).add(next.clone().gte(now))),
        None => {}
    }
    if let Some(kind) = kind {
        query = query.filter(agenda::next_due_is(kind));
    }
    match page {
        CustomerPage::Created(page) => Ok(page.fetch(db, query, C::Id, |c| c.id).await?.map(CustomerView::from)),
        CustomerPage::NextDue(keyed) => {
            keyed.select(
                sea_orm::QueryTrait::query(&mut query),
                next,
                Expr::col((customers::Entity, C::Id)),
            );
            let rows: Vec<CustomerView> = query.all(db).await?.into_iter().map(CustomerView::from).collect();
            Ok(keyed.cut(rows, |c| (c.next_due.map(|n| n.at), c.id)))
        }
    }
}

pub(crate) async fn find(
    db: &impl ConnectionTrait,
    actor: &Actor,
    scope: Scope,
    id: Uuid,
) -> Result<customers::Model, DomainError> {
    record::find::<CustomerView>(db, reach(actor, scope), id).await
}

/// One customer within the caller's reach; outside it, "not found".
pub async fn get(
    db: &impl ConnectionTrait,
    actor: &Actor,
    scope: Scope,
    id: Uuid,
) -> Result<CustomerView, DomainError> {
    read_one(db, actor, scope, id, None)
        .await?
        .ok_or(DomainError::NotFound(CustomerView::NAME))
}

/// [`get`] for a caller kept at access epoch `kept_at` (one statement reads
/// the customer, what is due on it and the current epoch): `None` when the
/// epoch has moved on or nothing was found, and the caller is to be loaded
/// afresh before the answer counts. Without an epoch, [`get`].
pub async fn get_checking(
    db: &impl ConnectionTrait,
    actor: &Actor,
    scope: Scope,
    id: Uuid,
    kept_at: Option<i64>,
) -> Result<Option<CustomerView>, DomainError> {
    match kept_at {
        Some(_) => read_one(db, actor, scope, id, kept_at).await,
        None => get(db, actor, scope, id).await.map(Some),
    }
}

/// The customer `id` within the caller's reach and what is due on it, in
/// one statement; with `epoch`, only if the access epoch is still that.
async fn read_one(
    db: &impl ConnectionTrait,
    actor: &Actor,
    scope: Scope,
    id: Uuid,
    epoch: Option<i64>,
) -> Result<Option<CustomerView>, DomainError> {
    // Every id the statement may bind: the customer's, then the caller's and its teams'.
    let ids: Vec<Uuid> = [id, actor.id]
        .into_iter()
        .chain(actor.team_ids.iter().copied())
        .collect();
    let shape = format!(
        "customers::get {:?} {scope:?} {} {}",
        actor.kind,
        actor.team_ids.len(),
        epoch.is_some()
    );
    let statement = crate::platform::db::shaped(db.get_database_backend(), &shape, &ids, |ids| {
        let like = Actor {
            id: ids[1],
            team_ids: ids[2..].to_vec(),
            ..actor.clone()
        };
        let mut query = customers::Entity::find_by_id(ids[0]).filter(reach(&like, scope));
        let statement = sea_orm::QueryTrait::query(&mut query);
        if epoch.is_some() {
            statement.expr_as(crate::access::actor::epoch(), Alias::new(crate::access::actor::EPOCH));
        }
        statement.clone()
    });
    let Some(row) = db.query_one_raw(statement).await? else {
        return Ok(None);
    };
    if let Some(epoch) = epoch
        && row.try_get::<i64>("", crate::access::actor::EPOCH)? != epoch
    {
        return Ok(None);
    }
    let customer = <customers::Model as sea_orm::FromQueryResult>::from_query_result(&row, "")?;
    Ok(Some(CustomerView::from(customer)))
}

/// Changes contact fields and the key-account flag.
pub async fn update(
    db: &(impl ConnectionTrait + TransactionTrait),
    ctx: &AuditContext,
    actor: &Actor,
    scope: Scope,
    id: Uuid,
    input: CustomerInput,
    if_match: Option<&str>,
) -> Result<CustomerView, DomainError> {
    let mut errors = Vec::new();
    let checked = check(&input, false, &mut errors);
    for (given, pointer) in [
        (input.channel.is_some(), "/channel"),
        (input.external_id.is_some(), "/external_id"),
        (input.owner_id.is_some(), "/owner_id"),
        (input.project_of_interest.is_some(), "/project_of_interest"),
        (input.district_of_interest.is_some(), "/district_of_interest"),
    ] {
        if given {
            errors.push(FieldError::new(pointer, Msg::CannotBeChangedHere));
        }
    }
    if !errors.is_empty() {
        return Err(DomainError::Validation(errors));
    }
    let txn = crate::platform::db::begin_write(db).await?;
    let customer = find(&txn, actor, scope, id).await?;
    let before = CustomerView::from(customer.clone());
    version::check(if_match, &before)?;
    let applied = crate::outbox::sla::revisits_apply(&customer);
    let mut active: customers::ActiveModel = customer.into();
    if let Some(name) = input.name {
        active.name = Set(name.trim().to_owned());
    }
    if let Some(phone) = checked.phone {
        active.phone_key = Set(phone.as_ref().map(|p| p.key().to_owned()));
        active.phone = Set(phone.map(|p| p.as_written().to_owned()));
    }
    if let Some(email) = input.email {
        active.email = Set(email.and_then(|e| crate::access::users::normalise_email(&e)));
    }
    if let Some(wechat_id) = input.wechat_id {
        active.wechat_id = Set(wechat_id.map(|w| w.trim().to_owned()));
    }
    if let Some(key_account) = input.key_account {
        active.key_account = Set(key_account);
        if key_account
            && !before.key_account
            && let Some(manager) = account_manager(actor)
        {
            active.account_manager_id = Set(Some(manager));
        }
    }
    let now = Utc::now();
    active.updated_at = Set(now);
    let updated = active.update(&txn).await?;
    crate::outbox::sla::on_key_account(&txn, applied, &updated, now).await?;
    let after = CustomerView::from(updated);
    record::commit_changed(txn, ctx, "update", id, &before, &after).await?;
    Ok(after)
}

pub async fn delete(
    db: &(impl ConnectionTrait + TransactionTrait),
    ctx: &AuditContext,
    actor: &Actor,
    scope: Scope,
    id: Uuid,
    if_match: Option<&str>,
) -> Result<(), DomainError> {
    let txn = crate::platform::db::begin_write(db).await?;
    let customer = find(&txn, actor, scope, id).await?;
    let before = CustomerView::from(customer);
    version::check(if_match, &before)?;
    customers::Entity::delete_by_id(id).exec(&txn).await?;
    record::commit_deleted(txn, ctx, id, &before).await
}

/// A status set by hand, with its reason (required for `lost`).
#[derive(Debug, Clone)]
pub struct StatusChange {
    pub to: String,
    pub reason: Option<String>,
}

/// Moves a customer to `lost` (with a reason, for churn analysis) or back
/// to `active`.
pub async fn change_status(
    db: &(impl ConnectionTrait + TransactionTrait),
    ctx: &AuditContext,
    actor: &Actor,
    scope: Scope,
    id: Uuid,
    change: StatusChange,
    if_match: Option<&str>,
) -> Result<CustomerView, DomainError> {
    let StatusChange { to, reason } = change;
    let mut errors = Vec::new();
    let to = customer_status::parse(&to)
        .map_err(|rule| errors.push(FieldError::new("/status", rule)))
        .ok();
    let reason = reason.map(|r| r.trim().to_owned());
    match &reason {
        Some(r) if r.is_empty() || r.chars().count() > 500 => {
            errors.push(FieldError::new("/reason", Msg::OneToChars { max: 500 }));
        }
        None if to == Some(Status::Lost) => errors.push(FieldError::new("/reason", Msg::RequiredWhenLost)),
        _ => {}
    }
    let (Some(to), true) = (to, errors.is_empty()) else {
        return Err(DomainError::Validation(errors));
    };
    let txn = crate::platform::db::begin_write(db).await?;
    let customer = find(&txn, actor, scope, id).await?;
    let from = customer.status;
    let before = CustomerView::from(customer.clone());
    version::check(if_match, &before)?;
    customer_status::check_move(from, to, Cause::ByHand)?;
    let applied = crate::outbox::sla::revisits_apply(&customer);
    let now = Utc::now();
    let mut active: customers::ActiveModel = customer.into();
    active.status = Set(to);
    if to == Status::Lost {
        active.lost_reason = Set(reason.clone());
        active.lost_at = Set(Some(now));
        active.lost_from_status = Set(Some(from));
    } else {
        active.lost_reason = Set(None);
        active.lost_at = Set(None);
        active.lost_from_status = Set(None);
    }
    active.updated_at = Set(now);
    let updated = active.update(&txn).await?;
    crate::outbox::sla::on_key_account(&txn, applied, &updated, now).await?;
    let after = CustomerView::from(updated);
    if to == Status::Lost {
        crate::outbox::sla::on_customer_closed(&txn, id).await?;
    } else if from == Status::Lost {
        crate::outbox::sla::on_customer_reopened(&txn, id).await?;
    }
    let data = json!({"from": before.status, "to": to, "reason": reason});
    let event = timeline::Event {
        customer_id: id,
        kind: timeline::Kind::StatusChanged,
        occurred_at: now,
        subject_id: None,
        data,
    };
    timeline::record(&txn, Some(actor), event).await?;
    record::commit_changed(txn, ctx, "update", id, &before, &after).await?;
    Ok(after)
}

/// Moves a customer forward to `to` for `cause` if the workflow allows it
/// from the status it still has, as the record advances (a first contact,
/// a needs assessment). Returns whether it moved.
pub(crate) async fn advance(
    db: &impl ConnectionTrait,
    id: Uuid,
    cause: Cause,
    to: Status,
) -> Result<bool, DomainError> {
    use customers::Column as C;
    let result = customers::Entity::update_many()
        .col_expr(C::Status, Expr::value(to))
        .filter(C::Id.eq(id))
        .filter(C::Status.is_in(customer_status::sources(cause, to)))
        .exec(db)
        .await?;
    Ok(result.rows_affected > 0)
}

fn earliest(a: Option<DateTime<Utc>>, b: Option<DateTime<Utc>>) -> Option<DateTime<Utc>> {
    match (a, b) {
        (Some(a), Some(b)) => Some(Ord::min(a, b)),
        (a, b) => a.or(b),
    }
}

/// Merges `duplicate_id` into `id`: every follow-up, assessment, deal,
/// visit, complaint, invitation and timeline entry of the duplicate moves
/// to the survivor, which also takes contact fields it lacks; the duplicate
/// stays as a tombstone naming the survivor (`merged_into_id`) and leaves
/// the lists.
pub async fn merge(
    db: &(impl ConnectionTrait + TransactionTrait),
    ctx: &AuditContext,
    actor: &Actor,
    scope: Scope,
    id: Uuid,
    duplicate_id: Uuid,
) -> Result<CustomerView, DomainError> {
    use entities::{complaints, deals, event_invitations, follow_ups, needs_assessments, visits};
    if id == duplicate_id {
        return Err(DomainError::invalid("/duplicate_id", Msg::AnotherCustomer));
    }
    let txn = crate::platform::db::begin_write(db).await?;
    let survivor = find(&txn, actor, scope, id).await?;
    let duplicate = match find(&txn, actor, scope, duplicate_id).await {
        Err(DomainError::NotFound(_)) => {
            return Err(DomainError::invalid("/duplicate_id", Msg::NoSuchCustomerInReach));
        }
        other => other?,
    };
    for (c, pointer) in [(&survivor, None), (&duplicate, Some("/duplicate_id"))] {
        if c.merged_into_id.is_some() {
            return Err(match pointer {
                Some(p) => DomainError::invalid(p, Msg::AlreadyMerged),
                None => DomainError::Rule {
                    code: "customer_merged",
                    detail: Msg::ThisCustomerAlreadyMerged,
                },
            });
        }
    }
    macro_rules! move_rows {
        ($($entity:ident),*) => {$(
            $entity::Entity::update_many()
                .col_expr($entity::Column::CustomerId, Expr::value(id))
                .filter($entity::Column::CustomerId.eq(duplicate_id))
                .exec(&txn)
                .await?;
        )*};
    }
    // An event both were invited to keeps the survivor's invitation.
    let survivor_events: Vec<Uuid> = event_invitations::Entity::find()
        .select_only()
        .column(event_invitations::Column::EventId)
        .filter(event_invitations::Column::CustomerId.eq(id))
        .into_tuple()
        .all(&txn)
        .await?;
    event_invitations::Entity::delete_many()
        .filter(event_invitations::Column::CustomerId.eq(duplicate_id))
        .filter(event_invitations::Column::EventId.is_in(survivor_events))
        .exec(&txn)
        .await?;
    move_rows!(
        follow_ups,
        needs_assessments,
        deals,
        visits,
        complaints,
        event_invitations
    );
    timeline::move_all(&txn, duplicate_id, id).await?;

    let now = Utc::now();
    let before = CustomerView::from(survivor.clone());
    let mut active: customers::ActiveModel = survivor.clone().into();
    if survivor.phone.is_none() {
        active.phone = Set(duplicate.phone.clone());
        active.phone_key = Set(duplicate.phone_key.clone());
    }
    if survivor.email.is_none() {
        active.email = Set(duplicate.email.clone());
    }
    if survivor.wechat_id.is_none() {
        active.wechat_id = Set(duplicate.wechat_id.clone());
    }
    active.key_account = Set(survivor.key_account || duplicate.key_account);
    active.account_manager_id = Set(survivor.account_manager_id.or(duplicate.account_manager_id));
    if customer_status::merge_takes_duplicates(survivor.status, duplicate.status) {
        active.status = Set(duplicate.status);
        active.lost_reason = Set(duplicate.lost_reason.clone());
        active.lost_at = Set(duplicate.lost_at);
        active.lost_from_status = Set(duplicate.lost_from_status);
    }
    active.first_response_at = Set(earliest(survivor.first_response_at, duplicate.first_response_at));
    active.needs_assessed_at = Set(earliest(survivor.needs_assessed_at, duplicate.needs_assessed_at));
    active.last_follow_up_at = Set(Ord::max(survivor.last_follow_up_at, duplicate.last_follow_up_at));
    active.updated_at = Set(now);
    let merged = active.update(&txn).await?;
    let survivor_applied = crate::outbox::sla::revisits_apply(&survivor);
    crate::outbox::sla::on_key_account(&txn, survivor_applied, &merged, now).await?;
    let after = CustomerView::from(merged);

    let mut tombstone: customers::ActiveModel = duplicate.clone().into();
    tombstone.merged_into_id = Set(Some(id));
    tombstone.updated_at = Set(now);
    let tombstone = tombstone.update(&txn).await?;
    crate::outbox::sla::on_customer_closed(&txn, duplicate_id).await?;
    let duplicate_applied = crate::outbox::sla::revisits_apply(&duplicate);
    crate::outbox::sla::on_key_account(&txn, duplicate_applied, &tombstone, now).await?;

    let data = json!({"duplicate_id": duplicate_id, "duplicate_name": duplicate.name,
                      "duplicate_owner_id": duplicate.owner_id});
    let event = timeline::Event {
        customer_id: id,
        kind: timeline::Kind::Merged,
        occurred_at: now,
        subject_id: Some(duplicate_id),
        data,
    };
    timeline::record(&txn, Some(actor), event).await?;
    let (b, a) = (before.audit_json(), after.audit_json());
    audit::record(&txn, ctx, "merge", "customer", id, Some(&b), Some(&a)).await?;
    let gone = json!({"merged_into_id": id});
    audit::record(&txn, ctx, "merge", "customer", duplicate_id, None, Some(&gone)).await?;
    txn.commit().await?;
    Ok(after)
}

/// A lead its consultant has not reached yet (no first response), for the
/// managers' board of unanswered leads by age.
#[derive(Debug, Clone)]
pub struct Unanswered {
    pub customer_id: Uuid,
    pub name: String,
    pub owner_id: Option<Uuid>,
    pub owner_name: Option<String>,
    pub team_id: Option<Uuid>,
    /// Since when the consultant has had it: the assignment, else the lead's arrival.
    pub waiting_since: DateTime<Utc>,
}

/// The leads within the caller's reach that nobody has reached yet (no
/// first response, not lost, not merged), longest waiting first, at most
/// `limit` of them, with their consultant's name.
pub async fn unanswered(
    db: &impl ConnectionTrait,
    actor: &Actor,
    scope: Scope,
    limit: u64,
) -> Result<Vec<Unanswered>, DomainError> {
    use customers::Column as C;
    use sea_orm::QueryOrder;
    let rows = customers::Entity::find()
        .filter(reach(actor, scope))
        .filter(C::MergedIntoId.is_null())
        .filter(C::FirstResponseAt.is_null())
        .filter(C::Status.ne(customers::CustomerStatus::Lost))
        .order_by_asc(Expr::cust("COALESCE(assigned_at, created_at)"))
        .order_by_asc(C::Id)
        .limit(limit)
        .all(db)
        .await?;
    let owners: Vec<Uuid> = rows.iter().filter_map(|c| c.owner_id).collect();
    let names = crate::access::users::names(db, &owners).await?;
    Ok(rows
        .into_iter()
        .map(|c| Unanswered {
            customer_id: c.id,
            owner_name: c.owner_id.and_then(|o| names.get(&o).cloned()),
            owner_id: c.owner_id,
            team_id: c.team_id,
            waiting_since: c.assigned_at.unwrap_or(c.created_at),
            name: c.name,
        })
        .collect())
}
