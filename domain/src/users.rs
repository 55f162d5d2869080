//! Staff accounts: creation with validated input and argon2id password
//! hashes, role assignment, and the first administrator of a new database.

use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier, password_hash::SaltString};
use chrono::Utc;
use entities::{roles, user_roles, users};
use rand::{Rng, distr::Alphanumeric};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set, TransactionSession,
    TransactionTrait,
};
use uuid::Uuid;

use crate::{
    error::{DomainError, FieldError},
    secret::Secret,
    settings::Settings,
};

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

pub fn hash_password(password: &Secret) -> Result<String, DomainError> {
    let salt_bytes: [u8; 16] = rand::rng().random();
    let salt = SaltString::encode_b64(&salt_bytes)
        .map_err(|e| DomainError::Internal(format!("password salt encoding failed: {e}")))?;
    Argon2::default()
        .hash_password(password.expose().as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| DomainError::Internal(format!("password hashing failed: {e}")))
}

pub fn verify_password(password: &Secret, stored_hash: &str) -> bool {
    PasswordHash::new(stored_hash)
        .map(|hash| {
            Argon2::default()
                .verify_password(password.expose().as_bytes(), &hash)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Creates an account with its roles in one transaction.
pub async fn create(db: &(impl ConnectionTrait + TransactionTrait), new: NewUser) -> Result<users::Model, DomainError> {
    let mut errors = Vec::new();
    let email = normalise_email(&new.email);
    if email.is_none() {
        errors.push(FieldError::new(
            "/email",
            "must be an e-mail address such as name@example.com",
        ));
    }
    if new.name.trim().is_empty() || new.name.chars().count() > 200 {
        errors.push(FieldError::new("/name", "must be 1 to 200 characters"));
    }
    if new.password.expose().chars().count() < MIN_PASSWORD_LEN {
        errors.push(FieldError::new(
            "/password",
            format!("must be at least {MIN_PASSWORD_LEN} characters"),
        ));
    }
    if !["zh-CN", "en"].contains(&new.locale.as_str()) {
        errors.push(FieldError::new("/locale", "must be zh-CN or en"));
    }
    let roles = roles::Entity::find()
        .filter(roles::Column::Name.is_in(new.roles.clone()))
        .all(db)
        .await?;
    for wanted in &new.roles {
        if !roles.iter().any(|r| &r.name == wanted) {
            errors.push(FieldError::new("/roles", format!("unknown role {wanted:?}")));
        }
    }
    let Some(email) = email.filter(|_| errors.is_empty()) else {
        return Err(DomainError::Validation(errors));
    };
    if users::Entity::find()
        .filter(users::Column::Email.eq(&email))
        .count(db)
        .await?
        > 0
    {
        return Err(DomainError::Conflict(format!("a user with e-mail {email} exists")));
    }

    let password_hash = hash_password(&new.password)?;
    let now = Utc::now();
    let txn = db.begin().await?;
    let user = users::ActiveModel {
        id: Set(Uuid::now_v7()),
        email: Set(email),
        name: Set(new.name.trim().to_owned()),
        phone: Set(new.phone),
        team_id: Set(new.team_id),
        locale: Set(new.locale),
        status: Set(users::UserStatus::Active),
        password_hash: Set(password_hash),
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
    txn.commit().await?;
    Ok(user)
}

/// A signed-in account with the names of its roles.
#[derive(Debug, Clone)]
pub struct Principal {
    pub user: users::Model,
    pub roles: Vec<String>,
}

impl Principal {
    pub fn has_role(&self, role: &str) -> bool {
        self.roles.iter().any(|r| r == role)
    }
}

/// A PHC hash of a random password, verified against when the e-mail is
/// unknown so that a missing account takes as long as a wrong password.
const DUMMY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$0m8Mf3rIgC8Qv3x2bPqEoN8pD0d3w1t8vXn1iQyqzZg";

/// The active account with this e-mail and password, or `None`: the caller
/// cannot tell a wrong password from an unknown or disabled account.
pub async fn authenticate(
    db: &impl ConnectionTrait,
    email: &str,
    password: &Secret,
) -> Result<Option<Principal>, DomainError> {
    let Some(email) = normalise_email(email) else {
        verify_password(password, DUMMY_HASH);
        return Ok(None);
    };
    let user = users::Entity::find()
        .filter(users::Column::Email.eq(email))
        .one(db)
        .await?;
    let Some(user) = user else {
        verify_password(password, DUMMY_HASH);
        return Ok(None);
    };
    if !verify_password(password, &user.password_hash) || user.status != users::UserStatus::Active {
        return Ok(None);
    }
    principal(db, user.id).await
}

/// The account behind a token, if it still exists and is active: checked on
/// every request so that disabling a user takes effect at once.
pub async fn principal(db: &impl ConnectionTrait, user_id: Uuid) -> Result<Option<Principal>, DomainError> {
    let Some(user) = users::Entity::find_by_id(user_id).one(db).await? else {
        return Ok(None);
    };
    if user.status != users::UserStatus::Active {
        return Ok(None);
    }
    let roles = roles::Entity::find()
        .inner_join(user_roles::Entity)
        .filter(user_roles::Column::UserId.eq(user.id))
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.name)
        .collect();
    Ok(Some(Principal { user, roles }))
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
        NewUser {
            email: email.clone(),
            name: "Administrator".to_owned(),
            password: password.clone(),
            roles: vec!["admin".to_owned()],
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

    #[test]
    fn a_hashed_password_verifies_and_a_wrong_one_does_not() {
        let hash = hash_password(&Secret::new("correct horse battery")).expect("hash");
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password(&Secret::new("correct horse battery"), &hash));
        assert!(!verify_password(&Secret::new("wrong horse battery"), &hash));
        assert!(!verify_password(&Secret::new("x"), "not a hash"));
    }
}
