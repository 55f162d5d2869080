//! Errors the business services report. The API maps each to a status and a
//! stable code in one place (`api::error`); the worker logs them.

use sea_orm::{DbErr, SqlErr};

use crate::platform::text::Msg;

/// One rejected input field: a JSON pointer to it and why.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldError {
    pub pointer: String,
    pub detail: Msg,
}

impl FieldError {
    pub fn new(pointer: impl Into<String>, detail: impl Into<Msg>) -> Self {
        Self {
            pointer: pointer.into(),
            detail: detail.into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// Input that breaks a business rule, field by field.
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    /// The record does not exist (or is outside the caller's scope).
    #[error("{0} not found")]
    NotFound(Msg),
    /// The change collides with existing data (a unique value, a state).
    #[error("{0}")]
    Conflict(Msg),
    /// The change would break a business rule that has its own stable code
    /// (e.g. `last_administrator`).
    #[error("{detail}")]
    Rule { code: &'static str, detail: Msg },
    /// Well-formed input that a business rule with its own stable code
    /// refuses as a whole, whatever the stored state (e.g.
    /// `target_over_allocated`: parts that add up to more than their target).
    #[error("{detail}")]
    Refused { code: &'static str, detail: Msg },
    /// A move the state machine of `what` (a deal's stage, a customer's
    /// status) does not allow from where the record is; `allowed` lists the
    /// moves it does allow.
    #[error("a {what} cannot move from {from} to {to}")]
    IllegalTransition {
        what: Box<Msg>,
        from: String,
        to: String,
        allowed: Vec<String>,
    },
    /// The caller holds the permission the endpoint needs, but not enough to
    /// make this change (e.g. granting more than it holds); the detail says
    /// what it lacks.
    #[error("{0}")]
    Forbidden(Msg),
    /// `If-Match` named another version than the record has now.
    #[error("the record has changed since it was read")]
    PreconditionFailed,
    #[error(transparent)]
    Database(DbErr),
    /// Anything else that is our fault, not the caller's.
    #[error("{0}")]
    Internal(String),
}

impl DomainError {
    pub fn invalid(pointer: impl Into<String>, detail: impl Into<Msg>) -> Self {
        Self::Validation(vec![FieldError::new(pointer, detail)])
    }
}

/// One field's rule broken: the request is invalid.
impl From<FieldError> for DomainError {
    fn from(rule: FieldError) -> Self {
        Self::Validation(vec![rule])
    }
}

/// Record-not-found and unique violations become their business meaning here,
/// once, so that no service has to remember to translate them.
impl From<DbErr> for DomainError {
    fn from(err: DbErr) -> Self {
        if matches!(err, DbErr::RecordNotFound(_)) {
            return Self::NotFound(Msg::NounRecord);
        }
        match err.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(detail)) => Self::Conflict(Msg::UniqueValueExists { detail }),
            Some(SqlErr::ForeignKeyConstraintViolation(detail)) => Self::Conflict(Msg::ReferenceBroken { detail }),
            _ => Self::Database(err),
        }
    }
}
