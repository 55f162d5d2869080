//! sea-orm entities of EstateFlow: one module per table, plain data only.
//! Behaviour that reads or writes them lives in the `domain` crate.

pub mod api_clients;
pub mod audit_log;
pub mod customers;
pub mod idempotency_keys;
pub mod login_failures;
pub mod prelude;
pub mod refresh_tokens;
pub mod regions;
pub mod role_permissions;
pub mod roles;
pub mod system_settings;
pub mod teams;
pub mod user_roles;
pub mod users;
