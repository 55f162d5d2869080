//! Lead routing (线索分配规则): the director's ordered rules that send a
//! lead, in the transaction in which it arrives (a partner's push, a
//! customer recorded without an owner, a partner's CSV import), to a named
//! consultant or to a team's round-robin through `assignment`, so that no
//! lead waits unassigned for the director.
//!
//! A rule matches a lead when every condition it sets holds: channel,
//! partner (the API client that pushed it), project or district of
//! interest, key account. Enabled rules are tried by priority (lower
//! first, ties by age); the first that matches and whose target can take a
//! lead wins. The one `fallback` rule, which has no conditions, is tried
//! after all others: the default team for every lead no rule matched. A
//! lead no rule takes stays unassigned, as before. Every change of a rule
//! raises its version; the customer's timeline names the rule and version
//! that routed the lead.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entities::{api_clients, customers, routing_rules, teams, users};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionTrait,
};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crate::platform::text::Msg;
use crate::{
    access::audit::AuditContext,
    access::record::{self, Record},
    platform::error::{DomainError, FieldError},
    platform::input,
    platform::version,
    sales::assignment::{self, Target},
    sales::customers::{Channel, CustomerView},
};

/// The highest priority number a rule may have.
pub const MAX_PRIORITY: i32 = 100_000;

#[derive(Debug, Clone, Serialize)]
pub struct RuleView {
    pub id: Uuid,
    pub name: String,
    pub priority: i32,
    pub version: i32,
    pub enabled: bool,
    pub fallback: bool,
    pub channel: Option<String>,
    pub source_client_id: Option<Uuid>,
    pub project: Option<String>,
    pub district: Option<String>,
    pub key_account: Option<bool>,
    pub consultant_id: Option<Uuid>,
    pub team_id: Option<Uuid>,
    pub created_by: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<routing_rules::Model> for RuleView {
    fn from(m: routing_rules::Model) -> Self {
        Self {
            id: m.id,
            name: m.name,
            priority: m.priority,
            version: m.version,
            enabled: m.enabled,
            fallback: m.fallback,
            channel: m.channel.map(|c| c.to_string()),
            source_client_id: m.source_client_id,
            project: m.project,
            district: m.district,
            key_account: m.key_account,
            consultant_id: m.consultant_id,
            team_id: m.team_id,
            created_by: m.created_by,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

impl Record for RuleView {
    type Entity = routing_rules::Entity;
    const NAME: Msg = Msg::NounRoutingRule;
    const AUDITED: &'static str = "routing_rule";
    fn audit_json(&self) -> serde_json::Value {
        json!({"name": self.name, "priority": self.priority, "version": self.version, "enabled": self.enabled,
               "fallback": self.fallback, "channel": self.channel, "source_client_id": self.source_client_id,
               "project": self.project, "district": self.district, "key_account": self.key_account,
               "consultant_id": self.consultant_id, "team_id": self.team_id})
    }
}

/// A new rule (every field given that is set) or a change to one (only the
/// fields given change; `Some(None)` clears a condition or target).
#[derive(Debug, Clone, Default)]
pub struct RuleInput {
    pub name: Option<String>,
    pub priority: Option<i32>,
    pub enabled: Option<bool>,
    pub fallback: Option<bool>,
    pub channel: Option<Option<String>>,
    pub source_client_id: Option<Option<Uuid>>,
    pub project: Option<Option<String>>,
    pub district: Option<Option<String>>,
    pub key_account: Option<Option<bool>>,
    pub consultant_id: Option<Option<Uuid>>,
    pub team_id: Option<Option<Uuid>>,
}

/// A rule's fields as they will be once `input` applies.
struct Draft {
    name: String,
    priority: i32,
    enabled: bool,
    fallback: bool,
    channel: Option<Channel>,
    source_client_id: Option<Uuid>,
    project: Option<String>,
    district: Option<String>,
    key_account: Option<bool>,
    consultant_id: Option<Uuid>,
    team_id: Option<Uuid>,
}

impl Draft {
    fn of(m: &routing_rules::Model) -> Self {
        Self {
            name: m.name.clone(),
            priority: m.priority,
            enabled: m.enabled,
            fallback: m.fallback,
            channel: m.channel,
            source_client_id: m.source_client_id,
            project: m.project.clone(),
            district: m.district.clone(),
            key_account: m.key_account,
            consultant_id: m.consultant_id,
            team_id: m.team_id,
        }
    }

    fn has_condition(&self) -> bool {
        self.channel.is_some()
            || self.source_client_id.is_some()
            || self.project.is_some()
            || self.district.is_some()
            || self.key_account.is_some()
    }
}

/// `base` with `input` applied, or every rule the result breaks (those that
/// need the database are checked by [`check_references`]).
fn apply(base: Draft, input: RuleInput) -> Result<Draft, DomainError> {
    let mut errors = Vec::new();
    let text = |value: Option<String>, pointer: &str, errors: &mut Vec<FieldError>| {
        let value = value.map(|v| v.trim().to_owned());
        if value.as_ref().is_some_and(|v| v.is_empty() || v.chars().count() > 120) {
            errors.push(FieldError::new(pointer, Msg::OneToChars { max: 120 }));
        }
        value
    };
    let name = match input.name {
        Some(name) => text(Some(name), "/name", &mut errors).unwrap_or_default(),
        None => base.name,
    };
    if input.priority.is_some_and(|p| !(0..=MAX_PRIORITY).contains(&p)) {
        errors.push(FieldError::new("/priority", Msg::RoutingPriority));
    }
    let channel = match input.channel {
        Some(channel) => input::optional(channel.as_deref(), |c| input::variant(c, "/channel"), &mut errors),
        None => base.channel,
    };
    let draft = Draft {
        name,
        priority: input.priority.unwrap_or(base.priority),
        enabled: input.enabled.unwrap_or(base.enabled),
        fallback: input.fallback.unwrap_or(base.fallback),
        channel,
        source_client_id: input.source_client_id.unwrap_or(base.source_client_id),
        project: match input.project {
            Some(project) => text(project, "/project", &mut errors),
            None => base.project,
        },
        district: match input.district {
            Some(district) => text(district, "/district", &mut errors),
            None => base.district,
        },
        key_account: input.key_account.unwrap_or(base.key_account),
        consultant_id: input.consultant_id.unwrap_or(base.consultant_id),
        team_id: input.team_id.unwrap_or(base.team_id),
    };
    if draft.name.is_empty() && !errors.iter().any(|e| e.pointer == "/name") {
        errors.push(FieldError::new("/name", Msg::Required));
    }
    if draft.consultant_id.is_some() == draft.team_id.is_some() {
        errors.push(FieldError::new("/consultant_id", Msg::ConsultantOrTeam));
    }
    match (draft.fallback, draft.has_condition()) {
        (true, true) => errors.push(FieldError::new("/fallback", Msg::RoutingFallbackMatchesAll)),
        (false, false) if errors.is_empty() => errors.push(FieldError::new("/channel", Msg::RoutingConditionRequired)),
        _ => {}
    }
    if errors.is_empty() {
        Ok(draft)
    } else {
        Err(DomainError::Validation(errors))
    }
}

/// The consultant, team and partner a rule names exist (a consultant must
/// be active), and there is no other default rule.
async fn check_references(db: &impl ConnectionTrait, draft: &Draft, id: Option<Uuid>) -> Result<(), DomainError> {
    let mut errors = Vec::new();
    if let Some(consultant) = draft.consultant_id {
        let active = users::Entity::find_by_id(consultant)
            .one(db)
            .await?
            .is_some_and(|u| u.status == users::UserStatus::Active);
        if !active {
            errors.push(FieldError::new("/consultant_id", Msg::NoSuchActiveUser));
        }
    }
    if let Some(team) = draft.team_id
        && teams::Entity::find_by_id(team).one(db).await?.is_none()
    {
        errors.push(FieldError::new("/team_id", Msg::NoSuchTeam));
    }
    if let Some(client) = draft.source_client_id
        && api_clients::Entity::find_by_id(client).one(db).await?.is_none()
    {
        errors.push(FieldError::new("/source_client_id", Msg::NoSuchApiClient));
    }
    if !errors.is_empty() {
        return Err(DomainError::Validation(errors));
    }
    if draft.fallback {
        let mut others = routing_rules::Entity::find().filter(routing_rules::Column::Fallback.eq(true));
        if let Some(id) = id {
            others = others.filter(routing_rules::Column::Id.ne(id));
        }
        if others.one(db).await?.is_some() {
            return Err(DomainError::Rule {
                code: "routing_fallback_exists",
                detail: Msg::RoutingFallbackExists,
            });
        }
    }
    Ok(())
}

/// The rules in the order they are tried: by priority (lower first), ties
/// by age, the default rule last.
fn in_order() -> sea_orm::Select<routing_rules::Entity> {
    use routing_rules::Column as C;
    routing_rules::Entity::find()
        .order_by_asc(C::Fallback)
        .order_by_asc(C::Priority)
        .order_by_asc(C::CreatedAt)
        .order_by_asc(C::Id)
}

/// Every rule, in the order they are tried.
pub async fn list(db: &impl ConnectionTrait) -> Result<Vec<RuleView>, DomainError> {
    Ok(in_order().all(db).await?.into_iter().map(RuleView::from).collect())
}

pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> Result<RuleView, DomainError> {
    record::find_by_id::<RuleView>(db, id).await.map(Into::into)
}

pub async fn create(
    db: &(impl ConnectionTrait + TransactionTrait),
    ctx: &AuditContext,
    input: RuleInput,
) -> Result<RuleView, DomainError> {
    let empty = Draft {
        name: String::new(),
        priority: 100,
        enabled: true,
        fallback: false,
        channel: None,
        source_client_id: None,
        project: None,
        district: None,
        key_account: None,
        consultant_id: None,
        team_id: None,
    };
    let draft = apply(empty, input)?;
    let txn = crate::platform::db::begin_write(db).await?;
    check_references(&txn, &draft, None).await?;
    let now = Utc::now();
    let id = Uuid::now_v7();
    let rule = routing_rules::ActiveModel {
        id: Set(id),
        name: Set(draft.name),
        priority: Set(draft.priority),
        version: Set(1),
        enabled: Set(draft.enabled),
        fallback: Set(draft.fallback),
        channel: Set(draft.channel),
        source_client_id: Set(draft.source_client_id),
        project: Set(draft.project),
        district: Set(draft.district),
        key_account: Set(draft.key_account),
        consultant_id: Set(draft.consultant_id),
        team_id: Set(draft.team_id),
        created_by: Set(ctx.actor_user_id),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let view = RuleView::from(rule);
    record::commit_created(txn, ctx, &view, id).await?;
    Ok(view)
}

/// Changes a rule (its order too, through `priority`); the version goes up by one.
pub async fn update(
    db: &(impl ConnectionTrait + TransactionTrait),
    ctx: &AuditContext,
    id: Uuid,
    input: RuleInput,
    if_match: Option<&str>,
) -> Result<RuleView, DomainError> {
    let txn = crate::platform::db::begin_write(db).await?;
    let rule = record::find_by_id::<RuleView>(&txn, id).await?;
    let before = RuleView::from(rule.clone());
    version::check(if_match, &before)?;
    let draft = apply(Draft::of(&rule), input)?;
    check_references(&txn, &draft, Some(id)).await?;
    let mut active: routing_rules::ActiveModel = rule.into();
    active.name = Set(draft.name);
    active.priority = Set(draft.priority);
    active.version = Set(before.version + 1);
    active.enabled = Set(draft.enabled);
    active.fallback = Set(draft.fallback);
    active.channel = Set(draft.channel);
    active.source_client_id = Set(draft.source_client_id);
    active.project = Set(draft.project);
    active.district = Set(draft.district);
    active.key_account = Set(draft.key_account);
    active.consultant_id = Set(draft.consultant_id);
    active.team_id = Set(draft.team_id);
    active.updated_at = Set(Utc::now());
    let after = RuleView::from(active.update(&txn).await?);
    record::commit_changed(txn, ctx, "update", id, &before, &after).await?;
    Ok(after)
}

pub async fn delete(
    db: &(impl ConnectionTrait + TransactionTrait),
    ctx: &AuditContext,
    id: Uuid,
    if_match: Option<&str>,
) -> Result<(), DomainError> {
    let txn = crate::platform::db::begin_write(db).await?;
    let before = RuleView::from(record::find_by_id::<RuleView>(&txn, id).await?);
    version::check(if_match, &before)?;
    routing_rules::Entity::delete_by_id(id).exec(&txn).await?;
    record::commit_deleted(txn, ctx, id, &before).await
}

/// Whether every condition `rule` sets holds for `lead`.
fn matches(rule: &routing_rules::Model, lead: &customers::Model) -> bool {
    let same = |want: &Option<String>, have: &Option<String>| {
        want.as_ref()
            .is_none_or(|w| have.as_ref().is_some_and(|h| h.trim() == w.as_str()))
    };
    rule.channel.is_none_or(|c| c == lead.channel)
        && rule.source_client_id.is_none_or(|c| Some(c) == lead.source_client_id)
        && rule.key_account.is_none_or(|k| k == lead.key_account)
        && same(&rule.project, &lead.project_of_interest)
        && same(&rule.district, &lead.district_of_interest)
}

/// Routes the leads `ids`, which have just arrived without an owner, inside
/// the transaction that created them, in the order given: for each, the
/// first enabled rule that matches and whose target can take it assigns it
/// (the default rule last). Returns the leads a rule took, by id. The hand-over is the service's, within the
/// request that brought the lead (`ctx`'s request id).
pub async fn route(
    db: &impl ConnectionTrait,
    ctx: &AuditContext,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, CustomerView>, DomainError> {
    let mut routed = HashMap::new();
    if ids.is_empty() {
        return Ok(routed);
    }
    // The rules and the leads are read once, however many leads arrive.
    let rules = in_order()
        .filter(routing_rules::Column::Enabled.eq(true))
        .all(db)
        .await?;
    if rules.is_empty() {
        return Ok(routed);
    }
    let mut leads = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let found = customers::Entity::find()
            .filter(customers::Column::Id.is_in(chunk.to_vec()))
            .filter(customers::Column::OwnerId.is_null())
            .all(db)
            .await?;
        leads.extend(found);
    }
    // In arrival order, so that round-robin turns follow the file's rows.
    let order: HashMap<Uuid, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    leads.sort_by_key(|l| order.get(&l.id).copied());
    let by_service = AuditContext {
        request_id: ctx.request_id.clone(),
        ..AuditContext::system()
    };
    for lead in &leads {
        for rule in rules.iter().filter(|r| r.fallback || matches(r, lead)) {
            let target = match (rule.consultant_id, rule.team_id) {
                (Some(consultant), _) => Target::Consultant(consultant),
                (None, Some(team)) => Target::Team(team),
                (None, None) => continue,
            };
            let named = json!({"id": rule.id, "name": rule.name, "version": rule.version, "fallback": rule.fallback});
            if let Some(view) = assignment::assign_by_rule(db, &by_service, lead.id, target, named).await? {
                routed.insert(lead.id, view);
                break;
            }
            tracing::warn!(rule = %rule.id, customer = %lead.id, "routing rule matched but its target takes no lead now");
        }
    }
    Ok(routed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lead() -> customers::Model {
        let now = Utc::now();
        customers::Model {
            id: Uuid::nil(),
            name: "x".to_owned(),
            phone: None,
            email: None,
            wechat_id: None,
            channel: Channel::PartnerPlatform,
            status: entities::customers::CustomerStatus::New,
            lost_reason: None,
            key_account: false,
            account_manager_id: None,
            owner_id: None,
            team_id: None,
            source_client_id: Some(Uuid::max()),
            external_id: None,
            created_by: None,
            phone_key: None,
            assigned_at: None,
            first_response_at: None,
            needs_assessed_at: None,
            last_follow_up_at: None,
            lost_at: None,
            lost_from_status: None,
            merged_into_id: None,
            project_of_interest: Some("Riverside".to_owned()),
            district_of_interest: None,
            next_due_at: None,
            next_due_kind: None,
            created_at: now,
            updated_at: now,
        }
    }

    fn rule() -> routing_rules::Model {
        let now = Utc::now();
        routing_rules::Model {
            id: Uuid::nil(),
            name: "r".to_owned(),
            priority: 1,
            version: 1,
            enabled: true,
            fallback: false,
            channel: None,
            source_client_id: None,
            project: None,
            district: None,
            key_account: None,
            consultant_id: None,
            team_id: Some(Uuid::nil()),
            created_by: None,
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn a_rule_matches_when_every_condition_it_sets_holds() {
        let lead = lead();
        type Change = fn(&mut routing_rules::Model);
        let cases: [(Change, bool); 8] = [
            (|r| r.channel = Some(Channel::PartnerPlatform), true),
            (|r| r.channel = Some(Channel::Website), false),
            (|r| r.source_client_id = Some(Uuid::max()), true),
            (|r| r.source_client_id = Some(Uuid::nil()), false),
            (|r| r.key_account = Some(true), false),
            (|r| r.project = Some("Riverside".to_owned()), true),
            (|r| r.district = Some("Pudong".to_owned()), false),
            (
                |r| {
                    r.channel = Some(Channel::PartnerPlatform);
                    r.key_account = Some(true);
                },
                false,
            ),
        ];
        for (i, (set, expected)) in cases.into_iter().enumerate() {
            let mut r = rule();
            set(&mut r);
            assert_eq!(matches(&r, &lead), expected, "case {i}");
        }
    }

    #[test]
    fn a_rule_needs_one_target_and_a_condition_unless_it_is_the_default() {
        let base = || Draft::of(&rule());
        let pointers = |result: Result<Draft, DomainError>| match result {
            Ok(_) => Vec::new(),
            Err(DomainError::Validation(errors)) => errors.into_iter().map(|e| e.pointer).collect(),
            Err(other) => panic!("{other:?}"),
        };
        assert_eq!(pointers(apply(base(), RuleInput::default())), ["/channel"]);
        let fallback = RuleInput {
            fallback: Some(true),
            ..RuleInput::default()
        };
        assert!(pointers(apply(base(), fallback)).is_empty());
        let both = RuleInput {
            consultant_id: Some(Some(Uuid::max())),
            key_account: Some(Some(true)),
            ..RuleInput::default()
        };
        assert_eq!(pointers(apply(base(), both)), ["/consultant_id"]);
        let conditional_default = RuleInput {
            fallback: Some(true),
            key_account: Some(Some(true)),
            priority: Some(-1),
            ..RuleInput::default()
        };
        assert_eq!(pointers(apply(base(), conditional_default)), ["/priority", "/fallback"]);
    }
}
