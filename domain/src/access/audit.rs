//! The audit log: every write through the API leaves one entry with who
//! (user or client), what (action, entity, id), which fields changed from
//! what to what, and the request's id and address. Entries are written in
//! the same transaction as the change and never updated or deleted.
//! Secrets never enter it: fields named like secrets are recorded as changed
//! without their values.

use chrono::{DateTime, Utc};
use entities::audit_log;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, Set};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::{
    access::actor::Actor,
    platform::error::DomainError,
    platform::page::{Page, PageRequest},
};

/// Fields whose values never enter the log.
const SECRET_FIELDS: &[&str] = &[
    "password",
    "password_hash",
    "secret",
    "secret_hash",
    "token",
    "token_hash",
];

/// Who made a change and through which request.
#[derive(Debug, Clone, Default)]
pub struct AuditContext {
    pub actor_user_id: Option<Uuid>,
    pub actor_client_id: Option<Uuid>,
    pub request_id: Option<String>,
    pub address: Option<String>,
}

impl AuditContext {
    /// The service itself, acting on a policy rather than on a request (an
    /// SLA reassignment): no user, no client, no request — the entry reads
    /// "by the system".
    pub fn system() -> Self {
        Self::default()
    }

    pub fn new(actor: &Actor, request_id: Option<String>, address: Option<String>) -> Self {
        Self {
            actor_user_id: actor.user_id(),
            actor_client_id: actor.client_id(),
            request_id,
            address,
        }
    }
}

/// The fields that differ between `before` and `after` (JSON objects; `None`
/// for a creation or a deletion), as `{field: {before, after}}`.
pub fn diff(before: Option<&Value>, after: Option<&Value>) -> Value {
    let empty = Map::new();
    let before = before.and_then(Value::as_object).unwrap_or(&empty);
    let after = after.and_then(Value::as_object).unwrap_or(&empty);
    let mut changes = Map::new();
    let keys = before.keys().chain(after.keys().filter(|k| !before.contains_key(*k)));
    for key in keys {
        let (old, new) = (before.get(key), after.get(key));
        if old == new {
            continue;
        }
        let entry = if SECRET_FIELDS.contains(&key.as_str()) {
            json!({"before": old.map(|_| "[redacted]"), "after": new.map(|_| "[redacted]")})
        } else {
            json!({"before": old, "after": new})
        };
        changes.insert(key.clone(), entry);
    }
    Value::Object(changes)
}

/// Appends one entry.
pub async fn record(
    db: &impl ConnectionTrait,
    ctx: &AuditContext,
    action: &str,
    entity: &str,
    entity_id: impl ToString,
    before: Option<&Value>,
    after: Option<&Value>,
) -> Result<(), DomainError> {
    audit_log::ActiveModel {
        id: Set(Uuid::now_v7()),
        occurred_at: Set(Utc::now()),
        actor_user_id: Set(ctx.actor_user_id),
        actor_client_id: Set(ctx.actor_client_id),
        action: Set(action.to_owned()),
        entity: Set(entity.to_owned()),
        entity_id: Set(entity_id.to_string()),
        changes: Set(diff(before, after)),
        request_id: Set(ctx.request_id.clone()),
        address: Set(ctx.address.clone()),
    }
    .insert(db)
    .await?;
    Ok(())
}

/// What to look for in the log.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub entity: Option<String>,
    pub entity_id: Option<String>,
    pub actor_user_id: Option<Uuid>,
    pub actor_client_id: Option<Uuid>,
    pub action: Option<String>,
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
}

/// Entries matching `filter`, oldest first, a page at a time.
pub async fn list(
    db: &impl ConnectionTrait,
    filter: AuditFilter,
    page: PageRequest,
) -> Result<Page<audit_log::Model>, DomainError> {
    use audit_log::Column as C;
    let mut query = audit_log::Entity::find();
    if let Some(entity) = filter.entity {
        query = query.filter(C::Entity.eq(entity));
    }
    if let Some(id) = filter.entity_id {
        query = query.filter(C::EntityId.eq(id));
    }
    if let Some(user) = filter.actor_user_id {
        query = query.filter(C::ActorUserId.eq(user));
    }
    if let Some(client) = filter.actor_client_id {
        query = query.filter(C::ActorClientId.eq(client));
    }
    if let Some(action) = filter.action {
        query = query.filter(C::Action.eq(action));
    }
    if let Some(since) = filter.since {
        query = query.filter(C::OccurredAt.gte(since));
    }
    if let Some(until) = filter.until {
        query = query.filter(C::OccurredAt.lt(until));
    }
    page.fetch(db, query, C::Id, |entry| entry.id).await
}

/// Who the actors of some entries are, to name them: users' names and
/// e-mails, API clients' names, in one query each.
#[derive(Debug, Clone, Default)]
pub struct ActorNames {
    pub users: std::collections::HashMap<Uuid, (String, String)>,
    pub clients: std::collections::HashMap<Uuid, String>,
}

/// The names of these users and API clients (the actors of some entries,
/// the authors of some versions).
pub async fn actor_names(
    db: &impl ConnectionTrait,
    mut user_ids: Vec<Uuid>,
    mut client_ids: Vec<Uuid>,
) -> Result<ActorNames, DomainError> {
    use entities::{api_clients, users};
    use sea_orm::QuerySelect;
    for ids in [&mut user_ids, &mut client_ids] {
        ids.sort_unstable();
        ids.dedup();
    }
    let mut names = ActorNames::default();
    if !user_ids.is_empty() {
        let rows: Vec<(Uuid, String, String)> = users::Entity::find()
            .select_only()
            .column(users::Column::Id)
            .column(users::Column::Name)
            .column(users::Column::Email)
            .filter(users::Column::Id.is_in(user_ids))
            .into_tuple()
            .all(db)
            .await?;
        names.users = rows.into_iter().map(|(id, name, email)| (id, (name, email))).collect();
    }
    if !client_ids.is_empty() {
        let rows: Vec<(Uuid, String)> = api_clients::Entity::find()
            .select_only()
            .column(api_clients::Column::Id)
            .column(api_clients::Column::Name)
            .filter(api_clients::Column::Id.is_in(client_ids))
            .into_tuple()
            .all(db)
            .await?;
        names.clients = rows.into_iter().collect();
    }
    Ok(names)
}

/// The user with this e-mail (as sign-in reads it), to filter the log by actor.
pub async fn user_with_email(db: &impl ConnectionTrait, email: &str) -> Result<Option<Uuid>, DomainError> {
    use entities::users;
    use sea_orm::QuerySelect;
    let Some(email) = crate::access::users::normalise_email(email) else {
        return Ok(None);
    };
    Ok(users::Entity::find()
        .select_only()
        .column(users::Column::Id)
        .filter(users::Column::Email.eq(email))
        .into_tuple()
        .one(db)
        .await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_changed_fields_are_recorded() {
        let before = json!({"name": "Li", "phone": "1", "team_id": null});
        let after = json!({"name": "Li Na", "phone": "1", "team_id": "t"});
        assert_eq!(
            diff(Some(&before), Some(&after)),
            json!({"name": {"before": "Li", "after": "Li Na"}, "team_id": {"before": null, "after": "t"}})
        );
    }

    #[test]
    fn creations_and_deletions_show_every_field() {
        let row = json!({"name": "East"});
        assert_eq!(
            diff(None, Some(&row)),
            json!({"name": {"before": null, "after": "East"}})
        );
        assert_eq!(
            diff(Some(&row), None),
            json!({"name": {"before": "East", "after": null}})
        );
    }

    #[test]
    fn secret_values_never_enter_the_log() {
        let changes = diff(
            Some(&json!({"password_hash": "$argon2id$old"})),
            Some(&json!({"password_hash": "$argon2id$new"})),
        );
        let text = changes.to_string();
        assert!(!text.contains("argon2id"), "{text}");
        assert_eq!(changes["password_hash"]["after"], "[redacted]");
    }
}
