//! Partner webhook subscriptions: which events a partner receives at which
//! URL, within the partner's own reach (administrators: all).

use chrono::{DateTime, Utc};
use entities::webhooks;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set, TransactionSession, TransactionTrait};
use serde::Serialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::platform::text::Msg;
use crate::{
    access::actor::Actor,
    access::audit::{self, AuditContext},
    access::permissions::Scope,
    platform::error::{DomainError, FieldError},
    platform::page::{Page, PageRequest},
    platform::version,
};

/// Every event a partner may subscribe to.
pub const EVENTS: &[&str] = &[
    "customer.created",
    "customer.assigned",
    "lead.sla_breached",
    "deal.stage_changed",
    "handover.completed",
    "visit.overdue",
    "award.published",
    "approval.submitted",
    "approval.decided",
    "approval.withdrawn",
];

/// A subscription as the API shows it: never with its secret.
#[derive(Debug, Clone, Serialize)]
pub struct WebhookView {
    pub id: Uuid,
    pub client_id: Uuid,
    pub url: String,
    pub events: Vec<String>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<webhooks::Model> for WebhookView {
    fn from(m: webhooks::Model) -> Self {
        Self {
            id: m.id,
            client_id: m.client_id,
            url: m.url,
            events: crate::platform::db::strings(&m.events),
            active: m.active,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

fn audit_json(view: &WebhookView) -> Value {
    json!({"client_id": view.client_id, "url": view.url, "events": view.events, "active": view.active})
}

/// A new subscription or a change to one; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct WebhookInput {
    pub url: Option<String>,
    pub events: Option<Vec<String>>,
    pub active: Option<bool>,
    /// The partner the subscription is for: administrators only, required for them.
    pub client_id: Option<Uuid>,
    /// Where the deployment lets the URL point.
    pub destinations: super::destinations::Destinations,
}

fn check(input: &WebhookInput, creating: bool) -> Vec<FieldError> {
    let mut errors = Vec::new();
    match &input.url {
        Some(url) => {
            if let Err(detail) = super::destinations::check_url(url, input.destinations) {
                errors.push(FieldError::new("/url", detail));
            }
        }
        None if creating => errors.push(FieldError::new("/url", Msg::Required)),
        None => {}
    }
    match &input.events {
        Some(events) if events.is_empty() => errors.push(FieldError::new("/events", Msg::AtLeastOneEvent)),
        Some(events) => {
            for (i, event) in events.iter().enumerate() {
                if !EVENTS.contains(&event.as_str()) {
                    errors.push(FieldError::new(
                        format!("/events/{i}"),
                        Msg::UnknownEvent {
                            event: format!("{event:?}"),
                            events: EVENTS.iter().map(|e| (*e).to_owned()).collect(),
                        },
                    ));
                }
            }
        }
        None if creating => errors.push(FieldError::new("/events", Msg::Required)),
        None => {}
    }
    errors
}

/// Subscribes a partner; returns the subscription and its signing secret (shown only now).
pub async fn create(
    db: &impl TransactionTrait,
    ctx: &AuditContext,
    actor: &Actor,
    scope: Scope,
    input: WebhookInput,
) -> Result<(WebhookView, String), DomainError> {
    let mut errors = check(&input, true);
    let client_id = match (scope, input.client_id, actor.client_id()) {
        (Scope::All, Some(client), _) => Some(client),
        (Scope::All, None, Some(own)) => Some(own),
        (Scope::All, None, None) => {
            errors.push(FieldError::new("/client_id", Msg::NameTheClient));
            None
        }
        (_, Some(client), _) if Some(client) != actor.client_id() => {
            errors.push(FieldError::new("/client_id", Msg::PartnerSubscribesItself));
            None
        }
        (_, _, own) => own,
    };
    let txn = crate::platform::db::begin_write(db).await?;
    if let Some(client) = client_id
        && entities::api_clients::Entity::find_by_id(client)
            .one(&txn)
            .await?
            .is_none()
    {
        errors.push(FieldError::new("/client_id", Msg::NoSuchApiClient));
    }
    let Some(client_id) = client_id.filter(|_| errors.is_empty()) else {
        if errors.is_empty() {
            errors.push(FieldError::new("/client_id", Msg::OnlyApiClientsSubscribe));
        }
        return Err(DomainError::Validation(errors));
    };
    let secret = super::signing::new_secret();
    let now = Utc::now();
    let row = webhooks::ActiveModel {
        id: Set(Uuid::now_v7()),
        client_id: Set(client_id),
        url: Set(input.url.unwrap_or_default()),
        events: Set(json!(dedup(input.events.unwrap_or_default()))),
        secret: Set(secret.clone()),
        active: Set(input.active.unwrap_or(true)),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let view = WebhookView::from(row);
    audit::record(&txn, ctx, "create", "webhook", view.id, None, Some(&audit_json(&view))).await?;
    txn.commit().await?;
    Ok((view, secret))
}

fn dedup(mut events: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    events.retain(|e| seen.insert(e.clone()));
    events
}

/// Subscriptions within the caller's reach, a page at a time.
pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    scope: Scope,
    page: PageRequest,
) -> Result<Page<WebhookView>, DomainError> {
    let query = super::reachable(actor, scope);
    Ok(page
        .fetch(db, query, webhooks::Column::Id, |w| w.id)
        .await?
        .map(WebhookView::from))
}

pub async fn get(db: &impl ConnectionTrait, actor: &Actor, scope: Scope, id: Uuid) -> Result<WebhookView, DomainError> {
    super::find(db, actor, scope, id).await.map(WebhookView::from)
}

/// Changes a subscription's URL, events or `active`; with `if_match`, only if it still has that ETag.
pub async fn update(
    db: &impl TransactionTrait,
    ctx: &AuditContext,
    actor: &Actor,
    scope: Scope,
    id: Uuid,
    input: WebhookInput,
    if_match: Option<&str>,
) -> Result<WebhookView, DomainError> {
    let mut errors = check(&input, false);
    if input.client_id.is_some() {
        errors.push(FieldError::new("/client_id", Msg::SubscriptionClientFixed));
    }
    if !errors.is_empty() {
        return Err(DomainError::Validation(errors));
    }
    let txn = crate::platform::db::begin_write(db).await?;
    let row = super::find(&txn, actor, scope, id).await?;
    let before = WebhookView::from(row.clone());
    version::check(if_match, &before)?;
    let mut active: webhooks::ActiveModel = row.into();
    if let Some(url) = input.url {
        active.url = Set(url);
    }
    if let Some(events) = input.events {
        active.events = Set(json!(dedup(events)));
    }
    if let Some(on) = input.active {
        active.active = Set(on);
    }
    active.updated_at = Set(Utc::now());
    let after = WebhookView::from(active.update(&txn).await?);
    let (old, new) = (audit_json(&before), audit_json(&after));
    audit::record(&txn, ctx, "update", "webhook", id, Some(&old), Some(&new)).await?;
    txn.commit().await?;
    Ok(after)
}

/// Deletes a subscription with its deliveries and their log; pending attempts then find nothing to send.
pub async fn delete(
    db: &impl TransactionTrait,
    ctx: &AuditContext,
    actor: &Actor,
    scope: Scope,
    id: Uuid,
) -> Result<(), DomainError> {
    let txn = crate::platform::db::begin_write(db).await?;
    let row = super::find(&txn, actor, scope, id).await?;
    let before = WebhookView::from(row);
    super::deliveries::discard_all(&txn, id).await?;
    webhooks::Entity::delete_by_id(id).exec(&txn).await?;
    audit::record(&txn, ctx, "delete", "webhook", id, Some(&audit_json(&before)), None).await?;
    txn.commit().await?;
    Ok(())
}

/// Replaces the signing secret; deliveries sent from now on use the new one.
pub async fn rotate_secret(
    db: &impl TransactionTrait,
    ctx: &AuditContext,
    actor: &Actor,
    scope: Scope,
    id: Uuid,
) -> Result<(WebhookView, String), DomainError> {
    let txn = crate::platform::db::begin_write(db).await?;
    let row = super::find(&txn, actor, scope, id).await?;
    let secret = super::signing::new_secret();
    let mut active: webhooks::ActiveModel = row.into();
    active.secret = Set(secret.clone());
    active.updated_at = Set(Utc::now());
    let view = WebhookView::from(active.update(&txn).await?);
    let marker = json!({"secret": "rotated"});
    audit::record(&txn, ctx, "rotate_secret", "webhook", id, None, Some(&marker)).await?;
    txn.commit().await?;
    Ok((view, secret))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::outbox::webhooks::destinations::{Destinations, MAX_URL_LEN, check_url};

    #[test]
    fn urls_must_be_absolute_http_without_credentials() {
        assert!(check_url("https://partner.example.com/hooks", Destinations::Public).is_ok());
        assert!(check_url("http://127.0.0.1:8081/hook", Destinations::Any).is_ok());
        for bad in [
            "ftp://x.example/",
            "not a url",
            "https://user:pw@x.example/",
            "/relative",
        ] {
            assert!(check_url(bad, Destinations::Any).is_err(), "{bad}");
        }
        let long = format!("https://x.example/{}", "a".repeat(MAX_URL_LEN));
        assert!(check_url(&long, Destinations::Any).is_err());
    }

    #[test]
    fn unknown_events_and_missing_fields_are_rejected() {
        let errors = check(
            &WebhookInput {
                url: Some("https://x.example/".into()),
                events: Some(vec!["customer.created".into(), "customer.exploded".into()]),
                ..Default::default()
            },
            true,
        );
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].pointer, "/events/1");
        assert_eq!(check(&WebhookInput::default(), true).len(), 2);
        assert!(check(&WebhookInput::default(), false).is_empty());
    }
}
