//! Partner API clients: OAuth2 client-credentials identities. The secret is
//! shown once, at creation or rotation, and only its SHA-256 is kept. A
//! client holds its scopes (catalog permissions) with scope `own`: it reaches
//! only the records it created. When a client last got a token is kept to
//! the minute (one write a minute at most, none per API request).

use chrono::{DateTime, Utc};
use entities::{api_clients, api_clients::ApiClientStatus};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Set, TransactionSession,
    TransactionTrait,
};
use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crate::platform::text::Msg;
use crate::{
    access::audit::{self, AuditContext},
    access::permissions,
    access::record::{self, Record},
    platform::credentials,
    platform::error::{DomainError, FieldError},
    platform::input,
    platform::version,
};

/// Letters and digits in a client secret (~238 bits).
const SECRET_LEN: usize = 40;
/// Highest per-client rate limit accepted, requests per minute.
pub const MAX_RATE_LIMIT: i32 = 100_000;
/// How stale a client's `last_used_at` may get before a token issue writes it again.
const LAST_USED_PRECISION: chrono::TimeDelta = chrono::TimeDelta::minutes(1);

#[derive(Debug, Clone, Serialize)]
pub struct ClientView {
    pub id: Uuid,
    pub client_id: String,
    pub name: String,
    pub scopes: Vec<String>,
    pub rate_limit_per_minute: i32,
    pub status: String,
    pub secret_rotated_at: DateTime<Utc>,
    /// When the client last got a token, to the minute. Use is not a
    /// change: it stays out of the ETag.
    #[serde(skip)]
    pub last_used_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<api_clients::Model> for ClientView {
    fn from(m: api_clients::Model) -> Self {
        Self {
            id: m.id,
            client_id: m.client_id,
            name: m.name,
            scopes: crate::platform::db::strings(&m.scopes),
            rate_limit_per_minute: m.rate_limit_per_minute,
            status: m.status.to_string(),
            secret_rotated_at: m.secret_rotated_at,
            last_used_at: m.last_used_at,
            created_at: m.created_at,
            updated_at: m.updated_at,
        }
    }
}

impl Record for ClientView {
    type Entity = api_clients::Entity;
    const NAME: Msg = Msg::NounApiClient;
    const AUDITED: &'static str = "api_client";
    fn audit_json(&self) -> serde_json::Value {
        json!({"client_id": self.client_id, "name": self.name, "scopes": self.scopes,
               "rate_limit_per_minute": self.rate_limit_per_minute, "status": self.status})
    }
}

/// Fields of a new client or a change to one; `None` leaves a field as it is.
#[derive(Debug, Clone, Default)]
pub struct ClientInput {
    pub name: Option<String>,
    pub scopes: Option<Vec<String>>,
    pub rate_limit_per_minute: Option<i32>,
    /// `active` or `disabled` (changes only).
    pub status: Option<String>,
}

/// The status `input` sets, if any, or every rule it breaks.
fn check(input: &ClientInput, creating: bool) -> Result<Option<ApiClientStatus>, DomainError> {
    let mut errors = Vec::new();
    match &input.name {
        Some(name) if name.trim().is_empty() || name.chars().count() > 200 => {
            errors.push(FieldError::new("/name", Msg::CharsBetween { min: 1, max: 200 }));
        }
        None if creating => errors.push(FieldError::new("/name", Msg::Required)),
        _ => {}
    }
    for (i, scope) in input.scopes.iter().flatten().enumerate() {
        if !permissions::is_known(scope) {
            errors.push(FieldError::new(
                format!("/scopes/{i}"),
                Msg::UnknownPermission {
                    permission: format!("{scope:?}"),
                },
            ));
        }
    }
    if input
        .rate_limit_per_minute
        .is_some_and(|r| !(1..=MAX_RATE_LIMIT).contains(&r))
    {
        errors.push(FieldError::new(
            "/rate_limit_per_minute",
            Msg::Between {
                min: 1,
                max: MAX_RATE_LIMIT.unsigned_abs().into(),
            },
        ));
    }
    let status = match input.status.as_deref() {
        Some(_) if creating => {
            errors.push(FieldError::new("/status", Msg::NewClientActive));
            None
        }
        status => input::optional(status, |s| input::variant(s, "/status"), &mut errors),
    };
    if errors.is_empty() {
        Ok(status)
    } else {
        Err(DomainError::Validation(errors))
    }
}

/// The permissions the built-in `partner` role holds: what a new client
/// holds when it is created without naming its scopes, so that its first
/// push works.
async fn partner_scopes(db: &impl ConnectionTrait) -> Result<Vec<String>, DomainError> {
    use sea_orm::{QuerySelect, RelationTrait};
    let mut scopes: Vec<String> = entities::role_permissions::Entity::find()
        .select_only()
        .column(entities::role_permissions::Column::Permission)
        .join(
            sea_orm::JoinType::InnerJoin,
            entities::role_permissions::Relation::Role.def(),
        )
        .filter(entities::roles::Column::Name.eq("partner"))
        .into_tuple()
        .all(db)
        .await?;
    scopes.sort_unstable();
    scopes.dedup();
    Ok(scopes)
}

/// Creates a client; returns it and its secret (shown only now). A client
/// created without `scopes` holds the `partner` role's permissions.
pub async fn create(
    db: &impl TransactionTrait,
    ctx: &AuditContext,
    input: ClientInput,
) -> Result<(ClientView, String), DomainError> {
    check(&input, true)?;
    let secret = credentials::generate(SECRET_LEN);
    let now = Utc::now();
    let txn = crate::platform::db::begin_write(db).await?;
    let scopes = match input.scopes {
        Some(scopes) => scopes,
        None => partner_scopes(&txn).await?,
    };
    let client = api_clients::ActiveModel {
        id: Set(Uuid::now_v7()),
        client_id: Set(format!("efc_{}", credentials::generate(20).to_lowercase())),
        name: Set(input.name.unwrap_or_default().trim().to_owned()),
        secret_hash: Set(credentials::digest(&secret)),
        scopes: Set(json!(scopes)),
        rate_limit_per_minute: Set(input.rate_limit_per_minute.unwrap_or(600)),
        status: Set(ApiClientStatus::Active),
        created_by: Set(ctx.actor_user_id),
        secret_rotated_at: Set(now),
        last_used_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let view = ClientView::from(client);
    record::commit_created(txn, ctx, &view, view.id).await?;
    Ok((view, secret))
}

pub async fn list(db: &impl ConnectionTrait) -> Result<Vec<ClientView>, DomainError> {
    let rows = api_clients::Entity::find()
        .order_by_asc(api_clients::Column::Id)
        .all(db)
        .await?;
    Ok(rows.into_iter().map(ClientView::from).collect())
}

pub async fn get(db: &impl ConnectionTrait, id: Uuid) -> Result<ClientView, DomainError> {
    record::find_by_id::<ClientView>(db, id).await.map(Into::into)
}

/// Changes a client; with `if_match`, only if the client still has that ETag.
pub async fn update(
    db: &impl TransactionTrait,
    ctx: &AuditContext,
    id: Uuid,
    input: ClientInput,
    if_match: Option<&str>,
) -> Result<ClientView, DomainError> {
    let status = check(&input, false)?;
    let txn = crate::platform::db::begin_write(db).await?;
    let client = record::find_by_id::<ClientView>(&txn, id).await?;
    let before = ClientView::from(client.clone());
    version::check(if_match, &before)?;
    let mut active: api_clients::ActiveModel = client.into();
    if let Some(name) = input.name {
        active.name = Set(name.trim().to_owned());
    }
    if let Some(scopes) = input.scopes {
        active.scopes = Set(json!(scopes));
    }
    if let Some(rate) = input.rate_limit_per_minute {
        active.rate_limit_per_minute = Set(rate);
    }
    if let Some(status) = status {
        active.status = Set(status);
    }
    active.updated_at = Set(Utc::now());
    let after = ClientView::from(active.update(&txn).await?);
    record::commit_changed(txn, ctx, "update", id, &before, &after).await?;
    Ok(after)
}

/// Replaces the secret; the old one stops working at once.
pub async fn rotate_secret(
    db: &impl TransactionTrait,
    ctx: &AuditContext,
    id: Uuid,
) -> Result<(ClientView, String), DomainError> {
    let txn = crate::platform::db::begin_write(db).await?;
    let client = record::find_by_id::<ClientView>(&txn, id).await?;
    let secret = credentials::generate(SECRET_LEN);
    let now = Utc::now();
    let mut active: api_clients::ActiveModel = client.into();
    active.secret_hash = Set(credentials::digest(&secret));
    active.secret_rotated_at = Set(now);
    active.updated_at = Set(now);
    let view = ClientView::from(active.update(&txn).await?);
    let marker = json!({"secret": "rotated"});
    audit::record(
        &txn,
        ctx,
        "rotate_secret",
        "api_client",
        id,
        Some(&json!({"secret": "old"})),
        Some(&marker),
    )
    .await?;
    txn.commit().await?;
    Ok((view, secret))
}

/// The active client with these credentials, or `None`. A client let in
/// is marked used now, unless it was within the last minute.
pub async fn authenticate(
    db: &impl ConnectionTrait,
    client_id: &str,
    secret: &str,
) -> Result<Option<api_clients::Model>, DomainError> {
    let client = api_clients::Entity::find()
        .filter(api_clients::Column::ClientId.eq(client_id))
        .one(db)
        .await?;
    let digest = credentials::digest(secret);
    let client =
        client.filter(|c| c.status == ApiClientStatus::Active && credentials::same_digest(&c.secret_hash, &digest));
    if let Some(client) = &client {
        mark_used(db, client.id, Utc::now()).await?;
    }
    Ok(client)
}

/// Sets the `last_used_at` of client `id` to `now` if it is unset or more
/// than a minute old: one conditional UPDATE, so that a client asking for
/// tokens in a loop costs at most one write a minute.
async fn mark_used(db: &impl ConnectionTrait, id: Uuid, now: DateTime<Utc>) -> Result<(), DomainError> {
    use sea_orm::sea_query::Expr;
    let column = api_clients::Column::LastUsedAt;
    api_clients::Entity::update_many()
        .col_expr(column, Expr::value(now))
        .filter(api_clients::Column::Id.eq(id))
        .filter(
            sea_orm::Condition::any()
                .add(column.is_null())
                .add(column.lt(now - LAST_USED_PRECISION)),
        )
        .exec(db)
        .await?;
    Ok(())
}
