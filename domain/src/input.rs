//! Checks shared by every service that takes input from callers: times
//! reported for things that happened, and optional free-text fields.

use chrono::{DateTime, Duration, Utc};

use crate::error::FieldError;

/// How far ahead of the server clock a reported time may be (clock skew).
pub const CLOCK_SKEW: Duration = Duration::minutes(5);

/// A time a caller reports for something that has happened: now when
/// absent; an error at `pointer` when it lies in the future.
pub fn reported_time(at: Option<DateTime<Utc>>, pointer: &str, errors: &mut Vec<FieldError>) -> DateTime<Utc> {
    let now = Utc::now();
    match at {
        Some(at) if at > now + CLOCK_SKEW => {
            errors.push(FieldError::new(pointer, "must not be in the future"));
            now
        }
        Some(at) => at,
        None => now,
    }
}

/// An optional text field, trimmed; empty means absent; longer than `max` is an error.
pub fn optional_text(value: Option<String>, pointer: &str, max: usize, errors: &mut Vec<FieldError>) -> Option<String> {
    let value = value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    if value.as_ref().is_some_and(|v| v.chars().count() > max) {
        errors.push(FieldError::new(pointer, format!("must be at most {max} characters")));
    }
    value
}

/// A value of a closed vocabulary (a status, a kind…): absent is fine, any
/// other value than `allowed` is an error at `pointer` listing them.
pub fn one_of(value: Option<&str>, allowed: &[&str], pointer: &str, errors: &mut Vec<FieldError>) {
    if value.is_some_and(|v| !allowed.contains(&v)) {
        errors.push(FieldError::new(
            pointer,
            format!("must be one of {}", allowed.join(", ")),
        ));
    }
}
