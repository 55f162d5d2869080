//! Customers (leads). Staff see them through their `customers:*` scope:
//! `own` is the customers they own, `team` adds their teams' customers,
//! `all` every one. A partner client reaches only the leads it pushed. A
//! partner pushing a lead again with the same `external_id` gets the lead
//! it pushed before, unchanged.

use chrono::{DateTime, Utc};
use entities::{customers, users};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set, TransactionSession,
    TransactionTrait,
    sea_query::{Condition, Expr, ExprTrait, Func},
};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crate::{
    actor::{Actor, ActorKind},
    audit::{self, AuditContext},
    error::{DomainError, FieldError},
    page::{Page, PageRequest},
    permissions::Scope,
    version,
};

/// Where leads come from (渠道).
pub const CHANNELS: &[&str] = &[
    "website",
    "social_media",
    "partner_platform",
    "store_walk_in",
    "outdoor_exhibition",
    "cross_industry",
];

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
    pub owner_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    pub source_client_id: Option<Uuid>,
    pub external_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<customers::Model> for CustomerView {
    fn from(m: customers::Model) -> Self {
        Self {
            id: m.id,
            name: m.name,
            phone: m.phone,
            email: m.email,
            wechat_id: m.wechat_id,
            channel: m.channel,
            status: m.status,
            lost_reason: m.lost_reason,
            key_account: m.key_account,
            owner_id: m.owner_id,
            team_id: m.team_id,
            source_client_id: m.source_client_id,
            external_id: m.external_id,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

fn audit_json(v: &CustomerView) -> serde_json::Value {
    json!({"name": v.name, "phone": v.phone, "email": v.email, "wechat_id": v.wechat_id, "channel": v.channel,
           "status": v.status, "key_account": v.key_account, "owner_id": v.owner_id, "team_id": v.team_id,
           "external_id": v.external_id})
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
}

fn check(input: &CustomerInput, creating: bool, errors: &mut Vec<FieldError>) {
    match &input.name {
        Some(n) if n.trim().is_empty() || n.chars().count() > 200 => {
            errors.push(FieldError::new("/name", "must be 1 to 200 characters"));
        }
        None if creating => errors.push(FieldError::new("/name", "is required")),
        _ => {}
    }
    if let Some(Some(phone)) = &input.phone {
        let digits = phone.chars().filter(char::is_ascii_digit).count();
        let allowed = phone.chars().all(|c| c.is_ascii_digit() || " +-()".contains(c));
        if !allowed || !(5..=20).contains(&digits) {
            errors.push(FieldError::new("/phone", "must be a phone number of 5 to 20 digits"));
        }
    }
    if let Some(Some(email)) = &input.email
        && crate::users::normalise_email(email).is_none()
    {
        errors.push(FieldError::new("/email", "must be an e-mail address"));
    }
    if input
        .wechat_id
        .as_ref()
        .is_some_and(|w| w.as_ref().is_some_and(|w| w.is_empty() || w.chars().count() > 64))
    {
        errors.push(FieldError::new("/wechat_id", "must be 1 to 64 characters"));
    }
    if input.channel.as_ref().is_some_and(|c| !CHANNELS.contains(&c.as_str())) {
        errors.push(FieldError::new(
            "/channel",
            format!("must be one of {}", CHANNELS.join(", ")),
        ));
    }
    if input
        .external_id
        .as_ref()
        .is_some_and(|e| e.is_empty() || e.chars().count() > 128)
    {
        errors.push(FieldError::new("/external_id", "must be 1 to 128 characters"));
    }
}

/// The digits of a phone number, by which possible duplicates are found
/// (a leading +86 country code is dropped).
pub fn phone_key(phone: &str) -> Option<String> {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    let digits = match digits.strip_prefix("86") {
        Some(rest) if phone.trim_start().starts_with('+') || digits.len() == 13 => rest.to_owned(),
        _ => digits,
    };
    (!digits.is_empty()).then_some(digits)
}

/// A new customer, or the one the partner pushed before under the same `external_id`.
#[derive(Debug, Clone)]
pub enum Created {
    New(CustomerView),
    Existing(CustomerView),
}

pub async fn create(
    db: &(impl ConnectionTrait + TransactionTrait),
    ctx: &AuditContext,
    actor: &Actor,
    scope: Scope,
    input: CustomerInput,
) -> Result<Created, DomainError> {
    let mut errors = Vec::new();
    check(&input, true, &mut errors);
    let is_client = actor.kind == ActorKind::Client;
    if is_client && input.owner_id.is_some() {
        errors.push(FieldError::new(
            "/owner_id",
            "is assigned by the sales team, not by partners",
        ));
    }
    if !is_client && input.external_id.is_some() {
        errors.push(FieldError::new("/external_id", "is for leads pushed by partners"));
    }
    let owner_id = if is_client {
        None
    } else {
        Some(input.owner_id.unwrap_or(actor.id))
    };
    let mut team_id = None;
    if let Some(owner) = owner_id {
        match users::Entity::find_by_id(owner).one(db).await? {
            None => errors.push(FieldError::new("/owner_id", "no such user")),
            Some(user) => {
                team_id = user.team_id;
                let allowed = owner == actor.id
                    || scope == Scope::All
                    || (scope == Scope::Team && user.team_id.is_some_and(|t| actor.team_ids.contains(&t)));
                if !allowed {
                    errors.push(FieldError::new("/owner_id", "is outside what you may assign"));
                }
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
    let phone_key = input.phone.clone().flatten().as_deref().and_then(phone_key);
    let txn = crate::db::begin_write(db).await?;
    let inserted = customers::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(input.name.unwrap_or_default().trim().to_owned()),
        phone: Set(input.phone.flatten().map(|p| p.trim().to_owned())),
        email: Set(input.email.flatten().and_then(|e| crate::users::normalise_email(&e))),
        wechat_id: Set(input.wechat_id.flatten()),
        channel: Set(input
            .channel
            .unwrap_or_else(|| if is_client { "partner_platform" } else { "store_walk_in" }.to_owned())),
        status: Set("new".to_owned()),
        lost_reason: Set(None),
        key_account: Set(input.key_account.unwrap_or(false)),
        owner_id: Set(owner_id),
        team_id: Set(team_id),
        source_client_id: Set(actor.client_id()),
        external_id: Set(input.external_id.clone()),
        created_by: Set(actor.user_id()),
        phone_key: Set(phone_key),
        assigned_at: Set(owner_id.map(|_| now)),
        first_response_at: Set(None),
        needs_assessed_at: Set(None),
        last_follow_up_at: Set(None),
        lost_at: Set(None),
        merged_into_id: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await;
    let customer = match inserted {
        Ok(customer) => customer,
        // The same lead pushed twice at once: the other push won.
        Err(e) if is_client && matches!(DomainError::from(e.clone()), DomainError::Conflict(_)) => {
            drop(txn);
            let existing = find_pushed(db, actor.id, input.external_id.as_deref().unwrap_or_default()).await?;
            return existing.map(|c| Created::Existing(c.into())).ok_or_else(|| e.into());
        }
        Err(e) => return Err(e.into()),
    };
    let view = CustomerView::from(customer);
    audit::record(&txn, ctx, "create", "customer", view.id, None, Some(&audit_json(&view))).await?;
    txn.commit().await?;
    Ok(Created::New(view))
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
}

pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    scope: Scope,
    filter: CustomerFilter,
    page: PageRequest,
) -> Result<Page<CustomerView>, DomainError> {
    use customers::Column as C;
    let mut query = customers::Entity::find().filter(reach(actor, scope));
    if let Some(status) = filter.status {
        query = query.filter(C::Status.eq(status));
    }
    if let Some(channel) = filter.channel {
        query = query.filter(C::Channel.eq(channel));
    }
    if let Some(owner) = filter.owner_id {
        query = query.filter(C::OwnerId.eq(owner));
    }
    if let Some(team) = filter.team_id {
        query = query.filter(C::TeamId.eq(team));
    }
    if let Some(external_id) = filter.external_id {
        query = query.filter(C::ExternalId.eq(external_id));
    }
    if let Some(q) = filter.q.filter(|q| !q.trim().is_empty()) {
        let pattern = format!("%{}%", q.trim().to_lowercase().replace(['%', '_'], ""));
        query = query.filter(
            Condition::any()
                .add(Expr::expr(Func::lower(Expr::col(C::Name))).like(pattern.clone()))
                .add(C::Phone.like(pattern.clone()))
                .add(C::Email.like(pattern)),
        );
    }
    Ok(page.fetch(db, query, C::Id, |c| c.id).await?.map(CustomerView::from))
}

async fn find(
    db: &impl ConnectionTrait,
    actor: &Actor,
    scope: Scope,
    id: Uuid,
) -> Result<customers::Model, DomainError> {
    customers::Entity::find_by_id(id)
        .filter(reach(actor, scope))
        .one(db)
        .await?
        .ok_or(DomainError::NotFound("customer"))
}

/// One customer within the caller's reach; outside it, "not found".
pub async fn get(
    db: &impl ConnectionTrait,
    actor: &Actor,
    scope: Scope,
    id: Uuid,
) -> Result<CustomerView, DomainError> {
    find(db, actor, scope, id).await.map(Into::into)
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
    check(&input, false, &mut errors);
    for (given, pointer) in [
        (input.channel.is_some(), "/channel"),
        (input.external_id.is_some(), "/external_id"),
        (input.owner_id.is_some(), "/owner_id"),
    ] {
        if given {
            errors.push(FieldError::new(pointer, "cannot be changed here"));
        }
    }
    if !errors.is_empty() {
        return Err(DomainError::Validation(errors));
    }
    let txn = crate::db::begin_write(db).await?;
    let customer = find(&txn, actor, scope, id).await?;
    let before = CustomerView::from(customer.clone());
    version::check_if_match(if_match, &version::etag_of(&before))?;
    let mut active: customers::ActiveModel = customer.into();
    if let Some(name) = input.name {
        active.name = Set(name.trim().to_owned());
    }
    if let Some(phone) = input.phone {
        active.phone_key = Set(phone.as_deref().and_then(phone_key));
        active.phone = Set(phone.map(|p| p.trim().to_owned()));
    }
    if let Some(email) = input.email {
        active.email = Set(email.and_then(|e| crate::users::normalise_email(&e)));
    }
    if let Some(wechat_id) = input.wechat_id {
        active.wechat_id = Set(wechat_id);
    }
    if let Some(key_account) = input.key_account {
        active.key_account = Set(key_account);
    }
    active.updated_at = Set(Utc::now());
    let after = CustomerView::from(active.update(&txn).await?);
    audit::record(
        &txn,
        ctx,
        "update",
        "customer",
        id,
        Some(&audit_json(&before)),
        Some(&audit_json(&after)),
    )
    .await?;
    txn.commit().await?;
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
    let txn = crate::db::begin_write(db).await?;
    let customer = find(&txn, actor, scope, id).await?;
    let before = CustomerView::from(customer);
    version::check_if_match(if_match, &version::etag_of(&before))?;
    customers::Entity::delete_by_id(id).exec(&txn).await?;
    audit::record(&txn, ctx, "delete", "customer", id, Some(&audit_json(&before)), None).await?;
    txn.commit().await?;
    Ok(())
}
