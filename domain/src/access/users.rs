//! Staff accounts: creation with validated input and argon2id password
//! hashes, role assignment, and the first administrator of a new database.

use chrono::{DateTime, Utc};
use entities::{roles, teams, user_roles, users};
use rand::{Rng, distr::Alphanumeric};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect, QueryTrait,
    Set, TransactionSession, TransactionTrait,
    sea_query::{Condition, Expr, ExprTrait, Func},
};
use serde::Serialize;
use uuid::Uuid;

use crate::platform::text::{Locale, Msg};
use crate::{
    access::actor::Actor,
    access::audit::AuditContext,
    access::permissions::Scope,
    access::record::{self, Record},
    platform::error::{DomainError, FieldError},
    platform::page::{Page, PageRequest},
    platform::secret::Secret,
    platform::settings::Settings,
};

/// The language user `id` reads, when it is one of ours (one query).
pub async fn locale_of(db: &impl ConnectionTrait, id: Uuid) -> Result<Option<Locale>, DomainError> {
    let tag: Option<String> = users::Entity::find_by_id(id)
        .select_only()
        .column(users::Column::Locale)
        .into_tuple()
        .one(db)
        .await?;
    Ok(tag.as_deref().and_then(Locale::from_tag))
}

/// Shortest password accepted.
pub const MIN_PASSWORD_LEN: usize = 10;

/// What is needed to create an account.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub email: String,
    pub name: String,
    pub password: Secret,
    pub roles: Vec<String>,
    pub team_id: Option<Uuid>,
    pub phone: Option<String>,
    pub locale: String,
}

/// Lower-cased, trimmed e-mail address with one `@` and a dotted domain.
pub fn normalise_email(raw: &str) -> Option<String> {
    let email = raw.trim().to_lowercase();
    let (local, domain) = email.split_once('@')?;
    let plausible = !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains('@')
        && email.len() <= 320
        && !email.chars().any(char::is_whitespace);
    plausible.then_some(email)
}

/// Creates an account with its roles in one transaction, audited under `ctx`
/// (the default context is the system itself: first start, CLI, demo).
pub async fn create(
    db: &(impl ConnectionTrait + TransactionTrait),
    ctx: &AuditContext,
    new: NewUser,
) -> Result<users::Model, DomainError> {
    let mut errors = Vec::new();
    let email = normalise_email(&new.email);
    if email.is_none() {
        errors.push(FieldError::new("/email", Msg::EmailAddress));
    }
    if new.name.trim().is_empty() || new.name.chars().count() > 200 {
        errors.push(FieldError::new("/name", Msg::CharsBetween { min: 1, max: 200 }));
    }
    if new.password.expose().chars().count() < MIN_PASSWORD_LEN {
        errors.push(FieldError::new(
            "/password",
            Msg::AtLeastChars { min: MIN_PASSWORD_LEN },
        ));
    }
    crate::platform::input::one_of(Some(&new.locale), &Locale::TAGS, "/locale", &mut errors);
    let phone = new
        .phone
        .as_deref()
        .and_then(|p| crate::platform::input::phone(p, "/phone", &mut errors));
    let roles = find_roles(db, &new.roles, &mut errors).await?;
    check_team(db, new.team_id, &mut errors).await?;
    let Some(email) = email.filter(|_| errors.is_empty()) else {
        return Err(DomainError::Validation(errors));
    };
    if users::Entity::find()
        .filter(users::Column::Email.eq(&email))
        .count(db)
        .await?
        > 0
    {
        return Err(DomainError::Conflict(Msg::EmailTaken { email }));
    }

    let password_hash = crate::access::passwords::hash(&new.password).await?;
    let now = Utc::now();
    let txn = crate::platform::db::begin_write(db).await?;
    crate::access::roles::check_assignment(&txn, ctx, &roles, &[]).await?;
    let user = users::ActiveModel {
        id: Set(Uuid::now_v7()),
        email: Set(email),
        name: Set(new.name.trim().to_owned()),
        phone: Set(phone.map(|p| p.as_written().to_owned())),
        team_id: Set(new.team_id),
        locale: Set(new.locale),
        status: Set(users::UserStatus::Active),
        password_hash: Set(password_hash),
        lead_intake_paused: Set(false),
        last_lead_assigned_at: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    for role in roles {
        user_roles::ActiveModel {
            user_id: Set(user.id),
            role_id: Set(role.id),
            created_at: Set(now),
        }
        .insert(&txn)
        .await?;
    }
    let created = view(&txn, user.clone()).await?;
    record::commit_created(txn, ctx, &created, user.id).await?;
    Ok(user)
}

async fn find_roles(
    db: &impl ConnectionTrait,
    names: &[String],
    errors: &mut Vec<FieldError>,
) -> Result<Vec<roles::Model>, DomainError> {
    let found = roles::Entity::find()
        .filter(roles::Column::Name.is_in(names.to_vec()))
        .all(db)
        .await?;
    for (i, wanted) in names.iter().enumerate() {
        if !found.iter().any(|r| &r.name == wanted) {
            errors.push(FieldError::new(
                format!("/roles/{i}"),
                Msg::UnknownRole {
                    role: format!("{wanted:?}"),
                },
            ));
        }
    }
    Ok(found)
}

async fn check_team(
    db: &impl ConnectionTrait,
    team_id: Option<Uuid>,
    errors: &mut Vec<FieldError>,
) -> Result<(), DomainError> {
    if let Some(team_id) = team_id
        && teams::Entity::find_by_id(team_id).one(db).await?.is_none()
    {
        errors.push(FieldError::new(
            "/team_id",
            Msg::NoSuch {
                what: Box::new(Msg::NounTeam),
            },
        ));
    }
    Ok(())
}

/// An account as the API shows it: never the password hash.
#[derive(Debug, Clone, Serialize)]
pub struct UserView {
    pub id: Uuid,
    pub email: String,
    pub name: String,
    pub phone: Option<String>,
    pub team_id: Option<Uuid>,
    pub locale: String,
    pub status: users::UserStatus,
    pub roles: Vec<String>,
    /// Whether round-robin lead routing passes this user over.
    pub lead_intake_paused: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

async fn view(db: &impl ConnectionTrait, user: users::Model) -> Result<UserView, DomainError> {
    let mut views = views(db, vec![user]).await?;
    views
        .pop()
        .ok_or_else(|| DomainError::Internal("user view lost".to_owned()))
}

/// Views of several users with their role names, in two queries.
async fn views(db: &impl ConnectionTrait, users: Vec<users::Model>) -> Result<Vec<UserView>, DomainError> {
    let ids: Vec<Uuid> = users.iter().map(|u| u.id).collect();
    let pairs: Vec<(Uuid, String)> = user_roles::Entity::find()
        .select_only()
        .column(user_roles::Column::UserId)
        .column(roles::Column::Name)
        .inner_join(roles::Entity)
        .filter(user_roles::Column::UserId.is_in(ids))
        .into_tuple()
        .all(db)
        .await?;
    Ok(users
        .into_iter()
        .map(|user| {
            let mut roles: Vec<String> = pairs
                .iter()
                .filter(|(id, _)| *id == user.id)
                .map(|(_, name)| name.clone())
                .collect();
            roles.sort_unstable();
            view_of(user, roles)
        })
        .collect())
}

fn view_of(user: users::Model, roles: Vec<String>) -> UserView {
    UserView {
        id: user.id,
        email: user.email,
        name: user.name,
        phone: user.phone,
        team_id: user.team_id,
        locale: user.locale,
        status: user.status,
        roles,
        lead_intake_paused: user.lead_intake_paused,
        created_at: user.created_at,
        updated_at: user.updated_at,
    }
}

impl Record for UserView {
    type Entity = users::Entity;
    const NAME: Msg = Msg::NounUser;
    const AUDITED: &'static str = "user";
    fn audit_json(&self) -> serde_json::Value {
        serde_json::json!({
            "email": self.email, "name": self.name, "phone": self.phone, "team_id": self.team_id,
            "locale": self.locale, "status": self.status, "roles": self.roles,
        })
    }
}

/// What to look for among accounts.
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    pub team_id: Option<Uuid>,
    pub status: Option<users::UserStatus>,
    pub role: Option<String>,
    /// Part of the name or e-mail.
    pub q: Option<String>,
}

/// Accounts within `scope` of the caller, matching `filter`, a page at a time.
pub async fn list(
    db: &impl ConnectionTrait,
    actor: &Actor,
    scope: Scope,
    filter: UserFilter,
    page: PageRequest,
) -> Result<Page<UserView>, DomainError> {
    use users::Column as C;
    let mut query = users::Entity::find().filter(actor.reach(scope, C::Id, Some(C::TeamId)));
    if let Some(team) = filter.team_id {
        query = query.filter(C::TeamId.eq(team));
    }
    if let Some(status) = filter.status {
        query = query.filter(C::Status.eq(status));
    }
    if let Some(role) = filter.role {
        let holders = user_roles::Entity::find()
            .select_only()
            .column(user_roles::Column::UserId)
            .inner_join(roles::Entity)
            .filter(roles::Column::Name.eq(role))
            .into_query();
        query = query.filter(C::Id.in_subquery(holders));
    }
    if let Some(q) = filter.q.filter(|q| !q.trim().is_empty()) {
        let pattern = crate::platform::input::contains(&q.trim().to_lowercase());
        query = query.filter(
            Condition::any()
                .add(Expr::expr(Func::lower(Expr::col(C::Name))).like(pattern.clone()))
                .add(C::Email.like(pattern)),
        );
    }
    let page = page.fetch(db, query, C::Id, |u| u.id).await?;
    Ok(Page {
        items: views(db, page.items).await?,
        next_cursor: page.next_cursor,
    })
}

/// One account within `scope` of the caller; outside it, "not found".
pub async fn get(db: &impl ConnectionTrait, actor: &Actor, scope: Scope, id: Uuid) -> Result<UserView, DomainError> {
    use users::Column as C;
    let user = record::find::<UserView>(db, actor.reach(scope, C::Id, Some(C::TeamId)), id).await?;
    view(db, user).await
}

/// A change to an account; `None` leaves a field as it is. `team_id` and
/// `status` need `users:write` on all records.
#[derive(Debug, Clone, Default)]
pub struct UserChanges {
    pub name: Option<String>,
    pub phone: Option<Option<String>>,
    pub locale: Option<String>,
    pub team_id: Option<Option<Uuid>>,
    pub status: Option<users::UserStatus>,
}

pub async fn update(
    db: &(impl ConnectionTrait + TransactionTrait),
    ctx: &AuditContext,
    actor: &Actor,
    scope: Scope,
    id: Uuid,
    changes: UserChanges,
    if_match: Option<&str>,
) -> Result<UserView, DomainError> {
    let mut errors = Vec::new();
    if scope != Scope::All {
        for (given, pointer) in [
            (changes.team_id.is_some(), "/team_id"),
            (changes.status.is_some(), "/status"),
        ] {
            if given {
                errors.push(FieldError::new(pointer, Msg::NeedsUsersWriteAll));
            }
        }
    }
    if changes
        .name
        .as_ref()
        .is_some_and(|n| n.trim().is_empty() || n.chars().count() > 200)
    {
        errors.push(FieldError::new("/name", Msg::CharsBetween { min: 1, max: 200 }));
    }
    crate::platform::input::one_of(changes.locale.as_deref(), &Locale::TAGS, "/locale", &mut errors);
    let phone = changes.phone.as_ref().map(|phone| {
        phone
            .as_deref()
            .and_then(|p| crate::platform::input::phone(p, "/phone", &mut errors))
    });
    check_team(db, changes.team_id.flatten(), &mut errors).await?;
    if !errors.is_empty() {
        return Err(DomainError::Validation(errors));
    }
    let txn = crate::platform::db::begin_write(db).await?;
    let user = record::find::<UserView>(
        &txn,
        actor.reach(scope, users::Column::Id, Some(users::Column::TeamId)),
        id,
    )
    .await?;
    let before = view(&txn, user.clone()).await?;
    crate::platform::version::check(if_match, &before)?;
    let mut active: users::ActiveModel = user.into();
    if let Some(name) = changes.name {
        active.name = Set(name.trim().to_owned());
    }
    if let Some(phone) = phone {
        active.phone = Set(phone.map(|p| p.as_written().to_owned()));
    }
    if let Some(locale) = changes.locale {
        active.locale = Set(locale);
    }
    if let Some(team_id) = changes.team_id {
        active.team_id = Set(team_id);
    }
    if let Some(status) = changes.status {
        active.status = Set(status);
    }
    active.updated_at = Set(Utc::now());
    let user = active.update(&txn).await?;
    crate::access::roles::ensure_an_administrator_remains(&txn).await?;
    let after = view(&txn, user).await?;
    record::commit_changed(txn, ctx, "update", id, &before, &after).await?;
    Ok(after)
}

/// Replaces the account's roles. The caller behind `ctx` may add and remove
/// only roles that grant no more than it holds (`roles::check_assignment`).
pub async fn set_roles(
    db: &(impl ConnectionTrait + TransactionTrait),
    ctx: &AuditContext,
    id: Uuid,
    role_names: Vec<String>,
) -> Result<UserView, DomainError> {
    let mut errors = Vec::new();
    let found = find_roles(db, &role_names, &mut errors).await?;
    if !errors.is_empty() {
        return Err(DomainError::Validation(errors));
    }
    let txn = crate::platform::db::begin_write(db).await?;
    let user = record::find_by_id::<UserView>(&txn, id).await?;
    let before = view(&txn, user.clone()).await?;
    let held = roles::Entity::find()
        .inner_join(user_roles::Entity)
        .filter(user_roles::Column::UserId.eq(id))
        .all(&txn)
        .await?;
    let holds = |list: &[roles::Model], role: &roles::Model| list.iter().any(|r| r.id == role.id);
    let added: Vec<roles::Model> = found.iter().filter(|r| !holds(&held, r)).cloned().collect();
    let removed: Vec<roles::Model> = held.iter().filter(|r| !holds(&found, r)).cloned().collect();
    crate::access::roles::check_assignment(&txn, ctx, &added, &removed).await?;
    user_roles::Entity::delete_many()
        .filter(user_roles::Column::UserId.eq(id))
        .exec(&txn)
        .await?;
    let now = Utc::now();
    for role in found {
        user_roles::ActiveModel {
            user_id: Set(id),
            role_id: Set(role.id),
            created_at: Set(now),
        }
        .insert(&txn)
        .await?;
    }
    crate::access::roles::ensure_an_administrator_remains(&txn).await?;
    let after = view(&txn, user).await?;
    record::commit_changed(txn, ctx, "set_roles", id, &before, &after).await?;
    Ok(after)
}

/// Sets a new password for account `id` (an administrator's reset) and
/// ends what the old one opened: its refresh tokens are revoked and its
/// console sessions ended, in the same transaction. Audited as
/// `reset_password`, without the password.
pub async fn reset_password(
    db: &(impl ConnectionTrait + TransactionTrait),
    ctx: &AuditContext,
    id: Uuid,
    password: &Secret,
) -> Result<(), DomainError> {
    if password.expose().chars().count() < MIN_PASSWORD_LEN {
        return Err(DomainError::invalid(
            "/password",
            Msg::AtLeastChars { min: MIN_PASSWORD_LEN },
        ));
    }
    let password_hash = crate::access::passwords::hash(password).await?;
    let txn = crate::platform::db::begin_write(db).await?;
    let user = record::find_by_id::<UserView>(&txn, id).await?;
    let mut active: users::ActiveModel = user.into();
    active.password_hash = Set(password_hash);
    active.updated_at = Set(Utc::now());
    active.update(&txn).await?;
    entities::refresh_tokens::Entity::update_many()
        .col_expr(entities::refresh_tokens::Column::RevokedAt, Expr::value(Utc::now()))
        .filter(entities::refresh_tokens::Column::UserId.eq(id))
        .filter(entities::refresh_tokens::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    crate::access::console_sessions::end_all_of(&txn, id).await?;
    crate::access::audit::record(&txn, ctx, "reset_password", UserView::AUDITED, id, None, None).await?;
    txn.commit().await?;
    Ok(())
}

/// The names of the accounts `ids` (one query), for pages that show who
/// manages a team or holds a role.
pub async fn names_of(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = Uuid>,
) -> Result<std::collections::HashMap<Uuid, String>, DomainError> {
    let pairs: Vec<(Uuid, String)> = users::Entity::find()
        .select_only()
        .column(users::Column::Id)
        .column(users::Column::Name)
        .filter(users::Column::Id.is_in(ids))
        .into_tuple()
        .all(db)
        .await?;
    Ok(pairs.into_iter().collect())
}

/// A PHC hash of a random password, verified against when the e-mail is
/// unknown so that a missing account takes as long as a wrong password.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0m8Mf3rIgC8Qv3x2bPqEoN8pD0d3w1t8vXn1iQyqzZg";

/// The active account with this e-mail and password, as a caller, or
/// `None`: the caller cannot tell a wrong password from an unknown or
/// disabled account.
pub async fn authenticate(
    db: &impl ConnectionTrait,
    email: &str,
    password: &Secret,
) -> Result<Option<Actor>, DomainError> {
    let Some(email) = normalise_email(email) else {
        crate::access::passwords::verify(password, DUMMY_HASH).await;
        return Ok(None);
    };
    let user = users::Entity::find()
        .filter(users::Column::Email.eq(email))
        .one(db)
        .await?;
    let Some(user) = user else {
        crate::access::passwords::verify(password, DUMMY_HASH).await;
        return Ok(None);
    };
    if !crate::access::passwords::verify(password, &user.password_hash).await
        || user.status != users::UserStatus::Active
    {
        return Ok(None);
    }
    crate::access::actor::load_user(db, user.id).await
}

/// What happened when the service looked for a first administrator.
#[derive(Debug)]
pub enum Bootstrap {
    /// Users exist already; nothing was done.
    NotNeeded,
    /// Created from `ESTATEFLOW_ADMIN_EMAIL`/`ESTATEFLOW_ADMIN_PASSWORD`.
    Created { email: String },
    /// Created with a generated password, to be shown once.
    Generated { email: String, password: Secret },
}

/// The default e-mail of the first administrator when none is configured.
pub const DEFAULT_ADMIN_EMAIL: &str = "admin@estateflow.local";

/// On a database with no users, creates an administrator so that a new
/// installation can be signed into.
pub async fn ensure_first_admin(
    db: &(impl ConnectionTrait + TransactionTrait),
    settings: &Settings,
) -> Result<Bootstrap, DomainError> {
    if users::Entity::find().count(db).await? > 0 {
        return Ok(Bootstrap::NotNeeded);
    }
    let email = settings
        .admin_email
        .clone()
        .unwrap_or_else(|| DEFAULT_ADMIN_EMAIL.to_owned());
    let (password, generated) = match &settings.admin_password {
        Some(password) => (password.clone(), false),
        None => (generate_password(), true),
    };
    let created = create(
        db,
        &AuditContext::default(),
        NewUser {
            email: email.clone(),
            name: "Administrator".to_owned(),
            password: password.clone(),
            roles: vec![crate::access::roles::ADMIN_ROLE.to_owned()],
            team_id: None,
            phone: None,
            locale: "zh-CN".to_owned(),
        },
    )
    .await;
    match created {
        Ok(user) if generated => Ok(Bootstrap::Generated {
            email: user.email,
            password,
        }),
        Ok(user) => Ok(Bootstrap::Created { email: user.email }),
        // Another replica created it first.
        Err(DomainError::Conflict(_)) => Ok(Bootstrap::NotNeeded),
        Err(e) => Err(e),
    }
}

/// A random 20-character password of letters and digits.
pub fn generate_password() -> Secret {
    Secret::new(
        rand::rng()
            .sample_iter(&Alphanumeric)
            .take(20)
            .map(char::from)
            .collect::<String>(),
    )
}

/// The names of users `ids`, in one query: to label records that name
/// their staff (a customer's owner, a lead's consultant).
pub async fn names(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<std::collections::HashMap<Uuid, String>, DomainError> {
    if ids.is_empty() {
        return Ok(std::collections::HashMap::new());
    }
    Ok(users::Entity::find()
        .select_only()
        .column(users::Column::Id)
        .column(users::Column::Name)
        .filter(users::Column::Id.is_in(ids.iter().copied()))
        .into_tuple::<(Uuid, String)>()
        .all(db)
        .await?
        .into_iter()
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_or_rejected() {
        let cases = [
            (" Admin@Example.COM ", Some("admin@example.com")),
            ("a@b.cn", Some("a@b.cn")),
            ("no-at-sign", None),
            ("@example.com", None),
            ("a@localhost", None),
            ("a@.com", None),
            ("a b@example.com", None),
        ];
        for (raw, expected) in cases {
            assert_eq!(normalise_email(raw).as_deref(), expected, "{raw}");
        }
    }
}
