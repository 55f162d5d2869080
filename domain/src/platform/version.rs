//! Versions of records for optimistic concurrency: the ETag of a record is a
//! digest of what the API shows of it, and a change sent with `If-Match`
//! applies only if the record still has that ETag.

use serde::Serialize;

use crate::{platform::credentials, platform::error::DomainError};

/// The strong ETag (with its quotes) of a record's view. A view that cannot
/// be serialised is a bug, not a version: an internal error, never the
/// ETag of an empty string that every such record would share.
pub fn etag_of<T: Serialize>(view: &T) -> Result<String, DomainError> {
    let json = serde_json::to_string(view)
        .map_err(|e| DomainError::Internal(format!("a record's view cannot be serialised for its ETag: {e}")))?;
    Ok(format!("\"{}\"", &credentials::digest(&json)[..24]))
}

/// Passes when there is no precondition, `*`, or a listed ETag equal to `current`.
pub fn check_if_match(if_match: Option<&str>, current: &str) -> Result<(), DomainError> {
    let Some(if_match) = if_match else {
        return Ok(());
    };
    let matches = if_match
        .split(',')
        .map(str::trim)
        .any(|tag| tag == "*" || tag == current);
    if matches {
        Ok(())
    } else {
        Err(DomainError::PreconditionFailed)
    }
}

/// Passes when `if_match` (see `check_if_match`) names the version of `view`,
/// the record as it is now.
pub fn check<T: Serialize>(if_match: Option<&str>, view: &T) -> Result<(), DomainError> {
    check_if_match(if_match, &etag_of(view)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_match_accepts_the_current_etag_a_list_holding_it_or_a_star() {
        let current = etag_of(&serde_json::json!({"name": "Li"})).expect("etag");
        assert!(check_if_match(None, &current).is_ok());
        assert!(check_if_match(Some(&current), &current).is_ok());
        assert!(check_if_match(Some(&format!("\"old\", {current}")), &current).is_ok());
        assert!(check_if_match(Some("*"), &current).is_ok());
        assert!(matches!(
            check_if_match(Some("\"old\""), &current),
            Err(DomainError::PreconditionFailed)
        ));
        assert_ne!(current, etag_of(&serde_json::json!({"name": "Li Na"})).expect("etag"));
    }
}
