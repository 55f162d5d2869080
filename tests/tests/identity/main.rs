//! Tests of identity: record scopes, permission checks, the administrator
//! guard, field restrictions, pagination and the audit log.

mod audit;
mod customers;
mod idempotency;
mod org;
mod roles;
mod scopes;
mod tokens;
mod versions;

pub use tests::org::{Org, PASSWORD, create_team, create_user, ids, list, my_id, org, values};
