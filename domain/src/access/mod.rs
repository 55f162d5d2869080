//! Access: who acts and what they may do — actors (staff and partner
//! clients), permissions with scopes, roles, users and passwords, sessions
//! and tokens, API clients, the organisation (regions and teams) and the
//! audit log. Uses only `platform`.

pub mod actor;
pub mod api_clients;
pub mod audit;
pub mod console_sessions;
pub mod org;
pub mod passwords;
pub mod permissions;
pub mod record;
pub mod roles;
pub mod sessions;
pub mod users;
